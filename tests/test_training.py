"""Tests of helpers.training: devices, seeding, the fit loop and the weight cache."""

from __future__ import annotations

import hashlib
import re
import warnings

import numpy as np
import pytest
import torch
from torch import nn

from helpers import training


def _toy_data(n: int = 256) -> tuple[torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(1)
    x = torch.randn(n, 8, generator=gen)
    y = (x[:, 0] + x[:, 1] > 0).long()
    return x, y


def _toy_model() -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 2))


def _train(model: nn.Module, epochs: int = 3, **kw) -> training.History:
    x, y = _toy_data()
    return training.fit(
        model, x, y, loss_fn=nn.functional.cross_entropy, epochs=epochs, batch_size=32,
        lr=1e-2, device="cpu", progress=False, val=(x, y), metric=training.accuracy, **kw,
    )


# ----------------------------------------------------------------------------- devices


def test_choose_device_auto_is_a_device():
    assert training.choose_device().type in {"cpu", "cuda", "mps"}
    assert training.choose_device("cpu") == torch.device("cpu")


def test_choose_device_rejects_unknown_names():
    with pytest.raises(ValueError, match="prefer must be one of"):
        training.choose_device("tpu")


def test_choose_device_falls_back_with_a_warning(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.warns(UserWarning, match="not available"):
        assert training.choose_device("cuda") == torch.device("cpu")


def test_choose_device_reads_the_environment(monkeypatch):
    monkeypatch.setenv("COURSE_DEVICE", "cpu")
    assert training.choose_device() == torch.device("cpu")


# ----------------------------------------------------------------------------- seeding


def test_training_repeats_bit_for_bit_on_the_cpu():
    a, b = _toy_model(), _toy_model()
    ha, hb = _train(a), _train(b)
    for (name, pa), (_, pb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert torch.equal(pa, pb), name
    assert ha.column("train_loss") == hb.column("train_loss")


def test_different_seeds_give_different_runs():
    a, b = _toy_model(), _toy_model()
    _train(a, seed=0)
    _train(b, seed=1)
    assert not torch.equal(a[0].weight, b[0].weight)


@pytest.mark.parametrize("seed", [-1, 1.5, "0", True])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="seed must be"):
        training.seed_everything(seed)


# ----------------------------------------------------------------------------- fitting


def test_fit_learns_and_records_history():
    model = _toy_model()
    calls = []
    history = _train(model, epochs=5, on_epoch_end=lambda epoch, m: calls.append(epoch))
    assert history.epochs == 5
    assert history.column("val_metric")[-1] > 0.9
    assert history.column("train_loss")[-1] < history.column("train_loss")[0]
    assert calls == [0, 1, 2, 3, 4, 5]
    assert "5 epochs" in repr(history)


def test_fit_validates_its_arguments():
    x, y = _toy_data()
    with pytest.raises(TypeError, match="model must be"):
        training.fit("net", x, y, loss_fn=nn.functional.cross_entropy, epochs=1)
    with pytest.raises(TypeError, match="inputs must be a torch tensor"):
        training.fit(_toy_model(), x.numpy(), y, loss_fn=nn.functional.cross_entropy, epochs=1)
    with pytest.raises(ValueError, match="same length"):
        training.fit(_toy_model(), x, y[:10], loss_fn=nn.functional.cross_entropy, epochs=1)
    with pytest.raises(ValueError, match="epochs must be"):
        training.fit(_toy_model(), x, y, loss_fn=nn.functional.cross_entropy, epochs=-1)


def test_as_tensor_images_scales_uint8_and_adds_a_channel():
    x = np.full((4, 28, 28), 255, dtype=np.uint8)
    t = training.as_tensor_images(x)
    assert t.shape == (4, 1, 28, 28) and t.dtype == torch.float32 and float(t.max()) == 1.0
    with pytest.raises(ValueError, match="x must have shape"):
        training.as_tensor_images(np.zeros(5))
    with pytest.raises(TypeError, match="x must be"):
        training.as_tensor_images([[1, 2]])


def _image_data(n: int = 96) -> tuple[np.ndarray, torch.Tensor]:
    rng = np.random.default_rng(3)
    return rng.integers(0, 256, (n, 6, 6), dtype=np.uint8), torch.from_numpy(rng.integers(0, 2, n))


def _fit_images(inputs, targets, model, loss_fn) -> tuple[training.History, dict[str, torch.Tensor]]:
    history = training.fit(model, inputs, targets, loss_fn=loss_fn, epochs=2, batch_size=16, lr=1e-2,
                           device="cpu", progress=False, val=(inputs, targets))
    return history, model.state_dict()


def _image_model(out: int) -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Flatten(), nn.Linear(36, out), *([nn.Unflatten(1, (1, 6, 6)), nn.Sigmoid()] if out == 36
                                                             else []))


