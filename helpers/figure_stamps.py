"""Text and legends drawn once as pixels ("stamped"), so that a live figure redraws quickly:
:func:`freeze` turns an artist into a picture of itself, :func:`paste_text` a moving label,
:class:`StampedLabels` draws many labels as one image. Only public matplotlib calls render
them. Live figures themselves are :mod:`helpers.plotting`."""

from __future__ import annotations

import threading
from typing import Any

import matplotlib
import matplotlib.transforms
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from helpers import validation


def _crop_to_ink(rgba: Any) -> Any:
    """A rendering cut down to its non-transparent pixels: (pixels, bottom row first, as
    ``draw_image`` takes them; x and y of their lower left corner), or None when it is empty."""
    import numpy as np

    rgba = np.asarray(rgba)
    ink = np.argwhere(rgba[..., 3] > 0)
    if not len(ink):
        return None
    (top, left), (bottom, right) = ink.min(axis=0), ink.max(axis=0) + 1
    return rgba[top:bottom, left:right][::-1].copy(), int(left), int(rgba.shape[0] - bottom)


def _paste(renderer: Any, pixels: Any, x: int, y: int) -> None:
    gc = renderer.new_gc()
    renderer.draw_image(gc, x, y, pixels)
    gc.restore()


def freeze(artist: Any) -> Any:
    """Draw ``artist`` from a picture of it taken at its first draw; return it.

    For artists that cost much to draw and stay the same between redraws: matplotlib lays
    out a legend afresh on every draw (about 25 ms for a dozen entries). The picture is
    taken again when the canvas size, resolution or the artist's axes move; an artist that
    changes must be frozen anew (or replaced). Vector output draws it as usual.
    """
    if not isinstance(artist, Artist):
        raise TypeError(f"artist must be a matplotlib Artist, got {type(artist).__name__}")
    from matplotlib.backends.backend_agg import RendererAgg

    draw_directly = artist.draw
    pictures: dict[tuple[Any, ...], Any] = {}

    def draw(renderer: Any) -> None:
        if not isinstance(renderer, RendererAgg) or not artist.get_visible():
            draw_directly(renderer)
            return
        axes = getattr(artist, "axes", None)
        key = (renderer.width, renderer.height, renderer.dpi, tuple(axes.bbox.bounds) if axes is not None else None)
        if key not in pictures:
            pictures.clear()
            sheet = RendererAgg(int(renderer.width), int(renderer.height), renderer.dpi)
            draw_directly(sheet)
            pictures[key] = _crop_to_ink(sheet.buffer_rgba())
        if pictures[key] is not None:
            _paste(renderer, *pictures[key])
        artist.stale = False

    artist.draw = draw
    return artist


#: One transparent sheet per resolution on which :func:`_render_alone` draws a text, kept
#: between calls (making a figure for each label took longer than drawing the label).
_SHEETS: dict[float, tuple[Any, Any]] = {}
_SHEETS_LOCK = threading.Lock()  # widget callbacks can run on more than one of the kernel's threads


def _render_alone(text: str, dpi: float, room: tuple[int, int], like: Any = None, **props: Any) -> Any:
    """A text drawn alone, anchored at a sheet's centre: (pixels, bottom row first; x and y offset
    of their lower left from the anchor), or None when it leaves no ink. ``room``: the width and
    height in pixels that it surely fits in; ``like``: a Text whose look (font, colour,
    alignment, outline) it takes; ``props``: more Text properties."""
    with _SHEETS_LOCK:
        return _render_on_sheet(text, dpi, room, like, props)


