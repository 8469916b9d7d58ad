"""Exercises of notebook 03 (image embeddings): a forward hook, k-NN accuracy, reading a map,
the learner's own vectors as a table for the projection explorer.

The checkers build their own tiny CNN and small arrays, so checking takes a fraction of a
second and does not depend on the notebook's trained model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from helpers.exercises import ChoiceProblem, FunctionProblem, names_used

# ----------------------------------------------------------------------------- q1: a forward hook


def _tiny_cnn_and_images() -> tuple[Any, Any]:
    import torch

    from helpers.models.cnn import SmallCNN

    generator = torch.Generator().manual_seed(3)
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(3)
        model = SmallCNN(num_classes=4, embedding_dim=6, channels=(3, 4))
    with torch.no_grad():  # non-trivial batch-norm statistics, so that eval and train modes differ
        for block in (model.conv1, model.conv2):
            block[1].running_mean.uniform_(-0.2, 0.2, generator=generator)
            block[1].running_var.uniform_(0.5, 1.5, generator=generator)
    images = torch.rand(5, 1, 28, 28, generator=generator)
    return model, images


@contextmanager
def _counting_calls(model_class: type) -> Iterator[dict[str, int]]:
    """Count calls of ``model_class.embed`` and of ``register_forward_hook`` while the block runs.

    The counting sits on the classes, not on one model, because the learner's function gets
    a copy of the model.
    """
    from torch import nn

    calls = {"embed": 0, "hooks": 0}
    embed, register = model_class.embed, nn.Module.register_forward_hook

    def counted_embed(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["embed"] += 1
        return embed(self, *args, **kwargs)

    def counted_register(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls["hooks"] += 1
        return register(self, *args, **kwargs)

    model_class.embed, nn.Module.register_forward_hook = counted_embed, counted_register
    try:
        yield calls
    finally:
        model_class.embed, nn.Module.register_forward_hook = embed, register


def _judge_hook_embeddings(func: Any) -> str | None:
    import torch

    model, images = _tiny_cnn_and_images()
    model.train()  # the learner's function must switch to eval mode itself
    with _counting_calls(type(model)) as calls:
        result = func(model, images)  # (the wrapper passes copies and reports exceptions and None)
    if calls["embed"] and not calls["hooks"] and "embed" in names_used(func):
        return (
            "your function calls `model.embed`, which works only because we wrote that method for this "
            "model. The point is to read a layer of *any* network: register a forward hook on "
            "`model.embedding` and run `model(images)` instead."
        )
    model.eval()
    with torch.no_grad():
        expected = model.embed(images)
        outputs = model.layer_outputs(images)
        before_relu = model.embedding[1](model.embedding[0](model.flatten(model.conv2(model.conv1(images)))))
    if not isinstance(result, torch.Tensor):
        if isinstance(result, (list, tuple)) and result and isinstance(result[0], torch.Tensor):
            return (
                f"your function returned a {type(result).__name__} of tensors; return the one tensor that the "
                "hook captured, e.g. `captured[0]` or `captured['embedding']`."
            )
        if isinstance(result, np.ndarray):
            return "your function returned a NumPy array; return the captured torch tensor itself."
        return f"your function should return a torch tensor, got {type(result).__name__}."
    if _leaves_a_hook(getattr(func, "__wrapped__", func)):
        return (
            "the hook is still attached to the model after your function returned: keep the handle that "
            "`register_forward_hook` gives you and call `handle.remove()` (a `try ... finally` makes sure)."
        )
    got = result.detach().float()
    n, dim = len(images), model.embedding_dim
    shape = tuple(got.shape)
    if shape == (n, model.num_classes):
        return (
            f"that has shape {shape}: one score per class, the classifier's output. Hook the layer "
            "before it, `model.embedding`."
        )
    width = got.flatten(1).shape[1] if got.ndim >= 2 and shape[0] == n else None
    if width == outputs["conv2"].shape[1]:
        return f"that has shape {shape}: the output of conv2. The embedding is the layer after it, `model.embedding`."
    if width == outputs["conv1"].shape[1]:
        return f"that has shape {shape}: the output of conv1. The embedding is `model.embedding`."
    if shape != (n, dim):
        return f"expected one {dim}-number embedding per image, shape ({n}, {dim}), got shape {shape}."
    if torch.allclose(got, before_relu, atol=1e-5):
        return (
            "those are the values before the final ReLU (some are negative): hook the whole "
            "`model.embedding` block, not its Linear layer."
        )
    if torch.allclose(got, expected, atol=1e-5):
        return None
    return (
        "the shape is right but the values differ from the embedding. Did you call `model.eval()` before "
        "running the model? In training mode dropout and batch normalisation change the outputs."
    )


def _leaves_a_hook(func: Any) -> bool:
    """Call the learner's function on a model of ours and look for hooks left on it."""
    model, images = _tiny_cnn_and_images()
    try:
        func(model, images)
    except Exception:
        return False  # already reported by the first call
    return any(len(module._forward_hooks) for module in model.modules())


