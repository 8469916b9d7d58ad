"""Exercise checks as grading tests: assert_solved for nbgrader/otter cells, and the notebook grader end to end."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import helpers.exercises as ex
from helpers import grading
from helpers.exercise_sets.start_here import PROBLEMS

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOL = REPO_ROOT / "tools" / "grade_notebook.py"
NOTEBOOK = REPO_ROOT / "notebooks" / "00_start_here.ipynb"


def test_assert_solved_raises_with_the_checkers_message():
    namespace = {"answer": 2}
    bound = ex.bind("00_grading", {"q1": ex.ValueProblem("answer", 3, solution="answer = 3")}, namespace=namespace)
    with pytest.raises(AssertionError, match="00_grading q1: incorrect"):
        grading.assert_solved(bound.q1)
    namespace["answer"] = 3
    grading.assert_solved(bound.q1)
    namespace["answer"] = ex.____
    with pytest.raises(AssertionError, match="not attempted"):
        grading.assert_solved(bound.q1)
    assert ex.progress_summary("00_grading")["00_grading"] == {}  # grading records nothing
    with pytest.raises(TypeError, match="question"):
        grading.assert_solved("q1")


def test_grades_find_every_bound_notebook(capsys):
    namespace = {"answer": 3}
    namespace["ex"] = ex.bind("00_grading", {"q1": ex.ValueProblem("answer", 3, solution="answer = 3"),
                                             "q2": ex.ValueProblem("other", 1, solution="other = 1")},
                              namespace=namespace)
    found = grading.grades(namespace)
    assert found["00_grading"]["q1"]["points"] == 1 and found["00_grading"]["q2"]["points"] == 0
    grading.report(namespace)
    line = capsys.readouterr().out.strip()
    assert line.startswith(grading.REPORT_MARKER) and json.loads(line[len(grading.REPORT_MARKER):]) == found
    with pytest.raises(TypeError, match="namespace"):
        grading.grades([1])


def _answered(source: str) -> str:
    """A learner's answer: each blanked cell ``... ____ ... ex.qN.check()`` with the solution instead."""
    found = re.search(r"ex\.(q\d+)\.check\(\)", source)
    if "____" not in source or found is None or "import" in source:
        return source
    question = found.group(1)
    kept = [line for line in source.splitlines() if "____" not in line and not line.startswith(("def ", "    return"))]
    return PROBLEMS[question].solution_code.rstrip() + "\n" + "\n".join(kept)


def _learner_copies(folder: Path) -> tuple[Path, Path]:
    """An unanswered and an answered copy of notebook 00 where a learner keeps them (beside the course set-up)."""
    folder.mkdir()
    os.symlink(REPO_ROOT / "course_setup.py", folder / "course_setup.py")
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    (folder / "blank.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = _answered("".join(cell["source"]))
    (folder / "answered.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return folder / "blank.ipynb", folder / "answered.ipynb"


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_grader_scores_an_answered_and_an_unanswered_notebook(tmp_path):
    blank, answered = _learner_copies(tmp_path / "submissions")
    code = ["".join(c["source"]) for c in json.loads(answered.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]
    assert sum("____" in source for source in code) == 1  # only the import of the placeholder is left
    result = subprocess.run([sys.executable, str(TOOL), str(answered), str(blank), "--csv", str(tmp_path / "g.csv")],
                            capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = list(csv.reader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert rows[0] == ["file", "00_start_here/q1", "00_start_here/q2", "points"]
    assert rows[1] == ["answered.ipynb", "1", "1", "2 of 2"]
    assert rows[2] == ["blank.ipynb", "0", "0", "0 of 2"]
    assert "answered.ipynb" in result.stdout


def test_a_notebook_that_cannot_be_read_is_named_and_the_others_go_on(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not a notebook", encoding="utf-8")
    result = subprocess.run([sys.executable, str(TOOL), str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Not graded" in result.stderr and "broken.ipynb" in result.stderr
