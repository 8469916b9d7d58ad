"""Grade learners' notebooks with the exercises' own checks: one row per notebook, one column per exercise.

    python tools/grade_notebook.py FILE.ipynb [FILE.ipynb ...] [--csv grades.csv] [--timeout SECONDS]

Each notebook runs top to bottom in a fresh kernel from its own folder (a cell that raises
does not stop it), then every exercise the notebook bound is checked as ``ex.qN.check()``
would: one point when correct, none otherwise. The run keeps its progress in a temporary
folder, so grading never changes anyone's progress. The same checks run as nbgrader or
otter-grader tests with ``helpers.grading.assert_solved(ex.qN)`` in a test cell.
It needs nbclient and nbformat (``pip install -r requirements-dev.txt``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import sys
import tempfile
from pathlib import Path

MARKER = "COURSE-GRADES "  # helpers.grading.REPORT_MARKER (not imported: the tool needs no course packages)
REPORT_CELL = "import helpers.grading as _course_grading\n_course_grading.report(globals())"


def grade(path: Path, timeout: int = 600, kernel: str = "python3") -> dict[str, dict[str, dict]]:
    """Run ``path`` and return ``{notebook: {question: {"status", "points", "message"}}}``."""
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as missing:
        raise RuntimeError(f"the grader needs {missing.name}: pip install -r requirements-dev.txt") from None

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(REPORT_CELL))
    with tempfile.TemporaryDirectory(prefix="course-grading-") as progress:
        saved = os.environ.get("COURSE_PROGRESS_DIR")
        os.environ["COURSE_PROGRESS_DIR"] = progress  # the kernel inherits it
        try:
            client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=True,
                                    resources={"metadata": {"path": str(path.resolve().parent)}})
            client.execute()
        finally:
            if saved is None:
                os.environ.pop("COURSE_PROGRESS_DIR", None)
            else:
                os.environ["COURSE_PROGRESS_DIR"] = saved
    lines = [line for output in nb.cells[-1].outputs if output.get("output_type") == "stream"
             for line in output.get("text", "").splitlines() if line.startswith(MARKER)]
    if not lines:
        errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in nb.cells[-1].outputs
                  if o.get("output_type") == "error"]
        raise RuntimeError(f"{path.name}: the grades could not be collected ({'; '.join(errors) or 'no report'})")
    return json.loads(lines[-1][len(MARKER):])


def table(results: dict[str, dict[str, dict[str, dict]]]) -> list[list[str]]:
    """A header and one row per graded file: the points of each exercise and the total."""
    columns = sorted({f"{nb}/{q}" for found in results.values() for nb, qs in found.items() for q in qs})
    rows = [["file", *columns, "points"]]
    for name, found in results.items():
        points = {f"{nb}/{q}": entry["points"] for nb, qs in found.items() for q, entry in qs.items()}
        rows.append([name, *(str(points.get(c, 0)) for c in columns), f"{sum(points.values())} of {len(columns)}"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", type=Path, nargs="+", help="learners' notebooks (.ipynb)")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the grades as CSV to FILE")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--kernel", default="python3", help="kernel spec name (default: python3)")
    args = parser.parse_args(argv)
    results, failed = {}, 0
    for path in args.notebooks:
        try:
            results[path.name] = grade(path, args.timeout, args.kernel)
        except Exception as problem:  # one unreadable notebook does not stop the others
            failed += 1
            print(f"Not graded: {path}: {problem}", file=sys.stderr)
    rows = table(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if args.csv is not None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        args.csv.write_text(buffer.getvalue(), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
