"""The latent explorer and the interpolation explorer, operated without a browser."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from helpers.latent_space import decode_points, encode_images, interpolate, latent_grid, pixel_blend
from helpers.models.autoencoder import Autoencoder
from helpers.widgets.interpolation import InterpolationExplorer
from helpers.widgets.latent import LatentExplorer, plot_latent_manifold


@pytest.fixture(scope="module")
def net2():
    torch.manual_seed(0)
    return Autoencoder(latent_dim=2, hidden=(32,)).eval()


@pytest.fixture(scope="module")
def net16():
    torch.manual_seed(1)
    return Autoencoder(latent_dim=16, hidden=(32,)).eval()


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(60, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 3, 60).astype(np.int64)
    return images, labels, ("cat", "dog", "bird")


@pytest.fixture
def explorer(net2, data):
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(500, 2)).astype(np.float32)
    labels = rng.integers(0, 3, 500)
    return LatentExplorer(net2, Z, labels, data[2], grid_size=4)


def _counting(artist):
    """Make ``artist.draw`` count its calls."""
    calls = []
    original = artist.draw

    def draw(renderer, *args, **kwargs):
        calls.append(1)
        return original(renderer, *args, **kwargs)

    artist.draw = draw
    return calls


# ----------------------------------------------------------------------------- latent explorer


def test_move_to_updates_cursor_image_and_sliders(explorer, net2):
    png_before = explorer.live.widget.value
    image = explorer.move_to([0.5, -0.25])
    np.testing.assert_allclose(image, decode_points(net2, [0.5, -0.25]), atol=1e-6)
    np.testing.assert_allclose(explorer.decoded, image, atol=1e-6)
    np.testing.assert_allclose(explorer.cursor.get_offsets(), [[0.5, -0.25]])
    np.testing.assert_allclose(explorer.position, [0.5, -0.25])
    assert explorer.slider_x.value == pytest.approx(0.5, abs=explorer.slider_x.step)
    assert explorer.slider_y.value == pytest.approx(-0.25, abs=explorer.slider_y.step)
    assert "z = (0.50, -0.25)" in explorer.readout.get_text()
    assert "nearest training code:" in explorer.readout.get_text()
    assert explorer.live.widget.value != png_before  # the picture was sent again


def test_move_to_redraws_only_what_changed(explorer):
    scatter_draws = _counting(explorer._scatter[0])
    cursor_draws = _counting(explorer.cursor)
    explorer.move_to([0.1, 0.2])
    explorer.move_to([0.3, 0.4])
    assert scatter_draws == [] and len(cursor_draws) == 2


@pytest.mark.parametrize(
    "z,error,words",
    [
        ([1.0, 2.0, 3.0], ValueError, r"z must have 2 values"),
        ([[1.0, 2.0]], ValueError, r"got shape \(1, 2\)"),
        ([np.nan, 0.0], ValueError, "z contains 1 NaN"),
        (["a", "b"], TypeError, "z must hold numbers"),
    ],
)
def test_move_to_rejects_bad_points(explorer, z, error, words):
    before = explorer.position
    with pytest.raises(error, match=words):
        explorer.move_to(z)
    np.testing.assert_allclose(explorer.position, before)  # nothing moved


def test_sliders_and_clicks_move_the_cursor(explorer):
    explorer.slider_x.value = 1.0
    assert explorer.position[0] == pytest.approx(1.0)
    explorer._on_click(SimpleNamespace(inaxes=explorer.ax_map, xdata=-0.7, ydata=0.4))
    np.testing.assert_allclose(explorer.position, [-0.7, 0.4], atol=1e-6)
    explorer._on_click(SimpleNamespace(inaxes=explorer.ax_image, xdata=3.0, ydata=3.0))  # not the map
    np.testing.assert_allclose(explorer.position, [-0.7, 0.4], atol=1e-6)


def test_nearest_training_point(explorer):
    target = explorer.Z[17]
    assert explorer.nearest_training_point(target) == 17


def test_grid_view_shows_the_decoded_lattice(explorer, net2):
    explorer.show_grid(True)
    assert explorer.grid_image.get_visible() and explorer.grid_toggle.value
    expected = latent_grid(net2, explorer.xlim, explorer.ylim, 4)
    np.testing.assert_allclose(explorer.grid_image.get_array(), expected, atol=1e-6)
    assert explorer.grid_points().shape == (16, 2)
    explorer.grid_toggle.value = False
    assert not explorer.grid_image.get_visible()


def test_the_decoded_lattice_keeps_its_tiles_square(explorer):
    """Laid over the map, the lattice's tiles are square, as in plot_latent_manifold (the figure check)."""
    from figure_check import problems_when_drawn

    explorer.show_grid(True)
    assert [p for p in problems_when_drawn(explorer.fig) if "squeezed" in p] == []


def test_explorer_needs_a_2d_model_and_matching_codes(net16, net2):
    with pytest.raises(ValueError, match="2-D bottleneck"):
        LatentExplorer(net16, np.zeros((10, 2)))
    with pytest.raises(ValueError, match=r"Z must have 2 columns \(latent codes"):
        LatentExplorer(net2, np.zeros((10, 3)))
    with pytest.raises(ValueError, match="labels must have one label per row of Z: got 9 labels for 10 rows"):
        LatentExplorer(net2, np.random.default_rng(0).normal(size=(10, 2)), labels=np.zeros(9, dtype=int))


