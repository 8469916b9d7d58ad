"""Every qualitative claim the notebooks' prose makes, checked against their own results, on both datasets.

Sentences that depend on a measurement are either built from it in the notebook
(``helpers.claims``) or asserted here. Each notebook is executed once per test session (with
``DATASET = "mnist"`` as well where it offers the switch), in a kernel that shares the session's course
cache with the other notebook runs (tests/test_notebooks.py), so no model is trained twice
and the MNIST runs of notebooks 04 and 05 reuse what 03 trained;
a cell appended to each run collects the values the claims are about. The executed copies
and their values are kept under ``tests/artifacts/executed/claims/`` and reused while the
notebooks, the helpers and the data are unchanged.

A claim that becomes false fails here: change a notebook so that its prose no longer holds
and this test names the sentence.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from conftest import REPO_ROOT, offline_prefix

from helpers.metrics import compare_accuracies

pytestmark = pytest.mark.notebooks

NOTEBOOKS = REPO_ROOT / "notebooks"
ARTIFACTS = REPO_ROOT / "tests" / "artifacts" / "executed" / "claims"

#: What to collect from each notebook's kernel after it ran: name -> Python expression.
VALUES: dict[str, dict[str, str]] = {
    "01_one_hot_encoding": {
        "names": "len(names)",
        "one_hot_all_sqrt2": "bool(np.allclose(D_onehot[different], np.sqrt(2)))",
        "rgb_nearest": "{c: nearest_names(D_rgb, i) for i, c in enumerate(palette)}",
        "one_hot_nearest": "{c: nearest_names(D_onehot, i) for i, c in enumerate(palette)}",
        "sparse": "{'nnz': int(X_sparse.nnz), 'shape': list(X_sparse.shape), 'stored': int(stored), "
                  "'dense': int(X_xkcd.nbytes), 'is_sparse': hasattr(X_sparse, 'tocsr')}",
    },
    "02_embedding_layers": {
        "lookup_equals_matmul": "bool(torch.allclose(by_lookup, by_matmul) and torch.allclose(by_lookup, by_linear))",
        "lookup_s": "lookup_s", "matmul_s": "matmul_s",
        "colour_ratio": "float(color_word_neighbor_rgb_ratio)",
        "queen_rank": "glove_analogy_king_queen_rank",
        "group_knn": "group_knn", "group_right": "group_right", "groups": "len(WORD_GROUPS)",
        "map_words": "len(map_words)",
        "untrained_ratios": "untrained", "ratio_at": "ratio_at", "passing": "passing",
        "agree_raw": "float(agree_raw)", "agree_unit": "float(agree_unit)",
        "has_transform": "{name: hasattr(reducer, 'transform') for name, reducer in fitted.items()}",
        "tsne_has_transform": "hasattr(TSNE(), 'transform')",
    },
    "03_image_embeddings": {
        "knn_pixels": "knn_pixels", "knn_embedding": "knn_embedding", "n_test": "n_test",
        "right_pixels": "right_pixels", "right_embedding": "right_embedding",
        "test_accuracy": "info['test_accuracy']", "target": "TARGET", "scores": "scores",
        "epoch_knn": "epoch_knn", "epoch_test_accuracy": "list(info['epoch_test_accuracy'])",
        "classes": "len(class_names)",
    },
    "04_latent_space": {
        "mse": "mse", "knn": "knn", "knn_right": "knn_right",
        "n_test": "len(y_test)", "trust_ae": "trust_ae", "trust_pca": "trust_pca",
        "history2": "info2['history']", "history16": "info16['history']", "recall_2d": "recall_2d",
        "classes": "len(class_names)",
    },
    "05_representations": {
        "table": "structure_table.to_dict('index')", "right": "structure_right", "n": "len(y)",
        "classes": "len(class_names)",
        "shifted_farther": "{name: [float(np.mean(r > 1)) for r in ratios] for name, ratios in shift_ratio.items()}",
        "shifts": "SHIFTS",
        "bow_reordered_same": "bool(np.array_equal(counts[0], counts[5]))",
        "mirror_collide": "float(np.sum(same_21 & differ) / np.sum(differ))",
        "injectivity": "injectivity.to_dict('index')", "within": "within",
    },
    "06_exercises": {
        "test_accuracy": "info['test_accuracy']", "probes": "probe_table.to_dict('index')", "n": "len(y_check)",
        "probe_right": "probe_right",
        "sentence_test": "passes", "bow_similarity": "cosine_similarity_matrix(bag_of_words)",
        "alexnet_weights": "alexnet_table['weights'].to_dict()",
    },
}

#: Notebooks that offer ``DATASET = "mnist"``: their claims must hold on digits too.
BOTH_DATASETS = ("03_image_embeddings", "04_latent_space", "05_representations")
RUNS = [(name, "fashion") for name in VALUES] + [(name, "mnist") for name in BOTH_DATASETS]


def _collect_cell(expressions: dict[str, str]) -> str:
    """A cell that prints the values as JSON (tables as dicts, arrays and NumPy numbers as lists and numbers)."""
    return (
        "import json as _json\n"
        "def _plain(value):\n"
        "    return value.to_dict() if hasattr(value, 'to_dict') else value.tolist() if hasattr(value, 'tolist') "
        "else str(value)\n"
        f"_claims = {{name: eval(expr) for name, expr in {expressions!r}.items()}}\n"
        "print('CLAIM_VALUES', _json.dumps(_claims, default=_plain))"
    )


def _source(name: str, dataset: str) -> str:
    text = (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")
    if dataset == "fashion":
        return text
    switch = 'DATASET = \\"fashion\\"'   # as the line is stored in the notebook's JSON
    assert text.count(switch) == 1, f"{name} has no single DATASET switch"
    return text.replace(switch, 'DATASET = \\"mnist\\"')


def _stamp(source: str, expressions: dict[str, str]) -> str:
    digest = hashlib.sha256(source.encode())
    digest.update(json.dumps(expressions, sort_keys=True).encode())
    for path in sorted((REPO_ROOT / "helpers").rglob("*.py")) + [REPO_ROOT / "data" / "manifest.json"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def claims_cache(course_cache) -> Path:
    """The session's one course cache, shared with the other notebook runs: each model is trained once."""
    return course_cache


