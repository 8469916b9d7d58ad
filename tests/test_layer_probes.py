"""Tests of helpers.layer_probes: every layer of the AlexNet-like network probed, and cached."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from support import tiny_images

from helpers import layer_probes
from helpers.models.alexnet import LAYERS, AlexNetLike, layer_outputs


@pytest.fixture(scope="module")
def net() -> AlexNetLike:
    torch.manual_seed(0)
    return AlexNetLike().eval()


@pytest.fixture
def tiny():
    return (*tiny_images(0, 40), *tiny_images(1, 20))


def test_probe_layers_returns_one_row_per_layer_with_accuracies(net, tiny):
    rows = layer_probes.probe_layers(net, *tiny, ["pixels", "conv5", "fc8"], k=3)
    assert [row["layer"] for row in rows] == ["pixels", "conv5", "fc8"]
    assert [row["dim"] for row in rows] == [784, 288, 10]
    for row in rows:
        assert set(row) == {"layer", "dim", "knn_acc", "linear_acc", "knn_right", "linear_right"}
        assert 0.0 <= row["knn_acc"] <= 1.0 and 0.0 <= row["linear_acc"] <= 1.0
        for key in ("knn", "linear"):   # which of the 20 test images each read-out got right, and its mean
            assert row[f"{key}_right"].dtype == bool and row[f"{key}_right"].shape == (20,)
            assert row[f"{key}_right"].mean() == row[f"{key}_acc"]
    assert rows[0]["knn_acc"] == 1.0  # the bright square is plain to see in the pixels
    assert rows.from_cache is False


def test_probe_layers_reads_a_repeated_call_from_the_cache(net, tiny, monkeypatch):
    first = layer_probes.probe_layers(net, *tiny, ["pixels", "fc7"], k=3)

    def must_not_run(*args, **kwargs):
        raise AssertionError("the probe was computed again instead of read from the cache")

    monkeypatch.setattr(layer_probes, "knn_correct", must_not_run)
    monkeypatch.setattr(layer_probes, "linear_correct", must_not_run)
    second = layer_probes.probe_layers(net, *tiny, ["pixels", "fc7"], k=3)
    assert second.from_cache is True and len(second) == len(first)
    for got, was in zip(second, first, strict=True):
        assert {k: v for k, v in got.items() if "right" not in k} == {k: v for k, v in was.items() if "right" not in k}
        assert (got["knn_right"] == was["knn_right"]).all() and (got["linear_right"] == was["linear_right"]).all()


def test_probe_layers_holds_a_few_layers_at_a_time_with_the_same_results(net, tiny, monkeypatch, tmp_path):
    requested = []

    def spy(model, x, names=None, **kwargs):
        if len(x) > 1:  # not the one-image look at the layers' sizes
            requested.append(list(names))
        return layer_outputs(model, x, names, **kwargs)

    monkeypatch.setattr(layer_probes, "layer_outputs", spy)
    results = {}
    for label, group_bytes in (("one at a time", 1), ("all at once", 2**40)):
        monkeypatch.setattr(layer_probes, "GROUP_BYTES", group_bytes)
        monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / label))
        results[label] = layer_probes.probe_layers(net, *tiny, ["pixels", *LAYERS], k=3)
    assert requested == [*([name] for name in LAYERS), list(LAYERS)]
    for alone, together in zip(results["one at a time"], results["all at once"], strict=True):
        assert alone["layer"] == together["layer"] and alone["dim"] == together["dim"]
        assert (alone["knn_right"] == together["knn_right"]).all()
        assert (alone["linear_right"] == together["linear_right"]).all()


def test_probe_layers_cache_depends_on_k_and_weights(net, tiny):
    layer_probes.probe_layers(net, *tiny, ["fc8"], k=3)
    assert layer_probes.probe_layers(net, *tiny, ["fc8"], k=5).from_cache is False
    other = AlexNetLike().eval()
    assert layer_probes.probe_layers(other, *tiny, ["fc8"], k=3).from_cache is False


def test_probe_layers_recomputes_when_the_cached_file_is_damaged(net, tiny):
    from helpers.paths import cache_dir

    layer_probes.probe_layers(net, *tiny, ["fc8"], k=3)
    for path in cache_dir("probes").glob("*.json"):
        path.write_text("{not json")
    with pytest.warns(UserWarning, match="is damaged"):
        rows = layer_probes.probe_layers(net, *tiny, ["fc8"], k=3)
    assert rows.from_cache is False and len(rows) == 1


@pytest.mark.parametrize(
    "change,error,words",
    [
        ({"layers": ["fc9"]}, ValueError, r"layers\[0\] must be one of 'pixels'.*got 'fc9'"),
        ({"layers": []}, ValueError, "layers must be a list of at least 1"),
        ({"layers": ["fc7", "fc7"]}, ValueError, "layers must not repeat"),
        ({"k": 0}, ValueError, "k must be an integer from 1 to 40"),
        ({"k": 41}, ValueError, r"k must be an integer from 1 to 40 \(at most the number of training images"),
        ({"y_train": np.zeros(39, dtype=np.int64)}, ValueError, "y_train must have one label per row of X_train"),
        ({"y_test": np.zeros(20)}, TypeError, "y_test must hold integer class labels"),
        ({"X_train": np.zeros((40, 784), dtype=np.uint8)}, ValueError, r"X_train must hold images shaped \(n, height"),
        ({"X_test": [[0]]}, ValueError, "X_test must hold images shaped"),
        ({"model": "net"}, TypeError, "model must be a torch.nn.Module"),
    ],
)
def test_probe_layers_explains_bad_arguments(net, tiny, change, error, words):
    X_train, y_train, X_test, y_test = tiny
    args = {"model": net, "X_train": X_train, "y_train": y_train, "X_test": X_test, "y_test": y_test,
            "layers": ["fc8"], "k": 3, **change}
    k = args.pop("k")
    with pytest.raises(error, match=words):
        layer_probes.probe_layers(**args, k=k)
