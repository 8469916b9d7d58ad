"""The notebooks' recurring pictures, each drawn by one call from what the notebook computed; each returns
its pyplot figure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from matplotlib import patheffects

from helpers import palette, validation
from helpers.colour_vision import luminance


def _pyplot():
    import matplotlib.pyplot as plt

    return plt


def readable_on(background: Sequence[float]) -> str:
    """"black" or "white": the text colour with the higher contrast on ``background``."""
    lum = luminance(background)
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def annotate_cells(ax: Any, image: Any, fmt: str = "{:.2f}", fontsize: float = 8) -> None:
    """Write each cell's value, in black or white as reads better, on the heat map ``image`` (from ``imshow``)."""
    values = np.asarray(image.get_array())
    if values.ndim != 2:
        validation.fail("image", "the result of ax.imshow of a 2-D array", values.shape)
    for (row, col), value in np.ndenumerate(values):
        colour = readable_on(image.cmap(image.norm(value)))
        ax.text(col, row, fmt.format(value), ha="center", va="center", fontsize=fontsize, color=colour)


def neighbour_strips(query_images: np.ndarray, groups: Mapping[str, tuple[np.ndarray, np.ndarray]], *,
                     row_labels: Sequence[str], title: str, pad: int = 4) -> Any:
    """Rows of images: a test image, then for each group its nearest images, framed by
    :func:`helpers.palette.framed`. ``groups`` maps a caption to ``(images, same)``: shapes
    (queries, k, 28, 28) and (queries, k), ``same`` telling whether each shares the test image's class.
    """
    queries = np.asarray(query_images)
    if queries.ndim != 3:
        validation.fail("query_images", "an array of images, shape (n, height, width)", queries.shape)
    n, size = len(queries), queries.shape[1]
    if len(row_labels) != n:
        validation.fail("row_labels", f"{n} labels, one per test image", len(row_labels))
    rows = []
    for r in range(n):
        tiles = [palette.framed(queries[r], None)]
        for images, same in groups.values():
            tiles.append(np.ones((size, size, 3)))                           # a gap between the groups
            tiles += [palette.framed(img, bool(ok)) for img, ok in zip(images[r], same[r])]
        rows.append(tiles)
    step = size + pad
    grid = np.ones((pad + n * step, pad + len(rows[0]) * step, 3))
    for r, tiles in enumerate(rows):
        for c, tile in enumerate(tiles):
            grid[pad + r * step: pad + r * step + size, pad + c * step: pad + c * step + size] = tile
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(11, 0.7 * n + 0.4), layout="constrained")
    ax.imshow(grid)
    centre = lambda column: pad + column * step + size / 2  # noqa: E731
    k_of = [len(images[0]) for images, _ in groups.values()]
    starts = np.cumsum([1] + [k + 1 for k in k_of[:-1]]) + 1
    ax.set_xticks([centre(0), *(centre(s + (k - 1) / 2) for s, k in zip(starts, k_of))],
                  ["test image", *groups], fontsize=9)
    ax.xaxis.tick_top()
    ax.set_yticks([centre(r) for r in range(n)], row_labels, fontsize=8)
    ax.tick_params(length=0)
    for side in ax.spines.values():
        side.set_visible(False)
    ax.set_title(title, fontsize=10)
    return fig


