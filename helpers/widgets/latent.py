"""The latent explorer (notebook 04): a 2-D autoencoder's latent map, and the image decoded
at any point of it; and :func:`plot_latent_manifold`, the grid of decoded images.

>>> explorer = LatentExplorer(net, Z_train, y_train, class_names)   # a 2-D autoencoder
>>> explorer                        # displays: the latent map, a cursor, the decoded image
>>> explorer.move_to([1.0, -0.5])   # what a click or the sliders do; returns the image

With ipympl (``%matplotlib widget``) a click on the map moves the cursor; without it,
sliders do the same. Every interaction redraws only the artists that change (the cursor,
the decoded image): the rest of the figure is painted once and kept as a background, so
an interaction takes a few milliseconds plus one PNG encoding. The explorer also displays
a static PNG for front ends without widgets. The interpolation explorer is in
:mod:`helpers.widgets.interpolation`.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib.figure import Figure
from torch import nn

from helpers import palette, validation
from helpers.latent_space import decode_points, grid_extent, grid_side, latent_extent, latent_grid, lattice
from helpers.plotting import LiveFigure, new_figure
from helpers.widgets.explorer import Explorer, latency_summary, toolbar_idle

__all__ = ["LatentExplorer", "plot_latent_manifold"]

#: The side of the images the autoencoders decode (28 x 28 pixels).
SIDE = 28


# ----------------------------------------------------------------------------- the latent map
# The latent explorer, the manifold picture and the interpolation explorer draw codes the same way.


_Z = validation.rule(validation.vector, length=2, what=" (a latent point z₁, z₂)", dtype=np.float64)


def check_codes(Z: Any, name: str, dim: int | None = None) -> np.ndarray:
    """Latent codes, one row per image (``dim`` columns when given), as float32."""
    return validation.matrix(Z, name, cols=dim, what="latent codes, one row per image", dtype=np.float32,
                             flat_hint=False)


def class_labels(labels: Any, n: int, class_names: Sequence[str] | None) -> tuple[np.ndarray | None, list[str]]:
    """The class numbers of ``n`` codes (or None without labels) and a name for every class number."""
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


def class_scatter(ax: Any, points: np.ndarray, labels: np.ndarray | None, names: list[str], *,
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


def class_legend(fig: Figure, handles: list[Any]) -> None:
    """A legend of the classes under the figure (none for a single scatter)."""
    if len(handles) > 1:
        legend = fig.legend(handles=handles, loc="outside lower center", ncols=min(len(handles), 5),
                            markerscale=3.0, fontsize=8, frameon=False, title="class (colour and shape of the points)",
                            title_fontsize=8)
        for handle in legend.legend_handles:
            handle.set_alpha(1.0)


# ----------------------------------------------------------------------------- latent explorer


class LatentExplorer(Explorer):
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
        self.model = validation.autoencoder(model)
        if self.model.latent_dim != 2:
            raise validation.InvalidValue(
                f"LatentExplorer needs a model with a 2-D bottleneck (a plane to point at), "
                f"got latent_dim={self.model.latent_dim}"
            )
        self.Z = check_codes(Z, "Z", 2)
        self.labels, self.class_names = class_labels(labels, len(self.Z), class_names)
        self.grid_size = grid_side(grid_size, "grid_size")
        if max_points is not None:
            max_points = validation.integer(max_points, "max_points", low=1, why=" (or None for all)")
        seed = validation.integer(seed, "seed", low=0)
        self.xlim, self.ylim = latent_extent(self.Z)
        self._shown = np.arange(len(self.Z))  # the codes drawn on the map
        if max_points is not None and len(self._shown) > max_points:
            self._shown = np.sort(np.random.default_rng(seed).choice(len(self.Z), size=int(max_points), replace=False))
        self._position = np.array(
            [np.mean(self.xlim), np.mean(self.ylim)] if start is None else _Z(start, "start", {}),
            dtype=np.float32,
        )
        self._grid: np.ndarray | None = None
        self._syncing = False
        self._build()  # the figure holds what the explorer shows (the cursor, the decoded image): made at once
        self.move_to(self._position)

    # ---- the figure and the controls

    def _build(self) -> None:
        self._figure, (self.ax_map, self.ax_image) = new_figure((9.6, 5.0), ncols=2,
                                                               gridspec_kw={"width_ratios": [1, 1]})
        self._draw_map()
        self._draw_image_panel()
        class_legend(self._figure, self._scatter)
        self.live = LiveFigure(self._figure, animated=[self.cursor, self.image, self.readout])
        self.live.refresh()
        self._widget = self._controls()
        # the id of the map's click handler (None without ipympl): fig.canvas.mpl_disconnect takes it
        self.click_connection = (self._figure.canvas.mpl_connect("button_press_event", self._on_click)
                                 if self.live.interactive else None)

    def _draw_map(self) -> None:
        """The codes coloured by class, the lattice image (hidden until asked for) and the cursor."""
        ax = self.ax_map
        labels = None if self.labels is None else self.labels[self._shown]
        self._scatter = class_scatter(ax, self.Z[self._shown], labels, self.class_names)
        self.grid_image = ax.imshow(
            np.zeros((2, 2)), cmap="gray_r", vmin=0, vmax=1, alpha=0.9, zorder=0.5, visible=False,
            extent=grid_extent(self.xlim, self.ylim, self.grid_size), interpolation="nearest",
        )
        ax.set_xlim(*self.xlim)
        ax.set_ylim(*self.ylim)
        ax.set_aspect("auto")
        ax.set_box_aspect(1)  # a square map: the decoded lattice laid over it keeps square tiles
        ax.set_xlabel("latent dimension 1  (z₁)")
        ax.set_ylabel("latent dimension 2  (z₂)")
        ax.set_title("Latent map: each dot is one training image's code")
        self.cursor = ax.scatter(*self._position, s=220, marker="X", color="black", edgecolors="white",
                                 linewidths=1.5, zorder=5)

    def _draw_image_panel(self) -> None:
        """The decoded image at the cursor, with a read-out under it."""
        ax = self.ax_image
        self.image = ax.imshow(np.zeros((SIDE, SIDE)), cmap="gray_r", vmin=0, vmax=1)
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("Decoded image at the cursor ✕")
        ax.set_xlabel(" \n ")  # room for the read-out below the image
        self.readout = ax.text(0.5, -0.03, "", transform=ax.transAxes, ha="center", va="top", fontsize=9)

    def _controls(self) -> Any:
        """Two sliders for the cursor and a checkbox for the lattice, above the figure."""
        import ipywidgets as widgets

        sliders = []
        for name, value, (low, high) in (("z₁", self._position[0], self.xlim), ("z₂", self._position[1], self.ylim)):
            sliders.append(widgets.FloatSlider(value=float(value), min=low, max=high, step=(high - low) / 200,
                                               description=name, readout_format=".2f", continuous_update=True))
            sliders[-1].observe(self._on_slider, names="value")
        self.slider_x, self.slider_y = sliders
        self.grid_toggle = widgets.Checkbox(value=False, description="show the decoded grid on the map",
                                            indent=False)
        self.grid_toggle.observe(lambda change: self.show_grid(change["new"]), names="value")
        how = ("Click the map (or use the sliders) to move the cursor."
               if self.live.interactive else "Move the sliders to move the cursor.")
        self.note = widgets.HTML(f"<small>{how}</small>")
        return widgets.VBox([self.note, widgets.HBox([*sliders, self.grid_toggle]), self.live.widget])

    # ---- logic (no browser needed)

    @property
    def position(self) -> np.ndarray:
        """The cursor's latent point (a copy)."""
        return self._position.astype(np.float64).copy()

    @property
    def decoded(self) -> np.ndarray:
        """The image shown now: the decoded cursor point, (28, 28) in [0, 1]."""
        return np.asarray(self.image.get_array(), dtype=np.float32).copy()

    @validation.params(z=validation.optional(_Z))
    def nearest_training_point(self, z: Any = None) -> int:
        """Index (into ``Z``) of the code nearest to ``z`` (default: the cursor)."""
        point = self._position if z is None else z
        return int(np.argmin(((self.Z - point) ** 2).sum(axis=1)))

    @validation.params(z=_Z)
    def move_to(self, z: Any) -> np.ndarray:
        """Put the cursor at latent point ``z`` (2 numbers); redraw the cursor and the image.

        Points outside the map's range are allowed (the decoder extrapolates). Returns the
        decoded image (28, 28).
        """
        point = z
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
        return latency_summary(times)

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
        if event.inaxes is self.ax_map and event.xdata is not None and toolbar_idle(self.fig):
            self.move_to([event.xdata, event.ydata])


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
    model = validation.autoencoder(model)
    if model.latent_dim != 2:
        raise validation.InvalidValue(f"plot_latent_manifold needs a 2-D bottleneck, got latent_dim={model.latent_dim}")
    codes = check_codes(Z, "Z", 2)
    labels_arr, names = class_labels(labels, len(codes), class_names)
    n = grid_side(n)
    xlim, ylim = latent_extent(codes)
    fig, (ax_map, ax_grid) = new_figure((11.0, 6.2), ncols=2)
    handles = class_scatter(ax_map, codes, labels_arr, names)
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
    class_legend(fig, handles)
    return fig
