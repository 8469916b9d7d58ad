"""Notebook 06's exercises: graded on the notebook's own probes, never on keywords."""

from __future__ import annotations

import numpy as np
import pytest

from helpers.exercise_sets import chapter_exercises as chapter
from helpers.exercises import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED, NOTED, run_official_solutions


def test_official_solutions_pass():
    results = run_official_solutions(chapter.PROBLEMS, chapter.solution_namespace())
    assert {name: r.status for name, r in results.items()} == dict.fromkeys(chapter.PROBLEMS, CORRECT)


@pytest.mark.parametrize("name,var", [("q1", "useful_layers"), ("q2", "q2_answer"), ("q3", "q3_answer"),
                                      ("q4", "q4_answer")])
def test_placeholder_is_not_attempted(name, var):
    assert chapter.PROBLEMS[name].evaluate({var: BLANK}).status == NOT_ATTEMPTED


# ----------------------------------------------------------------------------- 1-1: which layers


def _layers(answer, probes=chapter.EXAMPLE_PROBES):
    return chapter.q1.evaluate({**chapter.solution_namespace(probes), "useful_layers": answer})


def test_q1_the_accepted_set_is_the_layers_the_paired_test_cannot_tell_from_the_best():
    clothes = chapter.solution_namespace()["probe_right"][chapter.CLOTHES_KNN]
    assert chapter.useful_layers_measured(clothes) == ["conv5", "fc6", "fc7", "fc8"]
    for layer in chapter.LAYERS:
        expected = CORRECT if layer in ("conv5", "fc6", "fc7", "fc8") else INCORRECT
        assert _layers([layer]).status == expected, layer


def test_q1_follows_the_notebooks_own_measurements():
    probes = dict(chapter.EXAMPLE_PROBES)
    probes["fc8"] = (0.70, 0.5)   # a run in which the output layer's neighbours are clearly worse
    result = _layers(["fc8"], probes)
    assert result.status == INCORRECT and "clearly below the best layer" in result.message
    assert _layers(["fc8"]).status == CORRECT


def test_q1_feedback_says_why_for_every_chosen_layer():
    result = _layers(["conv1", "fc7", "fc8"])
    assert result.status == INCORRECT
    assert "conv1: k-NN accuracy 0.784" in result.message and "Leave out conv1" in result.message
    right = _layers(["fc7", "fc8"])
    assert right.status == CORRECT
    assert "second-to-last layer" in right.message and "on the digits" in right.message
    assert "Not clearly below the best either: conv5, fc6" in right.message
    assert "with 1,000 test images it cannot be told apart from the best layer, fc6" in right.message


@pytest.mark.parametrize(
    "answer,words",
    [(["pixels", "fc7"], "input, not a layer"), (["fc9"], "not a layer of the network"), ([], "empty"),
     (7, "list of layer names"), ([7], "layer names (strings)")],
)
def test_q1_malformed_answers_say_what_to_write(answer, words):
    result = _layers(answer)
    assert result.status == INCORRECT and words in result.message


def test_q1_without_the_probes_asks_to_run_them():
    result = chapter.q1.evaluate({"useful_layers": ["fc7"]})
    assert result.status == INCORRECT and "section 5" in result.message


# ----------------------------------------------------------------------------- 1-1: statements


def test_q2_missing_options_are_counted_not_named():
    result = chapter.q2.evaluate({"q2_answer": "a, c"})
    assert result.status == INCORRECT and "1 correct option is still missing" in result.message
    assert "(e)" not in result.message


# ----------------------------------------------------------------------------- 1-2: choices and properties


def test_q3_borderline_options_are_accepted_either_way_and_explained():
    for answer in (["a", "b", "c", "f"], ["a", "b", "c", "d", "e", "f", "i"], ["a", "b", "c", "e", "f"]):
        result = chapter.q3.evaluate({"q3_answer": answer})
        assert result.status == CORRECT, answer
        assert "Borderline, either way" in result.message and "measured" in result.message


def test_q3_embeddings_are_not_accepted_as_non_embeddings():
    result = chapter.q3.evaluate({"q3_answer": "abcfg"})
    assert result.status == INCORRECT and "classic image embedding" in result.message


def test_q4_distractor_properties_are_explained_not_just_rejected():
    result = chapter.q4.evaluate({"q4_answer": {"a": 4, "b": 6, "c": 3, "f": 2}})
    assert result.status == INCORRECT
    assert "not the chapter's test" in result.message and "sparsity is not the test" in result.message


def test_q4_borderline_keys_may_be_left_out_but_a_wrong_reason_for_one_is_judged():
    assert chapter.q4.evaluate({"q4_answer": {"a": 1, "b": 3, "c": 3, "f": 2}}).status == CORRECT
    result = chapter.q4.evaluate({"q4_answer": {"a": 1, "b": 3, "c": 3, "f": 2, "d": 4, "i": 5}})
    assert result.status == INCORRECT
    assert "(d) raw pixels, property 4" in result.message and "(i) an autoencoder's code, property 5" in result.message


# ----------------------------------------------------------------------------- 1-2: in the learner's words


@pytest.mark.parametrize("text", [
    "Not one-hot, not bag of words, not pixels: those are all embeddings.",   # the opposite, in the right words
    "categorical indicator columns, word frequency vectors, raw image intensities",
    "dummy variables, count vectors, raw audio",
])
def test_the_reflection_is_never_graded_and_always_shows_the_model_answer(text):
    result = chapter.REFLECTION.evaluate(text)
    assert result.status == NOTED and not result.correct
    assert text in result.message and chapter.REFLECTION.model_answer in result.message


def test_the_reflection_waits_for_an_answer():
    assert chapter.REFLECTION.evaluate(BLANK).status == NOT_ATTEMPTED
    assert chapter.REFLECTION.evaluate("  ").status == NOT_ATTEMPTED
    assert chapter.REFLECTION.evaluate(3).status == INCORRECT
    assert chapter.REFLECTION.model_answer not in chapter.REFLECTION.evaluate(BLANK).message


def test_example_probes_match_the_labels_size():
    namespace = chapter.solution_namespace()
    assert len(namespace["y_check"]) == 1000 and np.all(np.bincount(namespace["y_check"]) == 100)
