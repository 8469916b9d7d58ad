"""Checking one answer: the placeholder ``____`` and :class:`CheckResult`, values described in
one short line, a value compared with the expected one (:func:`compare_values`), the
arguments a problem is written with, and the learner's code run with a time limit and its
mistakes reported without a traceback.

The names without an underscore that :mod:`helpers.exercises` does not export are shared
with the package's other modules (the problem kinds, feedback, binding), not with learners.
"""

from __future__ import annotations

import copy
import ctypes
import keyword
import math
import numbers
import re
import signal
import threading
import time
import types
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np

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


def contains_blank(value: Any, depth: int = 3) -> bool:
    if value is BLANK:
        return True
    if depth == 0:
        return False
    if not isinstance(value, (Mapping, list, tuple, set, frozenset)) or len(value) > 64:
        return False  # blanks sit in short literals; big data is never scanned
    items: Iterable = list(value.keys()) + list(value.values()) if isinstance(value, Mapping) else value
    return any(contains_blank(item, depth - 1) for item in items)


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


class EarlyResult(Exception):
    """Stops a check early with a finished result."""

    def __init__(self, result: CheckResult) -> None:
        super().__init__(result.message)
        self.result = result


def stop(status: str, message: str, reason: str | None = None) -> EarlyResult:
    return EarlyResult(CheckResult(status, message, reason))




