"""Tests of helpers.umap_compile: UMAP's code compiled ahead, in the background, and the waits it announces."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from helpers import umap_compile


@pytest.mark.slow
def test_compile_umap_fills_numbas_cache_where_umap_compiled_looks(tmp_path):
    """A fresh runtime (numba's cache empty): not compiled; after ``python -m helpers.projections``: compiled."""
    env = dict(os.environ, NUMBA_CACHE_DIR=str(tmp_path / "numba"), PYTHONPATH=str(umap_compile.paths.REPO_ROOT))
    probe = [sys.executable, "-c", "from helpers.umap_compile import umap_compiled; print(umap_compiled())"]

    def compiled() -> str:
        return subprocess.run(probe, env=env, capture_output=True, text=True, check=True).stdout.strip()

    assert compiled() == "False"
    subprocess.run([sys.executable, "-m", "helpers.projections"], env=env, cwd=tmp_path, check=True, timeout=900)
    assert compiled() == "True"
    # UMAP called directly, as notebook 02 does (fit, then transform a new point), finds its code compiled too
    kept = sorted((tmp_path / "numba").rglob("*.nb[ci]"))
    direct = ("import numpy as np, umap\nfrom helpers.projections import keep_umap_compiled\nkeep_umap_compiled()\n"
              "X = np.random.default_rng(1).normal(size=(80, 50)).astype(np.float32)\n"
              "umap.UMAP(n_neighbors=10, random_state=0, n_jobs=1).fit(X).transform(X[:1])")
    subprocess.run([sys.executable, "-c", direct], env=env, cwd=tmp_path, check=True, timeout=900)
    assert sorted((tmp_path / "numba").rglob("*.nb[ci]")) == kept, "the direct use compiled code of its own"


def test_the_compiling_process_lets_maps_start_before_it_ends(monkeypatch, tmp_path):
    marker = tmp_path / "compiling.pid"
    monkeypatch.setattr(umap_compile, "_compile_marker", lambda: marker)
    marker.write_text(f"{os.getpid() + 1}\n")
    umap_compile.release_waiters()
    assert marker.exists(), "another process's compilation is left alone"
    marker.write_text(f"{os.getpid()}\n")
    umap_compile.release_waiters()
    assert not marker.exists()
    umap_compile.release_waiters()  # no marker: nothing to do


def test_the_first_umap_says_it_waits_for_the_background_compilation(monkeypatch, tmp_path):
    said = []
    marker = tmp_path / "compiling.pid"
    process = subprocess.Popen(["sleep", "1"])
    marker.write_text(f"{process.pid}\n")
    monkeypatch.setattr(umap_compile, "_compile_marker", lambda: marker)
    monkeypatch.setattr(umap_compile, "_warming", {"process": process})
    monkeypatch.setattr(umap_compile, "umap_compiled", lambda: True)
    assert umap_compile.start_compiling_umap() is True, "one compilation at a time"
    assert umap_compile.wait_for_compiled_umap(said.append) == ""
    assert process.poll() == 0, "it waited for the compilation to end"
    assert umap_compile._compiling_elsewhere() is None
    assert len(said) == 1 and "compiled in the background" in said[0]
    assert "waiting about " in said[0] and " s more" in said[0], said


def test_a_umap_that_must_compile_says_how_long(monkeypatch, tmp_path):
    monkeypatch.setattr(umap_compile, "_warming", {})
    monkeypatch.setattr(umap_compile, "_compile_marker", lambda: tmp_path / "none.pid")
    monkeypatch.setattr(umap_compile, "umap_compiled", lambda: False)
    note = umap_compile.wait_for_compiled_umap(print)
    assert f"about {umap_compile.UMAP_COMPILE_S} s" in note

