"""The course's web pages (tools/build_site.py): what a page may show, how a build fails, the real site."""

from __future__ import annotations

import base64
import os
import re
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import pytest
from bs4 import BeautifulSoup
from conftest import REPO_ROOT
from matplotlib.figure import Figure

sys.path.insert(0, str(REPO_ROOT / "tools"))
sys.path.insert(0, str(REPO_ROOT / "tests"))
import build_site  # noqa: E402
from build_site import BuildError, Page  # noqa: E402
from site_build import built_site  # noqa: E402

from helpers import figure_alt, plotting  # noqa: E402

WIDGET_VIEW = build_site.WIDGET_VIEW


def _png(title: str = "a titled figure") -> str:
    fig = Figure(figsize=(2, 1.5))
    fig.subplots().set_title(title)
    return base64.b64encode(plotting.figure_png(fig)).decode("ascii")


def _display(data: dict, metadata: dict | None = None) -> dict:
    return nbformat.v4.new_output("display_data", data=data, metadata=metadata or {})


def _executed(*cells) -> dict:
    """An executed notebook: each cell is markdown text, or (code, [outputs])."""
    nb = nbformat.v4.new_notebook()
    for number, cell in enumerate(cells, start=1):
        if isinstance(cell, str):
            nb.cells.append(nbformat.v4.new_markdown_cell(cell))
        else:
            source, outputs = cell
            nb.cells.append(nbformat.v4.new_code_cell(source, execution_count=number, outputs=outputs))
    return nb


def _stream(text: str) -> dict:
    return nbformat.v4.new_output("stream", name="stdout", text=text)


def _page(name: str = "01_demo.ipynb") -> Page:
    return Page(Path("notebooks") / name, title="01 · Demo")


# ----------------------------------------------------------------------------- no solutions


@pytest.mark.parametrize("source, calls", [
    ("ex.q1.solution()", ["ex.q1.solution()"]),
    ("x = 1\nex['q2'].solution()  # peek", ["ex['q2'].solution()"]),
    ("# ex.q1.solution()\nex.q1.check()", []),
    ("ex.q1.hint()\nprint('see .solution() later')", []),
    ("%matplotlib inline\nex.q3.solution()", ["ex.q3.solution()"]),
    ("def f(:\n    ex.q4.solution()", ["ex.q4.solution()"]),  # not Python: found line by line
])
def test_solution_calls_are_found_and_comments_ignored(source, calls):
    assert build_site.solution_calls(source) == calls


def test_a_cell_that_shows_a_solution_stops_the_build():
    nb = _executed("# 01 · Demo", ("ex.q1.check()", []), ("ex.q1.solution()", []))
    with pytest.raises(BuildError, match=r"notebooks/01_demo.ipynb, cell 3 .*calls ex.q1.solution\(\): the site "
                                         r"never shows a solution"):
        build_site.prepare(nb, _page())


def test_a_solution_in_an_output_stops_the_build():
    shown = _display({"text/plain": "ℹ q1: Solution — the answer is 949", "text/html": "<div>…</div>"})
    nb = _executed(("show_it()", [shown]))
    with pytest.raises(BuildError, match="cell 1 .*shows a solution in its output"):
        build_site.prepare(nb, _page())


def test_the_check_and_its_feedback_stay():
    feedback = _display({"text/plain": "… q1: Not attempted yet — `q1_answer` is still the placeholder",
                         "text/html": "<div>Not attempted yet</div>"})
    nb = _executed(("q1_answer = ____\n\nex.q1.check()", [feedback]), ("# ex.q1.hint()\n# ex.q1.solution()", []))
    prepared = build_site.prepare(nb, _page())
    assert prepared["cells"][0]["outputs"] == [feedback]


# ----------------------------------------------------------------------------- widgets and figures


