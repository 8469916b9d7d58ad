"""Exercises of notebook 02 (embedding layers): cosine similarity, nearest words, a guess checked."""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

from helpers.exercises import ChoiceProblem, FunctionProblem


@functools.lru_cache(maxsize=1)
def _glove() -> Any:
    from helpers.data import load_glove

    return load_glove()


def solution_namespace() -> dict[str, Any]:
    """The names the notebook's solutions use besides NumPy."""
    return {"glove": _glove()}


def _explain_cosine(value: object) -> str | None:
    if not isinstance(value, (int, float, np.floating)):
        return None
    if float(value) > 1.0 + 1e-9 or float(value) < -1.0 - 1e-9:
        return "A cosine similarity lies between -1 and 1: did you divide by both vectors' lengths?"
    return None


q1 = FunctionProblem(
    "cosine_similarity",
    [
        ((np.array([1.0, 0.0]), np.array([0.0, 1.0])), {}, 0.0),
        ((np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])), {}, 1.0),
        ((np.array([1.0, 1.0]), np.array([-1.0, -1.0])), {}, -1.0),
        ((np.array([3.0, 4.0]), np.array([4.0, 3.0])), {}, 24.0 / 25.0),
        ((np.array([2.0, 0.0, 1.0]), np.array([1.0, 5.0, 0.0])), {}, 2.0 / (math.sqrt(5) * math.sqrt(26))),
    ],
    tol=1e-6,
    hint=[
        "Cosine similarity = dot product / (length of a × length of b).",
        "`a @ b` is the dot product; `np.linalg.norm(a)` is the length of `a`.",
    ],
    solution=(
        "def cosine_similarity(a, b):\n"
        "    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))"
    ),
    explanation="It ignores the vectors' lengths and compares only their directions.",
    explain_wrong=_explain_cosine,
)


def _reference_neighbours(word: str, k: int) -> list[str]:
    glove = _glove()
    unit = glove.vectors / np.linalg.norm(glove.vectors, axis=1, keepdims=True)
    sims = unit @ unit[glove.index(word)]
    sims[glove.index(word)] = -np.inf
    return [glove.words[i] for i in np.argsort(-sims, kind="stable")[:k]]


def _check_nearest_words(nearest_words: Any) -> str | None:
    for word, k in [("frog", 5), ("paris", 3), ("guitar", 8)]:
        got = nearest_words(word, k)
        expected = _reference_neighbours(word, k)
        try:
            got = [str(w) for w in got]
        except TypeError:
            return f"`nearest_words({word!r}, {k})` should return a list of words, got {type(got).__name__}."
        if len(got) != k:
            return f"`nearest_words({word!r}, {k})` returned {len(got)} words; it should return {k}."
        if word in got:
            return f"`nearest_words({word!r}, {k})` contains {word!r} itself: leave the word out of its own neighbours."
        if set(got) == set(expected) and got != expected:
            return (
                f"The right words for {word!r}, but not in order: sort them by cosine similarity, "
                "the most similar first."
            )
        if got != expected:
            overlap = len(set(got) & set(expected))
            return (
                f"For {word!r} only {overlap} of your {k} words are among the {k} most similar. "
                "Compare by cosine similarity (normalise the vectors), not by raw dot product or distance."
            )
    return None


q2 = FunctionProblem(
    "nearest_words",
    _check_nearest_words,
    hint=[
        "Normalise: divide every row of `glove.vectors` by its length, and the query vector by its own.",
        "Then one matrix-vector product gives all cosine similarities; set the word's own similarity to "
        "`-np.inf` and take `np.argsort(-similarities)[:k]`.",
    ],
    solution=(
        "def nearest_words(word, k):\n"
        "    unit = glove.vectors / np.linalg.norm(glove.vectors, axis=1, keepdims=True)\n"
        "    similarities = unit @ unit[glove.index(word)]\n"
        "    similarities[glove.index(word)] = -np.inf   # not its own neighbour\n"
        "    return [glove.words[i] for i in np.argsort(-similarities)[:k]]"
    ),
    explanation="`helpers.metrics.nearest_neighbors(glove.vectors, glove.index(word), k, metric='cosine')` "
                "does the same and is what the notebook uses.",
)

q3 = ChoiceProblem(
    "q3_answer",
    {
        "hot": (True, "Yes, by a hair: cos(cold, hot) is about 0.80. Opposites are used in the same "
                      "contexts ('the water was hot/cold'), and GloVe learns from contexts."),
        "warm": (False, "Close (about 0.79), but 'hot' edges it out: GloVe measures similar usage, "
                        "and the opposite of cold is used most like it."),
        "freezing": (False, "Only about 0.70: 'freezing' means nearly the same as 'cold' but is used in fewer of "
                            "the same contexts."),
        "chilly": (False, "About 0.67, the least similar of the four, though it is the closest in meaning."),
    },
    hint=["Compute `cosine_similarity(glove.vector('cold'), glove.vector(w))` for each candidate."],
    solution='q3_answer = "hot"',
    explanation="Word vectors learned from co-occurrence put antonyms close: similar *usage* is not the same "
                "as similar *meaning*.",
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3}
