"""Notebook 04's exercises: typical wrong answers get their specific feedback."""

from __future__ import annotations

import numpy as np
import pytest
from torch import nn

from helpers.exercise_sets import latent_space
from helpers.exercises import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED, run_official_solution


def test_official_solutions_pass_with_their_namespace():
    namespace = {"np": np, **latent_space.solution_namespace()}
    for name, problem in latent_space.PROBLEMS.items():
        assert run_official_solution(problem, namespace).status == CORRECT, name


# ----------------------------------------------------------------------------- q1: the path


def _path(fractions):
    def interpolation_path(z_a, z_b, steps):
        t = fractions(steps)[:, None]
        return (1 - t) * np.asarray(z_a) + t * np.asarray(z_b)

    return interpolation_path


@pytest.mark.parametrize(
    "fractions,words",
    [
        (lambda steps: np.arange(steps) / steps, "one step short"),
        (lambda steps: np.arange(1, steps + 1) / (steps + 1), "leaves out both end points"),
        (lambda steps: np.linspace(1, 0, steps), "backwards"),
        (lambda steps: np.linspace(0, 1, steps) ** 2, "not evenly spaced"),
        (lambda steps: np.linspace(0, 1, steps - 1), "counting both end points"),
    ],
)
def test_q1_typical_mistakes(fractions, words):
    result = latent_space.q1.evaluate({"interpolation_path": _path(fractions)})
    assert result.status == INCORRECT and words in result.message, result.message


def test_q1_transposed_path():
    def interpolation_path(z_a, z_b, steps):
        t = np.linspace(0, 1, steps)[:, None]
        return ((1 - t) * np.asarray(z_a) + t * np.asarray(z_b)).T

    result = latent_space.q1.evaluate({"interpolation_path": interpolation_path})
    assert result.status == INCORRECT and "one point per row" in result.message


def test_q1_forgotten_return_and_placeholder():
    def interpolation_path(z_a, z_b, steps):
        np.linspace(0, 1, steps)

    assert "return" in latent_space.q1.evaluate({"interpolation_path": interpolation_path}).message
    assert latent_space.q1.evaluate({"interpolation_path": BLANK}).status == NOT_ATTEMPTED


# ----------------------------------------------------------------------------- q2: the error


@pytest.mark.parametrize(
    "body,words",
    [
        (lambda a, b: np.mean((a.astype(float) - b) ** 2), "Divide the originals by 255"),
        (lambda a, b: np.sum((a / 255.0 - b) ** 2), "sum of the squared errors"),
        (lambda a, b: np.sqrt(np.mean((a / 255.0 - b) ** 2)), "square root"),
        (lambda a, b: np.mean(np.abs(a / 255.0 - b)), "mean absolute error"),
        (lambda a, b: np.mean(np.sum((a / 255.0 - b) ** 2, axis=(1, 2))), "per image"),
    ],
)
def test_q2_typical_mistakes(body, words):
    def reconstruction_error(originals, reconstructions):
        return body(originals, reconstructions)

    result = latent_space.q2.evaluate({"reconstruction_error": reconstruction_error})
    assert result.status == INCORRECT and words in result.message, result.message


def test_q2_exception_is_one_line():
    def reconstruction_error(originals, reconstructions):
        return originals.nonexistent

    result = latent_space.q2.evaluate({"reconstruction_error": reconstruction_error})
    assert result.status == INCORRECT and "AttributeError" in result.message and "Traceback" not in result.message


# ----------------------------------------------------------------------------- q3: encoder and decoder

B = latent_space.BOTTLENECK


def _check(encoder, decoder):
    return latent_space.q3.evaluate({"encoder": encoder, "decoder": decoder})


def _decoder():
    return nn.Sequential(nn.Linear(B, 64), nn.ReLU(), nn.Linear(64, 784), nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))


def _encoder(size=B):
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, size))


def test_q3_right_answer():
    assert _check(_encoder(), _decoder()).status == CORRECT


def test_q3_missing_flatten():
    encoder = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, B))
    result = _check(encoder, _decoder())
    assert result.status == INCORRECT and "nn.Flatten()" in result.message and "Traceback" not in result.message


def test_q3_wrong_bottleneck_size():
    result = _check(_encoder(16), _decoder())
    assert result.status == INCORRECT and f"should have {B}" in result.message


def test_q3_decoder_that_does_not_fit_the_codes():
    decoder = nn.Sequential(nn.Linear(16, 784), nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
    result = _check(_encoder(), decoder)
    assert result.status == INCORRECT and f"should read {B} numbers" in result.message


def test_q3_missing_unflatten():
    decoder = nn.Sequential(nn.Linear(B, 64), nn.ReLU(), nn.Linear(64, 784), nn.Sigmoid())
    result = _check(_encoder(), decoder)
    assert result.status == INCORRECT and "nn.Unflatten" in result.message


def test_q3_missing_sigmoid():
    decoder = nn.Sequential(nn.Linear(B, 64), nn.ReLU(), nn.Linear(64, 784), nn.Unflatten(1, (1, 28, 28)))
    result = _check(_encoder(), decoder)
    assert result.status == INCORRECT and "nn.Sigmoid()" in result.message


def test_q3_linear_only_encoder_is_pointed_at_pca():
    encoder = nn.Sequential(nn.Flatten(), nn.Linear(784, B))
    result = _check(encoder, _decoder())
    assert result.status == INCORRECT and "PCA" in result.message


def test_q3_not_a_module():
    result = _check("encoder", _decoder())
    assert result.status == INCORRECT and "torch module" in result.message


def test_q3_not_attempted():
    assert latent_space.q3.evaluate({"encoder": BLANK, "decoder": BLANK}).status == NOT_ATTEMPTED
