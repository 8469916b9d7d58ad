"""Tests of helpers.exercises.binding: ``bind``, check / hint / solution as a notebook shows them, progress,
official solutions."""

from __future__ import annotations

import IPython
import IPython.display
import numpy as np
import pytest
from support import choice_problem, one_hot_problem, value_problem

from helpers import exercises as ex
from helpers.exercises import CustomProblem, ValueProblem, ____


def test_bind_validation():
    with pytest.raises(TypeError, match="notebook"):
        ex.bind("", [])
    with pytest.raises(TypeError, match="problems"):
        ex.bind("nb", "q1")
    with pytest.raises(TypeError, match="q1"):
        ex.bind("nb", {"q1": 3}, namespace={})
    with pytest.raises(TypeError, match="namespace"):
        ex.bind("nb", [], namespace=[])
    with pytest.raises(ValueError, match="progress"):
        ex.bind("nb", {"progress": value_problem(1)}, namespace={})


# ----------------------------------------------------------------------------- binding and display


def _bound(namespace=None):
    problems = {"q1": value_problem(3), "q2": one_hot_problem(), "q3": choice_problem()}
    return ex.bind("00_test", problems, namespace={} if namespace is None else namespace)


def test_bind_gives_attribute_access_and_lists():
    exercises = _bound()
    assert exercises.q1.name == "q1" and exercises["q2"].problem.func_name == "one_hot"
    assert list(exercises) == ["q1", "q2", "q3"] and len(exercises) == 3
    assert "q3" in dir(exercises)
    with pytest.raises(AttributeError, match="q1, q2, q3"):
        exercises.q9  # noqa: B018
    listed = ex.bind("00_list", [value_problem(1), value_problem(2)], namespace={})
    assert list(listed) == ["q1", "q2"]
    assert "00_test" in repr(exercises) and "check()" in repr(exercises.q1)


def test_bind_defaults_to_the_callers_globals():
    namespace = {"ex": ex, "answer": 3, "PROBLEMS": [value_problem(3)]}
    exec("bound = ex.bind('00_globals', PROBLEMS)", namespace)
    assert namespace["bound"].q1.evaluate().correct


def test_check_prints_feedback_and_returns_nothing(capsys):
    namespace = {"answer": ____}
    exercises = _bound(namespace)
    assert exercises.q1.check() is None
    assert "Not attempted" in capsys.readouterr().out
    namespace["answer"] = "three"
    exercises.q1.check()
    out = capsys.readouterr().out
    assert "expected a number, got a str" in out and "Traceback" not in out
    namespace["answer"] = 3
    exercises.q1.check()
    assert "Correct" in capsys.readouterr().out


@pytest.mark.parametrize(
    "source",
    [
        "def one_hot(i, n):\n    return ____\n",
        "def one_hot(i, n):\n    raise NotImplementedError\n",
        "def one_hot(i, n):\n    return {}[i[0]]\n",
        "def one_hot(i, n):\n    pass\n",
        "def one_hot(i, n):\n    return 'x'\n",
        "def one_hot(i, n):\n    raise RuntimeError('line one\\nTraceback (most recent call last):')\n",
        "one_hot = 7\n",
    ],
)
def test_no_traceback_in_any_output(capsys, source):
    namespace = {"np": np, "____": ____}
    exec(source, namespace)
    exercises = _bound(namespace)
    exercises.q2.check()
    out = capsys.readouterr().out
    assert out.strip() and "Traceback" not in out


def _in_ipython(monkeypatch):
    """Feedback shown as in a notebook: an IPython shell is running."""
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())


def test_check_survives_a_failing_display(monkeypatch, capsys):
    exercises = _bound({"answer": 3})
    _in_ipython(monkeypatch)

    def broken_display(*args, **kwargs):
        raise RuntimeError("no frontend")

    monkeypatch.setattr(IPython.display, "display", broken_display)
    exercises.q1.check()
    assert "Correct" in capsys.readouterr().out



def test_feedback_uses_ipython_display_when_available(monkeypatch):
    shown = []
    _in_ipython(monkeypatch)
    monkeypatch.setattr(IPython.display, "display", shown.append)
    _bound({"answer": 3}).q1.check()
    assert len(shown) == 1 and isinstance(shown[0], ex.Feedback)
    assert shown[0].tone == "correct"


def test_hints_one_at_a_time(capsys):
    exercises = _bound()
    exercises.q2.hint()
    first = capsys.readouterr().out
    assert "Hint 1 of 2" in first and "np.zeros" in first
    exercises.q2.hint()
    second = capsys.readouterr().out
    assert "Hint 2 of 2" in second and "one entry" in second
    exercises.q2.hint()
    assert "solution()" in capsys.readouterr().out
    no_hints = ex.bind("nb", [ValueProblem("x", 1, solution="x = 1")], namespace={})
    no_hints.q1.hint()
    assert "no hint" in capsys.readouterr().out.lower()
    assert ex.progress_summary("00_test")["00_test"]["q2"]["hints_viewed"] == 2


def test_solution_shows_code_and_is_recorded(capsys):
    exercises = _bound()
    exercises.q2.solution()
    out = capsys.readouterr().out
    assert "def one_hot" in out and "```python" in out
    assert exercises.q2.solution_code.startswith("def one_hot")
    entry = ex.progress_summary("00_test")["00_test"]["q2"]
    assert entry["solution_viewed"] is True and entry["status"] == "not_attempted"
    exercises.q3.solution()
    out = capsys.readouterr().out
    assert "pick = 'a'" in out and "invent an order" in out


# ----------------------------------------------------------------------------- official solutions


def test_run_official_solutions_for_every_class():
    problems = {
        "q1": ValueProblem("n_columns", 3, solution="n_columns = 3"),
        "q2": one_hot_problem(),
        "q3": choice_problem(),
        "q4": CustomProblem(lambda ns: None if ns["x"] == 1 else "no", variables="x", solution="x = 1"),
    }
    results = ex.run_official_solutions(problems, {"np": np})
    assert {name: r.status for name, r in results.items()} == dict.fromkeys(problems, "correct")


def test_run_official_solution_reports_broken_solutions():
    result = ex.run_official_solution(ValueProblem("x", 3, solution="x = 1 / 0"))
    assert result.status == "error" and "ZeroDivisionError" in result.message
    result = ex.run_official_solution(ValueProblem("x", 3, solution="x = 4"))
    assert result.status == "incorrect"
    with pytest.raises(TypeError, match="problem"):
        ex.run_official_solution("x = 3")
