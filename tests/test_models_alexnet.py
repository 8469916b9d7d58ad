"""Tests of helpers.models.alexnet: the AlexNet-like network and its layer read-outs."""

from __future__ import annotations

import pytest
import torch
from torchvision.models.feature_extraction import get_graph_node_names

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
