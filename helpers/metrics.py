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


# ----------------------------------------------------------------------------- rules of the arguments


def _matrix(x: Any, name: str, arguments: Any = None) -> np.ndarray:
    """``x`` as a finite float 2-D array with at least one row and one column."""
    arr = validation.matrix(x, name, what="one row per item")
    return arr.astype(np.float64) if np.issubdtype(arr.dtype, np.integer) else arr


def _vector(x: Any, name: str, arguments: Any = None) -> np.ndarray:
    arr = validation.vector(x, name)
    return arr.astype(np.float64) if np.issubdtype(arr.dtype, np.integer) else arr


def _like(first: str) -> validation.Rule:
    """A matrix with as many columns as the argument ``first`` (None passes)."""

    def apply(value: Any, name: str, arguments: Any) -> np.ndarray | None:
        if value is None:
            return None
        arr, width = _matrix(value, name), arguments[first].shape[1]
        if arr.shape[1] != width:
            raise validation.InvalidValue(f"{name} must have {width} columns like {first}: got {arr.shape[1]}")
        return arr

    return apply


def _same_rows(value: Any, name: str, arguments: Any) -> np.ndarray:
    arr, high = _matrix(value, name), arguments["X_high"]
    if len(high) != len(arr):
        raise validation.InvalidValue(
            f"X_high and {name} must have the same number of rows: got {len(high):,} and {len(arr):,}")
    return arr


def _neighbours(rows: str, why: str, fewer: int = 0) -> validation.Rule:
    """k: from 1 to the rows of the argument ``rows`` less ``fewer``; ``why`` is formatted with n."""

    def apply(value: Any, name: str, arguments: Any) -> int:
        n = len(arguments[rows])
        return validation.integer(value, name, low=1, high=n - fewer, why=f" ({why.format(n=n)})")

    return apply


def _test_labels(value: Any, name: str, arguments: Any) -> np.ndarray | None:
    if (arguments["X_test"] is None) != (value is None):
        raise validation.InvalidValue(
            "X_test and y_test must be given together (or neither, for leave-one-out on the training set)")
    return validation.labels_for("X_test")(value, name, arguments)


def _knn_k(value: Any, name: str, arguments: Any) -> int:
    if arguments["X_test"] is None:
        return _neighbours("X_train", "leave-one-out: the number of training rows minus one", 1)(value, name, arguments)
    return _neighbours("X_train", "the number of training rows")(value, name, arguments)


_METRIC = validation.rule(validation.choice, options=METRICS, ignore_case=False)
_CACHE = validation.rule(validation.boolean)
_KNN = {"X_train": _matrix, "y_train": validation.labels_for("X_train"), "metric": _METRIC,
        "X_test": _like("X_train"), "y_test": _test_labels, "k": _knn_k}
_LINEAR = {"X_train": _matrix, "y_train": validation.labels_for("X_train"), "X_test": _like("X_train"),
           "y_test": validation.labels_for("X_test"), "max_iter": validation.rule(validation.integer, low=1),
           "C": validation.rule(validation.number, low=0, low_open=True),
           "tol": validation.rule(validation.number, low=0, low_open=True),
           "random_state": validation.rule(validation.random_state)}


def _float_dtype(*arrays: np.ndarray) -> np.dtype:
    return np.result_type(*arrays, np.float32)


# ----------------------------------------------------------------------------- cosine


@validation.params(a=_vector, b=_vector)
def cosine_similarity(a: Any, b: Any) -> float:
    """Cosine of the angle between two vectors: 1 same direction, 0 orthogonal, -1 opposite."""
    u, v = a, b
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


@validation.params(A=_matrix, B=validation.optional(_matrix))
def cosine_similarity_matrix(A: Any, B: Any = None) -> np.ndarray:
    """Cosine similarity of every row of ``A`` with every row of ``B`` (default: ``A``), shape (len(A), len(B)).

    A row of zeros has similarity 0 with everything (it has no direction).
    """
    A_arr = A
    B_arr = A_arr if B is None else B
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


@validation.params(X=_matrix, metric=_METRIC)
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
    data = X
    point, left_out = _query_point(data, query, exclude)
    candidates = np.flatnonzero(~left_out)
    k = validation.integer(k, "k", low=1, high=len(candidates), why=" (the number of rows that are not left out)")
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


@validation.params(X=_matrix, metric=_METRIC,
                   k=_neighbours("X", "X has {n:,} rows and a row is not its own neighbour", 1))
def knn_indices(X: Any, k: int, metric: str = "euclidean") -> np.ndarray:
    """The ``k`` nearest other rows of every row of ``X``, shape (n, k), nearest first."""
    return _knn(X, k, metric)


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


@validation.params(X=_matrix, labels=validation.labels_for("X"))
def class_separation(X: Any, labels: Any) -> float:
    """How far apart the classes lie: mean distance between class centres over mean distance to the own centre.

    Scale-free, so two maps of different size compare: a higher value means the classes are
    pulled together and pushed apart (what a map of the classes shows as separate clusters).
    """
    data, codes = X, labels
    classes = np.unique(codes)
    if len(classes) < 2:
        raise validation.InvalidValue(f"labels must hold at least two classes, got {len(classes)}")
    centres = np.stack([data[codes == c].mean(axis=0) for c in classes])
    between = np.linalg.norm(centres[:, None] - centres[None], axis=2)[np.triu_indices(len(classes), 1)].mean()
    within = np.linalg.norm(data - centres[np.searchsorted(classes, codes)], axis=1).mean()
    return float(between / within) if within > 0 else float("inf")


