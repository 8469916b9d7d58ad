"""Tests of helpers.cache: every cache entry is named by what it depends on and verified when read, a
damaged entry is reported, set aside and recomputed, and a cache that cannot be written degrades instead of
stopping (its folders and files themselves: tests/test_paths.py)."""

from __future__ import annotations

import errno
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import REPO_ROOT
from torch import nn

from helpers import alexnet_training, cache, layer_probes, metrics, paths, projections, training
from helpers.models.alexnet import AlexNetLike

# ----------------------------------------------------------------------------- the entry format


def test_an_entry_holds_its_digest_and_gives_back_its_payload():
    raw = cache.encode_entry(b"payload bytes")
    assert raw.startswith(b"course-cache-entry 1 sha256=") and cache.decode_entry(raw) == b"payload bytes"


@pytest.mark.parametrize("damage,words", [
    (lambda raw: raw[:-3], "cut short"),
    (lambda raw: raw + b"x", "extended"),
    (lambda raw: raw[:-4] + bytes([raw[-4] ^ 0xFF]) + raw[-3:], "do not match"),
    (lambda raw: raw.replace(b"sha256=", b"sha265="), "header line is damaged"),
    (lambda raw: b"{\"value\": 0.5}", "no header line"),
    (lambda raw: b"", "no header line"),
])
def test_every_kind_of_damage_is_detected(damage, words):
    with pytest.raises(ValueError, match=words):
        cache.decode_entry(damage(cache.encode_entry(b"0123456789" * 10)))


# ----------------------------------------------------------------------------- each kind of entry, damaged


def _entry_of(kind: str) -> Path:
    (path,) = [p for p in (paths.cache_root() / kind).iterdir() if p.is_file() and not p.name.startswith(".")
               and ".damaged" not in p.name and p.suffix != ".sha256"]
    return path


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle:middle + 64] = bytes(b ^ 0xFF for b in data[middle:middle + 64])
    path.write_bytes(bytes(data))


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _folder_in_the_way(path: Path) -> None:
    path.unlink()
    (path / "something").mkdir(parents=True)


def _file_in_the_way(path: Path) -> None:
    folder = path.parent
    shutil.rmtree(folder)
    folder.write_text("not a folder")


def _plausible(path: Path) -> None:
    """Values that look right, written over the payload; the header line stays as it was."""
    header, payload = path.read_bytes().split(b"\n", 1)
    if path.name.endswith(".npy.entry"):
        Y = np.load(io.BytesIO(payload))
        buffer = io.BytesIO()
        np.save(buffer, (Y * 1.01).astype(np.float32))  # same shape, dtype and size: a slightly different map
        payload = buffer.getvalue()
    elif path.parent.name == "scores":
        payload = json.dumps({"value": 0.5}).encode()
    else:
        rows = json.loads(payload)
        rows[0]["knn_right"] = "0" * len(rows[0]["knn_right"])
        payload = json.dumps(rows, indent=1).encode()
    path.write_bytes(header + b"\n" + payload)


DAMAGES = {"flipped bytes": _flip, "truncated": _truncate, "plausible values": _plausible,
           "a folder in its place": _folder_in_the_way, "a file where its folder should be": _file_in_the_way}


# Each returns (value, whether this call computed it rather than reading it back).


def _projection():
    X = np.random.default_rng(0).normal(size=(60, 5)).astype(np.float32)
    projections.clear_memory_cache()
    Y = projections.project(X, "pca", verbose=False)
    return Y, projections.cache_info()["misses"] == 1


def _score():
    calls = []

    def compute():
        calls.append(1)
        return 0.8125

    return cache.remembered("test score", {"X": np.arange(20.0).reshape(10, 2)}, {"k": 3}, compute), bool(calls)


def _tiny_images(seed, n):
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.integers(0, 60, size=(n, 28, 28)).astype(np.uint8)
    x[y == 1, 8:20, 8:20] = 255
    return x, y


@pytest.fixture(scope="module")
def probe_net():
    torch.manual_seed(0)
    return AlexNetLike().eval()


def _probe(net):
    rows = layer_probes.probe_layers(net, *_tiny_images(0, 30), *_tiny_images(1, 12), ["pixels"], k=3)
    plain = [{key: value.tolist() if hasattr(value, "tolist") else value for key, value in row.items()} for row in rows]
    return plain, not rows.from_cache


ENTRIES = {"projections": _projection, "scores": _score, "probes": _probe}


