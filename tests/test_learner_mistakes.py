"""The mistakes a learner makes with the course's helpers and explorers get one-line course messages.

Every row below calls a public helper or an explorer with a value a learner might type (a
float for a count, a string for a number, a name with a typo, an index out of range ...).
Each must raise a course error (:class:`helpers.validation.InvalidArgument`) from inside
``helpers/`` (not from NumPy, torch, scikit-learn or umap), with a message of one line
that names the argument; an explorer keeps the state it had before.
"""

from __future__ import annotations

import copy
import traceback
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import torch

import helpers
from helpers import (
    alexnet_training,
    autoencoder_training,
    cnn_training,
    data,
    latent_space,
    layer_probes,
    metrics,
    projections,
    training,
    validation,
)
from helpers import cache as course_cache
from helpers.models.alexnet import AlexNetLike
from helpers.models.autoencoder import Autoencoder
from helpers.models.cnn import SmallCNN

HELPERS = str(Path(helpers.__file__).resolve().parent)
NAN = float("nan")


# ----------------------------------------------------------------------------- what the mistakes are made with


@cache
def points(n=60, d=5):
    rng = np.random.default_rng(0)
    return rng.normal(size=(n, d)).astype(np.float32), np.arange(n) % 3


@cache
def glove():
    return data.load_glove()


@cache
def fashion():
    return data.load_fashion_mnist()


@cache
def images(n=12):
    rng = np.random.default_rng(1)
    return rng.integers(0, 256, size=(n, 28, 28)).astype(np.uint8)


@cache
def autoencoder():
    torch.manual_seed(0)
    return Autoencoder(latent_dim=2).eval()


@cache
def alexnet():
    torch.manual_seed(0)
    return AlexNetLike().eval()


@cache
def word_explorer():
    from helpers.widgets.words import WordExplorer

    return WordExplorer(glove(), words="king, queen", k=3)


@cache
def projection_explorer():
    from helpers.widgets.projection import ProjectionExplorer

    X, y = points()
    return ProjectionExplorer(X, y, images=images(60), spaces={"other": X[:, :3]}, method="umap")


@cache
def epoch_explorer():
    from helpers.widgets.training_evolution import EpochExplorer

    X, y = points()
    return EpochExplorer(np.stack([X, 2 * X, 3 * X]), y)


@cache
def latent_explorer():
    from helpers.widgets.latent import LatentExplorer

    Z = np.random.default_rng(2).normal(size=(40, 2)).astype(np.float32)
    return LatentExplorer(autoencoder(), Z, np.arange(40) % 4)


@cache
def interpolation_explorer():
    from helpers.widgets.interpolation import InterpolationExplorer

    return InterpolationExplorer(autoencoder(), images(), labels=np.arange(12) % 3, steps=5)


@cache
def onehot_explorer():
    from helpers.widgets.onehot import OneHotExplorer

    return OneHotExplorer(data.load_xkcd_colors(polite=True), size=6)


@cache
def structure_explorer():
    from helpers.widgets.structure import StructureExplorer

    X, y = points()
    return StructureExplorer({"same": (X, X), "reference": (X, None)}, y, k=5, k_range=(3, 20))


EXPLORERS = {"words": word_explorer, "projection": projection_explorer, "epochs": epoch_explorer,
             "latent": latent_explorer, "interpolation": interpolation_explorer, "onehot": onehot_explorer,
             "structure": structure_explorer}


def X():
    return points()[0]


def y():
    return points()[1]


def _words(**kw):
    from helpers.widgets.words import WordExplorer

    return WordExplorer(glove(), **kw)


def _projection(**kw):
    from helpers.widgets.projection import ProjectionExplorer

    args = {"X": X(), "labels": y(), **kw}
    return ProjectionExplorer(args.pop("X"), args.pop("labels"), **args)


def _files(vectors: str, metadata: str | None = None, **kw):
    """An explorer on a vectors.tsv (and metadata.tsv) with this text, as a learner saved them."""
    import tempfile

    from helpers.widgets.projection import ProjectionExplorer

    with tempfile.TemporaryDirectory(prefix="course-mistakes-") as name:
        folder = Path(name)
        (folder / "vectors.tsv").write_text(vectors, encoding="utf-8")
        if metadata is not None:
            (folder / "metadata.tsv").write_text(metadata, encoding="utf-8")
        return ProjectionExplorer.from_files(folder / "vectors.tsv", metadata and folder / "metadata.tsv", **kw)


_TSV = "".join(f"{i}\t{i % 3}\t{i / 2}\n" for i in range(20))


def _epochs(**kw):
    from helpers.widgets.training_evolution import EpochExplorer

    args = {"embeddings": np.stack([X(), 2 * X()]), "labels": y(), **kw}
    return EpochExplorer(args.pop("embeddings"), args.pop("labels"), **args)