def test_explorer_displays_a_widget_and_a_static_png(explorer):
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle
    assert explorer.static_png().startswith(b"\x89PNG")


def test_latency_report(explorer):
    report = explorer.measure_latency(n=5)
    assert report["n"] == 5 and 0 < report["p50_ms"] <= report["p95_ms"] <= report["max_ms"]


# ----------------------------------------------------------------------------- interpolation


@pytest.fixture
def walk(net2, data):
    images, labels, names = data
    return InterpolationExplorer(net2, images, labels=labels, class_names=names, pair=(0, 1), steps=5)


def test_select_pair_computes_path_decodings_and_blend(walk, net2, data):
    images = data[0]
    path = walk.select_pair(3, 7)
    Z = encode_images(net2, images)
    np.testing.assert_allclose(path, interpolate(Z[3], Z[7], 5), atol=1e-5)
    np.testing.assert_allclose(walk.path(), path)
    np.testing.assert_allclose(walk.decoded(), decode_points(net2, path), atol=1e-5)
    np.testing.assert_allclose(walk.blended(), pixel_blend(images[3], images[7], 5), atol=1e-6)
    xs, ys = walk.line.get_data()
    np.testing.assert_allclose([xs[0], ys[0]], Z[3], atol=1e-5)
    np.testing.assert_allclose([xs[-1], ys[-1]], Z[7], atol=1e-5)
    assert walk.pair == (3, 7) and (walk.box_a.value, walk.box_b.value) == (3, 7)
    assert walk.label_a.get_text().startswith("A: ") and "(#3)" in walk.label_a.get_text()
    assert walk.walk_image.get_array().shape == (28, 5 * 30 - 2)


@pytest.mark.parametrize(
    "i,j,error,words",
    [
        (60, 1, ValueError, r"i must be an integer from 0 to 59 \(there are 60 images\), got 60"),
        (0, -1, ValueError, r"j must be an integer from 0 to 59 \(there are 60 images\), got -1"),
        (1.5, 2, TypeError, "i must be an integer from 0 to 59"),
    ],
)
def test_select_pair_rejects_bad_indices(walk, i, j, error, words):
    with pytest.raises(error, match=words):
        walk.select_pair(i, j)
    assert walk.pair == (0, 1)


def test_select_pair_redraws_only_what_changed(walk):
    scatter_draws = _counting(walk.ax_map.collections[0])
    line_draws = _counting(walk.line)
    walk.select_pair(4, 9)
    assert scatter_draws == [] and line_draws == [1]


def test_index_boxes_steps_and_clicks(walk):
    walk.box_b.value = 12
    assert walk.pair == (0, 12)
    walk.set_steps(7)
    assert walk.path().shape == (7, 2) and walk.steps_slider.value == 7
    assert [t.get_text() for t in walk.ax_walk.get_xticklabels()][:2] == ["A", "1"]
    with pytest.raises(ValueError, match="steps must be an integer from 2 to 30"):
        walk.set_steps(1)
    # a click picks the nearest image: first as A, then as B
    target = walk.map_points[20]
    assert walk.pick_at(*target) == 20 and walk.pair[0] == 20
    walk._on_click(SimpleNamespace(inaxes=walk.ax_map, xdata=walk.map_points[33][0], ydata=walk.map_points[33][1]))
    assert walk.pair == (20, 33)


def test_wider_bottleneck_is_drawn_on_its_principal_plane(net16, data):
    images, labels, names = data
    walk = InterpolationExplorer(net16, images, labels=labels, class_names=names, steps=6)
    path = walk.select_pair(2, 5)
    assert path.shape == (6, 16)
    on_map = walk.path_dots.get_offsets()
    # a straight line in 16-D stays a straight line on the map: equal steps, one direction
    steps = np.diff(on_map, axis=0)
    np.testing.assert_allclose(steps, np.repeat(steps[:1], len(steps), axis=0), atol=1e-4)


def test_interpolation_input_checks(net2, data):
    images = data[0]
    with pytest.raises(ValueError, match="images must hold at least 2 images"):
        InterpolationExplorer(net2, images[:1])
    with pytest.raises(ValueError, match="Z must hold one code per image"):
        InterpolationExplorer(net2, images, Z=np.zeros((5, 2)))
    with pytest.raises(ValueError, match="pair\\[0\\] must be an integer from 0 to 59"):
        InterpolationExplorer(net2, images, pair=(100, 1))


def test_manifold_figure(net2):
    Z = np.random.default_rng(2).normal(size=(300, 2))
    fig = plot_latent_manifold(net2, Z, np.zeros(300, dtype=int), ["one"], n=5)
    ax_map, ax_grid = fig.axes[:2]
    assert ax_grid.images[0].get_array().shape == (140, 140)
    assert ax_map.get_xlabel() and ax_grid.get_title()
    from figure_check import problems_when_drawn

    assert [p for p in problems_when_drawn(fig) if "squeezed" in p] == []
