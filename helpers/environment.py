"""Setting up a notebook and reporting on the learner's environment.

Every notebook's first cell runs ``course_setup.setup_course()`` (at the top of the
course), which puts this course's ``helpers`` on the path and calls :func:`setup_notebook`:
it recognises where the notebook runs (JupyterLab or Notebook 7 on your machine, VS Code,
Google Colab, Kaggle, Binder), installs what a hosted runtime lacks, chooses how figures
are drawn and says so in one line.

Figures are interactive (clickable, with zoom and pan) when ipympl is installed, and
static pictures otherwise; sliders, buttons and text boxes work either way. On Colab and
Kaggle ipympl is opt-in: :func:`enable_interactive_figures` installs it, and a package
installed into a running Colab kernel only takes effect after a restart of the runtime.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import platform
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpers.paths import CACHE_ENV_VAR, REPO_ROOT, detect_platform

#: Where a notebook can run, as :func:`detect_platform` names it, and how it is called in messages.
PLATFORMS = {
    "colab": "Google Colab",
    "kaggle": "Kaggle",
    "binder": "Binder",
    "vscode": "VS Code",
    "jupyter": "Jupyter",
}

#: Front ends: needed to run ``make lab``, not inside a kernel (Colab and VS Code bring their own).
FRONT_END_PACKAGES = frozenset({"jupyterlab", "notebook"})

#: Optional in a kernel: without ipympl figures are static pictures and points are picked by index.
OPTIONAL_PACKAGES = frozenset({"ipympl"})

#: Never installed into a hosted runtime: it has its own builds of these (or its own front end).
NOT_INSTALLED_ON_HOSTS = frozenset({"torch", "torchvision", "ipykernel"}) | FRONT_END_PACKAGES | OPTIONAL_PACKAGES

#: Packages shown in the environment report (distribution names).
REPORTED_PACKAGES = (
    "torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "ipympl", "scikit-learn",
    "umap-learn", "tqdm", "pandas", "ipython", "ipykernel", "jupyterlab", "notebook",
)

#: What to run in each place to switch interactive figures on.
ENABLE_INTERACTIVE = "helpers.environment.enable_interactive_figures()"


class CourseEnvironmentError(RuntimeError):
    """A set-up step that cannot be done here; IPython shows it as one line, not a traceback."""

    def _render_traceback_(self) -> list[str]:
        return [str(self)]


@dataclass(frozen=True)
class Requirement:
    """One line of requirements.txt: a distribution name and its version range."""

    name: str
    specifier: str

    def __str__(self) -> str:
        return f"{self.name}{self.specifier}"


# ============================================================================ where are we (see helpers.paths)


def in_kaggle() -> bool:
    """True inside a Kaggle notebook."""
    return detect_platform() == "kaggle"


def hosted(where: str | None = None) -> bool:
    """Whether the runtime is a hosted one that the course installs into (Colab, Kaggle)."""
    return (where or detect_platform()) in ("colab", "kaggle")


# ============================================================================ requirements


def read_requirements(path: Any = None) -> list[Requirement]:
    """Parse the course's requirements.txt (``name`` plus an optional version range)."""
    path = REPO_ROOT / "requirements.txt" if path is None else path
    requirements = []
    for raw in open(path, encoding="utf-8").read().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line or line.startswith("-"):  # options such as -r other.txt
            continue
        match = re.fullmatch(r"([A-Za-z0-9][A-Za-z0-9._-]*)\s*(.*)", line)
        if match is None:
            raise ValueError(f"cannot read the requirement {raw!r} in {path}")
        requirements.append(Requirement(match.group(1).lower(), match.group(2).replace(" ", "")))
    return requirements


def missing_requirements(requirements: list[Requirement], skip: frozenset[str] = frozenset()) -> list[Requirement]:
    """The requirements that are not installed, or installed at a version outside the range."""
    from packaging.specifiers import SpecifierSet
    from packaging.version import InvalidVersion, Version

    missing = []
    for req in requirements:
        if req.name in skip:
            continue
        try:
            installed = importlib.metadata.version(req.name)
        except importlib.metadata.PackageNotFoundError:
            missing.append(req)
            continue
        try:
            ok = Version(installed) in SpecifierSet(req.specifier) if req.specifier else True
        except InvalidVersion:
            ok = True  # an unusual local build: trust it
        if not ok:
            missing.append(req)
    return missing


def kernel_requirements(where: str | None = None) -> list[Requirement]:
    """What a kernel in ``where`` needs: requirements.txt without front ends and options (and, on a
    hosted runtime, without what the runtime ships itself: torch, torchvision, ipykernel)."""
    skip = FRONT_END_PACKAGES | OPTIONAL_PACKAGES | (NOT_INSTALLED_ON_HOSTS if hosted(where) else frozenset())
    return [r for r in read_requirements() if r.name not in skip]


