"""Check / hint / solution for the exercises in the notebooks.

A notebook binds its problems once and the learner works through them::

    from helpers.exercises import ____, bind
    from helpers.exercise_sets.start_here import PROBLEMS

    ex = bind("00_start_here", PROBLEMS)      # reads the notebook's globals

    q1_answer = ____                          # the learner replaces the placeholder
    ex.q1.check()                             # feedback, progress recorded
    ex.q1.hint()                              # hint 1, then hint 2 ...
    ex.q1.solution()                          # the official answer (off in the teacher's mode,
                                              # see helpers.classroom)
    ex.progress()                             # what is solved in this notebook

Problems are small classes: :class:`ValueProblem` (a variable), :class:`FunctionProblem`
(a function, called on test cases), :class:`ChoiceProblem` (single or multiple choice) and
:class:`CustomProblem` (anything else). Free text is never graded: a :class:`Reflection`
shows it beside a model answer. Feedback never shows a traceback: mistakes in the
learner's code and bugs in a checker are both reported in one line.

``check()`` displays its feedback and returns nothing; ``evaluate()`` returns a
:class:`CheckResult` without displaying or recording anything (that is what tests use).
Progress is kept by :mod:`helpers.progress` (per user, apart from the course cache).
"""

from __future__ import annotations

import copy
import html
import keyword
import math
import numbers
import re
import sys
import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

import numpy as np

from . import classroom
from .progress import (
    load_progress,
    normal_entry,
    progress_path,
    reset_progress,
    update_entry,
    where_progress_is_kept,
)

__all__ = [
    "____",
    "BLANK",
    "is_blank",
    "CheckResult",
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "ERROR",
    "NOTED",
    "Incorrect",
    "NotAttempted",
    "Problem",
    "ValueProblem",
    "FunctionProblem",
    "ChoiceProblem",
    "Reflection",
    "functions_used",
    "names_used",
    "CustomProblem",
    "compare_values",
    "bind",
    "Exercises",
    "Question",
    "Feedback",
    "run_official_solution",
    "run_official_solutions",
    "progress_path",
    "load_progress",
    "progress_summary",
    "show_progress",
    "reset_progress",
]


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
    ``"choice"``, ``"reflection"`` or ``"internal"``.
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


# ============================================================================ describing values


def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _is_tensor(value: Any) -> bool:
    module = type(value).__module__ or ""
    return module.split(".")[0] == "torch" and hasattr(value, "shape") and hasattr(value, "detach")


def _to_numpy(value: Any) -> np.ndarray:
    if _is_tensor(value):
        tensor = value.detach().cpu()
        try:
            return tensor.numpy()
        except (TypeError, RuntimeError):  # bfloat16 and friends
            return tensor.float().numpy()
    return np.asarray(value)


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in value.shape)


def _describe(value: Any) -> str:
    """'a str', 'a NumPy array of shape (3,)', 'None' ... for messages."""
    if value is None:
        return "None"
    if value is BLANK:
        return "the placeholder ____"
    if _is_tensor(value):
        return f"a torch tensor of shape {_shape(value)}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {_shape(value)}"
    if isinstance(value, (bool, np.bool_)):
        return "a bool (True/False)"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return "a function"
    if isinstance(value, type):
        return "a class"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _short(value: Any, limit: int = 70) -> str:
    """A one-line repr, cut to ``limit`` characters."""
    try:
        if _is_tensor(value) or isinstance(value, np.ndarray):
            body = np.array2string(
                _to_numpy(value), threshold=12, edgeitems=2, precision=4, separator=", "
            )
            text = f"{'tensor' if _is_tensor(value) else 'array'}({body})"
        else:
            text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return _truncate(text, limit)


