"""Picking by class with previous/next: the shared component, and each explorer that picks points."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np
import pytest
import torch

from helpers import projections, validation
from helpers.models.autoencoder import Autoencoder
from helpers.widgets.interpolation import InterpolationExplorer
from helpers.widgets.picking import ClassPicker
from helpers.widgets.projection import ProjectionExplorer

LABELS = np.array([2, 0, 1, 0, 2, 0, 1])  # class 0 at 1, 3, 5; class 1 at 2, 6; class 2 at 0, 4
NAMES = ["coat", "bag", "shirt"]


def _picker(value=0):
    box = widgets.BoundedIntText(value=value, min=0, max=len(LABELS) - 1)
    return box, ClassPicker(box, LABELS, NAMES)


def test_choosing_a_class_selects_its_first_point():
    box, picker = _picker()
    assert picker.dropdown.value == 2  # point 0 is a shirt
    picker.dropdown.value = 0
    assert box.value == 1 and LABELS[box.value] == 0
    assert picker.choose_class(1) == 2 and box.value == 2 and picker.dropdown.value == 1


def test_next_and_previous_step_through_the_class_and_wrap():
    box, picker = _picker()
    picker.dropdown.value = 0
    seen = [box.value]
    for _ in range(3):
        picker.next_button.click()
        seen.append(box.value)
    assert seen == [1, 3, 5, 1]  # wraps round after the last coat
    picker.previous_button.click()
    assert box.value == 5  # wraps back before the first
    picker.previous_button.click()
    assert box.value == 3 and picker.dropdown.value == 0


def test_a_typed_index_moves_the_class_list_and_steps_from_there():
    box, picker = _picker()
    box.value = 6  # a bag, typed
    assert picker.dropdown.value == 1
    picker.next_button.click()
    assert box.value == 2  # the bag after 6 wraps to the first bag
    box.value = 4
    picker.previous_button.click()
    assert box.value == 0 and LABELS[0] == 2


def test_the_class_list_names_the_classes_with_their_counts():
    _, picker = _picker()
    assert [label for label, _ in picker.dropdown.options] == ["coat (3)", "bag (2)", "shirt (2)"]
    empty_class = ClassPicker(widgets.BoundedIntText(value=0, max=3), np.array([0, 0, 2, 2]), ["a", "b", "c"])
    assert [value for _, value in empty_class.dropdown.options] == [0, 2]  # a class with no points is not offered
    with pytest.raises(validation.InvalidValue, match="class_number 1"):
        empty_class.choose_class(1)


def test_bad_arguments_name_themselves():
    box = widgets.BoundedIntText(value=0, max=6)
    with pytest.raises(TypeError, match="index_box"):
        ClassPicker(3, LABELS, NAMES)
    with pytest.raises(TypeError, match="class_names"):
        ClassPicker(box, LABELS, "coat")
    with pytest.raises(validation.InvalidValue, match="labels must be class numbers 0 to 1"):
        ClassPicker(box, LABELS, NAMES[:2])
    with pytest.raises(TypeError, match="labels"):
        ClassPicker(box, ["a", "b"], NAMES)
    _, picker = _picker()
    with pytest.raises(validation.InvalidValue, match="direction"):
        picker.step(2)


# ----------------------------------------------------------------------------- in the explorers


def _contains(root, target) -> bool:
    return root is target or any(_contains(child, target) for child in getattr(root, "children", ()))


def test_the_projection_explorer_picks_by_class():
    projections.clear_memory_cache()
    rng = np.random.default_rng(0)
    labels = np.arange(40) % 4
    X = rng.normal(size=(40, 6)).astype(np.float32) + labels[:, None]
    explorer = ProjectionExplorer(X, labels, class_names=["a", "b", "c", "d"], k=3)
    view = explorer.view
    picker = view.picker
    assert explorer.selected is None and view.index_box.value == 0
    assert picker.choose_class(0) == 0 and explorer.selected == 0  # the box already showed 0: still selected
    assert _contains(view.widget, picker.widget)
    picker.dropdown.value = 2
    assert explorer.selected == 2 and explorer.label_of(explorer.selected) == "c"
    picker.next_button.click()
    assert explorer.selected == 6
    picker.previous_button.click()
    picker.previous_button.click()
    assert explorer.selected == 38  # wrapped to the last "c"
    assert len(explorer.neighbors) == 3


def test_the_interpolation_explorer_picks_both_ends_by_class():
    torch.manual_seed(0)
    net = Autoencoder(latent_dim=2, hidden=(16,)).eval()
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(30, 28, 28)).astype(np.uint8)
    labels = np.arange(30) % 3
    walk = InterpolationExplorer(net, images, labels=labels, class_names=("cat", "dog", "bird"), pair=(0, 1))
    picker_a, picker_b = walk.pickers
    picker_b.dropdown.value = 2
    assert walk.pair == (0, 2)
    picker_b.next_button.click()
    assert walk.pair == (0, 5)
    picker_a.dropdown.value = 1
    picker_a.previous_button.click()
    assert walk.pair == (28, 5)  # the dog before the first wraps to the last dog
    assert picker_a.dropdown.value == 1 and picker_b.dropdown.value == 2
    assert _contains(walk.widget(), picker_a.widget) and _contains(walk.widget(), picker_b.widget)
    unlabelled = InterpolationExplorer(net, images, pair=(0, 1))
    assert unlabelled.pickers == []
