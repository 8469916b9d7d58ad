"""Exercises of notebook 02 (embedding layers): cosine similarity, nearest words, a guess checked."""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.exercises import CORRECT, CheckResult, ChoiceProblem, CustomProblem, FunctionProblem, functions_used


@functools.lru_cache(maxsize=1)
def _glove() -> Any:
    from helpers.data import load_glove

    return load_glove()


def solution_namespace() -> dict[str, Any]:
    """The names the notebook's solutions use besides NumPy (exercise 3 uses exercise 1's function)."""

    def cosine_similarity(a: Any, b: Any) -> float:
        return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))

    return {"glove": _glove(), "cosine_similarity": cosine_similarity}


#: Library functions that compute a cosine similarity (or distance) in one call.
_COSINE_SHORTCUTS = {
    "scikit-learn's cosine_similarity": "sklearn.metrics.pairwise:cosine_similarity",
    "scikit-learn's cosine_distances": "sklearn.metrics.pairwise:cosine_distances",
    "SciPy's cosine distance": "scipy.spatial.distance:cosine",
    "SciPy's cdist": "scipy.spatial.distance:cdist",
    "PyTorch's F.cosine_similarity": "torch.nn.functional:cosine_similarity",
    "helpers.metrics.cosine_similarity": "helpers.metrics:cosine_similarity",
    "helpers.metrics.cosine_similarity_matrix": "helpers.metrics:cosine_similarity_matrix",
}


_COSINE_CASES = [
    ((np.array([1.0, 0.0]), np.array([0.0, 1.0])), 0.0),
    ((np.array([1.0, 2.0, 3.0]), np.array([2.0, 4.0, 6.0])), 1.0),
    ((np.array([1.0, 1.0]), np.array([-1.0, -1.0])), -1.0),
    ((np.array([3.0, 4.0]), np.array([4.0, 3.0])), 24.0 / 25.0),
    ((np.array([2.0, 0.0, 1.0]), np.array([1.0, 5.0, 0.0])), 2.0 / (math.sqrt(5) * math.sqrt(26))),
]


def _judge_cosine(cosine_similarity: Any) -> str | None:
    used = functions_used(cosine_similarity, _COSINE_SHORTCUTS)
    if used:
        return (
            f"your function calls {used[0]}, which does the whole computation for you. Fine in real code; "
            "here, write the formula itself with `@` (or `np.dot`) and `np.linalg.norm`, so that you see "
            "what the number is made of."
        )
    for (a, b), expected in _COSINE_CASES:
        got = cosine_similarity(a, b)
        call = f"cosine_similarity(np.array({a.tolist()}), np.array({b.tolist()}))"
        try:
            value = float(np.asarray(got, dtype=float).reshape(()))
        except (TypeError, ValueError):
            return f"`{call}` should return one number, got {type(got).__name__}."
        if abs(value - expected) <= 1e-6:
            continue
        if abs(value - float(a @ b)) < 1e-9 and abs(expected - float(a @ b)) > 1e-9:
            return (
                f"`{call}` returned {value:g}, the plain dot product: divide it by both vectors' lengths "
                "(a cosine similarity lies between -1 and 1)."
            )
        for one in (np.linalg.norm(a), np.linalg.norm(b)):
            if abs(value - float(a @ b) / one) < 1e-9 and abs(expected - value) > 1e-9:
                return f"`{call}` returned {value:g}: you divided by one length only; divide by both."
        if abs(value - float(np.linalg.norm(a - b))) < 1e-9:
            return (
                f"`{call}` returned {value:g}, the Euclidean distance between the vectors; cosine "
                "similarity compares their directions: dot product over the product of the lengths."
            )
        if abs(value - (1 - expected)) < 1e-9:
            return f"`{call}` returned {value:g}: that is the cosine *distance*, 1 - similarity."
        return f"`{call}` returned {value:g}, which is not its cosine similarity."
    return None


