"""Tests of helpers.plotting: live figures in both the static and the ipympl mode."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure
from support import text_figure

from helpers import plotting


def test_new_figure_without_ipympl_is_a_plain_figure():
    fig, ax = plotting.new_figure(figsize=(3, 2))
    assert isinstance(fig, Figure) and ax.figure is fig


def test_new_figure_validates_figsize():
    with pytest.raises(TypeError, match="figsize must be"):
        plotting.new_figure(figsize=3)


def test_live_figure_static_mode_rerenders_the_png():
    fig, ax = plotting.new_figure(figsize=(3, 2))
    (line,) = ax.plot([0, 1], [0, 1])
    live = plotting.LiveFigure(fig)
    assert not live.interactive
    before = live.widget.value
    line.set_data([0, 1], [1, 0])
    live.refresh()
    assert bytes(live.widget.value) != bytes(before) and bytes(live.widget.value).startswith(b"\x89PNG")


def test_live_figure_rejects_non_figures():
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plotting.LiveFigure("figure")


def test_display_bundle_carries_a_static_png_beside_the_widget():
    fig, _ = plotting.new_figure(figsize=(3, 2))
    bundle = plotting.LiveFigure(fig)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]


def test_ipympl_mode_uses_the_canvas(monkeypatch):
    pytest.importorskip("ipympl")
    import matplotlib.pyplot as plt

    previous = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        fig, ax = plotting.new_figure(figsize=(3, 2))
        live = plotting.LiveFigure(fig)
        assert live.interactive and live.widget is fig.canvas
        live.refresh()
        plt.close(fig)
    finally:
        plt.switch_backend(previous)


def test_the_toolbar_gets_a_strip_of_its_own_beside_every_interactive_figure():
    """new_figure's and (once the set-up registered the hook) plain pyplot figures: the toolbar
    on the left, in the widget's padding, so that it covers no part of the figure."""
    pytest.importorskip("ipympl")
    import matplotlib.pyplot as plt

    previous, hooks = matplotlib.get_backend(), list(matplotlib.rcParams["figure.hooks"])
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        plain = plt.figure()
        assert plain.canvas.layout.padding is None          # ipympl's own: the toolbar over the figure
        plotting.place_every_toolbar()
        plotting.place_every_toolbar()                       # registered once, however often asked
        assert matplotlib.rcParams["figure.hooks"].count("helpers.plotting:place_toolbar") == 1
        fig, _ = plotting.new_figure(figsize=(3, 2))
        _, ax = plt.subplots()
        for canvas in (fig.canvas, ax.figure.canvas):
            assert canvas.toolbar_position == "left"
            assert canvas.layout.padding == f"0 0 0 {plotting.TOOLBAR_STRIP_PX}px"
        plt.close("all")
    finally:
        matplotlib.rcParams["figure.hooks"] = hooks
        plt.switch_backend(previous)
    static = Figure()
    plotting.place_toolbar(static)                           # other back ends: left alone, no error
    assert not hasattr(static.canvas, "layout")


def _pixels(live):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(bytes(live.widget.value))).convert("RGB")).astype(int)


def test_layout_is_planned_once_then_kept_until_relayout():
    fig, ax = plotting.new_figure(figsize=(4, 3))
    live = plotting.LiveFigure(fig)
    live.refresh()
    planned = ax.get_position().bounds
    ax.set_yticks([0, 1], ["a much, much longer label", "and another one"])
    live.refresh()
    assert ax.get_position().bounds == planned  # the margins did not move
    live.relayout()
    live.refresh()
    assert ax.get_position().x0 > planned[0]  # now the left margin makes room for the labels


