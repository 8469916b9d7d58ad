"""Binding problems to a notebook (``ex = bind(...)``, ``ex.q1.check()``), recording checks in
the learner's progress and showing it (the store itself is :mod:`helpers.progress`), and
running the official solutions."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import Any

from helpers import classroom
from helpers.progress import load_progress, normal_entry, update_entry, where_progress_is_kept

from .checking import BLANK, CORRECT, ERROR, INCORRECT, CheckResult, check_name, describe, one_line
from .feedback import TITLES, Feedback, capitalised, show
from .problems import Problem

# ============================================================================ binding


def _named(problems: Any) -> list[tuple[str, Problem]]:
    if isinstance(problems, Mapping):
        items = list(problems.items())
    elif isinstance(problems, (list, tuple)):
        items = [(f"q{i}", p) for i, p in enumerate(problems, start=1)]
    else:
        raise TypeError(
            f"problems must be a dict {{name: Problem}} or a list of Problem, got {describe(problems)}"
        )
    for name, problem in items:
        check_name(name, "problems: each name")
        if name.startswith("_"):
            raise ValueError(f"problems: names must not start with '_', got {name!r}")
        if not isinstance(problem, Problem):
            raise TypeError(f"problems[{name!r}] must be a Problem, got {describe(problem)}")
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
            tone, label = TITLES[result.status]
            body = capitalised(result.message) + (f"\n{note}" if note else "")
            if result.status == INCORRECT and self.problem.hints and self._hints_shown == 0:
                body += f"\nStuck? `{self._handle}.hint()` gives a hint."
            show(Feedback(tone, f"{self.name}: {label}", body))
        except Exception as exc:  # last resort: never a traceback in the notebook
            print(f"{self.name}: the checker hit an internal error (please report it): {one_line(exc)}")

    def hint(self) -> None:
        """Show the next hint (one more each call)."""
        try:
            hints = self.problem.hints[:classroom.hints_allowed(len(self.problem.hints))]
            then = ("your instructor can help with the rest" if classroom.teacher_mode()
                    else f"`{self._handle}.solution()` shows the answer")
            if not hints:
                show(Feedback("info", f"{self.name}: Hint", f"No hint for this one; {then}."))
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
            show(Feedback("info", f"{self.name}: Hint {number} of {len(hints)}",
                           body + (f"\n{note}" if note else "")))
        except Exception as exc:
            print(f"{self.name}: the hint could not be shown (please report it): {one_line(exc)}")

    def solution(self) -> None:
        """Show the official solution and record that it was viewed."""
        try:
            if withheld := classroom.solution_withheld(self._handle):
                show(Feedback("info", f"{self.name}: Solution", withheld))
                return
            text, code = self.problem.solution_parts()

            def change(entry: dict) -> None:
                entry["solution_viewed"] = True

            note = _update(self.notebook, self.name, change)
            body = text + (f"\n{note}" if note else "")
            show(Feedback("info", f"{self.name}: Solution", body.strip(), code=code))
        except Exception as exc:
            print(f"{self.name}: the solution could not be shown (please report it): {one_line(exc)}")

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
            where = f"(Progress could not be read: {one_line(exc)}.)"
        labels = {"solved": "solved", "attempted": "tried", "not_attempted": "not tried yet"}
        table = [["exercise", "status", "checks", "hints", "solution viewed"]]
        for row in rows:
            table.append([row["question"], labels[row["status"]], str(row["attempts"]),
                          str(row["hints_viewed"]), "yes" if row["solution_viewed"] else "no"])
        solved = sum(row["status"] == "solved" for row in rows)
        tone = "correct" if rows and solved == len(rows) else "info"
        show(Feedback(tone, f"{self.notebook}: {solved} of {len(rows)} solved", where, table=table))

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
        raise TypeError(f"namespace must be a dict such as globals(), got {describe(namespace)}")
    items = _named(problems)
    for name, _ in items:
        if name in _RESERVED:
            raise ValueError(f"problems: the name {name!r} is taken by Exercises; choose another")
    _BOUND[notebook] = [name for name, _ in items]
    return Exercises(notebook, {n: Question(notebook, n, p, namespace) for n, p in items})


# ============================================================================ official solutions


def run_official_solution(
    problem: Problem, extra_namespace: Mapping[str, Any] | None = None
) -> CheckResult:
    """Run ``problem.solution_code`` in a fresh namespace (plus ``extra_namespace``) and check it."""
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {describe(problem)}")
    namespace: dict[str, Any] = {"__name__": "__solution__", "____": BLANK, "BLANK": BLANK}
    namespace.update(extra_namespace or {})
    code = problem.solution_code
    if not code.strip():
        return CheckResult(ERROR, "this problem has no solution code to run.", "internal")
    try:
        exec(compile(code, "<official solution>", "exec"), namespace)
    except Exception as exc:
        return CheckResult(ERROR, f"the official solution raised {one_line(exc)}", "internal")
    return problem.evaluate(namespace)


def run_official_solutions(
    problems: Mapping[str, Problem] | list[Problem],
    extra_namespace: Mapping[str, Any] | None = None,
) -> dict[str, CheckResult]:
    """:func:`run_official_solution` for each problem, by question name (q1, q2 ... for a list)."""
    return {name: run_official_solution(p, extra_namespace) for name, p in _named(problems)}


# ============================================================================ progress
# The store (where, load, save, export, import) is helpers.progress; here it is shown.


def _update(notebook: str, question: str, change: Callable[[dict], None]) -> str:
    """Apply ``change`` to one entry and save; returns a note when it could not be saved."""
    try:
        return update_entry(notebook, question, change)
    except Exception as exc:
        return f"(Your progress could not be saved: {one_line(exc)}.)"


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
        data, where = {}, f"(Progress could not be read: {one_line(exc)}.)"
    notebooks = sorted(set(data) | set(_BOUND))
    if not notebooks:
        show(Feedback("info", "Progress", f"nothing recorded yet. {where}"))
        return
    rows = [["notebook", "solved", "attempted", "solutions viewed"]]
    for notebook in notebooks:
        entries = data.get(notebook, {})
        total = len(set(_BOUND.get(notebook, [])) | set(entries))
        solved = sum(e["status"] == "solved" for e in entries.values())
        attempted = sum(e["status"] == "attempted" for e in entries.values())
        viewed = sum(e["solution_viewed"] for e in entries.values())
        rows.append([notebook, f"{solved} of {total}", str(attempted), str(viewed)])
    show(Feedback("info", "Progress", where, table=rows))
