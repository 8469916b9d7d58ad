"""Notebook 00's exercises (helpers.exercise_sets.start_here): typical wrong answers get their feedback."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.exercise_sets import start_here
from helpers.exercises import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED


@pytest.mark.parametrize(
    "answer,expected_words",
    [(949, "length of the whole vector"), (1, "entries are 1"), (3, "three colours"), (100, "Too few"),
     (1000, "Too many")],
)
def test_start_here_q1_wrong_counts_get_specific_feedback(answer, expected_words):
    result = start_here.q1.evaluate({"q1_answer": answer})
    assert result.status == INCORRECT and expected_words in result.message
    assert "948" not in result.message and "rounded" not in result.message


def test_start_here_q1_wrong_type():
    result = start_here.q1.evaluate({"q1_answer": "lots"})
    assert result.status == INCORRECT and "number" in result.message


def test_start_here_q2_squared_distance_is_spotted():
    def distance(a, b):
        return float(np.sum((np.asarray(a) - np.asarray(b)) ** 2))

    result = start_here.q2.evaluate({"distance": distance})
    assert result.status == INCORRECT and "square root" in result.message


def test_start_here_q2_forgotten_return():
    def distance(a, b):
        np.sqrt(np.sum((np.asarray(a) - np.asarray(b)) ** 2))

    result = start_here.q2.evaluate({"distance": distance})
    assert result.status == INCORRECT and "return" in result.message


def test_start_here_q2_exception_is_one_line():
    def distance(a, b):
        return a - b  # lists cannot be subtracted

    result = start_here.q2.evaluate({"distance": distance})
    assert result.status != CORRECT and "TypeError" in result.message and "Traceback" not in result.message


def test_start_here_q2_placeholder_function_is_not_attempted():
    def distance(a, b):
        return BLANK

    assert start_here.q2.evaluate({"distance": distance}).status == NOT_ATTEMPTED


