"""Latent-space maths: encode images, decode latent points, walk between codes, measure
reconstructions, and compare with PCA at the same size.

>>> from helpers.data import load_fashion_mnist
>>> from helpers import latent_space
>>> from helpers.autoencoder_training import train_or_load_autoencoder
>>> fashion = load_fashion_mnist()
>>> net, info = train_or_load_autoencoder(fashion, latent_dim=2)  # cached after the first run
>>> Z = latent_space.encode_images(net, fashion.x_test)          # (3000, 2) latent codes
>>> latent_space.decode_points(net, [0.5, -1.0]).shape          # one point -> one 28 x 28 image
(28, 28)
>>> path = latent_space.interpolate(Z[0], Z[1], steps=8)         # 8 points on the straight line

Images go in as uint8 (0-255) or floats (0-1), shaped (n, 28, 28), (n, 1, 28, 28) or
flat (n, 784); everything that comes out is float32 with pixels in [0, 1] (unless asked
for uint8). Wrong inputs raise errors that name the argument.

Training the autoencoders is :mod:`helpers.autoencoder_training`.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn

from helpers import validation
from helpers.models.autoencoder import IMAGE_SHAPE
from helpers.training import (
    FEW_CORES,
    cpu_cores,
    torch_threads,
)

__all__ = [
    "PCAReconstruction",
    "decode_points",
    "double_exposures",
    "encode_images",
    "grey_share",
    "interpolate",
    "latent_extent",
    "grid_extent",
    "grid_side",
    "latent_grid",
    "lattice",
    "nearest_distance",
    "neighbours_split_apart",
    "pca_reconstruct",
    "per_image_mse",
    "pixel_blend",
    "reconstruct",
    "reconstruction_mse",
]


_SIDE = IMAGE_SHAPE[1]
_PIXELS = IMAGE_SHAPE[1] * IMAGE_SHAPE[2]


# ----------------------------------------------------------------------------- rules of the arguments


def _images(x: Any, name: str, arguments: Any = None) -> np.ndarray:
    """Images as float32 (n, 28, 28) in [0, 1]: uint8 are divided by 255, floats kept."""
    arr = validation.images(x, name, side=_SIDE, flat=True)
    if arr.dtype == np.uint8:
        return np.divide(arr, 255.0, dtype=np.float32)  # one float32 copy (astype, then divide: two)
    return arr.astype(np.float32, copy=False)


def _image(x: Any, name: str, arguments: Any = None) -> np.ndarray:
    """One image (28, 28), given alone or as a batch of one."""
    arr = _images(np.asarray(x)[None] if np.ndim(x) == 2 else x, name)
    if len(arr) != 1:
        raise validation.InvalidValue("image_a and image_b must each be a single 28 x 28 image")
    return arr[0]


def _point(z: Any, name: str, arguments: Any = None) -> np.ndarray:
    return validation.vector(z, name, what=" (one latent point)", dtype=np.float64)


def _end(z: Any, name: str, arguments: Any) -> np.ndarray:
    a, b = arguments["z_a"], _point(z, name)
    if a.size != b.size:
        raise validation.InvalidValue(f"z_a and z_b must have the same length, got {a.size} and {b.size}")
    return b


def _latent(Z: Any, name: str, arguments: Any) -> np.ndarray:
    """Latent points of the model's size as float32: one (dim,) or a batch (n, dim)."""
    dim = int(arguments["model"].latent_dim)
    arr = validation.numbers(Z, name, expected=f"one latent point (shape ({dim},)) or a batch (shape (n, {dim}))")
    if arr.ndim == 1:
        return validation.vector(arr, name, length=dim, what=" (the model's latent_dim)", dtype=np.float32)
    return validation.matrix(arr, name, cols=dim, what="one latent point per row, the model's latent_dim values "
                             "each", dtype=np.float32, flat_hint=False)


