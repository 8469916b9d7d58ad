"""The course cache: trained weights, maps, scores and probe results, computed once and read back.

>>> from helpers import cache
>>> name = cache.key("knn", {"k": 10, "data": cache.fingerprint(X, y)}) + ".entry"
>>> cache.save("scores", name, 0.873, encode=lambda v: json.dumps(v).encode())
>>> cache.load("scores", name, decode=lambda b: float(json.loads(b)))
0.873
>>> cache.remembered("knn_accuracy", {"X": X, "y": y}, {"k": 10}, lambda: slow_score(X, y))

One way for everything the course keeps:

- **a name**: :func:`key` is a short name plus a hash of a description (the settings, the
  :func:`fingerprint` of the data, the library versions): other data or settings get other names.
- **an entry**: one file under ``<cache>/<kind>/`` (or a folder given as a ``Path``): a header
  line that holds the sha256 and the length of the payload (an ``.npy`` array, JSON, a torch
  file ...), then the payload, written whole or not at all by :func:`write_atomic`.
- **damage**: an entry whose digest, length or contents do not check out (flipped bytes, a
  truncated file, plausible values written over it, a folder in its place) gives one warning
  that names it, is moved aside (``<name>.damaged``) and counts as absent, so the caller
  computes the value again.
- **no place to write**: when the cache cannot be written (see :func:`helpers.paths.cache_dir`),
  the course warns once and keeps the entry in memory for the session, where the next
  :func:`load` finds it. Deleting the cache folder is always safe.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
import os
import tempfile
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from helpers import paths, validation

__all__ = ["CacheWarning", "decode_entry", "discard", "encode_entry", "fingerprint", "forget_unsaved", "key", "load",
           "remembered", "save", "unsaved_count", "versions", "write_atomic"]

CacheWarning = paths.CacheWarning

T = TypeVar("T")

_MAGIC = b"course-cache-entry"
_VERSION = 1

# payloads that could not be written, by path: found again by load()
_unsaved: dict[str, bytes] = {}


# ----------------------------------------------------------------------------- names


def fingerprint(*arrays: Any) -> str:
    """A short sha256 of arrays' dtypes, shapes and values (NumPy arrays, torch tensors, lists), in any memory order."""
    digest = hashlib.sha256()
    for a in arrays:
        arr = np.ascontiguousarray(a.detach().cpu().numpy() if hasattr(a, "detach") else np.asarray(a))
        digest.update(f"{arr.dtype.str}{arr.shape}".encode())
        digest.update(arr.tobytes())
    return digest.hexdigest()[:16]


def key(name: str, description: dict[str, Any]) -> str:
    """``<name>-<16 hex digits>``: the same for the same description (JSON values only), in every session."""
    text = json.dumps(description, sort_keys=True)
    return f"{name}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"


