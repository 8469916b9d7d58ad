"""The course's performance run: notebook times, projections, widget latency, training, quality.

    python benchmarks/run.py [--quick] [--skip-notebooks] [--out benchmarks/report.json]
    python benchmarks/run.py --alone [NAME ...]    # only the notebooks run alone; updates the report
    python benchmarks/run.py --cold [NAME ...]     # only the cold runs (numba's cache empty too); updates it
    python benchmarks/run.py --projections [N ...] # only the projections; updates the report
    python benchmarks/run.py --widgets             # only the explorers; updates the report

Writes ``benchmarks/report.json`` and prints a table with each figure's budget (design
section 9) marked pass or OVER. It measures; it never fails a build.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))
sys.path.insert(0, str(REPO_ROOT / "tools"))

BUDGETS = {
    "notebook_s": 60.0,  # each notebook, first run, 2-core CPU
    "notebook_alone_s": 30.0,  # each notebook run alone: empty cache, fresh kernel, offline (60 s at most)
    "notebook_alone_busy_s": 60.0,  # the same beside one program that keeps a core busy
    "notebook_alone_cold_s": 30.0,  # alone with numba's cache empty too, as on a fresh Colab runtime
    "notebook_alone_cold_s_max": 60.0,  # ... over this it is a defect
    "kernel_peak_mb": 1000.0,  # a notebook kernel's peak resident memory (the goal)
    "kernel_peak_mb_max": 1200.0,  # a hard limit every notebook must run inside (two fit Binder's 2 GB)
    "course_s": 300.0,  # all notebooks, first runs
    "warm_ratio": 1 / 3,  # a warm re-run takes at most a third of the first
    "interaction_ms": 50.0,  # p95 of a widget interaction (the course's goal; the design allows 100)
    "projection_overhead": 1.1,  # helpers.projections.project over the library called directly
    "import_helpers_s": 2.0,
}

# Quality values read from each notebook's kernel after it ran: report key -> expression.
QUALITY = {
    "02_embedding_layers": {"color_word_neighbor_rgb_ratio": "color_word_neighbor_rgb_ratio",
                            "glove_analogy_king_queen_rank": "glove_analogy_king_queen_rank"},
    "03_image_embeddings": {"cnn_fashion_test_acc": "info['test_accuracy']", "knn10_pixels_acc": "knn_pixels",
                            "knn10_cnn_embedding_acc": "knn_embedding",
                            "trustworthiness_cnn_embedding_maps": "scores"},
    "04_latent_space": {"ae2_test_mse": "mse['AE-2']", "pca2_test_mse": "mse['PCA-2']",
                        "ae16_test_mse": "mse['AE-16']", "pca16_test_mse": "mse['PCA-16']",
                        "ae2_latent_knn10_acc": "knn['AE-2']", "pca2_knn10_acc": "knn['PCA-2']",
                        "trustworthiness_ae2": "trust_ae", "trustworthiness_pca2": "trust_pca"},
    "05_representations": {"structure_table": "structure_table"},
    "06_exercises": {"alexnet_test_acc": "info['test_accuracy']", "layer_probes": "probe_table"},
}


def offline_prefix() -> list[str]:
    """Run with no network but loopback when possible (root and util-linux's unshare)."""
    if os.name == "posix" and os.geteuid() == 0:
        probe = subprocess.run(["unshare", "-n", "sh", "-c", "ip link set lo up && true"], capture_output=True)
        if probe.returncode == 0:
            return ["unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$@"', "offline"]
    return []


def run_notebook(path: Path, cache: Path, out: Path, env: dict[str, str] | None = None,
                 python: str = sys.executable, prefix: list[str] | None = None) -> dict[str, Any]:
    """Execute a notebook in a fresh kernel (offline when possible); return seconds, collected values and
    the kernel's peak resident memory (``peak_mb``); ``env``: more environment variables; ``python``:
    the interpreter that runs the notebook and its kernel (this one by default); ``prefix``: a command
    that starts the run (a memory limit's)."""
    collect = (
        "import json as _json\n"
        f"_wanted = {QUALITY.get(path.stem, {})!r}\n"
        "def _value(expression):\n"
        "    try:\n"
        "        return eval(expression, globals())\n"
        "    except Exception as error:\n"
        "        return f'not found: {error}'\n"
        "def _plain(value):\n"
        "    return value.to_dict() if hasattr(value, 'to_dict') else value.tolist() if hasattr(value, 'tolist') "
        "else str(value)\n"
        "print('BENCH_VALUES', _json.dumps({k: _value(e) for k, e in _wanted.items()}, default=_plain))\n"
        "import resource as _resource\n"  # the kernel's own peak resident memory (Linux: kB)
        "print('BENCH_PEAK_MB', round(_resource.getrusage(_resource.RUSAGE_SELF).ru_maxrss / 1024))"
    )
    cmd = [*(prefix or []), *offline_prefix(), python, str(REPO_ROOT / "tools" / "run_notebook.py"), str(path),
           "--out", str(out), "--append-code", collect, "--timeout", "1800"]  # a busy machine is slow
    env = dict(os.environ, COURSE_CACHE_DIR=str(cache), **(env or {}))
    started = time.perf_counter()
    proc = subprocess.run(cmd, cwd=path.parent, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        return {"ok": False, "wall_s": round(wall, 2), "error": proc.stderr[-1500:]}
    summary = json.loads(proc.stdout.strip().splitlines()[-1])
    values: dict[str, Any] = {}
    peak = None
    nb = json.loads(out.read_text())
    for output in nb["cells"][-1].get("outputs", []):
        for line in "".join(output.get("text", "")).splitlines():
            if line.startswith("BENCH_VALUES "):
                values = json.loads(line.removeprefix("BENCH_VALUES "))
            if line.startswith("BENCH_PEAK_MB "):
                peak = int(line.removeprefix("BENCH_PEAK_MB "))
    return {"ok": True, "seconds": summary["seconds"], "shutdown_s": summary.get("shutdown_s"),
            "wall_s": round(wall, 2), "values": values, "peak_mb": peak}


def run_alone(path: Path, work: Path) -> dict[str, Any]:
    """The notebook as a learner meets it when opening it on its own: its own empty cache, fresh kernel, offline.

    Also records the CPU seconds the run used and the machine's load (1-minute average)
    before and after, since other programs running at the same time slow it down.
    """
    import resource

    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    run = run_notebook(path, work / f"{path.stem}-alone-cache", work / f"{path.stem}-alone.ipynb")
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    # CPU seconds of the whole run (kernel included): what it costs, whatever else the machine is doing
    cpu = (cpu_after.ru_utime + cpu_after.ru_stime) - (cpu_before.ru_utime + cpu_before.ru_stime)
    return {"alone_s": run.get("seconds"), "alone_wall_s": run.get("wall_s"), "alone_cpu_s": round(cpu, 2),
            "alone_ok": run["ok"],
            "alone_load": [None if x is None else round(x, 2) for x in (load_before, load_after)],
            **({"alone_error": run["error"][-800:]} if not run["ok"] else {})}


def run_alone_cold(path: Path, work: Path, python: str = sys.executable) -> dict[str, Any]:
    """:func:`run_alone` as a fresh Colab runtime meets it: numba's cache empty too (nothing compiled yet).

    Also the kernel's peak resident memory (``peak_mb``), and the machine's load before and after.
    """
    load_before = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    numba_cache = work / f"{path.stem}-cold-numba"
    numba_cache.mkdir(parents=True, exist_ok=True)
    run = run_notebook(path, work / f"{path.stem}-cold-cache", work / f"{path.stem}-cold.ipynb",
                       env={"NUMBA_CACHE_DIR": str(numba_cache)}, python=python)
    load_after = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"alone_cold_s": run.get("seconds"), "alone_cold_ok": run["ok"], "peak_mb": run.get("peak_mb"),
            "alone_cold_load": [None if x is None else round(x, 2) for x in (load_before, load_after)],
            **({"alone_cold_error": run["error"][-800:]} if not run["ok"] else {})}


def bench_cold(names: list[str] | None = None, python: str = sys.executable) -> dict[str, dict[str, Any]]:
    """:func:`run_alone_cold` once for every course notebook (or those named), run by ``python``."""
    from notebook_files import course_notebooks

    results = {}
    with tempfile.TemporaryDirectory(prefix="course-bench-cold-") as tmp:
        for path in course_notebooks():
            if not names or path.stem in names:
                results[path.stem] = run_alone_cold(path, Path(tmp), python)
                row = results[path.stem]
                print(f"  {path.stem}: cold {row['alone_cold_s']} s, kernel peak {row['peak_mb']} MB "
                      f"(load {row['alone_cold_load']})", flush=True)
    return results


def run_limited(paths: list[Path], work: Path, limit_mb: int) -> dict[str, Any]:
    """The notebooks side by side (each alone when one), each with an empty cache of its own, inside one
    hard memory limit of ``limit_mb``, after the page cache is dropped, as in a new Binder session
    (numba's cache as it is: Binder's image fills it when it is built)."""
    from concurrent.futures import ThreadPoolExecutor

    from memory_limit import MemoryLimit, drop_page_cache

    work.mkdir(parents=True, exist_ok=True)
    drop_page_cache()
    limit = MemoryLimit(limit_mb)
    try:
        with ThreadPoolExecutor(len(paths)) as pool:
            runs = list(pool.map(lambda path: run_notebook(
                path, work / f"{path.stem}-limited-cache", work / f"{path.stem}-limited.ipynb",
                prefix=limit.prefix()), paths))
        result = limit.result()
    finally:
        limit.remove()
    errors = [run["error"][-800:] for run in runs if not run["ok"]]
    return {"limit_mb": limit_mb, "ok": not errors and not result["oom_killed"],
            "seconds": [run.get("seconds") for run in runs], **result, **({"errors": errors} if errors else {})}


def bench_memory_limits(pair_limit_mb: int = 2048) -> dict[str, Any]:
    """Each notebook alone twice: in a group without a practical limit (16 GB: the memory it is charged
    when nothing presses it) and inside ``kernel_peak_mb_max``; then the two charged the most side by side
    inside ``pair_limit_mb`` (a Binder session's 2 GB)."""
    from memory_limit import unavailable
    from notebook_files import course_notebooks

    if reason := unavailable():
        print(f"  memory limits: not measured ({reason})", flush=True)
        return {}
    paths = course_notebooks()
    rows = {}
    with tempfile.TemporaryDirectory(prefix="course-bench-limit-") as tmp:
        for path in paths:
            free = run_limited([path], Path(tmp) / "free", 16384)
            limited = run_limited([path], Path(tmp) / "limited", int(BUDGETS["kernel_peak_mb_max"]))
            rows[path.stem] = {"unlimited": free, "in_limit": limited}
            print(f"  {path.stem}: {rows[path.stem]}", flush=True)
        heaviest = sorted(paths, key=lambda path: rows[path.stem]["unlimited"]["charged_mb"] or 0)[-2:]
        pair = {"notebooks": [path.stem for path in heaviest],
                **run_limited(heaviest, Path(tmp) / "pair", pair_limit_mb)} if len(heaviest) == 2 else None
        print(f"  side by side: {pair}", flush=True)
    return {"notebooks": rows, "pair": pair, "load": os.getloadavg()[0]}


def run_alone_busy(path: Path, work: Path) -> dict[str, Any]:
    """:func:`run_alone` while one other program keeps a core busy (a learner's browser, a test run)."""
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"])
    try:
        run = run_notebook(path, work / f"{path.stem}-busy-cache", work / f"{path.stem}-busy.ipynb")
    finally:
        burner.kill()
        burner.wait()
    return {"alone_busy_s": run.get("seconds"), "alone_busy_ok": run["ok"],
            **({"alone_busy_error": run["error"][-800:]} if not run["ok"] else {})}


#: Each notebook runs alone this many times, each with an empty cache of its own, in rounds
#: through the course (so that a slow spell of the shared machine falls on different
#: notebooks); the report gives the median run and every run's time.
ALONE_RUNS = 3


def median_alone(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The median of a notebook's :func:`run_alone` results, with every run's time in ``alone_runs_s``.

    A failed run is reported instead (with its error): a notebook that fails alone has no time.
    """
    if not runs:
        raise ValueError("median_alone needs at least one run")
    failed = [run for run in runs if not run["alone_ok"]]
    chosen = failed[0] if failed else sorted(runs, key=lambda run: run["alone_s"])[(len(runs) - 1) // 2]
    return {**chosen, "alone_runs_s": [run.get("alone_s") for run in runs]}


def more_alone_runs(paths: list[Path], work: Path, runs: dict[str, list[dict[str, Any]]]) -> None:
    """Add rounds of :func:`run_alone` through ``paths`` until each notebook has :data:`ALONE_RUNS` runs."""
    for round_number in range(2, ALONE_RUNS + 1):
        folder = work / f"alone-round-{round_number}"  # an empty cache of its own again
        folder.mkdir(parents=True, exist_ok=True)
        for path in paths:
            if len(runs[path.stem]) < round_number:
                runs[path.stem].append(run_alone(path, folder))
                print(f"  {path.stem}: alone, run {round_number}: {runs[path.stem][-1]['alone_s']} s", flush=True)


def bench_alone(names: list[str] | None = None) -> dict[str, dict[str, Any]]:
    """:func:`run_alone` (:data:`ALONE_RUNS` times, the median kept) and :func:`run_alone_busy` for every
    course notebook (or those named)."""
    from notebook_files import course_notebooks

    paths = [path for path in course_notebooks() if not names or path.stem in names]
    runs: dict[str, list[dict[str, Any]]] = {}
    busy: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory(prefix="course-bench-alone-") as tmp:
        for path in paths:
            runs[path.stem] = [run_alone(path, Path(tmp))]
            busy[path.stem] = run_alone_busy(path, Path(tmp))
            print(f"  {path.stem}: alone {runs[path.stem][0]['alone_s']} s (load {runs[path.stem][0]['alone_load']}), "
                  f"beside a busy program {busy[path.stem]['alone_busy_s']} s", flush=True)
        more_alone_runs(paths, Path(tmp), runs)
    return {name: {**median_alone(runs[name]), **busy[name]} for name in runs}


def bench_notebooks(work: Path, only: list[str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    from notebook_files import course_notebooks

    cache = work / "notebook-cache"
    results, quality = {}, {}
    paths = [path for path in course_notebooks() if not only or path.stem in only]
    runs: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        runs[path.stem] = [run_alone(path, work)]
        busy = {**run_alone_busy(path, work), **run_alone_cold(path, work)}
        first = run_notebook(path, cache, work / f"{path.stem}-first.ipynb")
        warm = run_notebook(path, cache, work / f"{path.stem}-warm.ipynb")
        # first_s / warm_s: kernel start to the last cell's result (what a learner waits for); the
        # kernel's shut-down after it and the process start are in the *_wall_s figures.
        entry = {"first_s": first.get("seconds"), "warm_s": warm.get("seconds"), "first_wall_s": first.get("wall_s"),
                 "warm_wall_s": warm.get("wall_s"), "shutdown_s": warm.get("shutdown_s"),
                 "ok": first["ok"] and warm["ok"], **busy}
        if not entry["ok"]:
            entry["error"] = (first.get("error") or warm.get("error") or "")[-800:]
        results[path.stem] = entry
        quality.update(first.get("values", {}))
        print(f"  {path.stem}: alone {runs[path.stem][0]['alone_s']} s (beside a busy program "
              f"{entry['alone_busy_s']} s), first {entry['first_s']} s, warm {entry['warm_s']} s", flush=True)
    more_alone_runs(paths, work, runs)
    for name, entry in results.items():
        entry.update(median_alone(runs[name]))
        print(f"  {name}: alone, median of {len(runs[name])}: {entry['alone_s']} s", flush=True)
    return results, quality


def bench_import() -> float:
    """``import helpers`` in a fresh process (best of three)."""
    code = "import time; t = time.perf_counter(); import helpers; print(time.perf_counter() - t)"
    times = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT,
                                  check=True).stdout) for _ in range(3)]
    return round(min(times), 4)


def _timed(function: Callable[[], Any]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def _helper_against_library(X: Any, method: str, library: Callable[[Any], Any], repeats: int) -> dict[str, Any]:
    """One method at one size for :func:`bench_projections`: the helper's first and cached calls, then
    helper and library in alternating order, with the trustworthiness of both maps."""
    from helpers import metrics, projections

    n = len(X)
    first = _timed(lambda: projections.project(X, method, verbose=False))
    cached = _timed(lambda: projections.project(X, method, verbose=False))
    helper_s: list[float] = []
    library_s: list[float] = []
    maps: dict[str, Any] = {}

    def helper() -> None:
        maps["helper"] = projections.project(X, method, cache=False, verbose=False)

    def run_library() -> None:
        maps["library"] = library(X)

    # PCA takes milliseconds: 20 runs; at the smaller sizes (seconds) twice the runs, so that
    # a few disturbed runs of one side cannot decide the ratio
    runs = 20 if method == "pca" else repeats * 2 if n <= 2000 else repeats
    for i in range(runs):
        for side in ((helper, run_library) if i % 2 == 0 else (run_library, helper)):
            (helper_s if side is helper else library_s).append(_timed(side))
    trust = {side: round(metrics.trustworthiness(X, Y, k=10, sample=min(n, 2000), cache=False), 4)
             for side, Y in maps.items()}
    return {"first_s": round(first, 3), "cached_s": round(cached, 5),
            "helper_s": [round(t, 3) for t in helper_s], "library_s": [round(t, 3) for t in library_s],
            "overhead_ratio": round(min(helper_s) / min(library_s), 3),
            "total_ratio": round(sum(helper_s) / sum(library_s), 3), "trustworthiness": trust}


def bench_projections(sizes: list[int], repeats: int = 2,
                      done: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """helpers.projections.project against the library called directly, in this process, order-fair.

    The numba code of UMAP is compiled before any timing (one small run of each path), so
    neither side pays for it. At each size each method runs ``repeats`` times per side
    (twice as many up to 2,000 points) in the order helper, library, library, helper, ...
    (so a drift of the machine's speed favours neither).
    ``first_s`` is the helper's first (computed and stored) call, ``cached_s`` the next;
    ``overhead_ratio`` compares the best run of each side (the one least disturbed by other
    programs), ``total_ratio`` their totals.
    ``trustworthiness`` (k = 10, against the 50-d input) of both maps shows that they are
    as good as each other. ``done(results)`` is called after each size (to save what is
    measured so far).
    """
    import numpy as np
    from sklearn.decomposition import PCA
    from sklearn.manifold import TSNE

    from helpers import data, projections

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=FutureWarning)
        import umap

    fashion = data.load_fashion_mnist()
    pixels = np.concatenate([fashion.x_train, fashion.x_test]).reshape(-1, 784).astype(np.float32) / 255
    features = PCA(50, random_state=0).fit_transform(pixels).astype(np.float32)  # the usual pre-reduction
    results: dict[str, Any] = {"input": "Fashion-MNIST pixels reduced to 50-d by PCA",
                               "method": f"in one process, numba compiled first, {repeats} runs each side at "
                                         f"10,000 points and {2 * repeats} below (PCA, which takes milliseconds: 20), "
                                         "alternating helper/library; overhead_ratio "
                                         "= the helper's best run / the library's best run (the least disturbed by "
                                         "other programs); total_ratio = helper total / library total",
                               "load": [round(os.getloadavg()[0], 2)] if hasattr(os, "getloadavg") else None,
                               "70000": "skipped: the full data set is not shipped (only downloaded on request)"}
    libraries = {
        "pca": lambda X: PCA(2, random_state=0).fit_transform(X),
        "tsne": lambda X: TSNE(2, perplexity=30, init="pca", learning_rate="auto", random_state=0).fit_transform(X),
        "umap": lambda X: umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=0).fit_transform(X),
    }
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning)  # umap's note that a seed means one thread
        for n in (500, 4500):  # both of the helper's neighbour paths (below and above 4,096 points), and umap's own
            projections.project(features[:n], "umap", cache=False, verbose=False, n_epochs=5)
            umap.UMAP(n_epochs=5, random_state=0).fit_transform(features[:n])
        for n in sizes:
            X = features[:n]
            row = {method: _helper_against_library(X, method, libraries[method], repeats) for method in libraries}
            results[str(n)] = row
            if done is not None:
                done(results)
            print(f"  projections at {n}: " + ", ".join(
                f"{m} first {v['first_s']} s, overhead {v['overhead_ratio']}x" for m, v in row.items()), flush=True)
    return results


def latency(action: Callable[[int], Any], repeats: int = 50) -> dict[str, float]:
    """p50 / p95 in milliseconds of ``action(i)`` over ``repeats`` calls (after two warm-up calls)."""
    action(0)
    action(1)
    timings = []
    for i in range(repeats):
        started = time.perf_counter()
        action(i)
        timings.append(1000 * (time.perf_counter() - started))
    timings.sort()
    return {"p50_ms": round(statistics.median(timings), 2),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 2), "n": repeats}


def _start_here_slider(n: int) -> Callable[[int], Any]:
    """The one-hot slider of notebook 00, run from the notebook's own cell."""
    import numpy as np
    from notebook_files import course_notebooks

    path = next(p for p in course_notebooks() if p.stem == "00_start_here")
    cell = next("".join(c["source"]) for c in json.loads(path.read_text())["cells"]
                if c["cell_type"] == "code" and "def show_category" in "".join(c["source"]))
    namespace: dict[str, Any] = {"np": np}
    import IPython.display

    real_display = IPython.display.display
    IPython.display.display = lambda *args, **kwargs: None  # the cell ends by displaying its widget
    try:
        exec(compile(cell, str(path), "exec"), namespace)
    finally:
        IPython.display.display = real_display
    categories = namespace["categories"]
    return lambda i: namespace["show_category"](categories[i % len(categories)])


def _onehot_explorer(n: int) -> Callable[[int], Any]:
    from helpers import data
    from helpers.widgets.onehot import OneHotExplorer

    explorer = OneHotExplorer(data.load_xkcd_colors(polite=True), size=8)
    explorer.widget()
    steps = [lambda i: explorer.set_size(2 + (i % 23)), lambda i: explorer.select(i % explorer.size),
             lambda i: explorer.set_representation(("one-hot", "RGB values")[i % 2])]
    return lambda i: steps[(i // 2) % 3](i)  # the slider, the colour picker and the buttons, in turn


def _word_explorer(n: int) -> Callable[[int], Any]:
    from helpers import data
    from helpers.widgets.words import WordExplorer

    explorer = WordExplorer(data.load_glove(), words=["king", "frog", "coffee", "physics"])
    explorer.widget()
    for k in range(11):  # the slider's range; each map is computed once and cached
        explorer.set_k(k)
    return lambda i: explorer.set_k(3 + (i % 5))


def _random_points(n: int, d: int = 32) -> tuple[Any, Any, Any]:
    import numpy as np

    rng = np.random.default_rng(0)
    return (rng.normal(size=(n, d)).astype(np.float32), rng.integers(0, 10, size=n),
            rng.integers(0, 255, size=(n, 28, 28), dtype=np.uint8))


def _projection_explorer(n: int) -> Callable[[int], Any]:
    from helpers.widgets.projection import ProjectionExplorer

    X, labels, images = _random_points(n)
    explorer = ProjectionExplorer(X, labels, images=images, method="pca")
    _ = explorer.view  # build the figure and controls, so that each selection redraws them
    return lambda i: explorer.select(int((i * 7919) % n))


def _layer_explorer(n: int, first_view: bool = False) -> Callable[[int], Any]:
    """Notebook 06's layer picker: several spaces of the same points, maps already computed.

    Going back to a space shown before pastes its picture; ``first_view`` times each switch
    as if that space had not been shown yet (its map drawn in full).
    """
    import numpy as np

    from helpers.widgets.projection import ProjectionExplorer

    X, labels, images = _random_points(n)
    rng = np.random.default_rng(1)
    spaces = {f"layer{j}": rng.normal(size=(n, 16)).astype(np.float32) for j in range(3)}
    explorer = ProjectionExplorer(X, labels, images=images, name="fc7", spaces=spaces, method="pca", k=6)
    _ = explorer.view
    explorer.select(0)
    names = list(explorer.spaces)
    for name in names:  # compute each map once (reported under projections)
        explorer.set_space(name)
    if not first_view:
        return lambda i: explorer.set_space(names[i % len(names)])

    def switch(i: int) -> None:
        explorer.view.live.forget_pictures()
        explorer.set_space(names[i % len(names)])

    return switch


def _layer_explorer_first_view(n: int) -> Callable[[int], Any]:
    return _layer_explorer(n, first_view=True)


def _epoch_explorer(n: int) -> Callable[[int], Any]:
    import numpy as np

    from helpers.widgets.training_evolution import EpochExplorer

    rng = np.random.default_rng(0)
    start = rng.normal(size=(n, 64)).astype(np.float32)
    epochs = np.stack([start + t * rng.normal(size=(n, 64)).astype(np.float32) for t in np.linspace(0, 1, 6)])
    explorer = EpochExplorer(epochs, rng.integers(0, 10, size=n), method="pca",
                             scores={"accuracy": np.linspace(0.1, 0.9, 6).tolist()})
    _ = explorer.view
    return lambda i: explorer.set_epoch(i % 6)


def _autoencoder(n: int) -> tuple[Any, Any, Any, Any]:
    from helpers import autoencoder_training, data, latent_space

    fashion = data.load_fashion_mnist()
    model, _ = autoencoder_training.train_or_load_autoencoder(
        fashion, latent_dim=autoencoder_training.SMALL_LATENT_DIM, progress=False)
    x = fashion.x_train[:n]
    return model, x, latent_space.encode_images(model, x), fashion


def _latent_explorer(n: int) -> Callable[[int], Any]:
    import numpy as np

    from helpers.widgets.latent import LatentExplorer

    model, _, codes, fashion = _autoencoder(n)
    explorer = LatentExplorer(model, codes, fashion.y_train[:n], fashion.class_names)
    lo, hi = codes.min(axis=0), codes.max(axis=0)
    targets = np.random.default_rng(0).uniform(lo, hi, size=(64, 2))
    return lambda i: explorer.move_to(targets[i % 64])


def _interpolation_explorer(n: int) -> Callable[[int], Any]:
    from helpers.widgets.interpolation import InterpolationExplorer

    model, x, codes, fashion = _autoencoder(n)
    walk = InterpolationExplorer(model, x, codes, fashion.y_train[:n], fashion.class_names, pair=(0, 1), steps=9)
    return lambda i: walk.select_pair((i * 7919) % n, (i * 104729 + 1) % n)


def _structure_explorer(n: int) -> Callable[[int], Any]:
    import numpy as np

    from helpers.widgets.structure import StructureExplorer

    X, labels, _ = _random_points(n)
    rng = np.random.default_rng(2)
    spaces = {"pixels": (X, None), **{name: (X, rng.normal(size=(n, 2)).astype(np.float32))
                                      for name in ("PCA-2", "t-SNE", "UMAP", "CNN-64", "AE-2")}}
    explorer = StructureExplorer(spaces, labels, k=10, reference="the pixels")
    explorer.widget()
    ks = [5, 10, 20]
    for k in ks:  # compute the scores once (the slider then reads them)
        explorer.set_k(k)
    return lambda i: explorer.set_k(ks[i % 3])


# name -> (sizes it is measured at, factory(n) returning the scripted interaction)
EXPLORERS: dict[str, tuple[tuple[int, ...] | None, Callable[[int], Callable[[int], Any]]]] = {
    "start_here_slider (00)": ((5,), _start_here_slider),
    "onehot_explorer (01)": ((24,), _onehot_explorer),
    "word_explorer (02)": ((30000,), _word_explorer),
    "projection_explorer (03)": (None, _projection_explorer),
    "epoch_explorer (03)": (None, _epoch_explorer),
    "latent_explorer (04)": (None, _latent_explorer),
    "interpolation_explorer (04)": (None, _interpolation_explorer),
    # the structure explorer draws bars whatever the number of points: measured at its notebook's size
    "structure_explorer (05)": ((2000,), _structure_explorer),
    "layer_explorer (06)": ((1000, 10000), _layer_explorer),
    "layer_explorer, first view of a space (06)": ((1000, 10000), _layer_explorer_first_view),
}


def _ipympl_latency(factory: Callable[[int], Callable[[int], Any]], n: int) -> dict[str, float]:
    """Latency with interactive figures (the learner's default), as the kernel sees it.

    Each figure is set up as if its browser view were open: when the kernel tells the
    browser that a picture is ready (a "draw" event), the browser's request is answered
    at once, as ipympl would (a render, or the blitted pixels, and the PNG difference
    image). An interaction is timed from the callback until that picture is sent.
    """
    import matplotlib
    import matplotlib.pyplot as plt

    previous = matplotlib.get_backend()
    plt.switch_backend("module://ipympl.backend_nbagg")
    try:
        plt.close("all")
        act = factory(n)
        pending: set[Any] = set()
        for number in plt.get_fignums():
            canvas = plt.figure(number).canvas
            canvas.syncing_data_url = False  # what ipympl does once the view says "initialized"
            real_send_event = canvas.send_event

            def send_event(event_type: str, canvas: Any = canvas, real: Any = real_send_event, **kwargs: Any) -> None:
                if event_type == "draw":
                    pending.add(canvas)  # the browser will ask for the picture
                else:
                    real(event_type, **kwargs)

            canvas.send_event = send_event
            canvas.handle_event({"type": "draw"})  # the view's first picture

        def step(i: int) -> None:
            act(i)
            while pending:
                pending.pop().handle_event({"type": "draw"})

        return latency(step)
    finally:
        plt.close("all")
        plt.switch_backend(previous)


def bench_widgets(sizes: list[int]) -> dict[str, Any]:
    """Scripted interactions with every explorer, timed including the redraw, in both figure modes."""
    results: dict[str, Any] = {
        "modes": {"ipympl": "interactive figures (the default), browser view ready: callback + render of what "
                            "changed + the PNG difference image ipympl sends",
                  "static": "no ipympl: callback + render of what changed + the PNG the image widget shows"},
    }
    for name, (fixed, factory) in EXPLORERS.items():
        for mode in ("ipympl", "static"):
            key = f"{name} [{mode}]"
            results[key] = {}
            for n in fixed or sizes:
                try:
                    results[key][str(n)] = _ipympl_latency(factory, n) if mode == "ipympl" else latency(factory(n))
                except Exception as exc:  # report and go on: a benchmark measures, it does not stop
                    results[key][str(n)] = {"error": f"{type(exc).__name__}: {exc}"}
            print(f"  {key}: {results[key]}", flush=True)
    return results


def bench_mnist_quality() -> dict[str, Any]:
    """The CNN of notebook 03 trained on MNIST (the notebook's second data set; not in its default run)."""
    from helpers import data
    from helpers.cnn_training import CNN_EPOCHS, train_or_load_cnn

    mnist = data.load_mnist()
    _, info = train_or_load_cnn(mnist, epochs=CNN_EPOCHS[mnist.name], progress=False)
    return {"cnn_mnist_test_acc": round(float(info["test_accuracy"]), 4), "cnn_mnist_epochs": CNN_EPOCHS[mnist.name]}


def bench_training() -> dict[str, Any]:
    """The helpers' fit loop against a minimal hand-written loop on the same model and data."""
    import torch
    from torch import nn

    from helpers import data, training

    fashion = data.load_fashion_mnist()
    X = training.as_tensor_images(fashion.x_train)  # 12,000 images
    y = torch.from_numpy(fashion.y_train)

    def model() -> nn.Module:
        torch.manual_seed(0)
        return nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                             nn.Linear(16 * 14 * 14, 10))

    def helpers_loop() -> None:
        training.fit(model(), X, y, loss_fn=nn.functional.cross_entropy, epochs=2, batch_size=128, device="cpu",
                     progress=False)

    def plain() -> None:
        net = model()
        opt = torch.optim.Adam(net.parameters(), lr=1e-3)
        gen = torch.Generator().manual_seed(0)
        for _ in range(2):
            for idx in torch.randperm(len(X), generator=gen).split(128):
                opt.zero_grad()
                nn.functional.cross_entropy(net(X[idx]), y[idx]).backward()
                opt.step()

    # Best of three, taken in turn, after one untimed run of each: the first training in a process
    # pays one-off costs (kernel set-up in the math libraries) that would favour whichever runs second.
    helpers_loop()
    plain()
    helper_s = plain_s = float("inf")
    for _ in range(3):
        helper_s = min(helper_s, _timed(helpers_loop))
        plain_s = min(plain_s, _timed(plain))
    return {"fit_loop": {"helpers_s": round(helper_s, 3), "plain_loop_s": round(plain_s, 3),
                         "throughput_ratio": round(plain_s / helper_s, 3), "images": 2 * len(X)}}


def machine() -> dict[str, Any]:
    import torch

    from helpers.training import choose_device

    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"cores": os.cpu_count(), "cpu": cpu, "python": platform.python_version(), "torch": torch.__version__,
            "device": str(choose_device()), "platform": f"{platform.system()} {platform.machine()}"}


def verdict(value: float | None, budget: float) -> str:
    if value is None:
        return "n/a"
    return "pass" if value <= budget else "OVER"


def print_table(report: dict[str, Any]) -> None:
    print("\n== How fast is it? ==")
    print(f"machine: {report['machine']}")
    print(f"import helpers: {report['import_helpers_s']} s  [{verdict(report['import_helpers_s'], 2.0)}]")
    nbs = report.get("notebooks", {})
    if nbs:
        print(f"\n{'notebook':<28}{'alone s':>9}{'busy s':>9}{'first s':>9}{'warm s':>9}  budget")
        total = 0.0
        for name, row in nbs.items():
            alone, first, warm = row.get("alone_s"), row.get("first_s"), row.get("warm_s")
            total += first or 0
            ratio_ok = first and warm is not None and warm <= first * BUDGETS["warm_ratio"]
            busy = row.get("alone_busy_s")
            print(f"{name:<28}{alone!s:>9}{busy!s:>9}{first!s:>9}{warm!s:>9}  "
                  f"alone {verdict(alone, BUDGETS['notebook_alone_s'])}, "
                  f"busy {verdict(busy, BUDGETS['notebook_alone_busy_s'])}, "
                  f"first {verdict(first, BUDGETS['notebook_s'])}, "
                  f"warm {'pass' if ratio_ok else 'OVER'}{'' if row.get('ok') else '  (FAILED)'}")
        print(f"{'whole course (first runs)':<28}{'':>9}{'':>9}{round(total, 1):>9}{'':>9}  "
              f"{verdict(total, BUDGETS['course_s'])}")
        print(f"\n{'notebook':<28}{'cold s':>9}{'peak MB':>9}{'CPU-only':>9}  budget (CPU-only in brackets)")
        for name, row in nbs.items():
            cold, peak, cpu = row.get("alone_cold_s"), row.get("peak_mb"), row.get("peak_mb_cpu_torch")
            print(f"{name:<28}{cold!s:>9}{peak!s:>9}{cpu!s:>9}  "
                  f"cold {verdict(cold, BUDGETS['notebook_alone_cold_s'])}, "
                  f"memory {verdict(peak, BUDGETS['kernel_peak_mb'])} ({verdict(cpu, BUDGETS['kernel_peak_mb'])})")
    print()
    for name, sizes in report.get("widgets", {}).items():
        if not isinstance(sizes, dict):
            continue
        for n, row in sizes.items():
            if "p95_ms" in row:
                print(f"widget {name} at {n}: p50 {row['p50_ms']} ms, p95 {row['p95_ms']} ms  "
                      f"[{verdict(row['p95_ms'], BUDGETS['interaction_ms'])}]")
            elif "error" in row:
                print(f"widget {name} at {n}: {row['error']}")
    print()
    for n, row in report.get("projections", {}).items():
        if isinstance(row, dict):
            print(f"projections at {n} points: " + "; ".join(
                f"{m} first {v['first_s']} s, cached {v['cached_s']} s, overhead {v['overhead_ratio']}x"
                + (f" [{verdict(v['overhead_ratio'], BUDGETS['projection_overhead'])}]" if m != "pca" else "")
                for m, v in row.items()))  # PCA takes milliseconds: its ratio is mostly the timer's noise
    if report.get("training"):
        print(f"training: {report['training']}")
    if report.get("quality"):
        print("quality: " + json.dumps(report["quality"], default=str)[:3000])


def rerun_notebooks(out: Path, names: list[str]) -> int:
    """Measure some notebooks (and all widgets) again and update their entries in ``out``."""
    report = json.loads(out.read_text()) if out.exists() else {"machine": machine(), "import_helpers_s": bench_import()}
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        rows, quality = bench_notebooks(Path(tmp), only=names)
        os.environ["COURSE_CACHE_DIR"] = str(Path(tmp) / "bench-cache")
        print("widgets:", flush=True)
        report["widgets"] = bench_widgets([1000, 10000])
        quality.update(bench_mnist_quality())
    report.setdefault("notebooks", {}).update(rows)
    report.setdefault("quality", {}).update(quality)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_table(report)
    return 0


def rerun_projections(out: Path, sizes: list[int]) -> int:
    """Measure the projections again and replace the report's ``projections`` section."""
    report = json.loads(out.read_text())
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        os.environ["COURSE_CACHE_DIR"] = str(Path(tmp) / "bench-cache")
        def save(results: dict[str, Any]) -> None:
            report["projections"] = results
            out.write_text(json.dumps(report, indent=2, default=str) + "\n")

        bench_projections(sizes, done=save)
    print_table(report)
    return 0


def rerun_widgets(out: Path) -> int:
    """Measure the explorers again and replace the report's ``widgets`` section."""
    report = json.loads(out.read_text())
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        os.environ["COURSE_CACHE_DIR"] = str(Path(tmp) / "bench-cache")
        report["widgets"] = bench_widgets([1000, 10000])
    report.setdefault("budgets", {}).update(BUDGETS)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_table(report)
    return 0


def _replace_notebook_entries(out: Path, rows: dict[str, dict], stale: Callable[[str], bool]) -> int:
    """Put each notebook's new ``rows`` into the report ``out``, dropping its ``stale`` keys (e.g. an earlier error)."""
    report = json.loads(out.read_text())
    for name, row in rows.items():
        entry = report.setdefault("notebooks", {}).setdefault(name, {})
        for key in [key for key in entry if stale(key)]:
            del entry[key]
        entry.update(row)
    report.setdefault("budgets", {}).update(BUDGETS)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_table(report)
    return 0


def rerun_alone(out: Path, names: list[str]) -> int:
    """Measure the notebooks run alone again and update their ``alone_*`` entries in ``out``."""
    return _replace_notebook_entries(out, bench_alone(names),
                                     lambda key: key.startswith("alone") and not key.startswith("alone_cold"))


def rerun_cold(out: Path, names: list[str]) -> int:
    """Measure the cold runs (and the kernels' peak memory) again and update those entries in ``out``."""
    return _replace_notebook_entries(out, bench_cold(names), lambda key: key.startswith("alone_cold"))


def rerun_memory_limits(out: Path) -> int:
    """Run every notebook inside the memory limits again: ``unlimited`` and ``in_limit`` per notebook,
    ``memory_pair``."""
    measured = bench_memory_limits()
    if not measured:
        return 2
    report = json.loads(out.read_text())
    add_memory_limits(report, measured)
    out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_table(report)
    return 0


def add_memory_limits(report: dict[str, Any], measured: dict[str, Any]) -> None:
    """Put :func:`bench_memory_limits`' results into ``report``: per notebook, and ``memory_pair``."""
    for name, rows in measured["notebooks"].items():
        report.setdefault("notebooks", {}).setdefault(name, {}).update(rows)
    report["memory_pair"] = {**measured["pair"], "load_after": round(measured["load"], 2)}


def torch_build(python: str) -> str:
    """``python``'s PyTorch: its version and 'CPU-only' or the CUDA version it was built for."""
    probe = "import torch; print(torch.__version__, torch.version.cuda or 'CPU-only')"
    return subprocess.run([python, "-c", probe], capture_output=True, text=True, check=True).stdout.strip()


def rerun_cpu_torch_memory(out: Path, python: str, names: list[str]) -> int:
    """Each notebook's kernel peak memory with ``python``, whose PyTorch must be the CPU-only build
    (what Binder and `make lab` on a machine without an NVIDIA GPU install): ``peak_mb_cpu_torch``."""
    build = torch_build(python)
    if not build.endswith("CPU-only"):
        print(f"--cpu-torch-python: {python} has PyTorch {build}, not the CPU-only build", file=sys.stderr)
        return 2
    rows = {name: {"peak_mb_cpu_torch": row["peak_mb"], "cpu_torch": build}
            for name, row in bench_cold(names, python).items()}
    return _replace_notebook_entries(out, rows, lambda key: key in ("peak_mb_cpu_torch", "cpu_torch"))


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=REPO_ROOT / "benchmarks" / "report.json")
    parser.add_argument("--skip-notebooks", action="store_true", help="leave out the notebook runs")
    parser.add_argument("--quick", action="store_true", help="small sizes only (a smoke run)")
    parser.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="re-run only these notebooks (and the widgets) and update an existing report")
    parser.add_argument("--alone", nargs="*", metavar="NAME",
                        help="measure only the notebooks run alone (all, or those named) and update an existing report")
    parser.add_argument("--cold", nargs="*", metavar="NAME",
                        help="measure only the cold runs, numba's cache empty too (all notebooks, or those named), "
                             "with each kernel's peak memory, and update an existing report")
    parser.add_argument("--cpu-torch-python", metavar="PYTHON",
                        help="measure each notebook kernel's peak memory with this Python, whose PyTorch is the "
                             "CPU-only build (as on Binder), and update an existing report")
    parser.add_argument("--memory-limits", action="store_true",
                        help="run each notebook inside a hard memory limit (1.2 GB) and the two heaviest side by "
                             "side inside 2 GB, as in a Binder session (root on Linux), and update an existing report")
    parser.add_argument("--projections", nargs="*", type=int, metavar="N",
                        help="measure only the projections (at these sizes; default 1000 2000 10000) and update an "
                             "existing report")
    parser.add_argument("--widgets", action="store_true",
                        help="measure only the explorers and update an existing report")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.widgets:
        return rerun_widgets(args.out)
    if args.projections is not None:
        return rerun_projections(args.out, args.projections or [1000, 2000, 10000])
    if args.alone is not None:
        return rerun_alone(args.out, args.alone)
    if args.cold is not None:
        return rerun_cold(args.out, args.cold)
    if args.memory_limits:
        return rerun_memory_limits(args.out)
    if args.cpu_torch_python:
        return rerun_cpu_torch_memory(args.out, args.cpu_torch_python, [])
    if args.notebooks:
        return rerun_notebooks(args.out, args.notebooks)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="course-bench-") as tmp:
        work = Path(tmp)
        os.environ["COURSE_CACHE_DIR"] = str(work / "bench-cache")
        report: dict[str, Any] = {"machine": machine(), "budgets": BUDGETS, "import_helpers_s": bench_import()}
        if not args.skip_notebooks:
            print("notebooks (alone with an empty cache of its own, three times in rounds; first run in order "
                  "with a shared empty cache, then warm; fresh kernel each, offline):", flush=True)
            report["notebooks"], report["quality"] = bench_notebooks(work)
            print("memory limits (each notebook inside 1.2 GB, the heaviest two inside 2 GB):", flush=True)
            if measured := bench_memory_limits():
                add_memory_limits(report, measured)
        sizes = [1000] if args.quick else [1000, 10000]
        print("projections:", flush=True)
        report["projections"] = bench_projections([1000] if args.quick else [1000, 2000, 10000])
        print("widgets:", flush=True)
        report["widgets"] = bench_widgets(sizes)
        print("training:", flush=True)
        report["training"] = bench_training()
        report.setdefault("quality", {}).update(bench_mnist_quality())
    report["bench_seconds"] = round(time.perf_counter() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, default=str) + "\n")
    print_table(report)
    print(f"\nwrote {args.out} in {report['bench_seconds']} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
