"""Tests of helpers.plotting: live figures in both the static and the ipympl mode."""

from __future__ import annotations

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import figure_stamps, plotting


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
    fig.canvas.mpl_connect("draw_event", lambda event: draws.append(1))
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
    fig.canvas.mpl_connect("draw_event", lambda event: draws.append(1))
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


# ------------------------------------------------------------------ StampedLabels


def _ink_box(rgba, columns=slice(None)):
    """(first row, last row, first column, last column) of dark pixels in a region."""
    dark = np.argwhere(np.asarray(rgba)[:, columns, 0] < 160)
    return (*dark.min(axis=0), *dark.max(axis=0))


def _labelled_figure(stamped: bool, names=("red", "light blue", "grey  2"), dpi=100):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(4, 3), dpi=dpi)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.45, 0.15, 0.5, 0.75))
    ax.imshow(np.eye(len(names)), cmap="Greys", aspect="auto", vmin=2, vmax=3)  # a white picture
    ax.set_xticks([])
    if stamped:
        ax.set_yticks(range(len(names)), [""] * len(names))
        labels = figure_stamps.StampedLabels(ax, axis="y", fontsize=9)
        labels.set_labels(range(len(names)), names)
    else:
        ax.set_yticks(range(len(names)), names, fontsize=9)
        labels = None
    return fig, ax, labels


def test_stamped_labels_sit_where_tick_labels_would():
    texts, _, _ = _labelled_figure(stamped=False)
    stamps, _, _ = _labelled_figure(stamped=True)
    texts.canvas.draw()
    stamps.canvas.draw()
    left = slice(0, 170)  # the margin left of the axes, where the names are
    expected = _ink_box(texts.canvas.buffer_rgba(), left)
    got = _ink_box(stamps.canvas.buffer_rgba(), left)
    assert np.abs(np.array(got) - np.array(expected)).max() <= 1, (got, expected)


def test_stamped_labels_render_each_text_once_per_size():
    fig, _, labels = _labelled_figure(stamped=True)
    fig.canvas.draw()
    assert labels.stamps_rendered == 3
    fig.canvas.draw()
    labels.set_labels([0, 1], ["red", "light blue"])
    fig.canvas.draw()
    assert labels.stamps_rendered == 3  # the same texts at the same size: pasted, not rendered
    labels.set_labels([0, 1], ["red", "light blue"], fontsize=12)
    fig.canvas.draw()
    assert labels.stamps_rendered == 5


def test_stamped_labels_follow_the_resolution_of_a_saved_picture():
    import io

    from PIL import Image

    fig, _, labels = _labelled_figure(stamped=True)
    boxes = []
    for dpi in (100, 200):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=dpi)
        picture = np.asarray(Image.open(buffer).convert("RGBA"))
        boxes.append(_ink_box(picture, slice(0, int(1.7 * dpi))))
    height = [box[2] - box[0] for box in boxes]
    assert 1.8 < height[1] / height[0] < 2.2  # twice the dots: labels twice as tall, not pasted small


def test_stamped_labels_can_stand_further_out():
    near, _, _ = _labelled_figure(stamped=True)
    far, _, labels = _labelled_figure(stamped=True)
    labels.set_labels(range(3), ["red", "light blue", "grey  2"], offset=20)
    near.canvas.draw()
    far.canvas.draw()
    shift = _ink_box(near.canvas.buffer_rgba(), slice(0, 170))[3] - _ink_box(far.canvas.buffer_rgba(), slice(0, 170))[3]
    assert abs(shift - 20 * 100 / 72) <= 1  # 20 points further left, at 100 dots per inch
    assert far.axes[0].yaxis.labelpad > near.axes[0].yaxis.labelpad + 19


def test_stamped_labels_count_in_the_layout():
    fig = Figure(figsize=(4, 3), layout="constrained")
    ax = fig.subplots()
    ax.set_yticks([0, 1], ["", ""])
    figure_stamps.StampedLabels(ax, axis="y", fontsize=10).set_labels([0, 1], ["a rather long colour name", "b"])
    fig.draw_without_rendering()
    assert ax.get_position().x0 > 0.25  # room was left for the names


