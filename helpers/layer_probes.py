"""Which layer of a network gives useful embeddings? Given a trained network (the
AlexNet-like one is trained by :mod:`helpers.alexnet_training`), *probe* each layer's
output with two read-outs that need no further training of the network:

- k-NN accuracy: label each test image by the majority of its ``k`` nearest training
  images in that layer's space (high when similar images sit close together);
- a linear probe: the test accuracy of a logistic regression on that layer's vectors
  (high when the classes can be told apart by a flat cut through the space).

>>> from helpers.data import load_fashion_mnist
>>> from helpers.alexnet_training import train_or_load_alexnet
>>> from helpers.layer_probes import probe_layers
>>> fashion = load_fashion_mnist()
>>> net, info = train_or_load_alexnet(fashion, epochs=3)
>>> rows = probe_layers(net, X_train, y_train, X_test, y_test, ["pixels", "conv1", "fc7"])

Each row also keeps which test images each read-out got right (``knn_right``,
``linear_right``): two layers measured on the same images are compared image by image
(:func:`helpers.metrics.compare_accuracies`). Both results are cached under the course
cache (weights in ``weights/``, probe results as verified entries in ``probes/``), keyed
by everything that changes them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from torch import nn

from helpers import cache, validation
from helpers.metrics import knn_correct, linear_correct
from helpers.models.alexnet import LAYERS, layer_outputs
from helpers.training import as_tensor_images

__all__ = ["PIXELS", "ProbeRows", "probe_layers"]

#: The layer name that stands for the raw input (the pixels, flattened): the baseline.
PIXELS = "pixels"

#: Bump when the stored probe results change meaning or form, so old entries are ignored.
_PROBE_FORMAT = 3

#: The most bytes of layer outputs that :func:`probe_layers` holds at once (every layer's: about 0.1 GB).
GROUP_BYTES = 48 * 2**20


# ----------------------------------------------------------------------------- probing


class ProbeRows(list):
    """The rows that :func:`probe_layers` returns (a list of dicts), plus ``from_cache``
    (True when they were read from the cache) and ``seconds`` (time taken by this call)."""

    from_cache: bool = False
    seconds: float = 0.0


def _images(x: Any, name: str) -> torch.Tensor:
    return as_tensor_images(validation.images(x, name), name=name)


def _layer_groups(model: nn.Module, images: torch.Tensor, names: list[str]) -> list[list[str]]:
    """``names`` in order, cut into runs whose outputs for ``images`` take at most :data:`GROUP_BYTES` together."""
    one = {PIXELS: images[:1], **layer_outputs(model, images[:1], [name for name in names if name != PIXELS] or None)}
    groups, held = [[]], 0
    for name in names:
        size = one[name].numel() * one[name].element_size() * len(images)
        if groups[-1] and held + size > GROUP_BYTES:
            groups, held = [*groups, []], 0
        groups[-1].append(name)
        held += size
    return groups


def _probe_entry_name(model: nn.Module, arrays: Sequence[Any], layers: list[str], k: int) -> str:
    weights = cache.fingerprint(*model.state_dict().values())
    return cache.key("probe", {"format": _PROBE_FORMAT, "model": type(model).__name__, "weights": weights,
                               "data": cache.fingerprint(*arrays), "layers": layers, "k": k}) + ".json"


def _read_rows(name: str, layers: list[str]) -> list[dict[str, Any]] | None:
    """The cached rows (verified), or None; a damaged entry is reported and set aside."""

    def decode(payload: bytes) -> list[dict[str, Any]]:
        rows = json.loads(payload.decode("utf-8"))
        if [row["layer"] for row in rows] != layers:
            raise ValueError(f"it holds the layers {[row['layer'] for row in rows]}, not {layers}")
        return [_row(r["layer"], int(r["dim"]), _bits(r["knn_right"]), _bits(r["linear_right"])) for r in rows]

    return cache.load("probes", name, decode, what="probe result")


def _bits(text: Any) -> np.ndarray:
    if not isinstance(text, str) or not text or set(text) - {"0", "1"}:
        raise ValueError("a per-image result is not a string of 0s and 1s")
    return np.array([c == "1" for c in text])


def _row(layer: str, dim: int, knn_right: np.ndarray, linear_right: np.ndarray) -> dict[str, Any]:
    return {"layer": layer, "dim": dim, "knn_acc": float(np.mean(knn_right)),
            "linear_acc": float(np.mean(linear_right)), "knn_right": knn_right, "linear_right": linear_right}


def _write_rows(name: str, rows: list[dict[str, Any]]) -> None:
    stored = [{"layer": r["layer"], "dim": r["dim"],
               **{key: "".join("1" if ok else "0" for ok in r[key]) for key in ("knn_right", "linear_right")}}
              for r in rows]
    cache.save("probes", name, stored, lambda value: json.dumps(value, indent=1).encode("utf-8"))


def probe_layers(
    model: nn.Module,
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    layers: Sequence[str],
    *,
    k: int = 10,
) -> ProbeRows:
    """Probe each layer's output: k-NN accuracy and linear-probe accuracy on the test images.

    ``X_*`` are images, (n, 28, 28) uint8 or (n, 1, 28, 28) floats; ``y_*`` their labels.
    ``layers`` names layers of ``helpers.models.alexnet.LAYERS`` and may include
    ``"pixels"`` (the flattened input, a baseline). Each layer's output is flattened to
    one vector per image. Returns one row per layer, in order: ``{"layer", "dim",
    "knn_acc", "linear_acc", "knn_right", "linear_right"}`` (the last two: a bool per test
    image). Results are cached by the model's weights, the data, ``layers`` and ``k``; a
    repeated call reads them back (``rows.from_cache``).
    """
    started = time.perf_counter()
    validation.module(model, "model")
    train_images, test_images = _images(X_train, "X_train"), _images(X_test, "X_test")
    if train_images.shape[1:] != test_images.shape[1:]:
        raise validation.InvalidValue(f"X_test must hold images of the same shape as X_train: got "
                                      f"{tuple(test_images.shape[1:])} and {tuple(train_images.shape[1:])}")
    train_labels = validation.labels(y_train, "y_train", len(train_images), "X_train", integers=True)
    test_labels = validation.labels(y_test, "y_test", len(test_images), "X_test", integers=True)
    names = validation.names(layers, "layers", (PIXELS, *LAYERS), what="layer names")
    k = validation.integer(k, "k", low=1, high=len(train_images), why=" (at most the number of training images)")

    entry = _probe_entry_name(model, [X_train, y_train, X_test, y_test], names, k)
    cached = _read_rows(entry, names)
    if cached is not None:
        rows = ProbeRows(cached)
        rows.from_cache, rows.seconds = True, time.perf_counter() - started
        return rows

    images = torch.cat([train_images, test_images])
    rows = ProbeRows()
    for group in _layer_groups(model, images, names):
        net_layers = [name for name in group if name != PIXELS]
        outputs = {PIXELS: images, **(layer_outputs(model, images, net_layers) if net_layers else {})}
        for name in group:
            A, B = np.split(outputs.pop(name).flatten(1).numpy().astype(np.float32, copy=False), [len(train_images)])
            rows.append(_row(name, int(A.shape[1]), knn_correct(A, train_labels, B, test_labels, k=k),
                             linear_correct(A, train_labels, B, test_labels)))
            del A, B  # freed before the next group's outputs are made
    _write_rows(entry, list(rows))
    rows.from_cache, rows.seconds = False, time.perf_counter() - started
    return rows
