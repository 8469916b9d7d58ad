"""Drive JupyterLab / Notebook 7 in a real browser: serve, open, run all, operate widgets.

The server runs on 127.0.0.1 with a random port and token, over a scratch copy of the
notebooks (so the browser's autosave never touches the repository), with fresh settings
and workspaces. Chromium is Debian's, driven by the ``playwright`` package.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]
SCREENSHOTS = REPO_ROOT / "tests" / "artifacts" / "screenshots"


def require_browser() -> None:
    """Skip (or, under CI, fail) when Chromium or playwright is missing."""
    missing = []
    if not CHROMIUM.exists():
        missing.append(f"Chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("the playwright package")
    if missing:
        reason = "browser tests need " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " — CI must run them")
        pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def one_cell_notebook(source: list[str]) -> dict:
    """A notebook (as JSON data) of one code cell holding ``source``, for the default Python kernel."""
    return {
        "cells": [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}],
        "metadata": {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 4,
    }


def scratch_course(folder: Path) -> Path:
    """A copy of the notebooks beside links to helpers/ and course_setup.py, so runs never write into the repo."""
    root = folder / "course"
    (root / "notebooks").mkdir(parents=True)
    for nb in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        shutil.copy2(nb, root / "notebooks" / nb.name)
    (root / "helpers").symlink_to(REPO_ROOT / "helpers", target_is_directory=True)
    (root / "course_setup.py").symlink_to(REPO_ROOT / "course_setup.py")  # what the first cell runs
    return root


class JupyterServer:
    """``jupyter lab`` or ``jupyter notebook`` on loopback; always stopped, also on failure."""

    def __init__(self, kind: str, root: Path, state: Path, cache: Path) -> None:
        if kind not in ("lab", "notebook"):
            raise ValueError(f"kind must be 'lab' or 'notebook', got {kind!r}")
        self.kind, self.root = kind, root
        self.port, self.token = free_port(), secrets.token_hex(16)
        settings = state / "settings"
        for plugin, values in {
            "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
            "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
        }.items():
            (settings / plugin).parent.mkdir(parents=True, exist_ok=True)
            (settings / plugin).write_text(json.dumps(values))
        (state / "workspaces").mkdir(parents=True, exist_ok=True)
        self.log = state / f"{kind}-server.log"
        self.runtime = state / "runtime"  # the kernels' connection files: the tests can reach a kernel too
        env = dict(os.environ, COURSE_CACHE_DIR=str(cache), JUPYTERLAB_SETTINGS_DIR=str(settings),
                   JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"), MPLBACKEND="agg",
                   JUPYTER_RUNTIME_DIR=str(self.runtime))
        cmd = [
            sys.executable, "-m", "jupyter", "lab" if kind == "lab" else "notebook", "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={root}",
            f"--LabServerApp.user_settings_dir={settings}", f"--LabServerApp.workspaces_dir={state / 'workspaces'}",
            "--ServerApp.allow_root=True", "--LabApp.news_url=", "--LabApp.check_for_updates_class="
            "jupyterlab.NeverCheckForUpdate",
        ]
        self._log_file = open(self.log, "w")
        self.process = subprocess.Popen(cmd, cwd=root, env=env, stdout=self._log_file, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        self._wait_ready()

    def execute(self, notebook: str, code: str, timeout_s: float = 60) -> str:
        """Run ``code`` in the kernel of the open ``notebook`` (as a second client, beside the browser).

        Returns what the code printed."""
        from jupyter_client import BlockingKernelClient

        with urllib.request.urlopen(f"{self.base}/api/sessions?token={self.token}", timeout=5) as response:
            sessions = json.loads(response.read())
        kernels = [s["kernel"]["id"] for s in sessions if s.get("path", "").endswith(notebook)]
        if not kernels:
            raise AssertionError(f"no kernel runs {notebook}")
        client = BlockingKernelClient(connection_file=str(self.runtime / f"kernel-{kernels[0]}.json"))
        client.load_connection_file()
        client.start_channels()
        try:
            client.wait_for_ready(timeout=timeout_s)
            printed: list[str] = []
            reply = client.execute_interactive(
                code, timeout=timeout_s, store_history=False,
                output_hook=lambda msg: printed.append(msg["content"]["text"]) if msg["msg_type"] == "stream" else None)
            if reply["content"]["status"] != "ok":
                raise AssertionError(f"code in the kernel of {notebook} failed: {reply['content']}")
            return "".join(printed)
        finally:
            client.stop_channels()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, notebook: str) -> str:
        if self.kind == "lab":  # ?reset: start from an empty workspace, no tabs restored
            return f"{self.base}/lab/tree/notebooks/{notebook}?reset&token={self.token}"
        return f"{self.base}/notebooks/notebooks/{notebook}?token={self.token}"

    def _wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the {self.kind} server exited early:\n{self.log.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/api/status?token={self.token}", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"the {self.kind} server did not answer within {timeout:.0f} s")

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (subprocess.TimeoutExpired, ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log_file.close()

    def __enter__(self) -> JupyterServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


# ----------------------------------------------------------------------------- page actions


def open_notebook(page: Any, server: JupyterServer, notebook: str) -> None:
    page.goto(server.url(notebook))
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
    page.wait_for_timeout(1500)
    if page.locator(".jp-Dialog", has_text="Select Kernel").count():
        raise AssertionError(f"{notebook}: a 'Select Kernel' dialog opened (is its kernelspec metadata missing?)")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.jp-Notebook-ExecutionIndicator, #jp-main-statusbar')]"
        ".some(e => /idle/i.test(e.getAttribute('data-status') || e.textContent))",
        timeout=120_000,
    )


def run_all(page: Any, timeout_s: float = 240) -> float:
    """Run every cell through the Run menu and wait until none is queued or running."""
    started = time.monotonic()
    for attempt in range(2):  # on a busy machine the first click can come before the kernel takes work
        page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
        page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
        page.wait_for_timeout(500)
        try:
            page.wait_for_function(
                """() => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell '
                                                       + '.jp-InputArea-prompt')]
                    .some(p => !/^\\[ \\]:$/.test(p.textContent.trim()))""",
                timeout=60_000, polling=500,
            )
            break
        except Exception:
            if attempt:
                raise
    try:
        page.wait_for_function(
            """() => {
                const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)') || document;
            const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
                    .map(p => p.textContent.trim());
                return prompts.length > 0 && prompts.every(t => /^\\[\\d+\\]:$/.test(t));
            }""",
            timeout=timeout_s * 1000,
            polling=500,
        )
    except Exception as exc:
        prompts = page.evaluate(
            "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent)"
        )
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "run-all-timeout.png"))
        raise AssertionError(f"cells did not all finish within {timeout_s:.0f} s; prompts: {prompts}") from exc
    page.wait_for_timeout(800)
    return time.monotonic() - started


def cell_errors(page: Any) -> list[str]:
    """Text of every output that shows an exception (a traceback or an ``XxxError:`` line)."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    texts = panel.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").all_inner_texts()
    return [t[:500] for t in texts if "Traceback" in t or any(
        line.split(":")[0].endswith(("Error", "Exception")) for line in t.splitlines())]