@pytest.mark.parametrize("damage", DAMAGES)
@pytest.mark.parametrize("kind", ENTRIES)
def test_a_damaged_entry_is_reported_set_aside_and_recomputed(kind, damage, probe_net):
    compute = (lambda: _probe(probe_net)) if kind == "probes" else ENTRIES[kind]
    first, computed = compute()
    assert computed
    entry = _entry_of(kind)
    DAMAGES[damage](entry)
    with pytest.warns(cache.CacheWarning) as caught:
        again, computed = compute()
    assert computed, "the damaged entry was not used"
    assert np.array_equal(again, first) if kind == "projections" else again == first
    assert len(caught) == 1, [str(w.message) for w in caught]
    named = entry.name if damage != "a file where its folder should be" else kind
    assert named in str(caught[0].message)
    assert list(paths.cache_root().glob("**/*.damaged*")), "the damaged entry was moved aside, not deleted"
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the fresh entry is read back without complaint
        assert compute()[1] is False


@pytest.mark.parametrize("damage", ["flipped bytes", "truncated", "plausible values", "a folder in its place",
                                    "a file where its folder should be"])
def test_damaged_weights_are_reported_set_aside_and_retrained(tmp_path, damage):
    torch.manual_seed(0)
    x, y = torch.randn(64, 4), torch.randint(0, 2, (64,))

    def model():
        torch.manual_seed(0)
        return nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))

    def train(net):
        return training.fit(net, x, y, loss_fn=nn.functional.cross_entropy, epochs=2, batch_size=16, device="cpu",
                            progress=False)

    first, info = training.train_or_load(model(), "toy", train)
    path = training.WeightCache().path("toy")
    if damage == "plausible values":
        header, payload = path.read_bytes().split(b"\n", 1)
        state = torch.load(io.BytesIO(payload), weights_only=True)
        state["weights"] = {k: v * 1.01 for k, v in state["weights"].items()}
        buffer = io.BytesIO()
        torch.save(state, buffer)
        path.write_bytes(header + b"\n" + buffer.getvalue())
    else:
        DAMAGES[damage](path)
    with pytest.warns(cache.CacheWarning) as caught:
        again, info = training.train_or_load(model(), "toy", train)
    assert info["from_cache"] is False and len(caught) == 1
    assert ("toy.pt" if damage != "a file where its folder should be" else "weights") in str(caught[0].message)
    for a, b in zip(first.state_dict().values(), again.state_dict().values()):
        assert torch.equal(a, b)  # trained again, to the same weights
    assert training.train_or_load(model(), "toy", train)[1]["from_cache"] is True


def test_a_damaged_projection_changes_no_exported_map(tmp_path):
    """An export writes the map the explorer holds, which comes from a verified (or recomputed) entry."""
    from helpers.widgets.projection import ProjectionExplorer

    X = np.random.default_rng(1).normal(size=(40, 6)).astype(np.float32)
    labels = np.arange(40) % 4
    clean = ProjectionExplorer(X, labels).current_map().copy()
    _plausible(_entry_of("projections"))
    projections.clear_memory_cache()
    explorer = ProjectionExplorer(X, labels)
    with pytest.warns(cache.CacheWarning, match="is damaged"):
        written = explorer.export(tmp_path / "export")
    exported = np.loadtxt(written["map_csv"], delimiter=",", skiprows=1, usecols=(1, 2))
    np.testing.assert_allclose(exported, clean, rtol=1e-5, atol=1e-5)


# ----------------------------------------------------------------------------- a cache that cannot be written


def _block_writes(monkeypatch, code):
    def refuse(*args, **kwargs):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(tempfile, "mkstemp", refuse)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_a_cache_that_cannot_be_written_warns_once_and_remembers_in_memory(monkeypatch, code):
    _block_writes(monkeypatch, code)
    projections.clear_memory_cache()
    X = np.random.default_rng(0).normal(size=(30, 4))
    with pytest.warns(cache.CacheWarning) as caught:
        Y = projections.project(X, "pca", verbose=False)
        score, _ = _score()
        projections.clear_memory_cache()
        again = projections.project(X, "pca", verbose=False)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert os.strerror(code) in message and "COURSE_CACHE_DIR" in message and str(paths.cache_root()) in message
    assert np.array_equal(Y, again) and projections.cache_info()["misses"] == 0  # kept in memory for the session
    assert cache.unsaved_count() >= 2 and score == 0.8125


