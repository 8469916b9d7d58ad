"""Fault table: inputs that used to crash a kernel, hang a check or give a wrong number.

Each row is one input a learner can give a helper, an explorer or an exercise, and what
must come of it: a one-line course message naming the argument, a correct result, or a
verdict with the state unchanged. Inputs that crashed the kernel (scikit-learn's t-SNE on
points all in one place) run in a fresh interpreter, so that a regression fails its row
instead of ending pytest.
"""

from __future__ import annotations

import fractions
import math
import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest
import torch

from helpers import latent_space, metrics, paths, projections, validation
from helpers.exercises import (
    CORRECT,
    INCORRECT,
    NOT_ATTEMPTED,
    FunctionProblem,
    ValueProblem,
    bind,
    checking,
    load_progress,
)
from helpers.grading import grades
from helpers.models.autoencoder import Autoencoder
from helpers.models.cnn import SmallCNN

REPO_ROOT = Path(__file__).resolve().parent.parent
RNG = np.random.default_rng(29)
X20 = RNG.normal(size=(20, 4))  # distinct rows, moderate values
Y20 = np.arange(20) % 3
GIB = 1 << 30


@pytest.fixture(autouse=True)
def _one_gib_budget(monkeypatch):
    """Sizes are bounded by a quarter of the machine's memory: the table fixes that quarter at 1 GiB."""
    monkeypatch.setattr(validation, "memory_budget", lambda: GIB)


def _tiny_autoencoder() -> Autoencoder:
    torch.manual_seed(0)
    return Autoencoder(latent_dim=2, hidden=(8,))


def _meta(shape=(20, 4)):
    return torch.zeros(shape, device="meta")


# ============================================================================ refused with a course message
# (id, call, words the one-line message must hold: the argument's name first)

REFUSED: list[tuple[str, object, tuple[str, ...]]] = []

# ---- sizes with an upper bound derived from memory (1 GiB in this table)
for bad in (10**9, 10**12, 2**63, 50_000_000):
    REFUSED += [
        (f"interpolate steps={bad}", lambda bad=bad: latent_space.interpolate([0, 0], [1, 1], steps=bad),
         ("steps must be an integer from 2 to", "1.0 GiB", "quarter of this machine's memory")),
        (f"pixel_blend steps={bad}", lambda bad=bad: latent_space.pixel_blend(np.zeros((28, 28)), np.ones((28, 28)),
                                                                            steps=bad),
         ("steps must be an integer from 2 to", "1.0 GiB")),
    ]
for bad in (2000, 3000, 10**6, 338):
    REFUSED += [
        (f"lattice n={bad}", lambda bad=bad: latent_space.lattice((0, 1), (0, 1), bad),
         ("n must be an integer from 2 to 337", "n x n decoded 28 x 28 tiles", "1.0 GiB")),
        (f"latent_grid n={bad}", lambda bad=bad: latent_space.latent_grid(_tiny_autoencoder(), (0, 1), (0, 1), bad),
         ("n must be an integer from 2 to 337",)),
        (f"grid_side grid_size={bad}", lambda bad=bad: latent_space.grid_side(bad, "grid_size"),
         ("grid_size must be an integer from 2 to 337",)),
    ]
REFUSED += [
    ("Autoencoder latent_dim=10**9", lambda: Autoencoder(latent_dim=10**9, hidden=(8,)),
     ("latent_dim must be an integer from 1 to", "latent units", "1.0 GiB")),
    ("Autoencoder latent_dim=10**7", lambda: Autoencoder(latent_dim=10**7),
     ("latent_dim must be an integer from 1 to",)),
    ("Autoencoder hidden huge", lambda: Autoencoder(latent_dim=2, hidden=(10**6, 10**6)),
     ("hidden asks for weights and their training state of", "1.0 GiB")),
    ("SmallCNN embedding_dim=10**9", lambda: SmallCNN(embedding_dim=10**9),
     ("embedding_dim must be an integer from 1 to", "embedding units")),
    ("neighbours_split_apart pairs=10**9", lambda: latent_space.neighbours_split_apart(
        RNG.random((6, 28, 28)), RNG.random((6, 2)), pairs=10**9),
     ("pairs must be an integer from 1 to", "random pairs")),
    ("neighbours_split_apart pairs=10**12", lambda: latent_space.neighbours_split_apart(
        RNG.random((6, 28, 28)), RNG.random((6, 2)), pairs=10**12), ("pairs must be", "1.0 GiB")),
    ("size of a float", lambda: validation.size(3.0, "steps", low=2, item_bytes=8, what="points"),
     ("steps must be an integer", "without the decimal point")),
]