@pytest.mark.parametrize("autoencoder", [False, True])
def test_uint8_images_train_as_their_floats_do_a_batch_at_a_time(autoencoder):
    """uint8 images stay uint8 (a quarter of the memory) and give the very same training and outputs."""
    images, labels = _image_data()
    small, floats = training.images_for_fit(images), training.as_tensor_images(images)
    assert small.dtype == torch.uint8 and floats.dtype == torch.float32
    loss_fn = nn.functional.mse_loss if autoencoder else nn.functional.cross_entropy
    runs = [_fit_images(x, x if autoencoder else labels, _image_model(36 if autoencoder else 2), loss_fn)
            for x in (small, floats)]
    assert runs[0][0].rows[-1]["val_loss"] == runs[1][0].rows[-1]["val_loss"]
    for name, weight in runs[0][1].items():
        assert torch.equal(weight, runs[1][1][name]), name
    model = _image_model(2)
    assert torch.equal(training.predict(model, small), training.predict(model, floats))
    assert training.images_for_fit(images.astype(np.float32)).dtype == torch.float32


def test_iterate_batches_covers_every_row_once():
    x = torch.arange(10)
    seen = torch.cat([b for (b,) in training.iterate_batches(x, batch_size=3, shuffle=True)])
    assert sorted(seen.tolist()) == list(range(10))
    with pytest.raises(ValueError, match="same length"):
        list(training.iterate_batches(x, x[:3], batch_size=2))
    with pytest.raises(ValueError, match="batch_size"):
        list(training.iterate_batches(x, batch_size=0))


# ----------------------------------------------------------------------------- cache


def test_cache_key_depends_on_config_and_data():
    k1 = training.cache_key("cnn", {"epochs": 3}, "abc")
    assert k1 == training.cache_key("cnn", {"epochs": 3}, "abc")
    assert k1 != training.cache_key("cnn", {"epochs": 4}, "abc")
    assert k1 != training.cache_key("cnn", {"epochs": 3}, "abd")
    with pytest.raises(ValueError, match="name must be"):
        training.cache_key("bad name/..", {})
    with pytest.raises(TypeError, match="config must hold only JSON"):
        training.cache_key("cnn", {"x": object()})


def test_train_or_load_trains_once_then_loads(tmp_path):
    cache = training.WeightCache(tmp_path)
    trained = []

    def train(model):
        trained.append(1)
        return _train(model)

    m1, info1 = training.train_or_load(_toy_model(), "toy-1", train, cache=cache)
    m2, info2 = training.train_or_load(_toy_model(), "toy-1", train, cache=cache)
    assert trained == [1]
    assert info1["from_cache"] is False and info2["from_cache"] is True
    assert info2["history"] == info1["history"]
    for pa, pb in zip(m1.state_dict().values(), m2.state_dict().values()):
        assert torch.equal(pa, pb)
    assert not list(tmp_path.glob("*.tmp")), "no temporary files are left behind"


