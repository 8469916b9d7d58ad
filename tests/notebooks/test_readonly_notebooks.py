"""Notebooks 03 and 04 run to the end for a learner who cannot write the course cache.

A shared classroom or JupyterHub often gives learners a read-only course folder. This
test runs the notebooks as an ordinary user (root's permissions are not checked, so root
would prove nothing), in a kernel of that user, offline, three times:

1. with a cache folder the learner may write (it fills it);
2. with that cache filled but made read-only: everything loads, nothing is trained again;
3. in a read-only copy of the course with no cache at all: everything is computed, kept in
   memory, and the course says once where it could not write and how to choose another place.
"""

from __future__ import annotations

import functools
import json
import os
import pwd
import shutil
import site
import stat
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from conftest import REPO_ROOT, offline_prefix

pytestmark = pytest.mark.notebooks

LEARNER = "course-learner"
NOTEBOOKS = ("03_image_embeddings.ipynb", "04_latent_space.ipynb")
EXECUTED = REPO_ROOT / "tests" / "artifacts" / "executed-read-only"


def _learner() -> pwd.struct_passwd:
    """The unprivileged user the notebooks run as (created once, without a home or a login shell)."""
    if os.name != "posix" or os.geteuid() != 0:
        pytest.skip("needs root, to run the notebooks as another, unprivileged user")
    if not (shutil.which("useradd") and shutil.which("setpriv")):
        pytest.skip("needs useradd and setpriv (util-linux) to run as an unprivileged user")
    try:
        return pwd.getpwnam(LEARNER)
    except KeyError:
        made = subprocess.run(["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", LEARNER],
                              capture_output=True, text=True)
        try:
            return pwd.getpwnam(LEARNER)   # made now, or by a test in another worker at the same moment
        except KeyError:
            raise AssertionError(f"useradd could not make {LEARNER}: {made.stderr}") from None