def _latent(**kw):
    from helpers.widgets.latent import LatentExplorer

    args = {"Z": np.zeros((10, 2)) + np.arange(10)[:, None], **kw}
    return LatentExplorer(autoencoder(), args.pop("Z"), **args)


def _interpolation(**kw):
    from helpers.widgets.interpolation import InterpolationExplorer

    return InterpolationExplorer(autoencoder(), images(), **kw)


def _onehot(**kw):
    from helpers.widgets.onehot import OneHotExplorer

    args = {"colors": data.load_xkcd_colors(), **kw}
    return OneHotExplorer(args.pop("colors"), **args)


def _structure(**kw):
    from helpers.widgets.structure import StructureExplorer

    args = {"spaces": {"a": (X(), X())}, "k": 5, "k_range": (3, 20), **kw}
    return StructureExplorer(args.pop("spaces"), y(), **args)


def _fit(**kw):
    model = torch.nn.Linear(5, 3)
    inputs, targets = torch.from_numpy(X()), torch.from_numpy(y())
    args = {"loss_fn": torch.nn.functional.cross_entropy, "epochs": 1, "progress": False, **kw}
    return training.fit(model, inputs, targets, **args)


# ----------------------------------------------------------------------------- the mistakes
# (description, the argument the message must name, the call; explorer rows name the explorer)

