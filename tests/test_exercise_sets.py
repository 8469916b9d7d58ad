"""Every notebook's exercises: official solutions pass, typical wrong answers get their feedback."""

from __future__ import annotations

import importlib
import pkgutil

import numpy as np
import pytest

import helpers.exercise_sets
from helpers.exercises import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED, run_official_solution

SET_MODULES = [m.name for m in pkgutil.iter_modules(helpers.exercise_sets.__path__)]
ALL_PROBLEMS = [
    (module, name, problem)
    for module in SET_MODULES
    for name, problem in importlib.import_module(f"helpers.exercise_sets.{module}").PROBLEMS.items()
]


def _solution_namespace(module: str) -> dict:
    """What an official solution may use: NumPy, plus the set's own ``solution_namespace()``."""
    namespace = {"np": np}
    provider = getattr(importlib.import_module(f"helpers.exercise_sets.{module}"), "solution_namespace", None)
    if provider is not None:
        namespace.update(provider())
    return namespace


@pytest.mark.parametrize("module,name,problem", ALL_PROBLEMS, ids=[f"{m}.{n}" for m, n, _ in ALL_PROBLEMS])
def test_every_official_solution_passes(module, name, problem):
    result = run_official_solution(problem, _solution_namespace(module))
    assert result.status == CORRECT, result.message


@pytest.mark.parametrize("module,name,problem", ALL_PROBLEMS, ids=[f"{m}.{n}" for m, n, _ in ALL_PROBLEMS])
def test_every_problem_has_hints_and_says_not_attempted_at_first(module, name, problem):
    assert problem.hints, f"{module}.{name} has no hint"
    result = problem.evaluate({"____": BLANK})
    assert result.status == NOT_ATTEMPTED


# ----------------------------------------------------------------------------- 00 start here

from helpers.exercise_sets import start_here  # noqa: E402


@pytest.mark.parametrize(
    "answer,expected_words",
    [(949, "length of the whole vector"), (1, "entries are 1"), (3, "three colours"), (100, "Too few"),
     (1000, "Too many")],
)
def test_start_here_q1_wrong_counts_get_specific_feedback(answer, expected_words):
    result = start_here.q1.evaluate({"q1_answer": answer})
    assert result.status == INCORRECT and expected_words in result.message
    assert "948" not in result.message and "rounded" not in result.message


def test_start_here_q1_wrong_type():
    result = start_here.q1.evaluate({"q1_answer": "lots"})
    assert result.status == INCORRECT and "number" in result.message


def test_start_here_q2_squared_distance_is_spotted():
    def distance(a, b):
        return float(np.sum((np.asarray(a) - np.asarray(b)) ** 2))

    result = start_here.q2.evaluate({"distance": distance})
    assert result.status == INCORRECT and "square root" in result.message


def test_start_here_q2_forgotten_return():
    def distance(a, b):
        np.sqrt(np.sum((np.asarray(a) - np.asarray(b)) ** 2))

    result = start_here.q2.evaluate({"distance": distance})
    assert result.status == INCORRECT and "return" in result.message


def test_start_here_q2_exception_is_one_line():
    def distance(a, b):
        return a - b  # lists cannot be subtracted

    result = start_here.q2.evaluate({"distance": distance})
    assert result.status != CORRECT and "TypeError" in result.message and "Traceback" not in result.message


def test_start_here_q2_placeholder_function_is_not_attempted():
    def distance(a, b):
        return BLANK

    assert start_here.q2.evaluate({"distance": distance}).status == NOT_ATTEMPTED


# ----------------------------------------------------------------------------- 01 one-hot encoding

from helpers.exercise_sets import one_hot as one_hot_set  # noqa: E402


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


# ----------------------------------------------------------------------------- 02 embedding layers

from helpers.exercise_sets import embedding_layers as embedding_set  # noqa: E402


def test_embedding_q1_unnormalised_dot_product_is_spotted():
    result = embedding_set.q1.evaluate({"cosine_similarity": lambda a, b: float(a @ b)})
    assert result.status == INCORRECT and "between -1 and 1" in result.message


def test_embedding_q1_distance_instead_of_cosine_is_wrong():
    result = embedding_set.q1.evaluate({"cosine_similarity": lambda a, b: float(np.linalg.norm(a - b))})
    assert result.status == INCORRECT


def _nearest(glove, *, include_self=False, reverse=False, euclidean=False):
    def nearest_words(word, k):
        V = glove.vectors.astype(float)
        if euclidean:
            scores = -np.linalg.norm(V - V[glove.index(word)], axis=1)
        else:
            unit = V / np.linalg.norm(V, axis=1, keepdims=True)
            scores = unit @ unit[glove.index(word)]
        if not include_self:
            scores[glove.index(word)] = -np.inf
        order = np.argsort(-scores)[:k]
        words = [glove.words[i] for i in order]
        return words[::-1] if reverse else words
    return nearest_words


def test_embedding_q2_wrong_answers_get_specific_feedback():
    glove = embedding_set.solution_namespace()["glove"]
    result = embedding_set.q2.evaluate({"nearest_words": _nearest(glove, include_self=True)})
    assert result.status == INCORRECT and "itself" in result.message
    result = embedding_set.q2.evaluate({"nearest_words": _nearest(glove, reverse=True)})
    assert result.status == INCORRECT and "most similar first" in result.message
    result = embedding_set.q2.evaluate({"nearest_words": _nearest(glove, euclidean=True)})
    assert result.status == INCORRECT and "cosine" in result.message
    assert embedding_set.q2.evaluate({"nearest_words": _nearest(glove)}).status == CORRECT


def test_embedding_q3_does_not_hang_on_a_hair():
    sims = embedding_set.cold_similarities()
    ranked = sorted(sims, key=sims.get, reverse=True)
    assert ranked[0] == "hot" and sims[ranked[0]] - sims[ranked[1]] > 0.05
    result = embedding_set.q3.evaluate({"q3_answer": "hot"})
    assert result.status == CORRECT and f"hot {sims['hot']:.2f}" in result.message
