"""Notebook 01's exercises (helpers.exercise_sets.one_hot): typical wrong answers get their feedback."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.exercise_sets import one_hot as one_hot_set
from helpers.exercises import CORRECT, INCORRECT


def test_one_hot_q1_transposed_answer_is_spotted():
    def one_hot(indices, num_classes):
        return np.eye(num_classes)[indices].T

    result = one_hot_set.q1.evaluate({"one_hot": one_hot})
    assert result.status == INCORRECT and ("swapped" in result.message or "shape" in result.message)


def test_one_hot_q1_flat_vector_is_spotted():
    def one_hot(indices, num_classes):
        vector = np.zeros(num_classes)
        vector[indices[0]] = 1
        return vector

    result = one_hot_set.q1.evaluate({"one_hot": one_hot})
    assert result.status == INCORRECT and ("flat" in result.message or "shape" in result.message)


def test_one_hot_q1_off_by_one_is_wrong():
    def one_hot(indices, num_classes):
        return np.eye(num_classes)[[(i + 1) % num_classes for i in indices]]

    assert one_hot_set.q1.evaluate({"one_hot": one_hot}).status == INCORRECT


def test_one_hot_q1_torch_style_int_answer_is_accepted():
    def one_hot(indices, num_classes):
        return np.eye(num_classes, dtype=int)[indices]

    assert one_hot_set.q1.evaluate({"one_hot": one_hot}).status == CORRECT


@pytest.mark.parametrize("answer,words", [(2, "squared"), (1, "two entries"), (0, "same"), (10000, "does not matter")])
def test_one_hot_q2_typical_wrong_distances(answer, words):
    result = one_hot_set.q2.evaluate({"q2_answer": answer})
    assert result.status == INCORRECT and words in result.message


def test_one_hot_q2_accepts_an_expression():
    assert one_hot_set.q2.evaluate({"q2_answer": np.sqrt(2)}).status == CORRECT


def test_one_hot_q3_cosine_one_is_explained():
    result = one_hot_set.q3.evaluate({"q3_answer": 1})
    assert result.status == INCORRECT and "same way" in result.message


def test_one_hot_q4_choice_explains_a_wrong_option():
    result = one_hot_set.q4.evaluate({"q4_answer": ["a", "c", "d", "e"]})
    assert result.status == INCORRECT and "Being different is not enough" in result.message.replace("being", "Being")
    assert one_hot_set.q4.evaluate({"q4_answer": "a, c, e"}).status == CORRECT


