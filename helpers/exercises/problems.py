"""The problem kinds: :class:`ValueProblem` (a variable), :class:`FunctionProblem` (a function),
:class:`ChoiceProblem` (single or multiple choice), :class:`CustomProblem` (any check), the
ungraded :class:`Reflection`, and what a learner's function uses (:func:`names_used`,
:func:`functions_used`)."""

from __future__ import annotations

import importlib
import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from helpers import validation

from . import checking
from .checking import (
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    NOTED,
    CheckResult,
    EarlyResult,
    Feedback,
    Incorrect,
    NotAttempted,
    OutOfTime,
    answer_items,
    call_learner,
    call_repr,
    capitalised,
    check_hints,
    check_name,
    compare,
    contains_blank,
    describe,
    explain,
    learner_location,
    lookup,
    one_line,
    run_checker,
    short,
    show,
    stop,
    time_limit,
)

_TEXT = validation.rule(validation.text, allow_empty=True)
_EXITED = "your code called sys.exit() (or exit()), which would end the notebook: return a value instead."
_INTERRUPTED = "your code was interrupted (KeyboardInterrupt) before the check finished: run the check again."


class Problem:
    """Base class of the problems: hints, solution, and a never-raising :meth:`evaluate`.

    Every kind takes ``hint`` (a str or a list), ``solution`` (code; optional for a choice)
    and ``explanation`` (shown with the solution and once the answer is right).
    """

    solution_required = True

    def __init__(
        self, *, hint: str | list[str] = (), solution: str | None = None, explanation: str | None = None
    ) -> None:
        self.hints: tuple[str, ...] = check_hints(hint)
        self._solution = (_TEXT if self.solution_required else validation.optional(_TEXT))(solution, "solution", {})
        self.explanation = validation.optional(_TEXT)(explanation, "explanation", {})

    @property
    def solution_code(self) -> str:
        """Python code that, run in a fresh namespace, answers the question."""
        return self._solution or ""

    def solution_parts(self) -> tuple[str, str | None]:
        """(text, code) shown by ``solution()``."""
        return (self.explanation or "", self.solution_code or None)

    def evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        """Check the answer in ``namespace``; never raises, never displays."""
        if not isinstance(namespace, Mapping):
            raise TypeError(f"namespace must be a dict such as globals(), got {describe(namespace)}")
        limit = checking.TIME_LIMIT_S
        try:
            with time_limit(limit):
                result = self._evaluate(namespace)
        except OutOfTime:
            message = (
                f"checking stopped after {limit:g} s with your code still running: is there a loop that never ends?"
            )
            result = CheckResult(INCORRECT, message, "timeout")
        except (SystemExit, KeyboardInterrupt) as exc:
            result = CheckResult(INCORRECT, _EXITED if isinstance(exc, SystemExit) else _INTERRUPTED, "exception")
        except EarlyResult as early:
            result = early.result
        except Incorrect as exc:
            result = CheckResult(INCORRECT, str(exc).strip() or "not quite.", "value")
        except NotAttempted as exc:
            result = CheckResult(NOT_ATTEMPTED, str(exc).strip() or "not attempted yet.", "placeholder")
        except Exception as exc:
            if where := learner_location(exc, namespace):
                result = CheckResult(INCORRECT, f"your code raised {one_line(exc)}{where}.", "exception")
            else:
                message = f"the checker hit an internal error (please report it): {one_line(exc)}"
                result = CheckResult(ERROR, message, "internal")
        if result.correct and self.explanation:
            result = CheckResult(CORRECT, f"{result.message} {self.explanation.strip()}", result.reason)
        return result

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        raise NotImplementedError

    def __repr__(self) -> str:
        name = getattr(self, "var", None) or getattr(self, "func_name", None)
        return f"{type(self).__name__}({name!r})" if name else f"{type(self).__name__}()"


class _Compared(Problem):
    """A problem whose answers are compared with expected values (``tol``, ``kind``, ``explain_wrong``)."""

    def __init__(self, *, tol: float | None, kind: str | None, explain_wrong: Callable | None, **common: Any) -> None:
        super().__init__(**common)
        self.tol, self.kind = checking.TOL(tol, "tol", {}), checking.KIND(kind, "kind", {})
        self.explain_wrong = validation.callable_or_none(explain_wrong, "explain_wrong")


