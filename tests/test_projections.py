"""Tests for helpers.projections: right answers, caching and clear errors for wrong inputs."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from helpers import cache, cores, projections
from helpers.projections import METHODS, align, project

REPO_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_memory_cache():
    projections.clear_memory_cache()
    yield
    projections.clear_memory_cache()


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_blobs(n_samples=200, n_features=8, centers=4, cluster_std=1.0, random_state=0)
    return X.astype(np.float32), y


def _cache_files() -> list[Path]:
    return sorted(Path(os.environ["COURSE_CACHE_DIR"], "projections").glob("*.npy.entry"))


def _cached_array(path: Path) -> np.ndarray:
    return np.load(io.BytesIO(cache.decode_entry(path.read_bytes())))


# ----------------------------------------------------------------------------- right answers


def test_methods_are_the_three_documented_ones():
    assert METHODS == ("pca", "tsne", "umap")


def test_pca_shape_dtype_and_values_match_sklearn(blobs):
    from sklearn.decomposition import PCA

    X, _ = blobs
    Y = project(X, "pca", verbose=False)
    assert Y.shape == (200, 2) and Y.dtype == np.float32
    expected = PCA(n_components=2).fit_transform(X.astype(np.float64))
    # signs of principal axes are a convention: compare up to a sign per column
    for j in range(2):
        assert np.allclose(np.abs(Y[:, j]), np.abs(expected[:, j]), atol=1e-4)


def test_pca_with_three_components_and_method_case_insensitive(blobs):
    X, _ = blobs
    Y = project(X, "PCA", n_components=3, verbose=False)
    assert Y.shape == (200, 3)


def test_tsne_separates_blobs(blobs):
    X, y = blobs
    Y = project(X, "tsne", perplexity=20, max_iter=250, verbose=False)
    assert Y.shape == (200, 2) and Y.dtype == np.float32 and np.isfinite(Y).all()
    _assert_clusters_kept(Y, y)


def test_umap_separates_blobs_and_is_repeatable(blobs):
    X, y = blobs
    Y = project(X, "umap", n_neighbors=10, verbose=False, cache=False)
    assert Y.shape == (200, 2) and Y.dtype == np.float32 and np.isfinite(Y).all()
    _assert_clusters_kept(Y, y)
    again = project(X, "umap", n_neighbors=10, verbose=False, cache=False)
    assert np.allclose(Y, again)


def _assert_clusters_kept(Y: np.ndarray, y: np.ndarray) -> None:
    """Every point's nearest other point on the map has the same blob label."""
    d = ((Y[:, None, :] - Y[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d, np.inf)
    assert (y[d.argmin(1)] == y).mean() > 0.95


def test_umap_compiled_code_is_kept_for_the_next_kernel():
    """umap-learn compiles its functions anew in every process; the helper lets numba keep them
    on disk (as pynndescent does), and where numba cannot, UMAP still runs."""
    script = (
        "import json, warnings\n"
        "warnings.simplefilter('ignore')\n"
        "import umap, umap.umap_\n"
        "from numba.core.registry import CPUDispatcher\n"
        "from helpers import projections\n"
        "def kind():\n"
        "    return type(umap.umap_.smooth_knn_dist._cache).__name__\n"
        "before = kind()\n"
        "enable = CPUDispatcher.enable_caching\n"
        "def refuse(self):\n"
        "    raise RuntimeError('cannot cache function: no locator available')\n"
        "CPUDispatcher.enable_caching = refuse   # nowhere to write\n"
        "refused, after_refusal = projections.keep_umap_compiled(), kind()\n"
        "CPUDispatcher.enable_caching = enable\n"
        "covered, after = projections.keep_umap_compiled(), kind()\n"
        "again = projections.keep_umap_compiled()\n"
        "print(json.dumps([before, refused, after_refusal, covered, after, again]))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO_ROOT,
                            timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    before, refused, after_refusal, covered, after, again = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == after_refusal == "NullCache" and refused == 0  # a refusal is not an error
    assert after != "NullCache" and covered >= 10  # smooth_knn_dist, the layout's epochs ...
    assert again == 0  # nothing left to cover


def test_accepts_lists_and_torch_tensors(blobs):
    torch = pytest.importorskip("torch")
    X, _ = blobs
    from_list = project(X.tolist(), verbose=False, cache=False)
    from_tensor = project(torch.from_numpy(X), verbose=False, cache=False)
    assert np.allclose(from_list, from_tensor, atol=1e-4)


def test_returned_array_is_a_copy_that_does_not_spoil_the_cache(blobs):
    X, _ = blobs
    first = project(X, verbose=False)
    kept = first.copy()
    first[:] = 0
    assert np.array_equal(project(X, verbose=False), kept)


# ----------------------------------------------------------------------------- caching


def test_second_identical_call_is_a_memory_hit(blobs):
    X, _ = blobs
    first = project(X, "pca", verbose=False)
    assert projections.cache_info()["misses"] == 1
    second = project(X.copy(), "pca", verbose=False)
    info = projections.cache_info()
    assert info["hits"] == 1 and info["misses"] == 1 and info["disk_hits"] == 0
    assert np.array_equal(first, second)
    assert projections.last_timing()["source"] == "memory"


def test_explicit_default_parameters_share_the_cache_entry(blobs):
    X, _ = blobs
    project(X, "tsne", max_iter=250, verbose=False)
    project(X, "tsne", max_iter=250, perplexity=30, init="pca", verbose=False)
    assert projections.cache_info()["hits"] == 1


def test_different_parameters_or_data_are_computed_again(blobs):
    X, _ = blobs
    project(X, "pca", verbose=False)
    project(X, "pca", n_components=3, verbose=False)
    project(X, "pca", random_state=1, verbose=False)
    project(X[:100], "pca", verbose=False)
    project(X.astype(np.float64), "pca", verbose=False)
    info = projections.cache_info()
    assert info["misses"] == 5 and info["hits"] == 0


def test_after_clearing_memory_the_disk_cache_answers(blobs):
    X, _ = blobs
    first = project(X, "pca", verbose=False)
    assert len(_cache_files()) == 1
    projections.clear_memory_cache()
    second = project(X, "pca", verbose=False)
    info = projections.cache_info()
    assert info["disk_hits"] == 1 and info["misses"] == 0
    assert np.array_equal(first, second)
    assert projections.last_timing()["source"] == "disk"
    project(X, "pca", verbose=False)
    assert projections.cache_info()["hits"] == 1


def test_a_new_process_reuses_the_disk_cache(blobs, tmp_path):
    X, _ = blobs
    np.save(tmp_path / "X.npy", X)
    code = (
        "import json, sys, numpy as np\n"
        "from helpers import projections\n"
        f"X = np.load({str(tmp_path / 'X.npy')!r})\n"
        "Y = projections.project(X, 'pca', verbose=False)\n"
        "print(json.dumps({**projections.cache_info(), 'first': Y[0].tolist(),"
        " 'umap': 'umap' in sys.modules}))\n"
    )
    env = {**os.environ, "COURSE_CACHE_DIR": str(tmp_path / "cache")}
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT, env=env
            ).stdout
        )
        for _ in range(2)
    ]
    assert runs[0]["misses"] == 1 and runs[0]["disk_hits"] == 0
    assert runs[1]["misses"] == 0 and runs[1]["disk_hits"] == 1
    assert runs[0]["first"] == runs[1]["first"]
    assert not runs[1]["umap"]


