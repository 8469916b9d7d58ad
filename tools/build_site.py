"""Build the course's web pages: the executed notebooks as a static site, readable without installing anything.

    python tools/build_site.py [--out build/site] [--executed tests/artifacts/executed] [--rerun]

Each notebook is run top to bottom on the CPU, offline (with no network at all where
``unshare`` allows), unless ``--executed`` already holds a copy of the same cells that ran
after the last change to the notebook, the helpers and the data (the notebook tests leave
one there). Then
nbconvert's HTML export renders one page per notebook with a small template (previous /
next links, "open in Colab", download), and an index page is written from the README.

What the pages show:
  * widgets appear as their static picture, with one line saying the notebook lets you
    explore it interactively; progress bars (gone once a run ends) are left out;
  * exercise cells show the exercise and the check, never a solution;
  * nothing names the machine that built it: the set-up's line about its runtime is left
    out, and its folders (the course's checkout, the home folder) are written ``~/...``;
  * every picture has alt text (from the figure's titles, see ``helpers/figure_alt.py``);
  * maths is written as MathML, so a page needs no script at all.

The build stops, naming the notebook and the cell, when a notebook fails to run, shows a
solution, or has a figure missing (a widget without its picture, an image that does not
decode, a picture or link that points at no file); and when a page outgrows the budgets.
"""

from __future__ import annotations

import argparse
import ast
import base64
import binascii
import copy
import io
import math
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from course_links import colab_url, read_course_location  # noqa: E402
from notebook_files import REPO_ROOT, course_notebooks, dump_notebook, read_notebook, source_text, strip_outputs  # noqa: E402,I001

THEME = Path(__file__).resolve().parent / "site_theme"
DEFAULT_OUT = REPO_ROOT / "build" / "site"
DEFAULT_EXECUTED = REPO_ROOT / "tests" / "artifacts" / "executed"

#: Budgets: the whole site, and one page with everything it loads (HTML, stylesheet, pictures).
MAX_SITE_BYTES = 25 * 1024 * 1024
MAX_PAGE_BYTES = 3 * 1024 * 1024

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
LIVE_NOTE = "Run the notebook to explore this interactively."
INTRO_START, INTRO_END = "<!-- site:intro -->", "<!-- /site:intro -->"


class BuildError(Exception):
    """The site cannot be built as it stands; the message names the notebook and the cell."""


@dataclass
class Page:
    """One notebook of the course, as the site shows it."""

    source: Path                      # notebooks/NN_name.ipynb
    title: str = ""                   # "01 · One-hot encoding" (the notebook's first heading)
    summary: str = ""                 # what you do in it (the README's table)
    warnings: list[str] = field(default_factory=list)

    @property
    def stem(self) -> str:
        return self.source.stem

    @property
    def html_name(self) -> str:
        return f"{self.stem}.html"


# ============================================================================ running the notebooks


def _cell_sources(nb: dict[str, Any]) -> list[tuple[str, str]]:
    return [(cell["cell_type"], source_text(cell)) for cell in nb.get("cells", [])]


def newest_input_time(notebook: Path) -> float:
    """The last change to what an executed copy of ``notebook`` depends on: it, the helpers, the data (and
    the shipped weights)."""
    times = [notebook.stat().st_mtime]
    inputs = ((REPO_ROOT / "helpers", "*.py"), (REPO_ROOT / "data", "*.npz"), (REPO_ROOT / "data", "*.pt"))
    for folder, pattern in inputs:
        times += [p.stat().st_mtime for p in folder.rglob(pattern)]
    return max(times)


def run_started(nb: dict[str, Any], fallback: float) -> float:
    """When the run that made an executed notebook began: its first cell's start time as the kernel
    recorded it (nbclient keeps it in the cell's metadata), else ``fallback``."""
    from datetime import datetime

    for cell in nb.get("cells", []):
        stamp = cell.get("metadata", {}).get("execution", {}).get("iopub.execute_input")
        if stamp:
            try:
                return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
            except ValueError:
                break
    return fallback


