"""Notebook 06's exercises: official solutions pass, typical wrong answers get their feedback."""

from __future__ import annotations

import pytest

from helpers.exercise_sets import chapter_exercises as chapter
from helpers.exercises import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED, run_official_solutions


def test_official_solutions_pass():
    results = run_official_solutions(chapter.PROBLEMS)
    assert {name: r.status for name, r in results.items()} == dict.fromkeys(chapter.PROBLEMS, CORRECT)


@pytest.mark.parametrize("name,var", [("q1", "useful_layers"), ("q2", "q2_answer"), ("q3", "q3_answer"),
                                      ("q4", "q4_answer")])
def test_placeholder_is_not_attempted(name, var):
    assert chapter.PROBLEMS[name].evaluate({var: BLANK}).status == NOT_ATTEMPTED


# ----------------------------------------------------------------------------- 1-1: which layers


def _layers(answer):
    return chapter.q1.evaluate({"useful_layers": answer})


@pytest.mark.parametrize(
    "answer",
    [["fc7"], ["fc6", "fc7"], ["conv5"], list(chapter.LAYERS), "fc6, fc7", ("FC7", "fc8"), {"fc6"}],
)
def test_q1_accepts_defensible_choices(answer):
    assert _layers(answer).status == CORRECT


def test_q1_only_fc8_is_too_narrow():
    result = _layers(["fc8"])
    assert result.status == INCORRECT
    assert "too narrow" in result.message and "class scores" in result.message


def test_q1_only_early_conv_layers_are_explained():
    result = _layers(["conv1", "conv2"])
    assert result.status == INCORRECT
    assert "barely better than raw pixels" in result.message and "right end of the chart" in result.message


def test_q1_correct_answer_comments_on_every_chosen_layer():
    result = _layers(["conv1", "fc7", "fc8"])
    assert result.status == CORRECT
    assert "conv1 is a representation" in result.message and "only for this task" in result.message
    assert "penultimate" in result.message


@pytest.mark.parametrize(
    "answer,words",
    [(["pixels", "fc7"], "input, not a layer"), (["fc9"], "not a layer of the network"), ([], "empty"),
     (7, "list of layer names"), ([7], "layer names (strings)")],
)
def test_q1_malformed_answers_say_what_to_write(answer, words):
    result = _layers(answer)
    assert result.status == INCORRECT and words in result.message


# ----------------------------------------------------------------------------- 1-1: statements


def test_q2_only_fc8_statement_is_explained():
    result = chapter.q2.evaluate({"q2_answer": ["b"]})
    assert result.status == INCORRECT and "Backpropagation trains every layer" in result.message


def test_q2_more_numbers_is_not_more_meaning():
    result = chapter.q2.evaluate({"q2_answer": ["a", "c", "d", "e"]})
    assert result.status == INCORRECT and "More numbers is not more meaning" in result.message


def test_q2_missing_options_are_counted_not_named():
    result = chapter.q2.evaluate({"q2_answer": "a, c"})
    assert result.status == INCORRECT and "1 correct option is still missing" in result.message
    assert "(e)" not in result.message


# ----------------------------------------------------------------------------- 1-2: choices


def test_q3_word2vec_is_an_embedding():
    result = chapter.q3.evaluate({"q3_answer": ["a", "b", "c", "d", "e", "f", "h"]})
    assert result.status == INCORRECT and "word2vec and GloVe vectors are learned word embeddings" in result.message


def test_q3_cnn_and_autoencoder_vectors_are_embeddings():
    result = chapter.q3.evaluate({"q3_answer": "abcdefgi"})
    assert result.status == INCORRECT
    assert "classic image embedding" in result.message and "bottleneck" in result.message


def test_q3_accepts_letters_in_any_form():
    assert chapter.q3.evaluate({"q3_answer": "f, e, d, c, b, a"}).status == CORRECT
    assert chapter.q3.evaluate({"q3_answer": ["A", "(b)", "c", "d", "e", "f"]}).status == CORRECT


# ----------------------------------------------------------------------------- 1-2: free text


def _text(answer):
    return chapter.q4.evaluate({"q4_answer": answer})


def test_q4_one_idea_is_not_enough_and_the_words_are_not_given_away():
    result = _text("One-hot encoded vectors, because every category is equally far from the others.")
    assert result.status == INCORRECT
    assert "touches 1 of the 6 key ideas" in result.message
    for keyword in ("bag of words", "bag-of-words", "tf-idf", "pixel", "label encoding"):
        assert keyword not in result.message.lower()


def test_q4_three_kinds_pass():
    result = _text("Bag-of-words counts, TF-IDF vectors and raw pixels: none was learned to put similar inputs close.")
    assert result.status == CORRECT


@pytest.mark.parametrize(
    "text",
    [
        "onehot vectors, label-encoded categories and hand-crafted colour histograms",
        "Pixel values, word counts (bag of words) and dummy variables",
        "ordinal encoding, tfidf, HOG features",
    ],
)
def test_q4_recognises_the_usual_wordings(text):
    assert _text(text).status == CORRECT


def test_q4_naming_an_embedding_gets_a_note():
    result = _text("one-hot, bag of words, pixels and word2vec vectors")
    assert result.status == CORRECT and "word2vec" in result.message and "look again" in result.message
    wrong = _text("GloVe vectors")
    assert wrong.status == INCORRECT and "GloVe" in wrong.message


def test_q4_wrong_type_and_empty_text():
    assert _text(3).status == INCORRECT
    assert _text("   ").status == NOT_ATTEMPTED
