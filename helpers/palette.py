"""The course's colours, markers and text sizes, chosen so that no figure relies on colour alone.

Classes have Paul Tol's "muted" palette plus a near-black tenth (every two at least 10 apart in CIEDE2000
under each simulated colour-vision deficiency) and a marker each; right and wrong come with a shape
(:func:`framed`: solid or dashed frames).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["BASE_FONT_SIZE", "ClassPoints", "CLASS_COLOURS", "CLASS_MARKERS", "MAX_FIGURE_WIDTH", "MIN_FONT_SIZE",
           "RIGHT", "RIGHT_SYMBOL", "WRONG", "WRONG_SYMBOL", "class_colour", "class_colours", "class_marker", "framed",
           "label_classes", "separate_texts", "text_colour", "use_course_style"]

#: Paul Tol's muted palette (indigo, cyan, teal, green, olive, sand, rose, wine, purple) and ink.
CLASS_COLOURS: tuple[str, ...] = ("#332288", "#88CCEE", "#44AA99", "#117733", "#999933",
                                  "#DDCC77", "#CC6677", "#882255", "#AA4499", "#222222")
#: One marker per class, in the same order: classes are told apart by shape, not by colour alone.
CLASS_MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "p", "<", ">", "h")
#: Right (same class, correct) and wrong: Okabe-Ito blue and vermillion.
RIGHT, WRONG = "#0072B2", "#D55E00"
RIGHT_SYMBOL, WRONG_SYMBOL = "✓", "✗"

BASE_FONT_SIZE = 10.0
MIN_FONT_SIZE = 8.0
MAX_FIGURE_WIDTH = 13.0


def _codes(codes: Any, argument: str = "codes") -> np.ndarray:
    array = np.asarray(codes)
    if array.dtype.kind not in "iu" and not (array.dtype.kind == "f" and np.all(np.mod(array, 1) == 0)):
        raise TypeError(f"{argument} must be whole class numbers (0, 1, 2 ...), got {array.dtype} values")
    if array.size and array.min() < 0:
        raise ValueError(f"{argument} must be class numbers 0, 1, 2 ..., got {int(array.min())}")
    return array.astype(int)


def class_colour(code: int) -> str:
    """The colour of class ``code`` (colours repeat after ten; the marker then tells them apart)."""
    return CLASS_COLOURS[int(_codes(code, "code")) % len(CLASS_COLOURS)]


def class_marker(code: int) -> str:
    """The marker of class ``code`` (markers repeat after ten, shifted so colour and marker differ)."""
    code = int(_codes(code, "code"))
    return CLASS_MARKERS[(code + code // len(CLASS_COLOURS)) % len(CLASS_MARKERS)]


def class_colours(codes: Any) -> np.ndarray:
    """RGBA colours, one row per entry of ``codes`` (class numbers)."""
    from matplotlib.colors import to_rgba_array

    table = to_rgba_array(CLASS_COLOURS)
    return table[_codes(codes) % len(CLASS_COLOURS)]


def text_colour(colour: Any, background: Any = "white", contrast: float = 4.5) -> str:
    """``colour`` darkened just enough to read as text on ``background`` (WCAG ``contrast``, default 4.5:1)."""
    from matplotlib.colors import to_hex, to_rgb

    from helpers.colour_vision import contrast_ratio

    rgb = np.array(to_rgb(colour))
    while contrast_ratio(rgb, background) < contrast and rgb.max() > 0:
        rgb = rgb * 0.9
    return to_hex(rgb)


def _points(points: Any, n: int) -> np.ndarray:
    points = np.asarray(points, dtype=float)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) != n:
        raise ValueError(f"points must be an (n, 2) array with one row per code, got shape {points.shape} "
                         f"for {n} codes")
    return points


def label_classes(ax: Any, points: Any, codes: Any, names: Sequence[str], *, texts: list | None = None,
                  fontsize: float = 9.0) -> list:
    """Write each class's name, in its colour on a white outline, at the median of its points on ``ax``;
    returns the labels (pass them back as ``texts`` to move them when the points move)."""
    import matplotlib.patheffects as effects

    codes = _codes(codes)
    points = _points(points, len(codes))
    if texts is None:
        outline = [effects.withStroke(linewidth=3, foreground="white")]
        texts = [ax.text(0, 0, name, fontsize=fontsize, fontweight="bold", color=text_colour(class_colour(c)),
                         ha="center", va="center", zorder=5, path_effects=outline, clip_on=False)
                 for c, name in enumerate(names)]
    for c, text in enumerate(texts):
        mine = points[codes == c]
        text.set_visible(len(mine) > 0)
        if len(mine):
            text.set_position(tuple(np.median(mine, axis=0)))
    separate_texts(ax, [text for text in texts if text.get_visible()])
    if texts and not any(getattr(artist, "keeps_apart", None) is texts for artist in ax.artists):
        ax.add_artist(_keep_apart(texts))                      # and again when drawn, at the final layout
    return texts


def _keep_apart(texts: list) -> Any:
    """An artist drawn just before ``texts`` that moves them apart at the size they are drawn."""
    from matplotlib.artist import Artist

    class KeepApart(Artist):
        def draw(self, renderer: Any) -> None:
            separate_texts(self.axes, [text for text in texts if text.get_visible()], renderer=renderer, room=1.1)

    keeper = KeepApart()
    keeper.keeps_apart = texts
    keeper.set_zorder(min(text.get_zorder() for text in texts) - 0.01)
    return keeper


def separate_texts(ax: Any, texts: Sequence[Any], *, drop: bool = False, room: float = 1.4,
                   renderer: Any = None) -> list:
    """Move texts in data coordinates on ``ax`` apart (up and down) until no two overlap; returns those shown.

    With ``drop=True`` a text that overlaps one before it is hidden instead. Sizes (measured, else estimated
    from the font size) are enlarged by ``room`` so that texts stay apart when the layout shrinks the axes.
    """
    texts = [text for text in texts if text.get_visible() and text.get_text()]
    if not texts:
        return []
    ax.get_xlim(), ax.get_ylim()                               # settle the autoscaled limits first
    if renderer is None:
        renderer = getattr(ax.figure.canvas, "get_renderer", lambda: None)()
    sizes = []
    for text in texts:
        if renderer is not None:
            box = text.get_window_extent(renderer)
            sizes.append((box.width * room, box.height * room))
        else:
            points = text.get_fontsize() * ax.figure.dpi / 72
            sizes.append((0.62 * points * len(text.get_text()) * room, 1.2 * points * room))
    to_pixels = ax.transData
    centres = to_pixels.transform([text.get_position() for text in texts]).astype(float)
    start = centres.copy()
    sizes_arr = np.array(sizes)
    if drop:
        shown: list[int] = []
        for i in range(len(texts)):
            apart = [np.any(np.abs(centres[i] - centres[j]) >= (sizes_arr[i] + sizes_arr[j]) / 2) for j in shown]
            if all(apart):
                shown.append(i)
            else:
                texts[i].set_visible(False)
        return [texts[i] for i in shown]
    for _ in range(200):
        moved = False
        for i in range(len(texts)):
            for j in range(i + 1, len(texts)):
                gap = np.abs(centres[i] - centres[j]) - (sizes_arr[i] + sizes_arr[j]) / 2
                if gap[0] < 0 and gap[1] < 0:
                    step = -gap[1] / 2 + 0.5
                    up = 1.0 if centres[i, 1] >= centres[j, 1] else -1.0
                    centres[i, 1] += up * step
                    centres[j, 1] -= up * step
                    moved = True
        if not moved:
            break
    for text, xy, before, after in zip(texts, to_pixels.inverted().transform(centres), start, centres):
        if not np.array_equal(before, after):
            text.set_position(tuple(xy))
    return texts


class ClassPoints:
    """Points coloured by class, drawn as one scatter per class from :attr:`SPLIT_FROM` points on (one
    colour per scatter is stamped, not drawn point by point: 8 ms against 37 ms for 10,000 points).
    ``collections`` are the scatters (e.g. to animate them).
    """

    #: From this many points on, one scatter per class (measured: about 1,500 on the course's machine).
    SPLIT_FROM = 1500

    def __init__(self, ax: Any, points: Any, codes: Any, *, size: float = 6.0, **scatter: Any) -> None:
        codes = _codes(codes)
        points = _points(points, len(codes))
        # a 12-sided polygon: at a few pixels it looks round, and unlike a circle it has no curves,
        # which matplotlib measures afresh on every draw
        scatter.setdefault("marker", (12, 0, 0))
        self.n = len(codes)
        self.codes = codes
        self.n_classes = int(codes.max()) + 1 if codes.size else 0
        self.split = self.n >= self.SPLIT_FROM
        if self.split:
            self.rows = [np.flatnonzero(codes == c) for c in range(self.n_classes)]
            self.collections = [ax.scatter(points[rows, 0], points[rows, 1], s=size, color=class_colour(c), **scatter)
                                for c, rows in enumerate(self.rows)]
        else:
            self.rows = [np.arange(self.n)]
            self.collections = [ax.scatter(points[:, 0], points[:, 1], s=size, c=class_colours(codes), **scatter)]

    def set_offsets(self, points: Any) -> None:
        """Move every point (rows in the order of ``codes``)."""
        points = _points(points, self.n)
        for rows, collection in zip(self.rows, self.collections):
            collection.set_offsets(points[rows])

    def set_colours(self, colours: Any = None) -> None:
        """Colour the classes: ``None`` for the class colours, one colour for all, or a list (one per class)."""
        from matplotlib.colors import is_color_like, to_rgba_array

        if colours is None:
            colours = [class_colour(c) for c in range(self.n_classes)]
        elif is_color_like(colours):
            colours = [colours] * self.n_classes
        colours = list(colours)
        if len(colours) != self.n_classes:
            raise ValueError(f"colours must be one colour or one per class ({self.n_classes}), got {len(colours)}")
        if self.split:
            for colour, collection in zip(colours, self.collections):
                collection.set_facecolor(colour)
        elif self.n:
            self.collections[0].set_facecolor(to_rgba_array(colours)[self.codes])

    def set_sizes(self, size: float) -> None:
        """The size of every point (points squared, as in ``scatter``)."""
        for collection in self.collections:
            collection.set_sizes([size])

    def get_offsets(self) -> np.ndarray:
        """Where the points are, in the order of ``codes``."""
        out = np.empty((self.n, 2))
        for rows, collection in zip(self.rows, self.collections):
            out[rows] = collection.get_offsets()
        return out


def framed(image: Any, right: bool | None, width: int = 2) -> np.ndarray:
    """A grey image (0-255) as RGB in [0, 1], ink dark, framed: ``right=True`` solid :data:`RIGHT`, ``False``
    dashed :data:`WRONG`, ``None`` solid black (the image asked about)."""
    grey = np.asarray(image, dtype=float)
    if grey.ndim != 2:
        raise ValueError(f"image must be a 2-D grey image, got shape {grey.shape}")
    if right not in (True, False, None):
        raise TypeError(f"right must be True, False or None, got {right!r}")
    from matplotlib.colors import to_rgb

    rgb = np.repeat((1.0 - grey / 255.0)[..., None], 3, axis=2)
    colour = np.array(to_rgb({True: RIGHT, False: WRONG, None: "black"}[right]))
    h, w = grey.shape
    edge = np.zeros((h, w), dtype=bool)
    edge[:width, :] = edge[-width:, :] = True
    edge[:, :width] = edge[:, -width:] = True
    if right is False:  # dashes: 4 pixels drawn, 3 left out, along each side
        rows, cols = np.indices((h, w))
        along = np.where((rows < width) | (rows >= h - width), cols, rows)
        edge &= (along % 7) < 4
    rgb[edge] = colour
    return rgb


def use_course_style() -> None:
    """The course's text sizes for every figure: a base font of BASE_FONT_SIZE points."""
    import matplotlib

    matplotlib.rcParams.update({
        "font.size": BASE_FONT_SIZE,
        "axes.titlesize": BASE_FONT_SIZE + 1,
        "axes.labelsize": BASE_FONT_SIZE,
        "xtick.labelsize": BASE_FONT_SIZE - 1,
        "ytick.labelsize": BASE_FONT_SIZE - 1,
        "legend.fontsize": BASE_FONT_SIZE - 1,
        "figure.titlesize": BASE_FONT_SIZE + 2,
    })
