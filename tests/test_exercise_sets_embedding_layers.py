"""Notebook 02's exercises (helpers.exercise_sets.embedding_layers): typical wrong answers get their feedback."""

from __future__ import annotations

import numpy as np

from helpers.exercise_sets import embedding_layers as embedding_set
from helpers.exercises import CORRECT, INCORRECT


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
