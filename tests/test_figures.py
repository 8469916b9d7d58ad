"""helpers.figures: the notebooks' recurring pictures draw what they are given, and read at a glance."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from figure_check import problems_when_drawn  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgb  # noqa: E402

from helpers import figures, palette, validation  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def check(fig) -> list[str]:
    """Draw ``fig`` as a notebook shows it and return what the notebooks' figure check finds."""
    return problems_when_drawn(fig)


def _images(n: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, size=(n, 28, 28), dtype=np.uint8)


def test_readable_on_picks_the_colour_with_more_contrast():
    assert figures.readable_on((0, 0, 0)) == "white"
    assert figures.readable_on((1, 1, 1)) == "black"
    assert figures.readable_on((0.99, 0.91, 0.14)) == "black"      # viridis' yellow
    assert figures.luminance((1, 1, 1)) == pytest.approx(1)


def test_annotate_cells_writes_every_value_readably():
    fig, ax = plt.subplots(figsize=(4, 2))
    figures.annotate_cells(ax, ax.imshow([[0.0, 1.0, 0.5]], cmap="Greys", vmin=0, vmax=1))
    assert [t.get_text() for t in ax.texts] == ["0.00", "1.00", "0.50"]
    assert [t.get_color() for t in ax.texts][:2] == ["black", "white"]
    assert check(fig) == []


def test_annotate_cells_wants_a_heat_map_of_a_matrix():
    fig, ax = plt.subplots()
    with pytest.raises(validation.InvalidValue, match="image must be the result of ax.imshow of a 2-D array"):
        figures.annotate_cells(ax, ax.imshow(np.zeros((3, 3, 3))))


def test_neighbour_strips_frames_matches_solid_and_misses_dashed():
    same = np.array([[True, False], [False, True]])
    fig = figures.neighbour_strips(_images(2), {"by pixels": (np.stack([_images(2, 1), _images(2, 2)]), same)},
                                   row_labels=["a", "b"], title="neighbours")
    grid = fig.axes[0].get_images()[0].get_array()
    pad, step = 4, 32
    corner = lambda row, col: tuple(np.round(grid[pad + row * step, pad + col * step], 2))  # noqa: E731
    right, wrong = (tuple(np.round(to_rgb(c), 2)) for c in (palette.RIGHT, palette.WRONG))
    assert corner(0, 0) == (0.0, 0.0, 0.0)
    assert corner(0, 2) == right and corner(0, 3) == wrong
    assert corner(1, 2) == wrong and corner(1, 3) == right
    dashes = grid[pad, pad + 3 * step: pad + 3 * step + 28]   # the top edge of row 0's dashed frame
    assert not np.allclose(dashes, dashes[0]), "a miss is marked by a dashed frame, not by colour alone"
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["test image", "by pixels"]
    assert check(fig) == []


def test_neighbour_strips_wants_one_label_per_row():
    with pytest.raises(validation.InvalidValue, match="row_labels must be 2 labels, one per test image"):
        figures.neighbour_strips(_images(2), {}, row_labels=["only one"], title="t")
    with pytest.raises(validation.InvalidValue, match="query_images must be an array of images"):
        figures.neighbour_strips(_images(2)[0], {}, row_labels=["a"], title="t")


def test_look_alike_pair_draws_the_map_and_the_first_pair():
    rng = np.random.default_rng(0)
    Z = rng.normal(size=(30, 2))
    pairs = [{"i": 3, "j": 7}, {"i": 1, "j": 2}]
    fig = figures.look_alike_pair(Z, ["tab:blue"] * 30, pairs, _images(30), rng.random((30, 28, 28)),
                                  ["A: image 3", "B: image 7"])
    assert [ax.get_title() for ax in fig.axes][1:] == ["A: image 3", "decoded from its code\n"
                                                      f"({Z[3, 0]:.1f}, {Z[3, 1]:.1f})", "B: image 7",
                                                      f"decoded from its code\n({Z[7, 0]:.1f}, {Z[7, 1]:.1f})"]
    assert len(fig.axes[0].lines) == 2
    assert check(fig) == []


def test_vector_profiles_draws_one_panel_per_vector():
    vectors = {"pixels": np.random.default_rng(0).random(784), "code": np.array([0.5, -1.0])}
    fig = figures.vector_profiles(_images(1)[0], "an image", vectors, "two vectors")
    titles = [ax.get_title(loc="left") for ax in fig.axes[1:]]
    assert titles == ["pixels: 784 numbers", "code: 2 numbers"]
    assert check(fig) == []