def test_a_corrupted_disk_file_is_recomputed_with_a_warning(blobs):
    X, _ = blobs
    first = project(X, "pca", verbose=False)
    (path,) = _cache_files()
    path.write_bytes(b"not a numpy file")
    projections.clear_memory_cache()
    with pytest.warns(projections.ProjectionCacheWarning, match="is damaged"):
        again = project(X, "pca", verbose=False)
    assert np.array_equal(first, again)
    assert projections.cache_info()["misses"] == 1
    (path,) = _cache_files()
    assert np.array_equal(_cached_array(path), first)


def test_a_disk_file_of_the_wrong_shape_is_recomputed_with_a_warning(blobs):
    X, _ = blobs
    first = project(X, "pca", verbose=False)
    (path,) = _cache_files()
    wrong = io.BytesIO()
    np.save(wrong, np.zeros((5, 2), dtype=np.float32))
    path.write_bytes(cache.encode_entry(wrong.getvalue()))  # a valid entry, but not this projection's shape
    projections.clear_memory_cache()
    with pytest.warns(projections.ProjectionCacheWarning, match="shape"):
        again = project(X, "pca", verbose=False)
    assert np.array_equal(first, again)


def test_cache_false_bypasses_both_caches(blobs):
    X, _ = blobs
    project(X, "pca", verbose=False, cache=False)
    project(X, "pca", verbose=False, cache=False)
    info = projections.cache_info()
    assert info["misses"] == 2 and info["hits"] == 0 and info["memory_entries"] == 0
    assert _cache_files() == []


