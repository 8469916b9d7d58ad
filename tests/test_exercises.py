"""Tests of the package helpers.exercises as a notebook imports it."""

from __future__ import annotations

import subprocess
import sys


def test_module_does_not_import_torch():
    code = "import sys, helpers.exercises; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
