"""The placeholder a learner replaces (``____``) and the outcome of a check (:class:`CheckResult`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# ============================================================================ placeholder


class _Placeholder:
    """The blank a learner replaces. There is exactly one; it survives copy and pickle."""

    _instance: _Placeholder | None = None

    def __new__(cls) -> _Placeholder:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "____ (replace me)"

    __str__ = __repr__

    def __reduce__(self) -> tuple[type, tuple]:
        return (_Placeholder, ())

    def __copy__(self) -> _Placeholder:
        return self

    def __deepcopy__(self, memo: dict) -> _Placeholder:
        return self


#: The placeholder in exercise cells: ``q1_answer = ____``.
____ = _Placeholder()
#: Another name for the placeholder.
BLANK = ____


def is_blank(value: Any) -> bool:
    """True when ``value`` is the placeholder ``____``."""
    return value is BLANK


def _contains_blank(value: Any, depth: int = 3) -> bool:
    if value is BLANK:
        return True
    if depth == 0:
        return False
    if not isinstance(value, (Mapping, list, tuple, set, frozenset)) or len(value) > 64:
        return False  # blanks sit in short literals; big data is never scanned
    items: Iterable = list(value.keys()) + list(value.values()) if isinstance(value, Mapping) else value
    return any(_contains_blank(item, depth - 1) for item in items)


# ============================================================================ results

CORRECT = "correct"
INCORRECT = "incorrect"
NOT_ATTEMPTED = "not_attempted"
ERROR = "error"
NOTED = "noted"  # a reflection: not graded, shown beside a model answer
_STATUSES = (CORRECT, INCORRECT, NOT_ATTEMPTED, ERROR, NOTED)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer.

    ``status`` is ``"correct"``, ``"incorrect"``, ``"not_attempted"``, ``"error"`` (the
    checker itself failed) or ``"noted"`` (a :class:`Reflection`: not graded). ``message``
    is what the learner reads. ``reason`` says more precisely why: ``"missing"``,
    ``"placeholder"``, ``"none"``, ``"type"``, ``"shape"``, ``"value"``, ``"exception"``,
    ``"choice"``, ``"reflection"``, ``"timeout"`` or ``"internal"``.
    """

    status: str
    message: str
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.status not in _STATUSES:
            raise ValueError(f"status must be one of {', '.join(_STATUSES)}, got {self.status!r}")

    @property
    def correct(self) -> bool:
        return self.status == CORRECT

    def __repr__(self) -> str:
        return f"CheckResult(status={self.status!r}, message={_truncate(self.message, 60)!r})"


class Incorrect(Exception):
    """Raise in a custom checker when the answer is wrong; its message is shown."""


class NotAttempted(Exception):
    """Raise in a custom checker when the learner has not answered yet."""


class _Early(Exception):
    """Stops a check early with a finished result."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


def _stop(status: str, message: str, reason: str | None = None) -> _Early:
    return _Early(CheckResult(status, message, reason))




def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


