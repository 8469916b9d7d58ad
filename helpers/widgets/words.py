"""Word explorer: pick or type words, see them and their nearest neighbours on a 2-D map.

Used in notebook 02 with the shipped GloVe vectors. Neighbours are found in the full
50-dimensional space (cosine similarity); only the drawing is 2-D. The map holds the
chosen words and their neighbours, projected together with PCA, t-SNE or UMAP (cached,
so going back to an earlier choice is instant).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers import validation
from helpers.data import WordVectors
from helpers.metrics import nearest_neighbors
from helpers.palette import class_colour
from helpers.projections import METHODS, project
from helpers.widgets.explorer import Explorer

#: Ready-made groups of words (all among the shipped 30,000).
WORD_GROUPS: dict[str, list[str]] = {
    "animals": ["dog", "cat", "horse", "cow", "lion", "tiger", "wolf", "eagle", "shark", "whale", "frog", "snake"],
    "colours": ["red", "green", "blue", "yellow", "orange", "purple", "pink", "brown", "black", "white", "grey"],
    "countries": ["france", "germany", "italy", "spain", "japan", "china", "india", "brazil", "canada", "mexico",
                  "egypt", "kenya"],
    "numbers": ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "hundred",
                "thousand"],
    "people": ["king", "queen", "prince", "princess", "man", "woman", "boy", "girl", "father", "mother", "son",
               "daughter"],
    "food": ["bread", "cheese", "apple", "banana", "rice", "soup", "pizza", "coffee", "tea", "sugar", "meat",
             "potato"],
    "vehicles": ["car", "truck", "bus", "train", "plane", "boat", "ship", "bicycle", "motorcycle", "taxi"],
}

METHOD_LABELS = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}
_K = validation.rule(validation.integer, low=0, high=20, why=" (neighbours per word)")


@dataclass(frozen=True)
class MapPoint:
    """One word on the map: a chosen word (``owner == word``) or a neighbour of ``owner``."""

    word: str
    owner: str
    similarity: float

    @property
    def is_query(self) -> bool:
        return self.word == self.owner


def parse_words(text: Any) -> list[str]:
    """Split typed text (commas or spaces) into lowercase words, keeping their order, without repeats."""
    validation.text(text, "text", allow_empty=True)
    return validation.words(text, "text") if text.strip() else []


class WordExplorer(Explorer):
    """Words and their k nearest neighbours (cosine, in the full space) on a 2-D map.

    ``words`` is a list of words or one typed string ("king, queen"); by default the first
    of ``groups``. Unknown words are skipped with a message; when none is known, the
    explorer says so and keeps what it showed.
    """

    def __init__(
        self,
        vectors: WordVectors,
        *,
        words: Sequence[str] | str | None = None,
        groups: Mapping[str, Sequence[str]] | None = None,
        method: str = "pca",
        k: int = 5,
        max_words: int = 12,
    ) -> None:
        if not isinstance(vectors, WordVectors):
            validation.fail("vectors", "a WordVectors (from helpers.data.load_glove())", vectors,
                            kind=validation.InvalidType, got=validation.type_name(vectors))
        self.vectors = vectors
        if groups is not None and not isinstance(groups, Mapping):
            validation.fail("groups", "a dict {name: list of words}", groups, kind=validation.InvalidType)
        self.groups = {name: validation.words(group, f"groups[{name!r}]")
                       for name, group in (WORD_GROUPS if groups is None else groups).items()}
        if not self.groups:
            raise validation.InvalidValue("groups must hold at least one named list of words")
        self.max_words = validation.integer(max_words, "max_words", low=1)
        self.method = validation.projection_method(method)
        self.k = _K(k, "k", {})
        self.words: list[str] = []
        self.messages: list[str] = []
        self._neighbours: dict[tuple[str, int], list[tuple[str, float]]] = {}
        first_group = next(iter(self.groups.values()))
        self.set_words(first_group if words is None else words)

    # ------------------------------------------------------------------ logic (no widgets)

    def set_words(self, words: Iterable[str] | str) -> list[str]:
        """Choose the words to show: a list of words, or one string ("king, queen" or "king queen").

        Unknown words are skipped with a message (with suggestions); returns the messages.
        When no word is known, nothing changes and the error says why.
        """
        chosen = validation.words(words, "words")
        known = [word for word in chosen if word in self.vectors]
        unknown = [word for word in chosen if word not in self.vectors]
        if not known:
            hints = "; ".join(f"{word!r}: {hint}" for word in unknown if (hint := self.vectors.hint(word)))
            validation.fail("words", f"at least one of the {len(self.vectors):,} shipped words",
                            ", ".join(unknown), hints)
        messages = [self._unknown(word) + "; skipped." for word in unknown]
        if len(known) > self.max_words:
            messages.append(f"showing the first {self.max_words} of {len(known)} words.")
            known = known[: self.max_words]
        self.words = known
        self.messages = messages
        self._redraw()
        return messages

    def _unknown(self, word: str) -> str:
        try:
            self.vectors.index(word)
        except KeyError as error:
            return str(error.args[0])
        return f"{word!r} is unknown"

    def set_group(self, name: str) -> None:
        self.set_words(self.groups[validation.choice(name, "name", self.groups, ignore_case=False,
                                                     what="one of the groups " + ", ".join(self.groups))])

    @validation.params(method=validation.rule(validation.projection_method))
    def set_method(self, method: str) -> None:
        self.method = method
        self._redraw()

    @validation.params(k=_K)
    def set_k(self, k: int) -> None:
        self.k = k
        self._redraw()

    @validation.params(k=validation.optional(_K))

    def neighbours(self, word: str, k: int | None = None) -> list[tuple[str, float]]:
        """The ``k`` words most similar to ``word`` (cosine similarity in the full space)."""
        k = self.k if k is None else k
        if word not in self.vectors:
            raise validation.InvalidValue(f"word: {self._unknown(word)}")
        if k == 0:
            return []
        key = (word, k)
        if key not in self._neighbours:  # a search over all 30,000 words: done once per (word, k)
            idx, dist = nearest_neighbors(self.vectors.vectors, self.vectors.index(word), k, metric="cosine")
            self._neighbours[key] = [(self.vectors.words[i], 1.0 - float(d)) for i, d in zip(idx, dist)]
        return list(self._neighbours[key])

    def points(self) -> list[MapPoint]:
        """Every word on the map: the chosen ones first, then their neighbours (each word once)."""
        points = [MapPoint(word, word, 1.0) for word in self.words]
        placed = set(self.words)
        for word in self.words:
            for other, sim in self.neighbours(word):
                if other not in placed:
                    points.append(MapPoint(other, word, sim))
                    placed.add(other)
        return points

    def layout(self, on_progress: Any = None) -> tuple[list[MapPoint], np.ndarray]:
        """The map's points and their 2-D positions (projected together, cached)."""
        points = self.points()
        X = np.stack([self.vectors.vector(p.word) for p in points])
        if len(points) < 4:  # too few points for a 2-D projection: spread them on a line
            return points, np.column_stack([np.arange(len(points), dtype=np.float32), np.zeros(len(points))])
        params: dict[str, Any] = {}
        if self.method == "tsne":
            params["perplexity"] = float(min(30.0, max(1.0, (len(points) - 1) / 3)))  # below a third of the points
        elif self.method == "umap":
            params["n_neighbors"] = int(max(2, min(15, len(points) - 1)))
        Z = project(X, self.method, verbose=False, on_progress=on_progress, **params)
        return points, Z

    def describe(self) -> str:
        """The neighbour lists as plain text."""
        lines = []
        for word in self.words:
            near = ", ".join(f"{w} ({s:.2f})" for w, s in self.neighbours(word))
            lines.append(f"{word}: {near}" if near else word)
        return "\n".join(lines + self.messages)

    # ------------------------------------------------------------------ display


    def _build(self) -> None:
        import ipywidgets as widgets
        from matplotlib.collections import LineCollection
        from matplotlib.lines import Line2D

        from helpers.figure_stamps import freeze, paste_text
        from helpers.plotting import LiveFigure, new_figure

        self._figure, self._ax = new_figure(figsize=(7.5, 5.6))
        ax = self._ax
        ax.locator_params(nbins=5)  # a map's coordinates say little: a few ticks (each costs a redraw)
        # The artists are made once and updated on each change (quicker than clearing the axes).
        self._links = ax.add_collection(LineCollection([], alpha=0.35, linewidths=1, zorder=1))
        self._others = ax.scatter([], [], s=22, alpha=0.7, zorder=2)
        self._queries = ax.scatter([], [], s=90, edgecolors="black", zorder=3)
        self._labels: list[Any] = []
        self._title = paste_text(ax.set_title(" ", y=1.0, pad=8))  # y given: not re-placed on every draw
        # never changes: pasted from a picture of it (laid out afresh, it took a tenth of a redraw)
        freeze(ax.legend(handles=[
            Line2D([], [], marker="o", linestyle="", markersize=10, markerfacecolor="0.6", markeredgecolor="black",
                   label="chosen word"),
            Line2D([], [], marker="o", linestyle="", markersize=5, color="0.6", alpha=0.7,
                   label="neighbour (nearest in all 50 dimensions); line to its word"),
        ], loc="upper center", bbox_to_anchor=(0.5, -0.1), ncol=2, fontsize=8, frameon=False))
        self._live = LiveFigure(self._figure)
        self._text = widgets.Text(
            value=", ".join(self.words), description="words", continuous_update=False,
            placeholder="type words, then press Enter", layout=widgets.Layout(width="60%"),
        )
        self._group = widgets.Dropdown(options=["(typed)", *self.groups], value="(typed)", description="group")
        self._method = widgets.ToggleButtons(
            options=[(METHOD_LABELS[m], m) for m in METHODS], value=self.method, description="map"
        )
        self._k = widgets.IntSlider(value=self.k, min=0, max=10, description="neighbours", continuous_update=False)
        self._status = widgets.HTML()
        self._list = widgets.HTML(layout=widgets.Layout(width="32%"))
        self._text.observe(self._on_text, names="value")
        self._group.observe(self._on_group, names="value")
        self._method.observe(lambda c: self._guard(self.set_method, c["new"]), names="value")
        self._k.observe(lambda c: self._guard(self.set_k, c["new"]), names="value")
        controls = widgets.VBox([widgets.HBox([self._text, self._group]), widgets.HBox([self._method, self._k])])
        body = widgets.HBox([self._live.widget, self._list])
        self._widget = widgets.VBox([controls, self._status, body])
        self._redraw()

    def _guard(self, action: Any, *args: Any) -> None:
        """Run a control's action; show a mistake as a message under the controls, changing nothing."""
        import html

        try:
            action(*args)
        except validation.InvalidArgument as error:
            self._status.value = f"<span style='color:#c62828'>{html.escape(str(error))}</span>"

    def _on_text(self, change: dict[str, Any]) -> None:
        self._guard(self.set_words, change["new"])

    def _on_group(self, change: dict[str, Any]) -> None:
        if change["new"] in self.groups:
            self._guard(self.set_group, change["new"])
            with self._text.hold_trait_notifications():
                self._text.unobserve_all("value")
                self._text.value = ", ".join(self.words)
                self._text.observe(self._on_text, names="value")

    def _redraw(self) -> None:
        if self._widget is None:
            return
        import html

        from matplotlib.transforms import ScaledTranslation

        from helpers.figure_stamps import paste_text

        self._status.value = "<i>computing the map ...</i>"
        points, Z = self.layout(on_progress=lambda msg: setattr(self._status, "value", f"<i>{html.escape(msg)}</i>"))
        colour = {word: class_colour(i) for i, word in enumerate(self.words)}
        ax = self._ax
        positions = {p.word: Z[i] for i, p in enumerate(points)}
        others = [i for i, p in enumerate(points) if not p.is_query]
        queries = [i for i, p in enumerate(points) if p.is_query]
        self._links.set_segments([np.stack([positions[points[i].owner], Z[i]]) for i in others])
        self._links.set_colors([colour[points[i].owner] for i in others])
        self._others.set_offsets(Z[others].reshape(-1, 2))
        self._others.set_facecolors([colour[points[i].owner] for i in others])
        self._queries.set_offsets(Z[queries].reshape(-1, 2))
        self._queries.set_facecolors([colour[points[i].word] for i in queries])
        beside = ax.transData + ScaledTranslation(4 / 72, 3 / 72, self._figure.dpi_scale_trans)  # 4 and 3 points
        while len(self._labels) < len(points):
            self._labels.append(paste_text(ax.text(0, 0, "", transform=beside, zorder=4)))
        for label, i in zip(self._labels, range(len(self._labels))):
            label.set_visible(i < len(points))
            if i < len(points):
                query = points[i].is_query
                label.set_position(tuple(Z[i]))
                label.set_text(points[i].word)
                label.set_fontsize(10 if query else 8)
                label.set_fontweight("bold" if query else "normal")
                label.set_color("black" if query else "dimgrey")
        low, high = Z.min(axis=0), Z.max(axis=0)
        span = np.maximum(high - low, 1e-6)
        ax.set_xlim(low[0] - 0.06 * span[0], high[0] + 0.18 * span[0])  # room for the labels on the right
        ax.set_ylim(low[1] - 0.08 * span[1], high[1] + 0.08 * span[1])
        label = METHOD_LABELS[self.method]
        several = len(self.words) > 1
        chosen = f"{len(self.words)} word{'s' if several else ''} and {'their' if several else 'its'}"
        self._title.set_text(f"{chosen} {self.k} nearest neighbours — {label} map")
        ax.set_xlabel(f"{label} 1")
        ax.set_ylabel(f"{label} 2")
        rows = "".join(
            f"<tr><td><b>{html.escape(w)}</b></td><td>"
            + ", ".join(f"{html.escape(n)}&nbsp;<small>{s:.2f}</small>" for n, s in self.neighbours(w))
            + "</td></tr>"
            for w in self.words
        )
        self._list.value = (
            "<b>nearest neighbours</b> <small>(cosine similarity in all 50 dimensions)</small>"
            f"<table style='font-size:0.85em'>{rows}</table>"
        )
        self._status.value = "<br>".join(f"<span style='color:#b45309'>{html.escape(m)}</span>" for m in self.messages)
        self._live.refresh()