def test_a_widget_becomes_its_picture_marked_live():
    png = _png()
    out = _display({WIDGET_VIEW: {"model_id": "abc", "version_major": 2, "version_minor": 0},
                    "image/png": png, "text/plain": "VBox(children=...)"},
                   {"image/png": {"alt": "The one-hot explorer.", "live": True}})
    prepared = build_site.prepare(_executed(("explorer", [out])), _page())
    (shown,) = prepared["cells"][0]["outputs"]
    assert shown["data"] == {"image/png": png}
    meta = shown["metadata"]["image/png"]
    assert meta["alt"] == "The one-hot explorer." and meta["live"] is True
    assert meta["width"] > 100 and meta["height"] > 50


def test_a_plain_interactive_figure_is_not_marked_live():
    out = _display({WIDGET_VIEW: {"model_id": "abc"}, "image/png": _png(), "text/html": "<img src=...>",
                    "text/plain": "Canvas(toolbar=...)"}, {"image/png": {"alt": "Reconstructions."}})
    prepared = build_site.prepare(_executed(("plt.show()", [out])), _page())
    assert prepared["cells"][0]["outputs"][0]["metadata"]["image/png"]["live"] is False


def test_a_widget_without_its_picture_stops_the_build():
    out = _display({WIDGET_VIEW: {"model_id": "abc"}, "text/plain": "IntSlider(value=3)"})
    with pytest.raises(BuildError, match=r"cell 2 .*a widget without a static picture, which would leave a hole"):
        build_site.prepare(_executed("# T", ("slider", [out])), _page())


def test_a_figure_that_does_not_decode_stops_the_build():
    out = _display({"image/png": base64.b64encode(b"not a png at all").decode()})
    with pytest.raises(BuildError, match="cell 1 .*a figure is missing"):
        build_site.prepare(_executed(("plt.show()", [out])), _page())


def test_progress_bars_are_left_out():
    state = {"bar": {"model_name": "HBoxModel", "state": {"children": ["IPY_MODEL_p"]}},
             "p": {"model_name": "FloatProgressModel", "state": {"value": 400.0, "max": 400.0}}}
    nb = _executed(("fit(net)", [_display({WIDGET_VIEW: {"model_id": "bar"}, "text/plain": "training: 0%| | 0/400"}),
                                 nbformat.v4.new_output("stream", name="stdout", text="History(400 epochs)\n")]))
    nb.metadata["widgets"] = {build_site.WIDGET_STATE: {"state": state}}
    prepared = build_site.prepare(nb, _page())
    assert [o["output_type"] for o in prepared["cells"][0]["outputs"]] == ["stream"]
    assert "widgets" not in prepared["metadata"]


def test_the_builders_set_up_line_and_folders_are_left_out():
    home, course = str(Path.home()), str(REPO_ROOT)
    setup = _stream("Course set-up done (Jupyter): interactive figures on (ipympl: click points, zoom and pan).\n")
    mixed = _stream("Course set-up done (Jupyter): static figures.\nLoaded 60,000 images.\n")
    report = _stream(f"data ok\nProgress is kept in {home}/.local/share/embeddings-course/progress.json.\n")
    summary = _display({"text/plain": f"kept in {home}/p.json", "text/html": f"<div>kept in {home}/p.json</div>"})
    export = _stream(f"Exported to {course}/notebooks/embedding_export\n")
    prepared = build_site.prepare(_executed(("setup()", [setup, mixed]), ("report()", [report, summary, export])),
                                  _page())
    first, second = prepared["cells"][0]["outputs"], prepared["cells"][1]["outputs"]
    assert [out["text"] for out in first] == ["Loaded 60,000 images.\n"]
    assert second[0]["text"] == "data ok\nProgress is kept in ~/.local/share/embeddings-course/progress.json.\n"
    assert second[1]["data"] == {"text/plain": "kept in ~/p.json", "text/html": "<div>kept in ~/p.json</div>"}
    repository, _ = build_site.read_course_location()
    assert second[2]["text"] == f"Exported to ~/{repository.rsplit('/', 1)[-1]}/notebooks/embedding_export\n"