q1 = FunctionProblem(
    "cosine_similarity",
    _judge_cosine,
    hint=[
        "Cosine similarity = dot product / (length of a × length of b).",
        "`a @ b` is the dot product; `np.linalg.norm(a)` is the length of `a`.",
    ],
    solution=("def cosine_similarity(a, b):\n    return float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))"),
    explanation="It ignores the vectors' lengths and compares only their directions.",
)


def _reference_neighbours(word: str, k: int, by: str = "cosine") -> list[str]:
    """The k most similar words by cosine similarity (or, for the usual slips, by "dot" product or "distance")."""
    glove = _glove()
    vectors = glove.vectors.astype(np.float64)
    query = vectors[glove.index(word)]
    if by == "distance":
        scores = -np.linalg.norm(vectors - query, axis=1)
    elif by == "dot":
        scores = vectors @ query
    else:
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        scores = unit @ unit[glove.index(word)]
    scores[glove.index(word)] = -np.inf
    return [glove.words[i] for i in np.argsort(-scores, kind="stable")[:k]]


_NEIGHBOUR_SHORTCUTS = {
    "helpers.metrics.nearest_neighbors": "helpers.metrics:nearest_neighbors",
    "helpers.metrics.knn_indices": "helpers.metrics:knn_indices",
    "helpers.metrics.cosine_similarity_matrix": "helpers.metrics:cosine_similarity_matrix",
    "scikit-learn's NearestNeighbors": "sklearn.neighbors:NearestNeighbors",
    "scikit-learn's cosine_similarity": "sklearn.metrics.pairwise:cosine_similarity",
}


