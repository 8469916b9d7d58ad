"""Classroom faults, table by table: concurrent and hostile progress files, hand-ins read by
the instructor's tools, forged submissions, a cache shared by a class, fallbacks that must stay
private, and a full disk. Each case ends in a course message, a correct result or a recovered state.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from pathlib import Path

import pytest
from conftest import REPO_ROOT

from helpers import progress

PY = sys.executable


def _env(**extra: str) -> dict[str, str]:
    """This test's environment (its own progress and cache folders) for a child process."""
    return {**os.environ, "PYTHONPATH": str(REPO_ROOT), **extra}


@pytest.fixture(autouse=True)
def _fresh_memory(monkeypatch):
    """Each test starts with no in-memory progress and no warnings given yet."""
    monkeypatch.setattr(progress, "_UNSAVED", {})
    monkeypatch.setattr(progress, "_UNREADABLE", set())
    monkeypatch.setattr(progress, "_WARNED", set())


def _attempt(entry: dict) -> None:
    entry["attempts"] += 1
    entry["status"] = "attempted" if entry["status"] != "solved" else "solved"


# ============================================================================ progress under concurrency

CHECKER = textwrap.dedent("""
    import sys
    from helpers import progress
    tag, count, question = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    def change(entry):
        entry["attempts"] += 1
        entry["status"] = "solved" if question == "solved" else entry["status"]
    for _ in range(count):
        note = progress.update_entry("00_race", question.replace("QTAG", tag), change)
        assert not note, note
        print("done", flush=True)
""")


@pytest.mark.parametrize("processes, checks, shared", [
    (4, 30, True),    # four kernels checking the same exercise
    (4, 30, False),   # four kernels, each its own exercise
    (2, 50, True),
    (3, 20, False),
])
def test_concurrent_kernels_lose_no_check(processes, checks, shared):
    question = "q1" if shared else "qQTAG"
    runs = [subprocess.Popen([PY, "-c", CHECKER, str(i), str(checks), question], env=_env(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(processes)]
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err
    entries = progress.load_progress()["00_race"]
    if shared:
        assert entries["q1"]["attempts"] == processes * checks
    else:
        assert {q: e["attempts"] for q, e in entries.items()} == {f"q{i}": checks for i in range(processes)}


@pytest.mark.parametrize("threads, checks", [(4, 20), (8, 10), (2, 40)])
def test_concurrent_threads_lose_no_check(threads, checks):
    def work(i):
        for _ in range(checks):
            progress.update_entry("00_race", f"t{i % 2}", _attempt)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join(120)
    entries = progress.load_progress()["00_race"]
    assert sum(e["attempts"] for e in entries.values()) == threads * checks


def test_a_solved_exercise_stays_solved_while_another_kernel_checks():
    progress.update_entry("00_race", "q1", lambda e: e.update(status="solved", solved_at="2026-01-01T00:00:00+00:00"))
    run = subprocess.run([PY, "-c", CHECKER, "0", "40", "q2"], env=_env(), capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    for _ in range(40):
        progress.update_entry("00_race", "q3", _attempt)
    entries = progress.load_progress()["00_race"]
    assert entries["q1"]["status"] == "solved"
    assert entries["q2"]["attempts"] == 40 and entries["q3"]["attempts"] == 40


@pytest.mark.parametrize("delay", [0.3, 0.6, 0.9, 1.2])
def test_kill_9_during_writes_loses_at_most_the_check_in_flight(delay):
    run = subprocess.Popen([PY, "-c", CHECKER, "0", "100000", "q1"], env=_env(),
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    done = 0
    deadline = time.monotonic() + 60
    while done < 3 and time.monotonic() < deadline:  # started and checking
        done += run.stdout.readline() == "done\n"
    time.sleep(delay)
    run.send_signal(signal.SIGKILL)
    done += run.stdout.read().count("done")
    run.wait(30)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not damaged: no "not trusted" warning
        attempts = progress.load_progress()["00_race"]["q1"]["attempts"]
    assert attempts in (done, done + 1), (attempts, done)
    progress.update_entry("00_race", "q1", _attempt)  # the lock of the killed kernel is free again
    assert progress.load_progress()["00_race"]["q1"]["attempts"] == attempts + 1


# ============================================================================ progress files that are not files


def _make_fifo(path: Path) -> None:
    os.mkfifo(path)


def _make_dev_zero_link(path: Path) -> None:
    path.symlink_to("/dev/zero")


def _make_dev_null_link(path: Path) -> None:
    path.symlink_to("/dev/null")


def _make_huge(path: Path) -> None:
    with open(path, "wb") as file:
        file.truncate(progress.MAX_FILE_BYTES + 1)


def _make_dangling_link(path: Path) -> None:
    path.symlink_to(path.parent / "nowhere.json")


NOT_FILES = [
    (_make_fifo, "FIFO"),
    (_make_dev_zero_link, "device"),
    (_make_dev_null_link, "device"),
    (_make_huge, "more than any progress record"),
]


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev exist on POSIX systems")
@pytest.mark.parametrize("make, words", NOT_FILES)
def test_a_progress_file_that_is_not_a_file_is_refused_not_hung(make, words, capsys):
    from helpers import exercises as ex

    path = progress.progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    make(path)
    started = time.monotonic()
    with pytest.warns(UserWarning, match=words):
        assert progress.load_progress() == {}
    ex.bind("00_x", {"q1": ex.ValueProblem("a", 1, solution="a = 1")}, namespace={"a": 1}).q1.check()
    assert time.monotonic() - started < 10
    assert "Correct" in capsys.readouterr().out
    assert progress.load_progress()["00_x"]["q1"]["status"] == "solved"  # kept for the session
    assert path.is_symlink() or not path.is_file() or path.stat().st_size > progress.MAX_FILE_BYTES  # left as it was


@pytest.mark.skipif(os.name != "posix", reason="FIFOs and /dev exist on POSIX systems")
@pytest.mark.parametrize("make, words", NOT_FILES)
def test_reading_an_export_that_is_not_a_file_says_so(tmp_path, make, words):
    path = tmp_path / "hand-in.json"
    make(path)
    with pytest.raises(progress.ProgressError, match=words):
        progress.read_progress_file(path)


def test_a_dangling_link_as_progress_file_starts_afresh(capsys):
    path = progress.progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    _make_dangling_link(path)
    assert progress.load_progress() == {}
    progress.update_entry("00_x", "q1", _attempt)
    assert progress.load_progress()["00_x"]["q1"]["attempts"] == 1
