"""Tests of helpers.models.alexnet (the AlexNet-like network, layer read-outs) and
helpers.alexnet_training and helpers.layer_probes (training it once, probing every layer,
caching)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torchvision.models.feature_extraction import get_graph_node_names

from helpers import alexnet_training, layer_probes
from helpers.data import ImageDataset
from helpers.models.alexnet import BLOCKS, LAYERS, PROBE_POINTS, AlexNetLike, layer_outputs

EXPECTED_SHAPES = {
    "conv1": (2, 16, 14, 14),
    "conv2": (2, 32, 7, 7),
    "conv3": (2, 48, 7, 7),
    "conv4": (2, 48, 7, 7),
    "conv5": (2, 32, 3, 3),
    "fc6": (2, 128),
    "fc7": (2, 64),
    "fc8": (2, 10),
}


@pytest.fixture(scope="module")
def net() -> AlexNetLike:
    torch.manual_seed(0)
    return AlexNetLike().eval()


# ----------------------------------------------------------------------------- the network


def test_every_layer_has_the_expected_shape_for_a_batch_of_two(net):
    outputs = layer_outputs(net, torch.rand(2, 1, 28, 28))
    assert list(outputs) == list(LAYERS)
    assert {name: tuple(t.shape) for name, t in outputs.items()} == EXPECTED_SHAPES
    assert tuple(net(torch.rand(2, 1, 28, 28)).shape) == (2, 10)


def test_probe_points_and_blocks_name_real_parts_of_the_model(net):
    _, eval_nodes = get_graph_node_names(net)
    assert set(PROBE_POINTS) == set(LAYERS) == set(BLOCKS)
    assert all(node in eval_nodes for node in PROBE_POINTS.values())
    modules = dict(net.named_modules())
    assert all(block in modules for block in BLOCKS.values())


def test_the_last_layer_output_is_the_model_output(net):
    x = torch.rand(3, 1, 28, 28)
    with torch.no_grad():
        expected = net(x)
    assert torch.allclose(layer_outputs(net, x, ["fc8"])["fc8"], expected, atol=1e-6)


def test_layer_outputs_in_uneven_batches_equal_one_batch(net):
    """Batches of 2 over 5 images (the last one shorter) fill every row, as one batch of all 5 does."""
    x = torch.rand(5, 1, 28, 28)
    whole, batched = layer_outputs(net, x), layer_outputs(net, x, batch_size=2)
    for name in LAYERS:
        assert batched[name].shape == whole[name].shape, name
        assert torch.allclose(batched[name], whole[name], atol=1e-6), name


def test_layer_outputs_accepts_graph_node_names_and_keeps_the_requested_names(net):
    outputs = layer_outputs(net, torch.rand(2, 1, 28, 28), ["fc7", "features.conv3.conv"], batch_size=1)
    assert list(outputs) == ["fc7", "features.conv3.conv"]
    assert tuple(outputs["features.conv3.conv"].shape) == (2, 48, 7, 7)


def test_layer_outputs_restores_training_mode():
    model = AlexNetLike().train()
    layer_outputs(model, torch.rand(2, 1, 28, 28), ["fc6"])
    assert model.training


@pytest.mark.parametrize(
    "kwargs,words",
    [
        ({"names": ["fc9"]}, "'fc9' is not a layer"),
        ({"names": []}, "at least one layer"),
        ({"names": ["fc7", "fc7"]}, "twice"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_layer_outputs_explains_bad_arguments(net, kwargs, words):
    with pytest.raises(ValueError, match=words):
        layer_outputs(net, torch.rand(2, 1, 28, 28), **kwargs)


def test_layer_outputs_explains_a_bad_input(net):
    with pytest.raises(ValueError, match=r"x must be .*\(n, channels, height, width\)"):
        layer_outputs(net, torch.rand(2, 28, 28))
    with pytest.raises(TypeError, match="model"):
        layer_outputs("not a model", torch.rand(2, 1, 28, 28))


@pytest.mark.parametrize(
    "kwargs,words",
    [
        ({"channels": (16, 32, 48)}, "channels must be 5 positive integers"),
        ({"hidden": (128, 0)}, r"hidden\[1\] must be a positive integer"),
        ({"dropout": 1.0}, "dropout"),
        ({"num_classes": 1}, "num_classes"),
    ],
)
def test_alexnet_like_explains_bad_arguments(kwargs, words):
    with pytest.raises(ValueError, match=words):
        AlexNetLike(**kwargs)


def test_alexnet_like_sizes_follow_its_arguments():
    model = AlexNetLike(num_classes=3, channels=(4, 4, 4, 4, 8), hidden=(16, 8))
    shapes = {n: tuple(t.shape) for n, t in layer_outputs(model, torch.rand(2, 1, 28, 28)).items()}
    assert shapes["conv5"] == (2, 8, 3, 3) and shapes["fc6"] == (2, 16) and shapes["fc8"] == (2, 3)
    assert model.config() == {"num_classes": 3, "channels": [4, 4, 4, 4, 8], "hidden": [16, 8], "dropout": 0.3}


# ----------------------------------------------------------------------------- probing


def _tiny_images(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.integers(0, 60, size=(n, 28, 28), dtype=np.uint8)
    x[y == 1, 8:20, 8:20] = 250  # class 1 has a bright square: something to find
    return x, y.astype(np.int64)


@pytest.fixture
def tiny():
    return (*_tiny_images(0, 40), *_tiny_images(1, 20))


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


# ----------------------------------------------------------------------------- training


def _tiny_dataset() -> ImageDataset:
    x_train, y_train = _tiny_images(2, 64)
    x_test, y_test = _tiny_images(3, 32)
    return ImageDataset(x_train, y_train, x_test, y_test, ("dark", "square"), "tiny", "shipped")


def test_train_or_load_alexnet_trains_once_then_loads(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    dataset = _tiny_dataset()
    net1, info1 = alexnet_training.train_or_load_alexnet(dataset, epochs=1, progress=False)
    assert isinstance(net1, AlexNetLike) and not net1.training
    assert info1["from_cache"] is False and 0.0 <= info1["test_accuracy"] <= 1.0
    assert net1.num_classes == 2 and len(info1["history"]) == 1
    net2, info2 = alexnet_training.train_or_load_alexnet(dataset, epochs=1, progress=False)
    assert info2["from_cache"] is True and info2["test_accuracy"] == info1["test_accuracy"]
    for a, b in zip(net1.state_dict().values(), net2.state_dict().values()):
        assert torch.equal(a, b)
    _, info3 = alexnet_training.train_or_load_alexnet(dataset, epochs=1, seed=1, progress=False)
    assert info3["from_cache"] is False  # another seed is another model


@pytest.mark.parametrize(
    "kwargs,error,words",
    [
        ({"epochs": 0}, ValueError, "epochs must be a positive integer"),
        ({"epochs": 1, "seed": -1}, ValueError, "seed must be a non-negative integer"),
        ({"epochs": 1, "lr": 0}, ValueError, "lr must be a positive number"),
    ],
)
def test_train_or_load_alexnet_explains_bad_arguments(kwargs, error, words):
    with pytest.raises(error, match=words):
        alexnet_training.train_or_load_alexnet(_tiny_dataset(), **kwargs)


def test_train_or_load_alexnet_wants_a_dataset():
    with pytest.raises(TypeError, match="dataset must be an ImageDataset"):
        alexnet_training.train_or_load_alexnet(np.zeros((10, 28, 28)), epochs=1)
