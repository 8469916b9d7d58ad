"""How good is a representation? Similarities, neighbours and structure-preservation scores.

>>> from helpers.metrics import nearest_neighbors, knn_accuracy, trustworthiness
>>> idx, dist = nearest_neighbors(X, 0, k=5)          # the 5 rows closest to row 0
>>> knn_accuracy(X_train, y_train, X_test, y_test)    # how well neighbours predict labels
>>> trustworthiness(X, project(X, "tsne"))            # does the 2-D map invent neighbours?
>>> accuracy_interval(0.78, 1000)                      # what 1,000 test items can tell apart
>>> compare_accuracies(knn_correct(A, y), knn_correct(B, y))   # two spaces on the same items: paired

Every function takes NumPy arrays, torch tensors or nested lists, and answers a wrong
input with an error that names the argument and says what was expected.
scikit-learn is imported inside the functions that need it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager, nullcontext
from typing import Any

import numpy as np

from helpers import cache as course_cache
from helpers import validation

__all__ = [
    "METRICS",
    "accuracy_interval",
    "class_separation",
    "compare_accuracies",
    "cosine_similarity",
    "cosine_similarity_matrix",
    "knn_accuracy",
    "knn_correct",
    "knn_indices",
    "linear_correct",
    "linear_probe",
    "nearest_neighbors",
    "neighbourhood_recall",
    "not_clearly_below_best",
    "trustworthiness",
]

#: The distances that the neighbour functions understand.
METRICS: tuple[str, ...] = ("euclidean", "cosine")

# Rows of the high-dimensional distance matrix handled at once by trustworthiness
# is chosen so that one block of comparisons stays near this many elements.
_BLOCK_ELEMENTS = 1 << 23  # about 8 MB of comparisons, 6 MB of distances: small beside a kernel


# ----------------------------------------------------------------------------- input checks


def _matrix(x: Any, name: str) -> np.ndarray:
    """``x`` as a finite float 2-D array with at least one row and one column."""
    arr = validation.matrix(x, name, what="one row per item")
    return arr.astype(np.float64) if np.issubdtype(arr.dtype, np.integer) else arr


def _vector(x: Any, name: str) -> np.ndarray:
    arr = validation.vector(x, name)
    return arr.astype(np.float64) if np.issubdtype(arr.dtype, np.integer) else arr


def _labels(y: Any, name: str, X: np.ndarray, X_name: str) -> np.ndarray:
    return validation.labels(y, name, len(X), X_name)


def _check_k(k: Any, most: int, why: str) -> int:
    return validation.integer(k, "k", low=1, high=most, why=f" ({why})")


def _check_metric(metric: Any) -> str:
    return validation.choice(metric, "metric", METRICS, ignore_case=False)


def _same_width(A: np.ndarray, B: np.ndarray, a_name: str, b_name: str) -> None:
    if A.shape[1] != B.shape[1]:
        raise validation.InvalidValue(f"{b_name} must have {A.shape[1]} columns like {a_name}: got {B.shape[1]}")


def _same_rows(A: np.ndarray, B: np.ndarray, a_name: str, b_name: str) -> None:
    if len(A) != len(B):
        raise validation.InvalidValue(
            f"{a_name} and {b_name} must have the same number of rows: got {len(A):,} and {len(B):,}")


def _float_dtype(*arrays: np.ndarray) -> np.dtype:
    return np.result_type(*arrays, np.float32)


# ----------------------------------------------------------------------------- cosine


def cosine_similarity(a: Any, b: Any) -> float:
    """Cosine of the angle between two vectors: 1 same direction, 0 orthogonal, -1 opposite."""
    u, v = _vector(a, "a"), _vector(b, "b")
    if len(u) != len(v):
        raise validation.InvalidValue(f"a and b must have the same length: got {len(u)} and {len(v)}")
    u, v = u.astype(np.float64), v.astype(np.float64)
    for vec, name in ((u, "a"), (v, "b")):
        if not vec.any():
            raise validation.InvalidValue(
                f"{name} is the zero vector, which has no direction: its cosine similarity is undefined")
    value = float(_unit_rows(u[None])[0] @ _unit_rows(v[None])[0])
    if not np.isfinite(value):  # cannot happen for finite vectors: never clamp a NaN into a similarity
        raise validation.InvalidValue(f"the cosine similarity of a and b came out as {value}; a and b must be finite")
    return min(1.0, max(-1.0, value))


def cosine_similarity_matrix(A: Any, B: Any = None) -> np.ndarray:
    """Cosine similarity of every row of ``A`` with every row of ``B`` (default: ``A``), shape (len(A), len(B)).

    A row of zeros has similarity 0 with everything (it has no direction).
    """
    A_arr = _matrix(A, "A")
    B_arr = A_arr if B is None else _matrix(B, "B")
    if B is not None and A_arr.shape[1] != B_arr.shape[1]:
        raise validation.InvalidValue(
            f"A and B must have the same number of columns: got {A_arr.shape[1]} and {B_arr.shape[1]}")
    dtype = _float_dtype(A_arr, B_arr)
    A_unit = _unit_rows(A_arr.astype(dtype, copy=False))
    B_unit = A_unit if B is None else _unit_rows(B_arr.astype(dtype, copy=False))
    sims = A_unit @ B_unit.T
    if not np.isfinite(sims).all():  # never clamp a NaN into a similarity
        raise validation.InvalidValue("the cosine similarities of A and B came out not finite; A and B must hold "
                                      "finite numbers")
    return np.clip(sims, -1.0, 1.0)


def _unit_rows(X: np.ndarray) -> np.ndarray:
    """Each row divided by its length (rows of zeros stay zero), scale-safe: each row is first
    divided by its largest absolute value, so lengths of 1e-200 or 1e200 neither vanish nor overflow."""
    largest = np.abs(X).max(axis=1, keepdims=True)
    X = np.divide(X, largest, out=np.zeros_like(X), where=largest > 0)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return np.divide(X, norms, out=np.zeros_like(X), where=norms > 0)


# ----------------------------------------------------------------------------- neighbours


def nearest_neighbors(
    X: Any,
    query: Any,
    k: int = 5,
    *,
    metric: str = "euclidean",
    exclude: Iterable[int] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``X`` nearest to ``query``: ``(indices, distances)``, nearest first.

    ``query`` is a row index of ``X`` (that row is then left out of its own neighbours)
    or a vector with one value per column of ``X``. ``metric`` is "euclidean" or
    "cosine" (distance = 1 - cosine similarity). ``exclude`` lists more row indices to
    leave out. Ties are broken by the lower row index.
    """
    data = _matrix(X, "X")
    metric = _check_metric(metric)
    point, left_out = _query_point(data, query, exclude)
    candidates = np.flatnonzero(~left_out)
    k = _check_k(k, len(candidates), "the number of rows that are not left out")
    dtype = _float_dtype(data, point)
    dist = _distances(data.astype(dtype, copy=False), point.astype(dtype, copy=False), metric)[candidates]
    chosen = _k_smallest(dist, candidates, k)
    return candidates[chosen].astype(np.int64), dist[chosen].astype(np.float64)


