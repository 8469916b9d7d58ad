"""Running the learner's code without showing a traceback."""

from __future__ import annotations

import copy
import ctypes
import re
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import numpy as np

from .describing import _call_repr, _describe, _one_line
from .results import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED, CheckResult, _contains_blank, _stop

# ============================================================================ learner code

#: Seconds one check may take with the learner's code in it; then it stops with a verdict
#: (an endless loop must not leave ``check()`` or ``grades()`` waiting forever).
TIME_LIMIT_S = 10.0


class _OutOfTime(BaseException):
    """Raised in the learner's code when a check runs past :data:`TIME_LIMIT_S` (a BaseException, so
    that the learner's ``except Exception`` does not swallow it)."""


@contextmanager
def _time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`_OutOfTime` in the running code after ``seconds``.

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
    """:func:`_time_limit` by the timer signal (the main thread of a POSIX system)."""

    def stop(signum: int, frame: Any) -> None:
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, stop)
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
    """:func:`_time_limit` by a timer thread that raises in this thread (any thread, any system)."""
    ident = threading.get_ident()
    lock = threading.Lock()
    state = {"over": False, "fired": False}

    def stop() -> None:
        with lock:
            if not state["over"]:
                state["fired"] = _raise_in_thread(ident, _OutOfTime)

    timer = threading.Timer(seconds, stop)
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


def _lookup(namespace: Mapping, name: str) -> Any:
    """The learner's variable in its ordinary form (:func:`plain_answer`), or stop with 'not attempted'."""
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
    return plain_answer(value)


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


