"""The benchmark's memory limit is a real one: a program that needs more is stopped, one that fits is not."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))

from memory_limit import MemoryLimit, unavailable  # noqa: E402

pytestmark = pytest.mark.skipif(bool(unavailable()), reason=str(unavailable()))

TOUCH = "import sys; a = bytearray(int(sys.argv[1]) * 2**20); a[::4096] = b'x' * len(a[::4096]); print('done')"


def _run_inside(limit_mb: int, allocate_mb: int) -> tuple[subprocess.CompletedProcess, dict]:
    limit = MemoryLimit(limit_mb)
    try:
        run = subprocess.run([*limit.prefix(), sys.executable, "-c", TOUCH, str(allocate_mb)],
                             capture_output=True, text=True)
        return run, limit.result()
    finally:
        limit.remove()


def test_a_program_that_needs_more_than_the_limit_is_stopped():
    run, result = _run_inside(limit_mb=100, allocate_mb=300)
    assert run.returncode != 0 and "done" not in run.stdout
    assert result["reached_limit"] and result["oom_killed"] >= 1
    assert 90 <= result["charged_mb"] <= 100


def test_a_program_that_fits_runs_to_the_end_and_its_memory_is_counted():
    run, result = _run_inside(limit_mb=400, allocate_mb=150)
    assert run.returncode == 0 and "done" in run.stdout
    assert not result["reached_limit"] and result["oom_killed"] == 0
    assert 150 <= result["charged_mb"] < 400


def test_the_group_is_gone_afterwards():
    limit = MemoryLimit(50)
    path = limit.path
    limit.remove()
    assert not path.exists()
