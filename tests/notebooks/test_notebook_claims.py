"""Every qualitative claim the notebooks' prose makes, checked against their own results, on both datasets.

Sentences that depend on a measurement are either built from it in the notebook
(``helpers.claims``) or asserted here. The values come from the session's one run of each notebook in
the main kernel (with ``DATASET = "mnist"`` as well where it offers the switch), the same run that
tests/notebooks/test_notebooks.py checks (tests/notebooks/notebook_runs.py): it shares the session's course
cache with the other notebook runs, so no model is trained twice and the MNIST runs of notebooks 04 and 05 reuse what 03
trained; a cell appended to each run collects the values the claims are about (``VALUES`` there). The
executed copies and their values are kept under ``tests/artifacts/executed/claims/`` and reused while the
notebooks, the helpers and the data are unchanged.

A claim that becomes false fails here: change a notebook so that its prose no longer holds
and this test names the sentence.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import REPO_ROOT
from notebook_runs import VALUES, claim_values

from helpers.metrics import compare_accuracies

pytestmark = pytest.mark.notebooks

NOTEBOOKS = REPO_ROOT / "notebooks"

#: Notebooks that offer ``DATASET = "mnist"``: their claims must hold on digits too.
BOTH_DATASETS = ("03_image_embeddings", "04_latent_space", "05_representations")
RUNS = [(name, "fashion") for name in VALUES] + [(name, "mnist") for name in BOTH_DATASETS]


@pytest.fixture(scope="session")
def claims_cache(course_cache) -> Path:
    """The session's one course cache, shared with the other notebook runs: each model is trained once."""
    return course_cache


def clearly(right_a: list[bool], right_b: list[bool]) -> int:
    """1 / -1 when McNemar's test on the same items finds ``a`` right more / less often than ``b``, else 0."""
    return compare_accuracies(np.array(right_a), np.array(right_b))


@pytest.mark.parametrize(("name", "dataset"), RUNS, ids=[f"{n}-{d}" for n, d in RUNS])
def test_figures_pass_the_figure_check(name, dataset, claims_cache):
    """tests/figure_check.py on every figure of the run, on MNIST as well as on Fashion-MNIST."""
    problems = claim_values(name, dataset, claims_cache)["figure_problems"]
    assert not problems, f"{len(problems)} figure problems in {name} on {dataset}:\n" + "\n".join(problems)


# ============================================================================ 01 one-hot encoding


def test_01_one_hot_and_rgb_neighbours(claims_cache):
    v = claim_values("01_one_hot_encoding", "fashion", claims_cache)
    # "matplotlib ships the 949 colour names"; the table's "(949, 400,000 ...)"
    assert v["names"] == 949
    # "one-hot: every pair is √2 ≈ 1.41 apart"; "every other colour ties as the nearest"
    assert v["one_hot_all_sqrt2"]
    assert all(text.startswith("all 5 others tie") for text in v["one_hot_nearest"].values())
    # "red, orange and yellow are each other's nearest, and blue's nearest is purple. Green's nearest is purple too"
    nearest = v["rgb_nearest"]
    assert nearest["red"] == "orange" and nearest["orange"] == "yellow" and nearest["yellow"] == "orange"
    assert nearest["blue"] == "purple" and nearest["green"] == "purple"
    # "scikit-learn's `OneHotEncoder` returns [a sparse format that keeps only where the 1s are] by default"
    sparse = v["sparse"]
    assert sparse["is_sparse"] and sparse["shape"] == [949, 949] and sparse["nnz"] == 949
    assert sparse["stored"] < sparse["dense"] / 100


# ============================================================================ 02 embedding layers