def _query_point(data: np.ndarray, query: Any, exclude: Any) -> tuple[np.ndarray, np.ndarray]:
    """The query as a vector, and which rows of ``data`` are left out (the query's own row, ``exclude``)."""
    n = len(data)
    left_out = np.zeros(n, dtype=bool)
    if np.ndim(query) == 0 and not isinstance(query, str):
        row = validation.integer(query, "query", low=0, high=n - 1,
                                 why=" (a row index of X; or give a vector with one value per column)")
        point = data[row]
        left_out[row] = True
    else:
        point = _vector(query, "query")
        if len(point) != data.shape[1]:
            raise validation.InvalidValue(
                f"query must have {data.shape[1]} values (one per column of X): got {len(point)}"
            )
    if exclude is not None:
        if isinstance(exclude, (str, bytes, dict)) or not isinstance(exclude, Iterable) or np.ndim(exclude) > 1 \
                or (isinstance(exclude, np.ndarray) and exclude.ndim == 0):
            validation.fail("exclude", "a list of row indices", exclude, kind=validation.InvalidType)
        for position, row in enumerate(list(exclude)):
            left_out[validation.integer(row, f"exclude[{position}]", low=0, high=n - 1, why=" (row indices of X)")] \
                = True
    return point, left_out


def _distances(data: np.ndarray, point: np.ndarray, metric: str) -> np.ndarray:
    """The distance of every row of ``data`` to ``point``: euclidean, or 1 - cosine similarity."""
    if metric == "euclidean":
        diff = data - point
        return np.sqrt(np.einsum("ij,ij->i", diff, diff))
    if not point.any():
        raise validation.InvalidValue("query is the zero vector, which has no direction: cosine distances are "
                                      "undefined")
    sims = _unit_rows(data) @ _unit_rows(point[None])[0]
    if not np.isfinite(sims).all():  # never clamp a NaN into a distance
        raise validation.InvalidValue("cosine distances of query to X came out not finite; X and query must hold "
                                      "finite numbers")
    return 1.0 - np.clip(sims, -1.0, 1.0)


