"""Exercises of notebook 05 (representations, latent vectors and embeddings)."""

from __future__ import annotations

import numpy as np

from helpers.exercises import ChoiceProblem, FunctionProblem

# ----------------------------------------------------------------------------- q1: bag of words


def _reference_bag_of_words(sentences: list[str], vocabulary: list[str]) -> np.ndarray:
    position = {word: j for j, word in enumerate(vocabulary)}
    counts = np.zeros((len(sentences), len(vocabulary)))
    for i, sentence in enumerate(sentences):
        for word in sentence.lower().split():
            if word in position:
                counts[i, position[word]] += 1
    return counts


_BOW_CASES = [
    (["the cat sat on the mat", "a dog sat"], ["a", "cat", "dog", "mat", "on", "sat", "the"]),
    (["red red wine", "white wine", "wine"], ["red", "white", "wine"]),
    (["Big dogs chase big cats", "small cats sleep"], ["big", "cats", "chase", "dogs", "sleep", "small"]),
    (["stocks fell today", "nothing here matches"], ["fell", "stocks", "today", "rose"]),
]


def _explain_bag_of_words(value: object) -> str | None:
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    for sentences, vocabulary in _BOW_CASES:
        expected = _reference_bag_of_words(sentences, vocabulary)
        if arr.shape == expected.T.shape and arr.shape != expected.shape and np.allclose(arr, expected.T):
            return " Rows and columns are swapped: one *row* per sentence, one column per vocabulary word."
        if arr.shape == expected.shape and np.allclose(arr, (expected > 0).astype(float)) and expected.max() > 1:
            return " You marked whether a word occurs; count how many times it occurs instead."
    if arr.ndim == 1:
        return " Return a 2-D array: one row per sentence."
    return None


q1 = FunctionProblem(
    "bag_of_words",
    [((sentences, vocabulary), {}, _reference_bag_of_words(sentences, vocabulary))
     for sentences, vocabulary in _BOW_CASES],
    tol=1e-9,
    hint=[
        "Make a zero matrix of shape `(len(sentences), len(vocabulary))` and a dict from each "
        "vocabulary word to its column.",
        "For every sentence `i`, split `sentence.lower()` into words; for each word that is in the "
        "dict, add 1 to `counts[i, column]`. Words outside the vocabulary are skipped.",
    ],
    solution=(
        "def bag_of_words(sentences, vocabulary):\n"
        "    column = {word: j for j, word in enumerate(vocabulary)}\n"
        "    counts = np.zeros((len(sentences), len(vocabulary)))\n"
        "    for i, sentence in enumerate(sentences):\n"
        "        for word in sentence.lower().split():\n"
        "            if word in column:\n"
        "                counts[i, column[word]] += 1\n"
        "    return counts"
    ),
    explanation="Each row counts words and forgets their order: 'dog bites man' and 'man bites dog' get the same row.",
    explain_wrong=_explain_bag_of_words,
)

# ----------------------------------------------------------------------------- q2: neighbourhood recall


def _neighbours(X: np.ndarray, k: int, *, include_self: bool = False) -> np.ndarray:
    """Indices of the k nearest rows of every row (the row itself left out unless asked)."""
    D = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
    if not include_self:
        np.fill_diagonal(D, np.inf)
    return np.argsort(D, axis=1, kind="stable")[:, :k]


def _recall_variants(X_high: np.ndarray, X_low: np.ndarray, k: int) -> dict[str, float]:
    """The right answer and the values of the usual slips."""
    n = len(X_high)
    a, b = _neighbours(X_high, k), _neighbours(X_low, k)
    shared = sum(len(set(a[i]) & set(b[i])) for i in range(n))
    a_self, b_self = _neighbours(X_high, k, include_self=True), _neighbours(X_low, k, include_self=True)
    shared_self = sum(len(set(a_self[i]) & set(b_self[i])) for i in range(n))
    return {
        "right": shared / (n * k),
        "self": shared_self / (n * k),
        "by n": shared / (n * n),
        "count": shared / n,
    }


