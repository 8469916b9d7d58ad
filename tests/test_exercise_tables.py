"""Every exercise, graded on a table of answers: at least two different right answers must be
accepted, and at least three typical wrong answers must be rejected with their own feedback.

Each row is a namespace (what the learner's cells defined) built by a small function, so
that torch models and GloVe are only built when the row runs. A wrong row names a piece of
text that its specific feedback must contain.
"""

from __future__ import annotations

import importlib
import math
import pkgutil
import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import helpers.exercise_sets
from helpers.exercises import CORRECT, INCORRECT

Namespace = Callable[[], dict[str, Any]]


def value(name: str, answer: Any) -> Namespace:
    return lambda: {name: answer}


def function(name: str, source: str, **extra: Any) -> Namespace:
    """A learner's function, defined from source in a namespace with NumPy (and ``extra``)."""

    def build() -> dict[str, Any]:
        namespace: dict[str, Any] = {"np": np, "math": math, **{k: v() if callable(v) else v for k, v in extra.items()}}
        exec(source, namespace)
        return namespace

    return build


# ============================================================================ 00 start here

TABLES: dict[str, dict[str, Any]] = {}

TABLES["start_here.q1"] = {
    "right": [value("q1_answer", 948), value("q1_answer", np.int64(948)),
              function("q1_answer", "import helpers\nq1_answer = len(helpers.data.load_xkcd_colors()) - 1")],
    "wrong": [(value("q1_answer", 949), "length of the whole vector"),
              (value("q1_answer", 1), "how many entries are 1"),
              (value("q1_answer", 3), "three colours"),
              (value("q1_answer", 919), "without its crude names"),
              (value("q1_answer", 100), "Too few"),
              (value("q1_answer", "948"), "remove the quotes")],
}
TABLES["start_here.q2"] = {
    "right": [function("distance", "def distance(a, b):\n    return float(np.linalg.norm(np.subtract(a, b)))"),
              function("distance", "def distance(a, b):\n    return math.dist(a, b)"),
              function("distance", "def distance(a, b):\n"
                                   "    return sum((x - y) ** 2 for x, y in zip(a, b)) ** 0.5")],
    "wrong": [(function("distance", "def distance(a, b):\n    return float(np.sum((np.subtract(a, b)) ** 2))"),
               "square root"),
              (function("distance", "def distance(a, b):\n    return float(np.sum(np.abs(np.subtract(a, b))))"),
               "Manhattan"),
              (function("distance", "def distance(a, b):\n    np.linalg.norm(np.subtract(a, b))"), "forget `return`"),
              (function("distance", "def distance(a, b):\n    return a - b"), "TypeError")],
}

# ============================================================================ 01 one-hot encoding

TABLES["one_hot.q1"] = {
    "right": [function("one_hot", "def one_hot(indices, num_classes):\n    return np.eye(num_classes)[indices]"),
              function("one_hot", "def one_hot(indices, num_classes):\n"
                                  "    rows = []\n"
                                  "    for i in indices:\n"
                                  "        row = [0] * num_classes\n"
                                  "        row[i] = 1\n"
                                  "        rows.append(row)\n"
                                  "    return np.array(rows)"),
              function("one_hot", "def one_hot(indices, num_classes):\n"
                                  "    return (np.arange(num_classes) == np.array(indices)[:, None]).astype(int)")],
    "wrong": [(function("one_hot", "def one_hot(indices, num_classes):\n    return np.eye(num_classes)[indices].T"),
               "swapped"),
              (function("one_hot", "def one_hot(indices, num_classes):\n"
                                   "    v = np.zeros(num_classes)\n    v[indices[0]] = 1\n    return v"),
               "flat vector"),
              (function("one_hot", "def one_hot(indices, num_classes):\n"
                                   "    return np.eye(num_classes + 1)[[i + 1 for i in indices]][:, :num_classes]"),
               "one column off"),
              (function("one_hot", "import torch\nimport torch.nn.functional as F\n"
                                   "def one_hot(indices, num_classes):\n"
                                   "    return F.one_hot(torch.tensor(indices), num_classes).numpy()"), "F.one_hot"),
              (function("one_hot", "import torch\n"
                                   "def one_hot(indices, num_classes):\n"
                                   "    return torch.nn.functional.one_hot(torch.tensor(indices), num_classes)"),
               "does the work for you")],
}
TABLES["one_hot.q2"] = {
    "right": [value("q2_answer", 2 ** 0.5), value("q2_answer", np.sqrt(2)), value("q2_answer", 1.414),
              value("q2_answer", np.array(2 ** 0.5))],                       # a 0-d array is a number
    "wrong": [(value("q2_answer", 2), "squared"), (value("q2_answer", 1), "two entries"),
              (value("q2_answer", 0), "the same"), (value("q2_answer", 6), "does not matter"),
              (value("q2_answer", 1.41), "rounded")],
}
TABLES["one_hot.q3"] = {
    "right": [value("q3_answer", 0), value("q3_answer", 0.0), value("q3_answer", np.float32(0))],
    "wrong": [(value("q3_answer", 1), "same way"), (value("q3_answer", -1), "opposite"),
              (value("q3_answer", 2 ** 0.5), "looks like a distance"), (value("q3_answer", 0.5), "both vectors 1")],
}
TABLES["one_hot.q4"] = {
    "right": [value("q4_answer", ["a", "c", "e"]), value("q4_answer", "e, a, c"),
              value("q4_answer", ("(A)", "C", "e")), value("q4_answer", "a, c and e"), value("q4_answer", "a,c,e")],
    "wrong": [(value("q4_answer", ["a", "c", "d", "e"]), "being different is not enough"),
              (value("q4_answer", ["a", "b", "c", "e"]), "√2 apart"),
              (value("q4_answer", ["a", "c"]), "1 correct option is still missing"),
              (value("q4_answer", "A and C"), "(a), (c) are right, but 1 correct option"),
              (value("q4_answer", ["a", "z"]), "not one of the options")],
}

