"""Autoencoders for 1 x 28 x 28 images with a bottleneck of any size.

An autoencoder is two networks in a row: the **encoder** squeezes an image into a short
vector (the *latent code*, one point of the *latent space*), and the **decoder** turns
that vector back into an image. Training asks the output to equal the input, so the few
numbers of the bottleneck must keep what matters most about the image.

>>> net = Autoencoder(latent_dim=2)
>>> z = net.encode(torch.rand(5, 1, 28, 28))      # (5, 2): five points of the latent plane
>>> net.decode(z).shape                           # five images again, pixels in [0, 1]
torch.Size([5, 1, 28, 28])

Only torch is used here; training and caching live in :mod:`helpers.autoencoder_training`.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn

from helpers import validation

__all__ = ["IMAGE_SHAPE", "Autoencoder", "DEFAULT_HIDDEN"]

#: The images these models read and write: one channel of 28 x 28 pixels.
IMAGE_SHAPE: tuple[int, int, int] = (1, 28, 28)

#: Widths of the hidden layers of the encoder (the decoder mirrors them).
DEFAULT_HIDDEN: tuple[int, ...] = (256, 64)

_PIXELS = IMAGE_SHAPE[0] * IMAGE_SHAPE[1] * IMAGE_SHAPE[2]

#: The most images a course dataset holds (70,000): each has one code number per latent unit.
_IMAGES = 70_000


class Autoencoder(nn.Module):
    """A fully connected autoencoder: 784 pixels -> ``hidden`` -> ``latent_dim`` -> back.

    ``latent_dim`` is the size of the bottleneck (2 to draw the latent space directly,
    16 or 32 for sharper reconstructions). ``hidden`` lists the encoder's hidden widths;
    the decoder uses them in reverse. The decoder ends in a sigmoid, so every output
    pixel lies in [0, 1] like the input pixels.
    """

    def __init__(self, latent_dim: int = 2, hidden: Sequence[int] = DEFAULT_HIDDEN) -> None:
        super().__init__()
        self.hidden = validation.integers(hidden, "hidden", low=1)
        widths = [_PIXELS, *self.hidden]
        # every weight twice (encoder and decoder), with its gradient and Adam's two moments: 4 float32 each
        validation.fits(2 * 16.0 * sum(a * b for a, b in zip(widths[:-1], widths[1:])), "hidden", hidden,
                        "weights and their training state")
        # each latent unit: its weights in both directions with their state, and one number per image
        self.latent_dim = validation.size(latent_dim, "latent_dim", item_bytes=2 * 16 * widths[-1] + 4 * _IMAGES,
                                          what="latent units")

        widths = [_PIXELS, *self.hidden]
        encoder: list[nn.Module] = [nn.Flatten()]
        for width_in, width_out in zip(widths[:-1], widths[1:]):
            encoder += [nn.Linear(width_in, width_out), nn.ReLU()]
        encoder.append(nn.Linear(widths[-1], self.latent_dim))
        self.encoder = nn.Sequential(*encoder)

        back = [self.latent_dim, *reversed(self.hidden)]
        decoder: list[nn.Module] = []
        for width_in, width_out in zip(back[:-1], back[1:]):
            decoder += [nn.Linear(width_in, width_out), nn.ReLU()]
        decoder += [nn.Linear(back[-1], _PIXELS), nn.Sigmoid(), nn.Unflatten(1, IMAGE_SHAPE)]
        self.decoder = nn.Sequential(*decoder)

    def encode(self, x: torch.Tensor) -> torch.Tensor:
        """Images (n, 1, 28, 28) or (n, 28, 28), floats in [0, 1] -> latent codes (n, latent_dim)."""
        if not isinstance(x, torch.Tensor):
            raise validation.InvalidType(f"x must be a torch tensor, got {type(x).__name__}")
        if x.ndim == 3:
            x = x.unsqueeze(1)
        if x.ndim != 4 or tuple(x.shape[1:]) != IMAGE_SHAPE:
            raise validation.InvalidValue(f"x must have shape (n, 1, 28, 28) or (n, 28, 28), got {tuple(x.shape)}")
        return self.encoder(x)

    def decode(self, z: torch.Tensor) -> torch.Tensor:
        """Latent codes (n, latent_dim) -> images (n, 1, 28, 28) with pixels in [0, 1]."""
        if not isinstance(z, torch.Tensor):
            raise validation.InvalidType(f"z must be a torch tensor, got {type(z).__name__}")
        if z.ndim != 2 or z.shape[1] != self.latent_dim:
            raise validation.InvalidValue(
                f"z must have shape (n, {self.latent_dim}) for this {self.latent_dim}-D bottleneck, "
                f"got {tuple(z.shape)}"
            )
        return self.decoder(z)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Encode, then decode: the reconstruction of ``x``."""
        return self.decode(self.encode(x))

    def extra_repr(self) -> str:
        return f"latent_dim={self.latent_dim}, hidden={self.hidden}"
