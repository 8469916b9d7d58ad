"""Entries of the course cache, each written with its digest and verified when read.

>>> from helpers import cache
>>> cache.save("scores", "knn-1a2b.entry", 0.873, encode=lambda v: json.dumps(v).encode())
>>> cache.load("scores", "knn-1a2b.entry", decode=lambda b: float(json.loads(b)))
0.873

An entry is one file under ``<cache>/<kind>/``: a header line that holds the sha256 and
the length of the payload, then the payload (an ``.npy`` array, JSON ...). It is written
to a temporary file and renamed into place, so the digest and the payload always arrive
together. When read, an entry whose digest, length or contents do not check out
(flipped bytes, a truncated file, plausible values written over it, a folder in its
place) gives one warning that names it, is moved aside (``<name>.corrupt``) and counts
as absent, so the caller computes the value again.

When the cache cannot be written (see :func:`helpers.paths.cache_dir`), the value is
kept in memory for the session instead, and found there by the next :func:`load`.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from helpers import paths
from helpers.validation import warn

__all__ = ["CacheWarning", "decode_entry", "discard", "encode_entry", "forget_unsaved", "load", "recall_unsaved",
           "remember_unsaved", "save", "unsaved_count"]

CacheWarning = paths.CacheWarning

T = TypeVar("T")

_MAGIC = b"course-cache-entry"
_VERSION = 1

# values that could not be written, by (cache root, kind, name): found again by load()
_unsaved: dict[tuple[str, str, str], Any] = {}


def _memory_key(kind: str, name: str) -> tuple[str, str, str]:
    return (str(paths.cache_root()), kind, name)


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
            or not fields[3].startswith(b"size="):
        raise ValueError("its header line is damaged")
    if fields[1] != str(_VERSION).encode():
        raise ValueError(f"it was written in format {fields[1].decode(errors='replace')}, not {_VERSION}")
    try:
        size = int(fields[3][5:])
    except ValueError:
        raise ValueError("its header line is damaged") from None
    payload = raw[newline + 1:]
    if len(payload) != size:
        raise ValueError(f"it holds {len(payload):,} bytes instead of {size:,} (cut short or extended)")
    if hashlib.sha256(payload).hexdigest().encode() != fields[2][7:]:
        raise ValueError("its contents do not match their sha256 digest (changed after it was written)")
    return payload


def load(kind: str, name: str, decode: Callable[[bytes], T], *, what: str = "entry") -> T | None:
    """The verified, decoded value of entry ``name`` in ``<cache>/<kind>/``, or None when absent.

    ``decode(payload)`` turns the payload into the value and raises if it is not what was
    expected (a wrong shape ...). A damaged entry is reported (naming it as ``what``),
    moved aside and treated as absent. A value that :func:`save` could not write in this
    session is returned from memory.
    """
    key = _memory_key(kind, name)
    if key in _unsaved:
        return _unsaved[key]
    path = paths.cache_root() / kind / name
    if not (path.exists() or path.is_symlink()):
        return None
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
    except PermissionError:  # not damage: someone else's private entry. Computed again, left alone
        warn(f"the cached {what} {path.parent.name}/{path.name} cannot be read by you (no permission); it is "
             "computed again. Whoever filled this shared cache can let the class read it with "
             f"`chmod -R a+rX {paths.cache_root()}`.", CacheWarning)
        return None
    except Exception as error:
        discard(path, f"{type(error).__name__}: {error}" if isinstance(error, OSError) else str(error), what)
        return None
    try:
        return decode(decode_entry(raw))
    except Exception as error:  # any damage means: compute again
        discard(path, f"{type(error).__name__}: {error}" if isinstance(error, OSError) else str(error), what)
        return None


def discard(path: Path, reason: str, what: str = "entry") -> None:
    """Warn (once, naming the entry) that it was damaged, and move it aside if possible."""
    moved = paths.move_aside(path)
    fate = (f"it was moved to {moved.name} and is computed again" if moved is not None
            else "it could not be moved aside (the cache is read-only), so it is computed again this session")
    warn(f"the cached {what} {path.parent.name}/{path.name} is damaged ({reason}); {fate}.", CacheWarning)


def save(kind: str, name: str, value: T, encode: Callable[[T], bytes]) -> bool:
    """Write ``value`` (as ``encode(value)``) with its digest, atomically; True when written.

    When the cache cannot be written, the course warns once (see
    :func:`helpers.paths.report_unwritable`) and keeps ``value`` in memory for this session.
    """
    key = _memory_key(kind, name)
    data = encode_entry(encode(value))
    folder = paths.cache_dir(kind)
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".tmp")
        paths.share_like_folder(fd, folder)  # a class's shared cache is readable by the class
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        target = folder / name
        if target.is_dir() and not target.is_symlink():
            discard(target, "a folder is in its place")
        os.replace(tmp, target)
    except OSError as error:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        _unsaved[key] = value
        paths.report_unwritable(folder, error)
        return False
    except BaseException:  # interrupted (KeyboardInterrupt) while writing: leave nothing half-written
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    _unsaved.pop(key, None)
    return True


def remember_unsaved(kind: str, name: str, value: Any) -> None:
    """Keep a value that another writer (the weight cache) could not save, for this session (None forgets it)."""
    if value is None:
        _unsaved.pop(_memory_key(kind, name), None)
    else:
        _unsaved[_memory_key(kind, name)] = value


def recall_unsaved(kind: str, name: str) -> Any:
    """A value kept by :func:`remember_unsaved` (or :func:`save`) in this session, or None."""
    return _unsaved.get(_memory_key(kind, name))


def unsaved_count() -> int:
    """How many values are held in memory because the cache could not be written."""
    return len(_unsaved)


def forget_unsaved() -> None:
    """Drop the values held in memory (and let the next unwritable cache be reported again)."""
    _unsaved.clear()
    paths._reported.clear()
