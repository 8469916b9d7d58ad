"""Structure explorer: how well does each space keep neighbours, for a chosen k?

Used in notebook 05. Each space is a pair ``(X_high, X_low)``: ``X_low`` is the space
being judged and ``X_high`` the reference whose neighbourhoods it should keep (usually
the raw pixels). For every space and every ``k`` the explorer computes

- **neighbourhood recall**: the share of each point's ``k`` reference neighbours that are
  also among its ``k`` neighbours in the space;
- **trustworthiness**: how far the space avoids inventing neighbours the reference lacks;
- **k-NN accuracy**: leave-one-out accuracy of a ``k``-nearest-neighbour vote on the labels.

``X_low=None`` means the reference itself: only its k-NN accuracy is computed (the two
structure scores would be 1 by definition and are reported as NaN). Scores are cached
per (space, k), so going back to a k already seen costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from helpers import validation
from helpers.metrics import knn_accuracy, neighbourhood_recall, trustworthiness
from helpers.widgets.explorer import Explorer

#: The three scores, in the order they are drawn.
SCORES: tuple[str, ...] = ("neighbourhood recall", "trustworthiness", "k-NN accuracy")

_K = validation.integer_of(lambda explorer: explorer.k_range)
_COLOURS = ("tab:blue", "tab:orange", "tab:green")


class StructureExplorer(Explorer):
    """Compare how well several spaces keep neighbourhoods and classes, for a chosen ``k``.

    ``spaces`` maps a name to ``(X_high, X_low)`` (``X_low`` may be None, see the module
    docstring); every array has one row per item of ``labels``. ``k_range`` bounds the
    ``k`` the slider (and :meth:`set_k`) accepts; ``reference`` names the ``X_high`` spaces
    in the chart's title (e.g. "the pixels").
    """

    def __init__(
        self,
        spaces: Mapping[str, tuple[Any, Any]],
        labels: Any,
        *,
        k: int = 10,
        k_range: tuple[int, int] = (5, 50),
        reference: str = "the reference",
    ) -> None:
        if not isinstance(spaces, Mapping) or not spaces:
            validation.fail("spaces", "a non-empty dict {name: (X_high, X_low or None)}", spaces,
                            kind=validation.InvalidType)
        self.labels = validation.labels(labels, "labels", None, "each space")
        if len(self.labels) < 3:
            raise validation.InvalidValue(f"labels must be a 1-D array with at least 3 items, got {len(self.labels)}")
        n = len(self.labels)
        self.spaces: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}
        for name, pair in spaces.items():
            validation.text(name, "spaces: each name")
            if not isinstance(pair, tuple) or len(pair) != 2:
                validation.fail(f"spaces[{name!r}]", "a tuple (X_high, X_low or None)", pair,
                                kind=validation.InvalidType)
            high = validation.matrix(pair[0], f"spaces[{name!r}][0] (X_high)", min_rows=3, dtype=np.float64)
            low = None if pair[1] is None else validation.matrix(pair[1], f"spaces[{name!r}][1] (X_low)", min_rows=3,
                                                                 dtype=np.float64)
            for arr, which in ((high, "X_high"), (low, "X_low")):
                if arr is not None and len(arr) != n:
                    raise validation.InvalidValue(
                        f"spaces[{name!r}]: {which} has {len(arr)} rows but labels has {n} items"
                    )
            self.spaces[name] = (high, low)
        if not isinstance(k_range, tuple) or len(k_range) != 2:
            validation.fail("k_range", f"a pair (low, high) of integers with 1 <= low < high < {n / 2}", k_range,
                            kind=validation.InvalidType)
        low_k = validation.integer(k_range[0], "k_range[0]", low=1)
        high_k = validation.integer(k_range[1], "k_range[1]", low=low_k + 1, high=max(low_k + 1, (n - 1) // 2),
                                    why=" (less than half the items)")
        self.k_range = (low_k, high_k)
        self.reference = validation.text(reference, "reference")
        self.names = list(self.spaces)
        self.k = _K(k, "k", {"self": self})
        self.selected = list(self.names)
        self._cache: dict[tuple[str, int], dict[str, float]] = {}

    # ------------------------------------------------------------------ logic (no widgets)

    @validation.params(name=lambda value, name, arguments: validation.choice(
        value, name, arguments["self"].names, ignore_case=False), k=validation.optional(_K))
    def space_scores(self, name: str, k: int | None = None) -> dict[str, float]:
        """The three scores of one space at ``k`` (computed once, then cached)."""
        k = self.k if k is None else k
        key = (name, k)
        if key not in self._cache:
            high, low = self.spaces[name]
            if low is None:
                recall = trust = float("nan")
                accuracy = knn_accuracy(high, self.labels, k=k)
            else:
                recall = neighbourhood_recall(high, low, k=k)
                trust = trustworthiness(high, low, k=k)
                accuracy = knn_accuracy(low, self.labels, k=k)
            self._cache[key] = dict(zip(SCORES, (recall, trust, accuracy)))
        return dict(self._cache[key])

    @validation.params(k=_K)
    def add_scores(self, k: int, scores: Mapping[str, Mapping[str, float]]) -> None:
        """Remember scores computed elsewhere, e.g. a table's rows: ``{space: {score: value}}``.

        Only the three :data:`SCORES` of each space are kept; other entries are ignored.
        """
        if not isinstance(scores, Mapping):
            validation.fail("scores", "a dict {space: {score: value}}", scores, kind=validation.InvalidType)
        checked = {}
        for name, values in scores.items():
            if name not in self.spaces:
                raise validation.InvalidValue(f"scores: unknown space {name!r}; choose from {self.names}")
            if not isinstance(values, Mapping) or not all(score in values for score in SCORES):
                raise validation.InvalidValue(f"scores[{name!r}] must hold {list(SCORES)}")
            checked[name, k] = {score: float(values[score]) for score in SCORES}
        self._cache.update(checked)
        self._redraw()

    @validation.params(k=validation.optional(_K))
    def scores(self, k: int | None = None) -> dict[str, dict[str, float]]:
        """``{space: {score: value}}`` for the chosen spaces at ``k`` (default: the current k)."""
        return {name: self.space_scores(name, self.k if k is None else k) for name in self.selected}

    @validation.params(k=_K)
    def set_k(self, k: int) -> None:
        self.k = k
        self._redraw()

    @validation.params(names=lambda value, name, arguments: validation.names(
        value, name, arguments["self"].names, what="space names"))
    def set_spaces(self, names: Iterable[str]) -> None:
        self.selected = [name for name in self.names if name in names]  # keep the given order of spaces
        self._redraw()

    def describe(self) -> str:
        """One line: which chosen space scores best on each measure at the current k."""
        scores = self.scores()
        parts = []
        for score in SCORES:
            values = {name: s[score] for name, s in scores.items() if not np.isnan(s[score])}
            if values:
                best = max(values, key=values.get)
                parts.append(f"{score}: {best} ({values[best]:.2f})")
        return f"k = {self.k}. Best " + "; ".join(parts) + "."

    # ------------------------------------------------------------------ display


    def _build(self) -> None:
        import ipywidgets as widgets

        from helpers.figure_stamps import paste_text
        from helpers.plotting import LiveFigure, new_figure

        rows = len(self.names)
        self._figure, self._ax = new_figure(figsize=(9.0, 0.55 * rows + 1.9))
        self._bars: dict[tuple[str, str], Any] = {}
        self._labels: dict[tuple[str, str], Any] = {}
        for row, name in enumerate(self.names):
            for j, (score, colour) in enumerate(zip(SCORES, _COLOURS)):
                bar = self._ax.barh(row + (j - 1) * 0.26, 0.0, height=0.26, color=colour,
                                    label=score if row == 0 else None)[0]
                self._bars[name, score] = bar
                self._labels[name, score] = paste_text(self._ax.text(0, 0, "", va="center", fontsize=8))
        self._ax.set_xlim(0, 1.12)
        self._ax.set_xlabel("score (1 = best)")
        self._ax.invert_yaxis()
        self._ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=3, fontsize=8)
        # A new k changes only the bars, their numbers and the title: they are redrawn over a
        # saved picture of the rest; choosing other spaces redraws everything.
        paste_text(self._ax.title)
        self._live = LiveFigure(self._figure, animated=[*self._bars.values(), *self._labels.values(), self._ax.title])
        self._drawn_rows: list[str] | None = None  # the spaces the saved picture has rows for

        low, high = self.k_range
        self._k_slider = widgets.IntSlider(value=self.k, min=low, max=high, description="k",
                                           continuous_update=False)
        self._space_pick = widgets.SelectMultiple(options=self.names, value=tuple(self.selected),
                                                  rows=min(rows, 10), description="spaces")
        self._readout = widgets.HTML()
        self._k_slider.observe(lambda change: self._on_k(change["new"]), names="value")
        self._space_pick.observe(lambda change: self._on_spaces(change["new"]), names="value")
        self._widget = widgets.VBox([widgets.HBox([self._k_slider, self._space_pick]), self._readout,
                                   self._live.widget])
        self._redraw()

    def _on_k(self, k: int) -> None:
        if not all((name, k) in self._cache for name in self.selected):
            self._readout.value = f"<i>computing the scores for k = {k} …</i>"
        self.set_k(k)

    def _on_spaces(self, names: tuple[str, ...]) -> None:
        if not names:
            self._readout.value = "<b>Choose at least one space</b> (Ctrl- or Cmd-click to pick several)."
            return
        self.set_spaces(names)

    def _redraw(self) -> None:
        if self._widget is None:
            return
        scores = self.scores()
        for (name, score), bar in self._bars.items():
            label = self._labels[name, score]
            shown = name in scores
            bar.set_visible(shown)
            label.set_visible(shown)
            if not shown:
                continue
            row = self.selected.index(name)
            j = SCORES.index(score)
            value = scores[name][score]
            bar.set_y(row + (j - 1) * 0.26 - 0.13)
            bar.set_width(0.0 if np.isnan(value) else value)
            label.set_position((0.005 if np.isnan(value) else value + 0.005, row + (j - 1) * 0.26))
            no_score = "reference: no recall or trustworthiness" if score == "trustworthiness" else ""
            label.set_text(no_score if np.isnan(value) else f"{value:.2f}")
        count = len(self.selected)
        self._ax.set_title(f"Scores at k = {self.k} (recall and trustworthiness measured against {self.reference})",
                           fontsize=10)
        self._readout.value = f"<span style='font-size:0.95em'>{self.describe()}</span>"
        if self._drawn_rows == self.selected:
            self._live.refresh_animated()
            return
        self._ax.set_yticks(range(count), self.selected)
        self._ax.set_ylim(count - 0.5, -0.5)
        self._drawn_rows = list(self.selected)
        self._live.refresh()
