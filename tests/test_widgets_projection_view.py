"""helpers.widgets.projection_view: the projection explorer's drawing."""

from __future__ import annotations


def test_neighbour_ranks_read_as_ordinals():
    from helpers.widgets.projection_view import _ordinal

    assert [_ordinal(r) for r in (1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th"]
