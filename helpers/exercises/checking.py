"""Checking one answer: the placeholder ``____``, :class:`CheckResult` and how it is shown
(:class:`Feedback`), values described and compared (:func:`compare_values`), the arguments a
problem is written with, and the learner's code run with a time limit and no traceback.

Names without an underscore that :mod:`helpers.exercises` does not export are shared with
the package's other modules, not with learners.
"""

from __future__ import annotations

import copy
import ctypes
import html
import keyword
import math
import numbers
import re
import signal
import sys
import threading
import time
import types
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

from helpers import validation

# ============================================================================ placeholder and results


class _Placeholder:
    """The blank a learner replaces: one object, kept through copy and pickle (both find it by name)."""

    def __repr__(self) -> str:
        return "____ (replace me)"

    __str__ = __repr__

    def __reduce__(self) -> str:
        return "____"


#: The placeholder in exercise cells: ``q1_answer = ____`` (``BLANK`` is another name for it).
____ = BLANK = _Placeholder()


def is_blank(value: Any) -> bool:
    return value is BLANK


def contains_blank(value: Any, depth: int = 3) -> bool:
    """True when ``value`` is the placeholder or a short literal holding it."""
    if value is BLANK:
        return True
    if depth == 0 or not isinstance(value, (Mapping, list, tuple, set, frozenset)) or len(value) > 64:
        return False  # blanks sit in short literals; big data is never scanned
    items = [*value.keys(), *value.values()] if isinstance(value, Mapping) else value
    return any(contains_blank(item, depth - 1) for item in items)


CORRECT, INCORRECT, NOT_ATTEMPTED, ERROR = "correct", "incorrect", "not_attempted", "error"
NOTED = "noted"  # a reflection: not graded, shown beside a model answer
_STATUSES = (CORRECT, INCORRECT, NOT_ATTEMPTED, ERROR, NOTED)


@dataclass(frozen=True)
class CheckResult:
    """The outcome of checking one answer.

    ``status`` is one of ``"correct"``, ``"incorrect"``, ``"not_attempted"``, ``"error"`` (the
    checker failed) and ``"noted"`` (a reflection). ``message`` is what the learner reads;
    ``reason`` says why: ``"missing"``, ``"placeholder"``, ``"none"``, ``"type"``, ``"shape"``,
    ``"value"``, ``"exception"``, ``"choice"``, ``"reflection"``, ``"timeout"`` or ``"internal"``.
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


class EarlyResult(Exception):
    """Stops a check early with a finished result."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


def stop(status: str, message: str, reason: str | None = None) -> EarlyResult:
    return EarlyResult(CheckResult(status, message, reason))


# ============================================================================ feedback shown

TONES = {  # tone: (accent colour, background, symbol); each accent is 4.5:1 or more on its background
    "correct": ("#2e7d32", "#edf7ed", "✔"),
    "incorrect": ("#c62828", "#fdecea", "✘"),
    "not_attempted": ("#595959", "#f4f4f4", "…"),
    "error": ("#a33f00", "#fff4e5", "⚠"),
    "info": ("#1565c0", "#e8f1fb", "ℹ"),
}
#: A result's status: (tone, title).
TITLES = {
    CORRECT: ("correct", "Correct"),
    INCORRECT: ("incorrect", "Not quite"),
    NOT_ATTEMPTED: ("not_attempted", "Not attempted yet"),
    ERROR: ("error", "Checker problem"),
}


