"""Loaders for the course's data: the shipped files (checked against their manifest) and, only
with ``source="torchvision"``, the full datasets downloaded. Importing it imports neither torch nor
scikit-learn.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from helpers import paths, validation

__all__ = ["DATASETS", "DATA_DIR", "DATA_FILES", "FASHION_MNIST_CLASSES", "MNIST_CLASSES", "SOURCES",
           "DataDownloadWarning", "DataFileError", "ImageDataset", "WordVectors", "load_dataset", "load_digits_8x8",
           "load_fashion_mnist", "load_glove", "load_mnist", "load_xkcd_colors", "shipped_record", "shipped_weights",
           "verify_data_files", "verify_file"]

#: Folder holding the shipped files and ``manifest.json`` (tests point it elsewhere).
DATA_DIR: Path = paths.DATA_DIR

MANIFEST_NAME = "manifest.json"

#: The shipped data files.
DATA_FILES: tuple[str, ...] = ("fashion_mnist.npz", "mnist.npz", "glove_50d.npz")

#: Allowed values of the ``source`` argument of the image loaders.
SOURCES: tuple[str, ...] = ("shipped", "torchvision")

FASHION_MNIST_CLASSES: tuple[str, ...] = (
    "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
)
MNIST_CLASSES: tuple[str, ...] = tuple(str(digit) for digit in range(10))


class DataFileError(RuntimeError):
    """A shipped data file (``name``) is missing, fails its checksum or cannot be read (``problem``)."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        self.problem = problem
        super().__init__(
            f"{problem} Rebuild it with `make data` (or `python data/build_data.py`), "
            f"or restore it with `git checkout -- data/{name}`."
        )


class DataDownloadWarning(UserWarning):
    """A download was asked for but failed; the shipped data are used instead."""


# (path, mtime_ns, size) -> sha256 of the file's bytes; one hash per file per process.
_digest_cache: dict[tuple[str, int, int], str] = {}


def _shown(path: Path) -> str:
    """The path as a reader would type it: relative to the repository when inside it."""
    try:
        return path.resolve().relative_to(paths.REPO_ROOT).as_posix()
    except ValueError:
        return str(path)


def _file_digest(path: Path) -> str:
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if key not in _digest_cache:
        digest = hashlib.sha256()
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
        _digest_cache[key] = digest.hexdigest()
    return _digest_cache[key]


def _manifest() -> dict[str, Any]:
    """The ``files`` section of the manifest; raises DataFileError if it is unusable."""
    path = DATA_DIR / MANIFEST_NAME
    if not path.is_file():
        raise DataFileError(MANIFEST_NAME, f"{_shown(path)} is missing.")
    try:
        files = json.loads(path.read_text(encoding="utf-8"))["files"]
        if not isinstance(files, dict):
            raise TypeError("'files' is not a mapping")
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise DataFileError(MANIFEST_NAME, f"{_shown(path)} is unreadable: {error}.") from error
    return files


def verify_file(name: str) -> Path:
    """Check one shipped file against its manifest checksum and return its path (DataFileError if not)."""
    files = _manifest()
    if name not in files:
        raise validation.InvalidValue(f"{name!r} is not a shipped data file; the manifest lists {sorted(files)}")
    return _checked(DATA_DIR / name, name, files[name].get("sha256"))


def _checked(path: Path, name: str, expected: Any) -> Path:
    """``path`` when it exists and its sha256 is ``expected``, else a DataFileError naming ``name``."""
    if not path.is_file():
        raise DataFileError(name, f"{_shown(path)} is missing.")
    try:
        actual = _file_digest(path)
    except OSError as error:
        raise DataFileError(name, f"{_shown(path)} is unreadable: {error}.") from error
    if actual != expected:
        raise DataFileError(name, f"{_shown(path)} failed its checksum: expected sha256 {expected}, got {actual} "
                            "(the file is damaged or out of date).")
    return path


def verify_data_files(names: Iterable[str] | None = None) -> dict[str, str]:
    """Check the shipped files (all with ``names=None``) without raising: ``{file: "ok" or what is wrong}``."""
    try:
        files = _manifest()
    except DataFileError as error:
        return {MANIFEST_NAME: error.problem}
    report: dict[str, str] = {}
    for name in sorted(files) if names is None else names:
        try:
            verify_file(name)
        except DataFileError as error:
            report[name] = error.problem
        except ValueError as error:
            report[name] = str(error)
        else:
            report[name] = "ok"
    return report


#: Folder (inside the data folder) of the trained weights the course ships.
WEIGHTS_FOLDER = "weights"


def shipped_weights(key: str) -> Path | None:
    """The shipped weight file trained under cache ``key`` (manifest's ``weights``), checked against its
    checksum; None when none was trained under ``key``."""
    found = _weights_entry(key)
    if found is None:
        return None
    name, entry = found
    return _checked(DATA_DIR / WEIGHTS_FOLDER / name, f"{WEIGHTS_FOLDER}/{name}", entry.get("sha256"))


