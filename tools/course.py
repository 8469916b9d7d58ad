"""The course's everyday commands on any operating system (standard library only).

    python -m tools.course lab          # create .venv if needed, install, open JupyterLab on notebook 00
    python -m tools.course notebook     # the same with the Notebook 7 interface
    python -m tools.course test         # install the test tools too, then run every check
    python -m tools.course test-fast    # the unit tests only (no notebook runs, no browser)
    python -m tools.course help         # every command

Run it from the course's folder with the Python you want the course to use; on Windows
``py -3.11 -m tools.course lab``. It does what ``make lab``, ``make test`` ... do (the
Makefile calls it), without a Unix shell: the environment's programs are found in
``.venv\\Scripts`` on Windows and ``.venv/bin`` elsewhere, and files are removed by Python.
Arguments after the command go to the program it starts: ``lab --port=8890`` to Jupyter,
``test-fast tests/test_metrics.py -q`` to pytest.

A Python the course does not support is refused before anything is installed.

This file must stay readable by old Pythons (3.6 and newer), so that the refusal, not a
syntax error, is what someone with an old Python sees.
"""

import argparse
import glob
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

#: The Pythons the course installs on: the oldest and the newest minor version it accepts.
OLDEST, NEWEST = (3, 10), (3, 13)
#: The Pythons the tests run on (CI runs every test on these; the others are accepted, untested).
TESTED = ((3, 11),)

START_NOTEBOOK = "notebooks/00_start_here.ipynb"
#: What each front end is started with, besides --allow-root for root (see ``jupyter_command``).
JUPYTER_OPTIONS = {
    "lab": ["--LabApp.default_url=/lab/tree/" + START_NOTEBOOK],
    "notebook": ["--JupyterNotebookApp.default_url=/notebooks/" + START_NOTEBOOK],
}
#: git's clean filter for notebooks (.gitattributes), after the Python that runs it.
STRIP_FILTER = "tools/strip_notebooks.py --stdin"
#: pytest's selection for ``test`` (every check except the data rebuild, which downloads) and ``test-fast``.
TEST_MARKERS = "not sources"
FAST_MARKERS = "not notebooks and not slow and not browser and not sources"
#: What ``clean`` removes (relative to the course folder); .venv and the learner's progress stay.
CLEANED = (".cache", "tests/artifacts", "data/.sources", "benchmarks/out", ".pytest_cache", ".ruff_cache",
           "*.egg-info")
#: Maintainers' commands that run one script with the test tools installed: command -> script and arguments.
SCRIPTS = {
    "data": ["data/build_data.py"],
    "data-check": ["data/build_data.py", "--check"],
    "bench": ["benchmarks/run.py"],
    "site": ["tools/build_site.py"],
}
LINTED = ("helpers", "tests", "tools", "data", "notebooks", "benchmarks", "course_setup.py")
#: PyTorch's own index of CPU-only builds. PyPI's Linux build of torch brings CUDA with it (NVIDIA
#: libraries and triton) even where no NVIDIA GPU can use them; on such a machine the course
#: installs torch and torchvision from here instead, when this index can be reached.
TORCH_CPU_INDEX = "https://download.pytorch.org/whl/cpu"
#: What the learner's install costs (Linux x86_64, Python 3.11, torch 2.13-2.14): the download,
#: then the space in .venv. PyTorch alone: CPU-only 0.19 GB wheel, 0.7 GB installed; CUDA build
#: 5.2 GB installed (torch 1.2, NVIDIA libraries 3.1, triton 0.9). Everything else: 1.0 GB installed.
INSTALL_SIZES = {
    "cpu": "about 0.5 GB to download, 1.7 GB in .venv (PyTorch's CPU-only build: 0.7 GB of it)",
    "cuda": "about 3.5 GB to download, 6.2 GB in .venv (PyTorch with CUDA: 5.2 GB of it)",
    "other": "about 1.5 GB in .venv with PyTorch for this system",
}


