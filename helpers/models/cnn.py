"""A small convolutional classifier for 28x28 grey-scale images, with a named embedding layer.

The network is two convolution blocks, a fully connected *embedding* layer (the
penultimate layer) and a linear classifier on top::

    image (1, 28, 28)
      -> conv1: Conv 5x5 stride 2, BatchNorm, ReLU   -> (c1, 14, 14)
      -> conv2: Conv 3x3 stride 2, BatchNorm, ReLU   -> (c2, 7, 7)
      -> flatten                                     -> c2 * 49 numbers
      -> embedding: Dropout, Linear, ReLU            -> embedding_dim numbers (the image embedding)
      -> classifier: Dropout, Linear                 -> one score per class

Dropout (only active while training) and batch normalisation keep the network from
memorising the few thousand training images.

``model.embed(x)`` returns the embedding vectors, ``model(x)`` the class scores, and
``model.layer_outputs(x)`` the output of every layer (each one a representation of the
image). Training and caching live in :mod:`helpers.cnn_training`.
"""

from __future__ import annotations

import torch
from torch import nn

from helpers import validation

__all__ = ["SmallCNN", "LAYER_NAMES"]

#: The most images a course dataset holds (70,000): each embeds into one number per embedding unit.
_IMAGES = 70_000

#: The layers whose outputs :meth:`SmallCNN.layer_outputs` returns, from input to output.
LAYER_NAMES: tuple[str, ...] = ("conv1", "conv2", "embedding", "classifier")


class SmallCNN(nn.Module):
    """Two convolution blocks, an embedding layer of ``embedding_dim`` units, a classifier.

    ``channels`` sets the number of filters of the two convolution blocks and ``dropout``
    the share of units switched off at random while training. The input is a float
    tensor of shape (n, 1, 28, 28) with values in [0, 1].
    """

    def __init__(
        self,
        num_classes: int = 10,
        embedding_dim: int = 64,
        channels: tuple[int, int] = (16, 32),
        dropout: float = 0.3,
    ) -> None:
        super().__init__()
        self.num_classes = validation.integer(num_classes, "num_classes", low=1)
        c1, c2 = validation.integers(channels, "channels", count=2, low=1)
        # each embedding unit: its weights with their gradient and Adam's two moments, and one number per image
        self.embedding_dim = validation.size(embedding_dim, "embedding_dim", item_bytes=16 * (c2 * 49 + num_classes)
                                             + 4 * _IMAGES, what="embedding units")
        self.channels = (c1, c2)
        self.dropout = validation.number(dropout, "dropout", low=0, high=1, high_open=True)
        # Strided convolutions halve the image size themselves (cheaper than pooling on a CPU).
        self.conv1 = nn.Sequential(nn.Conv2d(1, c1, 5, stride=2, padding=2), nn.BatchNorm2d(c1), nn.ReLU())
        self.conv2 = nn.Sequential(nn.Conv2d(c1, c2, 3, stride=2, padding=1), nn.BatchNorm2d(c2), nn.ReLU())
        self.flatten = nn.Flatten()
        self.embedding = nn.Sequential(
            nn.Dropout(self.dropout), nn.Linear(c2 * 7 * 7, embedding_dim), nn.ReLU()
        )
        self.classifier = nn.Sequential(nn.Dropout(self.dropout), nn.Linear(embedding_dim, num_classes))

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """The penultimate layer's output: one ``embedding_dim`` vector per image."""
        if isinstance(x, torch.Tensor):  # not while torch.fx traces the model (feature extraction)
            validation.image_tensor(x)
        return self.embedding(self.flatten(self.conv2(self.conv1(x))))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Class scores (logits): the classifier applied to the embedding."""
        return self.classifier(self.embed(x))

    def layer_outputs(self, x: torch.Tensor) -> dict[str, torch.Tensor]:
        """Every layer's output, flattened to one vector per image, keyed by ``LAYER_NAMES``."""
        validation.image_tensor(x)
        outputs: dict[str, torch.Tensor] = {}
        h = self.conv1(x)
        outputs["conv1"] = h.flatten(1)
        h = self.conv2(h)
        outputs["conv2"] = h.flatten(1)
        h = self.embedding(self.flatten(h))
        outputs["embedding"] = h
        outputs["classifier"] = self.classifier(h)
        return outputs

    def extra_repr(self) -> str:
        return f"embedding_dim={self.embedding_dim}, num_classes={self.num_classes}"
