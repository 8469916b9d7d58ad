"""The main kernel's run of each course notebook, once per test session, shared by every check that reads it.

One run per notebook and dataset (Fashion-MNIST, and MNIST where the notebook offers the switch)
serves
* tests/notebooks/test_notebooks.py: the run ends, with no error output, no complaint of the set-up, and
  every figure passes the figure check (tests/figure_check.py);
* tests/notebooks/test_notebook_claims.py: the values that a cell appended to the run collects (:data:`VALUES`);
* the site (tools/build_site.py), which reuses the executed copy left in tests/artifacts/executed/.

That copy, and everything tests/notebooks/test_notebooks.py reads, is the run as a learner's Run All leaves it:
the appended cell is taken out. The copy with the appended cell and the collected values are kept under
tests/artifacts/executed/claims/, with a stamp of what they depend on (the notebook, the helpers, the
data), so tests/notebooks/test_notebook_claims.py alone can reuse them while nothing changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import figure_check
import nbformat
import pytest
import scheduling
from conftest import REPO_ROOT, offline_prefix

NOTEBOOKS = REPO_ROOT / "notebooks"
EXECUTED = REPO_ROOT / "tests" / "artifacts" / "executed"
ARTIFACTS = EXECUTED / "claims"

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
        # the heat map: per class, mean cosine similarity of its rows with each other minus with the other classes'
        "stripes": "(lambda E, y: [float((E[y == c] @ E[y == c].T).mean() - (E[y == c] @ E[y != c].T).mean()) "
                   "for c in range(len(class_names))])(*(lambda E, y: (E / np.linalg.norm(E, axis=1, keepdims=True) "
                   ".clip(1e-9), y))(emb_test[rows], data.y_test[rows]))",
        # the three maps: leave-one-out k-NN accuracy of the 2-D points
        "map_knn": "{m: knn_accuracy(Y, y_map, k=10) for m, Y in maps.items()}",
        # the epoch maps: mean distance between class centres over mean distance of a point to its class centre
        "epoch_separation": "[__import__('helpers.metrics').metrics.class_separation(e, epoch_labels) "
                            "for e in epoch_embeddings]",
    },
    "04_latent_space": {
        "mse": "mse", "knn": "knn", "knn_right": "knn_right",
        "n_test": "len(y_test)", "trust_ae": "trust_ae", "trust_pca": "trust_pca",
        "history2": "info2['history']", "history16": "info16['history']", "recall_2d": "recall_2d",
        "classes": "len(class_names)",
        "first_gap": "gap_first", "last_gap": "gap_last",
        "kept": "{name: float(np.mean(same)) for name, same in kept.items()}",
        "looks_right": "float(looks_right)",
        "grey_near": "float(grey[near].mean())", "grey_far": "float(grey[far].mean())",
        "doubled": "{name: {kind: int(d.sum()) for kind, d in doubled.items()} for name, doubled in "
                   "(('2-D', doubled2), ('16-D', doubled16))}",
    },
    "05_representations": {
        "table": "structure_table.to_dict('index')", "right": "structure_right", "n": "len(y)",
        "classes": "len(class_names)",
        "shifted_farther": "{name: [float(np.mean(r > 1)) for r in ratios] for name, ratios in shift_ratio.items()}",
        "shifts": "SHIFTS", "bow_cosine": "cosine",
        "bow_reordered_same": "bool(np.array_equal(counts[0], counts[5]))",
        "mirror_collide": "float(np.sum(same_21 & differ) / np.sum(differ))",
        "injectivity": "injectivity.to_dict('index')", "within": "within",
    },
    "06_exercises": {
        "test_accuracy": "info['test_accuracy']", "probes": "probe_table.to_dict('index')", "n": "len(y_check)",
        "probe_right": "probe_right",
        "sentence_test": "passes", "bow_similarity": "cosine_similarity_matrix(bag_of_words)",
        "alexnet_weights": "alexnet_table['weights'].to_dict()", "layer_separation": "separation",
    },
}


def collect_cell(expressions: dict[str, str]) -> str:
    """A cell that prints the values as JSON (tables as dicts, arrays and NumPy numbers as lists and numbers);
    it never raises (a learner's run has no such cell), it prints what went wrong instead."""
    return (
        "import json as _json, traceback as _traceback\n"
        "def _plain(value):\n"
        "    return value.to_dict() if hasattr(value, 'to_dict') else value.tolist() if hasattr(value, 'tolist') "
        "else str(value)\n"
        "try:\n"
        f"    _claims = {{name: eval(expr) for name, expr in {expressions!r}.items()}}\n"
        "    print('CLAIM_VALUES', _json.dumps(_claims, default=_plain))\n"
        "except Exception:\n"
        "    print('The claim values could not be collected:', _traceback.format_exc())"
    )


def notebook_source(name: str, dataset: str) -> str:
    """The notebook's text, with its ``DATASET`` switch set to ``dataset``."""
    text = (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")
    if dataset == "fashion":
        return text
    switch = 'DATASET = \\"fashion\\"'   # as the line is stored in the notebook's JSON
    assert text.count(switch) == 1, f"{name} has no single DATASET switch"
    return text.replace(switch, 'DATASET = \\"mnist\\"')


def stamp(source: str, expressions: dict[str, str]) -> str:
    """What a run's values depend on: the notebook, the collected expressions, the helpers, the data."""
    digest = hashlib.sha256(source.encode())
    digest.update(json.dumps(expressions, sort_keys=True).encode())
    for path in sorted((REPO_ROOT / "helpers").rglob("*.py")) + [REPO_ROOT / "data" / "manifest.json",
                                                                 REPO_ROOT / "tests" / "figure_check.py"]:
        digest.update(path.read_bytes())
    return digest.hexdigest()


@dataclass
class Run:
    """What a run left: its executed copy without the appended cell, and what the checks read of it."""

    executed: Path                 # the notebook as a learner's run leaves it
    summary: dict[str, Any]        # tools/run_notebook.py's summary, plus "offline"
    figures_checked: int           # figure drawings the figure check saw
    figure_problems: list[str]
    values: dict[str, Any] | None  # the collected values (notebooks in VALUES)


_RUNS: dict[tuple[str, str], Run | str] = {}      # (notebook, dataset) -> this session's run, or its failure
_SAVED: dict[tuple[str, str], dict[str, Any] | None] = {}   # -> an earlier session's values, if still current


def main_run(name: str, dataset: str, cache: Path) -> Run:
    """Run notebook ``name`` on ``dataset`` in the main kernel, once per session (a failed run fails
    every check that asks for it, without running again)."""
    if (name, dataset) not in _RUNS:
        try:
            _RUNS[(name, dataset)] = _run(name, dataset, cache)
        except (AssertionError, subprocess.TimeoutExpired) as failure:
            _RUNS[(name, dataset)] = str(failure)
        finally:
            if dataset == "fashion" and scheduling.run_id() is not None:   # the site, in another worker, waits
                scheduling.marker(EXECUTED, name).parent.mkdir(parents=True, exist_ok=True)
                scheduling.marker(EXECUTED, name).touch()
    run = _RUNS[(name, dataset)]
    if isinstance(run, str):
        pytest.fail(run)
    return run


def _run(name: str, dataset: str, cache: Path) -> Run:
    stem = name if dataset == "fashion" else f"{name}.{dataset}"
    source, expressions = notebook_source(name, dataset), VALUES.get(name)
    work = cache.parent / "runs" / stem
    work.mkdir(parents=True, exist_ok=True)
    notebook = NOTEBOOKS / f"{name}.ipynb" if dataset == "fashion" else work / f"{stem}.ipynb"
    if dataset != "fashion":
        notebook.write_text(source, encoding="utf-8")
    prefix = offline_prefix()
    if prefix is None and os.environ.get("CI") == "true":
        pytest.fail("under CI the notebooks must run offline, but `unshare -n` is not available (run as root)")
    full = work / "executed.ipynb"
    cmd = [*(prefix or []), sys.executable, str(REPO_ROOT / "tools" / "run_notebook.py"), str(notebook),
           "--cwd", str(NOTEBOOKS), "--out", str(full)]
    if expressions:
        cmd += ["--append-code", collect_cell(expressions)]
    report = work / "figures.jsonl"
    env = dict(os.environ, COURSE_CACHE_DIR=str(cache), **{figure_check.REPORT_ENV: str(report)},
               IPYTHONDIR=str(figure_check.startup_folder(work / "ipython")))
    proc = subprocess.run(cmd, cwd=NOTEBOOKS, capture_output=True, text=True, timeout=1800, env=env)
    executed = (EXECUTED if dataset == "fashion" else work) / f"{name}.ipynb"
    ran = nbformat.read(full, as_version=4) if full.exists() else None
    appended = ran.cells.pop() if ran is not None and expressions else None   # as a learner's run leaves it
    if ran is not None:
        executed.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(ran, executed)
    assert proc.returncode == 0, f"{stem} failed (executed copy: {executed}):\n{proc.stderr[-4000:]}"
    summary = dict(json.loads(proc.stdout.strip().splitlines()[-1]), offline=prefix is not None)
    checked, problems = figure_check.read_report(report)
    values = _values(stem, appended, full, problems, stamp(source, expressions)) if expressions else None
    return Run(executed, summary, checked, problems, values)


def _values(stem: str, cell: Any, full: Path, figure_problems: list[str], run_stamp: str) -> dict[str, Any]:
    """The values the appended cell printed; they and the run's whole copy are kept under ARTIFACTS."""
    printed = "".join("".join(output.get("text", "")) for output in cell.get("outputs", []))
    assert "CLAIM_VALUES" in printed, f"{stem}: the values were not collected:\n{printed[-3000:]}"  # (in pieces)
    values = json.loads(printed[printed.rindex("CLAIM_VALUES") + len("CLAIM_VALUES"):].strip().splitlines()[0])
    values["figure_problems"] = figure_problems   # every figure, checked on this dataset too
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{stem}.ipynb").write_bytes(full.read_bytes())
    (ARTIFACTS / f"{stem}.values.json").write_text(json.dumps({"stamp": run_stamp, "values": values}, indent=1),
                                                   encoding="utf-8")
    return values


def claim_values(name: str, dataset: str, cache: Path) -> dict[str, Any]:
    """The values collected from this session's run of ``name`` on ``dataset``; without one, those of an
    earlier session's run while nothing they depend on has changed; else a run now."""
    if (name, dataset) not in _RUNS and (name, dataset) not in _SAVED:
        _SAVED[(name, dataset)] = _saved_values(name, dataset)
    if (name, dataset) not in _RUNS and _SAVED[(name, dataset)] is not None:
        return _SAVED[(name, dataset)]
    return main_run(name, dataset, cache).values


def _saved_values(name: str, dataset: str) -> dict[str, Any] | None:
    stem = name if dataset == "fashion" else f"{name}.{dataset}"
    out, record = ARTIFACTS / f"{stem}.ipynb", ARTIFACTS / f"{stem}.values.json"
    if not (record.exists() and out.exists()):
        return None
    saved = json.loads(record.read_text(encoding="utf-8"))
    return saved["values"] if saved.get("stamp") == stamp(notebook_source(name, dataset), VALUES[name]) else None
