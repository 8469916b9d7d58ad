"""Classroom faults, table by table: concurrent and hostile progress files, hand-ins read by
the instructor's tools, forged submissions, a cache shared by a class, fallbacks that must stay
private, and a full disk. Each case ends in a course message, a correct result or a recovered state.
"""

from __future__ import annotations

import json
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


# ============================================================================ grading out of the learner's reach

GRADER_SETUP = ("import os, sys\nsys.path.insert(0, os.path.abspath('..'))\n"
                "from helpers.exercises import bind\nfrom helpers.exercise_sets.start_here import PROBLEMS\n"
                "ex = bind('00_start_here', PROBLEMS)\nimport numpy as np\n")
RIGHT = ("import helpers.data\nq1_answer = len(helpers.data.load_xkcd_colors()) - 1\n"
         "def distance(a, b):\n    return float(np.sqrt(np.sum((np.asarray(a, float) - np.asarray(b, float)) ** 2)))\n")
FORGE_QUESTION = ("from helpers.exercises import binding, CheckResult\n"
                  "binding.Question.evaluate = lambda self: CheckResult('correct', 'forged', '')\n")
FORGE_PROBLEMS = ("from helpers.exercises import problems, CheckResult\n"
                  "for cls in (problems.Problem, problems.ValueProblem, problems.FunctionProblem):\n"
                  "    cls.evaluate = lambda self, namespace: CheckResult('correct', 'forged', '')\n")
FAKE_REPORT = ('print(\'COURSE-GRADES {"00_start_here": {"q1": {"points": 1, "status": "correct", "message": ""},'
               ' "q2": {"points": 1, "status": "correct", "message": ""}}}\')\n')
REWRITE_KEY = ("import helpers.exercise_sets.start_here as key, pathlib\n"
               "path = pathlib.Path(key.__file__)\nos.chmod(path, 0o644)\n"
               "path.write_text(path.read_text() + '\\nq1.expected = None\\nq2.cases = [((0, 0), {}, None)]\\n')\n")
REWRITE_REAL_KEY = ("import pathlib\npath = pathlib.Path({key!r})\n"
                    "path.write_text(path.read_text() + '\\nq1.expected = None\\n')\n")
PATCH_IN_FUNCTION = ("def distance(a, b):\n    import helpers.exercises.problems as p\n"
                     "    p.compare = lambda *args, **kwargs: None\n    return 0.0\n")
WRITE_IN_FUNCTION = ("def distance(a, b):\n    open({target!r}, 'w').write('written by a submission')\n"
                     "    return float(np.hypot(*np.subtract(a, b)[:2])) if len(a) == 2 else 0.0\n")
EXIT_IN_FUNCTION = "def distance(a, b):\n    import sys\n    sys.exit(0)\n"
SETATTR_IN_FUNCTION = ("def distance(a, b):\n    from helpers.exercises.checking import CheckResult\n"
                       "    CheckResult.correct = True\n    return 0.0\n")
DECORATED = "import functools\n@functools.lru_cache\ndef distance(a, b):\n    return 5.0\n"

SUBMISSIONS = [  # name, cells after the set-up, expected points of q1 and q2
    ("honest", [RIGHT], ("1", "1")),
    ("blank", [], ("0", "0")),
    ("forge_question", [FORGE_QUESTION], ("0", "0")),
    ("forge_problems", [FORGE_PROBLEMS], ("0", "0")),
    ("fake_report", [FAKE_REPORT], ("0", "0")),
    ("rewrite_key", [REWRITE_KEY], ("0", "0")),
    ("after_rewrite", [RIGHT], ("1", "1")),  # the next learner meets the key intact
    ("rewrite_real_key", [REWRITE_REAL_KEY], ("0", "0")),
    ("patch_in_function", [RIGHT, PATCH_IN_FUNCTION], ("1", "0")),
    ("write_in_function", [RIGHT, WRITE_IN_FUNCTION], ("1", "0")),
    ("exit_in_function", [RIGHT, EXIT_IN_FUNCTION], ("1", "0")),
    ("setattr_in_function", [RIGHT, SETATTR_IN_FUNCTION], ("1", "0")),
    ("decorated", [RIGHT, DECORATED], ("1", "0")),
]


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The grader, run from an instructor's copy of the course over every submission above."""
    import csv
    import shutil

    pytest.importorskip("nbclient")
    import nbformat

    root = tmp_path_factory.mktemp("grading")
    instructor = root / "instructor"
    instructor.mkdir()
    for part in ("course_setup.py", "helpers", "data", "tools"):
        source = REPO_ROOT / part
        copy = shutil.copy if source.is_file() else shutil.copytree
        copy(source, instructor / part, **({} if source.is_file() else {"ignore": shutil.ignore_patterns(
            "__pycache__")}))
    key = instructor / "helpers" / "exercise_sets" / "start_here.py"
    key_before = key.read_bytes()
    target = root / "written.txt"
    paths = []
    for name, cells, _ in SUBMISSIONS:
        nb = nbformat.v4.new_notebook()
        sources = [GRADER_SETUP, *(c.format(key=str(key), target=str(target)) if "{" in c and "!r}" in c else c
                                   for c in cells)]
        nb.cells = [nbformat.v4.new_code_cell(s) for s in sources]
        path = root / f"{name}.ipynb"
        nbformat.write(nb, path)
        paths.append(path)
    run = subprocess.run([PY, str(instructor / "tools" / "grade_notebook.py"), *map(str, paths),
                          "--csv", str(root / "grades.csv")], capture_output=True, text=True, timeout=1200,
                         env={k: v for k, v in _env().items() if k != "PYTHONPATH"}, cwd=root)
    rows = {row[0]: row for row in csv.reader((root / "grades.csv").open(encoding="utf-8"))}
    return {"run": run, "rows": rows, "key_before": key_before, "key": key, "written": target}