def test_a_file_where_the_cache_should_be_does_not_stop_training(tmp_path, monkeypatch):
    blocker = tmp_path / ".cache"
    blocker.write_text("a file, not a folder")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker))
    calls = []

    def train(net):
        calls.append(1)

    with pytest.warns(cache.CacheWarning, match="cannot be written") as caught:
        training.train_or_load(nn.Linear(2, 2), "net", train)
        _, info = training.train_or_load(nn.Linear(2, 2), "net", train)
    assert len(caught) == 1 and calls == [1] and info["from_cache"] is True  # kept in memory for the session
    assert blocker.read_text() == "a file, not a folder"  # the learner's file is left alone


def test_exports_go_to_a_writable_folder_the_warning_names(tmp_path, monkeypatch):
    from helpers.widgets.projection import ProjectionExplorer

    blocker = tmp_path / "not a folder"
    blocker.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temporary"))
    explorer = ProjectionExplorer(np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2)
    with pytest.warns(UserWarning, match="cannot be written") as caught:
        written = explorer.export(blocker / "my_export")
    folder = written["vectors"].parent
    notes = [str(w.message) for w in caught if "course-exports" in str(w.message)]
    assert folder == tmp_path / "temporary" / "course-exports" / "my_export" and str(folder) in notes[0]
    assert all(path.is_file() for path in written.values())


def test_an_export_that_cannot_go_anywhere_is_kept_in_memory_with_one_note(tmp_path, monkeypatch):
    from helpers.widgets.projection import ProjectionExplorer

    blocker = tmp_path / "not a folder"
    blocker.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    explorer = ProjectionExplorer(np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2)
    with pytest.warns(UserWarning) as caught:
        written = explorer.export(blocker / "my_export")
    notes = [str(w.message) for w in caught]
    assert len(notes) == 1 and "kept in memory only" in notes[0] and "\n" not in notes[0]
    assert str(blocker / "my_export") in notes[0]
    assert all(isinstance(file, paths.MemoryFile) for file in written.values())
    assert written["metadata"].read_text(encoding="utf-8").startswith("index\tlabel\n0\t")
    assert blocker.read_text() == "x"


def test_the_export_button_says_when_the_export_is_kept_in_memory(tmp_path, monkeypatch):
    from helpers.widgets.projection import ProjectionExplorer

    blocker = tmp_path / "not a folder"
    blocker.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    explorer = ProjectionExplorer(np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2)
    explorer.view.export_name.value = str(blocker / "my_export")
    explorer.view.export_button.click()
    status = explorer.view.status.value
    assert "Exported (in memory only)" in status and "kept in memory only" in status
    assert "export failed" not in status


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0 or not shutil.which("unshare"),
                    reason="needs root and unshare to mount a read-only and a full file system")
@pytest.mark.parametrize("mount", ["read-only", "full"])
def test_real_read_only_and_full_file_systems(tmp_path, mount):
    """In a private mount namespace: a cache on a read-only file system, and on one with no space left."""
    cache_folder = tmp_path / "mnt"
    cache_folder.mkdir()
    script = tmp_path / "run.py"
    script.write_text(
        "import json, warnings, numpy as np, torch\n"
        "from torch import nn\n"
        "from helpers import metrics, paths, projections, training\n"
        "warnings.simplefilter('always')\n"
        "with warnings.catch_warnings(record=True) as caught:\n"
        "    X = np.random.default_rng(0).normal(size=(50, 4))\n"
        "    Y = projections.project(X, 'pca', verbose=False)\n"
        "    projections.clear_memory_cache()\n"
        "    again = projections.project(X, 'pca', verbose=False)\n"
        "    score = metrics.knn_accuracy(X, np.arange(50) % 2, k=3)\n"
        "    calls = []\n"
        "    for _ in range(2):\n"
        "        _, info = training.train_or_load(nn.Linear(4, 2), 'net', lambda m: calls.append(1))\n"
        "print(json.dumps({'same': bool((Y == again).all()), 'misses': projections.cache_info()['misses'],\n"
        "                  'trained': len(calls), 'from_cache': info['from_cache'],\n"
        "                  'warnings': [str(w.message) for w in caught if w.category is paths.CacheWarning]}))\n"
    )
    fill = "dd if=/dev/zero of=$C/filler bs=4k count=100 2>/dev/null; " if mount == "full" else ""
    options = "size=64k" if mount == "full" else "size=1m"
    remount = "mount -o remount,ro $C && " if mount == "read-only" else ""
    command = (f"mount -t tmpfs -o {options} tmpfs $C && {fill}{remount}"
               f"COURSE_CACHE_DIR=$C {sys.executable} {script}")
    result = subprocess.run(["unshare", "-m", "sh", "-c", command], capture_output=True, text=True, cwd=REPO_ROOT,
                            env={**os.environ, "C": str(cache_folder)}, timeout=300)
    if result.returncode != 0 and "mount" in result.stderr and "permission" in result.stderr.lower():
        pytest.skip(f"mounting is not allowed here: {result.stderr.strip()}")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["same"] and report["misses"] == 0 and report["trained"] == 1 and report["from_cache"] is True
    assert len(report["warnings"]) == 1, report["warnings"]
    reason = "Read-only file system" if mount == "read-only" else "No space left on device"
    assert reason in report["warnings"][0] and "COURSE_CACHE_DIR" in report["warnings"][0]


