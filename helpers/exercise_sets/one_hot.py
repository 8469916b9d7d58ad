"""Exercises of notebook 01 (one-hot encoding)."""

from __future__ import annotations

import math

import numpy as np

from helpers.exercises import ChoiceProblem, FunctionProblem, ValueProblem


def _explain_one_hot(value: object) -> str | None:
    """Spot the usual slips: transposed, shifted by one, or a flat vector."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    if arr.ndim == 1:
        return "Your function returned a flat vector: return one row per index (a 2-D array)."
    if arr.ndim == 2 and arr.shape[0] > 0 and np.all(arr.sum(axis=1) == 1):
        return None  # a valid one-hot matrix, just the wrong positions: the generic message says so
    if arr.ndim == 2 and np.all(arr.sum(axis=0) == 1) and arr.shape[0] != arr.shape[1]:
        return "Rows and columns look swapped: each *row* should be the vector of one index."
    return None



q1 = FunctionProblem(
    "one_hot",
    [
        (([0, 2, 1], 3), {}, np.eye(3)[[0, 2, 1]]),
        (([4], 5), {}, np.eye(5)[[4]]),
        (([1, 1, 0, 3], 4), {}, np.eye(4)[[1, 1, 0, 3]]),
        (([0, 1], 6), {}, np.eye(6)[[0, 1]]),
    ],
    hint=[
        "Start from a matrix of zeros with shape `(len(indices), num_classes)`.",
        "Then set one entry per row: row `i` gets a 1 in column `indices[i]`. "
        "`matrix[np.arange(len(indices)), indices] = 1` does all rows at once.",
    ],
    solution=(
        "def one_hot(indices, num_classes):\n"
        "    matrix = np.zeros((len(indices), num_classes))\n"
        "    matrix[np.arange(len(indices)), indices] = 1.0\n"
        "    return matrix"
    ),
    explanation="`np.eye(num_classes)[indices]` is a one-line alternative: it picks rows of the identity matrix.",
    explain_wrong=_explain_one_hot,
)


def _explain_distance(value: object) -> str | None:
    if not isinstance(value, (int, float)):
        return None
    if math.isclose(value, 2.0):
        return "2 is the *squared* distance: the square root is missing."
    if math.isclose(value, 0.0):
        return "0 would mean the two vectors are the same, but cat and dog have their 1 in different places."
    if math.isclose(value, 1.0):
        return "The vectors differ in two entries, not one: cat's 1 is dog's 0 and the other way round."
    if value >= 100:
        return "The vocabulary size does not matter: only the entries where the two vectors differ count."
    return None


q2 = ValueProblem(
    "q2_answer",
    math.sqrt(2),
    tol=1e-3,
    hint=[
        "Write the difference of the two vectors. How many of its entries are not zero, and what are they?",
        "The difference has a +1 and a -1 and zeros elsewhere. Square, add, take the square root.",
    ],
    solution="q2_answer = 2 ** 0.5  # about 1.414, whatever the vocabulary size",
    explanation="Two different one-hot vectors always differ in exactly two entries, so the distance is √2.",
    explain_wrong=_explain_distance,
)


def _explain_cosine(value: object) -> str | None:
    if isinstance(value, (int, float)) and math.isclose(value, 1.0):
        return "A cosine of 1 means the vectors point the same way; cat and dog point along different axes."
    if isinstance(value, (int, float)) and math.isclose(value, -1.0):
        return "-1 would mean opposite directions; one-hot vectors have no negative entries."
    return None


q3 = ValueProblem(
    "q3_answer",
    0.0,
    tol=1e-9,
    hint=["Cosine similarity is the dot product divided by both lengths. What is the dot product of the two vectors?"],
    solution="q3_answer = 0  # the 1s are in different places, so the dot product is 0",
    explanation="Different one-hot vectors are orthogonal: every pair of categories is at a right angle.",
    explain_wrong=_explain_cosine,
)

q4 = ChoiceProblem(
    "q4_answer",
    {
        "a": (True, "Yes: a single 1 marks the category, every other entry is 0."),
        "b": (False, "No: every pair of different one-hot vectors is √2 apart, red–orange as much as red–blue."),
        "c": (True, "Yes: one entry per category, so the vector grows with the vocabulary."),
        "d": (False, "No: being different is not enough. An embedding puts similar items close; "
                     "one-hot puts every pair at the same distance."),
        "e": (True, "Yes: it is an encoded form of the input, which is what a representation is."),
    },
    multiple=True,
    hint=["Look back at the distance matrix of section 3 and the table of section 6."],
    solution='q4_answer = ["a", "c", "e"]',
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