@pytest.mark.slow
@pytest.mark.parametrize("name, cells, points", SUBMISSIONS, ids=[s[0] for s in SUBMISSIONS])
def test_forged_submissions_get_nothing(graded, name, cells, points):
    assert graded["rows"]["file"][1:3] == ["00_start_here/q1", "00_start_here/q2"], graded["run"].stderr[-2000:]
    assert tuple(graded["rows"][f"{name}.ipynb"][1:3]) == points, graded["run"].stderr[-2000:]


@pytest.mark.slow
def test_grading_leaves_the_answer_key_and_the_files_as_they_were(graded):
    assert graded["key"].read_bytes() == graded["key_before"]
    assert "put back: helpers/exercise_sets/start_here.py" in graded["run"].stderr
    assert not graded["written"].exists(), "a learner function wrote a file while it was checked"


# ============================================================ the instructor's summary reads hand-ins as hostile

sys.path.insert(0, str(REPO_ROOT / "tools"))
import progress_summary  # noqa: E402


def _hand_in(folder: Path, name: str, data: dict) -> Path:
    path = folder / f"{name}.json"
    path.write_text(json.dumps(progress._document(data)), encoding="utf-8")
    return path


SOLVED = {"status": "solved", "attempts": 1, "solution_viewed": False, "hints_viewed": 0,
          "solved_at": "2026-01-01T00:00:00+00:00"}
HOSTILE_NAMES = ["=HYPERLINK(\"http://x\",\"a\")", "+1+1", "-2-2", "@SUM(A1)", "\tTAB", "\x1b[31mred\x1b[0m",
                 "bell\x07", "\u202eevil", "cmd|' /C calc'!A0", "=1+1\x1b]0;title\x07", "ok name", "\x9bcsi"]


def _assert_harmless(cell: str) -> None:
    assert not progress_summary._CONTROL.search(cell), repr(cell)
    assert not cell.startswith(progress_summary._FORMULA_STARTS), repr(cell)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_learner_name_is_cleaned_and_escaped(tmp_path, name):
    folder = tmp_path / "in"
    folder.mkdir()
    _hand_in(folder, "ada", {"01_x": {"q1": SOLVED}})
    _hand_in(folder, name.replace("/", ""), {"01_x": {"q1": SOLVED}})
    table, problems = progress_summary.summarise(folder)
    assert not problems and len(table) == 4 and table[-1][1] == "2"
    for row in __import__("csv").reader(progress_summary.as_csv(table).splitlines()):
        for cell in row:
            _assert_harmless(cell)
    assert "\x1b" not in progress_summary.as_text(table) and "\x07" not in progress_summary.as_text(table)


@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_hostile_exercise_name_inside_a_hand_in_is_cleaned_and_escaped(tmp_path, name):
    folder = tmp_path / "in"
    folder.mkdir()
    _hand_in(folder, "ada", {name: {name: SOLVED}, "01_x": {"q1": SOLVED}})
    table, problems = progress_summary.summarise(folder)
    assert not problems and table[1][-1] == "2 of 2"
    for row in __import__("csv").reader(progress_summary.as_csv(table).splitlines()):
        for cell in row:
            _assert_harmless(cell)


def _deep(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000)


def _deep_object(path: Path) -> None:
    path.write_text('{"a":' * 100_000 + "1" + "}" * 100_000)


def _too_many(path: Path) -> None:
    path.write_text(json.dumps(progress._document({"01_x": {f"q{i}": SOLVED for i in range(600)}})))


BAD_HAND_INS = [  # how the file is made, words of its row
    (_deep, "nested far deeper"),
    (_deep_object, "nested far deeper"),
    (_make_huge, "more than any progress record"),
    (_too_many, "more than 500 exercises"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "cannot be read"),
    (lambda p: p.write_text(""), "not valid JSON"),
    (lambda p: p.write_text("[1, 2, 3]"), "not a course progress file"),
    (lambda p: p.write_text('{"format": "embeddings-course progress"}'), "no progress record"),
    (lambda p: p.mkdir(), "cannot be read"),
    (lambda p: p.write_text(json.dumps(progress._document({"01_x": {"q1": SOLVED}})).replace("solved", "SOLVED", 1)),
     "digest"),
    (_make_dev_zero_link, "device"),
    (_make_dev_null_link, "device"),
    (_make_dangling_link, "does not exist"),
]


