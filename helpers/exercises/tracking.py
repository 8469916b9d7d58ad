"""Recording checks in the learner's progress and showing it (the store itself is :mod:`helpers.progress`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from helpers.progress import load_progress, update_entry, where_progress_is_kept

from .describing import _one_line
from .feedback import Feedback, _show
from .results import CORRECT, INCORRECT, CheckResult

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


