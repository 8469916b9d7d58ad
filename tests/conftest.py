"""Shared test set-up: every test gets its own empty course cache."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path_factory.mktemp("course-cache")))


@pytest.fixture(autouse=True)
def _restore_matplotlib_backend():
    """A test that switches matplotlib to ipympl must not change the backend of the tests after it."""
    import matplotlib

    before = matplotlib.get_backend()
    yield
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