def test_wide_figures_keep_a_readable_width_on_a_phone():
    from helpers import palette

    assert build_site.FIGURE_TEXT_PT == palette.BASE_FONT_SIZE
    three_maps = build_site.phone_width(1035, 396, 90.0)  # 11.5 x 4.4 inches at 90 dpi
    assert three_maps == 746  # 10-pt text is 12.5 px in the picture: shown at 9 px, 72 %
    assert build_site.phone_width(1035, 396, 180.0) == 373  # twice the resolution: 36 %
    assert build_site.phone_width(540, 396, 90.0) is None  # one panel: not wide
    assert build_site.phone_width(700, 300, 200.0) is None  # wide, but its text is large enough in the column
    fig = Figure(figsize=(11.5, 4.4), dpi=90)
    fig.subplots(1, 3)[0].set_title("PCA")
    out = _display({"image/png": base64.b64encode(plotting.figure_png(fig)).decode("ascii")})
    prepared = build_site.prepare(_executed(("plt.show()", [out])), _page())
    meta = prepared["cells"][0]["outputs"][0]["metadata"]["image/png"]
    assert (meta["width"], meta["phone_width"]) == (1035, 746), meta


def test_a_figure_without_alt_text_gets_one_and_a_note():
    page = _page()
    prepared = build_site.prepare(_executed(("plt.show()", [_display({"image/png": _png()})])), page)
    assert prepared["cells"][0]["outputs"][0]["metadata"]["image/png"]["alt"] == "A figure from cell 1 of 01 · Demo."
    assert page.warnings and "without alt text" in page.warnings[0]


def test_an_error_output_stops_the_build():
    error = nbformat.v4.new_output("error", ename="ValueError", evalue="bad shape", traceback=[])
    with pytest.raises(BuildError, match="cell 1 .*raised ValueError: bad shape"):
        build_site.prepare(_executed(("f()", [error])), _page())


# ----------------------------------------------------------------------------- maths


def test_maths_becomes_mathml_but_code_and_prices_stay():
    found: dict[str, str] = {}
    text = build_site.math_to_placeholders(
        "distance $\\sqrt{2}$, `cost $x$`, it costs $5 and $10\n\n$$a^2 + b^2$$", found)
    assert len(found) == 2 and "`cost $x$`" in text and "$5 and $10" in text
    inline, block = found.values()
    assert inline.startswith("<math") and "<msqrt>" in inline and 'display="block"' in block


# ----------------------------------------------------------------------------- executed copies


def _write(path: Path, nb: dict) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nbformat.from_dict(nb), path)
    return path


def test_an_executed_copy_is_reused_only_when_it_is_current(tmp_path):
    source = _write(tmp_path / "notebooks" / "01_demo.ipynb", _executed("# T", ("x = 1", [])))
    ran = _executed("# T", ("x = 1", [nbformat.v4.new_output("stream", name="stdout", text="1\n")]))
    copy = _write(tmp_path / "executed" / "01_demo.ipynb", ran)
    assert build_site.executed_copy_is_current(source, copy)

    os.utime(copy, (time.time() - 10**6, time.time() - 10**6))  # older than the helpers
    assert not build_site.executed_copy_is_current(source, copy)

    ran.cells[1].metadata["execution"] = {"iopub.execute_input": "2001-01-01T10:00:00.000000Z"}
    _write(copy, ran)  # written now, but the run began before the helpers last changed
    assert not build_site.executed_copy_is_current(source, copy)
    now = datetime.now(timezone.utc).isoformat().replace("+00:00", "Z")
    ran.cells[1].metadata["execution"] = {"iopub.execute_input": now}
    _write(copy, ran)
    assert build_site.executed_copy_is_current(source, copy)

    _write(copy, _executed("# T", ("x = 2", [])))  # another source
    assert not build_site.executed_copy_is_current(source, copy)

    error = nbformat.v4.new_output("error", ename="E", evalue="", traceback=[])
    _write(copy, _executed("# T", ("x = 1", [error])))
    assert not build_site.executed_copy_is_current(source, copy)
    assert not build_site.executed_copy_is_current(source, tmp_path / "executed" / "missing.ipynb")


