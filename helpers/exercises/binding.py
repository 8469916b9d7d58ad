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

from .checking import (
    BLANK,
    CORRECT,
    ERROR,
    INCORRECT,
    TITLES,
    CheckResult,
    Feedback,
    capitalised,
    check_name,
    describe,
    one_line,
    show,
)
from .problems import Problem

_BOUND: dict[str, list[str]] = {}  # notebook -> its question names, for the totals of show_progress()


def _named(problems: Any) -> list[tuple[str, Problem]]:
    if isinstance(problems, Mapping):
        items = list(problems.items())
    elif isinstance(problems, (list, tuple)):
        items = [(f"q{i}", p) for i, p in enumerate(problems, start=1)]
    else:
        raise TypeError(f"problems must be a dict {{name: Problem}} or a list of Problem, got {describe(problems)}")
    for name, problem in items:
        check_name(name, "problems: each name")
        if name.startswith("_"):
            raise ValueError(f"problems: names must not start with '_', got {name!r}")
        if not isinstance(problem, Problem):
            raise TypeError(f"problems[{name!r}] must be a Problem, got {describe(problem)}")
    return items


def _update(notebook: str, question: str, change: Callable[[dict], None]) -> str:
    """Apply ``change`` to one progress entry and save; a note when it could not be saved."""
    try:
        return update_entry(notebook, question, change)
    except Exception as exc:
        return f"(Your progress could not be saved: {one_line(exc)}.)"


def _with_note(text: str, note: str) -> str:
    return text + (f"\n{note}" if note else "")


class Question:
    """One exercise bound to a notebook (``ex.q1``): ``check()``, ``hint()``, ``solution()``."""

    def __init__(self, notebook: str, name: str, problem: Problem, namespace: Mapping) -> None:
        self.notebook, self.name, self.problem, self.namespace = notebook, name, problem, namespace
        self._hints_shown = 0

    @property
    def solution_code(self) -> str:
        return self.problem.solution_code

    def evaluate(self) -> CheckResult:
        """The result of checking, without display or progress."""
        return self.problem.evaluate(self.namespace)

    def check(self) -> None:
        """Check the answer, show the feedback and record progress."""
        try:
            result = self.evaluate()
            note = _record_check(self.notebook, self.name, result) if result.status in (CORRECT, INCORRECT) else ""
            tone, label = TITLES[result.status]
            body = _with_note(capitalised(result.message), note)
            if result.status == INCORRECT and self.problem.hints and self._hints_shown == 0:
                body += f"\nStuck? `ex.{self.name}.hint()` gives a hint."
            show(Feedback(tone, f"{self.name}: {label}", body))
        except Exception as exc:  # last resort: never a traceback in the notebook
            print(f"{self.name}: the checker hit an internal error (please report it): {one_line(exc)}")

    def hint(self) -> None:
        """Show the next hint (one more each call)."""
        try:
            hints = self.problem.hints[: classroom.hints_allowed(len(self.problem.hints))]
            then = (
                "your instructor can help with the rest"
                if classroom.teacher_mode()
                else f"`ex.{self.name}.solution()` shows the answer"
            )
            if not hints:
                return show(Feedback("info", f"{self.name}: Hint", f"No hint for this one; {then}."))
            self._hints_shown = number = min(self._hints_shown + 1, len(hints))
            body = hints[number - 1] + (f"\n(That is the last hint; {then}.)" if number == len(hints) else "")

            def change(entry: dict) -> None:
                entry["hints_viewed"] = max(entry["hints_viewed"], number)

            note = _update(self.notebook, self.name, change)
            show(Feedback("info", f"{self.name}: Hint {number} of {len(hints)}", _with_note(body, note)))
        except Exception as exc:
            print(f"{self.name}: the hint could not be shown (please report it): {one_line(exc)}")

    def solution(self) -> None:
        """Show the official solution and record that it was viewed."""
        try:
            if withheld := classroom.solution_withheld(f"ex.{self.name}"):
                return show(Feedback("info", f"{self.name}: Solution", withheld))
            text, code = self.problem.solution_parts()
            note = _update(self.notebook, self.name, lambda entry: entry.update(solution_viewed=True))
            show(Feedback("info", f"{self.name}: Solution", _with_note(text, note).strip(), code=code))
        except Exception as exc:
            print(f"{self.name}: the solution could not be shown (please report it): {one_line(exc)}")

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
            f"no exercise {name!r} in {self.__dict__.get('notebook')}; the exercises are: {', '.join(questions)}"
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
            rows, where = self.progress_summary(), where_progress_is_kept()
        except Exception as exc:  # progress is shown even when its store misbehaves
            rows = [{"question": name, **normal_entry()} for name in self._questions]
            where = f"(Progress could not be read: {one_line(exc)}.)"
        labels = {"solved": "solved", "attempted": "tried", "not_attempted": "not tried yet"}
        table = [["exercise", "status", "checks", "hints", "solution viewed"]]
        for row in rows:
            viewed = "yes" if row["solution_viewed"] else "no"
            table.append(
                [row["question"], labels[row["status"]], str(row["attempts"]), str(row["hints_viewed"]), viewed]
            )
        solved = sum(row["status"] == "solved" for row in rows)
        tone = "correct" if rows and solved == len(rows) else "info"
        show(Feedback(tone, f"{self.notebook}: {solved} of {len(rows)} solved", where, table=table))

    def __repr__(self) -> str:
        first = f"ex.{next(iter(self._questions), 'q1')}"
        return (
            f"<exercises of {self.notebook}: {', '.join(self._questions) or 'none'}. Use {first}.check(), "
            f"{first}.hint(), {first}.solution() and ex.progress()>"
        )