def test_clear_disk_cache_removes_the_files(blobs):
    X, _ = blobs
    project(X, "pca", verbose=False)
    assert projections.clear_disk_cache() == 1
    assert _cache_files() == []


# ----------------------------------------------------------------------------- progress messages


def test_verbose_prints_before_and_after_computing_but_not_when_cached(blobs, capsys):
    X, _ = blobs
    project(X, "pca")
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith("Computing PCA for 200 points x 8 dims") and "cached afterwards" in out[0]
    assert "PCA" in out[1] and " s" in out[1]
    project(X, "pca")
    assert capsys.readouterr().out == ""


def test_on_progress_receives_the_messages_instead_of_print(blobs, capsys):
    X, _ = blobs
    messages: list[str] = []
    project(X, "pca", on_progress=messages.append)
    assert capsys.readouterr().out == ""
    assert len(messages) == 2 and messages[0].startswith("Computing PCA")
    assert projections.last_timing()["source"] == "computed"


def test_thousands_separator_in_the_message(capsys):
    X = np.random.default_rng(0).normal(size=(1500, 4))
    project(X, "pca", cache=False)
    assert "1,500 points x 4 dims" in capsys.readouterr().out


# ----------------------------------------------------------------------------- wrong inputs


@pytest.mark.parametrize(
    ("X", "error", "words"),
    [
        (np.zeros(10), ValueError, ["X", "2-D", "(10,)"]),
        (np.zeros((3, 4, 5)), ValueError, ["X", "2-D"]),
        (np.array([["a", "b"], ["c", "d"], ["e", "f"]]), TypeError, ["X", "numbers"]),
        ("not an array", ValueError, ["X", "2-D"]),
        (np.zeros((2, 4)), ValueError, ["X", "at least 3"]),
        (np.zeros((5, 0)), ValueError, ["X", "feature"]),
    ],
)
def test_bad_X_is_refused(X, error, words):
    with pytest.raises(error) as info:
        project(X, verbose=False)
    for word in words:
        assert word in str(info.value)


def test_nan_and_inf_are_counted():
    X = np.random.default_rng(0).normal(size=(20, 3))
    X[0, 0] = X[3, 1] = X[5, 2] = np.nan
    X[7, 0] = np.inf
    with pytest.raises(ValueError, match=r"X contains 3 NaN values and 1 infinite value"):
        project(X, verbose=False)


def test_unknown_method_lists_the_methods(blobs):
    with pytest.raises(ValueError, match=r"method must be one of 'pca', 'tsne', 'umap'.*'mds'"):
        project(blobs[0], "mds")
    with pytest.raises(TypeError, match="method"):
        project(blobs[0], 3)


@pytest.mark.parametrize("n_components", [0, -1, 2.0, True, "2"])
def test_bad_n_components_is_refused(blobs, n_components):
    with pytest.raises((TypeError, ValueError), match="n_components"):
        project(blobs[0], n_components=n_components)


def test_pca_n_components_cannot_exceed_the_features():
    X = np.random.default_rng(0).normal(size=(50, 3))
    assert project(X, n_components=3, verbose=False).shape == (50, 3)
    with pytest.raises(ValueError, match=r"n_components.*from 1 to 3"):
        project(X, n_components=4)


def test_tsne_n_components_at_most_three(blobs):
    with pytest.raises(ValueError, match="n_components"):
        project(blobs[0], "tsne", n_components=4)