class ValueProblem(_Compared):
    """The learner sets a variable; it is compared with ``expected``.

    ``expected`` may also be a callable ``namespace -> value`` when the right value depends
    on the notebook's data. Numbers are compared with a tolerance (``tol``: absolute; by
    default relative 1e-5), arrays and tensors by shape then values, strings ignoring case
    and spacing, lists item by item, sets ignoring order. ``explain_wrong(value)`` may
    return advice for a typical mistake (or None).
    """

    def __init__(
        self,
        var: str,
        expected: Any,
        *,
        tol: float | None = None,
        kind: str | None = None,
        explain_wrong: Callable[[Any], str | None] | None = None,
        **common: Any,
    ) -> None:
        super().__init__(tol=tol, kind=kind, explain_wrong=explain_wrong, **common)
        self.var = check_name(var, "var")
        if contains_blank(expected):
            raise TypeError("expected must be the right answer, not the placeholder ____")
        self.expected = expected

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        value, expected = lookup(namespace, self.var), self.expected
        if callable(expected) and not isinstance(expected, type) and not hasattr(expected, "shape"):
            expected = expected(namespace)
        mismatch = compare(value, expected, self.tol, self.kind)
        if mismatch is None:
            return CheckResult(CORRECT, f"`{self.var}` is right.")
        message = f"`{self.var}`: {mismatch.message()}.{explain(self.explain_wrong, value)}"
        return CheckResult(INCORRECT, message, mismatch.reason)


class FunctionProblem(_Compared):
    """The learner writes a function; it is called on test cases.

    ``cases`` is a list of ``(args, kwargs, expected)`` or ``(args, expected)`` with
    ``args`` a tuple, or a checker callable that receives the learner's function (wrapped
    so that its exceptions, a ``None`` return and the placeholder are reported well) and
    returns or raises like :class:`CustomProblem`'s. Arguments are deep-copied for every call.
    """

    def __init__(
        self,
        func_name: str,
        cases: list[tuple] | Callable[[Callable], Any],
        *,
        tol: float | None = None,
        kind: str | None = None,
        explain_wrong: Callable[[Any], str | None] | None = None,
        allow_none: bool = False,
        **common: Any,
    ) -> None:
        super().__init__(tol=tol, kind=kind, explain_wrong=explain_wrong, **common)
        self.func_name = check_name(func_name, "func_name")
        self.allow_none = validation.boolean(allow_none, "allow_none")
        self.checker: Callable | None = cases if callable(cases) else None
        if self.checker is None and not (isinstance(cases, (list, tuple)) and cases):
            raise TypeError(
                "cases must be a non-empty list of (args, kwargs, expected) or a checker callable, "
                f"got {describe(cases)}"
            )
        self.cases = [] if self.checker is not None else [self._case(i, case) for i, case in enumerate(cases)]

    @staticmethod
    def _case(index: int, case: Any) -> tuple[tuple, dict, Any]:
        if not isinstance(case, tuple) or len(case) not in (2, 3):
            raise TypeError(f"cases[{index}] must be a tuple (args, kwargs, expected) or (args, expected)")
        args, kwargs, expected = case if len(case) == 3 else (case[0], {}, case[1])
        if not isinstance(args, tuple):
            raise TypeError(f"cases[{index}]: args must be a tuple, got {describe(args)}")
        if not isinstance(kwargs, dict) or not all(isinstance(k, str) for k in kwargs):
            raise TypeError(f"cases[{index}]: kwargs must be a dict, got {describe(kwargs)}")
        if contains_blank(expected):
            raise TypeError(f"cases[{index}]: expected must not be the placeholder ____")
        return args, kwargs, expected

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        name = self.func_name
        func = lookup(namespace, name)
        if not callable(func):
            return CheckResult(INCORRECT, f"`{name}` should be a function, got {describe(func)}.", "type")
        if self.checker is not None:

            def wrapped(*args: Any, **kwargs: Any) -> Any:
                return call_learner(func, name, args, kwargs, namespace, allow_none=self.allow_none)

            wrapped.__name__, wrapped.__wrapped__ = name, func  # type: ignore[attr-defined]
            return run_checker(self.checker, wrapped, namespace, f"`{name}` passes the checks.")
        for args, kwargs, expected in self.cases:
            result = call_learner(func, name, args, kwargs, namespace, allow_none=self.allow_none or expected is None)
            mismatch = compare(result, expected, self.tol, self.kind)
            if mismatch is not None:
                message = (
                    f"for `{call_repr(name, args, kwargs)}` your function returned {short(result, 60)}: "
                    f"{mismatch.message()}.{explain(self.explain_wrong, result)}"
                )
                return CheckResult(INCORRECT, message, mismatch.reason)
        count = len(self.cases)
        return CheckResult(CORRECT, f"`{name}` passes all {count} test case{'s' * (count != 1)}.")


