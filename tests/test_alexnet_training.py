"""Tests of helpers.alexnet_training: the AlexNet-like network trained once, then loaded from the cache."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from support import tiny_images

from helpers import alexnet_training
from helpers.data import ImageDataset
from helpers.models.alexnet import AlexNetLike


def _tiny_dataset() -> ImageDataset:
    x_train, y_train = tiny_images(2, 64)
    x_test, y_test = tiny_images(3, 32)
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
