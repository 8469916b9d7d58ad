"""How the course reports mistakes: its errors (one line, no traceback in a notebook), its
warnings (pointing at the learner's line) and the wording of their messages.

The checks that raise them are :mod:`helpers.validation`, which also hands these names on
(``validation.fail``, ``validation.InvalidValue`` ...)."""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

# The helpers folder as code objects name it (as imported, and with links resolved).
_HELPERS_DIRS = tuple({os.path.dirname(os.path.abspath(__file__)) + os.sep,
                       str(Path(__file__).resolve().parent) + os.sep})


class CourseError(Exception):
    """A problem the course explains in one line (shown without a traceback in a notebook)."""

    def _render_traceback_(self) -> list[str]:
        """What IPython shows instead of a traceback: the error's kind and its one-line message."""
        kind = next((base.__name__ for base in type(self).__mro__ if base.__module__ == "builtins"
                     and base is not Exception and issubclass(base, Exception)), "Error")
        return [f"\x1b[0;31m{kind}\x1b[0m: {self}"]


class InvalidArgument(CourseError):
    """An argument the helper cannot use; the message names it and what it accepts."""

    def __init__(self, message: str) -> None:
        super().__init__(" ".join(str(message).split()))  # always one line


class InvalidValue(InvalidArgument, ValueError):
    """An argument of the right kind with a value outside what is accepted."""


class InvalidType(InvalidArgument, TypeError, ValueError):
    """An argument of the wrong kind (a string for a number, a list for a word ...)."""


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Issue a warning that points at the first line outside the course's helpers (the learner's cell)."""
    frame = sys._getframe(1)
    level = 2  # 1 would be this function
    while frame is not None and frame.f_code.co_filename.startswith(_HELPERS_DIRS):
        frame = frame.f_back
        level += 1
    warnings.warn(" ".join(str(message).split()), category, stacklevel=level)


def type_name(value: Any) -> str:
    """'an int', 'a str', 'a list' ... for messages."""
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def shown(value: Any, limit: int = 60) -> str:
    """A short description of ``value`` for a message: its repr, or its shape for arrays."""
    if hasattr(value, "detach") and hasattr(value, "shape"):
        return f"a tensor of shape {tuple(value.shape)}"
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return f"an array of shape {value.shape}"
    text = repr(value.item() if isinstance(value, np.generic) else value)
    return text if len(text) <= limit else text[: limit - 4] + " ..."


def _kind_note(value: Any) -> str:
    """'a float', 'a list' ... when the repr alone does not make the type plain."""
    if isinstance(value, (float, np.floating)):
        return "a float"
    if isinstance(value, (list, tuple, dict, set)):
        return type_name(value)
    if isinstance(value, str):
        try:
            float(value.replace(",", "").replace("_", ""))
        except ValueError:
            return ""
        return "a string: write the number without quotes"
    return ""


def fail(name: str, expected: str, value: Any, hint: str = "", *, kind: type[InvalidArgument] = InvalidValue,
         got: str | None = None) -> None:
    """Raise ``kind`` with the message '<name> must be <expected>, got <value> (<note>)'.

    For a value of the wrong type, the note says its type where its repr does not (a
    float, a list, a quoted number); ``hint`` follows. ``got`` replaces the value's repr.
    """
    type_note = _kind_note(value) if issubclass(kind, InvalidType) and got is None else ""
    notes = "; ".join(note for note in (type_note, hint) if note)
    raise kind(f"{name} must be {expected}, got {shown(value) if got is None else got}"
               + (f" ({notes})" if notes else ""))


def number_text(value: float) -> str:
    return f"{value:,}" if isinstance(value, int) else f"{value:g}"


def listing(options: Sequence[Any]) -> str:
    quoted = [repr(option) for option in options]
    if len(quoted) == 1:
        return quoted[0]
    if len(quoted) == 2:
        return f"{quoted[0]} or {quoted[1]}"
    return "one of " + ", ".join(quoted)
