"""Tests of helpers.environment and course_setup: where a notebook runs, what the set-up
installs and says, the report, and the bootstrap that makes the course's helpers importable."""

from __future__ import annotations

import importlib
import importlib.metadata
import os
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import REPO_ROOT

import course_setup
from helpers import environment, paths

# ----------------------------------------------------------------------------- where


def test_not_in_colab_here():
    assert paths.in_colab() is False and environment.in_kaggle() is False


# ----------------------------------------------------------------------------- requirements and installs


def test_read_requirements_parses_names_and_ranges(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("# comment\n-r other.txt\nnumpy>=1.24\n\nTorch >= 2.2  # inline\numap-learn\n")
    reqs = environment.read_requirements(path)
    assert [(r.name, r.specifier) for r in reqs] == [("numpy", ">=1.24"), ("torch", ">=2.2"), ("umap-learn", "")]


def test_read_requirements_rejects_nonsense(tmp_path):
    path = tmp_path / "requirements.txt"
    path.write_text("???\n")
    with pytest.raises(ValueError, match="cannot read the requirement"):
        environment.read_requirements(path)


def test_missing_requirements_finds_absent_and_too_old(monkeypatch):
    versions = {"numpy": "2.0.0", "ipympl": "0.8.0"}

    def fake_version(name):
        if name in versions:
            return versions[name]
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(importlib.metadata, "version", fake_version)
    reqs = [environment.Requirement("numpy", ">=1.24"), environment.Requirement("ipympl", ">=0.9.3"),
            environment.Requirement("umap-learn", ">=0.5.4"), environment.Requirement("torch", ">=2.2")]
    missing = environment.missing_requirements(reqs, skip=frozenset({"torch"}))
    assert [str(r) for r in missing] == ["ipympl>=0.9.3", "umap-learn>=0.5.4"]


class _Run:
    def __init__(self, returncode=0, stderr=""):
        self.calls, self.returncode, self.stderr = [], returncode, stderr

    def __call__(self, cmd, **kwargs):
        self.calls.append(cmd)
        return types.SimpleNamespace(returncode=self.returncode, stderr=self.stderr, stdout="")


def test_hosted_install_never_touches_torch_jupyter_or_ipympl(monkeypatch):
    monkeypatch.setattr(environment, "missing_requirements",
                        lambda reqs, skip=frozenset(): [r for r in reqs if r.name not in skip])
    run = _Run()
    installed = environment.install_for_colab(run=run)
    assert installed and run.calls
    names = {i.split(">")[0].split("=")[0] for i in installed}
    assert not names & {"torch", "torchvision", "jupyterlab", "notebook", "ipykernel", "ipympl", "pytest", "ruff"}
    assert "umap-learn" in names


def test_hosted_install_does_nothing_when_all_is_there():
    run = _Run()
    assert environment.install_for_colab(run=run) == []
    assert run.calls == []


@pytest.mark.parametrize("kaggle", [False, True])
def test_a_failed_install_ends_in_one_course_message(monkeypatch, kaggle):
    monkeypatch.setattr(environment, "missing_requirements",
                        lambda reqs, skip=frozenset(): [environment.Requirement("umap-learn", ">=0.5.4")])
    monkeypatch.setattr(environment, "in_kaggle", lambda: kaggle)
    run = _Run(returncode=1, stderr="WARNING: retrying\nERROR: No matching distribution found for umap-learn>=0.5.4")
    with pytest.raises(environment.CourseEnvironmentError) as info:
        environment.install_for_colab(run=run)
    message = str(info.value)
    assert "umap-learn" in message and "No matching distribution" in message and "\n" not in message
    assert ("Settings > Internet" in message) is kaggle
    assert info.value._render_traceback_() == [message]


# ----------------------------------------------------------------------------- figures and the set-up line


def test_setup_notebook_outside_ipython_reports_static_figures(capsys):
    status = environment.setup_notebook()
    assert status == {"platform": "jupyter", "colab": False, "installed": [], "interactive_figures": False,
                      "compiling_umap": False}
    line = capsys.readouterr().out.strip()
    assert line.startswith("Course set-up done (Jupyter): static figures")


@pytest.mark.parametrize("where", ["jupyter", "vscode", "binder", "colab", "kaggle"])
@pytest.mark.parametrize("interactive", [True, False])
@pytest.mark.parametrize("ipympl_installed", [True, False])
def test_the_figures_line_never_contradicts_itself(where, interactive, ipympl_installed):
    line = environment.figures_line(interactive, where, ipympl_installed)
    assert ("interactive figures on" in line) is interactive
    assert ("static" in line) is (not interactive)
    if not interactive and where in ("colab", "kaggle"):
        assert "restart" in line  # the truth on Colab: a package installed now needs a restart
    if not interactive and where in ("colab", "kaggle") and not ipympl_installed:
        assert environment.ENABLE_INTERACTIVE in line


def test_setup_on_colab_says_which_mode_and_how_to_switch(monkeypatch, capsys, tmp_path):
    calls = []
    monkeypatch.setattr(environment, "detect_platform", lambda environ=None: "colab")
    monkeypatch.setattr(environment, "install_for_colab", lambda: calls.append("install") or [])
    monkeypatch.setattr(environment, "_open_the_course", lambda where: calls.append("open"))
    monkeypatch.setattr(environment.importlib.util, "find_spec",
                        lambda name, *a: None if name == "ipympl" else importlib.util.find_spec(name, *a))
    status = environment.setup_notebook(notes=("a note",))
    out = capsys.readouterr().out.strip()
    assert calls == ["open", "install"] and status["interactive_figures"] is False
    assert out.startswith("Course set-up done (Google Colab): sliders and buttons work, figures are static")
    assert "enable_interactive_figures()" in out and "restart the runtime" in out and out.endswith("a note.")
    assert "installed" not in out


def test_enable_interactive_figures_locally_without_ipympl_says_how(monkeypatch, capsys):
    monkeypatch.setattr(environment.importlib.util, "find_spec", lambda name, *a: None)
    run = _Run()
    assert environment.enable_interactive_figures(run=run) is False
    assert run.calls == [] and "pip install ipympl" in capsys.readouterr().out


def test_enable_interactive_figures_on_colab_installs_then_asks_for_a_restart(monkeypatch, capsys):
    monkeypatch.setattr(environment, "detect_platform", lambda environ=None: "colab")
    monkeypatch.setattr(environment.importlib.util, "find_spec", lambda name, *a: None)
    monkeypatch.setattr(environment, "use_interactive_figures", lambda where=None: False)
    run = _Run()
    assert environment.enable_interactive_figures(run=run) is False
    assert run.calls and "ipympl>=0.9.3" in run.calls[0]
    assert "Restart the runtime" in capsys.readouterr().out


def test_kaggle_keeps_the_cache_in_the_working_folder_when_the_course_is_attached(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CACHE_DIR")
    monkeypatch.chdir(tmp_path)  # the course (this repository) lies outside: an attached input
    environment._hosted_cache("kaggle")
    assert Path(environment.os.environ["COURSE_CACHE_DIR"]) == tmp_path / "course-cache"
    monkeypatch.delenv("COURSE_CACHE_DIR")
    monkeypatch.chdir(REPO_ROOT / "notebooks")  # a clone inside the working folder keeps its own .cache
    environment._hosted_cache("kaggle")
    assert "COURSE_CACHE_DIR" not in environment.os.environ


# ----------------------------------------------------------------------------- the report


def test_report_says_all_good_here(capsys):
    findings = environment.report()
    out = capsys.readouterr().out
    assert findings["ok"], out
    assert findings["data"] and all(state == "ok" for state in findings["data"].values())
    assert "torch" in findings["versions"] and "device" in out and "All good" in out
    assert "Progress is kept in" in out


def test_report_does_not_count_front_ends_or_ipympl_as_missing(monkeypatch, capsys):
    real = importlib.metadata.version

    def colab_like(name):
        if name in ("jupyterlab", "notebook", "ipympl"):
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", colab_like)
    findings = environment.report()
    out = capsys.readouterr().out
    assert findings["ok"] and findings["missing"] == [], out
    assert "All good" in out and "Something needs attention" not in out and "make lab" not in out
    assert "jupyterlab     not installed" in out and "static pictures" in out


def _colab_versions() -> dict[str, str]:
    """Colab's published versions (tests/environments/colab.txt), by lower-case name."""
    text = (REPO_ROOT / "tests" / "environments" / "colab.txt").read_text(encoding="utf-8")
    pins = [line.split("#", 1)[0].strip() for line in text.splitlines()]
    return dict(pin.lower().split("==") for pin in pins if pin)


@pytest.mark.parametrize("where, ok", [("colab", True), ("jupyter", False)])
def test_report_judges_colabs_own_packages_by_the_place(where, ok, monkeypatch, capsys):
    """Colab's own ipykernel 6.17.1 is right on Colab; the same kernel on a learner's machine is too old."""
    colab = _colab_versions()

    def colab_versions(name):
        if name.lower() not in colab:
            raise importlib.metadata.PackageNotFoundError(name)
        return colab[name.lower()]

    monkeypatch.setattr(importlib.metadata, "version", colab_versions)
    monkeypatch.setattr(environment, "detect_platform", lambda environ=None: where)
    assert colab["ipykernel"] == "6.17.1" and "ipympl" not in colab and "jupyterlab" not in colab
    findings = environment.report()
    out = capsys.readouterr().out
    assert findings["ok"] is ok, out
    if ok:
        assert findings["missing"] == [] and "All good: the course is ready." in out, out
        assert "ipykernel      6.17.1" in out
    else:
        assert findings["missing"] == ["ipykernel>=6.25"] and "make lab" in out


def test_on_colab_the_reports_advice_is_what_the_set_up_does(monkeypatch, capsys):
    """What the report calls missing on Colab is exactly what the set-up cell installs there."""
    real = importlib.metadata.version

    def old(name):
        if name in ("umap-learn", "ipykernel", "torch"):
            return "0.1"
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", old)
    monkeypatch.setattr(environment, "detect_platform", lambda environ=None: "colab")
    run = _Run()
    installed = environment.install_for_colab(run=run)
    findings = environment.report()
    out = capsys.readouterr().out
    assert findings["missing"] == installed == ["umap-learn>=0.5.4"], out
    assert "run the set-up cell at the top again" in out and "Something needs attention" in out


def test_report_names_a_missing_kernel_package_with_advice_for_the_place(monkeypatch, capsys):
    real = importlib.metadata.version

    def no_umap(name):
        if name == "umap-learn":
            raise importlib.metadata.PackageNotFoundError(name)
        return real(name)

    monkeypatch.setattr(importlib.metadata, "version", no_umap)
    monkeypatch.setattr(environment, "detect_platform", lambda environ=None: "vscode")
    findings = environment.report()
    out = capsys.readouterr().out
    assert not findings["ok"] and "umap-learn>=0.5.4" in out
    assert "pip install -r requirements.txt" in out and "Something needs attention" in out


def test_report_gives_the_restore_advice_for_a_damaged_data_file(monkeypatch, capsys):
    import helpers.data

    monkeypatch.setattr(helpers.data, "verify_data_files",
                        lambda names=None: {"fashion_mnist.npz": "ok", "mnist.npz": "data/mnist.npz is missing."})
    findings = environment.report()
    out = capsys.readouterr().out
    assert not findings["ok"]
    assert "data/mnist.npz is missing." in out
    assert "git checkout -- data/mnist.npz" in out and "make data" in out


# ----------------------------------------------------------------------------- course_setup (the bootstrap)


def test_course_setup_puts_this_course_first_and_returns_helpers(capsys):
    helpers = course_setup.setup_course(quiet=True)
    assert Path(helpers.__file__).resolve().parent == REPO_ROOT / "helpers"
    assert sys.path[0] == str(REPO_ROOT)
    assert capsys.readouterr().out == ""


def _foreign_package(folder: Path) -> Path:
    package = folder / "helpers"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("WHO = 'someone else'\n")
    return package


def test_course_setup_names_a_foreign_helpers_on_the_path(tmp_path, monkeypatch):
    package = _foreign_package(tmp_path / "elsewhere")
    monkeypatch.setattr(sys, "path", [str(tmp_path / "elsewhere"), *sys.path])
    note = course_setup.use_this_course()
    assert str(package) in note and "uses the course's" in note
    assert sys.path[0] == str(REPO_ROOT)
    assert importlib.import_module("helpers.environment") is environment


def test_course_setup_replaces_an_imported_foreign_helpers(tmp_path, monkeypatch):
    _foreign_package(tmp_path / "elsewhere")
    saved = {name: module for name, module in sys.modules.items() if name == "helpers" or name.startswith("helpers.")}
    monkeypatch.setattr(sys, "path", [str(tmp_path / "elsewhere"), *[p for p in sys.path if p != str(REPO_ROOT)]])
    for name in saved:
        del sys.modules[name]
    try:
        foreign = importlib.import_module("helpers")
        assert foreign.WHO == "someone else"
        note = course_setup.use_this_course()
        assert "another package named `helpers`" in note
        ours = importlib.import_module("helpers")
        assert not hasattr(ours, "WHO") and Path(ours.__file__).resolve().parent == REPO_ROOT / "helpers"
    finally:
        for name in [n for n in sys.modules if n == "helpers" or n.startswith("helpers.")]:
            del sys.modules[name]
        sys.modules.update(saved)


def test_course_setup_turns_a_missing_package_into_one_line(monkeypatch):
    real_import = importlib.import_module

    def no_numpy(name, *args):
        if name == "helpers.environment":
            raise ModuleNotFoundError("No module named 'numpy'", name="numpy")
        return real_import(name, *args)

    monkeypatch.setattr(course_setup.importlib, "import_module", no_numpy)
    with pytest.raises(course_setup.CourseSetupError) as info:
        course_setup.setup_course()
    (line,) = info.value._render_traceback_()
    assert "'numpy'" in line and "pip install -r" in line and line.startswith("Course set-up stopped:")


@pytest.mark.parametrize("version", [(3, 9, 18), (3, 8, 0), (2, 7, 18)])
def test_course_setup_stops_an_old_python_in_one_line(version):
    with pytest.raises(course_setup.CourseSetupError) as info:
        course_setup.check_python(version)
    (line,) = info.value._render_traceback_()
    assert f"this kernel runs Python {version[0]}.{version[1]}; the course needs Python 3.10-3.13" in line
    assert "choose a kernel" in line and "run this cell again" in line


def test_course_setup_notes_a_newer_python_and_accepts_the_range():
    assert course_setup.check_python((3, 14, 0)).startswith("Python 3.14 is newer than the course's 3.10-3.13")
    for minor in range(10, 14):
        assert course_setup.check_python((3, minor, 1)) == ""
    sys.path.insert(0, str(REPO_ROOT / "tools"))
    import course

    assert (course_setup.OLDEST, course_setup.NEWEST) == (course.OLDEST, course.NEWEST), "one range for both"


def test_course_setup_on_a_real_old_python_says_what_to_do():
    """A kernel on Python 3.9 (pyenv's, where this machine has it): the set-up's own message, not another error."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    candidates = sorted(str(p) for p in pyenv.glob("3.9.*/bin/python")) + [shutil.which("python3.9")]
    old = next((c for c in candidates if c and "shims" not in Path(c).parts), None)
    if old is None:
        pytest.skip("no Python 3.9 on this machine (the check itself is tested above)")
    code = f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); import course_setup; course_setup.setup_course()"
    run = subprocess.run([str(old), "-c", code], capture_output=True, text=True, timeout=60)
    assert run.returncode != 0
    assert run.stderr.strip().splitlines()[-1].startswith(
        "course_setup.CourseSetupError: this kernel runs Python 3.9; the course needs Python 3.10-3.13"), run.stderr


def test_a_lone_notebook_under_a_foreign_helpers_folder(tmp_path):
    """The old failure: a notebook beside some other `helpers` package. The set-up finds the course, not it."""
    _foreign_package(tmp_path)
    code = (
        "import sys; sys.path.insert(0, '')\n"
        "import helpers; assert helpers.WHO == 'someone else'\n"  # the foreign one was imported first
        f"sys.path.insert(0, {str(REPO_ROOT)!r})\n"
        "import course_setup; h = course_setup.setup_course()\n"
        "print('FROM', h.__file__)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert f"FROM {REPO_ROOT / 'helpers' / '__init__.py'}" in proc.stdout
    status = next(line for line in proc.stdout.splitlines() if line.startswith("Course set-up done"))
    assert f"another package named `helpers` ({tmp_path / 'helpers'})" in status


@pytest.mark.parametrize("learners", [None, "500"])
def test_the_set_up_bounds_scikit_learns_working_memory_before_its_import(learners):
    code = ("from helpers import environment; environment.bound_sklearn_memory(); import sklearn; "
            "print(sklearn.get_config()['working_memory'])")
    env = {k: v for k, v in os.environ.items() if k != "SKLEARN_WORKING_MEMORY"}
    env.update({"PYTHONPATH": str(REPO_ROOT)}, **({"SKLEARN_WORKING_MEMORY": learners} if learners else {}))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert int(out) == int(learners or environment.SKLEARN_WORKING_MB)


def test_the_set_up_bounds_scikit_learns_working_memory_after_its_import(monkeypatch):
    import sklearn

    monkeypatch.delenv("SKLEARN_WORKING_MEMORY", raising=False)
    before = sklearn.get_config()["working_memory"]
    try:
        sklearn.set_config(working_memory=1024)
        environment.bound_sklearn_memory()
        assert sklearn.get_config()["working_memory"] == environment.SKLEARN_WORKING_MB
    finally:
        sklearn.set_config(working_memory=before)
