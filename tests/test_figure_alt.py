"""Tests of helpers.figure_alt: alt text from a figure's titles, attached when IPython displays it."""

from __future__ import annotations

import base64
import io
import types

import matplotlib
import numpy as np
import pytest
from IPython.core.formatters import DisplayFormatter
from matplotlib.figure import Figure

from helpers import figure_alt, plotting


def _figure(*titles, suptitle=None, **subplots):
    fig = Figure(figsize=(4, 3))
    axes = np.atleast_1d(fig.subplots(**subplots)).ravel()
    for ax, title in zip(axes, titles):
        ax.set_title(title)
    if suptitle:
        fig.suptitle(suptitle)
    return fig, axes


def _shell():
    """A stand-in for IPython's shell: its display formatter, with a PNG printer for figures."""
    formatter = DisplayFormatter()
    formatter.formatters["image/png"].for_type(
        Figure, lambda fig: base64.b64encode(plotting.figure_png(fig)).decode("ascii"))
    return types.SimpleNamespace(display_formatter=formatter)


THREE_COLOURS = [("red", (1, 0, 0)), ("green", (0, 1, 0)), ("blue", (0, 0, 1))]


# ----------------------------------------------------------------------------- the sentence


def test_one_title_is_the_sentence():
    fig, _ = _figure("the first 40 xkcd names as one-hot rows")
    assert figure_alt.alt_text(fig) == "The first 40 xkcd names as one-hot rows."


def test_panels_are_counted_and_listed_in_order():
    fig, _ = _figure("one-hot: every pair is √2 apart", "RGB values: red is nearer orange", ncols=2)
    assert figure_alt.alt_text(fig) == "Two panels: one-hot: every pair is √2 apart; RGB values: red is nearer orange."


def test_suptitle_comes_first_then_the_panels():
    fig, _ = _figure("pixels", "CNN", suptitle="Neighbours of one image", ncols=2)
    assert figure_alt.alt_text(fig) == "Neighbours of one image. Two panels: pixels; CNN."


def test_a_suptitle_alone_is_enough():
    fig, _ = _figure(suptitle="Ten classes of clothing", nrows=2, ncols=5)
    assert figure_alt.alt_text(fig) == "Ten classes of clothing."


def test_many_panels_are_cut_short_and_counted():
    titles = [f"{i}: class {i}" for i in range(20)]
    fig, _ = _figure(*titles, nrows=4, ncols=5)
    text = figure_alt.alt_text(fig)
    assert text.startswith("20 panels: 0: class 0; 1: class 1;")
    assert "11: class 11; and 8 more." in text and "class 12" not in text


def test_left_and_right_titles_are_joined_and_invisible_axes_skipped():
    fig, axes = _figure(ncols=3)
    axes[0].set_title("loss", loc="left")
    axes[0].set_title("epoch 5", loc="right")
    axes[1].set_title("hidden")
    axes[1].set_visible(False)
    axes[2].set_title("accuracy")
    assert figure_alt.alt_text(fig) == "Two panels: loss – epoch 5; accuracy."


def test_mathtext_becomes_words():
    fig, _ = _figure(r"distance $\sqrt{2}$ and cost in \$")
    assert figure_alt.alt_text(fig) == "Distance sqrt2 and cost in $."


def test_without_titles_the_axis_labels_describe_it():
    fig, (ax,) = _figure()
    ax.set_xlabel("epoch")
    ax.set_ylabel("training loss")
    assert figure_alt.alt_text(fig) == "A plot of training loss against epoch."


def test_a_bare_figure_says_it_has_no_title():
    fig, _ = _figure()
    assert figure_alt.alt_text(fig) == figure_alt.UNTITLED


def test_subfigure_suptitles_count():
    fig = Figure()
    left, right = fig.subfigures(1, 2)
    left.suptitle("pixel space")
    right.suptitle("embedding space")
    left.subplots().set_title("a")
    right.subplots().set_title("b")
    assert figure_alt.alt_text(fig) == "Pixel space; embedding space. Two panels: a; b."


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure, got str"):
        figure_alt.alt_text("a figure")
    with pytest.raises(TypeError, match="text must be a string, got int"):
        figure_alt.plain_text(3)


# ----------------------------------------------------------------------------- which figure


def test_figure_of_finds_the_figure_behind_course_objects():
    fig, _ = _figure("t")
    live = plotting.LiveFigure(fig)
    assert figure_alt.figure_of(fig) is fig
    assert figure_alt.figure_of(live) is fig
    assert figure_alt.figure_of(plotting.with_static_png(live.widget, fig)) is fig
    assert figure_alt.figure_of("not a figure") is None
    assert figure_alt.png_metadata(object()) == {}


def test_figure_of_an_explorer_is_its_built_figure():
    from helpers.widgets.onehot import OneHotExplorer

    explorer = OneHotExplorer(THREE_COLOURS, size=3, max_size=3)
    explorer.widget()
    fig = figure_alt.figure_of(explorer)
    assert isinstance(fig, Figure) and fig.get_axes()