_LOOP = ("def collisions(inputs, vectors):\n"
         "    count = 0\n"
         "    for i in range(len(inputs)):\n"
         "        for j in range({start}, len(inputs)):\n"
         "            if {test}:\n"
         "                count += 1\n"
         "    return count")
_RIGHT_TEST = "inputs[i] != inputs[j] and np.array_equal(vectors[i], vectors[j])"
TABLES["one_hot.q5"] = {
    "right": [function("collisions", _LOOP.format(start="i + 1", test=_RIGHT_TEST)),
              function("collisions", "from itertools import combinations\n"
                                     "def collisions(inputs, vectors):\n"
                                     "    rows = [tuple(np.ravel(v)) for v in vectors]\n"
                                     "    return np.int64(sum(a != b and rows[i] == rows[j] for (i, a), (j, b)\n"
                                     "                        in combinations(enumerate(inputs), 2)))"),
              function("collisions", "def collisions(inputs, vectors):\n"
                                     "    same = (np.asarray(vectors)[:, None] == np.asarray(vectors)[None]).all(-1)\n"
                                     "    diff = np.array([[a != b for b in inputs] for a in inputs])\n"
                                     "    return (same & diff).sum() / 2")],
    "wrong": [(function("collisions", _LOOP.format(start="0", test=_RIGHT_TEST)), "counted twice"),
              (function("collisions", _LOOP.format(start="i + 1", test="np.array_equal(vectors[i], vectors[j])")),
               "two copies of the same input"),
              (function("collisions", _LOOP.format(start="i", test="np.array_equal(vectors[i], vectors[j]) and "
                                                                   "(i == j or inputs[i] != inputs[j])")),
               "paired with itself"),
              (function("collisions", "def collisions(inputs, vectors):\n"
                                     "    return sum(np.array_equal(a, b) for a in vectors for b in vectors)"),
               "both ways round"),
              (function("collisions", "def collisions(inputs, vectors):\n"
                                     "    return len(vectors) - len(np.unique(np.asarray(vectors), axis=0))"),
               "counts vectors lost"),
              (function("collisions", "def collisions(inputs, vectors):\n"
                                     "    return len(set(inputs)) - len({tuple(np.ravel(v)) for v in vectors})"),
               "distinct inputs minus distinct vectors"),
              (function("collisions", "def collisions(inputs, vectors):\n"
                                     "    return [(i, j) for i in range(len(inputs)) for j in range(i)\n"
                                     "            if np.array_equal(vectors[i], vectors[j])]"),
               "whole number of pairs"),
              (function("collisions", _LOOP.format(start="i + 1", test="inputs[i] != inputs[j] and "
                                                                        "np.allclose(vectors[i], 0)")),
               "pairs of different inputs share a vector")],
}

# ============================================================================ 02 embedding layers


def _glove():
    from helpers.exercise_sets.embedding_layers import solution_namespace

    return solution_namespace()["glove"]


_NEAREST = ("def nearest_words(word, k):\n"
            "    V = glove.vectors.astype(float)\n"
            "    unit = V / np.linalg.norm(V, axis=1, keepdims=True)\n"
            "    sims = unit @ unit[glove.index(word)]\n"
            "    sims[glove.index(word)] = -np.inf\n"
            "    order = np.argsort(-sims)[:k]\n")