def _read_only(path: Path) -> None:
    """Take write permission away from every file and folder under ``path``."""
    for folder, _dirs, files in os.walk(path):
        for name in files:
            file = Path(folder, name)
            file.chmod(file.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        Path(folder).chmod(0o555)


def _as(user: pwd.struct_passwd) -> list[str]:
    return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups", "--"]


@functools.cache
def _learner_python(user: pwd.struct_passwd) -> tuple[str, dict[str, str]]:
    """A Python the learner may run (kernels included), and what its environment needs.

    This environment's interpreter may live where only root can enter (pyenv under /root);
    then the same Python version installed for everyone runs the learner's notebooks, with
    this environment's packages on its path.
    """
    version = f"python{sys.version_info[0]}.{sys.version_info[1]}"
    system = shutil.which(version, path="/usr/local/bin:/usr/bin:/bin")
    candidates = [(sys.executable, {})]
    if system:
        candidates.append((system, {"PYTHONPATH": os.pathsep.join(site.getsitepackages())}))
    problems = []
    for python, extra in candidates:
        check = "import subprocess, sys, nbclient, torch; subprocess.run([sys.executable, '-c', ''], check=True)"
        probe = subprocess.run([*_as(user), python, "-c", check], capture_output=True, text=True, cwd="/",
                               env={**os.environ, **extra})
        if probe.returncode == 0:
            return python, extra
        problems.append(f"{python}: {probe.stderr.strip()[-200:]}")
    pytest.skip(f"{LEARNER} cannot run this Python environment ({'; '.join(problems)})")


def _run_as_learner(user: pwd.struct_passwd, notebook: Path, home: Path, out: Path, cache: Path | None) -> str:
    """Run ``notebook`` with tools/run_notebook.py as the learner; return the text of its outputs."""
    python, extra = _learner_python(user)
    env = {key: value for key, value in os.environ.items() if key not in ("COURSE_CACHE_DIR", "JUPYTER_RUNTIME_DIR")}
    env.update(HOME=str(home), USER=LEARNER, LOGNAME=LEARNER, MPLCONFIGDIR=str(home / ".matplotlib"),
               XDG_CACHE_HOME=str(home / ".cache"), NUMBA_CACHE_DIR=str(home / ".cache" / "numba"),
               TMPDIR=str(home / "tmp"), **extra)
    if cache is not None:
        env["COURSE_CACHE_DIR"] = str(cache)
    prefix = offline_prefix()
    if prefix is None and os.environ.get("CI") == "true":
        pytest.fail("under CI the notebooks must run offline, but `unshare -n` is not available")
    command = [*(prefix or []), *_as(user), python, str(REPO_ROOT / "tools" / "run_notebook.py"), str(notebook),
               "--cwd", str(notebook.parent), "--out", str(out)]
    proc = subprocess.run(command, capture_output=True, text=True, timeout=900, env=env, cwd=home)
    assert proc.returncode == 0, f"{notebook.name} failed for {LEARNER}:\n{proc.stderr[-4000:]}"
    executed = json.loads(out.read_text(encoding="utf-8"))
    outputs = [o for cell in executed["cells"] if cell["cell_type"] == "code" for o in cell.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    EXECUTED.mkdir(parents=True, exist_ok=True)
    shutil.copy(out, EXECUTED / out.name)
    parts = []
    for o in outputs:
        parts.append("".join(o.get("text", "")))
        parts += ["".join(o.get("data", {}).get(mime, "")) for mime in ("text/plain", "text/html")]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def setting():
    """The learner, a home folder of theirs, and a read-only copy of the course (no cache in it).

    They live in a folder of their own under the temporary folder: pytest's folders are
    private to root, so the learner could not even read a notebook there.
    """
    user = _learner()
    base = Path(tempfile.mkdtemp(prefix="course-learner-"))
    base.chmod(0o755)
    try:
        yield _prepare(user, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _prepare(user: pwd.struct_passwd, base: Path) -> tuple[pwd.struct_passwd, Path, Path]:
    home = base / "home"
    (home / "tmp").mkdir(parents=True)
    for folder in (home, home / "tmp"):
        os.chown(folder, user.pw_uid, user.pw_gid)
    _learner_python(user)
    course = base / "course"
    for part in ("helpers", "data", "notebooks"):
        shutil.copytree(REPO_ROOT / part, course / part, ignore=shutil.ignore_patterns("__pycache__", ".cache"))
    for file in ("requirements.txt", "pyproject.toml", "course_setup.py"):
        shutil.copy(REPO_ROOT / file, course / file)
    _read_only(course)
    return user, home, course


def test_notebooks_03_and_04_run_for_a_learner_who_cannot_write_the_cache(setting):
    user, home, course = setting
    cache = home / "cache"
    cache.mkdir()
    os.chown(cache, user.pw_uid, user.pw_gid)

    def run(name: str, label: str, cache_folder: Path | None) -> str:
        return _run_as_learner(user, course / "notebooks" / name, home, home / f"{label}-{name}", cache_folder)

    # Two notebooks at a time (each trains on one CPU thread): first 1. and 3., then 2.
    with ThreadPoolExecutor(max_workers=2) as pool:
        fill = {name: pool.submit(run, name, "fill", cache) for name in NOTEBOOKS}
        empty = {name: pool.submit(run, name, "no-cache", None) for name in NOTEBOOKS}
        fill = {name: future.result() for name, future in fill.items()}
        empty = {name: future.result() for name, future in empty.items()}
    assert (cache / "weights").is_dir() and any((cache / "projections").iterdir())
    _read_only(cache)
    with ThreadPoolExecutor(max_workers=2) as pool:
        filled = {name: pool.submit(run, name, "read-only", cache) for name in NOTEBOOKS}
        filled = {name: future.result() for name, future in filled.items()}

    for name in NOTEBOOKS:
        assert "cannot be written" not in fill[name] and "is damaged" not in fill[name]
        # 2. filled and read-only: everything is read back, nothing is trained again
        text = filled[name]
        assert "Traceback" not in text and "is damaged" not in text
        assert "trained in" not in text, "a read-only cache that holds the weights must not train again"
        assert "loaded from the cache" in text
        # 3. a read-only course folder with no cache: computed, kept in memory, and said once
        text = empty[name]
        assert "Traceback" not in text and "trained in" in text
        assert text.count("The course cache cannot be written") == 1, text[-3000:]
        assert str(course / ".cache") in text and "COURSE_CACHE_DIR" in text
    assert not (course / ".cache").exists()
    export = filled[NOTEBOOKS[0]]
    assert "cannot be written" in export and "course-exports" in export and "vectors.tsv" in export
