"""The latent explorer and the interpolation explorer (notebook 04).

>>> explorer = LatentExplorer(net, Z_train, y_train, class_names)   # a 2-D autoencoder
>>> explorer                        # displays: the latent map, a cursor, the decoded image
>>> explorer.move_to([1.0, -0.5])   # what a click or the sliders do; returns the image
>>> walk = InterpolationExplorer(net, x_test, labels=y_test, class_names=class_names)
>>> walk.select_pair(3, 41)         # the straight path between two images' codes

With ipympl (``%matplotlib widget``) a click on the map moves the cursor (latent
explorer) or picks an image (interpolation explorer, A and B in turn); without it,
sliders and index boxes do the same. Every interaction redraws only the artists that
change (the cursor, the decoded image, the line): the rest of the figure is painted once
and kept as a background, so an interaction takes a few milliseconds plus one PNG
encoding. Each explorer also displays a static PNG for front ends without widgets.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from torch import nn

from helpers import palette, validation
from helpers.latent import (
    decode_points,
    encode_images,
    grid_extent,
    interpolate,
    latent_extent,
    latent_grid,
    lattice,
    pixel_blend,
)
from helpers.plotting import LiveFigure, new_figure, with_static_png
from helpers.widgets.picking import ClassPicker

__all__ = ["InterpolationExplorer", "LatentExplorer", "plot_latent_manifold"]

_SIDE = 28

# ----------------------------------------------------------------------------- checks


def _check_model(model: Any) -> nn.Module:
    if not (isinstance(model, nn.Module) and hasattr(model, "decode") and hasattr(model, "latent_dim")):
        validation.fail("model", "an autoencoder with encode, decode and latent_dim", model,
                        kind=validation.InvalidType, got=validation.type_name(model))
    validation.integer(model.latent_dim, "model.latent_dim", low=1)
    return model


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


# ----------------------------------------------------------------------------- display


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


# ----------------------------------------------------------------------------- latent explorer


class LatentExplorer(_Displayable):
    """A cursor on the 2-D latent map of an autoencoder and the image it decodes to.

    ``Z`` are latent codes to draw behind the cursor (e.g. of the training images), with
    their ``labels`` and ``class_names`` for colours and a legend. Move the cursor with
    a click on the map (ipympl) or with the two sliders; :meth:`move_to` does the same
    from code. :meth:`show_grid` lays the decoded lattice (the "manifold" picture) over
    the map. ``max_points`` draws a random subset of ``Z`` when it is large.
    """

    def __init__(
        self,
        model: nn.Module,
        Z: Any,
        labels: Any = None,
        class_names: Sequence[str] | None = None,
        *,
        start: Any = None,
        grid_size: int = 15,
        max_points: int | None = 12_000,
        seed: int = 0,
    ) -> None:
        import ipywidgets as widgets

        self.model = _check_model(model)
        if self.model.latent_dim != 2:
            raise validation.InvalidValue(
                f"LatentExplorer needs a model with a 2-D bottleneck (a plane to point at), "
                f"got latent_dim={self.model.latent_dim}"
            )
        self.Z = _check_codes(Z, "Z", 2)
        self.labels, self.class_names = _check_labels(labels, len(self.Z), class_names)
        self.grid_size = validation.integer(grid_size, "grid_size", low=2)
        if max_points is not None:
            max_points = validation.integer(max_points, "max_points", low=1, why=" (or None for all)")
        seed = validation.integer(seed, "seed", low=0)
        self.xlim, self.ylim = latent_extent(self.Z)
        shown = np.arange(len(self.Z))
        if max_points is not None and len(shown) > max_points:
            shown = np.sort(np.random.default_rng(seed).choice(len(shown), size=int(max_points), replace=False))
        self._position = np.array(
            [np.mean(self.xlim), np.mean(self.ylim)] if start is None else self._check_z(start, "start"),
            dtype=np.float32,
        )
        self._grid: np.ndarray | None = None
        self._syncing = False

        self.fig, (self.ax_map, self.ax_image) = new_figure(
            (9.6, 5.0), ncols=2, gridspec_kw={"width_ratios": [1.55, 1]}
        )
        handles = _class_scatter(self.ax_map, self.Z[shown], None if self.labels is None else self.labels[shown],
                                 self.class_names)
        self._scatter = handles
        self.grid_image = self.ax_map.imshow(
            np.zeros((2, 2)), cmap="gray_r", vmin=0, vmax=1, alpha=0.9, zorder=0.5, visible=False,
            extent=grid_extent(self.xlim, self.ylim, self.grid_size), interpolation="nearest",
        )
        self.ax_map.set_xlim(*self.xlim)
        self.ax_map.set_ylim(*self.ylim)
        self.ax_map.set_aspect("auto")
        self.ax_map.set_xlabel("latent dimension 1  (z₁)")
        self.ax_map.set_ylabel("latent dimension 2  (z₂)")
        self.ax_map.set_title("Latent map: each dot is one training image's code")
        self.cursor = self.ax_map.scatter(*self._position, s=220, marker="X", color="black",
                                          edgecolors="white", linewidths=1.5, zorder=5)
        self.image = self.ax_image.imshow(np.zeros((_SIDE, _SIDE)), cmap="gray_r", vmin=0, vmax=1)
        self.ax_image.set_xticks([])
        self.ax_image.set_yticks([])
        self.ax_image.set_title("Decoded image at the cursor ✕")
        self.ax_image.set_xlabel(" \n ")  # room for the read-out below the image
        self.readout = self.ax_image.text(0.5, -0.03, "", transform=self.ax_image.transAxes,
                                          ha="center", va="top", fontsize=9)
        _class_legend(self.fig, handles)

        self.live = LiveFigure(self.fig, animated=[self.cursor, self.image, self.readout])
        self.live.refresh()
        step_x = (self.xlim[1] - self.xlim[0]) / 200
        step_y = (self.ylim[1] - self.ylim[0]) / 200
        self.slider_x = widgets.FloatSlider(value=float(self._position[0]), min=self.xlim[0], max=self.xlim[1],
                                            step=step_x, description="z₁", readout_format=".2f",
                                            continuous_update=True)
        self.slider_y = widgets.FloatSlider(value=float(self._position[1]), min=self.ylim[0], max=self.ylim[1],
                                            step=step_y, description="z₂", readout_format=".2f",
                                            continuous_update=True)
        self.grid_toggle = widgets.Checkbox(value=False, description="show the decoded grid on the map",
                                            indent=False)
        for slider in (self.slider_x, self.slider_y):
            slider.observe(self._on_slider, names="value")
        self.grid_toggle.observe(lambda change: self.show_grid(change["new"]), names="value")
        how = ("Click the map (or use the sliders) to move the cursor."
               if self.live.interactive else "Move the sliders to move the cursor.")
        self.note = widgets.HTML(f"<small>{how}</small>")
        self.widget = widgets.VBox([
            self.note, widgets.HBox([self.slider_x, self.slider_y, self.grid_toggle]), self.live.widget,
        ])
        if self.live.interactive:
            self.fig.canvas.mpl_connect("button_press_event", self._on_click)
        self.move_to(self._position)

    # ---- logic (no browser needed)

    def _check_z(self, z: Any, name: str = "z") -> np.ndarray:
        return validation.vector(z, name, length=2, what=" (a latent point z₁, z₂)", dtype=np.float64)

    @property
    def position(self) -> np.ndarray:
        """The cursor's latent point (a copy)."""
        return self._position.astype(np.float64).copy()

    @property
    def decoded(self) -> np.ndarray:
        """The image shown now: the decoded cursor point, (28, 28) in [0, 1]."""
        return np.asarray(self.image.get_array(), dtype=np.float32).copy()

    def nearest_training_point(self, z: Any = None) -> int:
        """Index (into ``Z``) of the code nearest to ``z`` (default: the cursor)."""
        point = self._position if z is None else self._check_z(z)
        return int(np.argmin(((self.Z - point) ** 2).sum(axis=1)))

    def move_to(self, z: Any) -> np.ndarray:
        """Put the cursor at latent point ``z`` (2 numbers); redraw the cursor and the image.

        Points outside the map's range are allowed (the decoder extrapolates). Returns the
        decoded image (28, 28).
        """
        point = self._check_z(z)
        self._position = point.astype(np.float32)
        decoded = decode_points(self.model, self._position)
        self.cursor.set_offsets(self._position[None, :])
        self.image.set_data(decoded)
        text = f"z = ({point[0]:.2f}, {point[1]:.2f})"
        if self.labels is not None:
            nearest = self.nearest_training_point()
            text += f"\nnearest training code: {self.class_names[self.labels[nearest]]}"
        self.readout.set_text(text)
        self._sync_sliders()
        self.live.refresh_animated()
        return decoded

    def grid_images(self) -> np.ndarray:
        """The decoded lattice as one mosaic (computed once)."""
        if self._grid is None:
            self._grid = latent_grid(self.model, self.xlim, self.ylim, self.grid_size)
        return self._grid

    def grid_points(self) -> np.ndarray:
        """The lattice points of :meth:`grid_images`, (grid_size ** 2, 2), top row first."""
        return lattice(self.xlim, self.ylim, self.grid_size)

    def show_grid(self, visible: bool = True) -> None:
        """Lay the decoded lattice over the map (or take it away)."""
        visible = validation.boolean(visible, "visible")
        if visible:
            self.grid_image.set_data(self.grid_images())
        self.grid_image.set_visible(bool(visible))
        for scatter in self._scatter:
            scatter.set_alpha(0.12 if visible else 0.45)
        if self.grid_toggle.value != bool(visible):
            self.grid_toggle.value = bool(visible)  # its observer calls back once, harmlessly
        self.live.refresh()

    def measure_latency(self, n: int = 50, seed: int = 0) -> dict[str, float]:
        """Time ``n`` cursor moves to random points (decode + redraw + PNG); milliseconds."""
        rng = np.random.default_rng(seed)
        start = self.position
        times = []
        for _ in range(int(n)):
            z = [rng.uniform(*self.xlim), rng.uniform(*self.ylim)]
            began = time.perf_counter()
            self.move_to(z)
            times.append(time.perf_counter() - began)
        self.move_to(start)
        return _summary(times)

    # ---- events

    def _sync_sliders(self) -> None:
        self._syncing = True
        try:
            for slider, value in ((self.slider_x, self._position[0]), (self.slider_y, self._position[1])):
                clipped = float(np.clip(value, slider.min, slider.max))
                if abs(slider.value - clipped) > 1e-9:
                    slider.value = clipped
        finally:
            self._syncing = False

    def _on_slider(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self.move_to([self.slider_x.value, self.slider_y.value])

    def _on_click(self, event: Any) -> None:
        if event.inaxes is self.ax_map and event.xdata is not None and _toolbar_idle(self.fig):
            self.move_to([event.xdata, event.ydata])


# ----------------------------------------------------------------------------- interpolation


class InterpolationExplorer(_Displayable):
    """Walk in a straight line between the latent codes of two images, and decode the way.

    ``images`` are the images to choose from (e.g. the test set); ``Z`` their codes
    (computed with the model when left out). The map shows the codes (for a bottleneck
    wider than 2, their first two principal components: a straight line stays straight),
    the line from A to B and the points on it. Beside it: the decoded images along the
    line, and for contrast the pixel-space blend of A and B. Pick A and B by index (the
    boxes, or :meth:`select_pair`) or by clicking the map (ipympl; A and B in turn).
    """

    def __init__(
        self,
        model: nn.Module,
        images: Any,
        Z: Any = None,
        labels: Any = None,
        class_names: Sequence[str] | None = None,
        *,
        pair: tuple[int, int] = (0, 1),
        steps: int = 9,
    ) -> None:
        import ipywidgets as widgets

        self.model = _check_model(model)
        arr = validation.images(images, "images", side=_SIDE, at_least=2)
        self.images = arr.astype(np.float32) / 255.0 if arr.dtype == np.uint8 else arr.astype(np.float32)
        n = len(self.images)
        self.Z = encode_images(self.model, self.images) if Z is None else _check_codes(Z, "Z", self.model.latent_dim)
        if len(self.Z) != n:
            raise validation.InvalidValue(f"Z must hold one code per image: {n} images but {len(self.Z)} codes")
        self.labels, self.class_names = _check_labels(labels, n, class_names)
        self._steps = _check_steps(steps)
        pair = self._check_pair(pair, n)
        # the map: the codes themselves in 2-D, else their top two principal directions
        self._centre = self.Z.mean(axis=0)
        if self.model.latent_dim == 2:
            self._axes = np.eye(2, dtype=np.float32)
            xlabel, ylabel = "latent dimension 1  (z₁)", "latent dimension 2  (z₂)"
        else:
            _, _, vt = np.linalg.svd(self.Z - self._centre, full_matrices=False)
            self._axes = vt[:2].T.astype(np.float32)
            xlabel, ylabel = "principal direction 1 of the codes", "principal direction 2 of the codes"
        self.map_points = self.to_map(self.Z)
        self._next_end = 0
        self._syncing = False

        self.fig = new_figure((11.0, 4.6))[0]
        self.fig.clear()
        grid = self.fig.add_gridspec(2, 2, width_ratios=[1, 1.7])
        self.ax_map = self.fig.add_subplot(grid[:, 0])
        self.ax_walk = self.fig.add_subplot(grid[0, 1])
        self.ax_blend = self.fig.add_subplot(grid[1, 1])
        handles = _class_scatter(self.ax_map, self.map_points, self.labels, self.class_names, size=5, alpha=0.35)
        xlim, ylim = latent_extent(self.map_points)
        self.ax_map.set_xlim(*xlim)
        self.ax_map.set_ylim(*ylim)
        self.ax_map.set_xlabel(xlabel)
        self.ax_map.set_ylabel(ylabel)
        self.ax_map.set_title(f"The straight line from A to B in the {self.model.latent_dim}-D latent space")
        (self.line,) = self.ax_map.plot([], [], color="black", linewidth=1.8, zorder=4)
        self.path_dots = self.ax_map.scatter(np.zeros(self._steps), np.zeros(self._steps), s=22, color="white",
                                             edgecolors="black", linewidths=1.0, zorder=5)
        self.ends = self.ax_map.scatter([0, 0], [0, 0], s=150, marker="o", color="white",
                                        edgecolors="black", linewidths=2.0, zorder=6)
        label_style = dict(textcoords="offset points", fontsize=10, fontweight="bold", zorder=7,
                           bbox=dict(boxstyle="round,pad=0.2", facecolor="white", edgecolor="black", alpha=0.85))
        # each label sits beyond its end of the line (see select_pair), away from the other end
        self.label_a = self.ax_map.annotate("A", (0, 0), xytext=(0, 14), ha="center", va="center", **label_style)
        self.label_b = self.ax_map.annotate("B", (0, 0), xytext=(0, -14), ha="center", va="center", **label_style)
        blank = _strip(np.zeros((self._steps, _SIDE, _SIDE)))
        self.walk_image = self.ax_walk.imshow(blank, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        self.blend_image = self.ax_blend.imshow(blank, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        for ax, title in ((self.ax_walk, "Decoded along the line in latent space (A → B)"),
                          (self.ax_blend, "For contrast: blending the pixels of A and B")):
            ax.set_title(title, fontsize=10)
            ax.set_yticks([])
        self.ax_blend.set_xlabel("step along the path, from A to B")
        self._set_step_ticks()
        _class_legend(self.fig, handles)

        self.live = LiveFigure(self.fig, animated=[
            self.line, self.path_dots, self.ends, self.label_a, self.label_b,
            self.walk_image, self.blend_image,
        ])
        self.live.refresh()
        self.box_a = widgets.BoundedIntText(value=0, min=0, max=n - 1, description="image A",
                                            layout=widgets.Layout(width="170px"))
        self.box_b = widgets.BoundedIntText(value=1, min=0, max=n - 1, description="image B",
                                            layout=widgets.Layout(width="170px"))
        self.steps_slider = widgets.IntSlider(value=self._steps, min=3, max=15, description="steps",
                                              continuous_update=False)
        for box in (self.box_a, self.box_b):
            box.observe(self._on_boxes, names="value")
        self.steps_slider.observe(lambda change: self.set_steps(change["new"]), names="value")
        how = ("Click the map to pick image A, then B (or type their indices)."
               if self.live.interactive else f"Type two image indices (0 to {n - 1}).")
        self.note = widgets.HTML(f"<small>{how}</small>")
        # beside each box: pick its image by class and step through that class
        self.pickers = [] if self.labels is None else [ClassPicker(box, self.labels, self.class_names, what="image")
                                                        for box in (self.box_a, self.box_b)]
        rows = [widgets.HBox([box, picker.widget]) for box, picker in zip((self.box_a, self.box_b), self.pickers)]
        self.widget = widgets.VBox([self.note, *(rows or [widgets.HBox([self.box_a, self.box_b])]),
                                    self.steps_slider, self.live.widget])
        if self.live.interactive:
            self.fig.canvas.mpl_connect("button_press_event", self._on_click)
        self.select_pair(*pair)

    # ---- logic (no browser needed)

    @staticmethod
    def _check_pair(pair: Any, n: int) -> tuple[int, int]:
        if isinstance(pair, (str, bytes)) or np.ndim(pair) != 1 or len(pair) != 2:
            validation.fail("pair", "two image indices (i, j)", pair, kind=validation.InvalidType)
        return (validation.index(pair[0], "pair[0]", n, "images"), validation.index(pair[1], "pair[1]", n, "images"))

    def to_map(self, Z: Any) -> np.ndarray:
        """Latent codes -> the 2-D coordinates of the map (the codes themselves for a 2-D bottleneck)."""
        codes = np.atleast_2d(np.asarray(Z, dtype=np.float32))
        if self.model.latent_dim == 2:
            return codes.copy()
        return (codes - self._centre) @ self._axes

    @property
    def pair(self) -> tuple[int, int]:
        """The indices of images A and B."""
        return self._pair

    @property
    def steps(self) -> int:
        return self._steps

    def path(self) -> np.ndarray:
        """The latent points of the walk: (steps, latent_dim), from A's code to B's code."""
        return self._path.copy()

    def decoded(self) -> np.ndarray:
        """The decoded images along the walk: (steps, 28, 28) in [0, 1]."""
        return self._decoded.copy()

    def blended(self) -> np.ndarray:
        """The pixel-space blend of A and B: (steps, 28, 28) in [0, 1]."""
        return self._blended.copy()

    def select_pair(self, i: int, j: int) -> np.ndarray:
        """Walk from image ``i`` (A) to image ``j`` (B); redraw the line and the two strips.

        Returns the path (steps, latent_dim).
        """
        n = len(self.images)
        i, j = validation.index(i, "i", n, "images"), validation.index(j, "j", n, "images")
        self._pair = (i, j)
        self._path = interpolate(self.Z[i], self.Z[j], self._steps)
        self._decoded = decode_points(self.model, self._path)
        self._blended = pixel_blend(self.images[i], self.images[j], self._steps)
        on_map = self.to_map(self._path)
        self.line.set_data(on_map[[0, -1], 0], on_map[[0, -1], 1])
        self.path_dots.set_offsets(on_map)
        self.ends.set_offsets(on_map[[0, -1]])
        self.label_a.xy = tuple(on_map[0])
        self.label_b.xy = tuple(on_map[-1])
        start, end = self.ax_map.transData.transform(on_map[[0, -1]])
        direction = end - start
        length = float(np.hypot(*direction))
        unit = direction / length if length > 1e-9 else np.array([0.0, -1.0])
        self.label_a.xyann = tuple(-22.0 * unit)
        self.label_b.xyann = tuple(22.0 * unit)
        to_axes = self.ax_map.transAxes.inverted()
        for label, letter, index, point in ((self.label_a, "A", i, start), (self.label_b, "B", j, end)):
            name = f": {self.class_names[self.labels[index]]}" if self.labels is not None else ""
            label.set_text(f"{letter}{name} (#{index})")
            # a label near an edge of the map grows towards its middle, so that it is never cut off
            fx, fy = to_axes.transform(point + np.asarray(label.xyann) * self.ax_map.figure.dpi / 72)
            label.set_horizontalalignment("left" if fx < 0.3 else "right" if fx > 0.7 else "center")
            label.set_verticalalignment("bottom" if fy < 0.15 else "top" if fy > 0.85 else "center")
        self.walk_image.set_data(_strip(self._decoded))
        self.blend_image.set_data(_strip(self._blended))
        self._sync_boxes()
        self.live.refresh_animated()
        return self.path()

    def set_steps(self, steps: int) -> np.ndarray:
        """Change the number of points on the path (2-30); returns the new path."""
        self._steps = _check_steps(steps)
        self._set_step_ticks()
        if self.steps_slider.value != self._steps and self.steps_slider.min <= self._steps <= self.steps_slider.max:
            self.steps_slider.value = self._steps
        path = self.select_pair(*self._pair)
        self.live.refresh()  # the strips changed width: the axes must be redrawn
        return path

    def pick_at(self, x: float, y: float) -> int:
        """Make the image whose code is nearest to map point (x, y) the next end (A, then B).

        This is what a click on the map does. Returns the picked image's index.
        """
        point = np.array([validation.number(x, "x"), validation.number(y, "y")], dtype=np.float64)
        index = int(np.argmin(((self.map_points - point) ** 2).sum(axis=1)))
        a, b = self._pair
        if self._next_end == 0:
            self.select_pair(index, b)
        else:
            self.select_pair(a, index)
        self._next_end = 1 - self._next_end
        return index

    def measure_latency(self, n: int = 50, seed: int = 0) -> dict[str, float]:
        """Time ``n`` changes of the pair (decode the path + blend + redraw + PNG); milliseconds."""
        rng = np.random.default_rng(seed)
        start = self._pair
        times = []
        for _ in range(int(n)):
            i, j = (int(v) for v in rng.integers(0, len(self.images), 2))
            began = time.perf_counter()
            self.select_pair(i, j)
            times.append(time.perf_counter() - began)
        self.select_pair(*start)
        return _summary(times)

    # ---- events

    def _set_step_ticks(self) -> None:
        centres = [k * (_SIDE + 2) + _SIDE / 2 - 0.5 for k in range(self._steps)]
        for ax in (self.ax_walk, self.ax_blend):
            names = ["A", *(str(k) for k in range(1, self._steps - 1)), "B"]
            ax.set_xticks(centres, names, fontsize=8)
            ax.set_xlim(-0.5, self._steps * (_SIDE + 2) - 2 - 0.5)
        for image in (getattr(self, "walk_image", None), getattr(self, "blend_image", None)):
            if image is not None:
                image.set_extent((-0.5, self._steps * (_SIDE + 2) - 2 - 0.5, _SIDE - 0.5, -0.5))

    def _sync_boxes(self) -> None:
        self._syncing = True
        try:
            self.box_a.value, self.box_b.value = self._pair
        finally:
            self._syncing = False

    def _on_boxes(self, change: dict[str, Any]) -> None:
        if not self._syncing:
            self.select_pair(self.box_a.value, self.box_b.value)

    def _on_click(self, event: Any) -> None:
        if event.inaxes is self.ax_map and event.xdata is not None and _toolbar_idle(self.fig):
            self.pick_at(event.xdata, event.ydata)


# ----------------------------------------------------------------------------- the manifold picture


def plot_latent_manifold(
    model: nn.Module,
    Z: Any,
    labels: Any = None,
    class_names: Sequence[str] | None = None,
    *,
    n: int = 15,
) -> Figure:
    """The latent map beside the images decoded from an n x n lattice over the same plane.

    Left: the codes ``Z`` coloured by class, with the lattice points marked. Right: the
    decoded lattice, drawn in the same latent coordinates, so a region of the map and
    the images it decodes to sit at the same place in both panels.
    """
    model = _check_model(model)
    if model.latent_dim != 2:
        raise validation.InvalidValue(f"plot_latent_manifold needs a 2-D bottleneck, got latent_dim={model.latent_dim}")
    codes = _check_codes(Z, "Z", 2)
    labels_arr, names = _check_labels(labels, len(codes), class_names)
    n = validation.integer(n, "n", low=2)
    xlim, ylim = latent_extent(codes)
    fig, (ax_map, ax_grid) = new_figure((11.0, 6.2), ncols=2)
    handles = _class_scatter(ax_map, codes, labels_arr, names)
    points = lattice(xlim, ylim, n)
    ax_map.scatter(points[:, 0], points[:, 1], s=6, color="black", marker="+", linewidths=0.6,
                   label="lattice points", zorder=3)
    ax_grid.imshow(latent_grid(model, xlim, ylim, n), cmap="gray_r", vmin=0, vmax=1,
                   extent=grid_extent(xlim, ylim, n), interpolation="nearest")
    for ax, title in ((ax_map, "Where the training images land (+ = lattice points)"),
                      (ax_grid, f"What the decoder draws at each of the {n} × {n} lattice points")):
        ax.set_xlim(*grid_extent(xlim, ylim, n)[:2])
        ax.set_ylim(*grid_extent(xlim, ylim, n)[2:])
        ax.set_aspect("auto")
        ax.set_box_aspect(1)  # square panels: square tiles, and the two panels line up
        ax.set_xlabel("latent dimension 1  (z₁)")
        ax.set_ylabel("latent dimension 2  (z₂)")
        ax.set_title(title, fontsize=10)
    _class_legend(fig, handles)
    return fig
