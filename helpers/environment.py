"""Setting up a notebook and reporting on the learner's environment.

Every notebook's first cell finds (or, on Colab, fetches) the course and then calls
:func:`setup_notebook`, which installs what Colab lacks, turns on interactive figures
when ipympl is there, and says in one line what it did.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

from helpers.paths import REPO_ROOT

#: Packages the Colab set-up never installs: Colab has its own builds of these, or they
#: are only needed to serve or test the course locally.
NOT_INSTALLED_ON_COLAB = frozenset(
    {"torch", "torchvision", "jupyterlab", "notebook", "ipykernel", "nbformat", "nbclient",
     "pytest", "ruff", "playwright", "pyarrow"}
)

#: Packages shown in the environment report (distribution names).
REPORTED_PACKAGES = (
    "torch", "torchvision", "numpy", "matplotlib", "ipywidgets", "ipympl", "scikit-learn",
    "umap-learn", "tqdm", "pandas", "jupyterlab",
)


@dataclass(frozen=True)
class Requirement:
    """One line of requirements.txt: a distribution name and its version range."""

    name: str
    specifier: str

    def __str__(self) -> str:
        return f"{self.name}{self.specifier}"


def in_colab() -> bool:
    """True inside Google Colab (its ``google.colab`` module can be imported)."""
    try:
        return importlib.util.find_spec("google.colab") is not None
    except (ImportError, ValueError):
        return False


def read_requirements(path: Any = None) -> list[Requirement]:
    """Parse the course's requirements.txt (``name`` plus an optional version range)."""
    path = REPO_ROOT / "requirements.txt" if path is None else path
    requirements = []
    for raw in open(path, encoding="utf-8").read().splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
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


def install_for_colab(run: Any = subprocess.run) -> list[str]:
    """Install (with pip) the course packages that this Colab runtime lacks.

    Torch, torchvision and Jupyter itself are never touched. Returns what was installed.
    """
    todo = [str(r) for r in missing_requirements(read_requirements(), skip=NOT_INSTALLED_ON_COLAB)]
    if todo:
        run([sys.executable, "-m", "pip", "install", "--quiet", *todo], check=True)
    return todo


def use_interactive_figures() -> bool:
    """Switch matplotlib to ipympl (``%matplotlib widget``) when it is installed.

    Returns False (and leaves the inline backend) when ipympl is missing or the code does
    not run in IPython; figures are then static and widgets offer index pickers instead.
    """
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    if shell is None or importlib.util.find_spec("ipympl") is None:
        return False
    try:
        shell.run_line_magic("matplotlib", "widget")
    except Exception:
        shell.run_line_magic("matplotlib", "inline")
        return False
    return True


def setup_notebook(quiet: bool = False) -> dict[str, Any]:
    """Prepare a notebook: Colab installs and widgets, interactive figures, one status line."""
    installed: list[str] = []
    colab = in_colab()
    if colab:
        installed = install_for_colab()
        from google.colab import output  # type: ignore[import-not-found]

        output.enable_custom_widget_manager()
    interactive = use_interactive_figures()
    importlib.import_module("helpers.figure_alt").register()  # figures carry alt text from their titles
    status = {"colab": colab, "installed": installed, "interactive_figures": interactive}
    if not quiet:
        where = "Google Colab" if colab else "local"
        figures = (
            "interactive figures on (ipympl)"
            if interactive
            else "static figures (ipympl is not available: click-to-pick falls back to index sliders)"
        )
        extra = f"; installed {', '.join(installed)}" if installed else ""
        print(f"Course set-up done ({where}): {figures}{extra}.")
    return status


def package_versions(names: tuple[str, ...] = REPORTED_PACKAGES) -> dict[str, str]:
    """Installed versions, read from package metadata (nothing is imported)."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def report(show: bool = True) -> dict[str, Any]:
    """Check the environment: versions, compute device, and the shipped data's checksums.

    Returns the findings as a dict; with ``show`` it also prints a short table.
    """
    import torch

    from helpers.data import verify_data_files
    from helpers.training import choose_device

    device = choose_device()
    findings: dict[str, Any] = {
        "versions": package_versions(),
        "platform": f"{platform.system()} {platform.machine()}",
        "device": str(device),
        "torch_threads": torch.get_num_threads(),
        "colab": in_colab(),
        "data": verify_data_files(),
    }
    missing = [r for r in missing_requirements(read_requirements()) if r.name in REPORTED_PACKAGES]
    findings["missing"] = [str(r) for r in missing]
    findings["ok"] = not missing and all(v == "ok" for v in findings["data"].values())
    if show:
        print(format_report(findings))
    return findings


def format_report(findings: dict[str, Any]) -> str:
    """The report as aligned plain text."""
    lines = [f"{'platform':<14} {findings['platform']}", f"{'device':<14} {findings['device']}"
             f"  ({findings['torch_threads']} CPU threads for torch)"]
    lines += [f"{name:<14} {version}" for name, version in findings["versions"].items()]
    lines.append("")
    lines += [f"{'data/' + name:<28} {state}" for name, state in findings["data"].items()]
    if findings["missing"]:
        lines.append("")
        lines.append(
            "Missing or too old: " + ", ".join(findings["missing"]) + " (run `make lab` again, or pip install them)"
        )
    lines.append("")
    lines.append("All good: the course is ready." if findings["ok"] else "Something needs attention (see above).")
    return "\n".join(lines)
