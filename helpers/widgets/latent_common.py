"""What the latent explorer and the interpolation explorer share: argument checks, class
colours, image strips and the display of a figure with its widgets."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from helpers import palette, validation
from helpers.plotting import with_static_png

_SIDE = 28



def _check_codes(Z: Any, name: str, dim: int | None = None) -> np.ndarray:
    return validation.matrix(Z, name, cols=dim, what="latent codes, one row per image", dtype=np.float32,
                             flat_hint=False)


def _check_labels(labels: Any, n: int, class_names: Sequence[str] | None) -> tuple[np.ndarray | None, list[str]]:
    if labels is None:
        return None, []
    arr = validation.labels(labels, "labels", n, "Z", integers=True)
    if len(arr) and arr.min() < 0:
        raise validation.InvalidValue(f"labels must be class numbers from 0, got {arr.min()}")
    top = int(arr.max()) + 1 if len(arr) else 0
    if class_names is not None and (isinstance(class_names, str) or not isinstance(class_names, Sequence)):
        validation.fail("class_names", "a list of names", class_names, kind=validation.InvalidType)
    names = [str(c) for c in class_names] if class_names is not None else [str(c) for c in range(top)]
    if len(names) < top:
        raise validation.InvalidValue(f"class_names must name every label 0..{top - 1}, got {len(names)} names")
    return arr.astype(np.int64), names


def _check_steps(steps: Any) -> int:
    return validation.integer(steps, "steps", low=2, high=30, why=" (points on the path, both ends included)")


def _summary(times: list[float]) -> dict[str, float]:
    ms = np.asarray(times) * 1000.0
    return {"n": len(ms), "p50_ms": float(np.percentile(ms, 50)), "p95_ms": float(np.percentile(ms, 95)),
            "max_ms": float(ms.max())}


def _class_scatter(ax: Any, points: np.ndarray, labels: np.ndarray | None, names: list[str], *,
                   size: float = 4.0, alpha: float = 0.45) -> list[Any]:
    """Points coloured and shaped by class, one scatter per class so that a legend can name them;
    the class names are also written where their points sit."""
    if labels is None:
        return [ax.scatter(points[:, 0], points[:, 1], s=size, c="0.55", alpha=alpha, linewidths=0)]
    handles = []
    for label in np.unique(labels):
        mask = labels == label
        handles.append(ax.scatter(points[mask, 0], points[mask, 1], s=size, color=palette.class_colour(label),
                                  marker=palette.class_marker(label), alpha=alpha, linewidths=0,
                                  label=names[int(label)], rasterized=True))
    palette.label_classes(ax, points, labels, names)
    return handles


def _class_legend(fig: Figure, handles: list[Any]) -> None:
    if len(handles) > 1:
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5),
                            markerscale=3.0, fontsize=8, frameon=False, title="class (colour and shape of the points)",
                            title_fontsize=8)
        for handle in legend.legend_handles:
            handle.set_alpha(1.0)


def _strip(images: np.ndarray, gap: int = 2) -> np.ndarray:
    """Images side by side with white gaps: (28, steps * (28 + gap) - gap)."""
    steps = len(images)
    out = np.zeros((_SIDE, steps * (_SIDE + gap) - gap), dtype=np.float32)
    for k, image in enumerate(images):
        out[:, k * (_SIDE + gap) : k * (_SIDE + gap) + _SIDE] = image
    return out


class _Displayable:
    """Shows ``self.widget`` live and a PNG of ``self.fig`` for front ends without widgets."""

    fig: Figure
    widget: Any

    def _repr_mimebundle_(self, **kwargs: Any) -> dict[str, Any]:
        return with_static_png(self.widget, self.fig)._repr_mimebundle_(**kwargs)

    def static_png(self) -> bytes:
        """The figure as it is now, as PNG bytes."""
        from helpers.plotting import figure_png

        return figure_png(self.fig)


def _toolbar_idle(fig: Figure) -> bool:
    toolbar = getattr(fig.canvas, "toolbar", None)
    return not str(getattr(toolbar, "mode", "") or "")