def test_a_refresh_plans_again_before_drawing_when_the_kept_layout_cuts_a_label_off():
    fig, ax = plotting.new_figure(figsize=(4, 3))
    ax.set_ylabel("score")
    live = plotting.LiveFigure(fig)
    live.refresh()
    renders = []
    fig.canvas.mpl_connect("draw_event", lambda event: live._planning or renders.append(1))
    ax.set_yticks([0, 1], ["a longer tick label", "pushes the axis label out"])
    live.refresh()
    assert len(renders) == 1  # no picture was drawn with the old layout and thrown away
    box = ax.yaxis.label.get_window_extent(fig.canvas.get_renderer())
    assert box.x0 >= -1 and box.x1 <= fig.bbox.width + 1


def test_fixed_layout_can_be_turned_off():
    fig, ax = plotting.new_figure(figsize=(4, 3))
    live = plotting.LiveFigure(fig, fixed_layout=False)
    live.refresh()
    before = ax.get_position().x0
    ax.set_yticks([0, 1], ["a much, much longer label", "and another one"])
    live.refresh()
    assert ax.get_position().x0 > before


def _line_and_marker():
    """A live figure: a thick blue line (still) and a red marker (animated), drawn once."""
    fig, ax = plotting.new_figure(figsize=(3, 2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (line,) = ax.plot([0, 1], [0.2, 0.2], color="blue", linewidth=4)
    (moving,) = ax.plot([0.5], [0.5], "o", color="red", markersize=12)
    live = plotting.LiveFigure(fig, animated=[moving])
    live.refresh()  # (the layout is planned)
    return fig, live, line, moving


def test_refresh_animated_redraws_only_the_animated_artists():
    _fig, live, still, moving = _line_and_marker()
    first = _pixels(live)
    moving.set_data([0.2], [0.8])
    still.set_color("green")  # not animated: must not change on an animated refresh
    live.refresh_animated()
    second = _pixels(live)
    changed = np.argwhere((first != second).any(axis=2))
    assert len(changed) > 0
    red = (second[..., 0] > 200) & (second[..., 1] < 80) & (second[..., 2] < 80)
    rows, cols = np.nonzero(red)
    assert rows.mean() < second.shape[0] / 2  # the marker moved up
    assert not ((second[..., 1] > 100) & (second[..., 0] < 60) & (second[..., 2] < 60)).any()  # no green yet
    live.refresh()
    assert ((_pixels(live)[..., 1] > 100) & (_pixels(live)[..., 0] < 60)).any()  # a full refresh shows it


def test_refresh_as_pastes_the_picture_kept_for_the_same_state():
    """A state drawn before (same key) is pasted, not drawn: only the animated artists are drawn on it."""
    fig, live, line, moving = _line_and_marker()
    draws = []
    fig.canvas.mpl_connect("draw_event", lambda event: live._planning or draws.append(1))  # renders, not layout passes
    live.refresh_as("blue")
    blue = _pixels(live)
    line.set_color("green")
    live.refresh_as("green")
    green = _pixels(live)
    assert len(draws) == 2 and not np.array_equal(blue, green)
    line.set_color("blue")
    moving.set_data([0.2], [0.8])
    live.refresh_as("blue")  # seen before: pasted, with the marker drawn where it is now
    assert len(draws) == 2
    again = _pixels(live)
    red = (again[..., 0] > 200) & (again[..., 1] < 80) & (again[..., 2] < 80)
    assert np.nonzero(red)[0].mean() < again.shape[0] / 2  # the marker moved up
    moving.set_data([0.5], [0.5])
    live.refresh_as("blue")
    assert np.array_equal(_pixels(live), blue)
    live.refresh()  # a plain refresh draws everything and keeps nothing under a key
    assert len(draws) == 3
    live.forget_pictures()
    live.refresh_as("blue")
    assert len(draws) == 4
    live.relayout()  # a new layout: every kept picture is forgotten
    live.refresh_as("green")
    planned = len(draws)  # (planning the layout sends a draw event too)
    assert planned >= 5
    live.refresh_as("blue")
    assert len(draws) == planned + 1


def test_refresh_as_keeps_a_few_pictures():
    fig, ax = plotting.new_figure(figsize=(2, 2))
    live = plotting.LiveFigure(fig, animated=[ax.plot([0.5], [0.5], "o")[0]])
    ax.set_title("00")
    live.refresh()  # the layout is planned, with room for the titles below
    draws = []
    fig.canvas.mpl_connect("draw_event", lambda event: live._planning or draws.append(1))  # renders, not layout passes
    for key in range(plotting.LiveFigure.KEPT_PICTURES + 1):
        ax.set_title(str(key))
        live.refresh_as(key)
    ax.set_title("0")
    live.refresh_as(0)  # the oldest was let go
    assert len(draws) == plotting.LiveFigure.KEPT_PICTURES + 2
    ax.set_title(str(plotting.LiveFigure.KEPT_PICTURES))
    live.refresh_as(plotting.LiveFigure.KEPT_PICTURES)  # a recent one is still kept
    assert len(draws) == plotting.LiveFigure.KEPT_PICTURES + 2


def test_static_png_includes_animated_figure_level_artists():
    fig, _ = plotting.new_figure(figsize=(3, 2))
    title = fig.suptitle("")
    live = plotting.LiveFigure(fig, animated=[title])
    empty = plotting.figure_png(fig)
    title.set_text("A TITLE THAT SHOWS")
    assert plotting.figure_png(fig) != empty
    assert title.get_animated()  # still animated afterwards
    live.refresh_animated()


def test_animated_artists_must_belong_to_the_figure():
    fig, _ = plotting.new_figure(figsize=(3, 2))
    other, other_ax = plotting.new_figure(figsize=(3, 2))
    with pytest.raises(ValueError, match=r"animated\[0\] must be an artist of this figure"):
        plotting.LiveFigure(fig, animated=[other_ax.title])
    with pytest.raises(ValueError, match=r"animated\[0\]"):
        plotting.LiveFigure(fig, animated=["title"])


def test_ipympl_sends_pictures_only_when_the_browser_asks():
    """ipympl's browser side keeps one picture in flight: a pushed picture could be lost."""
    pytest.importorskip("ipympl")
    import matplotlib.pyplot as plt

    previous = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        fig, ax = plotting.new_figure(figsize=(3, 2))
        (moving,) = ax.plot([0.5], [0.5], "o")
        live = plotting.LiveFigure(fig, animated=[moving])
        canvas = fig.canvas
        events, sent, renders = [], [], []
        canvas.send_event = lambda event_type, **kwargs: event_type == "draw" and events.append(event_type)
        canvas.send_binary = lambda data: sent.append(data)
        canvas.mpl_connect("draw_event",  # real renders, not the layout pass that draws nothing
                           lambda event: live._planning or renders.append(1))

        live.refresh_animated()  # no view yet: only a note that a picture is ready
        assert events == ["draw"] and sent == [] and renders == []
        canvas.syncing_data_url = False  # the view says "initialized" ...
        canvas.handle_event({"type": "draw"})  # ... and asks: a full render answers
        assert len(renders) == 1 and len(sent) == 1

        moving.set_data([0.2], [0.8])
        live.refresh_animated()
        assert events[-1] == "draw" and len(sent) == 1  # nothing pushed
        canvas.handle_event({"type": "draw"})
        assert len(renders) == 1 and len(sent) == 2  # answered with the blitted pixels, no render

        canvas.draw_idle()  # anyone else's draw_idle (a zoom, a resize) ...
        moving.set_data([0.8], [0.2])
        live.refresh_animated()
        canvas.handle_event({"type": "draw"})
        assert len(renders) == 2  # ... gets a full render, even if a blit came after it

        # A change made while a picture is being sent: the browser ignores "draw" events while it
        # waits for that picture, so the kernel must tell it again once the picture has gone.
        log = []
        canvas.send_event = lambda event_type, **kwargs: event_type == "draw" and log.append("draw event")
        canvas.send_binary = lambda data: log.append("picture")
        once = []
        canvas.mpl_connect("draw_event", lambda event: once or (once.append(1), canvas.draw_idle()))
        canvas.draw_idle()
        log.clear()
        canvas.handle_event({"type": "draw"})
        assert log[-2:] == ["picture", "draw event"]
        plt.close(fig)
    finally:
        plt.switch_backend(previous)


# ------------------------------------------------------------------ a figure with text


def test_fast_png_holds_the_exact_pixels():
    import io

    from PIL import Image

    rgba = np.random.default_rng(0).integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    png = plotting._fast_png(rgba)
    assert png.startswith(b"\x89PNG")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), rgba[..., :3])
    fig = text_figure()
    fig.canvas.draw()
    picture = np.asarray(Image.open(io.BytesIO(plotting._fast_png(fig.canvas.buffer_rgba()))).convert("RGB"))
    assert np.array_equal(picture, np.asarray(fig.canvas.buffer_rgba())[..., :3])


