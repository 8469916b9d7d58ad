"""The browser harness can fail: a cell that raises and a widget that never redraws are caught."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402

pytestmark = pytest.mark.browser

BROKEN = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["import ipywidgets as widgets\n", "import matplotlib\n", "matplotlib.use('agg')\n",
                    "import matplotlib.pyplot as plt\n", "from IPython.display import display\n",
                    "fig, ax = plt.subplots(figsize=(3, 2))\n", "ax.plot([0, 1], [0, 1])\n",
                    "frozen = widgets.IntSlider(description='frozen')  # moves, but nothing listens\n",
                    "display(widgets.VBox([frozen, widgets.HTML('<b>a picture that never changes</b>')]))"]},
        {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [],
         "source": ["raise ValueError('a deliberately broken cell')"]},
    ],
    "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                 "language_info": {"name": "python"}},
    "nbformat": 4, "nbformat_minor": 4,
}


def test_the_harness_reports_a_raising_cell_and_a_dead_widget(tmp_path):
    h.require_browser()
    from playwright.sync_api import sync_playwright

    course = h.scratch_course(tmp_path)
    (course / "notebooks" / "zz_broken.ipynb").write_text(json.dumps(BROKEN))
    with h.JupyterServer("lab", course, tmp_path / "state", tmp_path / "cache") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(h.CHROMIUM), args=h.CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            h.open_notebook(page, server, "zz_broken.ipynb")
            h.run_all(page, timeout_s=60)
            errors = h.cell_errors(page)
            assert errors and "deliberately broken" in " ".join(errors)
            cell = h.cell_with(page, "frozen = widgets.IntSlider")
            with pytest.raises(AssertionError, match="did not change"):
                h.assert_changes(page, cell.locator(".widget-html"), lambda: h.drag_slider(page, cell, 0.5),
                                 "dead widget", timeout_s=3)
        finally:
            browser.close()
    assert server.process.poll() is not None, "the server is stopped after the test"
