"""The figure and the ipywidgets of the projection explorer (:mod:`helpers.widgets.projection`),
and how a map's method is named on it."""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from helpers import palette, projections
from helpers.figure_stamps import freeze, paste_text, whole_pixels
from helpers.plotting import LiveFigure, new_figure
from helpers.widgets.explorer import toolbar_idle
from helpers.widgets.picking import ClassPicker

#: A click on the map picks the nearest point within this many pixels.
_CLICK_RADIUS_PX = 12.0


def method_label(method: str, params: Mapping[str, Any] | None = None) -> str:
    """'t-SNE (perplexity 30)', 'UMAP (n_neighbors 15, min_dist 0.1)', 'PCA'."""
    name = projections.METHOD_NAMES[method]
    shown = ", ".join(f"{key} {_number(value)}" for key, value in (params or {}).items())
    return f"{name} ({shown})" if shown else name


def _number(value: Any) -> str:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return f"{value:g}" if isinstance(value, (int, float, np.integer, np.floating)) else str(value)


def _html(text: str) -> str:
    import html

    return html.escape(text, quote=False)


def _ordinal(rank: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st."""
    suffix = "th" if rank % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(rank % 10, "th")
    return f"{rank}{suffix}"


class ProjectionView:
    """The figure and the ipywidgets of a projection explorer, which makes its view when first shown
    (``explorer``: a :class:`~helpers.widgets.projection.ProjectionExplorer`)."""

    def __init__(self, explorer: Any) -> None:
        import ipywidgets as widgets
        from matplotlib.collections import LineCollection

        self.ex = ex = explorer
        self.status = widgets.HTML(value="")
        self.map_status = ""
        width = 10.0 if ex.images is not None else 7.5
        fig, _ = new_figure(figsize=(width, 5.2))
        fig.clear()
        self.fig = fig
        if ex.images is not None:
            map_fig, self.image_fig = fig.subfigures(1, 2, width_ratios=[2.3, 1.0])
        else:
            map_fig, self.image_fig = fig, None
        self.ax = map_fig.subplots()
        self.ax.locator_params(nbins=5)  # a map's coordinates say little: a few ticks (each costs a redraw)
        # one scatter per class: redrawn several times faster than a colour per point
        self.points = palette.ClassPoints(self.ax, np.zeros((ex.n, 2)), ex.codes, size=ex.point_size, linewidths=0,
                                          alpha=0.8)
        self.links = LineCollection([], colors="crimson", linewidths=0.8, alpha=0.7)
        self.ax.add_collection(self.links)
        self.ring = self.ax.scatter([], [], s=90, facecolors="none", edgecolors="crimson", linewidths=1.6,
                                    label="its nearest neighbours (original space)")
        self.star = self.ax.scatter([], [], s=220, marker="*", c="gold", edgecolors="black", linewidths=1.0,
                                    label="selected point", zorder=5)
        self.legend = None
        self.class_labels: list[Any] | None = None  # class names written on the map (not colour alone)
        self.panel: Any = None  # the image panel: one axes showing one mosaic of all the tiles
        self.mosaic: Any = None  # its AxesImage
        self.tile_titles: list[Any] = []
        self._geometry: tuple[int, ...] | None = None  # (rows, cols, title gap) the mosaic is laid out for
        self._canvas: np.ndarray | None = None  # the mosaic's pixels
        self._scale: float | None = None  # image values to 0-255 (see _pixels)
        self._make_panel()
        # The map is drawn once; a selection redraws only its marks and the image panel.
        self.live = LiveFigure(fig, animated=self._moving())
        self.live.fix_layout()  # the panel's place is known from here on: the tiles are laid out in it
        self._busy = False
        self.controls = self._controls(widgets)
        self.widget = widgets.VBox([self.controls, self.status, self.live.widget])
        # the id of the map's click handler (None without ipympl): fig.canvas.mpl_disconnect takes it
        self.click_connection = (fig.canvas.mpl_connect("button_press_event", self._on_click)
                                 if self.live.interactive else None)
        self.draw_map(refresh=False)
        self.draw_style(refresh=False)
        self.draw_selection(refresh=False)
        self.live.refresh()

    # ---------------------------------------------------------------- controls

    def _controls(self, widgets: Any) -> Any:
        ex = self.ex
        narrow = widgets.Layout(width="260px")
        self.space_box = widgets.Dropdown(options=list(ex.spaces), value=ex.space, description="space",
                                          layout=narrow)
        self.method_box = widgets.ToggleButtons(
            options=[(projections.METHOD_NAMES[m], m) for m in projections.METHODS], value=ex.method,
            description="method", style={"button_width": "70px"},
        )
        perplexity_max = max(2, min(100, int(math.ceil(ex.n / 3)) - 1))
        self.perplexity = widgets.IntSlider(
            value=int(ex.params["tsne"]["perplexity"]), min=2, max=perplexity_max,
            description="perplexity", continuous_update=False, layout=narrow,
        )
        self.n_neighbors = widgets.IntSlider(
            value=int(ex.params["umap"]["n_neighbors"]), min=2, max=max(3, min(100, ex.n - 1)),
            description="n_neighbors", continuous_update=False, layout=narrow,
        )
        self.min_dist = widgets.FloatSlider(
            value=float(ex.params["umap"]["min_dist"]), min=0.0, max=0.99, step=0.01,
            description="min_dist", continuous_update=False, layout=narrow,
        )
        self.color_box = widgets.Checkbox(value=ex.color_by_class, description="colour by class", indent=False,
                                          layout=widgets.Layout(width="140px"))
        self.size_slider = widgets.FloatSlider(value=ex.point_size, min=1.0, max=60.0, step=1.0,
                                               description="point size", layout=narrow)
        self.index_box = widgets.BoundedIntText(value=0, min=0, max=ex.n - 1, description="pick index",
                                                layout=widgets.Layout(width="180px"))
        self.pick_button = widgets.Button(description="show", layout=widgets.Layout(width="70px"))
        self.k_slider = widgets.IntSlider(value=ex.k, min=1, max=max(ex.k, min(16, ex.n - 1)), description="k",
                                          continuous_update=False, layout=widgets.Layout(width="220px"))
        self.export_name = widgets.Text(value=ex.export_folder, description="export to",
                                        layout=widgets.Layout(width="260px"))
        self.export_button = widgets.Button(description="export", layout=widgets.Layout(width="80px"))

        self.space_box.observe(lambda c: self._guard(ex.set_space, c["new"]), names="value")
        self.method_box.observe(lambda c: self._guard(ex.set_method, c["new"]), names="value")
        self.perplexity.observe(lambda c: self._guard(ex.set_params, perplexity=c["new"]), names="value")
        self.n_neighbors.observe(lambda c: self._guard(ex.set_params, n_neighbors=c["new"]), names="value")
        self.min_dist.observe(lambda c: self._guard(ex.set_params, min_dist=c["new"]), names="value")
        self.color_box.observe(lambda c: self._guard(ex.set_color_by_class, c["new"]), names="value")
        self.size_slider.observe(lambda c: self._guard(ex.set_point_size, c["new"]), names="value")
        self.k_slider.observe(lambda c: self._guard(ex.set_k, c["new"]), names="value")
        self.index_box.observe(lambda c: self._guard(ex.select, c["new"]), names="value")
        self.pick_button.on_click(lambda _: self._guard(ex.select, self.index_box.value))
        self.export_button.on_click(lambda _: self._export())
        self.picker = ClassPicker(self.index_box, ex.codes, ex.class_names)  # pick by class, step through it
        self.param_row = widgets.HBox([])
        rows = [
            widgets.HBox([self.method_box] + ([self.space_box] if len(ex.spaces) > 1 else [])),
            self.param_row,
            widgets.HBox([self.color_box, self.size_slider]),
            widgets.HBox([self.index_box, self.pick_button, self.picker.widget]),
            self.k_slider,
            widgets.HBox([self.export_name, self.export_button]),
        ]
        self._param_widgets()
        return widgets.VBox(rows)

    def _param_widgets(self) -> None:
        children = {"pca": [], "tsne": [self.perplexity], "umap": [self.n_neighbors, self.min_dist]}
        self.param_row.children = children[self.ex.method]

    def _guard(self, action: Any, *args: Any, **kwargs: Any) -> None:
        """Run a control's action; show a bad value as a message instead of a traceback."""
        if self._busy:
            return
        try:
            action(*args, **kwargs)
        except (TypeError, ValueError) as error:
            self.status.value = f"<span style='color:#c62828'>{_html(str(error))}</span>"

    def _export(self) -> None:
        import warnings

        try:
            with warnings.catch_warnings(record=True) as notes:
                warnings.simplefilter("always")
                written = self.ex.export(self.export_name.value or "embedding_export")
        except (OSError, TypeError, ValueError) as error:
            self.status.value = f"<span style='color:#c62828'>export failed: {_html(str(error))}</span>"
            return
        moved = "".join(f"<br><span style='color:#b45309'>{_html(str(note.message))}</span>" for note in notes)
        first = written["vectors"]
        where = f"to <code>{_html(str(first.parent))}</code>" if isinstance(first, Path) else "(in memory only)"
        self.status.value = (
            f"Exported {where}: vectors.tsv and metadata.tsv (load both at "
            f"projector.tensorflow.org), map.csv and map.png.{moved}"
        )

    def progress(self, message: str) -> None:
        self.status.value = f"<i>{_html(message)}</i>"

    def _on_click(self, event: Any) -> None:
        if event.inaxes is not self.ax or event.button != 1:
            return
        if not toolbar_idle(self.fig):
            return  # zooming or panning
        Y = self.ex.current_map()
        pixels = self.ax.transData.transform(Y)
        d2 = ((pixels - np.array([event.x, event.y])) ** 2).sum(axis=1)
        index = int(np.argmin(d2))
        if d2[index] <= _CLICK_RADIUS_PX**2:
            self._busy = True
            try:
                self.index_box.value = index
            finally:
                self._busy = False
            self.ex.select(index)

    # ---------------------------------------------------------------- drawing

    def _moving(self) -> list[Any]:
        """The artists a selection changes: redrawn on their own over the rest of the figure."""
        moving = [self.links, self.ring, self.star]
        if self.panel is not None:
            moving += [self.mosaic, *self.tile_titles, self.heading]
        return moving

    def _make_panel(self) -> None:
        """The image panel: one axes that shows every tile in one picture.

        One image with its frames drawn in its pixels, and a title above each tile, draws in
        a fraction of the time that an axes per image takes (each with its frame, image and
        resampling): a new space redraws the whole figure.
        """
        if self.image_fig is None:
            return
        self.panel = self.image_fig.subplots()
        self.panel.set_axis_off()
        self.panel.set_anchor("N")  # the tiles start just under the panel's heading
        self.mosaic = whole_pixels(self.panel.imshow(np.full((1, 1, 3), 255, dtype=np.uint8), interpolation="nearest"))
        self.heading = paste_text(self.image_fig.suptitle(  # suptitle() changes this Text from now on
            "selected image and its 10 nearest neighbours\nin the space: 0 of 10 share its class", fontsize=8))

    def rebuild_thumbnails(self) -> None:
        """Lay the image panel out again for a new number of tiles (the selected image and k neighbours)."""
        if self.image_fig is None:
            return
        self._geometry = None
        self._draw_images()

    def _tile_layout(self) -> tuple[int, int, int]:
        """Rows, columns and the gap above each tile (in image pixels) that its two-line title needs."""
        count = self.ex.k + 1
        cols = 3 if count > 4 else 2
        rows = int(math.ceil(count / cols))
        height, width = self.ex.images[0].shape[:2]
        fig = self.fig
        box = self.panel.get_position(original=True)  # the panel's place, as the layout planned it
        box_w, box_h = box.width * fig.bbox.width, box.height * fig.bbox.height
        title_px = (2 * 1.25 * 8 + 6) * fig.dpi / 72  # two lines of 8-point text and some space
        across = cols * (width + 2) + (cols - 1) * self._col_gap(width)
        gap = 1
        for _ in range(100):  # the gap a title needs grows as the tiles shrink to fit the panel's height
            scale = min(box_w / across, box_h / (rows * (gap + height + 2)))
            need = max(1, int(math.ceil(title_px / max(scale, 1e-9))))
            if need <= gap:
                break
            gap = need
        return rows, cols, gap

    @staticmethod
    def _col_gap(width: int) -> int:
        return max(2, width // 7)

    def _tile_origin(self, i: int) -> tuple[int, int]:
        """Top-left pixel of tile ``i``'s image in the mosaic (inside its one-pixel frame)."""
        _rows, cols, gap = self._geometry
        height, width = self.ex.images[0].shape[:2]
        row, col = divmod(i, cols)
        return row * (gap + height + 2) + gap + 1, col * (width + 2 + self._col_gap(width)) + 1

    def tile_pixels(self, i: int) -> np.ndarray:
        """The pixels tile ``i`` shows (0: the selected image, then the neighbours by rank)."""
        top, left = self._tile_origin(i)
        height, width = self.ex.images[0].shape[:2]
        return self.mosaic.get_array()[top:top + height, left:left + width]

    def _lay_out_tiles(self) -> None:
        geometry = self._tile_layout()
        if geometry == self._geometry:
            return
        self._geometry = geometry
        rows, cols, gap = geometry
        height, width = self.ex.images[0].shape[:2]
        across = cols * (width + 2) + (cols - 1) * self._col_gap(width)
        down = rows * (gap + height + 2)
        self._canvas = np.full((down, across, 3), 255, dtype=np.uint8)
        self.mosaic.set_data(self._canvas)
        self.mosaic.set_extent((-0.5, across - 0.5, down - 0.5, -0.5))
        self.panel.set_xlim(-0.5, across - 0.5)
        self.panel.set_ylim(down - 0.5, -0.5)
        for title in self.tile_titles:
            title.remove()
        self.tile_titles = []
        for i in range(self.ex.k + 1):
            top, left = self._tile_origin(i)
            self.tile_titles.append(paste_text(self.panel.text(left + width / 2 - 0.5, top - 1.5 - 0.5, "", fontsize=8,
                                                               ha="center", va="bottom", linespacing=1.25)))
        if hasattr(self, "live"):  # new titles: the moving parts change (the next refresh is a full one)
            self.live.set_animated(self._moving())

    def draw_map(self, refresh: bool = True) -> None:
        ex = self.ex
        self._busy = True
        try:
            self.space_box.value = ex.space
            self.method_box.value = ex.method
            params = ex.params
            self.perplexity.value = int(round(params["tsne"]["perplexity"]))
            self.n_neighbors.value = int(params["umap"]["n_neighbors"])
            self.min_dist.value = float(params["umap"]["min_dist"])
        finally:
            self._busy = False
        self._param_widgets()
        Y = ex.current_map()
        trust = ex.trustworthiness()
        self.points.set_offsets(Y)
        if len(ex.class_names) <= 20:
            fresh = self.class_labels is None
            self.class_labels = palette.label_classes(self.ax, Y, ex.codes, ex.class_names, texts=self.class_labels)
            if fresh:  # outlined names are drawn as paths, glyph by glyph: pasted from pictures instead
                for label in self.class_labels:
                    paste_text(label)
        low, high = np.percentile(Y, 0.5, axis=0), np.percentile(Y, 99.5, axis=0)
        pad = 0.06 * (high - low + 1e-9)
        self.ax.set_xlim(low[0] - pad[0], high[0] + pad[0])
        self.ax.set_ylim(low[1] - pad[1], high[1] + pad[1])
        name = projections.METHOD_NAMES[ex.method]
        self.ax.set_xlabel(f"{name} 1")
        self.ax.set_ylabel(f"{name} 2")
        heading = ex.title or ex.space
        self.ax.set_title(
            f"{heading}: {method_label(ex.method, params[ex.method])}\n"
            f"trustworthiness (k={ex.trust_k}) {trust:.3f}", fontsize=10,
        )
        self.map_status = (
            f"{ex.n:,} points, {ex.X.shape[1]:,} dims in <b>{_html(ex.space)}</b>, drawn with "
            f"{_html(method_label(ex.method, params[ex.method]))}; trustworthiness {trust:.3f} "
            "(1.0: every neighbour on the map is a true neighbour). "
            + ("Click a point or pick an index." if self.live.interactive else "Pick a point by its index.")
        )
        self.draw_selection(refresh=False)
        if refresh:
            # A map shown before, in the same style, is pasted from its picture: switching back and
            # forth between spaces (the layer explorer) redraws only the selection and the images.
            self.live.refresh_as((ex._key(), heading, ex.trust_k, ex.color_by_class, ex.point_size))

    def draw_style(self, refresh: bool = True) -> None:
        ex = self.ex
        import matplotlib as mpl

        n_classes = len(ex.class_names)
        if not ex.color_by_class:
            self.points.set_colours("0.55")
        elif n_classes <= 20:
            self.points.set_colours()  # the class colours
        else:
            codes = np.arange(self.points.n_classes)
            self.points.set_colours(list(mpl.colormaps["viridis"](codes / max(1, n_classes - 1))))
        self.points.set_sizes(ex.point_size)
        if self.legend is not None:
            self.legend.remove()
            self.legend = None
        handles = [self.star, self.ring]
        if ex.color_by_class and n_classes <= 20:
            from matplotlib.lines import Line2D

            handles = [
                Line2D([], [], marker="o", linestyle="", markersize=5, color=palette.class_colour(c), label=name)
                for c, name in enumerate(ex.class_names)
            ] + handles
        # Pasted from a picture on each redraw: laying the legend out again cost a third of a map switch.
        self.legend = freeze(self.ax.legend(handles=handles, loc="center left", bbox_to_anchor=(1.01, 0.5),
                                            fontsize=8, frameon=False))
        if refresh:
            self.live.refresh()

    def draw_selection(self, refresh: bool = True) -> None:
        ex = self.ex
        Y = ex.current_map()
        if ex.selected is None:
            empty = np.zeros((0, 2))
            self.star.set_offsets(empty)
            self.ring.set_offsets(empty)
            self.links.set_segments([])
        else:
            here = Y[ex.selected]
            self.star.set_offsets(here[None, :])
            self.ring.set_offsets(Y[ex.neighbors])
            self.links.set_segments([np.stack([here, Y[j]]) for j in ex.neighbors])
        self._draw_images()
        self._show_status()
        if refresh:
            self.live.refresh_animated()

    def _show_status(self) -> None:
        """The map's line, and below it the selected point and its neighbours."""
        ex = self.ex
        lines = [self.map_status]
        if ex.selected is not None:
            i = ex.selected
            same = int(sum(ex.codes[j] == ex.codes[i] for j in ex.neighbors))
            listed = ", ".join(f"{_html(ex.point_name(j))} (d={d:.2g})"
                               for j, d in zip(ex.neighbors[:8], ex.distances[:8]))
            more = ", ..." if len(ex.neighbors) > 8 else ""
            lines.append(
                f"Selected {_html(ex.point_name(i))}. Its {ex.k} nearest in {_html(ex.space)}: "
                f"{listed}{more}; {same} of {ex.k} share its class."
            )
        self.status.value = "<br>".join(lines)

    def _pixels(self, image: np.ndarray) -> np.ndarray:
        """An image as the RGB pixels shown: grey images dark on light (0 = white), colour ones as they are.

        Handing matplotlib ready pixels skips its scaling and colour mapping, most of the
        time a thumbnail took to draw.
        """
        if self._scale is None:
            images = self.ex.images
            self._scale = 1.0 if images.dtype == np.uint8 else 255.0 / (float(np.nanmax(images)) or 1.0)
        values = np.clip(np.nan_to_num(np.asarray(image, dtype=float)) * self._scale, 0, 255).astype(np.uint8)
        if values.ndim == 2:
            return np.repeat((255 - values)[..., None], 3, axis=2)
        return values[..., :3] if values.shape[-1] >= 3 else np.repeat(values[..., :1], 3, axis=2)

    def _draw_images(self) -> None:
        ex = self.ex
        if self.image_fig is None:
            return
        self._lay_out_tiles()
        canvas = self._canvas
        canvas[...] = 255
        order = [] if ex.selected is None else [ex.selected, *ex.neighbors.tolist()]
        height, width = ex.images[0].shape[:2]
        for i, title in enumerate(self.tile_titles):
            top, left = self._tile_origin(i)
            canvas[top - 1:top + height + 1, left - 1:left + width + 1] = (255, 215, 0) if i == 0 else (153, 153, 153)
            if i >= len(order):
                canvas[top:top + height, left:left + width] = 255
                title.set_text("")
                continue
            j = order[i]
            canvas[top:top + height, left:left + width] = self._pixels(ex.images[j])
            same = ex.codes[j] == ex.codes[ex.selected]
            # Titles that come back (rank, mark, class) are pasted from pixels rendered once; the
            # numbers that change with every pick (index, distance) are in the text above the figure.
            if i == 0:
                title.set_text(f"selected\n{ex.label_of(j)}")
                title.set_color("black")
            else:
                mark = palette.RIGHT_SYMBOL if same else palette.WRONG_SYMBOL
                title.set_text(f"{mark} {_ordinal(i)}\n{ex.label_of(j)}")
                title.set_color("black" if same else palette.WRONG)
        self.mosaic.set_data(canvas)
        if ex.selected is None:
            self.image_fig.suptitle("select a point to see it\nand its nearest neighbours", fontsize=9)
            return
        agree = int(sum(ex.codes[j] == ex.codes[ex.selected] for j in ex.neighbors))
        self.image_fig.suptitle(
            f"selected image and its {ex.k} nearest neighbours\n"
            f"in {ex.space}: {agree} of {ex.k} share its class ({palette.RIGHT_SYMBOL})", fontsize=8,
        )