# ----------------------------------------------------------------------------- a whole (small) site

README = """# A small course

<!-- site:intro -->
An introduction with **bold** words and [the licence](LICENSE).
<!-- /site:intro -->

| # | notebook | what you do |
|---|---|---|
| 00 | [Start](notebooks/00_start.ipynb) | start `here` |
| 01 | [Second](notebooks/01_second.ipynb) | draw a figure |
"""


def _small_course(tmp_path: Path, second_markdown: str = "Back to [the start](00_start.ipynb).") -> dict:
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "README.md").write_text(README)
    (tmp_path / "LICENSE").write_text("MIT")
    first = _executed("# 00 · Start\n\n## What this is\n\nText with $x^2$.", ("print('hi')", [
        nbformat.v4.new_output("stream", name="stdout", text="hi\n")]))
    first.cells[1].metadata["tags"] = ["course-setup"]
    live = _display({WIDGET_VIEW: {"model_id": "m"}, "image/png": _png("vocabulary size 8")},
                    {"image/png": {"alt": "Vocabulary size 8.", "live": True}})
    second = _executed(f"# 01 · Second\n\n{second_markdown}", ("explorer", [live]),
                       ("plt.show()", [_display({"image/png": _png()}, {"image/png": {"alt": "A titled figure."}})]))
    notebooks = []
    for name, nb in (("00_start.ipynb", first), ("01_second.ipynb", second)):
        source = nbformat.from_dict(nb)
        for cell in source.cells:
            if cell.cell_type == "code":
                cell.outputs, cell.execution_count = [], None
        notebooks.append(_write(tmp_path / "notebooks" / name, source))
        _write(tmp_path / "executed" / name, nb)
    return {"out_dir": tmp_path / "site", "executed_dir": tmp_path / "executed", "notebooks": notebooks,
            "readme": tmp_path / "README.md"}


def test_a_small_site_has_pages_navigation_links_and_alt_text(tmp_path):
    course = _small_course(tmp_path)
    report = build_site.build(**course)
    site = course["out_dir"]
    assert report.problems == [] and set(report.page_bytes) == {"index.html", "00_start.html", "01_second.html"}
    assert (site / "notebooks" / "01_second.ipynb").exists() and (site / "assets" / "site.css").exists()
    assert not (tmp_path / "site.partial").exists()

    index = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    assert index.h1.get_text() == "A small course"
    assert [a["href"] for a in index.select(".notebook-list h3 a")] == ["00_start.html", "01_second.html"]
    assert index.select_one(".notebook-list code").get_text() == "here"  # the README's Markdown, rendered
    licence = index.find("a", string="the licence")["href"]
    assert licence == "https://github.com/embeddings-course/embeddings-course/blob/main/LICENSE"

    second = BeautifulSoup((site / "01_second.html").read_text(), "html.parser")
    assert second.title.get_text().startswith("01 · Second")
    assert second.find("a", rel="prev")["href"] == "00_start.html" and second.find("a", rel="next") is None
    colab = second.find("a", string="Open in Colab")["href"]
    assert colab.endswith("/blob/main/notebooks/01_second.ipynb") and colab.startswith("https://colab.")
    assert second.find("a", download=True)["href"] == "notebooks/01_second.ipynb"
    assert second.find("a", string="the start")["href"] == "00_start.html"
    images = second.select("main img")
    assert [img["alt"] for img in images] == ["Vocabulary size 8.", "A titled figure."]
    assert all((site / img["src"]).is_file() and img["loading"] == "lazy" for img in images)
    notes = second.select(".live-note")
    assert len(notes) == 1 and build_site.LIVE_NOTE in notes[0].get_text()
    assert not second.find("script") and "widget-view" not in str(second)

    first = BeautifulSoup((site / "00_start.html").read_text(), "html.parser")
    assert first.find("math") is not None and "$x^2$" not in first.get_text()
    assert first.find("a", rel="next")["href"] == "01_second.html"
    setup = first.select_one("details.setup-cell")
    assert "print('hi')" in setup.get_text() and "set-up cell" in setup.summary.get_text()
    assert not second.select("details.setup-cell")


