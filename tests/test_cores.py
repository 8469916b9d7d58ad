"""helpers.cores: core counts, and OpenMP threads for scikit-learn beside a one-thread torch."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from helpers import cores, validation

REPO = Path(__file__).resolve().parents[1]


def test_usable_cores_is_a_positive_count():
    n = cores.usable_cores()
    assert isinstance(n, int) and 1 <= n <= (os.cpu_count() or 1)


def test_usable_cores_without_affinity(monkeypatch):
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 3)
    assert cores.usable_cores() == 3
    monkeypatch.setattr(os, "cpu_count", lambda: None)
    assert cores.usable_cores() == 1


def test_free_cores_reads_the_machines_counters(monkeypatch):
    free = cores.free_cores()
    if os.path.exists("/proc/stat"):
        assert isinstance(free, int) and 1 <= free <= (os.cpu_count() or 1)
    import builtins

    real_open = builtins.open

    def no_counters(path, *args, **kwargs):
        if str(path) == "/proc/stat":
            raise OSError("not here")
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", no_counters)
    assert cores.free_cores() is None


@pytest.mark.parametrize("bad", [0, -1, 1.5, "2", True])
def test_openmp_threads_rejects_a_bad_count(bad):
    with pytest.raises(validation.InvalidArgument, match="count"):
        with cores.openmp_threads(bad):
            pass


def test_openmp_threads_sets_and_restores_every_runtime():
    pytest.importorskip("sklearn")
    import sklearn.manifold  # noqa: F401 - loads scikit-learn's OpenMP runtime
    from threadpoolctl import threadpool_info

    def openmp():
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp"]

    before = openmp()
    assert before, "no OpenMP runtime is loaded"
    with cores.openmp_threads(1) as count:
        assert count == 1 and set(openmp()) == {1}
    assert openmp() == before
    with cores.openmp_threads() as count:
        assert count == cores.usable_cores() and set(openmp()) == {count}
    assert openmp() == before


def test_scikit_learn_gets_its_threads_after_torch_was_pinned_to_one():
    """The order of a notebook: torch first (one thread on few cores), scikit-learn later.

    Both then share one OpenMP runtime, so scikit-learn ran on one thread, whatever the
    machine. Inside ``openmp_threads`` it gets the count asked for, and torch is on one
    thread again afterwards. Run in a fresh interpreter: the order of loading matters.
    """
    pytest.importorskip("sklearn")
    script = textwrap.dedent(
        """
        import json, sys
        sys.path.insert(0, sys.argv[1])
        import torch
        torch.set_num_threads(1)
        from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
        from helpers.cores import openmp_threads
        seen = {"before": _openmp_effective_n_threads()}
        with openmp_threads(2):
            seen["inside"] = _openmp_effective_n_threads()
        seen["after"] = _openmp_effective_n_threads()
        seen["torch_after"] = torch.get_num_threads()
        print(json.dumps(seen))
        """
    )
    env = {key: value for key, value in os.environ.items() if key not in ("OMP_NUM_THREADS", "MKL_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", script, str(REPO)], capture_output=True, text=True, env=env,
                         timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    import json

    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["inside"] == min(2, os.cpu_count() or 1), seen   # scikit-learn never takes more than the cores
    assert seen["torch_after"] == 1, seen
    assert seen["after"] == seen["before"], seen
