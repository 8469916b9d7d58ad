"""The course's web pages in a real browser (Debian's Chromium): every page loads cleanly at desktop
and phone width, every link and picture works, the navigation walks the course, and the pictures
of the index and a notebook page are taken.

Runs after the notebook tests (their executed copies make the site quick to build).
"""

from __future__ import annotations

import sys
from urllib.parse import urljoin, urlsplit

import pytest
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tests" / "browser"))
sys.path.insert(0, str(REPO_ROOT / "tools"))
sys.path.insert(0, str(REPO_ROOT / "tests"))
from build_site import FIGURE_TEXT_PT, MIN_TEXT_PX  # noqa: E402
from harness import SCREENSHOTS, require_browser  # noqa: E402
from site_build import built_site  # noqa: E402
from site_screenshots import DESKTOP, PHONE, SHOTS, chromium, serve, show_all_pictures, take  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.notebooks]

PAGE_FACTS = """() => {
    const levels = [...document.querySelectorAll('h1, h2, h3, h4, h5, h6')].map(h => Number(h.tagName[1]));
    return {
        images: [...document.images].map(img => ({src: img.currentSrc || img.src, alt: img.alt,
                                                  ok: img.complete && img.naturalWidth > 0})),
        links: [...document.querySelectorAll('a[href]')].map(a => a.href),
        levels: levels,
        h1: document.querySelector('h1') ? document.querySelector('h1').textContent.replace(/#$/, '').trim() : null,
        scrollWidth: document.documentElement.scrollWidth,
        fontSize: parseFloat(getComputedStyle(document.body).fontSize),
        viewport: !!document.querySelector('meta[name=viewport]'),
    };
}"""


@pytest.fixture(scope="module")
def site():
    require_browser()
    folder, _ = built_site()
    with serve(folder) as base_url, chromium() as browser:
        yield folder, base_url, browser


def _page_names(folder):
    return ["index.html", *sorted(p.name for p in folder.glob("[0-9]*.html"))]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_every_page_loads_cleanly(site, viewport):
    folder, base_url, browser = site
    page = browser.new_page(viewport=viewport)
    problems: list[str] = []
    page.on("console", lambda msg: problems.append(f"console {msg.type}: {msg.text}")
            if msg.type in ("error", "warning") else None)
    page.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    page.on("requestfailed", lambda request: problems.append(f"request failed: {request.url}"))
    page.on("response", lambda response: problems.append(f"HTTP {response.status}: {response.url}")
            if response.status >= 400 else None)
    checked: dict[str, int] = {}
    try:
        for name in _page_names(folder):
            page.goto(base_url + name, wait_until="load")
            show_all_pictures(page)
            page.wait_for_load_state("networkidle")
            facts = page.evaluate(PAGE_FACTS)
            where = f"{name} at {viewport['width']} px"
            assert facts["viewport"] and facts["fontSize"] >= 15, where
            assert facts["scrollWidth"] <= viewport["width"], f"{where}: scrolls sideways ({facts['scrollWidth']} px)"
            assert facts["levels"][:1] == [1] and facts["levels"].count(1) == 1, f"{where}: {facts['levels']}"
            assert all(b <= a + 1 for a, b in zip(facts["levels"], facts["levels"][1:])), f"{where}: headings skip"
            for image in facts["images"]:
                assert image["ok"], f"{where}: a broken picture {image['src']}"
                assert image["alt"].strip(), f"{where}: a picture without alt text {image['src']}"
            for link in facts["links"]:
                url = link.split("#")[0]
                if url.startswith(base_url):
                    if url not in checked:
                        checked[url] = page.request.get(url).status
                    assert checked[url] == 200, f"{where}: a broken link to {link}"
                else:  # leaves the site: well formed, never followed (the tests run offline)
                    parts = urlsplit(link)
                    assert parts.scheme == "https" and parts.netloc, f"{where}: a link to {link}"
        assert not problems, problems
    finally:
        page.close()
    downloads = [url for url in checked if url.endswith(".ipynb")]
    assert len(downloads) == len(_page_names(folder)) - 1, downloads


