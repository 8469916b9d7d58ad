"""Tests of helpers.figure_stamps: labels, frozen artists and texts drawn once and pasted, whole pixels."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import figure_stamps

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


# ------------------------------------------------------------------ paste_text


def _rgb(fig) -> np.ndarray:
    fig.canvas.draw()
    return np.asarray(fig.canvas.buffer_rgba())[..., :3].astype(int)


def _looks_alike(a: np.ndarray, b: np.ndarray) -> bool:
    """The same picture but for texts shifted by under half a pixel: compared in 2 x 2 blocks."""
    def blocks(x: np.ndarray) -> np.ndarray:
        grey = x.mean(axis=2)
        return (grey[0::2, 0::2] + grey[1::2, 0::2] + grey[0::2, 1::2] + grey[1::2, 1::2]) / 4

    return (np.abs(blocks(a) - blocks(b)) > 64).mean() < 0.005


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
