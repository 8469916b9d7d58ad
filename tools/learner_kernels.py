"""Build the Jupyter kernels that stand in for learners' environments in the tests.

    python tools/learner_kernels.py                 # build both (or bring them up to date)
    python tools/learner_kernels.py colab           # only one of them
    python tools/learner_kernels.py --jupyter-path  # print the folder to put on JUPYTER_PATH

* ``course-colab``: Google Colab's package set, from tests/environments/colab.txt (the one
  file that holds Colab's versions, with their date and source): ipywidgets 7.7.1,
  IPython 7.34, Colab's numpy, matplotlib, scikit-learn, umap-learn ...; no ipympl, no
  jupyterlab.
* ``course-vscode``: what VS Code needs to run a notebook: the course's requirements.txt
  without the front ends (jupyterlab, notebook) and without ipympl, plus ipykernel.

Each is a virtual environment under ``.venv/kernels/`` of its own packages. Neither
installs a second PyTorch (several GB with CUDA): each sees the main environment's torch
and torchvision through a folder of links (to them and to the CUDA and triton libraries
they load), which a ``.pth`` file appends to ``sys.path`` after the kernel's own
packages; every other package, torch's own pure-Python dependencies included, is the
kernel's. Each is registered as a kernel spec under ``.venv/kernels/share/jupyter``; the
tests point ``JUPYTER_PATH`` there, so a learner's JupyterLab does not list them.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from notebook_files import REPO_ROOT  # noqa: E402

KERNELS_DIR = REPO_ROOT / ".venv" / "kernels"
JUPYTER_PATH = KERNELS_DIR / "share" / "jupyter"
COLAB_PACKAGES = REPO_ROOT / "tests" / "environments" / "colab.txt"

#: Shared from the main environment, never installed into a learner kernel.
SHARED = ("torch", "torchvision")
#: Not in a VS Code kernel: front ends (VS Code is the front end) and ipympl (opt-in).
NOT_IN_VSCODE = frozenset({"jupyterlab", "notebook", "ipympl", *SHARED})

KERNELS = {
    "colab": {"display_name": "Python 3 (Colab's packages)", "absent": ("ipympl", "jupyterlab")},
    "vscode": {"display_name": "Python 3 (VS Code: ipykernel only)", "absent": ("ipympl", "jupyterlab", "notebook")},
}

BUILD_VERSION = "1"  # bump to rebuild every kernel after a change to how they are built


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(kind: str) -> list[str]:
    """What pip installs into the ``kind`` kernel (one requirement per line)."""
    if kind == "colab":
        text = COLAB_PACKAGES.read_text(encoding="utf-8")
    else:
        text = (REPO_ROOT / "requirements.txt").read_text(encoding="utf-8")
    lines = []
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", line).group(0)
        if _norm(name) in NOT_IN_VSCODE and kind == "vscode" or _norm(name) in SHARED:
            continue
        lines.append(line)
    if kind == "vscode" and not any(_norm(re.match(r"[\w.-]+", x).group(0)) == "ipykernel" for x in lines):
        lines.append("ipykernel")
    return lines


def kernel_python(kind: str) -> Path:
    return KERNELS_DIR / kind / "bin" / "python"


def _fingerprint(kind: str) -> str:
    text = "\n".join([BUILD_VERSION, sys.version, *requirement_lines(kind), *_shared_versions()])
    return hashlib.sha256(text.encode()).hexdigest()


def _shared_versions() -> list[str]:
    return [f"{name}=={importlib.metadata.version(name)}" for name in SHARED]


def _closure(names: tuple[str, ...]) -> dict[str, importlib.metadata.Distribution]:
    """The installed distributions ``names`` need, recursively (in this environment)."""
    from packaging.requirements import Requirement

    found: dict[str, importlib.metadata.Distribution] = {}
    todo = list(names)
    while todo:
        name = todo.pop()
        if _norm(name) in found:
            continue
        try:
            dist = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        found[_norm(name)] = dist
        for text in dist.requires or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(req.name)
    return found


def _installed_in(python: Path) -> set[str]:
    code = "import importlib.metadata as m, json; print(json.dumps([d.metadata['Name'] for d in m.distributions()]))"
    out = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True).stdout
    return {_norm(n) for n in json.loads(out) if n}


def link_shared_torch(kind: str) -> Path:
    """A folder of links to torch, torchvision and the libraries they load that the kernel lacks."""
    folder = KERNELS_DIR / kind / "shared-torch"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    site = Path(sysconfig.get_paths()["purelib"])
    own = _installed_in(kernel_python(kind))
    for name, dist in _closure(SHARED).items():
        if name in own:
            continue  # the kernel's own version wins (e.g. Colab's sympy, numpy)
        tops = {f.parts[0] for f in dist.files or [] if f.parts and f.parts[0] not in ("..", "__pycache__")}
        for top in sorted(tops):
            source, target = site / top, folder / top
            if source.exists() and not target.exists():
                target.symlink_to(source, target_is_directory=source.is_dir())
    where = "import sysconfig; print(sysconfig.get_paths()['purelib'])"
    kernel_site = subprocess.run([str(kernel_python(kind)), "-c", where], capture_output=True, text=True,
                                 check=True).stdout.strip()
    (Path(kernel_site) / "zz_course_shared_torch.pth").write_text(f"{folder}\n", encoding="utf-8")
    return folder


def write_kernel_spec(kind: str) -> Path:
    spec = JUPYTER_PATH / "kernels" / f"course-{kind}"
    spec.mkdir(parents=True, exist_ok=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(kernel_python(kind)), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNELS[kind]["display_name"],
        "language": "python",
        "metadata": {"debugger": False},
    }, indent=1) + "\n", encoding="utf-8")
    return spec


def check(kind: str) -> dict[str, str]:
    """Import what a notebook needs in the kernel; require what must be absent to be absent."""
    absent = KERNELS[kind]["absent"]
    code = (
        "import importlib.metadata as m, importlib.util as u, json, sys\n"
        "import torch, torchvision, numpy, matplotlib, ipywidgets, IPython, sklearn, umap\n"
        f"absent = {list(absent)!r}\n"
        "present = [n for n in absent if u.find_spec(n) is not None]\n"
        "assert not present, f'must not be importable here: {present}'\n"
        "names = ['ipywidgets', 'ipython', 'numpy', 'matplotlib', 'scikit-learn', 'umap-learn', 'torch']\n"
        "print(json.dumps({n: m.version(n) for n in names}))\n"
    )
    out = subprocess.run([str(kernel_python(kind)), "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the {kind} kernel is not usable:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def build(kind: str, force: bool = False) -> None:
    folder = KERNELS_DIR / kind
    stamp = folder / ".built"
    fingerprint = _fingerprint(kind)
    if not force and stamp.is_file() and stamp.read_text().strip() == fingerprint and kernel_python(kind).exists():
        print(f"{kind} kernel is up to date ({folder})")
        return
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    requirements = folder / "requirements.txt"
    requirements.write_text("\n".join(requirement_lines(kind)) + "\n", encoding="utf-8")
    subprocess.run([str(kernel_python(kind)), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
                    "-r", str(requirements)], check=True)
    link_shared_torch(kind)
    write_kernel_spec(kind)
    versions = check(kind)
    stamp.write_text(fingerprint + "\n")
    print(f"{kind} kernel built: {', '.join(f'{k} {v}' for k, v in versions.items())}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("kinds", nargs="*", metavar="KIND", help=f"which kernels: {', '.join(KERNELS)} (default: all)")
    parser.add_argument("--force", action="store_true", help="rebuild even when up to date")
    parser.add_argument("--jupyter-path", action="store_true", help="print the folder for JUPYTER_PATH and exit")
    args = parser.parse_args(argv)
    if args.jupyter_path:
        print(JUPYTER_PATH)
        return 0
    unknown = [kind for kind in args.kinds if kind not in KERNELS]
    if unknown:
        parser.error(f"unknown kernel {unknown[0]!r}: choose from {', '.join(KERNELS)}")
    for kind in args.kinds or list(KERNELS):
        build(kind, force=args.force)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
