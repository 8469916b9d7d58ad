"""Simulate Google Colab: a notebook opened alone fetches the course and runs.

A lone copy of each notebook is run in an empty folder, with a fake ``google.colab``
module on the path and the repository location pointed at a local git copy of this
working tree. The set-up cell must clone it, import helpers from the clone, load the
data from the clone and run to the end; nothing needs the network.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO_ROOT
from test_notebooks import NOTEBOOKS, output_text, run_notebook

FAKE_COLAB = '''
"""A stand-in for Google Colab's module, for tests."""
import os
from pathlib import Path


class output:
    @staticmethod
    def enable_custom_widget_manager():
        Path(os.environ["FAKE_COLAB_LOG"]).write_text("custom widget manager enabled\\n")
'''


@pytest.fixture(scope="module")
def local_origin(tmp_path_factory) -> Path:
    """A git repository holding this working tree's files (tracked and new, not ignored)."""
    if not shutil.which("git"):
        pytest.skip("git is needed to simulate the Colab clone")
    origin = tmp_path_factory.mktemp("origin") / "embeddings-course"
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=REPO_ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    for name in filter(None, listed):
        src = REPO_ROOT / name
        if src.is_file():
            (origin / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, origin / name)
    git = ["git", "-c", "user.name=test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=origin, check=True)
    subprocess.run([*git, "add", "-A"], cwd=origin, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "snapshot"], cwd=origin, check=True)
    return origin


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS[:1] + NOTEBOOKS[-1:] if len(NOTEBOOKS) > 1 else NOTEBOOKS,
                         ids=lambda p: p.stem)
def test_a_lone_notebook_sets_itself_up_as_on_colab(path, tmp_path, local_origin):
    fake = tmp_path / "fake-modules" / "google" / "colab"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(FAKE_COLAB)
    content = tmp_path / "content"
    content.mkdir()
    lone = content / path.name
    shutil.copy2(path, lone)
    log = tmp_path / "colab.log"
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "fake-modules"), COURSE_REPOSITORY=str(local_origin),
               FAKE_COLAB_LOG=str(log))
    env.pop("COURSE_CACHE_DIR", None)  # as on Colab: the cache lives in the fetched course
    out = tmp_path / "executed.ipynb"
    probe = "import helpers, os; print('HELPERS_FROM', helpers.__file__); print('CWD', os.getcwd())"
    run_notebook(lone, out, cwd=content, env=env, append=[probe])
    clone = content / "embeddings-course"
    text = output_text(out)
    assert (clone / "helpers" / "__init__.py").is_file(), "the set-up cell did not fetch the course"
    assert f"HELPERS_FROM {clone / 'helpers' / '__init__.py'}" in text, text[-2000:]
    assert f"CWD {clone / 'notebooks'}" in text
    assert "Course set-up done (Google Colab)" in text
    assert log.read_text().startswith("custom widget manager enabled")
    assert "installed" not in text.split("Course set-up done", 1)[1].splitlines()[0], "nothing should need installing"
