"""Plotting plumbing: live figures that redraw in place, in every front end.

With ipympl (``%matplotlib widget``) a figure is an interactive canvas that can be
clicked; without it, the figure is shown as a PNG image widget that is re-rendered on
each change. Either way the displayed object also carries a static PNG, so an executed
notebook read without a kernel (an HTML export, GitHub) still shows the picture.
"""

from __future__ import annotations

import base64
import io
import threading
from typing import Any

import matplotlib
import matplotlib.transforms
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from helpers import validation


def interactive_backend() -> bool:
    """True when matplotlib draws through ipympl (figures are clickable widgets)."""
    return "ipympl" in matplotlib.get_backend().lower() or matplotlib.get_backend().lower() == "widget"


def new_figure(figsize: tuple[float, float] = (6.0, 4.0), **subplots: Any) -> tuple[Figure, Any]:
    """A figure and its axes that are not shown until you display them (see :class:`LiveFigure`).

    Keyword arguments go to ``Figure.subplots`` (``nrows``, ``ncols``, ``gridspec_kw`` ...).
    """
    if not (isinstance(figsize, tuple) and len(figsize) == 2):
        validation.fail("figsize", "a (width, height) tuple of numbers", figsize, kind=validation.InvalidType)
    figsize = tuple(validation.number(v, f"figsize[{i}]", low=0, low_open=True) for i, v in enumerate(figsize))
    if interactive_backend():
        import matplotlib.pyplot as plt

        with plt.ioff():
            fig = plt.figure(figsize=figsize, layout="constrained")
        fig.canvas.header_visible = False
        fig.canvas.toolbar_position = "right"
    else:
        fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def save_figure(fig: Figure, target: Any, **savefig: Any) -> None:
    """``fig.savefig(target, **savefig)`` with the moving parts of a :class:`LiveFigure` drawn too.

    savefig leaves animated artists out; for the saved picture they are drawn as ordinary ones.
    """
    moving = [artist for artist in getattr(fig, "_live_animated", ()) if artist.get_animated()]
    for artist in moving:
        artist.set_animated(False)
    try:
        fig.savefig(target, **savefig)
    finally:
        for artist in moving:
            artist.set_animated(True)


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure rendered to PNG bytes (moving parts of a :class:`LiveFigure` included)."""
    buffer = io.BytesIO()
    save_figure(fig, buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def _root_figure(artist: Any) -> Any:
    """The top-level figure an artist (or subfigure) belongs to."""
    figure = artist if isinstance(artist, Figure) else artist.figure
    while figure is not None and getattr(figure, "_parent", None) is not None:  # a SubFigure
        figure = figure._parent
    return figure


def _fast_png(rgba: Any) -> bytes:
    """RGBA pixels as a PNG, compressed lightly (speed matters more than bytes on a local link)."""
    import numpy as np
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgba)[..., :3]).save(buffer, format="png", compress_level=1)
    return buffer.getvalue()


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
        self.fontsize = self._check_fontsize(fontsize)
        tick = f"{axis}tick.major"
        self._pad_points = matplotlib.rcParams[f"{tick}.size"] + matplotlib.rcParams[f"{tick}.pad"]
        self.offset = 0.0  # points beyond the usual place of tick labels
        self._positions: list[float] = []
        self._texts: list[str] = []
        self._stamps: dict[tuple[Any, ...], Any] = {}
        self.stamps_rendered = 0  # how many label pictures were rendered (the rest were pasted)
        self.set_clip_on(False)
        ax.add_artist(self)

    @staticmethod
    def _check_fontsize(fontsize: Any) -> float:
        return validation.number(fontsize, "fontsize", low=0, low_open=True, why=" of points")

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
        fontsize = None if fontsize is None else self._check_fontsize(fontsize)
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
        axis.labelpad = matplotlib.rcParams["axes.labelpad"] + self.offset + reach * 72 / self.figure.dpi

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
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        dpi = self.figure.dpi
        key = (text, self.fontsize, str(self.color), dpi)
        if key in self._stamps:
            return self._stamps[key]
        size = self.fontsize * dpi / 72
        width, height = int(2 * (len(text) + 2) * size) + 8, int(4 * size) + 8
        sheet = Figure(figsize=(width / dpi, height / dpi), dpi=dpi)
        sheet.patch.set_alpha(0)
        canvas = FigureCanvasAgg(sheet)
        x0, y0 = width // 2, height // 2
        ha, va = self._alignment()
        sheet.text(x0 / width, y0 / height, text, fontsize=self.fontsize, color=self.color, ha=ha, va=va)
        canvas.draw()
        picture = _crop_to_ink(canvas.buffer_rgba())
        stamp = None if picture is None else (picture[0], picture[1] - x0, picture[2] - y0)
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


class LiveFigure:
    """A figure shown as a widget that redraws in place, as little as it can.

    Change the artists (``bar.set_height``, ``line.set_data``, ``scatter.set_offsets``)
    and call :meth:`refresh`. Two things keep a redraw quick:

    * the page layout is planned once (constrained layout, at the first refresh) and
      then kept, so a redraw does not re-plan the margins; :meth:`relayout` plans again
      after the figure's structure changed (new axes, much longer labels);
    * ``animated`` artists (the parts that move: a marker, a highlighted image) are
      drawn on top of a saved picture of everything else, so :meth:`refresh_animated`
      redraws only them ("blitting").

    With ipympl the canvas is the widget. A refresh tells the browser that a picture is
    ready; its request is answered with a full render, or, after :meth:`refresh_animated`,
    with the blitted pixels as they are. Each answer is a complete picture, not ipympl's
    usual difference image: the browser loads pictures into one image element, so one that
    arrives while the previous is still loading replaces it, and a lost difference image
    would leave stale pixels behind. Without ipympl an image widget shows a PNG.
    """

    def __init__(self, fig: Figure, *, animated: Any = (), fixed_layout: bool = True) -> None:
        if not isinstance(fig, Figure):
            raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        self.interactive = interactive_backend() and isinstance(fig.canvas, widgets.DOMWidget)
        if not self.interactive and not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        self.animated: list[Any] = []
        self.set_animated(animated)
        self._layout_pending = fixed_layout
        self._relayouting = self._planning = False
        self._placed_titles: list[Any] = []
        self._background: Any = None
        self._background_size: tuple[int, int] | None = None
        fig.canvas.mpl_connect("draw_event", self._on_draw)
        self._full_pending = self._blit_pending = self._rendering = False
        self._changes = 0  # counts changes, so that one made while a picture is being sent is not lost
        self._lock = threading.RLock()
        if self.interactive:
            self.widget = fig.canvas
            self._take_over_draw_requests(fig.canvas)
        else:
            self.widget = widgets.Image(value=figure_png(fig), format="png")
            self.widget.layout.max_width = "100%"

    def set_animated(self, artists: Any) -> None:
        """Make ``artists`` the moving parts (replacing the previous ones); the next refresh is full."""
        from matplotlib.artist import Artist

        artists = list(artists)
        for i, artist in enumerate(artists):
            if not isinstance(artist, Artist) or _root_figure(artist) is not _root_figure(self.fig):
                raise ValueError(f"animated[{i}] must be an artist of this figure, got {artist!r}")
        for artist in self.animated:
            if artist not in artists:
                artist.set_animated(False)
        for artist in artists:
            artist.set_animated(True)
        self.animated = artists
        self.fig._live_animated = artists
        self._background = None

    # ---------------------------------------------------------------- layout

    def fix_layout(self) -> None:
        """Plan the layout now (constrained layout, for the artists as they are) and keep it."""
        self._layout_pending = False
        engine = self.fig.get_layout_engine()
        if engine is None or type(engine).__name__ == "PlaceHolderLayoutEngine":
            return
        self._planning = True
        try:
            self.fig.draw_without_rendering()
        finally:
            self._planning = False
        self.fig.set_layout_engine("none")
        for ax in self.fig.axes:  # titles stay where the plan put them (no re-placing on every draw)
            if getattr(ax, "_autotitlepos", None):
                ax._autotitlepos = False
                self._placed_titles.append(ax)

    def relayout(self) -> None:
        """Plan the layout again at the next refresh (after new axes or much longer labels)."""
        self.fig.set_layout_engine("constrained")
        for ax in self._placed_titles:
            ax._autotitlepos = True
        self._placed_titles = []
        self._layout_pending = True

    # ---------------------------------------------------------------- drawing

    def _overflows(self, renderer: Any) -> bool:
        """Whether an axis label or title now sticks out of the figure (e.g. wider tick labels pushed it)."""
        width, height = self.fig.bbox.width, self.fig.bbox.height
        for ax in self.fig.axes:
            for text in (ax.xaxis.label, ax.yaxis.label, ax.title):
                if text.get_visible() and text.get_text() and not text.get_animated():
                    box = text.get_window_extent(renderer)
                    if box.x0 < -1 or box.y0 < -1 or box.x1 > width + 1 or box.y1 > height + 1:
                        return True
        return False

    def _on_draw(self, event: Any) -> None:
        canvas = self.fig.canvas
        if canvas.is_saving() or self._planning:
            return  # savefig, or the layout pass of fix_layout (which draws nothing)
        engine = self.fig.get_layout_engine()
        if type(engine).__name__ == "PlaceHolderLayoutEngine" and self._overflows(event.renderer):
            if not self._relayouting:  # the kept layout no longer fits: plan it again and draw once more
                self._relayouting = True
                self.relayout()  # the caller (refresh, or the answer to the browser) renders again
                if self.interactive and not self._rendering:
                    self.fig.canvas.draw_idle()
                return
        else:
            self._relayouting = False
        if not self.animated:
            return
        self._background = canvas.copy_from_bbox(self.fig.bbox)
        self._background_size = canvas.get_width_height(physical=True)
        self._draw_animated()

    def _draw_animated(self) -> None:
        for artist in self.animated:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def _send(self) -> None:
        self.widget.value = _fast_png(self.fig.canvas.buffer_rgba())

    def _take_over_draw_requests(self, canvas: Any) -> None:
        """Answer the browser's draw requests: a full render, or the already blitted pixels."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        send_draw_event = canvas.draw_idle  # sends the browser a "draw" event; it then requests a picture
        self._changes_sent = 0  # the changes that the last picture sent includes
        self._reminders = 0
        self._reminder: Any = None  # the pending timer, if any

        def remind_in(milliseconds: int) -> None:
            if self._reminder is None:
                self._reminder = canvas.new_timer(interval=milliseconds)
                self._reminder.single_shot = True
                self._reminder.add_callback(remind)
                self._reminder.start()

        def remind() -> None:
            # The browser ignores a "draw" event while it waits for a picture: one sent just before
            # a change does not include it, and nothing would ask again. Ask again (a few times,
            # each later) until a picture with the change has been sent.
            self._reminder = None
            if self._changes_sent >= self._changes or self._reminders >= 4:
                return
            if not self._rendering:
                self._reminders += 1
                send_draw_event()
            remind_in(300 * 2 ** self._reminders)

        def ask_browser() -> None:
            send_draw_event()
            self._reminders = 0
            remind_in(300)

        def draw_idle() -> None:  # anyone's draw_idle (zoom, resize, our refresh) needs a full render
            self._full_pending = True
            self._changes += 1
            ask_browser()

        def send_picture() -> None:
            # A complete picture (losing the previous one then does no harm), lightly compressed.
            import numpy as np

            rgba = np.asarray(canvas.get_renderer().buffer_rgba())
            canvas.set_image_mode("full")
            canvas._last_buff = rgba.view(np.uint32).squeeze(2).copy()  # ipympl's own next diff starts here
            canvas._png_is_old = canvas._force_full = False
            canvas.send_binary(_fast_png(rgba))

        def handle_draw(event: Any) -> None:
            with self._lock:
                changes = self._changes
                if self._blit_pending and not self._full_pending:
                    self._blit_pending = False  # the pixels are ready: send them as they are
                else:
                    self._full_pending = self._blit_pending = False
                    self._rendering = True
                    try:
                        FigureCanvasAgg.draw(canvas)  # render (the draw handler adds the moving parts)
                        if self._layout_pending:  # the render found the kept layout too tight: plan, render again
                            self.fix_layout()
                            FigureCanvasAgg.draw(canvas)
                    finally:
                        self._rendering = False
                send_picture()
                self._changes_sent = max(self._changes_sent, changes)
                if self._changes != changes:
                    # Something changed meanwhile; the browser ignores a "draw" event while it waits
                    # for a picture, so tell it again now that the picture is on its way.
                    ask_browser()

        self._ask_browser = ask_browser
        canvas.draw_idle = draw_idle
        canvas.handle_draw = handle_draw

    def frontend_ready(self) -> bool:
        """With ipympl: whether the browser's view of the canvas exists (it has said "initialized")."""
        return self.interactive and getattr(self.fig.canvas, "syncing_data_url", True) is False

    def refresh(self) -> None:
        """Redraw the whole figure after its artists changed."""
        with self._lock:  # widget callbacks can run on more than one of the kernel's threads
            if self._layout_pending:
                self.fix_layout()
            if self.interactive:
                self.fig.canvas.draw_idle()
                return
            self.fig.canvas.draw()  # the draw handler paints the animated artists on top
            if self._layout_pending:  # the draw found the layout too tight and asked for a new one
                self.fix_layout()
                self.fig.canvas.draw()
            self._send()

    def refresh_animated(self) -> None:
        """Redraw only the animated artists on the saved picture of the rest.

        Falls back to a full :meth:`refresh` when there is no saved picture yet, when the
        canvas changed size or its layout is to be planned, or (with ipympl) while the
        browser's view is not ready.
        """
        canvas = self.fig.canvas
        if (
            not self.animated
            or self._layout_pending
            or self._background is None
            or canvas.get_width_height(physical=True) != self._background_size
            or (self.interactive and not self.frontend_ready())
        ):
            self.refresh()
            return
        with self._lock:
            if not self.interactive:
                canvas.restore_region(self._background)
                self._draw_animated()
                self._send()
                return
            self._changes += 1
            if self._rendering:
                # Called while a render is under way (the kernel can handle a widget's message in
                # the middle of one): leave its pixels alone and ask for a full picture after it.
                self._full_pending = True
                self._ask_browser()
                return
            canvas.restore_region(self._background)
            self._draw_animated()
            if not self._full_pending:  # else the full render asked for will include these changes
                self._blit_pending = True
            self._ask_browser()

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return with_static_png(self.widget, self.fig)._repr_mimebundle_(**kwargs)


