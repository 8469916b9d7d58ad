"""An AlexNet-like network scaled down for 28x28 grey-scale images, and a way to read
every layer's output.

AlexNet (Krizhevsky, Sutskever and Hinton, 2012) has five convolutional layers followed
by three fully connected (FC) layers: two hidden layers (fc6, fc7) and the output layer
(fc8). :class:`AlexNetLike` keeps that layout, with far fewer filters and units::

    image (1, 28, 28)
      -> conv1: Conv 5x5, BatchNorm, ReLU, MaxPool 2    -> (16, 14, 14)
      -> conv2: Conv 3x3, BatchNorm, ReLU, MaxPool 2    -> (32, 7, 7)
      -> conv3: Conv 3x3, BatchNorm, ReLU               -> (48, 7, 7)
      -> conv4: Conv 3x3, BatchNorm, ReLU               -> (48, 7, 7)
      -> conv5: Conv 3x3, BatchNorm, ReLU, MaxPool 2    -> (32, 3, 3)
      -> flatten                                        -> 288 numbers
      -> fc6: Dropout, Linear, ReLU                     -> 128 numbers
      -> fc7: Dropout, Linear, ReLU                     -> 64 numbers (the penultimate layer)
      -> fc8: Linear                                    -> one score per class

(the sizes are those of the default ``channels`` and ``hidden``; batch normalisation
stands in for AlexNet's local response normalisation). Each block is a named
submodule, so ``PROBE_POINTS`` can name the output of every layer in the terms of
``torchvision.models.feature_extraction`` and :func:`layer_outputs` can return them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence

import torch
from torch import nn

from helpers import validation

__all__ = ["AlexNetLike", "BLOCKS", "LAYERS", "PROBE_POINTS", "conv_block", "fc_block", "layer_outputs"]

#: The eight layers, from input to output.
LAYERS: tuple[str, ...] = ("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8")

#: The submodule that holds each layer's weights (and the rest of its block).
BLOCKS: dict[str, str] = {
    **{f"conv{i}": f"features.conv{i}" for i in range(1, 6)},
    **{f"fc{i}": f"classifier.fc{i}" for i in range(6, 9)},
}

#: Each layer's output as a node of the traced graph (see
#: ``torchvision.models.feature_extraction.get_graph_node_names``): the last operation
#: of the layer's block, after its ReLU (and pooling, where the block pools).
PROBE_POINTS: dict[str, str] = {
    "conv1": "features.conv1.pool",
    "conv2": "features.conv2.pool",
    "conv3": "features.conv3.relu",
    "conv4": "features.conv4.relu",
    "conv5": "features.conv5.pool",
    "fc6": "classifier.fc6.relu",
    "fc7": "classifier.fc7.relu",
    "fc8": "classifier.fc8",
}


def conv_block(c_in: int, c_out: int, kernel: int, pool: bool) -> nn.Sequential:
    """Convolution (padded to keep the size), batch normalisation, ReLU, and 2x2 max pooling if ``pool``.

    Batch normalisation stands in for AlexNet's local response normalisation; it lets a
    network this deep learn in a few epochs.
    """
    parts: list[tuple[str, nn.Module]] = [
        ("conv", nn.Conv2d(c_in, c_out, kernel_size=kernel, padding=kernel // 2, bias=False)),
        ("norm", nn.BatchNorm2d(c_out)),
        ("relu", nn.ReLU()),
    ]
    if pool:
        parts.append(("pool", nn.MaxPool2d(kernel_size=2)))
    return nn.Sequential(OrderedDict(parts))


def fc_block(n_in: int, n_out: int, dropout: float) -> nn.Sequential:
    """Dropout (while training only), a fully connected layer and ReLU: a hidden layer as in AlexNet."""
    return nn.Sequential(OrderedDict([
        ("dropout", nn.Dropout(dropout)),
        ("linear", nn.Linear(n_in, n_out)),
        ("relu", nn.ReLU()),
    ]))


class AlexNetLike(nn.Module):
    """Five convolutional layers and three fully connected layers, for (n, 1, 28, 28) inputs.

    ``channels`` are the filters of conv1..conv5, ``hidden`` the units of fc6 and fc7,
    ``dropout`` the share of fc6's and fc7's inputs switched off while training. The
    blocks are ``features.conv1`` .. ``features.conv5`` and ``classifier.fc6`` ..
    ``classifier.fc8``; ``model(x)`` returns the class scores (fc8).
    """

    @validation.params(num_classes=validation.rule(validation.integer, low=2),
                       dropout=validation.rule(validation.number, low=0, high=1, high_open=True),
                       channels=validation.rule(validation.integers, count=5, low=1),
                       hidden=validation.rule(validation.integers, count=2, low=1))
    def __init__(
        self,
        num_classes: int = 10,
        channels: Sequence[int] = (16, 32, 48, 48, 32),
        hidden: Sequence[int] = (128, 64),
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        (c1, c2, c3, c4, c5), (h6, h7) = channels, hidden
        self.num_classes, self.dropout = num_classes, dropout
        self.channels, self.hidden = (c1, c2, c3, c4, c5), (h6, h7)
        self.features = nn.Sequential(OrderedDict([
            ("conv1", conv_block(1, c1, 5, pool=True)),     # 28 -> 14
            ("conv2", conv_block(c1, c2, 3, pool=True)),    # 14 -> 7
            ("conv3", conv_block(c2, c3, 3, pool=False)),
            ("conv4", conv_block(c3, c4, 3, pool=False)),
            ("conv5", conv_block(c4, c5, 3, pool=True)),    # 7 -> 3
        ]))
        self.flatten = nn.Flatten()
        self.classifier = nn.Sequential(OrderedDict([
            ("fc6", fc_block(c5 * 3 * 3, h6, dropout)),
            ("fc7", fc_block(h6, h7, dropout)),
            ("fc8", nn.Linear(h7, num_classes)),
        ]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.flatten(self.features(x)))

    def config(self) -> dict[str, object]:
        """The constructor's arguments, as plain values (for cache keys)."""
        return {"num_classes": self.num_classes, "channels": list(self.channels),
                "hidden": list(self.hidden), "dropout": self.dropout}


