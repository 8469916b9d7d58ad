"""A check of every figure a notebook draws: text that a learner can read at a glance.

:func:`install` wraps matplotlib's ``Figure.draw`` so that every finished picture (a PNG
in the notebook, a live figure's frame) is checked as it is drawn:

* no text is cut off by the figure's edge;
* no text is drawn in a colour too close to the pixels under it (black on a black cell);
* titles and tick labels are at least :data:`MIN_POINTS` pt at the size the figure is
  shown: a figure wider than a notebook's output area (:data:`DISPLAY_WIDTH_PX`) is
  shrunk to fit, and its text with it;
* no two texts overlap (their boxes share more than :data:`MAX_OVERLAP` of the smaller one);
* no text box and no legend hides data points (markers) of the axes it lies on;
* an axis that only holds whole numbers (epochs, steps, counts) has no fractional ticks;
* an axis that shows numbers says what they are (it has a label), unless it counts an
  image's rows and columns;
* a picture (an image in grey, ``gray``/``gray_r``/``binary``, or in colour, RGB) keeps its
  pixels square: tiles are not squeezed into strips (heat maps of numbers may stretch).

The notebook tests run every notebook with :func:`install` in the kernel's start-up (see
:func:`startup_folder`); each problem becomes one JSON line in a report file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

#: Width of a notebook's output area in CSS pixels: JupyterLab or Colab on a 1,366-pixel-wide
#: laptop screen. A figure drawn wider is shown shrunk to this width.
DISPLAY_WIDTH_PX = 1100
#: Smallest size of titles and tick labels, in points at the figure's display size.
MIN_POINTS = 8.0
#: Smallest contrast ratio (WCAG: 1 = the same colour, 21 = black on white) between a text
#: and the pixels under it; 3 is WCAG's least for large text.
MIN_CONTRAST = 2.5
#: A text may overhang the figure's edge by this many pixels (anti-aliasing).
EDGE_SLACK_PX = 1.0
#: Two texts overlap when their boxes share more than this share of the smaller box.
MAX_OVERLAP = 0.15
#: A text box or legend hides data when it covers at least this many markers (and 0.5 % of the axes' markers).
MIN_HIDDEN_POINTS = 3
#: A picture's pixels may be this much wider than tall (or taller than wide) on screen.
MAX_PIXEL_STRETCH = 1.1
#: Colour maps of pictures (photographs of things); other maps show matrices of numbers.
PICTURE_CMAPS = ("gray", "gray_r", "binary", "binary_r")
REPORT_ENV = "COURSE_FIGURE_REPORT"

_collecting: list[list[tuple[Any, Any]]] = []


def _luminance(rgb: Iterable[float]) -> float:
    c = np.asarray(list(rgb), dtype=float)[:3]
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return float(linear @ [0.2126, 0.7152, 0.0722])


def contrast(first: Iterable[float], second: Iterable[float]) -> float:
    """The WCAG contrast ratio of two RGB colours (channels in [0, 1])."""
    a, b = sorted([_luminance(first), _luminance(second)])
    return (b + 0.05) / (a + 0.05)


def _real(renderer: Any) -> bool:
    """A renderer that paints pixels (not the no-op pass that measures a tight bounding box)."""
    return hasattr(renderer, "buffer_rgba") and "draw_text" not in vars(renderer)


def _name(fig: Any) -> str:
    titles = [fig._suptitle.get_text()] if getattr(fig, "_suptitle", None) is not None else []
    titles += [ax.get_title() for ax in fig.axes]
    for sub in getattr(fig, "subfigs", []):
        titles += [sub._suptitle.get_text()] if getattr(sub, "_suptitle", None) is not None else []
    title = next((t for t in titles if t.strip()), "(untitled)")
    return " ".join(title.split())[:90]


def _titles_and_tick_labels(fig: Any) -> set[int]:
    found: list[Any] = []
    figures = [fig]
    while figures:
        current = figures.pop()
        figures += list(getattr(current, "subfigs", []))
        if getattr(current, "_suptitle", None) is not None:
            found.append(current._suptitle)
    for ax in fig.axes:
        found += [ax.title, ax._left_title, ax._right_title]
        for axis in (ax.xaxis, ax.yaxis):
            found += axis.get_ticklabels(which="both")
    return {id(text) for text in found}


def _background(pixels: np.ndarray, text_rgb: np.ndarray) -> np.ndarray:
    """The colour under a text's box: the median of the pixels that are not the text's own colour."""
    rgb = pixels[..., :3] / 255.0
    alpha = pixels[..., 3:4] / 255.0
    rgb = (rgb * alpha + (1 - alpha)).reshape(-1, 3)           # a transparent figure shows the white page
    other = np.linalg.norm(rgb - text_rgb, axis=1) > 0.2
    if other.mean() < 0.2:                                     # nearly all of it is the text's colour
        return text_rgb
    return np.median(rgb[other], axis=0)


def problems_of(fig: Any, renderer: Any, drawn: list[tuple[Any, Any]]) -> list[str]:
    """What is wrong with the texts ``drawn`` (text, box in pixels) on ``fig``, just drawn by ``renderer``."""
    from matplotlib.colors import to_rgba
    from matplotlib.transforms import Bbox

    width, height = renderer.width, renderer.height
    pixels = np.asarray(renderer.buffer_rgba())
    scale = min(1.0, DISPLAY_WIDTH_PX / width)
    sized = _titles_and_tick_labels(fig)
    found: list[str] = []
    small: dict[float, list[str]] = {}
    for text, box in drawn:
        label = " ".join(text.get_text().split())[:60]
        clip = text.get_clip_box() if text.get_clip_on() else None
        if clip is not None:
            visible = Bbox.intersection(box, clip)
            if visible is None:
                continue                                       # clipped away by its axes: not drawn
            box = visible
        if (box.x0 < -EDGE_SLACK_PX or box.y0 < -EDGE_SLACK_PX or box.x1 > width + EDGE_SLACK_PX
                or box.y1 > height + EDGE_SLACK_PX):
            found.append(f"text {label!r} is cut off by the figure's edge")
        x0, x1 = int(max(0, np.floor(box.x0))), int(min(width, np.ceil(box.x1)))
        y0, y1 = int(max(0, np.floor(height - box.y1))), int(min(height, np.ceil(height - box.y0)))
        if x1 - x0 >= 2 and y1 - y0 >= 2:
            rgba = np.array(to_rgba(text.get_color(), text.get_alpha()))
            under = _background(pixels[y0:y1, x0:x1], rgba[:3])
            shown = rgba[:3] * rgba[3] + under * (1 - rgba[3])
            ratio = contrast(shown, under)
            if ratio < MIN_CONTRAST:
                found.append(f"text {label!r} has a contrast of {ratio:.1f} with what lies under it "
                             f"(at least {MIN_CONTRAST} needed)")
        if id(text) in sized and text.get_fontsize() * scale < MIN_POINTS - 1e-6:
            small.setdefault(text.get_fontsize(), []).append(label)
    found += _overlapping(drawn)
    found += _covering_data(fig, renderer, drawn)
    found += _axis_problems(fig)
    found += _squeezed_pictures(fig)
    for size, labels in small.items():
        shown = ", ".join(repr(label) for label in labels[:4])
        shown += f" and {len(labels) - 4} more" if len(labels) > 4 else ""
        found.append(f"titles or tick labels {shown} are {size * scale:.1f} pt at display size "
                     f"({size:g} pt in a figure {width} px wide; at least {MIN_POINTS:g})")
    return found


def _shown_box(text: Any, box: Any) -> Any:
    from matplotlib.transforms import Bbox

    clip = text.get_clip_box() if text.get_clip_on() else None
    return Bbox.intersection(box, clip) if clip is not None else box


def _overlapping(drawn: list[tuple[Any, Any]]) -> list[str]:
    """Pairs of texts whose boxes overlap (rotated texts, whose boxes are not their shape, left out)."""
    shown = []
    for text, box in drawn:
        box = _shown_box(text, box)
        if box is not None and text.get_rotation() % 90 == 0 and box.width > 0 and box.height > 0:
            shown.append((" ".join(text.get_text().split())[:40], box))
    found = []
    for i, (first, a) in enumerate(shown):
        for second, b in shown[i + 1:]:
            width = min(a.x1, b.x1) - max(a.x0, b.x0)
            height = min(a.y1, b.y1) - max(a.y0, b.y0)
            if width > 0 and height > 0 and width * height > MAX_OVERLAP * min(a.width * a.height, b.width * b.height):
                found.append(f"texts {first!r} and {second!r} overlap")
    return found


def _markers(ax: Any) -> np.ndarray:
    """The data points drawn as markers on ``ax``, in display pixels, shape (n, 2)."""
    from matplotlib.collections import PathCollection

    points = []
    for collection in ax.collections:
        if isinstance(collection, PathCollection) and collection.get_visible() and len(collection.get_offsets()):
            points.append(collection.get_offset_transform().transform(np.asarray(collection.get_offsets(), float)))
    for line in ax.get_lines():
        if line.get_visible() and line.get_marker() not in (None, "", " ", "None", "none"):
            xy = np.column_stack([line.get_xdata(orig=False), line.get_ydata(orig=False)]).astype(float)
            points.append(line.get_transform().transform(xy))
    return np.concatenate(points) if points else np.empty((0, 2))


def _covering_data(fig: Any, renderer: Any, drawn: list[tuple[Any, Any]]) -> list[str]:
    """Text boxes (texts with a background patch) and legends that hide markers of the axes they lie on."""
    covers = [(f"the box of text {' '.join(t.get_text().split())[:40]!r}",
               t.get_bbox_patch().get_window_extent(renderer)) for t, _ in drawn if t.get_bbox_patch() is not None]
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None] + list(fig.legends)
    covers += [(f"the legend {(legend.get_title().get_text() or 'without title')!r}",
                legend.get_window_extent(renderer)) for legend in legends if legend.get_visible()]
    found = []
    for ax in fig.axes:
        points = _markers(ax)
        if not len(points):
            continue
        for what, box in covers:
            hidden = int(np.sum((points[:, 0] > box.x0) & (points[:, 0] < box.x1)
                                & (points[:, 1] > box.y0) & (points[:, 1] < box.y1)))
            if hidden >= max(MIN_HIDDEN_POINTS, 0.005 * len(points)):
                found.append(f"{what} hides {hidden} of the {len(points)} data points of the axes "
                             f"{ax.get_title()[:40]!r}")
    return found


def _number(label: str) -> float | None:
    try:
        return float(label.replace("\u2212", "-").replace(",", "").rstrip("%"))
    except ValueError:
        return None


def _axis_problems(fig: Any) -> list[str]:
    """Fractional ticks on axes that hold only whole numbers, and numbered axes without a label."""
    found = []
    for ax in fig.axes:
        if not ax.get_visible() or ax.name != "rectilinear" or not ax.axison:
            continue
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels = [(tick, t.get_text()) for tick, t in zip(axis.get_majorticklocs(), axis.get_ticklabels())
                      if t.get_visible() and t.get_text().strip()]
            low, high = sorted(ax.get_xlim() if name == "x" else ax.get_ylim())
            numbers = [(tick, _number(text)) for tick, text in labels if low <= tick <= high]
            if not numbers or any(value is None for _, value in numbers):
                continue                                       # no numbers shown, or named categories
            title = ax.get_title()[:40] or _name(fig)[:40]
            if not axis.get_label_text().strip() and not ax.images:    # an image's rows and columns need none
                found.append(f"the {name} axis of {title!r} shows numbers but has no label")
            data = [line.get_xdata() if name == "x" else line.get_ydata() for line in ax.get_lines()]
            data = [np.asarray(d, dtype=float) for d in data if len(d) > 1]
            if (data and axis.get_scale() == "linear" and not ax.collections and not ax.patches and not ax.images
                    and all(np.allclose(d, np.round(d)) for d in data)
                    and any(not float(tick).is_integer() for tick, _ in numbers)):
                found.append(f"the {name} axis of {title!r} holds whole numbers but has fractional ticks")
    return found


def _squeezed_pictures(fig: Any) -> list[str]:
    """Pictures whose pixels are drawn more than :data:`MAX_PIXEL_STRETCH` wider than tall, or taller than wide."""
    found = []
    for ax in fig.axes:
        for image in ax.images:
            array = image.get_array()
            if (not image.get_visible() or array is None or min(array.shape[:2]) < 8
                    or (array.ndim == 2 and image.get_cmap().name not in PICTURE_CMAPS)):
                continue
            left, right, bottom, top = image.get_extent()
            corners = ax.transData.transform([(left, bottom), (right, top)])
            width, height = np.abs(corners[1] - corners[0]) / [array.shape[1], array.shape[0]]
            stretch = max(width, height) / max(min(width, height), 1e-9)
            if stretch > MAX_PIXEL_STRETCH:
                title = ax.get_title()[:40] or _name(fig)[:40]
                found.append(f"the image in {title!r} is squeezed: its pixels are drawn {width:.2f} x {height:.2f} "
                             f"screen pixels (at most {MAX_PIXEL_STRETCH:g} times wider than tall or taller than wide)")
    return found


def problems_when_drawn(fig: Any) -> list[str]:
    """Draw ``fig`` once (on its own Agg canvas, or a new one) and return what the check finds."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.text import Text

    drawn: list[tuple[Any, Any]] = []
    original = Text.draw

    def recording(self: Any, renderer: Any) -> None:
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, Text.get_window_extent(self, renderer)))

    canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
    Text.draw = recording
    try:
        canvas.draw()
    finally:
        Text.draw = original
    return problems_of(fig, canvas.get_renderer(), drawn)


