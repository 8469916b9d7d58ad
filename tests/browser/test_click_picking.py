"""Picking a point with the mouse, in JupyterLab: the click lands where the figure draws the point.

The point's place on the screen comes from the figure's own transform (see
``harness.click_point``); the test then requires that the explorer selected exactly that
point. With the click handler disconnected the same check fails, although the picture
still changes (the toolbar fades in under the mouse): a changed picture proves no click.
The toolbar, shown on hover, must leave the whole figure uncovered (neighbour images included).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402

pytestmark = pytest.mark.browser

NAME = "zz_click.ipynb"
SOURCE = [
    "%matplotlib widget\n", "import sys\n", "sys.path.insert(0, '..')\n", "import numpy as np\n",
    "from helpers.widgets.projection import ProjectionExplorer\n",
    "rng = np.random.default_rng(1)\n",
    "labels = np.arange(80) % 4\n",
    "X = rng.normal(size=(80, 6)) + 2 * labels[:, None]\n",
    "images = rng.random((80, 12, 12))\n",
    "explorer = ProjectionExplorer(X, labels, class_names=['a', 'b', 'c', 'd'], images=images, method='pca', k=5)\n",
    "explorer",
]
NOTEBOOK = h.one_cell_notebook(SOURCE)


def test_a_click_selects_the_point_under_the_mouse_and_only_a_working_handler_passes(tmp_path):
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
            cell = h.cell_with(page, "explorer = ProjectionExplorer(")
            canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas").first
            canvas.wait_for(timeout=60_000)
            h.wait_kernel_idle(page)

            # The toolbar fades in under the mouse: beside the figure, over no part of it (the images neither).
            bar, box = h.toolbar_and_canvas(page, cell)
            assert h.overlap(bar, box) == 0, f"the toolbar {bar} covers the figure {box}"
            h.save_screenshot(cell, "click-picking-toolbar")

            first = h.click_point(page, server, NAME, cell)
            h.assert_selected(page, server, NAME, first)
            index_box = cell.locator(".widget-text input").first
            assert index_box.input_value() == str(first)
            h.save_screenshot(cell, "click-picking")

            # Clicking broken: the handler disconnected. The same check must fail.
            server.execute(NAME, "explorer.fig.canvas.mpl_disconnect(explorer.view.click_connection)")
            second = h.click_point(page, server, NAME, cell)
            assert second != first
            with pytest.raises(AssertionError, match=f"the click was on point {second}"):
                h.assert_selected(page, server, NAME, second)
        finally:
            browser.close()


LATENT = "zz_latent_click.ipynb"
LATENT_SOURCE = [
    "%matplotlib widget\n", "import sys\n", "sys.path.insert(0, '..')\n", "import numpy as np, torch\n",
    "from helpers.models.autoencoder import Autoencoder\n", "from helpers.widgets.latent import LatentExplorer\n",
    "torch.manual_seed(0)\n", "Z = np.random.default_rng(2).normal(size=(200, 2))\n",
    "explorer = LatentExplorer(Autoencoder(latent_dim=2), Z, np.arange(200) % 2, ['even', 'odd'])\n",
    "explorer",
]


def test_a_click_on_the_latent_map_moves_the_cursor_there_and_only_a_working_handler_passes(tmp_path):
    h.require_browser()
    from playwright.sync_api import sync_playwright

    course = h.scratch_course(tmp_path)
    notebook = dict(NOTEBOOK, cells=[dict(NOTEBOOK["cells"][0], source=LATENT_SOURCE)])
    (course / "notebooks" / LATENT).write_text(json.dumps(notebook))
    with h.JupyterServer("lab", course, tmp_path / "state", tmp_path / "cache") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(h.CHROMIUM), args=h.CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            h.open_notebook(page, server, LATENT)
            h.run_all(page, timeout_s=120)
            assert not h.cell_errors(page), h.cell_errors(page)
            cell = h.cell_with(page, "explorer = LatentExplorer(")
            cell.locator(".jupyter-matplotlib-canvas-div canvas").first.wait_for(timeout=60_000)
            h.wait_kernel_idle(page)
            x, y = h.click_latent_map(page, server, LATENT, cell, "explorer", 0.3, 0.65)
            h.wait_kernel_idle(page)
            server.execute(LATENT, h.CURSOR_AT.format(explorer="explorer", x=x, y=y))
            h.save_screenshot(cell, "click-latent-map")

            # Clicking broken: the handler disconnected. The same check must fail.
            server.execute(LATENT, "explorer.fig.canvas.mpl_disconnect(explorer.click_connection)")
            x, y = h.click_latent_map(page, server, LATENT, cell, "explorer", 0.7, 0.3)
            h.wait_kernel_idle(page)
            with pytest.raises(AssertionError, match="px from the click"):
                server.execute(LATENT, h.CURSOR_AT.format(explorer="explorer", x=x, y=y))
        finally:
            browser.close()
