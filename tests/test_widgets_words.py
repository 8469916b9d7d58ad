"""Tests of the word explorer's logic (notebook 02), without a browser."""

from __future__ import annotations

import pytest

from helpers import projections
from helpers.data import load_glove
from helpers.widgets.words import WORD_GROUPS, WordExplorer, parse_words


@pytest.fixture(scope="module")
def glove():
    return load_glove()


def test_every_ready_made_group_is_in_the_shipped_vocabulary(glove):
    for group, words in WORD_GROUPS.items():
        assert [w for w in words if w not in glove] == [], group


def test_parse_words_splits_lowercases_and_deduplicates():
    assert parse_words(" King, queen  QUEEN;frog ") == ["king", "queen", "frog"]
    with pytest.raises(TypeError, match="text must be a string"):
        parse_words(["king"])


def test_neighbours_are_found_in_the_full_space(glove):
    explorer = WordExplorer(glove, words=["king"], k=5)
    neighbours = explorer.neighbours("king")
    assert len(neighbours) == 5 and "queen" in [w for w, _ in neighbours]
    assert "king" not in [w for w, _ in neighbours]
    sims = [s for _, s in neighbours]
    assert sims == sorted(sims, reverse=True) and 0 < sims[-1] <= 1


def test_points_hold_each_word_once_with_its_owner(glove):
    explorer = WordExplorer(glove, words=["king", "queen"], k=5)
    points = explorer.points()
    words = [p.word for p in points]
    assert words[:2] == ["king", "queen"] and len(words) == len(set(words))
    assert all(p.owner in ("king", "queen") for p in points)


def test_unknown_words_get_a_message_not_an_error(glove):
    explorer = WordExplorer(glove, words=["frog"])
    messages = explorer.set_words("king, qeen, Paris")
    assert explorer.words == ["king", "paris"]
    assert len(messages) == 1 and "'qeen' is not among" in messages[0] and "queen" in messages[0]
    with pytest.raises(ValueError, match="words must be at least one of the 30,000 shipped words, got 'zzzzqx'"):
        explorer.set_words("zzzzqx")
    assert explorer.words == ["king", "paris"] and explorer.messages == messages  # nothing changed


def test_too_many_words_are_cut_with_a_message(glove):
    explorer = WordExplorer(glove, max_words=3)
    messages = explorer.set_words(WORD_GROUPS["numbers"])
    assert len(explorer.words) == 3 and "first 3 of 12" in messages[0]


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_layout_projects_all_points_and_caches(glove, method):
    explorer = WordExplorer(glove, words=WORD_GROUPS["animals"][:4], k=3, method=method)
    points, Z = explorer.layout()
    assert Z.shape == (len(points), 2)
    before = projections.cache_info()["misses"]
    explorer.layout()
    assert projections.cache_info()["misses"] == before, "the same map is never computed twice"


def test_tiny_maps_do_not_crash(glove):
    explorer = WordExplorer(glove, words=["king"], k=0, method="tsne")
    points, Z = explorer.layout()
    assert len(points) == 1 and Z.shape == (1, 2)


@pytest.mark.parametrize("kwargs,message", [
    ({"method": "lda"}, "method must be one of"),
    ({"k": 50}, "k must be an integer from 0 to 20"),
    ({"k": -1}, "k must be an integer from 0 to 20"),
    ({"max_words": 0}, "max_words must be a positive integer"),
    ({"groups": {}}, "groups must hold at least one"),
])
def test_bad_settings_are_named(glove, kwargs, message):
    with pytest.raises(ValueError, match=message):
        WordExplorer(glove, **kwargs)


def test_bad_vectors_and_group_are_named(glove):
    with pytest.raises(TypeError, match="vectors must be a WordVectors"):
        WordExplorer({"king": [1, 2]})
    with pytest.raises(ValueError, match="name must be one of the groups"):
        WordExplorer(glove).set_group("planets")


def test_widget_controls_redraw_the_map(glove):
    explorer = WordExplorer(glove, words=["king", "frog"], k=3)
    explorer.widget()
    image = lambda: bytes(explorer._live.widget.value)  # noqa: E731
    first = image()
    explorer._k.value = 6
    assert image() != first and explorer.k == 6
    second = image()
    explorer._group.value = "food"
    assert explorer.words == WORD_GROUPS["food"][: explorer.max_words] and image() != second
    assert "bread" in explorer._text.value
    explorer._text.value = "coffee, tea, qqqqz"
    assert explorer.words == ["coffee", "tea"] and "qqqqz" in explorer._status.value
    assert "nearest neighbours" in explorer._list.value
    assert "image/png" in explorer._repr_mimebundle_()