def worker_options():
    """pytest-xdist's options for ``test``: one worker per core, 2 to 4 (the tests spend much of their time
    waiting on kernels and browsers); the tests that read one notebook run share a worker (tests/scheduling.py)."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return ["-n", str(max(2, min(4, cores))), "--dist", "loadgroup", "--no-loadscope-reorder"]


class CourseError(Exception):
    """A command could not run; shown as its message alone."""


def version_text(version) -> str:
    return "%d.%d" % tuple(version[:2])


def supported_pythons() -> str:
    """'3.10-3.13 (tested: 3.11)'."""
    tested = ", ".join(version_text(v) for v in TESTED)
    return "%s-%s (tested: %s)" % (version_text(OLDEST), version_text(NEWEST), tested)


def check_python(version=None) -> None:
    """Refuse a Python outside OLDEST..NEWEST, naming the versions that work."""
    version = tuple((version or sys.version_info)[:2])
    if OLDEST <= version <= NEWEST:
        return
    raise CourseError(
        "This is Python %s; the course needs Python %s. Nothing was installed. Install one of "
        "those versions (python.org, your package manager, pyenv or uv) and run this command with it, "
        "e.g. `python3.11 -m tools.course lab`, or on Windows `py -3.11 -m tools.course lab`."
        % (version_text(version), supported_pythons()))


def has_nvidia_gpu(which=shutil.which, exists=os.path.exists) -> bool:
    """Whether an NVIDIA driver is installed (its nvidia-smi, or the Linux kernel's driver file)."""
    return which("nvidia-smi") is not None or exists("/proc/driver/nvidia/version")


def reachable(url: str, timeout: float = 5.0) -> bool:
    """Whether ``url`` answers within ``timeout`` seconds (a quick look before a long download)."""
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout):
            return True
    except (OSError, ValueError):  # no network, no name resolution, refused, timed out, an HTTP error
        return False


def torch_source(platform=None, gpu=None, probe=reachable):
    """Where PyTorch comes from: (pip's index arguments for torch and torchvision, or None for PyPI's
    own build; the size key of INSTALL_SIZES; one line saying which build and why)."""
    platform = platform or sys.platform
    if not platform.startswith("linux"):
        return None, "other", "PyTorch: PyPI's build for this system (no CUDA libraries in it)."
    if has_nvidia_gpu() if gpu is None else gpu:
        return None, "cuda", "PyTorch: the CUDA build from PyPI (an NVIDIA GPU driver is installed)."
    if probe(TORCH_CPU_INDEX + "/torch/"):
        return (["--index-url", TORCH_CPU_INDEX], "cpu",
                "PyTorch: the CPU-only build from %s (no NVIDIA GPU here)." % TORCH_CPU_INDEX)
    return (None, "cuda", "PyTorch: its CPU-only index (%s) cannot be reached, so PyPI's build comes instead, "
            "with CUDA libraries this machine cannot use (about 4.5 GB more)." % TORCH_CPU_INDEX)


#: What to do when pip or venv fails (pip's own messages are above it).
OFFLINE_ADVICE = ("pip's messages above say why; most often there is no network: connect (behind a proxy set "
                  "HTTPS_PROXY, for a package mirror PIP_INDEX_URL) and run this command again, which goes on "
                  "from what is installed.")
NO_VENV_ADVICE = ("This Python cannot create a virtual environment with pip in it: on Debian or Ubuntu "
                  "`apt install python3-venv`, with conda `conda install pip`, then run this command again.")

#: What ``--no-venv`` needs to find in the running Python (import names): Jupyter and the course's core.
NO_VENV_NEEDS = ("jupyterlab", "notebook", "ipykernel", "ipywidgets", "torch", "torchvision", "matplotlib",
                 "sklearn", "umap")


def missing_modules(names=NO_VENV_NEEDS, find=None) -> list:
    find = find or importlib.util.find_spec
    return [name for name in names if find(name) is None]


