"""The teacher's mode: where it is switched on, which wins, and what the exercises do with it."""

from __future__ import annotations

import json

import numpy as np
import pytest

import helpers.exercises as ex
from helpers import classroom
from helpers.classroom import SETTINGS_FILE, TEACHER_MODE_ENV_VAR, classroom_settings


def _write_settings(folder, content) -> None:
    text = content if isinstance(content, str) else json.dumps(content)
    (folder / SETTINGS_FILE).write_text(text, encoding="utf-8")


# ----------------------------------------------------------------------------- the settings


def test_off_by_default(tmp_path):
    settings = classroom_settings(tmp_path, environ={})
    assert settings.teacher_mode is False and settings.source == "the default" and settings.problem is None


@pytest.mark.parametrize("word", ["1", "on", "TRUE", " yes "])
def test_environment_variable_turns_it_on(tmp_path, word):
    settings = classroom_settings(tmp_path, environ={TEACHER_MODE_ENV_VAR: word})
    assert settings.teacher_mode is True and TEACHER_MODE_ENV_VAR in settings.source


@pytest.mark.parametrize("word", ["0", "off", "False", "no", ""])
def test_environment_variable_turns_it_off(tmp_path, word):
    assert classroom_settings(tmp_path, environ={TEACHER_MODE_ENV_VAR: word}).teacher_mode is False


def test_settings_file_turns_it_on_and_off(tmp_path):
    _write_settings(tmp_path, {"teacher_mode": True})
    settings = classroom_settings(tmp_path, environ={})
    assert settings.teacher_mode is True and SETTINGS_FILE in settings.source
    _write_settings(tmp_path, {"teacher_mode": False})
    assert classroom_settings(tmp_path, environ={}).teacher_mode is False
    _write_settings(tmp_path, {"other": 1})
    assert classroom_settings(tmp_path, environ={}).teacher_mode is False


def test_environment_variable_wins_over_the_file(tmp_path):
    _write_settings(tmp_path, {"teacher_mode": True})
    assert classroom_settings(tmp_path, environ={TEACHER_MODE_ENV_VAR: "off"}).teacher_mode is False
    _write_settings(tmp_path, {"teacher_mode": False})
    assert classroom_settings(tmp_path, environ={TEACHER_MODE_ENV_VAR: "on"}).teacher_mode is True


@pytest.mark.parametrize("content", ["{not json", json.dumps({"teacher_mode": "yes"}), json.dumps([1])])
def test_a_setting_that_cannot_be_understood_keeps_solutions_off_and_says_why(tmp_path, content):
    _write_settings(tmp_path, content)
    settings = classroom_settings(tmp_path, environ={})
    if content == json.dumps([1]):  # a list holds no teacher_mode: nothing was set
        assert settings.teacher_mode is False
        return
    assert settings.teacher_mode is True and SETTINGS_FILE in settings.problem


def test_an_unknown_word_keeps_solutions_off_and_says_why(tmp_path):
    settings = classroom_settings(tmp_path, environ={TEACHER_MODE_ENV_VAR: "maybe"})
    assert settings.teacher_mode is True and "'maybe'" in settings.problem and "on/off" in settings.problem


def test_wrong_argument_types_name_the_argument():
    with pytest.raises(TypeError, match="environ"):
        classroom_settings(environ=["COURSE_TEACHER_MODE"])
    with pytest.raises(TypeError, match="root"):
        classroom_settings(root=3, environ={})


def test_the_course_root_file_is_read_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv(TEACHER_MODE_ENV_VAR, raising=False)
    monkeypatch.setattr(classroom, "REPO_ROOT", tmp_path)
    assert classroom.teacher_mode() is False
    _write_settings(tmp_path, {"teacher_mode": True})
    assert classroom.teacher_mode() is True
    assert classroom.hints_allowed(3) == classroom.HINTS_IN_TEACHER_MODE == 1


# ----------------------------------------------------------------------------- the exercises


def _one_hot(indices, n):
    out = np.zeros((len(indices), n))
    out[np.arange(len(indices)), indices] = 1
    return out


def _bound(namespace):
    problems = {
        "q1": ex.ValueProblem("answer", 3, hint=["Count them.", "It is 1 + 2."], solution="answer = 3"),
        "q2": ex.FunctionProblem("one_hot", [(([2], 3), {}, _one_hot([2], 3))], hint=["Start from np.zeros."],
                                 solution="def one_hot(indices, n):\n    return SECRET\n"),
    }
    return ex.bind("00_classroom", problems, namespace=namespace)


def test_teacher_mode_hides_solutions_politely_and_keeps_check(monkeypatch, capsys):
    monkeypatch.setenv(TEACHER_MODE_ENV_VAR, "1")
    namespace = {"answer": 2}
    exercises = _bound(namespace)
    exercises.q2.solution()
    out = capsys.readouterr().out
    assert "switched off" in out and "SECRET" not in out and "Traceback" not in out
    assert TEACHER_MODE_ENV_VAR in out and "ex.q2.check()" in out
    assert ex.progress_summary("00_classroom")["00_classroom"].get("q2", {}).get("solution_viewed") is not True

    exercises.q1.check()
    assert "Not quite" in capsys.readouterr().out
    namespace["answer"] = 3
    exercises.q1.check()
    assert "Correct" in capsys.readouterr().out
    assert ex.progress_summary("00_classroom")["00_classroom"]["q1"]["status"] == "solved"


def test_teacher_mode_keeps_only_the_first_hint(monkeypatch, capsys):
    monkeypatch.setenv(TEACHER_MODE_ENV_VAR, "on")
    exercises = _bound({})
    exercises.q1.hint()
    first = capsys.readouterr().out
    assert "Hint 1 of 1" in first and "Count them." in first and "instructor" in first
    assert "solution()" not in first
    exercises.q1.hint()
    again = capsys.readouterr().out
    assert "Count them." in again and "1 + 2" not in again


def test_teacher_mode_off_shows_everything(monkeypatch, capsys):
    monkeypatch.setenv(TEACHER_MODE_ENV_VAR, "off")
    exercises = _bound({})
    exercises.q2.solution()
    assert "SECRET" in capsys.readouterr().out
    exercises.q1.hint()
    exercises.q1.hint()
    out = capsys.readouterr().out
    assert "Hint 2 of 2" in out and "1 + 2" in out and "solution()" in out


def test_a_damaged_settings_file_hides_solutions_and_names_the_problem(monkeypatch, tmp_path, capsys):
    monkeypatch.delenv(TEACHER_MODE_ENV_VAR, raising=False)
    monkeypatch.setattr(classroom, "REPO_ROOT", tmp_path)
    _write_settings(tmp_path, "{damaged")
    _bound({}).q2.solution()
    out = capsys.readouterr().out
    assert "SECRET" not in out and "not valid JSON" in out and "Traceback" not in out