def test_02_embedding_layers(claims_cache):
    v = claim_values("02_embedding_layers", "fashion", claims_cache)
    # "Let us check that this is exactly what multiplying the one-hot vector of i by W gives"
    assert v["lookup_equals_matmul"]
    # "With a realistic vocabulary the difference is large"; "Same result, very different cost"
    assert v["matmul_s"] > 5 * v["lookup_s"]
    # "A ratio below 1 means ...": the learned colour words keep similar colours close (summary)
    assert v["colour_ratio"] < 0.75
    # "king − man + woman lands near queen" (and the summary's "≈ queen")
    assert v["queen_rank"] == 1
    # "Here are seven groups of words"; t-SNE and UMAP "are built to keep each word's neighbours nearby"
    assert v["groups"] == 7
    right = v["group_right"]
    assert clearly(right["t-SNE"], right["PCA"]) >= 0
    assert clearly(right["UMAP"], right["PCA"]) >= 0
    # "The untrained tables score ... : their nearest words are no closer in colour than random words ... Training
    # brings the table below every untrained one after N epochs; it ends at ..." (the same run as the trained net)
    untrained, ratio_at = v["untrained_ratios"], {int(e): r for e, r in v["ratio_at"].items()}
    assert 0.9 < min(untrained) and max(untrained) < 1.1 and abs(ratio_at[0] - 1) < 0.1
    # (and exercise 4: (a) false, (b) true, (c) "one epoch is enough" false)
    assert v["passing"] and min(v["passing"]) > 1 and ratio_at[400] < min(untrained)
    assert abs(ratio_at[400] - v["colour_ratio"]) < 1e-6
    # "Cosine or Euclidean? The two can rank neighbours differently ... For vectors of length 1 ... the orders agree"
    assert v["agree_raw"] < 0.9 and v["agree_unit"] > 0.999
    # "PCA and UMAP learn a map that `transform` can apply ...; t-SNE only places the points it was given"
    assert all(v["has_transform"].values()) and not v["tsne_has_transform"]


# ============================================================================ 03 image embeddings


@pytest.mark.parametrize("dataset", ["fashion", "mnist"])
def test_03_image_embeddings(dataset, claims_cache):
    v = claim_values("03_image_embeddings", dataset, claims_cache)
    chance = 1 / v["classes"]
    # summary: "k-NN accuracy rises clearly when the same classifier uses the embedding instead of the pixels"
    assert clearly(v["right_embedding"], v["right_pixels"]) == 1
    scores = v["scores"]
    trust = {m: s["trustworthiness"] for m, s in scores.items()}
    recall = {m: s["neighbourhood recall"] for m, s in scores.items()}
    # "PCA's map overlaps classes ... (its trustworthiness is the lowest); t-SNE and UMAP keep neighbourhoods much
    # better. Yet even the best map keeps only part of each point's 10 true neighbours"
    assert trust["pca"] == min(trust.values())
    assert recall["tsne"] > 2 * recall["pca"] and recall["umap"] > 2 * recall["pca"]
    assert max(recall.values()) < 0.75
    # "the k-NN accuracy at epoch 0 is far above chance (0.1), while the untrained classifier is at chance ...
    # Most of that happens in the first epoch"; the summary: "classes gather within the first epoch and sharpen after"
    knn, classifier = v["epoch_knn"], v["epoch_test_accuracy"]
    assert knn[0] > 3 * chance and classifier[0] < 2 * chance
    assert knn[1] - knn[0] > 0.5 * (knn[-1] - knn[0])
    # "later epochs sharpen the boundaries"
    assert knn[-1] > knn[1]
    # "the course's target ... is met" (printed, and the CNN is what 05 and 06 build on)
    assert v["test_accuracy"] >= v["target"]


# ============================================================================ 04 latent space


@pytest.mark.parametrize("dataset", ["fashion", "mnist"])
def test_04_latent_space(dataset, claims_cache):
    v = claim_values("04_latent_space", dataset, claims_cache)
    mse, knn, chance = v["mse"], v["knn"], 1 / v["classes"]
    last2, last16 = v["history2"][-1], v["history16"][-1]
    # title: "Both autoencoders learn; the wider bottleneck ends lower"
    for history in (v["history2"], v["history16"]):
        assert history[-1]["val_loss"] < history[0]["val_loss"]
    assert last16["val_loss"] < last2["val_loss"]
    # "The two curves of each model lie on top of each other"
    for last in (last2, last16):
        assert abs(last["train_loss"] - last["val_loss"]) < 0.05 * last["val_loss"]
    # "At the same size, the autoencoder beats PCA at reconstruction, most clearly with 2 dimensions";
    # "the gap in reconstruction error narrows"
    ratio2, ratio16 = mse["AE-2"] / mse["PCA-2"], mse["AE-16"] / mse["PCA-16"]
    assert ratio2 < 1 and ratio16 < 1 and ratio2 < ratio16
    # summary: "its 2-D codes group the classes better"; "Same-class images gather in regions of the latent plane"
    assert clearly(v["knn_right"]["AE-2"], v["knn_right"]["PCA-2"]) == 1
    assert knn["AE-2"] > 3 * chance
    # "it keeps rough neighbourhoods and loses the finer order"
    assert v["recall_2d"] < 0.5


