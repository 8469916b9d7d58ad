"""The AlexNet-like network of notebook 06: trained once, then loaded from the weight cache."""

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


def train_or_load_alexnet(dataset: Any, *, epochs: int, seed: int = 0, batch_size: int = 128, lr: float = 1e-3,
                          progress: bool = True, cache: WeightCache | None = None,
                          shipped: bool = False) -> tuple[AlexNetLike, dict[str, Any]]:
    """Train :class:`~helpers.models.alexnet.AlexNetLike` on ``dataset`` or load its cached (or, with
    ``shipped=True``, shipped) weights. Returns the model (CPU, eval mode) and a dict with ``test_accuracy``,
    ``history``, ``train_seconds``, ``from_cache`` and ``source``."""
    validation.image_dataset(dataset)
    epochs = validation.integer(epochs, "epochs", low=1)
    seed = validation.integer(seed, "seed", low=0)
    batch_size = validation.integer(batch_size, "batch_size", low=1)
    lr = validation.number(lr, "lr", low=0, low_open=True)
    validation.boolean(progress, "progress")
    shipped = validation.boolean(shipped, "shipped")

    x_train = images_for_fit(dataset.x_train, name="dataset.x_train")
    x_test = images_for_fit(dataset.x_test, name="dataset.x_test")
    y_train = torch.as_tensor(np.asarray(dataset.y_train), dtype=torch.long)
    y_test = torch.as_tensor(np.asarray(dataset.y_test), dtype=torch.long)
    torch.manual_seed(seed)  # the initial weights depend on the seed too
    model = AlexNetLike(num_classes=len(dataset.class_names))
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
