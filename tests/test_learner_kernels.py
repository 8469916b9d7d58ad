"""tools/learner_kernels.py: which Python and which torch the Colab kernel gets, and why not when it falls back."""

from __future__ import annotations

import subprocess
import sys

from conftest import REPO_ROOT, offline_prefix

sys.path.insert(0, str(REPO_ROOT / "tools"))
import learner_kernels  # noqa: E402


def test_find_python_finds_a_python_that_runs_and_is_that_version():
    mine = f"{sys.version_info[0]}.{sys.version_info[1]}"
    found = learner_kernels.find_python(mine)
    assert found is not None
    out = subprocess.run([str(found), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == mine
    assert learner_kernels.find_python("3.99") is None


def test_without_colabs_python_the_colab_kernel_falls_back_saying_what_is_missing(monkeypatch):
    monkeypatch.setattr(learner_kernels, "COLAB_PYTHON", "3.99")
    python, why = learner_kernels.plan("colab")
    assert python == learner_kernels.Path(sys.executable)
    assert why.startswith("Python 3.99 (Colab's) is not installed here") and "this environment's torch" in why
    assert learner_kernels.plan("vscode") == (learner_kernels.Path(sys.executable), None)


def test_without_the_wheels_and_offline_the_colab_kernel_falls_back_naming_the_cache(tmp_path):
    """An empty wheel cache and no network: the reason names the cache and pip's own last line."""
    prefix = offline_prefix()
    if prefix is None:
        import pytest

        pytest.skip("needs `unshare -n` (root) to take the network away")
    code = ("import sys; sys.path.insert(0, 'tools'); import learner_kernels as k; "
            f"k.WHEEL_CACHE = k.Path({str(tmp_path / 'wheels')!r}); k.KERNELS_DIR = k.Path({str(tmp_path)!r}); "
            "print(k.plan('colab')[1])")
    out = subprocess.run([*prefix, sys.executable, "-c", code], cwd=REPO_ROOT, capture_output=True, text=True,
                         timeout=600)
    reason = out.stdout.strip().splitlines()[-1]
    if reason.startswith("Python"):
        import pytest

        pytest.skip(f"this machine has no Python {learner_kernels.COLAB_PYTHON}: {reason}")
    assert reason.startswith(f"Colab's wheels (torch) are not in {tmp_path / 'wheels'} and could not be downloaded")