# ============================================================================ 05 representations


@pytest.mark.parametrize("dataset", ["fashion", "mnist"])
def test_05_representations(dataset, claims_cache):
    v = claim_values("05_representations", dataset, claims_cache)
    table, chance = v["table"], 1 / v["classes"]
    knn = {space: row["k-NN accuracy"] for space, row in table.items()}
    recall = {space: row["neighbourhood recall"] for space, row in table.items()}
    trust = {space: row["trustworthiness"] for space, row in table.items()}
    pixels, cnn, ae16, ae2, features = ("raw pixels (784)", "CNN embedding (64)", "autoencoder (16)",
                                        "autoencoder (2)", "hand-made features (21)")
    maps = ["pixels → PCA (2)", "pixels → t-SNE (2)", "pixels → UMAP (2)"]
    # "The 2-D maps of the pixels keep only part of each neighbourhood ... t-SNE and UMAP ... keep far more of them
    # than PCA, and their maps stay trustworthy"
    assert all(recall[m] < 0.6 for m in maps)
    assert recall[maps[1]] > 2 * recall[maps[0]] and recall[maps[2]] > 2 * recall[maps[0]]
    assert trust[maps[1]] > 0.9 and trust[maps[2]] > 0.9
    # "The CNN embedding keeps less of the pixel neighbourhoods than the 16-D autoencoder, yet its neighbours share
    # the class more often than any other space's"
    assert recall[cnn] < recall[ae16]
    right = v["right"]
    assert all(clearly(right[cnn], right[other]) == 1 for other in knn if other != cnn)
    # "the 16-D code keeps them far better than the 2-D one"
    assert recall[ae16] > 1.5 * recall[ae2]
    # "The hand-made features keep few pixel neighbours, and their neighbours share the class less often than the
    # pixels'"
    assert recall[features] < 0.3 and clearly(right[features], right[pixels]) == -1
    # "Where the line blurs": pixels and the 16-D code "are close", both "far more often than chance", the CNN
    # "does clearly better than both"
    assert abs(knn[ae16] - knn[pixels]) < 0.05
    assert knn[pixels] > 3 * chance and knn[ae16] > 3 * chance
    assert clearly(right[cnn], right[pixels]) == 1 and clearly(right[cnn], right[ae16]) == 1
    # "The CNN embedding does not keep shifted copies close either" (at 4 pixels, most land farther in both)
    shifted = v["shifted_farther"]
    assert v["shifts"][-1] == 4
    assert shifted["raw pixels"][-1] > 0.5 and shifted["CNN embedding"][-1] > 0.5
    # "Injective ... Bag-of-words breaks it (s5 got the counts of s0), and so do the hand-made features ...: an image
    # and its mirror image get the same 21 numbers"
    assert v["bow_reordered_same"] and v["mirror_collide"] == 1
    # generated: "No pairs of different images share a vector ..., but the 2-D code brings its closest pair to ..."
    # (the 2-D code squeezes different images far closer together than any other space)
    closest = {space: row["closest pair / median pair"] for space, row in v["injectivity"].items()}
    assert closest["autoencoder (2)"] == min(closest.values()) and closest["autoencoder (2)"] < 0.01
    assert closest["raw pixels (784)"] > 10 * closest["autoencoder (2)"]
    # "a classifier is trained to drop them [differences inside a class]": the CNN keeps fewer same-class neighbours
    within = v["within"]
    assert within["CNN embedding (64)"] < within["autoencoder (16)"] - 0.1


# ============================================================================ 06 the chapter's exercises


