"""One-hot explorer: vocabulary size, the vectors, and the distances between them.

Used in notebook 01. A learner picks how many colour names form the vocabulary and
whether each colour is written as a one-hot vector or as its RGB values, then sees the
vectors and the matrix of distances between them side by side.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers import validation
from helpers.widgets.explorer import Explorer

REPRESENTATIONS = ("one-hot", "RGB values")


_SIZE = validation.integer_of(lambda explorer: (2, explorer.max_size))


def _validate_colors(colors: Any) -> list[tuple[str, tuple[float, float, float]]]:
    if not isinstance(colors, Sequence) or isinstance(colors, str) or len(colors) < 2:
        validation.fail("colors", "a list of at least two (name, (r, g, b)) pairs", colors,
                        kind=validation.InvalidType)
    checked = []
    for i, item in enumerate(colors):
        if isinstance(item, str) or not isinstance(item, Sequence) or len(item) != 2:
            validation.fail(f"colors[{i}]", "a (name, (r, g, b)) pair", item, kind=validation.InvalidType)
        name, rgb = item
        validation.text(name, f"colors[{i}] name")
        rgb = validation.vector(rgb, f"colors[{i}] (r, g, b)", length=3, dtype=float)
        if not ((rgb >= 0) & (rgb <= 1)).all():
            validation.fail(f"colors[{i}]", "(str, three numbers in [0, 1])", item)
        checked.append((name, (float(rgb[0]), float(rgb[1]), float(rgb[2]))))
    return checked


def _spread(count: int, length: int) -> list[int]:
    """``count`` distinct indices into ``range(length)``; every first k of them spread evenly.

    The van der Corput sequence (0, 1/2, 1/4, 3/4, 1/8, ...) fills the gaps it left before.
    """
    chosen: list[int] = []
    k = 0
    while len(chosen) < count:
        fraction, scale, n = 0.0, 1.0, k
        while n:
            scale /= 2
            fraction += scale * (n % 2)
            n //= 2
        index = int(fraction * length)
        if index not in chosen:
            chosen.append(index)
        k += 1
    return chosen


def pairwise_distances(X: np.ndarray) -> np.ndarray:
    """Euclidean distance between every pair of rows."""
    differences = X[:, None, :] - X[None, :, :]
    return np.sqrt((differences**2).sum(axis=-1))


class OneHotExplorer(Explorer):
    """Pick a vocabulary size and a representation; see the vectors and their distances.

    ``colors`` is a list of ``(name, (r, g, b))`` pairs, e.g. ``helpers.data.load_xkcd_colors()``.
    The vocabularies are nested: a larger one is the smaller one plus a colour, picked so
    that every size spans the rainbow; the rows are shown in rainbow order.
    """

    def __init__(self, colors: Sequence[tuple[str, Sequence[float]]], *, size: int = 6, max_size: int = 24) -> None:
        pool = _validate_colors(colors)
        max_size = validation.integer(max_size, "max_size", low=2, high=len(pool), why=" (at most the colours given)")
        # Sort by hue (greys last) so that evenly spaced picks cover the colour wheel.
        def hue_key(item: tuple[str, tuple[float, float, float]]) -> tuple[float, float]:
            h, _, s = colorsys.rgb_to_hls(*item[1])
            return (h if s > 0.25 else 2.0, item[0])

        self.pool = sorted(pool, key=hue_key)
        self.max_size = max_size
        self._order = _spread(max_size, len(self.pool))
        self.size = _SIZE(size, "size", {"self": self})
        self.representation = REPRESENTATIONS[0]
        self.selected = 0

    # ------------------------------------------------------------------ logic (no widgets)

    @validation.params(size=validation.optional(_SIZE))
    def vocabulary(self, size: int | None = None) -> list[tuple[str, tuple[float, float, float]]]:
        """``size`` colours spread along the hue-sorted pool, in hue order (nested in larger sizes)."""
        size = self.size if size is None else size
        return [self.pool[i] for i in sorted(self._order[:size])]

    def vectors(self) -> np.ndarray:
        """The current vocabulary written in the current representation (one row per colour)."""
        vocab = self.vocabulary()
        if self.representation == "one-hot":
            return np.eye(len(vocab))
        return np.array([rgb for _, rgb in vocab])

    def distances(self) -> np.ndarray:
        return pairwise_distances(self.vectors())

    def describe(self) -> str:
        """One line on the current state: vector length, zeros, spread of distances, nearest colour."""
        X, D = self.vectors(), self.distances()
        names = [name for name, _ in self.vocabulary()]
        off = D[~np.eye(len(D), dtype=bool)]
        zeros = 100 * (1 - np.count_nonzero(X) / X.size)
        row = D[self.selected].copy()
        row[self.selected] = np.inf
        nearest = np.flatnonzero(np.isclose(row, row.min()))
        if len(nearest) == len(names) - 1:
            near = f"all {len(nearest)} other colours are tied at {row.min():.3f}"
        else:
            near = f"{names[nearest[0]]!r} at {row.min():.3f}"
        return (
            f"{len(names)} colours as {self.representation}: vectors of length {X.shape[1]}, "
            f"{zeros:.0f}% zeros; distances between different colours range from {off.min():.3f} "
            f"to {off.max():.3f}. Nearest to {names[self.selected]!r}: {near}."
        )

    @validation.params(size=_SIZE)
    def set_size(self, size: int) -> None:
        chosen = self.vocabulary()[self.selected][0]
        self.size = size
        names = [name for name, _ in self.vocabulary()]
        self.selected = names.index(chosen) if chosen in names else min(self.selected, size - 1)
        self._redraw()

    def set_representation(self, representation: str) -> None:
        self.representation = validation.choice(representation, "representation", REPRESENTATIONS)
        self._redraw()

    def select(self, index: int) -> None:
        self.selected = validation.index(index, "index", self.size, "colours")
        self._redraw(moved_only=True)

    # ------------------------------------------------------------------ display


    def _build(self) -> None:
        import ipywidgets as widgets
        from matplotlib.patches import Rectangle

        from helpers.figure_stamps import StampedLabels, freeze, whole_pixels
        from helpers.plotting import LiveFigure, new_figure

        self._figure, (self._ax_vec, self._ax_dist) = new_figure(
            figsize=(9.5, 4.6), ncols=2, gridspec_kw={"width_ratios": [1, 1.15]}
        )
        # one cell per number, drawn by repeating whole pixels (matplotlib's resampling took a third of a redraw)
        self._img_vec = whole_pixels(self._ax_vec.imshow(np.eye(2), cmap="Greys", vmin=0, vmax=1, aspect="auto",
                                                         interpolation="nearest"))
        # Same rows in both panels: the colour names on the left serve the distance matrix too.
        self._img_dist = whole_pixels(self._ax_dist.imshow(np.eye(2), cmap="viridis", vmin=0, vmax=1.75,
                                                           aspect="auto", interpolation="nearest"))
        self._ax_dist.set_yticks([])  # no labels: the names on the left name these rows too
        self._ax_dist.set_ylabel("colour (same rows as on the left)")
        self._ax_dist.set_xlabel("colour number")
        colorbar = self._figure.colorbar(self._img_dist, ax=self._ax_dist, shrink=0.85)
        colorbar.set_label("Euclidean distance")
        freeze(colorbar.ax)  # it never changes: pasted from a picture on each redraw
        style = {"fill": False, "edgecolor": "crimson", "linewidth": 2}
        self._mark_vec = self._ax_vec.add_patch(Rectangle((0, 0), 1, 1, **style))
        self._mark_dist = self._ax_dist.add_patch(Rectangle((0, 0), 1, 1, **style))
        # Names and numbers are pasted from pictures rendered once: the ticks stay, their
        # labels are drawn by these (redrawing ~50 texts on every change was most of the time).
        self._row_numbers = StampedLabels(self._ax_vec, axis="y")
        self._names = StampedLabels(self._ax_vec, axis="y")  # a column left of the numbers
        self._entry_numbers = StampedLabels(self._ax_vec, axis="x")
        self._column_numbers = StampedLabels(self._ax_dist, axis="x")
        # Picking a colour redraws only the two frames, over a saved picture of the rest.
        self._live = LiveFigure(self._figure, animated=[self._mark_vec, self._mark_dist])
        self._plan_layout()
        self._syncing = False

        self._size_slider = widgets.IntSlider(
            value=self.size, min=2, max=self.max_size, description="vocabulary", continuous_update=False
        )
        self._rep_buttons = widgets.ToggleButtons(options=REPRESENTATIONS, value=self.representation,
                                                  description="write as")
        self._pick = widgets.Dropdown(options=self._options(), value=self.selected, description="colour")
        self._readout = widgets.HTML()
        self._size_slider.observe(lambda c: self.set_size(c["new"]), names="value")
        self._rep_buttons.observe(lambda c: self.set_representation(c["new"]), names="value")
        self._pick.observe(lambda c: c["new"] is not None and not self._syncing and self.select(c["new"]),
                           names="value")
        controls = widgets.HBox([self._size_slider, self._pick])
        self._widget = widgets.VBox([controls, self._rep_buttons, self._readout, self._live.widget])
        self._redraw()

    @staticmethod
    def _fontsize(n: int) -> int:
        return 9 if n <= 10 else 7 if n <= 18 else 6

    @staticmethod
    def _name_offset(fontsize: int) -> float:
        """Points from the numbers' place to the names' place: room for two digits and a gap."""
        return 2.0 * fontsize

    def _plan_layout(self) -> None:
        """Plan the page once, for the widest colour name any vocabulary size can show."""
        widest = max(
            ((name, self._fontsize(size)) for size in range(2, self.max_size + 1) for name, _ in self.vocabulary(size)),
            key=lambda item: len(item[0]) * item[1],
        )
        self._ax_vec.set_yticks([0], [""])
        self._row_numbers.set_labels([0], ["00"], fontsize=widest[1])
        self._names.set_labels([0], [widest[0]], fontsize=widest[1], offset=self._name_offset(widest[1]))
        self._ax_dist.set_xticks([0], [""])
        self._column_numbers.set_labels([0], ["00"], fontsize=10)
        self._ax_dist.set_xlabel("colour number")
        self._ax_vec.set_xlabel("entry")
        self._ax_vec.set_title("vectors")
        self._live.fix_layout()

    def _options(self) -> list[tuple[str, int]]:
        return [(name, i) for i, (name, _) in enumerate(self.vocabulary())]

    def _redraw(self, moved_only: bool = False) -> None:
        if self._widget is None:
            return
        if moved_only:  # a new colour picked: only the frames and the read-out change
            width = self.vectors().shape[1]
            self._mark_vec.set_bounds(-0.5, self.selected - 0.5, width, 1)
            self._mark_dist.set_bounds(-0.5, self.selected - 0.5, self.size, 1)
            self._readout.value = f"<span style='font-size:0.95em'>{self.describe()}</span>"
            self._live.refresh_animated()
            return
        X, D = self.vectors(), self.distances()
        names = [name for name, _ in self.vocabulary()]
        n, width = X.shape
        self._img_vec.set_data(X)
        self._img_vec.set_extent((-0.5, width - 0.5, n - 0.5, -0.5))
        self._img_dist.set_data(D)
        self._img_dist.set_extent((-0.5, n - 0.5, n - 0.5, -0.5))
        fontsize = self._fontsize(n)
        # Each colour is named once, with its number; the number also labels its column of the
        # distance matrix and, for one-hot vectors, the entry that is 1.
        self._ax_vec.set_yticks([])  # no tick marks: the stamped labels stand where their labels would
        self._row_numbers.set_labels(range(n), [str(i) for i in range(n)], fontsize=fontsize)
        self._names.set_labels(range(n), names, fontsize=fontsize, offset=self._name_offset(fontsize))
        every = 1 if n <= 12 else 2  # fewer numbers when they would crowd
        numbers = range(0, n, every)
        self._ax_dist.set_xticks([])
        self._column_numbers.set_labels(numbers, [str(i) for i in numbers], fontsize=fontsize + 1)
        if self.representation == "one-hot":
            self._ax_vec.set_xticks([])
            self._entry_numbers.set_labels(numbers, [str(i) for i in numbers], fontsize=fontsize + 1)
            self._ax_vec.set_xlabel("entry (entry i is 1 for colour number i)")
        else:
            self._ax_vec.set_xticks([])
            self._entry_numbers.set_labels(range(3), ["red", "green", "blue"], fontsize=10)
            self._ax_vec.set_xlabel("entry (intensity of each light)")
        self._ax_vec.set_title(f"{self.representation} vectors ({n} x {width})")
        off = D[~np.eye(n, dtype=bool)]
        same = np.allclose(off, off[0])
        self._ax_dist.set_title(
            f"distances: all {off[0]:.3f}" if same else f"distances: {off.min():.2f} to {off.max():.2f}"
        )
        self._mark_vec.set_bounds(-0.5, self.selected - 0.5, width, 1)
        self._mark_dist.set_bounds(-0.5, self.selected - 0.5, n, 1)
        if [label for label, _ in self._pick.options] != names:
            self._syncing = True  # setting the options must not call select() (and redraw) again
            try:
                self._pick.options = self._options()  # (the selected row can lie past the old options)
                self._pick.value = self.selected
            finally:
                self._syncing = False
        self._readout.value = f"<span style='font-size:0.95em'>{self.describe()}</span>"
        self._live.refresh()
