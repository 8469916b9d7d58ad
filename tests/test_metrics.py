"""Tests for helpers.metrics: right answers on known cases and clear errors for wrong inputs."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from helpers.metrics import (
    cosine_similarity,
    cosine_similarity_matrix,
    knn_accuracy,
    knn_indices,
    linear_probe,
    nearest_neighbors,
    neighbourhood_recall,
    trustworthiness,
)


@pytest.fixture(scope="module")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    X, y = make_blobs(n_samples=300, n_features=10, centers=3, cluster_std=0.5, random_state=0)
    return X, y


# ----------------------------------------------------------------------------- cosine


def test_cosine_of_orthogonal_parallel_and_opposite_vectors():
    assert cosine_similarity([1, 0], [0, 1]) == 0.0
    assert cosine_similarity([1, 2, 3], [2, 4, 6]) == pytest.approx(1.0)
    assert cosine_similarity([1, 2, 3], [-1, -2, -3]) == pytest.approx(-1.0)
    assert isinstance(cosine_similarity(np.array([1.0, 1.0]), np.array([1.0, 0.0])), float)
    assert cosine_similarity([1, 1], [1, 0]) == pytest.approx(np.sqrt(0.5))


def test_one_hot_vectors_are_all_orthogonal():
    one_hot = np.eye(4)
    S = cosine_similarity_matrix(one_hot)
    assert np.allclose(S, np.eye(4))
    assert cosine_similarity(one_hot[0], one_hot[0]) == 1.0
    assert cosine_similarity(one_hot[0], one_hot[3]) == 0.0


def test_cosine_accepts_torch_tensors():
    torch = pytest.importorskip("torch")
    assert cosine_similarity(torch.tensor([1.0, 0.0]), torch.tensor([1.0, 1.0])) == pytest.approx(np.sqrt(0.5))


def test_cosine_similarity_matrix_matches_pairwise_values():
    rng = np.random.default_rng(0)
    A, B = rng.normal(size=(5, 3)), rng.normal(size=(4, 3))
    S = cosine_similarity_matrix(A, B)
    assert S.shape == (5, 4)
    assert S[2, 3] == pytest.approx(cosine_similarity(A[2], B[3]))
    assert np.allclose(np.diag(cosine_similarity_matrix(A)), 1.0)


def test_cosine_similarity_matrix_gives_zero_for_zero_rows():
    S = cosine_similarity_matrix(np.array([[0.0, 0.0], [1.0, 0.0]]))
    assert np.array_equal(S, [[0.0, 0.0], [0.0, 1.0]])


def test_cosine_validation():
    with pytest.raises(ValueError, match=r"a and b must have the same length: got 2 and 3"):
        cosine_similarity([1, 0], [1, 0, 0])
    with pytest.raises(ValueError, match=r"a must be a 1-D vector"):
        cosine_similarity(np.ones((2, 2)), [1, 0])
    with pytest.raises(ValueError, match=r"b is the zero vector"):
        cosine_similarity([1, 0], [0, 0])
    with pytest.raises(TypeError, match=r"a must hold numbers"):
        cosine_similarity(["x", "y"], [1, 0])
    with pytest.raises(ValueError, match=r"b contains 1 NaN"):
        cosine_similarity([1, 0], [np.nan, 0])
    with pytest.raises(ValueError, match=r"A and B must have the same number of columns: got 3 and 2"):
        cosine_similarity_matrix(np.ones((2, 3)), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"A must be a 2-D"):
        cosine_similarity_matrix(np.ones(3))


# ----------------------------------------------------------------------------- nearest_neighbors


def test_nearest_neighbors_of_a_row_excludes_the_row_itself():
    X = np.array([[0.0], [1.0], [3.0], [6.0], [10.0]])
    idx, dist = nearest_neighbors(X, 2, k=3)
    assert idx.tolist() == [1, 0, 3]
    assert np.allclose(dist, [2.0, 3.0, 3.0])


def test_nearest_neighbors_of_a_vector_and_exclude():
    X = np.array([[0.0], [1.0], [3.0], [6.0], [10.0]])
    idx, dist = nearest_neighbors(X, np.array([2.9]), k=2)
    assert idx.tolist() == [2, 1]
    assert np.allclose(dist, [0.1, 1.9])
    idx, _ = nearest_neighbors(X, np.array([2.9]), k=2, exclude=[2, 1])
    assert idx.tolist() == [0, 3]
    idx, _ = nearest_neighbors(X, 0, k=2, exclude={1})
    assert idx.tolist() == [2, 3]


def test_nearest_neighbors_cosine_ignores_length():
    X = np.array([[1.0, 0.0], [10.0, 1.0], [0.0, 1.0], [-1.0, 0.0]])
    idx, dist = nearest_neighbors(X, np.array([100.0, 0.0]), k=4, metric="cosine")
    assert idx.tolist() == [0, 1, 2, 3]
    assert np.allclose(dist, [0.0, 1 - 10 / np.sqrt(101), 1.0, 2.0])


def test_nearest_neighbors_matches_brute_force_on_random_data():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 20)).astype(np.float32)
    idx, dist = nearest_neighbors(X, 7, k=10)
    full = np.linalg.norm(X.astype(np.float64) - X[7], axis=1)
    full[7] = np.inf
    assert idx.tolist() == np.argsort(full)[:10].tolist()
    assert np.all(np.diff(dist) >= 0) and dist.shape == (10,) and idx.dtype == np.int64


def test_nearest_neighbors_accepts_numpy_integer_query():
    X = np.arange(10.0).reshape(5, 2)
    assert nearest_neighbors(X, np.int64(0), k=1)[0].tolist() == [1]


def test_nearest_neighbors_validation():
    X = np.arange(10.0).reshape(5, 2)
    with pytest.raises(ValueError, match=r"query.*from 0 to 4.*row index.*got 5"):
        nearest_neighbors(X, 5)
    with pytest.raises(ValueError, match=r"query must have 2 values \(one per column of X\): got 3"):
        nearest_neighbors(X, np.ones(3))
    with pytest.raises(TypeError, match="query"):
        nearest_neighbors(X, True)
    with pytest.raises(TypeError, match="query"):
        nearest_neighbors(X, 1.5)
    with pytest.raises(ValueError, match=r"k must be an integer from 1 to 4"):
        nearest_neighbors(X, 0, k=5)
    with pytest.raises(ValueError, match=r"k must be an integer from 1 to"):
        nearest_neighbors(X, 0, k=0)
    with pytest.raises(ValueError, match=r"metric must be 'euclidean' or 'cosine'"):
        nearest_neighbors(X, 0, metric="manhattan")
    with pytest.raises(ValueError, match=r"exclude.*from 0 to 4.*got 7"):
        nearest_neighbors(X, 0, exclude=[7])
    with pytest.raises(ValueError, match=r"query is the zero vector"):
        nearest_neighbors(X, np.zeros(2), metric="cosine")


# ----------------------------------------------------------------------------- knn_indices / knn_accuracy


def test_knn_indices_exclude_each_row_itself():
    X = np.array([[0.0], [1.0], [3.0], [7.0], [12.0]])
    idx = knn_indices(X, 2)
    assert idx.shape == (5, 2)
    assert idx.tolist() == [[1, 2], [0, 2], [1, 0], [2, 4], [3, 2]]
    assert not (idx == np.arange(5)[:, None]).any()


def test_knn_indices_validation():
    with pytest.raises(ValueError, match=r"k must be an integer from 1 to 4 \(X has 5 rows"):
        knn_indices(np.ones((5, 2)), 5)
    with pytest.raises(ValueError, match=r"metric"):
        knn_indices(np.ones((5, 2)), 2, metric="chebyshev!")


def test_knn_accuracy_on_separable_blobs_is_perfect(blobs):
    X, y = blobs
    assert knn_accuracy(X, y, k=5) == 1.0
    assert knn_accuracy(X[:200], y[:200], X[200:], y[200:], k=5) == 1.0
    assert knn_accuracy(X, y, k=5, metric="cosine") > 0.95


def test_knn_accuracy_on_random_labels_is_near_chance():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 5))
    y = rng.integers(0, 4, size=2000)
    assert abs(knn_accuracy(X, y, k=10) - 0.25) < 0.05


def test_knn_accuracy_breaks_ties_by_the_nearest_neighbour():
    X_train = np.array([[0.0], [1.0], [-2.5], [3.0]])
    y_train = np.array(["a", "b", "b", "a"])
    # neighbours of 0.4: 0 (a, 0.4), 1 (b, 0.6), 2 (b, 2.9), 3 (a, 2.6) -> k=2: one vote each, nearest is 'a'
    assert knn_accuracy(X_train, y_train, np.array([[0.4]]), np.array(["a"]), k=2) == 1.0
    assert knn_accuracy(X_train, y_train, np.array([[0.6]]), np.array(["b"]), k=2) == 1.0


def test_knn_accuracy_validation(blobs):
    X, y = blobs
    expected = r"y_train must have one label per row of X_train: got 299 labels for 300 rows"
    with pytest.raises(ValueError, match=expected):
        knn_accuracy(X, y[:-1])
    with pytest.raises(ValueError, match=r"X_test and y_test"):
        knn_accuracy(X, y, X[:10])
    with pytest.raises(ValueError, match=r"X_test must have 10 columns like X_train: got 3"):
        knn_accuracy(X, y, X[:5, :3], y[:5])
    with pytest.raises(ValueError, match=r"y_test must have one label per row of X_test"):
        knn_accuracy(X, y, X[:5], y[:4])
    with pytest.raises(ValueError, match=r"k must be an integer from 1 to 299"):
        knn_accuracy(X, y, k=300)
    with pytest.raises(ValueError, match=r"y_train must be a 1-D"):
        knn_accuracy(X, np.ones((300, 2)))


# ----------------------------------------------------------------------------- structure preservation


def test_neighbourhood_recall_of_a_space_with_itself_is_one(blobs):
    X, _ = blobs
    assert neighbourhood_recall(X, X, k=10) == 1.0
    assert neighbourhood_recall(X, 3 * X + 1, k=10) == 1.0


def test_neighbourhood_recall_of_a_random_projection_is_low():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 50))
    X_low = X @ rng.normal(size=(50, 2))
    recall = neighbourhood_recall(X, X_low, k=10)
    assert recall < 0.2
    shuffled = rng.normal(size=(500, 2))
    assert neighbourhood_recall(X, shuffled, k=10) < 0.1


def test_trustworthiness_of_pca_on_low_rank_data_is_near_one():
    from sklearn.decomposition import PCA

    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 2)) @ rng.normal(size=(2, 30)) + 0.01 * rng.normal(size=(400, 30))
    X_low = PCA(n_components=2).fit_transform(X)
    assert trustworthiness(X, X_low, k=10) > 0.99


def test_trustworthiness_matches_sklearn():
    from sklearn.manifold import trustworthiness as sklearn_trustworthiness

    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 10))
    X_low = X[:, :2] + 0.5 * rng.normal(size=(300, 2))
    for k in (1, 5, 12):
        expected = sklearn_trustworthiness(X, X_low, n_neighbors=k)
        assert trustworthiness(X, X_low, k=k) == pytest.approx(expected, abs=1e-12)
    ours = trustworthiness(X, X_low, k=5, metric="cosine")
    assert ours == pytest.approx(sklearn_trustworthiness(X, X_low, n_neighbors=5, metric="cosine"), abs=1e-12)


def test_trustworthiness_of_random_points_is_near_half():
    rng = np.random.default_rng(2)
    value = trustworthiness(rng.normal(size=(300, 10)), rng.normal(size=(300, 2)), k=10)
    assert 0.4 < value < 0.6


def test_structure_metrics_validation():
    X = np.random.default_rng(0).normal(size=(20, 5))
    with pytest.raises(ValueError, match=r"k must be less than half the number of points \(10.0\)"):
        trustworthiness(X, X[:, :2], k=10)
    with pytest.raises(ValueError, match=r"X_high and X_low must have the same number of rows: got 20 and 19"):
        trustworthiness(X, X[:19, :2])
    with pytest.raises(ValueError, match=r"X_high and X_low must have the same number of rows"):
        neighbourhood_recall(X, X[:19, :2], k=3)
    with pytest.raises(ValueError, match=r"k must be an integer from 1 to 19"):
        neighbourhood_recall(X, X[:, :2], k=20)
    with pytest.raises(ValueError, match=r"X_low contains 1 NaN"):
        neighbourhood_recall(X, np.where(np.arange(40).reshape(20, 2) == 3, np.nan, 1.0), k=3)
    with pytest.raises(TypeError, match=r"k must be an integer from 1 to"):
        neighbourhood_recall(X, X, k=2.5)


# ----------------------------------------------------------------------------- linear probe


def test_linear_probe_on_blobs_is_perfect(blobs):
    X, y = blobs
    assert linear_probe(X[:200], y[:200], X[200:], y[200:]) == 1.0


def test_linear_probe_on_random_labels_is_near_chance():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(1000, 20))
    y = rng.integers(0, 2, size=1000)
    assert abs(linear_probe(X[:800], y[:800], X[800:], y[800:]) - 0.5) < 0.1


def test_linear_probe_handles_constant_features_and_torch():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(size=(500, 3)), np.zeros((500, 2))], axis=1)
    y = (X[:, 0] > 0).astype(int)
    assert linear_probe(torch.from_numpy(X[:400]), torch.from_numpy(y[:400]), X[400:], y[400:]) > 0.95


def test_linear_probe_validation(blobs):
    X, y = blobs
    with pytest.raises(ValueError, match=r"y_train must have one label per row of X_train: got 99 labels for 100 rows"):
        linear_probe(X[:100], y[:99], X[100:], y[100:])
    with pytest.raises(ValueError, match=r"X_test must have 10 columns like X_train: got 4"):
        linear_probe(X[:100], y[:100], X[100:, :4], y[100:])
    with pytest.raises(ValueError, match=r"y_train must hold at least two classes"):
        linear_probe(X[:100], np.zeros(100), X[100:], y[100:])
    with pytest.raises(ValueError, match=r"max_iter must be a positive integer"):
        linear_probe(X[:100], y[:100], X[100:], y[100:], max_iter=0)
    with pytest.raises(ValueError, match=r"C must be a positive number"):
        linear_probe(X[:100], y[:100], X[100:], y[100:], C=0)


# ----------------------------------------------------------------------------- uncertainty of accuracies

from helpers.metrics import accuracy_interval, compare_accuracies, knn_correct  # noqa: E402


def test_accuracy_interval_matches_the_wilson_formula():
    low, high = accuracy_interval(0.8, 100)
    # Wilson score interval, z = 1.959964: 0.8 on 100 items
    assert low == pytest.approx(0.7112, abs=1e-4) and high == pytest.approx(0.8666, abs=1e-4)
    assert low < 0.8 < high


def test_accuracy_interval_narrows_with_more_items_and_stays_in_range():
    wide, narrow = accuracy_interval(0.9, 100), accuracy_interval(0.9, 10_000)
    assert wide[1] - wide[0] > 5 * (narrow[1] - narrow[0])
    low, high = accuracy_interval(1.0, 50)
    assert high == pytest.approx(1.0) and 0.9 < low < 1.0
    low, high = accuracy_interval(0.0, 50)
    assert low == pytest.approx(0.0) and 0.0 < high < 0.1


def test_accuracy_interval_covers_the_truth_about_95_percent_of_the_time():
    rng = np.random.default_rng(0)
    n, truth = 400, 0.78
    hits = 0
    for _ in range(2000):
        low, high = accuracy_interval(rng.binomial(n, truth) / n, n)
        hits += low <= truth <= high
    assert 0.93 < hits / 2000 < 0.97


def test_a_higher_confidence_gives_a_wider_interval():
    low90, high90 = accuracy_interval(0.7, 300, confidence=0.90)
    low99, high99 = accuracy_interval(0.7, 300, confidence=0.99)
    assert low99 < low90 and high99 > high90


@pytest.mark.parametrize(
    "args,kwargs,message",
    [((1.2, 100), {}, "accuracy must be a number between 0 and 1"),
     (("0.8", 100), {}, "accuracy must be a number between 0 and 1"),
     ((0.8, 0), {}, "n must be a positive integer"),
     ((0.8, 10.5), {}, "n must be a positive integer"),
     ((0.8, 100), {"confidence": 1.0}, "confidence must be a number between 0 and 1")],
)
def test_accuracy_interval_validation(args, kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        accuracy_interval(*args, **kwargs)


def _outcomes(n: int, both: int, only_a: int, only_b: int) -> tuple[np.ndarray, np.ndarray]:
    """Right/wrong of two classifiers on ``n`` items: ``both`` right by both, ``only_a``/``only_b`` by one."""
    a, b = np.zeros(n, bool), np.zeros(n, bool)
    a[:both + only_a] = True
    b[:both] = b[both + only_a:both + only_a + only_b] = True
    return a, b


def test_compare_accuracies_is_mcnemars_exact_test_on_the_discordant_items():
    # 2,000 items, a wins 60 of the 100 that one of them gets wrong: p = 0.057, no difference found
    a, b = _outcomes(2000, 1500, 60, 40)
    assert compare_accuracies(a, b) == 0 and compare_accuracies(a, b, alpha=0.06) == 1
    # 62 of 100: p = 0.021
    a, b = _outcomes(2000, 1500, 62, 38)
    assert compare_accuracies(a, b) == 1 and compare_accuracies(b, a) == -1
    # the same two accuracies (0.781 and 0.769), told apart only when they disagree on few items
    a, b = _outcomes(2000, 1538, 24, 0)
    assert compare_accuracies(a, b) == 1
    a, b = _outcomes(2000, 1200, 362, 338)
    assert compare_accuracies(a, b) == 0
    assert compare_accuracies(a, a) == 0


def test_compare_accuracies_is_paired_where_intervals_would_overlap():
    """Wilson intervals of 0.781 and 0.769 on 2,000 items overlap; the paired test sees the 24 one-sided wins."""
    a, b = _outcomes(2000, 1538, 24, 0)
    low_a, _ = accuracy_interval(a.mean(), 2000)
    _, high_b = accuracy_interval(b.mean(), 2000)
    assert low_a < high_b and compare_accuracies(a, b) == 1


def test_compare_accuracies_against_a_known_share_such_as_chance():
    right = np.r_[np.ones(130, bool), np.zeros(870, bool)]     # 0.13 on 1,000 items against chance 0.1
    assert compare_accuracies(right, 0.1) == 1 and compare_accuracies(right, 0.13) == 0
    assert compare_accuracies(right[::10], 0.1) == 0           # 13 of 100 cannot be told from 10 %


def test_knn_correct_is_what_knn_accuracy_averages():
    rng = np.random.default_rng(3)
    X, y = rng.normal(size=(300, 4)), rng.integers(0, 3, 300)
    X[:, 0] += y
    right = knn_correct(X[:200], y[:200], X[200:], y[200:], k=5)
    assert right.dtype == bool and right.shape == (100,)
    assert right.mean() == knn_accuracy(X[:200], y[:200], X[200:], y[200:], k=5, cache=False)
    assert knn_correct(X, y, k=5).mean() == knn_accuracy(X, y, k=5, cache=False)


@pytest.mark.parametrize(
    "args,kwargs,message",
    [(([1, 0, 1], [1, 0]), {}, "results on the same test items, got 3 and 2"),
     (([1, 2, 1], [1, 0, 1]), {}, "correct_a must hold only True/False"),
     ((0.8, [1, 0]), {}, "correct_a must be a 1-D vector"),
     (([1, 0], 1.5), {}, "correct_b must be a number between 0 and 1"),
     (([1, 0], [0, 1]), {"alpha": 0}, "alpha must be a number between 0 and 1")],
)
def test_compare_accuracies_validation(args, kwargs, message):
    with pytest.raises((TypeError, ValueError), match=message):
        compare_accuracies(*args, **kwargs)


def test_class_separation_grows_as_classes_pull_apart_and_ignores_scale():
    from helpers.metrics import class_separation

    rng = np.random.default_rng(0)
    labels = np.repeat([0, 1, 2], 50)
    centres = np.array([[0, 0], [1, 0], [0, 1]])
    near = centres[labels] + rng.normal(scale=1.0, size=(150, 2))
    apart = centres[labels] * 10 + rng.normal(scale=1.0, size=(150, 2))
    assert class_separation(apart, labels) > 5 * class_separation(near, labels)
    assert class_separation(apart * 7, labels) == pytest.approx(class_separation(apart, labels))
    with pytest.raises(ValueError, match="two classes"):
        class_separation(near, np.zeros(150, dtype=int))