# ---- torch tensors that cannot become NumPy arrays as they are
REFUSED += [
    ("meta X to project", lambda: projections.project(_meta(), "pca", cache=False, verbose=False),
     ("X must hold numbers", "meta device")),
    ("meta a to cosine", lambda: metrics.cosine_similarity(_meta((4,)), [1, 2, 3, 4]), ("a must hold numbers", "meta")),
    ("meta b to cosine", lambda: metrics.cosine_similarity([1, 2, 3, 4], _meta((4,))), ("b must hold numbers", "meta")),
    ("meta A to cosine matrix", lambda: metrics.cosine_similarity_matrix(_meta()), ("A must hold numbers", "meta")),
    ("meta X to neighbours", lambda: metrics.nearest_neighbors(_meta(), 0), ("X must hold numbers", "meta")),
    ("meta X to knn_indices", lambda: metrics.knn_indices(_meta(), 3), ("X must hold numbers", "meta")),
    ("meta Y to align", lambda: projections.align(_meta((20, 2)), X20[:, :2]), ("Y must hold numbers", "meta")),
    ("meta Z to latent_extent", lambda: latent_space.latent_extent(_meta((20, 2))), ("Z must hold numbers", "meta")),
    ("meta z_a to interpolate", lambda: latent_space.interpolate(_meta((2,)), [0, 1]), ("z_a must hold numbers",)),
    ("meta X_high to trustworthiness", lambda: metrics.trustworthiness(_meta(), X20[:, :2], 3),
     ("X_high must hold numbers", "meta")),
    ("meta k to an integer", lambda: validation.integer(torch.tensor(3, device="meta"), "k"), ("k must hold numbers",)),
    ("meta y_train labels", lambda: metrics.knn_accuracy(X20, torch.zeros(20, device="meta"), k=3),
     ("y_train must hold numbers", "meta")),
]

# ---- labels holding None or NaN
_NONE_LABELS = [0, 1, None] + [0] * 17
_NAN_LABELS = np.r_[[0.0, np.nan], np.zeros(18)]
for kind, bad in (("None", _NONE_LABELS), ("NaN", _NAN_LABELS)):
    REFUSED += [
        (f"knn_accuracy y_train {kind}", lambda bad=bad: metrics.knn_accuracy(X20, bad, k=3, cache=False),
         ("y_train must give every row of X_train a label", "missing (None or NaN)")),
        (f"knn_accuracy y_test {kind}", lambda bad=bad: metrics.knn_accuracy(X20, Y20, X20, bad, k=3, cache=False),
         ("y_test must give every row",)),
        (f"linear_probe y_train {kind}", lambda bad=bad: metrics.linear_probe(X20, bad, X20, Y20),
         ("y_train must give every row",)),
        (f"validation.labels {kind}", lambda bad=bad: validation.labels(bad, "labels", 20, "X"),
         ("labels must give every row of X a label", "the first at position")),
        (f"ProjectionExplorer labels {kind}", lambda bad=bad: _projection_explorer(labels=bad),
         ("labels must give every row of X a label",)),
        (f"EpochExplorer labels {kind}", lambda bad=bad: _epoch_explorer(labels=bad), ("labels must give every row",)),
        (f"LatentExplorer labels {kind}", lambda bad=bad: _latent_explorer(labels=bad),
         ("labels must give every row of Z",)),
    ]

# ---- extreme magnitudes: refused before any computation (PCA never returns an all-inf map)
for scale in (1e16, 1e100, 1e300, -1e300, 1e-16, 1e-200, 1e-300):
    for method in ("pca", "tsne", "umap"):
        words = ("X holds values as large as",) if abs(scale) > 1 else ("X holds only values smaller than",)
        REFUSED.append((f"{method} of data x {scale:g}",
                        lambda scale=scale, method=method: projections.project(X20 * scale, method, cache=False,
                                                                               verbose=False),
                        (*words, "divide X" if abs(scale) > 1 else "multiply X")))

