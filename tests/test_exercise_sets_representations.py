"""Notebook 05's exercises: typical wrong answers get their specific feedback."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.exercise_sets import representations
from helpers.exercises import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED, run_official_solution
from helpers.metrics import neighbourhood_recall


def test_official_solutions_pass():
    for name, problem in representations.PROBLEMS.items():
        namespace = {"np": np, **representations.solution_namespace()}
        assert run_official_solution(problem, namespace).status == CORRECT, name


# ----------------------------------------------------------------------------- q1: bag of words


def _bag(transform):
    def bag_of_words(sentences, vocabulary):
        column = {word: j for j, word in enumerate(vocabulary)}
        counts = np.zeros((len(sentences), len(vocabulary)))
        for i, sentence in enumerate(sentences):
            for word in sentence.lower().split():
                if word in column:
                    counts[i, column[word]] += 1
        return transform(counts)

    return bag_of_words


@pytest.mark.parametrize("transform,words", [
    (lambda counts: (counts > 0).astype(float), "count how many times"),
    (lambda counts: counts.T, "swapped"),
    (lambda counts: counts.sum(axis=0), "2-D array"),
])
def test_q1_typical_mistakes(transform, words):
    result = representations.q1.evaluate({"bag_of_words": _bag(transform)})
    assert result.status == INCORRECT and words in result.message, result.message


def test_q1_case_sensitive_counting_is_wrong():
    def bag_of_words(sentences, vocabulary):
        return np.array([[sentence.split().count(word) for word in vocabulary] for sentence in sentences])

    result = representations.q1.evaluate({"bag_of_words": bag_of_words})
    assert result.status == INCORRECT and "Big dogs" in result.message


def test_q1_placeholder_and_forgotten_return():
    assert representations.q1.evaluate({"bag_of_words": BLANK}).status == NOT_ATTEMPTED

    def bag_of_words(sentences, vocabulary):
        np.zeros((len(sentences), len(vocabulary)))

    assert "return" in representations.q1.evaluate({"bag_of_words": bag_of_words}).message


# ----------------------------------------------------------------------------- q2: neighbourhood recall


def _recall(*, include_self=False, divide="k"):
    def recall_at_k(X_high, X_low, k):
        def neighbours(X):
            D = np.linalg.norm(X[:, None, :] - X[None, :, :], axis=-1)
            if not include_self:
                np.fill_diagonal(D, np.inf)
            return np.argsort(D, axis=1)[:, :k]

        a, b = neighbours(np.asarray(X_high)), neighbours(np.asarray(X_low))
        n = len(a)
        shared = sum(len(set(a[i]) & set(b[i])) for i in range(n))
        return shared / {"k": n * k, "n": n * n, "none": n}[divide]

    return recall_at_k


def test_q2_reference_matches_the_course_metric():
    for X_high, X_low, k in representations._RECALL_CASES:
        assert np.isclose(_recall()(X_high, X_low, k), neighbourhood_recall(X_high, X_low, k=k))
    assert representations.q2.evaluate({"recall_at_k": _recall()}).status == CORRECT


@pytest.mark.parametrize("kwargs,words", [
    ({"include_self": True}, "its own neighbour"),
    ({"divide": "n"}, "divided by the number of points n"),
    ({"divide": "none"}, "divide by k"),
])
def test_q2_typical_mistakes(kwargs, words):
    result = representations.q2.evaluate({"recall_at_k": _recall(**kwargs)})
    assert result.status == INCORRECT and words in result.message, result.message


def test_q2_exception_is_reported_in_one_line():
    def recall_at_k(X_high, X_low, k):
        return X_high @ X_low  # shapes do not fit

    result = representations.q2.evaluate({"recall_at_k": recall_at_k})
    assert result.status == INCORRECT and "\n" not in result.message.strip()


# ----------------------------------------------------------------------------- q3: what the measurements support


def test_q3_grades_the_example_run_as_its_text_says():
    namespace = representations.solution_namespace()
    facts = representations.measured_statements(namespace["structure_table"], namespace["structure_right"],
                                                namespace["y"])
    assert {key: holds for key, (holds, _) in facts.items()} == {"a": True, "b": False, "c": True, "d": False,
                                                                 "e": True}
    assert "with 2,000 test images the two cannot be told apart" in facts["b"][1]


def test_q3_right_answer_depends_on_the_learners_own_table():
    namespace = {**representations.solution_namespace(), "q3_answer": ["a", "c", "e"]}
    assert representations.q3.evaluate(namespace).status == CORRECT
    better = dict(representations.EXAMPLE_MEASUREMENTS)
    better[representations.AE16] = (0.459, 0.85)
    namespace.update(representations.solution_namespace(better))
    result = representations.q3.evaluate(namespace)
    assert result.status == INCORRECT and "1 correct option is still missing" in result.message