def _choice_key(key: Any) -> str:
    return str(key).strip().strip("()[].:").strip().casefold()


class ChoiceProblem(Problem):
    """Single or multiple choice. ``options`` maps each key to ``(correct, explanation)``.

    Keys are matched ignoring case and brackets (``"B"``, ``"(b)"``). With
    ``multiple=True`` the answer may be a list, a set or a string such as ``"a, c and e"``.
    Each wrongly chosen option is explained; missing correct options are counted, not named.
    With ``multiple=True`` an option may also be ``(None, explanation)``: a borderline option
    that may be picked or left out; its explanation is shown either way once the rest is right.
    """

    solution_required = False

    def __init__(
        self, var: str, options: Mapping[Any, tuple[bool | None, str]], *, multiple: bool = False, **common: Any
    ) -> None:
        super().__init__(**common)
        self.var = check_name(var, "var")
        self.multiple = validation.boolean(multiple, "multiple")
        if not isinstance(options, Mapping) or not options:
            raise TypeError("options must be a non-empty dict {key: (correct, explanation)}")
        self.options: dict[Any, tuple[bool | None, str]] = {}
        self._keys: dict[str, Any] = {}
        for key, entry in options.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool) or not _choice_key(key):
                raise TypeError(f"options: keys must be short str or int, got {key!r}")
            ok = isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[1], str)
            if not (ok and (isinstance(entry[0], bool) or (entry[0] is None and multiple))):
                borderline = " or (None, explanation) for a borderline option" if multiple else ""
                raise TypeError(f"options[{key!r}] must be a tuple (correct: bool, explanation: str){borderline}")
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
        return f"{self.var} = {self.correct_keys if self.multiple else self.correct_keys[0]!r}"

    def solution_parts(self) -> tuple[str, str | None]:
        lines = [self._solution] if self._solution else []
        for key, (ok, why) in self.options.items():
            verdict = "borderline (either answer is accepted)" if ok is None else "right" if ok else "wrong"
            lines.append(f"({key}) {verdict}: {why}")
        if self.explanation:
            lines.append(self.explanation)
        return ("\n".join(lines), self.solution_code)

    def _parse(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            tokens = [t for t in answer_items(value) if _choice_key(t)]
            if self.multiple and len(tokens) == 1 and _choice_key(tokens[0]) not in self._keys:
                if all(ch in self._keys for ch in _choice_key(tokens[0])):  # "ace"
                    tokens = list(_choice_key(tokens[0]))
        elif isinstance(value, int) and not isinstance(value, bool):
            tokens = [value]
        elif isinstance(value, (list, tuple, set, frozenset)):
            tokens = list(value)
        else:
            keys = "option keys" if self.multiple else "an option key"
            message = f"`{self.var}` should be {keys} such as {next(iter(self.options))!r}, got {describe(value)}."
            raise stop(INCORRECT, message, "type")
        if not tokens:
            raise stop(NOT_ATTEMPTED, f"`{self.var}` is empty: pick an option.", "placeholder")
        chosen = []
        for token in tokens:
            if not isinstance(token, (str, int)) or _choice_key(token) not in self._keys:
                labels = ", ".join(str(key) for key in self.options)
                raise stop(INCORRECT, f"{short(token, 30)} is not one of the options; choose from {labels}.", "choice")
            if (key := self._keys[_choice_key(token)]) not in chosen:
                chosen.append(key)
        return chosen

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        chosen = self._parse(lookup(namespace, self.var))
        if not self.multiple:
            if len(chosen) > 1:
                message = f"`{self.var}`: choose exactly one option (this question has one answer)."
                return CheckResult(INCORRECT, message, "type")
            ok, why = self.options[chosen[0]]
            if ok:
                return CheckResult(CORRECT, f"({chosen[0]}) is right: {why}")
            return CheckResult(INCORRECT, f"({chosen[0]}) is not the answer: {why}", "value")
        wrong = [key for key in chosen if self.options[key][0] is False]
        missing = [key for key in self.correct_keys if key not in chosen]
        if not wrong and not missing:
            text = "you picked exactly the right options. " + self._reasons(self.correct_keys)
            if self.borderline_keys:
                text += " Borderline, either way: " + self._reasons(self.borderline_keys)
            return CheckResult(CORRECT, text)
        lines = [f"({key}) is not right: {self.options[key][1]}" for key in wrong]
        if missing:
            right = [key for key in chosen if self.options[key][0] is True]
            still = f"{len(missing)} correct option{'s are' if len(missing) > 1 else ' is'} still missing."
            if right and not wrong:
                still = f"{', '.join(f'({k})' for k in right)} {'are' if len(right) > 1 else 'is'} right, but {still}"
            lines.append(still)
        return CheckResult(INCORRECT, "\n".join(lines), "value")

    def _reasons(self, keys: list[Any]) -> str:
        return " ".join(f"({key}) {self.options[key][1]}" for key in keys)


class CustomProblem(Problem):
    """Anything else: ``check(namespace)`` decides.

    The checker returns None or True (right), a message or False (wrong), or a
    :class:`CheckResult`; it may raise :class:`Incorrect`, :class:`NotAttempted` or
    AssertionError(message). The names in ``variables`` must be set first (else "not
    attempted"); the checker reads them in their ordinary form (a NumPy number as a Python
    one). Exceptions raised inside the learner's own code are reported as theirs.
    """

    def __init__(
        self,
        check: Callable[[Mapping[str, Any]], Any],
        *,
        variables: str | Iterable[str] = (),
        success: str = "your answer passes the check.",
        **common: Any,
    ) -> None:
        super().__init__(**common)
        if not callable(check):
            validation.fail("check", "a function of the namespace", check, kind=validation.InvalidType)
        self.check = check
        if isinstance(variables, str):
            variables = (variables,)
        if not isinstance(variables, (list, tuple, set, frozenset)):
            raise TypeError(f"variables must be a str or a list of str, got {describe(variables)}")
        self.variables = tuple(check_name(v, "variables") for v in variables)
        self.success = validation.text(success, "success", allow_empty=True)

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        answers = {name: lookup(namespace, name, none=True) for name in self.variables}
        return run_checker(self.check, {**namespace, **answers}, namespace, self.success)


class Reflection:
    """A question answered in your own words: never graded, shown beside a model answer.

    Free text cannot be graded honestly by looking for words (an answer that says the
    opposite in the right words would pass), so ``compare(text)`` does not grade: it
    shows the learner's text, a model answer and ``points`` to compare the two by.
    """

    def __init__(self, model_answer: str, *, points: Iterable[str] = (), var: str = "my_answer") -> None:
        self.model_answer = validation.text(model_answer, "model_answer")
        self.points = check_hints(list(points)) if points else ()
        self.var = check_name(var, "var")

    def evaluate(self, answer: Any) -> CheckResult:
        """``not_attempted`` for a blank or empty answer, ``incorrect`` (type) for one that is
        not text, else ``noted`` with the model answer in the message."""
        if contains_blank(answer):
            message = (
                f"`{self.var}` is still the placeholder `____`: write your answer in quotes first; "
                "then this cell shows a model answer to compare it with."
            )
            return CheckResult(NOT_ATTEMPTED, message, "placeholder")
        if not isinstance(answer, str):
            return CheckResult(INCORRECT, f"`{self.var}` should be text in quotes, got {describe(answer)}.", "type")
        if not answer.strip():
            message = f"`{self.var}` is empty: write your answer in the quotes first."
            return CheckResult(NOT_ATTEMPTED, message, "placeholder")
        parts = [f"Your answer:\n{answer.strip()}", f"A model answer:\n{self.model_answer.strip()}"]
        if self.points:
            parts.append("Compare the two:\n" + "\n".join(f"- {point}" for point in self.points))
        return CheckResult(NOTED, "\n\n".join(parts), "reflection")

    def compare(self, answer: Any) -> None:
        """Show the comparison (or what is missing); records nothing, grades nothing."""
        try:
            result = self.evaluate(answer)
            tone, title = {
                NOTED: ("info", "Not graded: compare your answer with a model answer"),
                NOT_ATTEMPTED: ("not_attempted", "Not attempted yet"),
                INCORRECT: ("incorrect", "Not text"),
            }[result.status]
            show(Feedback(tone, title, capitalised(result.message)))
        except Exception as exc:  # never a traceback in the notebook
            print(f"the comparison could not be shown (please report it): {one_line(exc)}")

    def __repr__(self) -> str:
        return f"Reflection({self.var!r})"


# ============================================================================ what a learner's function uses


def _code_names(code: types.CodeType) -> set[str]:
    """The global and attribute names that ``code`` and the functions defined inside it use."""
    names: set[str] = set()
    stack = [code]
    while stack:
        current = stack.pop()
        names.update(current.co_names)
        stack += [c for c in current.co_consts if isinstance(c, types.CodeType)]
    return names


def _learner_functions(func: Callable) -> list[Any]:
    """``func`` and the learner's own functions it calls (same globals), up to three calls deep."""
    found: list[Any] = []
    queue = [(getattr(func, "__wrapped__", func), 0)]
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


def names_used(func: Callable) -> set[str]:
    """The global and attribute names in the code of ``func`` and of the learner's functions it calls.

    For ``return model.embed(x)`` that is ``{"embed"}`` (``model`` is a local name, not a global one).
    """
    return set().union(*(_code_names(function.__code__) for function in _learner_functions(func)))


def _attribute(obj: Any, name: str) -> Any:
    try:
        with warnings.catch_warnings():  # e.g. NumPy's warning about `np.str`
            warnings.simplefilter("ignore")
            return getattr(obj, name, None)
    except Exception:
        return None


def _target(target: Any) -> Any:
    """A function object, or the one that ``"module:name"`` names (None when it cannot be imported)."""
    if not isinstance(target, str):
        return target
    module, _, name = target.partition(":")
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        return None


def functions_used(func: Callable, targets: Mapping[str, Any]) -> list[str]:
    """The labels of ``targets`` (label -> a function, or ``"module:name"`` imported when it can be)
    that ``func``'s code refers to.

    Follows the names in the code of ``func`` (and of functions defined inside it, and of the
    learner's functions it calls) through the learner's globals and module attributes, so
    ``F.one_hot``, ``torch.nn.functional.one_hot`` and ``cosine_similarity as cs`` are all found.
    """
    wanted = {id(obj): label for label, target in targets.items() if (obj := _target(target)) is not None}
    found: list[str] = []
    for function in _learner_functions(func):
        names = _code_names(function.__code__)
        scope = getattr(function, "__globals__", {})
        seen = []
        for cell in getattr(function, "__closure__", None) or ():
            try:
                seen.append(cell.cell_contents)
            except ValueError:  # an empty cell
                pass
        globals_used = [scope[name] for name in names if name in scope]
        seen += globals_used
        frontier = [obj for obj in globals_used if isinstance(obj, (types.ModuleType, type))]
        for _ in range(3):  # module.attribute.attribute ...
            children = [child for obj in frontier for name in names if (child := _attribute(obj, name)) is not None]
            seen += children
            frontier = [child for child in children if isinstance(child, types.ModuleType)]
        for obj in seen:
            if (label := wanted.get(id(obj))) is not None and label not in found:
                found.append(label)
    return found