def test_stamped_labels_on_the_x_axis_and_in_vector_output():
    import io

    fig = Figure(figsize=(4, 3))
    ax = fig.subplots()
    ax.set_xlim(-0.5, 2.5)
    labels = figure_stamps.StampedLabels(ax, axis="x", fontsize=8)
    labels.set_labels([0, 1, 2], ["zero", "one", "two"])
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg")
    svg = buffer.getvalue()
    assert svg.count("<!-- zero -->") == 1 and "<!-- two -->" in svg  # real text where pixels are not wanted


def test_stamped_labels_validate_their_arguments():
    fig = Figure()
    ax = fig.subplots()
    with pytest.raises(TypeError, match="ax must be a matplotlib Axes"):
        figure_stamps.StampedLabels("ax")
    with pytest.raises(ValueError, match="axis must be 'x' or 'y'"):
        figure_stamps.StampedLabels(ax, axis="z")
    labels = figure_stamps.StampedLabels(ax)
    with pytest.raises(TypeError, match="positions must hold numbers"):
        labels.set_labels(["top"], ["a"])
    with pytest.raises(ValueError, match="positions and texts must have the same length"):
        labels.set_labels([0, 1], ["a"])
    with pytest.raises(TypeError, match=r"texts\[1\] must be a string"):
        labels.set_labels([0, 1], ["a", 2])
    with pytest.raises(ValueError, match="fontsize must be a positive number"):
        labels.set_labels([0], ["a"], fontsize=0)
    with pytest.raises(ValueError, match="offset must be a number of points, got 'far'"):
        labels.set_labels([0], ["a"], offset="far")


# ------------------------------------------------------------------ freeze


def _legend_figure():
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.1, 0.5, 0.8))
    for i in range(6):
        ax.scatter([i], [i], label=f"class {i}")
    legend = ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    return fig, legend


def test_a_frozen_artist_looks_the_same_and_is_laid_out_once(monkeypatch):
    plain, _ = _legend_figure()
    frozen, legend = _legend_figure()
    figure_stamps.freeze(legend)
    plain.canvas.draw()
    frozen.canvas.draw()
    expected = np.asarray(plain.canvas.buffer_rgba()).astype(int)
    got = np.asarray(frozen.canvas.buffer_rgba()).astype(int)
    assert np.abs(got - expected).max() <= 2  # the same picture, up to rounding in the blend
    drawn = []
    real = type(legend).draw
    monkeypatch.setattr(type(legend), "draw", lambda self, r: drawn.append(1) or real(self, r))
    frozen.canvas.draw()
    frozen.canvas.draw()
    assert drawn == []  # pasted from the picture


def test_a_frozen_artist_is_drawn_again_at_another_size():
    import io

    from PIL import Image

    fig, legend = _legend_figure()
    figure_stamps.freeze(legend)
    fig.canvas.draw()
    small_ink = (np.asarray(fig.canvas.buffer_rgba())[:, 250:, 0] < 128).sum()  # the legend's side
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=200)
    big = np.asarray(Image.open(buffer).convert("RGB"))
    assert big.shape[:2] == (600, 800)
    big_ink = (big[:, 500:, 0] < 128).sum()
    assert small_ink > 0 and 3 * small_ink < big_ink < 5 * small_ink  # drawn again at twice the dots, not pasted


def test_freeze_validates_its_argument():
    with pytest.raises(TypeError, match="artist must be a matplotlib Artist"):
        figure_stamps.freeze("legend")


# ------------------------------------------------------------------ stamp_text


def _text_figure(dx: float = 0.0):
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.15, 0.15, 0.8, 0.7))
    ax.set(xlim=(0, 400), ylim=(0, 300), title="Words and their neighbours", xlabel="PCA 1", ylabel="PCA 2")
    for i, word in enumerate(["king", "queen", "frog", "coffee", "physics"]):
        ax.annotate(word, (40 + 60 * i + dx, 50 + 40 * i), fontsize=8 + i)
    ax.text(200, 250, "rotated", rotation=30)
    ax.text(100, 250, r"$\alpha_i^2$")  # mathematical text: drawn as usual
    return fig