def executed_copy_is_current(notebook: Path, executed: Path) -> bool:
    """Whether ``executed`` ran the same cells as ``notebook``, every code cell ran and none failed, and
    the run began after the last change to the notebook, the helpers and the data."""
    if not executed.exists():
        return False
    try:
        ran = read_notebook(executed)
    except (OSError, ValueError):
        return False
    if run_started(ran, executed.stat().st_mtime) < newest_input_time(notebook):
        return False
    if _cell_sources(ran) != _cell_sources(read_notebook(notebook)):
        return False
    code = [c for c in ran["cells"] if c["cell_type"] == "code" and source_text(c).strip()]
    return all(c.get("execution_count") for c in code) and failing_cell(ran) is None


def failing_cell(nb: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, Any]] | None:
    """(cell number, cell, error output) of the first cell that raised, or None."""
    for index, cell in enumerate(nb.get("cells", [])):
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                return index, cell, out
    return None


def describe_cell(name: str, index: int, cell: dict[str, Any]) -> str:
    """'notebooks/x.ipynb, cell 3 (code: 'first line')': cells counted from 1, from the top."""
    first = next((line for line in source_text(cell).splitlines() if line.strip()), "")
    return f"{name}, cell {index + 1} ({cell['cell_type']}: {first.strip()[:80]!r})"


def offline_prefix() -> list[str]:
    """A command prefix that takes the network away (loopback stays), or [] where that is not possible."""
    if os.name != "posix" or os.geteuid() != 0 or not shutil.which("unshare") or not shutil.which("ip"):
        return []
    probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up"], capture_output=True, timeout=30)
    return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"] if probe.returncode == 0 else []


def execute(notebook: Path, out: Path, *, timeout: int = 600) -> None:
    """Run ``notebook`` on the CPU, offline where possible, into ``out``; raise BuildError naming the failing cell."""
    env = dict(os.environ, COURSE_DEVICE="cpu")
    cmd = [*offline_prefix(), sys.executable, str(REPO_ROOT / "tools" / "run_notebook.py"), str(notebook),
           "--out", str(out), "--timeout", str(timeout)]
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=notebook.parent, capture_output=True, text=True, env=env)
    name = f"notebooks/{notebook.name}"
    if proc.returncode != 0:
        failed = failing_cell(read_notebook(out)) if out.exists() else None
        if failed is None:
            raise BuildError(f"{name} failed to execute:\n{proc.stderr[-2000:]}")
        index, cell, error = failed
        raise BuildError(f"{name} failed to execute: {describe_cell(name, index, cell)} raised "
                         f"{error.get('ename', 'an error')}: {error.get('evalue', '')}")
    print(f"  ran {name} in {time.perf_counter() - started:.0f} s")


def executed_notebooks(notebooks: list[Path], executed_dir: Path, *, rerun: bool = False) -> dict[Path, Path]:
    """An executed copy of each notebook: reused when current, else run now (in course order)."""
    copies = {}
    for notebook in notebooks:
        copy_path = executed_dir / notebook.name
        if rerun or not executed_copy_is_current(notebook, copy_path):
            execute(notebook, copy_path)
        else:
            print(f"  reused the executed copy of notebooks/{notebook.name}")
        copies[notebook] = copy_path
    return copies


# ============================================================================ what a page may show


