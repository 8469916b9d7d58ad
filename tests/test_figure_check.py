"""The figure check finds clipped, unreadable and too small text, and passes clean figures."""

from __future__ import annotations

import json

import numpy as np
import pytest
from figure_check import contrast, install, problems_when_drawn, read_report
from matplotlib.figure import Figure

from helpers import figures


def _problems(fig) -> list[str]:
    """Draw ``fig`` as a notebook shows it and return what the notebooks' figure check finds."""
    return problems_when_drawn(fig)


def _clean_figure(width: float = 6) -> Figure:
    fig = Figure(figsize=(width, 3), layout="constrained")
    ax = fig.subplots()
    ax.plot([0, 0.5, 2], [1.2, 3, 2])
    ax.set(title="a clean figure", xlabel="x", ylabel="y")
    return fig


def test_contrast_ratio():
    assert contrast((0, 0, 0), (1, 1, 1)) == pytest.approx(21)
    assert contrast((0.2, 0.2, 0.2), (0.2, 0.2, 0.2)) == pytest.approx(1)


def test_a_clean_figure_has_no_problems():
    assert _problems(_clean_figure()) == []


def test_black_numbers_on_black_cells_are_found():
    fig = Figure(figsize=(4, 2))
    ax = fig.subplots()
    ax.imshow([[0.0, 1.0, 0.0]], cmap="Greys", vmin=0, vmax=1)
    for col, value in enumerate([0.0, 1.0, 0.0]):
        ax.text(col, 0, f"{value:.2f}", ha="center", va="center", fontsize=9, color="black")
    found = _problems(fig)
    assert len(found) == 1 and "'1.00' has a contrast of 1.0" in found[0], found


def test_annotate_cells_writes_readable_numbers_on_every_cell():
    fig = Figure(figsize=(6, 2))
    for ax, cmap in zip(fig.subplots(1, 2), ["Greys", "viridis"]):
        figures.annotate_cells(ax, ax.imshow(np.linspace(0, 1, 8).reshape(2, 4), cmap=cmap, vmin=0, vmax=1))
    assert _problems(fig) == []


def test_a_label_cut_off_by_the_edge_is_found():
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.set_xlabel("a label far too long for so narrow a figure, cut at both ends")
    found = _problems(fig)
    assert any("cut off by the figure's edge" in p and "far too long" in p for p in found), found


def test_small_titles_and_tick_labels_are_found():
    fig = _clean_figure()
    fig.axes[0].set_title("tiny", fontsize=6)
    found = _problems(fig)
    assert found == ["titles or tick labels 'tiny' are 6.0 pt at display size (6 pt in a figure 600 px wide; "
                     "at least 8)"], found


def test_a_figure_wider_than_the_page_shrinks_its_text():
    found = _problems(_clean_figure(width=16))                 # shown at 1,100 of its 1,600 pixels
    assert len(found) == 1 and "'a clean figure'" not in found[0], found     # 12 pt shrinks to 8.25 pt: fine
    assert found[0].startswith("titles or tick labels '0.00', '0.25', '0.50', '0.75' and 13 more are 6.9 pt"), found


def test_install_reports_every_drawing_and_its_problems(tmp_path):
    report = tmp_path / "figures.jsonl"
    remove = install(report)
    try:
        install(report)()                                      # a second install changes nothing
        fig = _clean_figure()
        fig.axes[0].set_title("tiny", fontsize=6)
        fig.savefig(tmp_path / "a.png", bbox_inches="tight")  # the measuring pass is not counted
        _clean_figure().savefig(tmp_path / "b.png")
    finally:
        remove()
    _clean_figure().savefig(tmp_path / "c.png")               # not checked any more
    checked, problems = read_report(report)
    assert checked == 2
    assert len(problems) == 1 and problems[0].startswith("cell [None] figure 'tiny': titles or tick labels 'tiny' "
                                                         "are 6.0 pt at display size"), problems
    assert all("figure" in json.loads(line) for line in report.read_text().splitlines())


def test_overlapping_labels_are_found():
    fig = _clean_figure()
    ax = fig.axes[0]
    ax.text(1, 2, "Pullover", fontsize=9)
    ax.text(1.05, 2.02, "Coat", fontsize=9)                   # drawn over "Pullover": "Coatullover"
    ax.text(0.2, 2.8, "Trouser", fontsize=9)                  # clear of both
    found = _problems(fig)
    assert found == ["texts 'Pullover' and 'Coat' overlap"], found