_RESERVED = frozenset(dir(Exercises)) | {"notebook"}


def bind(
    notebook: str, problems: Mapping[str, Problem] | list[Problem], namespace: Mapping[str, Any] | None = None
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


def run_official_solution(problem: Problem, extra_namespace: Mapping[str, Any] | None = None) -> CheckResult:
    """Run ``problem.solution_code`` in a fresh namespace (plus ``extra_namespace``) and check it."""
    if not isinstance(problem, Problem):
        raise TypeError(f"problem must be a Problem, got {describe(problem)}")
    namespace: dict[str, Any] = {"__name__": "__solution__", "____": BLANK, "BLANK": BLANK, **(extra_namespace or {})}
    if not problem.solution_code.strip():
        return CheckResult(ERROR, "this problem has no solution code to run.", "internal")
    try:
        exec(compile(problem.solution_code, "<official solution>", "exec"), namespace)
    except Exception as exc:
        return CheckResult(ERROR, f"the official solution raised {one_line(exc)}", "internal")
    return problem.evaluate(namespace)


def run_official_solutions(
    problems: Mapping[str, Problem] | list[Problem], extra_namespace: Mapping[str, Any] | None = None
) -> dict[str, CheckResult]:
    """:func:`run_official_solution` for each problem, by question name (q1, q2 ... for a list)."""
    return {name: run_official_solution(p, extra_namespace) for name, p in _named(problems)}


# ============================================================================ progress (kept by helpers.progress)


def _record_check(notebook: str, question: str, result: CheckResult) -> str:
    def change(entry: dict) -> None:
        entry["attempts"] += 1
        if result.correct:
            entry["status"] = "solved"
            entry["solved_at"] = entry["solved_at"] or datetime.now(timezone.utc).isoformat(timespec="seconds")
        elif entry["status"] != "solved":
            entry["status"] = "attempted"

    return _update(notebook, question, change)


def progress_summary(notebook: str | None = None) -> dict[str, dict[str, dict[str, Any]]]:
    """The recorded progress, ``{notebook: {question: entry}}``, for one notebook or all."""
    data = load_progress()
    return data if notebook is None else {notebook: data.get(notebook, {})}


def show_progress() -> None:
    """Show a table of solved exercises for every notebook, and where progress is kept."""
    try:
        data, where = load_progress(), where_progress_is_kept()
    except Exception as exc:  # progress is shown even when its store misbehaves
        data, where = {}, f"(Progress could not be read: {one_line(exc)}.)"
    notebooks = sorted(set(data) | set(_BOUND))
    if not notebooks:
        return show(Feedback("info", "Progress", f"nothing recorded yet. {where}"))
    rows = [["notebook", "solved", "attempted", "solutions viewed"]]
    for notebook in notebooks:
        entries = data.get(notebook, {}).values()
        total = len(set(_BOUND.get(notebook, [])) | set(data.get(notebook, {})))
        count = {status: sum(e["status"] == status for e in entries) for status in ("solved", "attempted")}
        viewed = sum(e["solution_viewed"] for e in entries)
        rows.append([notebook, f"{count['solved']} of {total}", str(count["attempted"]), str(viewed)])
    show(Feedback("info", "Progress", where, table=rows))
