"""Tests of helpers.claims: sentences built from numbers say what the numbers say, and no more."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.claims import compared, decimal, fewer_mistakes, say, shown, with_interval


def test_with_interval_shows_the_accuracy_and_its_range():
    assert with_interval(0.8, 100) == "0.800 (0.711-0.867)"
    assert with_interval(1.0, 50).startswith("1.000 (0.9")


def _right(n: int, count: int) -> np.ndarray:
    return np.arange(n) < count


def test_compared_claims_a_difference_only_when_the_paired_test_finds_one():
    pixels = _right(2000, 1562)
    assert compared(pixels, pixels) == "not clearly different from"
    assert compared(_right(2000, 1724), pixels) == "clearly higher than"
    assert compared(_right(2000, 1126), pixels) == "clearly lower than"
    assert compared(_right(2000, 1126), 0.1, more="more often than") == "more often than"   # against chance
    mixed = np.r_[_right(1000, 400), ~_right(1000, 380)]                 # 1,020 right, but on other items
    assert compared(mixed, _right(2000, 1000), same="cannot be told apart from") == "cannot be told apart from"


def test_compared_validation():
    with pytest.raises(TypeError, match="more must be a str"):
        compared(_right(10, 5), _right(10, 4), more=1)
    with pytest.raises(ValueError, match="results on the same test items"):
        compared(_right(10, 5), _right(20, 5))


def test_fewer_mistakes():
    assert fewer_mistakes(0.828, 0.877) == "28% fewer mistakes"
    assert fewer_mistakes(0.9, 0.8) == "100% more mistakes"
    assert fewer_mistakes(1.0, 1.0) == "no mistakes before either"
    with pytest.raises(ValueError, match="before must be an accuracy"):
        fewer_mistakes(1.5, 0.5)


def test_say_prints_outside_jupyter(capsys):
    say("**bold** claim")
    assert capsys.readouterr().out.strip() == "**bold** claim"
    with pytest.raises(TypeError, match="text must be a str"):
        say(3)


# ----------------------------------------------------------------------------- one number, one rounding


@pytest.mark.parametrize("value", [1721 / 2000, 0.8605, 0.0125, 0.7815, 2.5, 0.999])
def test_a_table_cell_and_a_sentence_show_a_number_the_same_way(value):
    table = pd.DataFrame({"dimensions": [64], "k-NN accuracy": [value], "recall": [np.nan]})
    cell = shown(table).loc[0]
    assert cell["k-NN accuracy"] == decimal(value) == f"{value:.3f}"
    assert cell["dimensions"] == 64 and cell["recall"] == "–"


def test_pandas_rounding_is_not_the_texts_rounding():
    """Why tables go through ``shown``: ``DataFrame.round`` rounds 1721/2000 down where the text rounds up."""
    assert str(pd.DataFrame({"a": [1721 / 2000]}).round(3).loc[0, "a"]) == "0.86"
    assert decimal(1721 / 2000) == "0.861"


def test_decimal_and_shown_validation():
    assert decimal(0.5, 0) == "0" and decimal(1, 2) == "1.00"
    with pytest.raises(ValueError, match="digits must be"):
        decimal(0.5, -1)
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        shown([0.5])
