"""Picking a point by class with the keyboard only, in JupyterLab: Tab to the class list, Space, arrows, Enter."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402

pytestmark = pytest.mark.browser

SOURCE = [
    "import sys\n", "sys.path.insert(0, '..')\n", "import numpy as np\n",
    "from helpers.widgets.projection import ProjectionExplorer\n",
    "labels = np.arange(60) % 3  # coat 0, 3, 6 ...; bag 1, 4, 7 ...; shirt 2, 5, 8 ...\n",
    "X = np.random.default_rng(0).normal(size=(60, 5)) + labels[:, None]\n",
    "explorer = ProjectionExplorer(X, labels, class_names=['coat', 'bag', 'shirt'], k=3)\n",
    "explorer",
]
NOTEBOOK = h.one_cell_notebook(SOURCE)


def _focused(page) -> str:
    return page.evaluate("() => { const e = document.activeElement; "
                         "return e.tagName + ':' + (e.textContent || e.value || '').trim(); }")


def _wait_for_index(page, index_box, value: str, timeout_s: float = 60) -> None:
    """Wait until the kernel has answered: the index box shows ``value``."""
    deadline = page.evaluate("() => Date.now()") + timeout_s * 1000
    while index_box.input_value() != value:
        if page.evaluate("() => Date.now()") > deadline:
            raise AssertionError(f"the index box shows {index_box.input_value()!r}, expected {value!r}")
        page.wait_for_timeout(200)


def test_a_class_and_next_previous_from_the_keyboard_only(tmp_path):
    h.require_browser()
    from playwright.sync_api import sync_playwright

    course = h.scratch_course(tmp_path)
    (course / "notebooks" / "zz_keyboard.ipynb").write_text(json.dumps(NOTEBOOK))
    with h.JupyterServer("lab", course, tmp_path / "state", tmp_path / "cache") as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(h.CHROMIUM), args=h.CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            h.open_notebook(page, server, "zz_keyboard.ipynb")
            h.run_all(page, timeout_s=120)
            assert not h.cell_errors(page)
            cell = h.cell_with(page, "explorer = ProjectionExplorer(")
            index_box = cell.locator(".widget-text input").first
            index_box.wait_for(timeout=60_000)
            index_box.focus()  # where a learner arrives by Tab from the widgets above
            page.keyboard.press("Tab")  # the "show" button
            page.keyboard.press("Tab")  # the class list
            assert _focused(page).startswith("SELECT"), _focused(page)
            # A closed list's arrow keys go to JupyterLab (it moves between cells: ipywidgets issue 3912),
            # so the list is opened with Space, an arrow key chooses, Enter confirms.
            page.keyboard.press("Space")
            page.keyboard.press("ArrowDown")  # coat -> bag
            page.keyboard.press("Enter")
            _wait_for_index(page, index_box, "1")
            server.execute("zz_keyboard.ipynb", "assert explorer.selected == 1, explorer.selected")
            page.keyboard.press("Tab")  # previous
            page.keyboard.press("Tab")  # next
            assert "next" in _focused(page), _focused(page)
            page.keyboard.press("Enter")
            _wait_for_index(page, index_box, "4")
            page.keyboard.press("Enter")
            _wait_for_index(page, index_box, "7")
            server.execute("zz_keyboard.ipynb", "assert explorer.selected == 7, explorer.selected")
            page.keyboard.press("Shift+Tab")  # back to previous
            assert "previous" in _focused(page), _focused(page)
            for expected in ("4", "1", "58"):  # 7 -> 4 -> 1 -> wraps to the last bag, 58
                page.keyboard.press("Enter")
                _wait_for_index(page, index_box, expected)
            server.execute("zz_keyboard.ipynb", "assert explorer.selected == 58, explorer.selected")
            assert index_box.input_value() == "58"
            h.save_screenshot(cell, "keyboard-picking")
        finally:
            browser.close()
