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
from collections import OrderedDict
from typing import Any

import matplotlib
import matplotlib.transforms
from matplotlib.artist import Artist
from matplotlib.figure import Figure

from helpers import validation
from helpers.cores import usable_cores


def interactive_backend() -> bool:
    """True when matplotlib draws through ipympl (figures are clickable widgets)."""
    return "ipympl" in matplotlib.get_backend().lower() or matplotlib.get_backend().lower() == "widget"


#: The strip left of an interactive figure that holds ipympl's toolbar: the toolbar is 38 px
#: wide, drawn 3 px from the widget's edge, over whatever lies there; in this strip it covers
#: no part of the figure (axis labels, legends, pictures).
TOOLBAR_STRIP_PX = 44


def place_toolbar(fig: Figure) -> None:
    """With ipympl: the figure's toolbar in a strip of its own left of the figure, never over it.

    ipympl draws its toolbar over the canvas, in a corner of the widget (``toolbar_position``);
    a padding of the widget's ``layout`` on that side leaves the corner empty. The set-up
    registers this for every figure (matplotlib's ``figure.hooks``); other back ends are left alone.
    """
    canvas = getattr(fig, "canvas", None)
    if not (interactive_backend() and hasattr(canvas, "toolbar_position") and hasattr(canvas, "layout")):
        return
    canvas.toolbar_position = "left"
    canvas.layout.padding = f"0 0 0 {TOOLBAR_STRIP_PX}px"


def place_every_toolbar() -> None:
    """:func:`place_toolbar` for every pyplot figure made from now on (matplotlib's ``figure.hooks``, 3.7+)."""
    hook = f"{__name__}:place_toolbar"
    if "figure.hooks" in matplotlib.rcParams and hook not in matplotlib.rcParams["figure.hooks"]:
        matplotlib.rcParams["figure.hooks"] = [*matplotlib.rcParams["figure.hooks"], hook]


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
        place_toolbar(fig)
    else:
        fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def save_figure(fig: Figure, target: Any, **savefig: Any) -> None:
    """``fig.savefig(target, **savefig)`` with the moving parts of a :class:`LiveFigure` drawn too.

    savefig leaves animated artists out; for the saved picture they are drawn as ordinary ones.
    """
    moving = fig.findobj(lambda artist: artist.get_animated())
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
    return None if figure is None else figure.figure  # a SubFigure's .figure is the top-level one


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


#: How many parts a large picture is compressed in, side by side (zlib lets other threads run).
_PNG_CORES = min(2, usable_cores())
_PNG_SPLIT_BYTES = 256 * 1024  # smaller pictures: one part (starting a thread costs more than it saves)
_png_worker: Any = None


def _deflate_part(rows: Any, last: bool) -> bytes:
    """Rows compressed as raw deflate data that another part can follow (or that ends the stream)."""
    import zlib

    packer = zlib.compressobj(1, zlib.DEFLATED, -15, 8, zlib.Z_RLE)
    return packer.compress(rows) + packer.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _fast_png(rgba: Any) -> bytes:
    """RGBA pixels as an RGB PNG, made for speed: rows unfiltered, compressed lightly.

    A live figure sends a new picture on every change. General PNG writers try a filter on
    every row to make the file smaller, which takes about as long as compressing it; a
    figure is mostly flat colour, which compresses as well without them: half the time,
    no larger. Compressing runs of equal bytes only (zlib's RLE strategy) takes a fifth
    less time again, for pictures about a quarter larger. Runs never reach back further
    than one byte, so the two halves of a large picture are compressed at once on two
    cores and joined into one stream, at no cost in size.
    """
    import struct
    import zlib

    import numpy as np

    pixels = np.asarray(rgba)
    height, width = pixels.shape[:2]
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # filter type 0 ("none") on every row
    rgb = rows[:, 1:].reshape(height, width, 3)
    for channel in range(3):  # channel by channel: five times faster than one copy of pixels[..., :3]
        rgb[..., channel] = pixels[..., channel]
    if _PNG_CORES > 1 and rows.nbytes >= _PNG_SPLIT_BYTES:
        global _png_worker
        if _png_worker is None:
            from concurrent.futures import ThreadPoolExecutor

            _png_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="png")
        half = height // 2
        first = _png_worker.submit(_deflate_part, rows[:half], False)
        second = _deflate_part(rows[half:], True)
        deflated = first.result() + second
    else:
        deflated = _deflate_part(rows, True)
    # the zlib wrapper: a header (32 KB window, fastest level) and the checksum of all rows
    data = b"\x78\x01" + deflated + struct.pack(">I", zlib.adler32(rows) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlacing
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b"")


def _send_whole_picture(canvas: Any) -> None:
    """Send ipympl's browser view a complete picture (losing the previous one then does no harm), lightly
    compressed."""
    import numpy as np

    rgba = np.asarray(canvas.get_renderer().buffer_rgba())
    canvas.set_image_mode("full")
    canvas._last_buff = rgba.view(np.uint32).squeeze(2).copy()  # ipympl's own next diff starts here
    canvas._png_is_old = canvas._force_full = False
    canvas.send_binary(_fast_png(rgba))


