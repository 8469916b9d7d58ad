"""Tests of helpers.errors: the course's one-line errors, its warnings and the wording of their messages."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

from helpers import errors


@pytest.mark.parametrize(("value", "note"), [
    ("3", "a string: write the number without quotes"),   # a number typed in quotes
    ("1,000", "a string: write the number without quotes"),
    (3.0, "a float"),
    ([3], "a list"),
    ("three", ""),   # its repr already says it is text
    (None, ""),
])
def test_a_wrong_type_says_the_type_where_the_repr_does_not(value, note):
    with pytest.raises(errors.InvalidType) as caught:
        errors.fail("k", "a whole number", value, kind=errors.InvalidType)
    message = str(caught.value)
    assert message.startswith(f"k must be a whole number, got {value!r}")
    assert message.endswith(f"({note})") if note else not message.endswith(")")


def test_a_wrong_value_names_the_argument_the_rule_and_the_value_with_its_hint():
    with pytest.raises(errors.InvalidValue, match=r"^k must be at least 1, got 0 \(k counts neighbours\)$"):
        errors.fail("k", "at least 1", 0, "k counts neighbours")
    with pytest.raises(errors.InvalidValue, match=r"^k must be at least 1, got nothing$"):
        errors.fail("k", "at least 1", None, got="nothing")


def test_the_errors_are_what_python_code_catches_and_say_one_line():
    assert issubclass(errors.InvalidValue, ValueError) and not issubclass(errors.InvalidValue, TypeError)
    assert issubclass(errors.InvalidType, TypeError) and issubclass(errors.InvalidType, ValueError)
    error = errors.InvalidValue("words must be\n   a list,\tgot 3")
    assert str(error) == "words must be a list, got 3"


def test_ipython_shows_the_kind_and_the_message_without_a_traceback():
    assert errors.InvalidType("x must be text")._render_traceback_() == ["\x1b[0;31mTypeError\x1b[0m: x must be text"]
    assert errors.InvalidValue("x must be 1")._render_traceback_() == ["\x1b[0;31mValueError\x1b[0m: x must be 1"]
    assert errors.CourseError("no data")._render_traceback_() == ["\x1b[0;31mError\x1b[0m: no data"]


def test_values_are_shown_short():
    assert errors.shown(np.zeros((3, 4))) == "an array of shape (3, 4)"
    assert errors.shown(torch.zeros(2, 5)) == "a tensor of shape (2, 5)"
    assert errors.shown(np.float32(0.5)) == "0.5" and errors.shown(np.array(2)) == "array(2)"
    long = errors.shown("x" * 200)
    assert len(long) == 60 and long.endswith(" ...")
    assert errors.shown("x" * 200, limit=20) == "'" + "x" * 15 + " ..."


def test_type_names_numbers_and_options_read_as_english():
    assert [errors.type_name(v) for v in (1, "s", [], object())] == ["an int", "a str", "a list", "an object"]
    assert errors.number_text(10000) == "10,000" and errors.number_text(0.001) == "0.001"
    assert errors.number_text(2e-7) == "2e-07"
    assert errors.listing(["pca"]) == "'pca'"
    assert errors.listing(["pca", "umap"]) == "'pca' or 'umap'"
    assert errors.listing(["pca", "tsne", "umap"]) == "one of 'pca', 'tsne', 'umap'"


def test_a_warning_points_at_the_learners_line_not_into_the_helpers():
    from helpers import validation

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        errors.warn("one\n  line")
        line = test_a_warning_points_at_the_learners_line_not_into_the_helpers.__code__.co_firstlineno + 5
    (warning,) = caught
    assert str(warning.message) == "one line" and warning.filename == __file__ and warning.lineno == line
    assert validation.warn is errors.warn   # the name the checks hand on