def install(report: str | os.PathLike[str]) -> Any:
    """Check every figure matplotlib draws from now on; append each problem to ``report`` (JSON lines).

    Returns a function that removes the check again.
    """
    from matplotlib.figure import Figure
    from matplotlib.text import Text

    if getattr(Figure.draw, "_figure_check", False):
        return lambda: None
    figure_draw, text_draw = Figure.draw, Text.draw
    seen: set[str] = set()

    def checked_text_draw(self: Any, renderer: Any) -> None:
        text_draw(self, renderer)
        if _collecting and _real(renderer) and self.get_visible() and self.get_text().strip():
            _collecting[-1].append((self, Text.get_window_extent(self, renderer)))

    def checked_figure_draw(self: Any, renderer: Any) -> None:
        _collecting.append([])
        try:
            figure_draw(self, renderer)
        finally:
            drawn = _collecting.pop()
        if not _real(renderer):
            return
        cell = _cell()
        lines = [json.dumps({"figure": _name(self), "checked": len(drawn), "cell": cell})]
        for problem in problems_of(self, renderer, drawn):
            key = f"{_name(self)}: {problem}"
            if key not in seen:
                seen.add(key)
                lines.append(json.dumps({"figure": _name(self), "problem": problem, "cell": cell}))
        with open(report, "a", encoding="utf-8") as fh:
            fh.write("\n".join(lines) + "\n")

    checked_figure_draw._figure_check = True  # type: ignore[attr-defined]
    Figure.draw = checked_figure_draw
    Text.draw = checked_text_draw

    def uninstall() -> None:
        Figure.draw, Text.draw = figure_draw, text_draw

    return uninstall


def _cell() -> int | None:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    return getattr(shell, "execution_count", None) if shell is not None else None


def startup_folder(ipython_dir: Path) -> Path:
    """An IPython folder whose start-up file installs the check in every kernel that uses it."""
    startup = ipython_dir / "profile_default" / "startup"
    startup.mkdir(parents=True, exist_ok=True)
    (startup / "00-figure-check.py").write_text(
        f"import os, sys\nsys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        f"import figure_check\nfigure_check.install(os.environ[{REPORT_ENV!r}])\n"
        "del figure_check\n", encoding="utf-8")
    return ipython_dir


def read_report(report: Path) -> tuple[int, list[str]]:
    """The number of figure drawings checked and the problems found, from a report file."""
    if not report.exists():
        return 0, []
    rows = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines() if line.strip()]
    problems = sorted({f"cell [{r['cell']}] figure {r['figure']!r}: {r['problem']}" for r in rows if "problem" in r})
    return sum("checked" in r for r in rows), problems