def test_06_the_chapters_exercises(claims_cache):
    from helpers.exercise_sets.chapter_exercises import useful_layers_measured

    v = claim_values("06_exercises", "fashion", claims_cache)
    probes = v["probes"]
    clothes = {layer: row["clothes k-NN"] for layer, row in probes.items()}
    digits = {layer: row["digits k-NN"] for layer, row in probes.items()}
    layers = [layer for layer in probes if layer != "pixels"]
    # "far above the one in ten that guessing gets"
    assert v["test_accuracy"] > 0.8
    # "Almost all of the 61 million weights sit in fc6 and fc7"
    weights = v["alexnet_weights"]
    assert 60e6 < sum(weights.values()) < 62e6 and (weights["fc6"] + weights["fc7"]) / sum(weights.values()) > 0.85
    # summary: "the later hidden layers (fc6, fc7) give compact vectors in which similar images sit close — the usual
    # choice of embedding — while the output layer ... generalises worst to a new task, where earlier layers do better"
    tied = useful_layers_measured({layer: np.array(right) for layer, right in v["probe_right"]["clothes k-NN"].items()})
    assert {"fc6", "fc7"} <= set(tied)
    assert min(layers, key=digits.get) == "fc8"
    assert max(layers, key=digits.get).startswith("conv")
    # exercise 2's statements: (d) conv1 is not the best; (e) fc8 did well on clothes, worst on digits
    assert "conv1" not in tied and "fc8" in tied
    # section 7: bag-of-words fails the sentence test, the GloVe average passes it; "S1 and S2 ... share no word, so
    # their similarity is 0 — as low as S1 against the stock-market sentences — while S1 and S5 score higher"
    assert v["sentence_test"] == {"bag-of-words counts": False, "average GloVe vector": True}
    # "Far more often than chance everywhere: raw pixels pass the test partly"
    assert clothes["pixels"] > 3 * 0.1 and digits["pixels"] > 3 * 0.1
    bow = np.array(v["bow_similarity"])
    assert bow[0, 1] == 0 and bow[0, 2] == 0 and bow[0, 3] == 0 and bow[0, 4] > 0


# ============================================================================ sentences about figures
#
# A learner reads the paragraph right under a figure as what the figure shows. Every sentence of that paragraph
# (and every other sentence that says what a figure shows) is listed here with the check that holds it on every
# dataset the notebook runs on; a sentence that is not listed fails test_every_sentence_about_a_figure_is_listed.
# Sentences that a notebook builds from the figure's own numbers (``say(...)``) need no entry; their wording is
# checked where it depends on a threshold (FIGURE_CHECKS below).

#: The figure check of a sentence that only says how to read or use the figure and claims nothing about its data.
READING = "reading"