TABLES["embedding_layers.q1"] = {
    "right": [function("cosine_similarity", "def cosine_similarity(a, b):\n"
                                            "    return float(np.dot(a, b) / np.sqrt(np.dot(a, a) * np.dot(b, b)))"),
              function("cosine_similarity", "def cosine_similarity(a, b):\n"
                                            "    return (a / np.linalg.norm(a)) @ (b / np.linalg.norm(b))"),
              function("cosine_similarity", "def cosine_similarity(a, b):\n"
                                            "    dot = sum(x * y for x, y in zip(a, b))\n"
                                            "    return dot / math.sqrt(sum(x * x for x in a) * "
                                            "sum(y * y for y in b))")],
    "wrong": [(function("cosine_similarity", "def cosine_similarity(a, b):\n    return float(a @ b)"),
               "plain dot product"),
              (function("cosine_similarity", "def cosine_similarity(a, b):\n    return float(np.linalg.norm(a - b))"),
               "Euclidean distance"),
              (function("cosine_similarity", "def cosine_similarity(a, b):\n"
                                             "    return float(a @ b / np.linalg.norm(a))"), "one length only"),
              (function("cosine_similarity", "def cosine_similarity(a, b):\n"
                                             "    return 1 - float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))"),
               "cosine *distance*"),
              (function("cosine_similarity", "from sklearn.metrics.pairwise import cosine_similarity as cs\n"
                                             "def cosine_similarity(a, b):\n"
                                             "    return float(cs([a], [b])[0, 0])"), "scikit-learn"),
              (function("cosine_similarity", "from scipy.spatial import distance\n"
                                             "def cosine_similarity(a, b):\n"
                                             "    return 1 - distance.cosine(a, b)"), "SciPy")],
}
TABLES["embedding_layers.q2"] = {
    "right": [function("nearest_words", _NEAREST + "    return [glove.words[i] for i in order]", glove=_glove),
              function("nearest_words", _NEAREST.replace("np.argsort(-sims)[:k]", "np.argsort(sims)[::-1][:k]")
                       + "    return [str(glove.words[i]) for i in order]", glove=_glove),
              function("nearest_words", "def nearest_words(word, k):\n"
                                        "    V = glove.vectors.astype(float)\n"
                                        "    q = V[glove.index(word)]\n"
                                        "    sims = V @ q / (np.linalg.norm(V, axis=1) * np.linalg.norm(q))\n"
                                        "    ranked = [glove.words[i] for i in np.argsort(-sims)]\n"
                                        "    return [w for w in ranked if w != word][:k]", glove=_glove)],
    "wrong": [(function("nearest_words", _NEAREST.replace("    sims[glove.index(word)] = -np.inf\n", "")
                        + "    return [glove.words[i] for i in order]", glove=_glove), "itself"),
              (function("nearest_words", _NEAREST + "    return [glove.words[i] for i in order][::-1]", glove=_glove),
               "most similar first"),
              (function("nearest_words", "def nearest_words(word, k):\n"
                                         "    V = glove.vectors.astype(float)\n"
                                         "    d = np.linalg.norm(V - V[glove.index(word)], axis=1)\n"
                                         "    d[glove.index(word)] = np.inf\n"
                                         "    return [glove.words[i] for i in np.argsort(d)[:k]]", glove=_glove),
               "ranked by Euclidean distance"),
              (function("nearest_words", _NEAREST + "    return list(order)", glove=_glove), "row indices"),
              (function("nearest_words", _NEAREST + "    return [(glove.words[i], sims[i]) for i in order]",
                        glove=_glove), "just the words"),
              (function("nearest_words", "from helpers.metrics import nearest_neighbors\n"
                                         "def nearest_words(word, k):\n"
                                         "    rows, _ = nearest_neighbors(glove.vectors, glove.index(word), k=k, "
                                         "metric='cosine')\n"
                                         "    return [glove.words[i] for i in rows]", glove=_glove),
               "helpers.metrics.nearest_neighbors")],
}
TABLES["embedding_layers.q3"] = {
    "right": [value("q3_answer", "hot"), value("q3_answer", " Hot "), value("q3_answer", "'hot'")],
    "wrong": [(value("q3_answer", "chilly"), "closest in meaning"), (value("q3_answer", "freezing"), "stronger word"),
              (value("q3_answer", "warm"), "not one of the candidates"), (value("q3_answer", 1), "one word in quotes")],
}

TABLES["embedding_layers.q4"] = {
    "right": [value("q4_answer", ["b", "d", "e"]), value("q4_answer", "e, b, d"),
              value("q4_answer", ("B", "(d)", "e"))],
    "wrong": [(value("q4_answer", ["a", "b", "d", "e"]), "not yet an embedding"),
              (value("q4_answer", ["b", "c", "d", "e"]), "after one epoch"),
              (value("q4_answer", ["b", "d", "e", "f"]), "lengths differ"),
              (value("q4_answer", ["b", "d"]), "1 correct option is still missing"),
              (value("q4_answer", ["b", "z"]), "not one of the options")],
}

# ============================================================================ 03 image embeddings