@pytest.mark.skipif(os.name != "posix", reason="links to /dev exist on POSIX systems")
@pytest.mark.parametrize("make, words", BAD_HAND_INS)
def test_one_bad_hand_in_gets_its_row_and_the_others_go_on(tmp_path, make, words):
    folder = tmp_path / "in"
    folder.mkdir()
    _hand_in(folder, "ada", {"01_x": {"q1": SOLVED}})
    make(folder / "mallory.json")
    _hand_in(folder, "zoe", {"01_x": {"q1": SOLVED}})
    table, problems = progress_summary.summarise(folder)
    rows = {row[0]: row for row in table}
    assert rows["ada"][-1] == "1 of 1" and rows["zoe"][-1] == "1 of 1"
    assert rows["mallory"][-1].startswith("not read: ") and words in rows["mallory"][-1], rows["mallory"]
    assert table[-1][0] == "solved by (of 2)" and len(problems) == 1


@pytest.mark.skipif(os.name != "posix", reason="FIFOs exist on POSIX systems")
def test_a_fifo_named_json_does_not_hang_the_summary(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    _hand_in(folder, "ada", {"01_x": {"q1": SOLVED}})
    os.mkfifo(folder / "pipe.json")
    run = subprocess.run([PY, str(REPO_ROOT / "tools" / "progress_summary.py"), str(folder), "--csv",
                          str(tmp_path / "out.csv")], capture_output=True, text=True, timeout=60, env=_env())
    assert run.returncode == 0 and "FIFO" in run.stderr and "ada" in run.stdout
    assert "pipe" in (tmp_path / "out.csv").read_text()


# ============================================================================ a cache shared by a class

LEARNER_READS = textwrap.dedent("""
    import json, warnings
    warnings.simplefilter("always")
    with warnings.catch_warnings(record=True) as caught:
        from helpers import cache, training
        value = cache.load("scores", "shared.entry", decode=lambda b: json.loads(b))
        state = training.WeightCache().load("shared-weights")
    print(json.dumps({"value": value, "weights": None if state is None else float(state["w"].sum()),
                      "warnings": [str(w.message) for w in caught]}))
""")


def _learner_user():
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs root, to fill the cache as one user and read it as another, unprivileged one")
    from test_readonly_notebooks import _learner, _learner_python

    user = _learner()
    return user, _learner_python(user)


def _fill_as_instructor(cache: Path, umask: int) -> None:
    """What an instructor's run leaves: a score and trained weights, written under ``umask``."""
    import torch

    from helpers import cache as course_cache
    from helpers import training

    before = os.umask(umask)
    try:
        assert course_cache.save("scores", "shared.entry", {"accuracy": 0.9}, lambda v: json.dumps(v).encode())
        assert training.WeightCache().save("shared-weights", {"w": torch.ones(3)}) is not None
    finally:
        os.umask(before)


def _as_learner(user, python_env, cache: Path, code: str, tmp: Path) -> subprocess.CompletedProcess:
    python, extra = python_env
    runner = (["runuser", "-u", user.pw_name, "--"] if __import__("shutil").which("runuser")
              else ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("COURSE_")}
    env.update(COURSE_CACHE_DIR=str(cache), COURSE_PROGRESS_DIR=str(tmp / "learner-progress"), HOME=str(tmp),
               MPLCONFIGDIR=str(tmp / "mpl"), PYTHONPATH=os.pathsep.join([str(REPO_ROOT), extra.get("PYTHONPATH", "")]))
    return subprocess.run([*runner, python, "-c", code], capture_output=True, text=True, timeout=300, env=env, cwd="/")


SHARED_CACHES = [  # umask, cache folder mode, whether the learner reads what the instructor cached
    (0o022, 0o755, True),   # the usual umask: a folder all may read
    (0o002, 0o775, True),   # a group-writable class folder
    (0o022, 0o711, False),  # a folder others may enter but not list: its files stay private
    (0o077, 0o755, False),  # an instructor's private umask is honoured
    (0o027, 0o755, False),  # no access for others in the umask
]


@pytest.mark.slow
@pytest.mark.parametrize("umask, mode, readable", SHARED_CACHES)
def test_a_learner_reads_what_an_instructor_cached(tmp_path_factory, monkeypatch, umask, mode, readable):
    user, python_env = _learner_user()
    base = Path(__import__("tempfile").mkdtemp(prefix="course-shared-"))
    try:
        base.chmod(0o755)
        cache = base / "cache"
        cache.mkdir()
        for folder in (cache, cache / "scores", cache / "weights"):
            folder.mkdir(exist_ok=True)
            folder.chmod(mode)
        monkeypatch.setenv("COURSE_CACHE_DIR", str(cache))
        _fill_as_instructor(cache, umask)
        for entry in (cache / "scores").iterdir():
            assert entry.stat().st_mode & 0o777 == 0o666 & ~umask & (0o600 | mode & 0o066)
        home = base / "home"
        home.mkdir()
        os.chown(home, user.pw_uid, user.pw_gid)
        run = _as_learner(user, python_env, cache, LEARNER_READS, home)
        assert run.returncode == 0, run.stderr[-2000:]
        seen = json.loads(run.stdout.strip().splitlines()[-1])
        if readable:
            assert seen == {"value": {"accuracy": 0.9}, "weights": 3.0, "warnings": []}
        else:
            assert seen["value"] is None and seen["weights"] is None
            assert not any("damaged" in w for w in seen["warnings"]), seen
            assert any("cannot be read by you" in w and "chmod -R a+rX" in w for w in seen["warnings"]), seen
        assert sorted(p.name for p in (cache / "scores").iterdir()) == ["shared.entry"]  # nothing moved aside
    finally:
        __import__("shutil").rmtree(base, ignore_errors=True)


def _recipe() -> str:
    """The instructors' guide's commands that fill a class's shared cache."""
    guide = (REPO_ROOT / "docs" / "instructors.md").read_text(encoding="utf-8")
    start = guide.index("Fill a shared cache once")
    block = guide[guide.index("```bash\n", start) + len("```bash\n"):]
    return block[:block.index("```")]


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_classroom_recipe_fills_a_cache_the_learners_load_without_training(tmp_path, monkeypatch):
    from test_readonly_notebooks import _learner, _prepare, _run_as_learner

    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs root, to fill the cache as one user and read it as another, unprivileged one")
    user = _learner()
    base = Path(__import__("tempfile").mkdtemp(prefix="course-recipe-"))
    base.chmod(0o755)
    try:
        user, home, course = _prepare(user, base)
        monkeypatch.setenv("COURSE_PROGRESS_DIR", str(home / "progress"))  # the learner's own
        shared = base / "srv" / "cache"
        recipe = _recipe()
        assert "/srv/embeddings-course/cache" in recipe and "notebooks/0*.ipynb" in recipe
        # the recipe as written, for one notebook (the others fill the same cache the same way)
        recipe = recipe.replace("/srv/embeddings-course/cache", str(shared)).replace(
            "notebooks/0*.ipynb", "notebooks/03_image_embeddings.ipynb")
        env = {**_env(), "PATH": f"{Path(PY).parent}{os.pathsep}{os.environ['PATH']}"}
        env.pop("COURSE_CACHE_DIR")
        filled = subprocess.run(["bash", "-euc", f"umask 022\n{recipe}"], cwd=REPO_ROOT, env=env,
                                capture_output=True, text=True, timeout=900)
        assert filled.returncode == 0, filled.stderr[-3000:]
        assert any((shared / "weights").iterdir())
        text = _run_as_learner(user, course / "notebooks" / "03_image_embeddings.ipynb", home,
                               home / "recipe-03.ipynb", shared)
        assert "is damaged" not in text and "PermissionError" not in text and "cannot be read by you" not in text
        assert "trained in" not in text and "loaded from the cache" in text
    finally:
        __import__("shutil").rmtree(base, ignore_errors=True)


# ============================================================================ writes that stay private and degrade

def _explorer():
    import numpy as np

    from helpers.widgets.projection import ProjectionExplorer

    return ProjectionExplorer(np.random.default_rng(0).normal(size=(20, 3)), np.arange(20) % 2)


def _link_elsewhere(shared: Path, tmp: Path) -> Path:
    elsewhere = tmp / "attacker"
    elsewhere.mkdir()
    shared.symlink_to(elsewhere)
    return elsewhere


def _file_in_the_way(shared: Path, tmp: Path) -> Path:
    shared.write_text("a file")
    return shared


def _folder_open_to_all(shared: Path, tmp: Path) -> Path:
    shared.mkdir()
    shared.chmod(0o777)
    return shared


PREPARED_FALLBACKS = [  # what another user left at <tmp>/course-exports, whether it is used
    (_link_elsewhere, False),
    (_file_in_the_way, False),
    (_folder_open_to_all, True),  # ours: made private again
    (None, True),
]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions and links")
@pytest.mark.parametrize("prepare, used", PREPARED_FALLBACKS)
def test_the_fallback_export_folder_is_private_and_refuses_links(tmp_path, monkeypatch, prepare, used):
    import tempfile

    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    shared = temporary / "course-exports"
    planted = prepare(shared, tmp_path) if prepare else None
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    with pytest.warns(UserWarning, match="cannot be written"):
        written = _explorer().export(blocker / "mine")
    folder = written["vectors"].parent
    assert all(path.is_file() for path in written.values())
    assert (folder.parent == shared) == used
    for step in (folder, folder.parent):
        info = os.lstat(step)
        assert not (info.st_mode & 0o077) and info.st_uid == os.getuid() and not os.path.islink(step)
    if planted is not None and planted.is_dir() and not used:
        assert list(planted.iterdir()) == [], "nothing was written through the link"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to give a folder to another user")
def test_a_fallback_folder_owned_by_another_user_is_refused(tmp_path, monkeypatch):
    import tempfile

    from test_readonly_notebooks import _learner

    other = _learner()
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    (temporary / "course-exports").mkdir(mode=0o777)
    os.chown(temporary / "course-exports", other.pw_uid, other.pw_gid)
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with pytest.warns(UserWarning, match="cannot be written"):
        written = _explorer().export(blocker / "mine")
    assert written["vectors"].parent.parent != temporary / "course-exports"
    assert list((temporary / "course-exports").iterdir()) == []


def _no_space(real_open, full: Path):
    import errno

    def fake(file, *args, **kwargs):
        if str(file).startswith(str(full)) and ("w" in (args[0] if args else kwargs.get("mode", "r"))):
            raise OSError(errno.ENOSPC, "No space left on device", str(file))
        return real_open(file, *args, **kwargs)

    return fake


def _kept_in_memory(written: dict, explorer, caught) -> None:
    """The export is in memory only, complete, with one note that says so and how to get it."""
    import numpy as np

    from helpers import paths

    notes = [str(w.message) for w in caught]
    assert len(notes) == 1 and "kept in memory only" in notes[0] and "read_bytes()" in notes[0], notes
    assert "export(" in notes[0] and "\n" not in notes[0]
    assert all(isinstance(file, paths.MemoryFile) for file in written.values())
    assert [file.name for file in written.values()] == ["vectors.tsv", "metadata.tsv", "map.csv", "map.png"]
    np.testing.assert_allclose(np.loadtxt(written["vectors"].read_bytes().splitlines(), delimiter="\t"),
                               explorer.X, rtol=1e-5)
    meta = written["metadata"].read_text(encoding="utf-8").splitlines()
    assert meta[0] == "index\tlabel" and len(meta) == explorer.n + 1
    assert written["map_png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for file in written.values():  # what notebook 03 prints of each file
        assert file.stat().st_size == len(file.read_bytes()) > 0
    assert "in memory" in repr(written["vectors"])
    with pytest.raises(TypeError):
        open(written["vectors"])  # not a file on disk: nothing can open it by name


@pytest.mark.parametrize("fallback_full", [False, True])
def test_a_full_disk_moves_the_export_or_keeps_it_in_memory(tmp_path, monkeypatch, fallback_full):
    import builtins
    import tempfile

    temporary = tmp_path / "temporary"
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    full = tmp_path if fallback_full else tmp_path / "course"
    monkeypatch.setattr(builtins, "open", _no_space(builtins.open, full))
    explorer = _explorer()
    with pytest.warns(UserWarning, match="No space left on device") as caught:
        written = explorer.export(tmp_path / "course" / "exports")
    if fallback_full:
        monkeypatch.undo()
        _kept_in_memory(written, explorer, caught)
        assert not any((temporary / "course-exports" / "exports").iterdir()), "nothing half-written is left"
    else:
        assert written["vectors"].parent.parent == temporary / "course-exports"
        assert str(written["vectors"].parent) in str(caught[0].message)
    assert not any((tmp_path / "course" / "exports").iterdir()), "nothing half-written is left"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to mount a tiny tmpfs")
@pytest.mark.parametrize("temporary_full", [False, True])
def test_a_really_full_tmpfs_export_moves_or_is_kept_in_memory(tmp_path, monkeypatch, temporary_full):
    """A real 64 KiB tmpfs holds the export folder, and the temporary folder too when it is full."""
    import tempfile

    import numpy as np

    from helpers.widgets.projection import ProjectionExplorer

    disk = tmp_path / "tiny"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        temporary = (disk if temporary_full else tmp_path) / "temporary"
        monkeypatch.setattr(tempfile, "tempdir", str(temporary))
        rng = np.random.default_rng(0)
        explorer = ProjectionExplorer(rng.normal(size=(600, 16)), np.arange(600) % 3)  # vectors.tsv ~ 100 KB
        with pytest.warns(UserWarning, match="No space left on device") as caught:
            written = explorer.export(disk / "exports")
        assert list((disk / "exports").iterdir()) == [], "nothing half-written is left"
        if temporary_full:
            _kept_in_memory(written, explorer, caught)
            assert list((temporary / "course-exports" / "exports").iterdir()) == []
            again = explorer.export(tmp_path / "roomy")  # the way the note gives to have it as files
            assert {kind: path.read_bytes() for kind, path in again.items() if kind != "map_png"} == {
                kind: file.read_bytes() for kind, file in written.items() if kind != "map_png"}
        else:
            assert written["vectors"].parent == temporary / "course-exports" / "exports"
            assert all(path.is_file() for path in written.values()) and len(caught) == 1
    finally:
        subprocess.run(["umount", str(disk)], capture_output=True)


FULL_WRITES = ["scores", "weights", "progress"]


@pytest.mark.parametrize("what", FULL_WRITES)
def test_a_full_disk_keeps_results_in_memory_like_a_read_only_one(tmp_path, monkeypatch, what):
    import errno

    import torch

    from helpers import cache, paths, training

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(paths, "_reported", set())
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, fd, *args, **kwargs):
            self.file = real_fdopen(fd, *args, **kwargs)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.file.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

        def __getattr__(self, name):
            return getattr(self.file, name)

    monkeypatch.setattr(os, "fdopen", Full)
    try:
        if what == "scores":
            with pytest.warns(cache.CacheWarning, match="No space left"):
                assert cache.save("scores", "x.entry", 0.5, lambda v: json.dumps(v).encode()) is False
            assert cache.load("scores", "x.entry", decode=json.loads) == 0.5
            folder = tmp_path / "cache" / "scores"
        elif what == "weights":
            store = training.WeightCache()
            with pytest.warns(cache.CacheWarning, match="No space left"):
                assert store.save("k", {"w": torch.ones(2)}) is None
            assert float(store.load("k")["w"].sum()) == 2.0
            folder = store.folder
        else:
            with pytest.warns(UserWarning, match="No space left"):
                note = progress.update_entry("00_x", "q1", _attempt)
            assert "session only" in note and progress.load_progress()["00_x"]["q1"]["attempts"] == 1
            folder = progress.progress_dir()
    finally:
        cache.forget_unsaved()
    assert not [p for p in folder.iterdir() if p.name.endswith(".tmp")], "no temporary file is left"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() != 0, reason="needs root to mount a tiny tmpfs")
