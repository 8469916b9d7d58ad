"""Grade learners' notebooks with the exercises' own checks: one row per notebook, one column per exercise.

    python tools/grade_notebook.py FILE.ipynb [FILE.ipynb ...] [--csv grades.csv] [--timeout SECONDS]

The grades are computed where the submission cannot reach them:

1. Each notebook runs top to bottom (a cell that raises does not stop it) in a fresh kernel,
   inside a throwaway copy of the course made for it alone (``helpers/`` and ``data/`` made
   read-only), with its progress kept in a temporary folder. Whatever a cell rewrites there,
   the answer keys included, is gone with the copy; the course folder itself is verified after
   each notebook and restored from the copy read at start if anything in it changed. The
   course cache (trained models) is copied for each notebook too, so nothing is trained
   again and nothing one notebook writes there reaches the next.
2. A last cell hands the learner's answers over as data: numbers, text, arrays, tables,
   tensors and torch.nn layers as JSON and a NumPy archive (never a pickle), the learner's
   functions and classes as their source code (a class's found in the cell that defined it),
   and a learner's own torch module (an ``nn.Module`` subclass of theirs) as its class's name,
   its attributes and its weights.
3. A separate process, started from a fresh copy of the course read before any notebook ran,
   rebuilds the answers and runs each exercise's check in a process of its own, which may not
   write files, start programs, reach the network or change the checker's classes, and whose
   checker modules are compared with their state before the check (a change scores 0). The
   learner's functions and classes are defined, and their own modules rebuilt, in that
   process, under the same rules and time limit as the check.

So a cell that replaces ``evaluate``, prints a fake report or rewrites an answer key earns
nothing and changes nothing for the next learner. What stays within a submission's reach:
its own answers, and the code of its own functions and classes, which runs while those are checked.
One point per correct exercise, none otherwise. The same checks run as nbgrader or
otter-grader tests with ``helpers.grading.assert_solved(ex.qN)`` in a test cell (inside the
graded kernel: use this tool where submissions are not trusted). POSIX systems check each
exercise in its own process; elsewhere all of a notebook's checks share one.
It needs nbclient and nbformat (``pip install -r requirements-dev.txt``).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

COURSE_ROOT = Path(__file__).resolve().parent.parent
#: What a copy of the course holds: the set-up, the checks and answer keys, the data, this tool.
COURSE_PARTS = ("course_setup.py", "helpers", "data", "tools")
HAND_OVER_CELL = "import helpers.grading as _course_grading\n_course_grading.hand_over(globals(), {folder!r})"
#: Seconds one exercise's check may take in the judge (the learner's function included).
CHECK_TIMEOUT_S = 120


def snapshot(root: Path = COURSE_ROOT) -> dict[str, bytes]:
    """Every file of the course parts, ``{relative path: bytes}``, read once before grading."""
    files = {}
    for part in COURSE_PARTS:
        base = root / part
        for path in [base] if base.is_file() else sorted(base.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and not path.is_symlink():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def write_copy(files: dict[str, bytes], folder: Path, *, read_only: bool) -> Path:
    """Write ``files`` under ``folder``; with ``read_only`` the course parts lose their write permission."""
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    if read_only:
        for part in ("helpers", "data", "course_setup.py"):
            for path in [folder / part, *(folder / part).rglob("*")]:
                path.chmod(stat.S_IMODE(path.stat().st_mode) & ~0o222)
    return folder


def _make_writable(folder: Path) -> None:
    for path in [folder, *folder.rglob("*")]:
        if not path.is_symlink():
            path.chmod(stat.S_IMODE(path.stat().st_mode) | stat.S_IWUSR)


def restore(files: dict[str, bytes], root: Path = COURSE_ROOT) -> list[str]:
    """Put back any course file that differs from ``files``; returns the names put back."""
    changed = []
    for name, content in files.items():
        path = root / name
        try:
            same = not path.is_symlink() and path.read_bytes() == content
        except OSError:
            same = False
        if not same:
            changed.append(name)
            if path.is_symlink() or path.is_dir():
                shutil.rmtree(path) if path.is_dir() and not path.is_symlink() else path.unlink()
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)
    return changed


def grade(path: Path, timeout: int = 600, kernel: str = "python3",
          course: dict[str, bytes] | None = None) -> dict[str, dict[str, dict]]:
    """Run ``path`` in a copy of the course and judge its answers outside its kernel.

    Returns ``{notebook: {question: {"status", "points", "message"}}}``.
    """
    try:
        import nbformat
        from nbclient import NotebookClient
    except ImportError as missing:
        raise RuntimeError(f"the grader needs {missing.name}: pip install -r requirements-dev.txt") from None

    course = snapshot() if course is None else course
    nb = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory(prefix="course-grading-") as work:
        work = Path(work)
        for name in ("progress", "answers", "judge"):
            (work / name).mkdir()
        copy = write_copy(course, work / "course", read_only=True)
        (copy / "notebooks").mkdir()
        cache = Path(os.environ.get("COURSE_CACHE_DIR") or COURSE_ROOT / ".cache")
        if cache.is_dir():  # trained models are not trained again, and what the notebook writes there is its own
            shutil.copytree(cache, work / "cache", symlinks=True, ignore_dangling_symlinks=True)
        nb.cells.append(nbformat.v4.new_code_cell(HAND_OVER_CELL.format(folder=str(work / "answers"))))
        saved = {name: os.environ.get(name) for name in ("COURSE_PROGRESS_DIR", "COURSE_CACHE_DIR")}
        os.environ.update(COURSE_PROGRESS_DIR=str(work / "progress"), COURSE_CACHE_DIR=str(work / "cache"))
        try:
            client = NotebookClient(nb, timeout=timeout, kernel_name=kernel, allow_errors=True,
                                    resources={"metadata": {"path": str(copy / "notebooks")}})
            client.execute()
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value
            _make_writable(work)
        if not (work / "answers" / "answers.json").is_file():
            errors = [f"{o.get('ename')}: {o.get('evalue')}" for o in nb.cells[-1].outputs
                      if o.get("output_type") == "error"]
            raise RuntimeError(f"{path.name}: the answers could not be collected "
                               f"({'; '.join(errors) or 'the notebook did not hand them over'})")
        judge_copy = write_copy(course, work / "judge", read_only=False)
        code = (f"import sys; sys.path.insert(0, {str(judge_copy)!r}); from tools.grade_notebook import judge; "
                f"judge({str(work / 'answers')!r})")
        run = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True,
                             cwd=judge_copy, timeout=timeout * 4)
    found = [line for line in run.stdout.splitlines() if line.startswith("{")]
    if run.returncode != 0 or not found:
        raise RuntimeError(f"{path.name}: the judge failed: {run.stderr.strip()[-500:]}")
    return json.loads(found[-1])


# ============================================================================ the judge (a process of its own)

_BLOCKED = ("subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork", "os.forkpty",
            "os.kill", "os.killpg", "socket.connect", "socket.bind", "os.remove", "os.rename", "os.rmdir",
            "os.chmod", "os.chown", "os.mkdir", "os.symlink", "os.link", "os.truncate", "os.utime",
            "shutil.rmtree", "shutil.move", "sys.settrace", "sys.setprofile")
_WRITING = os.O_WRONLY | os.O_RDWR | os.O_APPEND | os.O_CREAT | os.O_TRUNC


def _guard(event: str, args: tuple) -> None:
    """The judge's audit hook while a learner's code may run: no files written, no programs, no network."""
    if event == "open":
        mode, flags = args[1], args[2]
        if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (isinstance(flags, int) and flags & _WRITING):
            raise PermissionError(f"the grader does not let submitted code write files ({args[0]})")
    elif event.startswith(_BLOCKED):
        raise PermissionError(f"the grader does not let submitted code do {event}")
    elif event == "object.__setattr__" and isinstance(args[0], type):
        owner = vars(args[0]).get("__module__")  # read without running any code (a library's type may refuse)
        if isinstance(owner, str) and owner.split(".")[0] == "helpers":
            raise PermissionError(f"the grader does not let submitted code change a course class ({args[1]})")


def _checker_state() -> list[tuple[dict, dict]]:
    """The course's modules and classes with a copy of their attributes, to see whether a check changed them."""
    state = []
    for name, module in list(sys.modules.items()):
        if name == "helpers" or name.startswith("helpers."):
            state.append((vars(module), dict(vars(module))))
            state += [(vars(c), dict(vars(c))) for c in vars(module).values()
                      if isinstance(c, type) and c.__module__ == name]
    return state


