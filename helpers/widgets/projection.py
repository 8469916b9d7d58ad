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

:class:`EpochExplorer` shows a training run instead: one map per captured epoch, moved
through with a slider.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from helpers import metrics, palette, paths, projections, validation
from helpers.plotting import LiveFigure, freeze, new_figure, save_figure, with_static_png
from helpers.widgets.picking import ClassPicker

__all__ = ["FIXED_PARAMS", "EpochExplorer", "ProjectionExplorer", "TUNABLE_PARAMS", "method_label"]

#: The parameters the explorer's controls offer for each method, with their defaults.
TUNABLE_PARAMS: dict[str, dict[str, float]] = {
    "pca": {},
    "tsne": {"perplexity": 30.0},
    "umap": {"n_neighbors": 15, "min_dist": 0.1},
}

#: Settings the explorer always passes to :func:`helpers.projections.project` (no control for
#: them). t-SNE stops after 500 iterations instead of scikit-learn's 1,000: for a few
#: thousand points the map has settled by then (same trustworthiness), at half the cost.
FIXED_PARAMS: dict[str, dict[str, Any]] = {"pca": {}, "tsne": {"max_iter": 500}, "umap": {}}

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


# ----------------------------------------------------------------------------- validation


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

    def export(self, folder: str | Path | None = None) -> dict[str, Path]:
        """Write the current space and map to ``folder`` (default: ``export_folder``); return the paths by kind.

        - ``vectors.tsv`` and ``metadata.tsv``: the pair that the TensorFlow Embedding
          Projector (projector.tensorflow.org, "Load") reads: one vector per line, tab
          separated; the metadata has a header row (index, label) and one row per vector.
        - ``map.csv`` (index, x, y, label) and ``map.png``: the current 2-D map.

        When ``folder`` cannot be written (a read-only course folder, a full disk), the
        files go to a folder of the same name under the system's temporary folder and a
        warning names it; when that fails too, :class:`helpers.paths.UnwritableError`
        says so in one line.
        """
        folder, note = paths.writable_folder(self._check_folder(self.export_folder if folder is None else folder,
                                                                "folder"))
        if note:
            validation.warn(note, UserWarning)
        try:
            return self._write_export(folder)
        except OSError as error:
            raise paths.UnwritableError(f"could not write the export to {folder} "
                                        f"({error.strerror or type(error).__name__})") from None

    def _write_export(self, folder: Path) -> dict[str, Path]:
        written = {
            "vectors": folder / "vectors.tsv",
            "metadata": folder / "metadata.tsv",
            "map_csv": folder / "map.csv",
            "map_png": folder / "map.png",
        }
        np.savetxt(written["vectors"], self.X, delimiter="\t", fmt="%.6g")
        with open(written["metadata"], "w", encoding="utf-8", newline="") as fh:
            fh.write("index\tlabel\n")
            for i in range(self.n):
                fh.write(f"{i}\t{_tsv_field(self.label_of(i))}\n")
        Y = self.current_map()
        with open(written["map_csv"], "w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["index", "x", "y", "label"])
            for i in range(self.n):
                writer.writerow([i, f"{Y[i, 0]:.6g}", f"{Y[i, 1]:.6g}", self.label_of(i)])
        save_figure(self.view.fig, written["map_png"], dpi=100)
        return written

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


class _ExplorerView:
    """The figure and the ipywidgets of a :class:`ProjectionExplorer`."""

    def __init__(self, explorer: ProjectionExplorer) -> None:
        import ipywidgets as widgets
        from matplotlib.collections import LineCollection

        self.ex = ex = explorer
        self.status = widgets.HTML(value="")
        self.map_status = ""
        width = 10.0 if ex.images is not None else 7.5
        fig, _ = new_figure(figsize=(width, 5.2))
        fig.clear()
        self.fig = fig
        if ex.images is not None:
            map_fig, self.image_fig = fig.subfigures(1, 2, width_ratios=[2.3, 1.0])
        else:
            map_fig, self.image_fig = fig, None
        self.ax = map_fig.subplots()
        self.points = self.ax.scatter([], [], s=ex.point_size, linewidths=0, alpha=0.8)
        self.links = LineCollection([], colors="crimson", linewidths=0.8, alpha=0.7)
        self.ax.add_collection(self.links)
        self.ring = self.ax.scatter([], [], s=90, facecolors="none", edgecolors="crimson", linewidths=1.6,
                                    label="its nearest neighbours (original space)")
        self.star = self.ax.scatter([], [], s=220, marker="*", c="gold", edgecolors="black", linewidths=1.0,
                                    label="selected point", zorder=5)
        self.legend = None
        self.class_labels: list[Any] | None = None  # class names written on the map (not colour alone)
        self.thumbs: list[tuple[Any, Any]] = []
        self.rebuild_thumbnails()
        # The map is drawn once; a selection redraws only its marks and the image panel.
        self.live = LiveFigure(fig, animated=self._moving())
        self._busy = False
        self.controls = self._controls(widgets)
        self.widget = widgets.VBox([self.controls, self.status, self.live.widget])
        if self.live.interactive:
            fig.canvas.mpl_connect("button_press_event", self._on_click)
        self.draw_map(refresh=False)
        self.draw_style(refresh=False)
        self.draw_selection(refresh=False)
        self.live.refresh()

    # ---------------------------------------------------------------- controls

    def _controls(self, widgets: Any) -> Any:
        ex = self.ex
        narrow = widgets.Layout(width="260px")
        self.space_box = widgets.Dropdown(options=list(ex.spaces), value=ex.space, description="space",
                                          layout=narrow)
        self.method_box = widgets.ToggleButtons(
            options=[(projections.METHOD_NAMES[m], m) for m in projections.METHODS], value=ex.method,
            description="method", style={"button_width": "70px"},
        )
        perplexity_max = max(2, min(100, int(math.ceil(ex.n / 3)) - 1))
        self.perplexity = widgets.IntSlider(
            value=int(ex.params["tsne"]["perplexity"]), min=2, max=perplexity_max,
            description="perplexity", continuous_update=False, layout=narrow,
        )
        self.n_neighbors = widgets.IntSlider(
            value=int(ex.params["umap"]["n_neighbors"]), min=2, max=max(3, min(100, ex.n - 1)),
            description="n_neighbors", continuous_update=False, layout=narrow,
        )
        self.min_dist = widgets.FloatSlider(
            value=float(ex.params["umap"]["min_dist"]), min=0.0, max=0.99, step=0.01,
            description="min_dist", continuous_update=False, layout=narrow,
        )
        self.color_box = widgets.Checkbox(value=ex.color_by_class, description="colour by class", indent=False,
                                          layout=widgets.Layout(width="140px"))
        self.size_slider = widgets.FloatSlider(value=ex.point_size, min=1.0, max=60.0, step=1.0,
                                               description="point size", layout=narrow)
        self.index_box = widgets.BoundedIntText(value=0, min=0, max=ex.n - 1, description="pick index",
                                                layout=widgets.Layout(width="180px"))
        self.pick_button = widgets.Button(description="show", layout=widgets.Layout(width="70px"))
        self.k_slider = widgets.IntSlider(value=ex.k, min=1, max=max(ex.k, min(16, ex.n - 1)), description="k",
                                          continuous_update=False, layout=widgets.Layout(width="220px"))
        self.export_name = widgets.Text(value=ex.export_folder, description="export to",
                                        layout=widgets.Layout(width="260px"))
        self.export_button = widgets.Button(description="export", layout=widgets.Layout(width="80px"))

        self.space_box.observe(lambda c: self._guard(ex.set_space, c["new"]), names="value")
        self.method_box.observe(lambda c: self._guard(ex.set_method, c["new"]), names="value")
        self.perplexity.observe(lambda c: self._guard(ex.set_params, perplexity=c["new"]), names="value")
        self.n_neighbors.observe(lambda c: self._guard(ex.set_params, n_neighbors=c["new"]), names="value")
        self.min_dist.observe(lambda c: self._guard(ex.set_params, min_dist=c["new"]), names="value")
        self.color_box.observe(lambda c: self._guard(ex.set_color_by_class, c["new"]), names="value")
        self.size_slider.observe(lambda c: self._guard(ex.set_point_size, c["new"]), names="value")
        self.k_slider.observe(lambda c: self._guard(ex.set_k, c["new"]), names="value")
        self.index_box.observe(lambda c: self._guard(ex.select, c["new"]), names="value")
        self.pick_button.on_click(lambda _: self._guard(ex.select, self.index_box.value))
        self.export_button.on_click(lambda _: self._export())
        self.picker = ClassPicker(self.index_box, ex.codes, ex.class_names)  # pick by class, step through it
        self.param_row = widgets.HBox([])
        rows = [
            widgets.HBox([self.method_box] + ([self.space_box] if len(ex.spaces) > 1 else [])),
            self.param_row,
            widgets.HBox([self.color_box, self.size_slider]),
            widgets.HBox([self.index_box, self.pick_button, self.picker.widget]),
            self.k_slider,
            widgets.HBox([self.export_name, self.export_button]),
        ]
        self._param_widgets()
        return widgets.VBox(rows)

    def _param_widgets(self) -> None:
        children = {"pca": [], "tsne": [self.perplexity], "umap": [self.n_neighbors, self.min_dist]}
        self.param_row.children = children[self.ex.method]

    def _guard(self, action: Any, *args: Any, **kwargs: Any) -> None:
        """Run a control's action; show a bad value as a message instead of a traceback."""
        if self._busy:
            return
        try:
            action(*args, **kwargs)
        except (TypeError, ValueError) as error:
            self.status.value = f"<span style='color:#c62828'>{_html(str(error))}</span>"

    def _export(self) -> None:
        import warnings

        try:
            with warnings.catch_warnings(record=True) as notes:
                warnings.simplefilter("always")
                written = self.ex.export(self.export_name.value or "embedding_export")
        except (OSError, TypeError, ValueError) as error:
            self.status.value = f"<span style='color:#c62828'>export failed: {_html(str(error))}</span>"
            return
        folder = written["vectors"].parent
        moved = "".join(f"<br><span style='color:#b45309'>{_html(str(note.message))}</span>" for note in notes)
        self.status.value = (
            f"Exported to <code>{_html(str(folder))}</code>: vectors.tsv and metadata.tsv (load both at "
            f"projector.tensorflow.org), map.csv and map.png.{moved}"
        )

    def progress(self, message: str) -> None:
        self.status.value = f"<i>{_html(message)}</i>"

    def _on_click(self, event: Any) -> None:
        if event.inaxes is not self.ax or event.button != 1:
            return
        toolbar = getattr(self.fig.canvas, "toolbar", None)
        if toolbar is not None and str(getattr(toolbar, "mode", "")):
            return  # zooming or panning
        Y = self.ex.current_map()
        pixels = self.ax.transData.transform(Y)
        d2 = ((pixels - np.array([event.x, event.y])) ** 2).sum(axis=1)
        index = int(np.argmin(d2))
        if d2[index] <= _CLICK_RADIUS_PX**2:
            self._busy = True
            try:
                self.index_box.value = index
            finally:
                self._busy = False
            self.ex.select(index)

    # ---------------------------------------------------------------- drawing

    def _moving(self) -> list[Any]:
        """The artists a selection changes: redrawn on their own over the rest of the figure."""
        moving = [self.links, self.ring, self.star]
        for _ax, art, title in self.thumbs:
            moving += [art, title]
        if self.image_fig is not None and self.image_fig._suptitle is not None:
            moving.append(self.image_fig._suptitle)
        return moving

    def rebuild_thumbnails(self) -> None:
        """(Re)make the image panel: the selected image and one per neighbour."""
        if self.image_fig is None:
            return
        self.image_fig.clear()
        count = self.ex.k + 1
        cols = 3 if count > 4 else 2
        rows = int(math.ceil(count / cols))
        axes = np.atleast_1d(self.image_fig.subplots(rows, cols)).ravel()
        sample = self.ex.images[0]
        blank = np.zeros(sample.shape, dtype=float)
        grey = sample.ndim == 2
        vmax = 255 if self.ex.images.dtype == np.uint8 else float(np.nanmax(self.ex.images)) or 1.0
        self.thumbs = []
        for i, ax in enumerate(axes):
            ax.set_xticks([])
            ax.set_yticks([])
            if i >= count:
                ax.axis("off")
                continue
            art = ax.imshow(blank, cmap="gray_r" if grey else None, vmin=0, vmax=vmax)
            title = ax.set_title("✗ #00000 d=0.00\nlabel", fontsize=8)  # sized for the layout, emptied below
            for spine in ax.spines.values():
                spine.set_edgecolor("gold" if i == 0 else "0.6")
                spine.set_linewidth(2.5 if i == 0 else 0.8)
            self.thumbs.append((ax, art, title))
        self.image_fig.suptitle("#00000 and its nearest neighbours\nin the space", fontsize=8)
        if hasattr(self, "live"):
            self.live.set_animated(self._moving())
            self.live.relayout()

    def draw_map(self, refresh: bool = True) -> None:
        ex = self.ex
        self._busy = True
        try:
            self.space_box.value = ex.space
            self.method_box.value = ex.method
            params = ex.params
            self.perplexity.value = int(round(params["tsne"]["perplexity"]))
            self.n_neighbors.value = int(params["umap"]["n_neighbors"])
            self.min_dist.value = float(params["umap"]["min_dist"])
        finally:
            self._busy = False
        self._param_widgets()
        Y = ex.current_map()
        trust = ex.trustworthiness()
        self.points.set_offsets(Y)
        if len(ex.class_names) <= 20:
            self.class_labels = palette.label_classes(self.ax, Y, ex.codes, ex.class_names, texts=self.class_labels)
        low, high = np.percentile(Y, 0.5, axis=0), np.percentile(Y, 99.5, axis=0)
        pad = 0.06 * (high - low + 1e-9)
        self.ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
        self.ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
        name = projections.METHOD_NAMES[ex.method]
        self.ax.set_xlabel(f"{name} 1")
        self.ax.set_ylabel(f"{name} 2")
        heading = ex.title or ex.space
        self.ax.set_title(
            f"{heading}: {method_label(ex.method, params[ex.method])}\n"
            f"trustworthiness (k={ex.trust_k}) {trust:.3f}", fontsize=10,
        )
        self.map_status = (
            f"{ex.n:,} points, {ex.X.shape[1]:,} dims in <b>{_html(ex.space)}</b>, drawn with "
            f"{_html(method_label(ex.method, params[ex.method]))}; trustworthiness {trust:.3f} "
            "(1.0: every neighbour on the map is a true neighbour). "
            + ("Click a point or pick an index." if self.live.interactive else "Pick a point by its index.")
        )
        self.draw_selection(refresh=False)
        if refresh:
            self.live.refresh()

    def draw_style(self, refresh: bool = True) -> None:
        ex = self.ex
        import matplotlib as mpl

        n_classes = len(ex.class_names)
        if ex.color_by_class:
            if n_classes <= 20:
                colors = palette.class_colours(ex.codes)
            else:
                colors = mpl.colormaps["viridis"](ex.codes / max(1, n_classes - 1))
            self.points.set_facecolors(colors)
            self.points.set_sizes(np.full(ex.n, ex.point_size))
        else:
            self.points.set_facecolors("0.55")
            self.points.set_sizes(np.full(ex.n, ex.point_size))
        if self.legend is not None:
            self.legend.remove()
            self.legend = None
        handles = [self.star, self.ring]
        if ex.color_by_class and n_classes <= 20:
            from matplotlib.lines import Line2D

            handles = [
                Line2D([], [], marker="o", linestyle="", markersize=5, color=palette.class_colour(c), label=name)
                for c, name in enumerate(ex.class_names)
            ] + handles
        # Pasted from a picture on each redraw: laying the legend out again cost a third of a map switch.
        self.legend = freeze(self.ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5),
                                            fontsize=8, frameon=False))
        if refresh:
            self.live.refresh()

    def draw_selection(self, refresh: bool = True) -> None:
        ex = self.ex
        Y = ex.current_map()
        if ex.selected is None:
            empty = np.zeros((0, 2))
            self.star.set_offsets(empty)
            self.ring.set_offsets(empty)
            self.links.set_segments([])
        else:
            here = Y[ex.selected]
            self.star.set_offsets(here[None, :])
            self.ring.set_offsets(Y[ex.neighbors])
            self.links.set_segments([np.stack([here, Y[j]]) for j in ex.neighbors])
        self._draw_images()
        self._show_status()
        if refresh:
            self.live.refresh_animated()

    def _show_status(self) -> None:
        """The map's line, and below it the selected point and its neighbours."""
        ex = self.ex
        lines = [self.map_status]
        if ex.selected is not None:
            i = ex.selected
            same = int(sum(ex.codes[j] == ex.codes[i] for j in ex.neighbors))
            listed = ", ".join(f"#{j} {_html(ex.label_of(j))}" for j in ex.neighbors[:8])
            more = ", ..." if len(ex.neighbors) > 8 else ""
            lines.append(
                f"Selected #{i} ({_html(ex.label_of(i))}). Its {ex.k} nearest in {_html(ex.space)}: "
                f"{listed}{more}; {same} of {ex.k} share its class."
            )
        self.status.value = "<br>".join(lines)

    def _draw_images(self) -> None:
        ex = self.ex
        if self.image_fig is None:
            return
        if ex.selected is None:
            for _ax, art, title in self.thumbs:
                art.set_data(np.zeros(ex.images[0].shape))
                title.set_text("")
            self.image_fig.suptitle("select a point to see it\nand its nearest neighbours", fontsize=9)
            return
        order = [ex.selected, *ex.neighbors.tolist()]
        for i, (_ax, art, title) in enumerate(self.thumbs):
            if i >= len(order):
                title.set_text("")
                continue
            j = order[i]
            art.set_data(ex.images[j])
            same = ex.codes[j] == ex.codes[ex.selected]
            if i == 0:
                title.set_text(f"selected #{j}\n{ex.label_of(j)}")
                title.set_color("black")
            else:
                mark = palette.RIGHT_SYMBOL if same else palette.WRONG_SYMBOL
                title.set_text(f"{mark} #{j} d={ex.distances[i - 1]:.2g}\n{ex.label_of(j)}")
                title.set_color("black" if same else palette.WRONG)
        agree = int(sum(ex.codes[j] == ex.codes[ex.selected] for j in ex.neighbors))
        self.image_fig.suptitle(
            f"#{ex.selected} and its {ex.k} nearest neighbours in {ex.space}\n"
            f"{agree} of {ex.k} share its class ({palette.RIGHT_SYMBOL}; others {palette.WRONG_SYMBOL})", fontsize=8,
        )


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=False)


