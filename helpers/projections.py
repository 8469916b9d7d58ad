"""PCA, t-SNE and UMAP behind one function, :func:`project`, cached in memory and on disk.

The same data with the same parameters is never projected twice: the answer is kept in memory
and as a verified entry under the course cache (:mod:`helpers.cache`). scikit-learn's t-SNE and
umap-learn are imported only when first needed.
"""

from __future__ import annotations

import io
import math
import sys
import time
import warnings
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from helpers import cache, paths, validation
from helpers.cores import free_cores, openmp_threads

__all__ = ["METHODS", "ProjectionCacheWarning", "ProjectionTimeWarning", "align", "cache_info", "clear_disk_cache",
           "clear_memory_cache", "estimated_seconds", "last_timing", "map_subset", "project"]

#: The projection methods that :func:`project` knows.
METHODS: tuple[str, ...] = validation.PROJECTION_METHODS

#: How each method is written in messages.
METHOD_NAMES: dict[str, str] = validation.PROJECTION_METHOD_NAMES

#: The parameters each method accepts (beyond n_components and random_state), with defaults.
DEFAULT_PARAMS: dict[str, dict[str, Any]] = {
    "pca": {"whiten": False, "svd_solver": "auto"},
    "tsne": {"perplexity": 30.0, "early_exaggeration": 12.0, "learning_rate": "auto", "max_iter": 1000, "init": "pca",
             "metric": "euclidean", "method": "barnes_hut", "angle": 0.5},
    "umap": {"n_neighbors": 15, "min_dist": 0.1, "metric": "euclidean", "spread": 1.0, "n_epochs": None,
             "learning_rate": 1.0, "init": "spectral", "negative_sample_rate": 5, "local_connectivity": 1.0,
             "repulsion_strength": 1.0, "set_op_mix_ratio": 1.0},
}

#: Bump when the cache layout or the computation changes, so old files are ignored.
CACHE_FORMAT = 2

ENTRY_SUFFIX = ".npy.entry"

#: The fewest points a notebook's maps may show: t-SNE with the usual perplexity of 30 needs
#: more than 90 (a third of the points must exceed the perplexity).
MIN_MAP_POINTS = 100

MEMORY_CACHE_SIZE = 256

_PACKAGES = {"pca": "scikit-learn", "tsne": "scikit-learn", "umap": "umap-learn"}

ProjectionCacheWarning = cache.CacheWarning

#: A projection expected to take longer than this many seconds is announced before it starts.
LONG_PROJECTION_S = 60.0

#: (seconds, points) of t-SNE and UMAP in the course benchmark on an idle 2-core CPU (35.8 s, 8.6 s).
REFERENCE_RATES: dict[str, tuple[float, int]] = {"tsne": (36.0, 10_000), "umap": (9.0, 10_000)}


class ProjectionTimeWarning(UserWarning):
    """A projection that will take more than about a minute (said before it starts)."""


_measured: dict[str, tuple[float, int]] = {}
_memory: OrderedDict[str, np.ndarray] = OrderedDict()
_stats = {"hits": 0, "misses": 0, "disk_hits": 0}
_last: dict[str, Any] = {}


def project(X: Any, method: str | None = None, /, *, n_components: int = 2, random_state: int | None = 0,
            cache: bool = True, verbose: bool = True, on_progress: Callable[[str], None] | None = None,
            **params: Any) -> np.ndarray:
    """Project the rows of ``X`` to ``n_components`` dimensions; return float32 (n, n_components).

    ``method`` is "pca" (the default), "tsne" or "umap"; ``params`` tune it (see ``DEFAULT_PARAMS``).
    ``cache=False`` skips both caches; ``random_state=None`` gives a new map each call, never cached.
    Lines said before and after a computation go to ``on_progress``, else are printed unless ``verbose=False``.
    """
    method, params = _split_method(method, params)
    data = validation.magnitude(validation.matrix(X, "X", min_rows=3, what="one row per point, at least 3 to project"),
                                "X")
    method = validation.projection_method(method)
    n, d = data.shape
    n_components = validation.components(n_components, "n_components", method, n, d)
    random_state = validation.random_state(random_state)
    validation.boolean(cache, "cache")
    validation.boolean(verbose, "verbose")
    validation.callable_or_none(on_progress, "on_progress", "a function taking one string")
    resolved = _resolve_params(method, params, n)
    if method == "tsne" and resolved["method"] == "barnes_hut" and n_components > 3:
        raise validation.InvalidValue(
            f"n_components must be at most 3 for t-SNE (barnes_hut method), got {n_components}")

    key = _cache_key(data, method, n_components, random_state, resolved) if cache and random_state is not None else ""
    found = _cached(key, method, data.shape, n_components) if key else None
    if found is not None:
        return found
    say = on_progress if on_progress is not None else lambda message: print(message, flush=True) if verbose else None
    note = (" (cached afterwards)" if key else "") + _prepare(method, n, say, loud=verbose or on_progress is not None)
    result = _compute(data, method, n_components, random_state, resolved, say, note)
    if key:
        _remember(key, result)
        _write_disk(key, result)
    return result.copy()