def _weights_entry(key: str) -> tuple[str, dict[str, Any]] | None:
    """The manifest's (file name, record) of the weights shipped for cache ``key``, or None."""
    try:
        weights = json.loads((DATA_DIR / MANIFEST_NAME).read_text(encoding="utf-8")).get("weights", {})
    except (OSError, ValueError, AttributeError):
        return None  # no usable manifest: nothing ships (loading the data will say why)
    return next(((name, entry) for name, entry in (weights.items() if isinstance(weights, dict) else ())
                 if isinstance(entry, dict) and entry.get("cache_key") == key), None)


def array_digest(array: np.ndarray) -> str:
    """The manifest's ``content_sha256``: a digest of an array's dtype, shape and values."""
    array = np.ascontiguousarray(array)
    digest = hashlib.sha256()
    digest.update(array.dtype.str.encode())
    digest.update(repr(array.shape).encode())
    digest.update(array.tobytes())
    return digest.hexdigest()


def _verify_arrays(name: str, path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Compare each array with the manifest's dtype, shape and content digest (the whole entry)."""
    listed = _manifest()[name].get("arrays")
    if not isinstance(listed, dict):
        raise DataFileError(name, f"the manifest lists no arrays for {name}; restore data/manifest.json.")
    for key, array in arrays.items():
        entry = listed.get(key)
        if not isinstance(entry, dict):
            raise DataFileError(name, f"{_shown(path)} holds an array {key!r} that the manifest does not list.")
        if str(array.dtype) != entry.get("dtype") or list(array.shape) != entry.get("shape"):
            listed_shape = tuple(entry.get("shape") or ())
            raise DataFileError(name, f"{_shown(path)}: array {key!r} is {array.dtype} of shape {array.shape}, but "
                                      f"the manifest says {entry.get('dtype')} of shape {listed_shape} "
                                      "(the file was changed after it was built).")
        if array_digest(array) != entry.get("content_sha256"):
            raise DataFileError(name, f"{_shown(path)}: the values of array {key!r} do not match the manifest's "
                                      "content checksum (the file was changed after it was built).")


def shipped_record(key: str) -> dict[str, Any]:
    """The manifest's record of the weights shipped for cache ``key`` ({} when none is listed)."""
    found = _weights_entry(key)
    return dict(found[1]) if found else {}


def _load_arrays(name: str, keys: Sequence[str]) -> dict[str, np.ndarray]:
    """Verify a shipped ``.npz`` and read the named arrays from it, each checked against the manifest."""
    path = verify_file(name)
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in keys}
    except Exception as error:  # zipfile, numpy format and key errors alike
        raise DataFileError(name, f"{_shown(path)} is unreadable: {type(error).__name__}: {error}.") from error
    _verify_arrays(name, path, arrays)
    return arrays


@dataclass(frozen=True, eq=False)
class ImageDataset:
    """Images ``x_*`` (uint8, (n, 28, 28)) and labels ``y_*`` (int64 into ``class_names``); ``source``:
    where they came from, "shipped" or "torchvision"."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    name: str
    source: str

    def __repr__(self) -> str:
        return (f"ImageDataset({self.name!r}, source={self.source!r}, train={tuple(self.x_train.shape)}, "
                f"test={tuple(self.x_test.shape)}, classes={len(self.class_names)})")


def _shipped_images(file: str, name: str, class_names: tuple[str, ...]) -> ImageDataset:
    arrays = _load_arrays(file, ("x_train", "y_train", "x_test", "y_test"))
    x_train, y_train, x_test, y_test = (arrays[k].astype(np.uint8 if k[0] == "x" else np.int64, copy=False)
                                        for k in ("x_train", "y_train", "x_test", "y_test"))
    return ImageDataset(x_train, y_train, x_test, y_test, class_names, name, "shipped")


def _torchvision_images(dataset_class: str, file: str, name: str, class_names: tuple[str, ...]) -> ImageDataset:
    """The full dataset via torchvision (downloaded into the cache once), or the shipped
    subset with a DataDownloadWarning when that fails."""
    try:
        from torchvision import datasets

        root = paths.cache_dir("torchvision")
        splits = [getattr(datasets, dataset_class)(root=str(root), train=train, download=True)
                  for train in (True, False)]
        x_train, x_test = (np.asarray(s.data.numpy(), dtype=np.uint8) for s in splits)
        y_train, y_test = (np.asarray(s.targets.numpy(), dtype=np.int64) for s in splits)
    except Exception as error:  # no torchvision, no network, a bad mirror ...
        validation.warn(
            f"could not download {name} with torchvision: {type(error).__name__}: {error}; "
            "using the shipped subset instead",
            DataDownloadWarning,
        )
        return _shipped_images(file, name, class_names)
    return ImageDataset(x_train, y_train, x_test, y_test, class_names, name, "torchvision")


_SOURCE = validation.rule(validation.choice, options=SOURCES)


@validation.params(source=_SOURCE)
def load_fashion_mnist(source: str = "shipped") -> ImageDataset:
    """Fashion-MNIST: the shipped balanced 12,000 + 3,000 images, or with ``source="torchvision"`` the full
    60,000 + 10,000 downloaded once (the shipped ones, with a warning, when that fails)."""
    if source == "torchvision":
        return _torchvision_images("FashionMNIST", "fashion_mnist.npz", "Fashion-MNIST", FASHION_MNIST_CLASSES)
    return _shipped_images("fashion_mnist.npz", "Fashion-MNIST", FASHION_MNIST_CLASSES)


@validation.params(source=_SOURCE)
def load_mnist(source: str = "shipped") -> ImageDataset:
    """MNIST digits: the shipped 8,000 + 2,000, or with ``source="torchvision"`` the full 60,000 + 10,000."""
    if source == "torchvision":
        return _torchvision_images("MNIST", "mnist.npz", "MNIST", MNIST_CLASSES)
    return _shipped_images("mnist.npz", "MNIST", MNIST_CLASSES)


#: The image datasets a notebook's ``DATASET`` setting can name, and their loaders.
DATASETS: dict[str, Any] = {"fashion": load_fashion_mnist, "mnist": load_mnist}


def load_dataset(dataset: str = "fashion", source: str = "shipped") -> ImageDataset:
    """The image dataset a notebook's ``DATASET`` names: "fashion" (Fashion-MNIST) or "mnist" (digits)."""
    name = validation.choice(dataset, "DATASET", DATASETS,
                             what="'fashion' (Fashion-MNIST) or 'mnist' (handwritten digits)")
    return DATASETS[name](source)