def _steps(value: Any, name: str, arguments: Any) -> int:
    """Points on a path (both ends and any between), as many as fit in memory."""
    per_point = 8 + 20 * arguments["z_a"].size if "z_a" in arguments else 8 + 12 * _PIXELS
    return validation.size(value, name, low=2, item_bytes=per_point, what="points on the path")


def _same_images(value: Any, name: str, arguments: Any) -> np.ndarray:
    a, b = arguments["originals"], _images(value, name)
    if a.shape != b.shape:
        raise validation.InvalidValue(
            f"originals and reconstructions must hold the same number of images, got {len(a)} and {len(b)}")
    return b


def _codes(value: Any, name: str, arguments: Any) -> np.ndarray:
    codes, n = validation.matrix(value, name, what="one latent point per image", dtype=np.float32, flat_hint=False), \
        len(arguments["images"])
    if len(codes) != n:
        raise validation.InvalidValue(f"Z must hold one latent point per image: shape ({n}, d), got {codes.shape}")
    return codes


def _components(value: Any, name: str, arguments: Any) -> int:
    return validation.integer(value, name, low=1, high=min(len(arguments["X_train"]), _PIXELS),
                              why=" (at most the number of training images and of pixels)")


_MODEL = validation.rule(validation.autoencoder)
_COUNT = validation.rule(validation.integer, low=1)
_RANGE = validation.rule(validation.value_range)


#: The memory one tile of a decoded lattice takes: the decoded image, the mosaic, and its reordering.
TILE_BYTES = 3 * _SIDE * _SIDE * 4


def grid_side(n: Any, name: str = "n") -> int:
    """Tiles per side of a decoded lattice: from 2 to as many as ``n x n`` tiles fit in memory."""
    return validation.size(n, name, low=2, item_bytes=TILE_BYTES, what="decoded 28 x 28 tiles", power=2)


_SIDE_RULE = validation.rule(grid_side)


# ----------------------------------------------------------------------------- encode / decode


def _model_device(model: nn.Module) -> torch.device:
    try:
        return next(model.parameters()).device
    except StopIteration:
        return torch.device("cpu")


@validation.params(model=_MODEL, batch_size=_COUNT, images=_images)
@torch.no_grad()
def encode_images(model: nn.Module, images: Any, *, batch_size: int = 2048) -> np.ndarray:
    """The latent codes of ``images``: float32 of shape (n, model.latent_dim)."""
    x = torch.from_numpy(images)[:, None]
    device = _model_device(model)
    model.eval()
    with cpu_threads(len(x)):
        out = [model.encode(x[i : i + batch_size].to(device)).cpu() for i in range(0, len(x), batch_size)]
    return torch.cat(out).numpy().astype(np.float32, copy=False)


#: Batches up to this size are run on one CPU thread (see :func:`cpu_threads`).
SMALL_BATCH = 256


@contextmanager
def cpu_threads(batch: int | None = None) -> Iterator[None]:
    """Run torch on one CPU thread for small batches, or on a machine with few cores.

    These networks are small: a second thread saves little, but it must wait for the
    operating system to schedule it, and when anything else keeps the CPU busy (a browser,
    another notebook) that wait can make training many times slower. Decoding a handful
    of points for a widget takes well under a millisecond on one thread.
    """
    few_cores = cpu_cores() <= FEW_CORES
    small = batch is not None and batch <= SMALL_BATCH
    with torch_threads(1 if few_cores or small else None):
        yield


@validation.params(model=_MODEL, as_uint8=validation.rule(validation.boolean), Z=_latent)
@torch.no_grad()
def decode_points(model: nn.Module, Z: Any, *, as_uint8: bool = False) -> np.ndarray:
    """Decode latent points into images.

    ``Z`` is one point (shape ``(latent_dim,)``) or many (shape ``(n, latent_dim)``); the
    answer is one image (28, 28) or many (n, 28, 28): float32 in [0, 1], or uint8 0-255
    with ``as_uint8=True``.
    """
    single = Z.ndim == 1
    points = Z[None] if single else Z
    model.eval()
    images = np.empty((len(points), _SIDE, _SIDE), dtype=np.float32)
    with cpu_threads(len(points)):
        for start in range(0, len(points), 2048):  # in batches: 12,000 points at once take 0.14 GB of layers
            part = model.decode(torch.from_numpy(points[start : start + 2048]).to(_model_device(model)))
            images[start : start + len(part)] = part.cpu().numpy().reshape(len(part), _SIDE, _SIDE)
    if as_uint8:
        images = np.clip(np.rint(images * 255.0), 0, 255).astype(np.uint8)
    return images[0] if single else images