def _pip_install(packages: list[str], run: Any) -> None:
    """``pip install`` into this kernel; a failure ends in one course message, never a traceback."""
    try:
        result = run([sys.executable, "-m", "pip", "install", "--quiet", *packages],
                     capture_output=True, text=True)
    except OSError as exc:
        raise CourseEnvironmentError(f"Could not run pip to install {', '.join(packages)}: {exc}.") from None
    if getattr(result, "returncode", 0) != 0:
        lines = (getattr(result, "stderr", "") or "").strip().splitlines()
        why = lines[-1][:200] if lines else "pip failed"
        advice = ("turn on Internet in the notebook's settings (Kaggle: Settings > Internet) and run this cell again"
                  if in_kaggle() else "check the internet connection and run this cell again")
        raise CourseEnvironmentError(f"Could not install {', '.join(packages)} ({why}): {advice}.")


def install_for_colab(run: Any = subprocess.run) -> list[str]:
    """Install (with pip) the course packages that this hosted runtime (Colab, Kaggle) lacks.

    Torch, torchvision, Jupyter itself and ipympl (opt-in, see
    :func:`enable_interactive_figures`) are never touched. Returns what was installed.
    """
    todo = [str(r) for r in missing_requirements(kernel_requirements("colab"))]
    if todo:
        _pip_install(todo, run)
    return todo


# ============================================================================ figures


def _shell() -> Any:
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def use_interactive_figures(where: str | None = None) -> bool:
    """Switch matplotlib to ipympl (``%matplotlib widget``) when it is installed and usable.

    Returns False (and leaves the inline backend) when ipympl is missing, the code does
    not run in IPython, or matplotlib does not accept ipympl yet (on Colab: installed into
    the running kernel, before a restart of the runtime).
    """
    shell = _shell()
    if shell is None or importlib.util.find_spec("ipympl") is None:
        return False
    where = where or detect_platform()
    try:
        if where == "colab":  # Colab draws its own widgets; ipympl's canvas needs this switch
            from google.colab import output  # type: ignore[import-not-found]

            output.enable_custom_widget_manager()
        shell.run_line_magic("matplotlib", "widget")
        from helpers.plotting import place_every_toolbar

        place_every_toolbar()
    except Exception:
        try:
            shell.run_line_magic("matplotlib", "inline")
        except Exception:
            pass
        return False
    return True


def figures_line(interactive: bool, where: str, ipympl_installed: bool) -> str:
    """One sentence: which figures are on, and what to do to switch."""
    if interactive:
        return ("interactive figures on (ipympl: click points, zoom and pan); "
                "`%matplotlib inline` turns them off")
    if where in ("colab", "kaggle"):
        if ipympl_installed:
            return ("static figures (ipympl is installed but takes effect only after a restart: "
                    "Runtime > Restart session, then run the notebook again)")
        return (f"sliders and buttons work, figures are static pictures (pick points by index); for clickable "
                f"figures run `{ENABLE_INTERACTIVE}` once, then restart the runtime")
    return ("static figures (ipympl is not installed: points are picked by index); for clickable figures "
            "install it with `pip install ipympl` (or `make lab`) and restart the kernel")


def enable_interactive_figures(run: Any = subprocess.run) -> bool:
    """Opt in to interactive (clickable) figures: install ipympl if needed and switch to it.

    Returns True when figures are interactive now. On Colab a freshly installed ipympl only
    works after a restart of the runtime; the message says so.
    """
    where = detect_platform()
    if importlib.util.find_spec("ipympl") is None:
        if not hosted(where):
            print("ipympl is not installed in this kernel's environment: run `pip install ipympl` there "
                  "(or `make lab`), then restart the kernel.")
            return False
        _pip_install(["ipympl>=0.9.3"], run)
        importlib.invalidate_caches()
    if use_interactive_figures(where):
        print("Interactive figures are on: figures created from now on can be clicked, zoomed and panned.")
        return True
    print("ipympl is installed. Restart the runtime (Runtime > Restart session) and run the notebook "
          "from the top: the set-up will then turn interactive figures on.")
    return False


# ============================================================================ set-up


def _hosted_cache(where: str) -> None:
    """On Kaggle an attached course is read-only: keep the cache in the working folder."""
    if where == "kaggle" and not os.environ.get(CACHE_ENV_VAR):
        cwd = Path.cwd().resolve()
        if cwd != REPO_ROOT and not {REPO_ROOT, cwd} & {*cwd.parents, *REPO_ROOT.parents}:  # an input
            os.environ[CACHE_ENV_VAR] = str(cwd / "course-cache")


def _open_the_course(where: str) -> None:
    """A lone notebook on Colab cloned the course into its folder: work from the course's notebooks."""
    cwd = Path.cwd().resolve()
    if where == "colab" and REPO_ROOT not in (cwd, *cwd.parents):
        os.chdir(REPO_ROOT / "notebooks")


SKLEARN_WORKING_MB = 64  # scikit-learn's default, 1,024 MB, let one neighbour search take 0.6 GB more


