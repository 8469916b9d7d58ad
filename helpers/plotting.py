"""Plotting plumbing: live figures that redraw in place, in every front end.

With ipympl (``%matplotlib widget``) a figure is an interactive canvas that can be
clicked; without it, the figure is shown as a PNG image widget that is re-rendered on
each change. Either way the displayed object also carries a static PNG, so an executed
notebook read without a kernel (an HTML export, GitHub) still shows the picture.
"""

from __future__ import annotations

import base64
import io
from typing import Any

import matplotlib
from matplotlib.figure import Figure


def interactive_backend() -> bool:
    """True when matplotlib draws through ipympl (figures are clickable widgets)."""
    return "ipympl" in matplotlib.get_backend().lower() or matplotlib.get_backend().lower() == "widget"


def new_figure(figsize: tuple[float, float] = (6.0, 4.0), **subplots: Any) -> tuple[Figure, Any]:
    """A figure and its axes that are not shown until you display them (see :class:`LiveFigure`).

    Keyword arguments go to ``Figure.subplots`` (``nrows``, ``ncols``, ``gridspec_kw`` ...).
    """
    if not (isinstance(figsize, tuple) and len(figsize) == 2 and all(isinstance(v, (int, float)) for v in figsize)):
        raise TypeError(f"figsize must be a (width, height) tuple of numbers, got {figsize!r}")
    if interactive_backend():
        import matplotlib.pyplot as plt

        with plt.ioff():
            fig = plt.figure(figsize=figsize, layout="constrained")
        fig.canvas.header_visible = False
        fig.canvas.toolbar_position = "right"
    else:
        fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(**subplots)
    return fig, axes


def figure_png(fig: Figure, dpi: int = 90) -> bytes:
    """The figure rendered to PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class LiveFigure:
    """A figure shown as a widget that :meth:`refresh` redraws in place.

    Change the artists (``bar.set_height``, ``line.set_data``, ``scatter.set_offsets``)
    and call ``refresh()``; nothing else is redrawn.
    """

    def __init__(self, fig: Figure) -> None:
        if not isinstance(fig, Figure):
            raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
        import ipywidgets as widgets

        self.fig = fig
        self.interactive = interactive_backend() and isinstance(fig.canvas, widgets.DOMWidget)
        if self.interactive:
            self.widget = fig.canvas
        else:
            self.widget = widgets.Image(value=figure_png(fig), format="png")
            self.widget.layout.max_width = "100%"

    def refresh(self) -> None:
        """Redraw the figure after its artists changed."""
        if self.interactive:
            self.fig.canvas.draw_idle()
        else:
            self.widget.value = figure_png(self.fig)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return with_static_png(self.widget, self.fig)._repr_mimebundle_(**kwargs)


class with_static_png:  # noqa: N801 - reads like a function at the call site
    """Display ``widget`` live, with a PNG of ``fig`` beside it for front ends without widgets."""

    def __init__(self, widget: Any, fig: Figure) -> None:
        self.widget, self.fig = widget, fig

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        bundle = dict(self.widget._repr_mimebundle_(**kwargs) or {})
        bundle["image/png"] = base64.b64encode(figure_png(self.fig)).decode("ascii")
        return bundle


class LazyWidget:
    """Base for the explorers: controls are built on first display, beside a static PNG.

    A subclass sets ``self._view = None`` in ``__init__`` and implements ``_build()``,
    which must set ``self._view`` (the widget) and ``self._fig`` (its figure).
    """

    _view: Any = None
    _fig: Figure

    def _build(self) -> None:
        raise NotImplementedError

    def widget(self) -> Any:
        """The explorer as a widget (built on first use)."""
        if self._view is None:
            self._build()
        return self._view

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        view = self.widget()
        return with_static_png(view, self._fig)._repr_mimebundle_(**kwargs)
