"""Where the course keeps its files: the repository, the shipped data and the caches.

The cache (trained weights, projections, remembered scores, progress) lives in
``<repo>/.cache`` unless the environment variable ``COURSE_CACHE_DIR`` names another
folder. When it cannot be written (a read-only course folder, a full disk, a file where
the folder should be), the course warns once, saying where it tried and how to choose
another place, and keeps what it computes in memory for the session: a lesson never
stops because of the cache.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from helpers.validation import CourseError, InvalidValue, warn

__all__ = ["CACHE_ENV_VAR", "DATA_DIR", "REPO_ROOT", "CacheWarning", "UnwritableError", "cache_dir", "cache_root",
           "move_aside", "report_unwritable", "writable_folder"]

#: The repository root (the folder that holds ``helpers/``, ``data/`` and ``notebooks/``).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

#: The shipped data files and their manifest.
DATA_DIR: Path = REPO_ROOT / "data"

#: Environment variable that moves the cache (trained weights, projections, progress).
CACHE_ENV_VAR = "COURSE_CACHE_DIR"


class CacheWarning(UserWarning):
    """The course cache could not be written, or held a damaged entry that was set aside."""


class UnwritableError(CourseError, OSError):
    """Neither the folder asked for nor a fallback folder could be written."""


# cache roots already reported as unwritable in this session (each is reported once)
_reported: set[str] = set()


#: The longest name of one folder that file systems accept (in bytes).
LONGEST_NAME = 255


def cache_root() -> Path:
    """The cache folder: ``$COURSE_CACHE_DIR`` (``~`` expanded), else ``<repo>/.cache`` (it may not exist yet).

    A ``COURSE_CACHE_DIR`` with a folder name longer than file systems accept is an error that names it.
    """
    chosen = os.environ.get(CACHE_ENV_VAR)
    if not chosen:
        return REPO_ROOT / ".cache"
    root = Path(chosen).expanduser()
    for part in root.parts:
        if len(os.fsencode(part)) > LONGEST_NAME:
            raise InvalidValue(f"{CACHE_ENV_VAR} must be a folder path whose every name is at most {LONGEST_NAME} "
                               f"bytes long, got a name of {len(os.fsencode(part)):,} bytes ({part[:20]}...)")
    return root


def cache_dir(*parts: str) -> Path:
    """Return a folder under the course cache, created if possible.

    When it cannot be created (read-only, full disk, a file in the way) this warns once
    (see :func:`report_unwritable`) and still returns the path: reading from it finds
    nothing, and writing to it fails, which the course's caches take in their stride.
    A file inside the cache where one of its folders should be is moved aside first.
    Deleting the cache folder is always safe: everything in it is recomputed when needed.
    """
    root = cache_root()
    folder = root.joinpath(*parts)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        if not _clear_the_way(root, parts):
            report_unwritable(folder, error)
            return folder
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as again:
            report_unwritable(folder, again)
    return folder


def _clear_the_way(root: Path, parts: tuple[str, ...]) -> bool:
    """Move aside a file that sits inside the cache where one of its folders should be."""
    if not root.is_dir():
        return False
    step = root
    for part in parts:
        step = step / part
        if step.is_dir():
            continue
        if step.exists() or step.is_symlink():
            moved = move_aside(step)
            if moved is None:
                return False
            warn(f"{step} was in the way of a course cache folder; it was moved to {moved.name}", CacheWarning)
            return True
        return False
    return False


def report_unwritable(where: Path, error: BaseException) -> None:
    """Warn, once per cache folder and session, that the cache cannot be written."""
    root = cache_root()
    key = str(root)
    if key in _reported:
        return
    _reported.add(key)
    reason = error.strerror if isinstance(error, OSError) and error.strerror else str(error)
    warn(
        f"The course cache cannot be written at {where} ({reason}). Results are kept in memory for this "
        f"session only, so a restarted notebook computes them again. To keep them, choose a writable folder "
        f"with the environment variable {CACHE_ENV_VAR}, e.g. in a cell: import os; "
        f"os.environ['{CACHE_ENV_VAR}'] = os.path.expanduser('~/course-cache')",
        CacheWarning,
    )


def move_aside(path: Path) -> Path | None:
    """Rename a damaged file or folder to ``<name>.corrupt`` (``.corrupt-2`` ... if taken).

    Returns the new path, or None when it cannot be moved (a read-only folder).
    """
    for attempt in range(1, 100):
        target = path.with_name(f"{path.name}.corrupt" + ("" if attempt == 1 else f"-{attempt}"))
        if target.exists() or target.is_symlink():
            continue
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target
    return None


def writable_folder(preferred: Path | str) -> tuple[Path, str]:
    """``preferred`` created and tested for writing, or a fallback folder if it cannot be written.

    Returns ``(folder, note)``: the note is empty when ``preferred`` was used, else one
    line saying why it was not and where the files go instead: a folder of the same name
    under ``course-exports`` in the system's temporary folder (or, if someone else owns
    that, under a new temporary folder). Raises :class:`UnwritableError` (one line) when
    none can be written.
    """
    preferred = Path(preferred).expanduser()
    problem = _try_folder(preferred)
    if problem is None:
        return preferred, ""
    name = preferred.name or "export"
    fallback = Path(tempfile.gettempdir()) / "course-exports" / name
    second = _try_folder(fallback)
    if second is not None:
        try:
            fallback = Path(tempfile.mkdtemp(prefix="course-exports-")) / name
            second = _try_folder(fallback)
        except OSError as error:
            second = error.strerror or type(error).__name__
    if second is None:
        return fallback, f"{preferred} cannot be written ({problem}), so the files went to {fallback} instead"
    raise UnwritableError(f"cannot write to {preferred} ({problem}) nor to {fallback} ({second}); "
                          "pass a folder you can write to")


def _try_folder(folder: Path) -> str | None:
    """None if ``folder`` exists (or was made) and a file can be written in it; else the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        return error.strerror or type(error).__name__
    return None