class WordVectors:
    """Lowercase words in frequency order and their vectors: ``vectors[i]`` belongs to ``words[i]``."""

    def __init__(self, words: Sequence[str], vectors: np.ndarray) -> None:
        if len(words) != len(vectors):
            raise validation.InvalidValue(f"words and vectors must have the same length: {len(words)} words but "
                                          f"{len(vectors)} vectors")
        self.words: list[str] = [str(word) for word in words]
        self.vectors: np.ndarray = np.asarray(vectors, dtype=np.float32)
        self._index = {word: i for i, word in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._index

    def __repr__(self) -> str:
        return f"WordVectors({len(self)} words, dim={self.vectors.shape[1]})"

    def index(self, word: str) -> int:
        """Row of ``word`` in ``vectors``; KeyError (with suggestions) if unknown."""
        try:
            return self._index[word]
        except (KeyError, TypeError):
            raise KeyError(self._unknown_message(word)) from None

    def vector(self, word: str) -> np.ndarray:
        """The vector of ``word`` (float32, shape (dim,))."""
        return self.vectors[self.index(word)]

    __getitem__ = vector

    def _unknown_message(self, word: object) -> str:
        message = f"{word!r} is not among the {len(self):,} shipped words"
        hint = self.hint(word)
        return message + (f" ({hint})" if hint else "")

    def hint(self, word: object) -> str:
        """What to try instead of an unknown ``word``: its lowercase form, or close words ("" if none)."""
        if not isinstance(word, str):
            return "words are strings"
        hints = []
        if word.lower() != word and word.lower() in self._index:
            hints.append(f"the words are lowercase: try {word.lower()!r}")
        close = difflib.get_close_matches(word.lower(), self.words, n=3, cutoff=0.75)
        if close:
            hints.append("did you mean " + ", ".join(repr(w) for w in close) + "?")
        return "; ".join(hints)


def load_glove(num_words: int | None = None) -> WordVectors:
    """GloVe 6B 50-d vectors (float32) of the ``num_words`` most frequent words (None: all 30,000 shipped)."""
    arrays = _load_arrays("glove_50d.npz", ("words", "vectors"))
    available = len(arrays["words"])
    n = available if num_words is None else validation.integer(
        num_words, "num_words", low=1, high=available, why=" (or None for all the shipped words)")
    return WordVectors(arrays["words"][:n].tolist(), arrays["vectors"][:n])


def load_digits_8x8() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 digits: ``(images, labels)``, float32 (1797, 8, 8) with values 0-16, and int64."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.images.astype(np.float32), digits.target.astype(np.int64)


#: Words of a few crowd-sourced xkcd colour names that a classroom may prefer not to show.
XKCD_CRUDE_WORDS = frozenset({"shit", "puke", "pukey", "vomit", "poo", "poop", "barf", "snot", "booger", "diarrhea",
                              "piss", "sick"})


def load_xkcd_colors(*, polite: bool = False) -> list[tuple[str, tuple[float, float, float]]]:
    """The 949 xkcd colour names (no "xkcd:" prefix) with RGB floats, sorted; ``polite=True`` leaves out
    those with a word of :data:`XKCD_CRUDE_WORDS`."""
    from matplotlib.colors import XKCD_COLORS, to_rgb

    polite = validation.boolean(polite, "polite")
    colors = [(name.removeprefix("xkcd:"), to_rgb(hex_code)) for name, hex_code in XKCD_COLORS.items()]
    if polite:
        colors = [(name, rgb) for name, rgb in colors if not set(name.split()) & XKCD_CRUDE_WORDS]
    return sorted((name, (float(r), float(g), float(b))) for name, (r, g, b) in colors)