def cell_with(page: Any, text: str) -> Any:
    """The code cell whose source contains ``text`` (the last such cell)."""
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    cells = panel.locator(".jp-CodeCell").filter(has=page.locator(".jp-InputArea-editor", has_text=text))
    if cells.count() == 0:
        raise AssertionError(f"no code cell contains {text!r}")
    return cells.last


def picture(locator: Any) -> bytes:
    locator.scroll_into_view_if_needed()
    return locator.screenshot(animations="disabled")


def wait_kernel_idle(page: Any, timeout_s: float = 120, settle_s: float = 1.0) -> None:
    """Wait until the kernel has been idle for ``settle_s`` (widget callbacks make it busy)."""
    indicator = page.locator(".jp-Notebook-ExecutionIndicator:visible")
    if indicator.count() == 0:
        page.wait_for_timeout(int(2000 * settle_s))
        return
    deadline = time.monotonic() + timeout_s
    idle_since = None
    while time.monotonic() < deadline:
        if indicator.first.get_attribute("data-status") == "idle":
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= settle_s:
                return
        else:
            idle_since = None
        time.sleep(0.2)
    raise AssertionError(f"the kernel stayed busy for {timeout_s:.0f} s")


def assert_changes(page: Any, locator: Any, action: Callable[[], None], what: str, timeout_s: float = 30) -> None:
    """Do ``action`` and require that the picture of ``locator`` changes within ``timeout_s``.

    Returns at the first change: the picture may still be on its way to its final state, which
    :func:`caught_up` waits for.
    """
    wait_kernel_idle(page)
    before = picture(locator)
    action()
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        time.sleep(0.3)
        if picture(locator) != before:
            return
    raise AssertionError(f"{what}: the picture did not change within {timeout_s:.0f} s")