# ----------------------------------------------------------------------------- trained weights keep their keys


def test_the_course_models_keep_their_weight_keys(monkeypatch):
    """A learner who updates the course finds their trained weights again: the keys are those of
    the weights already in learners' caches. (Changing the shipped data or a model's settings
    changes them on purpose; then update this list.)"""
    from helpers import autoencoder_training, cnn_training
    from helpers.data import load_fashion_mnist, load_mnist

    keys = []

    class Stop(Exception):
        pass

    def capture(model, key, train, **kwargs):
        keys.append(key)
        raise Stop

    for module in (cnn_training, autoencoder_training, alexnet_training):
        monkeypatch.setattr(module, "train_or_load", capture)
    for dataset in (load_fashion_mnist(), load_mnist()):
        for call in (lambda: cnn_training.train_or_load_cnn(dataset),  # noqa: B023
                     lambda: autoencoder_training.train_or_load_autoencoder(dataset, latent_dim=2),  # noqa: B023
                     lambda: autoencoder_training.train_or_load_autoencoder(dataset, latent_dim=16),  # noqa: B023
                     lambda: alexnet_training.train_or_load_alexnet(dataset, epochs=3)):  # noqa: B023
            with pytest.raises(Stop):
                call()
    # changed on purpose when the Fashion-MNIST CNN went from 5 to 3 epochs and the autoencoders
    # to a learning rate of 0.005 (5 epochs on Fashion-MNIST, 8 on MNIST)
    assert keys == ["cnn-571c6aca98fe49dd", "autoencoder2d-4f185e9531c2b190", "autoencoder16d-b161175dd8fbd4b5",
                    "alexnet_like-014e54de4d44fcab", "cnn-2fe2ad182907b066", "autoencoder2d-c1b585285e9c5c5a",
                    "autoencoder16d-cea9dd52b44b6e7d", "alexnet_like-d7d9f986806d9fb0"]


# ----------------------------------------------------------------------------- remembered scores


def _counting(value=0.5):
    calls = []

    def compute():
        calls.append(1)
        return value

    return calls, compute


def test_a_score_is_computed_once_then_read_back():
    X = np.arange(12.0).reshape(4, 3)
    calls, compute = _counting()
    assert cache.remembered("score", {"X": X}, {"k": 3}, compute) == 0.5
    assert cache.remembered("score", {"X": X}, {"k": 3}, compute) == 0.5
    assert len(calls) == 1


@pytest.mark.parametrize("change", ["data", "dtype", "shape", "params", "name"])
def test_any_change_of_the_inputs_computes_again(change):
    X = np.arange(12.0).reshape(4, 3)
    calls, compute = _counting()
    cache.remembered("score", {"X": X}, {"k": 3}, compute)
    other = {"data": ({"X": X + 1}, {"k": 3}, "score"), "dtype": ({"X": X.astype(np.float32)}, {"k": 3}, "score"),
             "shape": ({"X": X.reshape(3, 4)}, {"k": 3}, "score"), "params": ({"X": X}, {"k": 2}, "score"),
             "name": ({"X": X}, {"k": 3}, "other score")}[change]
    cache.remembered(other[2], other[0], other[1], compute)
    assert len(calls) == 2