def _changed(state: list[tuple[dict, dict]]) -> bool:
    return any(k not in now or now[k] is not v for now, before in state for k, v in before.items())


def _imported(values: dict) -> dict:
    """The learner's answers that are data, and the modules they bound imported again (no learner code runs)."""
    import importlib

    from helpers.grading import Deferred, ModuleName, Source

    namespace = {"__name__": "__main__"}
    for name, value in values.items():
        if isinstance(value, ModuleName):
            try:
                namespace[name] = importlib.import_module(value)
            except Exception:  # a module this machine lacks: the exercise that needs it says so
                pass
        elif not isinstance(value, (Source, Deferred)):
            namespace[name] = value
    if any(isinstance(value, Deferred) for value in values.values()):
        import torch  # noqa: F401 - imported before the guard: a learner's own module is a torch module
    return namespace


def _define_one(namespace: dict, name: str, source: str) -> None:
    """Run one learner function's or class's definition (nothing else) in ``namespace`` as ``name``."""
    import ast

    tree = ast.parse(source)
    first = tree.body[0] if len(tree.body) == 1 else None
    if not isinstance(first, (ast.FunctionDef, ast.ClassDef)) or (
            isinstance(first, ast.FunctionDef) and first.decorator_list):
        raise ValueError("not one plain function or class definition")
    exec(compile(tree, f"<your code {name}>", "exec"), namespace)
    if first.name != name:
        namespace[name] = namespace.pop(first.name)


