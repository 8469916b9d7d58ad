"""Where the course keeps its files (the repository, the shipped data and the caches), and where it runs.

The cache (trained weights, projections, remembered scores, progress) lives in
``<repo>/.cache`` unless the environment variable ``COURSE_CACHE_DIR`` names another
folder. When it cannot be written (a read-only course folder, a full disk, a file where
the folder should be), the course warns once, saying where it tried and how to choose
another place, and keeps what it computes in memory for the session: a lesson never
stops because of the cache.

Where the kernel runs (Colab, Kaggle, Binder, VS Code or Jupyter: :func:`detect_platform`)
decides where a learner's progress is kept and what the set-up cell installs.
"""

from __future__ import annotations

import importlib.util
import os
import stat
import tempfile
from collections.abc import Mapping
from pathlib import Path
from types import SimpleNamespace

from helpers.validation import InvalidValue, warn

__all__ = ["CACHE_ENV_VAR", "DATA_DIR", "REPO_ROOT", "CacheWarning", "MemoryFile", "cache_dir", "cache_root",
           "detect_platform", "in_colab", "move_aside", "report_unwritable", "share_like_folder", "shared_file_mode",
           "write_files"]

#: The repository root (the folder that holds ``helpers/``, ``data/`` and ``notebooks/``).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

#: The shipped data files and their manifest.
DATA_DIR: Path = REPO_ROOT / "data"

#: Environment variable that moves the cache (trained weights, projections, progress).
CACHE_ENV_VAR = "COURSE_CACHE_DIR"


