"""What every explorer is to a notebook: it shows itself when a cell ends with it.

>>> explorer = OneHotExplorer(colours)
>>> explorer          # the cell's last expression: the live explorer, with a still picture of it

A front end with widgets (JupyterLab, Notebook, VS Code, Colab's ipywidgets 7) shows the
controls and the figure; a copy read without a kernel (an HTML export, the course's web
pages, GitHub) shows the picture of the figure. Every explorer is shown this way: none has
a ``show()``.

An explorer subclasses :class:`Explorer` and makes its controls and figure in ``_build()``,
which sets ``self._widget`` (one widget that holds them all) and ``self._figure``. It runs
once, when the explorer is first shown or its :meth:`~Explorer.widget` or
:attr:`~Explorer.fig` is first asked for; the explorer's logic (selection, neighbours,
caching) works without it, so that tests call it without a browser. An explorer whose state
lives in its figure builds it at once, in ``__init__``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from helpers.plotting import figure_png, with_static_png

__all__ = ["Explorer", "latency_summary", "toolbar_idle"]


class Explorer:
    """Base of the explorers: displayed as the last expression of a cell (see the module's text)."""

    _widget: Any = None
    _figure: Figure | None = None

    def _build(self) -> None:
        """Make the controls and the figure: set ``self._widget`` and ``self._figure``."""
        raise NotImplementedError(f"{type(self).__name__} must make its widget and figure in _build()")

    def widget(self) -> Any:
        """The explorer as one widget: its controls and its figure (made on first use)."""
        if self._widget is None:
            self._build()
        return self._widget

    @property
    def fig(self) -> Figure:
        """The explorer's figure (made on first use)."""
        self.widget()
        return self._figure

    def static_png(self) -> bytes:
        """The figure as it is now, as PNG bytes."""
        return figure_png(self.fig)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return with_static_png(self.widget(), self.fig)._repr_mimebundle_(**kwargs)


def toolbar_idle(fig: Figure) -> bool:
    """Whether a click on ``fig`` is a pick: its toolbar (ipympl's) is not zooming or panning."""
    toolbar = getattr(fig.canvas, "toolbar", None)
    return not str(getattr(toolbar, "mode", "") or "")


def latency_summary(times: list[float]) -> dict[str, float]:
    """Timings of interactions (seconds) as the explorers report them: count, median, 95th percentile, worst (ms)."""
    ms = np.asarray(times) * 1000.0
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max())}