class Feedback:
    """A coloured block: HTML in Jupyter, plain text elsewhere."""

    def __init__(
        self, tone: str, title: str, body: str = "", *, code: str | None = None, table: list[list[str]] | None = None
    ) -> None:
        if tone not in TONES:
            raise ValueError(f"tone must be one of {', '.join(TONES)}, got {tone!r}")
        self.tone, self.title, self.body, self.code, self.table = tone, title, body, code, table

    def _repr_html_(self) -> str:
        accent, background, symbol = TONES[self.tone]
        parts = [f"<strong style='color:{accent}'>{symbol} {html.escape(self.title)}</strong>"]
        if self.body:
            body = re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(self.body, quote=False)).replace("\n", "<br>")
            parts.append(f"<div style='margin-top:4px'>{body}</div>")
        if self.table:
            kinds = [("th", "text-align:left;")] + [("td", "")] * len(self.table)
            rows = [
                "".join(f"<{tag} style='{style}padding:2px 10px'>{html.escape(c)}</{tag}>" for c in row)
                for row, (tag, style) in zip(self.table, kinds)
            ]
            parts.append(f"<table style='margin-top:6px'>{''.join(f'<tr>{row}</tr>' for row in rows)}</table>")
        if self.code:
            parts.append("<pre style='margin:6px 0 0;padding:6px;background:#ffffff;color:#1f1f1f;"
                         f"border:1px solid #ddd'><code>{html.escape(self.code)}</code></pre>")
        return (f"<div style='border-left:4px solid {accent};background:{background};color:#1f1f1f;"
                f"padding:8px 12px;margin:4px 0;border-radius:3px'>{''.join(parts)}</div>")

    def __str__(self) -> str:
        lines = [f"{TONES[self.tone][2]} {self.title}" + (f" — {self.body}" if self.body else "")]
        if self.table:
            widths = [max(len(row[i]) for row in self.table) for i in range(len(self.table[0]))]
            lines += ["  " + "  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip() for row in self.table]
        if self.code:
            lines += ["```python", self.code.rstrip("\n"), "```"]
        return "\n".join(lines)

    __repr__ = __str__


def show(feedback: Feedback) -> None:
    """Display ``feedback`` in a notebook, else print it."""
    try:
        if sys.modules["IPython"].get_ipython() is not None:
            from IPython.display import display

            return display(feedback)
    except Exception:
        pass
    print(str(feedback))


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


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


def describe(value: Any) -> str:
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
    return validation.type_name(value)


def short(value: Any, limit: int = 70) -> str:
    """A one-line repr, cut to ``limit`` characters."""
    try:
        if _is_tensor(value) or isinstance(value, np.ndarray):
            body = np.array2string(_to_numpy(value), threshold=12, edgeitems=2, precision=4, separator=", ")
            text = f"{'tensor' if _is_tensor(value) else 'array'}({body})"
        else:
            text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return _truncate(text, limit)


def call_repr(name: str, args: tuple, kwargs: Mapping) -> str:
    parts = [short(arg, 40) for arg in args] + [f"{key}={short(val, 40)}" for key, val in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {_truncate(lines[0], 160)}" if lines else type(exc).__name__


# ============================================================================ comparing values


@dataclass
class Mismatch:
    """What is wrong with a value: its reason ("type", "shape" or "value") and text."""

    reason: str
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
    return "sequence" if isinstance(expected, (list, tuple)) else "exact"


def _tolerances(tol: float | None) -> tuple[float, float]:
    """(relative, absolute) tolerance."""
    return (1e-5, 1e-8) if tol is None else (0.0, float(tol))


def compare(value: Any, expected: Any, tol: float | None, kind: str | None) -> Mismatch | None:
    return _COMPARERS[kind or _infer_kind(expected)](value, expected, tol)


def compare_values(value: Any, expected: Any, *, tol: float | None = None, kind: str | None = None) -> str | None:
    """Compare a learner's value with the expected one, the way the problems do.

    Returns None when they match, else one sentence saying what is wrong (its type, its
    shape, which entries) without revealing the expected value. ``kind`` forces the
    comparison (one of number, bool, array, tensor, string, sequence, set, dict, exact);
    by default it follows the type of ``expected``.
    """
    mismatch = compare(value, expected, TOL(tol, "tol", {}), KIND(kind, "kind", {}))
    return None if mismatch is None else mismatch.message()


def _number(value: Any) -> float | Mismatch:
    """``value`` as a float, or what stops it from being one."""
    if isinstance(value, (bool, np.bool_)):
        return Mismatch("type", "expected a number, got a bool (True/False)")
    if isinstance(value, str):
        try:
            float(value)
            return Mismatch("type", f"expected a number, got a str ({value!r}): remove the quotes")
        except ValueError:
            return Mismatch("type", "expected a number, got a str")
    if isinstance(value, numbers.Real):
        try:
            return float(value)
        except OverflowError:
            return Mismatch("value", "your value is too large for a float (beyond about 1.8e308): it is not right")
        except Exception as error:  # noqa: BLE001 - the learner's own number type failed to convert
            return Mismatch(
                "type", f"expected a number, got {describe(value)} that cannot become one ({type(error).__name__})"
            )
    try:
        shape = _shape(value)
        if shape != ():
            text = f"expected a single number, got {describe(value)}"
            if int(np.prod(shape)) == 1:
                text += "; `.item()` turns a one-element array or tensor into a number"
            return Mismatch("type", text)
        return float(_to_numpy(value))
    except Exception:  # noqa: BLE001 - anything that does not give a number
        return Mismatch("type", f"expected a number, got {describe(value)}")


def _compare_number(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    got = _number(value)
    if isinstance(got, Mismatch):
        return got
    want = float(expected)
    if math.isnan(want) and math.isnan(got):
        return None
    if math.isnan(got):
        return Mismatch("value", "your value is NaN (not a number): a computation went wrong")
    rel, abs_ = _tolerances(tol)
    if math.isclose(got, want, rel_tol=rel, abs_tol=abs_):
        return None
    whole = got.is_integer() and want.is_integer()
    if want != 0 and abs(got - want) <= 1e-2 * abs(want) and not whole:
        return Mismatch("value", f"your value {got:.6g} is close, but not close enough (rounded?)")
    return Mismatch("value", f"your value {got:.6g} is not right")


def _compare_bool(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    if not isinstance(value, (bool, np.bool_)):
        return Mismatch("type", f"expected True or False, got {describe(value)}")
    return None if bool(value) == bool(expected) else Mismatch("value", "that is not right")


def _compare_tensor(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    if not _is_tensor(value):
        return Mismatch(
            "type",
            f"expected a torch tensor, got {describe(value)} "
            "(`torch.tensor(...)` or `torch.from_numpy(...)` makes one)",
        )
    return _compare_array(value, expected, tol)


def _compare_array(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    want = _to_numpy(expected)
    wanted = f"expected an array of shape {_shape(want)}, got {describe(value)}"
    not_array = isinstance(value, (str, bytes, Mapping, set, frozenset)) or (
        callable(value) and not hasattr(value, "shape")
    )
    if value is None or not_array:
        return Mismatch("type", wanted)
    try:
        got = _to_numpy(value)
    except Exception:
        return Mismatch("type", f"{wanted} that is not one")
    if got.dtype == object:
        return Mismatch("type", f"{wanted} that does not make a regular array of numbers (rows of different lengths?)")
    if _shape(got) != _shape(want):
        if got.ndim == 0 and not hasattr(value, "shape"):
            return Mismatch("type", wanted)
        return Mismatch("shape", f"expected an array of shape {_shape(want)}, got shape {_shape(got)}")
    numeric = "biufc"
    if want.dtype.kind in numeric and got.dtype.kind not in numeric:
        return Mismatch("type", f"expected an array of numbers, got entries of type {got.dtype}")
    if want.size == 0:
        return None
    if want.dtype.kind in numeric:
        rel, abs_ = _tolerances(tol)
        same = np.isclose(got, want, rtol=rel, atol=abs_, equal_nan=True)
    else:
        same = np.asarray(got == want, dtype=bool)
    if bool(np.all(same)):
        return None
    if want.ndim == 0:
        return Mismatch("value", "the shape is right but the value is not")
    first = tuple(int(i) for i in np.argwhere(~same)[0])
    where = first[0] if len(first) == 1 else first
    return Mismatch(
        "value",
        f"the shape {_shape(want)} is right, but {int((~same).sum())} of {want.size} entries are "
        f"not (the first at index {where})",
    )


def _normal_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def _compare_string(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    if not isinstance(value, str):
        return Mismatch("type", f"expected text (a str), got {describe(value)}")
    if _normal_text(value) == _normal_text(expected):
        return None
    if not value.strip():
        return Mismatch("value", "your text is empty")
    return Mismatch("value", f"{short(value, 50)} is not the expected answer")


def _as_items(value: Any) -> list | None:
    """The items of a list-like value, or None when it is not one."""
    if _is_tensor(value) or isinstance(value, np.ndarray):
        array = _to_numpy(value)
        return None if array.ndim == 0 else array.tolist()
    return list(value) if isinstance(value, (list, tuple, range)) else None


def _compare_items(pairs: Iterator[tuple[str, Any, Any]], tol: float | None) -> Mismatch | None:
    for where, got, want in pairs:
        mismatch = compare(got, want, tol, None)
        if mismatch is not None:
            mismatch.where = f"[{where}]{mismatch.where}"
            return mismatch
    return None


def _compare_sequence(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    items = _as_items(value)
    if items is None:
        return Mismatch("type", f"expected a list of {len(expected)} items, got {describe(value)}")
    if len(items) != len(expected):
        return Mismatch("shape", f"expected {len(expected)} items, got {len(items)}")
    return _compare_items(((str(i), got, want) for i, (got, want) in enumerate(zip(items, expected))), tol)


def _set_item(item: Any) -> Any:
    if isinstance(item, str):
        return _normal_text(item)
    return item.item() if isinstance(item, np.generic) else item


def _compare_set(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    items = list(value) if isinstance(value, (set, frozenset)) else _as_items(value)  # order and repeats: no matter
    if items is None:
        return Mismatch("type", f"expected a set (or list) of items, got {describe(value)}")
    try:
        got = {_set_item(item) for item in items}
    except TypeError:
        return Mismatch("type", "its items must be simple values such as numbers or strings")
    want = {_set_item(item) for item in expected}
    missing, extra = want - got, got - want
    parts = [f"{len(missing)} expected item{'s are' if len(missing) > 1 else ' is'} missing"] if missing else []
    if extra:
        parts.append(f"{', '.join(sorted(short(item, 30) for item in extra))} should not be there")
    return Mismatch("value", "; ".join(parts)) if parts else None


def _compare_dict(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    if not isinstance(value, Mapping):
        return Mismatch("type", f"expected a dict, got {describe(value)}")
    missing = [short(key, 30) for key in expected if key not in value]
    extra = [short(key, 30) for key in value if key not in expected]
    parts = [
        f"{label} keys: {', '.join(keys)}" for label, keys in (("missing", missing), ("unexpected", extra)) if keys
    ]
    if parts:
        return Mismatch("shape", "; ".join(parts))
    return _compare_items(((repr(key), value[key], want) for key, want in expected.items()), tol)


def _compare_exact(value: Any, expected: Any, tol: float | None) -> Mismatch | None:
    try:
        same = value == expected
        same = bool(np.all(same)) if hasattr(same, "shape") else bool(same)
    except Exception:
        same = False
    if same:
        return None
    if type(value) is not type(expected):
        return Mismatch("type", f"expected {describe(expected)}, got {describe(value)}")
    return Mismatch("value", f"{short(value, 50)} is not right")


_COMPARERS = {
    "number": _compare_number,
    "bool": _compare_bool,
    "array": _compare_array,
    "tensor": _compare_tensor,
    "string": _compare_string,
    "sequence": _compare_sequence,
    "set": _compare_set,
    "dict": _compare_dict,
    "exact": _compare_exact,
}


# ============================================================================ a problem's arguments


def check_name(name: Any, argument: str) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise TypeError(f"{argument} must be a Python variable name (a str), got {name!r}")
    return name


#: The rules of ``tol`` and ``kind``, shared by :func:`compare_values` and the problems.
TOL = validation.optional(validation.rule(validation.number, low=0))
KIND = validation.optional(validation.rule(validation.choice, options=_COMPARERS, ignore_case=False))


def check_hints(hint: Any) -> tuple[str, ...]:
    if not isinstance(hint, (str, list, tuple)):
        raise TypeError(f"hint must be a str or a list of str, got {describe(hint)}")
    hints = (hint,) if isinstance(hint, str) else tuple(hint)
    if not all(isinstance(h, str) and h.strip() for h in hints):
        raise TypeError("hint must be a str or a list of non-empty str")
    return hints


# ============================================================================ running the learner's code

#: Seconds one check may take with the learner's code in it; then it stops with a verdict
#: (an endless loop must not leave ``check()`` or ``grades()`` waiting forever).
TIME_LIMIT_S = 10.0


class OutOfTime(BaseException):
    """Raised in the learner's code past :data:`TIME_LIMIT_S` (a BaseException: ``except Exception`` misses it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`OutOfTime` in the running code after ``seconds``.

    In the main thread of Linux or macOS (a notebook kernel) a timer signal does it, which stops a
    loop and a blocking call alike; an outer timer is put back. Elsewhere (another thread; Windows)
    a timer thread raises it with CPython's ``PyThreadState_SetAsyncExc``: a Python loop stops at
    once, one long blocking call only when it returns; without that call (not CPython) there is no limit.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _signal_limit(seconds):
            yield
    else:
        with _thread_limit(seconds):
            yield


@contextmanager
def _signal_limit(seconds: float) -> Iterator[None]:
    def out_of_time(signum: int, frame: Any) -> None:
        raise OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    outer, _ = signal.setitimer(signal.ITIMER_REAL, seconds)
    started = time.monotonic()
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
        if outer:  # what was left of it, or at once when it ran out meanwhile
            signal.setitimer(signal.ITIMER_REAL, max(outer - (time.monotonic() - started), 1e-6))


def _raise_in_thread(ident: int, exc_type: type[BaseException] | None) -> bool:
    """Have the thread ``ident`` raise ``exc_type`` at its next step (None: take back one not yet raised)."""
    try:
        set_async_exc = ctypes.pythonapi.PyThreadState_SetAsyncExc
    except AttributeError:  # not CPython
        return False
    return set_async_exc(ctypes.c_ulong(ident), ctypes.py_object(exc_type) if exc_type else None) == 1


@contextmanager
def _thread_limit(seconds: float) -> Iterator[None]:
    ident, lock = threading.get_ident(), threading.Lock()
    state = {"over": False, "fired": False}

    def out_of_time() -> None:
        with lock:
            if not state["over"]:
                state["fired"] = _raise_in_thread(ident, OutOfTime)

    timer = threading.Timer(seconds, out_of_time)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["over"] = True
            if state["fired"]:  # raised already, or still waiting: then it is taken back here
                _raise_in_thread(ident, None)
        timer.cancel()


def learner_location(exc: BaseException, namespace: Mapping) -> str:
    """Where in the learner's code (``namespace``'s functions) ``exc`` was raised; '' when not there."""
    tb, where = exc.__traceback__, ""
    while tb is not None:
        if tb.tb_frame.f_globals is namespace:
            name = tb.tb_frame.f_code.co_name
            where = f" (line {tb.tb_lineno})" if name.startswith("<") else f" (in `{name}`, line {tb.tb_lineno})"
        tb = tb.tb_next
    return where


def plain_answer(value: Any, depth: int = 3) -> Any:
    """``value`` in its ordinary Python form: a NumPy scalar or 0-d array becomes a Python
    number (or bool), also inside short lists, tuples, sets and dicts; anything else is kept."""
    if isinstance(value, np.generic) or (isinstance(value, np.ndarray) and value.ndim == 0):
        return value.item()
    if depth == 0 or type(value) not in (dict, list, tuple, set, frozenset) or len(value) > 64:
        return value
    if type(value) is dict:
        return {plain_answer(k, depth - 1): plain_answer(v, depth - 1) for k, v in value.items()}
    return type(value)(plain_answer(item, depth - 1) for item in value)


def answer_items(text: str) -> list[str]:
    """The items of a list written as text: ``"a, c and e"``, ``"a,c,e"``, ``"A & C"``."""
    return [t for t in re.split(r"[\s,;/+&]+|\band\b", text, flags=re.IGNORECASE) if t.strip("()[].:")]


def lookup(namespace: Mapping, name: str, *, none: bool = False) -> Any:
    """The learner's variable in its ordinary form (:func:`plain_answer`); stops the check when it
    is not set, still holds a placeholder, or is None (unless ``none``)."""
    if name not in namespace:
        message = f"`{name}` is not defined yet: run the cell where you set it, then check again."
        raise stop(NOT_ATTEMPTED, message, "missing")
    value = namespace[name]
    if value is BLANK:
        message = f"`{name}` is still the placeholder `____`: replace it with your answer and run that cell again."
        raise stop(NOT_ATTEMPTED, message, "placeholder")
    if contains_blank(value):
        raise stop(NOT_ATTEMPTED, f"`{name}` still contains a placeholder `____`: fill in every blank.", "placeholder")
    if value is None and not none:
        message = f"`{name}` is None. If you set it from a function call, did that function forget `return`?"
        raise stop(INCORRECT, message, "none")
    return plain_answer(value)


def _safe_copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def call_learner(
    func: Callable, name: str, args: tuple, kwargs: Mapping, namespace: Mapping, *, allow_none: bool = False
) -> Any:
    """Call the learner's function on copies of the arguments; stop with a one-line message on any problem."""
    call = call_repr(name, args, kwargs)
    unwritten = f"`{name}` still raises NotImplementedError: write its body, run the cell, then check again."
    try:
        result = func(*_safe_copy(args), **_safe_copy(dict(kwargs)))
    except NotImplementedError:
        raise stop(NOT_ATTEMPTED, unwritten, "placeholder") from None
    except Exception as exc:
        if isinstance(exc, NameError) and "'____'" in str(exc):
            raise stop(
                NOT_ATTEMPTED, f"`{name}` still uses the placeholder `____`: fill it in.", "placeholder"
            ) from None
        where = learner_location(exc, namespace)
        raise stop(
            INCORRECT, f"your function raised {one_line(exc)} when called as `{call}`{where}.", "exception"
        ) from None
    if contains_blank(result):
        message = f"`{name}` still returns the placeholder `____`: write its body, run the cell, then check again."
        raise stop(NOT_ATTEMPTED, message, "placeholder")
    if result is None and not allow_none:
        raise stop(INCORRECT, f"`{call}` returned None: did you forget `return`?", "none")
    return result


def explain(explain_wrong: Callable | None, value: Any) -> str:
    """The problem's specific advice for a wrong value ('' when none or when it fails)."""
    try:
        advice = None if explain_wrong is None else explain_wrong(value)
    except Exception:
        return ""
    return f" {advice.strip()}" if isinstance(advice, str) and advice.strip() else ""


def run_checker(checker: Callable, argument: Any, namespace: Mapping, success: str) -> CheckResult:
    """Run a checker callable and turn what it returned (None or a bool, a message, a result) into a result."""
    try:
        outcome = checker(argument)
    except AssertionError as exc:
        if learner_location(exc, namespace):
            raise
        lines = str(exc).strip().splitlines()  # first line: test runners append their own
        return CheckResult(INCORRECT, lines[0] if lines else "not quite: your answer does not pass the check.", "value")
    if outcome is None or outcome is True:
        return CheckResult(CORRECT, success)
    if outcome is False:
        return CheckResult(INCORRECT, "not quite: your answer does not pass the check.", "value")
    if isinstance(outcome, str):
        return CheckResult(INCORRECT, outcome, "value")
    if isinstance(outcome, CheckResult):
        return outcome
    raise TypeError(f"a checker must return None, a bool, a str or a CheckResult, got {describe(outcome)}")
