"""helpers.autoencoder_training: the autoencoder trained once, then loaded from the cache; its settings and checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import autoencoder_training
from helpers.data import ImageDataset
from helpers.models.autoencoder import Autoencoder
from helpers.training import WeightCache


def _tiny_dataset(n_train=48, n_test=16, name="tiny"):
    rng = np.random.default_rng(1)
    return ImageDataset(
        x_train=rng.integers(0, 256, (n_train, 28, 28)).astype(np.uint8),
        y_train=rng.integers(0, 3, n_train).astype(np.int64),
        x_test=rng.integers(0, 256, (n_test, 28, 28)).astype(np.uint8),
        y_test=rng.integers(0, 3, n_test).astype(np.int64),
        class_names=("a", "b", "c"), name=name, source="shipped",
    )


def test_train_or_load_autoencoder_caches_by_config_and_data(tmp_path):
    data = _tiny_dataset()
    cache = WeightCache(tmp_path)
    settings = dict(latent_dim=2, epochs=1, hidden=(16,), batch_size=16, progress=False, cache=cache)
    net, info = autoencoder_training.train_or_load_autoencoder(data, **settings)
    assert isinstance(net, Autoencoder) and not info["from_cache"] and info["latent_dim"] == 2
    assert len(info["history"]) == 1 and 0 < info["test_mse"] < 1 and info["dataset"] == "tiny"
    again, info2 = autoencoder_training.train_or_load_autoencoder(data, **settings)
    assert info2["from_cache"] and info2["test_mse"] == pytest.approx(info["test_mse"])
    for p, q in zip(net.parameters(), again.parameters()):
        assert torch.equal(p, q)
    # another bottleneck, or other data, trains a new model
    _, other = autoencoder_training.train_or_load_autoencoder(data, **{**settings, "latent_dim": 3})
    assert not other["from_cache"]
    _, changed = autoencoder_training.train_or_load_autoencoder(_tiny_dataset(n_train=40), **settings)
    assert not changed["from_cache"]
    assert len(list(tmp_path.glob("*.pt"))) == 3


def test_settings_network_and_training_each_work_alone(tmp_path):
    data = _tiny_dataset()
    config = autoencoder_training.autoencoder_config(data, latent_dim=2, epochs=1, hidden=(16,))
    model = autoencoder_training.build_autoencoder(config)
    history = autoencoder_training.train_autoencoder(model, data, config, progress=False)
    assert history.epochs == 1 and set(autoencoder_training.reconstruction_error(model, data)) == {"test_mse"}
    cached, info = autoencoder_training.train_or_load_autoencoder(data, latent_dim=2, epochs=1, hidden=(16,),
                                                                  progress=False, cache=WeightCache(tmp_path))
    assert info["source"] == "trained" and info["test_mse"] == autoencoder_training.reconstruction_error(
        model, data)["test_mse"]  # the same steps, so the same weights


def test_train_or_load_autoencoder_input_checks(tmp_path):
    data = _tiny_dataset()
    with pytest.raises(TypeError, match="dataset must be an ImageDataset"):
        autoencoder_training.train_or_load_autoencoder(np.zeros((3, 28, 28)), latent_dim=2)
    with pytest.raises(ValueError, match="latent_dim must be a positive integer"):
        autoencoder_training.train_or_load_autoencoder(data, latent_dim=0)
    with pytest.raises(ValueError, match="loss must be 'bce' or 'mse'"):
        autoencoder_training.train_or_load_autoencoder(data, latent_dim=2, loss="l1")


def test_module_constants_describe_the_notebook_models():
    assert autoencoder_training.SMALL_LATENT_DIM == 2 and autoencoder_training.LARGE_LATENT_DIM > 2
    assert autoencoder_training.EPOCHS >= 1 and autoencoder_training.HIDDEN