def _render_on_sheet(text: str, dpi: float, room: tuple[int, int], like: Any, props: dict[str, Any]) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    sheet = _SHEETS.get(dpi)
    if sheet is None or sheet[0].bbox.width < room[0] or sheet[0].bbox.height < room[1]:
        width = max(room[0], int(sheet[0].bbox.width) if sheet else 0)
        height = max(room[1], int(sheet[0].bbox.height) if sheet else 0)
        figure = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        figure.patch.set_alpha(0)
        sheet = _SHEETS[dpi] = (figure, FigureCanvasAgg(figure))
    figure, canvas = sheet
    width, height = int(figure.bbox.width), int(figure.bbox.height)
    for old in list(figure.texts):
        old.remove()
    label = figure.text(0, 0, "")
    if like is not None:
        label.update_from(like)  # the look; the place, clipping and visibility are the sheet's
        label.set(transform=figure.transSubfigure, clip_on=False, clip_box=None, clip_path=None, visible=True)
    label.set(text=text, position=((width // 2) / width, (height // 2) / height), **props)
    canvas.draw()
    picture = _crop_to_ink(canvas.buffer_rgba())
    return None if picture is None else (picture[0], picture[1] - width // 2, picture[2] - height // 2)


def paste_text(text: Any) -> Any:
    """Draw the Text artist ``text`` from a picture of it, rendered once per string and look; return it.

    For labels that move on every redraw and have an outline (path effects), which
    matplotlib draws as paths, glyph by glyph, each time. The picture is taken again when
    the string, font, colour, alignment, outline or resolution change, and pasted at the
    text's place, on whole pixels. Vector output draws it as usual.
    """
    from matplotlib.text import Text

    if not isinstance(text, Text):
        raise TypeError(f"text must be a matplotlib Text, got {type(text).__name__}")
    from matplotlib.backends.backend_agg import RendererAgg

    draw_directly = text.draw
    pictures: dict[tuple[Any, ...], Any] = {}

    def draw(renderer: Any) -> None:
        string = text.get_text()
        if not isinstance(renderer, RendererAgg) or not text.get_visible() or not string or text.get_rotation():
            draw_directly(renderer)
            return
        key = (string, hash(text.get_fontproperties()), str(text.get_color()), text.get_ha(), text.get_va(),
               tuple(map(id, text.get_path_effects())), text.get_alpha(), renderer.dpi)
        if key not in pictures:
            if len(pictures) > 256:
                pictures.clear()
            size = text.get_fontsize() * renderer.dpi / 72
            pictures[key] = _render_alone(string, renderer.dpi, (int(2 * (len(string) + 4) * size) + 16,
                                                                 int(4 * size) + 16), like=text)
        x, y = text.get_transform().transform(text.get_unitless_position())
        if pictures[key] is not None:
            pixels, dx, dy = pictures[key]
            _paste(renderer, pixels, round(x) + dx, round(y) + dy)
        text.stale = False

    text.draw = draw
    return text


_FONTSIZE = validation.rule(validation.number, low=0, low_open=True, why=" of points")


class StampedLabels(Artist):
    """A row (or column) of labels beside an axes, drawn from pixels rendered once.

    Matplotlib lays out and renders every glyph of every text on every draw, about a
    millisecond a label; a figure that redraws a few dozen labels on each widget change
    spends most of its time there. Each label here is rendered once per text, font size
    and resolution, then pasted. They sit where tick labels would (right-aligned left of
    the axes for ``axis="y"``, centred under it for ``axis="x"``), at data positions along
    that axis, and count in constrained layout. The axis label moves out past them (give the
    ticks empty labels). Vector output (SVG, PDF) gets real text.

    >>> labels = StampedLabels(ax, axis="y", fontsize=8)
    >>> labels.set_labels(range(3), ["red", "green", "blue"])
    """

    def __init__(self, ax: Any, *, axis: str = "y", fontsize: float = 9.0, color: Any = "black") -> None:
        from matplotlib.axes import Axes

        if not isinstance(ax, Axes):
            validation.fail("ax", "a matplotlib Axes", ax, kind=validation.InvalidType, got=validation.type_name(ax))
        axis = validation.choice(axis, "axis", ("x", "y"), ignore_case=False)
        super().__init__()
        self.axis, self.color = axis, color
        self.fontsize = _FONTSIZE(fontsize, "fontsize", {})
        tick = f"{axis}tick.major"
        self._pad_points = matplotlib.rcParams[f"{tick}.size"] + matplotlib.rcParams[f"{tick}.pad"]
        self.offset = 0.0  # points beyond the usual place of tick labels
        self._positions: list[float] = []
        self._texts: list[str] = []
        self._stamps: dict[tuple[Any, ...], Any] = {}
        self.stamps_rendered = 0  # how many label pictures were rendered (the rest were pasted)
        self.set_clip_on(False)
        ax.add_artist(self)

    @validation.params(fontsize=validation.optional(_FONTSIZE))
    def set_labels(self, positions: Any, texts: Any, *, fontsize: float | None = None,
                   offset: float | None = None) -> None:
        """Show ``texts[i]`` at data position ``positions[i]`` along the axis.

        ``offset`` (points) moves the labels further out from the axes, e.g. to stand a
        second column of labels beside a first.
        """
        positions = [float(p) for p in validation.numbers(positions, "positions", expected="a list of numbers").ravel()]
        if isinstance(texts, str):
            validation.fail("texts", "a list of strings", texts, kind=validation.InvalidType)
        texts = list(texts)
        if len(positions) != len(texts):
            raise validation.InvalidValue(
                f"positions and texts must have the same length, got {len(positions)} and {len(texts)}")
        for i, text in enumerate(texts):
            validation.text(text, f"texts[{i}]", allow_empty=True)
        offset = None if offset is None else validation.number(offset, "offset", why=" of points")
        if fontsize is not None:
            self.fontsize = fontsize
        if offset is not None:
            self.offset = offset
        self._positions, self._texts = positions, texts
        self._leave_room_for_axis_label()
        self.stale = True

    def _leave_room_for_axis_label(self) -> None:
        """Move the axis label out past the labels (it is placed after the tick labels, here empty)."""
        stamps = [self._stamp(text) for text in self._texts if text]
        reach = max((stamp[0].shape[0 if self.axis == "x" else 1] for stamp in stamps if stamp is not None),
                    default=0)  # the labels' height under the axes, or their width beside it
        axis = self.axes.xaxis if self.axis == "x" else self.axes.yaxis
        # without ticks the axis label sits right at the axes: move it past where the ticks would be too
        ticks = self._pad_points if len(axis.get_ticklocs()) == 0 else 0.0
        axis.labelpad = matplotlib.rcParams["axes.labelpad"] + self.offset + ticks + reach * 72 / self.figure.dpi

    # ---------------------------------------------------------------- drawing

    def _anchors(self) -> list[tuple[str, float, float]]:
        """(text, x, y) in display pixels of each label's anchor inside the axis' span."""
        ax = self.axes
        pad = (self._pad_points + self.offset) * self.figure.dpi / 72
        low, high = sorted(ax.get_ylim() if self.axis == "y" else ax.get_xlim())
        anchors = []
        for position, text in zip(self._positions, self._texts, strict=True):
            if not text or not low <= position <= high:
                continue
            if self.axis == "y":
                y = ax.get_yaxis_transform().transform((0.0, position))[1]
                anchors.append((text, ax.bbox.x0 - pad, y))
            else:
                x = ax.get_xaxis_transform().transform((position, 0.0))[0]
                anchors.append((text, x, ax.bbox.y0 - pad))
        return anchors

    def _alignment(self) -> tuple[str, str]:
        return ("right", "center_baseline") if self.axis == "y" else ("center", "top")

    def _stamp(self, text: str) -> Any:
        """(pixels, bottom row first; x and y offset of their lower left from the anchor), or None."""
        dpi = self.figure.dpi
        key = (text, self.fontsize, str(self.color), dpi)
        if key in self._stamps:
            return self._stamps[key]
        size = self.fontsize * dpi / 72
        ha, va = self._alignment()
        stamp = _render_alone(text, dpi, (int(2 * (len(text) + 2) * size) + 8, int(4 * size) + 8),
                              fontsize=self.fontsize, color=self.color, ha=ha, va=va)
        if len(self._stamps) > 2000:  # a learner's many font sizes and resolutions: start afresh
            self._stamps.clear()
        self._stamps[key] = stamp
        self.stamps_rendered += 1
        return stamp

    def draw(self, renderer: Any) -> None:
        from matplotlib.backends.backend_agg import RendererAgg
        from matplotlib.text import Text

        if not self.get_visible() or not self._texts:
            return
        if not isinstance(renderer, RendererAgg):  # vector output: real text
            ha, va = self._alignment()
            for text, x, y in self._anchors():
                label = Text(x, y, text, fontsize=self.fontsize, color=self.color, ha=ha, va=va)
                label.set_figure(self.figure)
                label.set_transform(matplotlib.transforms.IdentityTransform())
                label.draw(renderer)
            self.stale = False
            return
        for text, x, y in self._anchors():
            stamp = self._stamp(text)
            if stamp is not None:
                pixels, dx, dy = stamp
                _paste(renderer, pixels, round(x) + dx, round(y) + dy)
        self.stale = False

    def get_window_extent(self, renderer: Any = None) -> Any:
        from matplotlib.transforms import Bbox

        boxes = []
        for text, x, y in self._anchors():
            stamp = self._stamp(text)
            if stamp is not None:
                pixels, dx, dy = stamp
                left, bottom = round(x) + dx, round(y) + dy
                boxes.append(Bbox.from_bounds(left, bottom, pixels.shape[1], pixels.shape[0]))
        return Bbox.union(boxes) if boxes else Bbox.null()


def _source_pixels(shape: tuple[int, int], screen: tuple[int, int, int, int], extent: tuple[float, ...],
                   flip_across: bool, flip_up: bool) -> tuple[Any, Any]:
    """The row and column of the source pixel under the centre of each screen pixel.

    ``screen`` is (left, right, bottom, top) in whole screen pixels, ``extent`` the image's
    (low_x, high_x, low_y, high_y) on screen. The rows come bottom first, as draw_image takes them;
    ``flip_across``: the image's first column is on the right; ``flip_up``: its row 0 is at the top.
    """
    import numpy as np

    (rows, cols), (left, right, bottom, top), (low_x, high_x, low_y, high_y) = shape, screen, extent
    across = (np.arange(left, right) + 0.5 - low_x) / (high_x - low_x)   # fraction of the way from the left
    up = (np.arange(bottom, top) + 0.5 - low_y) / (high_y - low_y)       # ... and from the bottom
    across, up = (1 - across if flip_across else across), (1 - up if flip_up else up)
    return (np.clip((up * rows).astype(np.intp), 0, rows - 1), np.clip((across * cols).astype(np.intp), 0, cols - 1))


def _pixel_image_class() -> type:
    """The class :func:`whole_pixels` gives an image (made on first use: matplotlib's image module loads late)."""
    global _PixelImage
    if _PixelImage is not None:
        return _PixelImage
    import math

    import numpy as np
    from matplotlib.image import AxesImage
    from matplotlib.transforms import IdentityTransform

    class PixelImage(AxesImage):
        """An image scaled to the screen by repeating whole pixels with numpy (see :func:`whole_pixels`)."""

        _sheet: Any = None

        def make_image(self, renderer: Any, magnification: float = 1.0, unsampled: bool = False) -> Any:
            from matplotlib.backends.backend_agg import RendererAgg

            data = self.get_array()
            usable = data is not None and (data.ndim == 2 or (data.ndim == 3 and data.dtype == np.uint8))
            if (unsampled or magnification != 1.0 or not usable or not isinstance(renderer, RendererAgg)
                    or self.get_interpolation() != "nearest" or not self.get_transform().is_affine):
                return super().make_image(renderer, magnification, unsampled)
            x1, x2, y1, y2 = self.get_extent()
            (left_x, first_y), (right_x, last_y) = self.get_transform().transform([(x1, y1), (x2, y2)])
            low_x, high_x = sorted((left_x, right_x))
            low_y, high_y = sorted((first_y, last_y))
            # only the screen pixels that can show (zoomed in, most of the image lies outside the axes)
            clip = (self.get_clip_box() or self.axes.bbox) if self.get_clip_on() else self.get_figure(root=True).bbox
            left, right = max(round(low_x), math.floor(clip.x0)), min(round(high_x), math.ceil(clip.x1))
            bottom, top = max(round(low_y), math.floor(clip.y0)), min(round(high_y), math.ceil(clip.y1))
            width, height = right - left, top - bottom
            if width <= 0 or height <= 0 or high_x - low_x < 1e-9 or high_y - low_y < 1e-9:
                return None, 0, 0, None
            if data.ndim == 2:  # numbers: through the image's norm and colour map
                source = np.ascontiguousarray(self.to_rgba(data, bytes=True))
            else:
                source = np.full((*data.shape[:2], 4), 255, dtype=np.uint8)
                source[..., :data.shape[2]] = np.ma.getdata(data)[..., :4]
            row_0_y = last_y if self.origin == "upper" else first_y  # (the extent's top, or its bottom)
            row_index, col_index = _source_pixels(source.shape[:2], (left, right, bottom, top),
                                                  (low_x, high_x, low_y, high_y), flip_across=left_x > right_x,
                                                  flip_up=row_0_y >= max(first_y, last_y))
            sheet = self._sheet
            if sheet is None or sheet.shape[:2] != (height, width):
                sheet = self._sheet = np.empty((height, width, 4), dtype=np.uint8)
            # gathered a whole pixel (four bytes) at a time
            sheet.view(np.uint32)[..., 0] = source.view(np.uint32)[..., 0][row_index][:, col_index]
            return sheet, left, bottom, IdentityTransform()

    _PixelImage = PixelImage
    return PixelImage


_PixelImage: Any = None


def whole_pixels(image: Any) -> Any:
    """Draw ``image`` (from ``imshow(..., interpolation="nearest")``) by repeating whole pixels; return it.

    Matplotlib resamples an image through floating point on every draw (about 5 ms for a
    matrix or a panel of thumbnails); this repeats whole pixels with numpy instead (a
    fraction of a millisecond), for numbers shown through a colour map and for RGB(A)
    bytes. It looks the same, give or take one screen pixel where two image pixels meet.
    Other data, other interpolations and vector output are drawn as matplotlib would.
    """
    from matplotlib.image import AxesImage

    if type(image) is not AxesImage and not isinstance(image, _pixel_image_class()):
        raise TypeError(f"image must be a matplotlib AxesImage (from imshow), got {type(image).__name__}")
    if image.get_interpolation() != "nearest":
        raise ValueError(f"image must be shown with interpolation='nearest', got {image.get_interpolation()!r}")
    image.__class__ = _pixel_image_class()
    return image
