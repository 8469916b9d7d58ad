"""ipympl's toolbar, shown while the mouse is over a figure, covers no part of the figure.

ipympl draws the toolbar over the canvas, in a corner of the figure's widget; the course
gives it a strip of its own beside the figure (``helpers.plotting.place_toolbar``), for the
figures of its explorers and, once the set-up switched figures to ipympl, for every pyplot
figure of a notebook (05's chart has the long y-axis labels the toolbar used to cover).
Without the strip the same check fails.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402

pytestmark = pytest.mark.browser

NAME = "zz_toolbar.ipynb"
SOURCE = [
    "import sys\n", "sys.path.insert(0, '..')\n", "import matplotlib.pyplot as plt\n",
    "from helpers.environment import use_interactive_figures\n",
    "assert use_interactive_figures()   # what the set-up cell does: ipympl, each toolbar beside its figure\n",
    "fig, ax = plt.subplots(figsize=(6, 3), layout='constrained')\n",
    "ax.barh(['hand-made features (21)', 'raw pixels (784)'], [0.78, 0.86])\n",
    "ax.set_xlabel('k-NN accuracy')\n",
    "plt.show()",
]
NOTEBOOK = h.one_cell_notebook(SOURCE)


def test_the_toolbar_of_a_pyplot_figure_lies_beside_it_and_only_the_strip_keeps_it_there(tmp_path):
    h.require_browser()
    from playwright.sync_api import sync_playwright

    course = h.scratch_course(tmp_path)
    (course / "notebooks" / NAME).write_text(json.dumps(NOTEBOOK))
    with h.JupyterServer("lab", course, tmp_path / "state", tmp_path / "cache") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(h.CHROMIUM), args=h.CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            h.open_notebook(page, server, NAME)
            h.run_all(page, timeout_s=120)
            assert not h.cell_errors(page), h.cell_errors(page)
            cell = h.cell_with(page, "hand-made features (21)")
            cell.locator(".jupyter-matplotlib-canvas-div canvas").first.wait_for(timeout=60_000)
            h.wait_kernel_idle(page)

            bar, canvas = h.toolbar_and_canvas(page, cell)
            assert h.overlap(bar, canvas) == 0, f"the toolbar {bar} covers the figure {canvas}"
            assert bar["x"] + bar["width"] <= canvas["x"], f"the toolbar {bar} is not left of the figure {canvas}"
            h.save_screenshot(cell, "toolbar-beside-figure")

            # ipympl's own place (no strip): the toolbar lies over the figure, and the check sees it.
            server.execute(NAME, "fig.canvas.layout.padding = None")
            page.mouse.move(0, 0)
            page.wait_for_timeout(800)
            bar, canvas = h.toolbar_and_canvas(page, cell)
            assert h.overlap(bar, canvas) > 0, f"without the strip the toolbar {bar} should cover the figure {canvas}"
        finally:
            browser.close()
