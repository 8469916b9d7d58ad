""":class:`CustomProblem` (any check), and what a learner's function uses
(:func:`names_used`, :func:`functions_used`)."""

from __future__ import annotations

import types
import warnings
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .comparing import _check_callable, _check_name, _check_text
from .describing import _describe
from .learner_code import _lookup, _run_checker
from .problems import Problem
from .results import CheckResult


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
    attempted"); the checker reads them in their ordinary form (a NumPy number as a Python
    one). Exceptions raised inside the learner's own code are reported as theirs.
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
        answers = {name: _lookup(namespace, name) for name in self.variables}
        view = {**namespace, **answers}  # the checker reads the answers in their ordinary form
        return _run_checker(self.check, view, namespace, self.success)