q1 = FunctionProblem(
    "hook_embeddings",
    _judge_hook_embeddings,
    hint=[
        "A layer's `register_forward_hook(fn)` makes PyTorch call `fn(module, inputs, output)` every time that "
        "layer runs. Where can `fn` put the `output` it receives, so that your function can return it later?",
        "Then: `model.eval()`, run `model(images)` inside `torch.no_grad()`, call `handle.remove()`, and return "
        "what the hook stored.",
    ],
    solution=(
        "import torch\n\n"
        "def hook_embeddings(model, images):\n"
        "    captured = []\n"
        "    handle = model.embedding.register_forward_hook(\n"
        "        lambda module, inputs, output: captured.append(output.detach())\n"
        "    )\n"
        "    try:\n"
        "        model.eval()\n"
        "        with torch.no_grad():\n"
        "            model(images)\n"
        "    finally:\n"
        "        handle.remove()\n"
        "    return captured[0]"
    ),
    explanation=(
        "A hook reads any layer of any network without changing its code. torchvision offers the same as a "
        "ready-made tool: `create_feature_extractor(model, {'embedding.2': 'embedding'})` from "
        "`torchvision.models.feature_extraction` returns a model whose output is a dict with that layer's output."
    ),
)


# ----------------------------------------------------------------------------- q2: k-NN accuracy


def _knn_case() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, int]:
    """Three noisy clusters in 2-D, 36 training and 24 test points, k = 5.

    Chosen so that no vote among the 5 nearest is tied, and so that the right answer
    differs from what k = 1, other k, the farthest points or the error rate give.
    """
    rng = np.random.default_rng(13)
    centres = np.array([[0.0, 0.0], [4.0, 0.0], [0.0, 4.0]])
    train_labels = np.repeat(np.arange(3), 12)
    train = centres[train_labels] + rng.normal(scale=1.4, size=(len(train_labels), 2))
    test_labels = np.repeat(np.arange(3), 8)
    test = centres[test_labels] + rng.normal(scale=1.4, size=(len(test_labels), 2))
    return train, train_labels, test, test_labels, 5


def _reference_accuracy(
    train: np.ndarray,
    train_labels: np.ndarray,
    test: np.ndarray,
    test_labels: np.ndarray,
    k: int,
    *,
    farthest: bool = False,
) -> tuple[float, int]:
    distances = np.linalg.norm(test[:, None, :] - train[None, :, :], axis=2)
    order = np.argsort(-distances if farthest else distances, axis=1, kind="stable")[:, :k]
    votes = train_labels[order]
    predicted = np.array([np.bincount(row, minlength=train_labels.max() + 1).argmax() for row in votes])
    correct = int((predicted == test_labels).sum())
    return correct / len(test_labels), correct