HELPER_MISTAKES = [
    # the notebooks' settings
    ("DATASET with a dash", "DATASET", lambda: data.load_dataset("fashion-mnist")),
    ("DATASET as written on the website", "DATASET", lambda: data.load_dataset("Fashion-MNIST")),
    ("DATASET with a space", "DATASET", lambda: data.load_dataset("mnist ")),
    ("DATASET another dataset", "DATASET", lambda: data.load_dataset("cifar10")),
    ("DATASET empty", "DATASET", lambda: data.load_dataset("")),
    ("DATASET a number", "DATASET", lambda: data.load_dataset(1)),
    ("DATASET a list", "DATASET", lambda: data.load_dataset(["fashion"])),
    ("DATASET None", "DATASET", lambda: data.load_dataset(None)),
    ("MAP_POINTS too few for the maps", "MAP_POINTS", lambda: projections.map_subset(10, 3000)),
    ("MAP_POINTS a float", "MAP_POINTS", lambda: projections.map_subset(2000.5, 3000)),
    ("MAP_POINTS a whole float", "MAP_POINTS", lambda: projections.map_subset(2000.0, 3000)),
    ("MAP_POINTS in quotes", "MAP_POINTS", lambda: projections.map_subset("2000", 3000)),
    ("MAP_POINTS more than there are", "MAP_POINTS", lambda: projections.map_subset(5000, 3000)),
    ("MAP_POINTS negative", "MAP_POINTS", lambda: projections.map_subset(-1, 3000)),
    ("MAP_POINTS None", "MAP_POINTS", lambda: projections.map_subset(None, 3000)),
    ("MAP_POINTS a bool", "MAP_POINTS", lambda: projections.map_subset(True, 3000)),
    # data
    ("source of the images", "source", lambda: data.load_fashion_mnist(source="internet")),
    ("source of the digits", "source", lambda: data.load_mnist(source="download")),
    ("num_words zero", "num_words", lambda: data.load_glove(num_words=0)),
    ("num_words a float", "num_words", lambda: data.load_glove(num_words=100.5)),
    ("num_words in quotes", "num_words", lambda: data.load_glove(num_words="100")),
    ("num_words too many", "num_words", lambda: data.load_glove(num_words=10**7)),
    ("polite as a word", "polite", lambda: data.load_xkcd_colors(polite="yes")),
    # projections: the method and every parameter the course passes
    ("method unknown", "method", lambda: projections.project(X(), "mds")),
    ("method a number", "method", lambda: projections.project(X(), 2)),
    ("min_dist too large", "min_dist", lambda: projections.project(X(), "umap", min_dist=5)),
    ("min_dist negative", "min_dist", lambda: projections.project(X(), "umap", min_dist=-0.1)),
    ("min_dist in quotes", "min_dist", lambda: projections.project(X(), "umap", min_dist="0.1")),
    ("n_neighbors one", "n_neighbors", lambda: projections.project(X(), "umap", n_neighbors=1)),
    ("n_neighbors more than the points", "n_neighbors", lambda: projections.project(X(), "umap", n_neighbors=500)),
    ("n_neighbors a float", "n_neighbors", lambda: projections.project(X(), "umap", n_neighbors=15.5)),
    ("n_neighbors in quotes", "n_neighbors", lambda: projections.project(X(), "umap", n_neighbors="15")),
    ("perplexity zero", "perplexity", lambda: projections.project(X(), "tsne", perplexity=0)),
    ("perplexity too large", "perplexity", lambda: projections.project(X(), "tsne", perplexity=30)),
    ("perplexity in quotes", "perplexity", lambda: projections.project(X(), "tsne", perplexity="5")),
    ("perplexity None", "perplexity", lambda: projections.project(X(), "tsne", perplexity=None)),
    ("perplexity for PCA", "perplexity", lambda: projections.project(X(), "pca", perplexity=5)),
    ("max_iter too few", "max_iter", lambda: projections.project(X(), "tsne", perplexity=5, max_iter=10)),
    ("max_iter a float", "max_iter", lambda: projections.project(X(), "tsne", perplexity=5, max_iter=300.5)),
    ("learning_rate negative", "learning_rate", lambda: projections.project(X(), "tsne", learning_rate=-1)),
    ("learning_rate a word", "learning_rate", lambda: projections.project(X(), "tsne", learning_rate="fast")),
    ("t-SNE init unknown", "init", lambda: projections.project(X(), "tsne", init="spectral")),
    ("metric misspelt", "metric", lambda: projections.project(X(), "tsne", metric="euclidian")),
    ("early_exaggeration below one", "early_exaggeration",
     lambda: projections.project(X(), "tsne", early_exaggeration=0.5)),
    ("angle above one", "angle", lambda: projections.project(X(), "tsne", angle=2)),
    ("spread zero", "spread", lambda: projections.project(X(), "umap", spread=0)),
    ("n_epochs negative", "n_epochs", lambda: projections.project(X(), "umap", n_epochs=-1)),
    ("negative_sample_rate zero", "negative_sample_rate",
     lambda: projections.project(X(), "umap", negative_sample_rate=0)),
    ("set_op_mix_ratio above one", "set_op_mix_ratio", lambda: projections.project(X(), "umap", set_op_mix_ratio=2)),
    ("repulsion_strength zero", "repulsion_strength", lambda: projections.project(X(), "umap", repulsion_strength=0)),
    ("local_connectivity zero", "local_connectivity", lambda: projections.project(X(), "umap", local_connectivity=0)),
    ("UMAP init misspelt", "init", lambda: projections.project(X(), "umap", init="spectal")),
    ("UMAP learning_rate zero", "learning_rate", lambda: projections.project(X(), "umap", learning_rate=0)),
    ("whiten as a word", "whiten", lambda: projections.project(X(), "pca", whiten="no")),
    ("svd_solver unknown", "svd_solver", lambda: projections.project(X(), "pca", svd_solver="quick")),
    ("n_neighbours spelt the British way", "n_neighbours", lambda: projections.project(X(), "umap", n_neighbours=5)),
    ("n_components zero", "n_components", lambda: projections.project(X(), n_components=0)),
    ("n_components more than the columns", "n_components", lambda: projections.project(X(), n_components=9)),
    ("n_components a float", "n_components", lambda: projections.project(X(), n_components=2.0)),
    ("random_state negative", "random_state", lambda: projections.project(X(), random_state=-1)),
    ("random_state a float", "random_state", lambda: projections.project(X(), random_state=1.5)),
    ("cache as a word", "cache", lambda: projections.project(X(), cache="no")),
    ("verbose as a number", "verbose", lambda: projections.project(X(), verbose=1)),
    ("on_progress not a function", "on_progress", lambda: projections.project(X(), on_progress="print")),
    ("X a string", "X", lambda: projections.project("abc")),
    ("X two points", "X", lambda: projections.project(np.ones((2, 3)))),
    ("X one vector", "X", lambda: projections.project(np.ones(5))),
    ("X with NaN", "X", lambda: projections.project(np.where(np.eye(6, 3) > 0, NAN, 1.0))),
    ("X ragged", "X", lambda: projections.project([[1, 2], [3]])),
    ("X images not flattened", "X", lambda: projections.project(np.zeros((5, 8, 8)))),
    ("align shapes differ", "reference", lambda: projections.align(np.ones((5, 2)), np.ones((4, 2)))),
    # metrics
    ("query row out of range", "query", lambda: metrics.nearest_neighbors(X(), 100)),
    ("query a float", "query", lambda: metrics.nearest_neighbors(X(), 1.5)),
    ("query a word", "query", lambda: metrics.nearest_neighbors(X(), "king")),
    ("query of the wrong length", "query", lambda: metrics.nearest_neighbors(X(), [1.0, 2.0])),
    ("k zero", "k", lambda: metrics.nearest_neighbors(X(), 0, k=0)),
    ("k a float", "k", lambda: metrics.nearest_neighbors(X(), 0, k=1.5)),
    ("k more than the rows", "k", lambda: metrics.nearest_neighbors(X(), 0, k=100)),
    ("metric unknown", "metric", lambda: metrics.nearest_neighbors(X(), 0, metric="manhattan")),
    ("exclude one number", "exclude", lambda: metrics.nearest_neighbors(X(), 0, exclude=3)),
    ("exclude out of range", "exclude", lambda: metrics.nearest_neighbors(X(), 0, exclude=[99])),
    ("knn k in quotes", "k", lambda: metrics.knn_accuracy(X(), y(), k="10")),
    ("knn k too many", "k", lambda: metrics.knn_accuracy(X(), y(), k=1000)),
    ("knn labels one short", "y_train", lambda: metrics.knn_accuracy(X(), y()[:-1])),
    ("knn test vectors without labels", "X_test", lambda: metrics.knn_accuracy(X(), y(), X())),
    ("knn test vectors of another width", "X_test", lambda: metrics.knn_accuracy(X(), y(), X()[:, :2], y())),
    ("knn cache as a word", "cache", lambda: metrics.knn_accuracy(X(), y(), cache="yes")),
    ("knn_indices k zero", "k", lambda: metrics.knn_indices(X(), 0)),
    ("trustworthiness k half the points", "k", lambda: metrics.trustworthiness(X(), X()[:, :2], k=30)),
    ("trustworthiness sample zero", "sample", lambda: metrics.trustworthiness(X(), X()[:, :2], k=5, sample=0)),
    ("trustworthiness sample a float", "sample", lambda: metrics.trustworthiness(X(), X()[:, :2], k=5, sample=1.5)),
    ("trustworthiness random_state a word", "random_state",
     lambda: metrics.trustworthiness(X(), X()[:, :2], k=5, sample=10, random_state="a")),
    ("recall maps of other points", "X_high", lambda: metrics.neighbourhood_recall(X(), X()[:-1, :2])),
    ("recall k too many", "k", lambda: metrics.neighbourhood_recall(X(), X()[:, :2], k=100)),
    ("probe C zero", "C", lambda: metrics.linear_probe(X(), y(), X(), y(), C=0)),
    ("probe tol negative", "tol", lambda: metrics.linear_probe(X(), y(), X(), y(), tol=-1)),
    ("probe max_iter zero", "max_iter", lambda: metrics.linear_probe(X(), y(), X(), y(), max_iter=0)),
    ("probe one class", "y_train", lambda: metrics.linear_probe(X(), np.zeros(60), X(), y())),
    ("cosine of vectors of two lengths", "a and b", lambda: metrics.cosine_similarity([1, 2], [1, 2, 3])),
    ("cosine of the zero vector", "a", lambda: metrics.cosine_similarity([0, 0], [1, 1])),
    ("cosine of words", "a", lambda: metrics.cosine_similarity("king", "queen")),
    ("cosine matrix of a vector", "A", lambda: metrics.cosine_similarity_matrix(np.ones(3))),
    # latent spaces
    ("steps one", "steps", lambda: latent_space.interpolate([0, 0], [1, 1], steps=1)),
    ("steps a float", "steps", lambda: latent_space.interpolate([0, 0], [1, 1], steps=2.5)),
    ("steps in quotes", "steps", lambda: latent_space.interpolate([0, 0], [1, 1], steps="8")),
    ("end points of two sizes", "z_a and z_b", lambda: latent_space.interpolate([0, 0], [1, 1, 1])),
    ("end point with NaN", "z_b", lambda: latent_space.interpolate([0, 0], [NAN, 1])),
    ("decode three numbers for a 2-D code", "Z", lambda: latent_space.decode_points(autoencoder(), [1, 2, 3])),
    ("decode words", "Z", lambda: latent_space.decode_points(autoencoder(), "ab")),
    ("decode with a model that is not one", "model", lambda: latent_space.decode_points("net", [1, 2])),
    ("encode images of the wrong size", "images",
     lambda: latent_space.encode_images(autoencoder(), np.zeros((2, 27, 27)))),
    ("reconstruct a single image", "images", lambda: latent_space.reconstruct(autoencoder(), np.zeros((28, 28, 1, 1)))),
    ("quantile above a half", "quantile", lambda: latent_space.latent_extent(np.ones((5, 2)), quantile=0.6)),
    ("margin negative", "margin", lambda: latent_space.latent_extent(np.ones((5, 2)), margin=-1)),
    ("extent of 3-D codes", "Z", lambda: latent_space.latent_extent(np.ones((5, 3)))),
    ("lattice of one", "n", lambda: latent_space.lattice((0, 1), (0, 1), 1)),
    ("lattice range reversed", "xlim", lambda: latent_space.lattice((1, 0), (0, 1), 5)),
    ("lattice range a word", "xlim", lambda: latent_space.lattice("ab", (0, 1), 5)),
    ("grid_extent n a float", "n", lambda: latent_space.grid_extent((0, 1), (0, 1), 1.5)),
    ("latent_grid n zero", "n", lambda: latent_space.latent_grid(autoencoder(), (0, 1), (0, 1), 0)),
    ("PCA with no components", "n_components", lambda: latent_space.pca_reconstruct(images(), images(), 0)),
    ("PCA with too many components", "n_components", lambda: latent_space.pca_reconstruct(images(), images(), 10**6)),
    ("errors of unequal sets", "originals and reconstructions",
     lambda: latent_space.per_image_mse(images(), images()[:5])),
    ("split apart top zero", "top", lambda: latent_space.neighbours_split_apart(images(), np.ones((12, 2)), top=0)),
    ("split apart codes one short", "Z", lambda: latent_space.neighbours_split_apart(images(), np.ones((11, 2)))),
    ("blend steps one", "steps", lambda: latent_space.pixel_blend(images()[0], images()[1], steps=1)),
    ("autoencoder of a name", "dataset",
     lambda: autoencoder_training.train_or_load_autoencoder("fashion", latent_dim=2)),
    ("latent_dim zero", "latent_dim", lambda: autoencoder_training.train_or_load_autoencoder(fashion(), latent_dim=0)),
    ("latent_dim a float", "latent_dim",
     lambda: autoencoder_training.train_or_load_autoencoder(fashion(), latent_dim=2.5)),
    ("autoencoder epochs negative", "epochs",
     lambda: autoencoder_training.train_or_load_autoencoder(fashion(), latent_dim=2, epochs=-1)),
    ("autoencoder loss unknown", "loss",
     lambda: autoencoder_training.train_or_load_autoencoder(fashion(), latent_dim=2, loss="l1")),
    ("autoencoder lr zero", "lr",
     lambda: autoencoder_training.train_or_load_autoencoder(fashion(), latent_dim=2, lr=0)),
    ("autoencoder hidden zero", "hidden",
     lambda: autoencoder_training.train_or_load_autoencoder(fashion(), latent_dim=2, hidden=[64, 0])),
    ("autoencoder batch_size zero", "batch_size",
     lambda: autoencoder_training.train_or_load_autoencoder(fashion(), latent_dim=2, batch_size=0)),
    # training and trained models
    ("CNN of a name", "dataset", lambda: cnn_training.train_or_load_cnn("fashion")),
    ("CNN epochs zero", "epochs", lambda: cnn_training.train_or_load_cnn(fashion(), epochs=0)),
    ("CNN epochs a float", "epochs", lambda: cnn_training.train_or_load_cnn(fashion(), epochs=2.5)),
    ("CNN embedding_dim zero", "embedding_dim", lambda: cnn_training.train_or_load_cnn(fashion(), embedding_dim=0)),
    ("CNN seed negative", "seed", lambda: cnn_training.train_or_load_cnn(fashion(), seed=-1)),
    ("CNN capture_epochs a word", "capture_epochs",
     lambda: cnn_training.train_or_load_cnn(fashion(), capture_epochs="y")),
    ("CNN dropout one", "dropout", lambda: cnn_training.train_or_load_cnn(fashion(), dropout=1.0)),
    ("CNN lr negative", "lr", lambda: cnn_training.train_or_load_cnn(fashion(), lr=-1)),
    ("CNN batch_size zero", "batch_size", lambda: cnn_training.train_or_load_cnn(fashion(), batch_size=0)),
    ("CNN capture_count zero", "capture_count", lambda: cnn_training.train_or_load_cnn(fashion(), capture_count=0)),
    ("CNN one channel count", "channels", lambda: cnn_training.train_or_load_cnn(fashion(), channels=(16,))),
    ("embed with batch_size zero", "batch_size",
     lambda: cnn_training.embed_images(SmallCNN(), images(), batch_size=0)),
    ("embed with a name for a model", "model", lambda: cnn_training.embed_images("cnn", images())),
    ("device unknown", "prefer", lambda: training.choose_device("gpu")),
    ("seed negative", "seed", lambda: training.seed_everything(-1)),
    ("seed a float", "seed", lambda: training.seed_everything(1.5)),
    ("threads zero", "count", lambda: training.torch_threads(0).__enter__()),
    ("fit epochs negative", "epochs", lambda: _fit(epochs=-1)),
    ("fit lr zero", "lr", lambda: _fit(lr=0)),
    ("fit batch_size zero", "batch_size", lambda: _fit(batch_size=0)),
    ("fit loss_fn a number", "loss_fn", lambda: _fit(loss_fn=3)),
    ("fit weight_decay negative", "weight_decay", lambda: _fit(weight_decay=-1)),
    ("fit progress a word", "progress", lambda: _fit(progress="yes")),
    ("batches of size zero", "batch_size", lambda: list(training.iterate_batches(torch.ones(4), batch_size=0))),
    ("images as a list", "x", lambda: training.as_tensor_images([1, 2])),
    ("cache key with spaces", "name", lambda: training.cache_key("my model!", {})),
    ("cache key config a list", "config", lambda: training.cache_key("cnn", [1])),
    ("AlexNet epochs zero", "epochs", lambda: alexnet_training.train_or_load_alexnet(fashion(), epochs=0)),
    ("AlexNet lr zero", "lr", lambda: alexnet_training.train_or_load_alexnet(fashion(), epochs=1, lr=0)),
    ("AlexNet of a name", "dataset", lambda: alexnet_training.train_or_load_alexnet("fashion", epochs=1)),
    ("probe an unknown layer", "layers", lambda: layer_probes.probe_layers(alexnet(), images(), np.arange(12) % 2,
                                                                     images(), np.arange(12) % 2, ["fc9"])),
    ("probe k zero", "k", lambda: layer_probes.probe_layers(alexnet(), images(), np.arange(12) % 2, images(),
                                                      np.arange(12) % 2, ["fc7"], k=0)),
    ("probe k too many", "k", lambda: layer_probes.probe_layers(alexnet(), images(), np.arange(12) % 2, images(),
                                                          np.arange(12) % 2, ["fc7"], k=100)),
    ("probe labels of floats", "y_train", lambda: layer_probes.probe_layers(alexnet(), images(), np.zeros(12), images(),
                                                                      np.arange(12) % 2, ["fc7"])),
    ("remember without a dict of arrays", "arrays", lambda: course_cache.remembered("s", [1], {}, lambda: 1.0)),
    ("remember without a function", "compute", lambda: course_cache.remembered("s", {}, {}, 1.0)),
    ("autoencoder latent_dim zero", "latent_dim", lambda: Autoencoder(latent_dim=0)),
    ("CNN channels of one", "channels", lambda: SmallCNN(channels=(16,))),
    ("AlexNet one class", "num_classes", lambda: AlexNetLike(num_classes=1)),
    ("AlexNet dropout one", "dropout", lambda: AlexNetLike(dropout=1)),
]