def _judge_nearest_words(nearest_words: Any) -> str | None:
    used = functions_used(nearest_words, _NEIGHBOUR_SHORTCUTS)
    if used:
        return (
            f"your function calls {used[0]}, which finds the neighbours for you. The exercise asks you to "
            "compute the similarities yourself with NumPy: normalise the vectors, one matrix product, sort."
        )
    for word, k in [("frog", 5), ("paris", 3), ("guitar", 8)]:
        got = nearest_words(word, k)
        expected = _reference_neighbours(word, k)
        call = f"nearest_words({word!r}, {k})"
        if isinstance(got, str) or not hasattr(got, "__len__"):
            return f"`{call}` should return a list of words, got {type(got).__name__}."
        items = list(got)
        if items and all(isinstance(w, (int, np.integer)) and not isinstance(w, bool) for w in items):
            return (
                f"`{call}` returned numbers (row indices?); return the words themselves: "
                "`glove.words[i]` turns a row index into its word."
            )
        if items and all(isinstance(w, (tuple, list)) for w in items):
            return (
                f"`{call}` returned pairs such as {items[0]!r}; return just the words, most similar first, "
                "without their scores."
            )
        if not all(isinstance(w, str) for w in items):
            return f"`{call}` should return a list of words (strings), but it holds {items[0]!r}."
        got = items
        if len(got) != k:
            return f"`nearest_words({word!r}, {k})` returned {len(got)} words; it should return {k}."
        if word in got:
            return f"`nearest_words({word!r}, {k})` contains {word!r} itself: leave the word out of its own neighbours."
        if got != expected and got == _reference_neighbours(word, k, "distance"):
            return (
                f"For {word!r} your words are ranked by Euclidean distance; rank them by cosine similarity "
                "(normalised vectors): the two rank words differently."
            )
        if got != expected and got == _reference_neighbours(word, k, "dot"):
            return (
                f"For {word!r} your words are ranked by the raw dot product, which favours long vectors; "
                "normalise the vectors first, so that you rank by cosine similarity."
            )
        if got == expected[::-1] and k > 1:
            return f"The right words for {word!r}, but in reverse order: the most similar first."
        if set(got) == set(expected) and got != expected:
            return (
                f"The right words for {word!r}, but not in the right order: rank them by cosine similarity "
                "(normalised vectors), the most similar first; raw dot products or distances rank differently."
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
    _judge_nearest_words,
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

#: The candidates of exercise 3. In the shipped vectors the most similar to "cold" leads the
#: others by more than 0.05 (a test checks it), so the answer does not hang on a hair.
COLD_CANDIDATES = ("hot", "freezing", "chilly")


def cold_similarities() -> dict[str, float]:
    """Cosine similarity of "cold" with each candidate, in the shipped GloVe vectors."""
    glove = _glove()
    cold = glove.vector("cold").astype(float)
    return {
        w: float(cold @ glove.vector(w) / (np.linalg.norm(cold) * np.linalg.norm(glove.vector(w))))
        for w in COLD_CANDIDATES
    }


_COLD_NOTES = {
    "hot": "its opposite. Opposites are used in the same sentences ('the water was hot/cold'), and GloVe learns "
    "from the words around a word.",
    "freezing": "nearly the same meaning, but a stronger word, used in fewer of the same sentences.",
    "chilly": "the closest in meaning, yet used in fewer of the same sentences.",
}


def _judge_cold(namespace: Mapping[str, Any]) -> Any:
    answer = namespace["q3_answer"]
    if not isinstance(answer, str):
        return (
            f"`q3_answer` should be one word in quotes, one of {', '.join(COLD_CANDIDATES)}; got "
            f"{type(answer).__name__}."
        )
    word = answer.strip().strip("'\"").casefold()
    if word not in COLD_CANDIDATES:
        return f"{answer!r} is not one of the candidates; choose one of {', '.join(COLD_CANDIDATES)}."
    sims = cold_similarities()
    ranked = sorted(sims, key=sims.get, reverse=True)
    table = ", ".join(f"{w} {sims[w]:.2f}" for w in ranked)
    if word == ranked[0]:
        return CheckResult(CORRECT, f"{word!r} is the most similar ({table}): {_COLD_NOTES[word]}")
    return (
        f"{word!r} is not the most similar to 'cold': {_COLD_NOTES[word]} Compute the three cosine "
        "similarities to find the one that is."
    )


q3 = CustomProblem(
    _judge_cold,
    variables="q3_answer",
    hint=[
        "Compute `cosine(glove.vector('cold'), glove.vector(w))` for each candidate `w` (the `cosine` function "
        "of section 3 or your own `cosine_similarity`).",
        "Three numbers; the largest wins. Compare it with your guess.",
    ],
    solution=(
        "similarities = {w: cosine_similarity(glove.vector('cold'), glove.vector(w)) for w in ['hot', 'freezing', "
        "'chilly']}\n"
        "q3_answer = max(similarities, key=similarities.get)"
    ),
    explanation="Word vectors learned from the words around each word put opposites close: similar *usage* is "
    "not the same as similar *meaning*.",
)

q4 = ChoiceProblem(
    "q4_answer",
    {
        "a": (
            False,
            "No: its rows start random. The untrained tables' nearest words were no closer in colour than "
            "random words (a ratio near 1): an embedding *layer*, not yet an embedding.",
        ),
        "b": (True, "Yes: after training the ratio fell well below every untrained table's."),
        "c": (
            False,
            "No: after one epoch the ratio had hardly moved from 1; the table passed only after dozens of epochs.",
        ),
        "d": (True, "Yes: section 1 checked it numerically; the lookup only skips the multiplications by zero."),
        "e": (True, "Yes: for unit vectors the squared distance is 2 - 2 cos, so both orders agree."),
        "f": (
            False,
            "No: on the raw GloVe vectors, whose lengths differ, the two shared only part of each word's 10 nearest.",
        ),
    },
    multiple=True,
    hint=[
        "Look back at the untrained tables' ratios and the ratios printed during training, and at the "
        "neighbours shared before and after scaling to length 1."
    ],
    solution='q4_answer = ["b", "d", "e"]',
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
