"""Tests of the one-hot explorer's logic (notebook 01), without a browser."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.data import load_xkcd_colors
from helpers.widgets.onehot import OneHotExplorer, pairwise_distances


@pytest.fixture
def explorer():
    return OneHotExplorer(load_xkcd_colors(polite=True), size=6)


def test_one_hot_distances_are_all_sqrt_two(explorer):
    D = explorer.distances()
    off = D[~np.eye(6, dtype=bool)]
    assert np.allclose(off, np.sqrt(2)) and np.allclose(np.diag(D), 0)
    assert "tied at 1.414" in explorer.describe() and "83% zeros" in explorer.describe()


def test_rgb_distances_vary(explorer):
    explorer.set_representation("RGB values")
    X = explorer.vectors()
    assert X.shape == (6, 3)
    off = explorer.distances()[~np.eye(6, dtype=bool)]
    assert off.max() - off.min() > 0.3
    assert "tied" not in explorer.describe()


def test_vocabulary_spans_hues_and_resizes(explorer):
    explorer.set_size(12)
    names = [name for name, _ in explorer.vocabulary()]
    assert len(set(names)) == 12 and explorer.vectors().shape == (12, 12)


def test_vocabularies_grow_one_colour_at_a_time_across_the_hues(explorer):
    import colorsys

    previous: set[str] = set()
    for size in range(2, explorer.max_size + 1):
        vocab = explorer.vocabulary(size)
        names = {name for name, _ in vocab}
        assert len(names) == size and previous < names  # the smaller vocabulary plus one colour
        previous = names
        hues = [colorsys.rgb_to_hls(*rgb)[0] for _, rgb in vocab if colorsys.rgb_to_hls(*rgb)[2] > 0.25]
        assert hues == sorted(hues)  # rows in rainbow order
    hues = [colorsys.rgb_to_hls(*rgb)[0] for _, rgb in explorer.vocabulary(8)]
    assert max(hues) - min(hues) > 0.6  # eight colours already span most of the wheel


def test_selected_colour_stays_selected_when_the_vocabulary_grows(explorer):
    explorer.select(4)
    name = explorer.vocabulary()[4][0]
    explorer.set_size(12)
    assert explorer.vocabulary()[explorer.selected][0] == name


def test_selection_follows_size(explorer):
    explorer.select(5)
    explorer.set_size(3)
    assert explorer.selected == 2


@pytest.mark.parametrize("call,arg,message", [
    ("set_size", 1, "size must be an integer from 2"),
    ("set_size", 99, "size must be an integer from 2"),
    ("set_representation", "bits", "representation must be 'one-hot' or 'RGB values'"),
    ("select", 6, "index must be an integer from 0 to 5"),
])
def test_bad_input_is_named(explorer, call, arg, message):
    with pytest.raises(ValueError, match=message):
        getattr(explorer, call)(arg)


def test_bad_colours_are_named():
    with pytest.raises(TypeError, match="colors must be a list"):
        OneHotExplorer("red")
    with pytest.raises(ValueError, match=r"colors\[1\]"):
        OneHotExplorer([("a", (0, 0, 0)), ("b", (2, 0, 0))])


def test_widget_redraws_when_controls_move(explorer):
    view = explorer.widget()
    before = bytes(explorer._live.widget.value)
    explorer._size_slider.value = 10
    after = bytes(explorer._live.widget.value)
    assert after != before and explorer.size == 10
    assert len(explorer._pick.options) == 10
    explorer._rep_buttons.value = "RGB values"
    assert bytes(explorer._live.widget.value) != after
    assert "RGB values" in explorer._readout.value
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle and view is explorer.widget()


def test_pairwise_distances_matches_numpy():
    X = np.random.default_rng(0).normal(size=(5, 3))
    expected = np.linalg.norm(X[:, None] - X[None], axis=-1)
    assert np.allclose(pairwise_distances(X), expected)
