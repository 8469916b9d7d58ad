"""Every widget of every notebook, operated in a real browser (JupyterLab and Notebook 7).

For each notebook: open it, run all cells, check that no cell shows an error, then move
each widget the way a learner would and require that its picture changes. Screenshots
of each widget after interaction go to tests/artifacts/screenshots/.
"""

from __future__ import annotations

import inspect
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import harness as h  # noqa: E402

pytestmark = pytest.mark.browser

# ----------------------------------------------------------------------------- what to operate, per notebook
# Each entry: (name, source text that finds the cell, action(page, cell), which part must change).
# An action that claims a click on a figure also takes the server (keyword ``server``) and checks,
# in the kernel, that the click did what it claims.
Step = tuple[str, str, Callable, Callable]


def _figure(cell):
    return h.figure_of(cell)


def _output(cell):
    return h.output_of(cell)


def _click_point(page, cell, server, notebook: str, explorer: str) -> None:
    """Click a point of a projection explorer's map where the figure draws it; it must become the selection."""
    index = h.click_point(page, server, f"{notebook}.ipynb", cell, explorer)
    h.assert_selected(page, server, f"{notebook}.ipynb", index, explorer)


def _click_latent(page, cell, server, notebook: str) -> None:
    """Click the latent map at a place computed from its transform; the cursor must move there."""
    target = h.click_latent_map(page, server, f"{notebook}.ipynb", cell, "explorer", 0.3, 0.65)
    h.wait_kernel_idle(page)
    server.execute(f"{notebook}.ipynb", h.CURSOR_AT.format(explorer="explorer", x=target[0], y=target[1]))


STEPS: dict[str, list[Step]] = {
    "00_start_here": [
        ("one-hot slider", "widgets.SelectionSlider(", lambda page, cell: h.drag_slider(page, cell, 0.5), _figure),
    ],
    "01_one_hot_encoding": [
        ("vocabulary slider", "OneHotExplorer(", lambda page, cell: h.drag_slider(page, cell, 0.2), _figure),
        ("representation buttons", "OneHotExplorer(", lambda page, cell: h.click_toggle(cell, "RGB values"), _figure),
        ("colour picker", "OneHotExplorer(", lambda page, cell: h.choose_option(cell, 2), _figure),
    ],
    "02_embedding_layers": [
        ("typed words", "WordExplorer(", lambda page, cell: h.type_text(page, cell, "doctor, nurse, hospital"),
         _figure),
        ("word group", "WordExplorer(", lambda page, cell: h.choose(cell, "food"), _figure),
        ("map method", "WordExplorer(", lambda page, cell: h.click_toggle(cell, "t-SNE"), _figure),
        ("neighbour count", "WordExplorer(", lambda page, cell: h.drag_slider(page, cell, 0.2), _figure),
        ("unknown word", "WordExplorer(", lambda page, cell: h.type_text(page, cell, "coffee, qqqzx"), _output),
    ],
    "03_image_embeddings": [
        ("map method", "explorer = ProjectionExplorer(", lambda page, cell: h.click_toggle(cell, "PCA"), _figure),
        ("colour by class", "explorer = ProjectionExplorer(", lambda page, cell: h.click_checkbox(cell), _figure),
        ("pick by index", "explorer = ProjectionExplorer(",
         lambda page, cell: (h.fill_number(cell, 25), h.click_button(cell, "show")), _output),
        ("click a point", "explorer = ProjectionExplorer(",
         lambda page, cell, *, server: _click_point(page, cell, server, "03_image_embeddings", "explorer"), _output),
        ("space", "explorer = ProjectionExplorer(", lambda page, cell: h.choose(cell, "pixels"), _figure),
        ("epoch slider", "evolution.small_multiples()", lambda page, cell: h.drag_slider(page, cell, -0.6), _output),
    ],
    "04_latent_space": [
        ("latent x slider", "explorer = LatentExplorer(", lambda page, cell: h.drag_slider(page, cell, 0.2, index=0),
         _figure),
        ("latent y slider", "explorer = LatentExplorer(", lambda page, cell: h.drag_slider(page, cell, -0.2, index=1),
         _figure),
        ("decoded grid", "explorer = LatentExplorer(", lambda page, cell: h.click_checkbox(cell), _figure),
        ("click on the latent map", "explorer = LatentExplorer(",
         lambda page, cell, *, server: _click_latent(page, cell, server, "04_latent_space"), _figure),
        ("interpolation end", "walk = InterpolationExplorer(", lambda page, cell: h.type_text(page, cell, "7", index=1),
         _figure),
        ("interpolation steps", "walk = InterpolationExplorer(", lambda page, cell: h.drag_slider(page, cell, 0.3),
         _figure),
    ],
    "05_representations": [
        ("k slider", "explorer = StructureExplorer(", lambda page, cell: h.drag_slider(page, cell, 0.25), _figure),
        ("spaces compared", "explorer = StructureExplorer(", lambda page, cell: h.deselect_first(cell), _figure),
    ],
    "06_exercises": [
        ("layer picker", "layer_explorer = ProjectionExplorer(", lambda page, cell: h.choose(cell, "conv1"), _figure),
        ("pick by index", "layer_explorer = ProjectionExplorer(",
         lambda page, cell: (h.fill_number(cell, 40), h.click_button(cell, "show")), _output),
        ("neighbour count", "layer_explorer = ProjectionExplorer(",
         lambda page, cell: h.drag_slider(page, cell, 0.3, index=cell.locator(".widget-slider").count() - 1), _output),
    ],
}

