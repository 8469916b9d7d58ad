"""Exercises of notebook 05 (representations, latent vectors and embeddings)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.exercises import ChoiceProblem, CustomProblem, FunctionProblem, Incorrect

# ----------------------------------------------------------------------------- q1: bag of words


def _reference_bag_of_words(sentences: list[str], vocabulary: list[str], *, lower: bool = True) -> np.ndarray:
    position = {word: j for j, word in enumerate(vocabulary)}
    counts = np.zeros((len(sentences), len(vocabulary)))
    for i, sentence in enumerate(sentences):
        for word in (sentence.lower() if lower else sentence).split():
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
        as_written = _reference_bag_of_words(sentences, vocabulary, lower=False)
        if arr.shape == expected.T.shape and arr.shape != expected.shape and np.allclose(arr, expected.T):
            return " Rows and columns are swapped: one *row* per sentence, one column per vocabulary word."
        if arr.shape != expected.shape or np.allclose(arr, expected):
            continue
        if np.allclose(arr, as_written):
            return (
                " A capitalised word was not counted: 'Big' and 'big' are the same word here. Lower-case each "
                "sentence before you split it."
            )
        if np.allclose(arr, (expected > 0).astype(float)) or np.allclose(arr, (as_written > 0).astype(float)):
            return " You marked whether a word occurs; count how many times it occurs instead."
    if arr.ndim == 1:
        return " Return a 2-D array: one row per sentence."
    return None


q1 = FunctionProblem(
    "bag_of_words",
    [
        ((sentences, vocabulary), {}, _reference_bag_of_words(sentences, vocabulary))
        for sentences, vocabulary in _BOW_CASES
    ],
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
            return (
                " It looks as if each point counts as its own neighbour: leave the point itself "
                "out before taking the k nearest (its distance to itself is 0)."
            )
        if matches("by n"):
            return (
                " It looks as if you divided by the number of points n: each point can share at most "
                "k neighbours, so divide its count by k."
            )
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

# ----------------------------------------------------------------------------- q3: what the measurements support

PIXELS, CNN, AE16, FEATURES = "raw pixels (784)", "CNN embedding (64)", "autoencoder (16)", "hand-made features (21)"

#: One run of notebook 05's section 3 on Fashion-MNIST (2,000 images): recall and k-NN accuracy per space.
EXAMPLE_MEASUREMENTS = {
    PIXELS: (np.nan, 0.781),
    FEATURES: (0.125, 0.563),
    "pixels → PCA (2)": (0.141, 0.505),
    "pixels → t-SNE (2)": (0.494, 0.755),
    "pixels → UMAP (2)": (0.375, 0.725),
    CNN: (0.271, 0.862),
    "CNN → PCA (2)": (0.061, 0.596),
    AE16: (0.459, 0.780),
    "autoencoder (2)": (0.231, 0.630),
}


def example_table(measurements: Mapping[str, tuple[float, float]] = EXAMPLE_MEASUREMENTS) -> Any:
    """A ``structure_table`` like the notebook's (recall and k-NN columns), from ``{space: (recall, k-NN)}``."""
    import pandas as pd

    return pd.DataFrame(
        {
            "neighbourhood recall": {k: v[0] for k, v in measurements.items()},
            "k-NN accuracy": {k: v[1] for k, v in measurements.items()},
        }
    )


def solution_namespace(measurements: Mapping[str, tuple[float, float]] = EXAMPLE_MEASUREMENTS) -> dict[str, Any]:
    """What the official solutions use: an example of the notebook's measurements (``structure_table``),
    made-up right/wrong results per image with the table's k-NN accuracies (``structure_right``) and ``y``."""
    from helpers.exercise_sets import example_outcomes

    labels = np.repeat(np.arange(10), 200)
    right = example_outcomes({name: knn for name, (_, knn) in measurements.items()}, len(labels))
    return {"structure_table": example_table(measurements), "structure_right": right, "y": labels}


