"""The repository keeps its own rules: requirements, notebooks, links, layering, import cost."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys

import pytest
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import course_links  # noqa: E402
from notebook_files import course_notebooks, read_notebook, source_text  # noqa: E402

from helpers.environment import read_requirements  # noqa: E402


def _environment_yml_requirements() -> dict[str, str]:
    text = (REPO_ROOT / "environment.yml").read_text()
    pip_block = text.split("- pip:", 1)[1]
    found = {}
    for line in pip_block.splitlines():
        m = re.match(r"\s*-\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\S*)\s*$", line)
        if m:
            found[m.group(1).lower()] = m.group(2)
    return found


def test_environment_yml_mirrors_requirements_txt():
    pip = {r.name: r.specifier for r in read_requirements()}
    assert _environment_yml_requirements() == pip


def test_requirements_are_ranges_not_pins():
    for req in read_requirements():
        assert req.specifier.startswith(">="), f"{req} should have a lower bound, not a pin"
        assert "==" not in req.specifier
    names = {r.name for r in read_requirements()}
    assert {"jupyterlab", "torch", "torchvision", "matplotlib", "ipywidgets", "umap-learn"} <= names


def test_readme_gives_the_two_commands_and_ci_calls_make_test():
    readme = (REPO_ROOT / "README.md").read_text()
    assert "make lab" in readme and "make test" in readme
    ci = (REPO_ROOT / ".ci" / "run").read_text()
    assert re.search(r"^make test\s*$", ci, re.M)
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^lab:", makefile, re.M) and re.search(r"^test:", makefile, re.M)


@pytest.mark.parametrize("path", course_notebooks(), ids=lambda p: p.stem)
def test_notebooks_are_committed_clean_with_a_kernelspec(path):
    nb = read_notebook(path)
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, f"{path.name} has outputs"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert "widgets" not in nb["metadata"]


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
    assert 'COURSE_REPOSITORY = \\"https://github.com/someone/fork\\"' in text
    assert "colab.research.google.com/github/someone/fork/blob/teach/notebooks/00_start_here.ipynb" in text
    assert "embeddings-course/embeddings-course" not in text


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


LOWER = {"paths", "data", "models", "metrics", "projections"}
HIGHER = {"training", "plotting", "widgets", "exercises", "environment", "exercise_sets"}


def _helper_imports(path) -> set[str]:
    """The helper layers (top-level modules or packages of helpers/) that a file imports."""
    package = list(path.relative_to(REPO_ROOT).with_suffix("").parts[:-1])  # e.g. ["helpers", "models"]
    tree = ast.parse(path.read_text())
    modules = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            target = ".".join(base + ([node.module] if node.module else []))
            modules += [target] if node.module else [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            modules += [a.name for a in node.names]
    return {m.split(".")[1] for m in modules if m.startswith("helpers.")}


def _layer(path) -> str:
    """The layer a helper file belongs to: its module, or its package for modules in one."""
    rel = path.relative_to(REPO_ROOT / "helpers")
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def test_lower_layers_do_not_import_higher_ones():
    for path in (REPO_ROOT / "helpers").rglob("*.py"):
        if _layer(path) in LOWER:
            assert not (_helper_imports(path) & HIGHER), f"{path.relative_to(REPO_ROOT)} imports a higher layer"


def test_no_helper_imports_a_notebook_or_tools():
    for path in (REPO_ROOT / "helpers").rglob("*.py"):
        text = path.read_text()
        assert "import tools" not in text and ".ipynb" not in re.sub(r"#.*", "", text) or path.name == "environment.py"
