"""`make lab` and `make notebook` land on the start notebook, whose first cell shows at most 5 lines,
and greet a learner with no dialog or notification (no news question, no update check).

The server is started with the command line the Makefile runs (`python -m tools.course`), in
a scratch copy of the course, and Chromium opens the URL that the server prints, exactly
as a learner would copy it from the terminal.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402

pytestmark = pytest.mark.browser

START = "00_start_here.ipynb"


def make_command(target: str) -> list[str]:
    """The arguments `make TARGET` (that is, `python -m tools.course TARGET`) gives to jupyter (runs nothing)."""
    dry = subprocess.run(["make", "-n", target], cwd=h.REPO_ROOT, capture_output=True, text=True, check=True).stdout
    assert re.search(rf"-m tools\.course --venv \S+ {target}$", dry, re.M), dry
    sys.path.insert(0, str(h.REPO_ROOT))
    from tools import course

    words = [str(word) for word in course.Course(root=h.REPO_ROOT).jupyter_command(target)]
    return words[words.index(target) + 1:]


def start_like_make(target: str, course: Path, state: Path) -> tuple[subprocess.Popen, str, Path]:
    """Run jupyter as `make TARGET` does (plus no browser, a free port); return it and the URL it prints."""
    settings = state / "settings"  # empty: a learner's first start, whatever this machine's user has set
    settings.mkdir(parents=True)
    (state / "workspaces").mkdir()
    log = state / f"{target}.log"
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings), JUPYTERLAB_WORKSPACES_DIR=str(state / "workspaces"),
               JUPYTER_RUNTIME_DIR=str(state / "runtime"), MPLBACKEND="agg")
    cmd = [sys.executable, "-m", "jupyter", target, *make_command(target), "--no-browser",
           "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={h.free_port()}", "--ServerApp.port_retries=0"]
    with open(log, "w") as out:
        process = subprocess.Popen(cmd, cwd=course, env=env, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        found = re.search(r"(http://127\.0\.0\.1:\d+/\S*\?token=\w+)", log.read_text())
        if found:
            return process, found.group(1), log
        if process.poll() is not None:
            break
        time.sleep(0.3)
    stop(process)
    raise AssertionError(f"`make {target}` printed no URL:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


VISIBLE_LINES_OF_FIRST_CODE_CELL = """() => {
    const cell = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell');
    if (!cell) return -1;
    return [...cell.querySelectorAll('.jp-InputArea .cm-line')].filter(e => e.offsetParent !== null).length;
}"""


# The news question ("Would you like to get notified about official Jupyter news?") is a
# notification that JupyterLab and Notebook 7 raise a moment after the page is ready.
QUIET_WAIT_MS = 4000
DIALOGS_AND_NOTIFICATIONS = """() => [
    ...document.querySelectorAll('.jp-Dialog, .Toastify__toast, .jp-Notification-Toast')]
    .filter(e => e.offsetParent !== null || e.getClientRects().length > 0)
    .map(e => e.innerText.trim().slice(0, 120))"""


@pytest.mark.parametrize("target", ["lab", "notebook"])
def test_the_printed_url_opens_the_start_notebook_with_a_short_first_cell(target, tmp_path):
    h.require_browser()
    from playwright.sync_api import sync_playwright

    course = h.scratch_course(tmp_path)
    process, url, log = start_like_make(target, course, tmp_path / "state")
    try:
        assert f"notebooks/{START}" in url, f"`make {target}` prints {url}, not the start notebook's address"
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(h.CHROMIUM), args=h.CHROMIUM_FLAGS)
            try:
                page = browser.new_page(viewport={"width": 1400, "height": 900})
                page.goto(url)
                page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=120_000)
                page.wait_for_timeout(1500)
                assert page.locator(".jp-Launcher:visible").count() == 0, "the Launcher shows, not the notebook"
                assert page.url.split("?")[0].endswith(f"notebooks/{START}"), page.url
                heading = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-MarkdownCell h1").first
                assert heading.inner_text().startswith("00 · Start here"), heading.inner_text()
                visible = page.evaluate(VISIBLE_LINES_OF_FIRST_CODE_CELL)
                assert 0 <= visible <= 5, f"the first code cell shows {visible} lines"
                page.wait_for_timeout(QUIET_WAIT_MS)
                prompts = page.evaluate(DIALOGS_AND_NOTIFICATIONS)
                assert prompts == [], f"`make {target}` greets a learner with dialogs or notifications: {prompts}"
                page.locator(".jp-NotebookPanel:not(.lm-mod-hidden) .jp-CodeCell").first.scroll_into_view_if_needed()
                h.SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(h.SCREENSHOTS / f"{target}-start-notebook.png"))
            finally:
                browser.close()
    finally:
        stop(process)
    print(f"`make {target}` printed {url}; the start notebook opened (log: {log})")
