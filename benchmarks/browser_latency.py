"""Map interactions timed in a real browser: from the input event to changed pixels on the screen.

    python benchmarks/browser_latency.py [--sizes 2000 15000 100000] [--explorer-sizes 2000 15000]
                                         [--repeats 30] [--front-end lab|notebook]

JupyterLab (or Notebook 7) in headless Chromium (software WebGL), one notebook per map, the kernel on this machine.
For each size it times
* the course's projection explorer (ipympl): a click on a point until its canvas shows the selection;
* a jupyter-scatter map (WebGL, anywidget) of the same kind of points, where that package is
  installed: a click on a point until the selection is drawn, and a drag step while panning until
  the moved map is drawn.
The clock starts at the browser's own time stamp of the pointer event and stops at the first
animation frame whose canvas pixels differ from those before the event. Each click is checked in the
kernel afterwards: the selection must be the point clicked.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import sys
import tempfile
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO_ROOT / "tests" / "browser"), str(REPO_ROOT / "tests")]

import harness  # noqa: E402

# Installed once per page: the time stamps of pointer events, and a watcher that resolves with the
# milliseconds from the next such event to the first frame whose pixels changed.
WATCH = """() => {
  window.__events = [];
  for (const type of ['pointerdown', 'pointermove'])
    document.addEventListener(type, e => window.__events.push([type, e.timeStamp]), true);
  window.__watch = (canvas, type) => {
    const ctx = canvas.getContext('2d');
    const look = () => {
      const d = new Uint32Array(ctx.getImageData(0, 0, canvas.width, canvas.height).data.buffer);
      let h = 0;
      for (let i = 0; i < d.length; i++) h = (Math.imul(h, 31) + d[i]) | 0;
      return h;
    };
    const before = look(), seen = window.__events.length, started = performance.now();
    window.__result = undefined;
    const tick = () => {
      const event = window.__events.slice(seen).find(e => e[0] === type);
      if (event && look() !== before) window.__result = performance.now() - event[1];
      else if (performance.now() - started > 20000) window.__result = null;
      else requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
}"""


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def timed(page, canvas, type_: str, act) -> float:
    """Milliseconds from the pointer event that ``act`` sends to the first changed frame of ``canvas``."""
    page.evaluate(f"c => window.__watch(c, '{type_}')", canvas.element_handle())
    act()
    page.wait_for_function("() => window.__result !== undefined", timeout=30_000)
    result = page.evaluate("() => window.__result")
    if result is None:
        raise AssertionError(f"no pixel changed within 20 s of a {type_}")
    return float(result)


POINTS = """
import numpy as np
rng = np.random.default_rng(0)
n = {n}
angles = np.linspace(0, 2 * np.pi, {probes}, endpoint=False)
xy = np.clip(rng.normal(size=(n, 2)), -2.8, 2.8)
xy[:{probes}] = 3.5 * np.c_[np.cos(angles), np.sin(angles)]   # the points the clicks aim at, apart
labels = rng.integers(0, 10, n)
images = rng.integers(0, 255, size=(n, 28, 28), dtype=np.uint8)
"""

SCATTER = (
    POINTS
    + """
import jscatter
sc = jscatter.Scatter(x=xy[:, 0], y=xy[:, 1], color_by=labels.astype(str), height=400,
                      x_scale=(-4, 4), y_scale=(-4, 4))
sc.show()
"""
)

EXPLORER = (
    POINTS
    + """
import sys; sys.path.insert(0, "..")   # the course's helpers/ beside notebooks/
%matplotlib widget
from helpers.widgets.projection import ProjectionExplorer
explorer = ProjectionExplorer(np.c_[xy, np.zeros((n, 1))].astype(np.float32), labels, images=images, method="pca")
explorer
"""
)


def run_cell(page, server, root: Path, name: str, code: str) -> None:
    (root / "notebooks" / name).write_text(json.dumps(harness.one_cell_notebook(code.splitlines(keepends=True))))
    harness.open_notebook(page, server, name)
    harness.run_all(page, timeout_s=600)
    harness.wait_kernel_idle(page)
    page.evaluate(WATCH)


def bench_scatter(page, server, root: Path, n: int, repeats: int) -> dict:
    run_cell(page, server, root, f"scatter_{n}.ipynb", SCATTER.format(n=n, probes=repeats))
    canvas = page.locator(".jp-OutputArea-output canvas").first
    page.wait_for_timeout(1500)
    box = canvas.bounding_box()
    scale = box["height"] / 8  # the y range (-4, 4) fills the height; x keeps the same scale

    def at(x: float, y: float) -> tuple[float, float]:
        return box["x"] + box["width"] / 2 + x * scale, box["y"] + box["height"] / 2 - y * scale

    clicks = []
    for k in range(repeats):
        angle = 2 * math.pi * k / repeats
        px, py = at(3.5 * math.cos(angle), 3.5 * math.sin(angle))
        clicks.append(timed(page, canvas, "pointerdown", lambda px=px, py=py: page.mouse.click(px, py)))
        page.wait_for_timeout(600)  # apart by more than a double click's interval
    selected = server.execute(f"scatter_{n}.ipynb", "print([int(i) for i in sc.selection()])").strip()
    assert selected == f"[{repeats - 1}]", f"the last click selected {selected}, not point {repeats - 1}"
    # panning: press in an empty corner, move in steps, each step timed to its drawn frame
    x0, y0 = box["x"] + 20, box["y"] + 20
    page.mouse.move(x0, y0)
    page.mouse.down()
    steps = [
        timed(page, canvas, "pointermove", lambda i=i: page.mouse.move(x0 + 4 * (i + 1), y0 + 3 * (i + 1)))
        for i in range(repeats)
    ]
    page.mouse.up()
    return {
        "click_ms_p95": round(p95(clicks), 1),
        "click_ms_median": round(sorted(clicks)[len(clicks) // 2], 1),
        "pan_step_ms_p95": round(p95(steps), 1),
        "pan_step_ms_median": round(sorted(steps)[len(steps) // 2], 1),
    }


def bench_explorer(page, server, root: Path, n: int, repeats: int) -> dict:
    name = f"explorer_{n}.ipynb"
    run_cell(page, server, root, name, EXPLORER.format(n=n, probes=repeats))
    cell = page.locator(".jp-Cell").first
    canvas = cell.locator(".jupyter-matplotlib-canvas-div canvas").first
    canvas.scroll_into_view_if_needed()
    page.wait_for_timeout(1500)
    clicks = []
    for _ in range(repeats):
        printed = server.execute(name, harness.POINT_ON_CANVAS.format(explorer="explorer"))
        index, fx, fy, _room = json.loads(printed.strip().splitlines()[-1])
        box = canvas.bounding_box()
        px, py = box["x"] + fx * box["width"], box["y"] + fy * box["height"]
        clicks.append(timed(page, canvas, "pointerdown", lambda px=px, py=py: page.mouse.click(px, py)))
        harness.wait_kernel_idle(page, settle_s=0.3)
        harness.assert_selected(page, server, name, index)
    return {"click_ms_p95": round(p95(clicks), 1), "click_ms_median": round(sorted(clicks)[len(clicks) // 2], 1)}


def main(argv: list[str] | None = None) -> int:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", nargs="*", type=int, default=[2000, 15000, 100000])
    parser.add_argument("--explorer-sizes", nargs="*", type=int, default=[2000, 15000])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--front-end", choices=["lab", "notebook"], default="lab")
    parser.add_argument(
        "--out",
        type=Path,
        default=REPO_ROOT / "benchmarks" / "report.json",
        help="the report whose 'browser_latency' entry is replaced",
    )
    args = parser.parse_args(argv)
    if args.sizes and importlib.util.find_spec("jscatter") is None:
        print("jupyter-scatter is not installed (pip install jupyter-scatter): its maps are left out")
        args.sizes = []
    report: dict = {"front_end": args.front_end, "repeats": args.repeats, "jupyter_scatter": {}, "ipympl_explorer": {}}
    with tempfile.TemporaryDirectory() as tmp:
        root = harness.scratch_course(Path(tmp))
        flags = [f for f in harness.CHROMIUM_FLAGS if f != "--disable-gpu"]  # WebGL, in software
        with (
            harness.JupyterServer(args.front_end, root, Path(tmp) / "state", Path(tmp) / "cache") as server,
            sync_playwright() as p,
        ):
            browser = p.chromium.launch(executable_path=str(harness.CHROMIUM), args=flags)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for n in args.sizes:
                started = time.perf_counter()
                report["jupyter_scatter"][n] = bench_scatter(page, server, root, n, args.repeats)
                print(
                    "jupyter-scatter",
                    n,
                    report["jupyter_scatter"][n],
                    f"{time.perf_counter() - started:.0f} s",
                    flush=True,
                )
            for n in args.explorer_sizes:
                started = time.perf_counter()
                report["ipympl_explorer"][n] = bench_explorer(page, server, root, n, args.repeats)
                print(
                    "ipympl explorer",
                    n,
                    report["ipympl_explorer"][n],
                    f"{time.perf_counter() - started:.0f} s",
                    flush=True,
                )
            browser.close()
    whole = json.loads(args.out.read_text()) if args.out.exists() else {}
    whole["browser_latency"] = report
    args.out.write_text(json.dumps(whole, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
