"""Every notebook's exercises (helpers.exercise_sets): official solutions pass, every problem has hints.

Each set's typical wrong answers are in tests/test_exercise_sets_<set>.py."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import helpers.exercise_sets
from helpers.exercises import BLANK, CORRECT, NOT_ATTEMPTED, run_official_solution

SET_MODULES = [m.name for m in pkgutil.iter_modules(helpers.exercise_sets.__path__)]
ALL_PROBLEMS = [
    (module, name, problem)
    for module in SET_MODULES
    for name, problem in importlib.import_module(f"helpers.exercise_sets.{module}").PROBLEMS.items()
]


def _solution_namespace(module: str) -> dict:
    """What an official solution may use: NumPy, plus the set's own ``solution_namespace()``."""
    namespace = {"np": np}
    provider = getattr(importlib.import_module(f"helpers.exercise_sets.{module}"), "solution_namespace", None)
    if provider is not None:
        namespace.update(provider())
    return namespace


@pytest.mark.parametrize("module,name,problem", ALL_PROBLEMS, ids=[f"{m}.{n}" for m, n, _ in ALL_PROBLEMS])
def test_every_official_solution_passes(module, name, problem):
    result = run_official_solution(problem, _solution_namespace(module))
    assert result.status == CORRECT, result.message


@pytest.mark.parametrize("module,name,problem", ALL_PROBLEMS, ids=[f"{m}.{n}" for m, n, _ in ALL_PROBLEMS])
def test_every_problem_has_hints_and_says_not_attempted_at_first(module, name, problem):
    assert problem.hints, f"{module}.{name} has no hint"
    result = problem.evaluate({"____": BLANK})
    assert result.status == NOT_ATTEMPTED