@pytest.mark.parametrize("damage", ["flip", "truncate", "checksum", "garbage"])
def test_a_damaged_cache_entry_is_retrained_not_fatal(tmp_path, damage):
    cache = training.WeightCache(tmp_path)
    training.train_or_load(_toy_model(), "toy-2", _train, cache=cache)
    path = cache.path("toy-2")
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
    elif damage == "truncate":
        path.write_bytes(bytes(data[:100]))
    elif damage == "checksum":
        header, payload = bytes(data).split(b"\n", 1)
        path.write_bytes(re.sub(rb"sha256=[0-9a-f]+", b"sha256=" + b"0" * 64, header) + b"\n" + payload)
    else:
        path.write_bytes(b"not a torch file")
    trained = []
    with pytest.warns(UserWarning, match="could not be used"):
        _, info = training.train_or_load(
            _toy_model(), "toy-2", lambda m: trained.append(1) or _train(m), cache=cache
        )
    assert trained == [1] and info["from_cache"] is False
    assert path.with_name("toy-2.pt.damaged").exists()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, info = training.train_or_load(_toy_model(), "toy-2", _train, cache=cache)
    assert info["from_cache"] is True


def test_weights_cached_with_their_digest_beside_them_are_still_read(tmp_path):
    """Before weights were entries of the course cache, a torch file held them and a .sha256 file its digest."""
    model = _toy_model()
    torch.save({"weights": model.state_dict(), "history": []}, tmp_path / "toy-5.pt")
    (tmp_path / "toy-5.sha256").write_text(hashlib.sha256((tmp_path / "toy-5.pt").read_bytes()).hexdigest())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _, info = training.train_or_load(_toy_model(), "toy-5", lambda m: pytest.fail("trained"),
                                         cache=training.WeightCache(tmp_path))
    assert info["from_cache"] is True
    (tmp_path / "toy-5.sha256").write_text("0" * 64)  # a digest that does not match: damaged
    with pytest.warns(UserWarning, match="could not be used"):
        training.train_or_load(_toy_model(), "toy-5", _train, cache=training.WeightCache(tmp_path))


def test_weights_that_do_not_fit_the_model_are_retrained(tmp_path):
    cache = training.WeightCache(tmp_path)
    training.train_or_load(_toy_model(), "toy-3", _train, cache=cache)
    other = nn.Sequential(nn.Linear(8, 4), nn.ReLU(), nn.Linear(4, 2))
    with pytest.warns(UserWarning, match="does not fit"):
        _, info = training.train_or_load(other, "toy-3", _train, cache=cache)
    assert info["from_cache"] is False


def test_extra_values_are_stored_beside_the_weights(tmp_path):
    cache = training.WeightCache(tmp_path)
    extra = {"embeddings": torch.ones(3, 2), "note": "hello"}
    training.train_or_load(_toy_model(), "toy-4", _train, cache=cache, extra=lambda: extra)
    _, info = training.train_or_load(_toy_model(), "toy-4", _train, cache=cache)
    assert torch.equal(info["embeddings"], torch.ones(3, 2)) and info["note"] == "hello"


def test_torch_threads_sets_and_restores():
    before = torch.get_num_threads()
    with training.torch_threads(1):
        assert torch.get_num_threads() == 1
    assert torch.get_num_threads() == before
    with training.torch_threads(None):
        assert torch.get_num_threads() == before
    with pytest.raises(ValueError, match="count must be"):
        with training.torch_threads(0):
            pass


def test_the_progress_bar_is_not_redrawn_every_epoch(monkeypatch):
    """A forced redraw per epoch cost more than a small model's epoch (400 epochs: +0.7 s in a notebook)."""
    import tqdm.auto

    redraws = []

    class Bar:
        def __init__(self, **kwargs):
            pass

        def update(self, n=1):
            pass

        def set_postfix(self, values, refresh=True):
            redraws.append(refresh)

        def close(self):
            pass

    monkeypatch.setattr(tqdm.auto, "tqdm", Bar)
    model = nn.Linear(2, 1)
    training.fit(model, torch.randn(8, 2), torch.randn(8, 1), loss_fn=nn.functional.mse_loss, epochs=5,
                 batch_size=8, device="cpu")
    assert redraws == [False] * 5