EXPLORER_CONSTRUCTION_MISTAKES = [
    ("words empty", "words", lambda: _words(words=[])),
    ("words all unknown", "words", lambda: _words(words=["qwertyuiop"])),
    ("words a number", "words", lambda: _words(words=5)),
    ("words with a number in", "words", lambda: _words(words=["king", 3])),
    ("words k too many", "k", lambda: _words(k=50)),
    ("words k negative", "k", lambda: _words(k=-1)),
    ("words k a float", "k", lambda: _words(k=2.5)),
    ("words method unknown", "method", lambda: _words(method="lda")),
    ("words max_words zero", "max_words", lambda: _words(max_words=0)),
    ("words groups empty", "groups", lambda: _words(groups={})),
    ("words of a dict", "vectors", lambda: __import__("helpers.widgets.words").widgets.words.WordExplorer({})),
    ("map k zero", "k", lambda: _projection(k=0)),
    ("map k too many", "k", lambda: _projection(k=100)),
    ("map k a float", "k", lambda: _projection(k=2.5)),
    ("map method unknown", "method", lambda: _projection(method="lle")),
    ("map perplexity too large", "perplexity", lambda: _projection(method="tsne", params={"perplexity": 100})),
    ("map n_neighbors one", "n_neighbors", lambda: _projection(method="umap", params={"n_neighbors": 1})),
    ("map min_dist too large", "min_dist", lambda: _projection(method="umap", params={"min_dist": 5})),
    ("map min_dist a word", "min_dist", lambda: _projection(method="umap", params={"min_dist": "a"})),
    ("map metric unknown", "metric", lambda: _projection(metric="manhattan")),
    ("map point_size zero", "point_size", lambda: _projection(point_size=0)),
    ("map trust_k zero", "trust_k", lambda: _projection(trust_k=0)),
    ("map random_state negative", "random_state", lambda: _projection(random_state=-1)),
    ("map color_by_class a word", "color_by_class", lambda: _projection(color_by_class="yes")),
    ("map labels one short", "labels", lambda: _projection(labels=y()[:-1])),
    ("map file a ragged line", "line 3 of", lambda: _files(_TSV.replace("2\t2\t1.0", "2\t2"))),
    ("map file a word for a number", "line 5 of", lambda: _files(_TSV.replace("4\t1\t2.0", "4\tone\t2.0"))),
    ("map file a header line", "header", lambda: _files("a\tb\tc\n" + _TSV)),
    ("map file commas", "tabs, not commas", lambda: _files(_TSV.replace("\t", ","))),
    ("map file empty", "vectors.tsv", lambda: _files("")),
    ("map file missing", "vectors", lambda: __import__("helpers.widgets.projection").widgets.projection
     .ProjectionExplorer.from_files("no_such_folder/vectors.tsv")),
    ("map metadata one row short", "metadata.tsv", lambda: _files(_TSV, "index\tlabel\n" + "0\ta\n" * 19)),
    ("map metadata no such column", "labels", lambda: _files(_TSV, "index\tclass\n" + "0\ta\n" * 20)),
    ("map table a text column", "X['name']", lambda: _projection(
        X=__import__("pandas").DataFrame(X()).assign(name="x"), labels=y())),
    ("map table no such column", "labels", lambda: _projection(X=__import__("pandas").DataFrame(X()), labels="lable")),
    ("map images one short", "images", lambda: _projection(images=images(59))),
    ("map spaces a list", "spaces", lambda: _projection(spaces=[X()])),
    ("map name empty", "name", lambda: _projection(name="")),
    ("map too few points", "X", lambda: _projection(X=X()[:3], labels=y()[:3])),
    ("epochs method unknown", "method", lambda: _epochs(method="lle")),
    ("epochs perplexity too large", "perplexity", lambda: _epochs(method="tsne", params={"perplexity": 1000})),
    ("epochs scores of the wrong length", "scores", lambda: _epochs(scores={"acc": [1, 2, 3]})),
    ("epochs epoch_numbers of the wrong length", "epoch_numbers", lambda: _epochs(epoch_numbers=[0])),
    ("latent grid_size one", "grid_size", lambda: _latent(grid_size=1)),
    ("latent max_points zero", "max_points", lambda: _latent(max_points=0)),
    ("latent start of one number", "start", lambda: _latent(start=[1])),
    ("latent codes of three numbers", "Z", lambda: _latent(Z=np.ones((10, 3)))),
    ("latent labels one short", "labels", lambda: _latent(labels=np.zeros(9, dtype=int))),
    ("walk pair out of range", "pair", lambda: _interpolation(pair=(0, 999))),
    ("walk pair of one", "pair", lambda: _interpolation(pair=3)),
    ("walk steps too many", "steps", lambda: _interpolation(steps=100)),
    ("one-hot max_size one", "max_size", lambda: _onehot(max_size=1)),
    ("one-hot colors a word", "colors", lambda: _onehot(colors="red")),
    ("one-hot size a float", "size", lambda: _onehot(size=4.5)),
    ("structure k out of range", "k", lambda: _structure(k=1000)),
    ("structure k_range from zero", "k_range", lambda: _structure(k_range=(0, 5))),
    ("structure reference a number", "reference", lambda: _structure(reference=3)),
    ("structure spaces a list", "spaces", lambda: _structure(spaces=[X()])),
]