def _judge_knn_accuracy(func: Any) -> str | None:
    train, train_labels, test, test_labels, k = _knn_case()
    result = func(train.copy(), train_labels.copy(), test.copy(), test_labels.copy(), k)
    if isinstance(result, (bool, np.bool_)) or not isinstance(result, (int, float, np.integer, np.floating)):
        if hasattr(result, "shape") and getattr(result, "size", 0) == len(test_labels):
            return (
                f"your function returned {len(test_labels)} values, one per test point (predictions or hits?); "
                "return one number: the share of test points whose predicted label is right."
            )
        return f"your function should return one number (a float between 0 and 1), got {type(result).__name__}."
    value = float(result)
    right, correct = _reference_accuracy(train, train_labels, test, test_labels, k)
    if abs(value - right) < 1e-9:
        return None
    if abs(value - correct) < 1e-9 and correct != right:
        return f"{value:g} looks like the number of correct predictions; divide by the number of test points."
    if abs(value - (1 - right)) < 1e-9:
        return f"{value:g} looks like the error rate (the share that is wrong); return the share that is right."
    if abs(value - 100 * right) < 1e-6:
        return f"{value:g} looks like a percentage; return a share between 0 and 1."
    if abs(value - _reference_accuracy(train, train_labels, test, test_labels, 1)[0]) < 1e-9:
        return (
            "that is the accuracy of the single nearest neighbour; let the k nearest vote "
            "(the most common label among them wins)."
        )
    for other_k in (2, 3, 4, 6, 7, 10):
        if abs(value - _reference_accuracy(train, train_labels, test, test_labels, other_k)[0]) < 1e-9:
            return f"that is what another number of neighbours gives; the call asked for k={k}: use the argument `k`."
    if abs(value - _reference_accuracy(train, train_labels, test, test_labels, k, farthest=True)[0]) < 1e-9:
        return "that is what the k FARTHEST training points give: sort distances from small to large."
    if not 0 <= value <= 1:
        return f"an accuracy lies between 0 and 1, got {value:g}."
    return f"your accuracy {value:g} is not right for this small test case."


q2 = FunctionProblem(
    "knn_accuracy_of",
    _judge_knn_accuracy,
    hint=[
        "For each test vector: the distances to all training vectors, the indices of the k smallest "
        "(`np.argsort(distances)[:k]`), their labels, and the most common of those labels "
        "(`np.bincount(labels).argmax()`).",
        "Broadcasting gives all distances at once: "
        "`np.linalg.norm(test_vectors[:, None, :] - train_vectors[None, :, :], axis=2)` has shape "
        "(number of test vectors, number of training vectors). Accuracy = mean of (prediction == true label).",
    ],
    solution=(
        "import numpy as np\n\n"
        "def knn_accuracy_of(train_vectors, train_labels, test_vectors, test_labels, k):\n"
        "    distances = np.linalg.norm(test_vectors[:, None, :] - train_vectors[None, :, :], axis=2)\n"
        "    nearest = np.argsort(distances, axis=1)[:, :k]\n"
        "    votes = train_labels[nearest]\n"
        "    predicted = np.array([np.bincount(row).argmax() for row in votes])\n"
        "    return float(np.mean(predicted == test_labels))"
    ),
    explanation=(
        "k-NN accuracy measures an embedding directly: it is high only when images of the same class are "
        "each other's neighbours. `helpers.metrics.knn_accuracy` does the same for large data sets."
    ),
)


# ----------------------------------------------------------------------------- q3: reading a map

