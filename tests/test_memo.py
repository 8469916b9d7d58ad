"""Tests of helpers.memo: slow scores computed once, then read back from the course cache."""

from __future__ import annotations

import json

import numpy as np
import pytest

from helpers import cache, memo, metrics, paths


def _counting(value=0.5):
    calls = []

    def compute():
        calls.append(1)
        return value

    return calls, compute


def test_a_score_is_computed_once_then_read_back():
    X = np.arange(12.0).reshape(4, 3)
    calls, compute = _counting()
    assert memo.remembered("score", {"X": X}, {"k": 3}, compute) == 0.5
    assert memo.remembered("score", {"X": X}, {"k": 3}, compute) == 0.5
    assert len(calls) == 1


@pytest.mark.parametrize("change", ["data", "dtype", "shape", "params", "name"])
def test_any_change_of_the_inputs_computes_again(change):
    X = np.arange(12.0).reshape(4, 3)
    calls, compute = _counting()
    memo.remembered("score", {"X": X}, {"k": 3}, compute)
    other = {"data": ({"X": X + 1}, {"k": 3}, "score"), "dtype": ({"X": X.astype(np.float32)}, {"k": 3}, "score"),
             "shape": ({"X": X.reshape(3, 4)}, {"k": 3}, "score"), "params": ({"X": X}, {"k": 2}, "score"),
             "name": ({"X": X}, {"k": 3}, "other score")}[change]
    memo.remembered(other[2], other[0], other[1], compute)
    assert len(calls) == 2


def test_a_damaged_file_is_reported_removed_and_computed_again():
    X = np.ones((3, 2))
    calls, compute = _counting(0.25)
    memo.remembered("score", {"X": X}, {}, compute)
    (path,) = paths.cache_dir("scores").glob("*.json")
    path.write_text("{not json")
    with pytest.warns(memo.MemoWarning, match="is damaged"):
        assert memo.remembered("score", {"X": X}, {}, compute) == 0.25
    assert len(calls) == 2 and json.loads(cache.decode_entry(path.read_bytes()))["value"] == 0.25


def test_an_unwritable_cache_only_warns(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker))
    calls, compute = _counting()
    with pytest.warns(memo.MemoWarning, match="cannot be written"):
        assert memo.remembered("score", {"X": np.ones(2)}, {}, compute) == 0.5
    assert memo.remembered("score", {"X": np.ones(2)}, {}, compute) == 0.5  # kept in memory, no second warning
    assert len(calls) == 1


def test_fingerprints_tell_arrays_apart():
    a = np.zeros((2, 3), dtype=np.float32)
    assert memo.fingerprint(a) == memo.fingerprint(a.copy())
    assert memo.fingerprint(a) != memo.fingerprint(a.reshape(3, 2))
    assert memo.fingerprint(a) != memo.fingerprint(a.astype(np.float64))
    assert memo.fingerprint(np.asfortranarray(np.arange(6.0).reshape(2, 3))) == memo.fingerprint(
        np.arange(6.0).reshape(2, 3))


def test_remembered_validates_its_arguments():
    with pytest.raises(TypeError, match="arrays must be a dict"):
        memo.remembered("score", [np.ones(2)], {}, lambda: 1.0)
    with pytest.raises(TypeError, match="compute must be callable"):
        memo.remembered("score", {}, {}, 1.0)


# ------------------------------------------------------------------ the metrics use it


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 5))
    return X, X[:, :2].copy(), (X[:, 0] > 0).astype(int)


def test_metrics_are_remembered_across_calls(monkeypatch):
    X, Z, y = _data()
    first = (metrics.knn_accuracy(X, y, k=3), metrics.trustworthiness(X, Z, k=5),
             metrics.neighbourhood_recall(X, Z, k=5))
    monkeypatch.setattr(metrics, "_knn", lambda *a, **k: (_ for _ in ()).throw(AssertionError("recomputed")))
    again = (metrics.knn_accuracy(X, y, k=3), metrics.trustworthiness(X, Z, k=5),
             metrics.neighbourhood_recall(X, Z, k=5))
    assert again == first


def test_metrics_recompute_for_other_inputs_and_on_request(monkeypatch):
    X, Z, y = _data()
    searches = []
    real = metrics._knn
    monkeypatch.setattr(metrics, "_knn", lambda *a, **k: searches.append(1) or real(*a, **k))
    metrics.knn_accuracy(X, y, k=3)
    metrics.knn_accuracy(X, 1 - y, k=3)  # other labels
    metrics.knn_accuracy(X, y, k=4)  # another k
    metrics.knn_accuracy(X, y, k=3, cache=False)  # asked not to remember
    metrics.knn_accuracy(X, y, k=3)  # remembered from the first call
    assert len(searches) == 4
    with pytest.raises(TypeError, match="cache must be True or False"):
        metrics.trustworthiness(X, X[:, :2], k=5, cache="yes")


def test_the_linear_probe_is_remembered(monkeypatch):
    import sklearn.linear_model

    X, _, y = _data()
    first = metrics.linear_probe(X[:40], y[:40], X[40:], y[40:])
    monkeypatch.setattr(sklearn.linear_model, "LogisticRegression",
                        lambda **kw: (_ for _ in ()).throw(AssertionError("trained again")))
    assert metrics.linear_probe(X[:40], y[:40], X[40:], y[40:]) == first
    with pytest.raises(AssertionError, match="trained again"):
        metrics.linear_probe(X[:40], y[:40], X[40:], y[40:], C=0.5)  # other settings: trained afresh
