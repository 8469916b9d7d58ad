"""The course's image CNN (notebook 03 trains it, 05 and 06 reuse it): trained once with fixed settings and
seed, then loaded from the weight cache under a key made from the settings and the data."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from helpers import validation
from helpers.cache import fingerprint
from helpers.data import ImageDataset
from helpers.models.cnn import SmallCNN
from helpers.training import (
    History,
    WeightCache,
    accuracy,
    as_tensor_images,
    cache_key,
    fit,
    images_for_fit,
    predict,
    seed_everything,
    torch_threads,
    train_or_load,
)

__all__ = ["CNN_DEFAULTS", "CNN_EPOCHS", "accuracy_on_test", "build_cnn", "cnn_config", "embed_images", "train_cnn",
           "train_or_load_cnn"]

#: Training epochs per dataset (MNIST has fewer training images); three passes give Fashion-MNIST 0.864
#: test accuracy (target 0.85), against 0.875 after five in 60% more time.
CNN_EPOCHS: dict[str, int] = {"Fashion-MNIST": 3, "MNIST": 8}

#: Settings of the course CNN (notebooks 03, 05 and 06 use these unless told otherwise).
CNN_DEFAULTS: dict[str, Any] = {"embedding_dim": 64, "seed": 0, "channels": (16, 32), "dropout": 0.3, "lr": 2e-3,
                                "batch_size": 64, "capture_count": 2000}


#: What a cache entry of :func:`train_or_load_cnn` holds beside the weights.
_STORED = ("epoch_embeddings", "epoch_test_accuracy", "test_accuracy", "config", "history")


@torch.no_grad()
def embed_images(model: SmallCNN, images: Any, *, batch_size: int = 1000) -> np.ndarray:
    """``model.embed`` of uint8 images (n, 28, 28), in batches, as float32 NumPy (n, embedding_dim)."""
    validation.module(model, "model", "a SmallCNN (from train_or_load_cnn)")
    batch_size = validation.integer(batch_size, "batch_size", low=1)
    x = validation.images(images, "images", at_least=0)
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    parts = [model.embed(as_tensor_images(x[i : i + batch_size]).to(device)).cpu()  # floats a batch at a time
             for i in range(0, len(x), batch_size)]
    model.train(was_training)
    if not parts:
        return np.zeros((0, model.embedding_dim), dtype=np.float32)
    return torch.cat(parts).numpy().astype(np.float32, copy=False)


def train_or_load_cnn(
    dataset: ImageDataset,
    *,
    epochs: int | None = None,
    embedding_dim: int = CNN_DEFAULTS["embedding_dim"],
    seed: int = CNN_DEFAULTS["seed"],
    capture_epochs: bool = False,
    channels: tuple[int, int] = CNN_DEFAULTS["channels"],
    dropout: float = CNN_DEFAULTS["dropout"],
    lr: float = CNN_DEFAULTS["lr"],
    batch_size: int = CNN_DEFAULTS["batch_size"],
    capture_count: int = CNN_DEFAULTS["capture_count"],
    progress: bool = True,
    cache: WeightCache | None = None,
    shipped: bool = False,
) -> tuple[SmallCNN, dict[str, Any]]:
    """Train :class:`~helpers.models.cnn.SmallCNN` on ``dataset`` (or load it from the cache).

    Returns the model (CPU, eval mode) and a dict with ``test_accuracy``, ``history``, ``train_seconds``,
    ``from_cache``, ``config`` and ``epoch_test_accuracy`` (from epoch 0, untrained); with
    ``capture_epochs=True`` also ``epoch_embeddings`` (epochs + 1, capture_count, embedding_dim),
    ``capture_labels`` and ``capture_indices``. ``shipped=True`` may load the shipped weights instead of
    training (never with ``capture_epochs``: they hold no per-epoch embeddings).
    """
    config = cnn_config(dataset, epochs=epochs, embedding_dim=embedding_dim, seed=seed, channels=channels,
                        dropout=dropout, lr=lr, batch_size=batch_size, capture_count=capture_count)
    capture_epochs = validation.boolean(capture_epochs, "capture_epochs")
    validation.boolean(progress, "progress")
    shipped = validation.boolean(shipped, "shipped") and not capture_epochs
    key = cache_key("cnn", config, fingerprint(dataset.x_train, dataset.y_train, dataset.x_test, dataset.y_test))
    model = build_cnn(config)
    recorded: dict[str, Any] = {}

    def train(net: SmallCNN) -> History:
        history, records = train_cnn(net, dataset, config, progress=progress)
        recorded.update(records)
        return history

    model, info = train_or_load(model, key, train, cache=cache, extra=lambda: recorded, shipped=shipped,
                                measure=lambda: {"test_accuracy": accuracy_on_test(model, dataset)},
                                needs=_STORED if capture_epochs else _STORED[1:])
    return model, _as_returned(info, dataset, config["capture_count"], capture_epochs)


def _as_returned(info: dict[str, Any], dataset: ImageDataset, count: int, capture_epochs: bool) -> dict[str, Any]:
    """What :func:`train_or_load_cnn` returns: plain floats, and the captured embeddings only when asked for."""
    stored = info.pop("epoch_embeddings", None)
    info["test_accuracy"] = float(info["test_accuracy"])
    info["epoch_test_accuracy"] = [float(a) for a in info["epoch_test_accuracy"]]
    if capture_epochs:
        info["epoch_embeddings"] = stored.numpy().astype(np.float32, copy=False)
        info["capture_indices"] = np.arange(count)
        info["capture_labels"] = np.asarray(dataset.y_test[:count], dtype=np.int64)
    return info


def cnn_config(dataset: ImageDataset, *, epochs: int | None = None, embedding_dim: int = CNN_DEFAULTS["embedding_dim"],
               seed: int = CNN_DEFAULTS["seed"], channels: tuple[int, int] = CNN_DEFAULTS["channels"],
               dropout: float = CNN_DEFAULTS["dropout"], lr: float = CNN_DEFAULTS["lr"],
               batch_size: int = CNN_DEFAULTS["batch_size"],
               capture_count: int = CNN_DEFAULTS["capture_count"]) -> dict[str, Any]:
    """The checked settings of a course CNN for ``dataset`` (what its cache key is made of)."""
    validation.image_dataset(dataset)
    if epochs is None:
        epochs = CNN_EPOCHS.get(dataset.name, CNN_EPOCHS["Fashion-MNIST"])
    return {
        "model": "SmallCNN",
        "dataset": dataset.name,
        "source": dataset.source,
        "epochs": validation.integer(epochs, "epochs", low=1),
        "embedding_dim": validation.integer(embedding_dim, "embedding_dim", low=1),
        "channels": list(validation.integers(channels, "channels", count=2, low=1)),
        "dropout": float(validation.number(dropout, "dropout", low=0, high=1, high_open=True)),
        "seed": validation.integer(seed, "seed", low=0),
        "lr": float(validation.number(lr, "lr", low=0, low_open=True)),
        "batch_size": validation.integer(batch_size, "batch_size", low=1),
        "capture_count": min(validation.integer(capture_count, "capture_count", low=1), len(dataset.x_test)),
        "num_classes": len(dataset.class_names),
    }


def build_cnn(config: dict[str, Any]) -> SmallCNN:
    """The untrained network of ``config`` (from :func:`cnn_config`): its first weights depend on the seed only."""
    seed_everything(config["seed"])
    return SmallCNN(num_classes=config["num_classes"], embedding_dim=config["embedding_dim"],
                    channels=tuple(config["channels"]), dropout=config["dropout"])


def _test_set(dataset: ImageDataset) -> tuple[torch.Tensor, torch.Tensor]:
    return (images_for_fit(dataset.x_test, name="dataset.x_test"),
            torch.from_numpy(np.asarray(dataset.y_test, dtype=np.int64)))


def accuracy_on_test(model: SmallCNN, dataset: ImageDataset) -> float:
    """The share of ``dataset``'s test images that ``model`` classifies right."""
    x_test, y_test = _test_set(dataset)
    return accuracy(predict(model, x_test), y_test)


