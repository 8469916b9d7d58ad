"""Projection explorer: any vectors on a 2-D map (PCA, t-SNE or UMAP), point by point.

>>> from helpers.widgets.projection import ProjectionExplorer
>>> explorer = ProjectionExplorer(embeddings, labels, images=images, class_names=names,
...                               spaces={"pixels": pixels})
>>> explorer.show()                      # the widget (and a static picture of it)
>>> explorer.select(12)                  # row 12's nearest neighbours in the ORIGINAL space
>>> explorer.set_method("tsne", perplexity=30)
>>> explorer.export("my_embedding")      # vectors.tsv + metadata.tsv, map.csv + map.png

Clicking a point (with ipympl) or typing its index selects it: its image and its ``k``
nearest neighbours, found in the original space rather than on the map, are shown beside
the map and ringed on it. The map's trustworthiness (does the map invent neighbours?)
is written in its title. Projections come from :func:`helpers.projections.project`,
so each one is computed once and then read from the cache.

The training-evolution explorer, one map per captured epoch of a training run, is
:class:`helpers.widgets.training_evolution.EpochExplorer`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from helpers import metrics, paths, projections, validation
from helpers.plotting import figure_png, with_static_png
from helpers.widgets.projection_common import (
    FIXED_PARAMS,
    TRUST_SAMPLE,
    TUNABLE_PARAMS,
    _check_images,
    _check_labels,
    _tsv_field,
    method_label,
)
from helpers.widgets.projection_view import _ExplorerView

__all__ = ["FIXED_PARAMS", "ProjectionExplorer", "TUNABLE_PARAMS", "method_label"]


def __getattr__(name: str) -> Any:
    # EpochExplorer lives in helpers.widgets.training_evolution; a notebook saved before it
    # moved imports it from here, so the old import keeps working.
    if name == "EpochExplorer":
        from helpers.widgets.training_evolution import EpochExplorer

        return EpochExplorer
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# ----------------------------------------------------------------------------- the explorer


class ProjectionExplorer:
    """Explore vectors on a 2-D map: choose the space, the method and its parameters; pick points.

    ``X`` is an (n, d) array (NumPy or torch) whose rows are the points; ``labels`` gives
    one class per row (numbers indexing ``class_names``, or any names). ``images`` are
    optional pictures of the points, (n, H, W) or (n, H, W, 3). ``spaces`` adds other
    vector spaces of the same points to switch between, e.g. ``{"pixels": pixels}``;
    ``name`` is what ``X`` is called among them. ``method`` is "pca", "tsne" or "umap";
    ``params`` sets its parameters (perplexity; n_neighbors, min_dist). ``k`` neighbours
    are shown for a selected point, found with ``metric`` ("euclidean" or "cosine").
    """

    def __init__(
        self,
        X: Any,
        labels: Any,
        *,
        images: Any = None,
        class_names: Sequence[str] | None = None,
        spaces: Mapping[str, Any] | None = None,
        name: str = "vectors",
        method: str = "pca",
        params: Mapping[str, Any] | None = None,
        k: int = 8,
        metric: str = "euclidean",
        point_size: float = 8.0,
        color_by_class: bool = True,
        trust_k: int | None = None,
        random_state: int = 0,
        title: str | None = None,
        export_folder: str = "embedding_export",
    ) -> None:
        validation.text(name, "name")
        self._spaces: dict[str, np.ndarray] = {name: np.ascontiguousarray(validation.matrix(
            X, "X", min_rows=5, what="n points, d dims; at least 5 points for a map", dtype=np.float32))}
        self.n = len(self._spaces[name])
        if spaces is not None:
            if not isinstance(spaces, Mapping):
                validation.fail("spaces", "a dict {name: array}", spaces, kind=validation.InvalidType)
            for key, value in spaces.items():
                validation.text(key, "spaces: each name")
                if key in self._spaces:
                    raise validation.InvalidValue(f"spaces: the name {key!r} is already used (name of X is {name!r})")
                arr = np.ascontiguousarray(validation.matrix(value, f"spaces[{key!r}]", what="n points, d dims",
                                                             dtype=np.float32))
                if len(arr) != self.n:
                    raise validation.InvalidValue(
                        f"spaces[{key!r}] must have the same points as X: got {len(arr):,} rows, X has {self.n:,}"
                    )
                self._spaces[key] = arr
        self.codes, self.class_names = _check_labels(labels, self.n, class_names)
        self.images = _check_images(images, self.n)
        self.metric = validation.choice(metric, "metric", metrics.METRICS, ignore_case=False)
        most_k = max(1, (self.n - 1) // 2 - 1)
        trust_k = min(10, most_k) if trust_k is None else trust_k
        self.trust_k = validation.integer(trust_k, "trust_k", low=1, high=most_k, why=" (less than half the points)")
        self.random_state = validation.random_state(random_state)
        self.title = None if title is None else validation.text(title, "title", allow_empty=True)
        self.export_folder = self._check_folder(export_folder, "export_folder")
        self.space = name
        self.method = "pca"
        self.params: dict[str, dict[str, Any]] = {m: dict(p) for m, p in TUNABLE_PARAMS.items()}
        # defaults that a small data set cannot support are lowered to what it can
        self.params["tsne"]["perplexity"] = float(min(30, max(1, self.n // 3 - 1)))
        self.params["umap"]["n_neighbors"] = min(15, self.n - 1)
        self.k = self._check_k(k)
        self.point_size = self._check_point_size(point_size)
        self.color_by_class = validation.boolean(color_by_class, "color_by_class")
        self.selected: int | None = None
        self.neighbors = np.zeros(0, dtype=np.int64)
        self.distances = np.zeros(0)
        self._maps: dict[tuple, np.ndarray] = {}
        self._trust: dict[tuple, float] = {}
        self.compute_count = 0  # projections this explorer asked for (memory cache misses)
        self._view: _ExplorerView | None = None
        self.set_method(method, **dict(params or {}))

    # ------------------------------------------------------------------ logic (no widgets)

    @property
    def spaces(self) -> tuple[str, ...]:
        """The names of the vector spaces to choose from."""
        return tuple(self._spaces)

    @property
    def X(self) -> np.ndarray:
        """The vectors of the current space (float32, (n, d))."""
        return self._spaces[self.space]

    def _check_k(self, k: Any) -> int:
        return validation.integer(k, "k", low=1, high=min(32, self.n - 1),
                                  why=" (neighbours shown; fewer than the points)")

    @staticmethod
    def _check_point_size(size: Any) -> float:
        return validation.number(size, "point_size", low=0, high=200, low_open=True, why=" (marker area in points^2)")

    @staticmethod
    def _check_folder(folder: Any, name: str) -> str | Path:
        if isinstance(folder, Path):
            return folder
        return validation.text(folder, name)

    def _check_params(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The method's parameters with ``params`` changed: the explorer offers :data:`TUNABLE_PARAMS`."""
        merged = {**self.params[method], **params}
        checked = validation.projection_params(method, merged, self.n, allowed=TUNABLE_PARAMS[method])
        return {key: checked[key] for key in merged}

    def _key(self) -> tuple:
        params = tuple(sorted(self.params[self.method].items()))
        return (self.space, self.method, params)

    def set_method(self, method: str, **params: Any) -> None:
        """Switch to ``method`` ("pca", "tsne" or "umap"), optionally with new parameters."""
        method = validation.projection_method(method)
        checked = self._check_params(method, params)
        self.method = method
        self.params[method] = checked
        self._changed_map()

    def set_params(self, **params: Any) -> None:
        """Change the current method's parameters, e.g. ``set_params(perplexity=50)``."""
        self.params[self.method] = self._check_params(self.method, params)
        self._changed_map()

    def set_space(self, name: str) -> None:
        """Switch to another vector space (one of :attr:`spaces`); the selection is kept."""
        self.space = validation.choice(name, "space", self._spaces, ignore_case=False)
        if self.selected is not None:
            self._find_neighbors()
        self._changed_map()

    def set_k(self, k: int) -> None:
        """Show ``k`` neighbours of the selected point."""
        self.k = self._check_k(k)
        if self.selected is not None:
            self._find_neighbors()
        if self._view is not None:
            self._view.rebuild_thumbnails()
            self._view.draw_selection()

    def set_point_size(self, size: float) -> None:
        self.point_size = self._check_point_size(size)
        if self._view is not None:
            self._view.draw_style()

    def set_color_by_class(self, on: bool) -> None:
        self.color_by_class = validation.boolean(on, "on")
        if self._view is not None:
            self._view.draw_style()

    def current_map(self) -> np.ndarray:
        """The 2-D map of the current space with the current method and parameters, (n, 2).

        Computed once per (space, method, parameters); asking again, or redrawing, reuses it.
        """
        key = self._key()
        if key not in self._maps:
            progress = self._view.progress if self._view is not None else None
            self.compute_count += 1
            self._maps[key] = projections.project(
                self.X,
                self.method,
                random_state=self.random_state,
                verbose=progress is None,
                on_progress=progress,
                **self.params[self.method],
                **FIXED_PARAMS[self.method],
            )
        return self._maps[key]

    def trustworthiness(self) -> float:
        """Trustworthiness of the current map (k = ``trust_k``); estimated from a sample above 2,000 points."""
        key = self._key()
        if key not in self._trust:
            sample = TRUST_SAMPLE if self.n > TRUST_SAMPLE else None
            self._trust[key] = metrics.trustworthiness(
                self.X, self.current_map(), k=self.trust_k, metric=self.metric, sample=sample,
                random_state=self.random_state,
            )
        return self._trust[key]

    def _find_neighbors(self) -> None:
        assert self.selected is not None
        self.neighbors, self.distances = metrics.nearest_neighbors(
            self.X, self.selected, k=self.k, metric=self.metric
        )

    def select(self, index: int | None) -> np.ndarray:
        """Select point ``index`` (None clears); return its ``k`` nearest neighbours in the ORIGINAL space.

        Neighbours are computed from the vectors of the current space, not from the 2-D
        map, so the rings on the map show where the true neighbours ended up.
        """
        if index is None:
            self.selected = None
            self.neighbors, self.distances = np.zeros(0, dtype=np.int64), np.zeros(0)
        else:
            self.selected = validation.index(index, "index", self.n)
            self._find_neighbors()
        if self._view is not None:
            self._view.draw_selection()
        return self.neighbors.copy()

    def map_neighbors(self, index: int | None = None) -> np.ndarray:
        """The ``k`` nearest neighbours of ``index`` (default: the selected point) on the 2-D map."""
        index = self.selected if index is None else index
        if index is None:
            raise validation.InvalidValue("index: select a point first or pass its index")
        index = validation.index(index, "index", self.n)
        return metrics.nearest_neighbors(self.current_map(), index, k=self.k)[0]

    def nearest_on_map(self, x: float, y: float) -> int:
        """The point whose map position is closest to (x, y) in map coordinates."""
        Y = self.current_map()
        return int(np.argmin(((Y - np.array([x, y], dtype=np.float32)) ** 2).sum(axis=1)))

    def describe(self) -> str:
        """One line: the current map and its trustworthiness."""
        return (
            f"{self.space}: {method_label(self.method, self.params[self.method])} map of "
            f"{self.n:,} points; trustworthiness (k={self.trust_k}) {self.trustworthiness():.3f}"
        )

    def label_of(self, index: int) -> str:
        return self.class_names[self.codes[index]]

    def export(self, folder: str | Path | None = None) -> dict[str, Path | paths.MemoryFile]:
        """Write the current space and map to ``folder`` (default: ``export_folder``); return the paths by kind.

        - ``vectors.tsv`` and ``metadata.tsv``: the pair that the TensorFlow Embedding
          Projector (projector.tensorflow.org, "Load") reads: one vector per line, tab
          separated; the metadata has a header row (index, label) and one row per vector.
        - ``map.csv`` (index, x, y, label) and ``map.png``: the current 2-D map.

        When ``folder`` cannot be written (a read-only course folder, a full disk), the
        files go to a folder of the same name under the system's temporary folder and a
        warning names it; when that fails too, they are kept in memory
        (:class:`helpers.paths.MemoryFile`, read with ``read_bytes()`` / ``read_text()``) and
        one warning says so (see :func:`helpers.paths.write_files`).
        """
        preferred = self._check_folder(self.export_folder if folder is None else folder, "folder")
        return paths.write_files(preferred, self._export_files(),
                                 again="run export(folder) again with a folder on a disk with space")

    def _export_files(self) -> dict[str, tuple[str, bytes]]:
        """The exported files by kind: (file name, content)."""
        vectors = io.BytesIO()
        np.savetxt(vectors, self.X, delimiter="\t", fmt="%.6g")
        metadata = "index\tlabel\n" + "".join(f"{i}\t{_tsv_field(self.label_of(i))}\n" for i in range(self.n))
        Y = self.current_map()
        table = io.StringIO(newline="")
        writer = csv.writer(table)
        writer.writerow(["index", "x", "y", "label"])
        for i in range(self.n):
            writer.writerow([i, f"{Y[i, 0]:.6g}", f"{Y[i, 1]:.6g}", self.label_of(i)])
        return {
            "vectors": ("vectors.tsv", vectors.getvalue()),
            "metadata": ("metadata.tsv", metadata.encode("utf-8")),
            "map_csv": ("map.csv", table.getvalue().encode("utf-8")),
            "map_png": ("map.png", figure_png(self.view.fig, dpi=100)),
        }

    def _changed_map(self) -> None:
        if self._view is not None:
            self._view.draw_map()

    # ------------------------------------------------------------------ display

    @property
    def view(self) -> _ExplorerView:
        """The figure and controls (made on first use)."""
        if self._view is None:
            self._view = _ExplorerView(self)
        return self._view

    @property
    def fig(self):
        return self.view.fig

    def show(self) -> None:
        """Display the explorer (controls, map and images) with a static picture for viewers without widgets."""
        from IPython.display import display

        display(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return with_static_png(self.view.widget, self.view.fig)._repr_mimebundle_(**kwargs)

    def __repr__(self) -> str:
        return (
            f"ProjectionExplorer({self.n:,} points; spaces: {', '.join(self.spaces)}; "
            f"{method_label(self.method, self.params[self.method])}; k={self.k})"
        )
