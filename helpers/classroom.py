"""Classroom settings: the teacher's mode.

With the teacher's mode on, ``ex.qN.solution()`` says politely that solutions are off, and
``ex.qN.hint()`` gives only the first hint (a nudge, not the answer); ``ex.qN.check()`` and its
feedback work as always. One switch turns it on, from either of two places:

* the environment variable ``COURSE_TEACHER_MODE`` (``1``/``on``/``true``/``yes`` or
  ``0``/``off``/``false``/``no``), e.g. set for every learner by a JupyterHub spawner;
* a settings file ``course-settings.json`` at the course root, shipped with the course by an
  instructor: ``{"teacher_mode": true}``.

The environment variable wins when it is set; the file counts otherwise; without either the
mode is off. A setting that cannot be understood (a damaged file, an unknown word) turns the
mode on and says why: a typo must not reveal the answers.

What it hides, and from whom: the official solutions and the hints after the first, from a
learner who asks the notebook for them. It is a classroom courtesy, not a lock: the answer
keys and solutions ship in ``helpers/exercise_sets/``, readable by anyone who opens them, and
a learner's kernel can change its own checks. Graded work is therefore judged outside the
learners' kernels, by ``tools/grade_notebook.py``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from helpers.paths import REPO_ROOT

__all__ = ["HINTS_IN_TEACHER_MODE", "SETTINGS_FILE", "TEACHER_MODE_ENV_VAR", "ClassroomSettings", "classroom_settings",
           "hints_allowed", "solution_withheld", "teacher_mode"]

TEACHER_MODE_ENV_VAR = "COURSE_TEACHER_MODE"
SETTINGS_FILE = "course-settings.json"
#: How many hints stay in the teacher's mode: the first, which points the way without the answer.
HINTS_IN_TEACHER_MODE = 1

_ON = frozenset({"1", "on", "true", "yes"})
_OFF = frozenset({"0", "off", "false", "no", ""})


@dataclass(frozen=True)
class ClassroomSettings:
    """The settings in force, where they came from, and what was wrong with them (if anything)."""

    teacher_mode: bool
    source: str
    problem: str | None = None


def _from_word(word: str, source: str) -> ClassroomSettings:
    text = word.strip().lower()
    if text in _ON:
        return ClassroomSettings(True, source)
    if text in _OFF:
        return ClassroomSettings(False, source)
    return ClassroomSettings(True, source, f"{source} is {word!r}, expected on/off (1/0, true/false, yes/no); "
                                          "the teacher's mode is on until it is corrected")


def _from_file(path: Path) -> ClassroomSettings | None:
    source = f"the settings file {path.name}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        return ClassroomSettings(True, source, f"{source} cannot be read ({type(exc).__name__}); "
                                               "the teacher's mode is on until it is fixed")
    try:
        document = json.loads(text)
    except ValueError:
        return ClassroomSettings(True, source, f"{source} is not valid JSON; the teacher's mode is on until "
                                               'it is fixed (expected e.g. {"teacher_mode": true})')
    value = document.get("teacher_mode") if isinstance(document, dict) else None
    if isinstance(value, bool):
        return ClassroomSettings(value, source)
    if value is None:
        return ClassroomSettings(False, source)
    return ClassroomSettings(True, source, f"{source} has teacher_mode = {value!r}, expected true or false; "
                                           "the teacher's mode is on until it is corrected")


def classroom_settings(root: Path | str | None = None, environ: Mapping[str, str] | None = None) -> ClassroomSettings:
    """The classroom settings now (read on every call): the environment variable, else the settings file
    in ``root`` (default: this course), else off."""
    environ = os.environ if environ is None else environ
    if not isinstance(environ, Mapping):
        raise TypeError(f"environ must be a mapping such as os.environ, got {type(environ).__name__}")
    if TEACHER_MODE_ENV_VAR in environ:
        return _from_word(str(environ[TEACHER_MODE_ENV_VAR]), f"the environment variable {TEACHER_MODE_ENV_VAR}")
    if root is not None and not isinstance(root, (str, os.PathLike)):
        raise TypeError(f"root must be a folder path (a str or Path), got {type(root).__name__}")
    found = _from_file(Path(REPO_ROOT if root is None else root) / SETTINGS_FILE)
    return found or ClassroomSettings(False, "the default")


def teacher_mode() -> bool:
    """Whether the teacher's mode is on (solutions off, only the first hint)."""
    return classroom_settings().teacher_mode


def hints_allowed(total: int) -> int:
    """How many of an exercise's ``total`` hints may be shown now."""
    return min(total, HINTS_IN_TEACHER_MODE) if teacher_mode() else total


def solution_withheld(handle: str) -> str | None:
    """The polite message that replaces ``handle``'s solution in the teacher's mode, else None."""
    settings = classroom_settings()
    if not settings.teacher_mode:
        return None
    text = (f"Solutions are switched off for this class (the teacher's mode, set by {settings.source}). "
            f"`{handle}.check()` still tells you how your answer is doing, and `{handle}.hint()` "
            "gives a first hint; your instructor can help with the rest.")
    return text + (f"\n(Note: {settings.problem}.)" if settings.problem else "")