_NO_KEY = object()  # LiveFigure: no key to keep the next full render under


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

    #: How many pictures :meth:`refresh_as` keeps (each is the whole figure: 2 MB at 1000 x 520 pixels).
    KEPT_PICTURES = 12

    def __init__(self, fig: Figure, *, animated: Any = (), fixed_layout: bool = True) -> None:
        if not isinstance(fig, Figure):
            raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
        import ipywidgets as widgets
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self.fig = fig
        self.interactive = interactive_backend() and isinstance(fig.canvas, widgets.DOMWidget)
        if not self.interactive and not isinstance(fig.canvas, FigureCanvasAgg):
            FigureCanvasAgg(fig)
        # pictures of the figure without its animated artists, by the key given to refresh_as
        self._pictures: OrderedDict[Any, tuple[Any, tuple[int, int]]] = OrderedDict()
        self._picture_key: Any = _NO_KEY  # the key the next full render is kept under
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
        self._background = None
        self._pictures.clear()

    # ---------------------------------------------------------------- layout

    def fix_layout(self) -> None:
        """Plan the layout now (constrained layout, for the artists as they are) and keep it."""
        self._layout_pending = False
        self._pictures.clear()
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
        self._pictures.clear()

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

    def _kept_layout_overflows(self) -> bool:
        """Whether the kept layout no longer fits the figure as it is now (a layout pass, nothing drawn)."""
        if type(self.fig.get_layout_engine()).__name__ != "PlaceHolderLayoutEngine":
            return False
        self._planning = True  # the draw handler leaves this pass alone
        try:
            self.fig.draw_without_rendering()
        finally:
            self._planning = False
        return self._overflows(self.fig.canvas.get_renderer())

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
        if self._picture_key is not _NO_KEY:
            self._pictures[self._picture_key] = (self._background, self._background_size)
            self._pictures.move_to_end(self._picture_key)
            while len(self._pictures) > self.KEPT_PICTURES:
                self._pictures.popitem(last=False)
            self._picture_key = _NO_KEY
        self._draw_animated()

    def _draw_animated(self) -> None:
        for artist in self.animated:
            if artist.get_visible():
                self.fig.draw_artist(artist)

    def _send(self) -> None:
        self.widget.value = _fast_png(self.fig.canvas.buffer_rgba())

    def _render(self, canvas: Any) -> None:
        """Render the whole figure (the draw handler adds the moving parts), planning the layout again
        when the render found the kept one too tight."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self._rendering = True
        try:
            FigureCanvasAgg.draw(canvas)
            if self._layout_pending:
                self.fix_layout()
                FigureCanvasAgg.draw(canvas)
        finally:
            self._rendering = False

    def _take_over_draw_requests(self, canvas: Any) -> None:
        """Answer the browser's draw requests: a full render, or the already blitted pixels."""
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

        def handle_draw(event: Any) -> None:
            with self._lock:
                changes = self._changes
                if self._blit_pending and not self._full_pending:
                    self._blit_pending = False  # the pixels are ready: send them as they are
                else:
                    self._full_pending = self._blit_pending = False
                    self._render(canvas)
                _send_whole_picture(canvas)
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
        with self._lock:
            self._picture_key = _NO_KEY
            self._refresh()

    def refresh_as(self, key: Any) -> None:
        """Redraw the whole figure, which without its animated artists looks as it did under ``key`` before.

        For a figure that goes back to states it has shown (an explorer switched back to a
        map it drew): the first time, the figure is drawn in full and its picture without
        the animated artists is kept under ``key`` (the last :attr:`KEPT_PICTURES` keys); the
        next time, that picture is pasted and only the animated artists are drawn on it.
        ``key`` (hashable) must stand for everything that is not animated: the caller's
        promise. A new layout, canvas size or set of animated artists forgets every picture.
        """
        with self._lock:
            kept = self._pictures.get(key)
            canvas = self.fig.canvas
            if kept is not None and not self._layout_pending and kept[1] == canvas.get_width_height(physical=True):
                self._pictures.move_to_end(key)
                self._background, self._background_size = kept
                self._picture_key = _NO_KEY
                self.refresh_animated()
                return
            self._picture_key = key
            self._refresh()

    def forget_pictures(self) -> None:
        """Let go of every picture that :meth:`refresh_as` kept (the next of each key draws in full)."""
        with self._lock:
            self._pictures.clear()

    def _refresh(self) -> None:
        """The full redraw of :meth:`refresh` and :meth:`refresh_as`, which hold the lock (widget
        callbacks can run on more than one of the kernel's threads)."""
        if not self._layout_pending and self._kept_layout_overflows():
            self.relayout()  # planned now: no picture (a saved one included) shows texts cut off
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
