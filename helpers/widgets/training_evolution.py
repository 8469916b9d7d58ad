"""Training-evolution explorer: a CNN's embedding map at every captured epoch, moved through
with a slider.

>>> from helpers.widgets.training_evolution import EpochExplorer
>>> EpochExplorer(info["epoch_embeddings"], y_test, class_names=names)   # a cell's last expression shows it

Each epoch's map is a :class:`~helpers.widgets.projection.ProjectionExplorer` projection,
computed once and then read from the cache."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib.ticker import MaxNLocator

from helpers import palette, projections, validation
from helpers.figure_stamps import paste_text
from helpers.plotting import LiveFigure, new_figure
from helpers.widgets.explorer import Explorer
from helpers.widgets.projection import FIXED_PARAMS, check_point_size, label_codes

__all__ = ["EpochExplorer"]


class EpochExplorer(Explorer):
    """A slider over training epochs that shows the embedding map forming.

    ``embeddings`` holds the same points' vectors at each captured epoch, shape
    (epochs, n, d) (e.g. ``info["epoch_embeddings"]`` from
    :func:`helpers.cnn_training.train_or_load_cnn`, epoch 0 = before training). Every epoch
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
        self.embeddings = np.stack([validation.magnitude(validation.matrix(e, f"embeddings[{i}]",
                                                                           what="n points, d dims"),
                                                         f"embeddings[{i}]").astype(np.float32)
                                    for i, e in enumerate(arr)])
        self.n_epochs, self.n = arr.shape[0], arr.shape[1]
        if self.n < 5:
            raise validation.InvalidValue(f"embeddings must hold at least 5 points per epoch, got {self.n}")
        self.codes, self.class_names = label_codes(labels, self.n, class_names)
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
        self.point_size = check_point_size(point_size)
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
        maps = self.maps()
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
            palette.ClassPoints(ax, maps[p], self.codes, size=self.point_size * 0.6, linewidths=0)
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

    def _build(self) -> None:
        self._view = _EpochView(self)
        self._widget, self._figure = self._view.widget, self._view.fig

    @property
    def view(self) -> _EpochView:
        """The figure and the slider (made on first use)."""
        self.widget()
        return self._view


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
        self.points = palette.ClassPoints(self.ax, maps[ex.epoch], ex.codes, size=ex.point_size, linewidths=0)
        self.ax.set_xlim(low[0], high[0])
        self.ax.set_ylim(low[1], high[1])
        name = projections.METHOD_NAMES[ex.method]
        self.ax.set_xlabel(f"{name} 1")
        self.ax.set_ylabel(f"{name} 2")
        self.title = paste_text(self.ax.set_title("", fontsize=10))
        ex._legend(self.ax)
        self.class_labels = [paste_text(label) for label in ex._label_classes(self.ax, maps[ex.epoch])]
        self.markers = []
        if with_scores:
            curve_ax = axes[1]
            for key, values in ex.scores.items():
                (line,) = curve_ax.plot(ex.epoch_numbers, values, marker="o", markersize=3, label=key)
                (marker,) = curve_ax.plot([], [], marker="o", markersize=9, color=line.get_color(),
                                          markerfacecolor="none", markeredgewidth=2)
                self.markers.append((marker, values))
            curve_ax.xaxis.set_major_locator(MaxNLocator(integer=True))   # epochs are whole numbers
            curve_ax.set_xlabel("epoch (0 = untrained)")
            curve_ax.set_ylabel("score")
            curve_ax.set_title("scores by epoch", fontsize=10)
            curve_ax.legend(fontsize=8, loc="lower right")
            curve_ax.grid(alpha=0.3)
        # Moving the slider redraws the points, the title and the rings, over a saved picture of the rest.
        self.live = LiveFigure(fig, animated=[*self.points.collections, self.title, *self.class_labels,
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
