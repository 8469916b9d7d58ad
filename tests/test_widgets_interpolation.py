"""The interpolation explorer (helpers.widgets.interpolation), operated without a browser."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from support import counting_draws

from helpers.latent_space import decode_points, encode_images, interpolate, pixel_blend
from helpers.widgets.interpolation import InterpolationExplorer


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
    scatter_draws = counting_draws(walk.ax_map.collections[0])
    line_draws = counting_draws(walk.line)
    walk.select_pair(4, 9)
    assert scatter_draws == [] and line_draws == [1]


def test_an_end_label_turns_away_from_a_class_name_in_its_way(walk):
    walk.select_pair(3, 7)
    renderer = walk._figure.canvas.get_renderer()
    beyond = walk.label_b.get_window_extent(renderer)   # where the label sits when nothing is in the way
    blocker = walk.ax_map.text(*walk.ax_map.transData.inverted().transform(beyond.p0), "a class name in the way",
                               fontsize=12)
    walk.select_pair(3, 7)
    assert not walk.label_b.get_window_extent(renderer).overlaps(blocker.get_window_extent(renderer))
    assert walk.label_b.get_text().startswith("B: ")


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
