"""helpers.cnn_training: the course CNN trained once then loaded from the cache, its settings and checks."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.cnn_training import accuracy_on_test, build_cnn, cnn_config, embed_images, train_cnn, train_or_load_cnn
from helpers.data import FASHION_MNIST_CLASSES, ImageDataset
from helpers.models.cnn import SmallCNN
from helpers.training import WeightCache


def _tiny_dataset() -> ImageDataset:
    rng = np.random.default_rng(0)
    y_train = np.arange(60) % 10
    y_test = np.arange(30) % 10
    # each class gets a bright square in its own place, so the task is learnable
    def images(labels):
        x = rng.integers(0, 40, size=(len(labels), 28, 28)).astype(np.uint8)
        for i, label in enumerate(labels):
            r, c = divmod(int(label), 4)
            x[i, 2 + 6 * r : 8 + 6 * r, 2 + 6 * c : 8 + 6 * c] = 250
        return x

    return ImageDataset(images(y_train), y_train.astype(np.int64), images(y_test), y_test.astype(np.int64),
                        FASHION_MNIST_CLASSES, "tiny", "shipped")


def test_train_or_load_cnn_trains_once_then_loads_the_same_weights():
    data = _tiny_dataset()
    settings = dict(epochs=2, embedding_dim=8, seed=1, channels=(2, 4), batch_size=16, capture_count=12,
                    progress=False)
    model, info = train_or_load_cnn(data, capture_epochs=True, **settings)
    assert info["from_cache"] is False and info["train_seconds"] > 0
    assert info["epoch_embeddings"].shape == (3, 12, 8)  # epoch 0 (untrained) + 2 epochs
    assert info["epoch_embeddings"].dtype == np.float32
    assert len(info["epoch_test_accuracy"]) == 3 and len(info["history"]) == 2
    assert info["capture_labels"].tolist() == data.y_test[:12].tolist()
    np.testing.assert_allclose(info["epoch_embeddings"][-1], embed_images(model, data.x_test[:12]), atol=1e-5)

    again, cached = train_or_load_cnn(data, **settings)  # no captures asked for: same cache entry
    assert cached["from_cache"] is True
    assert "epoch_embeddings" not in cached
    assert cached["test_accuracy"] == pytest.approx(info["test_accuracy"])
    for a, b in zip(model.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)

    _, other = train_or_load_cnn(data, **{**settings, "seed": 2})
    assert other["from_cache"] is False  # another seed is another model


def test_settings_network_and_training_each_work_alone(tmp_path):
    data = _tiny_dataset()
    settings = dict(epochs=1, embedding_dim=8, seed=1, channels=(2, 4), batch_size=16, capture_count=100)
    config = cnn_config(data, **settings)
    assert config["capture_count"] == len(data.x_test) and config["channels"] == [2, 4]
    model = build_cnn(config)
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), build_cnn(config).state_dict().values()))
    history, recorded = train_cnn(model, data, config, progress=False)
    assert history.epochs == 1 and recorded["epoch_embeddings"].shape == (2, len(data.x_test), 8)
    assert recorded["test_accuracy"] == accuracy_on_test(model, data) == recorded["epoch_test_accuracy"][-1]
    cached, info = train_or_load_cnn(data, **settings, cache=WeightCache(tmp_path), progress=False)
    assert info["source"] == "trained"  # the same steps, so the same weights
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), cached.state_dict().values()))


def test_embed_images_takes_uint8_images_and_keeps_the_mode():
    model = SmallCNN(embedding_dim=5).train()
    out = embed_images(model, np.zeros((3, 28, 28), dtype=np.uint8), batch_size=2)
    assert out.shape == (3, 5) and out.dtype == np.float32
    assert model.training


def test_train_or_load_cnn_checks_its_arguments():
    with pytest.raises(TypeError, match="dataset"):
        train_or_load_cnn(np.zeros((3, 28, 28)))
    with pytest.raises(ValueError, match="epochs"):
        train_or_load_cnn(_tiny_dataset(), epochs=0)