#: notebook -> {a piece of the sentence: the name of its check in FIGURE_CHECKS, or READING}
FIGURE_SENTENCES: dict[str, dict[str, str]] = {
    "01_one_hot_encoding": {
        "The left matrix is the same number everywhere off the diagonal": "one_hot_all_sqrt2",
        "Two different one-hot vectors differ in exactly two entries": "one_hot_all_sqrt2",
        "red is as far from orange as from blue": "one_hot_all_sqrt2",
        "Whatever a model learns about": READING,
        "a single one-hot vector would take 1.6 MB": READING,
        "So programs rarely store the zeros": "one_hot_sparse",
        "take one-hot inputs in a *sparse* format": "one_hot_sparse",
        "Neural networks keep only the index": READING,
        "Per item that vector does not grow": READING,
    },
    "02_embedding_layers": {
        "so the product adds up exactly one row": "lookup_equals_matmul",
        "multiply-adds to find out what the lookup knows": READING,
        "With a realistic vocabulary the difference is large": "lookup_faster",
        "is* a linear layer applied to one-hot inputs": "lookup_equals_matmul",
        "its weights are learned by backpropagation": READING,
        "Now the point of it all": READING,
        "Each word gets a reference colour": READING,
        "words whose embeddings are close should have similar reference colours": READING,
        "We measure that over the words used": READING,
        "whatever their nearest words above have": "colour_neighbours",
        "The ratio is the chapter's test in one number": READING,
        "A ratio below 1 means": "colour_neighbours",
        "This is the heart of an embedding": READING,
        "the task defines similarity, and the layer learns": "colour_neighbours",
        "An embedding layer is not yet an embedding": "untrained_not_embedding",
        "Does its table pass the same test?": READING,
        "We score 20 untrained tables": "untrained_not_embedding",
    },
    "03_image_embeddings": {
        "the stripes are the classes": "stripes",
        "To turn this into a number": READING,
        "All three maps group the classes": "maps_group_classes",
        "PCA's map overlaps classes that the embedding separates": "pca_map_worst",
        "Yet even the best map keeps only part": "no_map_keeps_all",
        "So check anything important in the original space": READING,
        "Try it: pick points where classes mix": READING,
        "The same information without the widget": READING,
        "First the first epochs and the last side by side": READING,
        "the k-NN accuracy at epoch 0 is far above chance": "epoch_0_above_chance",
        "Training then pulls each class together and pushes the classes apart": "classes_pulled_apart",
        "Most of that happens in the first epoch": "most_in_first_epoch",
    },
    "04_latent_space": {
        "Same-class images gather in regions of the latent plane": "latent_plane_groups",
        "Why?": READING,
        "To rebuild a sneaker from two numbers": READING,
        "Closeness is a **side effect": READING,
        "So does it hold?": READING,
        "Below, every test image is paired": READING,
        "so it keeps rough neighbourhoods and loses the finer order": "finer_order_lost",
        "Remember this when you read a latent map": READING,
        "Try: put the cursor in the middle of a class": READING,
        "Where does the decoder hesitate": READING,
        "The pixel blend shows both images at once": "blend_double_exposures",
        "Does the latent walk do better?": READING,
        "counts as a **double exposure**": READING,
        "Where the steps are single objects": READING,
        "through the latent space gives fewer double exposures": "walk_fewer_double_exposures",
    },
    "05_representations": {
        "All four are representations, and three are latent vectors": READING,
        "is a question about their neighbours": READING,
        "two sentences that mean the same thing but share no word get cosine 0": "bag_of_words_cosines",
        "The counts keep *which words* occur": "bag_of_words_cosines",
        "Pixel distance compares images position by position": "shift_moves_pixels",
        "The CNN embedding does not keep shifted copies close either": "shift_moves_cnn",
        "So a shift is not a test": "shift_moves_cnn",
        "It shows what \"similar\" means in each space": READING,
    },
    "06_exercises": {
        "What the measurements say": READING,
        "Bag-of-words only notices": "bag_of_words_similarities",
        "S1 and S2 mean nearly the same but share": "bag_of_words_similarities",
        "The averaged word vectors put S1 next to S2": "glove_sentence_test",
    },
}


def _gap_first(v: dict) -> None:
    # "After epoch 1 the training curve lies above the test curve ... an average over its batches"
    assert min(v["first_gap"]) > 0, v["first_gap"]


def _gap_last(v: dict) -> None:
    # "After the last epoch the gaps are ...: nearly the loss of the training images"
    assert max(abs(g) for g in v["last_gap"]) < 0.05, v["last_gap"]