# Notebook 7 covers the start notebook and one explorer.
NOTEBOOK7 = ["00_start_here", "02_embedding_layers"]

NOTEBOOKS = sorted(p.stem for p in (h.REPO_ROOT / "notebooks").glob("*.ipynb"))


def test_every_notebook_has_browser_steps():
    missing = [nb for nb in NOTEBOOKS if nb not in STEPS]
    assert not missing, f"notebooks without browser steps: {missing}"


@pytest.fixture(scope="module")
def browser():
    h.require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(h.CHROMIUM), args=h.CHROMIUM_FLAGS)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    return h.scratch_course(tmp_path_factory.mktemp("browser"))


@pytest.fixture(scope="module")
def cache(course_cache):
    """The session's course cache: models trained by the notebook runs (or here, once) are shared."""
    return course_cache


@pytest.fixture(scope="module", params=["lab", "notebook"])
def server(request, course, cache, tmp_path_factory):
    with h.JupyterServer(request.param, course, tmp_path_factory.mktemp(f"{request.param}-state"), cache) as srv:
        yield srv


def _operate(page, server, notebook: str) -> list[str]:
    h.open_notebook(page, server, f"{notebook}.ipynb")
    seconds = h.run_all(page)
    errors = h.cell_errors(page)
    assert not errors, f"{notebook}: cells show errors: {errors}"
    done = []
    for name, source, action, part in STEPS[notebook]:
        cell = h.cell_with(page, source)
        kernel = {"server": server} if "server" in inspect.signature(action).parameters else {}
        h.assert_changes(page, part(cell), lambda a=action, c=cell, k=kernel: a(page, c, **k), f"{notebook} / {name}")
        h.caught_up(page, server, f"{notebook}.ipynb", h.output_of(cell))   # the picture the action leads to
        shot = h.save_screenshot(h.output_of(cell), f"{server.kind}-{notebook}-{name.replace(' ', '-')}")
        checked = h.assert_full_redraw_matches(page, server, f"{notebook}.ipynb", cell, name)
        done.append(f"{name} -> {shot.name}{' (= full redraw)' if checked else ''}")
    assert not h.cell_errors(page), f"{notebook}: an interaction raised an error"
    print(f"[{server.kind}] {notebook}: ran all in {seconds:.1f} s; operated {len(done)} widgets: {done}")
    return done


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_widgets_respond(browser, server, notebook):
    if server.kind == "notebook" and notebook not in NOTEBOOK7:
        pytest.skip("Notebook 7 is checked on the start notebook and the word explorer")
    context = browser.new_context(viewport={"width": 1700, "height": 1050})
    page = context.new_page()
    try:
        _operate(page, server, notebook)
    finally:
        context.close()
    print(f"screenshots: {h.SCREENSHOTS}")
