"""Tests for helpers.data and data/build_data.py: the shipped files, their checksums,
the loaders' shapes and dtypes, and the messages a reader sees when something is wrong."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from conftest import REPO_ROOT, offline_prefix

from helpers import data

DATA = REPO_ROOT / "data"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def data_copy(tmp_path, monkeypatch) -> Path:
    """A private copy of the shipped data that helpers.data reads instead of data/."""
    copy = tmp_path / "data"
    copy.mkdir()
    for path in DATA.iterdir():
        if path.suffix in {".npz", ".json"}:
            shutil.copy2(path, copy / path.name)
    monkeypatch.setattr(data, "DATA_DIR", copy)
    return copy


def flip_one_byte(path: Path, offset: int = 1000) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


# ------------------------------------------------------------------ manifest and checksums


def test_manifest_lists_every_shipped_file_and_nothing_else():
    manifest = json.loads((DATA / "manifest.json").read_text())
    shipped = {p.name for p in DATA.iterdir() if p.is_file() and p.suffix == ".npz"}
    assert set(manifest["files"]) == shipped == set(data.DATA_FILES)
    for name, entry in manifest["files"].items():
        assert entry["size"] == (DATA / name).stat().st_size
        assert entry["licence"] and entry["source"]["package"] and entry["description"]
        with np.load(DATA / name, allow_pickle=False) as archive:
            assert set(archive.files) == set(entry["arrays"])
            for key, spec in entry["arrays"].items():
                assert list(archive[key].shape) == spec["shape"]
                assert str(archive[key].dtype) == spec["dtype"]


def test_manifest_is_written_deterministically():
    text = (DATA / "manifest.json").read_text()
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True) + "\n"


def test_shipped_files_are_small():
    assert sum((DATA / name).stat().st_size for name in data.DATA_FILES) < 20_000_000


def test_checksums_match():
    manifest = json.loads((DATA / "manifest.json").read_text())["files"]
    for name, entry in manifest.items():
        assert sha256(DATA / name) == entry["sha256"], name
    assert data.verify_data_files() == {name: "ok" for name in manifest}
    assert data.verify_file("mnist.npz") == DATA / "mnist.npz"


def test_corrupt_file_raises_a_clear_error_and_is_left_alone(data_copy):
    target = data_copy / "fashion_mnist.npz"
    flip_one_byte(target)
    corrupted = target.read_bytes()
    with pytest.raises(data.DataFileError) as caught:
        data.load_fashion_mnist()
    message = str(caught.value)
    assert "fashion_mnist.npz" in message and "checksum" in message
    assert "make data" in message and "git checkout -- data/fashion_mnist.npz" in message
    assert caught.value.name == "fashion_mnist.npz"
    assert target.read_bytes() == corrupted
    report = data.verify_data_files()
    assert report["mnist.npz"] == "ok" and report["glove_50d.npz"] == "ok"
    assert "checksum" in report["fashion_mnist.npz"]


def test_missing_file_raises_a_clear_error(data_copy):
    (data_copy / "glove_50d.npz").unlink()
    with pytest.raises(data.DataFileError, match=r"glove_50d\.npz is missing.*make data"):
        data.load_glove()
    assert "missing" in data.verify_data_files(["glove_50d.npz"])["glove_50d.npz"]
    assert not (data_copy / "glove_50d.npz").exists()


def test_missing_manifest_is_reported(data_copy):
    (data_copy / "manifest.json").unlink()
    with pytest.raises(data.DataFileError, match=r"manifest\.json is missing"):
        data.load_mnist()
    assert list(data.verify_data_files()) == ["manifest.json"]


def test_unreadable_file_with_matching_checksum_is_reported(data_copy):
    target = data_copy / "mnist.npz"
    target.write_bytes(b"this is not a zip archive")
    manifest = json.loads((data_copy / "manifest.json").read_text())
    manifest["files"]["mnist.npz"]["sha256"] = sha256(target)
    (data_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(data.DataFileError, match=r"mnist\.npz is unreadable.*make data"):
        data.load_mnist()
    assert target.read_bytes() == b"this is not a zip archive"


def test_unknown_file_name_is_a_value_error():
    with pytest.raises(ValueError, match="not a shipped data file"):
        data.verify_file("cifar.npz")


def test_checksum_is_computed_once_per_file(data_copy, monkeypatch):
    data.verify_file("mnist.npz")
    opened = []
    real_open = open

    def counting_open(path, *args, **kwargs):
        opened.append(Path(path).name)
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr("builtins.open", counting_open)
    data.verify_file("mnist.npz")
    assert "mnist.npz" not in opened
    monkeypatch.undo()
    flip_one_byte(data_copy / "mnist.npz")  # a changed file is hashed again
    monkeypatch.setattr(data, "DATA_DIR", data_copy)
    with pytest.raises(data.DataFileError):
        data.verify_file("mnist.npz")


# ------------------------------------------------------------------ image loaders


@pytest.mark.parametrize(
    ("loader", "n_train", "n_test", "first_class"),
    [(data.load_fashion_mnist, 12_000, 3_000, "T-shirt/top"), (data.load_mnist, 8_000, 2_000, "0")],
)
def test_image_loaders_shapes_dtypes_and_balance(loader, n_train, n_test, first_class):
    ds = loader()
    assert ds.source == "shipped"
    assert ds.x_train.shape == (n_train, 28, 28) and ds.x_train.dtype == np.uint8
    assert ds.x_test.shape == (n_test, 28, 28) and ds.x_test.dtype == np.uint8
    assert ds.y_train.shape == (n_train,) and ds.y_train.dtype == np.int64
    assert ds.y_test.shape == (n_test,) and ds.y_test.dtype == np.int64
    assert len(ds.class_names) == 10 and ds.class_names[0] == first_class
    assert ds.x_train.max() == 255 and ds.x_train.min() == 0
    for labels, n in ((ds.y_train, n_train), (ds.y_test, n_test)):
        counts = np.bincount(labels, minlength=10)
        assert counts.sum() == n and counts.min() > 0.08 * n and counts.max() < 0.12 * n
    assert "shipped" in repr(ds) and str(n_train) in repr(ds) and len(repr(ds)) < 200


def test_fashion_subset_is_exactly_balanced():
    ds = data.load_fashion_mnist()
    assert (np.bincount(ds.y_train) == 1200).all() and (np.bincount(ds.y_test) == 300).all()


def test_mnist_classes_are_not_in_blocks():
    ds = data.load_mnist()
    assert len(set(ds.y_train[:50].tolist())) >= 8
    assert len(set(ds.y_test[:50].tolist())) >= 8


def test_train_and_test_images_do_not_overlap():
    for ds in (data.load_fashion_mnist(), data.load_mnist()):
        train = {row.tobytes() for row in ds.x_train}
        assert sum(row.tobytes() in train for row in ds.x_test) <= 5, ds.name


@pytest.mark.parametrize("loader", [data.load_fashion_mnist, data.load_mnist])
def test_bad_source_is_rejected(loader):
    with pytest.raises(ValueError, match=r"source must be 'shipped' or 'torchvision', got 'online'"):
        loader(source="online")


def test_torchvision_download_failure_falls_back_with_a_warning(monkeypatch):
    datasets = pytest.importorskip("torchvision.datasets")

    def refuse(*args, **kwargs):
        raise RuntimeError("Error downloading train-images-idx3-ubyte.gz")

    monkeypatch.setattr(datasets, "FashionMNIST", refuse)
    with pytest.warns(data.DataDownloadWarning, match=r"could not download Fashion-MNIST.*shipped subset"):
        ds = data.load_fashion_mnist(source="torchvision")
    assert ds.source == "shipped" and ds.x_train.shape == (12_000, 28, 28)


def test_torchvision_source_gives_the_same_conventions(monkeypatch):
    torch = pytest.importorskip("torch")
    datasets = pytest.importorskip("torchvision.datasets")
    roots = []

    class FakeMNIST:
        def __init__(self, root, train, download):
            roots.append(root)
            n = 60 if train else 10
            self.data = torch.zeros((n, 28, 28), dtype=torch.uint8)
            self.targets = torch.arange(n) % 10

    monkeypatch.setattr(datasets, "MNIST", FakeMNIST)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ds = data.load_mnist(source="torchvision")
    assert ds.source == "torchvision" and ds.class_names == data.MNIST_CLASSES
    assert ds.x_train.shape == (60, 28, 28) and ds.x_train.dtype == np.uint8
    assert ds.y_test.shape == (10,) and ds.y_test.dtype == np.int64
    assert all(Path(root).name == "torchvision" for root in roots)


def test_torchvision_without_network_falls_back():
    prefix = offline_prefix()
    if prefix is None:
        pytest.skip("cannot cut the network here (needs root, unshare and ip)")
    code = (
        "import warnings; from helpers import data\n"
        "with warnings.catch_warnings(record=True) as w:\n"
        "    warnings.simplefilter('always')\n"
        "    ds = data.load_mnist(source='torchvision')\n"
        "print(ds.source, ds.x_train.shape[0]); print([str(x.message) for x in w])\n"
    )
    out = subprocess.run(
        [*prefix, sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("shipped 8000")
    assert "could not download MNIST" in out.stdout


# ------------------------------------------------------------------ word vectors


def test_glove_shapes_and_common_words():
    wv = data.load_glove()
    assert len(wv) == 30_000 and wv.vectors.shape == (30_000, 50) and wv.vectors.dtype == np.float32
    for word in "king queen man woman paris france red green dog cat one two".split():
        assert word in wv
        assert wv.words[wv.index(word)] == word
        np.testing.assert_array_equal(wv.vector(word), wv.vectors[wv.index(word)])
    assert wv.words[:3] == ["the", "of", "to"]
    assert all(w == w.lower() for w in wv.words)


def test_glove_analogy_sanity():
    wv = data.load_glove()
    unit = wv.vectors / np.linalg.norm(wv.vectors, axis=1, keepdims=True)
    query = unit[wv.index("king")] - unit[wv.index("man")] + unit[wv.index("woman")]
    scores = unit @ query
    for word in ("king", "man", "woman"):
        scores[wv.index(word)] = -np.inf
    assert "queen" in [wv.words[i] for i in np.argsort(-scores)[:3]]


def test_glove_num_words():
    wv = data.load_glove(num_words=1000)
    assert len(wv) == 1000 and wv.vectors.shape == (1000, 50)
    assert "king" in wv and "cat" not in wv
    for bad in (0, -5, 30_001):
        with pytest.raises(ValueError, match="num_words must be an integer from 1 to 30,000"):
            data.load_glove(num_words=bad)
    for bad in (2.5, "100", True):
        with pytest.raises(TypeError, match="num_words"):
            data.load_glove(num_words=bad)


def test_unknown_word_message_suggests_close_matches():
    wv = data.load_glove()
    with pytest.raises(KeyError) as caught:
        wv.vector("kingg")
    message = str(caught.value)
    assert "'kingg' is not among the 30,000 shipped words" in message and "'king'" in message
    with pytest.raises(KeyError, match="lowercase: try 'paris'"):
        wv.index("Paris")
    assert "Paris" not in wv and [] not in wv


# ------------------------------------------------------------------ built-in datasets


def test_digits_8x8():
    images, labels = data.load_digits_8x8()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float32
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0 and images.max() == 16 and set(labels.tolist()) == set(range(10))


def test_xkcd_colors():
    colors = data.load_xkcd_colors()
    assert len(colors) == 949
    names = [name for name, _ in colors]
    assert names == sorted(names) and not any(name.startswith("xkcd:") for name in names)
    assert dict(colors)["black"] == (0.0, 0.0, 0.0)
    assert all(len(rgb) == 3 and all(0.0 <= c <= 1.0 for c in rgb) for _, rgb in colors)


def test_import_is_light():
    code = (
        "import sys, helpers.data\n"
        "print(sorted(m for m in ('torch', 'torchvision', 'sklearn', 'matplotlib') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT
    )
    assert out.stdout.strip() == "[]"


# ------------------------------------------------------------------ the build script


def _build_data_module():
    spec = importlib.util.spec_from_file_location("build_data", DATA / "build_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.sources  # downloads ~80 MB: `make data-check`, not `make test`
def test_build_script_check_reproduces_the_shipped_files():
    """Rebuild from the sources (fetched into data/.sources if missing) and compare."""
    pytest.importorskip("pyarrow", reason="building needs pyarrow (the GloVe word index is a parquet file)")
    out = subprocess.run(
        [sys.executable, str(DATA / "build_data.py"), "--check"],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=900,
    )
    if out.returncode == 3:
        pytest.skip(f"the sources could not be obtained: {out.stdout.strip().splitlines()[-1]}")
    assert out.returncode == 0, out.stdout + out.stderr
    assert "OK: every rebuilt file matches" in out.stdout


def test_build_script_check_reports_a_difference(tmp_path, monkeypatch, capsys):
    """--check against a manifest with a wrong checksum fails and names the file."""
    build_data = _build_data_module()
    rebuilt = json.loads((DATA / "manifest.json").read_text())
    stale = json.loads((DATA / "manifest.json").read_text())
    stale["files"]["mnist.npz"]["sha256"] = "0" * 64
    (tmp_path / "manifest.json").write_text(json.dumps(stale))

    def fake_build_all(sources, out):
        (out / "manifest.json").write_text(json.dumps(rebuilt, indent=2, sort_keys=True) + "\n")
        return rebuilt

    monkeypatch.setattr(build_data, "build_all", fake_build_all)
    assert build_data.check(tmp_path / "sources", tmp_path) == 1
    report = capsys.readouterr().out
    assert "FAIL" in report and "mnist.npz: sha256 expected " + "0" * 64 in report
    assert "fashion_mnist.npz" not in report


def test_npz_writer_is_byte_identical(tmp_path):
    build_data = _build_data_module()
    arrays = {"x": np.arange(1000).astype(np.uint8).reshape(10, 100), "w": np.array(["a", "bc"])}
    build_data.write_npz(tmp_path / "a.npz", arrays)
    build_data.write_npz(tmp_path / "b.npz", arrays)
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    with np.load(tmp_path / "a.npz", allow_pickle=False) as loaded:
        np.testing.assert_array_equal(loaded["x"], arrays["x"])
        assert loaded["w"].tolist() == ["a", "bc"]


def test_polite_xkcd_colours_leave_out_the_crude_names():
    everything = data.load_xkcd_colors()
    polite = data.load_xkcd_colors(polite=True)
    assert len(everything) == 949 and 900 < len(polite) < 949
    assert not any(set(name.split()) & data.XKCD_CRUDE_WORDS for name, _ in polite)
    assert set(polite) < set(everything)
    with pytest.raises(TypeError, match="polite must be"):
        data.load_xkcd_colors(polite="yes")