class CacheWarning(UserWarning):
    """The course cache could not be written, or held a damaged entry that was set aside."""


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
    """A folder under the course cache, created if possible (a file in its way is moved aside first).

    When it cannot be created this warns once (:func:`report_unwritable`) and still returns the path.
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


def _umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)  # elsewhere: set and put back at once
    os.umask(mask)
    return mask


def shared_file_mode(folder: Path) -> int:
    """The mode for a new cache file in ``folder``: readable by those who may read the folder.

    ``mkstemp`` makes files private to their owner; a cache that an instructor fills for a
    class must be readable by the learners. So a file gets the read (and write) permissions
    that the folder gives its group and others, within what the umask allows.
    """
    try:
        folder_mode = folder.stat().st_mode
    except OSError:
        folder_mode = 0o700
    return 0o666 & ~_umask() & (0o600 | (folder_mode & 0o066))


def share_like_folder(handle: int, folder: Path) -> None:
    if os.name != "nt":
        try:
            os.fchmod(handle, shared_file_mode(folder))
        except OSError:
            pass


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
    key = str(cache_root())
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
    """Rename a damaged file or folder to ``<name>.damaged`` (``.damaged-2`` ... if taken): the one way the
    course sets a damaged file aside (cache entries, progress), keeping it for a look rather than deleting it.

    Returns the new path, or None when it cannot be moved (a read-only folder).
    """
    for attempt in range(1, 100):
        target = path.with_name(f"{path.name}.damaged" + ("" if attempt == 1 else f"-{attempt}"))
        if target.exists() or target.is_symlink():
            continue
        try:
            os.replace(path, target)
        except OSError:
            return None
        return target
    return None


class MemoryFile:
    """A file kept in memory because no folder would take it (a full or read-only disk).

    It reads like the path of a written file: ``name``, ``read_bytes()``, ``read_text()``
    and ``stat().st_size``; there is nothing on disk, so it cannot be opened by name.
    """

    def __init__(self, name: str, data: bytes) -> None:
        self.name = name
        self._data = bytes(data)

    def read_bytes(self) -> bytes:
        return self._data

    def read_text(self, encoding: str = "utf-8") -> str:
        return self._data.decode(encoding)

    def stat(self) -> SimpleNamespace:
        return SimpleNamespace(st_size=len(self._data))

    def __repr__(self) -> str:
        return f"MemoryFile({self.name!r}, {len(self._data):,} bytes, in memory only)"


def write_files(preferred: Path | str, files: Mapping[str, tuple[str, bytes]],
                again: str = "pass a folder on a disk with space") -> dict[str, Path | MemoryFile]:
    """Write ``files`` (``{kind: (file name, content)}``) into ``preferred``; return the paths by kind.

    When ``preferred`` cannot be written, the files go to a private (0700) folder under
    ``course-exports`` in the temporary folder, and when that fails too they are kept in memory
    (:class:`MemoryFile`); a warning says which, with ``again``. Nothing half-written is left behind.
    """
    preferred = Path(preferred).expanduser()
    problem = _try_folder(preferred) or _write_all(preferred, files)
    if problem is None:
        return {kind: preferred / name for kind, (name, _) in files.items()}
    fallback, second = _fallback_folder(preferred)
    second = second or _write_all(fallback, files)
    if second is None:
        warn(f"{preferred} cannot be written ({problem}), so the files went to {fallback} instead", UserWarning)
        return {kind: fallback / name for kind, (name, _) in files.items()}
    warn(f"Neither {preferred} ({problem}) nor {fallback} ({second}) could be written, so the files are kept "
         f"in memory only: each one's read_bytes() or read_text() gives its content; to have them as files, "
         f"{again}.", UserWarning)
    return {kind: MemoryFile(name, data) for kind, (name, data) in files.items()}


def _write_all(folder: Path, files: Mapping[str, tuple[str, bytes]]) -> str | None:
    """Write every file into ``folder``; None when done, else why not (and nothing is left there)."""
    written = []
    try:
        for name, data in files.values():
            written.append(folder / name)
            with open(folder / name, "wb") as handle:
                handle.write(data)
    except OSError as error:
        for path in written:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
        return error.strerror or type(error).__name__
    return None


def _fallback_folder(preferred: Path) -> tuple[Path, str | None]:
    """A private folder for what could not be written to ``preferred``, and None; or a folder and why it failed."""
    name = Path(preferred).name or "export"
    fallback = Path(tempfile.gettempdir()) / "course-exports" / name
    problem = _private_folder(fallback)
    if problem is not None:
        try:
            fallback = Path(tempfile.mkdtemp(prefix="course-exports-")) / name  # made 0700 by mkdtemp
            problem = _private_folder(fallback)
        except OSError as error:
            problem = error.strerror or type(error).__name__
    return fallback, problem


def _private_folder(folder: Path) -> str | None:
    """Make ``folder`` and its parent private to this user (0700); None when done, else why not.

    In a temporary folder shared by every user, a folder someone else made, or a link
    placed there, would let them read or replace what is written: both are refused.
    """
    try:
        folder.parent.parent.mkdir(parents=True, exist_ok=True)  # the temporary folder itself
    except OSError as error:
        return error.strerror or type(error).__name__
    for step in (folder.parent, folder):
        try:
            os.mkdir(step, 0o700)
        except FileExistsError:
            pass
        except OSError as error:
            return error.strerror or type(error).__name__
        info = os.lstat(step)
        if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode):
            return f"{step} is a link or a file, not a folder of yours"
        if hasattr(os, "getuid") and info.st_uid != os.getuid():
            return f"{step} belongs to another user"
        if os.name != "nt" and stat.S_IMODE(info.st_mode) & 0o077:
            os.chmod(step, 0o700, follow_symlinks=False)
    return None


def _try_folder(folder: Path) -> str | None:
    """None if ``folder`` exists (or was made) as a folder; else the reason."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return error.strerror or type(error).__name__
    if not os.access(folder, os.W_OK | os.X_OK):
        return "Permission denied"
    return None


# ----------------------------------------------------------------------------- where the kernel runs


def detect_platform(environ: Mapping[str, str] | None = None) -> str:
    """Where this kernel runs: "colab", "kaggle", "binder", "vscode" or "jupyter".

    Kaggle's image is built on Colab's (it can import ``google.colab``), so it is recognised
    first, by its own environment variables.
    """
    env = os.environ if environ is None else environ
    if env.get("KAGGLE_KERNEL_RUN_TYPE") or env.get("KAGGLE_URL_BASE"):
        return "kaggle"
    if env.get("COLAB_RELEASE_TAG") or env.get("COLAB_BACKEND_VERSION") or _google_colab_importable():
        return "colab"
    if env.get("BINDER_LAUNCH_HOST") or env.get("BINDER_REQUEST") or env.get("BINDER_REPO_URL"):
        return "binder"
    if env.get("VSCODE_PID") or env.get("VSCODE_CWD") or env.get("VSCODE_IPC_HOOK_CLI"):
        return "vscode"
    return "jupyter"


def _google_colab_importable() -> bool:
    try:
        return importlib.util.find_spec("google.colab") is not None
    except (ImportError, ValueError):
        return False


def in_colab() -> bool:
    """True inside Google Colab (and not on Kaggle, whose image also has ``google.colab``)."""
    return detect_platform() == "colab"