def train_cnn(model: SmallCNN, dataset: ImageDataset, config: dict[str, Any], *,
              progress: bool = True) -> tuple[History, dict[str, Any]]:
    """Train ``model`` in place as ``config`` says; return its history and what is stored beside its weights
    (the first ``capture_count`` test embeddings and the test accuracy, before and after each epoch)."""
    x_test, y_test = _test_set(dataset)
    embeddings: list[torch.Tensor] = []
    accuracies: list[float] = []

    def record(epoch: int, net: torch.nn.Module) -> None:
        embeddings.append(torch.from_numpy(embed_images(net, dataset.x_test[:config["capture_count"]])))
        accuracies.append(accuracy(predict(net, x_test), y_test))

    # One CPU thread: no slower for this small network, and the same weights on every machine.
    with torch_threads(1):
        history = fit(model, images_for_fit(dataset.x_train, name="dataset.x_train"),
                      torch.from_numpy(np.asarray(dataset.y_train, dtype=np.int64)), loss_fn=F.cross_entropy,
                      epochs=config["epochs"], batch_size=config["batch_size"], lr=config["lr"], seed=config["seed"],
                      val=(x_test, y_test), metric=accuracy, on_epoch_end=record, progress=progress,
                      description=f"training the CNN on {dataset.name}")
    model.to("cpu").eval()
    return history, {"epoch_embeddings": torch.stack(embeddings), "epoch_test_accuracy": accuracies,
                     "test_accuracy": accuracy(predict(model, x_test), y_test), "config": config}
