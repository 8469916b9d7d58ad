"""UMAP's code compiled ahead, so that no learner waits for numba at the first map.

umap-learn's functions are compiled by numba on first use (about 24 s of CPU time on a
2-core machine); :func:`helpers.projections.keep_umap_compiled` lets numba keep the result
in its cache. A fresh runtime (Colab, Binder) has nothing there yet: the set-up cell calls
:func:`start_compiling_umap`, which compiles in a background process while the learner
reads (one at a time per numba cache), Binder's image runs ``python -m helpers.projections``
(:func:`helpers.projections.compile_umap`) when it is built, and the first UMAP of a kernel
waits for a compilation still under way, saying so (:func:`wait_for_compiled_umap`).
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from helpers import paths

#: About how long numba takes to compile UMAP's code on one free core (24 s of CPU time measured, 2-core CPU).
UMAP_COMPILE_S = 30
#: The last of UMAP's functions that a map compiles: once numba keeps it, UMAP's code is compiled.
_LAST_COMPILED = "layouts._optimize_layout_euclidean_single_epoch-*"


def umap_compiled() -> bool:
    """Whether numba's cache already holds UMAP's compiled code (looked up without importing umap)."""
    spec = importlib.util.find_spec("umap")
    if spec is None or not spec.submodule_search_locations:
        return True  # nothing to compile here: the set-up reports the missing package
    tag = f"*.py{sys.version_info[0]}{sys.version_info[1]}.nbi"
    folder = os.environ.get("NUMBA_CACHE_DIR")
    places = [Path(folder)] if folder else [Path(spec.submodule_search_locations[0]) / "__pycache__"]
    return any(next(place.glob(f"**/{_LAST_COMPILED}{tag[1:]}"), None) for place in places if place.is_dir())


_warming: dict[str, Any] = {}


def _compile_marker() -> Any:
    """The file that names the process compiling UMAP's code for this numba cache (one at a time per machine)."""
    where = f"{os.environ.get('NUMBA_CACHE_DIR', '')}|{sys.executable}|{sys.version_info[:2]}"
    return Path(tempfile.gettempdir()) / f"course-compiling-umap-{hashlib.sha1(where.encode()).hexdigest()[:12]}.pid"


def _compiling_elsewhere() -> tuple[int, float] | None:
    """The process id and start time of a compilation that runs now (this kernel's or another's), if any."""
    process = _warming.get("process")
    if process is not None and process.poll() is not None:
        _warming.clear()  # ours ended (and is reaped)
    marker = _compile_marker()
    try:
        pid = int(marker.read_text().strip())
        started = marker.stat().st_mtime
        os.kill(pid, 0)
    except (OSError, ValueError):
        return None
    try:
        if Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z":
            return None  # ended, not yet reaped by the kernel that started it
    except (OSError, IndexError):
        pass  # no /proc (macOS): alive, as os.kill said
    return pid, started


def start_compiling_umap() -> bool:
    """Start :func:`helpers.projections.compile_umap` in a background process, unless UMAP is compiled
    (or being compiled) already.

    Returns True when a compilation runs in the background (the first map will wait for it).
    """
    if _compiling_elsewhere() is not None:
        return True
    if umap_compiled():
        return False
    root = str(paths.REPO_ROOT)
    env = dict(os.environ)
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    process = subprocess.Popen([sys.executable, "-m", "helpers.projections"], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _warming["process"] = process
    try:
        _compile_marker().write_text(f"{process.pid}\n")
    except OSError:
        pass  # no shared note: another kernel may compile too, which costs time but nothing else
    return True


def release_waiters() -> None:
    """Called by the compiling process once a map can run: kernels stop waiting while the rest compiles on."""
    marker = _compile_marker()
    try:
        if int(marker.read_text().strip()) == os.getpid():
            marker.unlink()
    except (OSError, ValueError):
        pass  # no marker, or another process's: nothing to release


def wait_for_compiled_umap(say: Callable[[str], None]) -> str:
    """Before the first UMAP of a kernel: wait for a background compilation, saying so; or a note on compiling."""
    running = _compiling_elsewhere()
    if running is not None:
        left = max(5, round(UMAP_COMPILE_S - (time.time() - running[1])))
        say(f"UMAP's code is still being compiled in the background (started by the set-up cell): "
            f"waiting about {left} s more, once per session ...")
        deadline = time.monotonic() + 20 * UMAP_COMPILE_S  # a stuck compilation does not hold the map up for ever
        while _compiling_elsewhere() is not None and time.monotonic() < deadline:
            time.sleep(0.2)
    if umap_compiled():
        return ""
    return f"; the first UMAP here also compiles its code (about {UMAP_COMPILE_S} s, once)"