#: The widget-view entry of a display bundle: what JupyterLab, Notebook, VS Code and Colab
#: read to show a live widget (protocol version 2, the same in ipywidgets 7 and 8).
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def widget_bundle(widget: Any, **kwargs: Any) -> dict[str, Any]:
    """The display bundle of ``widget``, under ipywidgets 8 and 7 alike.

    ipywidgets 8 widgets (and ipympl's canvas) give it through ``_repr_mimebundle_``.
    ipywidgets 7 widgets (Google Colab pins 7.7.1) have no such method: they display
    themselves through ``_ipython_display_``; the bundle is built here the way they build
    it, and their display callbacks run as they would. ``kwargs`` (IPython's ``include`` and
    ``exclude``) go to ``_repr_mimebundle_`` only.
    """
    own = getattr(widget, "_repr_mimebundle_", None)
    if callable(own):
        return dict(own(**kwargs) or {})
    model_id = getattr(widget, "model_id", None)
    if model_id is None:
        raise TypeError(f"widget must be an ipywidgets widget, got {type(widget).__name__}")
    plaintext = repr(widget)
    bundle: dict[str, Any] = {"text/plain": plaintext[:110] + "…" if len(plaintext) > 110 else plaintext}
    if getattr(widget, "_view_name", None) is not None:
        bundle[WIDGET_VIEW] = {"version_major": 2, "version_minor": 0, "model_id": model_id}
        handle_displayed = getattr(widget, "_handle_displayed", None)
        if callable(handle_displayed):
            handle_displayed()  # as ipywidgets 7's own display does (IPython calls it without arguments)
    return bundle


class with_static_png:  # noqa: N801 - reads like a function at the call site
    """Display ``widget`` live, with a PNG of ``fig`` beside it for front ends without widgets.

    Works with ipywidgets 7 and 8 (see :func:`widget_bundle`): a front end with a widget
    manager shows the live widget; an executed copy read without a kernel (nbconvert, a
    static site, GitHub) shows the picture.
    """

    def __init__(self, widget: Any, fig: Figure) -> None:
        self.widget, self.fig = widget, fig

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = widget_bundle(self.widget, **kwargs)
        bundle["image/png"] = base64.b64encode(figure_png(self.fig)).decode("ascii")
        return bundle


class LazyWidget:
    """Base for the explorers: controls are built on first display, beside a static PNG.

    A subclass sets ``self._view = None`` in ``__init__`` and implements ``_build()``,
    which must set ``self._view`` (the widget) and ``self._fig`` (its figure).
    """

    _view: Any = None
    _fig: Figure

    def _build(self) -> None:
        raise NotImplementedError

    def widget(self) -> Any:
        """The explorer as a widget (built on first use)."""
        if self._view is None:
            self._build()
        return self._view

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        view = self.widget()
        return with_static_png(view, self._fig)._repr_mimebundle_(**kwargs)