# ----------------------------------------------------------------------------- training evolution


class EpochExplorer:
    """A slider over training epochs that shows the embedding map forming.

    ``embeddings`` holds the same points' vectors at each captured epoch, shape
    (epochs, n, d) (e.g. ``info["epoch_embeddings"]`` from
    :func:`helpers.trained.train_or_load_cnn`, epoch 0 = before training). Every epoch
    gets its own map (``method``, default PCA), which is then rotated, reflected, scaled and
    shifted onto the final epoch's map with :func:`helpers.projections.align` (Procrustes),
    so that the maps share one frame and a class stays in the same place from epoch to
    epoch. ``scores`` may add per-epoch curves drawn beside the map, e.g.
    ``{"test accuracy": [...]}``.
    """

    def __init__(
        self,
        embeddings: Any,
        labels: Any,
        *,
        class_names: Sequence[str] | None = None,
        method: str = "pca",
        params: Mapping[str, Any] | None = None,
        scores: Mapping[str, Sequence[float]] | None = None,
        epoch_numbers: Sequence[int] | None = None,
        point_size: float = 6.0,
        random_state: int = 0,
        title: str | None = None,
    ) -> None:
        arr = validation.numbers(embeddings, "embeddings", expected="an array of shape (epochs, n points, d dims)")
        if arr.ndim != 3:
            raise validation.InvalidValue(
                f"embeddings must have shape (epochs, n points, d dims), got shape {arr.shape}")
        if len(arr) < 2:
            raise validation.InvalidValue(f"embeddings must hold at least 2 epochs to compare, got {len(arr)}")
        self.embeddings = np.stack([validation.matrix(e, f"embeddings[{i}]", what="n points, d dims",
                                                      dtype=np.float32) for i, e in enumerate(arr)])
        self.n_epochs, self.n = arr.shape[0], arr.shape[1]
        if self.n < 5:
            raise validation.InvalidValue(f"embeddings must hold at least 5 points per epoch, got {self.n}")
        self.codes, self.class_names = _check_labels(labels, self.n, class_names)
        self.method = validation.projection_method(method)
        self.params = validation.projection_params(self.method, dict(params or {}), self.n)
        if epoch_numbers is None:
            epoch_numbers = list(range(self.n_epochs))
        epoch_numbers = validation.integers(epoch_numbers, "epoch_numbers", low=0)
        if len(epoch_numbers) != self.n_epochs:
            raise validation.InvalidValue(
                f"epoch_numbers must have one entry per epoch: got {len(epoch_numbers)} for {self.n_epochs} epochs"
            )
        self.epoch_numbers = list(epoch_numbers)
        self.scores: dict[str, np.ndarray] = {}
        for key, values in (scores or {}).items():
            vals = validation.numbers(values, f"scores[{key!r}]", expected="one number per epoch").astype(float)
            if vals.shape != (self.n_epochs,):
                raise validation.InvalidValue(
                    f"scores[{key!r}] must have one value per epoch ({self.n_epochs}), got shape {vals.shape}"
                )
            self.scores[key] = vals
        self.point_size = ProjectionExplorer._check_point_size(point_size)
        self.random_state = validation.random_state(random_state)
        self.title = None if title is None else validation.text(title, "title", allow_empty=True)
        self.epoch = self.n_epochs - 1
        self._maps: np.ndarray | None = None
        self._view: Any = None

    def maps(self) -> np.ndarray:
        """The aligned 2-D maps of every epoch, (epochs, n, 2); computed once."""
        if self._maps is None:
            raw = [
                projections.project(e, self.method, random_state=self.random_state, verbose=False,
                                    **{**FIXED_PARAMS[self.method], **self.params})
                for e in self.embeddings
            ]
            reference = raw[-1]
            aligned = []
            for Y in raw[:-1]:
                try:
                    aligned.append(projections.align(Y, reference))
                except ValueError:  # all points in one place: nothing to rotate
                    aligned.append(np.broadcast_to(reference.mean(axis=0), Y.shape).astype(np.float32))
            aligned.append(reference)
            self._maps = np.stack(aligned).astype(np.float32)
        return self._maps

    def set_epoch(self, position: int) -> None:
        """Show the map at ``position`` (0 = the first captured epoch)."""
        self.epoch = validation.integer(position, "position", low=0, high=self.n_epochs - 1,
                                        why=" (one per captured epoch)")
        if self._view is not None:
            self._view.draw()

    def _limits(self) -> tuple[np.ndarray, np.ndarray]:
        maps = self.maps()
        low = np.percentile(maps.reshape(-1, 2), 0.5, axis=0)
        high = np.percentile(maps.reshape(-1, 2), 99.5, axis=0)
        pad = 0.06 * (high - low + 1e-9)
        return low - pad, high + pad

    def _colors(self) -> np.ndarray:
        return palette.class_colours(self.codes)

    def _legend(self, ax: Any) -> None:
        from matplotlib.lines import Line2D

        if len(self.class_names) > 20:
            return
        handles = [Line2D([], [], marker="o", linestyle="", markersize=5, color=palette.class_colour(c), label=name)
                   for c, name in enumerate(self.class_names)]
        ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=8, frameon=False)

    def _label_classes(self, ax: Any, points: np.ndarray, texts: list | None = None, fontsize: float = 9.0) -> list:
        """The class names written at their classes' middles (none beyond 20 classes)."""
        if len(self.class_names) > 20:
            return []
        return palette.label_classes(ax, points, self.codes, self.class_names, texts=texts, fontsize=fontsize)

    def _map_title(self, position: int, separator: str = ", ") -> str:
        epoch = self.epoch_numbers[position]
        text = "epoch 0 (untrained)" if epoch == 0 else f"after epoch {epoch}"
        extras = [f"{key} {vals[position]:.3f}" for key, vals in self.scores.items()]
        return text + ("\n" + separator.join(extras) if extras else "")

    def small_multiples(self, positions: Sequence[int] | None = None, *, figsize: tuple[float, float] | None = None):
        """A static figure: the aligned maps of several epochs side by side (default: all, at most 6)."""
        if positions is None:  # the first epochs, where most happens, and the last
            last = self.n_epochs - 1
            positions = list(range(self.n_epochs)) if self.n_epochs <= 4 else [0, 1, 2, last]
        positions = [validation.integer(p, f"positions[{i}]", low=0, high=self.n_epochs - 1,
                                        why=" (one per captured epoch)") for i, p in enumerate(positions)]
        maps, colors = self.maps(), self._colors()
        low, high = self._limits()
        # two maps a row: wide enough for their three-line titles at a readable size
        ncols = min(len(positions), 2)
        nrows = -(-len(positions) // ncols)
        fig, axes = new_figure(figsize=figsize or (3.6 * ncols + 1.6, 3.3 * nrows + 0.4), nrows=nrows, ncols=ncols,
                               sharex=True, sharey=True, squeeze=False)
        for ax in axes.ravel()[len(positions):]:
            ax.axis("off")
        name = projections.METHOD_NAMES[self.method]
        for number, (ax, p) in enumerate(zip(axes.ravel(), positions)):
            ax.scatter(maps[p][:, 0], maps[p][:, 1], s=self.point_size * 0.6, c=colors, linewidths=0)
            ax.set_title(self._map_title(p, separator="\n"), fontsize=9)
            self._label_classes(ax, maps[p], fontsize=8)
            ax.set_xlim(low[0], high[0])
            ax.set_ylim(low[1], high[1])
            if number + ncols >= len(positions):
                ax.set_xlabel(f"{name} 1", fontsize=9)
            if number % ncols == 0:
                ax.set_ylabel(f"{name} 2", fontsize=9)
            ax.tick_params(labelsize=9)
        self._legend(axes.ravel()[ncols - 1])
        heading = self.title or "The embedding map during training"
        fig.suptitle(f"{heading} ({name} of each epoch, aligned to the last)", fontsize=10)
        return fig

    @property
    def view(self) -> Any:
        if self._view is None:
            self._view = _EpochView(self)
        return self._view

    def show(self) -> None:
        from IPython.display import display

        display(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return with_static_png(self.view.widget, self.view.fig)._repr_mimebundle_(**kwargs)


class _EpochView:
    def __init__(self, explorer: EpochExplorer) -> None:
        import ipywidgets as widgets

        self.ex = ex = explorer
        with_scores = bool(ex.scores)
        fig, axes = new_figure(figsize=(9.5 if with_scores else 6.8, 4.6), ncols=2 if with_scores else 1,
                               gridspec_kw={"width_ratios": [1.6, 1.0]} if with_scores else None)
        self.fig = fig
        self.ax = axes[0] if with_scores else axes
        maps = ex.maps()
        low, high = ex._limits()
        self.points = self.ax.scatter(maps[ex.epoch][:, 0], maps[ex.epoch][:, 1], s=ex.point_size,
                                      c=ex._colors(), linewidths=0)
        self.ax.set_xlim(low[0], high[0])
        self.ax.set_ylim(low[1], high[1])
        name = projections.METHOD_NAMES[ex.method]
        self.ax.set_xlabel(f"{name} 1")
        self.ax.set_ylabel(f"{name} 2")
        self.title = self.ax.set_title("", fontsize=10)
        ex._legend(self.ax)
        self.class_labels = ex._label_classes(self.ax, maps[ex.epoch])
        self.markers = []
        if with_scores:
            curve_ax = axes[1]
            for key, values in ex.scores.items():
                (line,) = curve_ax.plot(ex.epoch_numbers, values, marker="o", markersize=3, label=key)
                (marker,) = curve_ax.plot([], [], marker="o", markersize=9, color=line.get_color(),
                                          markerfacecolor="none", markeredgewidth=2)
                self.markers.append((marker, values))
            curve_ax.set_xlabel("epoch (0 = untrained)")
            curve_ax.set_ylabel("score")
            curve_ax.set_title("scores by epoch", fontsize=10)
            curve_ax.legend(fontsize=8, loc="lower right")
            curve_ax.grid(alpha=0.3)
        # Moving the slider redraws the points, the title and the rings, over a saved picture of the rest.
        self.live = LiveFigure(fig, animated=[self.points, self.title, *self.class_labels,
                                              *(marker for marker, _ in self.markers)])
        self.slider = widgets.IntSlider(
            value=ex.epoch, min=0, max=ex.n_epochs - 1, description="epoch", continuous_update=True,
        )
        self._syncing = False  # True while draw() moves the slider itself (no second redraw)
        self.slider.observe(lambda change: self._syncing or ex.set_epoch(change["new"]), names="value")
        note = widgets.HTML(
            value=f"Each epoch's {name} map is aligned to the last epoch's (rotation, reflection, "
            "scale, shift), so a class keeps its place while the map forms. "
            + ("The rings on the curves mark the epoch shown." if with_scores else "")
        )
        self.widget = widgets.VBox([self.slider, note, self.live.widget])
        self.draw(refresh=False)
        self.live.refresh()

    def draw(self, refresh: bool = True) -> None:
        ex = self.ex
        self.points.set_offsets(ex.maps()[ex.epoch])
        ex._label_classes(self.ax, ex.maps()[ex.epoch], self.class_labels)
        heading = ex.title or "The embedding during training"
        self.title.set_text(f"{heading}: {ex._map_title(ex.epoch)}")
        for marker, values in self.markers:
            marker.set_data([ex.epoch_numbers[ex.epoch]], [values[ex.epoch]])
        if self.slider.value != ex.epoch:
            self._syncing = True
            try:
                self.slider.value = ex.epoch
            finally:
                self._syncing = False
        if refresh:
            self.live.refresh_animated()
