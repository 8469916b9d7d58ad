"""Figures and feedback that every reader can tell apart: colour-vision simulations, contrast, sizes.

The palettes are checked as readers with protanopia, deuteranopia and tritanopia see them
(Machado et al. 2009, full severity): every two class colours must stay at least
``MIN_DELTA_E`` apart in CIEDE2000, where about 2 is the smallest difference seen side by side
and small scatter markers need several times that.
"""

from __future__ import annotations

import json
import re
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

import helpers.exercises as ex
import helpers.exercises.checking as feedback
from helpers import palette
from helpers.colour_vision import DEFICIENCIES, ciede2000, contrast_ratio, delta_e, simulate, to_rgb_array

REPO_ROOT = Path(__file__).resolve().parent.parent
MIN_DELTA_E = 10.0
VISIONS = ["normal", *DEFICIENCIES]


def _seen(colours, vision):
    return to_rgb_array(list(colours)) if vision == "normal" else simulate(list(colours), vision)


def _closest_pair(colours, vision) -> tuple[float, str, str]:
    seen = _seen(colours, vision)
    return min((float(delta_e(seen[i], seen[j])), colours[i], colours[j])
               for i, j in combinations(range(len(colours)), 2))


# ----------------------------------------------------------------------------- the measures themselves


def test_ciede2000_matches_the_published_test_pairs():
    # Sharma, Wu and Dalal (2005), table 1: pairs 1, 7, 17 and 34.
    pairs = [([50, 2.6772, -79.7751], [50, 0, -82.7485], 2.0425),
             ([50, 0, 0], [50, -1, 2], 2.3669),
             ([50, 2.5, 0], [56, -27, -3], 31.9030),
             ([2.0776, 0.0795, -1.135], [0.9033, -0.0636, -0.5514], 0.9082)]
    for lab1, lab2, expected in pairs:
        assert float(ciede2000(lab1, lab2)) == pytest.approx(expected, abs=1e-4)


def test_simulation_keeps_grey_and_merges_what_it_should():
    grey = simulate(["#808080"], "deuteranopia")[0]
    assert np.allclose(grey, grey[0], atol=0.01)  # a grey stays grey
    # the course's former green and red frames become one olive for deuteranopes
    red_green = simulate(["#1aa633", "#e61a1a"], "deuteranopia")
    assert float(delta_e(red_green[0], red_green[1])) < MIN_DELTA_E
    with pytest.raises(ValueError, match="deficiency must be one of"):
        simulate(["#000000"], "achromatopsia")


def test_the_old_palette_would_fail():
    tab10 = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22",
             "#17becf"]
    assert _closest_pair(tab10, "protanopia")[0] < MIN_DELTA_E


def test_contrast_ratio_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ef6c00", "#fff4e5") < 4.5  # the old error title


# ----------------------------------------------------------------------------- the course's palettes


@pytest.mark.parametrize("vision", VISIONS)
def test_class_colours_stay_apart_in_every_vision(vision):
    distance, first, second = _closest_pair(list(palette.CLASS_COLOURS), vision)
    assert distance >= MIN_DELTA_E, f"with {vision}, {first} and {second} are only {distance:.1f} apart"


@pytest.mark.parametrize("vision", VISIONS)
def test_right_and_wrong_stay_apart_in_every_vision(vision):
    distance, _, _ = _closest_pair([palette.RIGHT, palette.WRONG], vision)
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


# ----------------------------------------------------------------------------- feedback and tables


@pytest.mark.parametrize("tone", list(feedback.TONES))
def test_feedback_titles_have_enough_contrast(tone):
    accent, background, _ = feedback.TONES[tone]
    assert contrast_ratio(accent, background) >= 4.5, f"the {tone} title is {contrast_ratio(accent, background):.2f}:1"
    assert contrast_ratio("#1f1f1f", background) >= 4.5  # the body text


def test_progress_table_cells_say_what_they_mean_in_words(capsys):
    problems = {"q1": ex.ValueProblem("a", 1, solution="a = 1"), "q2": ex.ValueProblem("b", 2, solution="b = 2")}
    bound = ex.bind("00_table", problems, namespace={"a": 1})
    bound.q1.check()
    capsys.readouterr()
    bound.progress()
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()[1:] if line.strip().startswith("q")]
    assert len(rows) == 2
    assert "not tried yet" in out and rows[1][-1] == "no"
    assert all(cell not in {"-", ""} for row in rows for cell in row)


# ----------------------------------------------------------------------------- sizes in the sources


def _sources() -> dict[str, str]:
    files = {}
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        files[path.name] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for path in sorted((REPO_ROOT / "helpers").rglob("*.py")):
        files[str(path.relative_to(REPO_ROOT))] = path.read_text(encoding="utf-8")
    return files


def test_no_figure_is_wider_than_the_maximum():
    wide = [f"{name}: figsize=({width}, ...)" for name, text in _sources().items()
            for width in re.findall(r"figsize=\(\s*([0-9.]+)\s*,", text) if float(width) > palette.MAX_FIGURE_WIDTH]
    assert not wide, f"figures wider than {palette.MAX_FIGURE_WIDTH} inches: {wide}"


def test_no_text_is_smaller_than_the_minimum():
    small = [f"{name}: fontsize={size}" for name, text in _sources().items()
             for size in re.findall(r"fontsize=([0-9.]+)\b", text) if float(size) < palette.MIN_FONT_SIZE]
    assert not small, f"text smaller than {palette.MIN_FONT_SIZE} pt: {small}"


def test_class_maps_use_the_course_palette():
    old = [name for name, text in _sources().items() if re.search(r"tab10|tab20|cm\.tab", text)]
    assert not old, f"these still colour classes with tab10/tab20: {old}"