REDRAW_ALL_FIGURES = (
    "import matplotlib.pyplot as _plt\n"
    "for _number in _plt.get_fignums():\n"
    "    _plt.figure(_number).canvas.draw_idle()\n"
)


def settled_picture(page: Any, locator: Any, quiet_s: float = 1.0, timeout_s: float = 15.0) -> bytes:
    """The picture of ``locator`` once it has stopped changing for ``quiet_s`` (a picture the kernel
    sent after a long computation can arrive a moment after the kernel reports idle)."""
    shot, since, deadline = picture(locator), time.monotonic(), time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(500)
        again = picture(locator)
        if again != shot:
            shot, since = again, time.monotonic()
        elif time.monotonic() - since >= quiet_s:
            break
    return shot


def caught_up(page: Any, server: JupyterServer, notebook: str, locator: Any) -> bytes:
    """The picture of ``locator`` once the kernel has run every callback queued so far and it has settled.

    The execution indicator can read "idle" while a widget callback still computes (a slow score
    under load): a round trip through the kernel's main shell waits for what is queued before it.
    """
    server.execute(notebook, "pass", timeout_s=180)
    wait_kernel_idle(page)
    return settled_picture(page, locator)


def assert_full_redraw_matches(page: Any, server: JupyterServer, notebook: str, cell: Any, what: str) -> bool:
    """With ipympl: ask the kernel to redraw every figure in full and require the same picture as the
    one shown now (the caller has waited for it: :func:`caught_up`).

    Widgets redraw only what changed (blitting); a picture the browser assembled wrongly
    (a lost or misapplied difference image) differs from a full render. Returns False when
    the cell shows no ipympl canvas (nothing to compare).
    """
    canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas")
    if canvas.count() == 0:
        return False
    before = picture(canvas.first)
    server.execute(notebook, REDRAW_ALL_FIGURES)
    wait_kernel_idle(page)
    page.wait_for_timeout(1000)
    after = picture(canvas.first)
    if before != after:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = f"mismatch-{server.kind}-{notebook}-{what.replace(' ', '-')}"
        (SCREENSHOTS / f"{stem}-shown.png").write_bytes(before)
        (SCREENSHOTS / f"{stem}-full-redraw.png").write_bytes(after)
        raise AssertionError(f"{notebook} / {what}: the picture shown differs from a full redraw ({stem}-*.png)")
    return True


