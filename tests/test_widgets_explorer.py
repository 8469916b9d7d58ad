"""The one way every explorer shows itself (helpers/widgets/explorer.py): as a cell's last
expression, its live widget with a still picture of its figure."""

from __future__ import annotations

import base64
import importlib
import inspect
import pkgutil
import types

import numpy as np
import pytest

import helpers.widgets
from helpers.plotting import WIDGET_VIEW, new_figure
from helpers.widgets.explorer import Explorer, latency_summary, toolbar_idle


def _explorer_classes() -> list[type]:
    found = []
    for info in pkgutil.iter_modules(helpers.widgets.__path__):
        module = importlib.import_module(f"helpers.widgets.{info.name}")
        found += [obj for name, obj in vars(module).items()
                  if inspect.isclass(obj) and name.endswith("Explorer") and obj.__module__ == module.__name__
                  and obj is not Explorer]
    return found


class _Slider(Explorer):
    """The smallest explorer: one slider above one figure, made on first use."""

    builds = 0

    def _build(self) -> None:
        import ipywidgets as widgets

        type(self).builds += 1
        self._figure, ax = new_figure((3.0, 2.0))
        ax.set_title("a slider's figure")
        self._widget = widgets.VBox([widgets.IntSlider()])


def test_every_explorer_is_shown_the_one_way():
    classes = _explorer_classes()
    assert len(classes) == 7, [c.__name__ for c in classes]
    for cls in classes:
        assert issubclass(cls, Explorer), f"{cls.__name__} does not show itself through the explorers' base"
        assert not hasattr(cls, "show"), f"{cls.__name__} has a show(): an explorer is a cell's last expression"
        assert "_repr_mimebundle_" not in vars(cls), f"{cls.__name__} displays itself its own way"


def test_the_display_is_the_live_widget_and_a_picture_of_the_figure():
    _Slider.builds = 0
    explorer = _Slider()
    assert _Slider.builds == 0  # nothing is made before it is needed
    bundle = explorer._repr_mimebundle_()
    assert WIDGET_VIEW in bundle and bundle[WIDGET_VIEW]["model_id"] == explorer.widget().model_id
    assert base64.b64decode(bundle["image/png"]) == explorer.static_png()
    assert explorer.fig.axes[0].get_title() == "a slider's figure"
    explorer._repr_mimebundle_()
    assert _Slider.builds == 1  # shown twice, made once


def test_an_explorer_without_its_build_says_so():
    with pytest.raises(NotImplementedError, match=r"Bare must make its widget and figure in _build\(\)"):
        type("Bare", (Explorer,), {})().widget()


@pytest.mark.parametrize("mode, idle", [("", True), ("zoom rect", False), ("pan/zoom", False), (None, True)])
def test_a_click_is_a_pick_only_while_the_toolbar_is_idle(mode, idle):
    fig, _ = new_figure((2.0, 2.0))
    fig.canvas.toolbar = types.SimpleNamespace(mode=mode)
    assert toolbar_idle(fig) is idle


def test_a_figure_without_a_toolbar_takes_every_click():
    fig, _ = new_figure((2.0, 2.0))
    fig.canvas.toolbar = None
    assert toolbar_idle(fig)


def test_latency_summary_in_milliseconds():
    times = [0.010, 0.020, 0.030, 0.040, 0.100]
    summary = latency_summary(times)
    assert summary["n"] == 5 and summary["max_ms"] == pytest.approx(100.0)
    assert summary["p50_ms"] == pytest.approx(30.0)
    assert summary["p95_ms"] == pytest.approx(np.percentile([10, 20, 30, 40, 100], 95))
