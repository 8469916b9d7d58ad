"""The epoch explorer (helpers.widgets.training_evolution), without a browser: aligned maps, the slider, validation."""

from __future__ import annotations

import numpy as np
import pytest

from helpers import projections
from helpers.widgets.training_evolution import EpochExplorer


@pytest.fixture(autouse=True)
def _fresh_projection_memory():
    projections.clear_memory_cache()
    yield
    projections.clear_memory_cache()


def _epochs(E=4, n=50, d=6, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 5
    centres = rng.normal(size=(5, d)) * 6
    noise = rng.normal(size=(n, d))
    return np.stack([centres[labels] * (e / (E - 1)) + noise for e in range(E)]).astype(np.float32), labels


def test_epoch_maps_are_aligned_to_the_last_epoch():
    embeddings, labels = _epochs()
    explorer = EpochExplorer(embeddings, labels, scores={"accuracy": [0.2, 0.5, 0.8, 0.9]})
    maps = explorer.maps()
    assert maps.shape == (4, 50, 2)
    final = projections.project(embeddings[-1], "pca", verbose=False)
    np.testing.assert_allclose(maps[-1], final, atol=1e-5)
    raw = projections.project(embeddings[-2], "pca", verbose=False)
    assert np.linalg.norm(maps[-2] - final) <= np.linalg.norm(raw - final) + 1e-6
    assert explorer.maps() is maps  # computed once


def test_epoch_slider_moves_the_points():
    embeddings, labels = _epochs()
    explorer = EpochExplorer(embeddings, labels, scores={"accuracy": [0.2, 0.5, 0.8, 0.9]})
    view = explorer.view
    np.testing.assert_allclose(view.points.get_offsets(), explorer.maps()[-1])
    view.slider.value = 1
    assert explorer.epoch == 1
    np.testing.assert_allclose(view.points.get_offsets(), explorer.maps()[1])
    assert "after epoch 1" in view.title.get_text()
    explorer.set_epoch(0)
    assert view.slider.value == 0 and "untrained" in view.title.get_text()
    fig = explorer.small_multiples([0, 3])
    assert len(fig.axes) == 2
    assert "image/png" in explorer._repr_mimebundle_()


@pytest.mark.parametrize(
    "change,words",
    [
        (dict(embeddings=np.zeros((50, 6))), "embeddings must have shape (epochs, n points, d dims)"),
        (dict(embeddings=np.zeros((1, 50, 6))), "at least 2 epochs"),
        (dict(labels=np.zeros(49)), "labels must have one label per row"),
        (dict(scores={"acc": [1, 2]}), "scores['acc'] must have one value per epoch"),
        (dict(epoch_numbers=[0, 1]), "epoch_numbers must have one entry per epoch"),
        (dict(method="lda"), "method must be one of"),
    ],
)
def test_epoch_explorer_validates_its_input(change, words):
    embeddings, labels = _epochs()
    kwargs = {"embeddings": embeddings, "labels": labels, **change}
    with pytest.raises(ValueError) as info:
        EpochExplorer(kwargs.pop("embeddings"), kwargs.pop("labels"), **kwargs)
    assert words in str(info.value)


def test_epoch_explorer_set_epoch_validates():
    embeddings, labels = _epochs()
    explorer = EpochExplorer(embeddings, labels)
    with pytest.raises(ValueError, match="position must be an integer from 0 to 3"):
        explorer.set_epoch(4)
