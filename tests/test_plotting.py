"""Tests of helpers.plotting: live figures in both the static and the ipympl mode."""

from __future__ import annotations

import matplotlib
import pytest
from matplotlib.figure import Figure

from helpers import plotting


def test_new_figure_without_ipympl_is_a_plain_figure():
    fig, ax = plotting.new_figure(figsize=(3, 2))
    assert isinstance(fig, Figure) and ax.figure is fig


def test_new_figure_validates_figsize():
    with pytest.raises(TypeError, match="figsize must be"):
        plotting.new_figure(figsize=3)


def test_live_figure_static_mode_rerenders_the_png():
    fig, ax = plotting.new_figure(figsize=(3, 2))
    (line,) = ax.plot([0, 1], [0, 1])
    live = plotting.LiveFigure(fig)
    assert not live.interactive
    before = live.widget.value
    line.set_data([0, 1], [1, 0])
    live.refresh()
    assert bytes(live.widget.value) != bytes(before) and bytes(live.widget.value).startswith(b"\x89PNG")


def test_live_figure_rejects_non_figures():
    with pytest.raises(TypeError, match="fig must be a matplotlib Figure"):
        plotting.LiveFigure("figure")


def test_display_bundle_carries_a_static_png_beside_the_widget():
    fig, _ = plotting.new_figure(figsize=(3, 2))
    bundle = plotting.LiveFigure(fig)._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert bundle["image/png"]


def test_ipympl_mode_uses_the_canvas(monkeypatch):
    pytest.importorskip("ipympl")
    import matplotlib.pyplot as plt

    previous = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        fig, ax = plotting.new_figure(figsize=(3, 2))
        live = plotting.LiveFigure(fig)
        assert live.interactive and live.widget is fig.canvas
        live.refresh()
        plt.close(fig)
    finally:
        plt.switch_backend(previous)