_HOOK = ("import torch\n"
         "def hook_embeddings(model, images):\n"
         "    captured = {}\n"
         "    def keep(module, inputs, output):\n"
         "        captured['out'] = output\n"
         "    handle = LAYER.register_forward_hook(keep)\n"
         "    model.eval()\n"
         "    with torch.no_grad():\n"
         "        model(images)\n"
         "    handle.remove()\n"
         "    return captured['out']\n")


def _hook(layer: str, *, remove: bool = True, evaluate: bool = True) -> Namespace:
    source = _HOOK.replace("LAYER", layer)
    if not remove:
        source = source.replace("    handle.remove()\n", "")
    if not evaluate:
        source = source.replace("    model.eval()\n", "")
    return function("hook_embeddings", source)


TABLES["image_embeddings.q1"] = {
    "right": [_hook("model.embedding"), _hook("model.embedding[2]"),
              function("hook_embeddings", "import torch\n"
                                          "def hook_embeddings(model, images):\n"
                                          "    kept = None\n"
                                          "    def keep(module, inputs, output):\n"
                                          "        nonlocal kept\n"
                                          "        kept = output.detach().clone()\n"
                                          "    handles = [model.embedding.register_forward_hook(keep)]\n"
                                          "    model.train(False)\n"
                                          "    with torch.inference_mode():\n"
                                          "        model.forward(images)\n"
                                          "    for handle in handles:\n"
                                          "        handle.remove()\n"
                                          "    return kept")],
    "wrong": [(function("hook_embeddings", "import torch\n"
                                           "def hook_embeddings(model, images):\n"
                                           "    model.eval()\n"
                                           "    with torch.no_grad():\n"
                                           "        return model.embed(images)"), "model.embed"),
              (_hook("model.classifier"), "the classifier's output"),
              (_hook("model.embedding[1]"), "before the final ReLU"),
              (_hook("model.embedding", evaluate=False), "model.eval()"),
              (_hook("model.embedding", remove=False), "handle.remove()"),
              (_hook("model.conv2"), "the output of conv2")],
}

def _knn(nearest: str = "np.argsort(d, axis=1)[:, :k]", result: str = "float(np.mean(guess == test_labels))",
         vote: str = "np.array([np.bincount(r).argmax() for r in train_labels[near]])") -> Namespace:
    return function("knn_accuracy_of", "def knn_accuracy_of(train_vectors, train_labels, test_vectors, test_labels, "
                                       "k):\n"
                                       "    d = np.linalg.norm(test_vectors[:, None] - train_vectors[None], axis=2)\n"
                                       f"    near = {nearest}\n"
                                       f"    guess = {vote}\n"
                                       f"    return {result}")


TABLES["image_embeddings.q2"] = {
    "right": [function("knn_accuracy_of", "def knn_accuracy_of(train_vectors, train_labels, test_vectors, "
                                          "test_labels, k):\n"
                                          "    hits = 0\n"
                                          "    for x, label in zip(test_vectors, test_labels):\n"
                                          "        d = np.linalg.norm(train_vectors - x, axis=1)\n"
                                          "        votes = train_labels[np.argsort(d)[:k]]\n"
                                          "        hits += np.bincount(votes).argmax() == label\n"
                                          "    return hits / len(test_labels)"),
              function("knn_accuracy_of", "from collections import Counter\n"
                                          "def knn_accuracy_of(train_vectors, train_labels, test_vectors, "
                                          "test_labels, k):\n"
                                          "    d = ((test_vectors[:, None] - train_vectors[None]) ** 2).sum(-1)\n"
                                          "    nearest = np.argsort(d, axis=1)[:, :k]\n"
                                          "    guesses = [Counter(train_labels[row]).most_common(1)[0][0] "
                                          "for row in nearest]\n"
                                          "    return float(np.mean(np.array(guesses) == test_labels))")],
    "wrong": [(_knn(vote="train_labels[np.argmin(d, axis=1)]"), "single nearest"),
              (_knn(result="int(np.sum(guess == test_labels))"), "number of correct"),
              (_knn(result="float(np.mean(guess != test_labels))"), "error rate"),
              (_knn(nearest="np.argsort(-d, axis=1)[:, :k]"), "FARTHEST")],
}

TABLES["image_embeddings.q3"] = {
    "right": [value("q3_answer", ["b", "d"]), value("q3_answer", "d b"), value("q3_answer", {"B", "(d)"})],
    "wrong": [(value("q3_answer", ["a", "b", "d"]), "keep neighbourhoods, not large distances"),
              (value("q3_answer", ["b", "c", "d"]), "evens out densities"),
              (value("q3_answer", ["b"]), "1 correct option is still missing"),
              (value("q3_answer", 4), "not one of the options")],
}

_TABLE = "import pandas as pd\ndef as_table(vectors, labels):\n"

