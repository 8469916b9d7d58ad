"""The exercises of each notebook, one module per notebook (``PROBLEMS`` in each).

A notebook binds its set with ``ex = bind("00_start_here", PROBLEMS)`` (see
:mod:`helpers.exercises`). Every official solution here is run by the tests, together
with typical wrong answers that must get their specific feedback.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

#: Which module holds each notebook's exercises (the grader's judge finds the checks here).
NOTEBOOK_SETS = {
    "00_start_here": "start_here",
    "01_one_hot_encoding": "one_hot",
    "02_embedding_layers": "embedding_layers",
    "03_image_embeddings": "image_embeddings",
    "04_latent_space": "latent_space",
    "05_representations": "representations",
    "06_exercises": "chapter_exercises",
}


def example_outcomes(accuracies: Mapping[str, float], n: int, *, seed: int = 0) -> dict[str, np.ndarray]:
    """Made-up right/wrong results on ``n`` test items with exactly these accuracies, for the examples
    that official solutions and tests are run on (a notebook measures its own).

    Every item has a difficulty that all spaces share, plus a little noise of each space's own,
    so that the spaces agree on most items as real ones do; the comparisons then depend on the
    items where they disagree, as in the notebooks.
    """
    rng = np.random.default_rng(seed)
    difficulty = rng.random(n)
    outcomes = {}
    for name, accuracy in accuracies.items():
        order = np.argsort(difficulty + 0.25 * rng.random(n))
        right = np.zeros(n, dtype=bool)
        right[order[: round(float(accuracy) * n)]] = True
        outcomes[name] = right
    return outcomes