@pytest.mark.parametrize(
    ("value", "error"), [(200, ValueError), (250.0, ValueError), (0, ValueError), ("a", TypeError)]
)
def test_perplexity_must_be_positive_and_below_the_sample_count(blobs, value, error):
    with pytest.raises(error, match="perplexity") as info:
        project(blobs[0], "tsne", perplexity=value)
    if value in (200, 250.0):
        assert "200" in str(info.value)


@pytest.mark.parametrize(("value", "error"), [(200, ValueError), (1, ValueError), (5.5, TypeError)])
def test_n_neighbors_must_be_below_the_sample_count(blobs, value, error):
    with pytest.raises(error, match="n_neighbors"):
        project(blobs[0], "umap", n_neighbors=value)


def test_unknown_parameters_list_the_allowed_ones(blobs):
    with pytest.raises(ValueError, match=r"perplexity.*pca.*allowed.*whiten") as info:
        project(blobs[0], "pca", perplexity=5)
    assert "perplexity" in str(info.value)
    with pytest.raises(ValueError, match=r"n_neighbours.*umap.*n_neighbors"):
        project(blobs[0], "umap", n_neighbours=5)
    with pytest.raises(ValueError, match=r"min_dist.*tsne.*perplexity"):
        project(blobs[0], "tsne", min_dist=0.2)


def test_bad_random_state_and_on_progress(blobs):
    with pytest.raises(TypeError, match="random_state"):
        project(blobs[0], random_state=np.random.RandomState(0))
    with pytest.raises(ValueError, match="random_state"):
        project(blobs[0], random_state=-1)
    with pytest.raises(TypeError, match="on_progress"):
        project(blobs[0], on_progress="print")


def test_random_state_none_is_computed_every_time(blobs):
    X, _ = blobs
    project(X, random_state=None, verbose=False)
    project(X, random_state=None, verbose=False)
    assert projections.cache_info()["misses"] == 2 and _cache_files() == []


# ----------------------------------------------------------------------------- align


def _rotation(theta: float) -> np.ndarray:
    return np.array([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])


@pytest.mark.parametrize("reflect", [False, True])
def test_align_recovers_a_rotated_scaled_shifted_copy(reflect):
    reference = np.random.default_rng(1).normal(size=(100, 2))
    Q = _rotation(0.7) @ (np.diag([1, -1]) if reflect else np.eye(2))
    Y = 3.5 * reference @ Q + np.array([10.0, -4.0])
    aligned = align(Y, reference)
    assert aligned.shape == reference.shape
    assert np.allclose(aligned, reference, atol=1e-10)


def test_align_keeps_float32_and_works_in_three_dimensions():
    rng = np.random.default_rng(2)
    reference = rng.normal(size=(50, 3)).astype(np.float32)
    Q, _ = np.linalg.qr(rng.normal(size=(3, 3)))
    Y = (0.2 * reference @ Q + 1.0).astype(np.float32)
    aligned = align(Y, reference)
    assert aligned.dtype == np.float32
    assert np.allclose(aligned, reference, atol=1e-4)


def test_align_reduces_the_distance_for_noisy_copies():
    rng = np.random.default_rng(3)
    reference = rng.normal(size=(200, 2))
    Y = 2 * reference @ _rotation(2.0) + rng.normal(scale=0.1, size=(200, 2)) + 5
    before = np.linalg.norm(Y - reference)
    after = np.linalg.norm(align(Y, reference) - reference)
    assert after < 0.1 * before


def test_align_validates_its_inputs():
    with pytest.raises(ValueError, match=r"Y and reference must have the same shape.*\(10, 2\).*\(9, 2\)"):
        align(np.zeros((10, 2)), np.ones((9, 2)))
    with pytest.raises(ValueError, match="Y must be a 2-D"):
        align(np.zeros(10), np.ones(10))
    with pytest.raises(ValueError, match="reference contains 1 NaN"):
        align(np.ones((3, 2)), np.array([[0, 1], [np.nan, 2], [3, 4]]))
    with pytest.raises(ValueError, match="Y has all its points"):
        align(np.ones((3, 2)), np.arange(6.0).reshape(3, 2))


# ----------------------------------------------------------------------------- imports