def look_alike_pair(Z: np.ndarray, point_colours: Sequence[Any], pairs: Sequence[Mapping[str, Any]], images: np.ndarray,
                    decoded: np.ndarray, image_titles: Sequence[str]) -> Any:
    """A latent map with look-alike ``pairs`` (dicts of indices ``i``, ``j``) joined by lines, the first in
    black; beside it the first pair's two images above what the decoder makes of their codes."""
    i, j = pairs[0]["i"], pairs[0]["j"]
    plt = _pyplot()
    fig = plt.figure(figsize=(10, 4.2), layout="constrained")
    grid = fig.add_gridspec(2, 3, width_ratios=[2.2, 1, 1])
    ax_map = fig.add_subplot(grid[:, 0])
    ax_map.scatter(Z[:, 0], Z[:, 1], s=4, c=list(point_colours), alpha=0.25)
    for rank, pair in enumerate(pairs):
        ends = Z[[pair["i"], pair["j"]]]
        style = (dict(color="black", lw=2, ms=7, label="the pair shown") if rank == 0 else
                 dict(color="0.5", lw=1, ms=4, label="other such pairs" if rank == 1 else None))
        ax_map.plot(ends[:, 0], ends[:, 1], "-o", **style)
    for end, index in (("A", i), ("B", j)):
        ax_map.annotate(f"{end}: image {index}", Z[index], xytext=(0, 10), textcoords="offset points",
                        ha="center", fontsize=9, fontweight="bold",   # outlined, not boxed: hides no dot
                        path_effects=[patheffects.withStroke(linewidth=3, foreground="white")])
    ax_map.set(xlabel="latent dimension 1", ylabel="latent dimension 2")
    ax_map.set_title("The look-alike pairs whose codes lie farthest apart\n"
                     "(dots: test images, coloured by class as above)", fontsize=10)
    ax_map.legend(loc="lower right", fontsize=8)
    for col, (index, title) in enumerate(zip((i, j), image_titles)):
        ax_pixels, ax_code = fig.add_subplot(grid[0, 1 + col]), fig.add_subplot(grid[1, 1 + col])
        ax_pixels.imshow(images[index], cmap="gray_r")
        ax_pixels.set_title(title, fontsize=9)
        ax_code.imshow(decoded[index], cmap="gray_r", vmin=0, vmax=1)
        ax_code.set_title(f"decoded from its code\n({Z[index, 0]:.1f}, {Z[index, 1]:.1f})", fontsize=9)
        ax_pixels.axis("off")
        ax_code.axis("off")
    return fig


def vector_profiles(image: np.ndarray, image_title: str, vectors: Mapping[str, np.ndarray], title: str) -> Any:
    """One image on the left; on the right, each of its vectors as bars, one bar per entry."""
    plt = _pyplot()
    fig = plt.figure(figsize=(11, 5.2), layout="constrained")
    left, right = fig.subfigures(1, 2, width_ratios=[1, 3.2])
    ax = left.subplots()
    ax.imshow(image, cmap="gray_r")
    ax.set_title(image_title)
    ax.axis("off")
    for ax, (name, vector) in zip(right.subplots(len(vectors), 1), vectors.items()):
        if len(vector) > 100:   # hundreds of bars: one filled outline looks the same and draws far faster
            ax.stairs(vector, np.arange(len(vector) + 1) - 0.5, fill=True, color="tab:blue")
        else:
            ax.bar(np.arange(len(vector)), vector, width=0.8, color="tab:blue")
        ax.axhline(0, color="black", linewidth=0.5)
        ax.set_xlim(-0.6, len(vector) - 0.4)
        if len(vector) <= 16:
            ax.set_xticks(range(len(vector)))
        ax.set_title(f"{name}: {len(vector)} numbers", fontsize=10, loc="left")
        ax.set_ylabel("value")
        ax.set_xlabel("entry of the vector", fontsize=8, labelpad=1)   # each panel counts its own entries
    fig.suptitle(title)
    return fig


def counts_and_similarity(counts: np.ndarray, vocabulary: Sequence[str], sentences: Sequence[str],
                          similarity: np.ndarray) -> Any:
    """A count matrix (one row per sentence, one column per word) beside the sentences' cosine similarities."""
    plt = _pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained", gridspec_kw={"width_ratios": [2.6, 1]})
    axes[0].imshow(counts, cmap="Blues", aspect="auto")
    axes[0].set_xticks(range(len(vocabulary)), vocabulary, rotation=70, fontsize=9)
    axes[0].set_yticks(range(len(sentences)), [f"s{i}: {s}" for i, s in enumerate(sentences)], fontsize=9)
    axes[0].set_title("bag-of-words counts (darker = more often)")
    annotate_cells(axes[1], axes[1].imshow(similarity, cmap="viridis", vmin=0, vmax=1), fontsize=8)
    names = [f"s{i}" for i in range(len(sentences))]
    axes[1].set_xticks(range(len(sentences)), names)
    axes[1].set_yticks(range(len(sentences)), names)
    axes[1].set_title("cosine similarity")
    return fig


def ring_tied(ax: Any, x: Any, y: Any, ringed: Any, colour: str, label: str) -> None:
    """Ring the points (``x``, ``y``) where ``ringed`` is True: the results that McNemar's test
    cannot tell apart from the best one's (:func:`helpers.metrics.not_clearly_below_best`)."""
    ringed = np.asarray(ringed, dtype=bool)
    ax.scatter(np.asarray(x)[ringed], np.asarray(y)[ringed], s=170, facecolors="none", edgecolors=colour,
               linewidths=1.5, zorder=3, label=label)