EXPLORER_MISTAKES = [
    ("words", "set_words empty", "words", lambda e: e.set_words([])),
    ("words", "set_words all unknown", "words", lambda e: e.set_words("zzzq, qqqqx")),
    ("words", "set_words with a number", "words", lambda e: e.set_words(["king", 3])),
    ("words", "set_words a number", "words", lambda e: e.set_words(42)),
    ("words", "set_k too many", "k", lambda e: e.set_k(21)),
    ("words", "set_k in quotes", "k", lambda e: e.set_k("5")),
    ("words", "set_method unknown", "method", lambda e: e.set_method("isomap")),
    ("words", "set_group unknown", "name", lambda e: e.set_group("planets")),
    ("words", "neighbours of an unknown word", "word", lambda e: e.neighbours("qqqqz")),
    ("projection", "select negative", "index", lambda e: e.select(-1)),
    ("projection", "select beyond the points", "index", lambda e: e.select(5000)),
    ("projection", "select a float", "index", lambda e: e.select(1.5)),
    ("projection", "select in quotes", "index", lambda e: e.select("3")),
    ("projection", "set_k zero", "k", lambda e: e.set_k(0)),
    ("projection", "set_k too many", "k", lambda e: e.set_k(1000)),
    ("projection", "set_space unknown", "space", lambda e: e.set_space("pixels")),
    ("projection", "set_method unknown", "method", lambda e: e.set_method("lle")),
    ("projection", "set_method perplexity too large", "perplexity", lambda e: e.set_method("tsne", perplexity=1000)),
    ("projection", "set_method min_dist too large", "min_dist", lambda e: e.set_method("umap", min_dist=5)),
    ("projection", "set_method n_neighbors zero", "n_neighbors", lambda e: e.set_method("umap", n_neighbors=0)),
    ("projection", "set_params for another method", "perplexity", lambda e: e.set_params(perplexity=10)),
    ("projection", "set_params min_dist a word", "min_dist", lambda e: e.set_params(min_dist="x")),
    ("projection", "set_point_size negative", "point_size", lambda e: e.set_point_size(-1)),
    ("projection", "set_point_size a word", "point_size", lambda e: e.set_point_size("big")),
    ("projection", "set_color_by_class a word", "on", lambda e: e.set_color_by_class("no")),
    ("projection", "map_neighbors negative", "index", lambda e: e.map_neighbors(-5)),
    ("projection", "export to a number", "folder", lambda e: e.export(3)),
    ("epochs", "set_epoch beyond the epochs", "position", lambda e: e.set_epoch(10)),
    ("epochs", "set_epoch negative", "position", lambda e: e.set_epoch(-1)),
    ("epochs", "set_epoch a float", "position", lambda e: e.set_epoch(1.5)),
    ("epochs", "small_multiples beyond the epochs", "positions", lambda e: e.small_multiples([0, 99])),
    ("latent", "move_to three numbers", "z", lambda e: e.move_to([1, 2, 3])),
    ("latent", "move_to a word", "z", lambda e: e.move_to("ab")),
    ("latent", "move_to NaN", "z", lambda e: e.move_to([NAN, 0])),
    ("latent", "nearest_training_point one number", "z", lambda e: e.nearest_training_point([1])),
    ("latent", "show_grid a word", "visible", lambda e: e.show_grid("yes")),
    ("interpolation", "select_pair negative", "i", lambda e: e.select_pair(-1, 2)),
    ("interpolation", "select_pair beyond the images", "j", lambda e: e.select_pair(0, 10**6)),
    ("interpolation", "select_pair a float", "i", lambda e: e.select_pair(1.5, 2)),
    ("interpolation", "set_steps one", "steps", lambda e: e.set_steps(1)),
    ("interpolation", "set_steps too many", "steps", lambda e: e.set_steps(31)),
    ("interpolation", "set_steps in quotes", "steps", lambda e: e.set_steps("9")),
    ("interpolation", "pick_at a word", "x", lambda e: e.pick_at("a", 0)),
    ("interpolation", "pick_at NaN", "y", lambda e: e.pick_at(0, NAN)),
    ("onehot", "set_size one", "size", lambda e: e.set_size(1)),
    ("onehot", "set_size too many", "size", lambda e: e.set_size(100)),
    ("onehot", "set_size in quotes", "size", lambda e: e.set_size("3")),
    ("onehot", "set_representation unknown", "representation", lambda e: e.set_representation("bits")),
    ("onehot", "select beyond the colours", "index", lambda e: e.select(99)),
    ("onehot", "select negative", "index", lambda e: e.select(-1)),
    ("structure", "set_k below the range", "k", lambda e: e.set_k(1)),
    ("structure", "set_k above the range", "k", lambda e: e.set_k(100)),
    ("structure", "set_spaces empty", "names", lambda e: e.set_spaces([])),
    ("structure", "set_spaces unknown", "names", lambda e: e.set_spaces(["nope"])),
    ("structure", "space_scores unknown", "name", lambda e: e.space_scores("nope")),
    ("structure", "add_scores of an unknown space", "scores", lambda e: e.add_scores(5, {"nope": {}})),
    ("structure", "add_scores k out of range", "k", lambda e: e.add_scores(1, {})),
]