TABLES["image_embeddings.q4"] = {
    "right": [function("as_table", _TABLE + "    table = pd.DataFrame(vectors)\n    table['label'] = labels\n"
                                            "    return table"),
              function("as_table", _TABLE + "    return pd.DataFrame(vectors).assign(label=labels)"),
              function("as_table", _TABLE + "    names = [f'x{i}' for i in range(vectors.shape[1])]\n"
                                            "    columns = {'label': labels, **dict(zip(names, vectors.T))}\n"
                                            "    return pd.DataFrame(columns)")],
    "wrong": [(function("as_table", _TABLE + "    return np.column_stack([vectors, labels])"), "NumPy array"),
              (function("as_table", _TABLE + "    return pd.DataFrame(vectors)"), "no column named 'label'"),
              (function("as_table", _TABLE + "    return pd.DataFrame({'vector': list(vectors), 'label': labels})"),
               "one list per row"),
              (function("as_table", _TABLE + "    return pd.DataFrame(vectors).reset_index().assign(label=labels)"),
               "an index column")],
}

# ============================================================================ 04 latent space

_PATH = "def interpolation_path(z_a, z_b, steps):\n"

TABLES["latent_space.q1"] = {
    "right": [function("interpolation_path", _PATH + "    t = np.linspace(0, 1, steps)[:, None]\n"
                                                     "    return (1 - t) * np.asarray(z_a) + t * np.asarray(z_b)"),
              function("interpolation_path", _PATH + "    return np.linspace(z_a, z_b, steps)"),
              function("interpolation_path", _PATH + "    return np.array([z_a + (z_b - z_a) * i / (steps - 1) "
                                                     "for i in range(steps)])")],
    "wrong": [(function("interpolation_path", _PATH + "    return np.linspace(z_b, z_a, steps)"), "backwards"),
              (function("interpolation_path", _PATH + "    return np.linspace(z_a, z_b, steps).T"), "in columns"),
              (function("interpolation_path", _PATH + "    t = np.arange(steps)[:, None] / steps\n"
                                                      "    return (1 - t) * z_a + t * z_b"), "one step short"),
              (function("interpolation_path", _PATH + "    return np.linspace(z_a, z_b, steps + 1)"),
               "should equal steps"),
              (function("interpolation_path", _PATH + "    return np.linspace(0, 1, steps)"), "one number per step")],
}

TABLES["latent_space.q2"] = {
    "right": [function("reconstruction_error", "def reconstruction_error(originals, reconstructions):\n"
                                               "    return float(np.mean((originals / 255 - reconstructions) ** 2))"),
              function("reconstruction_error", "def reconstruction_error(originals, reconstructions):\n"
                                               "    d = originals.astype(np.float64) / 255.0 - reconstructions\n"
                                               "    return (d ** 2).sum() / d.size")],
    "wrong": [(function("reconstruction_error", "def reconstruction_error(originals, reconstructions):\n"
                                                "    return float(np.mean((originals - reconstructions) ** 2))"),
               "Divide the originals by 255"),
              (function("reconstruction_error", "def reconstruction_error(originals, reconstructions):\n"
                                                "    return float(np.sum((originals / 255 - reconstructions) ** 2))"),
               "sum of the squared errors"),
              (function("reconstruction_error", "def reconstruction_error(originals, reconstructions):\n"
                                                "    return float(np.sqrt(np.mean((originals / 255 - "
                                                "reconstructions) ** 2)))"), "root"),
              (function("reconstruction_error", "def reconstruction_error(originals, reconstructions):\n"
                                                "    return float(np.mean(np.abs(originals / 255 - "
                                                "reconstructions)))"), "mean absolute error"),
              (function("reconstruction_error", "def reconstruction_error(originals, reconstructions):\n"
                                                "    return float(np.mean((originals - 255 * reconstructions) ** 2))"),
               "on the 0-255 scale")],
}


def _coder(encoder: str, decoder: str = "nn.Sequential(nn.Linear(8, 128), nn.ReLU(), nn.Linear(128, 784), "
                                          "nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))") -> Namespace:
    def build() -> dict[str, Any]:
        from torch import nn

        return {"encoder": eval(encoder, {"nn": nn}), "decoder": eval(decoder, {"nn": nn})}

    return build


