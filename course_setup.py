"""The course's set-up, run by the first cell of every notebook (standard library only).

The first cell finds this file (beside the notebooks' folder, in a copy of the course it
has just fetched, or on Kaggle in an attached input) and calls :func:`setup_course`, which

1. makes this course's ``helpers`` the one that ``import helpers`` finds, and says so in
   one line if another package called ``helpers`` was on the path or already imported;
2. calls ``helpers.environment.setup_notebook()``: what to install on a hosted runtime,
   which figures, one status line;
3. returns the ``helpers`` package, which the notebooks use by that name.

Whatever goes wrong ends in one course message (no traceback): IPython shows a
:class:`CourseSetupError` as its message alone.
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from types import ModuleType

#: The folder that holds this file, ``helpers/``, ``data/`` and ``notebooks/``.
COURSE_ROOT = Path(__file__).resolve().parent
#: The Pythons the course runs on (``make lab`` refuses the others: tools/course.py, the same range).
OLDEST, NEWEST = (3, 10), (3, 13)


class CourseSetupError(RuntimeError):
    """The set-up could not finish; shown by IPython as this one line, not a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [f"Course set-up stopped: {self}"]


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except (ValueError, OSError):
        return False
    return True


def _foreign_helpers() -> str | None:
    """Where another package named ``helpers`` is (already imported, or on the path), if any."""
    module = sys.modules.get("helpers")
    if module is not None:
        where = getattr(module, "__file__", None) or next(iter(getattr(module, "__path__", [])), None)
        if where is None or not _inside(Path(where), COURSE_ROOT):
            return str(Path(where).parent) if where and where.endswith("__init__.py") else str(where)
    for entry in sys.path:
        folder = Path(entry or os.getcwd())
        for candidate in (folder / "helpers" / "__init__.py", folder / "helpers.py"):
            try:
                found = candidate.is_file() and not _inside(candidate, COURSE_ROOT)
            except OSError:
                found = False
            if found:
                return str(candidate.parent if candidate.name == "__init__.py" else candidate)
    return None


def use_this_course() -> str:
    """Put this course first on ``sys.path`` (forgetting any other ``helpers``); returns a note or ""."""
    foreign = _foreign_helpers()
    for name in [n for n in sys.modules if n == "helpers" or n.startswith("helpers.")]:
        module = sys.modules[name]
        if not _inside(Path(getattr(module, "__file__", None) or "/"), COURSE_ROOT):
            del sys.modules[name]
    root = str(COURSE_ROOT)
    sys.path[:] = [root] + [p for p in sys.path if p != root]
    importlib.invalidate_caches()
    if foreign is None:
        return ""
    return f"another package named `helpers` ({foreign}) was on the path; this notebook uses the course's"


def check_python(version: tuple[int, ...] | None = None) -> str:
    """Stop on a Python older than the course's; a note ("" if none) for one newer than it was tested on."""
    version = tuple((version or sys.version_info)[:2])
    found, wanted = "{}.{}".format(*version), "{}.{}-{}.{}".format(*OLDEST, *NEWEST)
    if version < OLDEST:
        raise CourseSetupError(
            f"this kernel runs Python {found}; the course needs Python {wanted}: choose a kernel with one of "
            "those (Kernel > Change Kernel; `make lab` sets one up), then run this cell again")
    if version > NEWEST:
        return f"Python {found} is newer than the course's {wanted}: if a cell fails, use one of those"
    return ""


def setup_course(repository: str | None = None, branch: str | None = None, *, quiet: bool = False) -> ModuleType:
    """Make the course importable here and prepare this notebook; returns the ``helpers`` package.

    ``repository`` and ``branch`` are where the first cell fetches the course from when the
    notebook was opened on its own; once the course is here they are not needed. (The
    location is written once, in ``[tool.course]`` of pyproject.toml, and copied into the
    first cell by ``make colab-links``.)
    """
    notes = tuple(note for note in (check_python(), use_this_course()) if note)
    try:
        helpers = importlib.import_module("helpers")
        environment = importlib.import_module("helpers.environment")
    except ImportError as exc:
        missing = getattr(exc, "name", None) or str(exc)
        raise CourseSetupError(
            f"the course needs the package {missing!r}, which this kernel cannot import: install the course's "
            f"requirements into this kernel's environment (`pip install -r {COURSE_ROOT / 'requirements.txt'}`, "
            "or `make lab`) and run this cell again"
        ) from None
    try:
        environment.setup_notebook(quiet=quiet, notes=notes)
    except environment.CourseEnvironmentError as exc:
        raise CourseSetupError(str(exc)) from None
    return helpers
