"""helpers.latent_space: encoding and decoding, paths, grids, PCA, errors."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers import latent_space
from helpers.models.autoencoder import Autoencoder


@pytest.fixture(scope="module")
def images():
    return np.random.default_rng(0).integers(0, 256, size=(40, 28, 28)).astype(np.uint8)


# ----------------------------------------------------------------------------- encode / decode


def test_encode_decode_reconstruct(net2, images):
    Z = latent_space.encode_images(net2, images)
    assert Z.shape == (40, 2) and Z.dtype == np.float32
    one = latent_space.decode_points(net2, Z[0])
    assert one.shape == (28, 28) and one.dtype == np.float32
    many = latent_space.decode_points(net2, Z[:3])
    assert many.shape == (3, 28, 28)
    np.testing.assert_allclose(many[0], one, atol=1e-6)
    as_bytes = latent_space.decode_points(net2, Z[:3], as_uint8=True)
    assert as_bytes.dtype == np.uint8 and as_bytes.shape == (3, 28, 28)
    rebuilt = latent_space.reconstruct(net2, images)
    assert rebuilt.shape == (40, 28, 28) and 0 <= rebuilt.min() and rebuilt.max() <= 1
    # the same images as floats, flat, or with a channel axis give the same codes
    floats = images / 255.0
    np.testing.assert_allclose(latent_space.encode_images(net2, floats.reshape(40, 784)), Z, atol=1e-5)
    np.testing.assert_allclose(latent_space.encode_images(net2, floats[:, None]), Z, atol=1e-5)


def test_decode_points_in_batches_equals_the_decoder_at_once(net2):
    Z = np.random.default_rng(2).normal(size=(2048 + 5, 2)).astype(np.float32)  # two batches
    with torch.no_grad():
        whole = net2.decode(torch.from_numpy(Z)).numpy().reshape(-1, 28, 28)
    np.testing.assert_allclose(latent_space.decode_points(net2, Z), whole, atol=1e-6)


@pytest.mark.parametrize(
    "Z,words",
    [
        ([1.0, 2.0, 3.0], "Z must have 2 (values|columns)"),
        (np.zeros((4, 5)), "Z must have 2 (values|columns)"),
        (np.zeros((2, 2, 2)), "Z must be a 2-D array"),
        ([np.nan, 0.0], "Z contains 1 NaN"),
        (np.zeros((0, 2)), "at least 1 row"),
    ],
)
def test_decode_points_rejects_bad_points(net2, Z, words):
    with pytest.raises(ValueError, match=words):
        latent_space.decode_points(net2, Z)


def test_bad_models_and_images_are_named(net2):
    with pytest.raises(TypeError, match="model must be an autoencoder"):
        latent_space.decode_points(torch.nn.Linear(2, 2), [0.0, 0.0])
    with pytest.raises(ValueError, match="images must hold 28 x 28 images"):
        latent_space.encode_images(net2, np.zeros((3, 32, 32)))
    with pytest.raises(TypeError, match="images must hold numbers"):
        latent_space.encode_images(net2, np.array([["a"] * 784]))


# ----------------------------------------------------------------------------- paths and grids


def test_interpolate_is_a_straight_line_with_both_ends():
    path = latent_space.interpolate([0.0, 0.0], [4.0, 2.0], steps=5)
    assert path.shape == (5, 2) and path.dtype == np.float32
    np.testing.assert_allclose(path, [[0, 0], [1, 0.5], [2, 1], [3, 1.5], [4, 2]])
    assert latent_space.interpolate(np.ones(16), np.zeros(16), 3).shape == (3, 16)
    assert latent_space.interpolate(torch.zeros(2), torch.ones(2), 2).tolist() == [[0, 0], [1, 1]]


@pytest.mark.parametrize(
    "z_a,z_b,steps,error,words",
    [
        ([0, 0], [1, 1, 1], 4, ValueError, "same length"),
        ([[0, 0]], [1, 1], 4, ValueError, "z_a must be a 1-D vector"),
        ([0, 0], [1, np.inf], 4, ValueError, "z_b contains 1 infinite"),
        ([0, 0], [1, 1], 1, ValueError, "steps must be an integer from 2 to"),
        ([0, 0], [1, 1], 2.5, TypeError, "steps must be an integer"),
        (["a", "b"], [1, 1], 3, TypeError, "z_a must hold numbers"),
    ],
)
def test_interpolate_rejects_bad_input(z_a, z_b, steps, error, words):
    with pytest.raises(error, match=words):
        latent_space.interpolate(z_a, z_b, steps)


def test_pixel_blend(images):
    blend = latent_space.pixel_blend(images[0], images[1], steps=3)
    assert blend.shape == (3, 28, 28)
    np.testing.assert_allclose(blend[0], images[0] / 255.0, atol=1e-6)
    np.testing.assert_allclose(blend[1], (images[0] / 255.0 + images[1] / 255.0) / 2, atol=1e-6)
    with pytest.raises(ValueError, match="image_a and image_b must each be a single"):
        latent_space.pixel_blend(images[:2], images[1], steps=3)


def test_lattice_and_grid_line_up(net2):
    points = latent_space.lattice((0, 2), (10, 20), 3)
    assert points.shape == (9, 2)
    np.testing.assert_allclose(points[0], [0, 20])  # top left first
    np.testing.assert_allclose(points[2], [2, 20])
    np.testing.assert_allclose(points[-1], [2, 10])
    mosaic = latent_space.latent_grid(net2, (0, 2), (10, 20), 3)
    assert mosaic.shape == (84, 84)
    tiles = latent_space.decode_points(net2, points)
    np.testing.assert_allclose(mosaic[:28, 28:56], tiles[1], atol=1e-6)  # row 0, column 1
    np.testing.assert_allclose(mosaic[56:, :28], tiles[6], atol=1e-6)  # row 2, column 0
    assert latent_space.grid_extent((0, 2), (10, 20), 3) == (-0.5, 2.5, 7.5, 22.5)


def test_grid_input_checks(net2):
    with pytest.raises(ValueError, match=r"xlim must be a pair of finite numbers \(low, high\) with low < high"):
        latent_space.lattice((2, 0), (0, 1), 3)
    with pytest.raises(TypeError, match="ylim must be a pair"):
        latent_space.lattice((0, 1), 5, 3)
    with pytest.raises(ValueError, match="n must be an integer from 2 to"):
        latent_space.latent_grid(net2, (0, 1), (0, 1), 1)
    with pytest.raises(ValueError, match="2-D bottleneck"):
        latent_space.latent_grid(Autoencoder(latent_dim=3, hidden=(8,)), (0, 1), (0, 1), 3)


def test_latent_extent_ignores_outliers():
    Z = np.random.default_rng(0).normal(size=(2000, 2))
    Z[0] = [1000.0, -1000.0]
    (x0, x1), (y0, y1) = latent_space.latent_extent(Z)
    assert -5 < x0 < -2 and 2 < x1 < 5 and -5 < y0 < -2 and 2 < y1 < 5
    with pytest.raises(ValueError, match=r"Z must have 2 columns \(2-D latent points"):
        latent_space.latent_extent(np.zeros((5, 3)))


# ----------------------------------------------------------------------------- PCA and errors


def test_pca_reconstruct_and_mse(images):
    train, test = images[:30], images[30:]
    result = latent_space.pca_reconstruct(train, test, 5)
    rebuilt, train_codes, test_codes = result  # unpacks like a tuple
    assert rebuilt.shape == (10, 28, 28) and train_codes.shape == (30, 5) and test_codes.shape == (10, 5)
    more = latent_space.pca_reconstruct(train, test, 20)
    assert latent_space.reconstruction_mse(test, more.reconstructions) < latent_space.reconstruction_mse(test, rebuilt)
    full = latent_space.pca_reconstruct(train, train, 29)  # as many components as the data allow
    assert latent_space.reconstruction_mse(train, full.reconstructions) < 1e-6
    with pytest.raises(ValueError, match="n_components must be an integer from 1 to 30"):
        latent_space.pca_reconstruct(train, test, 31)
    with pytest.raises(ValueError, match="X_test must hold 28 x 28 images"):
        latent_space.pca_reconstruct(train, np.zeros((3, 10)), 2)


def test_mse_helpers(images):
    a = images[:4]
    b = np.clip(a / 255.0 + 0.1, 0, 1)
    per = latent_space.per_image_mse(a, b)
    assert per.shape == (4,)
    expected = np.mean((a / 255.0 - b) ** 2)
    assert latent_space.reconstruction_mse(a, b) == pytest.approx(expected)
    assert latent_space.reconstruction_mse(a, a) == 0.0
    with pytest.raises(ValueError, match="originals and reconstructions must hold the same number"):
        latent_space.reconstruction_mse(images[:4], images[:3])


def test_neighbours_split_apart_finds_far_codes_of_look_alikes(images):
    Z = np.zeros((40, 2), dtype=np.float32)
    look_alike = images.copy()
    look_alike[1] = look_alike[0]  # image 1 is a copy of image 0 ...
    Z[1] = [50.0, 50.0]  # ... but its code lies far away
    found = latent_space.neighbours_split_apart(look_alike, Z, top=2)
    assert {found[0]["i"], found[0]["j"]} == {0, 1}
    assert found[0]["pixel_distance"] == 0.0 and found[0]["latent_percentile"] > 0.9
    with pytest.raises(ValueError, match="Z must hold one latent point per image"):
        latent_space.neighbours_split_apart(images, Z[:5])


def test_helpers_leave_torch_thread_count_as_they_found_it(net2, images):
    before = torch.get_num_threads()
    latent_space.decode_points(net2, [0.0, 0.0])
    latent_space.encode_images(net2, images)
    assert torch.get_num_threads() == before


def test_nearest_distance_reads_the_data_in_chunks_with_the_same_result():
    from helpers.latent_space import nearest_distance

    rng = np.random.default_rng(0)
    images, data = rng.random((7, 28, 28)), rng.random((50, 28, 28)).astype(np.float32)
    a, b = images.reshape(7, -1), data.reshape(50, -1).astype(np.float64)
    whole = np.sqrt(np.maximum(((a ** 2).sum(1)[:, None] - 2 * a @ b.T + (b ** 2).sum(1)[None]).min(1), 0) / 784)
    for chunk in (1, 16, 50, 4096):  # (BLAS may sum in another order)
        assert nearest_distance(images, data, chunk=chunk) == pytest.approx(whole, rel=1e-7), chunk
    pixels = rng.integers(0, 256, (50, 28, 28), dtype=np.uint8)  # bytes: turned into floats a chunk at a time
    assert nearest_distance(images, pixels, chunk=16) == pytest.approx(nearest_distance(images, pixels / 255), rel=1e-6)
    with pytest.raises(ValueError, match="chunk"):
        nearest_distance(images, data, chunk=0)


def test_grey_share_nearest_distance_and_double_exposures():
    from helpers.latent_space import double_exposures, grey_share, nearest_distance

    crisp = np.zeros((28, 28), np.float32)
    crisp[4:24, 10:14] = 1.0                                   # a bar, black on white
    other = np.zeros((28, 28), np.float32)
    other[12:16, 4:24] = 1.0                                   # a crossing bar
    blur = np.where(crisp > 0, 0.5, 0.0).astype(np.float32)
    assert grey_share(np.stack([crisp, blur])).tolist() == [0.0, 1.0]
    assert grey_share(np.zeros((1, 28, 28))).tolist() == [0.0]          # no ink: nothing grey
    data = np.stack([crisp, other])
    assert nearest_distance(np.stack([crisp, other * 0.9]), data) == pytest.approx([0.0, 0.1 * np.sqrt(80 / 784)])
    mix = 0.5 * crisp + 0.5 * other
    assert double_exposures(np.stack([mix, crisp]), crisp, other, data).tolist() == [True, False]
    with pytest.raises(ValueError, match="images"):
        grey_share(np.zeros((3, 5)))