def _rgb(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def _looks_alike(a: np.ndarray, b: np.ndarray) -> bool:
    """The same picture but for texts shifted by under half a pixel: compared in 2 x 2 blocks."""
    def blocks(x: np.ndarray) -> np.ndarray:
        grey = x.mean(axis=2)
        return (grey[0::2, 0::2] + grey[1::2, 0::2] + grey[0::2, 1::2] + grey[1::2, 1::2]) / 4

    return (np.abs(blocks(a) - blocks(b)) > 64).mean() < 0.005


def test_stamped_text_looks_the_same_and_is_rendered_once(monkeypatch):
    plain = _rgb(_text_figure())
    fig = _text_figure()
    figure_stamps.stamp_text(fig.canvas.get_renderer())
    first = _rgb(fig)
    assert _looks_alike(first, plain)  # texts are placed on whole pixels: a shift under half a pixel
    assert not np.array_equal(first, plain)
    renderer = figure_stamps.stamp_text(fig.canvas.get_renderer())  # a second call changes nothing
    rendered = []
    render = renderer._text_stamps.draw_directly
    monkeypatch.setattr(renderer._text_stamps, "draw_directly",
                        lambda gc, x, y, s, *a, **k: rendered.append(s) or render(gc, x, y, s, *a, **k))
    again = _rgb(fig)
    assert np.array_equal(again, first)  # pasted: exactly the pixels of the first draw
    assert rendered == [r"$\alpha_i^2$"]  # only the mathematical text was rendered again


def test_stamped_renderers_lay_texts_out_as_matplotlib_does():
    def extents(stamped: bool) -> list:
        fig = _text_figure()
        ax = fig.axes[0]
        ax.text(50, 200, "two lines\nof text", fontsize=11, linespacing=1.5)
        ax.text(50, 150, "normal spacing\nsecond line", fontsize=7, family="monospace")
        renderer = fig.canvas.get_renderer()
        if stamped:
            figure_stamps.stamp_text(renderer)
        fig.canvas.draw()
        return [tuple(np.round(t.get_window_extent(renderer).bounds, 6)) for t in (*ax.texts, ax.title)]

    assert extents(True) == extents(False)


def test_a_stamped_text_moved_by_whole_pixels_keeps_its_pixels():
    fig = _text_figure()
    renderer = figure_stamps.stamp_text(fig.canvas.get_renderer())
    before = _rgb(fig)
    stamps = len(renderer._text_stamps.stamps)
    for text in fig.axes[0].texts[:5]:
        text.xyann = (text.xyann[0] + 5, text.xyann[1])  # 5 data units = 4 pixels at this size
    after = _rgb(fig)
    assert len(renderer._text_stamps.stamps) == stamps  # no new text rendered
    unstamped = _text_figure(dx=5)
    assert _looks_alike(after, _rgb(unstamped))
    assert not np.array_equal(after, before)


def _outlined_label_figure(pasted: bool):
    import matplotlib.patheffects as effects
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(3, 2), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set(xlim=(0, 300), ylim=(0, 200))
    ax.scatter([150, 160], [100, 90], s=400, color="tab:blue")
    label = ax.text(150, 100, "Ankle boot", fontsize=9, fontweight="bold", color="#882255", ha="center",
                    va="center", path_effects=[effects.withStroke(linewidth=3, foreground="white")])
    if pasted:
        figure_stamps.paste_text(label)
    return fig, label


def test_a_pasted_text_looks_the_same_and_is_drawn_once_per_look(monkeypatch):
    plain, _ = _outlined_label_figure(pasted=False)
    fig, label = _outlined_label_figure(pasted=True)
    first = _rgb(fig)
    assert _looks_alike(first, _rgb(plain)) and not np.array_equal(first, np.full_like(first, 255))
    rendered = []
    render = figure_stamps._render_alone
    monkeypatch.setattr(figure_stamps, "_render_alone", lambda *a, **k: rendered.append(a[0]) or render(*a, **k))
    label.set_position((100, 50))   # moved: pasted at its new place, not rendered again
    moved = _rgb(fig)
    assert rendered == [] and not np.array_equal(moved, first)
    plain_moved, plain_label = _outlined_label_figure(pasted=False)
    plain_label.set_position((100, 50))
    assert _looks_alike(moved, _rgb(plain_moved))
    label.set_text("Sneaker")   # another string: rendered once more
    _rgb(fig)
    assert rendered == ["Sneaker"]
    with pytest.raises(TypeError, match="text must be a matplotlib Text, got str"):
        figure_stamps.paste_text("Sneaker")


def test_live_figures_stamp_their_texts_and_stamp_text_checks_its_argument():
    fig = _text_figure()
    live = plotting.LiveFigure(fig)
    live.refresh()
    assert isinstance(fig.canvas.get_renderer()._text_stamps, figure_stamps._TextStamps)
    assert len(fig.canvas.get_renderer()._text_stamps.stamps) >= 5
    with pytest.raises(TypeError, match="renderer must be a matplotlib RendererAgg, got str"):
        figure_stamps.stamp_text("renderer")


def test_fast_png_holds_the_exact_pixels():
    import io

    from PIL import Image

    rgba = np.random.default_rng(0).integers(0, 256, size=(37, 53, 4), dtype=np.uint8)
    png = plotting._fast_png(rgba)
    assert png.startswith(b"\x89PNG")
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(png))), rgba[..., :3])
    fig = _text_figure()
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


