"""Tests of helpers.validation: the shared argument checks, their one-line messages and course warnings."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import validation as check

HELPERS = Path(check.__file__).resolve().parent


# ----------------------------------------------------------------------------- errors


def test_errors_are_value_errors_and_type_errors_with_one_line():
    wrong_type = check.InvalidType("k must be\nan integer")
    assert isinstance(wrong_type, TypeError) and isinstance(wrong_type, ValueError)
    assert isinstance(check.InvalidValue("x"), ValueError) and not isinstance(check.InvalidValue("x"), TypeError)
    assert str(wrong_type) == "k must be an integer"


def test_a_notebook_shows_the_error_as_one_line():
    lines = check.InvalidValue("DATASET must be 'fashion' or 'mnist', got 'f'")._render_traceback_()
    assert len(lines) == 1 and lines[0].endswith("ValueError\x1b[0m: DATASET must be 'fashion' or 'mnist', got 'f'")
    assert "TypeError" in check.InvalidType("k")._render_traceback_()[0]


# ----------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", [3, np.int64(3), np.array(3), torch.tensor(3)])
def test_integer_accepts_python_numpy_and_0d_integers(value):
    assert check.integer(value, "k", low=1, high=5) == 3 and type(check.integer(value, "k")) is int


@pytest.mark.parametrize("value,error,words", [
    (2.5, check.InvalidType, "k must be an integer from 1 to 5, got 2.5 (a float)"),
    (3.0, check.InvalidType, "write it without the decimal point: 3"),
    ("3", check.InvalidType, "got '3' (a string: write the number without quotes)"),
    (True, check.InvalidType, "got True"),
    (None, check.InvalidType, "got None"),
    ([3], check.InvalidType, "got [3] (a list)"),
    (0, check.InvalidValue, "k must be an integer from 1 to 5, got 0"),
    (6, check.InvalidValue, "got 6"),
])
def test_integer_names_the_argument_the_range_and_what_came(value, error, words):
    with pytest.raises(error) as info:
        check.integer(value, "k", low=1, high=5)
    assert words in str(info.value) and "\n" not in str(info.value)


def test_integer_bounds_read_naturally():
    for low, high, words in [(1, None, "a positive integer"), (0, None, "a non-negative integer"),
                             (2, None, "an integer of at least 2"), (None, 9, "an integer of at most 9")]:
        with pytest.raises(ValueError, match=words):
            check.integer("x", "n", low=low, high=high)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), "0.5", True, None, -0.1, 1.5])
def test_number_refuses_what_is_not_a_finite_number_in_range(value):
    with pytest.raises(ValueError, match="min_dist must be a number from 0 to 1"):
        check.number(value, "min_dist", low=0, high=1)


def test_number_open_bounds():
    assert check.number(np.float32(0.5), "lr", low=0, low_open=True) == 0.5
    with pytest.raises(ValueError, match="lr must be a positive number, got 0"):
        check.number(0, "lr", low=0, low_open=True)
    with pytest.raises(ValueError, match="less than 10"):
        check.number(10, "p", low=1, high=10, high_open=True)


def test_boolean_is_strict():
    assert check.boolean(np.bool_(True), "cache") is True
    for value in (1, "yes", None):
        with pytest.raises(TypeError, match="cache must be True or False"):
            check.boolean(value, "cache")


def test_choice_ignores_case_lists_options_and_suggests():
    assert check.choice("PCA", "method", ("pca", "tsne")) == "pca"
    with pytest.raises(ValueError, match=r"DATASET must be 'fashion' or 'mnist', got 'fashon' \(did you mean 'fash"):
        check.choice("fashon", "DATASET", ("fashion", "mnist"))
    with pytest.raises(ValueError, match="one of 'a', 'b', 'c'"):
        check.choice("z", "x", "abc")
    with pytest.raises(TypeError, match="got 3"):
        check.choice(3, "x", ("a", "b"))
    with pytest.raises(ValueError):
        check.choice("Pca", "method", ("pca",), ignore_case=False)


def test_value_range_and_random_state():
    assert check.value_range((0, 1.5), "xlim") == (0.0, 1.5)
    for bad in [(1, 0), (0, np.nan), 3, (1, 2, 3)]:
        with pytest.raises(ValueError, match="xlim"):
            check.value_range(bad, "xlim")
    assert check.random_state(None) is None and check.random_state(7) == 7
    with pytest.raises(ValueError, match="random_state"):
        check.random_state(-1)


# ----------------------------------------------------------------------------- arrays


def test_matrix_converts_and_counts_bad_values():
    assert check.matrix(torch.ones(3, 2), "X").shape == (3, 2)
    assert check.matrix([[True, False]], "X").dtype == np.float32
    with pytest.raises(ValueError, match=r"X contains 2 NaN values and 1 infinite value \(in 2 rows"):
        check.matrix([[np.nan, 1], [np.nan, np.inf]], "X")
    with pytest.raises(ValueError, match="flatten images first"):
        check.matrix(np.zeros((2, 3, 3)), "X")
    with pytest.raises(TypeError, match="rows of equal length"):
        check.matrix([[1, 2], [3]], "X")
    with pytest.raises(TypeError, match="X must hold numbers"):
        check.matrix([["a"]], "X")
    with pytest.raises(TypeError, match="X must be a 2-D array of numbers"):
        check.matrix("abc", "X")
    with pytest.raises(ValueError, match="at least 5 rows"):
        check.matrix(np.ones((4, 2)), "X", min_rows=5)
    with pytest.raises(ValueError, match="must have 2 columns"):
        check.matrix(np.ones((4, 3)), "Z", cols=2)


def test_vector_labels_and_images():
    assert check.vector([1, 2], "z", length=2).tolist() == [1, 2]
    with pytest.raises(ValueError, match="z must have 2 values"):
        check.vector([1, 2, 3], "z", length=2)
    with pytest.raises(ValueError, match="y must have one label per row of X: got 2 labels for 3 rows"):
        check.labels([0, 1], "y", 3, "X")
    with pytest.raises(TypeError, match="integer class labels"):
        check.labels([0.5, 1.0], "y", 2, "X", integers=True)
    assert check.images(np.zeros((2, 1, 28, 28)), "x", side=28).shape == (2, 28, 28)
    assert check.images(np.zeros((2, 784)), "x", side=28, flat=True).shape == (2, 28, 28)
    with pytest.raises(ValueError, match=r"28 x 28 images shaped"):
        check.images(np.zeros((2, 27, 28)), "x", side=28)
    with pytest.raises(ValueError, match="one image per point: got 2 images for 3 points"):
        check.images(np.zeros((2, 8, 8)), "images", count=3)


def test_integers_names_and_words():
    assert check.integers([16, 32], "channels", count=2, low=1) == (16, 32)
    with pytest.raises(ValueError, match=r"channels\[1\] must be a positive integer"):
        check.integers([16, 0], "channels", count=2, low=1)
    assert check.names("fc7", "layers", ("fc6", "fc7")) == ["fc7"]
    with pytest.raises(ValueError, match="must not repeat"):
        check.names(["fc7", "fc7"], "layers", ("fc6", "fc7"))
    assert check.words("King, queen;  man woman") == ["king", "queen", "man", "woman"]
    assert check.words(["king", "King", " queen "]) == ["king", "queen"]
    for bad, error in [([], ValueError), (" ,, ", ValueError), (5, TypeError), ([1], TypeError), ({"a": 1}, TypeError)]:
        with pytest.raises(error, match="words"):
            check.words(bad)


# ----------------------------------------------------------------------------- projection parameters


def test_every_parameter_of_project_has_a_rule():
    from helpers.projections import DEFAULT_PARAMS

    for method, defaults in DEFAULT_PARAMS.items():
        assert set(defaults) == set(check.PROJECTION_PARAMETERS[method]), method
        n = 300
        assert check.projection_params(method, defaults, n) == defaults  # the defaults pass their own rules


@pytest.mark.parametrize("method,params,words", [
    ("tsne", {"perplexity": 0.5}, "perplexity must be a number at least 1 and less than 33.3333"),
    ("tsne", {"perplexity": 40}, "a third of the 100 points"),
    ("tsne", {"max_iter": 100}, "max_iter must be an integer of at least 250"),
    ("tsne", {"learning_rate": "fast"}, "learning_rate must be 'auto' or a positive number"),
    ("tsne", {"angle": 2}, "angle must be a number from 0 to 1"),
    ("tsne", {"init": "spectral"}, "init must be 'pca' or 'random'"),
    ("tsne", {"method": "fast"}, "method must be 'barnes_hut' or 'exact'"),
    ("tsne", {"early_exaggeration": 0.5}, "early_exaggeration must be a number of at least 1"),
    ("umap", {"min_dist": 5}, "min_dist must be a number from 0 to 1"),
    ("umap", {"min_dist": 1.5, "spread": 2.0}, None),
    ("umap", {"n_neighbors": 1}, "n_neighbors must be an integer from 2 to 99"),
    ("umap", {"n_neighbors": 15.5}, "n_neighbors must be an integer"),
    ("umap", {"metric": "euclidian"}, "did you mean 'euclidean'?"),
    ("umap", {"n_epochs": 0}, "n_epochs must be a positive integer"),
    ("umap", {"init": np.zeros((5, 2))}, "one row per point (100)"),
    ("umap", {"negative_sample_rate": 0}, "negative_sample_rate must be a positive integer"),
    ("umap", {"set_op_mix_ratio": 2}, "set_op_mix_ratio must be a number from 0 to 1"),
    ("umap", {"spread": 0}, "spread must be a positive number"),
    ("pca", {"whiten": "yes"}, "whiten must be True or False"),
    ("pca", {"svd_solver": "magic"}, "svd_solver must be one of"),
    ("pca", {"perplexity": 5}, "perplexity is not a parameter of 'pca'"),
])
def test_projection_parameters_follow_one_rule(method, params, words):
    if words is None:
        assert check.projection_params(method, params, 100)["min_dist"] == 1.5
        return
    with pytest.raises(ValueError) as info:
        check.projection_params(method, params, 100)
    assert words in str(info.value)


def test_the_projection_explorer_and_project_share_the_rule():
    from helpers.projections import project
    from helpers.widgets.projection import ProjectionExplorer

    X = np.random.default_rng(0).normal(size=(60, 4))
    messages = []
    for call in (lambda: project(X, "umap", min_dist=5),
                 lambda: ProjectionExplorer(X, np.arange(60) % 3, method="umap", params={"min_dist": 5}),
                 lambda: project(X, "tsne", perplexity=25),
                 lambda: ProjectionExplorer(X, np.arange(60) % 3, method="tsne", params={"perplexity": 25})):
        with pytest.raises(ValueError) as info:
            call()
        messages.append(str(info.value))
    assert messages[0] == messages[1] and messages[2] == messages[3]


# ----------------------------------------------------------------------------- warnings


def test_course_warnings_point_at_the_callers_line(tmp_path, monkeypatch):
    from helpers.metrics import knn_accuracy
    from helpers.projections import project

    blocker = tmp_path / "a file"
    blocker.write_text("where the cache should be")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker))
    X = np.random.default_rng(0).normal(size=(20, 3))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        project(X, "pca", verbose=False)  # several helper frames deep: projections, cache, paths
        monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker / "another"))
        knn_accuracy(X, np.arange(20) % 2, k=3)  # metrics, memo, cache, paths
    assert len(caught) == 2
    assert [Path(w.filename).resolve() for w in caught] == [Path(__file__).resolve()] * 2


def test_warn_makes_one_line():
    with pytest.warns(UserWarning, match="^a b$"):
        check.warn("a\n  b")


# ----------------------------------------------------------------------------- one home for checks


def test_validation_is_the_only_home_of_the_shared_checks():
    """No helper keeps its own copy of the checks that validation holds."""
    copies = re.compile(r"def (_is_int|_check_int|_as_matrix|_as_vectors|_as_numpy|_as_array|_numeric|_check_count|"
                        r"_positive_int|_check_positive_int|_positive_ints|_check_range|_check_random_state)\b")
    found = [f"{path.relative_to(HELPERS)}: {m.group(1)}" for path in HELPERS.rglob("*.py")
             if path.name != "validation.py" for m in copies.finditer(path.read_text())]
    assert found == []


def test_argument_rules_live_in_validation_or_in_declarations():
    """Outside validation no module wraps a check in a _check_ function (answer checkers of exercises aside)."""
    found = [f"{path.relative_to(HELPERS)}: {m.group(0)}" for path in HELPERS.rglob("*.py")
             if path.name != "validation.py" and not path.parent.name.startswith("exercise")
             for m in re.finditer(r"def _check_\w+", path.read_text())]
    assert found == []


class _Decoder(torch.nn.Module):
    latent_dim = 2

    def decode(self, z):
        return z


class _Autoencoder(_Decoder):
    def encode(self, x):
        return x


def test_an_autoencoder_is_checked_by_one_rule_for_the_maths_and_the_explorers():
    from helpers.widgets.latent import LatentExplorer

    net = _Autoencoder()
    assert check.autoencoder(net) is net
    for wrong, message in ((_Decoder(), "model must be an autoencoder .*encode, decode and latent_dim.*_Decoder"),
                           ("net", "model must be an autoencoder .* got a str")):
        with pytest.raises(check.InvalidType, match=message):
            check.autoencoder(wrong)
        with pytest.raises(check.InvalidType, match=message):
            LatentExplorer(wrong, np.zeros((4, 2)))
    net.latent_dim = 0
    with pytest.raises(check.InvalidValue, match="model.latent_dim must be a positive integer, got 0"):
        check.autoencoder(net)


# ----------------------------------------------------------------------------- declared rules


@check.params(k=check.rule(check.integer, low=1), X=check.optional(check.rule(check.matrix)))
def _top(k=5, X=None):
    return k, X


@check.params(k=check.rule(check.integer, low=1))
def _outer(k):
    return _top(k=-1)  # an inner call trusts its inputs


def test_declared_rules_check_a_direct_call_and_convert_its_arguments():
    assert _top(np.int64(3)) == (3, None) and type(_top(np.int64(3))[0]) is int
    assert _top(2, [[1, 2]])[1].shape == (1, 2)
    with pytest.raises(check.InvalidValue, match=r"^k must be a positive integer, got 0$"):
        _top(0)


def test_declared_rules_name_the_wrong_type():
    with pytest.raises(check.InvalidType, match=r"^k must be a positive integer, got \[3\] \(a list\)$"):
        _top([3])
    with pytest.raises(check.InvalidType, match=r"^X must be a 2-D array of numbers"):
        _top(1, "rows")


def test_a_nested_call_is_not_checked_again():
    assert _outer(2) == (-1, None)
    with pytest.raises(check.InvalidValue, match="^k must be a positive integer"):
        _outer(0)
    assert _top(1) == (1, None)  # checking is back on after the outer call


def test_a_call_that_does_not_fit_keeps_pythons_message():
    with pytest.raises(TypeError, match="unexpected keyword argument 'j'"):
        _top(j=1)


def test_a_rule_for_a_missing_parameter_is_a_mistake_of_the_course():
    with pytest.raises(TypeError, match="has no parameter 'q'"):
        check.params(q=check.rule(check.integer))(lambda k: k)
