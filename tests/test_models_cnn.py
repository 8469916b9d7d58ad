"""helpers.models.cnn: the course CNN's shapes, its embedding layer and its argument checks."""

from __future__ import annotations

import pytest
import torch

from helpers.models.cnn import LAYER_NAMES, SmallCNN


def test_shapes_of_embedding_logits_and_every_layer():
    torch.manual_seed(0)
    model = SmallCNN(num_classes=7, embedding_dim=12, channels=(4, 6)).eval()
    x = torch.rand(3, 1, 28, 28)
    assert model.embed(x).shape == (3, 12)
    assert model(x).shape == (3, 7)
    outputs = model.layer_outputs(x)
    assert list(outputs) == list(LAYER_NAMES)
    assert outputs["conv1"].shape == (3, 4 * 14 * 14)
    assert outputs["conv2"].shape == (3, 6 * 7 * 7)
    assert torch.allclose(outputs["embedding"], model.embed(x))
    assert torch.allclose(outputs["classifier"], model(x))
    assert (model.embed(x) >= 0).all()  # the embedding comes after a ReLU


def test_forward_is_the_classifier_on_top_of_the_embedding():
    model = SmallCNN().eval()
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(model(x), model.classifier(model.embed(x)))


def test_a_forward_hook_on_the_embedding_layer_sees_the_embedding():
    model = SmallCNN(embedding_dim=16).eval()
    seen = []
    handle = model.embedding.register_forward_hook(lambda m, i, o: seen.append(o))
    x = torch.rand(4, 1, 28, 28)
    model(x)
    handle.remove()
    assert torch.allclose(seen[0], model.embed(x))


def test_torchvision_feature_extraction_can_trace_the_model():
    from torchvision.models.feature_extraction import create_feature_extractor

    model = SmallCNN(embedding_dim=8).eval()
    extractor = create_feature_extractor(model, {"embedding.2": "embedding"})
    x = torch.rand(2, 1, 28, 28)
    assert torch.allclose(extractor(x)["embedding"], model.embed(x))


@pytest.mark.parametrize(
    "kwargs,words",
    [({"embedding_dim": 0}, "embedding_dim"), ({"channels": (4,)}, "channels"), ({"dropout": 1.0}, "dropout"),
     ({"num_classes": 2.5}, "num_classes")],
)
def test_bad_settings_are_named(kwargs, words):
    with pytest.raises(ValueError, match=words):
        SmallCNN(**kwargs)


def test_wrong_input_shape_is_explained():
    with pytest.raises(ValueError, match=r"\(n, 1, 28, 28\)"):
        SmallCNN().embed(torch.rand(2, 28, 28))