# ---- t-SNE's own method parameter, empty and tiny data
REFUSED += [
    ("keyword method not a projection", lambda: projections.project(X20, method="exact"),
     ("method must name the projection first", "project(X, 'tsne', method='exact')")),
    ("t-SNE method misspelt", lambda: projections.project(X20, "tsne", method="fast", perplexity=5),
     ("method must be 'barnes_hut' or 'exact'", "got 'fast'")),
    ("t-SNE method for PCA", lambda: projections.project(X20, "pca", method="exact"),
     ("method is not a parameter of 'pca'",)),
    ("t-SNE method a number", lambda: projections.project(X20, "tsne", method=3, perplexity=5),
     ("method must be 'barnes_hut' or 'exact'",)),
    ("no rows to project", lambda: projections.project(np.zeros((0, 5)), "pca"), ("X must have at least 3 rows",)),
    ("one row to project", lambda: projections.project(np.zeros((1, 5)), "tsne"), ("X must have at least 3 rows",)),
    ("two rows to project", lambda: projections.project(np.ones((2, 5)), "umap"), ("X must have at least 3 rows",)),
    ("no columns to project", lambda: projections.project(np.zeros((5, 0)), "pca"), ("X must have at least 1 column",)),
    ("empty cosine", lambda: metrics.cosine_similarity([], []), ("a must not be empty",)),
    ("one-row knn_indices", lambda: metrics.knn_indices([[1.0, 2.0]], 1), ("k must be",)),
    ("one-row align", lambda: projections.align([[1.0, 2.0]], [[0.0, 0.0]]), ("Y has all its points in one place",)),
    ("empty latent_extent", lambda: latent_space.latent_extent(np.zeros((0, 2))), ("Z must have at least 1 row",)),
    ("empty cosine matrix", lambda: metrics.cosine_similarity_matrix(np.zeros((0, 3))),
     ("A must have at least 1 row",)),
]

# ---- NaN is never clamped into a similarity: refused, naming the argument
REFUSED += [
    ("cosine a NaN", lambda: metrics.cosine_similarity([np.nan, 1.0], [1.0, 1.0]), ("a contains 1 NaN value",)),
    ("cosine b inf", lambda: metrics.cosine_similarity([1.0, 1.0], [np.inf, 1.0]), ("b contains 1 infinite value",)),
    ("cosine matrix A NaN", lambda: metrics.cosine_similarity_matrix([[np.nan, 1.0], [1.0, 1.0]]), ("A contains",)),
    ("cosine matrix B inf", lambda: metrics.cosine_similarity_matrix([[1.0, 1.0]], [[np.inf, 1.0]]), ("B contains",)),
    ("neighbours query NaN", lambda: metrics.nearest_neighbors(X20, [np.nan] * 4, metric="cosine"),
     ("query contains",)),
    ("cosine of the zero vector", lambda: metrics.cosine_similarity([0.0, 0.0], [1.0, 1.0]),
     ("a is the zero vector",)),
    ("projection of NaN", lambda: projections.project(np.r_[X20, [[np.nan] * 4]], "pca"),
     ("X contains 4 NaN values", "row 20")),
]

# ---- environment: the cache folder as typed
REFUSED += [
    ("COURSE_CACHE_DIR with a 256-byte name", lambda: _cache_root_for("/tmp/" + "a" * 256),
     ("COURSE_CACHE_DIR must be a folder path whose every name is at most 255 bytes", "256 bytes")),
    ("COURSE_CACHE_DIR with a 300-byte name inside", lambda: _cache_root_for("/tmp/" + "b" * 300 + "/cache"),
     ("COURSE_CACHE_DIR must be a folder path", "300 bytes")),
    ("COURSE_CACHE_DIR long name under ~", lambda: _cache_root_for("~/" + "é" * 128),
     ("COURSE_CACHE_DIR must be", "256 bytes")),
]


def _cache_root_for(value: str) -> Path:
    os.environ[paths.CACHE_ENV_VAR] = value  # the autouse fixture of conftest restores it after each test
    return paths.cache_root()


def _projection_explorer(labels=Y20, X=X20, **kwargs):
    from helpers.widgets.projection import ProjectionExplorer

    return ProjectionExplorer(X, labels, **kwargs)


def _epoch_explorer(labels=Y20, embeddings=None, **kwargs):
    from helpers.widgets.training_evolution import EpochExplorer

    return EpochExplorer(np.stack([X20, X20 * 2]) if embeddings is None else embeddings, labels, **kwargs)


def _latent_explorer(labels=Y20, **kwargs):
    from helpers.widgets.latent import LatentExplorer

    return LatentExplorer(_tiny_autoencoder(), X20[:, :2], labels, **kwargs)