@functools.cache
def versions(*packages: str) -> dict[str, str]:
    """The installed version of each package ("absent" if it is not): part of a description, so that
    a new version of the library that computed an entry computes it again."""
    found = {}
    for package in packages:
        try:
            found[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            found[package] = "absent"
    return found


# ----------------------------------------------------------------------------- entries


def encode_entry(payload: bytes) -> bytes:
    """The bytes of an entry file: header line (digest and length), then ``payload``."""
    digest = hashlib.sha256(payload).hexdigest()
    return b"%s %d sha256=%s size=%d\n" % (_MAGIC, _VERSION, digest.encode(), len(payload)) + payload


def decode_entry(raw: bytes) -> bytes:
    """The payload of an entry file; ValueError (saying what is wrong) if it does not check out."""
    newline = raw.find(b"\n", 0, 200)
    if newline < 0:
        raise ValueError("it has no header line (not a course cache entry)")
    fields = raw[:newline].split(b" ")
    if len(fields) != 4 or fields[0] != _MAGIC or not fields[2].startswith(b"sha256=") \
            or not fields[3].startswith(b"size=") or not fields[3][5:].isdigit():
        raise ValueError("its header line is damaged")
    if fields[1] != str(_VERSION).encode():
        raise ValueError(f"it was written in format {fields[1].decode(errors='replace')}, not {_VERSION}")
    size = int(fields[3][5:])
    payload = raw[newline + 1:]
    if len(payload) != size:
        raise ValueError(f"it holds {len(payload):,} bytes instead of {size:,} (cut short or extended)")
    if hashlib.sha256(payload).hexdigest().encode() != fields[2][7:]:
        raise ValueError("its contents do not match their sha256 digest (changed after it was written)")
    return payload


def _payload(path: Path, raw: bytes) -> bytes:
    try:
        return decode_entry(raw)
    except ValueError:
        beside = path.with_suffix(".sha256")  # weights cached before entries held their digest kept it beside them
        if beside.is_file() and beside.read_text().strip() == hashlib.sha256(raw).hexdigest():
            return raw
        raise


def _folder(kind: str | Path) -> Path:
    return kind if isinstance(kind, Path) else paths.cache_root() / kind


def load(kind: str | Path, name: str, decode: Callable[[bytes], T], *, what: str = "entry") -> T | None:
    """The verified, decoded value of entry ``name`` in ``<cache>/<kind>/`` (or the folder ``kind``), or None.

    ``decode(payload)`` raises if the value is not what was expected; a damaged entry is reported
    (as ``what``), moved aside and treated as absent.
    """
    path = _folder(kind) / name
    if str(path) in _unsaved:
        return decode(_unsaved[str(path)])
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        with open(path, "rb") as fh:
            return decode(_payload(path, fh.read()))
    except PermissionError:  # not damage: someone else's private entry. Computed again, left alone
        validation.warn(f"the cached {what} {path.parent.name}/{path.name} cannot be read by you (no permission); it "
                        "is computed again. Whoever filled this shared cache can let the class read it with "
                        f"`chmod -R a+rX {path.parent.parent}`.", CacheWarning)
    except Exception as error:  # any damage means: compute again
        discard(path, f"it is damaged: {type(error).__name__}: {error}" if isinstance(error, OSError)
                else f"it is damaged: {error}", what)
    return None


def discard(path: Path, reason: str, what: str = "entry") -> None:
    """Warn (once, naming the entry) that it could not be used, and move it aside if possible."""
    moved = paths.move_aside(path) if path.exists() or path.is_symlink() else None
    fate = (f"it was moved to {moved.name} and is computed again" if moved is not None
            else "it is computed again" if not path.exists()
            else "it could not be moved aside (the cache is read-only), so it is computed again this session")
    _unsaved.pop(str(path), None)
    validation.warn(f"the cached {what} {path.parent.name}/{path.name} could not be used ({reason}); {fate}.",
                    CacheWarning)


def write_atomic(path: Path, data: bytes, *, private: bool = False) -> None:
    """Write ``data`` to ``path`` whole or not at all (a temporary file, renamed): shared like its folder, or
    with ``private`` readable by its owner only and on disk before the rename (a learner's progress)."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if not private:
            paths.share_like_folder(handle, path.parent)  # a class's shared cache is readable by the class
        with os.fdopen(handle, "wb") as fh:
            fh.write(data)
            if private:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def save(kind: str | Path, name: str, value: T, encode: Callable[[T], bytes]) -> bool:
    """Write ``value`` (as ``encode(value)``) with its digest, atomically; True when written, else kept in memory."""
    payload = encode(value)
    folder = paths.cache_dir(kind) if isinstance(kind, str) else kind
    path = folder / name
    try:
        if path.is_dir() and not path.is_symlink():
            discard(path, "a folder is in its place")
        write_atomic(path, encode_entry(payload))
    except OSError as error:
        _unsaved[str(path)] = payload
        paths.report_unwritable(folder, error)
        return False
    _unsaved.pop(str(path), None)
    return True


def unsaved_count() -> int:
    """How many entries are held in memory because the cache could not be written."""
    return len(_unsaved)


def forget_unsaved() -> None:
    """Drop the entries held in memory (and let the next unwritable cache be reported again)."""
    _unsaved.clear()
    paths._reported.clear()


# ----------------------------------------------------------------------------- remembered scores


#: Bump when a remembered score or its entry changes, so that old entries are ignored.
SCORES_FORMAT = 2


def remembered(name: str, arrays: dict[str, Any], params: dict[str, Any], compute: Callable[[], float]) -> float:
    """``compute()``, or the value it gave before for the same ``arrays``, ``params`` and library versions."""
    if not isinstance(arrays, dict):
        validation.fail("arrays", "a dict of name -> array", arrays, kind=validation.InvalidType)
    if not callable(compute):
        validation.fail("compute", "callable (a function that computes the score)", compute,
                        kind=validation.InvalidType)
    entry = key(name, {"format": SCORES_FORMAT, "params": params, "versions": versions("numpy", "scikit-learn"),
                       "arrays": {label: fingerprint(value) for label, value in sorted(arrays.items())}}) + ".json"
    value = load("scores", entry, _score, what="score")
    if value is None:
        value = float(compute())
        save("scores", entry, value, lambda v: json.dumps({"value": v}).encode())
    return value


def _score(payload: bytes) -> float:
    value = json.loads(payload)["value"]
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise ValueError(f"the value is {value!r}, not a number")
    return float(value)