def test_importing_projections_loads_neither_umap_nor_sklearn_manifold():
    code = (
        "import sys, helpers.projections\n"
        "print(any(m == 'umap' or m.startswith('umap.') for m in sys.modules), 'sklearn.manifold' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO_ROOT)
    assert out.stdout.split() == ["False", "False"]


# ----------------------------------------------------------------------------- long projections


def test_the_estimate_scales_from_the_reference_rate_until_the_session_measured_its_own(monkeypatch):
    seconds, at = projections.REFERENCE_RATES["tsne"]
    assert projections.estimated_seconds("tsne", at) == pytest.approx(seconds)
    assert projections.estimated_seconds("TSNE", 2 * at) > 2 * seconds   # n log n
    assert projections.estimated_seconds("pca", 70_000) == 0.0
    X = np.random.default_rng(0).normal(size=(600, 5)).astype(np.float32)
    monkeypatch.setitem(projections._COMPUTE, "tsne", lambda X, *args: np.zeros((len(X), 2)))
    project(X, "tsne", verbose=False)   # "computed" at once: this machine looks very fast
    assert projections.estimated_seconds("tsne", at) < 1.0
    with pytest.raises(ValueError, match="method"):
        projections.estimated_seconds("isomap", 10)
    with pytest.raises(ValueError, match="n"):
        projections.estimated_seconds("tsne", 0)


def test_a_projection_of_more_than_a_minute_says_so_before_it_starts(monkeypatch, blobs):
    X, _ = blobs
    lines: list[str] = []
    seen_when_started: list[list[str]] = []

    def compute(X, *args):
        seen_when_started.append(list(lines))
        return np.zeros((len(X), 2))

    monkeypatch.setitem(projections._COMPUTE, "tsne", compute)
    project(X, "tsne", on_progress=lines.append)                       # 200 points: a second or so
    assert not any("will take about" in line for line in seen_when_started[0])
    monkeypatch.setitem(projections.REFERENCE_RATES, "tsne", (500.0, 200))   # a very slow machine
    lines.clear()
    project(X, "tsne", perplexity=20, on_progress=lines.append)
    announced = [line for line in seen_when_started[1] if "will take about" in line]
    assert announced and "t-SNE of 200 points will take about 8 minutes" in announced[0]
    assert "interrupt the kernel" in announced[0]
    with pytest.warns(projections.ProjectionTimeWarning, match="will take about"):
        project(X, "tsne", perplexity=25, verbose=False)


def test_an_interrupted_projection_leaves_no_cache_entry(monkeypatch, blobs):
    X, _ = blobs

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setitem(projections._COMPUTE, "tsne", interrupted)
    lines: list[str] = []
    with pytest.raises(KeyboardInterrupt):
        project(X, "tsne", on_progress=lines.append)
    assert "interrupted" in lines[-1] and "nothing was stored" in lines[-1]
    assert _cache_files() == [] and projections.cache_info()["memory_entries"] == 0
    monkeypatch.undo()
    assert project(X, "tsne", verbose=False, max_iter=250).shape == (200, 2)   # and the next call works


def test_an_interrupt_while_the_entry_is_written_leaves_nothing_half_written(monkeypatch, blobs):
    X, _ = blobs

    def interrupted(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(cache.os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        project(X, "pca", verbose=False)
    folder = Path(os.environ["COURSE_CACHE_DIR"], "projections")
    assert not folder.exists() or list(folder.iterdir()) == []


@pytest.mark.parametrize("free", [1, 2, None])
def test_tsne_uses_only_the_free_cores(blobs, monkeypatch, free):
    """t-SNE runs on the cores left free (beside a busy program its threads wait for each other);
    where that cannot be read, on every usable core, as scikit-learn does when called on its own."""
    from sklearn.manifold import TSNE
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads

    monkeypatch.setattr(projections, "free_cores", lambda: free)
    seen = []
    real = TSNE.fit_transform

    def fit_transform(self, X, *args, **kwargs):
        seen.append(_openmp_effective_n_threads())   # what scikit-learn's t-SNE will use
        return real(self, X, *args, **kwargs)

    monkeypatch.setattr(TSNE, "fit_transform", fit_transform)
    X, _ = blobs
    project(X, "tsne", perplexity=10, max_iter=250, cache=False, verbose=False)
    expected = free if free is not None else cores.usable_cores()
    assert seen == [min(expected, os.cpu_count() or 1)]

