"""Small builders that several test files share (figures with text, tiny image sets, colour pairs,
exercise problems)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
from matplotlib.figure import Figure

from helpers.colour_vision import delta_e, simulate, to_rgb_array
from helpers.exercises import ChoiceProblem, FunctionProblem, ValueProblem


def text_figure():
    """A figure with a title, axis labels, annotations of several sizes, a rotated and a mathematical text."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = Figure(figsize=(4, 3), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_axes((0.15, 0.15, 0.8, 0.7))
    ax.set(xlim=(0, 400), ylim=(0, 300), title="Words and their neighbours", xlabel="PCA 1", ylabel="PCA 2")
    for i, word in enumerate(["king", "queen", "frog", "coffee", "physics"]):
        ax.annotate(word, (40 + 60 * i, 50 + 40 * i), fontsize=8 + i)
    ax.text(200, 250, "rotated", rotation=30)
    ax.text(100, 250, r"$\alpha_i^2$")
    return fig


def counting_draws(artist):
    """Make ``artist.draw`` count its calls."""
    calls = []
    original = artist.draw

    def draw(renderer, *args, **kwargs):
        calls.append(1)
        return original(renderer, *args, **kwargs)

    artist.draw = draw
    return calls


def tiny_images(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    x = rng.integers(0, 60, size=(n, 28, 28), dtype=np.uint8)
    x[y == 1, 8:20, 8:20] = 250  # class 1 has a bright square: something to find
    return x, y.astype(np.int64)


def seen_colours(colours, vision):
    return to_rgb_array(list(colours)) if vision == "normal" else simulate(list(colours), vision)


def closest_pair(colours, vision) -> tuple[float, str, str]:
    seen = seen_colours(colours, vision)
    return min((float(delta_e(seen[i], seen[j])), colours[i], colours[j])
               for i, j in combinations(range(len(colours)), 2))


# ----------------------------------------------------------------------------- exercise problems


def one_hot_reference(indices, n):
    out = np.zeros((len(indices), n))
    out[np.arange(len(indices)), indices] = 1
    return out


def one_hot_problem(**kwargs) -> FunctionProblem:
    return FunctionProblem(
        "one_hot",
        [
            (([2], 3), {}, one_hot_reference([2], 3)),
            (([0, 1], 2), {}, one_hot_reference([0, 1], 2)),
        ],
        hint=["Start from np.zeros.", "Set one entry per row to 1."],
        solution=(
            "def one_hot(indices, n):\n"
            "    out = np.zeros((len(indices), n))\n"
            "    out[np.arange(len(indices)), indices] = 1\n"
            "    return out\n"
        ),
        **kwargs,
    )


def value_problem(expected, **kwargs) -> ValueProblem:
    kwargs.setdefault("solution", f"answer = {expected!r}")
    return ValueProblem("answer", expected, hint="think", **kwargs)


def choice_problem(multiple=False) -> ChoiceProblem:
    return ChoiceProblem(
        "pick",
        {
            "a": (True, "One column per category."),
            "b": (False, "Ordinal codes invent an order."),
            "c": (multiple, "Also right when several are allowed."),
            "d": (False, "Hashing collides."),
        },
        multiple=multiple,
        hint="Think about order.",
    )

