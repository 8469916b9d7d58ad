"""Exercises of notebook 01 (one-hot encoding): predictions checked before the notebook
shows the numbers, a one-hot function written with NumPy, and statements to judge."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from helpers.exercises import ChoiceProblem, FunctionProblem, ValueProblem, functions_used


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


def _judge_one_hot(one_hot: Any) -> str | None:
    used = functions_used(one_hot, {"F.one_hot": "torch.nn.functional:one_hot"})
    if used:
        return (
            "your function calls PyTorch's `F.one_hot`, which does the work for you. That is the right tool "
            "in real code, but here the point is to see how a one-hot matrix is built: write it with NumPy "
            "(a matrix of zeros, then one 1 per row)."
        )
    for args, _, expected in _ONE_HOT_CASES:
        got = one_hot(*args)
        indices, num_classes = args
        call = f"one_hot({indices!r}, {num_classes})"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return f"`{call}` should return a NumPy array of numbers, got {type(got).__name__}."
        advice = _explain_one_hot(got)
        if advice:
            return f"for `{call}`: {advice[:1].lower()}{advice[1:]}"
        if arr.shape != expected.shape:
            return (
                f"`{call}` returned shape {arr.shape}; expected one row per index and "
                f"`num_classes` columns, shape {expected.shape}."
            )
        if not np.array_equal(arr, expected):
            shifted = np.eye(num_classes + 1)[[i + 1 for i in indices]][:, :num_classes]
            if np.array_equal(arr, shifted) or np.array_equal(arr, np.eye(num_classes)[[i - 1 for i in indices]]):
                return f"for `{call}` each 1 sits one column off: index `i` goes in column `i` (Python counts from 0)."
            return f"for `{call}` the shape is right, but some 1s are in the wrong columns."
    return None


_ONE_HOT_CASES = [
    (([0, 2, 1], 3), {}, np.eye(3)[[0, 2, 1]]),
    (([4], 5), {}, np.eye(5)[[4]]),
    (([1, 1, 0, 3], 4), {}, np.eye(4)[[1, 1, 0, 3]]),
    (([0, 1], 6), {}, np.eye(6)[[0, 1]]),
]

q1 = FunctionProblem(
    "one_hot",
    _judge_one_hot,
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
)


def _explain_distance(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    if math.isclose(value, 2.0):
        return "2 is the *squared* distance: the square root is missing."
    if math.isclose(value, 0.0):
        return "0 would mean the two vectors are the same, but two different colours have their 1 in different places."
    if math.isclose(value, 1.0):
        return "The vectors differ in two entries, not one: one colour's 1 is the other's 0, and the other way round."
    if value >= 3:
        return (
            "The number of colours does not matter: only the entries where the two vectors differ count, "
            "and there are two of them."
        )
    return None


q2 = ValueProblem(
    "q2_answer",
    math.sqrt(2),
    tol=1e-3,
    hint=[
        "Write the difference of two one-hot vectors, say [1, 0, 0] - [0, 1, 0]. How many of its entries are not zero?",
        "The difference has a +1 and a -1 and zeros elsewhere. Square, add, take the square root.",
    ],
    solution="q2_answer = 2 ** 0.5  # about 1.414, whatever the vocabulary size",
    explanation="Two different one-hot vectors always differ in exactly two entries, so the distance is √2.",
    explain_wrong=_explain_distance,
)


def _explain_cosine(value: object) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        return None
    if math.isclose(value, 1.0):
        return (
            "A cosine of 1 means the vectors point the same way; two different one-hot vectors point along "
            "different axes."
        )
    if math.isclose(value, -1.0):
        return "-1 would mean opposite directions; one-hot vectors have no negative entries."
    if math.isclose(value, math.sqrt(2), abs_tol=1e-3) or value > 1:
        return "A cosine similarity lies between -1 and 1; that looks like a distance."
    if 0 < value < 1:
        return "The dot product adds up the products of matching entries: in how many places are both vectors 1?"
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
        "d": (
            False,
            "No: being different is not enough. An embedding puts similar items close; "
            "one-hot puts every pair at the same distance.",
        ),
        "e": (True, "Yes: it is an encoded form of the input, which is what a representation is."),
    },
    multiple=True,
    hint=["Look back at the distance matrix of section 3 and the table of section 6."],
    solution='q4_answer = ["a", "c", "e"]',
)


# ----------------------------------------------------------------------------- q5: injective, counted


def _collision_counts(inputs: list[Any], vectors: Any) -> dict[str, int]:
    """The right count of colliding pairs, and what the usual slips count instead."""
    rows = [tuple(np.asarray(vector, dtype=float).ravel()) for vector in vectors]
    n = len(rows)
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n) if rows[i] == rows[j]]
    right = sum(inputs[i] != inputs[j] for i, j in pairs)
    return {
        "right": right,
        "twice": 2 * right,
        "copies": len(pairs),
        "self": right + n,
        "every ordered pair": 2 * len(pairs) + n,
        "lost vectors": n - len(set(rows)),
        "lost inputs": len(set(inputs)) - len(set(rows)),
    }


_SLIPS = {
    "twice": "each pair was counted twice, as (i, j) and as (j, i): count a pair once, with i < j.",
    "copies": "two copies of the same input sharing a vector are no collision: count only pairs whose inputs differ.",
    "self": "an input was paired with itself; it always shares its own vector. Take pairs of two positions i < j.",
    "every ordered pair": "every input was paired with every input, itself included, both ways round: take each "
    "pair of two positions once (i < j), and only when the inputs differ.",
    "lost vectors": "that counts vectors lost (inputs minus distinct vectors), not pairs: three different inputs on "
    "one vector make three colliding pairs.",
    "lost inputs": "that counts distinct inputs minus distinct vectors, not pairs: three different inputs on one "
    "vector make three colliding pairs.",
}

_COLLISION_CASES = [
    (
        ["the cat sat", "sat the cat", "a dog ran", "the cat sat"],  # bag-of-words counts of
        [[0, 1, 0, 0, 1, 1], [0, 1, 0, 0, 1, 1], [1, 0, 1, 1, 0, 0], [0, 1, 0, 0, 1, 1]],
    ),  # a cat dog ran sat the
    (["red", "green", "blue"], np.eye(3)),  # one-hot never collides
    (["w", "x", "y", "z"], np.array([[1.0, 0.0], [1.0, 0.0], [1.0, 0.0], [0.0, 1.0]])),
    ([(1, 2, 3), (3, 2, 1), (2, 2, 2), (1, 2, 3)], np.array([[1, 1, 1], [1, 1, 1], [0, 3, 0], [1, 1, 1]])),
]


def _judge_collisions(collisions: Any) -> str | None:
    for inputs, vectors in _COLLISION_CASES:
        got = collisions(list(inputs), vectors)
        call = f"collisions({list(inputs)!r}, vectors)"
        number = np.asarray(got) if isinstance(got, (int, float, np.integer, np.floating, np.ndarray)) else None
        if number is None or isinstance(got, bool) or number.ndim != 0:
            return f"`{call}` should return a whole number of pairs, got {type(got).__name__}."
        counts = _collision_counts(list(inputs), vectors)
        if float(number) == counts["right"]:
            continue
        for slip, advice in _SLIPS.items():
            if float(number) == counts[slip]:
                return f"`{call}` returned {float(number):g}: {advice}"
        return f"`{call}` returned {float(number):g}, but {counts['right']} pairs of different inputs share a vector."
    return None


q5 = FunctionProblem(
    "collisions",
    _judge_collisions,
    hint=[
        "Look at every pair of positions once: two nested loops, the inner one starting after the outer one.",
        "A pair (i, j) collides when `inputs[i] != inputs[j]` and `np.array_equal(vectors[i], vectors[j])`; "
        "add 1 for each.",
    ],
    solution=(
        "def collisions(inputs, vectors):\n"
        "    count = 0\n"
        "    for i in range(len(inputs)):\n"
        "        for j in range(i + 1, len(inputs)):\n"
        "            if inputs[i] != inputs[j] and np.array_equal(vectors[i], vectors[j]):\n"
        "                count += 1\n"
        "    return count"
    ),
    explanation="0 collisions means the map is injective on these inputs. One-hot never collides; bag-of-words "
    "collides on every reordering of a sentence.",
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4, "q5": q5}