_RESULTS: dict[tuple[str, str], dict[str, Any]] = {}


def executed(name: str, dataset: str, cache: Path) -> dict[str, Any]:
    """Run ``name`` (on ``dataset``) once per session, or reuse a fresh earlier run; return its values."""
    if (name, dataset) in _RESULTS:
        return _RESULTS[(name, dataset)]
    source, expressions = _source(name, dataset), VALUES[name]
    stem = name if dataset == "fashion" else f"{name}.{dataset}"
    out, record = ARTIFACTS / f"{stem}.ipynb", ARTIFACTS / f"{stem}.values.json"
    stamp = _stamp(source, expressions)
    if record.exists() and out.exists():
        saved = json.loads(record.read_text(encoding="utf-8"))
        if saved.get("stamp") == stamp:
            _RESULTS[(name, dataset)] = saved["values"]
            return saved["values"]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    variant = cache.parent / f"{stem}.ipynb"
    variant.write_text(source, encoding="utf-8")
    prefix = offline_prefix()
    if prefix is None and os.environ.get("CI") == "true":
        pytest.fail("under CI the notebooks must run offline, but `unshare -n` is not available (run as root)")
    cmd = [*(prefix or []), sys.executable, str(REPO_ROOT / "tools" / "run_notebook.py"), str(variant),
           "--cwd", str(NOTEBOOKS), "--out", str(out), "--append-code", _collect_cell(expressions)]
    env = dict(os.environ, COURSE_CACHE_DIR=str(cache))
    proc = subprocess.run(cmd, cwd=NOTEBOOKS, capture_output=True, text=True, timeout=1800, env=env)
    assert proc.returncode == 0, f"{stem} failed:\n{proc.stderr[-4000:]}"
    notebook = json.loads(out.read_text(encoding="utf-8"))
    printed = "".join("".join(output.get("text", "")) for output in notebook["cells"][-1].get("outputs", []))
    assert "CLAIM_VALUES" in printed, f"{stem}: the values were not collected"   # (a print may come in pieces)
    values = json.loads(printed[printed.rindex("CLAIM_VALUES") + len("CLAIM_VALUES"):].strip().splitlines()[0])
    record.write_text(json.dumps({"stamp": stamp, "values": values}, indent=1), encoding="utf-8")
    _RESULTS[(name, dataset)] = values
    return values


def clearly(right_a: list[bool], right_b: list[bool]) -> int:
    """1 / -1 when McNemar's test on the same items finds ``a`` right more / less often than ``b``, else 0."""
    return compare_accuracies(np.array(right_a), np.array(right_b))


# ============================================================================ 01 one-hot encoding


def test_01_one_hot_and_rgb_neighbours(claims_cache):
    v = executed("01_one_hot_encoding", "fashion", claims_cache)
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
    v = executed("02_embedding_layers", "fashion", claims_cache)
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
    v = executed("03_image_embeddings", dataset, claims_cache)
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
    v = executed("04_latent_space", dataset, claims_cache)
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
    v = executed("05_representations", dataset, claims_cache)
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

    v = executed("06_exercises", "fashion", claims_cache)
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
