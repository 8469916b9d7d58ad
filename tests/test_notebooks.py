"""Every notebook runs top to bottom, offline, in the mode a learner gets by default."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO_ROOT, offline_prefix

sys.path.insert(0, str(REPO_ROOT / "tools"))
from notebook_files import course_notebooks  # noqa: E402

NOTEBOOKS = course_notebooks()
EXECUTED = REPO_ROOT / "tests" / "artifacts" / "executed"


def run_notebook(path: Path, out: Path, *, cwd: Path, env: dict | None = None, append=()) -> dict:
    """Run ``path`` with tools/run_notebook.py (offline when possible); return its summary."""
    prefix = offline_prefix()
    if prefix is None and os.environ.get("CI") == "true":
        pytest.fail("under CI the notebooks must run offline, but `unshare -n` is not available (run as root)")
    cmd = [*(prefix or []), sys.executable, str(REPO_ROOT / "tools" / "run_notebook.py"), str(path),
           "--cwd", str(cwd), "--out", str(out)]
    for code in append:
        cmd += ["--append-code", code]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=900, env=env)
    assert proc.returncode == 0, f"{path.name} failed:\n{proc.stderr[-4000:]}"
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    summary["offline"] = prefix is not None
    return summary


def outputs_of(executed: Path) -> list[dict]:
    nb = json.loads(executed.read_text(encoding="utf-8"))
    return [out for cell in nb["cells"] if cell["cell_type"] == "code" for out in cell.get("outputs", [])]


def output_text(executed: Path) -> str:
    parts = []
    for out in outputs_of(executed):
        if "text" in out:
            parts.append("".join(out["text"]))
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in out.get("data", {}):
                parts.append("".join(out["data"][mime]))
    return "\n".join(parts)


def test_there_are_notebooks():
    assert NOTEBOOKS and NOTEBOOKS[0].name == "00_start_here.ipynb"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs_top_to_bottom_offline(path):
    out = EXECUTED / path.name
    summary = run_notebook(path, out, cwd=path.parent)
    print(f"{path.name}: {summary['seconds']} s (offline: {summary['offline']}); executed copy: {out}")
    errors = [o for o in outputs_of(out) if o["output_type"] == "error"]
    assert not errors, errors
    text = output_text(out)
    assert "Traceback (most recent call last)" not in text
    assert "internal error" not in text