# ----------------------------------------------------------------------------- IPython display


def test_a_displayed_figure_carries_its_alt_text():
    shell = _shell()
    assert figure_alt.register(shell)
    fig, _ = _figure("three colours")
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"]
    assert metadata["image/png"] == {"alt": "Three colours."}


def test_without_register_there_is_no_alt_text():
    shell = _shell()
    fig, _ = _figure("three colours")
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"] and "image/png" not in metadata


def test_a_figure_with_controls_is_marked_live_and_keeps_its_widget():
    import ipywidgets as widgets

    shell = _shell()
    figure_alt.register(shell)
    figure_alt.register(shell)  # twice is harmless
    fig, _ = _figure("one-hot vector of red")
    live = plotting.LiveFigure(fig)
    shown = plotting.with_static_png(widgets.VBox([widgets.IntSlider(), live.widget]), fig)
    data, metadata = shell.display_formatter.format(shown)
    assert "application/vnd.jupyter.widget-view+json" in data and data["image/png"]
    assert metadata["image/png"] == {"alt": "One-hot vector of red.", "live": True}


def test_a_lone_live_figure_is_described_but_not_marked_live():
    shell = _shell()
    figure_alt.register(shell)
    fig, _ = _figure("four epochs side by side")
    data, metadata = shell.display_formatter.format(plotting.LiveFigure(fig))
    assert "application/vnd.jupyter.widget-view+json" in data
    assert metadata["image/png"] == {"alt": "Four epochs side by side."}


def test_an_explorer_still_is_described():
    from helpers.widgets.onehot import OneHotExplorer

    shell = _shell()
    figure_alt.register(shell)
    explorer = OneHotExplorer(THREE_COLOURS, size=3, max_size=3)
    data, metadata = shell.display_formatter.format(explorer)
    assert data["image/png"]
    alt = metadata["image/png"]["alt"]
    assert metadata["image/png"]["live"] is True
    assert alt != figure_alt.UNTITLED and alt.endswith(".")
    titles = [ax.get_title() for ax in figure_alt.figure_of(explorer).get_axes() if ax.get_title()]
    assert titles and all(figure_alt.plain_text(t) in alt for t in titles[: figure_alt.MAX_TITLES])


def test_an_ipympl_canvas_is_described_but_not_marked_live():
    pytest.importorskip("ipympl")
    import matplotlib.pyplot as plt

    shell = _shell()
    figure_alt.register(shell)
    previous = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        fig, ax = plt.subplots()
        ax.set_title("reconstructions")
        data, metadata = shell.display_formatter.format(fig.canvas)
        plt.close(fig)
    finally:
        plt.switch_backend(previous)
    assert "application/vnd.jupyter.widget-view+json" in data
    assert metadata["image/png"] == {"alt": "Reconstructions."}


def test_a_failing_description_never_hides_the_figure(monkeypatch):
    shell = _shell()
    figure_alt.register(shell)

    def broken(fig):
        raise RuntimeError("boom")

    monkeypatch.setattr(figure_alt, "alt_text", broken)
    fig, _ = _figure("t")
    data, metadata = shell.display_formatter.format(_ViewExplorer(fig))
    assert data["image/png"] and "image/png" not in metadata
    data, metadata = shell.display_formatter.format(fig)
    assert data["image/png"]


class _ViewExplorer:
    """Like the projection explorers: the widget and its figure live in a view."""

    def __init__(self, fig):
        self.view = types.SimpleNamespace(fig=fig, widget=plotting.LiveFigure(fig).widget)

    def _repr_mimebundle_(self, **kwargs):
        return plotting.with_static_png(self.view.widget, self.view.fig)._repr_mimebundle_(**kwargs)


def test_an_explorer_that_keeps_its_figure_in_a_view_is_described():
    shell = _shell()
    figure_alt.register(shell)
    fig, _ = _figure("the CNN embedding (UMAP)")
    data, metadata = shell.display_formatter.format(_ViewExplorer(fig))
    assert data["image/png"] and metadata["image/png"] == {"alt": "The CNN embedding (UMAP).", "live": True}


def test_everything_else_is_displayed_as_before():
    class Bundle:
        def _repr_mimebundle_(self, include=None, exclude=None):
            return {"text/plain": "a bundle", "text/html": "<b>a bundle</b>"}

    plain, described = _shell(), _shell()
    figure_alt.register(described)
    for obj in (3, "text", Bundle(), Bundle, {"a": 1}, np.arange(3)):
        assert described.display_formatter.format(obj) == plain.display_formatter.format(obj), obj


def test_register_outside_ipython_says_no():
    assert figure_alt.register(types.SimpleNamespace()) is False


def test_the_png_is_unchanged_by_the_description():
    from PIL import Image

    shell = _shell()
    figure_alt.register(shell)
    fig, _ = _figure("t")
    data, _ = shell.display_formatter.format(plotting.LiveFigure(fig))
    image = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    assert image.size[0] > 100
