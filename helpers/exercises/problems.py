"""The problem kinds: :class:`Problem`, :class:`ValueProblem` (a variable) and :class:`FunctionProblem` (a function)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from . import learner_code
from .comparing import _check_callable, _check_hints, _check_kind, _check_name, _check_text, _check_tol, _compare
from .describing import _call_repr, _describe, _one_line, _short
from .learner_code import (
    _call_learner,
    _explain,
    _in_learner_code,
    _learner_location,
    _lookup,
    _OutOfTime,
    _run_checker,
    _time_limit,
)
from .results import (
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    CheckResult,
    Incorrect,
    NotAttempted,
    _contains_blank,
    _Early,
    _stop,
)

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
        limit = learner_code.TIME_LIMIT_S
        try:
            with _time_limit(limit):
                result = self._evaluate(namespace)
        except _OutOfTime:
            result = CheckResult(
                INCORRECT, f"checking stopped after {limit:g} s with your code still running: is there a loop "
                "that never ends?", "timeout")
        except SystemExit:
            result = CheckResult(
                INCORRECT, "your code called sys.exit() (or exit()), which would end the notebook: return a "
                "value instead.", "exception")
        except KeyboardInterrupt:
            result = CheckResult(INCORRECT, "your code was interrupted (KeyboardInterrupt) before the check "
                                 "finished: run the check again.", "exception")
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