def test_counts_and_similarity_draws_both_matrices():
    counts = np.array([[1, 0, 2], [0, 1, 1]])
    similarity = np.array([[1.0, 0.63], [0.63, 1.0]])
    fig = figures.counts_and_similarity(counts, ["a", "b", "c"], ["a c c", "b c"], similarity)
    assert [t.get_text() for t in fig.axes[1].texts] == ["1.00", "0.63", "0.63", "1.00"]
    assert check(fig) == []


def test_layer_probe_chart_draws_both_tasks_with_their_intervals():
    table = pd.DataFrame({"dim": [784, 64], "clothes k-NN": [0.7, 0.8], "clothes linear": [0.75, 0.85],
                          "digits k-NN": [0.8, 0.7], "digits linear": [0.85, 0.75]}, index=["pixels", "fc7"])
    intervals = {column: np.array([table[column] - 0.02, table[column] + 0.02]) for column in table.columns[1:]}
    fig = figures.layer_probe_chart(table, intervals, 0.88, "probes")
    assert [ax.get_title() for ax in fig.axes] == ["Fashion-MNIST: the task the network was trained on",
                                                   "MNIST digits: a new task (same network, not retrained)"]
    assert [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["pixels\n784-d", "fc7\n64-d"]
    assert check(fig) == []
    tied = figures.layer_probe_chart(table, intervals, 0.88, "probes", tied={"clothes": ["fc7"], "digits": []})
    rings = [c for c in tied.axes[0].collections if c.get_label().startswith("k-NN not clearly below")]
    assert len(rings) == 1 and rings[0].get_offsets().tolist() == [[1.0, 0.8]]
    assert check(tied) == []


def test_epoch_small_multiples_read_at_a_glance():
    """The maps of several epochs: no title runs into its neighbour's, and all pass the figure check."""
    from helpers.widgets.training_evolution import EpochExplorer

    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(5), 12)
    embeddings = rng.normal(size=(4, 60, 8)) + labels[None, :, None] * np.linspace(0, 2, 4)[:, None, None]
    explorer = EpochExplorer(embeddings, labels, title="Fashion-MNIST", scores={
        "classifier test accuracy": [0.1, 0.5, 0.8, 0.9], "k-NN accuracy of the embedding": [0.7, 0.8, 0.85, 0.86]})
    fig = explorer.small_multiples()
    assert check(fig) == []
    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig).get_renderer()
    boxes = [ax.title.get_window_extent(renderer) for ax in fig.axes if ax.get_title()]
    assert len(boxes) == 4
    assert not any(a.overlaps(b) for n, a in enumerate(boxes) for b in boxes[n + 1:])


def test_structure_chart_rings_what_the_paired_test_cannot_tell_from_the_best():
    """Overlapping 95% intervals are no verdict: on the same 2,000 images, 1,560 right (all of them
    also right for the best, 1,600) is clearly below the best, while 1,590 right with mixed
    discordant pairs is not. The chart rings the k-NN bars of the best and of the latter only."""
    from helpers.metrics import accuracy_interval, not_clearly_below_best

    best = np.arange(2000) < 1600
    subset = np.arange(2000) < 1560                                  # 40 discordant pairs, all for the best
    mixed = (np.arange(2000) < 1570) | ((np.arange(2000) >= 1600) & (np.arange(2000) < 1620))   # 30 against 20
    right = {"CNN (64)": best, "raw pixels (784)": subset, "autoencoder (16)": mixed}
    low, high = accuracy_interval(subset.mean(), 2000)
    assert low < accuracy_interval(best.mean(), 2000)[0] < high      # the intervals overlap ...
    tied = not_clearly_below_best(right)
    assert tied == ["CNN (64)", "autoencoder (16)"]                  # ... yet the paired test tells one apart
    table = pd.DataFrame({"neighbourhood recall": [0.3, np.nan, 0.5], "trustworthiness": [0.9, np.nan, 0.95],
                          "k-NN accuracy": [r.mean() for r in right.values()]}, index=list(right))
    fig = figures.structure_chart(table, 10, tied, "spaces")
    rings = [c for c in fig.axes[0].collections if c.get_label().startswith("k-NN accuracy not clearly below")]
    assert len(rings) == 1 and rings[0].get_offsets().tolist() == [[0.8, 0.27], [0.795, 2.27]]
    assert not [line for line in fig.axes[0].lines if "interval" in line.get_label()]
    assert not fig.axes[0].containers[2].errorbar                     # no interval bars on the k-NN bars
    assert check(fig) == []


def test_not_clearly_below_best_names_its_argument():
    from helpers.metrics import not_clearly_below_best

    with pytest.raises(validation.InvalidValue, match="right must be a non-empty dict"):
        not_clearly_below_best([True, False])
    with pytest.raises(validation.InvalidValue, match=r"right\['a'\]"):
        not_clearly_below_best({"a": [2, 3]})