#: check name -> a function of a run's collected values that fails when the sentences are false for that run.
FIGURE_CHECKS: dict[str, Any] = {
    "one_hot_all_sqrt2": lambda v: _assert(v["one_hot_all_sqrt2"]),
    # 01's sparse encoding printed above the sentence: one stored entry per row, a hundredth of the dense bytes
    "one_hot_sparse": lambda v: _assert(v["sparse"]["is_sparse"] and v["sparse"]["nnz"] == v["names"]
                                        and v["sparse"]["stored"] < v["sparse"]["dense"] / 100, v["sparse"]),
    "lookup_equals_matmul": lambda v: _assert(v["lookup_equals_matmul"]),
    "lookup_faster": lambda v: _assert(v["matmul_s"] > 5 * v["lookup_s"], v["matmul_s"], v["lookup_s"]),
    "colour_neighbours": lambda v: _assert(v["colour_ratio"] < 0.75, v["colour_ratio"]),
    # 02: twenty untrained tables, each no closer in colour than random words (ratio about 1)
    "untrained_not_embedding": lambda v: _assert(
        len(v["untrained_ratios"]) == 20 and 0.9 < min(v["untrained_ratios"]) and max(v["untrained_ratios"]) < 1.1,
        v["untrained_ratios"]),
    # the heat map: every class's rows are more alike among themselves than with the other classes' rows
    "stripes": lambda v: _assert(min(v["stripes"]) > 0, v["stripes"]),
    # each 2-D map: a point's 10 nearest on the map mostly share its class (at least 3 x chance)
    "maps_group_classes": lambda v: _assert(min(v["map_knn"].values()) > 3 / v["classes"], v["map_knn"]),
    "pca_map_worst": lambda v: _assert(
        min(v["scores"], key=lambda m: v["scores"][m]["trustworthiness"]) == "pca"
        and min(v["map_knn"], key=v["map_knn"].get) == "pca", v["scores"], v["map_knn"]),
    "no_map_keeps_all": lambda v: _assert(max(s["neighbourhood recall"] for s in v["scores"].values()) < 0.75),
    "epoch_0_above_chance": lambda v: _assert(v["epoch_knn"][0] > 3 / v["classes"], v["epoch_knn"]),
    # the epoch maps: the class centres lie farther apart, relative to the spread within each class, at every
    # epoch than before training, and most of the gain comes in epoch 1
    "classes_pulled_apart": lambda v: _assert(min(v["epoch_separation"][1:]) > v["epoch_separation"][0],
                                              v["epoch_separation"]),
    "most_in_first_epoch": lambda v: _assert(
        v["epoch_knn"][1] - v["epoch_knn"][0] > 0.5 * (v["epoch_knn"][-1] - v["epoch_knn"][0])
        and v["epoch_separation"][1] - v["epoch_separation"][0]
        > 0.5 * (v["epoch_separation"][-1] - v["epoch_separation"][0]), v["epoch_knn"], v["epoch_separation"]),
    "training_curve_starts_above": _gap_first,
    "curves_meet": _gap_last,
    "latent_plane_groups": lambda v: _assert(v["knn"]["AE-2"] > 3 / v["classes"], v["knn"]),
    "finer_order_lost": lambda v: _assert(v["recall_2d"] < 0.5, v["recall_2d"]),
    # the generated reading of the reconstructions: "two numbers often lose the kind of object"
    "reconstructions_lose_kind": lambda v: _assert(v["kept"]["2-D"] < v["kept"]["input"] - 0.1, v["kept"]),
    # the generated reading of the lattice: near the codes, most tiles look like the codes' class
    "tiles_match_codes": lambda v: _assert(v["looks_right"] > 0.5, v["looks_right"]),
    "blend_double_exposures": lambda v: _assert(all(d["blend"] >= 5 for d in v["doubled"].values()), v["doubled"]),
    "walk_fewer_double_exposures": lambda v: _assert(
        all(d["latent"] < d["blend"] for d in v["doubled"].values()), v["doubled"]),
    "shift_moves_pixels": lambda v: _assert(v["shifted_farther"]["raw pixels"][-1] > 0.5, v["shifted_farther"]),
    "shift_moves_cnn": lambda v: _assert(v["shifted_farther"]["CNN embedding"][-1] > 0.5, v["shifted_farther"]),
    "bag_of_words_similarities": lambda v: _assert(
        np.array(v["bow_similarity"])[0, 1] == 0 and np.array(v["bow_similarity"])[0, 4] > 0),
    # 05's bag-of-words picture: synonyms' sentences at 0, the reordered nonsense at 1
    "bag_of_words_cosines": lambda v: _assert(
        np.isclose(v["bow_cosine"][0][1], 0) and np.isclose(v["bow_cosine"][3][4], 0)
        and np.isclose(v["bow_cosine"][0][5], 1), v["bow_cosine"]),
    "glove_sentence_test": lambda v: _assert(v["sentence_test"]["average GloVe vector"]),
}

#: Checks of generated sentences, run for every notebook run though no markdown names them.
GENERATED: dict[str, list[str]] = {
    "04_latent_space": ["training_curve_starts_above", "curves_meet", "reconstructions_lose_kind",
                        "tiles_match_codes"],
}