def test_a_missing_figure_file_is_reported(tmp_path):
    course = _small_course(tmp_path)
    build_site.build(**course)
    (picture,) = (course["out_dir"] / "01_second_files").glob("*_1_0.png")
    picture.unlink()
    problems = build_site.check_site(course["out_dir"]).problems
    assert f"01_second.html: a figure is missing: 01_second_files/{picture.name}" in problems
    assert all(picture.name in problem for problem in problems)


def test_a_picture_that_names_no_file_stops_the_build(tmp_path):
    course = _small_course(tmp_path, second_markdown="![the map](figures/map.png)")
    with pytest.raises(BuildError, match=r"01_second.html: a figure is missing: figures/map.png"):
        build_site.build(**course)
    assert not course["out_dir"].exists()  # nothing half-built where the site goes


def test_a_picture_from_the_repository_is_copied_in(tmp_path):
    course = _small_course(tmp_path, second_markdown="![a screenshot](../docs/screenshots/one-hot-explorer.png)")
    (tmp_path / "docs" / "screenshots").mkdir(parents=True)
    (tmp_path / "docs" / "screenshots" / "one-hot-explorer.png").write_bytes(base64.b64decode(_png()))
    build_site.build(**course)
    page = BeautifulSoup((course["out_dir"] / "01_second.html").read_text(), "html.parser")
    src = page.find("img", alt="a screenshot")["src"]
    assert src == "assets/figures/docs/screenshots/one-hot-explorer.png" and (course["out_dir"] / src).is_file()


def test_bad_links_headings_and_weight_are_reported(tmp_path, monkeypatch):
    course = _small_course(tmp_path, second_markdown="#### Too deep\n\n[nowhere](missing.html)")
    with pytest.raises(BuildError) as failure:
        build_site.build(**course)
    message = str(failure.value)
    assert "01_second.html: headings skip a level (h1 then h4)" in message
    assert "01_second.html: a broken link to missing.html" in message

    monkeypatch.setattr(build_site, "MAX_PAGE_BYTES", 10_000)
    course = _small_course(tmp_path / "again")
    with pytest.raises(BuildError, match=r"01_second.html: weighs 0\.\d\d MB with what it loads \(budget 0\.01 MB\)"):
        build_site.build(**course)


def test_the_readme_must_mark_the_introduction_and_list_every_notebook(tmp_path):
    course = _small_course(tmp_path)
    course["readme"].write_text(README.replace("<!-- site:intro -->", ""))
    with pytest.raises(BuildError, match="README.md must mark the introduction"):
        build_site.build(**course)
    course["readme"].write_text(README.replace("| 01 | [Second](notebooks/01_second.ipynb) | draw a figure |\n", ""))
    with pytest.raises(BuildError, match="README.md's table of notebooks has no row for 01_second.ipynb"):
        build_site.build(**course)


def test_a_folder_that_is_not_a_site_is_never_emptied(tmp_path):
    course = _small_course(tmp_path)
    course["out_dir"].mkdir()
    (course["out_dir"] / "precious.txt").write_text("keep me")
    with pytest.raises(BuildError, match="is not a site built by this tool"):
        build_site.build(**course)
    assert (course["out_dir"] / "precious.txt").exists()


@pytest.mark.slow
def test_a_notebook_that_fails_stops_the_build_naming_the_cell(tmp_path):
    course = _small_course(tmp_path)
    broken = _executed("# 01 · Second", ("x = 1", []), ("scale = 1 / 0", []))
    for cell in broken.cells[1:]:
        cell.execution_count = None
    _write(course["notebooks"][1], broken)
    with pytest.raises(BuildError, match=r"notebooks/01_second.ipynb failed to execute: notebooks/01_second.ipynb, "
                                         r"cell 3 \(code: 'scale = 1 / 0'\) raised ZeroDivisionError: division "):
        build_site.build(**course)