def _define(namespace: dict, values: dict) -> dict[str, str]:
    """Define the learner's functions and classes from their source in ``namespace``, then rebuild the
    learner's own torch modules; returns what could not be, with why. The learner's code runs here."""
    from helpers.grading import Deferred, Source

    left: dict[str, str] = {}
    waiting = [name for name, value in values.items() if isinstance(value, Source)]
    while waiting:
        again = []
        for name in waiting:
            try:
                _define_one(namespace, name, values[name])
                left.pop(name, None)
            except NameError as problem:  # it may need a class defined after it (its base): tried again
                left[name] = f"its definition failed: NameError: {problem}"
                again.append(name)
            except Exception as problem:  # only a plain definition that runs is taken
                left[name] = f"its definition failed: {type(problem).__name__}: {problem}"[:200]
        if len(again) == len(waiting):
            break
        waiting = again
    for name, value in values.items():
        if isinstance(value, Deferred):
            try:
                namespace[name] = value.rebuild(namespace)
            except Exception as problem:
                why = [left[other] for other in left if f"its class {other} " in str(problem)]
                left[name] = (f"{type(problem).__name__}: {problem}" + (f": {why[0]}" if why else ""))[:300]
    return left


def _with_missing(verdict: dict, left: dict[str, str]) -> dict:
    """A verdict of 0 that names a variable the grader could not carry or rebuild says why."""
    missing = [f"`{n}` ({why})" for n, why in left.items() if f"`{n}`" in verdict["message"]]
    if verdict["points"] == 0 and missing:
        verdict = {**verdict, "message": verdict["message"] + " Not carried to the grader: " + "; ".join(missing)}
    return verdict