def structure_chart(table: Any, k: int, tied: Sequence[str], title: str) -> Any:
    """Neighbourhood recall, trustworthiness and k-NN accuracy of each space (``table``'s rows), as grouped
    bars; the k-NN bars of the spaces in ``tied`` (not clearly below the best) are ringed."""
    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(10, 5.2), layout="constrained")
    positions = np.arange(len(table))
    for j, (score, colour) in enumerate(zip(["neighbourhood recall", "trustworthiness", "k-NN accuracy"],
                                            ["tab:blue", "tab:orange", "tab:green"])):
        values = table[score].to_numpy(dtype=float)
        bars = ax.barh(positions + (j - 1) * 0.27, np.nan_to_num(values), height=0.27, color=colour, label=score)
        no_score = "reference: no recall or trustworthiness" if score == "trustworthiness" else ""
        ax.bar_label(bars, labels=[no_score if np.isnan(v) else f"{v:.2f}" for v in values], fontsize=8,
                     padding=2 if score != "k-NN accuracy" else 10)
    ring_tied(ax, table["k-NN accuracy"].to_numpy(dtype=float), positions + 0.27, np.isin(table.index, list(tied)),
              "tab:green", "k-NN accuracy not clearly below the best space's (McNemar's test on the same images)")
    ax.set_yticks(positions, table.index)
    ax.invert_yaxis()
    ax.set_xlim(0, 1.1)
    ax.set_xlabel(f"score (k = {k}; 1 = best; recall and trustworthiness measured against the pixels)")
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: "McNemar" in labels[i])   # the scores first, then the ring
    ax.legend([handles[i] for i in order], [labels[i] for i in order], loc="upper center",
              bbox_to_anchor=(0.5, -0.12), ncol=2, fontsize=9)
    ax.set_title(title)
    return fig


def layer_probe_chart(table: Any, intervals: Mapping[str, np.ndarray], own_accuracy: float, title: str,
                      tied: Mapping[str, Sequence[str]] | None = None) -> Any:
    """k-NN and linear-probe accuracy of each layer (``table``'s rows, with ``dim``), on the trained task
    ("clothes") and a new one ("digits"), with ``intervals`` (2, layers) per column; ``tied`` layers ringed."""
    plt = _pyplot()
    positions = np.arange(len(table))
    tick_labels = [f"{name}\n{dim:,}-d" for name, dim in zip(table.index, table["dim"])]
    fig, axes = plt.subplots(1, 2, figsize=(11, 4.8), sharey=True, layout="constrained")
    panels = [(axes[0], "clothes", "Fashion-MNIST: the task the network was trained on"),
              (axes[1], "digits", "MNIST digits: a new task (same network, not retrained)")]
    for ax, task, panel_title in panels:
        ax.axvspan(-0.5, 0.5, color="0.92")                      # the no-network baseline
        for column, style, colour, label in [
                (f"{task} k-NN", "o-", "tab:blue", "k-NN accuracy (k = 10): do neighbours share the label?"),
                (f"{task} linear", "s--", "tab:orange", "linear probe: can a linear classifier read the label?")]:
            values = table[column].to_numpy()
            low, high = intervals[column]
            ax.errorbar(positions, values, yerr=[values - low, high - values], fmt=style, color=colour, lw=2,
                        capsize=3, label=label)
        if tied is not None:
            ring_tied(ax, positions, table[f"{task} k-NN"].to_numpy(), np.isin(table.index, list(tied[task])),
                      "tab:blue", "k-NN not clearly below the best layer's (McNemar's test)")
        ax.set_xticks(positions, tick_labels, fontsize=9)
        ax.set(title=panel_title, xlabel="layer (and the size of its output vector)")
        ax.grid(axis="y", alpha=0.3)
        ax.annotate("raw pixels\n(baseline)", (0, 0.52), ha="center", fontsize=8, color="0.35")
    axes[0].axhline(own_accuracy, color="0.4", ls=":", lw=1.2)
    axes[0].annotate("the trained network's own test accuracy", (0.6, own_accuracy),
                     xytext=(0, 4), textcoords="offset points", fontsize=8, color="0.3")
    axes[0].set(ylabel="accuracy on the probe's test images", ylim=(0.5, 1.0))
    fig.legend(*axes[0].get_legend_handles_labels(), loc="outside lower center", ncol=2, fontsize=8.5)  # over no data
    fig.suptitle(title)
    return fig
