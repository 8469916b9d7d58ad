"""helpers.palette: class colours and frames that every reader can tell apart.

The palettes are checked as readers with protanopia, deuteranopia and tritanopia see them
(Machado et al. 2009, full severity): every two class colours must stay at least
``MIN_DELTA_E`` apart in CIEDE2000, where about 2 is the smallest difference seen side by side
and small scatter markers need several times that.
"""

from __future__ import annotations

import numpy as np
import pytest
from support import closest_pair

from helpers import palette
from helpers.colour_vision import DEFICIENCIES, contrast_ratio

MIN_DELTA_E = 10.0
VISIONS = ["normal", *DEFICIENCIES]


@pytest.mark.parametrize("vision", VISIONS)
def test_class_colours_stay_apart_in_every_vision(vision):
    distance, first, second = closest_pair(list(palette.CLASS_COLOURS), vision)
    assert distance >= MIN_DELTA_E, f"with {vision}, {first} and {second} are only {distance:.1f} apart"


@pytest.mark.parametrize("vision", VISIONS)
def test_right_and_wrong_stay_apart_in_every_vision(vision):
    distance, _, _ = closest_pair([palette.RIGHT, palette.WRONG], vision)
    assert distance >= 2 * MIN_DELTA_E


def test_every_class_has_its_own_marker_and_colour_pair():
    assert len(set(palette.CLASS_MARKERS)) == len(palette.CLASS_MARKERS) == len(palette.CLASS_COLOURS)
    pairs = {(palette.class_colour(c), palette.class_marker(c)) for c in range(20)}
    assert len(pairs) == 20  # twenty classes (word groups): colour repeats, the pair does not
    assert palette.class_colours([0, 11]).shape == (2, 4)
    with pytest.raises(TypeError, match="codes"):
        palette.class_colours(["a"])
    with pytest.raises(ValueError, match="codes"):
        palette.class_colours([-1])


def test_frames_differ_in_shape_not_only_colour():
    image = np.zeros((28, 28))
    right, wrong = palette.framed(image, True), palette.framed(image, False)
    white = np.ones(3)
    right_gaps = np.all(right[0] == white, axis=1).sum()
    wrong_gaps = np.all(wrong[0] == white, axis=1).sum()
    assert right_gaps == 0 and wrong_gaps >= 8  # solid against dashed
    with pytest.raises(ValueError, match="image"):
        palette.framed(np.zeros(5), True)
    with pytest.raises(TypeError, match="right"):
        palette.framed(image, "yes")


def test_label_classes_puts_names_at_the_class_middles():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    points = np.array([[0, 0], [2, 2], [10, 10], [12, 12]])
    texts = palette.label_classes(ax, points, [0, 0, 1, 1], ["coat", "bag", "shirt"])
    assert [t.get_text() for t in texts] == ["coat", "bag", "shirt"]
    assert texts[0].get_position() == (1.0, 1.0) and texts[1].get_position() == (11.0, 11.0)
    assert not texts[2].get_visible()
    for text in texts:  # even the light classes' names read on white
        assert contrast_ratio(text.get_color(), "white") >= 4.5
    assert palette.text_colour("#222222") == "#222222"  # dark enough already: unchanged
    moved = palette.label_classes(ax, points + 1, [0, 0, 1, 1], ["coat", "bag", "shirt"], texts=texts)
    assert moved is texts and texts[0].get_position() == (2.0, 2.0)
    with pytest.raises(ValueError, match="points"):
        palette.label_classes(ax, points[:3], [0, 0, 1, 1], ["coat", "bag"])


def test_class_points_draw_one_scatter_per_class_in_its_colour():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.colors import to_hex
    from matplotlib.figure import Figure

    ax = Figure().subplots()
    points = np.array([[0, 0], [1, 1], [2, 2], [3, 3], [4, 4]], dtype=float)
    codes = [2, 0, 2, 0, 2]   # class 1 has no point
    few = palette.ClassPoints(ax, points, codes, size=9, linewidths=0)   # few points: one scatter
    assert len(few.collections) == 1
    assert [to_hex(c) for c in few.collections[0].get_facecolor()] == [palette.class_colour(c).lower() for c in codes]
    few.set_colours(["red", "blue", "#00ff00"])
    assert [to_hex(c) for c in few.collections[0].get_facecolor()] == ["#00ff00", "#ff0000"] * 2 + ["#00ff00"]
    np.testing.assert_array_equal(few.get_offsets(), points)
    ax = Figure().subplots()
    palette.ClassPoints.SPLIT_FROM, split_from = 5, palette.ClassPoints.SPLIT_FROM
    try:
        drawn = palette.ClassPoints(ax, points, codes, size=9, linewidths=0)   # many points: one per class
    finally:
        palette.ClassPoints.SPLIT_FROM = split_from
    assert len(drawn.collections) == 3 and list(ax.collections) == drawn.collections
    for c, collection in enumerate(drawn.collections):
        assert to_hex(collection.get_facecolor()[0]) == palette.class_colour(c).lower()
        assert list(collection.get_sizes()) == [9]
    np.testing.assert_array_equal(drawn.collections[2].get_offsets(), points[[0, 2, 4]])
    np.testing.assert_array_equal(drawn.get_offsets(), points)   # back in the order of the codes
    drawn.set_offsets(points[::-1])
    np.testing.assert_array_equal(drawn.get_offsets(), points[::-1])
    with pytest.raises(ValueError, match=r"points must be an \(n, 2\) array with one row per code"):
        drawn.set_offsets(points[:3])
    drawn.set_colours("0.55")   # one colour for all, then one per class, then the class colours again
    assert {to_hex(c.get_facecolor()[0]) for c in drawn.collections} == {"#8c8c8c"}
    drawn.set_colours(["red", (0, 0, 1), "#00ff00"])
    assert [to_hex(c.get_facecolor()[0]) for c in drawn.collections] == ["#ff0000", "#0000ff", "#00ff00"]
    drawn.set_colours()
    assert to_hex(drawn.collections[1].get_facecolor()[0]) == palette.class_colour(1).lower()
    drawn.set_sizes(20)
    assert all(list(c.get_sizes()) == [20] for c in drawn.collections)
    with pytest.raises(ValueError, match=r"colours must be one colour or one per class \(3\), got 2"):
        drawn.set_colours(["red", "blue"])
    with pytest.raises(TypeError, match="codes must be whole class numbers"):
        palette.ClassPoints(ax, points, ["a", "b", "c", "d", "e"])