REFUSED += [
    (f"LatentExplorer grid_size={bad}", lambda bad=bad: _latent_explorer(grid_size=bad),
     ("grid_size must be an integer from 2 to 337", "1.0 GiB")) for bad in (2000, 3000, 10**9)
] + [
    ("plot_latent_manifold n=3000", lambda: __import__("helpers.widgets.latent", fromlist=["x"]).plot_latent_manifold(
        _tiny_autoencoder(), X20[:, :2], Y20, n=3000), ("n must be an integer from 2 to 337",)),
    ("EpochExplorer data x 1e300", lambda: _epoch_explorer(embeddings=np.stack([X20 * 1e300, X20])),
     ("embeddings[0] holds values as large as",)),
    ("EpochExplorer data x 1e-300", lambda: _epoch_explorer(embeddings=np.stack([X20, X20 * 1e-300])),
     ("embeddings[1] holds only values smaller than",)),
]


@pytest.mark.parametrize("call,words", [pytest.param(call, words, id=name) for name, call, words in REFUSED])
def test_refused_with_a_course_message_naming_the_argument(call, words):
    with pytest.raises(validation.InvalidArgument) as info:
        call()
    message = str(info.value)
    assert "\n" not in message
    for part in words:
        assert part in message, message


# ============================================================================ correct results

SCALES = (1e-300, 1e-200, 1e-100, 1e-20, 1.0, 1e20, 1e100, 1e200, 1e300)
BASE = np.array([1.0, 2.0, 3.0])
RELATIONS = {"identical": (BASE, 1.0), "opposite": (-BASE, -1.0), "orthogonal": (np.array([3.0, 0.0, -1.0]), 0.0)}

RESULTS: list[tuple[str, object, object]] = []  # (id, call, check of the result)
for scale in SCALES:
    for relation, (other, want) in RELATIONS.items():
        RESULTS += [
            (f"cosine {relation} x {scale:g}", lambda s=scale, o=other: metrics.cosine_similarity(BASE * s, o * s),
             lambda got, want=want: got == pytest.approx(want, abs=1e-12)),
            (f"cosine matrix {relation} x {scale:g}",
             lambda s=scale, o=other: metrics.cosine_similarity_matrix(np.stack([BASE, o]) * s),
             lambda got, want=want: got[0, 1] == pytest.approx(want, abs=1e-12) and np.allclose(np.diag(got), 1.0)),
            (f"cosine distance {relation} x {scale:g}",
             lambda s=scale, o=other: metrics.nearest_neighbors(np.stack([o, o]) * s, BASE * s, k=1, metric="cosine"),
             lambda got, want=want: got[0][0] == 0 and got[1][0] == pytest.approx(1 - want, abs=1e-12)),
        ]

_PCA_REFERENCE = projections.project(X20, "pca", cache=False, verbose=False)
for scale in (1e-12, 1e-6, 1e6, 1e12):
    RESULTS.append((f"PCA of data x {scale:g} is finite and to scale",
                    lambda scale=scale: projections.project(X20 * scale, "pca", cache=False, verbose=False),
                    lambda got, scale=scale: np.isfinite(got).all()
                    and np.allclose(np.abs(got) / scale, np.abs(_PCA_REFERENCE), rtol=1e-3, atol=1e-4)))

for dtype in (torch.bfloat16, torch.float16, torch.float64, torch.int32):
    t = torch.tensor(X20 * 4).to(dtype)
    RESULTS += [
        (f"{dtype} X to project", lambda t=t: projections.project(t, "pca", cache=False, verbose=False),
         lambda got, t=t: np.allclose(got, projections.project(t.double().numpy(), "pca", cache=False, verbose=False),
                                      atol=1e-4)),
        (f"{dtype} to cosine", lambda t=t: metrics.cosine_similarity(t[0], t[0]), lambda got: got == pytest.approx(1)),
    ]
