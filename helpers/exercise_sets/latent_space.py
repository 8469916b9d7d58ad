"""Exercises of notebook 04 (latent space): a path between codes, an error measure, and an
encoder/decoder pair for a given bottleneck size."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from helpers.exercises import CustomProblem, FunctionProblem, Incorrect

#: Bottleneck size asked for in exercise 3.
BOTTLENECK = 8


def solution_namespace() -> dict[str, Any]:
    """What the official solutions use besides NumPy: torch and torch.nn."""
    import torch
    from torch import nn

    return {"torch": torch, "nn": nn}


# ----------------------------------------------------------------------------- q1: the path


_PATH_ARGS = [
    (np.array([0.0, 0.0]), np.array([4.0, 2.0]), 5),
    (np.array([1.0, -1.0, 2.0]), np.array([-1.0, 3.0, 2.0]), 3),
    (np.array([-2.5, 0.5]), np.array([1.5, 4.5]), 9),
]


def _straight_line(a: np.ndarray, b: np.ndarray, steps: int, ends: str = "both") -> np.ndarray:
    if ends == "no_last":
        t = np.arange(steps) / steps
    elif ends == "inside":
        t = np.arange(1, steps + 1) / (steps + 1)
    else:
        t = np.linspace(0.0, 1.0, steps)
    return (1 - t)[:, None] * a + t[:, None] * b


_PATH_CASES = [(args, {}, _straight_line(*args)) for args in _PATH_ARGS]


def _explain_path(value: object) -> str | None:
    try:
        got = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    for (a, b, steps), _, expected in _PATH_CASES:
        if got.shape == expected.T.shape and got.shape != expected.shape and np.allclose(got.T, expected):
            return "The points are right but arranged in columns: return one point per row, shape (steps, d)."
        if got.shape == expected.shape:
            if np.allclose(got, expected[::-1]):
                return "Your path runs backwards: the first row should be z_a and the last z_b."
            if np.allclose(got, _straight_line(a, b, steps, "no_last")):
                return (
                    "Your path stops one step short of z_b: include both end points "
                    "(np.linspace(0, 1, steps) gives the right fractions)."
                )
            if np.allclose(got, _straight_line(a, b, steps, "inside")):
                return "Your path leaves out both end points: the first row should be z_a itself, the last z_b."
            if np.allclose(got[0], a) and np.allclose(got[-1], b):
                return "Both ends are right, but the points in between are not evenly spaced on the straight line."
        if got.ndim == 2 and got.shape[1] == len(a) and len(got) in (steps - 1, steps + 1):
            return f"The number of rows should equal steps ({steps}), counting both end points."
        if got.ndim == 1 and len(got) == steps:
            return "That is one number per step; each step should be a whole latent point (a row of d numbers)."
    return None


q1 = FunctionProblem(
    "interpolation_path",
    _PATH_CASES,
    tol=1e-6,
    hint=[
        "Point k of the path is (1 - t) * z_a + t * z_b, where the fraction t goes from 0 (at z_a) to 1 (at z_b).",
        "np.linspace(0, 1, steps) gives the fractions; turn them into a column with [:, None] so that "
        "they multiply whole rows: t[:, None] * z_b has shape (steps, d).",
    ],
    solution=(
        "def interpolation_path(z_a, z_b, steps):\n"
        "    z_a, z_b = np.asarray(z_a, dtype=float), np.asarray(z_b, dtype=float)\n"
        "    t = np.linspace(0.0, 1.0, steps)[:, None]   # (steps, 1): fractions from 0 to 1\n"
        "    return (1 - t) * z_a + t * z_b              # (steps, d): one point per row"
    ),
    explanation="Every point of the path is a weighted average of the two codes; the decoder turns each into an image.",
    explain_wrong=_explain_path,
)


# ----------------------------------------------------------------------------- q2: the error


def _error_cases() -> list[tuple[tuple, dict, float]]:
    rng = np.random.default_rng(4)
    cases = []
    for n in (2, 3, 5):
        originals = rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8)
        noise = rng.normal(0.0, 0.1, size=(n, 28, 28))
        rebuilt = np.clip(originals / 255.0 + noise, 0.0, 1.0).astype(np.float32)
        expected = float(np.mean((originals / 255.0 - rebuilt) ** 2))
        cases.append(((originals, rebuilt), {}, expected))
    return cases


_ERROR_CASES = _error_cases()


def _explain_error(value: object) -> str | None:
    try:
        got = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    for (originals, rebuilt), _, expected in _ERROR_CASES:
        scaled = originals / 255.0
        if np.isclose(got, np.mean((originals.astype(float) - rebuilt) ** 2), rtol=1e-4):
            return (
                "That is far too big: the originals are uint8 (0-255) but the reconstructions are in [0, 1]. "
                "Divide the originals by 255 first."
            )
        if np.isclose(got, 255.0**2 * expected, rtol=1e-4):
            return (
                "That is the error on the 0-255 scale (255² = 65,025 times larger): the task asks for it on the "
                "reconstructions' scale, pixels from 0 to 1. Divide the originals by 255 instead of multiplying "
                "the reconstructions by 255."
            )
        if np.isclose(got, np.sum((scaled - rebuilt) ** 2), rtol=1e-4):
            return "That is the sum of the squared errors; take their mean instead."
        if np.isclose(got, np.sqrt(expected), rtol=1e-4):
            return "That is the root of the mean squared error; leave out the square root."
        if np.isclose(got, np.mean(np.abs(scaled - rebuilt)), rtol=1e-4):
            return "That is the mean absolute error: square the differences instead of taking their size."
        if np.isclose(got, np.mean(np.sum((scaled - rebuilt) ** 2, axis=(1, 2))), rtol=1e-4):
            return "That is the squared error per image; average over the pixels too (a mean over every pixel)."
    return None


q2 = FunctionProblem(
    "reconstruction_error",
    _ERROR_CASES,
    tol=1e-6,
    hint=[
        "The originals are uint8 images (0-255); the reconstructions are floats in [0, 1]. Put both on one scale.",
        "Divide the originals by 255, subtract, square, and take np.mean over everything.",
    ],
    solution=(
        "def reconstruction_error(originals, reconstructions):\n"
        "    originals = np.asarray(originals, dtype=float) / 255.0\n"
        "    return float(np.mean((originals - np.asarray(reconstructions, dtype=float)) ** 2))"
    ),
    explanation="The same number compares any two encoders of the same size: the lower, the more the code keeps.",
    explain_wrong=_explain_error,
)


# ----------------------------------------------------------------------------- q3: encoder and decoder


def _judge_encoder_decoder(namespace: Mapping[str, Any]) -> str | None:
    import torch
    from torch import nn

    encoder, decoder = namespace["encoder"], namespace["decoder"]
    for name, module in (("encoder", encoder), ("decoder", decoder)):
        if not isinstance(module, nn.Module):
            raise Incorrect(
                f"`{name}` should be a torch module such as nn.Sequential(...), got {type(module).__name__}."
            )
    torch.manual_seed(0)
    images = torch.rand(4, 1, 28, 28)
    with torch.no_grad():
        _judge_decoder(decoder, _codes_of(encoder, images))
    _judge_nonlinear(encoder, images)
    return None


def _codes_of(encoder: Any, images: Any) -> Any:
    """The encoder's codes of ``images``, or the verdict on why they are not one code of BOTTLENECK numbers each."""
    import torch

    try:
        codes = encoder(images)
    except Exception as exc:  # noqa: BLE001 - any failure is the learner's to fix
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        advice = (
            " The images are (n, 1, 28, 28): start the encoder with nn.Flatten() so that nn.Linear "
            "sees rows of 784 pixels."
            if "shape" in text or "mat1" in text
            else ""
        )
        raise Incorrect(f"the encoder failed on a batch of 4 images: {type(exc).__name__}: {text}.{advice}") from None
    if not isinstance(codes, torch.Tensor):
        raise Incorrect(f"the encoder should return a tensor, got {type(codes).__name__}.")
    if codes.ndim != 2:
        raise Incorrect(
            f"the encoder turned (4, 1, 28, 28) images into shape {tuple(codes.shape)}; it should give "
            f"one code per image, shape (4, {BOTTLENECK}). Did you start with nn.Flatten()?"
        )
    if codes.shape[1] != BOTTLENECK:
        raise Incorrect(
            f"the codes have {codes.shape[1]} numbers each; the bottleneck should have {BOTTLENECK}: "
            "make the encoder's last layer output that many."
        )
    return codes