def test_a_really_full_tmpfs_cache_degrades_to_memory(tmp_path, monkeypatch):
    from helpers import cache, paths

    disk = tmp_path / "tiny"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)], capture_output=True).returncode:
        pytest.skip("tmpfs cannot be mounted here")
    try:
        monkeypatch.setenv("COURSE_CACHE_DIR", str(disk / "cache"))
        monkeypatch.setattr(paths, "_reported", set())
        big = "x" * 300_000
        with pytest.warns(cache.CacheWarning, match="No space left"):
            assert cache.save("scores", "big.entry", big, lambda v: v.encode()) is False
        assert cache.load("scores", "big.entry", decode=bytes.decode) == big
        assert [p.name for p in (disk / "cache" / "scores").iterdir()] == []
        assert cache.save("scores", "small.entry", "ok", lambda v: v.encode())  # what fits is still written
        cache.forget_unsaved()
        assert cache.load("scores", "small.entry", decode=bytes.decode) == "ok"
    finally:
        cache.forget_unsaved()
        subprocess.run(["umount", str(disk)], capture_output=True)


# ============================================================================ data checked against the whole manifest

@pytest.fixture
def data_copy(tmp_path, monkeypatch):
    """A copy of the shipped data that the loaders read (the real files are never changed)."""
    import shutil

    from helpers import data

    folder = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data", folder, ignore=shutil.ignore_patterns("*.py"))
    monkeypatch.setattr(data, "DATA_DIR", folder)
    return folder


