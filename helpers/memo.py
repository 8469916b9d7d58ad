"""Slow scores computed once, then read back from the course cache.

>>> memo.remembered("knn_accuracy", {"X": X, "y": y}, {"k": 10}, lambda: slow_score(X, y))

A score (a number) is stored as a small verified entry under the course cache (see
:mod:`helpers.cache`), named by a hash of the arrays' bytes, dtypes and shapes, the
parameters and the library versions: other data or other settings are computed afresh.
A damaged entry is reported, moved aside and computed again; a cache that cannot be
written only warns once, and the score is kept in memory for the session. Deleting the
cache folder is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from collections.abc import Callable
from importlib import metadata
from typing import Any

import numpy as np

from helpers import cache, validation

__all__ = ["MemoWarning", "fingerprint", "remembered"]

#: Bump when a remembered computation or its file changes, so that old files are ignored.
FORMAT = 2

#: The warning for a damaged or unwritable score entry (the course cache's warning).
MemoWarning = cache.CacheWarning


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
        validation.fail("arrays", "a dict of name -> array", arrays, kind=validation.InvalidType)
    if not callable(compute):
        validation.fail("compute", "callable (a function that computes the score)", compute,
                        kind=validation.InvalidType)
    description = {"format": FORMAT, "name": name, "params": params, "versions": _versions(),
                   "arrays": {key: fingerprint(value) for key, value in sorted(arrays.items())}}
    key = hashlib.sha256(json.dumps(description, sort_keys=True, default=repr).encode()).hexdigest()[:24]
    filename = f"{name}-{key}.json"
    value = cache.load("scores", filename, _decode, what="score")
    if value is None:
        value = float(compute())
        cache.save("scores", filename, value, _encode)
    return value


def _encode(value: float) -> bytes:
    return json.dumps({"value": value}).encode()


def _decode(payload: bytes) -> float:
    value = json.loads(payload)["value"]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"the value is {value!r}, not a number")
    return float(value)