def solution_calls(source: str) -> list[str]:
    """The ``something.solution()`` calls that ``source`` makes (comments do not count)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return [m.group(0) for line in lines for m in re.finditer(r"[\w.\[\]\"']+\.solution\(\s*\)",
                                                                    line.split("#", 1)[0])]
    calls = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "solution"
                and not node.args and not node.keywords):
            calls.append(f"{ast.unparse(node.func.value)}.solution()")
    return calls


#: The title of what ``ex.qN.solution()`` displays ("ℹ q1: Solution"), in text or HTML.
SOLUTION_SHOWN = re.compile(r"(?:^|>)(?:\S+\s)?\s*\w+: Solution\b", re.M)


def output_text(out: dict[str, Any]) -> str:
    data = out.get("data", {})
    parts = [out.get("text", "")] + [data.get(mime, "") for mime in ("text/plain", "text/html", "text/markdown")]
    return "\n".join("".join(p) if isinstance(p, list) else str(p) for p in parts)


def _png_size(data: Any) -> tuple[int, int, float]:
    """(width, height, dots per inch) of a PNG; 72 dpi when it does not say."""
    from PIL import Image

    raw = base64.b64decode("".join(data) if isinstance(data, list) else data, validate=False)
    with Image.open(io.BytesIO(raw)) as image:
        image.verify()
    with Image.open(io.BytesIO(raw)) as image:
        return (*image.size, float(image.info.get("dpi", (72.0, 72.0))[0]) or 72.0)


#: A phone's narrowest column (a 375-px screen less the page's margins), the smallest size, in
#: CSS pixels, that a figure's text may be shown at there, and the figures' base text size in
#: points (``helpers.palette.BASE_FONT_SIZE``; the tools run without importing the helpers).
PHONE_COLUMN_PX = 350
MIN_TEXT_PX = 9.0
FIGURE_TEXT_PT = 10.0


def phone_width(width: int, height: int, dpi: float) -> int | None:
    """The width (CSS px) a wide figure keeps on a phone, so that its text stays readable; None for others.

    A wide figure (twice as wide as high, or over 900 px: panels side by side) squeezed into
    a phone's column would show its labels a few pixels high. It keeps the width at which the
    course's base text is ``MIN_TEXT_PX`` high, and its box scrolls sideways (a tap opens it
    at full size).
    """
    if width < 2 * height and width <= 900:
        return None
    text_px = FIGURE_TEXT_PT * dpi / 72  # the base text's height in the picture's own pixels
    keep = int(math.ceil(width * min(1.0, MIN_TEXT_PX / text_px)))
    return keep if keep > PHONE_COLUMN_PX else None


def is_progress_bar(out: dict[str, Any], widget_state: dict[str, Any]) -> bool:
    """A tqdm-style bar: a box holding a progress model (from the stored widget state, else its text)."""
    model_id = out.get("data", {}).get(WIDGET_VIEW, {}).get("model_id")
    model = widget_state.get(model_id, {})
    for child in model.get("state", {}).get("children", []):
        child_model = widget_state.get(str(child).removeprefix("IPY_MODEL_"), {})
        if child_model.get("model_name", "").endswith("ProgressModel"):
            return True
    if model:
        return model.get("model_name", "").endswith("ProgressModel")
    text = "".join(out.get("data", {}).get("text/plain", ""))
    return re.search(r"\d+%\|.*\|", text) is not None


#: The set-up's line about the runtime that ran the notebook (its figures, its packages, its paths):
#: it describes the machine that built the site, not the reader's.
SETUP_LINE = re.compile(r"^Course set-up done \(.*(?:\n|$)", re.M)
TEXT_MIMES = ("text/plain", "text/html", "text/markdown")


def builder_paths() -> list[tuple[str, str]]:
    """(path, shown instead) for the builder's own folders: the course's checkout, then the home folder."""
    repository, _branch = read_course_location()
    home = str(Path.home())
    pairs = [(str(REPO_ROOT), f"~/{repository.rsplit('/', 1)[-1]}")]
    if len(home) > 1:  # a home folder of "/" names nothing
        pairs.append((home, "~"))
    return pairs


def scrub(out: dict[str, Any], paths: list[tuple[str, str]]) -> bool:
    """Take the builder's set-up line and folders out of an output's text; False when nothing is left of it."""
    def clean(text: Any) -> str:
        text = "".join(text) if isinstance(text, list) else str(text)
        for path, instead in paths:
            text = text.replace(path, instead)
        return text

    if out.get("output_type") == "stream":
        out["text"] = clean(SETUP_LINE.sub("", "".join(out.get("text", ""))))
        return bool(out["text"].strip())
    data = out.get("data", {})
    for mime in TEXT_MIMES:
        if mime in data:
            data[mime] = clean(data[mime])
    return True


def prepare(nb: dict[str, Any], page: Page) -> dict[str, Any]:
    """A copy of the executed notebook as the page shows it; BuildError for what must not be published."""
    nb = copy.deepcopy(nb)
    name = f"notebooks/{page.source.name}"
    widget_state = nb.get("metadata", {}).pop("widgets", {}).get(WIDGET_STATE, {}).get("state", {})
    paths = builder_paths()
    for index, cell in enumerate(nb["cells"]):
        if cell["cell_type"] != "code":
            continue
        where = describe_cell(name, index, cell)
        calls = solution_calls(source_text(cell))
        if calls:
            raise BuildError(f"{where} calls {calls[0]}: the site never shows a solution "
                             "(leave the call commented out, as the exercise cells do)")
        kept = []
        for out in cell.get("outputs", []):
            if out["output_type"] == "error":
                raise BuildError(f"{where} raised {out.get('ename')}: {out.get('evalue')}")
            if SOLUTION_SHOWN.search(output_text(out)):
                raise BuildError(f"{where} shows a solution in its output: the site never shows one")
            data = out.get("data", {})
            if WIDGET_VIEW in data:
                if "image/png" not in data:
                    if is_progress_bar(out, widget_state):
                        continue  # a progress bar closes when its run ends: nothing to show afterwards
                    raise BuildError(f"{where} shows a widget without a static picture, which would leave a hole "
                                     "in its page: give it one (helpers.plotting.with_static_png)")
                meta = dict(out.get("metadata", {}).get("image/png", {}))
                meta["live"] = bool(meta.get("live", "alt" not in meta))  # an unknown widget: say it can be used
                out["data"] = {"image/png": data["image/png"]}
                out["metadata"] = {"image/png": meta}
                data = out["data"]
            if "image/png" in data:
                try:
                    width, height, dpi = _png_size(data["image/png"])
                except (OSError, ValueError, binascii.Error, SyntaxError) as exc:
                    raise BuildError(f"{where}: a figure is missing (its PNG does not decode: {exc})") from None
                meta = out.setdefault("metadata", {}).setdefault("image/png", {})
                meta.update(width=width, height=height)
                if phone_width(width, height, dpi):
                    meta["phone_width"] = phone_width(width, height, dpi)
                if not meta.get("alt"):
                    meta["alt"] = f"A figure from cell {index + 1} of {page.title or page.stem}."
                    page.warnings.append(f"{where}: a figure without alt text from its titles")
                elif meta["alt"].startswith("A figure without a title"):
                    page.warnings.append(f"{where}: a figure without a title (alt text: {meta['alt']!r})")
            if scrub(out, paths):
                kept.append(out)
        cell["outputs"] = kept
    return nb


# ============================================================================ maths as MathML

_CODE = re.compile(r"(```.*?```|~~~.*?~~~|`[^`\n]*`)", re.S)
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$\w])\$(?=\S)([^$\n]+?)(?<=\S)\$(?!\w)", re.S)


def math_to_placeholders(markdown: str, found: dict[str, str]) -> str:
    """Replace ``$...$`` and ``$$...$$`` (outside code) by placeholders; ``found`` maps each to its MathML."""
    from latex2mathml.converter import convert

    def replace(match: re.Match) -> str:
        display, latex = ("block", match.group(1)) if match.group(1) is not None else ("inline", match.group(2))
        try:
            mathml = convert(latex.strip(), display=display)
        except Exception as exc:
            raise BuildError(f"cannot write the maths {match.group(0)!r} as MathML: {exc}") from None
        key = f"MATHPLACEHOLDER{len(found)}X"
        found[key] = mathml
        return key

    parts = _CODE.split(markdown)
    return "".join(part if i % 2 else _MATH.sub(replace, part) for i, part in enumerate(parts))


# ============================================================================ rendering


def _exporter() -> Any:
    from nbconvert import HTMLExporter
    from traitlets.config import Config

    config = Config()
    config.HTMLExporter.extra_template_paths = [str(THEME)]
    config.HTMLExporter.template_name = "lab"
    config.HTMLExporter.template_file = "notebook.html.j2"
    config.HTMLExporter.preprocessors = ["nbconvert.preprocessors.ExtractOutputPreprocessor"]
    config.HTMLExporter.anchor_link_text = "#"
    return HTMLExporter(config=config)


@dataclass
class Course:
    """What every page needs to know: the title, where the course lives, and the pages in order."""

    title: str
    intro_html: str
    repository: str
    branch: str
    pages: list[Page]
    root: Path = REPO_ROOT            # the repository's folder: links to its files go to GitHub

    def colab(self, page: Page) -> str:
        return colab_url(self.repository, self.branch, page.stem)


def _site_links(html: str, course: Course, page_dir: Path, out_dir: Path) -> str:
    """Point the links of a notebook's (or the README's) text at what the site has.

    ``X.ipynb`` of the course becomes its page; a picture from the repository is copied into
    the site; a link to another file of the repository goes to it on GitHub. A picture that
    names no file is left as it is (the site check then reports the missing figure).
    """
    notebooks = {p.source.resolve(): p.html_name for p in course.pages}

    def rewrite(match: re.Match) -> str:
        attr, quote, url = match.group(1), match.group(2), match.group(3)
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or url.startswith(("#", "mailto:", "data:")) or not parts.path:
            return match.group(0)
        target = (page_dir / unquote(parts.path)).resolve()
        fragment = f"#{parts.fragment}" if parts.fragment else ""
        if target in notebooks:
            return f"{attr}={quote}{notebooks[target]}{fragment}{quote}"
        if not target.exists() or course.root.resolve() not in target.parents:
            return match.group(0)
        relative = target.relative_to(course.root.resolve()).as_posix()
        if attr == "src" and target.is_file():
            copied = out_dir / "assets" / "figures" / relative
            copied.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(target, copied)
            return f"{attr}={quote}assets/figures/{relative}{quote}"
        kind = "tree" if target.is_dir() else "blob"
        return f"{attr}={quote}{course.repository}/{kind}/{course.branch}/{relative}{fragment}{quote}"

    return re.sub(r"""\b(href|src)=(["'])([^"']*)\2""", rewrite, html)


def _main_part(html: str) -> tuple[str, str, str]:
    """(before, inside, after) the page's <main> element: the notebook's own content is inside."""
    start = re.search(r"<main\b", html).start()
    end = html.rindex("</main>")
    return html[:start], html[start:end], html[end:]


def render_page(nb: dict[str, Any], page: Page, course: Course, out_dir: Path, exporter: Any = None) -> None:
    """Write ``page``'s HTML and its pictures into ``out_dir`` (``exporter``: one from :func:`_exporter`)."""
    import nbformat
    from nbformat.v4.rwbase import rejoin_lines

    maths: dict[str, str] = {}
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            try:
                cell["source"] = math_to_placeholders(source_text(cell), maths)
            except BuildError as exc:
                raise BuildError(f"notebooks/{page.source.name}: {exc}") from None
    index = course.pages.index(page)
    resources = {
        "metadata": {"name": page.title},
        "output_files_dir": f"{page.stem}_files",
        "unique_key": page.stem,
        "site": {
            "page": page,
            "course": course,
            "number": index + 1,
            "previous": course.pages[index - 1] if index > 0 else None,
            "next": course.pages[index + 1] if index + 1 < len(course.pages) else None,
            "colab": course.colab(page),
            "download": f"notebooks/{page.source.name}",
            "live_note": LIVE_NOTE,
        },
    }
    notebook = rejoin_lines(nbformat.from_dict(nb))  # sources as strings, as nbconvert expects
    body, resources = (exporter or _exporter()).from_notebook_node(notebook, resources=resources)
    for key, mathml in maths.items():
        if key not in body:
            raise BuildError(f"notebooks/{page.source.name}: a formula went missing while rendering")
        body = body.replace(key, mathml)
    before, inside, after = _main_part(body)
    body = before + _site_links(inside, course, page.source.parent, out_dir) + after
    (out_dir / page.html_name).write_text(body, encoding="utf-8")
    for filename, data in resources.get("outputs", {}).items():
        target = out_dir / filename
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def readme_course(readme: Path, notebooks: list[Path]) -> tuple[str, str, dict[str, str]]:
    """(title, introduction as Markdown, notebook file name -> what you do in it) from the README."""
    text = readme.read_text(encoding="utf-8")
    title = re.search(r"^# (.+)$", text, re.M)
    if title is None:
        raise BuildError("README.md has no title (a first line '# ...')")
    start, end = text.find(INTRO_START), text.find(INTRO_END)
    if start < 0 or end < start:
        raise BuildError(f"README.md must mark the introduction that the site's index shows with "
                         f"{INTRO_START} ... {INTRO_END}")
    intro = text[start + len(INTRO_START):end].strip()
    summaries = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        for i, cell in enumerate(cells[:-1]):
            match = re.search(r"\]\(notebooks/([\w-]+\.ipynb)\)", cell)
            if match:
                summaries[match.group(1)] = cells[i + 1]
    missing = [p.name for p in notebooks if p.name not in summaries]
    if missing:
        raise BuildError(f"README.md's table of notebooks has no row for {', '.join(missing)}")
    return title.group(1).strip(), intro, summaries


def markdown_html(markdown: str) -> str:
    """Markdown as HTML, the way nbconvert renders a notebook's text (maths as MathML)."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    maths: dict[str, str] = {}
    html = markdown2html_mistune(math_to_placeholders(markdown, maths))
    for key, mathml in maths.items():
        html = html.replace(key, mathml)
    return html


def notebook_title(nb: dict[str, Any], fallback: str) -> str:
    for cell in nb["cells"]:
        if cell["cell_type"] == "markdown":
            match = re.search(r"^# (.+)$", source_text(cell), re.M)
            if match:
                return match.group(1).strip()
    return fallback


def _templates() -> Any:
    import jinja2
    import markupsafe

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["markdown"] = lambda text: markupsafe.Markup(markdown_html(text))
    return env


def render_index(course: Course, out_dir: Path) -> None:
    import markupsafe

    html = _templates().get_template("index.html.j2").render(
        course=course, intro=markupsafe.Markup(course.intro_html), archive=f"{course.repository}/archive/refs/heads/"
        f"{course.branch}.zip")
    (out_dir / "index.html").write_text(html, encoding="utf-8")


def write_assets(out_dir: Path) -> None:
    """The one stylesheet every page shares (the site's own plus the code colours, from pygments) and the icon."""
    from pygments.formatters import HtmlFormatter

    assets = out_dir / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    code_colours = HtmlFormatter(style="default").get_style_defs(".highlight")
    css = (THEME / "site.css").read_text(encoding="utf-8") + "\n/* code colours (pygments 'default') */\n"
    (assets / "site.css").write_text(css + code_colours + "\n", encoding="utf-8")
    shutil.copyfile(THEME / "favicon.svg", assets / "favicon.svg")


# ============================================================================ checking the result


@dataclass
class SiteReport:
    total_bytes: int
    page_bytes: dict[str, int]
    problems: list[str]


class _PageFacts(HTMLParser):
    """What the site check needs from a page: ids, pictures, loaded files, links and headings."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.images: list[tuple[str, str]] = []   # (src, alt)
        self.loads: list[str] = []                # stylesheets and scripts
        self.links: list[str] = []
        self.headings: list[int] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "img":
            self.images.append((values.get("src", ""), values.get("alt", "")))
        elif tag in ("link", "script") and (values.get("href") or values.get("src")):
            self.loads.append(values.get("href") or values.get("src"))
        elif tag == "a" and "href" in values:
            self.links.append(values["href"])
        elif re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def check_site(out_dir: Path) -> SiteReport:
    """Check the built site: budgets, alt text, headings in order, and that every local link and picture exists."""
    problems: list[str] = []
    page_bytes: dict[str, int] = {}
    pages = sorted(out_dir.glob("*.html"))
    if not pages:
        return SiteReport(0, {}, [f"{out_dir} holds no pages"])
    facts: dict[Path, _PageFacts] = {}
    for path in pages:
        facts[path] = _PageFacts()
        facts[path].feed(path.read_text(encoding="utf-8"))
    for path, page in facts.items():
        name = path.name
        loaded = {path}
        for src, alt in page.images:
            if not alt.strip():
                problems.append(f"{name}: a picture without alt text ({src[:60]})")
            target = _local(out_dir, path, src)
            if target is None:
                problems.append(f"{name}: a picture that is not part of the site ({src[:60]})")
            elif not target.is_file():
                problems.append(f"{name}: a figure is missing: {src}")
            else:
                loaded.add(target)
        for url in page.loads:
            target = _local(out_dir, path, url)
            if target is None or not target.is_file():
                problems.append(f"{name}: loads {url}, which is not part of the site")
            else:
                loaded.add(target)
        for href in page.links:
            parts = urlsplit(href)
            if parts.scheme in ("http", "https", "mailto"):
                continue
            target = path if not parts.path else _local(out_dir, path, parts.path)
            if target is None or not target.exists():
                problems.append(f"{name}: a broken link to {href}")
            elif (parts.fragment and target.suffix == ".html"
                  and not {parts.fragment, unquote(parts.fragment)} & facts[target].ids):
                problems.append(f"{name}: a link to {href}, but that page has no such place")
        levels = page.headings
        if levels.count(1) != 1 or (levels and levels[0] != 1):
            problems.append(f"{name}: must have exactly one h1, as its first heading (has {levels[:3]}...)")
        for before, after in zip(levels, levels[1:]):
            if after > before + 1:
                problems.append(f"{name}: headings skip a level (h{before} then h{after})")
                break
        page_bytes[name] = sum(p.stat().st_size for p in loaded)
        if page_bytes[name] > MAX_PAGE_BYTES:
            problems.append(f"{name}: weighs {page_bytes[name] / 2**20:.2f} MB with what it loads "
                            f"(budget {MAX_PAGE_BYTES / 2**20:.2f} MB)")
    total = sum(p.stat().st_size for p in out_dir.rglob("*") if p.is_file())
    if total > MAX_SITE_BYTES:
        problems.append(f"the site weighs {total / 2**20:.2f} MB (budget {MAX_SITE_BYTES / 2**20:.2f} MB)")
    return SiteReport(total, page_bytes, problems)


def _local(out_dir: Path, page: Path, url: str) -> Path | None:
    """The file in the site that ``url`` (relative to ``page``) names, or None for anything else."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith("data:"):
        return None
    target = (page.parent / unquote(parts.path)).resolve()
    return target if out_dir.resolve() in (target, *target.parents) else None


# ============================================================================ the whole build


SITE_MARK = ".nojekyll"  # every built site has it (GitHub Pages serves the files as they are)


def _empty_site_folder(folder: Path) -> None:
    """Remove an earlier build in ``folder``; refuse to empty a folder that holds something else."""
    if not folder.exists():
        return
    if not folder.is_dir() or (any(folder.iterdir()) and not (folder / SITE_MARK).exists()):
        raise BuildError(f"{folder} exists and is not a site built by this tool: choose another --out")
    shutil.rmtree(folder)


def build(out_dir: Path = DEFAULT_OUT, executed_dir: Path = DEFAULT_EXECUTED, *, rerun: bool = False,
          notebooks: list[Path] | None = None, readme: Path = REPO_ROOT / "README.md") -> SiteReport:
    """Build the site into ``out_dir`` (emptied first); raise BuildError for anything it must not publish."""
    started = time.perf_counter()
    notebooks = course_notebooks() if notebooks is None else notebooks
    if not notebooks:
        raise BuildError("there are no notebooks to build a site from")
    title, intro, summaries = readme_course(readme, notebooks)
    repository, branch = read_course_location()
    copies = executed_notebooks(notebooks, executed_dir, rerun=rerun)
    executed = {nb: read_notebook(path) for nb, path in copies.items()}
    pages = [Page(nb, title=notebook_title(executed[nb], nb.stem), summary=summaries[nb.name]) for nb in notebooks]
    course = Course(title=title, intro_html="", repository=repository, branch=branch, pages=pages,
                    root=readme.parent)
    prepared = {page.source: prepare(executed[page.source], page) for page in pages}

    final_dir, out_dir = out_dir, out_dir.with_name(out_dir.name + ".partial")  # moved into place once checked
    for folder in (final_dir, out_dir):
        _empty_site_folder(folder)
    out_dir.mkdir(parents=True)
    course.intro_html = _site_links(markdown_html(intro), course, readme.parent, out_dir)
    write_assets(out_dir)
    (out_dir / SITE_MARK).write_text("")
    (out_dir / "notebooks").mkdir()
    exporter = _exporter()
    for page in pages:
        render_page(prepared[page.source], page, course, out_dir, exporter)
        stripped = strip_outputs(read_notebook(page.source))
        (out_dir / "notebooks" / page.source.name).write_text(dump_notebook(stripped), encoding="utf-8")
    render_index(course, out_dir)

    report = check_site(out_dir)
    if report.problems:
        raise BuildError(f"the built site has problems (the pages are left in {out_dir}):\n  "
                         + "\n  ".join(report.problems))
    out_dir.rename(final_dir)
    out_dir = final_dir
    for page in pages:
        for warning in page.warnings:
            print(f"  note: {warning}")
    largest = max(report.page_bytes, key=report.page_bytes.get)
    print(f"site: {out_dir} — {len(pages) + 1} pages, {report.total_bytes / 2**20:.1f} MB in all, largest page "
          f"{largest} {report.page_bytes[largest] / 2**20:.2f} MB; built in {time.perf_counter() - started:.0f} s")
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where the site goes (emptied first)")
    parser.add_argument("--executed", type=Path, default=DEFAULT_EXECUTED,
                        help="executed copies of the notebooks: current ones are reused, the others run again here")
    parser.add_argument("--rerun", action="store_true", help="run every notebook again, even with a current copy")
    args = parser.parse_args(argv)
    try:
        build(args.out.resolve(), args.executed.resolve(), rerun=args.rerun)
    except BuildError as exc:
        print(f"site build failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