def _recall_cases() -> list[tuple[np.ndarray, np.ndarray, int]]:
    rng = np.random.default_rng(5)
    cases = []
    for n, d, k in ((8, 5, 2), (10, 6, 3), (12, 4, 4)):
        X_high = rng.normal(size=(n, d))
        X_low = X_high[:, :2] + 0.8 * rng.normal(size=(n, 2))  # a rough 2-D map of X_high
        cases.append((X_high, X_low, k))
    return cases


_RECALL_CASES = _recall_cases()
_RECALL_SLIPS = [_recall_variants(*case) for case in _RECALL_CASES]


def _explain_recall(value: object) -> str | None:
    if not isinstance(value, (int, float, np.floating)):
        return None
    for slips in _RECALL_SLIPS:
        def matches(slip: str, slips: dict[str, float] = slips) -> bool:
            return np.isclose(value, slips[slip]) and not np.isclose(slips[slip], slips["right"])

        if matches("self"):
            return (" It looks as if each point counts as its own neighbour: leave the point itself "
                    "out before taking the k nearest (its distance to itself is 0).")
        if matches("by n"):
            return (" It looks as if you divided by the number of points n: each point can share at most "
                    "k neighbours, so divide its count by k.")
        if matches("count"):
            return " That is the average *number* of shared neighbours: divide by k to get a share between 0 and 1."
    return None


def _recall_expected(X_high: np.ndarray, X_low: np.ndarray, k: int) -> float:
    return _recall_variants(X_high, X_low, k)["right"]


q2 = FunctionProblem(
    "recall_at_k",
    [((X_high, X_low, k), {}, _recall_expected(X_high, X_low, k)) for X_high, X_low, k in _RECALL_CASES],
    tol=1e-9,
    hint=[
        "For each space, compute all pairwise distances, set the diagonal to `np.inf` (a point is not its "
        "own neighbour), and take `np.argsort(D, axis=1)[:, :k]`.",
        "For each point, count how many of its k neighbours in `X_high` are also among its k neighbours in "
        "`X_low` (`len(set(a[i]) & set(b[i]))`). Add the counts and divide by `n * k`.",
    ],
    solution=(
        "def recall_at_k(X_high, X_low, k):\n"
        "    def neighbours(X):\n"
        "        D = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)\n"
        "        np.fill_diagonal(D, np.inf)\n"
        "        return np.argsort(D, axis=1)[:, :k]\n"
        "    a, b = neighbours(X_high), neighbours(X_low)\n"
        "    shared = sum(len(set(a[i]) & set(b[i])) for i in range(len(a)))\n"
        "    return shared / (len(a) * k)"
    ),
    explanation="`helpers.metrics.neighbourhood_recall` computes the same number, in blocks, for many points.",
    explain_wrong=_explain_recall,
)

# ----------------------------------------------------------------------------- q3: which are embeddings?

q3 = ChoiceProblem(
    "q3_answer",
    {
        "a": (False, "One-hot vectors of colour names put every pair of names at the same distance (√2): "
                     "'red' is as far from 'dark red' as from 'blue'. A representation, not an embedding."),
        "b": (False, "Bag-of-words counts: two sentences that say the same thing with different words share "
                     "no entry and get cosine 0. A representation, not an embedding."),
        "c": (True, "The CNN's 64-number vectors were trained so that images of a class gather: "
                    "their neighbours share the class most often of all the spaces measured."),
        "d": (False, "Raw pixels: a coat moved a few pixels is farther from itself than from another coat. "
                     "A representation, not an embedding."),
        "e": (True, "GloVe vectors were trained so that words used in similar contexts get close vectors."),
        "f": (True, "The 16-D autoencoder codes are latent vectors, and they keep pixel neighbourhoods and "
                    "classes well (measured in section 3), so they also serve as an embedding."),
    },
    multiple=True,
    hint=[
        "An embedding is a representation in which similar inputs are close. For each option, ask: was "
        "anything done (training, a loss) to put similar inputs close, and did the measurements confirm it?",
    ],
    solution='q3_answer = ["c", "e", "f"]',
    explanation="Every option is a representation; only the learned ones were shaped so that "
                "similar inputs land close.",
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3}