q3 = ChoiceProblem(
    "q3_answer",
    {
        "a": (
            False,
            "t-SNE and UMAP keep neighbourhoods, not large distances: the gap between two clusters on the map "
            "says little about how far apart they are in the 64-D space.",
        ),
        "b": (
            True,
            "that is what a high trustworthiness measures: the map rarely puts points side by side that are "
            "not neighbours in the original space.",
        ),
        "c": (
            False,
            "t-SNE in particular evens out densities, so a cluster's size on the map does not tell how varied "
            "the class is.",
        ),
        "d": (
            True,
            "the explorer does exactly that: the neighbours it shows are found in the original vectors, and the "
            "rings show where they ended up on the map.",
        ),
    },
    multiple=True,
    hint=[
        "Think about what trustworthiness and neighbourhood recall measure: neighbourhoods, not distances.",
        "Two statements are right: one about small-scale structure, one about where to look for neighbours.",
    ],
    solution="t-SNE and UMAP are built to keep each point's nearest neighbours; distances between clusters "
    "and the sizes of clusters are not kept.",
)


# ----------------------------------------------------------------------------- q4: your own vectors as a table


def _table_case() -> tuple[np.ndarray, np.ndarray]:
    """Twelve 3-number vectors of three kinds, labelled by name in an order that sorting would change."""
    rng = np.random.default_rng(8)
    labels = np.array(["shirt", "bag", "coat"] * 4)
    centres = {"shirt": 0.0, "bag": 3.0, "coat": -3.0}
    vectors = np.array([centres[label] for label in labels])[:, None] + rng.normal(size=(12, 3)).round(2)
    return vectors, labels


def _judge_as_table(func: Any) -> str | None:
    import pandas as pd

    from helpers.errors import CourseError, type_name
    from helpers.widgets.projection import ProjectionExplorer

    vectors, labels = _table_case()
    table = func(vectors.copy(), labels.copy())
    if not isinstance(table, pd.DataFrame):
        kind = "a NumPy array" if isinstance(table, np.ndarray) else type_name(table)
        return (f"your function returned {kind}; return a pandas DataFrame: `pd.DataFrame(vectors)` "
                "makes one with a column per number.")
    if "label" not in [str(column) for column in table.columns]:
        return (f"the table has no column named 'label' (its columns: {[str(c) for c in table.columns]}); "
                "add one: `table['label'] = labels`.")
    if any(isinstance(item, (list, tuple, np.ndarray)) for column in table.columns for item in table[column][:1]):
        return ("a column holds whole vectors, one list per row; give each number its own column: "
                "`pd.DataFrame(vectors)`, then add the labels.")
    try:
        explorer = ProjectionExplorer(table, "label")
    except CourseError as error:
        return f"`ProjectionExplorer(table, 'label')` cannot open your table: {error}"
    if explorer.X.shape != vectors.shape:
        why = ("is the row number (an index column) among them?" if explorer.X.shape[1] > vectors.shape[1]
               else "give every number of a vector a column of its own.")
        return (f"the explorer reads {explorer.X.shape[1]} numbers per vector from your table's number columns, "
                f"expected {vectors.shape[1]}: {why}")
    if not np.allclose(explorer.X, vectors, atol=1e-6):
        return "the numbers in the table differ from `vectors`: keep one row per vector, in the order given."
    if [explorer.label_of(i) for i in range(len(labels))] != labels.tolist():
        return "the labels do not match the rows: row i of the table must carry `labels[i]`, in the order given."
    return None


q4 = FunctionProblem(
    "as_table",
    _judge_as_table,
    hint=[
        "`pd.DataFrame(vectors)` gives one row per vector and one column per number.",
        "Then add the labels as one more column named 'label': `table['label'] = labels`, and return the table.",
    ],
    solution=(
        "import pandas as pd\n\n"
        "def as_table(vectors, labels):\n"
        "    table = pd.DataFrame(vectors)\n"
        "    table['label'] = labels\n"
        "    return table"
    ),
    explanation=(
        "The explorer takes any table whose number columns are the vectors: a spreadsheet read with "
        "`pd.read_csv`, or the output of another model. `ProjectionExplorer.from_files` reads the files that "
        "`export` writes, and those of the TensorFlow Embedding Projector."
    ),
)

PROBLEMS = {"q1": q1, "q2": q2, "q3": q3, "q4": q4}