def _cached(key: str, method: str, shape: tuple[int, int], n_components: int) -> np.ndarray | None:
    """The projection kept under ``key`` in memory, else on disk (then kept in memory too), or None."""
    n, d = shape
    found = _memory.get(key)
    if found is not None:
        _memory.move_to_end(key)
        _stats["hits"] += 1
        _record(method, "memory", 0.0, n, d, n_components)
        return found.copy()
    started = time.perf_counter()
    found = _read_disk(key, (n, n_components))
    if found is None:
        return None
    _stats["disk_hits"] += 1
    _remember(key, found)
    _record(method, "disk", time.perf_counter() - started, n, d, n_components)
    return found.copy()


def _prepare(method: str, n: int, say: Callable[[str], None], *, loud: bool) -> str:
    """Wait for UMAP's compiled code (returns a note about it) and announce a long projection."""
    note = ""
    if method == "umap" and "umap" not in sys.modules:
        from helpers.umap_compile import wait_for_compiled_umap

        note = wait_for_compiled_umap(say)
    estimate = estimated_seconds(method, n)
    if estimate > LONG_PROJECTION_S:
        at = _measured.get(method, (None, 0))[1]
        source = f"this session's {at:,}-point {METHOD_NAMES[method]}" if at >= 500 else "the course's benchmark"
        duration = f"{estimate:.0f} s" if estimate < 90 else f"{estimate / 60:.0f} minutes"
        long_note = (f"{METHOD_NAMES[method]} of {n:,} points will take about {duration} on this machine "
                     f"(estimated from {source}). To stop it, interrupt the kernel (the stop button, or "
                     "Ctrl-C): nothing half-done is kept. Fewer points take less time.")
        if loud:
            say(long_note)
        else:
            validation.warn(long_note, ProjectionTimeWarning)
    return note


def _compute(data: np.ndarray, method: str, n_components: int, random_state: int | None, params: dict[str, Any],
             say: Callable[[str], None], note: str) -> np.ndarray:
    """Compute the projection (timed, its lines said); float32, C-ordered and finite, or an error saying why not."""
    (n, d), label = data.shape, METHOD_NAMES[method]
    started = time.perf_counter()
    as32 = data.astype(np.float32, copy=False)
    if (as32 == as32[0]).all():
        # t-SNE's compiled code crashes the kernel on points that are all in one place; the map
        # of one place is one point, so nothing is computed.
        say(f"X has all its {n:,} rows the same (in float32), so the {label} map puts every point at 0.")
        result = np.zeros((n, n_components), dtype=np.float32)
    else:
        say(f"Computing {label} for {n:,} points x {d:,} dims ...{note}")
        try:
            result = _COMPUTE[method](data, n_components, random_state, params)
        except KeyboardInterrupt:
            say(f"{label} interrupted after {time.perf_counter() - started:.1f} s; nothing was stored.")
            raise
        if not np.isfinite(result).all() or not np.isfinite(np.asarray(result, dtype=np.float32)).all():
            raise validation.InvalidValue(
                f"{label} of X gave coordinates that are not finite numbers, so no map is returned: "
                "check X for extreme or nearly identical values (X / np.abs(X).max() rescales it)")
        _measured[method] = (time.perf_counter() - started, n)
        say(f"{label} done in {time.perf_counter() - started:.1f} s.")
    _stats["misses"] += 1
    _record(method, "computed", time.perf_counter() - started, n, d, n_components)
    return np.ascontiguousarray(result, dtype=np.float32)