def test_fast_png_of_a_large_picture_is_one_valid_stream(monkeypatch):
    """A large picture is compressed in two halves at once: the halves still make one valid PNG."""
    import io
    import zlib

    from PIL import Image

    rng = np.random.default_rng(1)
    rgba = np.full((700, 900, 4), 255, dtype=np.uint8)  # mostly flat, as a figure is
    rgba[100:600:7, 50:850] = rng.integers(0, 256, size=(72, 800, 4), dtype=np.uint8)
    for cores in (1, 2, 16):
        monkeypatch.setattr(plotting, "_PNG_CORES", cores)
        png = plotting._fast_png(rgba)
        assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), rgba[..., :3])
        idat = png[png.index(b"IDAT") + 4:png.index(b"IEND") - 8]
        rows = zlib.decompress(idat)  # checks the stream's own checksum as well
        assert len(rows) == 700 * (1 + 3 * 900)


def test_ipympl_asks_again_when_the_browser_ignored_a_draw_event(monkeypatch):
    """A change right after a picture was sent: its "draw" event reaches a browser still waiting for
    that picture, which ignores it; the kernel asks again until a picture with the change has gone."""
    pytest.importorskip("ipympl")
    import matplotlib.pyplot as plt

    previous = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        fig, ax = plotting.new_figure(figsize=(3, 2))
        (line,) = ax.plot([0, 1], [0, 1])
        canvas = fig.canvas
        timers = []

        class Timer:  # the kernel's event loop, run by hand
            def __init__(self, interval):
                self.interval, self.single_shot, self.callbacks = interval, False, []

            def add_callback(self, callback):
                self.callbacks.append(callback)

            def start(self):
                timers.append(self)

        monkeypatch.setattr(canvas, "new_timer", lambda interval=None, **kwargs: Timer(interval))
        live = plotting.LiveFigure(fig)
        log = []
        canvas.send_event = lambda event_type, **kwargs: event_type == "draw" and log.append("draw event")
        canvas.send_binary = lambda data: log.append("picture")
        canvas.syncing_data_url = False

        def fire_timers():
            due, timers[:] = list(timers), []
            for timer in due:
                for callback in timer.callbacks:
                    callback()

        live.refresh()
        canvas.handle_event({"type": "draw"})  # the browser asks; a picture goes
        line.set_ydata([1, 0])
        live.refresh()  # the browser still waits for that picture: this draw event is lost
        log.clear()
        fire_timers()
        assert log == ["draw event"], "asked again, since no picture with the change was sent"
        canvas.handle_event({"type": "draw"})
        assert log == ["draw event", "picture"]
        log.clear()
        fire_timers()
        fire_timers()
        assert log == [], "nothing more once the picture with the change has gone"
        assert all(t.single_shot for t in timers)
    finally:
        plt.close("all")
        plt.switch_backend(previous)