def _truncate(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# ============================================================================ describing values


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
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def short(value: Any, limit: int = 70) -> str:
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


def call_repr(name: str, args: tuple, kwargs: Mapping) -> str:
    parts = [short(arg, 40) for arg in args]
    parts += [f"{key}={short(val, 40)}" for key, val in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def one_line(exc: BaseException) -> str:
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


def compare(value: Any, expected: Any, tol: float | None, kind: str | None) -> _Mismatch | None:
    kind = kind or _infer_kind(expected)
    by_kind = {
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
    return by_kind(value, expected, tol)


def compare_values(
    value: Any, expected: Any, *, tol: float | None = None, kind: str | None = None
) -> str | None:
    """Compare a learner's value with the expected one, the way the problems do.

    Returns None when they match, else one sentence saying what is wrong (its type, its
    shape, which entries) without revealing the expected value. ``kind`` forces the
    comparison (one of number, bool, array, tensor, string, sequence, set, dict, exact);
    by default it follows the type of ``expected``.
    """
    mismatch = compare(value, expected, check_tol(tol), check_kind(kind))
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
        try:
            got = float(value)
        except OverflowError:
            return _Mismatch("value", "your value is too large for a float (beyond about 1.8e308): it is not "
                             "right")
        except Exception as error:  # noqa: BLE001 - the learner's own number type failed to convert
            return _Mismatch("type", f"expected a number, got {describe(value)} that cannot become one "
                             f"({type(error).__name__})")
    elif hasattr(value, "shape"):
        try:
            shape = _shape(value)
            if shape != ():
                text = f"expected a single number, got {describe(value)}"
                if int(np.prod(shape)) == 1:
                    text += "; `.item()` turns a one-element array or tensor into a number"
                return _Mismatch("type", text)
            got = float(_to_numpy(value))
        except Exception:  # noqa: BLE001 - anything array-like that does not give a number
            return _Mismatch("type", f"expected a number, got {describe(value)}")
    else:
        return _Mismatch("type", f"expected a number, got {describe(value)}")
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
        return _Mismatch("type", f"expected True or False, got {describe(value)}")
    return None if bool(value) == bool(expected) else _Mismatch("value", "that is not right")


def _compare_tensor(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not _is_tensor(value):
        return _Mismatch(
            "type",
            f"expected a torch tensor, got {describe(value)} "
            "(`torch.tensor(...)` or `torch.from_numpy(...)` makes one)",
        )
    return _compare_array(value, expected, tol)


def _compare_array(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    want = _to_numpy(expected)
    wanted = f"an array of shape {_shape(want)}"
    if value is None or isinstance(value, (str, bytes, Mapping, set, frozenset)):
        return _Mismatch("type", f"expected {wanted}, got {describe(value)}")
    if callable(value) and not hasattr(value, "shape"):
        return _Mismatch("type", f"expected {wanted}, got {describe(value)}")
    try:
        got = _to_numpy(value)
    except Exception:
        return _Mismatch("type", f"expected {wanted}, got {describe(value)} that is not one")
    if got.dtype == object:
        return _Mismatch(
            "type",
            f"expected {wanted}, got {describe(value)} that does not make a regular array "
            "of numbers (rows of different lengths?)",
        )
    if _shape(got) != _shape(want):
        if got.ndim == 0 and not hasattr(value, "shape"):
            return _Mismatch("type", f"expected {wanted}, got {describe(value)}")
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
        return _Mismatch("type", f"expected text (a str), got {describe(value)}")
    if _normal_text(value) == _normal_text(expected):
        return None
    if not value.strip():
        return _Mismatch("value", "your text is empty")
    return _Mismatch("value", f"{short(value, 50)} is not the expected answer")


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
            "type", f"expected a list of {len(expected)} items, got {describe(value)}"
        )
    if len(items) != len(expected):
        return _Mismatch("shape", f"expected {len(expected)} items, got {len(items)}")
    for index, (got, want) in enumerate(zip(items, expected, strict=True)):
        mismatch = compare(got, want, tol, None)
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
            return _Mismatch("type", f"expected a set (or list) of items, got {describe(value)}")
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
        listed = ", ".join(sorted(short(item, 30) for item in extra))
        parts.append(f"{listed} should not be there")
    return _Mismatch("value", "; ".join(parts))


def _compare_dict(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not isinstance(value, Mapping):
        return _Mismatch("type", f"expected a dict, got {describe(value)}")
    missing = [key for key in expected if key not in value]
    extra = [key for key in value if key not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing keys: " + ", ".join(short(k, 30) for k in missing))
        if extra:
            parts.append("unexpected keys: " + ", ".join(short(k, 30) for k in extra))
        return _Mismatch("shape", "; ".join(parts))
    for key, want in expected.items():
        mismatch = compare(value[key], want, tol, None)
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
        return _Mismatch("type", f"expected {describe(expected)}, got {describe(value)}")
    return _Mismatch("value", f"{short(value, 50)} is not right")


# ============================================================================ a problem's arguments


def check_name(name: Any, argument: str) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise TypeError(f"{argument} must be a Python variable name (a str), got {name!r}")
    return name


def check_tol(tol: Any) -> float | None:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a non-negative number or None, got {describe(tol)}")
    if not tol >= 0:
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    return float(tol)


def check_kind(kind: Any) -> str | None:
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be None or one of {', '.join(_KINDS)}, got {kind!r}")
    return kind


def check_text(value: Any, argument: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, got {describe(value)}")
    return value


def check_hints(hint: Any) -> tuple[str, ...]:
    if isinstance(hint, str):
        hints: Iterable = [hint]
    elif isinstance(hint, (list, tuple)):
        hints = hint
    else:
        raise TypeError(f"hint must be a str or a list of str, got {describe(hint)}")
    if not all(isinstance(h, str) and h.strip() for h in hints):
        raise TypeError("hint must be a str or a list of non-empty str")
    return tuple(hints)


def check_callable(value: Any, argument: str, *, optional: bool) -> Callable | None:
    if value is None and optional:
        return None
    if not callable(value):
        raise TypeError(f"{argument} must be callable, got {describe(value)}")
    return value


# ============================================================================ running the learner's code

#: Seconds one check may take with the learner's code in it; then it stops with a verdict
#: (an endless loop must not leave ``check()`` or ``grades()`` waiting forever).
TIME_LIMIT_S = 10.0


class OutOfTime(BaseException):
    """Raised in the learner's code when a check runs past :data:`TIME_LIMIT_S` (a BaseException, so
    that the learner's ``except Exception`` does not swallow it)."""


@contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`OutOfTime` in the running code after ``seconds``.

    In the main thread of Linux or macOS (a notebook kernel) a timer signal does it: it
    stops a loop and a blocking call (``time.sleep``, ``input``) alike. An outer timer is
    put back. Elsewhere (a check called from another thread; the main thread on Windows,
    which has no timer signal) a timer thread raises it in the checking thread with
    CPython's ``PyThreadState_SetAsyncExc``: a Python loop stops at once, but code blocked
    inside one long call (``time.sleep(3600)``, one huge NumPy operation) stops only when
    that call returns. On a Python without that call (not CPython) there is no limit there.
    """
    if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
        with _signal_limit(seconds):
            yield
    else:
        with _thread_limit(seconds):
            yield


@contextmanager
def _signal_limit(seconds: float) -> Iterator[None]:
    """:func:`time_limit` by the timer signal (the main thread of a POSIX system)."""

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
    """:func:`time_limit` by a timer thread that raises in this thread (any thread, any system)."""
    ident = threading.get_ident()
    lock = threading.Lock()
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


def in_learner_code(exc: BaseException, namespace: Mapping) -> bool:
    """True when the traceback passes through code defined in the learner's namespace."""
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_globals is namespace:
            return True
        tb = tb.tb_next
    return False


def learner_location(exc: BaseException, namespace: Mapping) -> str:
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


def lookup(namespace: Mapping, name: str) -> Any:
    """The learner's variable in its ordinary form (:func:`plain_answer`), or stop with 'not attempted'."""
    if name not in namespace:
        raise stop(
            NOT_ATTEMPTED,
            f"`{name}` is not defined yet: run the cell where you set it, then check again.",
            "missing",
        )
    value = namespace[name]
    if value is BLANK:
        raise stop(
            NOT_ATTEMPTED,
            f"`{name}` is still the placeholder `____`: replace it with your answer and run "
            "that cell again.",
            "placeholder",
        )
    if contains_blank(value):
        raise stop(
            NOT_ATTEMPTED, f"`{name}` still contains a placeholder `____`: fill in every blank.",
            "placeholder",
        )
    return plain_answer(value)


def _safe_copy(value: Any) -> Any:
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def call_learner(
    func: Callable, name: str, args: tuple, kwargs: Mapping, namespace: Mapping, *,
    allow_none: bool = False,
) -> Any:
    """Call the learner's function; stop with a one-line message on any problem."""
    call = call_repr(name, args, kwargs)
    try:
        result = func(*_safe_copy(args), **_safe_copy(dict(kwargs)))
    except NotImplementedError:
        raise stop(
            NOT_ATTEMPTED,
            f"`{name}` still raises NotImplementedError: write its body, run the cell, "
            "then check again.",
            "placeholder",
        ) from None
    except Exception as exc:
        if _mentions_placeholder(exc):
            raise stop(
                NOT_ATTEMPTED, f"`{name}` still uses the placeholder `____`: fill it in.",
                "placeholder",
            ) from None
        raise stop(
            INCORRECT,
            f"your function raised {one_line(exc)} when called as `{call}`"
            f"{learner_location(exc, namespace)}.",
            "exception",
        ) from None
    if contains_blank(result):
        raise stop(
            NOT_ATTEMPTED,
            f"`{name}` still returns the placeholder `____`: write its body, run the cell, "
            "then check again.",
            "placeholder",
        )
    if result is None and not allow_none:
        raise stop(
            INCORRECT, f"`{call}` returned None: did you forget `return`?", "none"
        )
    return result


def explain(explain_wrong: Callable | None, value: Any) -> str:
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
        f"a checker must return None, a bool, a str or a CheckResult, got {describe(outcome)}"
    )


def run_checker(checker: Callable, argument: Any, namespace: Mapping, success: str) -> CheckResult:
    try:
        outcome = checker(argument)
    except AssertionError as exc:
        if in_learner_code(exc, namespace):
            raise
        lines = str(exc).strip().splitlines()  # first line: test runners append their own
        text = lines[0] if lines else "not quite: your answer does not pass the check."
        return CheckResult(INCORRECT, text, "value")
    return _interpret(outcome, success)