@validation.params(model=_MODEL, batch_size=_COUNT, images=_images)
def reconstruct(model: nn.Module, images: Any, *, batch_size: int = 2048) -> np.ndarray:
    """Encode and decode ``images``: float32 (n, 28, 28) in [0, 1]."""
    return decode_points(model, encode_images(model, images, batch_size=batch_size))


# ----------------------------------------------------------------------------- paths and grids


@validation.params(z_a=_point, z_b=_end, steps=_steps)
def interpolate(z_a: Any, z_b: Any, steps: int = 8) -> np.ndarray:
    """``steps`` evenly spaced points on the straight line from ``z_a`` to ``z_b`` (both included).

    Returns float32 of shape (steps, d): row 0 is ``z_a``, the last row ``z_b``.
    """
    t = np.linspace(0.0, 1.0, steps)[:, None]
    return ((1.0 - t) * z_a + t * z_b).astype(np.float32)


@validation.params(image_a=_image, image_b=_image, steps=_steps)
def pixel_blend(image_a: Any, image_b: Any, steps: int = 8) -> np.ndarray:
    """The cross-fade of two images: (steps, 28, 28) float32, from ``image_a`` to ``image_b``.

    This is interpolation in *pixel* space: each frame is a weighted average of the two
    pictures, so in between one sees both at once, not a garment or digit in between.
    """
    t = np.linspace(0.0, 1.0, steps)[:, None, None]
    return ((1.0 - t) * image_a + t * image_b).astype(np.float32)


@validation.params(Z=validation.rule(validation.matrix, cols=2, what="2-D latent points, shape (n, 2)",
                                     dtype=np.float64, flat_hint=False),
                   quantile=validation.rule(validation.number, low=0, high=0.5, high_open=True),
                   margin=validation.rule(validation.number, low=0))
def latent_extent(Z: Any, *, quantile: float = 0.005, margin: float = 0.05) -> tuple[tuple[float, float], ...]:
    """The box that holds the bulk of 2-D latent points: ``((x_low, x_high), (y_low, y_high))``.

    The ``quantile`` share of points on each side is left out (outliers would stretch
    the box), and ``margin`` of the width is added around it.
    """
    limits = []
    for column in Z.T:
        low, high = np.quantile(column, [quantile, 1.0 - quantile])
        pad = margin * (high - low) if high > low else 1.0
        limits.append((float(low - pad), float(high + pad)))
    return tuple(limits)


@validation.params(xlim=_RANGE, ylim=_RANGE, n=_SIDE_RULE)
def lattice(xlim: Sequence[float], ylim: Sequence[float], n: int) -> np.ndarray:
    """An n x n lattice of 2-D points covering ``xlim`` x ``ylim``, shape (n * n, 2).

    Rows come in reading order: the top row (largest y) first, x growing along each row,
    so that point ``r * n + c`` belongs to tile (r, c) of :func:`latent_grid`.
    """
    (x0, x1), (y0, y1) = xlim, ylim
    xs = np.linspace(x0, x1, int(n))
    ys = np.linspace(y1, y0, int(n))
    gx, gy = np.meshgrid(xs, ys)
    return np.column_stack([gx.ravel(), gy.ravel()]).astype(np.float32)


@validation.params(xlim=_RANGE, ylim=_RANGE, n=validation.rule(validation.integer, low=2))
def grid_extent(xlim: Sequence[float], ylim: Sequence[float], n: int) -> tuple[float, float, float, float]:
    """``(left, right, bottom, top)`` for ``imshow(latent_grid(...), extent=...)``: each tile
    is then centred on its lattice point, in latent coordinates."""
    (x0, x1), (y0, y1) = xlim, ylim
    dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
    return (x0 - dx / 2, x1 + dx / 2, y0 - dy / 2, y1 + dy / 2)


