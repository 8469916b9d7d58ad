"""Pictures of the course's web pages for the README: the index and a notebook page, desktop and phone.

    python tools/site_screenshots.py [--site build/site] [--out docs/screenshots]

Serves the built site (``make site``) on 127.0.0.1 and photographs it in Debian's Chromium
(driven by the playwright package, as the browser tests do). The browser test of the site
takes the same pictures into tests/artifacts/screenshots.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))
from harness import CHROMIUM, CHROMIUM_FLAGS  # noqa: E402

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 375, "height": 740}

#: The notebook page the pictures show (its first explorer, as a still).
NOTEBOOK_PAGE = "01_one_hot_encoding.html"

#: The heading of the text before the notebook's first explorer: then its code and its picture.
FIRST_EXPLORER = ".jp-MarkdownCell:has(+ .jp-CodeCell .live-note) :is(h2, h3)"

#: file name -> (page, viewport, what to scroll to: None for the top of the page)
SHOTS = {
    "site-index-desktop.png": ("index.html", DESKTOP, None),
    "site-index-phone.png": ("index.html", PHONE, None),
    "site-notebook-desktop.png": (NOTEBOOK_PAGE, DESKTOP, FIRST_EXPLORER),
    "site-notebook-phone.png": (NOTEBOOK_PAGE, PHONE, FIRST_EXPLORER),
}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve ``folder`` on a free port of 127.0.0.1; yields the base URL (ending in /)."""
    if not (Path(folder) / "index.html").is_file():
        raise FileNotFoundError(f"{folder} holds no built site (run `make site` first)")
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's Chromium, headless, through playwright (never a browser of playwright's own)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def show_all_pictures(page: Any) -> None:
    """Scroll through the page so that every lazily loaded picture loads, then back to the top."""
    page.evaluate("""async () => {
        for (const img of document.images) { img.loading = "eager"; }
        await Promise.all([...document.images].map(img => img.decode().catch(() => null)));
        window.scrollTo(0, 0);
    }""")


def take(browser: Any, base_url: str, out_dir: Path) -> list[Path]:
    """Take every picture in SHOTS into ``out_dir`` (PNG, 256 colours); return their paths."""
    from PIL import Image

    out_dir.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (page_name, viewport, target) in SHOTS.items():
        page = browser.new_page(viewport=viewport)
        try:
            page.goto(base_url + page_name, wait_until="load")
            show_all_pictures(page)
            if target:
                page.locator(target).first.evaluate("element => element.scrollIntoView({block: 'start'})")
            path = out_dir / name
            page.screenshot(path=str(path), animations="disabled")
        finally:
            page.close()
        picture = Image.open(path).convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE)
        picture.save(path, optimize=True)
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--site", type=Path, default=REPO_ROOT / "build" / "site")
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "docs" / "screenshots")
    args = parser.parse_args(argv)
    if not CHROMIUM.exists():
        print(f"needs Chromium at {CHROMIUM} (apt-get install chromium)", file=sys.stderr)
        return 1
    with serve(args.site) as base_url, chromium() as browser:
        for path in take(browser, base_url, args.out):
            print(f"{path}: {path.stat().st_size:,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