def test_a_damaged_file_is_reported_removed_and_computed_again():
    X = np.ones((3, 2))
    calls, compute = _counting(0.25)
    cache.remembered("score", {"X": X}, {}, compute)
    (path,) = paths.cache_dir("scores").glob("*.json")
    path.write_text("{not json")
    with pytest.warns(cache.CacheWarning, match="is damaged"):
        assert cache.remembered("score", {"X": X}, {}, compute) == 0.25
    assert len(calls) == 2 and json.loads(cache.decode_entry(path.read_bytes()))["value"] == 0.25


def test_an_unwritable_cache_only_warns(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker))
    calls, compute = _counting()
    with pytest.warns(cache.CacheWarning, match="cannot be written"):
        assert cache.remembered("score", {"X": np.ones(2)}, {}, compute) == 0.5
    assert cache.remembered("score", {"X": np.ones(2)}, {}, compute) == 0.5  # kept in memory, no second warning
    assert len(calls) == 1


def test_fingerprints_tell_arrays_apart():
    a = np.zeros((2, 3), dtype=np.float32)
    assert cache.fingerprint(a) == cache.fingerprint(a.copy()) == cache.fingerprint(torch.from_numpy(a))
    assert cache.fingerprint(a) != cache.fingerprint(a.reshape(3, 2))
    assert cache.fingerprint(a) != cache.fingerprint(a.astype(np.float64))
    assert cache.fingerprint(a) != cache.fingerprint(a + 1)
    assert cache.fingerprint(a, a) != cache.fingerprint(a)
    assert cache.fingerprint(np.asfortranarray(np.arange(6.0).reshape(2, 3))) == cache.fingerprint(
        np.arange(6.0).reshape(2, 3))


def test_a_key_is_a_name_and_a_hash_of_its_description():
    assert cache.key("knn", {"k": 3, "data": "ab"}) == cache.key("knn", {"data": "ab", "k": 3})
    assert cache.key("knn", {"k": 3}) != cache.key("knn", {"k": 4}) and cache.key("knn", {"k": 3}).startswith("knn-")
    with pytest.raises(TypeError):
        cache.key("knn", {"k": object()})


def test_remembered_validates_its_arguments():
    with pytest.raises(TypeError, match="arrays must be a dict"):
        cache.remembered("score", [np.ones(2)], {}, lambda: 1.0)
    with pytest.raises(TypeError, match="compute must be callable"):
        cache.remembered("score", {}, {}, 1.0)


# ----------------------------------------------------------------------------- the metrics remember their scores


def _data(seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(60, 5))
    return X, X[:, :2].copy(), (X[:, 0] > 0).astype(int)


def test_metrics_are_remembered_across_calls(monkeypatch):
    X, Z, y = _data()
    first = (metrics.knn_accuracy(X, y, k=3), metrics.trustworthiness(X, Z, k=5),
             metrics.neighbourhood_recall(X, Z, k=5))
    monkeypatch.setattr(metrics, "_knn", lambda *a, **k: (_ for _ in ()).throw(AssertionError("recomputed")))
    again = (metrics.knn_accuracy(X, y, k=3), metrics.trustworthiness(X, Z, k=5),
             metrics.neighbourhood_recall(X, Z, k=5))
    assert again == first


def test_metrics_recompute_for_other_inputs_and_on_request(monkeypatch):
    X, Z, y = _data()
    searches = []
    real = metrics._knn
    monkeypatch.setattr(metrics, "_knn", lambda *a, **k: searches.append(1) or real(*a, **k))
    metrics.knn_accuracy(X, y, k=3)
    metrics.knn_accuracy(X, 1 - y, k=3)  # other labels
    metrics.knn_accuracy(X, y, k=4)  # another k
    metrics.knn_accuracy(X, y, k=3, cache=False)  # asked not to remember
    metrics.knn_accuracy(X, y, k=3)  # remembered from the first call
    assert len(searches) == 4
    with pytest.raises(TypeError, match="cache must be True or False"):
        metrics.trustworthiness(X, X[:, :2], k=5, cache="yes")


def test_the_linear_probe_is_remembered(monkeypatch):
    import sklearn.linear_model

    X, _, y = _data()
    first = metrics.linear_probe(X[:40], y[:40], X[40:], y[40:])
    monkeypatch.setattr(sklearn.linear_model, "LogisticRegression",
                        lambda **kw: (_ for _ in ()).throw(AssertionError("trained again")))
    assert metrics.linear_probe(X[:40], y[:40], X[40:], y[40:]) == first
    with pytest.raises(AssertionError, match="trained again"):
        metrics.linear_probe(X[:40], y[:40], X[40:], y[40:], C=0.5)  # other settings: trained afresh
