"""Hosted runtimes, simulated: a notebook opened alone on Colab or Kaggle sets itself up.

A lone copy of a notebook runs in an empty folder, its repository location pointed at a
local git copy of this working tree (the same rewrite a fork makes with `make
colab-links`). On "Colab" a fake ``google.colab`` module is importable (as Colab has it)
and the kernel is the one with Colab's packages when it is built; on "Kaggle" the
environment variables of a Kaggle notebook are set (its image also has ``google.colab``).
Nothing needs the network: when the course cannot be fetched, the first cell must end
with one course message, never a password prompt or a traceback.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from test_notebooks import LEARNER_KERNELS, NOTEBOOKS, error_outputs, learner_kernels, output_text, run_notebook

sys.path.insert(0, str(REPO_ROOT / "tools"))
import course_links  # noqa: E402

FAKE_COLAB = '''
"""A stand-in for Google Colab's module, for tests."""
import os
from pathlib import Path


class output:
    @staticmethod
    def enable_custom_widget_manager():
        Path(os.environ["FAKE_COLAB_LOG"]).write_text("custom widget manager enabled\\n")
'''

KAGGLE_ENV = {"KAGGLE_KERNEL_RUN_TYPE": "Interactive", "KAGGLE_URL_BASE": "https://www.kaggle.com"}


def _course_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    return [name for name in listed if name and (REPO_ROOT / name).is_file()]


def _copy_course(target: Path) -> Path:
    for name in _course_files():
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO_ROOT / name, target / name)
    return target


@pytest.fixture(scope="module")
def local_origin(tmp_path_factory) -> Path:
    """A git repository holding this working tree's files (tracked and new, not ignored)."""
    if not shutil.which("git"):
        pytest.skip("git is needed to simulate the Colab clone")
    origin = _copy_course(tmp_path_factory.mktemp("origin") / "embeddings-course")
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=origin, check=True)
    subprocess.run([*git, "add", "-A"], cwd=origin, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=origin, check=True)
    return origin


def lone_copy(path: Path, folder: Path, repository: str) -> Path:
    """A copy of the notebook whose set-up cell fetches from ``repository`` (as a fork's would)."""
    folder.mkdir(parents=True, exist_ok=True)
    nb = json.loads(path.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if course_links.SETUP_TAG in c["metadata"].get("tags", []))
    cell["source"] = course_links.SETUP_CELL.format(repository=repository, branch="main")
    lone = folder / path.name
    lone.write_text(json.dumps(nb), encoding="utf-8")
    return lone


def fake_colab(tmp_path: Path) -> dict:
    fake = tmp_path / "fake-modules" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(FAKE_COLAB)
    return {"PYTHONPATH": str(tmp_path / "fake-modules"), "FAKE_COLAB_LOG": str(tmp_path / "colab.log")}


def colab_kernel() -> str:
    """Colab's packages when that kernel is built (make test builds it), else this environment's."""
    spec = learner_kernels.JUPYTER_PATH / "kernels" / LEARNER_KERNELS["colab"] / "kernel.json"
    return LEARNER_KERNELS["colab"] if spec.is_file() else "python3"


def first_cell_outputs(executed: Path) -> list[dict]:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
    return cell["outputs"]


PROBE = "import helpers, os; print('HELPERS_FROM', helpers.__file__); print('CWD', os.getcwd())"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS[:1] + NOTEBOOKS[-1:], ids=lambda p: p.stem)
def test_a_lone_notebook_sets_itself_up_as_on_colab(path, tmp_path, local_origin, course_cache):
    content = tmp_path / "content"
    lone = lone_copy(path, content, str(local_origin))
    env = dict(os.environ, **fake_colab(tmp_path), COLAB_RELEASE_TAG="release-colab-test")
    if path is NOTEBOOKS[0]:
        env.pop("COURSE_CACHE_DIR", None)  # as on Colab: the cache lives in the fetched course
    else:
        env["COURSE_CACHE_DIR"] = str(course_cache)  # models trained by the other runs of this session
    out = tmp_path / "executed.ipynb"
    kernel = colab_kernel()
    run_notebook(lone, out, cwd=content, env=env, append=[PROBE], kernel=kernel)
    clone = content / "embeddings-course"
    text = output_text(out)
    assert (clone / "helpers" / "__init__.py").is_file(), "the set-up cell did not fetch the course"
    assert f"HELPERS_FROM {clone / 'helpers' / '__init__.py'}" in text, text[-2000:]
    assert f"CWD {clone / 'notebooks'}" in text
    status = next(line for line in text.splitlines() if line.startswith("Course set-up done"))
    assert status.startswith("Course set-up done (Google Colab): sliders and buttons work, figures are static")
    assert "enable_interactive_figures()" in status and "installed" not in status, status
    assert not (tmp_path / "colab.log").exists(), "the custom widget manager is for ipympl only"
    assert not error_outputs(out), error_outputs(out)


@pytest.mark.notebooks
def test_a_notebook_on_kaggle_with_the_course_attached(tmp_path, local_origin):
    attached = _copy_course(tmp_path / "kaggle" / "input" / "embeddings-course")
    working = tmp_path / "kaggle" / "working"
    lone = lone_copy(NOTEBOOKS[0], working, "https://github.com/nobody/not-reachable-offline")
    env = dict(os.environ, **fake_colab(tmp_path), **KAGGLE_ENV)  # Kaggle's image has google.colab too
    env.pop("COURSE_CACHE_DIR", None)
    out = tmp_path / "executed.ipynb"
    run_notebook(lone, out, cwd=working, env=env, append=[PROBE + "; print('CACHE', os.environ['COURSE_CACHE_DIR'])"])
    text = output_text(out)
    assert f"HELPERS_FROM {attached / 'helpers' / '__init__.py'}" in text, text[-2000:]
    assert f"CACHE {working / 'course-cache'}" in text, "an attached course is read-only: the cache goes to working"
    assert "Course set-up done (Kaggle)" in text and "Google Colab" not in text
    assert not (working / "embeddings-course").exists(), "nothing was cloned"
    assert not error_outputs(out), error_outputs(out)


def setup_error_lines(lone: Path, folder: Path, env: dict, out: Path) -> list[str]:
    """Run ``lone`` expecting its first cell to stop Run All; the lines of that cell's error, as shown."""
    summary = run_notebook(lone, out, cwd=folder, env=env, expect_failure=True)
    assert not summary["ok"], "the later cells cannot run without the course"
    outputs = first_cell_outputs(out)
    assert [o["output_type"] for o in outputs] == ["error"], outputs  # Run All stops at the first cell
    assert outputs[0]["ename"] == "CourseSetupError"
    lines = "\n".join(outputs[0]["traceback"]).strip().splitlines()
    assert len(lines) == 1, lines  # one line, no traceback
    return lines


@pytest.mark.parametrize("place", ["colab", "kaggle"])
def test_when_the_course_cannot_be_fetched_the_first_cell_says_what_to_do(place, tmp_path):
    folder = tmp_path / "content"
    lone = lone_copy(NOTEBOOKS[0], folder, str(tmp_path / "no-such-repository"))
    env = dict(os.environ, **fake_colab(tmp_path), GIT_ASKPASS="false", SSH_ASKPASS="false")
    env.update(KAGGLE_ENV if place == "kaggle" else {"COLAB_RELEASE_TAG": "release-colab-test"})
    lines = setup_error_lines(lone, folder, env, tmp_path / "executed.ipynb")
    assert lines[0].startswith(f"Could not fetch {tmp_path / 'no-such-repository'} into {folder}:")
    assert "run this cell again" in lines[0] and "attach the course" in lines[0] and "can be written" in lines[0]


def test_a_runtime_without_git_is_told_so_in_one_line(tmp_path):
    """No git on the PATH (a trimmed container): no traceback, one line saying what to do."""
    folder = tmp_path / "content"
    lone = lone_copy(NOTEBOOKS[0], folder, "https://github.com/o/n")
    bare = tmp_path / "bin"  # the kernel's Python and what the offline run needs, and no git
    bare.mkdir()
    for name in ("python", "python3"):
        (bare / name).symlink_to(sys.executable)
    for name in ("unshare", "sh", "ip"):
        if shutil.which(name):
            (bare / name).symlink_to(shutil.which(name))
    assert shutil.which("git", path=str(bare)) is None
    env = dict(os.environ, **fake_colab(tmp_path), COLAB_RELEASE_TAG="release-colab-test", PATH=str(bare))
    lines = setup_error_lines(lone, folder, env, tmp_path / "executed.ipynb")
    assert lines[0].startswith("Could not fetch https://github.com/o/n into ") and "has no git" in lines[0], lines
    assert "install git, or upload or attach the course's folder" in lines[0] and "run this cell again" in lines[0]


def test_the_fetch_never_asks_for_a_password():
    cell = course_links.SETUP_CELL.format(repository="https://github.com/o/n", branch="main")
    clone = next(line for line in cell.splitlines() if '"git", "clone"' in line)
    assert '"GIT_TERMINAL_PROMPT": "0"' in clone and "capture_output=True" in clone


def test_the_first_cell_is_at_most_five_lines_and_a_colab_form():
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        cell = next(c for c in nb["cells"] if c["cell_type"] == "code")
        source = "".join(cell["source"])
        assert course_links.SETUP_TAG in cell["metadata"]["tags"], path.name
        assert len(source.splitlines()) <= 5, f"{path.name}: the first code cell has {len(source.splitlines())} lines"
        assert re.match(r'#@title .+ \{ display-mode: "form" \}\n', source), "a Colab form hides the code"
        assert cell["metadata"]["jupyter"]["source_hidden"] is True, "collapsed in JupyterLab / Notebook 7"
