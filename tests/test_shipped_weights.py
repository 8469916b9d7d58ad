"""The trained weights the course ships (data/weights/): what notebook 05 loads instead of training.

They must be what the course's training code produces (same cache key, same keys and
shapes), reach the quality targets, give the accuracy recorded beside them, and a
damaged or missing file must be reported and replaced by training.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import autoencoder_training, data, latent_space, paths
from helpers.cnn_training import train_or_load_cnn
from helpers.data import ImageDataset
from helpers.training import WeightCache, accuracy, as_tensor_images, predict

DATA = Path(data.DATA_DIR)
SHIPPED = json.loads((DATA / "manifest.json").read_text())["weights"]


def test_the_shipped_weights_are_listed_small_and_intact():
    assert set(SHIPPED) == {"cnn_fashion_mnist.pt", "autoencoder2d_fashion_mnist.pt",
                            "autoencoder16d_fashion_mnist.pt", "alexnet_like_fashion_mnist.pt"}
    assert {p.name for p in (DATA / data.WEIGHTS_FOLDER).iterdir()} == set(SHIPPED)
    for name, entry in SHIPPED.items():
        path = data.shipped_weights(entry["cache_key"])
        assert path == DATA / data.WEIGHTS_FOLDER / name
        assert path.stat().st_size == entry["size"] < 2_000_000, name
    assert sum(entry["size"] for entry in SHIPPED.values()) < 4_500_000
    assert data.shipped_weights("cnn-0000000000000000") is None   # nothing ships for other settings


def _fresh_state_shapes(model: torch.nn.Module) -> dict[str, tuple[int, ...]]:
    return {k: tuple(v.shape) for k, v in model.state_dict().items()}


def _assert_shipped_classifier(model: torch.nn.Module, info: dict, name: str, fashion: ImageDataset) -> None:
    """Loaded from the shipped file ``name``: same shapes as a fresh model, the recorded test accuracy, >= 0.85."""
    assert info["source"] == "shipped" and not info["from_cache"]
    stored = torch.load(DATA / "weights" / name, map_location="cpu", weights_only=True)
    assert {k: tuple(v.shape) for k, v in stored["weights"].items()} == _fresh_state_shapes(model)
    measured = accuracy(predict(model, as_tensor_images(fashion.x_test)), torch.from_numpy(fashion.y_test))
    assert measured == pytest.approx(info["test_accuracy"], abs=1e-6)
    assert measured == pytest.approx(SHIPPED[name]["test_accuracy"], abs=1e-5)
    assert measured >= 0.85


def test_the_shipped_cnn_is_what_the_training_code_makes_and_reaches_its_target(tmp_path):
    fashion = data.load_fashion_mnist()
    # an empty cache: the model can only come from the shipped file, found by the key the
    # training code computes now (its settings and data are the ones it was trained with)
    model, info = train_or_load_cnn(fashion, shipped=True, cache=WeightCache(tmp_path), progress=False)
    _assert_shipped_classifier(model, info, "cnn_fashion_mnist.pt", fashion)
    assert len(info["epoch_test_accuracy"]) == info["config"]["epochs"] + 1
    # notebook 03 asks for the per-epoch embeddings, which do not ship: it trains (not run here)
    assert not any(w.is_file() for w in tmp_path.iterdir())


def test_the_shipped_alexnet_is_what_the_training_code_makes(tmp_path):
    from helpers.alexnet_training import train_or_load_alexnet

    fashion = data.load_fashion_mnist()
    model, info = train_or_load_alexnet(fashion, epochs=3, shipped=True, cache=WeightCache(tmp_path), progress=False)
    _assert_shipped_classifier(model, info, "alexnet_like_fashion_mnist.pt", fashion)
    assert len(info["history"]) == 3
    assert not any(w.is_file() for w in tmp_path.iterdir())  # loading writes nothing to the cache


def test_the_shipped_autoencoders_are_what_the_training_code_makes_and_beat_pca(tmp_path):
    fashion = data.load_fashion_mnist()
    pca_2d = latent_space.pca_reconstruct(fashion.x_train, fashion.x_test, 2)[0]
    pca_mse = latent_space.reconstruction_mse(fashion.x_test, pca_2d)
    for dim, name in ((autoencoder_training.SMALL_LATENT_DIM, "autoencoder2d_fashion_mnist.pt"),
                      (autoencoder_training.LARGE_LATENT_DIM, "autoencoder16d_fashion_mnist.pt")):
        model, info = autoencoder_training.train_or_load_autoencoder(fashion, latent_dim=dim, shipped=True,
                                                       cache=WeightCache(tmp_path), progress=False)
        assert info["source"] == "shipped"
        stored = torch.load(DATA / "weights" / name, map_location="cpu", weights_only=True)
        assert {k: tuple(v.shape) for k, v in stored["weights"].items()} == _fresh_state_shapes(model)
        mse = latent_space.reconstruction_mse(fashion.x_test, latent_space.reconstruct(model, fashion.x_test))
        assert mse == pytest.approx(info["test_mse"], rel=1e-5)
        assert mse == pytest.approx(SHIPPED[name]["test_mse"], abs=1e-5)
        if dim == autoencoder_training.SMALL_LATENT_DIM:
            assert mse <= 0.85 * pca_mse


def test_the_build_ships_the_calls_the_notebooks_make():
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_data", DATA / "build_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    models = build.shipped_models()
    assert set(models) == set(SHIPPED)
    for name, (made_by, _) in models.items():
        assert SHIPPED[name]["made_by"] == made_by


# --------------------------------------------------------------------------- a damaged file


def _tiny() -> ImageDataset:
    rng = np.random.default_rng(3)
    return ImageDataset(
        x_train=rng.integers(0, 256, (40, 28, 28)).astype(np.uint8), y_train=(np.arange(40) % 3).astype(np.int64),
        x_test=rng.integers(0, 256, (12, 28, 28)).astype(np.uint8), y_test=(np.arange(12) % 3).astype(np.int64),
        class_names=("a", "b", "c"), name="tiny", source="shipped",
    )


@pytest.fixture
def shipped_tiny(tmp_path, monkeypatch):
    """A data folder that ships the weights of a tiny autoencoder, as make data would write them."""
    folder = tmp_path / "data"
    (folder / "weights").mkdir(parents=True)
    trained_cache = WeightCache(tmp_path / "trained")
    net, info = autoencoder_training.train_or_load_autoencoder(_tiny(), latent_dim=2, epochs=2, progress=False,
                                                 cache=trained_cache)
    (made,) = (tmp_path / "trained").glob("*.pt")
    torch.save(trained_cache.load(made.stem), folder / "weights" / "tiny.pt")  # as make data ships it
    manifest = {"files": {}, "weights": {"tiny.pt": {"cache_key": made.stem,
                                                     "sha256": data._file_digest(folder / "weights" / "tiny.pt")}}}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(data, "DATA_DIR", folder)
    return folder / "weights" / "tiny.pt", net


def _load(tmp_path, **kwargs):
    return autoencoder_training.train_or_load_autoencoder(_tiny(), latent_dim=2, epochs=2, progress=False,
                                            cache=WeightCache(tmp_path / "empty"), **kwargs)


def _same(a: torch.nn.Module, b: torch.nn.Module) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a.state_dict().values(), b.state_dict().values()))


def test_intact_shipped_weights_load_and_shipped_false_trains(shipped_tiny, tmp_path):
    _, trained = shipped_tiny
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        net, info = _load(tmp_path, shipped=True)
    assert info["source"] == "shipped" and _same(net, trained)
    _, info = _load(tmp_path, shipped=False)   # the one argument that trains instead
    assert info["source"] == "trained"
    _, info = _load(tmp_path, shipped=True)    # now the learner's own cached weights come first
    assert info["source"] == "cache"


@pytest.mark.parametrize("damage", ["flip a byte", "truncate", "delete"])
def test_a_damaged_or_missing_shipped_file_is_explained_and_the_model_trained(shipped_tiny, tmp_path, damage):
    path, trained = shipped_tiny
    raw = path.read_bytes()
    if damage == "flip a byte":
        path.write_bytes(raw[:500] + bytes([raw[500] ^ 0xFF]) + raw[501:])
    elif damage == "truncate":
        path.write_bytes(raw[: len(raw) // 2])
    else:
        path.unlink()
    with pytest.warns(paths.CacheWarning) as caught:
        net, info = _load(tmp_path, shipped=True)
    message = str(caught[0].message)
    assert "tiny.pt" in message and "trained instead" in message and "git checkout -- data/weights/tiny.pt" in message
    assert ("missing" if damage == "delete" else "failed its checksum") in message
    assert info["source"] == "trained"
    assert _same(net, trained)   # trained from the seeded start: the same weights as ever


def test_shipped_weights_that_do_not_fit_are_explained_and_the_model_trained(shipped_tiny, tmp_path):
    path, trained = shipped_tiny
    state = torch.load(path, weights_only=True)
    state["weights"] = {k: v[..., :1] for k, v in state["weights"].items()}   # checksummed, but wrong shapes
    torch.save(state, path)
    manifest = json.loads((path.parent.parent / "manifest.json").read_text())
    manifest["weights"]["tiny.pt"]["sha256"] = data._file_digest(path)
    (path.parent.parent / "manifest.json").write_text(json.dumps(manifest))
    with pytest.warns(paths.CacheWarning, match="do not fit the model"):
        net, info = _load(tmp_path, shipped=True)
    assert info["source"] == "trained" and _same(net, trained)


def test_shipped_must_be_true_or_false():
    with pytest.raises(TypeError, match="shipped"):
        autoencoder_training.train_or_load_autoencoder(_tiny(), latent_dim=2, shipped="yes")
    with pytest.raises(TypeError, match="shipped"):
        train_or_load_cnn(_tiny(), shipped=1)


def test_rebuilding_the_data_keeps_the_weights_and_the_data_check_leaves_them_out(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("build_data", DATA / "build_data.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    monkeypatch.setattr(build, "BUILDERS", {"tiny.npz": lambda sources: ({"x": np.arange(3)}, {"description": "3"})})
    out = tmp_path / "out"
    out.mkdir()
    weights = {"w.pt": {"cache_key": "autoencoder2d-0", "sha256": "1" * 64}}
    (out / "manifest.json").write_text(json.dumps({"weights": weights}))
    assert build.build_all(tmp_path, out)["weights"] == weights
    assert json.loads((out / "manifest.json").read_text())["weights"] == weights
    assert build.check(tmp_path, out) == 0   # weights differ between machines: the data check compares the data
