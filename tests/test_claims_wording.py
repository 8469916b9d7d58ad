"""helpers.claims: sentences built from numbers say what the numbers say, and no more."""

from __future__ import annotations

import pytest

from helpers.claims import compared, fewer_mistakes, say, with_interval


def test_with_interval_shows_the_accuracy_and_its_range():
    assert with_interval(0.8, 100) == "0.800 (0.711-0.867)"
    assert with_interval(1.0, 50).startswith("1.000 (0.9")


def test_compared_claims_a_difference_only_when_the_intervals_say_so():
    assert compared(0.781, 0.780, 2000) == "indistinguishable from"
    assert compared(0.862, 0.781, 2000) == "clearly higher than"
    assert compared(0.563, 0.781, 2000) == "clearly lower than"
    assert compared(0.772, 0.781, 1000, more="better", less="worse", same="as good as") == "as good as"
    assert compared(0.9, 0.5, 1000, more="better") == "better"


def test_compared_validation():
    with pytest.raises(TypeError, match="more must be a str"):
        compared(0.9, 0.5, 100, more=1)
    with pytest.raises(ValueError, match="n must be a positive integer"):
        compared(0.9, 0.5, 0)


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
