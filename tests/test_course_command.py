"""`python -m tools.course`: the everyday commands without make or a Unix shell (Windows, macOS, Linux)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import types
from pathlib import Path

import pytest
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
import course  # noqa: E402


def _scratch_course(tmp_path: Path) -> Path:
    """A course folder with the files the install compares (no .venv yet)."""
    root = tmp_path / "course"
    (root / "notebooks").mkdir(parents=True)
    for name in ("requirements.txt", "requirements-dev.txt", "pyproject.toml"):
        shutil.copy2(REPO_ROOT / name, root / name)
    return root


def _pretend_python(monkeypatch, version: tuple[int, ...]) -> None:
    """Make the entry point believe it runs on ``version``; nothing it could start may run."""
    fake = types.SimpleNamespace(version_info=version, executable=sys.executable, stderr=sys.stderr,
                                 stdout=sys.stdout)
    monkeypatch.setattr(course, "sys", fake)

    def refuse(*args, **kwargs):
        raise AssertionError(f"started {args} on an unsupported Python")

    monkeypatch.setattr(course.subprocess, "call", refuse)


@pytest.mark.parametrize("version", [(3, 9, 6), (3, 8, 10), (3, 14, 0), (2, 7, 18)])
@pytest.mark.parametrize("command", ["lab", "notebook", "test", "test-fast", "install"])
def test_an_unsupported_python_is_refused_before_anything_installs(tmp_path, monkeypatch, capsys, version, command):
    root = _scratch_course(tmp_path)
    _pretend_python(monkeypatch, version)
    assert course.main([command], root=root) == 2
    message = capsys.readouterr().err
    assert f"This is Python {version[0]}.{version[1]}" in message
    assert "3.10-3.13 (tested: 3.11)" in message and "Nothing was installed" in message
    assert "py -3.11 -m tools.course lab" in message, "the Windows command is named too"
    assert not (root / ".venv").exists()


@pytest.mark.parametrize("version", [(3, 10, 0), (3, 11, 7), (3, 13, 1)])
def test_the_supported_pythons_pass_the_check(version):
    course.check_python(version)


def _old_interpreters() -> list[str]:
    """Old Pythons this machine has (on PATH or under pyenv), to run the refusal for real."""
    found = []
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"
    for minor in (6, 7, 8, 9):
        candidates = sorted(str(p) for p in pyenv.glob(f"3.{minor}.*/bin/python")) + [shutil.which(f"python3.{minor}")]
        found += [c for c in candidates if c and "shims" not in Path(c).parts][:1]
    return found


@pytest.mark.parametrize("python", _old_interpreters() or [None])
def test_a_real_old_python_gets_the_refusal_not_a_syntax_error(tmp_path, python):
    """The entry point stays readable by Python 3.6-3.9 (macOS's stock Python is 3.9)."""
    if python is None:
        pytest.skip("no Python older than 3.10 on this machine (the simulated refusal above still runs)")
    root = _scratch_course(tmp_path)
    (root / "tools").mkdir()
    for name in ("__init__.py", "course.py"):
        shutil.copy2(REPO_ROOT / "tools" / name, root / "tools" / name)
    run = subprocess.run([python, "-m", "tools.course", "lab"], cwd=root, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 2, run.stderr
    assert "the course needs Python 3.10-3.13" in run.stderr and "Traceback" not in run.stderr
    assert not (root / ".venv").exists()


def test_the_environment_s_programs_are_found_where_each_system_puts_them(tmp_path):
    windows, unix = course.Course(root=tmp_path, os_name="nt"), course.Course(root=tmp_path, os_name="posix")
    assert windows.venv_python == tmp_path / ".venv" / "Scripts" / "python.exe"
    assert unix.venv_python == tmp_path / ".venv" / "bin" / "python"
    assert course.Course(root=tmp_path, venv="env").venv_python.parent.parent == tmp_path / "env"
    assert windows.jupyter_command("lab")[:4] == [windows.venv_python, "-m", "jupyter", "lab"], \
        "jupyter is started through the environment's Python: no jupyter.exe or bin/jupyter to find"


def test_install_creates_the_environment_and_installs_the_learner_set_only(tmp_path, capsys):
    root = _scratch_course(tmp_path)
    assert course.main(["--dry-run", "install"], root=root) == 0
    printed = capsys.readouterr().out
    assert "-m venv" in printed and "-r requirements.txt" in printed and "embeddings-course.pth" in printed
    assert "requirements-dev" not in printed, "lab installs what a learner needs, not the test tools"


def _no_gpu_and_index(reached: bool):
    """torch_source on Linux without an NVIDIA GPU, with the CPU-only index reached or not."""
    return lambda: course.torch_source("linux", gpu=False, probe=lambda url: reached)


def test_the_cpu_only_index_is_chosen_only_on_linux_without_an_nvidia_gpu():
    asked = []
    index, size, line = course.torch_source("linux", gpu=False, probe=lambda url: asked.append(url) or True)
    assert index == ["--index-url", "https://download.pytorch.org/whl/cpu"] and size == "cpu"
    assert asked == ["https://download.pytorch.org/whl/cpu/torch/"] and "CPU-only build" in line
    index, size, line = course.torch_source("linux", gpu=False, probe=lambda url: False)
    assert index is None and size == "cuda" and "cannot be reached" in line and "\n" not in line
    assert course.torch_source("linux", gpu=True, probe=lambda url: True)[:2] == (None, "cuda")
    for system in ("darwin", "win32"):  # PyPI's builds there bring no CUDA: nothing to choose, nothing asked
        assert course.torch_source(system, gpu=False, probe=lambda url: pytest.fail("asked"))[:2] == (None, "other")


def test_an_nvidia_gpu_is_found_by_its_driver():
    assert course.has_nvidia_gpu(which=lambda name: "/usr/bin/nvidia-smi", exists=lambda path: False)
    assert course.has_nvidia_gpu(which=lambda name: None, exists=lambda path: path == "/proc/driver/nvidia/version")
    assert not course.has_nvidia_gpu(which=lambda name: None, exists=lambda path: False)


def test_the_probe_says_no_quickly_for_an_address_that_does_not_answer():
    import socket
    import time

    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    started = time.monotonic()
    assert course.reachable(f"http://127.0.0.1:{port}/whl/cpu/torch/", timeout=2) is False
    assert course.reachable("not a url") is False
    assert time.monotonic() - started < 5


def test_this_machine_cannot_reach_the_index_and_falls_back_in_one_line(tmp_path, capsys):
    """The real probe (this test machine has no route to download.pytorch.org): PyPI's build, said once."""
    if course.reachable(course.TORCH_CPU_INDEX + "/torch/"):
        pytest.skip("the CPU-only index can be reached from here: the fallback is tested with a probe above")
    root = _scratch_course(tmp_path)
    app = course.Course(root=root, dry_run=True,
                        torch_source=lambda: course.torch_source("linux", gpu=False))
    app.install()
    printed = capsys.readouterr().out
    assert len([line for line in printed.splitlines() if "cannot be reached" in line]) == 1
    assert "--index-url" not in printed and "6.2 GB in .venv" in printed


def test_install_says_what_it_downloads_shows_pips_progress_and_takes_torch_from_the_cpu_index(tmp_path, capsys):
    root = _scratch_course(tmp_path)
    course.Course(root=root, dry_run=True, torch_source=_no_gpu_and_index(True)).install()
    printed = capsys.readouterr().out
    first = printed.splitlines()[0]
    assert "about 0.5 GB to download, 1.7 GB in .venv" in first and "pip shows its progress" in first
    assert "--quiet" not in printed, "pip's progress is shown"
    steps = [line for line in printed.splitlines() if line.startswith("== Step")]
    assert steps == ["== Step 1 of 3: a virtual environment and an up-to-date pip",
                     "== Step 2 of 3: torch and torchvision, the CPU-only build",
                     "== Step 3 of 3: the course's packages"]
    torch_line = next(line for line in printed.splitlines() if "--index-url" in line)
    assert torch_line.endswith("install --index-url https://download.pytorch.org/whl/cpu 'torch>=2.2' "
                               "'torchvision>=0.17'"), torch_line
    assert printed.index("--index-url") < printed.index("-r requirements.txt"), "torch first: pip keeps it after"


def test_no_venv_opens_jupyter_with_the_course_settings_and_installs_nothing(tmp_path, capsys, monkeypatch):
    root = _scratch_course(tmp_path)
    monkeypatch.setattr(course, "missing_modules", lambda **kwargs: [])
    assert course.main(["--no-venv", "--dry-run", "lab"], root=root) == 0
    printed = capsys.readouterr().out
    assert "pip" not in printed and "-m venv" not in printed and not (root / ".venv").exists()
    line = printed.strip().splitlines()[-1]
    assert line.startswith(f"+ {sys.executable} -m jupyter lab --LabApp.default_url=/lab/tree/notebooks/00_start_here")
    assert f"--LabServerApp.app_settings_dir={root / 'jupyter-settings'}" in line


@pytest.mark.parametrize("conda, pip, advice", [
    (True, True, "run `conda env update -f environment.yml` and this command again"),
    (True, False, "run `conda install pip`, then `conda env update -f environment.yml` and this command again"),
    (False, True, "-m pip install -r requirements.txt` and this command again"),
])
def test_no_venv_in_an_environment_without_the_packages_says_in_one_line_what_to_do(
        tmp_path, capsys, monkeypatch, conda, pip, advice):
    root = _scratch_course(tmp_path)
    absent = {"torch", "jupyterlab"} | (set() if pip else {"pip"})
    monkeypatch.setattr(course.importlib.util, "find_spec", lambda name: None if name in absent else object())
    if conda:
        monkeypatch.setenv("CONDA_PREFIX", str(tmp_path / "conda-env"))
    else:
        monkeypatch.delenv("CONDA_PREFIX", raising=False)
    monkeypatch.setattr(course.subprocess, "call", lambda *a, **k: pytest.fail(f"started {a}"))
    assert course.main(["--no-venv", "lab"], root=root) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and captured.out == "", captured
    assert "lacks jupyterlab, torch" in lines[0] and advice in lines[0] and "leave out --no-venv" in lines[0]


def test_no_venv_goes_with_lab_and_notebook_only(tmp_path, capsys):
    assert course.main(["--no-venv", "test"], root=_scratch_course(tmp_path)) == 2
    assert "--no-venv goes with `lab` or `notebook`" in capsys.readouterr().err


def test_a_failed_pip_or_venv_ends_in_one_line_saying_what_to_do(tmp_path, monkeypatch):
    root = _scratch_course(tmp_path)
    app = course.Course(root=root, torch_source=_no_gpu_and_index(False))
    monkeypatch.setattr(course.subprocess, "call", lambda command, **kwargs: 0 if "venv" in command else 1)
    with pytest.raises(course.CourseError) as info:
        app.install()
    (line,) = str(info.value).splitlines()
    assert line.startswith("`") and "-m pip install` failed (exit status 1)" in line
    assert "no network" in line and "run this command again" in line
    monkeypatch.setattr(course.subprocess, "call", lambda command, **kwargs: 1)
    with pytest.raises(course.CourseError, match=r"-m venv .* cannot create a virtual environment .*conda install pip"):
        app.install()


def test_make_lab_without_a_network_ends_in_one_line(tmp_path):
    """For real: the install run with no network at all (``unshare -n``, root only); pip gives up, one line says why."""
    if not shutil.which("unshare") or os.geteuid() != 0 or subprocess.run(
            ["unshare", "-n", "true"], capture_output=True).returncode != 0:
        pytest.skip("needs `unshare -n` (root on Linux) to take the network away")
    root = _scratch_course(tmp_path)
    (root / "tools").mkdir()
    for name in ("__init__.py", "course.py"):
        shutil.copy2(REPO_ROOT / "tools" / name, root / "tools" / name)
    env = dict(os.environ, PIP_RETRIES="0", PIP_TIMEOUT="5", PIP_DISABLE_PIP_VERSION_CHECK="1",
               PIP_NO_CACHE_DIR="1", PIP_CONFIG_FILE=os.devnull)
    run = subprocess.run(["unshare", "-n", sys.executable, "-m", "tools.course", "install"], cwd=root, env=env,
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2, run.stdout[-2000:] + run.stderr[-2000:]
    assert "cannot be reached" in run.stdout, "the CPU-only index was probed and the fallback said so"
    last = run.stderr.strip().splitlines()[-1]
    assert "failed (exit status" in last and "no network" in last and "run this command again" in last, last
    assert "Traceback" not in run.stderr


def test_install_runs_again_only_when_the_requirements_changed(tmp_path, capsys):
    root = _scratch_course(tmp_path)
    app = course.Course(root=root, dry_run=True, torch_source=_no_gpu_and_index(False))
    app.venv_python.parent.mkdir(parents=True)
    app.venv_python.touch()
    app.stamp.touch()
    app.install()
    assert capsys.readouterr().out == "", "an up-to-date environment installs nothing"
    later = app.stamp.stat().st_mtime + 10
    os.utime(root / "requirements.txt", (later, later))
    app.install()
    printed = capsys.readouterr().out
    assert "-r requirements.txt" in printed and "-m venv" not in printed, "the existing environment is reused"


def test_lab_installs_the_git_filter_and_test_lints_builds_the_kernels_and_runs_every_check(tmp_path, capsys):
    root = _scratch_course(tmp_path)
    (root / ".git").mkdir()
    assert course.main(["--dry-run", "lab"], root=root) == 0
    lab = capsys.readouterr().out
    assert "git config filter.notebook-outputs.clean" in lab and "tools/strip_notebooks.py --stdin" in lab
    assert lab.index("filter.notebook-outputs") < lab.index("-m jupyter lab"), "the filter is in place first"
    assert course.main(["--dry-run", "test"], root=root) == 0
    test = capsys.readouterr().out
    steps = ["-r requirements-dev.txt", "-m ruff check helpers tests tools", "tools/learner_kernels.py",
             "-m pytest -m 'not sources'"]
    positions = [test.find(step) for step in steps]
    assert -1 not in positions and positions == sorted(positions), test
    pytest_line = next(line for line in test.splitlines() if "-m pytest" in line)
    assert re.search(r" -n [2-4] --dist loadgroup --no-loadscope-reorder", pytest_line), "the tests run in workers"


def test_lab_passes_its_arguments_to_jupyter_and_allows_root_only_for_root(tmp_path, capsys, monkeypatch):
    root = _scratch_course(tmp_path)
    app = course.Course(root=root)
    app.venv_python.parent.mkdir(parents=True)
    app.stamp.touch()
    monkeypatch.setattr(course.os, "geteuid", lambda: 1000, raising=False)
    assert course.main(["--dry-run", "lab", "--port=8890"], root=root) == 0
    line = capsys.readouterr().out.strip().splitlines()[-1]
    assert line.endswith(f"--LabApp.default_url=/lab/tree/notebooks/00_start_here.ipynb "
                         f"--LabServerApp.app_settings_dir={root / 'jupyter-settings'} --port=8890"), line
    monkeypatch.setattr(course.os, "geteuid", lambda: 0, raising=False)
    assert "--allow-root" in app.jupyter_command("notebook")
    monkeypatch.delattr(course.os, "geteuid", raising=False)  # Windows has no user ids
    assert "--allow-root" not in app.jupyter_command("notebook")


def test_clean_removes_the_caches_and_keeps_the_environment_and_the_notebooks(tmp_path, capsys, monkeypatch):
    root = _scratch_course(tmp_path)
    for folder in (".cache/weights", "tests/artifacts", "data/.sources", ".venv/bin", "embeddings_course.egg-info"):
        (root / folder).mkdir(parents=True)
    (root / ".cache" / "weights" / "cnn.pt").write_bytes(b"weights")
    (root / "data" / "glove.npz").write_bytes(b"data")
    monkeypatch.delenv("COURSE_CACHE_DIR", raising=False)
    assert course.main(["clean"], root=root) == 0
    printed = capsys.readouterr().out
    for gone in (".cache", "tests/artifacts", "data/.sources", "embeddings_course.egg-info"):
        assert not (root / gone).exists() and gone in printed
    assert (root / ".venv" / "bin").is_dir() and (root / "notebooks").is_dir()
    assert (root / "data" / "glove.npz").is_file(), "the shipped data stays"
    assert "Kept .venv and your exercise progress" in printed


def test_an_unknown_command_or_stray_argument_says_what_exists(capsys):
    assert course.main(["labb"]) == 2
    assert "Unknown command 'labb'" in capsys.readouterr().err
    assert course.main(["clean", "--all"]) == 2
    assert "`clean` takes no further arguments" in capsys.readouterr().err


@pytest.mark.parametrize("how", [["-m", "tools.course"], ["tools/course.py"]])
def test_both_spellings_of_the_entry_point_work(how):
    run = subprocess.run([sys.executable, *how, "help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    for command in ("lab", "notebook", "test", "test-fast", "clean"):
        assert f"\n  {command} " in run.stdout


def _this_environment() -> Path:
    """The environment running the tests, when the entry point made it (its stamps are current)."""
    app = course.Course(venv=sys.prefix)
    current = app.fresh(app.stamp, "requirements.txt", "pyproject.toml") and app.fresh(app.dev_stamp,
                                                                                        "requirements-dev.txt")
    if Path(sys.executable).resolve() != app.venv_python.resolve() or not current:
        pytest.skip("the tests do not run in an environment that `python -m tools.course install-dev` keeps")
    return Path(sys.prefix)


def test_the_entry_point_runs_the_tests_and_reports_a_failure(tmp_path):
    """`test-fast` end to end: installs nothing new, runs pytest on a fast subset, returns pytest's status."""
    venv = _this_environment()
    command = [sys.executable, "-m", "tools.course", "--venv", str(venv), "test-fast"]
    passing = subprocess.run([*command, "tests/test_cache.py", "-k", "fingerprint", "-q", "-p", "no:cacheprovider"],
                             cwd=REPO_ROOT, capture_output=True, text=True, timeout=600)
    assert passing.returncode == 0, passing.stdout[-3000:] + passing.stderr[-3000:]
    assert " passed" in passing.stdout and "not notebooks and not slow and not browser" in passing.stdout
    failing_test = tmp_path / "test_wrong.py"
    failing_test.write_text("def test_wrong():\n    assert 1 + 1 == 3\n")
    failing = subprocess.run([*command, str(failing_test), "-q", "-p", "no:cacheprovider"], cwd=REPO_ROOT,
                             capture_output=True, text=True, timeout=600)
    assert failing.returncode == 1 and "1 failed" in failing.stdout, failing.stdout[-3000:]


def test_course_links_runs_without_torch_or_any_installed_package():
    """An instructor pointing a fork's links needs only a Python: no course install, no torch."""
    bare = [sys.executable, "-I", "-S"]  # isolated, without site-packages: nothing pip installed is importable
    assert subprocess.run([*bare, "-c", "import torch"], capture_output=True).returncode != 0
    run = subprocess.run([*bare, str(REPO_ROOT / "tools" / "course_links.py"), "--check"], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "course links are up to date" in run.stdout