@validation.params(model=_MODEL, n=_SIDE_RULE, xlim=_RANGE, ylim=_RANGE)
def latent_grid(model: nn.Module, xlim: Sequence[float], ylim: Sequence[float], n: int = 15) -> np.ndarray:
    """Decode an n x n lattice over the latent plane into one mosaic image (n*28, n*28).

    The tile in row r, column c is the decoded :func:`lattice` point ``r * n + c``; the top
    of the mosaic is the top (largest y) of the plane. Draw it with
    ``imshow(mosaic, extent=grid_extent(xlim, ylim, n))`` to line it up with the latent map. Only for
    2-D bottlenecks.
    """
    if model.latent_dim != 2:
        raise validation.InvalidValue(
            f"latent_grid needs a model with a 2-D bottleneck (a plane to tile), got latent_dim={model.latent_dim}")
    images = decode_points(model, lattice(xlim, ylim, n))
    return images.reshape(n, n, _SIDE, _SIDE).transpose(0, 2, 1, 3).reshape(n * _SIDE, n * _SIDE)


# ----------------------------------------------------------------------------- PCA and errors


class PCAReconstruction(NamedTuple):
    """What :func:`pca_reconstruct` returns (it unpacks like a tuple)."""

    reconstructions: np.ndarray  #: the test images rebuilt from their codes, float32 (n, 28, 28)
    train_codes: np.ndarray  #: the training images' coordinates on the components (n_train, k)
    test_codes: np.ndarray  #: the test images' coordinates (n_test, k)


@validation.params(X_train=_images, X_test=_images, n_components=_components)
def pca_reconstruct(X_train: Any, X_test: Any, n_components: int) -> PCAReconstruction:
    """PCA with ``n_components`` fitted on ``X_train``; ``X_test`` encoded and rebuilt.

    PCA is the best *linear* encoder/decoder pair of that size (for squared error), so it
    is the baseline an autoencoder must beat. Pixels are scaled to [0, 1] first; the
    reconstructions are left unclipped (a linear decoder can step slightly outside).
    """
    from sklearn.decomposition import PCA

    train, test = X_train.reshape(-1, _PIXELS), X_test.reshape(-1, _PIXELS)
    pca = PCA(n_components=n_components, random_state=0).fit(train)
    test_codes = pca.transform(test).astype(np.float32)
    rebuilt = pca.inverse_transform(test_codes).astype(np.float32).reshape(-1, _SIDE, _SIDE)
    return PCAReconstruction(rebuilt, pca.transform(train).astype(np.float32), test_codes)


_PAIR = {"originals": _images, "reconstructions": _same_images}


@validation.params(**_PAIR)
def per_image_mse(originals: Any, reconstructions: Any) -> np.ndarray:
    """Mean squared pixel error of each image (pixels in [0, 1]), float64 of shape (n,)."""
    a, b = originals, reconstructions
    return ((a.astype(np.float64) - b) ** 2).reshape(len(a), -1).mean(axis=1)


@validation.params(**_PAIR)
def reconstruction_mse(originals: Any, reconstructions: Any) -> float:
    """Mean squared pixel error over all images and pixels (pixels in [0, 1])."""
    return float(per_image_mse(originals, reconstructions).mean())


# ----------------------------------------------------------------------------- what a decoded image looks like


@validation.params(images=_images)
def grey_share(images: Any) -> np.ndarray:
    """Per image, the share of its inked pixels (above 0.1) that are mid-grey (0.25-0.75), shape (n,).

    A crisp drawing is mostly black and white (near 0); a blur is mostly grey (near 1).
    """
    arr = images.reshape(-1, _PIXELS)
    inked = arr > 0.1
    grey = (arr > 0.25) & (arr < 0.75)
    return grey.sum(axis=1) / np.maximum(inked.sum(axis=1), 1)