_FIGURE_CELL = re.compile(
    r"plt\.show\(\)|LiveFigure\(|plot_latent_manifold\(|^\w+\.show\(\)\s*$|^\w*(explorer|walk)\w*\s*$", re.M)


def _assert(condition: Any, *shown: Any) -> None:
    assert condition, shown


def _sentences(text: str) -> list[str]:
    words = " ".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    return [s for s in re.split(r"(?<=[.!?:])\s+(?=[A-Z*`(\"])", " ".join(words.split())) if s.strip()]


def sentences_about_figures(notebook: dict) -> list[str]:
    """The sentences of the first paragraph under each cell that draws a figure (exercises left out)."""
    found, cells = [], notebook["cells"]
    for before, cell in zip(cells, cells[1:]):
        text = "".join(cell["source"])
        if (cell["cell_type"] != "markdown" or before["cell_type"] != "code" or "**Exercise" in text
                or not _FIGURE_CELL.search("".join(before["source"]))):
            continue
        paragraph = re.split(r"\n\s*\n", text.strip())[0]
        if not paragraph.lstrip().startswith("#"):
            found += _sentences(paragraph)
    return found


def unlisted(name: str, notebook: dict) -> list[str]:
    """The sentences about a figure of ``notebook`` that FIGURE_SENTENCES does not list."""
    listed = FIGURE_SENTENCES.get(name, {})
    return [s for s in sentences_about_figures(notebook) if not any(piece in s for piece in listed)]


def _notebook(name: str) -> dict:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", list(VALUES))
def test_every_sentence_about_a_figure_is_listed(name):
    notebook = _notebook(name)
    assert not unlisted(name, notebook), f"{name}: sentences about a figure with no check:\n" + "\n".join(
        unlisted(name, notebook))
    text = " ".join(" ".join("".join(c["source"]).split()) for c in notebook["cells"] if c["cell_type"] == "markdown")
    for piece, check in FIGURE_SENTENCES.get(name, {}).items():
        assert piece in text, f"{name}: the listed sentence {piece!r} is no longer in the notebook"
        assert check == READING or check in FIGURE_CHECKS, f"{name}: {piece!r} names no check ({check!r})"


def test_a_wrong_sentence_under_a_figure_fails():
    name = "04_latent_space"
    notebook = _notebook(name)
    curves = next(i for i, c in enumerate(notebook["cells"]) if "(BCE per pixel)" in "".join(c["source"]))
    wrong = "The two curves of each model lie on top of each other."
    notebook["cells"].insert(curves + 1, {"cell_type": "markdown", "metadata": {}, "source": [wrong]})
    assert unlisted(name, notebook) == [wrong]
    # ... and a listed sentence whose figure says otherwise fails its check: curves apart at the end, and a walk
    # with as many double exposures as the pixel blend
    with pytest.raises(AssertionError):
        FIGURE_CHECKS["curves_meet"]({"last_gap": [0.01, 0.12]})
    with pytest.raises(AssertionError):
        FIGURE_CHECKS["walk_fewer_double_exposures"]({"doubled": {"2-D": {"latent": 2, "blend": 7},
                                                                  "16-D": {"latent": 7, "blend": 7}}})
    with pytest.raises(AssertionError):
        FIGURE_CHECKS["classes_pulled_apart"]({"epoch_separation": [1.0, 0.9, 1.4]})


@pytest.mark.parametrize(("name", "dataset"), RUNS, ids=[f"{n}-{d}" for n, d in RUNS])
def test_sentences_about_figures_hold(name, dataset, claims_cache):
    v = claim_values(name, dataset, claims_cache)
    checks = {c for c in FIGURE_SENTENCES.get(name, {}).values() if c != READING} | set(GENERATED.get(name, []))
    failed = []
    for check in sorted(checks):
        try:
            FIGURE_CHECKS[check](v)
        except AssertionError as error:
            failed.append(f"{check}: {error}")
    assert not failed, f"{name} on {dataset}: sentences about figures that the figures do not support:\n" + "\n".join(
        failed)