def _judge_decoder(decoder: Any, codes: Any) -> None:
    """The verdict when the decoder does not turn ``codes`` back into images of pixels in [0, 1]."""
    import torch

    try:
        rebuilt = decoder(codes)
    except Exception as exc:  # noqa: BLE001
        text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise Incorrect(
            f"the decoder failed on codes of shape (4, {BOTTLENECK}): {type(exc).__name__}: {text}. "
            f"Its first layer should read {BOTTLENECK} numbers."
        ) from None
    if not isinstance(rebuilt, torch.Tensor):
        raise Incorrect(f"the decoder should return a tensor, got {type(rebuilt).__name__}.")
    if tuple(rebuilt.shape) == (4, 784):
        raise Incorrect(
            "the decoder returns rows of 784 pixels; reshape them into images with nn.Unflatten(1, (1, 28, 28)) "
            "at the end, so that the output has the input's shape (4, 1, 28, 28)."
        )
    if tuple(rebuilt.shape) != (4, 1, 28, 28):
        raise Incorrect(
            f"the decoder's output has shape {tuple(rebuilt.shape)}; it should match the input, (4, 1, 28, 28)."
        )
    if rebuilt.min() < 0 or rebuilt.max() > 1:
        raise Incorrect(
            "some output pixels lie outside [0, 1], where the input pixels are: end the decoder with nn.Sigmoid()."
        )


