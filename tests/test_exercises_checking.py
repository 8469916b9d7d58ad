"""Tests of helpers.exercises.checking: the placeholder, results, how feedback is shown, values compared."""

from __future__ import annotations

import copy
import pickle

import numpy as np

from helpers import exercises as ex
from helpers.exercises import BLANK, CheckResult, ____

# ----------------------------------------------------------------------------- placeholder


def test_placeholder_is_one_object_with_a_helpful_repr():
    assert ____ is BLANK
    assert repr(____) == "____ (replace me)"
    assert copy.copy(____) is BLANK and copy.deepcopy([____])[0] is BLANK
    assert pickle.loads(pickle.dumps(____)) is BLANK
    assert ex.is_blank(____) and not ex.is_blank(0)


def test_check_result_repr_is_short():
    result = CheckResult("incorrect", "x" * 500)
    assert len(repr(result)) < 150
    assert not result.correct and CheckResult("correct", "ok").correct


def test_feedback_renders_coloured_html():
    feedback = ex.Feedback("correct", "q1: Correct", "`x` is <right>", code="x = 1")
    html = feedback._repr_html_()
    assert "#" in html and "<code>x</code>" in html and "&lt;right&gt;" in html
    assert "x = 1" in html and "Correct" in str(feedback)
    colours = {ex.Feedback(tone, "t", "b")._repr_html_().split("border-left:")[1][:20] for tone in
               ("correct", "incorrect", "not_attempted", "error", "info")}
    assert len(colours) == 5


def test_compare_values_is_public():
    assert ex.compare_values([1, 2], np.array([1, 2])) is None
    assert "shape" in ex.compare_values(np.ones(2), np.ones(3))