def _split_method(method: str | None, params: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The projection method and its own parameters: t-SNE's own ``method=`` is a keyword, unless it names a
    projection and no positional one was given."""
    if method is not None or "method" not in params:
        return (method or "pca"), params
    named = params["method"]
    if isinstance(named, str) and named.lower().replace("-", "") in METHODS:
        return named, {key: value for key, value in params.items() if key != "method"}
    raise validation.InvalidValue(
        f"method must name the projection first, e.g. project(X, 'tsne', method={named!r}) for t-SNE's own "
        f"method; got method={validation.shown(named)} and no projection")


def estimated_seconds(method: str, n: int) -> float:
    """About how many seconds :func:`project` takes for ``n`` points: n log n from this session's last
    projection with ``method`` (500 points or more), else from :data:`REFERENCE_RATES`."""
    method = validation.projection_method(method)
    n = validation.integer(n, "n", low=1)
    if method == "pca":
        return 0.0
    seconds, at = _measured.get(method, (None, 0))
    if seconds is None or at < 500:
        seconds, at = REFERENCE_RATES[method]
    return seconds * (n * math.log(n)) / (at * math.log(at))


def map_subset(map_points: Any, available: int) -> np.ndarray:
    """The row indices 0 .. MAP_POINTS - 1 a notebook maps; ``map_points`` from MIN_MAP_POINTS to ``available``."""
    available = validation.integer(available, "available", low=1)
    count = validation.integer(
        map_points, "MAP_POINTS", low=MIN_MAP_POINTS, high=max(MIN_MAP_POINTS, available),
        why=f" (points on the maps: t-SNE's perplexity of 30 needs more than 90, and there are {available:,})")
    if count > available:
        raise validation.InvalidValue(f"MAP_POINTS must be at most {available:,} (the points there are), got {count:,}")
    return np.arange(count)


def align(Y: Any, reference: Any) -> np.ndarray:
    """Rotate (or reflect), scale and shift ``Y`` onto ``reference`` (orthogonal Procrustes, one scale)."""
    Y_arr = validation.matrix(Y, "Y")
    ref = validation.matrix(reference, "reference")
    if Y_arr.shape != ref.shape:
        raise validation.InvalidValue(f"Y and reference must have the same shape, got {Y_arr.shape} and {ref.shape}")
    out_dtype = np.result_type(Y_arr.dtype, ref.dtype, np.float32)
    A, B = Y_arr.astype(np.float64), ref.astype(np.float64)
    B_mean = B.mean(axis=0)
    A_c, B_c = A - A.mean(axis=0), B - B_mean
    spread = float((A_c**2).sum())
    if spread <= 1e-300:
        raise validation.InvalidValue("Y has all its points in one place, so there is no rotation or scale to fit")
    U, S, Vt = np.linalg.svd(A_c.T @ B_c)
    rotation = U @ Vt
    scale = S.sum() / spread
    return (scale * A_c @ rotation + B_mean).astype(out_dtype)


def cache_info() -> dict[str, int]:
    """Counters since :func:`clear_memory_cache`: hits, disk_hits, misses, memory_entries."""
    return {**_stats, "memory_entries": len(_memory)}


def clear_memory_cache() -> None:
    """Forget the projections held in memory and reset the counters (the disk cache stays)."""
    _memory.clear()
    _measured.clear()
    for name in _stats:
        _stats[name] = 0
    _last.clear()


def clear_disk_cache() -> int:
    """Delete the cached projection files; return how many were removed."""
    removed = 0
    for path in (paths.cache_root() / "projections").glob("*.npy*"):
        try:
            path.unlink()
            removed += 1
        except OSError:
            pass
    return removed


def last_timing() -> dict[str, Any]:
    """How the last :func:`project` was answered: method, source (computed/memory/disk), seconds, sizes."""
    return dict(_last)


def _resolve_params(method: str, params: dict[str, Any], n: int) -> dict[str, Any]:
    """The method's full parameter set: defaults overridden by ``params``, checked."""
    if method == "tsne" and "n_iter" in params:  # the name older scikit-learn used
        if "max_iter" in params:
            raise validation.InvalidValue("give max_iter or n_iter for t-SNE, not both (they are the same)")
        params = {("max_iter" if k == "n_iter" else k): v for k, v in params.items()}
    given = validation.projection_params(method, params, n, allowed=DEFAULT_PARAMS[method])
    return {**DEFAULT_PARAMS[method], **given}


def _compute_pca(X: np.ndarray, n_components: int, random_state: int | None, params: dict[str, Any]) -> np.ndarray:
    from sklearn.decomposition import PCA

    return PCA(n_components=n_components, random_state=random_state, **params).fit_transform(X)


def _compute_tsne(X: np.ndarray, n_components: int, random_state: int | None, params: dict[str, Any]) -> np.ndarray:
    import inspect

    from sklearn.manifold import TSNE

    params = dict(params)
    if "max_iter" not in inspect.signature(TSNE).parameters:  # scikit-learn before 1.5
        params["n_iter"] = params.pop("max_iter")
    model = TSNE(n_components=n_components, random_state=random_state, **params)
    # As many threads as free cores: one thread (torch's setting) is slower, and a thread waiting for
    # a busy core holds up the others at every step.
    with openmp_threads(free_cores()):
        return model.fit_transform(X.astype(np.float32, copy=False))


#: umap-learn's modules whose numba functions :func:`keep_umap_compiled` lets numba keep on disk.
_UMAP_MODULES = ("umap.umap_", "umap.layouts", "umap.utils", "umap.distances", "umap.sparse", "umap.spectral")


def keep_umap_compiled() -> int:
    """Turn on numba's disk cache for umap-learn's compiled functions (as pynndescent does for its own), so
    a new kernel loads them instead of compiling for ~7 s. Returns how many functions it covers."""
    try:
        from numba.core.caching import NullCache
        from numba.core.registry import CPUDispatcher
    except ImportError:  # another numba layout: compile as before
        return 0
    covered = 0
    for name in _UMAP_MODULES:
        module = sys.modules.get(name)
        for value in list(vars(module).values()) if module is not None else ():
            if isinstance(value, CPUDispatcher) and isinstance(getattr(value, "_cache", None), NullCache):
                try:
                    value.enable_caching()
                except Exception:  # noqa: BLE001 - nowhere to write: this function compiles as before
                    continue
                covered += 1
    return covered


def compile_umap() -> None:
    """Compile UMAP's code into numba's cache: a small map the course's way, then ``fit`` and ``transform``
    as notebook 02 does (``python -m helpers.projections``; see :mod:`helpers.umap_compile`)."""
    from helpers.umap_compile import release_waiters

    points = np.random.default_rng(0).normal(size=(300, 8)).astype(np.float32)
    _compute_umap(points, 2, 0, _resolve_params("umap", {}, len(points)))
    release_waiters()
    import umap

    words = np.random.default_rng(1).normal(size=(80, 50)).astype(np.float32)
    umap.UMAP(n_neighbors=10, random_state=0, n_jobs=1).fit(words).transform(words[:1])


def _compute_umap(X: np.ndarray, n_components: int, random_state: int | None, params: dict[str, Any]) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        import umap
    keep_umap_compiled()

    n_jobs = 1 if random_state is not None else -1  # a seeded UMAP runs on one thread
    X = X.astype(np.float32, copy=False)
    params = dict(params)
    if len(X) < 4096 and params.get("metric", "euclidean") == "euclidean":
        # Exact neighbours from scikit-learn: for small data UMAP would compute the same
        # list itself, but its first call in a session also compiles that code (~10 s).
        from sklearn.neighbors import NearestNeighbors

        k = int(params.get("n_neighbors", 15))
        with openmp_threads():
            distances, indices = NearestNeighbors(n_neighbors=k).fit(X).kneighbors(X)
        params["precomputed_knn"] = (indices, distances, None)
    model = umap.UMAP(n_components=n_components, random_state=random_state, n_jobs=n_jobs, **params)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*n_jobs value.*")
        warnings.filterwarnings("ignore", message=".*precomputed_knn.*")
        return model.fit_transform(X)


_COMPUTE: dict[str, Callable[[np.ndarray, int, int | None, dict[str, Any]], np.ndarray]] = {
    "pca": _compute_pca,
    "tsne": _compute_tsne,
    "umap": _compute_umap,
}


def _record(method: str, source: str, seconds: float, n: int, d: int, n_components: int) -> None:
    _last.clear()
    _last.update(
        method=method, source=source, seconds=seconds, n_samples=n, n_features=d, n_components=n_components
    )


def _jsonable(value: Any) -> Any:
    """A parameter value as something json can write (arrays become fingerprints)."""
    if hasattr(value, "detach") and hasattr(value, "cpu"):
        value = value.detach().cpu().numpy()
    if isinstance(value, np.ndarray):
        return {"array": cache.fingerprint(value)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return repr(value)


def _cache_key(X: np.ndarray, method: str, n_components: int, random_state: int, params: dict[str, Any]) -> str:
    return cache.key(method, {
        "format": CACHE_FORMAT,
        "data": cache.fingerprint(X),
        "n_components": n_components,
        "random_state": random_state,
        "params": {name: _jsonable(value) for name, value in sorted(params.items())},
        "versions": cache.versions(_PACKAGES[method]),
    })


def _remember(key: str, Y: np.ndarray) -> None:
    _memory[key] = Y.copy()
    _memory.move_to_end(key)
    while len(_memory) > MEMORY_CACHE_SIZE:
        _memory.popitem(last=False)


def _read_disk(key: str, shape: tuple[int, int]) -> np.ndarray | None:
    def decode(payload: bytes) -> np.ndarray:
        Y = np.load(io.BytesIO(payload), allow_pickle=False)
        if Y.shape != shape:
            raise ValueError(f"shape {Y.shape} instead of {shape}")
        if Y.dtype != np.float32:
            raise ValueError(f"dtype {Y.dtype} instead of float32")
        if not np.isfinite(Y).all():
            raise ValueError("it holds NaN or infinite values")
        return Y

    return cache.load("projections", key + ENTRY_SUFFIX, decode, what="projection")


def _write_disk(key: str, Y: np.ndarray) -> None:
    def encode(array: np.ndarray) -> bytes:
        buffer = io.BytesIO()
        np.save(buffer, array, allow_pickle=False)
        return buffer.getvalue()

    cache.save("projections", key + ENTRY_SUFFIX, Y, encode)


if __name__ == "__main__":
    compile_umap()