def test_the_navigation_walks_the_course(site):
    folder, base_url, browser = site
    names = _page_names(folder)[1:]
    page = browser.new_page(viewport=PHONE)
    try:
        page.goto(base_url + "index.html")
        page.locator(".notebook-list h3 a").first.click()
        page.wait_for_load_state("load")
        visited = [urlsplit(page.url).path.rsplit("/", 1)[-1]]
        while page.locator("header a[rel=next]").count():
            title = page.locator("header a[rel=next]").inner_text().split("\n")[-1].strip()
            page.locator("header a[rel=next]").click()
            page.wait_for_load_state("load")
            visited.append(urlsplit(page.url).path.rsplit("/", 1)[-1])
            assert page.evaluate(PAGE_FACTS)["h1"] == title
        assert visited == names
        page.locator("footer a[rel=prev]").click()
        page.wait_for_load_state("load")
        assert page.url == urljoin(base_url, names[-2])
        page.locator(".site-home").click()
        page.wait_for_load_state("load")
        assert page.url == urljoin(base_url, "index.html")
        page.keyboard.press("Tab")  # the first stop is the skip link, and it leads to the content
        assert page.evaluate("document.activeElement.className") == "skip-link"
        page.keyboard.press("Enter")
        assert page.url.endswith("#content")
    finally:
        page.close()


def test_pictures_of_the_index_and_a_notebook_page(site):
    from PIL import Image

    folder, base_url, browser = site
    paths = take(browser, base_url, SCREENSHOTS)
    assert [p.name for p in paths] == list(SHOTS)
    for path in paths:
        width = Image.open(path).size[0]
        assert width == (PHONE if "phone" in path.name else DESKTOP)["width"]


FIGURES = """() => [...document.querySelectorAll('.jp-RenderedImage img')].map(img => ({
    src: img.getAttribute('src'), shown: img.getBoundingClientRect().width, width: img.naturalWidth,
    height: img.naturalHeight, box: img.parentElement.getBoundingClientRect().width,
    scrolls: img.parentElement.scrollWidth > img.parentElement.clientWidth}))"""


def test_figures_with_panels_side_by_side_are_readable_on_a_phone(site):
    """At 375 px a wide figure's text (the course's base size) shows at least MIN_TEXT_PX high, in a box
    that scrolls sideways within the page; 03's three maps are among them."""
    from PIL import Image

    folder, base_url, browser = site
    page = browser.new_page(viewport=PHONE)
    measured = {}
    try:
        for name in _page_names(folder)[1:]:
            page.goto(base_url + name, wait_until="load")
            show_all_pictures(page)
            for figure in page.evaluate(FIGURES):
                if figure["width"] < 2 * figure["height"] and figure["width"] <= 900:
                    continue  # one panel: not what this test is about
                with Image.open(folder / figure["src"]) as image:
                    dpi = float(image.info.get("dpi", (72.0, 72.0))[0])
                text_px = figure["shown"] / figure["width"] * FIGURE_TEXT_PT * dpi / 72
                where = f"{name} {figure['src']}"
                measured[where] = round(text_px, 1)
                assert figure["box"] <= PHONE["width"], f"{where}: its box is wider than the screen"
                if text_px < MIN_TEXT_PX - 0.05:
                    pytest.fail(f"{where}: its text shows {text_px:.1f} px high at {PHONE['width']} px "
                                f"(at least {MIN_TEXT_PX} px wanted): {figure}")
                assert figure["scrolls"] or figure["shown"] <= figure["box"], where
        page.goto(base_url + "03_image_embeddings.html", wait_until="load")
        show_all_pictures(page)
        page.locator(".wide-figure").nth(2).scroll_into_view_if_needed()  # the three maps
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "site-phone-wide-figure.png"))
    finally:
        page.close()
    assert any(key.startswith("03_image_embeddings.html") for key in measured), measured
    print(f"text height of wide figures at {PHONE['width']} px: {measured}")