def test_a_text_box_or_legend_over_data_points_is_found():
    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.subplots()
    grid = np.mgrid[0:1:20j, 0:1:20j].reshape(2, -1)
    ax.scatter(grid[0], grid[1], s=4, label="points")
    ax.set(title="a cloud", xlabel="x", ylabel="y")
    ax.text(0.5, 0.5, "score 0.93", transform=ax.transAxes, bbox=dict(facecolor="white"))
    ax.legend(loc="upper left")
    found = _problems(fig)
    assert len(found) == 2, found
    assert found[0].startswith("the box of text 'score 0.93' hides") and found[1].startswith("the legend"), found
    clear = Figure(figsize=(6, 3), layout="constrained")
    ax = clear.subplots()
    ax.scatter(grid[0], grid[1], s=4, label="points")
    ax.set(title="a cloud", xlabel="x", ylabel="y", xlim=(-0.1, 1.8))
    ax.text(0.8, 0.5, "score 0.93", transform=ax.transAxes, bbox=dict(facecolor="white"))   # beside the cloud
    ax.legend(loc="upper right")
    assert _problems(clear) == []


def test_fractional_ticks_on_whole_numbers_are_found():
    fig = Figure(figsize=(6, 3), layout="constrained")
    ax = fig.subplots()
    ax.plot([1, 2, 3], [0.4, 0.35, 0.33], "-o")
    ax.set(title="loss by epoch", xlabel="epoch", ylabel="loss")
    found = _problems(fig)
    assert found == ["the x axis of 'loss by epoch' holds whole numbers but has fractional ticks"], found
    ax.set_xticks([1, 2, 3])
    assert _problems(fig) == []


def test_a_numbered_axis_without_a_label_is_found():
    fig = _clean_figure()
    fig.axes[0].set_ylabel("")
    found = _problems(fig)
    assert found == ["the y axis of 'a clean figure' shows numbers but has no label"], found
    fig.axes[0].set_yticks([])                                # no numbers, nothing to name
    assert _problems(fig) == []


@pytest.mark.parametrize("layout", ["constrained", None])
def test_class_names_piled_on_one_spot_are_moved_apart(layout):
    from helpers import palette

    fig = Figure(figsize=(5, 4), layout=layout)
    ax = fig.subplots()
    points = np.random.default_rng(0).normal(size=(500, 2))    # every class's middle near (0, 0): epoch 0
    codes = np.arange(500) % 10
    ax.scatter(points[:, 0], points[:, 1], s=3)
    ax.set(title="untrained", xlabel="PCA 1", ylabel="PCA 2")
    names = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
    palette.label_classes(ax, points, codes, names)
    assert _problems(fig) == [], _problems(fig)
    fig = Figure(figsize=(5, 4), layout=layout)
    ax = fig.subplots()
    ax.set(title="untrained", xlabel="PCA 1", ylabel="PCA 2")
    piled = [ax.text(0.5, 0.5, name, fontsize=9) for name in names]   # left where they are, they overlap
    assert any("overlap" in p for p in _problems(fig))
    shown = palette.separate_texts(ax, piled, drop=True)      # or keep only those that fit
    assert len(shown) == 1 and _problems(fig) == []


def test_a_squeezed_picture_is_found_and_a_stretched_heat_map_is_not():
    fig = Figure(figsize=(6, 2), layout="constrained")
    square, squeezed, heat_map = fig.subplots(1, 3)
    tile = np.random.default_rng(0).random((28, 28))
    square.imshow(tile, cmap="gray_r")
    squeezed.imshow(tile, cmap="gray_r", aspect="auto", extent=(0, 56, 28, 0))   # a tile drawn as a strip
    squeezed.set_xlim(0, 28)
    squeezed.set(title="strip")
    heat_map.imshow(tile[:, :10], cmap="viridis", aspect="auto")                # numbers may stretch
    found = _problems(fig)
    assert len(found) == 1 and "the image in 'strip' is squeezed" in found[0], found
    squeezed.images[0].set_visible(False)
    assert _problems(fig) == []