def _verdict(problem, values: dict) -> dict:
    """Check one exercise (in the process that runs it) and say the verdict as data."""
    from helpers.exercises import CORRECT

    try:
        namespace = _imported(values)
        state = _checker_state()
        sys.addaudithook(_guard)  # from here on, the learner's code may run
        left = _define(namespace, values)
        result = problem.evaluate(namespace)
        if _changed(state):
            return {"status": "error", "points": 0, "message": "the submitted code changed the checker"}
        return _with_missing({"status": result.status, "points": int(result.status == CORRECT),
                              "message": result.message}, left)
    except BaseException as problem_met:  # SystemExit, KeyboardInterrupt and the rest: a verdict
        return {"status": "error", "points": 0, "message": f"the check stopped: {type(problem_met).__name__}"}


def _in_own_process(problem, values: dict) -> dict:
    """:func:`_verdict` in a forked process, so that nothing the check runs outlives it."""
    import select

    if not hasattr(os, "fork"):
        return _verdict(problem, values)
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(reading)
        try:
            verdict = json.dumps(_verdict(problem, values)).encode()
            while verdict:
                verdict = verdict[os.write(writing, verdict):]
        finally:
            os._exit(0)
    os.close(writing)
    chunks = []
    try:
        while select.select([reading], [], [], CHECK_TIMEOUT_S)[0]:
            chunk = os.read(reading, 65536)
            if not chunk:
                break
            chunks.append(chunk)
        else:
            os.kill(pid, 9)
            return {"status": "error", "points": 0, "message": f"the check took over {CHECK_TIMEOUT_S} s"}
    finally:
        os.close(reading)
        os.waitpid(pid, 0)
    try:
        return json.loads(b"".join(chunks))
    except ValueError:
        return {"status": "error", "points": 0, "message": "the check ended without a verdict"}


def judge(folder: str) -> None:
    """Print the grades (one JSON line) of the answers handed over in ``folder``."""
    import importlib

    from helpers.exercise_sets import NOTEBOOK_SETS
    from helpers.grading import read_answers

    notebooks, values, left = read_answers(folder)
    grades = {}
    for notebook in notebooks:
        if notebook not in NOTEBOOK_SETS:
            continue
        problems = importlib.import_module(f"helpers.exercise_sets.{NOTEBOOK_SETS[notebook]}").PROBLEMS
        for name, problem in problems.items():
            grades.setdefault(notebook, {})[name] = _with_missing(_in_own_process(problem, values), left)
    print(json.dumps(grades, sort_keys=True))


def table(results: dict[str, dict[str, dict[str, dict]]]) -> list[list[str]]:
    """A header and one row per graded file: the points of each exercise and the total."""
    columns = sorted({f"{nb}/{q}" for found in results.values() for nb, qs in found.items() for q in qs})
    rows = [["file", *columns, "points"]]
    for name, found in results.items():
        points = {f"{nb}/{q}": entry["points"] for nb, qs in found.items() for q, entry in qs.items()}
        rows.append([name, *(str(points.get(c, 0)) for c in columns), f"{sum(points.values())} of {len(columns)}"])
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", type=Path, nargs="+", help="learners' notebooks (.ipynb)")
    parser.add_argument("--csv", type=Path, metavar="FILE", help="also write the grades as CSV to FILE")
    parser.add_argument("--timeout", type=int, default=600, help="seconds allowed per cell (default 600)")
    parser.add_argument("--kernel", default="python3", help="kernel spec name (default: python3)")
    args = parser.parse_args(argv)
    results, failed = {}, 0
    course = snapshot()  # read once, before any submission runs
    for path in args.notebooks:
        try:
            results[path.name] = grade(path, args.timeout, args.kernel, course)
        except Exception as problem:  # one unreadable notebook does not stop the others
            failed += 1
            print(f"Not graded: {path}: {problem}", file=sys.stderr)
        changed = restore(course)
        if changed:
            print(f"The course folder changed while {path.name} ran; put back: {', '.join(changed[:10])}",
                  file=sys.stderr)
    rows = table(results)
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())
    if args.csv is not None:
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(rows)
        args.csv.write_text(buffer.getvalue(), encoding="utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
