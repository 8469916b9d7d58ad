"""Where a learner's exercise progress is kept, and how to keep, hand in or bring it back.

Progress is the learner's own record (which exercises are solved, how many checks, hints
and solutions), so it lives apart from the course cache of trained weights, projections
and scores: a classroom can share one read-only cache and still give every learner their
own progress.

* **Where**: ``progress.json`` in a per-user folder (``~/.local/share/embeddings-course``
  on Linux, ``~/Library/Application Support/embeddings-course`` on macOS,
  ``%APPDATA%\\embeddings-course`` on Windows), or in the folder named by the environment
  variable ``COURSE_PROGRESS_DIR``. :func:`progress_path` says which.
* **Trust**: the file carries a SHA-256 digest of its content, written with it in one
  atomic replace. Every change (a check, a hint, an import) reads, changes and replaces the
  file while holding a lock file beside it (``progress.json.lock``), so kernels and threads
  checking at the same time lose nothing, and a kernel killed mid-write loses only its own
  change. A progress "file" that is not a regular file (a FIFO, a device, a link to one) or
  is larger than any progress record is refused with a message, never read. A file whose
  digest does not match (damaged, truncated, edited) is reported once, moved aside and not used.
* **Read-only places**: when the file cannot be written, progress is kept in memory for
  this session and one warning says where saving was tried and how to choose another place.
* **Keeping it**: :func:`keep_progress_in` moves progress to a folder of your choice (on
  Google Colab, a mounted Google Drive, which outlives the runtime); :func:`export_progress`
  writes a copy to hand in, and :func:`import_progress` brings one back.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import stat
import sys
import tempfile
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from helpers import cache, paths, validation

__all__ = ["PROGRESS_ENV_VAR", "ProgressError", "progress_dir", "progress_path", "load_progress", "save_progress",
           "update_entry", "normal_entry", "merge_progress", "reset_progress", "where_progress_is_kept",
           "export_progress", "import_progress", "read_progress_file", "keep_progress_in"]

#: Environment variable that moves the progress folder (e.g. to a mounted Google Drive).
PROGRESS_ENV_VAR = "COURSE_PROGRESS_DIR"

#: The folder name used under the per-user data folder.
APP_FOLDER = "embeddings-course"

#: What ``keep_progress_in()`` uses on Google Colab when no folder is given.
COLAB_DRIVE_FOLDER = "/content/drive/MyDrive/embeddings-course"

FORMAT = "embeddings-course progress"
VERSION = 2
STATUSES = ("solved", "attempted", "not_attempted")

#: The largest progress or export file read (a full course's record is a few kilobytes).
MAX_FILE_BYTES = 4 * 1024 * 1024
#: How long a change waits for another kernel's change to finish before keeping it in memory.
LOCK_TIMEOUT_S = 30.0


class ProgressError(ValueError):
    """A course message about progress files; IPython shows it as one line, not a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


# ============================================================================ where


def _user_data_dir() -> Path:
    if os.name == "nt":
        base = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(base) / APP_FOLDER
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Application Support" / APP_FOLDER
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / APP_FOLDER


def progress_dir() -> Path:
    """The folder that holds ``progress.json`` (not created here)."""
    chosen = os.environ.get(PROGRESS_ENV_VAR)
    if chosen:
        return Path(chosen).expanduser()
    try:
        return _user_data_dir()
    except (RuntimeError, KeyError):  # no home folder can be determined
        return Path(tempfile.gettempdir()) / APP_FOLDER


def progress_path() -> Path:
    """Where progress is kept: ``progress.json`` in :func:`progress_dir`."""
    return progress_dir() / "progress.json"


# ============================================================================ entries


def normal_entry(raw: Any = None) -> dict[str, Any]:
    """One exercise's record with every field present and of the right type."""
    raw = raw if isinstance(raw, dict) else {}
    status = raw.get("status")
    attempts = raw.get("attempts")
    hints = raw.get("hints_viewed")
    solved_at = raw.get("solved_at")
    return {
        "status": status if status in STATUSES else "not_attempted",
        "attempts": attempts if isinstance(attempts, int) and not isinstance(attempts, bool) and attempts >= 0 else 0,
        "solution_viewed": raw.get("solution_viewed") is True,
        "hints_viewed": hints if isinstance(hints, int) and not isinstance(hints, bool) and hints >= 0 else 0,
        "solved_at": solved_at if isinstance(solved_at, str) else None,
    }


def _normal(data: Any) -> dict[str, dict[str, dict[str, Any]]]:
    if not isinstance(data, dict):
        return {}
    return {
        str(notebook): {str(q): normal_entry(e) for q, e in entries.items() if isinstance(e, dict)}
        for notebook, entries in data.items()
        if isinstance(entries, dict)
    }


