"""What the projection explorer and the training-evolution explorer share: their projection settings,
the checks of labels and images, and how a method is named on a map."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from helpers import projections, validation

#: The parameters the explorer's controls offer for each method, with their defaults.
TUNABLE_PARAMS: dict[str, dict[str, float]] = {
    "pca": {},
    "tsne": {"perplexity": 30.0},
    "umap": {"n_neighbors": 15, "min_dist": 0.1},
}


#: Settings the explorer always passes to :func:`helpers.projections.project` (no control for
#: them). t-SNE stops after 500 iterations instead of scikit-learn's 1,000: for a few
#: thousand points the map has settled by then (same trustworthiness), at half the cost.
#: UMAP runs 200 epochs, umap-learn's own choice above 10,000 points, instead of the 500 it
#: takes for fewer: on 2,000 Fashion-MNIST or MNIST images (pixels or CNN embedding) its
#: trustworthiness was at most 0.004 lower, in well under half the time.
FIXED_PARAMS: dict[str, dict[str, Any]] = {"pca": {}, "tsne": {"max_iter": 500}, "umap": {"n_epochs": 200}}


#: Maps with more points than this get their trustworthiness estimated from a sample.
TRUST_SAMPLE = 2000


_CLICK_RADIUS_PX = 12.0


def method_label(method: str, params: Mapping[str, Any] | None = None) -> str:
    """'t-SNE (perplexity 30)', 'UMAP (n_neighbors 15, min_dist 0.1)', 'PCA'."""
    name = projections.METHOD_NAMES[method]
    shown = ", ".join(f"{key} {_number(value)}" for key, value in (params or {}).items())
    return f"{name} ({shown})" if shown else name


def _number(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, (int, float, np.integer, np.floating)) else str(value)


def _check_images(images: Any, n: int) -> np.ndarray | None:
    if images is None:
        return None
    return validation.images(images, "images", count=n, colour=True)


def _check_labels(labels: Any, n: int, class_names: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes 0..C-1 per point, and the name of each code."""
    if labels is None:
        raise validation.InvalidType("labels must be given: one label (class number or name) per row of X")
    arr = validation.labels(labels, "labels", n, "X")
    if class_names is not None:
        if isinstance(class_names, str) or not isinstance(class_names, Sequence):
            validation.fail("class_names", "a list of names", class_names, kind=validation.InvalidType)
        names = tuple(_tsv_field(c) for c in class_names)  # tabs and line breaks would garble labels
        if not np.issubdtype(arr.dtype, np.integer):
            raise validation.InvalidType(
                "with class_names, labels must be class numbers (integers) that index class_names")
        if len(arr) and (arr.min() < 0 or arr.max() >= len(names)):
            raise validation.InvalidValue(
                f"labels must index class_names (0 to {len(names) - 1}), got values from {arr.min()} to {arr.max()}"
            )
        return arr.astype(np.int64), names
    values, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.int64), tuple(_tsv_field(v) for v in values)


def _tsv_field(text: str) -> str:
    return " ".join(str(text).replace("\t", " ").split())


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=False)
