"""A hard memory limit for programs, as Binder and JupyterHub set one: a Linux memory cgroup.

Binder gives a session about 2 GB, enforced by the kernel: a session that needs more is killed
(or, for the libraries' files, which the kernel can drop and read again, slowed down). Resident
memory (``ru_maxrss``) overstates what a kernel needs under such a limit, since it counts the pages of
the libraries' files it has mapped, which kernels share and the system can evict. So the benchmark
also runs notebooks inside a limit and reports whether they ran to the end, whether they ever
reached the limit, and the most memory the group was charged (its processes' own memory plus the
file pages they brought into memory).

Needs root and a writable memory controller (cgroup v2 or v1); elsewhere :func:`unavailable`
says why and the benchmark leaves the entries out.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

V2_ROOT = Path("/sys/fs/cgroup")
V1_ROOT = Path("/sys/fs/cgroup/memory")


def unavailable() -> str | None:
    """Why a memory limit cannot be set here, or None when it can."""
    if os.name != "posix" or os.geteuid() != 0:
        return "setting a memory limit needs root on Linux"
    if (V2_ROOT / "cgroup.controllers").exists():
        if "memory" not in (V2_ROOT / "cgroup.subtree_control").read_text().split():
            return "the cgroup v2 memory controller is not enabled for child groups"
        return None
    if (V1_ROOT / "memory.limit_in_bytes").exists():
        return None
    return "no memory cgroup controller is mounted at /sys/fs/cgroup"


class MemoryLimit:
    """A new memory cgroup with a hard limit of ``limit_mb``; :meth:`prefix` starts a command inside it."""

    def __init__(self, limit_mb: int):
        self.v2 = (V2_ROOT / "cgroup.controllers").exists()
        self.path = (V2_ROOT if self.v2 else V1_ROOT) / f"course-bench-{uuid.uuid4().hex[:8]}"
        self.path.mkdir()
        limit_file = "memory.max" if self.v2 else "memory.limit_in_bytes"
        (self.path / limit_file).write_text(str(limit_mb * 2**20))

    def prefix(self) -> list[str]:
        """Put the command that follows into the group before it starts (its children follow it)."""
        procs = self.path / "cgroup.procs"
        return ["sh", "-c", f'echo $$ > "{procs}" && exec "$@"', "limited"]

    def result(self) -> dict[str, int | bool | None]:
        """The most memory charged (MB), whether the limit was ever reached (the system then drops cached
        file pages), how many processes were killed, and the major page faults (pages read again from disk:
        many more than without a limit means the programs kept rereading what was dropped)."""
        stat = dict(line.split() for line in (self.path / "memory.stat").read_text().splitlines())
        faults = int(stat["pgmajfault" if self.v2 else "total_pgmajfault"])
        if self.v2:
            events = dict(line.split() for line in (self.path / "memory.events").read_text().splitlines())
            peak_file = self.path / "memory.peak"  # Linux 5.19 and later
            peak = int(peak_file.read_text()) if peak_file.exists() else None
            reached, killed = int(events.get("max", 0)) > 0, int(events.get("oom_kill", 0))
        else:
            peak = int((self.path / "memory.max_usage_in_bytes").read_text())
            reached = int((self.path / "memory.failcnt").read_text()) > 0
            control = dict(line.split() for line in (self.path / "memory.oom_control").read_text().splitlines())
            killed = int(control.get("oom_kill", 0))
        return {"charged_mb": None if peak is None else round(peak / 2**20), "reached_limit": reached,
                "oom_killed": killed, "major_faults": faults}

    def remove(self) -> None:
        self.path.rmdir()  # empty once its processes have ended


def drop_page_cache() -> None:
    """Let the next run read the libraries' files itself (so the group is charged for them), as a fresh
    session does; pages that other running programs have mapped stay, so run this on an idle machine."""
    os.sync()
    try:
        Path("/proc/sys/vm/drop_caches").write_text("3\n")
    except OSError:
        pass