def _merge_entry(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, Any]:
    a, b = normal_entry(dict(a)), normal_entry(dict(b))
    status = min((a["status"], b["status"]), key=STATUSES.index)  # solved beats attempted beats not
    solved = sorted(t for t in (a["solved_at"], b["solved_at"]) if t)
    return {
        "status": status,
        "attempts": max(a["attempts"], b["attempts"]),
        "solution_viewed": a["solution_viewed"] or b["solution_viewed"],
        "hints_viewed": max(a["hints_viewed"], b["hints_viewed"]),
        "solved_at": solved[0] if solved and status == "solved" else None,
    }


def merge_progress(ours: Mapping[str, Any], theirs: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """Both records together: per exercise, solved wins and counts keep their maximum."""
    merged = _normal(copy.deepcopy(dict(ours)))
    for notebook, entries in _normal(dict(theirs)).items():
        target = merged.setdefault(notebook, {})
        for question, entry in entries.items():
            target[question] = _merge_entry(target[question], entry) if question in target else entry
    return merged


def _solved_text(data: Mapping[str, Any]) -> str:
    count = sum(e.get("status") == "solved" for entries in data.values() for e in entries.values())
    return f"{count} exercise{'' if count == 1 else 's'} solved"


# ============================================================================ the file


def _digest(progress: Mapping[str, Any]) -> str:
    text = json.dumps(progress, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _document(progress: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    progress = _normal(dict(progress))
    return {"format": FORMAT, "version": VERSION, **extra, "digest": _digest(progress), "progress": progress}


def _parse(text: str) -> dict[str, dict[str, dict[str, Any]]]:
    """The progress held by a file's text; raises ValueError saying what is wrong with it."""
    try:
        document = json.loads(text)
    except ValueError:
        raise ValueError("it is not valid JSON (damaged or truncated)") from None
    except RecursionError:
        raise ValueError("it is nested far deeper than any progress record") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("it is not a course progress file")
    progress = document.get("progress")
    if not isinstance(progress, dict) or not isinstance(document.get("digest"), str):
        raise ValueError("it has no progress record or no digest")
    if _digest(progress) != document["digest"]:
        raise ValueError("its content does not match its digest (damaged or edited)")
    normal = _normal(progress)
    if normal != progress:
        raise ValueError("it holds entries the course does not write")
    return normal


class _NotRegular(OSError):
    """A path that is not a regular file (a FIFO, a device, a folder) or is too large to be progress."""


def _read_text(path: Path, limit: int = MAX_FILE_BYTES) -> str:
    """The text of the regular file ``path``, never blocking on a FIFO nor reading a device."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    handle = os.open(path, flags)
    try:
        info = os.fstat(handle)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory", str(path))
        if not stat.S_ISREG(info.st_mode):
            kind = ("a FIFO (named pipe)" if stat.S_ISFIFO(info.st_mode) else
                    "a device" if stat.S_ISCHR(info.st_mode) or stat.S_ISBLK(info.st_mode) else "a special file")
            raise _NotRegular(f"it is {kind}, not a regular file")
        if info.st_size > limit:
            raise _NotRegular(f"it is {info.st_size} bytes, more than any progress record ({limit} bytes)")
        with os.fdopen(handle, "rb") as file:
            handle = -1
            data = file.read(limit + 1)
    finally:
        if handle >= 0:
            os.close(handle)
    if len(data) > limit:
        raise _NotRegular(f"it is more than {limit} bytes, more than any progress record")
    return data.decode("utf-8")


def _write_atomically(path: Path, document: Mapping[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    cache.write_atomic(path, (json.dumps(document, indent=2, sort_keys=True) + "\n").encode("utf-8"), private=True)


# In-memory progress for places where the file cannot be written: {path: data}.
_UNSAVED: dict[str, dict[str, dict[str, dict[str, Any]]]] = {}
_UNREADABLE: set[str] = set()  # progress files that exist but could not be read: never written over
_WARNED: set[str] = set()


def _warn_once(key: str, message: str) -> None:
    if key not in _WARNED:
        _WARNED.add(key)
        validation.warn(message)


_ANOTHER_PLACE = (f"choose a writable folder with the environment variable {PROGRESS_ENV_VAR} "
                  "or `helpers.progress.keep_progress_in(FOLDER)`")


def load_progress() -> dict[str, dict[str, dict[str, Any]]]:
    """Everything recorded so far, ``{notebook: {question: entry}}``.

    A damaged file (its digest does not match) is reported once, moved aside and not used.
    """
    path = progress_path()
    if str(path) in _UNSAVED:
        return copy.deepcopy(_UNSAVED[str(path)])
    try:
        text = _read_text(path)
    except FileNotFoundError:
        return _from_earlier_location(path)
    except (NotADirectoryError, IsADirectoryError):
        return {}  # a file or folder in the way: nothing to read (saving there warns, once)
    except UnicodeDecodeError:
        text = None  # bytes that are not text: damaged
    except _NotRegular as exc:  # a FIFO, a device, a huge file: never read, never written over
        _UNREADABLE.add(str(path))
        _warn_once(f"read:{path}", f"Your progress file {path} is not used: {exc}. Progress is kept "
                                   f"for this session only: {_ANOTHER_PLACE}.")
        return {}
    except OSError as exc:  # no permission to read: say so (and do not write over it), keep going without it
        _UNREADABLE.add(str(path))
        _warn_once(f"read:{path}", f"Your progress file {path} cannot be read ({type(exc).__name__}); "
                                   f"progress is kept for this session only: {_ANOTHER_PLACE}.")
        return {}
    try:
        if text is None:
            raise ValueError("it is not text (damaged)")
        return _parse(text)
    except ValueError as problem:
        aside = paths.move_aside(path)
        where = f"moved aside to {aside.name}" if aside else "left where it is"
        _warn_once(f"damaged:{path}:{aside}", f"Your progress file {path} is not trusted: {problem}. "
                                              f"It was {where}, and progress starts afresh.")
        return {}


def _from_earlier_location(path: Path) -> dict[str, dict[str, dict[str, Any]]]:
    """Progress recorded by an earlier version of the course (in the cache), moved here once.

    A ``COURSE_CACHE_DIR`` the cache refuses (a name too long) holds no earlier record.
    """
    try:
        earlier = paths.cache_root() / "progress" / "progress.json"
    except validation.CourseError:
        return {}
    try:
        data = json.loads(earlier.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    data = _normal(data)
    if data and not save_progress(data):
        try:
            os.replace(earlier, earlier.with_name("progress.json.moved"))
        except OSError:
            pass
    return data


def save_progress(data: Mapping[str, Any]) -> str:
    """Write the whole record (atomically, with its digest).

    Returns "" when saved; when the place cannot be written, keeps the record in memory
    for this session, warns once, and returns a short note saying so.
    """
    path = progress_path()
    normal = _normal(dict(data))
    if str(path) in _UNREADABLE:  # a file that exists but cannot be read is not written over
        _UNSAVED[str(path)] = copy.deepcopy(normal)
        return f"(Progress kept for this session only: {path} cannot be read.)"
    try:
        _write_atomically(path, _document(normal))
    except (OSError, ValueError) as exc:
        _UNSAVED[str(path)] = copy.deepcopy(normal)
        reason = f"{type(exc).__name__}: {exc}".splitlines()[0][:160]
        _warn_once(f"write:{path}", f"Your progress cannot be saved to {path} ({reason}); it is kept "
                                    f"for this session only: {_ANOTHER_PLACE}.")
        return f"(Progress kept for this session only: {path} cannot be written.)"
    _UNSAVED.pop(str(path), None)
    return ""


_THREADS = threading.RLock()  # one change at a time in this process (the lock file orders processes)


class _Changing:
    """Hold the progress file's lock for one read-change-write (a no-op lock where none can be made)."""

    depth = 0  # changes nest (an import inside keep_progress_in): only the outermost takes the file lock

    def __enter__(self) -> _Changing:
        _THREADS.acquire()
        _Changing.depth += 1
        path = progress_path()
        self.lock = None
        if _Changing.depth > 1 or str(path) in _UNSAVED or str(path) in _UNREADABLE:
            return self  # nested, or kept in memory: the thread lock is enough
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.lock = FileLock(str(path) + ".lock", timeout=LOCK_TIMEOUT_S)
            self.lock.acquire()
        except Timeout:
            _Changing.depth -= 1
            _THREADS.release()
            raise ProgressError(f"another kernel has held {path}.lock for over {LOCK_TIMEOUT_S:.0f} s; "
                                "this change was not saved (check again in a moment)") from None
        except (OSError, ValueError):  # a read-only or odd place: saving there warns, once
            self.lock = None
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.lock is not None:
                self.lock.release()
        finally:
            _Changing.depth -= 1
            _THREADS.release()


def update_entry(notebook: str, question: str, change: Callable[[dict], None]) -> str:
    """Apply ``change`` to one exercise's entry and save; returns a note when not saved.

    The read, the change and the write happen under the progress lock, so concurrent
    checks (other kernels, other threads) are all kept.
    """
    with _Changing():
        data = load_progress()
        entry = normal_entry(data.setdefault(notebook, {}).get(question))
        change(entry)
        data[notebook][question] = normal_entry(entry)
        return save_progress(data)


def reset_progress(notebook: str | None = None) -> None:
    """Forget the progress of one notebook, or of all of them."""
    if notebook is not None and not isinstance(notebook, str):
        raise TypeError(f"notebook must be a notebook name such as '00_start_here' or None, got {notebook!r}")
    with _Changing():
        data = {} if notebook is None else {k: v for k, v in load_progress().items() if k != notebook}
        save_progress(data)


def where_progress_is_kept() -> str:
    """One or two sentences for the learner: where progress is, and (on Colab) how to keep it."""
    path = progress_path()
    if str(path) in _UNSAVED:
        text = f"Progress is kept for this session only ({path} cannot be used)."
    else:
        text = f"Progress is kept in {path}."
    if paths.in_colab() and not str(path).startswith("/content/drive/"):
        text += (" Colab forgets it when the runtime is recycled: keep it on Google Drive with "
                 "`helpers.progress.keep_progress_in()`, or save a copy with `helpers.progress.export_progress()`.")
    return text


# ============================================================================ keep, export, import


_PATH = validation.rule(validation.file_path)


@validation.params(path=_PATH)
def read_progress_file(path: Any) -> dict[str, dict[str, dict[str, Any]]]:
    """The progress held by a progress or export file, verified; raises ProgressError otherwise."""
    try:
        text = _read_text(path)
    except FileNotFoundError:
        raise ProgressError(f"{path} does not exist: give the path of an exported progress file") from None
    except _NotRegular as exc:
        raise ProgressError(f"{path} cannot be used: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ProgressError(f"{path} cannot be read ({type(exc).__name__})") from None
    try:
        return _parse(text)
    except ValueError as problem:
        raise ProgressError(f"{path} cannot be used: {problem}") from None


@validation.params(path=validation.optional(_PATH))
def export_progress(path: Any = None) -> Path:
    """Write a copy of all progress to hand in or keep; returns where it went.

    By default the file is ``embeddings-course-progress-<date>.json`` in the current
    folder (or, if that cannot be written, in the home folder). On Google Colab it is also
    offered as a download.
    """
    data = load_progress()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    name = f"embeddings-course-progress-{stamp}.json"
    if path is None:
        candidates = [Path.cwd() / name, Path.home() / name]
    else:
        candidates = [path / name if path.is_dir() else path]
    from helpers import __version__

    exported_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    document = _document(data, exported_at=exported_at, course_version=__version__)
    problems = []
    for target in candidates:
        try:
            _write_atomically(target, document)
        except OSError as exc:
            problems.append(f"{target.parent} ({type(exc).__name__})")
            continue
        print(f"Progress exported to {target} ({_solved_text(data)}). Hand in this file, "
              f"or bring it back with `helpers.progress.import_progress({str(target)!r})`.")
        if paths.in_colab():
            try:
                from google.colab import files  # type: ignore[import-not-found]

                files.download(str(target))
            except Exception:
                pass
        return target
    raise ProgressError(f"the progress could not be written to {' or '.join(problems)}: "
                        "pass a writable folder or file, e.g. export_progress('/tmp/progress.json')")


def import_progress(path: Any, *, replace: bool = False) -> dict[str, dict[str, dict[str, Any]]]:
    """Bring back progress from an exported (or copied) progress file.

    By default it is merged with what is recorded here (solved stays solved); with
    ``replace=True`` it replaces it. The file's digest is checked first.
    """
    if not isinstance(replace, bool):
        raise TypeError(f"replace must be True or False, got {replace!r}")
    incoming = read_progress_file(path)
    with _Changing():
        merged = incoming if replace else merge_progress(load_progress(), incoming)
        note = save_progress(merged)
    print(f"Imported {Path(path).name} ({_solved_text(incoming)}); {_solved_text(merged)} in all. "
          f"{note or where_progress_is_kept()}")
    return merged


def keep_progress_in(folder: Any = None) -> Path:
    """From now on keep progress in ``folder`` (merged with what is recorded so far).

    Use a folder that outlives the session, e.g. a mounted Google Drive on Colab (the
    default there, mounted on request). It applies to this kernel: run the line again in
    each new session, or set ``COURSE_PROGRESS_DIR`` before starting Jupyter.
    """
    if folder is None:
        if not paths.in_colab():
            raise TypeError("folder must be given (a path such as '~/course-progress'); "
                            "only on Google Colab does it default to your Google Drive")
        folder = COLAB_DRIVE_FOLDER
    target = validation.file_path(folder, "folder")
    if str(target).startswith("/content/drive/") and paths.in_colab() and not Path("/content/drive/MyDrive").is_dir():
        from google.colab import drive  # type: ignore[import-not-found]

        drive.mount("/content/drive")
    current = load_progress()
    os.environ[PROGRESS_ENV_VAR] = str(target)
    with _Changing():
        merged = merge_progress(load_progress(), current)
        note = save_progress(merged)
    if note:
        print(f"{target} cannot be written either: progress stays in memory for this session.")
    else:
        print(f"Progress is now kept in {progress_path()} ({_solved_text(merged)}). "
              "Run this line again in each new session.")
    return target
