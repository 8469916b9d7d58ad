"""Shared test set-up: every test gets its own empty course cache and progress folder.

Nothing a test runs (helpers, notebooks, Jupyter servers) writes into the real home folder
or the repository's .cache: both places are pointed at temporary folders, for the whole
session (at import, before any test) and then per test.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The notebook and prose tests' shared runs (tests/notebooks/) are importable from every test.
sys.path.insert(0, str(REPO_ROOT / "tests" / "notebooks"))
import scheduling  # noqa: E402  (tests/ is on the path: pytest put it there to import this file)

# Before any test (and any subprocess a test starts): no test touches the real places.
_SESSION_PLACES = Path(tempfile.mkdtemp(prefix="course-tests-"))
atexit.register(shutil.rmtree, _SESSION_PLACES, ignore_errors=True)
os.environ["COURSE_CACHE_DIR"] = str(_SESSION_PLACES / "cache")
os.environ["COURSE_PROGRESS_DIR"] = str(_SESSION_PLACES / "progress")
# The course is tested as learners meet it by default: solutions on (tests of the teacher's
# mode switch it on themselves), whatever the machine's environment or settings file says.
os.environ["COURSE_TEACHER_MODE"] = "0"


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path_factory.mktemp("course-cache")))
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path_factory.mktemp("course-progress")))


@pytest.fixture(scope="session")
def course_cache(tmp_path_factory) -> Path:
    """One course cache for every notebook run of the session, in every xdist worker: each model is
    trained once (the cache writes each entry whole, so workers can share it)."""
    if scheduling.run_id() is None:
        return tmp_path_factory.mktemp("shared-course-cache")
    shared = tmp_path_factory.getbasetemp().parent / "shared-course-cache"   # the workers' common folder
    shared.mkdir(exist_ok=True)
    return shared


@pytest.hookimpl(tryfirst=True)   # before xdist's own hook, which reads the groups into the test ids
def pytest_collection_modifyitems(config, items):
    """Collection order and groups (tests/scheduling.py): the site after the notebook runs, then the long
    tests of their own, the other browser tests last; under xdist, the tests that read one notebook run
    share a worker."""
    ids = {item: item.nodeid.replace("\\", "/") for item in items}
    items.sort(key=lambda item: scheduling.sort_key(ids[item]))
    notebooks = sorted(path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    for item in items:
        name = scheduling.group(ids[item], notebooks)
        if name is not None:
            item.add_marker(pytest.mark.xdist_group(name))


#: The tests whose xdist group was lost (pytest_collection_finish): each fails, saying why.
_LOST_GROUPS: set[str] = set()


def pytest_collection_finish(session):
    """The main runs this session makes (after -m and -k have deselected tests): the site waits for them.
    In an xdist worker that groups tests, every group must have reached the test ids."""
    notebooks = sorted(path.stem for path in (REPO_ROOT / "notebooks").glob("[0-9]*.ipynb"))
    ids = [item.nodeid.replace("\\", "/").partition("@")[0] for item in session.items]   # xdist adds "@group"
    scheduling.EXPECTED_RUNS[:] = sorted(scheduling.group(nodeid, notebooks)[len("run-"):] for nodeid in ids
                                         if nodeid.startswith(scheduling.MAIN_RUN))
    if getattr(session.config.option, "loadgroup", False):
        marks = [(item.nodeid, item.get_closest_marker("xdist_group")) for item in session.items]
        _LOST_GROUPS.update(scheduling.lost_groups([(nodeid, mark and mark.args[0]) for nodeid, mark in marks]))


def pytest_runtest_setup(item):
    if item.nodeid in _LOST_GROUPS:
        pytest.fail(f"pytest-xdist could not keep this test with its group on pytest {pytest.__version__}: "
                    f"install the versions that requirements-dev.txt names", pytrace=False)


@pytest.fixture(autouse=True)
def _restore_matplotlib_backend():
    """A test that switches matplotlib to ipympl, or sets the course's style (``setup_notebook``),
    must not change the backend or the text sizes of the tests after it."""
    import matplotlib

    before = matplotlib.get_backend()
    style = {key: matplotlib.rcParams[key] for key in ("font.size", "axes.titlesize", "axes.labelsize",
                                                        "xtick.labelsize", "ytick.labelsize", "legend.fontsize",
                                                        "figure.titlesize")}
    yield
    matplotlib.rcParams.update(style)
    if matplotlib.get_backend() != before:
        import matplotlib.pyplot as plt

        plt.close("all")
        plt.switch_backend(before)


def offline_prefix() -> list[str] | None:
    """The command prefix that runs a program with no network but loopback, or None.

    Needs root and util-linux's ``unshare`` with iproute2's ``ip`` (Linux).
    """
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return None
    probe = subprocess.run(
        ["unshare", "-n", "sh", "-c", "ip link set lo up && true"], capture_output=True, timeout=30
    )
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"] if probe.returncode == 0 else None


# ----------------------------------------------------------------------------- small untrained autoencoders
# shared by the latent-space, latent-explorer and interpolation-explorer tests


@pytest.fixture(scope="module")
def net2():
    import torch

    from helpers.models.autoencoder import Autoencoder

    torch.manual_seed(0)
    return Autoencoder(latent_dim=2, hidden=(32,)).eval()


@pytest.fixture(scope="module")
def net16():
    import torch

    from helpers.models.autoencoder import Autoencoder

    torch.manual_seed(1)
    return Autoencoder(latent_dim=16, hidden=(32,)).eval()


@pytest.fixture(scope="module")
def data():
    import numpy as np

    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(60, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 3, 60).astype(np.int64)
    return images, labels, ("cat", "dog", "bird")
