"""Notebook 03's exercises: typical wrong answers get their own feedback."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from helpers.exercise_sets import image_embeddings as ex
from helpers.exercises import CORRECT, INCORRECT, NOT_ATTEMPTED, run_official_solution

# ----------------------------------------------------------------------------- q1: forward hook


def _hooked(layer_of, *, eval_mode=True, remove=True, as_numpy=False):
    def hook_embeddings(model, images):
        captured = []
        handle = layer_of(model).register_forward_hook(lambda m, i, o: captured.append(o.detach()))
        if eval_mode:
            model.eval()
        with torch.no_grad():
            model(images)
        if remove:
            handle.remove()
        return captured[0].numpy() if as_numpy else captured[0]

    return hook_embeddings


def test_q1_official_solution_and_the_feature_extractor_way_both_pass():
    assert run_official_solution(ex.q1).status == CORRECT

    def hook_embeddings(model, images):
        from torchvision.models.feature_extraction import create_feature_extractor

        model.eval()
        return create_feature_extractor(model, {"embedding.2": "embedding"})(images)["embedding"]

    assert ex.q1.evaluate({"hook_embeddings": hook_embeddings}).status == CORRECT


@pytest.mark.parametrize(
    "func,words",
    [
        (_hooked(lambda m: m.classifier), "classifier"),
        (_hooked(lambda m: m.conv2), "conv2"),
        (_hooked(lambda m: m.conv1), "conv1"),
        (_hooked(lambda m: m.embedding[1]), "before the final ReLU"),
        (_hooked(lambda m: m.embedding, eval_mode=False), "model.eval()"),
        (_hooked(lambda m: m.embedding, remove=False), "handle.remove()"),
        (_hooked(lambda m: m.embedding, as_numpy=True), "NumPy"),
    ],
    ids=["classifier", "conv2", "conv1", "before-relu", "train-mode", "hook-left", "numpy"],
)
def test_q1_typical_mistakes_get_specific_feedback(func, words):
    result = ex.q1.evaluate({"hook_embeddings": func})
    assert result.status == INCORRECT, result.message
    assert words in result.message


def test_q1_forgotten_return_and_placeholder():
    def hook_embeddings(model, images):
        model(images)

    result = ex.q1.evaluate({"hook_embeddings": hook_embeddings})
    assert result.status == INCORRECT and "return" in result.message
    assert ex.q1.evaluate({}).status == NOT_ATTEMPTED


def test_q1_wrong_shapes_are_explained_without_a_checker_error():
    def flat(model, images):
        return torch.zeros(5)

    def odd(model, images):
        return torch.zeros(5, 3)

    for func, words in ((flat, "got shape (5,)"), (odd, "got shape (5, 3)")):
        result = ex.q1.evaluate({"hook_embeddings": func})
        assert result.status == INCORRECT and words in result.message, result.message


def test_q1_list_of_tensors_is_explained():
    def hook_embeddings(model, images):
        captured = []
        handle = model.embedding.register_forward_hook(lambda m, i, o: captured.append(o))
        model.eval()
        with torch.no_grad():
            model(images)
        handle.remove()
        return captured

    result = ex.q1.evaluate({"hook_embeddings": hook_embeddings})
    assert result.status == INCORRECT and "captured[0]" in result.message


# ----------------------------------------------------------------------------- q2: k-NN accuracy


def _knn(k_used=None, *, farthest=False, transform=lambda acc, correct, n: acc):
    def knn_accuracy_of(train_vectors, train_labels, test_vectors, test_labels, k):
        kk = k if k_used is None else k_used
        d = np.linalg.norm(test_vectors[:, None, :] - train_vectors[None, :, :], axis=2)
        order = np.argsort(-d if farthest else d, axis=1)[:, :kk]
        predicted = np.array([np.bincount(row).argmax() for row in train_labels[order]])
        correct = int((predicted == test_labels).sum())
        return transform(correct / len(test_labels), correct, len(test_labels))

    return knn_accuracy_of


def test_q2_official_solution_passes():
    assert run_official_solution(ex.q2).status == CORRECT


def test_q2_sklearn_answer_passes():
    from sklearn.neighbors import KNeighborsClassifier

    def knn_accuracy_of(train_vectors, train_labels, test_vectors, test_labels, k):
        model = KNeighborsClassifier(n_neighbors=k).fit(train_vectors, train_labels)
        return model.score(test_vectors, test_labels)

    assert ex.q2.evaluate({"knn_accuracy_of": knn_accuracy_of}).status == CORRECT


@pytest.mark.parametrize(
    "func,words",
    [
        (_knn(transform=lambda acc, correct, n: correct), "number of correct"),
        (_knn(transform=lambda acc, correct, n: 1 - acc), "error rate"),
        (_knn(transform=lambda acc, correct, n: 100 * acc), "percentage"),
        (_knn(k_used=1), "single nearest neighbour"),
        (_knn(k_used=3), "use the argument `k`"),
        (_knn(farthest=True), "FARTHEST"),
    ],
    ids=["count", "error-rate", "percent", "k1", "fixed-k", "farthest"],
)
def test_q2_typical_mistakes_get_specific_feedback(func, words):
    result = ex.q2.evaluate({"knn_accuracy_of": func})
    assert result.status == INCORRECT, result.message
    assert words in result.message


def test_q2_predictions_instead_of_accuracy():
    def knn_accuracy_of(train_vectors, train_labels, test_vectors, test_labels, k):
        return test_labels == test_labels

    result = ex.q2.evaluate({"knn_accuracy_of": knn_accuracy_of})
    assert result.status == INCORRECT and "one number" in result.message


def test_q2_case_has_no_tied_votes():
    train, train_labels, test, _test_labels, k = ex._knn_case()
    d = np.linalg.norm(test[:, None, :] - train[None, :, :], axis=2)
    votes = train_labels[np.argsort(d, axis=1)[:, :k]]
    counts = np.sort(np.array([np.bincount(row, minlength=3) for row in votes]), axis=1)
    assert (counts[:, -1] > counts[:, -2]).all()


# ----------------------------------------------------------------------------- q3: reading a map


def test_q3_right_and_wrong_choices():
    assert ex.q3.evaluate({"q3_answer": ["b", "d"]}).status == CORRECT
    wrong = ex.q3.evaluate({"q3_answer": "a, b"})
    assert wrong.status == INCORRECT and "large distances" in wrong.message
    partial = ex.q3.evaluate({"q3_answer": "b"})
    assert partial.status == INCORRECT and "still missing" in partial.message


# ----------------------------------------------------------------------------- q4: your own vectors as a table


def _table_function(body):
    namespace = {}
    exec("import numpy as np\nimport pandas as pd\n\ndef as_table(vectors, labels):\n" + body, namespace)
    return namespace["as_table"]


def test_q4_official_solution_and_other_ways_pass():
    assert run_official_solution(ex.q4).status == CORRECT
    for body in ("    return pd.DataFrame(vectors).assign(label=labels)\n",
                 "    table = pd.DataFrame(vectors, columns=['x', 'y', 'z'])\n"
                 "    table.insert(0, 'label', labels)\n    return table\n",
                 "    return pd.concat([pd.DataFrame({'label': labels}), pd.DataFrame(vectors)], axis=1)\n"):
        result = ex.q4.evaluate({"as_table": _table_function(body)})
        assert result.status == CORRECT, result.message


@pytest.mark.parametrize(
    "body,words",
    [
        ("    return np.column_stack([vectors, labels])\n", "returned a NumPy array"),
        ("    return pd.DataFrame(vectors)\n", "no column named 'label'"),
        ("    table = pd.DataFrame(vectors)\n    table['labels'] = labels\n    return table\n", "'labels']"),
        ("    return pd.DataFrame({'vector': list(vectors), 'label': labels})\n", "one list per row"),
        ("    table = pd.DataFrame(vectors).reset_index()\n    table['label'] = labels\n    return table\n",
         "an index column"),
        ("    table = pd.DataFrame(vectors)\n    table['label'] = sorted(labels)\n    return table\n",
         "the labels do not match the rows"),
        ("    table = pd.DataFrame(vectors).astype(str)\n    table['label'] = labels\n    return table\n",
         "pd.to_numeric"),
        ("    table = pd.DataFrame(vectors)\n    table['label'] = labels\n    table['name'] = 'x'\n    return table\n",
         "X['name'] must be numbers"),
        ("    return pd.DataFrame(np.flip(vectors, 0)).assign(label=labels)\n", "the numbers in the table differ"),
        ("    return pd.DataFrame(vectors[:, :2]).assign(label=labels)\n", "a column of its own"),
    ],
    ids=["array", "no-label", "labels", "lists", "index", "sorted", "text", "extra-column", "reversed", "too-few"],
)
def test_q4_typical_mistakes_get_specific_feedback(body, words):
    result = ex.q4.evaluate({"as_table": _table_function(body)})
    assert result.status == INCORRECT, result.message
    assert words in result.message
