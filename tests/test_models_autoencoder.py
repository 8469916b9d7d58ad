"""helpers.models.autoencoder: the autoencoder's shapes and the sizes and inputs it refuses."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.models.autoencoder import Autoencoder


@pytest.mark.parametrize("latent_dim", [2, 16, 32])
def test_autoencoder_shapes(latent_dim):
    net = Autoencoder(latent_dim=latent_dim)
    x = torch.rand(5, 1, 28, 28)
    z = net.encode(x)
    assert z.shape == (5, latent_dim)
    out = net.decode(z).detach()
    assert out.shape == (5, 1, 28, 28) and float(out.min()) >= 0 and float(out.max()) <= 1
    assert net(x).shape == x.shape
    assert net.encode(torch.rand(3, 28, 28)).shape == (3, latent_dim)  # channel axis optional
    assert f"latent_dim={latent_dim}" in repr(net)


def test_autoencoder_rejects_bad_sizes_and_inputs():
    with pytest.raises(ValueError, match="latent_dim"):
        Autoencoder(latent_dim=0)
    with pytest.raises(ValueError, match=r"hidden\[1\]"):
        Autoencoder(latent_dim=2, hidden=(32, -1))
    net = Autoencoder(latent_dim=2)
    with pytest.raises(ValueError, match=r"z must have shape \(n, 2\)"):
        net.decode(torch.zeros(1, 3))
    with pytest.raises(ValueError, match="x must have shape"):
        net.encode(torch.zeros(2, 1, 32, 32))
    with pytest.raises(TypeError, match="x must be a torch tensor"):
        net.encode(np.zeros((2, 28, 28)))
