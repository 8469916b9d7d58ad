"""Training the AlexNet-like network of notebook 06: trained once, then loaded from the
weight cache.

>>> from helpers.data import load_fashion_mnist
>>> from helpers.alexnet_training import train_or_load_alexnet
>>> net, info = train_or_load_alexnet(load_fashion_mnist(), epochs=3)

The network itself is :class:`helpers.models.alexnet.AlexNetLike`; probing its layers is
:mod:`helpers.layer_probes`."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from helpers import validation
from helpers.cache import fingerprint
from helpers.models.alexnet import AlexNetLike
from helpers.training import (
    WeightCache,
    accuracy,
    cache_key,
    choose_device,
    fit,
    images_for_fit,
    predict,
    train_or_load,
)

__all__ = ["train_or_load_alexnet"]


def train_or_load_alexnet(
    dataset: Any,
    *,
    epochs: int,
    seed: int = 0,
    batch_size: int = 128,
    lr: float = 1e-3,
    progress: bool = True,
    cache: WeightCache | None = None,
    shipped: bool = False,
) -> tuple[AlexNetLike, dict[str, Any]]:
    """Train :class:`~helpers.models.alexnet.AlexNetLike` on ``dataset``'s training images,
    or load the weights cached by an earlier run with the same settings and data.

    ``dataset`` is an :class:`~helpers.data.ImageDataset` (e.g. ``load_fashion_mnist()``).
    Returns the model (on the CPU, in eval mode) and a dict with ``test_accuracy``,
    ``history`` (one row per epoch), ``train_seconds``, ``from_cache`` and ``source``.

    ``shipped=True`` (notebook 06, which uses the network but is not about training it)
    loads, when the cache has no entry, the weights the course ships for these settings
    (``info["source"]`` is then ``"shipped"``); ``shipped=False`` trains it here.
    """
    validation.image_dataset(dataset)
    epochs = validation.integer(epochs, "epochs", low=1)
    seed = validation.integer(seed, "seed", low=0)
    batch_size = validation.integer(batch_size, "batch_size", low=1)
    lr = validation.number(lr, "lr", low=0, low_open=True)
    validation.boolean(progress, "progress")
    shipped = validation.boolean(shipped, "shipped")

    x_train, x_test = images_for_fit(dataset.x_train, name="dataset.x_train"), images_for_fit(
        dataset.x_test, name="dataset.x_test")
    y_train = torch.as_tensor(np.asarray(dataset.y_train), dtype=torch.long)
    y_test = torch.as_tensor(np.asarray(dataset.y_test), dtype=torch.long)
    num_classes = len(dataset.class_names)

    torch.manual_seed(seed)  # the initial weights depend on the seed too
    model = AlexNetLike(num_classes=num_classes)
    config = {**model.config(), "epochs": epochs, "seed": seed, "batch_size": batch_size, "lr": float(lr)}
    key = cache_key("alexnet_like", config, fingerprint(dataset.x_train, dataset.y_train))

    def train(net: nn.Module):
        return fit(net, x_train, y_train, loss_fn=F.cross_entropy, epochs=epochs, batch_size=batch_size,
                   lr=lr, seed=seed, device=choose_device(), progress=progress, description="AlexNet-like")

    def test_accuracy() -> dict[str, Any]:
        return {"test_accuracy": accuracy(predict(model, x_test), y_test)}

    model, info = train_or_load(model, key, train, cache=cache, extra=test_accuracy, shipped=shipped,
                                measure=test_accuracy)
    if "test_accuracy" not in info:  # weights cached without it (should not happen)
        info.update(test_accuracy())
    return model, info