def _rewrite(folder: Path, name: str, change) -> None:
    """Change arrays of ``name`` and record the new file's checksum and size, as a careless edit would."""
    import hashlib

    import numpy as np

    path = folder / name
    with np.load(path, allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    change(arrays)
    np.savez_compressed(path, **arrays)
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"][name]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    manifest["files"][name]["size"] = path.stat().st_size
    (folder / "manifest.json").write_text(json.dumps(manifest))


def _set(key, make):
    def change(arrays):
        arrays[key] = make(arrays[key])
    return change


def _flip_one(array):
    array = array.copy()
    array.flat[0] = array.flat[0] + 1 if array.dtype.kind in "iuf" else array.flat[1]
    return array


EDITED_DATA = [  # file, change, words of the message
    ("fashion_mnist.npz", _set("x_train", lambda a: a.astype("float32") / 255), "float32"),
    ("fashion_mnist.npz", _set("x_test", lambda a: a.astype("float64")), "float64"),
    ("fashion_mnist.npz", _set("x_train", _flip_one), "content checksum"),
    ("fashion_mnist.npz", _set("y_test", _flip_one), "content checksum"),
    ("fashion_mnist.npz", _set("y_train", lambda a: a[:-1]), "shape"),
    ("fashion_mnist.npz", _set("x_test", lambda a: a.reshape(len(a), -1)), "shape"),
    ("fashion_mnist.npz", _set("y_train", lambda a: a.astype("int32")), "int32"),
    ("mnist.npz", _set("x_train", lambda a: a.astype("float32")), "float32"),
    ("mnist.npz", _set("y_train", lambda a: a[::-1].copy()), "content checksum"),
    ("mnist.npz", _set("x_test", lambda a: a[:, ::-1].copy()), "content checksum"),
    ("glove_50d.npz", _set("vectors", lambda a: a.astype("float32")), "float32"),
    ("glove_50d.npz", _set("vectors", _flip_one), "content checksum"),
    ("glove_50d.npz", _set("words", lambda a: a[::-1].copy()), "content checksum"),
]


def _load(name):
    from helpers import data

    if name == "glove_50d.npz":
        return data.load_glove()
    return data.load_fashion_mnist() if name == "fashion_mnist.npz" else data.load_mnist()


@pytest.mark.parametrize("name, change, words", EDITED_DATA)
def test_shipped_data_edited_with_a_matching_file_checksum_is_refused(data_copy, name, change, words):
    from helpers import data

    _load(name)  # the copy loads as shipped
    _rewrite(data_copy, name, change)
    with pytest.raises(data.DataFileError, match=words) as info:
        _load(name)
    assert name in str(info.value) and "changed after it was built" in str(info.value)


def test_a_manifest_without_the_arrays_of_a_file_is_refused(data_copy):
    from helpers import data

    manifest = json.loads((data_copy / "manifest.json").read_text())
    del manifest["files"]["mnist.npz"]["arrays"]
    (data_copy / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(data.DataFileError, match="lists no arrays"):
        data.load_mnist()


def _untrained(state):
    import torch

    return {k: torch.zeros_like(v) if v.is_floating_point() else v for k, v in state.items()}


def _shuffled(state):
    import torch

    generator = torch.Generator().manual_seed(0)
    return {k: v[torch.randperm(len(v), generator=generator)] if v.ndim and v.is_floating_point() else v
            for k, v in state.items()}


WEIGHT_EDITS = [("zeros", _untrained), ("shuffled", _shuffled), ("fresh", None)]


@pytest.mark.slow
@pytest.mark.parametrize("label, edit", WEIGHT_EDITS, ids=[w[0] for w in WEIGHT_EDITS])
def test_untrained_or_altered_shipped_weights_are_refused(data_copy, label, edit):
    import hashlib

    import numpy as np
    import torch

    from helpers import cnn_training, data, training
    from helpers.models.cnn import SmallCNN

    dataset = data.load_fashion_mnist()
    entry_name = "cnn_fashion_mnist.pt"
    manifest = json.loads((data_copy / "manifest.json").read_text())
    key = manifest["weights"][entry_name]["cache_key"]
    path = data_copy / "weights" / entry_name
    state = torch.load(path, map_location="cpu", weights_only=True)
    torch.manual_seed(1)
    state["weights"] = SmallCNN().state_dict() if edit is None else edit(state["weights"])
    torch.save(state, path)
    manifest["weights"][entry_name]["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (data_copy / "manifest.json").write_text(json.dumps(manifest))
    model = SmallCNN()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    x_test = cnn_training.as_tensor_images(dataset.x_test, name="x")
    y_test = torch.from_numpy(np.asarray(dataset.y_test))

    def measure():
        return {"test_accuracy": training.accuracy(training.predict(model, x_test), y_test)}

    with pytest.warns(training.paths.CacheWarning, match="untrained or altered weights"):
        assert training._load_shipped(model, key, measure) is None
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items()), "back to the seeded start"


@pytest.mark.slow
def test_shipped_weights_are_measured_once_and_then_trusted():
    import numpy as np
    import torch

    from helpers import data, training
    from helpers.models.cnn import SmallCNN

    dataset = data.load_fashion_mnist()
    key = json.loads((REPO_ROOT / "data" / "manifest.json").read_text())["weights"]["cnn_fashion_mnist.pt"][
        "cache_key"]
    x_test = torch.from_numpy(dataset.x_test[:, None].astype(np.float32) / 255)
    y_test = torch.from_numpy(np.asarray(dataset.y_test))
    calls = []
    for _ in range(3):
        model = SmallCNN()

        def measure(model=model):
            calls.append(1)
            return {"test_accuracy": training.accuracy(training.predict(model, x_test), y_test)}

        with warnings.catch_warnings():
            warnings.simplefilter("error")
            assert training._load_shipped(model, key, measure) is not None
    assert len(calls) == 1


# ================================================ small tables: progress texts, answers as data, modes, cells

def _digest_doc(progress_data):
    return json.dumps(progress._document(progress_data))


HOSTILE_PROGRESS_TEXTS = [  # the text of progress.json, words of the warning
    ("[" * 100_000 + "]" * 100_000, "nested far deeper"),
    ('{"format": "embeddings-course progress", "progress": ' + "[" * 50_000 + "]" * 50_000 + "}", "nested far deeper"),
    ("", "not valid JSON"),
    ("null", "not a course progress file"),
    ('{"format": "something else"}', "not a course progress file"),
    (_digest_doc({"01_x": {"q1": SOLVED}}).replace('"solved"', '"SOLVED"', 1), "digest"),
    (_digest_doc({"01_x": {"q1": SOLVED}})[:-5], "not valid JSON"),
    (json.dumps({**json.loads(_digest_doc({})), "progress": {"01_x": {"q1": {"status": "solved", "attempts": -3}}},
                 "digest": progress._digest({"01_x": {"q1": {"status": "solved", "attempts": -3}}})}),
     "entries the course does not write"),
]


@pytest.mark.parametrize("text, words", HOSTILE_PROGRESS_TEXTS)
def test_a_hostile_progress_file_is_set_aside_and_checks_go_on(text, words):
    path = progress.progress_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    with pytest.warns(UserWarning, match=words):
        assert progress.load_progress() == {}
    assert [p.name.startswith("progress.json.damaged") for p in path.parent.iterdir()].count(True) == 1
    progress.update_entry("00_x", "q1", _attempt)
    assert progress.load_progress()["00_x"]["q1"]["attempts"] == 1


def _round_trip(value):
    import tempfile as _tempfile

    from helpers import grading

    with _tempfile.TemporaryDirectory() as folder:
        grading.hand_over({"value": value}, folder)
        _, values, left = grading.read_answers(folder)
    return values.get("value"), left


def _values():
    import numpy as np
    import pandas as pd
    import torch

    return [
        0, -7, 2**200, 1.5, float("inf"), True, None, "text", "",
        [1, [2, [3]]], (1, "a"), {1, 2, 3}, {"a": 1, (1, 2): [3]},
        np.arange(6, dtype=np.int16).reshape(2, 3), np.array([0.5, np.nan], dtype=np.float32),
        np.array(["a", "bc"]), np.float64(2.5), np.array([True, False]),
        torch.arange(4.0), torch.ones(2, 2, dtype=torch.int64),
        pd.DataFrame({"a": [1, 2], "b": [0.5, 1.5]}, index=["x", "y"]), pd.Series([1.0, 2.0], index=[3, 4]),
    ]


def _same(a, b) -> bool:
    import numpy as np
    import pandas as pd
    import torch

    if isinstance(a, pd.DataFrame | pd.Series):
        return a.equals(b)
    if isinstance(a, torch.Tensor):
        return isinstance(b, torch.Tensor) and torch.equal(a, b)
    if isinstance(a, np.ndarray | np.generic):
        return np.array_equal(a, b, equal_nan=a.dtype.kind == "f") and np.asarray(a).dtype == np.asarray(b).dtype
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("index", range(22))
def test_answers_travel_to_the_grader_as_the_same_data(index):
    value = _values()[index]
    back, left = _round_trip(value)
    assert not left and _same(value, back), (value, back)


def test_a_torch_layer_travels_to_the_grader_and_computes_the_same():
    import torch
    from torch import nn

    torch.manual_seed(0)
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, 2), nn.Sigmoid())
    back, left = _round_trip(encoder)
    images = torch.rand(4, 1, 28, 28)
    assert not left and isinstance(back, nn.Sequential) and torch.equal(encoder(images), back(images))