def _k_smallest(dist: np.ndarray, labels: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` smallest distances, smallest first; ties go to the lower of ``labels``."""
    if k < len(dist):
        part = np.argpartition(dist, k - 1)[:k]
        # keep every candidate tied with the k-th distance so ties resolve by index
        part = np.flatnonzero(dist <= dist[part].max())
    else:
        part = np.arange(len(dist))
    return part[np.lexsort((labels[part], dist[part]))[:k]]


def knn_indices(X: Any, k: int, metric: str = "euclidean") -> np.ndarray:
    """The ``k`` nearest other rows of every row of ``X``, shape (n, k), nearest first."""
    data = _matrix(X, "X")
    metric = _check_metric(metric)
    k = _check_k(k, len(data) - 1, f"X has {len(data):,} rows and a row is not its own neighbour")
    return _knn(data, k, metric)


def _knn(data: np.ndarray, k: int, metric: str, queries: np.ndarray | None = None) -> np.ndarray:
    """Neighbour indices from scikit-learn; without ``queries`` each row leaves itself out.

    On all the cores: in a kernel where torch runs on one thread, scikit-learn would run on
    one too (see :mod:`helpers.cores`).
    """
    from sklearn.neighbors import NearestNeighbors

    from helpers.cores import openmp_threads

    model = NearestNeighbors(n_neighbors=k, metric=metric).fit(data)
    with openmp_threads():
        return model.kneighbors(queries, return_distance=False).astype(np.int64)


def class_separation(X: Any, labels: Any) -> float:
    """How far apart the classes lie: mean distance between class centres over mean distance to the own centre.

    Scale-free, so two maps of different size compare: a higher value means the classes are
    pulled together and pushed apart (what a map of the classes shows as separate clusters).
    """
    data = _matrix(X, "X")
    codes = _labels(labels, "labels", data, "X")
    classes = np.unique(codes)
    if len(classes) < 2:
        raise validation.InvalidValue(f"labels must hold at least two classes, got {len(classes)}")
    centres = np.stack([data[codes == c].mean(axis=0) for c in classes])
    between = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(len(classes), 1)].mean()
    within = np.linalg.norm(data - centres[np.searchsorted(classes, codes)], axis=1).mean()
    return float(between / within) if within > 0 else float("inf")


def knn_accuracy(
    X_train: Any,
    y_train: Any,
    X_test: Any = None,
    y_test: Any = None,
    *,
    k: int = 10,
    metric: str = "euclidean",
    cache: bool = True,
) -> float:
    """Accuracy of a k-nearest-neighbour classifier that uses these vectors.

    Each test row gets the majority label of its ``k`` nearest training rows (a tie goes
    to the tied label whose nearest member is closest). Without a test set, every
    training row is classified by the others (leave-one-out). The score is remembered
    in the course cache for the same inputs (``cache=False`` computes it anyway).
    :func:`knn_correct` says which rows it gets right.
    """
    train, labels, test, truth, k, metric = _knn_inputs(X_train, y_train, X_test, y_test, k, metric)
    arrays = {"train": train, "labels": labels, "truth": truth, **({} if test is None else {"test": test})}
    return _remember("knn_accuracy", arrays, {"k": k, "metric": metric}, cache,
                     lambda: float(np.mean(_knn_votes_right(train, labels, test, truth, k, metric))))


def knn_correct(
    X_train: Any, y_train: Any, X_test: Any = None, y_test: Any = None, *, k: int = 10, metric: str = "euclidean",
) -> np.ndarray:
    """Which test rows the vote of :func:`knn_accuracy` gets right: one bool per row (its mean is the accuracy).

    Two accuracies measured on the same rows are compared row by row
    (:func:`compare_accuracies`), so keep these where an accuracy is compared.
    """
    train, labels, test, truth, k, metric = _knn_inputs(X_train, y_train, X_test, y_test, k, metric)
    return _knn_votes_right(train, labels, test, truth, k, metric)


def _knn_inputs(X_train: Any, y_train: Any, X_test: Any, y_test: Any, k: Any, metric: Any) -> tuple:
    train = _matrix(X_train, "X_train")
    labels = _labels(y_train, "y_train", train, "X_train")
    metric = _check_metric(metric)
    if (X_test is None) != (y_test is None):
        raise validation.InvalidValue(
            "X_test and y_test must be given together (or neither, for leave-one-out on the training set)")
    if X_test is None:
        k = _check_k(k, len(train) - 1, "leave-one-out: the number of training rows minus one")
        test, truth = None, labels
    else:
        test = _matrix(X_test, "X_test")
        _same_width(train, test, "X_train", "X_test")
        truth = _labels(y_test, "y_test", test, "X_test")
        k = _check_k(k, len(train), "the number of training rows")
    return train, labels, test, truth, int(k), metric


def _remember(name: str, arrays: dict[str, np.ndarray], params: dict[str, Any], cache: Any,
              compute: Any) -> float:
    if not validation.boolean(cache, "cache"):
        return float(compute())
    return course_cache.remembered(name, arrays, params, compute)


def _knn_votes_right(train: np.ndarray, labels: np.ndarray, test: np.ndarray | None, truth: np.ndarray,
                     k: int, metric: str) -> np.ndarray:
    neighbours = _knn(train, k, metric) if test is None else _knn(train, k, metric, queries=test)
    classes, codes = np.unique(np.concatenate([labels, truth]), return_inverse=True)
    train_codes, truth_codes = codes[: len(labels)], codes[len(labels):]
    votes = train_codes[neighbours]  # (m, k), nearest first
    m, n_classes = len(votes), len(classes)
    rows = np.arange(m)
    counts = np.zeros((m, n_classes), dtype=np.int64)
    first = np.full((m, n_classes), k, dtype=np.int64)
    for rank in range(k - 1, -1, -1):
        counts[rows, votes[:, rank]] += 1  # one vote per row at each rank
        first[rows, votes[:, rank]] = rank
    predicted = np.argmax(counts * (k + 1) - first, axis=1)
    return predicted == truth_codes


# ----------------------------------------------------------------------------- structure preservation


def _pair(X_high: Any, X_low: Any) -> tuple[np.ndarray, np.ndarray]:
    high, low = _matrix(X_high, "X_high"), _matrix(X_low, "X_low")
    _same_rows(high, low, "X_high", "X_low")
    return high, low


def neighbourhood_recall(X_high: Any, X_low: Any, k: int = 10, *, metric: str = "euclidean",
                         cache: bool = True) -> float:
    """Mean share of each point's ``k`` nearest neighbours in ``X_high`` that are also among its ``k`` in ``X_low``.

    1.0: every neighbourhood is kept; about k/n: no better than chance. ``metric``
    applies to ``X_high``; the map ``X_low`` is always Euclidean. The score is
    remembered in the course cache for the same inputs (``cache=False`` computes it anyway).
    """
    high, low = _pair(X_high, X_low)
    metric = _check_metric(metric)
    k = int(_check_k(k, len(high) - 1, f"there are {len(high):,} points and a point is not its own neighbour"))
    return _remember("neighbourhood_recall", {"high": high, "low": low}, {"k": k, "metric": metric}, cache,
                     lambda: _recall(high, low, k, metric))


def _recall(high: np.ndarray, low: np.ndarray, k: int, metric: str) -> float:
    a, b = _knn(high, k, metric), _knn(low, k, "euclidean")
    shared = 0
    step = max(1, _BLOCK_ELEMENTS // (k * k))
    for start in range(0, len(a), step):
        block_a, block_b = a[start : start + step], b[start : start + step]
        shared += int((block_a[:, :, None] == block_b[:, None, :]).sum())
    return shared / (len(a) * k)


def trustworthiness(
    X_high: Any,
    X_low: Any,
    k: int = 10,
    *,
    metric: str = "euclidean",
    sample: int | None = None,
    random_state: int = 0,
    cache: bool = True,
) -> float:
    """How far the map ``X_low`` avoids inventing neighbours that ``X_high`` does not have (0-1).

    The same score as ``sklearn.manifold.trustworthiness`` (Venna and Kaski), computed in
    blocks so that memory stays small at tens of thousands of points. ``metric`` applies
    to ``X_high``; the map is always Euclidean. ``sample`` estimates the score from that
    many randomly chosen points (their ranks still use all points), which is faster.
    Points at exactly equal distances count in the map's favour. The score is remembered
    in the course cache for the same inputs (``cache=False`` computes it anyway).
    """
    high, low = _pair(X_high, X_low)
    metric = _check_metric(metric)
    n = len(high)
    k = _check_k(k, n, f"there are {n:,} points")
    if k >= n / 2:
        raise validation.InvalidValue(f"k must be less than half the number of points ({n / 2}), got {k}")
    rows = np.arange(n)
    random_state = validation.random_state(random_state)
    if sample is not None:
        sample = validation.integer(sample, "sample", low=1, why=" (or None for every point)")
        if sample < n:
            rows = np.sort(np.random.default_rng(random_state).choice(n, size=int(sample), replace=False))
    return _remember("trustworthiness", {"high": high, "low": low, "rows": rows}, {"k": k, "metric": metric}, cache,
                     lambda: _trustworthiness(high, low, rows, k, metric))


def _trustworthiness(high: np.ndarray, low: np.ndarray, rows: np.ndarray, k: int, metric: str) -> float:
    from sklearn.metrics import pairwise_distances

    n = len(high)
    low_neighbours = _knn(low, k, "euclidean")
    high = high.astype(np.float64, copy=False)
    penalty = 0
    step = max(1, _BLOCK_ELEMENTS // (n * (k + 1)))
    for start in range(0, len(rows), step):
        block = rows[start : start + step]
        dist = pairwise_distances(high[block], high, metric=metric)
        dist[np.arange(len(block)), block] = np.inf
        target = np.take_along_axis(dist, low_neighbours[block], axis=1)  # (b, k)
        # rank of each map neighbour in the original space: 1 + the points strictly closer
        ranks = 1 + (dist[:, None, :] < target[:, :, None]).sum(axis=2)
        excess = ranks - k
        penalty += int(excess[excess > 0].sum())
    scale = 2.0 / (len(rows) * k * (2.0 * n - 3.0 * k - 1.0))
    return float(1.0 - penalty * scale)


# ----------------------------------------------------------------------------- linear probe


def linear_probe(
    X_train: Any,
    y_train: Any,
    X_test: Any,
    y_test: Any,
    *,
    max_iter: int = 1000,
    random_state: int = 0,
    C: float = 1.0,
    tol: float = 1e-3,
    cache: bool = True,
) -> float:
    """Test accuracy of a logistic regression (L-BFGS) trained on standardised ``X_train``.

    Measures how much of the label information a linear read-out can find in the
    vectors. ``C`` is the inverse regularisation strength. The loose ``tol`` stops the
    fit once the accuracy has settled (about 80 iterations, 1-3 s, for 12,000 x 512
    features); stopping at ``max_iter`` before full convergence is silent. The score is
    remembered in the course cache for the same inputs (``cache=False`` computes it anyway).
    :func:`linear_correct` says which test rows it gets right.
    """
    train, labels, test, truth, params = _linear_inputs(X_train, y_train, X_test, y_test, max_iter, random_state, C,
                                                        tol)
    return _remember("linear_probe", {"train": train, "labels": labels, "test": test, "truth": truth}, params, cache,
                     lambda: float(np.mean(_logistic_right(train, labels, test, truth, **params))))


def linear_correct(X_train: Any, y_train: Any, X_test: Any, y_test: Any, *, max_iter: int = 1000,
                   random_state: int = 0, C: float = 1.0, tol: float = 1e-3) -> np.ndarray:
    """Which test rows the logistic regression of :func:`linear_probe` gets right: one bool per row."""
    train, labels, test, truth, params = _linear_inputs(X_train, y_train, X_test, y_test, max_iter, random_state, C,
                                                        tol)
    return _logistic_right(train, labels, test, truth, **params)


def _linear_inputs(X_train: Any, y_train: Any, X_test: Any, y_test: Any, max_iter: Any, random_state: Any, C: Any,
                   tol: Any) -> tuple:
    train = _matrix(X_train, "X_train")
    labels = _labels(y_train, "y_train", train, "X_train")
    test = _matrix(X_test, "X_test")
    _same_width(train, test, "X_train", "X_test")
    truth = _labels(y_test, "y_test", test, "X_test")
    max_iter = validation.integer(max_iter, "max_iter", low=1)
    C = validation.number(C, "C", low=0, low_open=True)
    tol = validation.number(tol, "tol", low=0, low_open=True)
    random_state = validation.random_state(random_state)
    if len(np.unique(labels)) < 2:
        raise validation.InvalidValue("y_train must hold at least two classes to train a classifier")
    params = {"max_iter": max_iter, "random_state": random_state, "C": C, "tol": tol}
    return train, labels, test, truth, params


def _logistic_right(train: np.ndarray, labels: np.ndarray, test: np.ndarray, truth: np.ndarray, *,
                    max_iter: int, random_state: Any, C: float, tol: float) -> np.ndarray:
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    scaler = StandardScaler().fit(train)
    model = LogisticRegression(C=C, tol=tol, max_iter=max_iter, random_state=random_state)
    with warnings.catch_warnings(), _one_blas_thread():
        warnings.filterwarnings("ignore", category=ConvergenceWarning)
        model.fit(scaler.transform(train), labels)
    return model.predict(scaler.transform(test)) == truth


def _one_blas_thread() -> AbstractContextManager[Any]:
    """Run BLAS on one thread: the products in this fit are thin, and extra threads that
    wait for a busy core can make it several times slower."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # comes with scikit-learn, but the probe works without it
        return nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


# ----------------------------------------------------------------------------- uncertainty


def _check_share(value: Any, name: str) -> float:
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not 0 <= value <= 1:
        raise ValueError(f"{name} must be a number between 0 and 1, got {value!r}")
    return float(value)


def accuracy_interval(accuracy: Any, n: Any, *, confidence: float = 0.95) -> tuple[float, float]:
    """The range of true accuracies that ``accuracy``, measured on ``n`` test items, is consistent with.

    A Wilson score interval for a binomial share: with ``confidence=0.95``, intervals built
    this way contain the true accuracy 95 times in 100. With 1,000 test items an accuracy
    near 0.8 is known to about +-0.025.
    """
    from statistics import NormalDist

    share = _check_share(accuracy, "accuracy")
    count = validation.integer(n, "n", low=1, why=" (the number of test items)")
    if isinstance(confidence, bool) or not isinstance(confidence, (int, float)) or not 0 < confidence < 1:
        raise ValueError(f"confidence must be a number between 0 and 1 (e.g. 0.95), got {confidence!r}")
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    scale = 1 + z * z / count
    centre = (share + z * z / (2 * count)) / scale
    half = z * np.sqrt(share * (1 - share) / count + z * z / (4 * count * count)) / scale
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def _outcomes(value: Any, name: str) -> np.ndarray:
    what = ": True/False (or 1/0) for each test item, whether it was classified right, as knn_correct gives"
    array = validation.vector(value, name, what=what)
    if not np.isin(array, (0, 1)).all():
        raise validation.InvalidValue(f"{name} must hold only True/False (or 1/0){what[what.index(','):]}")
    return array.astype(bool)


def compare_accuracies(correct_a: Any, correct_b: Any, *, alpha: float = 0.05) -> int:
    """1 when ``a`` is right clearly more often than ``b``, -1 clearly less often, 0 when the data cannot tell.

    ``correct_a`` and ``correct_b`` say, item by item, whether each was right on **the same**
    test items (as :func:`knn_correct` gives). Only the items where exactly one of the two
    is right can tell them apart: McNemar's exact test asks whether ``a`` wins those
    significantly more (or less) often than half of the time (two-sided, at level ``alpha``).
    ``correct_b`` may instead be a known share, such as chance (1 / number of classes):
    then ``a``'s count of right items is tested against that share (an exact binomial test).
    """
    from scipy.stats import binomtest

    a = _outcomes(correct_a, "correct_a")
    if isinstance(alpha, bool) or not isinstance(alpha, (int, float)) or not 0 < alpha < 1:
        raise ValueError(f"alpha must be a number between 0 and 1 (e.g. 0.05), got {alpha!r}")
    if isinstance(correct_b, (int, float, np.floating)) and not isinstance(correct_b, bool):
        share = _check_share(correct_b, "correct_b")
        wins, trials, expected = int(a.sum()), len(a), share
    else:
        b = _outcomes(correct_b, "correct_b")
        if len(b) != len(a):
            raise validation.InvalidValue(
                f"correct_a and correct_b must be results on the same test items, got {len(a)} and {len(b)} items")
        wins, losses = int(np.sum(a & ~b)), int(np.sum(~a & b))
        trials, expected = wins + losses, 0.5
    if trials == 0 or expected in (0.0, 1.0) or binomtest(wins, trials, expected).pvalue >= alpha:
        return 0
    return 1 if wins > expected * trials else -1


def not_clearly_below_best(right: Any) -> list[str]:
    """The names whose results McNemar's test cannot tell apart from the best one's, the best included.

    ``right`` maps each name (a space, a layer) to whether each of **the same** test items was
    classified right (as :func:`knn_correct` gives); the best has the most right. A name is kept
    unless :func:`compare_accuracies` finds the best clearly more often right than it.
    """
    if not isinstance(right, Mapping) or not right:
        raise validation.InvalidValue(
            f"right must be a non-empty dict {{name: right or wrong per test item}}, got {type(right).__name__}")
    best = max(right, key=lambda name: float(np.mean(_outcomes(right[name], f"right[{name!r}]"))))
    return [name for name in right if compare_accuracies(right[best], right[name]) != 1]