@validation.params(**_KNN, cache=_CACHE)
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
    train, labels, test, truth = X_train, y_train, X_test, y_train if X_test is None else y_test
    arrays = {"train": train, "labels": labels, "truth": truth, **({} if test is None else {"test": test})}
    return _remember("knn_accuracy", arrays, {"k": k, "metric": metric}, cache,
                     lambda: float(np.mean(_knn_votes_right(train, labels, test, truth, k, metric))))


@validation.params(**_KNN)
def knn_correct(
    X_train: Any, y_train: Any, X_test: Any = None, y_test: Any = None, *, k: int = 10, metric: str = "euclidean",
) -> np.ndarray:
    """Which test rows the vote of :func:`knn_accuracy` gets right: one bool per row (its mean is the accuracy).

    Two accuracies measured on the same rows are compared row by row
    (:func:`compare_accuracies`), so keep these where an accuracy is compared.
    """
    return _knn_votes_right(X_train, y_train, X_test, y_train if X_test is None else y_test, k, metric)


def _remember(name: str, arrays: dict[str, np.ndarray], params: dict[str, Any], cache: Any,
              compute: Any) -> float:
    if not cache:
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


_PAIR = {"X_high": _matrix, "X_low": _same_rows, "metric": _METRIC, "cache": _CACHE}


@validation.params(**_PAIR, k=_neighbours("X_high", "there are {n:,} points and a point is not its own neighbour", 1))
def neighbourhood_recall(X_high: Any, X_low: Any, k: int = 10, *, metric: str = "euclidean",
                         cache: bool = True) -> float:
    """Mean share of each point's ``k`` nearest neighbours in ``X_high`` that are also among its ``k`` in ``X_low``.

    1.0: every neighbourhood is kept; about k/n: no better than chance. ``metric``
    applies to ``X_high``; the map ``X_low`` is always Euclidean. The score is
    remembered in the course cache for the same inputs (``cache=False`` computes it anyway).
    """
    high, low = X_high, X_low
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


@validation.params(**_PAIR, k=_neighbours("X_high", "there are {n:,} points"),
                   random_state=validation.rule(validation.random_state),
                   sample=validation.optional(validation.rule(validation.integer, low=1,
                                                              why=" (or None for every point)")))
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
    high, low, n = X_high, X_low, len(X_high)
    if k >= n / 2:
        raise validation.InvalidValue(f"k must be less than half the number of points ({n / 2}), got {k}")
    rows = np.arange(n)
    if sample is not None and sample < n:
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


@validation.params(**_LINEAR, cache=_CACHE)
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
    train, labels, test, truth = X_train, y_train, X_test, y_test
    params = _linear_params(labels, max_iter, random_state, C, tol)
    return _remember("linear_probe", {"train": train, "labels": labels, "test": test, "truth": truth}, params, cache,
                     lambda: float(np.mean(_logistic_right(train, labels, test, truth, **params))))


@validation.params(**_LINEAR)
def linear_correct(X_train: Any, y_train: Any, X_test: Any, y_test: Any, *, max_iter: int = 1000,
                   random_state: int = 0, C: float = 1.0, tol: float = 1e-3) -> np.ndarray:
    """Which test rows the logistic regression of :func:`linear_probe` gets right: one bool per row."""
    params = _linear_params(y_train, max_iter, random_state, C, tol)
    return _logistic_right(X_train, y_train, X_test, y_test, **params)


def _linear_params(labels: np.ndarray, max_iter: int, random_state: Any, C: float, tol: float) -> dict[str, Any]:
    if len(np.unique(labels)) < 2:
        raise validation.InvalidValue("y_train must hold at least two classes to train a classifier")
    return {"max_iter": max_iter, "random_state": random_state, "C": C, "tol": tol}


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


@validation.params(accuracy=validation.rule(validation.share),
                   n=validation.rule(validation.integer, low=1, why=" (the number of test items)"),
                   confidence=validation.rule(validation.share, strict=True, example=" (e.g. 0.95)"))
def accuracy_interval(accuracy: Any, n: Any, *, confidence: float = 0.95) -> tuple[float, float]:
    """The range of true accuracies that ``accuracy``, measured on ``n`` test items, is consistent with.

    A Wilson score interval for a binomial share: with ``confidence=0.95``, intervals built
    this way contain the true accuracy 95 times in 100. With 1,000 test items an accuracy
    near 0.8 is known to about +-0.025.
    """
    from statistics import NormalDist

    share, count = accuracy, n
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    scale = 1 + z * z / count
    centre = (share + z * z / (2 * count)) / scale
    half = z * np.sqrt(share * (1 - share) / count + z * z / (4 * count * count)) / scale
    return max(0.0, float(centre - half)), min(1.0, float(centre + half))


def _outcomes(value: Any, name: str, arguments: Any = None) -> np.ndarray:
    what = ": True/False (or 1/0) for each test item, whether it was classified right, as knn_correct gives"
    array = validation.vector(value, name, what=what)
    if not np.isin(array, (0, 1)).all():
        raise validation.InvalidValue(f"{name} must hold only True/False (or 1/0){what[what.index(','):]}")
    return array.astype(bool)


def _outcomes_or_share(value: Any, name: str, arguments: Any) -> np.ndarray | float:
    if isinstance(value, (int, float, np.floating)) and not isinstance(value, bool):
        return validation.share(value, name)
    return _outcomes(value, name)


@validation.params(correct_a=_outcomes,
                   alpha=validation.rule(validation.share, strict=True, example=" (e.g. 0.05)"),
                   correct_b=_outcomes_or_share)
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

    a, b = correct_a, correct_b
    if isinstance(b, float):
        wins, trials, expected = int(a.sum()), len(a), b
    else:
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
    right = {name: _outcomes(value, f"right[{name!r}]") for name, value in right.items()}
    best = max(right, key=lambda name: float(np.mean(right[name])))
    return [name for name in right if compare_accuracies(right[best], right[name]) != 1]
