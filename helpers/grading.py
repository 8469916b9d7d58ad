"""Exercise checks as grading tests, for nbgrader, otter-grader or the course's own grader.

A grading test is a piece of code that raises when the answer is wrong. :func:`assert_solved`
is one, for any exercise::

    from helpers.grading import assert_solved
    assert_solved(ex.q1)        # an nbgrader "autograder tests" cell, or an otter test's body

It raises ``AssertionError`` carrying the same message ``ex.q1.check()`` shows, and records
nothing in the learner's progress. :func:`grades` checks every exercise a notebook bound and
:func:`report` prints them for ``tools/grade_notebook.py``, which runs a learner's notebook and
collects the grades without nbgrader or otter installed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from helpers.exercises import CORRECT, Exercises, Question

__all__ = ["REPORT_MARKER", "assert_solved", "grades", "report"]

#: The line prefix :func:`report` prints before its JSON (what the grader tool looks for).
REPORT_MARKER = "COURSE-GRADES "


def assert_solved(question: Any) -> None:
    """Raise AssertionError (with the checker's message) unless ``question`` is answered correctly."""
    if not isinstance(question, Question):
        raise TypeError(f"question must be an exercise such as ex.q1, got {type(question).__name__}")
    result = question.evaluate()
    if result.status != CORRECT:
        raise AssertionError(f"{question.notebook} {question.name}: {result.status.replace('_', ' ')}: "
                             f"{result.message}")


def grades(namespace: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{notebook: {question: {"status", "points", "message"}}}`` for every Exercises in ``namespace``.

    One point per correct exercise, none otherwise; free-text reflections are not graded.
    """
    if not isinstance(namespace, Mapping):
        raise TypeError(f"namespace must be a dict such as globals(), got {type(namespace).__name__}")
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for value in list(namespace.values()):
        if isinstance(value, Exercises):
            for name in value:
                result = value[name].evaluate()
                found.setdefault(value.notebook, {})[name] = {
                    "status": result.status, "points": int(result.status == CORRECT), "message": result.message}
    return found


def report(namespace: Mapping[str, Any]) -> None:
    """Print :func:`grades` as one line of JSON after :data:`REPORT_MARKER`."""
    print(REPORT_MARKER + json.dumps(grades(namespace), sort_keys=True))