def test_the_published_site_is_what_make_site_builds():
    workflow = (REPO_ROOT / ".github" / "workflows" / "site.yml").read_text()
    assert "run: make site" in workflow and "path: build/site" in workflow
    assert "actions/deploy-pages@" in workflow and "pages: write" in workflow
    assert build_site.DEFAULT_OUT == REPO_ROOT / "build" / "site"
    makefile = (REPO_ROOT / "Makefile").read_text()
    assert re.search(r"^site:.*\n\t\$\(COURSE\) site$", makefile, re.M), "make site runs python -m tools.course site"
    sys.path.insert(0, str(REPO_ROOT))
    from tools import course

    assert course.SCRIPTS["site"] == ["tools/build_site.py"]


# ----------------------------------------------------------------------------- the course's own site


@pytest.mark.notebooks
def test_the_course_site_has_every_notebook_within_budget():
    site, report = built_site()
    assert report.problems == []
    pages = {p.stem for p in build_site.course_notebooks()}
    assert set(report.page_bytes) == {f"{p}.html" for p in pages} | {"index.html"}
    assert report.total_bytes < build_site.MAX_SITE_BYTES
    assert max(report.page_bytes.values()) < build_site.MAX_PAGE_BYTES
    print(f"site {report.total_bytes / 2**20:.1f} MB; pages (MB): "
          + ", ".join(f"{name} {size / 2**20:.2f}" for name, size in sorted(report.page_bytes.items())))


@pytest.mark.notebooks
def test_the_course_figures_are_described_by_their_titles():
    site, _ = built_site()
    fallbacks = []
    for page in sorted(site.glob("*.html")):
        soup = BeautifulSoup(page.read_text(), "html.parser")
        for img in soup.select("main img"):
            alt = img["alt"]
            if alt == figure_alt.UNTITLED or re.fullmatch(r"A figure from cell \d+ of .*", alt):
                fallbacks.append(f"{page.name}: {img['src']}")
    assert not fallbacks, f"figures without titles (their alt text says nothing): {fallbacks}"


@pytest.mark.notebooks
def test_the_course_site_shows_no_solution_and_every_explorer_as_a_picture():
    site, _ = built_site()
    for page in sorted(site.glob("[0-9]*.html")):
        html = page.read_text()
        soup = BeautifulSoup(html, "html.parser")
        assert not build_site.SOLUTION_SHOWN.search(soup.get_text()), page.name
        assert "widget-view" not in html and not soup.find("script"), page.name
    explorers = BeautifulSoup((site / "01_one_hot_encoding.html").read_text(), "html.parser").select(".live-note")
    assert explorers, "notebook 01's one-hot explorer should show as a picture with the note"


@pytest.mark.notebooks
def test_the_course_site_names_nothing_of_the_machine_that_built_it():
    import getpass
    import socket

    site, _ = built_site()
    home, user, host = str(Path.home()), getpass.getuser(), socket.gethostname()
    found = []
    for page in sorted(site.glob("*.html")):
        html = page.read_text()
        outputs = " ".join(o.get_text(" ") for o in BeautifulSoup(html, "html.parser").select(".jp-OutputArea-output"))
        for what, pattern, text in [
            ("the home folder", re.escape(home) + r"(?![\w.-])", html),
            ("the course's folder", re.escape(str(REPO_ROOT)) + r"(?![\w.-])", html),
            ("the set-up line", r"Course set-up done|interactive figures on|static figures \(", outputs),
            ("the user name", rf"(?<![\w.-]){re.escape(user)}(?![\w.-])", outputs),
            ("the machine's name", rf"(?<![\w.-]){re.escape(host)}(?![\w.-])", outputs),
        ]:
            match = re.search(pattern, text)
            if match:
                found.append(f"{page.name}: {what}: ...{text[max(0, match.start() - 60):match.end() + 60]}...")
    assert not found, "\n".join(found)
