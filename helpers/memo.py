"""Slow scores computed once, then read back from the course cache.

>>> memo.remembered("knn_accuracy", {"X": X, "y": y}, {"k": 10}, lambda: slow_score(X, y))

A score (a number) is stored in a small JSON file under the course cache (see
:func:`helpers.paths.cache_dir`), named by a hash of the arrays' bytes, dtypes and
shapes, the parameters and the library versions: other data or other settings are
computed afresh. A damaged file is reported, removed and computed again; a cache that
cannot be written only warns. Deleting the cache folder is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import tempfile
import warnings
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from helpers import paths

__all__ = ["MemoWarning", "fingerprint", "remembered"]

#: Bump when a remembered computation changes, so that old files are ignored.
FORMAT = 1


class MemoWarning(UserWarning):
    """A remembered score could not be read or saved; it was computed instead."""


def fingerprint(arr: Any) -> str:
    """A short hash of an array's dtype, shape and bytes (the same for equal arrays in any memory order)."""
    arr = np.ascontiguousarray(arr)
    digest = hashlib.sha1(f"{arr.dtype.str}{arr.shape}".encode(), usedforsecurity=False)
    digest.update(memoryview(arr).cast("B"))
    return digest.hexdigest()


@functools.cache
def _versions() -> dict[str, str]:
    found = {}
    for package in ("numpy", "scikit-learn"):
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


def remembered(name: str, arrays: dict[str, Any], params: dict[str, Any], compute: Callable[[], float]) -> float:
    """``compute()``, or the value it gave before for the same ``arrays`` and ``params``."""
    if not isinstance(arrays, dict):
        raise TypeError(f"arrays must be a dict of name -> array, got {type(arrays).__name__}")
    if not callable(compute):
        raise TypeError(f"compute must be callable (it computes the score), got {compute!r}")
    description = {"format": FORMAT, "name": name, "params": params, "versions": _versions(),
                   "arrays": {key: fingerprint(value) for key, value in sorted(arrays.items())}}
    key = hashlib.sha256(json.dumps(description, sort_keys=True, default=repr).encode()).hexdigest()[:24]
    filename = f"{name}-{key}.json"
    value = _read(filename)
    if value is None:
        value = float(compute())
        _write(filename, value)
    return value


def _read(filename: str) -> float | None:
    try:
        path = paths.cache_dir("scores") / filename
    except OSError:
        return None
    if not path.exists():
        return None
    try:
        value = json.loads(path.read_text())["value"]
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            raise ValueError(f"the value is {value!r}, not a number")
        return float(value)
    except Exception as error:  # any damage means: compute again
        warnings.warn(f"the remembered score {filename} could not be used ({error}); it is removed and computed "
                      "again", MemoWarning, stacklevel=3)
        path.unlink(missing_ok=True)
        return None


def _write(filename: str, value: float) -> None:
    """Save atomically (a temporary file, then a rename); a failure only warns."""
    tmp = None
    try:
        folder = paths.cache_dir("scores")
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{filename}.", suffix=".tmp")
        with os.fdopen(fd, "w") as fh:
            json.dump({"value": value}, fh)
        os.replace(tmp, folder / filename)
    except OSError as error:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        warnings.warn(f"could not save the score to the course cache ({error}); it will be computed again next time",
                      MemoWarning, stacklevel=3)
