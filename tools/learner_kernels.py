"""Build the Jupyter kernels that stand in for learners' environments in the tests.

    python tools/learner_kernels.py                 # build both (or bring them up to date)
    python tools/learner_kernels.py colab           # only one of them
    python tools/learner_kernels.py --jupyter-path  # print the folder to put on JUPYTER_PATH

* ``course-colab``: Google Colab's package set, from tests/environments/colab.txt (the one
  file that holds Colab's versions, with their date and source): Colab's Python minor
  version (:data:`COLAB_PYTHON`), ipywidgets 7.7.1, IPython 7.34, Colab's torch, numpy,
  matplotlib, scikit-learn, umap-learn ...; no ipympl, no jupyterlab.
* ``course-vscode``: what VS Code needs to run a notebook: the course's requirements.txt
  without the front ends (jupyterlab, notebook) and without ipympl, plus ipykernel.

Each is a virtual environment under ``.venv/kernels/`` of its own packages, registered as a
kernel spec under ``.venv/kernels/share/jupyter``; the tests point ``JUPYTER_PATH`` there, so
a learner's JupyterLab does not list them.

The Colab kernel runs on Colab's Python where this machine has it (on ``PATH`` as
``python3.13``, or installed by pyenv) and installs Colab's torch and torchvision from
wheels kept between builds outside the repository (:data:`WHEEL_CACHE`, about 3 GB with
the CUDA libraries; downloaded once, then installed from there without the network).
Where that Python or those wheels are missing it is built on this environment's Python
instead, without Colab's torch, and ``fallback.txt`` in its folder says what was missing.

A kernel without a torch of its own (the VS Code kernel, and the Colab kernel's fallback)
does not install a second one: it sees the main environment's torch and torchvision
through a folder of links (to them and to the CUDA and triton libraries they load), which
a ``.pth`` file appends to ``sys.path`` after the kernel's own packages; every other
package, torch's own pure-Python dependencies included, is the kernel's.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import os
import platform
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

#: Shared from the main environment by a kernel that has no torch of its own.
SHARED = ("torch", "torchvision")
#: Colab's Python minor version (tests/environments/colab.txt names its source).
COLAB_PYTHON = "3.13"
#: Where the Colab kernel's wheels (torch's several GB among them) are kept between builds.
WHEEL_CACHE = Path(os.environ.get("COURSE_WHEEL_CACHE") or Path.home() / ".cache" / "embeddings-course" / "wheels")
#: Not in a VS Code kernel: front ends (VS Code is the front end) and ipympl (opt-in).
NOT_IN_VSCODE = frozenset({"jupyterlab", "notebook", "ipympl", *SHARED})

KERNELS = {
    "colab": {"display_name": "Python 3 (Colab's packages)", "absent": ("ipympl", "jupyterlab")},
    "vscode": {"display_name": "Python 3 (VS Code: ipykernel only)", "absent": ("ipympl", "jupyterlab", "notebook")},
}

BUILD_VERSION = "2"  # bump to rebuild every kernel after a change to how they are built


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(kind: str, own_torch: bool | None = None) -> list[str]:
    """What pip installs into the ``kind`` kernel (one requirement per line).

    ``own_torch``: whether the kernel installs torch itself (the Colab kernel on Colab's
    Python); by default, whether the kernel as built has one (see :func:`fallback_reason`).
    """
    if own_torch is None:
        own_torch = kind == "colab" and fallback_reason(kind) is None and kernel_python(kind).exists()
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
        if _norm(name) in NOT_IN_VSCODE and kind == "vscode" or _norm(name) in SHARED and not own_torch:
            continue
        lines.append(line)
    if kind == "vscode" and not any(_norm(re.match(r"[\w.-]+", x).group(0)) == "ipykernel" for x in lines):
        lines.append("ipykernel")
    return lines


def find_python(version: str) -> Path | None:
    """An interpreter of ``version`` (e.g. "3.13") that runs: ``pythonX.Y`` on PATH, else pyenv's newest.

    (A pyenv shim on PATH answers for every version that pyenv has, but runs only the
    selected ones: each candidate is tried.)
    """
    root = os.environ.get("PYENV_ROOT") or Path.home() / ".pyenv"
    if shutil.which("pyenv"):
        out = subprocess.run(["pyenv", "root"], capture_output=True, text=True)
        root = out.stdout.strip() or root
    installed = sorted(Path(root).glob(f"versions/{version}.*/bin/python{version}"),
                       key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parts[-3].split(".")])
    on_path = shutil.which(f"python{version}")
    for candidate in [*([Path(on_path)] if on_path else []), *reversed(installed)]:
        probe = subprocess.run([str(candidate), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                               capture_output=True, text=True)
        if probe.returncode == 0 and probe.stdout.strip() == version:
            return candidate
    return None


def fallback_reason(kind: str) -> str | None:
    """Why the ``kind`` kernel was built without Colab's Python and torch (None: it was not)."""
    note = KERNELS_DIR / kind / "fallback.txt"
    return note.read_text(encoding="utf-8").strip() if note.is_file() else None


