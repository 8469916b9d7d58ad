"""Exercises of notebook 00 (start here): a number and a small function."""

from __future__ import annotations

import numpy as np

from helpers.exercises import FunctionProblem, ValueProblem

NUM_XKCD_COLOURS = 949


def _explain_vector_size(value: object) -> str | None:
    if value == 1:
        return "That is how many entries are 1. The question asks for the length of the whole vector."
    if value == 3:
        return "3 would fit a vocabulary of three colours (red, green, blue). How many names are there here?"
    if isinstance(value, (int, float)) and value < NUM_XKCD_COLOURS:
        return "Too short: a one-hot vector needs one entry for every category."
    if isinstance(value, (int, float)) and value > NUM_XKCD_COLOURS:
        return "Too long: a one-hot vector has exactly one entry per category, no more."
    return None


def _explain_distance(value: object) -> str | None:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    if np.isclose(number, 25.0):
        return "That looks like the squared distance: take the square root at the end."
    if np.isclose(number, 7.0):
        return "That looks like the sum of absolute differences (the Manhattan distance): square them instead."
    return None


q1 = ValueProblem(
    "q1_answer",
    NUM_XKCD_COLOURS,
    hint=[
        "A one-hot vector has one position for each category in the vocabulary.",
        "How many colour names are there? The question says it.",
    ],
    solution="q1_answer = 949  # one entry per colour name; exactly one of them is 1",
    explanation="The length grows with the vocabulary: 949 names need 949 entries, 948 of them zero.",
    explain_wrong=_explain_vector_size,
)

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
        "With NumPy: `np.asarray(a) - np.asarray(b)` gives the differences; `np.sqrt(np.sum(d ** 2))` does the rest.",
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
