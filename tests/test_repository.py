"""The repository keeps its own rules: requirements, notebooks, links, import cost (layers: test_architecture)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import course  # noqa: E402
import course_links  # noqa: E402
from notebook_files import course_notebooks, read_notebook, source_text  # noqa: E402

from helpers.environment import read_requirements  # noqa: E402


def _yml_pip_requirements(path) -> dict[str, str]:
    """``{name: specifier}`` from the pip block of a conda environment file."""
    text = path.read_text()
    pip_block = text.split("- pip:", 1)[1]
    found = {}
    for line in pip_block.splitlines():
        m = re.match(r"\s*-\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\S*)\s*$", line)
        if m:
            found[m.group(1).lower()] = m.group(2)
    return found


LEARNER = {r.name: r.specifier for r in read_requirements()}
DEV = {r.name: r.specifier for r in read_requirements(REPO_ROOT / "requirements-dev.txt")}
#: Tools for testing, linting, browsers and rebuilding data: never in a learner's requirements.
DEV_TOOLS = {"pytest", "pytest-xdist", "ruff", "import-linter", "playwright", "pyarrow", "nbformat", "nbclient",
             "pre-commit", "nbstripout", "nbconvert", "latex2mathml"}


def test_requirements_txt_holds_what_learners_need_and_no_tool():
    assert not set(LEARNER) & DEV_TOOLS, f"tools in requirements.txt: {set(LEARNER) & DEV_TOOLS}"
    assert {"jupyterlab", "notebook", "ipykernel", "torch", "torchvision", "matplotlib", "ipywidgets", "ipympl",
            "umap-learn", "scikit-learn", "numpy", "packaging"} <= set(LEARNER)


def test_requirements_dev_txt_adds_the_tools_to_the_learner_set():
    text = (REPO_ROOT / "requirements-dev.txt").read_text()
    assert re.search(r"^-r requirements\.txt$", text, re.M), "the dev set includes the learner set"
    assert set(DEV) == DEV_TOOLS - {"pre-commit", "nbstripout"}, set(DEV)


def test_requirements_are_ranges_not_pins():
    for name, specifier in {**LEARNER, **DEV}.items():
        assert specifier.startswith(">="), f"{name}{specifier} should have a lower bound, not a pin"
        assert "==" not in specifier


def test_environment_ymls_mirror_the_requirements():
    assert _yml_pip_requirements(REPO_ROOT / "environment.yml") == LEARNER
    assert _yml_pip_requirements(REPO_ROOT / "environment-dev.yml") == {**LEARNER, **DEV}


def test_the_conda_environments_name_the_tested_python():
    tested = "=" + course.version_text(course.TESTED[0])
    for name in ("environment.yml", "environment-dev.yml"):
        text = (REPO_ROOT / name).read_text()
        pythons = re.findall(r"^\s*-\s*python\s*(\S*)\s*$", text, re.M)
        assert pythons == [tested], f"{name}: python{tested} (the form conda and repo2docker read), not {pythons}"
    assert "download.pytorch.org/whl/cpu" in (REPO_ROOT / "environment.yml").read_text(), "how torch is chosen"


def test_binder_configuration_is_read_as_intended():
    """repo2docker reads binder/ first; it needs the Python version as python=X.Y, and CPU-only torch here."""
    path = REPO_ROOT / "binder" / "environment.yml"
    text = path.read_text()
    pythons = re.findall(r"^\s*-\s*python\s*(\S*)\s*$", text, re.M)
    assert len(pythons) == 1 and re.fullmatch(r"=3\.1[0-3]", pythons[0]), f"python=3.X, not {pythons}"
    pip_lines = [line.strip()[2:].strip() for line in text.split("- pip:", 1)[1].splitlines() if line.strip()]
    index = pip_lines.index("--extra-index-url https://download.pytorch.org/whl/cpu")
    assert index < pip_lines.index("torch>=2.2"), "PyTorch's CPU index comes before torch"
    assert _yml_pip_requirements(path) == LEARNER, "Binder installs the learner set, nothing else"
    assert not (REPO_ROOT / "binder" / "requirements.txt").exists(), "repo2docker would ignore environment.yml"


def test_readme_gives_the_two_commands_and_ci_calls_make_test():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\s*$", ci, re.M)
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


def test_the_readme_says_where_the_course_runs_and_names_real_tests():
    readme = (REPO_ROOT / "README.md").read_text()
    table = readme.split("## Where can I run it?", 1)[1].split("\n## ", 1)[0]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")}
    assert {"JupyterLab 4", "Notebook 7", "VS Code", "Google Colab", "Kaggle", "Binder"} <= set(rows), rows.keys()
    defined = set()
    for path in (REPO_ROOT / "tests").rglob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(), re.M))
    for place in ("JupyterLab 4", "Notebook 7", "VS Code", "Google Colab", "Kaggle", "Binder"):
        named = re.findall(r"`(test_\w+)", rows[place].split("|")[4])
        assert named, f"the row {place!r} names no test"
        assert set(named) <= defined, f"{place}: no such test {set(named) - defined}"
    assert "mybinder.org/v2/gh/" in readme, "a Binder link beside the Colab links"


def _recipe(target: str) -> str:
    makefile = (REPO_ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*\n((?:\t.*\n)+)", makefile, re.M)
    assert match, f"no recipe for {target}"
    return match.group(0)


@pytest.mark.parametrize("target", ["lab", "notebook", "test", "test-fast", "lint", "git-filter", "colab-links",
                                    "strip", "clean", "bench", "site", "data", "data-check"])
def test_the_makefile_runs_the_python_entry_point_for_every_everyday_target(target):
    """make and `python -m tools.course` (the route without make) run the same code, so they cannot drift."""
    assert target in course.COMMANDS
    assert re.fullmatch(rf"{re.escape(target)}:\n\t@?\$\(COURSE\) {re.escape(target)}\n", _recipe(target))
    assert re.search(r"^COURSE := \$\(PYTHON\) -m tools\.course --venv \$\(VENV\)$",
                     (REPO_ROOT / "Makefile").read_text(), re.M)
    for stamp, command in (("$(STAMP)", "install"), ("$(DEV_STAMP)", "install-dev"),
                           ("$(KERNELS_STAMP)", "learner-kernels")):
        assert f"\t$(COURSE) {command}\n" in _recipe(stamp)


def test_lab_and_notebook_open_on_the_start_notebook():
    app = course.Course(os_name="posix")
    lab, notebook = app.jupyter_command("lab"), app.jupyter_command("notebook")
    assert "--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb" in lab
    assert "--JupyterNotebookApp.default_url=/notebooks/notebooks/00_start_here.ipynb" in notebook
    assert not any("--ServerApp.default_url" in str(a) for a in lab + notebook), "JupyterLab overrides it"
    assert "tools/strip_notebooks.py --stdin" == course.STRIP_FILTER
    assert (REPO_ROOT / course.START_NOTEBOOK).is_file()


def test_test_fast_clean_and_test_say_what_they_do():
    assert "not browser" in course.FAST_MARKERS and "not notebooks" in course.FAST_MARKERS
    for path in (".cache", "tests/artifacts", "data/.sources", "*.egg-info"):
        assert path in course.CLEANED, f"clean leaves {path}"
    assert not {".venv", "notebooks", "data"} & set(course.CLEANED)
    assert course.TEST_MARKERS == "not sources", "the data-rebuild check (downloads) is make data-check"


def _committed_text(path) -> str:
    """What git would commit for ``path``: the index (through the clean filter), or the file outside git."""
    rel = path.relative_to(REPO_ROOT).as_posix()
    shown = subprocess.run(["git", "show", f":{rel}"], cwd=REPO_ROOT, capture_output=True, text=True)
    return shown.stdout if shown.returncode == 0 else path.read_text(encoding="utf-8")


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_notebooks_are_committed_clean_with_a_kernelspec(path):
    nb = json.loads(_committed_text(path))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} has outputs"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"]


def test_a_run_and_saved_notebook_is_not_a_change_for_git(tmp_path):
    """The clean filter `make lab` installs: for an executed, saved notebook git shows no change and commits none."""
    if not shutil.which("git"):
        pytest.skip("needs git")
    repo = tmp_path / "repo"
    (repo / "notebooks").mkdir(parents=True)
    (repo / "tools").mkdir()
    for name in ("strip_notebooks.py", "notebook_files.py"):
        shutil.copy2(REPO_ROOT / "tools" / name, repo / "tools" / name)
    shutil.copy2(REPO_ROOT / ".gitattributes", repo / ".gitattributes")
    source = course_notebooks()[0]
    shutil.copy2(source, repo / "notebooks" / source.name)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "init.defaultBranch=main"]
    subprocess.run([*git, "init", "-q"], cwd=repo, check=True)
    subprocess.run(["git", "config", "filter.notebook-outputs.clean", f"{sys.executable} {course.STRIP_FILTER}"],
                   cwd=repo, check=True)
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "course"], cwd=repo, check=True)
    nb = json.loads(source.read_text())  # what JupyterLab saves after a run: outputs, counts, ids, metadata
    nb["nbformat_minor"] = 5
    nb["metadata"]["language_info"] = {"name": "python", "version": "3.11.7", "mimetype": "text/x-python"}
    nb["metadata"]["widgets"] = {"application/vnd.jupyter.widget-state+json": {"state": {}}}
    for number, cell in enumerate(nb["cells"]):
        cell["id"] = f"cell-{number}"
        if cell["cell_type"] == "code":
            cell["execution_count"] = number
            cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["ran\n"]}]
            cell["metadata"]["execution"] = {"iopub.status.idle": "2026-01-01T00:00:00Z"}
    (repo / "notebooks" / source.name).write_text(json.dumps(nb, indent=2))
    diff = subprocess.run(["git", "diff", "--stat"], cwd=repo, capture_output=True, text=True, check=True)
    assert diff.stdout == "", diff.stdout
    subprocess.run([*git, "add", "-A"], cwd=repo, check=True)
    status = subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True)
    assert status.stdout == "", status.stdout
    staged = subprocess.run(["git", "show", f":notebooks/{source.name}"], cwd=repo, capture_output=True, text=True)
    assert staged.stdout == source.read_text(), "what git commits is the stripped notebook"


def test_the_strip_filter_passes_through_what_is_not_a_notebook():
    for text in ("<<<<<<< HEAD\n{}\n=======\n", '{"not": "a notebook"}'):
        proc = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "strip_notebooks.py"), "--stdin"],
                              input=text, capture_output=True, text=True, check=True)
        assert proc.stdout == text


def test_notebook_lines_outside_the_set_up_cell_keep_ruffs_limits(tmp_path):
    """pyproject.toml lets the five-line set-up cell be long; every other line keeps 120 characters."""
    copies = []
    for path in course_notebooks():
        nb = read_notebook(path)
        nb["cells"] = [c for c in nb["cells"] if course_links.SETUP_TAG not in c["metadata"].get("tags", [])]
        copy = tmp_path / path.name
        copy.write_text(json.dumps(nb))
        copies.append(str(copy))
    ruff = [sys.executable, "-m", "ruff", "check", "--no-cache", "--isolated", "--line-length", "120",
            "--select", "E501,E702", *copies]
    result = subprocess.run(ruff, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_notebooks_have_the_shape_of_a_lesson(path):
    nb = read_notebook(path)
    first, second = nb["cells"][0], nb["cells"][1]
    assert first["cell_type"] == "markdown" and source_text(first).startswith("# ")
    assert "colab.research.google.com" in source_text(first), "a Colab link under the title"
    assert "course-setup" in second["metadata"].get("tags", []), "the set-up cell comes second"
    text = "\n".join(source_text(c) for c in nb["cells"] if c["cell_type"] == "markdown")
    assert "## Summary" in text


def test_setup_cells_and_colab_links_match_pyproject():
    result = subprocess.run([sys.executable, str(REPO_ROOT / "tools" / "course_links.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_course_links_rewrites_a_fork(tmp_path, monkeypatch):
    nb = read_notebook(course_notebooks()[0])
    target = tmp_path / "00_start_here.ipynb"
    target.write_text(json.dumps(nb))
    assert course_links.update_notebook(target, "https://github.com/someone/fork", "teach", write=True)
    text = target.read_text()
    assert 'COURSE = \\"https://github.com/someone/fork\\", \\"teach\\"' in text
    assert "colab.research.google.com/github/someone/fork/blob/teach/notebooks/00_start_here.ipynb" in text
    assert "embeddings-course/embeddings-course" not in text
    readme = course_links.fix_links((REPO_ROOT / "README.md").read_text(), "https://github.com/someone/fork", "teach")
    assert "mybinder.org/v2/gh/someone/fork/teach?urlpath=" in readme
    assert "embeddings-course/embeddings-course" not in readme


def test_import_helpers_is_light_and_offline():
    code = (
        "import socket, sys, time\n"
        "def refuse(*a, **k): raise RuntimeError('network used at import time')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse\n"
        "t = time.perf_counter(); import helpers, helpers.paths; dt = time.perf_counter() - t\n"
        "print(dt, 'umap' in sys.modules, 'torch' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    seconds, umap_loaded, torch_loaded = out.stdout.split()
    assert float(seconds) < 2.0
    assert umap_loaded == "False" and torch_loaded == "False"


def test_helpers_data_and_exercises_do_not_touch_the_network_on_import():
    code = (
        "import socket\n"
        "def refuse(*a, **k): raise RuntimeError('network used at import time')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse\n"
        "import helpers.data, helpers.exercises, helpers.training, helpers.environment, helpers.plotting\n"
        "import sys; print('umap' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert out.stdout.strip() == "False"


def test_no_helper_imports_a_notebook_or_tools():
    for path in (REPO_ROOT / "helpers").rglob("*.py"):
        text = path.read_text()
        assert "import tools" not in text and ".ipynb" not in re.sub(r"#.*", "", text) or path.name == "environment.py"