def measured_statements(table: Any, right: Mapping[str, Any], labels: Any) -> dict[str, tuple[bool, str]]:
    """Whether each statement holds for this ``structure_table`` and the per-image k-NN results ``right``
    (on ``len(labels)`` images), and why."""
    from helpers.claims import with_interval
    from helpers.metrics import compare_accuracies

    n = len(labels)
    knn = {name: float(np.mean(right[name])) for name in table.index}
    recall = {
        name: float(table.loc[name, "neighbourhood recall"])
        for name in table.index
        if not np.isnan(table.loc[name, "neighbourhood recall"])
    }

    def versus(a: str, b: str) -> tuple[int, str]:
        sign = compare_accuracies(right[a], right[b])
        words = (
            f"with {n:,} test images the two cannot be told apart (McNemar's test on the images only one of "
            "them gets right)"
            if sign == 0
            else "McNemar's test on the images only one of them gets right finds a difference"
        )
        return sign, f"{with_interval(knn[a], n)} against {with_interval(knn[b], n)}; {words}."

    chance = 1 / len(np.unique(labels))
    sign_a, text_a = versus(CNN, PIXELS)
    sign_b, text_b = versus(AE16, PIXELS)
    sign_e, text_e = versus(FEATURES, PIXELS)
    above_chance = compare_accuracies(right[PIXELS], chance) == 1 and knn[PIXELS] > 2 * chance
    counter = sorted(
        (
            (a, b)
            for a in recall
            for b in recall
            if recall[a] > recall[b] and compare_accuracies(right[a], right[b]) == -1
        ),
        key=lambda pair: knn[pair[1]] - knn[pair[0]],
        reverse=True,
    )  # the clearest first
    if counter:
        a, b = counter[0]
        text_d = (
            f"the {a} keeps more pixel neighbours than the {b} (recall {recall[a]:.3f} against "
            f"{recall[b]:.3f}), yet its k-NN accuracy is clearly lower ({knn[a]:.3f} against {knn[b]:.3f})."
        )
    else:
        text_d = "in your table no space with a higher recall has a clearly lower k-NN accuracy."
    return {
        "a": (sign_a == 1, text_a),
        "b": (sign_b == 1, text_b),
        "c": (above_chance, f"{knn[PIXELS]:.3f} against chance {chance:.2f}."),
        "d": (not counter, text_d),
        "e": (sign_e == -1, text_e),
    }


def _judge_statements(namespace: Mapping[str, Any]) -> Any:
    table, right, labels = (namespace.get(name) for name in ("structure_table", "structure_right", "y"))
    if table is None or right is None or labels is None or not hasattr(table, "loc"):
        raise Incorrect(
            "This exercise is graded on your measurements: run the cells of section 3 first "
            "(they make `structure_table` and `structure_right`), then check again."
        )
    facts = measured_statements(table, right, labels)
    options = {
        key: (holds, ("supported: " if holds else "not supported: ") + why) for key, (holds, why) in facts.items()
    }
    if not any(holds for holds, _ in facts.values()):
        raise Incorrect(
            "None of the statements holds for your measurements: `q3_answer = []` would be right, "
            "but the exercise expects at least one; look at your table again."
        )
    return ChoiceProblem("q3_answer", options, multiple=True).evaluate(namespace)


q3 = CustomProblem(
    _judge_statements,
    variables="q3_answer",
    hint=[
        "Two k-NN accuracies on the same images differ only when a paired test says so: "
        "`compare_accuracies(structure_right[a], structure_right[b])` from helpers.metrics gives 1, -1 or 0 "
        "(0: no difference found).",
        "For (d), one counterexample is enough: look for a space with a higher recall but a clearly lower k-NN "
        "accuracy than another.",
    ],
    solution=(
        "from helpers.metrics import compare_accuracies\n"
        "\n"
        "right = structure_right            # per space: was each image's 10-neighbour vote right?\n"
        'pixels, cnn = right["raw pixels (784)"], right["CNN embedding (64)"]\n'
        'code16, features = right["autoencoder (16)"], right["hand-made features (21)"]\n'
        "chance = 1 / len(np.unique(y))\n"
        'recall = structure_table["neighbourhood recall"].dropna()\n'
        "counterexample = any(recall[a] > recall[b] and compare_accuracies(right[a], right[b]) == -1\n"
        "                     for a in recall.index for b in recall.index)\n"
        "q3_answer = [letter for letter, holds in [\n"
        '    ("a", compare_accuracies(cnn, pixels) == 1),\n'
        '    ("b", compare_accuracies(code16, pixels) == 1),\n'
        '    ("c", compare_accuracies(pixels, chance) == 1 and pixels.mean() > 2 * chance),   # far above chance\n'
        '    ("d", not counterexample),\n'
        '    ("e", compare_accuracies(features, pixels) == -1),\n'
        "] if holds]"
    ),
    explanation="Each statement is judged by the same rule as the notebook's text: two accuracies on the same "
    "images differ only when McNemar's test on the images that just one of them gets right finds it.",
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3}
