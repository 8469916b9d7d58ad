"""The shape of helpers/: its layers (an import-linter contract), the size of its modules,
the old import paths that notebooks saved before the code was reorganised still use, a
test file named after each module, and the libraries' private attributes the drawing uses."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT

HELPERS = REPO_ROOT / "helpers"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(root: Path) -> subprocess.CompletedProcess:
    """Run the layers contract of ``root/pyproject.toml`` on ``root/helpers``."""
    env = {**os.environ, "PYTHONPATH": str(root)}  # the helpers under root, not the installed ones
    return subprocess.run([str(LINT_IMPORTS), "--no-cache", str(root / "pyproject.toml")], cwd=root, env=env,
                          capture_output=True, text=True, timeout=120)


def test_no_import_runs_back_up_a_layer():
    result = _lint_imports(REPO_ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


@pytest.mark.parametrize("importer, line", [
    ("data.py", "from helpers import training"),                                # data below training
    ("widgets/words.py", "from helpers.exercises import bind"),                 # widgets below exercises
    ("validation.py", "def f():\n    from helpers import plotting  # lazily"),  # an import in a function counts
    ("widgets/projection_view.py", "from helpers.widgets import projection"),  # a view below its explorer
    ("widgets/latent.py", "from helpers.widgets import interpolation"),          # an explorer below another
])
def test_an_import_that_runs_back_up_breaks_the_contract(tmp_path, importer, line):
    shutil.copytree(HELPERS, tmp_path / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO_ROOT / "pyproject.toml", tmp_path)
    target = tmp_path / "helpers" / importer
    target.write_text(target.read_text() + "\n\n" + line + "\n")
    result = _lint_imports(tmp_path)
    assert result.returncode != 0 and "BROKEN" in result.stdout, result.stdout
    assert "helpers." + importer.removesuffix(".py").replace("/", ".") in result.stdout


@pytest.mark.parametrize("container", ["helpers", "helpers.widgets"])
def test_every_layer_of_the_contract_names_a_module_that_exists(container):
    import tomllib

    contracts = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    (layers,) = [contract["layers"] for contract in contracts if contract["containers"] == [container]]
    named = {name.strip() for layer in layers for name in layer.replace(":", "|").split("|")}
    folder = REPO_ROOT.joinpath(*container.split("."))
    present = {p.stem for p in folder.glob("*.py") if p.stem != "__init__"}
    present |= {p.name for p in folder.iterdir() if (p / "__init__.py").is_file()}
    assert named == present, f"in the contract only: {named - present}; in {container} only: {present - named}"


def _private_imports(root: Path, package: str) -> list[str]:
    """``importer <- module._name`` for each underscore name a module of ``root/package`` imports
    from another module of helpers (names a module shares with the others are public within the package)."""
    found = []
    for path in sorted((root / package).rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        module = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        here = ".".join(parts[:-1])  # the package a relative import starts from
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            base = node.module or ""
            if node.level:
                up = here.split(".")[: len(here.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            if not base.startswith("helpers"):
                continue
            for alias in node.names:
                if alias.name.startswith("_") and not alias.name.startswith("__") and base != module:
                    found.append(f"{module} <- {base}.{alias.name}")
    return found


def test_no_module_imports_a_private_name_of_another():
    assert _private_imports(REPO_ROOT, "helpers") == []


def test_a_private_name_imported_across_modules_is_found(tmp_path):
    shutil.copytree(HELPERS / "exercises", tmp_path / "helpers" / "exercises",
                    ignore=shutil.ignore_patterns("__pycache__"))
    problems = tmp_path / "helpers" / "exercises" / "problems.py"
    problems.write_text(problems.read_text() + "\nfrom .checking import _truncate\n"
                        "from helpers.exercises.binding import _BOUND, Question\n")
    checking = tmp_path / "helpers" / "exercises" / "checking.py"
    checking.write_text(checking.read_text() + "\nfrom . import _private_helper\n"
                        "from .checking import _truncate as same_module\n")  # its own name: allowed
    assert _private_imports(tmp_path, "helpers/exercises") == [
        "helpers.exercises.checking <- helpers.exercises._private_helper",
        "helpers.exercises.problems <- helpers.exercises.checking._truncate",
        "helpers.exercises.problems <- helpers.exercises.binding._BOUND",
    ]



#: The code that draws (matplotlib, ipympl, ipywidgets objects pass through it).
DRAWING = ("helpers/plotting.py", "helpers/figure_stamps.py", "helpers/widgets")
#: Private attributes of those libraries still used, all by the live-figure engine in plotting.py
#: that sends ipympl its own picture differences; a map widget is to replace that engine.
ENGINE_PRIVATE = {"helpers/plotting.py": {"_autotitlepos", "_force_full", "_last_buff", "_png_is_old"}}


def _foreign_private_attributes(root: Path, places=DRAWING) -> dict[str, set[str]]:
    """Per file under ``places``: the ``x._name`` attributes it reads or sets whose name the course's own
    code (``root/helpers``) never defines, so they belong to a library (``self._A`` in a subclass too)."""
    files = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted((root / "helpers").rglob("*.py"))}
    own = set()
    for tree in files.values():
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                own.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
            elif isinstance(node, ast.arg):
                own.add(node.arg)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store) \
                    and isinstance(node.value, ast.Name) and node.value.id in ("self", "cls"):
                own.add(node.attr)
    found: dict[str, set[str]] = {}
    for path, tree in files.items():
        where = path.relative_to(root).as_posix()
        if not any(where == place or where.startswith(place + "/") for place in places):
            continue
        for node in ast.walk(tree):
            name = node.attr if isinstance(node, ast.Attribute) else ""
            if name.startswith("_") and not name.startswith("__") and not name.endswith("_") and name not in own:
                found.setdefault(where, set()).add(name)
    return found


def test_the_drawing_code_uses_no_new_private_attribute_of_a_library():
    assert _foreign_private_attributes(REPO_ROOT) == ENGINE_PRIVATE


def test_a_private_attribute_of_a_library_is_found(tmp_path):
    shutil.copytree(HELPERS, tmp_path / "helpers", ignore=shutil.ignore_patterns("__pycache__"))
    view = tmp_path / "helpers" / "widgets" / "projection_view.py"
    view.write_text(view.read_text() + "\n\ndef _heading(fig):\n    return fig._suptitle\n")
    assert _foreign_private_attributes(tmp_path)["helpers/widgets/projection_view.py"] == {"_suptitle"}

#: The longest function a reader should have to hold in mind at once (the body and its signature).
LONGEST_FUNCTION = 60
#: Where the course's own code lives (tests are read one test at a time and are not held to it).
CODE = ("helpers", "tools", "benchmarks", "data", "course_setup.py")


def _long_functions(root: Path, places=CODE, longest: int = LONGEST_FUNCTION) -> list[str]:
    """``path:line name (N lines)`` for each function or method under ``places`` longer than ``longest``."""
    files = [path for place in places for path in ([root / place] if place.endswith(".py")
                                                    else sorted((root / place).rglob("*.py")))]
    found = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1
                if lines > longest:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {node.name} ({lines} lines)")
    return found


def test_no_function_is_longer_than_60_lines():
    long = _long_functions(REPO_ROOT)
    assert not long, f"split these into parts a reader can follow (at most {LONGEST_FUNCTION} lines each): {long}"


def test_a_long_function_is_found(tmp_path):
    lines = [f"x{i} = {i}" for i in range(LONGEST_FUNCTION - 1)]   # with its def line: exactly the limit
    source = ["def fits():", *(f"    {line}" for line in lines), "", "",
              "class C:", "    def too_long(self):", *(f"        {line}" for line in lines), "        return 1"]
    (tmp_path / "helpers").mkdir()
    (tmp_path / "helpers" / "a.py").write_text("\n".join(source) + "\n")
    assert _long_functions(tmp_path, places=("helpers",)) == [
        f"helpers/a.py:{LONGEST_FUNCTION + 4} too_long ({LONGEST_FUNCTION + 1} lines)"]


#: Packages whose __init__.py only hands on the names of their modules (each tested in its own file).
#: The list only shrinks: a new module comes with its own file.
WITHOUT_A_TEST_FILE = {
    "helpers",  # the lazy imports of helpers/__init__.py
    "helpers.models",  # names re-exported from helpers.models.*
    "helpers.widgets",  # names re-exported from helpers.widgets.*
}


def _module_and_test_file(path: Path) -> tuple[str, str]:
    """``helpers/<module>.py`` is tested in ``tests/test_<module>.py``; a subpackage's module in
    ``test_<package>_<module>.py`` (``helpers/exercises/checking.py``: ``test_exercises_checking.py``),
    a package's ``__init__.py`` in ``test_<package>.py``."""
    parts = path.relative_to(REPO_ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts), f"test_{'_'.join(parts[1:] or parts)}.py"


def test_every_module_has_a_test_file_named_after_it():
    without = {module for module, test_file in map(_module_and_test_file, sorted(HELPERS.rglob("*.py")))
               if not (REPO_ROOT / "tests" / test_file).is_file()}
    assert not without - WITHOUT_A_TEST_FILE, (
        f"no tests/test_<module>.py for these modules: {sorted(without - WITHOUT_A_TEST_FILE)}")
    assert not WITHOUT_A_TEST_FILE - without, (
        f"these have a test file now, or are gone: take them off WITHOUT_A_TEST_FILE: "
        f"{sorted(WITHOUT_A_TEST_FILE - without)}")