def test_there_are_at_least_150_mistakes():
    assert len(HELPER_MISTAKES) + len(EXPLORER_CONSTRUCTION_MISTAKES) + len(EXPLORER_MISTAKES) >= 150


# ----------------------------------------------------------------------------- the checks


def _course_message(call, name: str) -> str:
    with pytest.raises(validation.InvalidArgument) as info:
        call()
    message = str(info.value)
    assert "\n" not in message, message
    assert name in message, f"{message!r} does not name {name!r}"
    where = traceback.extract_tb(info.value.__traceback__)[-1].filename
    assert str(Path(where).resolve()).startswith(HELPERS), f"raised from {where}, not from helpers/"
    assert len(info.value._render_traceback_()) == 1
    return message


@pytest.mark.parametrize("name,call", [(name, call) for _, name, call in HELPER_MISTAKES],
                         ids=[what for what, _, _ in HELPER_MISTAKES])
def test_a_helper_answers_a_mistake_with_a_course_message(name, call):
    _course_message(call, name)


@pytest.mark.parametrize("name,call", [(name, call) for _, name, call in EXPLORER_CONSTRUCTION_MISTAKES],
                         ids=[what for what, _, _ in EXPLORER_CONSTRUCTION_MISTAKES])
def test_an_explorer_refuses_a_bad_setting_with_a_course_message(name, call):
    _course_message(call, name)