def _call_repr(name: str, args: tuple, kwargs: Mapping) -> str:
    parts = [_short(arg, 40) for arg in args]
    parts += [f"{key}={_short(val, 40)}" for key, val in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    first = _truncate(lines[0], 160) if lines else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _number_text(x: float) -> str:
    return f"{x:.6g}"


# ============================================================================ comparing values

_KINDS = ("number", "bool", "array", "tensor", "string", "sequence", "set", "dict", "exact")


@dataclass
class _Mismatch:
    reason: str  # "type", "shape" or "value"
    text: str
    where: str = ""  # e.g. "[1][0]" inside nested lists

    def message(self) -> str:
        return f"item {self.where}: {self.text}" if self.where else self.text


def _infer_kind(expected: Any) -> str:
    if isinstance(expected, (bool, np.bool_)):
        return "bool"
    if isinstance(expected, numbers.Real):
        return "number"
    if _is_tensor(expected) or isinstance(expected, np.ndarray):
        return "array"
    if isinstance(expected, str):
        return "string"
    if isinstance(expected, (set, frozenset)):
        return "set"
    if isinstance(expected, Mapping):
        return "dict"
    if isinstance(expected, (list, tuple)):
        return "sequence"
    return "exact"


def _tolerances(tol: float | None) -> tuple[float, float]:
    """(relative, absolute) tolerance."""
    return (1e-5, 1e-8) if tol is None else (0.0, float(tol))


def _compare(value: Any, expected: Any, tol: float | None, kind: str | None) -> _Mismatch | None:
    kind = kind or _infer_kind(expected)
    compare = {
        "number": _compare_number,
        "bool": _compare_bool,
        "array": _compare_array,
        "tensor": _compare_tensor,
        "string": _compare_string,
        "sequence": _compare_sequence,
        "set": _compare_set,
        "dict": _compare_dict,
        "exact": _compare_exact,
    }[kind]
    return compare(value, expected, tol)


def compare_values(
    value: Any, expected: Any, *, tol: float | None = None, kind: str | None = None
) -> str | None:
    """Compare a learner's value with the expected one, the way the problems do.

    Returns None when they match, else one sentence saying what is wrong (its type, its
    shape, which entries) without revealing the expected value. ``kind`` forces the
    comparison (one of number, bool, array, tensor, string, sequence, set, dict, exact);
    by default it follows the type of ``expected``.
    """
    mismatch = _compare(value, expected, _check_tol(tol), _check_kind(kind))
    return None if mismatch is None else mismatch.message()


def _compare_number(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if isinstance(value, (bool, np.bool_)):
        return _Mismatch("type", "expected a number, got a bool (True/False)")
    if isinstance(value, str):
        text = "expected a number, got a str"
        try:
            float(value)
            text += f" ({value!r}): remove the quotes"
        except ValueError:
            pass
        return _Mismatch("type", text)
    if isinstance(value, numbers.Real):
        got = float(value)
    elif hasattr(value, "shape"):
        try:
            shape = _shape(value)
            if shape != ():
                text = f"expected a single number, got {_describe(value)}"
                if int(np.prod(shape)) == 1:
                    text += "; `.item()` turns a one-element array or tensor into a number"
                return _Mismatch("type", text)
            got = float(_to_numpy(value))
        except (TypeError, ValueError):
            return _Mismatch("type", f"expected a number, got {_describe(value)}")
    else:
        return _Mismatch("type", f"expected a number, got {_describe(value)}")
    want = float(expected)
    if math.isnan(want) and math.isnan(got):
        return None
    if math.isnan(got):
        return _Mismatch("value", "your value is NaN (not a number): a computation went wrong")
    rel, abs_ = _tolerances(tol)
    if math.isclose(got, want, rel_tol=rel, abs_tol=abs_):
        return None
    whole = float(got).is_integer() and float(want).is_integer()
    if want != 0 and abs(got - want) <= 1e-2 * abs(want) and not whole:
        return _Mismatch(
            "value", f"your value {_number_text(got)} is close, but not close enough (rounded?)"
        )
    return _Mismatch("value", f"your value {_number_text(got)} is not right")


def _compare_bool(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not isinstance(value, (bool, np.bool_)):
        return _Mismatch("type", f"expected True or False, got {_describe(value)}")
    return None if bool(value) == bool(expected) else _Mismatch("value", "that is not right")


def _compare_tensor(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not _is_tensor(value):
        return _Mismatch(
            "type",
            f"expected a torch tensor, got {_describe(value)} "
            "(`torch.tensor(...)` or `torch.from_numpy(...)` makes one)",
        )
    return _compare_array(value, expected, tol)


def _compare_array(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    want = _to_numpy(expected)
    wanted = f"an array of shape {_shape(want)}"
    if value is None or isinstance(value, (str, bytes, Mapping, set, frozenset)):
        return _Mismatch("type", f"expected {wanted}, got {_describe(value)}")
    if callable(value) and not hasattr(value, "shape"):
        return _Mismatch("type", f"expected {wanted}, got {_describe(value)}")
    try:
        got = _to_numpy(value)
    except Exception:
        return _Mismatch("type", f"expected {wanted}, got {_describe(value)} that is not one")
    if got.dtype == object:
        return _Mismatch(
            "type",
            f"expected {wanted}, got {_describe(value)} that does not make a regular array "
            "of numbers (rows of different lengths?)",
        )
    if _shape(got) != _shape(want):
        if got.ndim == 0 and not hasattr(value, "shape"):
            return _Mismatch("type", f"expected {wanted}, got {_describe(value)}")
        return _Mismatch("shape", f"expected {wanted}, got shape {_shape(got)}")
    numeric = "biufc"
    if want.dtype.kind in numeric and got.dtype.kind not in numeric:
        return _Mismatch("type", f"expected an array of numbers, got entries of type {got.dtype}")
    if want.size == 0:
        return None
    if want.dtype.kind in numeric and got.dtype.kind in numeric:
        rel, abs_ = _tolerances(tol)
        same = np.isclose(got, want, rtol=rel, atol=abs_, equal_nan=True)
    else:
        same = np.asarray(got == want, dtype=bool)
    if bool(np.all(same)):
        return None
    if want.ndim == 0:
        return _Mismatch("value", "the shape is right but the value is not")
    bad = ~same
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = first[0] if len(first) == 1 else first
    return _Mismatch(
        "value",
        f"the shape {_shape(want)} is right, but {int(bad.sum())} of {want.size} entries are "
        f"not (the first at index {where})",
    )


def _compare_string(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not isinstance(value, str):
        return _Mismatch("type", f"expected text (a str), got {_describe(value)}")
    if _normal_text(value) == _normal_text(expected):
        return None
    if not value.strip():
        return _Mismatch("value", "your text is empty")
    return _Mismatch("value", f"{_short(value, 50)} is not the expected answer")


def _normal_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def _as_items(value: Any) -> list | None:
    """The items of a list-like value, or None when it is not one."""
    if isinstance(value, (str, bytes, Mapping, set, frozenset)) or value is None:
        return None
    if _is_tensor(value) or isinstance(value, np.ndarray):
        array = _to_numpy(value)
        return None if array.ndim == 0 else array.tolist()
    if isinstance(value, (list, tuple, range)):
        return list(value)
    return None


def _compare_sequence(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    items = _as_items(value)
    if items is None:
        return _Mismatch(
            "type", f"expected a list of {len(expected)} items, got {_describe(value)}"
        )
    if len(items) != len(expected):
        return _Mismatch("shape", f"expected {len(expected)} items, got {len(items)}")
    for index, (got, want) in enumerate(zip(items, expected, strict=True)):
        mismatch = _compare(got, want, tol, None)
        if mismatch is not None:
            mismatch.where = f"[{index}]{mismatch.where}"
            return mismatch
    return None


def _set_item(item: Any) -> Any:
    if isinstance(item, str):
        return _normal_text(item)
    if isinstance(item, np.generic):
        return item.item()
    return item


def _compare_set(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if isinstance(value, (set, frozenset)):
        items: list = list(value)
    else:
        items = _as_items(value)  # a list works too: order and repeats do not matter
        if items is None:
            return _Mismatch("type", f"expected a set (or list) of items, got {_describe(value)}")
    try:
        got = {_set_item(item) for item in items}
    except TypeError:
        return _Mismatch("type", "its items must be simple values such as numbers or strings")
    want = {_set_item(item) for item in expected}
    missing, extra = want - got, got - want
    if not missing and not extra:
        return None
    parts = []
    if missing:
        many = len(missing) > 1
        parts.append(
            f"{len(missing)} expected item{'s are' if many else ' is'} missing"
        )
    if extra:
        listed = ", ".join(sorted(_short(item, 30) for item in extra))
        parts.append(f"{listed} should not be there")
    return _Mismatch("value", "; ".join(parts))


def _compare_dict(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not isinstance(value, Mapping):
        return _Mismatch("type", f"expected a dict, got {_describe(value)}")
    missing = [key for key in expected if key not in value]
    extra = [key for key in value if key not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing keys: " + ", ".join(_short(k, 30) for k in missing))
        if extra:
            parts.append("unexpected keys: " + ", ".join(_short(k, 30) for k in extra))
        return _Mismatch("shape", "; ".join(parts))
    for key, want in expected.items():
        mismatch = _compare(value[key], want, tol, None)
        if mismatch is not None:
            mismatch.where = f"[{key!r}]{mismatch.where}"
            return mismatch
    return None


def _compare_exact(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    try:
        same = value == expected
        same = bool(np.all(same)) if hasattr(same, "shape") else bool(same)
    except Exception:
        same = False
    if same:
        return None
    if type(value) is not type(expected):
        return _Mismatch("type", f"expected {_describe(expected)}, got {_describe(value)}")
    return _Mismatch("value", f"{_short(value, 50)} is not right")


# ============================================================================ validation


def _check_name(name: Any, argument: str) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise TypeError(f"{argument} must be a Python variable name (a str), got {name!r}")
    return name


def _check_tol(tol: Any) -> float | None:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a non-negative number or None, got {_describe(tol)}")
    if not tol >= 0:
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    return float(tol)


def _check_kind(kind: Any) -> str | None:
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be None or one of {', '.join(_KINDS)}, got {kind!r}")
    return kind


def _check_text(value: Any, argument: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, got {_describe(value)}")
    return value


def _check_hints(hint: Any) -> tuple[str, ...]:
    if isinstance(hint, str):
        hints: Iterable = [hint]
    elif isinstance(hint, (list, tuple)):
        hints = hint
    else:
        raise TypeError(f"hint must be a str or a list of str, got {_describe(hint)}")
    if not all(isinstance(h, str) and h.strip() for h in hints):
        raise TypeError("hint must be a str or a list of non-empty str")
    return tuple(hints)


def _check_callable(value: Any, argument: str, *, optional: bool) -> Callable | None:
    if value is None and optional:
        return None
    if not callable(value):
        raise TypeError(f"{argument} must be callable, got {_describe(value)}")
    return value


# ============================================================================ learner code


def _in_learner_code(exc: BaseException, namespace: Mapping) -> bool:
    """True when the traceback passes through code defined in the learner's namespace."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals is namespace:
            return True
        tb = tb.tb_next
    return False


def _learner_location(exc: BaseException, namespace: Mapping) -> str:
    tb, where = exc.__traceback__, ""
    while tb is not None:
        if tb.tb_frame.f_globals is namespace:
            name = tb.tb_frame.f_code.co_name
            where = f" (in `{name}`, line {tb.tb_lineno})" if not name.startswith("<") else (
                f" (line {tb.tb_lineno})"
            )
        tb = tb.tb_next
    return where


def _mentions_placeholder(exc: BaseException) -> bool:
    return isinstance(exc, NameError) and "'____'" in str(exc)


def _lookup(namespace: Mapping, name: str) -> Any:
    """The learner's variable, or stop with 'not attempted'."""
    if name not in namespace:
        raise _stop(
            NOT_ATTEMPTED,
            f"`{name}` is not defined yet: run the cell where you set it, then check again.",
            "missing",
        )
    value = namespace[name]
    if value is BLANK:
        raise _stop(
            NOT_ATTEMPTED,
            f"`{name}` is still the placeholder `____`: replace it with your answer and run "
            "that cell again.",
            "placeholder",
        )
    if _contains_blank(value):
        raise _stop(
            NOT_ATTEMPTED, f"`{name}` still contains a placeholder `____`: fill in every blank.",
            "placeholder",
        )
    return value


def _safe_copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _call_learner(
    func: Callable, name: str, args: tuple, kwargs: Mapping, namespace: Mapping, *,
    allow_none: bool = False,
) -> Any:
    """Call the learner's function; stop with a one-line message on any problem."""
    call = _call_repr(name, args, kwargs)
    try:
        result = func(*_safe_copy(args), **_safe_copy(dict(kwargs)))
    except NotImplementedError:
        raise _stop(
            NOT_ATTEMPTED,
            f"`{name}` still raises NotImplementedError: write its body, run the cell, "
            "then check again.",
            "placeholder",
        ) from None
    except Exception as exc:
        if _mentions_placeholder(exc):
            raise _stop(
                NOT_ATTEMPTED, f"`{name}` still uses the placeholder `____`: fill it in.",
                "placeholder",
            ) from None
        raise _stop(
            INCORRECT,
            f"your function raised {_one_line(exc)} when called as `{call}`"
            f"{_learner_location(exc, namespace)}.",
            "exception",
        ) from None
    if _contains_blank(result):
        raise _stop(
            NOT_ATTEMPTED,
            f"`{name}` still returns the placeholder `____`: write its body, run the cell, "
            "then check again.",
            "placeholder",
        )
    if result is None and not allow_none:
        raise _stop(
            INCORRECT, f"`{call}` returned None: did you forget `return`?", "none"
        )
    return result


def _explain(explain_wrong: Callable | None, value: Any) -> str:
    """The problem's specific advice for a wrong value ('' when none or when it fails)."""
    if explain_wrong is None:
        return ""
    try:
        advice = explain_wrong(value)
    except Exception:
        return ""
    return f" {advice.strip()}" if isinstance(advice, str) and advice.strip() else ""


def _interpret(outcome: Any, success: str) -> CheckResult:
    """Turn what a checker callable returned into a result."""
    if outcome is None or outcome is True:
        return CheckResult(CORRECT, success)
    if outcome is False:
        return CheckResult(INCORRECT, "not quite: your answer does not pass the check.", "value")
    if isinstance(outcome, str):
        return CheckResult(INCORRECT, outcome, "value")
    if isinstance(outcome, CheckResult):
        return outcome
    raise TypeError(
        f"a checker must return None, a bool, a str or a CheckResult, got {_describe(outcome)}"
    )


def _run_checker(checker: Callable, argument: Any, namespace: Mapping, success: str) -> CheckResult:
    try:
        outcome = checker(argument)
    except AssertionError as exc:
        if _in_learner_code(exc, namespace):
            raise
        lines = str(exc).strip().splitlines()  # first line: test runners append their own
        text = lines[0] if lines else "not quite: your answer does not pass the check."
        return CheckResult(INCORRECT, text, "value")
    return _interpret(outcome, success)


# ============================================================================ problems


class Problem:
    """Base class of the problems: hints, solution, and a never-raising :meth:`evaluate`."""

    def __init__(
        self, *, hint: str | list[str] = (), solution: str | None = None,
        explanation: str | None = None,
    ) -> None:
        self.hints: tuple[str, ...] = _check_hints(hint)
        self._solution: str | None = _check_text(solution, "solution")
        self.explanation: str | None = _check_text(explanation, "explanation")

    # ---- solution

    @property
    def solution_code(self) -> str:
        """Python code that, run in a fresh namespace, answers the question."""
        return self._solution or ""

    def solution_parts(self) -> tuple[str, str | None]:
        """(text, code) shown by ``solution()``."""
        return (self.explanation or "", self.solution_code or None)

    # ---- checking

    def evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        """Check the answer in ``namespace``; never raises, never displays."""
        if not isinstance(namespace, Mapping):
            raise TypeError(f"namespace must be a dict such as globals(), got {_describe(namespace)}")
        try:
            result = self._evaluate(namespace)
        except _Early as early:
            result = early.result
        except Incorrect as exc:
            result = CheckResult(INCORRECT, str(exc).strip() or "not quite.", "value")
        except NotAttempted as exc:
            result = CheckResult(NOT_ATTEMPTED, str(exc).strip() or "not attempted yet.", "placeholder")
        except Exception as exc:
            if _in_learner_code(exc, namespace):
                result = CheckResult(
                    INCORRECT,
                    f"your code raised {_one_line(exc)}{_learner_location(exc, namespace)}.",
                    "exception",
                )
            else:
                result = CheckResult(
                    ERROR,
                    f"the checker hit an internal error (please report it): {_one_line(exc)}",
                    "internal",
                )
        if result.correct and self.explanation:
            result = CheckResult(CORRECT, f"{result.message} {self.explanation.strip()}", result.reason)
        return result

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        raise NotImplementedError

    def _none_result(self, name: str) -> _Early:
        return _stop(
            INCORRECT,
            f"`{name}` is None. If you set it from a function call, did that function forget "
            "`return`?",
            "none",
        )

    def __repr__(self) -> str:
        name = getattr(self, "var", None) or getattr(self, "func_name", None)
        return f"{type(self).__name__}({name!r})" if name else f"{type(self).__name__}()"


class ValueProblem(Problem):
    """The learner sets a variable; it is compared with ``expected``.

    ``expected`` may also be a callable ``namespace -> value`` when the right value depends
    on the notebook's data. Numbers are compared with a tolerance (``tol``: absolute; by
    default relative 1e-5), arrays and tensors by shape then values, strings ignoring case
    and spacing, lists item by item, sets ignoring order. ``explain_wrong(value)`` may
    return advice for a typical mistake (or None).
    """

    def __init__(
        self, var: str, expected: Any, *, tol: float | None = None, kind: str | None = None,
        hint: str | list[str] = (), solution: str, explanation: str | None = None,
        explain_wrong: Callable[[Any], str | None] | None = None,
    ) -> None:
        super().__init__(hint=hint, solution=_check_text(solution, "solution", optional=False),
                         explanation=explanation)
        self.var = _check_name(var, "var")
        if _contains_blank(expected):
            raise TypeError("expected must be the right answer, not the placeholder ____")
        self.expected = expected
        self.tol = _check_tol(tol)
        self.kind = _check_kind(kind)
        self.explain_wrong = _check_callable(explain_wrong, "explain_wrong", optional=True)

    def _expected_value(self, namespace: Mapping) -> Any:
        lazy = callable(self.expected) and not isinstance(self.expected, type) and not hasattr(
            self.expected, "shape"
        )
        return self.expected(namespace) if lazy else self.expected

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        value = _lookup(namespace, self.var)
        if value is None:
            raise self._none_result(self.var)
        mismatch = _compare(value, self._expected_value(namespace), self.tol, self.kind)
        if mismatch is None:
            return CheckResult(CORRECT, f"`{self.var}` is right.")
        message = f"`{self.var}`: {mismatch.message()}.{_explain(self.explain_wrong, value)}"
        return CheckResult(INCORRECT, message, mismatch.reason)


Case = tuple  # (args, kwargs, expected) or (args, expected)


class FunctionProblem(Problem):
    """The learner writes a function; it is called on test cases.

    ``cases`` is a list of ``(args, kwargs, expected)`` or ``(args, expected)`` with
    ``args`` a tuple, or a checker callable that receives the learner's function (wrapped
    so that its exceptions, a ``None`` return and the placeholder are reported well) and
    returns None / raises AssertionError(message) / returns a message, like
    :class:`CustomProblem`. Arguments are deep-copied for every call.
    """

    def __init__(
        self, func_name: str, cases: list[Case] | Callable[[Callable], Any], *,
        tol: float | None = None, kind: str | None = None, hint: str | list[str] = (),
        solution: str, explanation: str | None = None,
        explain_wrong: Callable[[Any], str | None] | None = None, allow_none: bool = False,
    ) -> None:
        super().__init__(hint=hint, solution=_check_text(solution, "solution", optional=False),
                         explanation=explanation)
        self.func_name = _check_name(func_name, "func_name")
        self.tol = _check_tol(tol)
        self.kind = _check_kind(kind)
        self.explain_wrong = _check_callable(explain_wrong, "explain_wrong", optional=True)
        if not isinstance(allow_none, bool):
            raise TypeError(f"allow_none must be a bool, got {_describe(allow_none)}")
        self.allow_none = allow_none
        self.checker: Callable | None = None
        self.cases: list[tuple[tuple, dict, Any]] = []
        if callable(cases):
            self.checker = cases
        elif isinstance(cases, (list, tuple)) and cases:
            self.cases = [self._case(i, case) for i, case in enumerate(cases)]
        else:
            raise TypeError(
                "cases must be a non-empty list of (args, kwargs, expected) or a checker "
                f"callable, got {_describe(cases)}"
            )

    @staticmethod
    def _case(index: int, case: Any) -> tuple[tuple, dict, Any]:
        if not isinstance(case, tuple) or len(case) not in (2, 3):
            raise TypeError(f"cases[{index}] must be a tuple (args, kwargs, expected) or (args, expected)")
        args, kwargs, expected = case if len(case) == 3 else (case[0], {}, case[1])
        if not isinstance(args, tuple):
            raise TypeError(f"cases[{index}]: args must be a tuple, got {_describe(args)}")
        if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise TypeError(f"cases[{index}]: kwargs must be a dict, got {_describe(kwargs)}")
        if _contains_blank(expected):
            raise TypeError(f"cases[{index}]: expected must not be the placeholder ____")
        return args, kwargs, expected

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        name = self.func_name
        func = _lookup(namespace, name)
        if func is None:
            raise self._none_result(name)
        if not callable(func):
            return CheckResult(INCORRECT, f"`{name}` should be a function, got {_describe(func)}.", "type")
        if self.checker is not None:
            def wrapped(*args: Any, **kwargs: Any) -> Any:
                return _call_learner(func, name, args, kwargs, namespace, allow_none=self.allow_none)

            wrapped.__name__ = name
            wrapped.__wrapped__ = func  # type: ignore[attr-defined]
            return _run_checker(self.checker, wrapped, namespace, f"`{name}` passes the checks.")
        for args, kwargs, expected in self.cases:
            allow_none = self.allow_none or expected is None
            result = _call_learner(func, name, args, kwargs, namespace, allow_none=allow_none)
            mismatch = _compare(result, expected, self.tol, self.kind)
            if mismatch is not None:
                message = (
                    f"for `{_call_repr(name, args, kwargs)}` your function returned "
                    f"{_short(result, 60)}: {mismatch.message()}."
                    f"{_explain(self.explain_wrong, result)}"
                )
                return CheckResult(INCORRECT, message, mismatch.reason)
        count = len(self.cases)
        return CheckResult(CORRECT, f"`{name}` passes all {count} test case{'s' * (count != 1)}.")


def _choice_key(key: Any) -> str:
    return str(key).strip().strip("()[].:").strip().casefold()


class ChoiceProblem(Problem):
    """Single or multiple choice. ``options`` maps each key to ``(correct, explanation)``.

    Keys are matched ignoring case and brackets (``"B"``, ``"(b)"``). With
    ``multiple=True`` the answer may be a list, a set or a string such as ``"a, c"``.
    Each wrongly chosen option is explained; missing correct options are counted, not named.
    With ``multiple=True`` an option may also be ``(None, explanation)``: a borderline option
    that may be picked or left out; its explanation is shown either way once the rest is right.
    """

    def __init__(
        self, var: str, options: Mapping[Any, tuple[bool | None, str]], *, multiple: bool = False,
        hint: str | list[str] = (), solution: str | None = None, explanation: str | None = None,
    ) -> None:
        super().__init__(hint=hint, solution=solution, explanation=explanation)
        self.var = _check_name(var, "var")
        if not isinstance(multiple, bool):
            raise TypeError(f"multiple must be a bool, got {_describe(multiple)}")
        self.multiple = multiple
        if not isinstance(options, Mapping) or not options:
            raise TypeError("options must be a non-empty dict {key: (correct, explanation)}")
        self.options: dict[Any, tuple[bool, str]] = {}
        self._keys: dict[str, Any] = {}
        for key, entry in options.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool) or not _choice_key(key):
                raise TypeError(f"options: keys must be short str or int, got {key!r}")
            if (
                not isinstance(entry, tuple) or len(entry) != 2
                or not (isinstance(entry[0], bool) or (entry[0] is None and multiple))
                or not isinstance(entry[1], str)
            ):
                raise TypeError(f"options[{key!r}] must be a tuple (correct: bool, explanation: str)"
                                + (" or (None, explanation) for a borderline option" if multiple else ""))
            if _choice_key(key) in self._keys:
                raise ValueError(f"options: keys {self._keys[_choice_key(key)]!r} and {key!r} clash")
            self._keys[_choice_key(key)] = key
            self.options[key] = entry
        self.correct_keys = [key for key, (ok, _) in self.options.items() if ok is True]
        self.borderline_keys = [key for key, (ok, _) in self.options.items() if ok is None]
        if not self.correct_keys:
            raise ValueError("options: at least one option must be correct")

    @property
    def solution_code(self) -> str:
        answer = self.correct_keys if self.multiple else self.correct_keys[0]
        return f"{self.var} = {answer!r}"

    def solution_parts(self) -> tuple[str, str | None]:
        lines = [self._solution or ""] if self._solution else []
        for key, (ok, why) in self.options.items():
            verdict = "borderline (either answer is accepted)" if ok is None else "right" if ok else "wrong"
            lines.append(f"({key}) {verdict}: {why}")
        if self.explanation:
            lines.append(self.explanation)
        return ("\n".join(lines), self.solution_code)

    def _labels(self) -> str:
        return ", ".join(str(key) for key in self.options)

    def _parse(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            tokens = [t for t in re.split(r"[\s,;/+&]+", value) if _choice_key(t)]
            if (
                self.multiple and len(tokens) == 1 and _choice_key(tokens[0]) not in self._keys
                and all(ch in self._keys for ch in _choice_key(tokens[0]))
            ):
                tokens = list(_choice_key(tokens[0]))
        elif isinstance(value, int) and not isinstance(value, bool):
            tokens = [value]
        elif isinstance(value, (list, tuple, set, frozenset)):
            tokens = list(value)
        else:
            raise _stop(
                INCORRECT,
                f"`{self.var}` should be {'option keys' if self.multiple else 'an option key'} "
                f"such as {next(iter(self.options))!r}, got {_describe(value)}.",
                "type",
            )
        if not tokens:
            raise _stop(NOT_ATTEMPTED, f"`{self.var}` is empty: pick an option.", "placeholder")
        chosen = []
        for token in tokens:
            if not isinstance(token, (str, int)) or _choice_key(token) not in self._keys:
                raise _stop(
                    INCORRECT,
                    f"{_short(token, 30)} is not one of the options; choose from {self._labels()}.",
                    "choice",
                )
            key = self._keys[_choice_key(token)]
            if key not in chosen:
                chosen.append(key)
        return chosen

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        value = _lookup(namespace, self.var)
        if value is None:
            raise self._none_result(self.var)
        chosen = self._parse(value)
        if not self.multiple:
            if len(chosen) > 1:
                return CheckResult(
                    INCORRECT, f"`{self.var}`: choose exactly one option (this question has one answer).",
                    "type",
                )
            ok, why = self.options[chosen[0]]
            if ok:
                return CheckResult(CORRECT, f"({chosen[0]}) is right: {why}")
            return CheckResult(INCORRECT, f"({chosen[0]}) is not the answer: {why}", "value")
        wrong = [key for key in chosen if self.options[key][0] is False]
        missing = [key for key in self.correct_keys if key not in chosen]
        if not wrong and not missing:
            reasons = " ".join(f"({key}) {self.options[key][1]}" for key in self.correct_keys)
            text = f"you picked exactly the right options. {reasons}"
            if self.borderline_keys:
                text += " Borderline, either way: " + " ".join(
                    f"({key}) {self.options[key][1]}" for key in self.borderline_keys)
            return CheckResult(CORRECT, text)
        lines = [f"({key}) is not right: {self.options[key][1]}" for key in wrong]
        right = [key for key in chosen if self.options[key][0] is True]
        if missing:
            many = len(missing) > 1
            lines.append(
                (f"{', '.join(f'({k})' for k in right)} {'are' if len(right) > 1 else 'is'} right, but "
                 if right and not wrong else "")
                + f"{len(missing)} correct option{'s are' if many else ' is'} still missing."
            )
        return CheckResult(INCORRECT, "\n".join(lines), "value")


class Reflection:
    """A question answered in your own words: never graded, shown beside a model answer.

    Free text cannot be graded honestly by looking for words (an answer that says the
    opposite in the right words would pass), so ``compare(text)`` does not grade: it
    shows the learner's text, a model answer and ``points`` to compare the two by.
    """

    def __init__(self, model_answer: str, *, points: Iterable[str] = (), var: str = "my_answer") -> None:
        self.model_answer = _check_text(model_answer, "model_answer", optional=False)
        if not self.model_answer.strip():
            raise ValueError("model_answer must not be empty")
        self.points = _check_hints(list(points)) if points else ()
        self.var = _check_name(var, "var")

    def evaluate(self, answer: Any) -> CheckResult:
        """``not_attempted`` for a blank or empty answer, ``incorrect`` (type) for one that is
        not text, else ``noted`` with the model answer in the message."""
        if answer is BLANK or _contains_blank(answer):
            return CheckResult(NOT_ATTEMPTED, f"`{self.var}` is still the placeholder `____`: write your answer "
                               "in quotes first; then this cell shows a model answer to compare it with.",
                               "placeholder")
        if not isinstance(answer, str):
            return CheckResult(INCORRECT, f"`{self.var}` should be text in quotes, got {_describe(answer)}.", "type")
        if not answer.strip():
            return CheckResult(NOT_ATTEMPTED, f"`{self.var}` is empty: write your answer in the quotes first.",
                               "placeholder")
        parts = [f"Your answer:\n{answer.strip()}", f"A model answer:\n{self.model_answer.strip()}"]
        if self.points:
            parts.append("Compare the two:\n" + "\n".join(f"- {point}" for point in self.points))
        return CheckResult(NOTED, "\n\n".join(parts), "reflection")

    def compare(self, answer: Any) -> None:
        """Show the comparison (or what is missing); records nothing, grades nothing."""
        try:
            result = self.evaluate(answer)
            title = {NOTED: "Not graded: compare your answer with a model answer",
                     NOT_ATTEMPTED: "Not attempted yet", INCORRECT: "Not text"}[result.status]
            tone = {NOTED: "info", NOT_ATTEMPTED: "not_attempted", INCORRECT: "incorrect"}[result.status]
            _show(Feedback(tone, title, _capitalised(result.message)))
        except Exception as exc:  # never a traceback in the notebook
            print(f"the comparison could not be shown (please report it): {_one_line(exc)}")

    def __repr__(self) -> str:
        return f"Reflection({self.var!r})"


def _learner_functions(func: Callable) -> list[Any]:
    """``func`` and the learner's own functions it calls (same globals), up to three calls deep."""
    func = getattr(func, "__wrapped__", func)
    found: list[Any] = []
    queue = [(func, 0)]
    while queue:
        function, depth = queue.pop()
        if getattr(function, "__code__", None) is None or any(function is f for f in found) or depth > 3:
            continue
        found.append(function)
        scope = getattr(function, "__globals__", {})
        for name in _code_names(function.__code__):
            obj = scope.get(name)
            if isinstance(obj, types.FunctionType) and obj.__globals__ is scope:
                queue.append((obj, depth + 1))
    return found


def _code_names(code: types.CodeType) -> set[str]:
    """The global and attribute names that ``code`` and the functions defined inside it use."""
    names: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    return names


def names_used(func: Callable) -> set[str]:
    """The global and attribute names in the code of ``func`` and of the learner's functions it calls.

    For ``return model.embed(x)`` that is ``{"embed"}`` (``model`` is a local name, not a global one).
    """
    names: set[str] = set()
    for function in _learner_functions(func):
        names |= _code_names(function.__code__)
    return names


def functions_used(func: Callable, targets: Mapping[str, Any]) -> list[str]:
    """The labels of ``targets`` (label -> function object) that ``func``'s code refers to.

    Looks at the names in the function's code (and in functions defined inside it, and
    in the learner's own functions it calls) and follows them through the learner's
    globals and module attributes, so ``F.one_hot``, ``torch.nn.functional.one_hot`` and
    ``from sklearn.metrics.pairwise import cosine_similarity as cs`` are all found.
    """
    wanted = {id(obj): label for label, obj in targets.items()}
    found: list[str] = []

    def note(obj: Any) -> None:
        label = wanted.get(id(obj))
        if label is not None and label not in found:
            found.append(label)

    for function in _learner_functions(func):
        names = _code_names(function.__code__)
        scope = getattr(function, "__globals__", {})
        for cell in getattr(function, "__closure__", None) or ():
            try:
                note(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        frontier = []
        for name in names:
            if name in scope:
                note(scope[name])
                if isinstance(scope[name], (types.ModuleType, type)):
                    frontier.append(scope[name])
        for _ in range(3):  # module.attribute.attribute ...
            next_frontier = []
            for obj in frontier:
                for name in names:
                    try:
                        with warnings.catch_warnings():  # e.g. NumPy's warning about `np.str`
                            warnings.simplefilter("ignore")
                            child = getattr(obj, name, None)
                    except Exception:
                        continue
                    if child is None:
                        continue
                    note(child)
                    if isinstance(child, types.ModuleType):
                        next_frontier.append(child)
            frontier = next_frontier
    return found


class CustomProblem(Problem):
    """Anything else: ``check(namespace)`` decides.

    The checker returns None or True (right), a message or False (wrong), or a
    :class:`CheckResult`; it may raise :class:`Incorrect`, :class:`NotAttempted` or
    AssertionError(message). The names in ``variables`` must be set first (else "not
    attempted"). Exceptions raised inside the learner's own code are reported as theirs.
    """

    def __init__(
        self, check: Callable[[Mapping[str, Any]], Any], *, variables: str | Iterable[str] = (),
        hint: str | list[str] = (), solution: str, explanation: str | None = None,
        success: str = "your answer passes the check.",
    ) -> None:
        super().__init__(hint=hint, solution=_check_text(solution, "solution", optional=False),
                         explanation=explanation)
        self.check = _check_callable(check, "check", optional=False)
        if isinstance(variables, str):
            variables = (variables,)
        if not isinstance(variables, (list, tuple, set, frozenset)):
            raise TypeError(f"variables must be a str or a list of str, got {_describe(variables)}")
        self.variables = tuple(_check_name(v, "variables") for v in variables)
        self.success = _check_text(success, "success", optional=False)

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        for name in self.variables:
            _lookup(namespace, name)
        return _run_checker(self.check, namespace, namespace, self.success)


# ============================================================================ official solutions


def run_official_solution(
    problem: Problem, extra_namespace: Mapping[str, Any] | None = None
) -> CheckResult:
    """Run ``problem.solution_code`` in a fresh namespace (plus ``extra_namespace``) and check it."""
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {_describe(problem)}")
    namespace: dict[str, Any] = {"__name__": "__solution__", "____": BLANK, "BLANK": BLANK}
    namespace.update(extra_namespace or {})
    code = problem.solution_code
    if not code.strip():
        return CheckResult(ERROR, "this problem has no solution code to run.", "internal")
    try:
        exec(compile(code, "<official solution>", "exec"), namespace)
    except Exception as exc:
        return CheckResult(ERROR, f"the official solution raised {_one_line(exc)}", "internal")
    return problem.evaluate(namespace)


def run_official_solutions(
    problems: Mapping[str, Problem] | list[Problem],
    extra_namespace: Mapping[str, Any] | None = None,
) -> dict[str, CheckResult]:
    """:func:`run_official_solution` for each problem, by question name (q1, q2 ... for a list)."""
    return {name: run_official_solution(p, extra_namespace) for name, p in _named(problems)}


# ============================================================================ display

_TONES = {  # tone: (accent colour, background, symbol); each accent is 4.5:1 or more on its background
    "correct": ("#2e7d32", "#edf7ed", "✔"),
    "incorrect": ("#c62828", "#fdecea", "✘"),
    "not_attempted": ("#595959", "#f4f4f4", "…"),
    "error": ("#a33f00", "#fff4e5", "⚠"),
    "info": ("#1565c0", "#e8f1fb", "ℹ"),
}


def _inline_html(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return escaped.replace("\n", "<br>")


class Feedback:
    """A coloured block: HTML in Jupyter, plain text elsewhere."""

    def __init__(self, tone: str, title: str, body: str = "", *, code: str | None = None,
                 table: list[list[str]] | None = None) -> None:
        if tone not in _TONES:
            raise ValueError(f"tone must be one of {', '.join(_TONES)}, got {tone!r}")
        self.tone, self.title, self.body, self.code, self.table = tone, title, body, code, table

    def _repr_html_(self) -> str:
        accent, background, symbol = _TONES[self.tone]
        parts = [f"<strong style='color:{accent}'>{symbol} {html.escape(self.title)}</strong>"]
        if self.body:
            parts.append(f"<div style='margin-top:4px'>{_inline_html(self.body)}</div>")
        if self.table:
            head, *rows = self.table
            cells = "".join(f"<th style='text-align:left;padding:2px 10px'>{html.escape(c)}</th>"
                            for c in head)
            body = "".join(
                "<tr>" + "".join(f"<td style='padding:2px 10px'>{html.escape(c)}</td>" for c in row)
                + "</tr>" for row in rows
            )
            parts.append(f"<table style='margin-top:6px'><tr>{cells}</tr>{body}</table>")
        if self.code:
            parts.append(
                "<pre style='margin:6px 0 0;padding:6px;background:#ffffff;color:#1f1f1f;"
                f"border:1px solid #ddd'><code>{html.escape(self.code)}</code></pre>"
            )
        return (
            f"<div style='border-left:4px solid {accent};background:{background};color:#1f1f1f;"
            f"padding:8px 12px;margin:4px 0;border-radius:3px'>{''.join(parts)}</div>"
        )

    def __str__(self) -> str:
        symbol = _TONES[self.tone][2]
        lines = [f"{symbol} {self.title}" + (f" — {self.body}" if self.body else "")]
        if self.table:
            widths = [max(len(row[i]) for row in self.table) for i in range(len(self.table[0]))]
            for row in self.table:
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if self.code:
            lines += ["```python", self.code.rstrip("\n"), "```"]
        return "\n".join(lines)

    __repr__ = __str__


def _ipython_active() -> bool:
    module = sys.modules.get("IPython")
    if module is None:
        return False
    try:
        return module.get_ipython() is not None
    except Exception:
        return False


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def _show(feedback: Feedback) -> None:
    if _ipython_active():
        try:
            _display(feedback)
            return
        except Exception:
            pass
    print(str(feedback))


_TITLES = {
    CORRECT: ("correct", "Correct"),
    INCORRECT: ("incorrect", "Not quite"),
    NOT_ATTEMPTED: ("not_attempted", "Not attempted yet"),
    ERROR: ("error", "Checker problem"),
}


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# ============================================================================ progress
# The store (where, load, save, export, import) is helpers.progress; here it is shown.


def _update(notebook: str, question: str, change: Callable[[dict], None]) -> str:
    """Apply ``change`` to one entry and save; returns a note when it could not be saved."""
    try:
        return update_entry(notebook, question, change)
    except Exception as exc:
        return f"(Your progress could not be saved: {_one_line(exc)}.)"


def _record_check(notebook: str, question: str, result: CheckResult) -> str:
    if result.status not in (CORRECT, INCORRECT):
        return ""

    def change(entry: dict) -> None:
        entry["attempts"] += 1
        if result.correct:
            entry["status"] = "solved"
            entry["solved_at"] = entry["solved_at"] or _now()
        elif entry["status"] != "solved":
            entry["status"] = "attempted"

    return _update(notebook, question, change)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def progress_summary(notebook: str | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """The recorded progress, ``{notebook: {question: entry}}``, for one notebook or all."""
    data = load_progress()
    if notebook is None:
        return data
    return {notebook: data.get(notebook, {})}


_BOUND: dict[str, list[str]] = {}  # notebook -> its question names, for totals


def show_progress() -> None:
    """Show a table of solved exercises for every notebook, and where progress is kept."""
    try:
        data = load_progress()
        where = where_progress_is_kept()
    except Exception as exc:  # progress is shown even when its store misbehaves
        data, where = {}, f"(Progress could not be read: {_one_line(exc)}.)"
    notebooks = sorted(set(data) | set(_BOUND))
    if not notebooks:
        _show(Feedback("info", "Progress", f"nothing recorded yet. {where}"))
        return
    rows = [["notebook", "solved", "attempted", "solutions viewed"]]
    for notebook in notebooks:
        entries = data.get(notebook, {})
        total = len(set(_BOUND.get(notebook, [])) | set(entries))
        solved = sum(e["status"] == "solved" for e in entries.values())
        attempted = sum(e["status"] == "attempted" for e in entries.values())
        viewed = sum(e["solution_viewed"] for e in entries.values())
        rows.append([notebook, f"{solved} of {total}", str(attempted), str(viewed)])
    _show(Feedback("info", "Progress", where, table=rows))


# ============================================================================ binding


def _named(problems: Any) -> list[tuple[str, Problem]]:
    if isinstance(problems, Mapping):
        items = list(problems.items())
    elif isinstance(problems, (list, tuple)):
        items = [(f"q{i}", p) for i, p in enumerate(problems, start=1)]
    else:
        raise TypeError(
            f"problems must be a dict {{name: Problem}} or a list of Problem, got {_describe(problems)}"
        )
    for name, problem in items:
        _check_name(name, "problems: each name")
        if name.startswith("_"):
            raise ValueError(f"problems: names must not start with '_', got {name!r}")
        if not isinstance(problem, Problem):
            raise TypeError(f"problems[{name!r}] must be a Problem, got {_describe(problem)}")
    return items


#: The name notebooks give to the bound exercises (``ex = bind(...)``), used in messages.
_HANDLE = "ex"


class Question:
    """One exercise bound to a notebook: ``check()``, ``hint()``, ``solution()``."""

    def __init__(self, notebook: str, name: str, problem: Problem, namespace: Mapping) -> None:
        self.notebook, self.name, self.problem, self.namespace = notebook, name, problem, namespace
        self._hints_shown = 0

    @property
    def _handle(self) -> str:
        return f"{_HANDLE}.{self.name}"

    def evaluate(self) -> CheckResult:
        """The result of checking, without display or progress."""
        return self.problem.evaluate(self.namespace)

    def check(self) -> None:
        """Check the answer, show the feedback and record progress."""
        try:
            result = self.evaluate()
            note = _record_check(self.notebook, self.name, result)
            tone, label = _TITLES[result.status]
            body = _capitalised(result.message) + (f"\n{note}" if note else "")
            if result.status == INCORRECT and self.problem.hints and self._hints_shown == 0:
                body += f"\nStuck? `{self._handle}.hint()` gives a hint."
            _show(Feedback(tone, f"{self.name}: {label}", body))
        except Exception as exc:  # last resort: never a traceback in the notebook
            print(f"{self.name}: the checker hit an internal error (please report it): {_one_line(exc)}")

    def hint(self) -> None:
        """Show the next hint (one more each call)."""
        try:
            hints = self.problem.hints[:classroom.hints_allowed(len(self.problem.hints))]
            then = ("your instructor can help with the rest" if classroom.teacher_mode()
                    else f"`{self._handle}.solution()` shows the answer")
            if not hints:
                _show(Feedback("info", f"{self.name}: Hint", f"No hint for this one; {then}."))
                return
            if self._hints_shown < len(hints):
                self._hints_shown += 1
            number = self._hints_shown
            body = hints[number - 1]
            if number == len(hints):
                body += f"\n(That is the last hint; {then}.)"
            shown = number

            def change(entry: dict) -> None:
                entry["hints_viewed"] = max(entry["hints_viewed"], shown)

            note = _update(self.notebook, self.name, change)
            _show(Feedback("info", f"{self.name}: Hint {number} of {len(hints)}",
                           body + (f"\n{note}" if note else "")))
        except Exception as exc:
            print(f"{self.name}: the hint could not be shown (please report it): {_one_line(exc)}")

    def solution(self) -> None:
        """Show the official solution and record that it was viewed."""
        try:
            if withheld := classroom.solution_withheld(self._handle):
                _show(Feedback("info", f"{self.name}: Solution", withheld))
                return
            text, code = self.problem.solution_parts()

            def change(entry: dict) -> None:
                entry["solution_viewed"] = True

            note = _update(self.notebook, self.name, change)
            body = text + (f"\n{note}" if note else "")
            _show(Feedback("info", f"{self.name}: Solution", body.strip(), code=code))
        except Exception as exc:
            print(f"{self.name}: the solution could not be shown (please report it): {_one_line(exc)}")

    @property
    def solution_code(self) -> str:
        return self.problem.solution_code

    @property
    def hints(self) -> tuple[str, ...]:
        return self.problem.hints

    def __repr__(self) -> str:
        return f"<exercise {self.notebook} {self.name}: .check(), .hint(), .solution()>"


class Exercises:
    """The exercises of one notebook: ``ex.q1``, ``ex["q1"]``, ``ex.progress()``."""

    def __init__(self, notebook: str, questions: Mapping[str, Question]) -> None:
        self.notebook = notebook
        self._questions = dict(questions)

    def __getattr__(self, name: str) -> Question:
        questions = self.__dict__.get("_questions", {})
        if name in questions:
            return questions[name]
        raise AttributeError(
            f"no exercise {name!r} in {self.__dict__.get('notebook')}; "
            f"the exercises are: {', '.join(questions)}"
        )

    def __getitem__(self, name: str) -> Question:
        return self._questions[name]

    def __iter__(self):
        return iter(self._questions)

    def __len__(self) -> int:
        return len(self._questions)

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._questions))

    def progress_summary(self) -> list[dict[str, Any]]:
        """One row per exercise of this notebook: question, status, attempts, ..."""
        entries = load_progress().get(self.notebook, {})
        return [{"question": name, **normal_entry(entries.get(name))} for name in self._questions]

    def progress(self) -> None:
        """Show which exercises of this notebook are solved, and where progress is kept."""
        try:
            rows = self.progress_summary()
            where = where_progress_is_kept()
        except Exception as exc:  # progress is shown even when its store misbehaves
            rows = [{"question": name, **normal_entry()} for name in self._questions]
            where = f"(Progress could not be read: {_one_line(exc)}.)"
        labels = {"solved": "solved", "attempted": "tried", "not_attempted": "not tried yet"}
        table = [["exercise", "status", "checks", "hints", "solution viewed"]]
        for row in rows:
            table.append([row["question"], labels[row["status"]], str(row["attempts"]),
                          str(row["hints_viewed"]), "yes" if row["solution_viewed"] else "no"])
        solved = sum(row["status"] == "solved" for row in rows)
        tone = "correct" if rows and solved == len(rows) else "info"
        _show(Feedback(tone, f"{self.notebook}: {solved} of {len(rows)} solved", where, table=table))

    def __repr__(self) -> str:
        names = ", ".join(self._questions) or "none"
        first = f"{_HANDLE}.{next(iter(self._questions), 'q1')}"
        return (f"<exercises of {self.notebook}: {names}. Use {first}.check(), {first}.hint(), "
                f"{first}.solution() and {_HANDLE}.progress()>")


_RESERVED = frozenset(dir(Exercises)) | {"notebook"}


def bind(
    notebook: str, problems: Mapping[str, Problem] | list[Problem],
    namespace: Mapping[str, Any] | None = None,
) -> Exercises:
    """Bind a notebook's problems to its variables.

    ``problems`` is a dict ``{"q1": problem, ...}`` or a list (named q1, q2 ...).
    ``namespace`` is where the learner's answers live; by default the caller's globals.
    """
    if not isinstance(notebook, str) or not notebook.strip():
        raise TypeError(f"notebook must be a non-empty str such as '00_start_here', got {notebook!r}")
    if namespace is None:
        namespace = sys._getframe(1).f_globals
    elif not isinstance(namespace, Mapping):
        raise TypeError(f"namespace must be a dict such as globals(), got {_describe(namespace)}")
    items = _named(problems)
    for name, _ in items:
        if name in _RESERVED:
            raise ValueError(f"problems: the name {name!r} is taken by Exercises; choose another")
    _BOUND[notebook] = [name for name, _ in items]
    return Exercises(notebook, {n: Question(notebook, n, p, namespace) for n, p in items})