SPARSE = torch.tensor(X20).to_sparse()
RESULTS += [
    ("sparse X to knn_indices", lambda: metrics.knn_indices(SPARSE, 3),
     lambda got: (got == metrics.knn_indices(X20, 3)).all()),
    ("sparse COO float32 X to knn_indices", lambda: metrics.knn_indices(torch.tensor(X20).float().to_sparse(), 3),
     lambda got: (got == metrics.knn_indices(X20, 3)).all()),
    ("sparse X to project", lambda: projections.project(SPARSE, "pca", cache=False, verbose=False),
     lambda got: np.allclose(got, _PCA_REFERENCE, atol=1e-5)),
    ("bfloat16 labels", lambda: validation.labels(torch.tensor([0, 1, 2], dtype=torch.bfloat16), "y", 3, "X"),
     lambda got: got.tolist() == [0.0, 1.0, 2.0]),
    ("int16 k", lambda: validation.integer(torch.tensor(3, dtype=torch.int16), "k"), lambda got: got == 3),
    ("bfloat16 lr", lambda: validation.number(torch.tensor(0.5, dtype=torch.bfloat16), "lr"), lambda got: got == 0.5),
    ("labels as strings", lambda: validation.labels(["cat", "dog"], "y", 2, "X"),
     lambda got: got.tolist() == ["cat", "dog"]),
    ("labels with 0 (not missing)", lambda: validation.labels([0, 0.0, 1], "y", 3, "X"), lambda got: len(got) == 3),
    ("t-SNE's own method", lambda: projections.project(X20, "tsne", method="exact", perplexity=5, max_iter=250,
                                                       cache=False, verbose=False),
     lambda got: got.shape == (20, 2) and np.isfinite(got).all()),
    ("projection named by keyword", lambda: projections.project(X20, method="umap", n_neighbors=5, cache=False,
                                                                verbose=False),
     lambda got: got.shape == (20, 2) and np.isfinite(got).all()),
    ("projection named by keyword t-SNE", lambda: projections.project(X20, method="t-SNE", perplexity=5,
                                                                      max_iter=250, cache=False, verbose=False),
     lambda got: got.shape == (20, 2)),
    ("default method PCA", lambda: projections.project(X20, cache=False, verbose=False),
     lambda got: np.allclose(got, _PCA_REFERENCE)),
    ("PCA of rows all the same", lambda: projections.project(np.full((10, 3), 7.0), "pca", verbose=False),
     lambda got: (got == 0).all() and got.dtype == np.float32),
    ("four identical rows, t-SNE", lambda: projections.project(np.ones((4, 2)), "tsne", perplexity=1,
                                                                 verbose=False),
     lambda got: (got == 0).all()),
    ("lattice at the bound", lambda: latent_space.lattice((0, 1), (0, 1), 337),
     lambda got: got.shape == (337**2, 2)),
    ("grid_side at the bound", lambda: latent_space.grid_side(337, "grid_size"), lambda got: got == 337),
    ("steps bound follows memory", lambda: validation.size(10**6, "steps", item_bytes=1024, what="points"),
     lambda got: got == 10**6),
    ("steps bound exact", lambda: validation.size(GIB // 1024, "steps", item_bytes=1024, what="points"),
     lambda got: got == GIB // 1024),
    ("grid bound exact", lambda: validation.size(int(math.isqrt(GIB // 3)), "n", item_bytes=3, what="t", power=2),
     lambda got: got == math.isqrt(GIB // 3)),
    ("interpolate usual", lambda: latent_space.interpolate([0, 0], [1, 1], steps=5),
     lambda got: got.shape == (5, 2) and got[-1].tolist() == [1, 1]),
    ("COURSE_CACHE_DIR ~ expanded", lambda: _cache_root_for("~/course-cache"),
     lambda got: got == Path.home() / "course-cache" and "~" not in str(got)),
    ("COURSE_CACHE_DIR ~ alone", lambda: _cache_root_for("~"), lambda got: got == Path.home()),
    ("COURSE_CACHE_DIR 255-byte name", lambda: _cache_root_for("/tmp/" + "c" * 255),
     lambda got: got.name == "c" * 255),
    ("COURSE_CACHE_DIR empty is the default", lambda: _cache_root_for(""),
     lambda got: got == paths.REPO_ROOT / ".cache"),
    ("huge embedding_dim bound leaves the usual", lambda: SmallCNN(embedding_dim=512).embedding_dim,
     lambda got: got == 512),
]


@pytest.mark.parametrize("call,ok", [pytest.param(call, ok, id=name) for name, call, ok in RESULTS])
def test_a_correct_result(call, ok):
    assert ok(call())


def test_a_cache_folder_under_home_is_used(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv(paths.CACHE_ENV_VAR, "~/class-cache")
    projections.clear_memory_cache()
    projections.project(X20, "pca", verbose=False)
    entries = list((tmp_path / "class-cache" / "projections").glob("*.npy.entry"))
    assert len(entries) == 1 and not Path("~").exists()


def test_points_all_in_one_place_give_a_note_and_no_timing(capsys):
    projections.clear_memory_cache()
    Y = projections.project(np.zeros((600, 3)), "tsne", cache=False)
    assert (Y == 0).all()
    assert "all its 600 rows the same" in capsys.readouterr().out
    assert projections.estimated_seconds("tsne", 600) > 1  # the shortcut is not taken for a measurement


# ============================================================================ exercises: a verdict


class _FloatRaises:
    def __float__(self):
        raise RuntimeError("no float here")


class _RealFloatRaises(float):
    def __float__(self):
        raise RuntimeError("no float here")


VALUE_ANSWERS = [  # (id, answer, status, words)
    ("10**400", 10**400, INCORRECT, "too large for a float"),
    ("-10**400", -10**400, INCORRECT, "too large for a float"),
    ("10**5000", 10**5000, INCORRECT, "too large for a float"),
    ("Fraction huge", fractions.Fraction(10**400, 3), INCORRECT, "too large for a float"),
    ("__float__ raises", _FloatRaises(), INCORRECT, "expected a number"),
    ("float subclass whose __float__ raises", _RealFloatRaises(3.0), INCORRECT, "cannot become one"),
    ("NaN", float("nan"), INCORRECT, "NaN"),
    ("inf", float("inf"), INCORRECT, "not right"),
    ("string", "3", INCORRECT, "remove the quotes"),
    ("bool", True, INCORRECT, "bool"),
    ("None", None, INCORRECT, "is None"),
    ("list", [3], INCORRECT, "expected a number"),
    ("one-element array", np.array([3.0]), INCORRECT, ".item()"),
    ("meta tensor", torch.tensor(3.0, device="meta"), INCORRECT, "expected a number"),
    ("right int", 3, CORRECT, "is right"),
    ("right tensor", torch.tensor(3.0), CORRECT, "is right"),
    ("right bfloat16", torch.tensor(3.0, dtype=torch.bfloat16), CORRECT, "is right"),
    ("right Fraction", fractions.Fraction(3), CORRECT, "is right"),
]


@pytest.mark.parametrize("answer,status,words", [pytest.param(a, s, w, id=i) for i, a, s, w in VALUE_ANSWERS])
def test_a_value_answer_gets_a_verdict(answer, status, words):
    result = ValueProblem("x", 3.0, solution="x = 3.0").evaluate({"x": answer})
    assert result.status == status and words in result.message, result.message
    assert "internal error" not in result.message


FUNCTION_ANSWERS = [  # (id, learner's code defining f, status, words)
    ("loops forever", "def f(x):\n    while True:\n        pass", INCORRECT, "checking stopped after 0.5 s"),
    ("loops and swallows exceptions",
     "def f(x):\n    while True:\n        try:\n            while True: pass\n"
     "        except Exception:\n            pass",
     INCORRECT, "loop that never ends"),
    ("sleeps forever", "import time\ndef f(x):\n    time.sleep(3600)", INCORRECT, "checking stopped"),
    ("recursion forever", "def f(x):\n    return f(x)", INCORRECT, "RecursionError"),
    ("sys.exit()", "import sys\ndef f(x):\n    sys.exit()", INCORRECT, "sys.exit()"),
    ("sys.exit(3)", "import sys\ndef f(x):\n    sys.exit(3)", INCORRECT, "return a value instead"),
    ("exit()", "def f(x):\n    raise SystemExit(0)", INCORRECT, "sys.exit()"),
    ("KeyboardInterrupt", "def f(x):\n    raise KeyboardInterrupt", INCORRECT, "KeyboardInterrupt"),
    ("MemoryError", "def f(x):\n    raise MemoryError('big')", INCORRECT, "MemoryError"),
    ("returns 10**400", "def f(x):\n    return 10**400", INCORRECT, "too large for a float"),
    ("returns object whose __float__ raises",
     "class B:\n    def __float__(self):\n        raise ValueError\ndef f(x):\n    return B()", INCORRECT,
     "expected a number"),
    ("returns None", "def f(x):\n    x * 2", INCORRECT, "forget `return`"),
    ("raises NotImplementedError", "def f(x):\n    raise NotImplementedError", NOT_ATTEMPTED, "NotImplementedError"),
    ("right", "def f(x):\n    return 2 * x", CORRECT, "passes all 2 test cases"),
    ("right after a slow start", "import time\ndef f(x):\n    time.sleep(0.05)\n    return 2 * x", CORRECT, ""),
]


def _function_problem() -> FunctionProblem:
    return FunctionProblem("f", [((1,), 2), ((2.5,), 5.0)], solution="def f(x):\n    return 2 * x")


@pytest.mark.parametrize("code,status,words", [pytest.param(c, s, w, id=i) for i, c, s, w in FUNCTION_ANSWERS])
def test_a_learner_function_gets_a_verdict_within_the_time_limit(code, status, words, monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.5)
    namespace: dict = {}
    exec(compile(code, "<learner cell>", "exec"), namespace)
    started = time.perf_counter()
    result = _function_problem().evaluate(namespace)
    assert time.perf_counter() - started < 5
    assert result.status == status and words in result.message, result.message
    assert "internal error" not in result.message


def test_the_time_limit_gives_back_an_outer_timer(monkeypatch):
    import signal

    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.2)
    fired = []
    previous = signal.signal(signal.SIGALRM, lambda *_: fired.append(1))
    try:
        signal.setitimer(signal.ITIMER_REAL, 1.0)
        namespace: dict = {}
        exec("def f(x):\n    while True: pass", namespace)
        assert _function_problem().evaluate(namespace).status == INCORRECT
        assert 0.3 < signal.getitimer(signal.ITIMER_REAL)[0] < 0.85  # what was left of the outer second
        time.sleep(1.0)
        assert fired == [1]
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


THREAD_ANSWERS = [  # (id, learner's code defining f, status, words): learner code a thread can stop
    ("loops forever", "def f(x):\n    while True:\n        pass", INCORRECT, "checking stopped after 0.5 s"),
    ("loops and swallows exceptions",
     "def f(x):\n    while True:\n        try:\n            while True: pass\n"
     "        except Exception:\n            pass",
     INCORRECT, "loop that never ends"),
    ("sleeps in a loop forever", "import time\ndef f(x):\n    while True:\n        time.sleep(0.01)", INCORRECT,
     "checking stopped"),
    ("right", "def f(x):\n    return 2 * x", CORRECT, "passes all 2 test cases"),
]


def _evaluate_in_a_thread(code: str, linger: float = 1.0) -> tuple[object, float, list]:
    """Evaluate ``f`` in a thread that then lives on: (result, seconds, anything raised there later)."""
    namespace: dict = {}
    exec(compile(code, "<learner cell>", "exec"), namespace)
    found: dict = {}
    late: list = []

    def work():
        started = time.perf_counter()
        found["result"] = _function_problem().evaluate(namespace)
        found["seconds"] = time.perf_counter() - started
        try:  # a time limit must not fire after its check is over
            deadline = time.perf_counter() + linger
            while time.perf_counter() < deadline:
                pass
        except BaseException as exc:  # noqa: BLE001 - what leaks is the finding
            late.append(exc)

    import threading

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(10)
    assert not thread.is_alive(), "the check in a thread never returned"
    return found["result"], found["seconds"], late


@pytest.mark.parametrize("code,status,words", [pytest.param(c, s, w, id=i) for i, c, s, w in THREAD_ANSWERS])
def test_learner_code_checked_in_another_thread_has_the_time_limit(code, status, words, monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.5)
    result, seconds, late = _evaluate_in_a_thread(code)
    assert result.status == status and words in result.message, result.message
    assert seconds < 5 and late == []


@pytest.mark.parametrize("code,status,words", [pytest.param(c, s, w, id=i) for i, c, s, w in THREAD_ANSWERS])
def test_without_a_timer_signal_the_main_thread_has_the_time_limit(code, status, words, monkeypatch):
    """As on Windows, which has no SIGALRM: the limit still stops a loop in the main thread."""
    import signal

    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.5)
    monkeypatch.delattr(signal, "setitimer")
    namespace: dict = {}
    exec(compile(code, "<learner cell>", "exec"), namespace)
    started = time.perf_counter()
    result = _function_problem().evaluate(namespace)
    assert time.perf_counter() - started < 5
    assert result.status == status and words in result.message, result.message
    deadline = time.perf_counter() + 1.0
    while time.perf_counter() < deadline:  # nothing is raised here after the check
        pass


def test_a_check_in_a_thread_that_finishes_in_time_leaves_the_thread_alone(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.5)
    for _ in range(6):  # finishing shortly before the limit, too
        result, _, late = _evaluate_in_a_thread("import time\ndef f(x):\n    time.sleep(0.2)\n    return 2 * x",
                                                linger=0.3)
        assert result.status == CORRECT and late == []


@pytest.mark.parametrize("code", [c for _, c, s, _ in FUNCTION_ANSWERS if s == INCORRECT][:9])
def test_check_and_grades_go_on_after_hostile_learner_code(code, monkeypatch, capsys):
    """check() shows a verdict and records one attempt; grades() grades every exercise after it."""
    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.5)
    namespace: dict = {"x": 3.0}
    exec(compile(code, "<learner cell>", "exec"), namespace)
    ex = bind("99_fault_table", {"q1": _function_problem(), "q2": ValueProblem("x", 3.0, solution="x = 3.0")},
              namespace)
    namespace["ex"] = ex
    ex.q1.check()
    shown = capsys.readouterr().out
    assert "internal error" not in shown
    entry = load_progress()["99_fault_table"]["q1"]
    assert entry["status"] == "attempted" and entry["attempts"] == 1
    found = grades(namespace)["99_fault_table"]
    assert found["q1"]["status"] == INCORRECT and found["q2"]["status"] == CORRECT


# ============================================================================ crashes: each in a fresh interpreter

CRASHES = [  # (id, code run with the course importable, words its output must hold)
    ("t-SNE of zeros", "Y = project(np.zeros((100, 5)), 'tsne', cache=False)\nprint('ZERO', (Y == 0).all())",
     ("all its 100 rows the same", "ZERO True")),
    ("t-SNE of identical rows", "Y = project(np.tile(np.arange(5.0), (100, 1)), 'tsne', cache=False)\n"
     "print('ZERO', (Y == 0).all())", ("ZERO True",)),
    ("t-SNE of rows that float32 makes identical",
     "X = np.full((100, 5), 1.0) + np.random.default_rng(0).normal(size=(100, 5)) * 1e-12\n"
     "Y = project(X, 'tsne', cache=False)\nprint('ZERO', (Y == 0).all())", ("ZERO True",)),
    ("t-SNE exact of zeros", "Y = project(np.zeros((50, 3)), 'tsne', method='exact', cache=False)\n"
     "print('ZERO', Y.shape)", ("ZERO (50, 2)",)),
    ("t-SNE of tiny values", "try:\n    project(np.random.default_rng(0).random((100, 5)) * 1e-200, 'tsne')\n"
     "except ValueError as e:\n    print('REFUSED', e)", ("REFUSED X holds only values smaller than",)),
    ("UMAP of zeros", "Y = project(np.zeros((100, 5)), 'umap', cache=False)\nprint('ZERO', (Y == 0).all())",
     ("ZERO True",)),
    ("t-SNE with half the rows zero", "X = np.r_[np.zeros((50, 5)), np.random.default_rng(0).random((50, 5))]\n"
     "Y = project(X, 'tsne', cache=False, verbose=False)\nprint('FINITE', np.isfinite(Y).all(), Y.shape)",
     ("FINITE True (100, 2)",)),
    ("epoch explorer whose first epoch is zeros",
     "from helpers.widgets.training_evolution import EpochExplorer\n"
     "E = np.stack([np.zeros((60, 4)), np.random.default_rng(0).normal(size=(60, 4))])\n"
     "maps = EpochExplorer(E, np.arange(60) % 3, method='tsne', params={'perplexity': 10}).maps()\n"
     "print('MAPS', maps.shape, np.isfinite(maps).all())", ("MAPS (2, 60, 2) True",)),
]


@pytest.mark.parametrize("code,words", [pytest.param(c, w, id=i) for i, c, w in CRASHES])
def test_no_input_crashes_the_kernel(code, words, tmp_path):
    script = "import numpy as np\nfrom helpers.projections import project\n" + textwrap.dedent(code)
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT), "COURSE_CACHE_DIR": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, env=env,
                          cwd=REPO_ROOT)
    assert done.returncode == 0, f"exit code {done.returncode} (a crash is negative): {done.stderr[-2000:]}"
    for part in words:
        assert part in done.stdout, done.stdout + done.stderr[-2000:]


def test_the_table_is_large_enough():
    count = (len(REFUSED) + len(RESULTS) + len(VALUE_ANSWERS) + len(FUNCTION_ANSWERS) + len(CRASHES))
    assert count >= 180, count
