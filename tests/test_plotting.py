"""Tests of helpers.plotting: live figures in both the static and the ipympl mode."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

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


def test_fixed_layout_can_be_turned_off():
    fig, ax = plotting.new_figure(figsize=(4, 3))
    live = plotting.LiveFigure(fig, fixed_layout=False)
    live.refresh()
    before = ax.get_position().x0
    ax.set_yticks([0, 1], ["a much, much longer label", "and another one"])
    live.refresh()
    assert ax.get_position().x0 > before


def test_refresh_animated_redraws_only_the_animated_artists():
    fig, ax = plotting.new_figure(figsize=(3, 2))
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (still,) = ax.plot([0, 1], [0.2, 0.2], color="blue", linewidth=4)
    (moving,) = ax.plot([0.5], [0.5], "o", color="red", markersize=12)
    live = plotting.LiveFigure(fig, animated=[moving])
    live.refresh()
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
