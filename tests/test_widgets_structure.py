"""Tests of the structure explorer's logic (notebook 05), without a browser."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.metrics import knn_accuracy, neighbourhood_recall, trustworthiness
from helpers.widgets import structure
from helpers.widgets.structure import SCORES, StructureExplorer


@pytest.fixture
def toy():
    rng = np.random.default_rng(0)
    labels = np.repeat(np.arange(3), 30)
    X = rng.normal(size=(90, 6)) + 3 * labels[:, None]
    noisy = X[:, :2] + rng.normal(scale=2.0, size=(90, 2))
    spaces = {"same": (X, X), "noisy map": (X, noisy), "reference": (X, None)}
    return StructureExplorer(spaces, labels, k=10, k_range=(5, 20), reference="X"), X, noisy, labels


def test_identical_spaces_score_one(toy):
    explorer, X, _, labels = toy
    scores = explorer.scores(10)
    assert scores["same"]["neighbourhood recall"] == pytest.approx(1.0)
    assert scores["same"]["trustworthiness"] == pytest.approx(1.0)
    assert scores["same"]["k-NN accuracy"] == pytest.approx(knn_accuracy(X, labels, k=10))


def test_scores_match_the_metrics(toy):
    explorer, X, noisy, labels = toy
    got = explorer.scores(7)["noisy map"]
    assert got["neighbourhood recall"] == pytest.approx(neighbourhood_recall(X, noisy, k=7))
    assert got["trustworthiness"] == pytest.approx(trustworthiness(X, noisy, k=7))
    assert got["k-NN accuracy"] == pytest.approx(knn_accuracy(noisy, labels, k=7))
    assert got["neighbourhood recall"] < 1.0


def test_reference_space_has_only_knn_accuracy(toy):
    explorer, X, _, labels = toy
    got = explorer.scores()["reference"]
    assert np.isnan(got["neighbourhood recall"]) and np.isnan(got["trustworthiness"])
    assert got["k-NN accuracy"] == pytest.approx(knn_accuracy(X, labels, k=10))


def test_scores_are_cached_per_space_and_k(toy, monkeypatch):
    explorer = toy[0]
    calls = []
    real = structure.neighbourhood_recall
    monkeypatch.setattr(structure, "neighbourhood_recall", lambda *a, **kw: calls.append(kw["k"]) or real(*a, **kw))
    explorer.scores(10)
    explorer.scores(10)
    assert calls == [10, 10]  # two spaces with a map, computed once each
    explorer.scores(12)
    assert calls == [10, 10, 12, 12]
    explorer.set_k(10)
    assert len(calls) == 4 and set(SCORES) == set(explorer.scores()["same"])


def test_set_spaces_keeps_the_spaces_order(toy):
    explorer = toy[0]
    explorer.set_spaces(["reference", "same"])
    assert explorer.selected == ["same", "reference"] and list(explorer.scores()) == ["same", "reference"]


@pytest.mark.parametrize("call,arg,error,message", [
    ("set_k", 4, ValueError, "k must be an integer from 5 to 20"),
    ("set_k", 2.5, ValueError, "k must be an integer"),
    ("set_k", True, ValueError, "k must be an integer"),
    ("set_spaces", [], ValueError, "names must be a list of at least 1 of the space names"),
    ("set_spaces", ["pixels"], ValueError, r"names\[0\] must be one of 'same'.*got 'pixels'"),
    ("set_spaces", 3, TypeError, "names must be a list of space names"),
    ("scores", 99, ValueError, "k must be an integer from 5 to 20"),
])
def test_bad_input_is_named(toy, call, arg, error, message):
    with pytest.raises(error, match=message):
        getattr(toy[0], call)(arg)


def test_bad_spaces_are_named():
    X, labels = np.zeros((30, 2)), np.zeros(30)
    with pytest.raises(TypeError, match="spaces must be a non-empty dict"):
        StructureExplorer({}, labels)
    with pytest.raises(TypeError, match=r"spaces\['a'\] must be a tuple"):
        StructureExplorer({"a": X}, labels)
    with pytest.raises(ValueError, match=r"spaces\['a'\]: X_low has 29 rows but labels has 30"):
        StructureExplorer({"a": (X, X[:-1])}, labels, k_range=(2, 5), k=3)
    with pytest.raises(ValueError, match=r"k_range\[1\] must be an integer from 6 to 14 \(less than half"):
        StructureExplorer({"a": (X, None)}, labels, k_range=(5, 50))
    with pytest.raises(ValueError, match="labels must be a 1-D array"):
        StructureExplorer({"a": (X, None)}, labels[:, None])


def test_widget_redraws_when_controls_move(toy):
    explorer = toy[0]
    view = explorer.widget()
    before = bytes(explorer._live.widget.value)
    explorer._k_slider.value = 15
    after = bytes(explorer._live.widget.value)
    assert after != before and explorer.k == 15 and "k = 15" in explorer._readout.value
    explorer._space_pick.value = ("noisy map",)
    assert bytes(explorer._live.widget.value) != after and explorer.selected == ["noisy map"]
    explorer._space_pick.value = ()
    assert explorer.selected == ["noisy map"] and "at least one" in explorer._readout.value
    bundle = explorer._repr_mimebundle_()
    assert "image/png" in bundle and view is explorer.widget()


def test_add_scores_reuses_a_table(toy, monkeypatch):
    explorer = toy[0]
    table = {"same": {"dimensions": 6, "neighbourhood recall": 0.5, "trustworthiness": 0.6, "k-NN accuracy": 0.7}}
    explorer.add_scores(10, table)
    monkeypatch.setattr(structure, "neighbourhood_recall", lambda *a, **kw: pytest.fail("recomputed"))
    assert explorer.space_scores("same") == {"neighbourhood recall": 0.5, "trustworthiness": 0.6,
                                             "k-NN accuracy": 0.7}
    with pytest.raises(ValueError, match="scores: unknown space 'other'"):
        explorer.add_scores(10, {"other": table["same"]})
    with pytest.raises(ValueError, match=r"scores\['same'\] must hold"):
        explorer.add_scores(10, {"same": {"trustworthiness": 1.0}})