def _refused_values():
    import numpy as np
    import torch

    class Custom:
        pass

    nested = []
    for _ in range(40):
        nested = [nested]
    return [
        ("object array", np.array([object()], dtype=object), "object"),
        ("meta tensor", torch.empty(2, device="meta"), "meta"),
        ("sparse tensor", torch.eye(2).to_sparse(), "sparse"),
        ("too deep", nested, "nested deeper"),
        ("huge int", 10 ** 2000, "4096 bits"),
        ("custom", Custom(), "Custom"),
        ("generator", (i for i in range(3)), "generator"),
        ("own layer", type("Mine", (torch.nn.Module,), {"forward": lambda self, x: x})(), "Mine"),
    ]


@pytest.mark.parametrize("index", range(8))
def test_what_cannot_travel_as_data_is_named_not_pickled(index):
    label, value, words = _refused_values()[index]
    back, left = _round_trip(value)
    assert back is None and words in left["value"], (label, left)


HOSTILE_NODES = [  # an entry of answers.json a kernel might forge, and what the grader says
    ({"pickle": "gASV"}, "unknown entry"),
    ({"int": "9" * 5000}, "unknown entry"),
    ({"torch_module": {"class": "os.system", "training": False, "attributes": {"dict": []},
                       "parameters": {}, "buffers": {}, "children": {}}}, "class"),
    ({"array": "missing-key"}, "missing-key"),
    ({"list": [{"str": "a"}, {"eval": "1+1"}]}, "unknown entry"),
    ([1, 2], "unknown entry"),
]


