"""How many CPU cores the course's computations may use, and OpenMP threads to match.

>>> from helpers.cores import usable_cores, free_cores, openmp_threads
>>> usable_cores()                 # cores this process may run on
>>> free_cores()                   # of those, how many other programs leave free just now
>>> with openmp_threads(2):        # scikit-learn's OpenMP code on two threads inside the block
...     TSNE().fit_transform(X)

Why the last one is needed: on a machine with few cores the course runs torch on one
thread (see :func:`helpers.training.one_thread_on_few_cores`), which sets the OpenMP
runtime that torch loads to one thread. scikit-learn's compiled code, imported later in
the same kernel, uses that same runtime, so its t-SNE and neighbour searches then ran on
one thread as well: t-SNE of 2,000 points took 4.9 s in a notebook against 2.7 s when
called on its own on two idle cores. :func:`openmp_threads` sets the number for the
block and puts the old one back afterwards, so torch stays on one thread.

This module imports neither torch nor scikit-learn.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager

from helpers import validation

__all__ = ["free_cores", "openmp_threads", "usable_cores"]


def usable_cores() -> int:
    """The CPU cores this process may run on (its affinity where the system tells it)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def free_cores(sample_s: float = 0.1) -> int | None:
    """How many of this process's cores other programs leave free just now (at least 1; None off Linux).

    Read from the CPU counters twice, ``sample_s`` apart, leaving out this process's own use.
    """

    def counters() -> tuple[float, float]:
        with open("/proc/stat") as fh:
            values = [int(v) for v in fh.readline().split()[1:]]
        busy = values[0] + values[1] + values[2] + values[5] + values[6]  # user, nice, system, irq, softirq
        return busy, busy + values[3] + values[4]  # ... and idle, waiting for input/output

    def own() -> float:
        times = os.times()
        return (times.user + times.system) * os.sysconf("SC_CLK_TCK")

    try:
        busy_before, total_before, own_before = *counters(), own()
        time.sleep(sample_s)
        busy_after, total_after, own_after = *counters(), own()
    except (OSError, ValueError, IndexError, AttributeError):
        return None
    total = total_after - total_before
    if total <= 0:
        return None
    others = max(0.0, (busy_after - busy_before) - (own_after - own_before))
    cores = os.cpu_count() or 1
    return max(1, min(usable_cores(), cores - round(cores * others / total)))


@contextmanager
def openmp_threads(count: int | None = None) -> Iterator[int]:
    """Run OpenMP code (t-SNE, neighbour searches) on ``count`` threads (default :func:`usable_cores`) inside
    the block, then put each runtime's own number back. Yields the count."""
    if count is None:
        count = usable_cores()
    count = validation.integer(count, "count", low=1)
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        yield count
        return
    with threadpool_limits(limits=count, user_api="openmp"):
        yield count
