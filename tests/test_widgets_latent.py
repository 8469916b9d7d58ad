"""The latent explorer (helpers.widgets.latent), operated without a browser."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from support import counting_draws

from helpers.latent_space import decode_points, latent_grid
from helpers.widgets.latent import LatentExplorer, plot_latent_manifold


@pytest.fixture
def explorer(net2, data):
    rng = np.random.default_rng(1)
    Z = rng.normal(size=(500, 2)).astype(np.float32)
    labels = rng.integers(0, 3, 500)
    return LatentExplorer(net2, Z, labels, data[2], grid_size=4)


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
    scatter_draws = counting_draws(explorer._scatter[0])
    cursor_draws = counting_draws(explorer.cursor)
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


def test_manifold_figure(net2):
    Z = np.random.default_rng(2).normal(size=(300, 2))
    fig = plot_latent_manifold(net2, Z, np.zeros(300, dtype=int), ["one"], n=5)
    ax_map, ax_grid = fig.axes[:2]
    assert ax_grid.images[0].get_array().shape == (140, 140)
    assert ax_map.get_xlabel() and ax_grid.get_title()
    from figure_check import problems_when_drawn

    assert [p for p in problems_when_drawn(fig) if "squeezed" in p] == []