class Course:
    """The course folder and its virtual environment (``venv=None``: the running Python's own, e.g. conda's)."""

    def __init__(self, root=REPO_ROOT, venv=".venv", python=None, os_name=os.name, dry_run=False,
                 torch_source=torch_source):
        self.root = Path(root)
        self.venv = None if venv is None else self.root / venv
        self.python = python or sys.executable
        self.os_name = os_name
        self.dry_run = dry_run
        self.torch_source = torch_source

    # -- where things are -------------------------------------------------------------
    @property
    def bin(self) -> Path:
        return self.venv / ("Scripts" if self.os_name == "nt" else "bin")

    @property
    def venv_python(self) -> Path:
        if self.venv is None:
            return Path(self.python)
        return self.bin / ("python.exe" if self.os_name == "nt" else "python")

    @property
    def stamp(self) -> Path:
        return self.venv / ".installed"

    @property
    def dev_stamp(self) -> Path:
        return self.venv / ".installed-dev"

    @property
    def kernels_stamp(self) -> Path:
        return self.venv / "kernels" / ".built"

    # -- running ----------------------------------------------------------------------
    def run(self, command, check=True, advice="") -> int:
        """Run ``command``; with ``check`` a failure stops, in one line (``advice``: what to do then)."""
        command = [str(part) for part in command]
        print("+ " + " ".join(shlex.quote(part) for part in command), flush=True)
        if self.dry_run:
            return 0
        code = subprocess.call(command, cwd=str(self.root))
        if check and code != 0:
            raise CourseError("`%s` failed (exit status %d).%s" % (" ".join(command[:4]), code,
                                                                   " " + advice if advice else ""))
        return code

    def fresh(self, stamp: Path, *sources) -> bool:
        """Is ``stamp`` newer than every source (as make decides)?"""
        if not stamp.exists():
            return False
        made = stamp.stat().st_mtime
        return all(not (self.root / s).exists() or (self.root / s).stat().st_mtime <= made for s in sources)

    def touch(self, stamp: Path) -> None:
        if not self.dry_run:
            stamp.parent.mkdir(parents=True, exist_ok=True)
            stamp.touch()

    # -- installing ---------------------------------------------------------------------
    def install(self) -> None:
        """The learner's packages (requirements.txt) in the environment, when they changed."""
        check_python()
        if self.fresh(self.stamp, "requirements.txt", "pyproject.toml"):
            return
        index, size, line = self.torch_source()
        print("Installing the course's packages (requirements.txt) into %s: %s. pip shows its progress below; "
              "a first install takes a few minutes.\n%s" % (self.venv.name, INSTALL_SIZES[size], line), flush=True)
        steps = ["a virtual environment and an up-to-date pip"]
        steps += ["torch and torchvision, the CPU-only build"] if index else []
        steps += ["the course's packages"]
        self.step(1, steps)
        if not self.venv_python.exists():
            self.run([self.python, "-m", "venv", self.venv], advice=NO_VENV_ADVICE)
        self.run([self.venv_python, "-m", "pip", "install", "--upgrade", "pip"], advice=OFFLINE_ADVICE)
        if index:
            self.step(2, steps)
            self.run([self.venv_python, "-m", "pip", "install", *index, *self.requirements("torch", "torchvision")],
                     advice=OFFLINE_ADVICE)
        self.step(len(steps), steps)
        self.run([self.venv_python, "-m", "pip", "install", "-r", "requirements.txt"], advice=OFFLINE_ADVICE)
        # The course on the path with a .pth file: no build folders in the course.
        self.run([self.venv_python, "-c", "import pathlib, sysconfig; pathlib.Path(sysconfig.get_paths()"
                  "['purelib'], 'embeddings-course.pth').write_text(str(pathlib.Path.cwd()) + '\\n')"])
        self.touch(self.stamp)

    @staticmethod
    def step(number: int, steps) -> None:
        print("\n== Step %d of %d: %s" % (number, len(steps), steps[number - 1]), flush=True)

    def requirements(self, *names) -> list:
        """The lines of requirements.txt for the packages ``names`` (with their version ranges)."""
        lines = [line.split("#")[0].strip() for line in
                 (self.root / "requirements.txt").read_text(encoding="utf-8").splitlines()]
        found = [line for line in lines if re.match(r"[\w.-]+", line) and re.match(r"[\w.-]+", line).group(0) in names]
        if len(found) != len(names):
            raise CourseError("requirements.txt must list %s, one line each." % " and ".join(names))
        return found

    def install_dev(self) -> None:
        """The maintainers' tools on top (requirements-dev.txt)."""
        self.install()
        if self.fresh(self.dev_stamp, "requirements-dev.txt") and self.dev_stamp.stat().st_mtime >= \
                self.stamp.stat().st_mtime:
            return
        self.run([self.venv_python, "-m", "pip", "install", "--quiet", "-r", "requirements-dev.txt"])
        self.touch(self.dev_stamp)

    def learner_kernels(self) -> None:
        """The test kernels with Colab's and VS Code's package sets (tools/learner_kernels.py)."""
        self.install_dev()
        sources = ("requirements.txt", "tests/environments/colab.txt", "tools/learner_kernels.py")
        if self.fresh(self.kernels_stamp, *sources) and self.kernels_stamp.stat().st_mtime >= \
                self.dev_stamp.stat().st_mtime:
            return
        self.run([self.venv_python, "tools/learner_kernels.py"])
        self.touch(self.kernels_stamp)

    def git_filter(self) -> None:
        """Let git strip notebook outputs from what it compares and commits (see .gitattributes)."""
        if shutil.which("git") is None or not (self.root / ".git").exists():
            return
        python = Path(self.python).as_posix()
        command = ('"%s" ' % python if " " in python else python + " ") + STRIP_FILTER
        self.run(["git", "config", "filter.notebook-outputs.clean", command])
        self.run(["git", "config", "filter.notebook-outputs.smudge", "cat"])

    # -- the commands -----------------------------------------------------------------
    def jupyter_command(self, front_end: str, extra=()) -> list:
        """The command line that starts JupyterLab or Notebook 7 on the start notebook."""
        command = [self.venv_python, "-m", "jupyter", front_end, *JUPYTER_OPTIONS[front_end],
                   # A quiet first start: no news question, no update check (jupyter-settings/overrides.json).
                   "--LabServerApp.app_settings_dir=" + str(self.root / "jupyter-settings")]
        # Jupyter refuses to run as root (containers, some cloud shells) unless told it may.
        if getattr(os, "geteuid", None) is not None and os.geteuid() == 0:
            command.append("--allow-root")
        return command + list(extra)

    def check_no_venv(self, find=None) -> None:
        """With ``--no-venv``: the running Python must already hold the course's packages (nothing is installed)."""
        find = find or importlib.util.find_spec
        missing = missing_modules(find=find)
        if not missing:
            return
        conda = bool(os.environ.get("CONDA_PREFIX"))
        how = "`conda env update -f environment.yml`" if conda else "`%s -m pip install -r requirements.txt`" % (
            Path(self.python).name)
        if find("pip") is None:
            how = ("`conda install pip`, then " if conda else "`%s -m ensurepip`, then " % Path(self.python).name) + how
        raise CourseError("--no-venv uses this Python (%s), which lacks %s: run %s and this command again, or leave "
                          "out --no-venv to install the course into .venv." % (self.python, ", ".join(missing), how))

    def open(self, front_end: str, extra=()) -> int:
        if self.venv is None:
            self.check_no_venv()
        else:
            self.install()
        self.git_filter()
        return self.run(self.jupyter_command(front_end, extra), check=False)

    def lint(self, extra=()) -> int:
        self.install_dev()
        return self.run([self.venv_python, "-m", "ruff", "check", *LINTED, *extra], check=False)

    def test(self, extra=()) -> int:
        self.install_dev()
        code = self.lint()
        if code != 0:
            return code
        self.learner_kernels()
        return self.run([self.venv_python, "-m", "pytest", "-m", TEST_MARKERS, *worker_options(), *extra], check=False)

    def test_fast(self, extra=()) -> int:
        self.install_dev()
        return self.run([self.venv_python, "-m", "pytest", "-m", FAST_MARKERS, *extra], check=False)

    def clean(self) -> int:
        removed = []
        for pattern in CLEANED:
            for path in sorted(glob.glob(str(self.root / pattern))):
                removed.append(Path(path).relative_to(self.root).as_posix())
                if not self.dry_run:
                    if Path(path).is_dir():
                        shutil.rmtree(path)
                    else:
                        os.remove(path)
        print(("Would remove" if self.dry_run else "Removed") + " the course cache (.cache: trained weights, 2-D "
              "maps, scores), test artifacts and data sources" + (": " + ", ".join(removed) if removed else
                                                                  " (there were none)") + ".")
        print("Kept %s and your exercise progress (%s)." % (self.venv.name, self.progress_location()))
        if os.environ.get("COURSE_CACHE_DIR"):
            print("Not removed: the cache in COURSE_CACHE_DIR (%s)." % os.environ["COURSE_CACHE_DIR"])
        return 0

    def progress_location(self) -> str:
        python = self.venv_python if self.venv_python.exists() else self.python
        try:
            found = subprocess.run([str(python), "-c", "import helpers.progress as p; print(p.progress_path())"],
                                   cwd=str(self.root), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   universal_newlines=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            return "see notebook 00"
        return found.stdout.strip() if found.returncode == 0 and found.stdout.strip() else "see notebook 00"

    def strip(self) -> int:
        self.install()
        return self.run([self.venv_python, "tools/strip_notebooks.py", "notebooks"], check=False)

    def script(self, command: str, extra=()) -> int:
        self.install_dev()
        return self.run([self.venv_python, *SCRIPTS[command], *extra], check=False)

    def colab_links(self, extra=()) -> int:
        # Standard library only: works before anything is installed (no torch needed).
        return self.run([self.python, "tools/course_links.py", *extra], check=False)


#: command: (what it does, whether it passes the arguments after it on)
COMMANDS = {
    "lab": "create .venv if needed, install the course, open JupyterLab on the start notebook",
    "notebook": "like 'lab', with the classic Notebook 7 interface",
    "test": "install the course and the test tools, run every check (lint, unit, notebooks in three kernels, "
            "browser): about 15 minutes on 2 cores, up to 13 GB in .venv",
    "test-fast": "the unit tests only (no notebook runs, no browser)",
    "lint": "ruff over the course's code",
    "install": "create .venv if needed and install the learner's packages (requirements.txt)",
    "install-dev": "the same, plus the test, lint and browser tools (requirements-dev.txt)",
    "learner-kernels": "build the test kernels with Colab's and VS Code's package sets",
    "git-filter": "let git strip notebook outputs from what it compares and commits",
    "colab-links": "copy the repository location from pyproject.toml into README and notebooks",
    "strip": "remove outputs from the notebooks before committing",
    "clean": "remove caches and test artifacts; keeps .venv and your exercise progress",
    "bench": "measure run times, widget latency and model quality (benchmarks/report.json)",
    "site": "the notebooks, run offline, as web pages in build/site",
    "data": "rebuild the shipped data files in data/ from their sources (downloads ~80 MB)",
    "data-check": "rebuild the data from its sources and compare with data/ (downloads ~80 MB)",
    "help": "this list",
}


def usage() -> str:
    lines = ["python -m tools.course COMMAND [arguments for the program it starts]", ""]
    lines += ["  %-16s %s" % (name, text) for name, text in COMMANDS.items()]
    lines += ["", "Python: %s. On Windows: py -3.11 -m tools.course lab" % supported_pythons()]
    return "\n".join(lines)


def dispatch(course: Course, command: str, extra) -> int:
    if command in ("lab", "notebook"):
        return course.open(command, extra)
    if command == "test":
        return course.test(extra)
    if command == "test-fast":
        return course.test_fast(extra)
    if command == "lint":
        return course.lint(extra)
    if command == "colab-links":
        return course.colab_links(extra)
    if command in SCRIPTS:
        return course.script(command, extra)
    if extra:
        raise CourseError("`%s` takes no further arguments, got: %s" % (command, " ".join(extra)))
    steps = {"install": course.install, "install-dev": course.install_dev, "learner-kernels": course.learner_kernels,
             "git-filter": course.git_filter}
    if command in steps:
        steps[command]()
        return 0
    if command == "strip":
        return course.strip()
    if command == "clean":
        return course.clean()
    print(usage())
    return 0


def main(argv=None, root=REPO_ROOT) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.course", description=usage(),
                                     formatter_class=argparse.RawDescriptionHelpFormatter, add_help=False)
    parser.add_argument("--venv", default=os.environ.get("COURSE_VENV", ".venv"),
                        help="the virtual environment's folder, relative to the course (default .venv)")
    parser.add_argument("--no-venv", action="store_true",
                        help="lab and notebook only: use this Python's packages (conda's), install nothing")
    parser.add_argument("--dry-run", action="store_true", help="print the commands, run none")
    parser.add_argument("-h", "--help", action="store_true")
    parser.add_argument("command", nargs="?", default="help", metavar="COMMAND")
    parser.add_argument("extra", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    extra = args.extra[1:] if args.extra[:1] == ["--"] else args.extra
    if args.help:
        args.command = "help"
    if args.command not in COMMANDS:
        print("Unknown command %r.\n\n%s" % (args.command, usage()), file=sys.stderr)
        return 2
    try:
        if args.command not in ("help", "colab-links", "clean"):
            check_python()
        if args.no_venv and args.command not in ("lab", "notebook"):
            raise CourseError("--no-venv goes with `lab` or `notebook` (open the course with this Python's "
                              "packages); `%s` works in the course's .venv: leave --no-venv out." % args.command)
        course = Course(root=root, venv=None if args.no_venv else args.venv, dry_run=args.dry_run)
        return dispatch(course, args.command, extra)
    except CourseError as error:
        print(str(error), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