def _plain(value) -> bool:
    """Numbers, strings, arrays and containers of them: the state an explorer keeps (not its artists)."""
    if isinstance(value, (int, float, str, bool, type(None), np.ndarray, np.generic)):
        return True
    if isinstance(value, (list, tuple)):
        return all(_plain(item) for item in value)
    if isinstance(value, dict):
        return all(_plain(k) and _plain(v) for k, v in value.items())
    return False


def _state(explorer) -> dict:
    return {key: copy.deepcopy(value) for key, value in vars(explorer).items() if _plain(value)}


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and np.array_equal(a, b, equal_nan=True)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, z) for x, z in zip(a, b))
    return a == b


@pytest.mark.parametrize("explorer,name,call", [(e, name, call) for e, _, name, call in EXPLORER_MISTAKES],
                         ids=[f"{e}: {what}" for e, what, _, _ in EXPLORER_MISTAKES])
def test_an_explorer_answers_a_mistake_and_keeps_its_state(explorer, name, call):
    target = EXPLORERS[explorer]()
    before = _state(target)
    _course_message(lambda: call(target), name)
    after = _state(target)
    changed = [key for key in before if not _same(before[key], after.get(key))]
    assert changed == [], f"a refused change altered {changed}"


def test_the_word_explorer_reads_typed_text_and_its_text_box_shows_mistakes():
    explorer = _words(words="king, queen")
    assert explorer.words == ["king", "queen"]
    explorer.widget()
    explorer._text.value = "qqqqz, zzzzq"
    assert explorer.words == ["king", "queen"] and "qqqqz" in explorer._status.value