def save_screenshot(locator: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    locator.scroll_into_view_if_needed()
    locator.screenshot(path=str(path), animations="disabled")
    return path


# ----------------------------------------------------------------------------- widget helpers


def output_of(cell: Any) -> Any:
    return cell.locator(".jp-Cell-outputWrapper")


def figure_of(cell: Any) -> Any:
    """The matplotlib picture in a cell's output: the ipympl canvas, or the image widget."""
    canvas = cell.locator(".jupyter-matplotlib-figure")
    return canvas.first if canvas.count() else cell.locator(".jp-OutputArea-output img").first


def press_slider(page: Any, cell: Any, index: int = 0, key: str = "ArrowRight", times: int = 1) -> None:
    handle = cell.locator(".widget-slider .noUi-handle").nth(index)
    handle.scroll_into_view_if_needed()
    handle.focus()
    for _ in range(times):
        page.keyboard.press(key)


def click_toggle(cell: Any, label: str) -> None:
    cell.locator(".widget-toggle-button", has_text=label).first.click()


def choose(cell: Any, label: str, index: int = 0) -> None:
    cell.locator(".widget-dropdown select").nth(index).select_option(label=label)


def type_text(page: Any, cell: Any, text: str, index: int = 0) -> None:
    box = cell.locator(".widget-text input").nth(index)
    box.fill(text)
    box.press("Enter")


def click_canvas(page: Any, cell: Any, fx: float, fy: float) -> None:
    """Click the ipympl canvas at a fraction (fx, fy) of its width and height."""
    canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.click(box["x"] + fx * box["width"], box["y"] + fy * box["height"])


def toolbar_and_canvas(page: Any, cell: Any) -> tuple[dict, dict]:
    """Hover the figure of ``cell`` until its toolbar has faded in; the boxes of the toolbar and the canvas."""
    canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas").first
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
    toolbar = cell.locator(".jupyter-matplotlib-toolbar").first
    page.wait_for_function("e => getComputedStyle(e).opacity === '1'", arg=toolbar.element_handle(), timeout=10_000)
    page.wait_for_timeout(600)   # its fade-in moves nothing, but let a layout change settle
    bar = toolbar.bounding_box()
    assert bar["width"] > 0 and bar["height"] > 0, bar
    return bar, canvas.bounding_box()


def overlap(a: dict, b: dict) -> float:
    """The area (px²) two playwright boxes share."""
    width = min(a["x"] + a["width"], b["x"] + b["width"]) - max(a["x"], b["x"])
    height = min(a["y"] + a["height"], b["y"] + b["height"]) - max(a["y"], b["y"])
    return max(0.0, width) * max(0.0, height)


# Where the most isolated point of an explorer's map lies on its canvas, from the figure's own
# transform: (index, x, y, room) with x and y fractions of the canvas's width and height from its
# top-left corner and room the pixels to its nearest other point. The selected point and points
# near the axes' edges are left out.
POINT_ON_CANVAS = """
import json as _json, numpy as _np
from scipy.spatial import cKDTree as _Tree
_pixels = {explorer}.view.ax.transData.transform({explorer}.current_map())
_box = {explorer}.view.ax.get_window_extent()
_inside = ((_pixels[:, 0] > _box.x0 + 0.1 * _box.width) & (_pixels[:, 0] < _box.x1 - 0.1 * _box.width)
           & (_pixels[:, 1] > _box.y0 + 0.1 * _box.height) & (_pixels[:, 1] < _box.y1 - 0.1 * _box.height))
_room = _np.where(_inside, _Tree(_pixels).query(_pixels, k=2)[0][:, 1], -1.0)
if {explorer}.selected is not None:
    _room[{explorer}.selected] = -1.0
_i = int(_np.argmax(_room))
_w, _h = {explorer}.fig.bbox.width, {explorer}.fig.bbox.height
print(_json.dumps([_i, _pixels[_i, 0] / _w, 1 - _pixels[_i, 1] / _h, float(_room[_i])]))
"""


def click_point(page: Any, server: JupyterServer, notebook: str, cell: Any, explorer: str = "explorer") -> int:
    """Click the most isolated point of a projection explorer's map where its figure draws it; returns its index.

    The place comes from the kernel (the axes' data-to-pixel transform and the figure's size
    in pixels), so the click lands on that point whatever the layout, the legend or the screen.
    """
    printed = server.execute(notebook, POINT_ON_CANVAS.format(explorer=explorer))
    index, fx, fy, room = json.loads(printed.strip().splitlines()[-1])
    assert room >= 4, f"no point stands {room:.1f} px clear of the others: a click could not tell them apart"
    click_canvas(page, cell, fx, fy)
    return index


def assert_selected(page: Any, server: JupyterServer, notebook: str, index: int, explorer: str = "explorer") -> None:
    """Require that the explorer's selection is ``index`` (once the kernel has handled the click)."""
    wait_kernel_idle(page)
    server.execute(notebook, f"assert {explorer}.selected == {index}, "
                             f"f'the selection is {{{explorer}.selected}}, the click was on point {index}'")


# A place on a latent explorer's map, from the axes' own transforms: (z1, z2, x, y) with x and y
# fractions of the canvas from its top-left corner.
LATENT_PLACE = """
import json as _json
_ax, _f = {explorer}.ax_map, {explorer}.fig.bbox
_px, _py = _ax.transAxes.transform(({fx}, {fy}))
_z = _ax.transData.inverted().transform((_px, _py))
print(_json.dumps([float(_z[0]), float(_z[1]), _px / _f.width, 1 - _py / _f.height]))
"""
# The explorer's cursor is at (x, y), to within two screen pixels (a click lands on a whole pixel).
CURSOR_AT = """
import numpy as _np
_ax = {explorer}.ax_map
_off = _ax.transData.transform({explorer}.position) - _ax.transData.transform(({x}, {y}))
assert _np.hypot(*_off) <= 2 * {explorer}.fig.canvas.device_pixel_ratio, (
    f"the cursor is at {{{explorer}.position}}, {{_np.hypot(*_off):.1f}} px from the click at ({x:.3f}, {y:.3f})")
"""


def click_latent_map(page: Any, server: JupyterServer, notebook: str, cell: Any, explorer: str,
                     fx: float, fy: float) -> tuple[float, float]:
    """Click a latent explorer's map at a fraction (fx, fy) of its axes from the bottom-left; returns that point."""
    printed = server.execute(notebook, LATENT_PLACE.format(explorer=explorer, fx=fx, fy=fy))
    z1, z2, x, y = json.loads(printed.strip().splitlines()[-1])
    click_canvas(page, cell, x, y)
    return z1, z2


def choose_option(cell: Any, option: int, index: int = 0) -> None:
    """Pick the ``option``-th entry (0-based) of the ``index``-th dropdown in a cell."""
    cell.locator(".widget-dropdown select").nth(index).select_option(index=option)


def drag_slider(page: Any, cell: Any, fraction: float = 0.25, index: int = 0) -> None:
    """Drag the ``index``-th slider's handle by ``fraction`` of its track, as a learner's mouse would."""
    handle = cell.locator(".widget-slider .noUi-handle").nth(index)
    track = cell.locator(".widget-slider .noUi-target").nth(index)
    handle.scroll_into_view_if_needed()
    hb, tb = handle.bounding_box(), track.bounding_box()
    x, y = hb["x"] + hb["width"] / 2, hb["y"] + hb["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + fraction * tb["width"], y, steps=8)
    page.mouse.up()


def click_checkbox(cell: Any, index: int = 0) -> None:
    cell.locator(".widget-checkbox input").nth(index).click()


def click_button(cell: Any, label: str) -> None:
    cell.locator(".widget-button", has_text=label).first.click()


def fill_number(cell: Any, value: int, index: int = 0) -> None:
    """Type a number into the ``index``-th number box (IntText / BoundedIntText) of a cell."""
    box = cell.locator(".widget-text input").nth(index)
    box.fill(str(value))
    box.press("Enter")


def deselect_first(cell: Any, index: int = 0) -> None:
    """Ctrl-click the first entry of a multiple-selection list, removing it from the selection."""
    cell.locator(".widget-select-multiple select").nth(index).locator("option").first.click(modifiers=["Control"])