def _resolve(names: Iterable[str] | None) -> dict[str, str]:
    """``{graph node: requested name}`` for the requested layer names (or all of ``LAYERS``)."""
    if names is None:
        names = LAYERS
    if isinstance(names, str):
        names = [names]
    try:
        names = list(names)
    except TypeError:
        raise validation.InvalidType(
            f"names must be a list of layer names such as {list(LAYERS[:2])}, got {names!r}") from None
    if not names:
        raise validation.InvalidValue("names must name at least one layer")
    nodes: dict[str, str] = {}
    for name in names:
        if not isinstance(name, str):
            raise validation.InvalidType(f"names must hold strings, got {name!r}")
        node = PROBE_POINTS.get(name, name)
        if node in nodes:
            raise validation.InvalidValue(f"names: {name!r} is asked for twice")
        nodes[node] = name
    return nodes


def layer_outputs(
    model: nn.Module,
    x: torch.Tensor,
    names: Iterable[str] | None = None,
    *,
    batch_size: int = 100,
) -> dict[str, torch.Tensor]:
    """The outputs of the named layers for a batch of images, ``{name: tensor}``.

    ``names`` are layer names of ``LAYERS`` (e.g. ``"fc7"``) or node names of the traced
    graph (``get_graph_node_names(model)[1]``, e.g. ``"features.conv3.conv"``); by
    default all of ``LAYERS``. Uses ``torchvision.models.feature_extraction.
    create_feature_extractor`` in eval mode without gradients, ``batch_size`` images at
    a time; the tensors are on the CPU and keep their shapes (e.g. (n, 16, 14, 14)).
    """
    from torchvision.models.feature_extraction import create_feature_extractor, get_graph_node_names

    if not isinstance(model, nn.Module):
        raise validation.InvalidType(f"model must be a torch.nn.Module, got {type(model).__name__}")
    if not isinstance(x, torch.Tensor) or x.ndim != 4:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise validation.InvalidValue(f"x must be a float tensor of shape (n, channels, height, width), got {shape}")
    batch_size = validation.integer(batch_size, "batch_size", low=1)
    nodes = _resolve(names)
    known = get_graph_node_names(model)[1]
    unknown = [name for node, name in nodes.items() if node not in known]
    if unknown:
        raise validation.InvalidValue(
            f"names: {', '.join(map(repr, unknown))} is not a layer of this model; "
            f"use one of {', '.join(LAYERS)} or a node of get_graph_node_names(model)"
        )
    was_training = model.training
    model.eval()
    try:
        extractor = create_feature_extractor(model, return_nodes=nodes)
        extractor.eval()
        device = next(model.parameters()).device
        # each layer's output is made once at its full size and filled batch by batch: joining
        # the batches at the end would hold every output twice for a moment
        outputs: dict[str, torch.Tensor] = {name: torch.empty(0) for name in nodes.values()}
        with torch.no_grad():
            for start in range(0, len(x), batch_size):
                out = extractor(x[start:start + batch_size].to(device))
                for name, tensor in out.items():
                    if start == 0:
                        outputs[name] = torch.empty((len(x), *tensor.shape[1:]), dtype=tensor.dtype)
                    outputs[name][start:start + len(tensor)] = tensor.cpu()
    finally:
        model.train(was_training)
    return outputs