def _judge_nonlinear(encoder: Any, images: Any) -> None:
    """The verdict when the encoder is one linear map of the pixels (so it can learn only what PCA finds)."""
    from torch import nn

    weighted = [m for m in encoder.modules() if isinstance(m, (nn.Linear, nn.Conv2d, nn.Conv1d, nn.Bilinear))]
    if _is_affine(encoder, images):
        what = "linear layers in a row add up to one linear map" if len(weighted) > 1 else "it is a single linear layer"
        raise Incorrect(
            f"the shapes are right, but the encoder has no nonlinearity: {what}, which can only learn what PCA "
            "finds. Put a hidden layer and a nonlinearity such as nn.ReLU() before the bottleneck layer."
        )
    if len(weighted) < 2:
        raise Incorrect(
            f"the shapes are right, but the encoder goes from the pixels to the {BOTTLENECK} numbers in one layer. "
            "Add a hidden layer (with its nonlinearity) before the bottleneck layer."
        )
    hidden = _before_bottleneck(encoder)
    if hidden is not None and _is_affine(hidden, images):
        raise Incorrect(
            "the shapes are right, but the encoder has no nonlinearity before its bottleneck layer: the layers "
            "up to it add up to one linear map of the pixels, and a ReLU or Tanh after the bottleneck only bends "
            f"each of the {BOTTLENECK} numbers of that linear code. Put the nonlinearity in the encoder's hidden "
            f"layer: nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, {BOTTLENECK})."
        )


def _before_bottleneck(encoder: Any) -> Any:
    """The layers of an ``nn.Sequential`` encoder before its last weighted (bottleneck) layer, or None."""
    from torch import nn

    if not isinstance(encoder, nn.Sequential):
        return None
    weighted = [
        i
        for i, layer in enumerate(encoder)
        if any(isinstance(m, (nn.Linear, nn.Conv2d, nn.Conv1d, nn.Bilinear)) for m in layer.modules())
    ]
    return encoder[: weighted[-1]] if weighted else None


def _is_affine(module: Any, images: Any) -> bool:
    """True when ``module`` behaves as a linear map plus a constant on these inputs.

    An affine map sends the midpoint of two inputs to the midpoint of their outputs; a
    network with a ReLU, tanh or sigmoid between its layers does not (for random inputs
    and weights), so this tells the two apart without reading the layers' names.
    """
    import copy

    import torch

    module = copy.deepcopy(module).eval()  # dropout off, batch norm fixed: as the trained encoder is used
    first, second = images[:2], images[2:4]
    with torch.no_grad():
        middle = module((first + second) / 2)
        average = (module(first) + module(second)) / 2
    scale = float(average.abs().max()) + 1e-6
    return bool(torch.allclose(middle, average, atol=1e-4 * scale, rtol=1e-4))


q3 = CustomProblem(
    _judge_encoder_decoder,
    variables=("encoder", "decoder"),
    hint=[
        "Plan the sizes first: the encoder goes 784 pixels -> a hidden layer of your choice -> "
        f"{BOTTLENECK} numbers, the decoder the same way back. What turns (n, 1, 28, 28) images into rows of "
        "784, and what keeps a pixel between 0 and 1?",
        f"encoder: nn.Flatten(), then nn.Linear(784, 128), nn.ReLU(), then nn.Linear(128, {BOTTLENECK}). The "
        "decoder mirrors it and ends with nn.Sigmoid() and nn.Unflatten(1, (1, 28, 28)).",
    ],
    solution=(
        "encoder = nn.Sequential(\n"
        "    nn.Flatten(),                       # (n, 1, 28, 28) -> (n, 784)\n"
        "    nn.Linear(784, 128), nn.ReLU(),\n"
        f"    nn.Linear(128, {BOTTLENECK}),                  # the bottleneck: {BOTTLENECK} numbers per image\n"
        ")\n"
        "decoder = nn.Sequential(\n"
        f"    nn.Linear({BOTTLENECK}, 128), nn.ReLU(),\n"
        "    nn.Linear(128, 784), nn.Sigmoid(),  # pixels in [0, 1]\n"
        "    nn.Unflatten(1, (1, 28, 28)),       # (n, 784) -> (n, 1, 28, 28)\n"
        ")"
    ),
    explanation=(
        f"An image goes in, {BOTTLENECK} numbers come out of the encoder, and the decoder must rebuild "
        "the image from those alone."
    ),
    success=f"both shapes are right: (n, 1, 28, 28) -> (n, {BOTTLENECK}) -> (n, 1, 28, 28), pixels in [0, 1].",
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3}