TABLES["latent_space.q3"] = {
    "right": [_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 8))"),
              _coder("nn.Sequential(nn.Conv2d(1, 8, 3, stride=2, padding=1), nn.ReLU(), nn.Flatten(), "
                     "nn.Linear(8 * 14 * 14, 8))",
                     "nn.Sequential(nn.Linear(8, 8 * 14 * 14), nn.ReLU(), nn.Unflatten(1, (8, 14, 14)), "
                     "nn.ConvTranspose2d(8, 1, 4, stride=2, padding=1), nn.Sigmoid())"),
              _coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.Tanh(), nn.Linear(256, 64), nn.GELU(), "
                     "nn.Linear(64, 8))"),
              _coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.Dropout(0.2), nn.ReLU(), "
                     "nn.Linear(128, 8), nn.Tanh())")],
    "wrong": [(_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.Linear(128, 8))"), "no nonlinearity"),
              (_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 8), nn.ReLU())"), "in one layer"),
              (_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.Linear(128, 8), nn.ReLU())"),
               "no nonlinearity before its bottleneck layer"),
              (_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.Dropout(0.2), nn.Linear(128, 8), "
                      "nn.Tanh())"), "a ReLU or Tanh after the bottleneck"),
              (_coder("nn.Sequential(nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 8))"), "nn.Flatten()"),
              (_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 16))"),
               "should have 8"),
              (_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 8))",
                      "nn.Sequential(nn.Linear(8, 784), nn.Sigmoid())"), "nn.Unflatten"),
              (_coder("nn.Sequential(nn.Flatten(), nn.Linear(784, 128), nn.ReLU(), nn.Linear(128, 8))",
                      "nn.Sequential(nn.Linear(8, 784), nn.Unflatten(1, (1, 28, 28)))"), "nn.Sigmoid()")],
}

# ============================================================================ 05 representations

_BOW = "def bag_of_words(sentences, vocabulary):\n"

TABLES["representations.q1"] = {
    "right": [function("bag_of_words", _BOW + "    column = {w: j for j, w in enumerate(vocabulary)}\n"
                                              "    counts = np.zeros((len(sentences), len(vocabulary)))\n"
                                              "    for i, s in enumerate(sentences):\n"
                                              "        for w in s.lower().split():\n"
                                              "            if w in column:\n"
                                              "                counts[i, column[w]] += 1\n"
                                              "    return counts"),
              function("bag_of_words", _BOW + "    return np.array([[s.lower().split().count(w) for w in vocabulary] "
                                              "for s in sentences])")],
    "wrong": [(function("bag_of_words", _BOW + "    return np.array([[s.split().count(w) for w in vocabulary] "
                                               "for s in sentences])"), "Lower-case each sentence"),
              (function("bag_of_words", _BOW + "    return np.array([[int(w in s.lower().split()) for w in "
                                               "vocabulary] for s in sentences])"), "count how many times"),
              (function("bag_of_words", _BOW + "    return np.array([[s.lower().split().count(w) for s in "
                                               "sentences] for w in vocabulary])"), "swapped"),
              (function("bag_of_words", _BOW + "    column = {w: j for j, w in enumerate(vocabulary)}\n"
                                               "    counts = np.zeros((len(sentences), len(vocabulary)))\n"
                                               "    for i, s in enumerate(sentences):\n"
                                               "        for w in s.lower().split():\n"
                                               "            counts[i, column[w]] += 1\n"
                                               "    return counts"), "KeyError")],
}

_RECALL = ("def recall_at_k(X_high, X_low, k):\n"
           "    def near(X):\n"
           "        D = np.linalg.norm(X[:, None] - X[None], axis=-1)\n"
           "        SELF\n"
           "        return np.argsort(D, axis=1)[:, :TAKE]\n"
           "    a, b = near(X_high), near(X_low)\n"
           "    shared = sum(len(set(a[i]) & set(b[i])) for i in range(len(a)))\n"
           "    return RESULT\n")


def _recall(self_line: str = "np.fill_diagonal(D, np.inf)", take: str = "k",
            result: str = "shared / (len(a) * k)") -> Namespace:
    source = _RECALL.replace("SELF", self_line).replace("TAKE", take).replace("RESULT", result)
    return function("recall_at_k", source)


TABLES["representations.q2"] = {
    "right": [_recall(),
              _recall(self_line="pass", take="k + 1", result="(shared - len(a)) / (len(a) * k)"),
              function("recall_at_k", "def recall_at_k(X_high, X_low, k):\n"
                                      "    n = len(X_high)\n"
                                      "    total = 0.0\n"
                                      "    for i in range(n):\n"
                                      "        dh = np.linalg.norm(X_high - X_high[i], axis=1)\n"
                                      "        dl = np.linalg.norm(X_low - X_low[i], axis=1)\n"
                                      "        dh[i] = dl[i] = np.inf\n"
                                      "        total += len(set(np.argsort(dh)[:k]) & set(np.argsort(dl)[:k])) / k\n"
                                      "    return total / n")],
    "wrong": [(_recall(self_line="pass"), "its own neighbour"),
              (_recall(result="shared / (len(a) * len(a))"), "divided by the number of points"),
              (_recall(result="shared / len(a)"), "*number* of shared neighbours")],
}