def _nearest_pictures(data, fast: bool, **imshow):
    """The picture of ``data`` shown with imshow(nearest), as matplotlib draws it and with whole_pixels."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(3, 4), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.1, 0.05, 0.83, 0.9))
    ax.set_axis_off()
    image = ax.imshow(data, interpolation="nearest", **imshow)
    if fast:
        assert figure_stamps.whole_pixels(image) is image
    fig.canvas.draw()
    return fig, image, np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


@pytest.mark.parametrize("kind", ["rgb", "numbers", "numbers stretched", "numbers from the bottom"])
def test_whole_pixels_shows_what_matplotlib_shows(kind):
    """Scaled up by numpy on whole pixels: what matplotlib's nearest-neighbour image shows, less its cost."""
    import io

    from PIL import Image

    rng = np.random.default_rng(3)
    if kind == "rgb":
        data, imshow = rng.integers(0, 256, size=(23, 17, 3), dtype=np.uint8), {}
    else:
        data = rng.normal(size=(23, 17))
        imshow = {"cmap": "viridis", "vmin": -1, "vmax": 1, "aspect": "auto" if "stretched" in kind else "equal",
                  "origin": "lower" if "bottom" in kind else "upper"}
    _, _, slow = _nearest_pictures(data, False, **imshow)
    fig, image, fast = _nearest_pictures(data, True, **imshow)
    differ = np.abs(slow - fast).max(axis=2) > 0
    assert differ.mean() < 0.02  # at most a pixel's shift at some edges between image pixels
    assert np.array_equal(fast[200, 150], slow[200, 150])
    assert np.array_equal(np.asarray(image.get_array()), data)
    image.set_data(data[::-1])  # new data: drawn anew
    fig.canvas.draw()
    flipped = np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)
    assert (np.abs(flipped - fast).max(axis=2) > 0).mean() > 0.3
    buffer = io.StringIO()  # vector output: drawn as matplotlib would
    fig.savefig(buffer, format="svg")
    assert "<image" in buffer.getvalue()
    image.set_data(data)
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=50)  # another resolution: scaled for it
    half = np.asarray(Image.open(png).convert("RGB")).astype(int)
    assert half.shape[:2] == (200, 150)
    assert np.mean(np.abs(half - slow[::2, ::2]).max(axis=2) > 0) < 0.1


def test_whole_pixels_makes_only_the_visible_pixels_when_zoomed_in():
    """Zoomed far into an image (the toolbar's zoom), only the part inside the axes is made, as matplotlib shows it."""
    rng = np.random.default_rng(4)
    data = rng.normal(size=(24, 24))
    pictures = []
    for fast in (False, True):
        fig, image, _ = _nearest_pictures(data, fast, cmap="viridis", aspect="auto")
        image.axes.set_xlim(10.6, 9.7)  # about a pixel across, turned right to left: the whole image would be
        # ~20,000 screen pixels wide
        image.axes.set_ylim(12.8, 11.4)
        fig.canvas.draw()
        pictures.append(np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int))
        if fast:
            sheet = image._sheet
            box = image.axes.bbox
            assert sheet.shape[0] <= box.height + 2 and sheet.shape[1] <= box.width + 2
    differ = np.abs(pictures[0] - pictures[1]).max(axis=2) > 0
    assert differ.mean() < 0.02


def test_whole_pixels_takes_nearest_images_only():
    ax = Figure().add_subplot()
    with pytest.raises(ValueError, match="image must be shown with interpolation='nearest', got 'bilinear'"):
        figure_stamps.whole_pixels(ax.imshow(np.zeros((4, 4)), interpolation="bilinear"))
    with pytest.raises(TypeError, match="image must be a matplotlib AxesImage .from imshow., got str"):
        figure_stamps.whole_pixels("image")
