"""Tests of helpers.progress and the progress side of helpers.exercises.

Where progress is kept (per user, apart from the cache), its digest, damaged and
read-only files, export / import / keep-in-a-folder, and what ``ex.progress()`` and
``show_progress()`` show in each case.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from helpers import exercises as ex
from helpers import progress
from helpers.exercises import ValueProblem, ____


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch):
    """Each test starts with no in-memory progress and no warnings given yet."""
    monkeypatch.setattr(progress, "_UNSAVED", {})
    monkeypatch.setattr(progress, "_UNREADABLE", set())
    monkeypatch.setattr(progress, "_WARNED", set())


def _bound(namespace=None, notebook="00_test"):
    problems = {
        "q1": ValueProblem("answer", 3, hint="think", solution="answer = 3"),
        "q2": ValueProblem("other", 5, hint=["one", "two"], solution="other = 5"),
        "q3": ValueProblem("pick", "a", solution="pick = 'a'"),
    }
    return ex.bind(notebook, problems, namespace={} if namespace is None else namespace)


def _solve_q1(notebook="00_test"):
    _bound({"answer": 3}, notebook).q1.check()


# ----------------------------------------------------------------------------- where


def test_progress_lives_apart_from_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path / "mine"))
    assert progress.progress_path() == tmp_path / "mine" / "progress.json"
    assert ex.progress_path() == progress.progress_path()
    _solve_q1()
    assert (tmp_path / "mine" / "progress.json").is_file()
    assert not (tmp_path / "cache" / "progress").exists()


def test_default_place_is_per_user_not_the_course_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_PROGRESS_DIR")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.delenv("APPDATA", raising=False)
    path = progress.progress_path()
    assert str(path).startswith(str(tmp_path / "home")), path
    assert "embeddings-course" in path.parts and path.name == "progress.json"
    assert REPO_ROOT not in path.parents
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    if sys.platform.startswith("linux"):
        assert progress.progress_path() == tmp_path / "xdg" / "embeddings-course" / "progress.json"


def test_the_test_session_never_uses_the_real_home():
    real_home = Path(os.path.expanduser("~"))
    assert real_home not in progress.progress_path().parents
    assert os.environ["COURSE_PROGRESS_DIR"] and os.environ["COURSE_CACHE_DIR"]


# ----------------------------------------------------------------------------- recording


def test_progress_records_attempts_and_solved(capsys):
    namespace = {"answer": ____}
    exercises = _bound(namespace)
    exercises.q1.check()  # not attempted: nothing recorded
    assert ex.progress_summary() == {}
    namespace["answer"] = 4
    exercises.q1.check()
    entry = ex.progress_summary("00_test")["00_test"]["q1"]
    assert entry["status"] == "attempted" and entry["attempts"] == 1 and entry["solved_at"] is None
    namespace["answer"] = 3
    exercises.q1.check()
    document = json.loads(progress.progress_path().read_text())
    entry = document["progress"]["00_test"]["q1"]
    assert entry["status"] == "solved" and entry["attempts"] == 2 and entry["solved_at"]
    assert document["digest"].startswith("sha256:") and document["format"] == progress.FORMAT
    namespace["answer"] = 5
    exercises.q1.check()  # a later wrong answer does not undo "solved"
    assert ex.progress_summary("00_test")["00_test"]["q1"]["status"] == "solved"
    rows = exercises.progress_summary()
    assert [row["question"] for row in rows] == ["q1", "q2", "q3"]
    assert [row["status"] for row in rows] == ["solved", "not_attempted", "not_attempted"]
    capsys.readouterr()
    exercises.progress()
    out = capsys.readouterr().out
    assert "1 of 3 solved" in out and "q2" in out
    assert f"Progress is kept in {progress.progress_path()}" in out
    ex.show_progress()
    out = capsys.readouterr().out
    assert "00_test" in out and "1 of 3" in out and str(progress.progress_path()) in out


def test_hints_and_solutions_are_recorded():
    exercises = _bound()
    exercises.q2.hint()
    exercises.q2.hint()
    exercises.q3.solution()
    data = ex.progress_summary()["00_test"]
    assert data["q2"]["hints_viewed"] == 2 and data["q3"]["solution_viewed"] is True


def test_write_is_atomic_and_a_failed_write_keeps_the_old_file(monkeypatch, capsys):
    _solve_q1()
    good = progress.progress_path().read_text()

    def failing_sync(*args, **kwargs):  # the new file is written, then cannot be put on the disk
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", failing_sync)
    with pytest.warns(UserWarning, match="cannot be saved"):
        _bound({"answer": 4}).q1.check()  # must not crash
    assert progress.progress_path().read_text() == good
    assert sorted(os.listdir(progress.progress_path().parent)) == ["progress.json", "progress.json.lock"]
    assert "for this session only" in capsys.readouterr().out


def test_reset_progress():
    _solve_q1()
    _solve_q1("other")
    ex.reset_progress("00_test")
    assert list(ex.progress_summary()) == ["other"]
    ex.reset_progress()
    assert ex.progress_summary() == {}
    with pytest.raises(TypeError, match="notebook must be"):
        progress.reset_progress(3)


# ----------------------------------------------------------------------------- damaged files


def _damage_flip(text: str) -> str:
    return text.replace('"solved"', '"attempted"', 1)


def _damage_plausible(text: str) -> str:
    document = json.loads(text)
    document["progress"]["00_test"]["q1"]["attempts"] += 7  # plausible, but not what was written
    return json.dumps(document)


@pytest.mark.parametrize(
    "damage",
    [
        lambda text: text[: len(text) // 2],  # truncated
        _damage_flip,  # flipped a value
        _damage_plausible,  # plausible wrong values
        lambda text: "{not json",
        lambda text: "[1, 2]",
        lambda text: '{"00_test": {"q1": {"status": "solved"}}}',  # no digest: not trusted
        lambda text: "\x00\x01\x02",
    ],
    ids=["truncated", "flipped", "plausible", "not-json", "a-list", "no-digest", "bytes"],
)
def test_a_damaged_file_is_reported_moved_aside_and_not_trusted(damage, capsys):
    exercises = _bound({"answer": 3, "other": 5})
    exercises.q1.check()
    exercises.q1.check()
    path = progress.progress_path()
    damaged = damage(path.read_text())
    path.write_text(damaged)
    with pytest.warns(UserWarning, match=r"not trusted.*moved aside"):
        summary = ex.progress_summary()
    assert summary == {}
    aside = [p for p in path.parent.iterdir() if p.name.startswith("progress.json.damaged")]
    assert len(aside) == 1 and aside[0].read_text() == damaged
    exercises.q2.check()  # the next check starts a fresh, trusted file
    data = ex.progress_summary()["00_test"]
    assert data["q2"]["status"] == "solved" and "q1" not in data
    assert "Correct" in capsys.readouterr().out


def test_an_unreadable_file_is_reported_and_never_written_over(monkeypatch, capsys):
    _solve_q1()
    path = progress.progress_path()
    before = path.read_text()
    real_read_text = progress._read_text

    def no_permission(self, *args, **kwargs):
        if self == path:
            raise PermissionError(13, "Permission denied", str(path))
        return real_read_text(self, *args, **kwargs)

    monkeypatch.setattr(progress, "_read_text", no_permission)
    with pytest.warns(UserWarning, match="cannot be read"):
        _bound({"other": 5}).q2.check()
    assert "Correct" in capsys.readouterr().out
    assert ex.progress_summary()["00_test"]["q2"]["status"] == "solved"  # kept for the session
    monkeypatch.setattr(progress, "_read_text", real_read_text)
    assert path.read_text() == before, "the file it could not read is left as it was"


def test_a_folder_in_the_way_is_reported_and_progress_kept_in_memory(capsys):
    path = progress.progress_path()
    path.mkdir(parents=True)
    with pytest.warns(UserWarning) as caught:
        _solve_q1()
        _bound({"other": 5}).q2.check()
    messages = [str(w.message) for w in caught]
    assert any(str(path) in m and "COURSE_PROGRESS_DIR" in m for m in messages), messages
    assert len([m for m in messages if "cannot be saved" in m]) == 1, "one warning, not one per check"
    data = ex.progress_summary()["00_test"]
    assert data["q1"]["status"] == "solved" and data["q2"]["status"] == "solved"
    out = capsys.readouterr().out
    assert out.count("Correct") == 2 and "Traceback" not in out


@pytest.mark.parametrize("how", ["file-in-the-way", "read-only"])
def test_progress_is_shown_when_it_cannot_be_saved(how, tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "blocker"
    if how == "file-in-the-way":
        blocker.write_text("not a folder")
        monkeypatch.setenv("COURSE_PROGRESS_DIR", str(blocker / "progress"))
    else:
        blocker.mkdir()
        monkeypatch.setenv("COURSE_PROGRESS_DIR", str(blocker / "progress"))

        def read_only(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(blocker / "progress"))

        monkeypatch.setattr(progress.Path, "mkdir", read_only)
    exercises = _bound({"answer": 3})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        exercises.progress()  # nothing yet, and no folder: must not raise
        ex.show_progress()
        exercises.q1.check()
        exercises.progress()
        ex.show_progress()
    out = capsys.readouterr().out
    assert "Traceback" not in out and "Correct" in out
    assert "1 of 3 solved" in out and "for this session only" in out
    saving = [str(w.message) for w in caught if "cannot be saved" in str(w.message)]
    assert len(saving) == 1 and str(blocker) in saving[0] and "COURSE_PROGRESS_DIR" in saving[0]


def test_read_only_folder_as_a_user_without_write_permission():
    """Permissions are real here: run as an unprivileged user when the tests run as root."""
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    place = Path(tempfile.mkdtemp(prefix="course-read-only-"))  # reachable by any user, unlike tmp_path
    folder = place / "read-only"
    folder.mkdir()
    code = (
        "import warnings, sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from helpers.exercises import ValueProblem, bind, show_progress\n"
        "ex = bind('nb', {'q1': ValueProblem('answer', 3, solution='answer = 3')}, namespace={'answer': 3})\n"
        "ex.progress(); show_progress(); ex.q1.check(); ex.progress()\n"
    )
    env = dict(os.environ, COURSE_PROGRESS_DIR=str(folder / "progress"), HOME=str(folder))
    cmd = [sys.executable, "-c", code, str(REPO_ROOT)]
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv: cannot drop the permission to write")
        os.chmod(place, 0o755)
        os.chmod(folder, 0o555)
        cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", *cmd]
    else:
        folder.chmod(0o555)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
    finally:
        folder.chmod(0o755)
        shutil.rmtree(place, ignore_errors=True)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert "1 of 1 solved" in proc.stdout and "Correct" in proc.stdout
    assert proc.stderr.count("cannot be saved") == 1 and "COURSE_PROGRESS_DIR" in proc.stderr, proc.stderr


# ----------------------------------------------------------------------------- export, import, keep


def test_export_and_import_round_trip(tmp_path, monkeypatch, capsys):
    exercises = _bound({"answer": 3, "pick": "a"})
    exercises.q1.check()
    exercises.q3.check()
    exercises.q2.hint()
    before = ex.progress_summary()
    target = progress.export_progress(tmp_path / "handed-in.json")
    assert target == tmp_path / "handed-in.json"
    assert "Progress exported" in capsys.readouterr().out
    document = json.loads(target.read_text())
    assert document["progress"] == before and document["exported_at"] and document["course_version"]
    assert progress.read_progress_file(target) == before
    ex.reset_progress()
    assert ex.progress_summary() == {}
    progress.import_progress(target)
    assert ex.progress_summary() == before
    assert "Imported handed-in.json (2 exercises solved)" in capsys.readouterr().out


def test_export_into_a_folder_picks_a_dated_name(tmp_path, monkeypatch):
    _solve_q1()
    target = progress.export_progress(tmp_path)
    assert target.parent == tmp_path and target.name.startswith("embeddings-course-progress-")
    monkeypatch.chdir(tmp_path)
    assert progress.export_progress().parent == tmp_path


def test_import_merges_solved_wins_and_counts_keep_their_maximum(tmp_path):
    ours = {"nb": {"q1": {"status": "attempted", "attempts": 4, "hints_viewed": 1},
                   "q2": {"status": "solved", "attempts": 1, "solved_at": "2026-01-02T00:00:00+00:00"}}}
    theirs = {"nb": {"q1": {"status": "solved", "attempts": 2, "solved_at": "2026-01-01T00:00:00+00:00"},
                     "q2": {"status": "attempted", "attempts": 3, "solution_viewed": True}},
              "other": {"q1": {"status": "solved", "attempts": 1}}}
    merged = progress.merge_progress(ours, theirs)
    assert merged["nb"]["q1"] == {"status": "solved", "attempts": 4, "solution_viewed": False, "hints_viewed": 1,
                                  "solved_at": "2026-01-01T00:00:00+00:00"}
    assert merged["nb"]["q2"]["status"] == "solved" and merged["nb"]["q2"]["attempts"] == 3
    assert merged["nb"]["q2"]["solution_viewed"] is True and merged["other"]["q1"]["status"] == "solved"
    progress.save_progress(ours)
    target = tmp_path / "theirs.json"
    target.write_text(json.dumps(progress._document(theirs)))
    progress.import_progress(target)
    assert progress.load_progress() == merged
    progress.import_progress(target, replace=True)
    assert progress.load_progress() == progress._normal(theirs)


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "does not exist"),
        ("{}", "not a course progress file"),
        ("{broken", "not valid JSON"),
    ],
)
def test_import_refuses_bad_files_with_one_line(tmp_path, content, message):
    path = tmp_path / "in.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(progress.ProgressError, match=message) as info:
        progress.import_progress(path)
    assert info.value._render_traceback_() == [f"ProgressError: {info.value}"]


def test_import_refuses_a_damaged_export(tmp_path):
    _solve_q1()
    target = progress.export_progress(tmp_path / "x.json")
    target.write_text(_damage_plausible(target.read_text()))
    with pytest.raises(progress.ProgressError, match="does not match its digest"):
        progress.import_progress(target)


def test_bad_arguments_name_themselves(tmp_path):
    with pytest.raises(TypeError, match="path must be a file or folder path"):
        progress.export_progress(3)
    with pytest.raises(TypeError, match="path must be"):
        progress.import_progress(None)
    with pytest.raises(TypeError, match="replace must be True or False"):
        progress.import_progress(tmp_path / "x.json", replace="yes")
    with pytest.raises(TypeError, match="folder must be given"):
        progress.keep_progress_in()


def test_export_to_an_unwritable_place_says_so_in_one_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(progress.ProgressError, match="could not be written to .*pass a writable folder"):
        progress.export_progress(blocker / "sub" / "out.json")


def test_keep_progress_in_moves_and_merges(tmp_path, monkeypatch, capsys):
    _solve_q1()
    drive = tmp_path / "drive" / "course"
    old = progress.progress_path()
    progress.keep_progress_in(drive)
    assert os.environ["COURSE_PROGRESS_DIR"] == str(drive)
    assert progress.progress_path() == drive / "progress.json"
    assert progress.load_progress()["00_test"]["q1"]["status"] == "solved"
    assert "Progress is now kept in" in capsys.readouterr().out
    _bound({"other": 5}).q2.check()
    assert set(json.loads((drive / "progress.json").read_text())["progress"]["00_test"]) == {"q1", "q2"}
    assert set(json.loads(old.read_text())["progress"]["00_test"]) == {"q1"}


def test_on_colab_progress_says_it_is_lost_with_the_runtime(monkeypatch, capsys):
    monkeypatch.setattr(progress.paths, "in_colab", lambda: True)
    _bound().progress()
    out = capsys.readouterr().out
    assert "Colab forgets it" in out and "keep_progress_in()" in out and "export_progress()" in out


def test_progress_from_an_earlier_version_is_moved_once(tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
    earlier = cache / "progress" / "progress.json"
    earlier.parent.mkdir(parents=True)
    earlier.write_text(json.dumps({"00_start_here": {"q1": {"status": "solved", "attempts": 1}}}))
    assert ex.progress_summary()["00_start_here"]["q1"]["status"] == "solved"
    assert progress.progress_path().is_file() and not earlier.exists()
    assert (earlier.parent / "progress.json.moved").is_file()


def test_progress_from_an_earlier_version_follows_the_cache_folder_rule(tmp_path, monkeypatch):
    """``~`` in COURSE_CACHE_DIR is expanded as the cache expands it (one rule: ``paths.cache_root``)."""
    from helpers import paths

    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("COURSE_CACHE_DIR", "~/cache")
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path / "mine"))
    earlier = tmp_path / "cache" / "progress" / "progress.json"
    assert paths.cache_root() / "progress" / "progress.json" == earlier
    earlier.parent.mkdir(parents=True)
    earlier.write_text(json.dumps({"00_start_here": {"q1": {"status": "solved", "attempts": 1}}}))
    assert ex.progress_summary()["00_start_here"]["q1"]["status"] == "solved"
    assert not earlier.exists() and (earlier.parent / "progress.json.moved").is_file()
    assert not (Path.cwd() / "~").exists()


def test_a_cache_folder_name_too_long_does_not_stop_progress(tmp_path, monkeypatch):
    """The cache reports a bad COURSE_CACHE_DIR itself; progress has no earlier record there."""
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / ("x" * 300)))
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path / "mine"))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert ex.progress_summary() == {}
    _solve_q1()
    assert ex.progress_summary()["00_test"]["q1"]["status"] == "solved"
