"""Alt text for the course's figures: one sentence made from a figure's titles, which :func:`register` makes
IPython attach to every displayed PNG as ``{"image/png": {"alt": ...}}`` (the site writes it into ``<img alt>``).
"""

from __future__ import annotations

import re
import sys
from typing import Any

#: At most this many panel titles are listed; the rest are counted.
MAX_TITLES = 12

#: The text used when a figure has neither titles nor axis labels.
UNTITLED = "A figure without a title."

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def plain_text(text: str) -> str:
    """A title as words: mathtext's ``$`` and backslashes removed, lines joined, spaces squeezed."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, got {type(text).__name__}")
    text = re.sub(r"(?<!\\)\$", "", text)
    text = re.sub(r"\\([A-Za-z]+)", r"\1", text).replace("\\$", "$").replace("{", "").replace("}", "")
    return " ".join(text.split())


def figure_titles(fig: Any) -> tuple[list[str], list[str]]:
    """(suptitles of the figure and its subfigures, each axes' titles joined by " – "): visible, non-empty."""
    from matplotlib.figure import FigureBase

    if not isinstance(fig, FigureBase):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    suptitles: list[str] = []
    for figure in [fig, *getattr(fig, "subfigs", [])]:
        # the suptitle's Text (for its visibility); get_suptitle() gives only the string
        artist = getattr(figure, "_suptitle", None)
        if artist is not None and artist.get_visible() and (text := plain_text(artist.get_text())):
            suptitles.append(text)
    panels = []
    for ax in fig.get_axes():
        if not ax.get_visible():
            continue
        parts = [plain_text(ax.get_title(loc)) for loc in ("left", "center", "right")]
        text = " – ".join(part for part in parts if part)
        if text:
            panels.append(text)
    return suptitles, panels


def _axis_labels(fig: Any) -> str:
    """'y against x' for the first axes with axis labels, or ''."""
    for ax in fig.get_axes():
        x, y = plain_text(ax.get_xlabel()), plain_text(ax.get_ylabel())
        if x and y:
            return f"{y} against {x}"
        if x or y:
            return x or y
    return ""


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."


def alt_text(fig: Any) -> str:
    """One sentence describing ``fig`` from its titles (suptitle first), else its axis labels, else UNTITLED."""
    suptitles, panels = figure_titles(fig)
    if len(panels) > MAX_TITLES:
        shown = "; ".join(panels[:MAX_TITLES]) + f"; and {len(panels) - MAX_TITLES} more"
    else:
        shown = "; ".join(panels)
    if suptitles:
        head = _sentence("; ".join(suptitles))
        if not panels:
            return head
        return f"{head} {_count(len(panels))}: {shown}."
    if len(panels) == 1:
        return _sentence(panels[0])
    if panels:
        return f"{_count(len(panels))}: {shown}."
    labels = _axis_labels(fig)
    return _sentence(f"A plot of {labels}") if labels else UNTITLED


_NUMBERS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight", 9: "Nine", 10: "Ten"}


def _count(panels: int) -> str:
    return f"{_NUMBERS.get(panels, panels)} panels" if panels > 1 else "One panel"


def figure_of(obj: Any) -> Any:
    """The matplotlib figure ``obj`` is, or keeps in ``fig``/``figure`` (or its ``view`` does), or None."""
    figure_module = sys.modules.get("matplotlib.figure")
    if figure_module is None:  # matplotlib was never imported: nothing displayed is a figure
        return None
    if isinstance(obj, figure_module.Figure):
        return obj
    for holder in (obj, getattr(obj, "view", None)):
        for name in ("fig", "figure"):
            candidate = getattr(holder, name, None)
            if isinstance(candidate, figure_module.Figure):
                return candidate
    return None


def png_metadata(obj: Any, *, live: bool = False) -> dict[str, Any]:
    """``{"image/png": {"alt": ..., "live": ...}}`` for ``obj``'s PNG ({} without a figure); ``live`` marks a
    still of something the learner can operate."""
    fig = figure_of(obj)
    if fig is None:
        return {}
    meta: dict[str, Any] = {"alt": alt_text(fig)}
    if live:
        meta["live"] = True
    return {"image/png": meta}


def _is_canvas(obj: Any) -> bool:
    backend_bases = sys.modules.get("matplotlib.backend_bases")
    return backend_bases is not None and isinstance(obj, backend_bases.FigureCanvasBase)


def shows_only_its_figure(obj: Any) -> bool:
    """Whether the widget that ``obj`` displays is just its figure's picture (an ipympl canvas or an
    image widget, as a lone LiveFigure shows) rather than something with controls to operate."""
    widget = obj if _is_canvas(obj) else getattr(obj, "widget", None)
    widgets_module = sys.modules.get("ipywidgets")
    return _is_canvas(widget) or (widgets_module is not None and isinstance(widget, widgets_module.Image))


def describe(obj: Any) -> Any:
    """IPython's mime-bundle printer for every object: its own bundle (None without one), the PNG described;
    a PNG beside a widget is ``live`` unless the widget is only the picture (:func:`shows_only_its_figure`)."""
    figure_module = sys.modules.get("matplotlib.figure")
    if figure_module is not None and isinstance(obj, figure_module.Figure):
        try:
            return {}, png_metadata(obj)
        except Exception:  # a description must never stop a figure from showing
            return None
    from IPython.utils.dir2 import get_real_method

    method = get_real_method(obj, "_repr_mimebundle_")
    if method is None:
        return None
    bundle = method(include=None, exclude=None)  # as IPython itself calls it
    if not bundle:
        return bundle
    data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
    if not isinstance(data, dict) or "image/png" not in data:
        return bundle
    try:
        extra = png_metadata(obj, live=WIDGET_VIEW in data and not shows_only_its_figure(obj))
    except Exception:
        extra = {}
    metadata = dict(metadata or {})
    for mime, values in extra.items():
        metadata[mime] = {**metadata.get(mime, {}), **values}
    return data, metadata


def register(shell: Any = None) -> bool:
    """Make ``shell`` (default: the running IPython) describe every figure it displays; False outside IPython."""
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:
            return False
        shell = get_ipython()
    formatter = getattr(getattr(shell, "display_formatter", None), "mimebundle_formatter", None)
    if formatter is None:
        return False
    formatter.for_type(object, describe)
    return True
