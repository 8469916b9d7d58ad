"""Exercises of notebook 00 (start here): a small count and a small function."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from helpers.exercises import FunctionProblem, ValueProblem


@functools.lru_cache(maxsize=1)
def _number_of_names() -> int:
    from helpers.data import load_xkcd_colors

    return len(load_xkcd_colors())


def _polite_number_of_names() -> int:
    from helpers.data import load_xkcd_colors

    return len(load_xkcd_colors(polite=True))


def solution_namespace() -> dict[str, Any]:
    """What the official solution uses: the course's data loaders."""
    import helpers

    return {"helpers": helpers}


def _zeros_expected(namespace: Any) -> int:
    return _number_of_names() - 1


def _explain_zeros(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    names = _number_of_names()
    if value == names:
        return "That is the length of the whole vector. One of its entries is not 0: which one?"
    if value == 1:
        return "That is how many entries are 1. The question asks how many are 0."
    if value in (2, 3):
        return "That would fit a vocabulary of three colours (red, green, blue). How many names are there here?"
    if value == _polite_number_of_names() - 1:
        return "That counts the list without its crude names (`polite=True`); count all the names."
    if value == 0:
        return "A one-hot vector is almost all zeros: only the entry of its own category is 1."
    if value < names - 1:
        return "Too few: a one-hot vector has one entry per category, and all but one of them are 0."
    return "Too many: a one-hot vector has exactly one entry per category, no more."


q1 = ValueProblem(
    "q1_answer",
    _zeros_expected,
    hint=[
        "A one-hot vector has one entry for each category in the vocabulary. How many of them are 1?",
        "`len(colours)` counts the names.",
    ],
    solution=(
        "colours = helpers.data.load_xkcd_colors()\n"
        "q1_answer = len(colours) - 1   # one entry per name; all but the name's own entry are 0"
    ),
    explanation="The vector grows with the vocabulary, and all but one of its entries are always 0.",
    explain_wrong=_explain_zeros,
)


def _explain_distance(value: object) -> str | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if np.isclose(number, 25.0):
        return "That looks like the squared distance: take the square root at the end."
    if np.isclose(number, 7.0):
        return "That looks like the sum of absolute differences (the Manhattan distance): square them instead."
    if np.isclose(number, 4.0):
        return "That looks like the largest single difference; add up the squares of all of them."
    return None


q2 = FunctionProblem(
    "distance",
    [
        (([0, 0], [3, 4]), {}, 5.0),
        (([1, 0, 0], [0, 1, 0]), {}, float(np.sqrt(2))),
        ((np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 3.0])), {}, 0.0),
        (([-1.0, 2.5], [2.0, -1.5]), {}, 5.0),
    ],
    tol=1e-6,
    hint=[
        "Subtract the two vectors entry by entry, square the differences, add them up, take the square root.",
        "With NumPy: `np.asarray(a) - np.asarray(b)` gives the differences (lists cannot be subtracted); "
        "`np.sqrt` and `np.sum` do the rest.",
    ],
    solution=(
        "def distance(a, b):\n"
        "    difference = np.asarray(a, dtype=float) - np.asarray(b, dtype=float)\n"
        "    return float(np.sqrt(np.sum(difference ** 2)))"
    ),
    explanation="`np.linalg.norm(np.subtract(a, b))` computes the same thing in one call.",
    explain_wrong=_explain_distance,
)

PROBLEMS = {"q1": q1, "q2": q2}