def statements(answer: Any, only: tuple[str, ...] | None = None, **changes: tuple[float, float]) -> Namespace:
    """``q3_answer`` with notebook 05's example measurements: some spaces changed to (recall, k-NN), or
    ``only`` some of the spaces kept."""
    def build() -> dict[str, Any]:
        from helpers.exercise_sets.representations import EXAMPLE_MEASUREMENTS, solution_namespace

        names = {"cnn": "CNN embedding (64)", "ae16": "autoencoder (16)", "features": "hand-made features (21)"}
        measurements = {**EXAMPLE_MEASUREMENTS, **{names[k]: v for k, v in changes.items()}}
        if only is not None:
            measurements = {k: v for k, v in measurements.items() if k in only}
        return {"q3_answer": answer, **solution_namespace(measurements)}

    return build


TABLES["representations.q3"] = {
    "right": [statements(["a", "c", "e"]), statements("e c a"),
              statements(["a", "b", "c", "e"], ae16=(0.459, 0.85)),          # a run where the code does better
              statements(["a", "c", "d", "e"], only=("raw pixels (784)", "hand-made features (21)",
                                                     "CNN embedding (64)", "autoencoder (16)"),
                         cnn=(0.5, 0.862), ae16=(0.459, 0.70)),   # no counterexample in this table
              # 0.755 against 0.781: the intervals overlap, the paired test on the same images finds the difference
              statements(["a", "c", "e"], features=(0.125, 0.755))],
    "wrong": [(statements(["a", "b", "c", "e"]), "with 2,000 test images the two cannot be told apart"),
              (statements(["a", "c", "d", "e"]), "yet its k-NN accuracy is clearly lower"),
              (statements(["a", "c", "e"], features=(0.125, 0.77)), "(e) is not right: not supported"),
              (statements(["a", "c"]), "1 correct option is still missing"),
              (statements(["a", "b", "c", "e"], ae16=(0.459, 0.70)), "(b) is not right: not supported"),
              (lambda: {"q3_answer": ["a"]}, "run the cells of section 3 first")],
}

# ============================================================================ 06 the chapter's exercises


def _probes() -> dict[str, Any]:
    from helpers.exercise_sets.chapter_exercises import solution_namespace

    return solution_namespace()


def layers(answer: Any) -> Namespace:
    return lambda: {"useful_layers": answer, **_probes()}


TABLES["chapter_exercises.q1"] = {
    "right": [layers(["fc7"]), layers(["fc8"]), layers("conv5, fc6"), layers("fc6 and fc7"),
              layers(["conv5", "fc6", "fc7", "fc8"])],
    "wrong": [(layers(["conv1", "fc7"]), "conv1: k-NN accuracy 0.784"),
              (layers(list(("conv1", "conv2", "conv3", "conv4", "conv5", "fc6", "fc7", "fc8"))), "Leave out conv1, "
               "conv2, conv3"),
              # 0.843 against 0.865: the intervals overlap, the paired test on the same images finds the difference
              (layers(["conv4", "fc7"]), "clearly below the best layer, fc6"),
              (layers(["pixels"]), "not a layer"),
              (layers(["fc9"]), "not a layer of the network"),
              (lambda: {"useful_layers": ["fc7"]}, "run the cells of section 5 first")],
}
TABLES["chapter_exercises.q2"] = {
    "right": [value("q2_answer", ["a", "c", "e"]), value("q2_answer", "e, c, a"), value("q2_answer", "ace"),
              value("q2_answer", "A, C and E")],
    "wrong": [(value("q2_answer", ["b"]), "Backpropagation trains every layer"),
              (value("q2_answer", ["a", "c", "d", "e"]), "More numbers is not more meaning"),
              (value("q2_answer", ["a", "c", "e", "f"]), "flattening it"),
              (value("q2_answer", "a, c"), "1 correct option is still missing")],
}
TABLES["chapter_exercises.q3"] = {
    "right": [value("q3_answer", ["a", "b", "c", "f"]), value("q3_answer", "a b c d e f"),
              value("q3_answer", ["a", "b", "c", "d", "f", "i"])],
    "wrong": [(value("q3_answer", ["a", "b", "c", "f", "h"]), "learned word embeddings"),
              (value("q3_answer", ["a", "b", "c", "f", "g"]), "classic image embedding"),
              (value("q3_answer", ["a", "b", "c"]), "1 correct option is still missing"),
              (value("q3_answer", ["a", "b", "c", "j"]), "not one of the options")],
}
TABLES["chapter_exercises.q4"] = {
    "right": [value("q4_answer", {"a": 1, "b": 3, "c": 3, "f": 2}),
              value("q4_answer", {"(A)": 1, "b": 3, "c": 3, "f": 2}),
              value("q4_answer", {"a": np.int64(1), "b": 3.0, "c": np.array(3), "f": 2})],
    "wrong": [(value("q4_answer", {"a": 4, "b": 3, "c": 3, "f": 2}), "not the chapter's test"),
              (value("q4_answer", {"a": 6, "b": 3, "c": 3, "f": 2}), "sparsity is not the test"),
              (value("q4_answer", {"a": 1, "b": 5, "c": 3, "f": 2}), "size is not the test"),
              (value("q4_answer", {"a": 2, "b": 3, "c": 3, "f": 1}), "true of another representation"),
              (value("q4_answer", {"a": 1, "b": 3}), "Give a property for each of (c), (f) too"),
              (value("q4_answer", {"a": 1, "b": 3, "c": 3, "f": 2, "h": 1}), "is an embedding"),
              (value("q4_answer", [1, 3, 3, 2]), "should be a dict"),
              (value("q4_answer", {"a": 1, "b": 3, "c": 3, "f": 2, "d": 4}), "(d) raw pixels, property 4: how a "
               "representation was made is not the chapter's test"),
              (value("q4_answer", {"a": 1, "b": 3, "c": 3, "f": 2, "i": 5}), "(i) an autoencoder's code, property 5"),
              (value("q4_answer", {"a": 1, "b": 3, "c": 3, "f": 2, "e": 1}), "not true of hand-made features"),
              (value("q4_answer", {"a": 1.5, "b": 3, "c": 3, "f": 2}), "give one property number")],
}