def kernel_python(kind: str) -> Path:
    return KERNELS_DIR / kind / "bin" / "python"


def _fingerprint(kind: str, python: Path, own_torch: bool) -> str:
    version = subprocess.run([str(python), "-c", "import sys; print(sys.version)"], capture_output=True, text=True,
                             check=True).stdout
    shared = [] if own_torch else _shared_versions()
    text = "\n".join([BUILD_VERSION, version, *requirement_lines(kind, own_torch), *shared])
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
        "print(json.dumps({'python': sys.version.split()[0], **{n: m.version(n) for n in names}}))\n"
    )
    out = subprocess.run([str(kernel_python(kind)), "-c", code], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the {kind} kernel is not usable:\n{out.stderr[-3000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def _pip(python: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(python), "-m", "pip", *args, "--disable-pip-version-check", "--progress-bar", "off"],
                          capture_output=True, text=True)


def _last_line(proc: subprocess.CompletedProcess) -> str:
    lines = [line for line in (proc.stderr or proc.stdout).strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else f"pip exited with {proc.returncode}"


def _colab_wheels(python: Path) -> str | None:
    """Bring Colab's wheels into :data:`WHEEL_CACHE` (only what is not there yet); None, or why not."""
    requirements = KERNELS_DIR / "colab-wheels.txt"
    requirements.parent.mkdir(parents=True, exist_ok=True)
    requirements.write_text("\n".join(requirement_lines("colab", own_torch=True)) + "\n", encoding="utf-8")
    WHEEL_CACHE.mkdir(parents=True, exist_ok=True)
    offline = _pip(python, "download", "--no-index", "--find-links", str(WHEEL_CACHE), "-d", str(WHEEL_CACHE),
                   "-r", str(requirements))
    if offline.returncode == 0:
        return None
    print(f"downloading Colab's packages (torch with its CUDA libraries: about 3 GB, once) into {WHEEL_CACHE} ...",
          flush=True)
    # --no-cache-dir: the wheels are kept in WHEEL_CACHE; a second copy in pip's cache would cost 3 GB more disk
    online = _pip(python, "download", "--no-cache-dir", "--find-links", str(WHEEL_CACHE), "-d", str(WHEEL_CACHE),
                  "-r", str(requirements))
    if online.returncode != 0:
        return f"Colab's wheels (torch) are not in {WHEEL_CACHE} and could not be downloaded: {_last_line(online)}"
    return None


def plan(kind: str) -> tuple[Path, str | None]:
    """The Python to build ``kind`` on, and why it is not Colab's (None when it is, or for VS Code)."""
    if kind != "colab":
        return Path(sys.executable), None
    python = find_python(COLAB_PYTHON)
    if python is None:
        why = f"Python {COLAB_PYTHON} (Colab's) is not installed here (e.g. `pyenv install {COLAB_PYTHON}`)"
    else:
        why = _colab_wheels(python)
    if why is None:
        return python, None
    return Path(sys.executable), f"{why}; built on Python {platform.python_version()} with this environment's torch"


def build(kind: str, force: bool = False) -> None:
    folder = KERNELS_DIR / kind
    stamp = folder / ".built"
    python, why = plan(kind)
    own_torch = kind == "colab" and why is None
    fingerprint = _fingerprint(kind, python, own_torch)
    if not force and stamp.is_file() and stamp.read_text().strip() == fingerprint and kernel_python(kind).exists():
        print(f"{kind} kernel is up to date ({folder})" + (f": {why}" if why else ""))
        return
    shutil.rmtree(folder, ignore_errors=True)
    subprocess.run([str(python), "-m", "venv", str(folder)], check=True)
    requirements = folder / "requirements.txt"
    requirements.write_text("\n".join(requirement_lines(kind, own_torch)) + "\n", encoding="utf-8")
    wheels = ["--no-index", "--find-links", str(WHEEL_CACHE)] if own_torch else []
    installed = _pip(kernel_python(kind), "install", "--quiet", *wheels, "-r", str(requirements))
    if installed.returncode != 0:
        raise SystemExit(f"could not install the {kind} kernel's packages:\n{installed.stderr[-3000:]}")
    if own_torch:
        (folder / "fallback.txt").unlink(missing_ok=True)
    else:
        link_shared_torch(kind)
        if why:
            (folder / "fallback.txt").write_text(why + "\n", encoding="utf-8")
            print(f"{kind} kernel: {why}")
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