def bound_sklearn_memory() -> None:
    """Let scikit-learn's chunked computations (e.g. a k-NN vote over 60,000 training images) use
    :data:`SKLEARN_WORKING_MB` at a time, so that two notebooks' kernels fit a 2-GB session; the
    results are the same, only the chunks smaller. A value the learner set is kept."""
    if "sklearn" in sys.modules:
        if "SKLEARN_WORKING_MEMORY" not in os.environ:
            sys.modules["sklearn"].set_config(working_memory=SKLEARN_WORKING_MB)
    else:  # read when scikit-learn is imported; importing it here would cost the set-up a second
        os.environ.setdefault("SKLEARN_WORKING_MEMORY", str(SKLEARN_WORKING_MB))


def setup_notebook(quiet: bool = False, notes: tuple[str, ...] = ()) -> dict[str, Any]:
    """Prepare a notebook for where it runs, and say in one line what was done.

    On Colab and Kaggle it installs what the runtime lacks (never torch, never ipympl
    unless asked); everywhere it turns interactive figures on when ipympl is usable, and in a
    kernel where UMAP's code is not compiled yet it starts compiling it in the background.
    ``notes`` are added to the line (the set-up's own remarks, e.g. about a foreign package).
    """
    where = detect_platform()
    installed: list[str] = []
    if hosted(where):
        _open_the_course(where)
        _hosted_cache(where)
        installed = install_for_colab()
    interactive = use_interactive_figures(where)
    bound_sklearn_memory()
    importlib.import_module("helpers.figure_alt").register()  # figures carry alt text from their titles
    importlib.import_module("helpers.palette").use_course_style()  # a 10-pt base font in every figure
    ipympl_installed = importlib.util.find_spec("ipympl") is not None
    # A fresh runtime has nothing compiled: numba compiles UMAP's code while the learner reads.
    compiling_ahead = importlib.import_module("helpers.umap_compile")
    compiling = _shell() is not None and compiling_ahead.start_compiling_umap()
    status = {"platform": where, "colab": where == "colab", "installed": installed,
              "interactive_figures": interactive, "compiling_umap": compiling}
    if not quiet:
        parts = [figures_line(interactive, where, ipympl_installed)]
        if installed:
            parts.append(f"installed {', '.join(installed)}")
        if compiling:
            parts.append(f"UMAP's code is being compiled in the background (about {compiling_ahead.UMAP_COMPILE_S} s, "
                         "once)")
        parts += list(notes)
        print(f"Course set-up done ({PLATFORMS[where]}): " + "; ".join(parts) + ".")
    return status


# ============================================================================ report


def package_versions(names: tuple[str, ...] = REPORTED_PACKAGES) -> dict[str, str]:
    """Installed versions, read from package metadata (nothing is imported)."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def _install_advice(where: str) -> str:
    if hosted(where):
        return "run the set-up cell at the top again: it installs what is missing"
    if where == "vscode":
        return "install them into this kernel's environment: `pip install -r requirements.txt`"
    return "run `make lab` again, or `pip install -r requirements.txt`"


def report(show: bool = True) -> dict[str, Any]:
    """Check the environment: versions, compute device, the shipped data's checksums.

    Returns the findings as a dict; with ``show`` it also prints a short table. Only what a
    kernel needs here counts as missing (:func:`kernel_requirements`).
    """
    import torch

    from helpers.data import DataFileError, verify_data_files
    from helpers.progress import where_progress_is_kept
    from helpers.training import choose_device

    where = detect_platform()
    device = choose_device()
    data = verify_data_files()
    missing = [str(r) for r in missing_requirements(kernel_requirements(where))]
    versions = package_versions()
    findings: dict[str, Any] = {
        "versions": versions,
        "platform": f"{platform.system()} {platform.machine()}",
        "where": where,
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "colab": where == "colab",
        "data": data,
        "data_advice": [str(DataFileError(name, state)) for name, state in data.items() if state != "ok"],
        "missing": missing,
        "install_advice": _install_advice(where),
        "interactive_figures": versions["ipympl"] != "not installed",
        "progress": where_progress_is_kept(),
    }
    findings["ok"] = not missing and all(state == "ok" for state in data.values())
    if show:
        print(format_report(findings))
    return findings


def format_report(findings: Mapping[str, Any]) -> str:
    """The report as aligned plain text."""
    lines = [f"{'running in':<14} {PLATFORMS.get(findings.get('where', 'jupyter'), 'Jupyter')}",
             f"{'platform':<14} {findings['platform']}",
             f"{'device':<14} {findings['device']}  ({findings['torch_threads']} CPU threads for torch)"]
    lines += [f"{name:<14} {version}" for name, version in findings["versions"].items()]
    lines.append("")
    lines += [f"{'data/' + name:<28} {state}" for name, state in findings["data"].items()]
    lines += findings.get("data_advice", [])
    lines.append("")
    if findings.get("interactive_figures") is False:
        lines.append("Figures: static pictures (ipympl is not installed; it is optional).")
    if findings.get("progress"):
        lines.append(findings["progress"])
    if findings["missing"]:
        lines.append("Missing or too old: " + ", ".join(findings["missing"])
                     + f" ({findings.get('install_advice') or _install_advice('jupyter')}).")
    lines.append("")
    lines.append("All good: the course is ready." if findings["ok"] else "Something needs attention (see above).")
    return "\n".join(lines)
