"""helpers.colour_vision: CIEDE2000, the colour-vision simulations and contrast, against published values.

The simulations follow Machado et al. 2009, full severity.
"""

from __future__ import annotations

import numpy as np
import pytest
from support import closest_pair

from helpers.colour_vision import ciede2000, contrast_ratio, delta_e, simulate

MIN_DELTA_E = 10.0


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
    assert closest_pair(tab10, "protanopia")[0] < MIN_DELTA_E


def test_contrast_ratio_reference_values():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio("#ef6c00", "#fff4e5") < 4.5  # the old error title
