"""The interpolation explorer (notebook 04): the straight path between two images' codes,
decoded step by step, beside a blend of their pixels.

>>> walk = InterpolationExplorer(net, x_test, labels=y_test, class_names=class_names)
>>> walk                            # displays: the map with the path, the decoded and the blended strips
>>> walk.select_pair(3, 41)         # the straight path between two images' codes

With ipympl (``%matplotlib widget``) a click on the map picks an image (A and B in turn);
without it, index boxes do the same. A static PNG is displayed for front ends without widgets."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np
from matplotlib import patheffects
from torch import nn

from helpers import validation
from helpers.latent_space import decode_points, encode_images, interpolate, latent_extent, pixel_blend
from helpers.plotting import LiveFigure, new_figure
from helpers.widgets.explorer import Explorer, latency_summary, toolbar_idle
from helpers.widgets.latent import SIDE, check_codes, class_labels, class_legend, class_scatter
from helpers.widgets.picking import ClassPicker

__all__ = ["InterpolationExplorer"]


_STEPS = validation.rule(validation.integer, low=2, high=30, why=" (points on the path, both ends included)")


def _image_index(value: Any, name: str, arguments: Any) -> int:
    return validation.index(value, name, len(arguments["self"].images), "images")


def _image_pair(pair: Any, name: str, arguments: Any) -> tuple[int, int]:
    if isinstance(pair, (str, bytes)) or np.ndim(pair) != 1 or len(pair) != 2:
        validation.fail(name, "two image indices (i, j)", pair, kind=validation.InvalidType)
    return _image_index(pair[0], f"{name}[0]", arguments), _image_index(pair[1], f"{name}[1]", arguments)


def _strip(images: np.ndarray, gap: int = 2) -> np.ndarray:
    """Images side by side with white gaps: (28, steps * (28 + gap) - gap)."""
    steps = len(images)
    out = np.zeros((SIDE, steps * (SIDE + gap) - gap), dtype=np.float32)
    for k, image in enumerate(images):
        out[:, k * (SIDE + gap) : k * (SIDE + gap) + SIDE] = image
    return out


class InterpolationExplorer(Explorer):
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
        self.model = validation.autoencoder(model)
        arr = validation.images(images, "images", side=SIDE, at_least=2)
        self.images = arr.astype(np.float32) / 255.0 if arr.dtype == np.uint8 else arr.astype(np.float32)
        n = len(self.images)
        self.Z = encode_images(self.model, self.images) if Z is None else check_codes(Z, "Z", self.model.latent_dim)
        if len(self.Z) != n:
            raise validation.InvalidValue(f"Z must hold one code per image: {n} images but {len(self.Z)} codes")
        self.labels, self.class_names = class_labels(labels, n, class_names)
        self._steps = _STEPS(steps, "steps", {})
        pair = _image_pair(pair, "pair", {"self": self})
        # the map: the codes themselves in 2-D, else their top two principal directions
        self._centre = self.Z.mean(axis=0)
        if self.model.latent_dim == 2:
            self._axes = np.eye(2, dtype=np.float32)
        else:
            _, _, vt = np.linalg.svd(self.Z - self._centre, full_matrices=False)
            self._axes = vt[:2].T.astype(np.float32)
        self.map_points = self.to_map(self.Z)
        self._next_end = 0
        self._syncing = False
        self._build()  # the figure holds what the explorer shows (the path, the strips): made at once
        self.select_pair(*pair)

    # ---- the figure and the controls

    def _build(self) -> None:
        self._figure = new_figure((11.0, 4.6))[0]
        self._figure.clear()
        grid = self._figure.add_gridspec(2, 2, width_ratios=[1, 1.7])
        self.ax_map = self._figure.add_subplot(grid[:, 0])
        self.ax_walk = self._figure.add_subplot(grid[0, 1])
        self.ax_blend = self._figure.add_subplot(grid[1, 1])
        handles = self._draw_map()
        self._draw_strips()
        class_legend(self._figure, handles)
        self.live = LiveFigure(self._figure, animated=[
            self.line, self.path_dots, self.ends, self.label_a, self.label_b,
            self.walk_image, self.blend_image,
        ])
        self.live.refresh()
        self._widget = self._controls()
        if self.live.interactive:
            self._figure.canvas.mpl_connect("button_press_event", self._on_click)

    def _draw_map(self) -> list[Any]:
        """The codes coloured by class, and the line from A to B with its points; returns the classes' scatters."""
        ax = self.ax_map
        handles = class_scatter(ax, self.map_points, self.labels, self.class_names, size=5, alpha=0.35)
        xlim, ylim = latent_extent(self.map_points)
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        if self.model.latent_dim == 2:
            ax.set_xlabel("latent dimension 1  (z₁)")
            ax.set_ylabel("latent dimension 2  (z₂)")
        else:
            ax.set_xlabel("principal direction 1 of the codes")
            ax.set_ylabel("principal direction 2 of the codes")
        ax.set_title(f"The straight line from A to B in the {self.model.latent_dim}-D latent space")
        (self.line,) = ax.plot([], [], color="black", linewidth=1.8, zorder=4)
        self.path_dots = ax.scatter(np.zeros(self._steps), np.zeros(self._steps), s=22, color="white",
                                    edgecolors="black", linewidths=1.0, zorder=5)
        self.ends = ax.scatter([0, 0], [0, 0], s=150, marker="o", color="white", edgecolors="black", linewidths=2.0,
                               zorder=6)
        # a white outline, not a box: the label reads over the dots without hiding them
        label_style = dict(textcoords="offset points", fontsize=10, fontweight="bold", zorder=7,
                           path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
        # each label sits beyond its end of the line (see select_pair), away from the other end
        self.label_a = ax.annotate("A", (0, 0), xytext=(0, 14), ha="center", va="center", **label_style)
        self.label_b = ax.annotate("B", (0, 0), xytext=(0, -14), ha="center", va="center", **label_style)
        return handles

    def _draw_strips(self) -> None:
        """The decoded images along the line, and under them the blend of A's and B's pixels."""
        blank = _strip(np.zeros((self._steps, SIDE, SIDE)))
        self.walk_image = self.ax_walk.imshow(blank, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        self.blend_image = self.ax_blend.imshow(blank, cmap="gray_r", vmin=0, vmax=1, interpolation="nearest")
        for ax, title in ((self.ax_walk, "Decoded along the line in latent space (A → B)"),
                          (self.ax_blend, "For contrast: blending the pixels of A and B")):
            ax.set_title(title, fontsize=10)
            ax.set_yticks([])
        self.ax_blend.set_xlabel("step along the path, from A to B")
        self._set_step_ticks()

    def _controls(self) -> Any:
        """Index boxes for A and B (each with a class picker when there are labels) and a steps slider."""
        import ipywidgets as widgets

        n = len(self.images)
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
        return widgets.VBox([self.note, *(rows or [widgets.HBox([self.box_a, self.box_b])]),
                             self.steps_slider, self.live.widget])

    # ---- logic (no browser needed)

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

    @validation.params(i=_image_index, j=_image_index)
    def select_pair(self, i: int, j: int) -> np.ndarray:
        """Walk from image ``i`` (A) to image ``j`` (B); redraw the line and the two strips.

        Returns the path (steps, latent_dim).
        """
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
        ends = ((self.label_a, "A", i, start, -unit), (self.label_b, "B", j, end, unit))
        for label, letter, index, point, away in ends:
            name = f": {self.class_names[self.labels[index]]}" if self.labels is not None else ""
            label.set_text(f"{letter}{name} (#{index})")
            self._place_end_label(label, point, away)
        self.walk_image.set_data(_strip(self._decoded))
        self.blend_image.set_data(_strip(self._blended))
        self._sync_boxes()
        self.live.refresh_animated()
        return self.path()

    def _place_end_label(self, label: Any, point: np.ndarray, away: np.ndarray) -> None:
        """Put an end's label 22 points from it: beyond the end of the line, or turned by 45 degrees at a
        time when another text of the map is in the way there (the class names at the clusters)."""
        renderer = getattr(self._figure.canvas, "get_renderer", lambda: None)()
        others = [text.get_window_extent(renderer) for text in self.ax_map.texts if renderer is not None
                  and text is not label and text.get_visible() and text.get_text()]
        for turn in (0, 45, -45, 90, -90, 135, -135, 180):
            angle = np.radians(turn)
            self._aim(label, point, 22.0 * np.array([[np.cos(angle), -np.sin(angle)],
                                                     [np.sin(angle), np.cos(angle)]]) @ away)
            if not others or not any(label.get_window_extent(renderer).overlaps(box) for box in others):
                return
        self._aim(label, point, 22.0 * away)  # crowded all round: beyond the end of the line

    def _aim(self, label: Any, point: np.ndarray, offset: np.ndarray) -> None:
        """Place ``label`` at ``offset`` points from ``point`` (pixels); near an edge of the map it grows
        towards the middle, so that it is never cut off."""
        label.xyann = tuple(offset)
        fx, fy = self.ax_map.transAxes.inverted().transform(point + offset * self.ax_map.figure.dpi / 72)
        label.set_horizontalalignment("left" if fx < 0.3 else "right" if fx > 0.7 else "center")
        label.set_verticalalignment("bottom" if fy < 0.15 else "top" if fy > 0.85 else "center")

    @validation.params(steps=_STEPS)
    def set_steps(self, steps: int) -> np.ndarray:
        """Change the number of points on the path (2-30); returns the new path."""
        self._steps = steps
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
        return latency_summary(times)

    # ---- events

    def _set_step_ticks(self) -> None:
        centres = [k * (SIDE + 2) + SIDE / 2 - 0.5 for k in range(self._steps)]
        for ax in (self.ax_walk, self.ax_blend):
            names = ["A", *(str(k) for k in range(1, self._steps - 1)), "B"]
            ax.set_xticks(centres, names, fontsize=8)
            ax.set_xlim(-0.5, self._steps * (SIDE + 2) - 2 - 0.5)
        for image in (getattr(self, "walk_image", None), getattr(self, "blend_image", None)):
            if image is not None:
                image.set_extent((-0.5, self._steps * (SIDE + 2) - 2 - 0.5, SIDE - 0.5, -0.5))

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
        if event.inaxes is self.ax_map and event.xdata is not None and toolbar_idle(self.fig):
            self.pick_at(event.xdata, event.ydata)