def _image_stack(value: Any, name: str, arguments: Any = None) -> np.ndarray:
    """Images checked but kept as given (uint8 stays uint8), to be converted a part at a time."""
    return validation.images(value, name, side=_SIDE, flat=True)


@validation.params(images=_images, data=_image_stack, chunk=_COUNT)
def nearest_distance(images: Any, data: Any, *, chunk: int = 1024) -> np.ndarray:
    """Per image, its root-mean-square pixel distance to the nearest image of ``data``, shape (n,).

    ``data`` is read ``chunk`` images at a time (60,000 images as float64 would take 0.4 GB at once).
    """
    a, b = images.reshape(-1, _PIXELS).astype(np.float64), data
    a_squared = (a ** 2).sum(1)[:, None]
    nearest = np.full(len(a), np.inf)
    for start in range(0, len(b), chunk):
        part = _images(b[start : start + chunk], "data").reshape(-1, _PIXELS).astype(np.float64)
        squared = a_squared - 2 * a @ part.T + (part ** 2).sum(1)[None]
        nearest = np.minimum(nearest, squared.min(axis=1))
    return np.sqrt(np.maximum(nearest, 0) / _PIXELS)


@validation.params(images=_images, image_a=_image, image_b=_image, data=_images)
def double_exposures(images: Any, image_a: Any, image_b: Any, data: Any) -> np.ndarray:
    """Per image, whether it lies closer to a mix ``(1 - t) A + t B`` (0.25 <= t <= 0.75) than to all of ``data``.

    Such an image shows A and B at once, like the frames of a pixel blend, rather than one
    object of the kind ``data`` holds (for decoded images: pass what the decoder draws for
    real images, and the decoded ends as A and B). Returns a bool array, shape (n,).
    """
    t = np.linspace(0.25, 0.75, 21)[:, None, None]
    mixes = (1 - t) * image_a + t * image_b
    return nearest_distance(images, mixes) < nearest_distance(images, data)


# ----------------------------------------------------------------------------- closeness can fail


@validation.params(images=_images, Z=_codes, top=_COUNT,
                   pairs=lambda value, name, arguments: validation.size(
                       value, name, item_bytes=16 + 12 * arguments["Z"].shape[1], what="random pairs"))
def neighbours_split_apart(
    images: Any, Z: Any, *, top: int = 3, pairs: int = 20_000, seed: int = 0
) -> list[dict[str, float]]:
    """Look-alike images whose latent codes are far apart: where "similar lands close" fails.

    Every image is paired with its nearest neighbour in pixel space; the pairs whose
    latent codes are furthest apart come first. ``latent_percentile`` says how many
    random pairs of images (of ``pairs`` drawn) lie closer together in the latent space
    than this pair of near twins (0.9: closer than only 10% of random pairs).
    Returns ``top`` dicts with ``i``, ``j``, ``pixel_distance``, ``latent_distance`` and
    ``latent_percentile``.
    """
    from helpers.metrics import knn_indices

    pixels, codes = images.reshape(-1, _PIXELS), Z
    twin = knn_indices(pixels, 1)[:, 0]
    latent_gap = np.linalg.norm(codes - codes[twin], axis=1)
    rng = np.random.default_rng(seed)
    a, b = rng.integers(0, len(codes), (2, int(pairs)))
    random_gaps = np.sort(np.linalg.norm(codes[a] - codes[b], axis=1))
    found, seen = [], set()
    for i in np.argsort(-latent_gap):
        j = int(twin[i])
        if (min(i, j), max(i, j)) in seen:
            continue
        seen.add((min(i, j), max(i, j)))
        found.append({
            "i": int(i),
            "j": j,
            "pixel_distance": float(np.linalg.norm(pixels[i] - pixels[j])),
            "latent_distance": float(latent_gap[i]),
            "latent_percentile": float(np.searchsorted(random_gaps, latent_gap[i]) / len(random_gaps)),
        })
        if len(found) == top:
            break
    return found
