"""Summarise a folder of exported progress files: one row per learner, one column per exercise.

Learners export their progress with ``helpers.progress.export_progress()`` and hand in the
file; an instructor collects the files in one folder and runs::

    python tools/progress_summary.py FOLDER                 # a readable table
    python tools/progress_summary.py FOLDER --csv out.csv   # and a CSV for a spreadsheet

A learner is named by the file's name (without ``.json``), so ask for files named after the
learners. Each cell says in words what happened: ``solved``, ``solved, solution seen``,
``tried``, ``tried, solution seen``, ``not tried``. The last column counts the solved exercises;
the last row counts, for each exercise, the learners who solved it. A damaged or edited file is
named with its problem and left out; it does not stop the summary.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from helpers.progress import ProgressError, read_progress_file  # noqa: E402

_WORDS = {"solved": "solved", "attempted": "tried", "not_attempted": "not tried"}


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
    problems: list[str] = []
    for path in sorted(folder.glob("*.json")):
        try:
            learners[path.stem] = read_progress_file(path)
        except ProgressError as problem:
            problems.append(str(problem))
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
    csv.writer(buffer, lineterminator="\n").writerows(table)
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
    learners = len(table) - 2 if len(table) > 1 else 0
    if learners:
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