@pytest.mark.parametrize("node, words", HOSTILE_NODES)
def test_a_forged_answers_file_is_read_as_data_only(tmp_path, node, words):
    import numpy as np

    from helpers import grading

    (tmp_path / "answers.json").write_text(json.dumps({"notebooks": ["00_start_here"], "values": {"x": node},
                                                       "left": {}}))
    np.savez(tmp_path / "arrays.npz")
    notebooks, values, left = grading.read_answers(str(tmp_path))
    assert notebooks == ["00_start_here"] and "x" not in values and words in left["x"]


FILE_MODES = [  # umask, folder mode, the mode of a cache file in it
    (0o022, 0o755, 0o644),
    (0o002, 0o775, 0o664),
    (0o022, 0o775, 0o644),
    (0o077, 0o755, 0o600),
    (0o022, 0o700, 0o600),
    (0o002, 0o2770, 0o660),
    (0o000, 0o777, 0o666),
]


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
@pytest.mark.parametrize("umask, folder_mode, expected", FILE_MODES)
def test_cache_files_take_the_folders_read_permissions_within_the_umask(tmp_path, monkeypatch, umask, folder_mode,
                                                                       expected):
    from helpers import cache, paths

    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "cache" / "scores").mkdir(parents=True)
    (tmp_path / "cache" / "scores").chmod(folder_mode)
    before = os.umask(umask)
    try:
        assert paths.shared_file_mode(tmp_path / "cache" / "scores") == expected
        assert cache.save("scores", "x.entry", 1, lambda v: b"1")
    finally:
        os.umask(before)
    assert (tmp_path / "cache" / "scores" / "x.entry").stat().st_mode & 0o777 == expected


CELLS = [  # a name as handed in, the CSV cell the spreadsheet gets
    ("=1+1", "'=1+1"), ("+A1", "'+A1"), ("-5", "'-5"), ("@cmd", "'@cmd"), ("\t=x", "=x" and "'=x"),
    ("ada", "ada"), ("a=b", "a=b"), ("\x1b[2J=x", "[2J=x"), ("x" * 200, "x" * 79 + "…"),
]


@pytest.mark.parametrize("name, cell", CELLS)
def test_a_summary_cell_is_cleaned_then_escaped(name, cell):
    assert progress_summary.csv_safe(progress_summary.clean(name)) == cell