# ============================================================================ the tables, checked


def _problems() -> dict[str, Any]:
    found = {}
    for info in pkgutil.iter_modules(helpers.exercise_sets.__path__):
        module = importlib.import_module(f"helpers.exercise_sets.{info.name}")
        for name, problem in module.PROBLEMS.items():
            found[f"{info.name}.{name}"] = problem
    return found


PROBLEMS = _problems()
RIGHT = [(key, i) for key in TABLES for i in range(len(TABLES[key]["right"]))]
WRONG = [(key, i) for key in TABLES for i in range(len(TABLES[key]["wrong"]))]


def test_every_exercise_has_a_table_with_two_right_and_three_wrong_answers():
    assert set(TABLES) == set(PROBLEMS), "exercises without a table, or tables without an exercise"
    for key, table in TABLES.items():
        assert len(table["right"]) >= 2, key
        assert len(table["wrong"]) >= 3, key
        assert len({text for _, text in table["wrong"]}) == len(table["wrong"]), f"{key}: repeated feedback"


@pytest.mark.parametrize("key,row", RIGHT, ids=[f"{k}-right{i}" for k, i in RIGHT])
def test_right_answers_are_accepted(key, row):
    result = PROBLEMS[key].evaluate(TABLES[key]["right"][row]())
    assert result.status == CORRECT, result.message


@pytest.mark.parametrize("key,row", WRONG, ids=[f"{k}-wrong{i}" for k, i in WRONG])
def test_wrong_answers_are_rejected_with_their_feedback(key, row):
    build, words = TABLES[key]["wrong"][row]
    result = PROBLEMS[key].evaluate(build())
    assert result.status == INCORRECT, result.message
    assert words.casefold() in result.message.casefold(), result.message
    assert "Traceback" not in result.message


# ============================================================================ hints

_COMMON = {"def", "return", "for", "in", "if", "import", "from", "np", "float", "int", "len", "range", "with",
           "as", "and", "or", "not", "try", "finally", "lambda", "torch", "nn", "helpers"}


def _solution_tokens(problem: Any) -> set[str]:
    code = "\n".join(line.split("#")[0] for line in problem.solution_code.splitlines())
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*|\d+", code))
    own = {getattr(problem, "var", None), getattr(problem, "func_name", None)}
    for params in re.findall(r"def \w+\(([^)]*)\)", code):   # the question names the parameters
        own |= {p.strip() for p in params.split(",")}
    return {t for t in tokens if len(t) > 1 and t not in _COMMON and t not in own}


@pytest.mark.parametrize("key", sorted(PROBLEMS))
def test_the_first_hint_never_gives_the_whole_solution(key):
    problem = PROBLEMS[key]
    first = problem.hints[0]
    for line in problem.solution_code.splitlines():
        line = line.split("#")[0].strip()
        assert len(line) < 20 or line not in first, f"{key}: hint 1 contains the solution line {line!r}"
    tokens = _solution_tokens(problem)
    if len(tokens) >= 4:
        covered = {t for t in tokens if re.search(rf"\b{re.escape(t)}\b", first)}
        assert len(covered) / len(tokens) < 0.5, f"{key}: hint 1 names {sorted(covered)} of {sorted(tokens)}"
    correct = getattr(problem, "correct_keys", None)
    if correct:
        listed = re.findall(r"\(([a-z])\)|[\"']([a-z])[\"']", first)
        named = {a or b for a, b in listed}
        assert not set(map(str, correct)) <= named, f"{key}: hint 1 lists the right options"
