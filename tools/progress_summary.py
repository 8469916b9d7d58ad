"""Summarise a folder of exported progress files: one row per learner, one column per exercise.

Learners export their progress with ``helpers.progress.export_progress()`` and hand in the
file; an instructor collects the files in one folder and runs::

    python tools/progress_summary.py FOLDER                 # a readable table
    python tools/progress_summary.py FOLDER --csv out.csv   # and a CSV for a spreadsheet

A learner is named by the file's name (without ``.json``), so ask for files named after the
learners. Each cell says in words what happened: ``solved``, ``solved, solution seen``,
``tried``, ``tried, solution seen``, ``not tried``. The last column counts the solved exercises;
the last row counts, for each exercise, the learners who solved it.

Hand-ins are read as hostile: only regular files of at most a few megabytes are read (a FIFO,
a device or a link to one is named and skipped), a damaged, edited or absurd file gets a row
of its own saying why it was not read and does not stop the others, control characters
(terminal escapes included) are removed from every name, and a CSV cell that a spreadsheet
would run as a formula (beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return) is prefixed with ``'``.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers.progress import ProgressError, read_progress_file  # noqa: E402

_WORDS = {"solved": "solved", "attempted": "tried", "not_attempted": "not tried"}
#: C0 and C1 controls (ESC starts terminal escapes), zero-width and bidirectional marks.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
#: Longest name kept in the table; most exercises one file may hold (the course has a few dozen).
MAX_NAME, MAX_EXERCISES = 80, 500
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def clean(text: object, limit: int = MAX_NAME) -> str:
    """``text`` without control characters, cut to ``limit`` characters."""
    text = _CONTROL.sub("", str(text))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def csv_safe(cell: str) -> str:
    """The cell as a spreadsheet shows it as text, never runs it as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_STARTS) else cell


def _cell(entry: dict | None) -> str:
    if entry is None:
        return "not tried"
    word = _WORDS[entry["status"]]
    return f"{word}, solution seen" if entry["solution_viewed"] else word


def _exercise_key(name: str) -> tuple:
    notebook, _, question = name.partition("/")
    digits = "".join(ch for ch in question if ch.isdigit())
    return notebook, int(digits) if digits else 0, question


def summarise(folder: Path) -> tuple[list[list[str]], list[str]]:
    """The table (a header row, one row per learner, a totals row) and the problems met."""
    if not folder.is_dir():
        raise NotADirectoryError(f"FOLDER must be a folder of exported progress files; {folder} is not a folder")
    learners: dict[str, dict] = {}
    unread: dict[str, str] = {}
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")):
        name = clean(path.stem)
        while name in learners or name in unread:
            name += "+"
        try:
            data = read_progress_file(path)
            if sum(len(entries) for entries in data.values()) > MAX_EXERCISES:
                raise ProgressError(f"{path} cannot be used: it holds more than {MAX_EXERCISES} exercises")
            learners[name] = {clean(nb).replace("/", "\u2215"): {clean(q): e for q, e in entries.items()}
                              for nb, entries in data.items()}  # "/" joins notebook and exercise
        except Exception as problem:  # noqa: BLE001 - one bad hand-in never stops the others
            text = clean(problem if isinstance(problem, ProgressError) else f"{path}: {type(problem).__name__}",
                         400)
            problems.append(text)
            unread[name] = clean(text.replace(str(path), path.name), 200)
    exercises = sorted({f"{nb}/{q}" for data in learners.values() for nb, entries in data.items() for q in entries},
                       key=_exercise_key)
    table = [["learner", *exercises, "solved"]]
    solved_by = dict.fromkeys(exercises, 0)
    for learner, data in learners.items():
        row, solved = [learner], 0
        for exercise in exercises:
            notebook, _, question = exercise.partition("/")
            entry = data.get(notebook, {}).get(question)
            row.append(_cell(entry))
            if entry is not None and entry["status"] == "solved":
                solved += 1
                solved_by[exercise] += 1
        table.append([*row, f"{solved} of {len(exercises)}"])
    for learner, why in unread.items():
        table.append([learner, *(["not read"] * len(exercises)), f"not read: {why}"])
    if learners:
        table.append([f"solved by (of {len(learners)})", *(str(solved_by[e]) for e in exercises), ""])
    return table, problems


def as_text(table: list[list[str]]) -> str:
    """The table with aligned columns, for a terminal."""
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip() for row in table]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def as_csv(table: list[list[str]]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows([[csv_safe(clean(c, 400)) for c in row] for row in table])
    return buffer.getvalue()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folder", type=Path, help="folder holding the learners' exported progress files (*.json)")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the table as CSV to FILE")
    args = parser.parse_args(argv)
    try:
        table, problems = summarise(args.folder)
    except NotADirectoryError as problem:
        print(problem, file=sys.stderr)
        return 2
    learners = sum(not row[-1].startswith("not read") for row in table[1:-1])
    if len(table) > 1:
        print(as_text(table))
    else:
        print(f"No readable progress files in {args.folder}.")
    for problem in problems:
        print(f"Left out: {problem}", file=sys.stderr)
    if args.csv is not None:
        args.csv.write_text(as_csv(table), encoding="utf-8")
        print(f"CSV written to {args.csv} ({learners} learner{'' if learners == 1 else 's'}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
