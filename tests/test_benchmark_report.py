"""The README's speed table shows the numbers of benchmarks/report.json (written by `make bench`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _notebook_rows() -> dict[str, list[str]]:
    """README speed table: notebook number -> its cells after the name."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("## How fast is it?", 1)[1].split("\n\n| explorer", 1)[0].split("| notebook | fresh", 1)[0]
    return {m.group(1): [c.strip() for c in m.group(2).split("|")]
            for m in re.finditer(r"^\| (\d\d) [^|]*\|(.*)\|\s*$", table, re.M)}


def test_the_readme_speed_table_shows_the_reports_notebook_times():
    notebooks = json.loads((REPO / "benchmarks" / "report.json").read_text())["notebooks"]
    rows = _notebook_rows()
    assert sorted(rows) == sorted(name[:2] for name in notebooks)
    for name, entry in notebooks.items():
        expected = [f"{entry[key]:.1f} s" for key in ("first_s", "warm_s")]
        expected.insert(0, f"{entry['alone_s']:.1f} s" if entry["alone_ok"] else "not measured (see the report)")
        assert rows[name[:2]] == expected, name
    text = (REPO / "README.md").read_text(encoding="utf-8")
    total = round(sum(entry["first_s"] for entry in notebooks.values()))
    assert f"| **whole course** | | **{total} s** | |" in text


def test_every_notebook_alone_is_in_the_report_with_its_load():
    notebooks = json.loads((REPO / "benchmarks" / "report.json").read_text())["notebooks"]
    for name, entry in notebooks.items():
        assert entry["alone_cpu_s"] > 0 and len(entry["alone_load"]) == 2, name
        assert entry["alone_busy_ok"] and entry["alone_busy_s"] > 0, name   # beside one busy program
        if entry["alone_ok"]:
            assert entry["alone_s"] > 0, name
            # the median of three runs, each with an empty cache of its own
            runs = entry["alone_runs_s"]
            assert len(runs) == 3 and entry["alone_s"] == sorted(runs)[1], name
        else:
            assert entry["alone_error"], name   # a run that failed says why


def test_the_readme_says_under_what_load_the_alone_times_were_measured():
    notebooks = json.loads((REPO / "benchmarks" / "report.json").read_text())["notebooks"]
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    low, high = map(int, re.search(r"a load average of (\d+)-(\d+) on its 2 cores", text).groups())
    assert all(low <= load <= high for entry in notebooks.values() for load in entry["alone_load"])


#: README explorer row -> the report's widget key (its p95 is shown for interactive figures, then static images)
EXPLORER_ROWS = {
    "one-hot slider (00)": "start_here_slider (00)",
    "one-hot explorer, 24 colours (01)": "onehot_explorer (01)",
    "word explorer (02)": "word_explorer (02)",
    "projection explorer, 1k / 10k points (03)": "projection_explorer (03)",
    "training-evolution slider, 1k / 10k points (03)": "epoch_explorer (03)",
    "latent explorer, 1k / 10k codes (04)": "latent_explorer (04)",
    "interpolation explorer, 1k / 10k codes (04)": "interpolation_explorer (04)",
    "structure explorer (05)": "structure_explorer (05)",
    "layer explorer, back to a space shown before, 1k / 10k points (06)": "layer_explorer (06)",
    "layer explorer, a space shown for the first time, 1k / 10k points (06)":
        "layer_explorer, first view of a space (06)",
}


def _explorer_cell(report: dict, key: str) -> str:
    """'25 ms / 25 ms' (one size) or '46 / 51 ms, 45 / 50 ms' (two sizes): p95, interactive then static."""
    modes = [report["widgets"][f"{key} [{mode}]"] for mode in ("ipympl", "static")]
    if len(modes[0]) == 1:
        return " / ".join(f"{round(next(iter(m.values()))['p95_ms'])} ms" for m in modes)
    return ", ".join(" / ".join(str(round(row["p95_ms"])) for row in m.values()) + " ms" for m in modes)


def test_the_readme_explorer_table_shows_the_reports_latencies():
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("| explorer (notebook) | p95 |", 1)[1].split("\n\n", 1)[0]
    rows = {m.group(1).strip(): m.group(2).strip() for m in re.finditer(r"^\| ([^|]+) \| ([^|]+) \|$", table, re.M)
            if not m.group(1).startswith("---")}
    assert set(rows) == set(EXPLORER_ROWS)
    for row, key in EXPLORER_ROWS.items():
        assert rows[row] == _explorer_cell(report, key), row
    assert set(EXPLORER_ROWS.values()) == {k.rsplit(" [", 1)[0] for k in report["widgets"] if k != "modes"}


def test_the_readme_gives_the_times_beside_a_busy_program():
    notebooks = json.loads((REPO / "benchmarks" / "report.json").read_text())["notebooks"]
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    busy = [entry["alone_busy_s"] for entry in notebooks.values()]
    assert f"each notebook alone took {min(busy):.0f}-{max(busy):.0f} s" in text


def test_the_readme_says_how_far_the_projections_are_from_the_libraries():
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    ratios = [v["overhead_ratio"] for n, row in report["projections"].items() if isinstance(row, dict)
              for m, v in row.items() if m in ("tsne", "umap")]
    assert len(ratios) == 6  # t-SNE and UMAP at 1,000, 2,000 and 10,000 points
    assert f"{min(ratios):.2f}x to {max(ratios):.2f}x" in text


#: What an explorer's size counts (points, unless named here)
SIZE_UNITS = {"start_here_slider (00)": "categories", "onehot_explorer (01)": "colours", "word_explorer (02)": "words",
              "latent_explorer (04)": "codes", "interpolation_explorer (04)": "codes"}


def over_the_goal(report: dict) -> list[str]:
    """Each reading over 50 ms p95, as the README names it: 'word explorer at 30,000 words with
    static images (52 ms)' (the row's name without its sizes and notebook)."""
    named = []
    for row, key in EXPLORER_ROWS.items():
        name = re.sub(r"(, [^,]*(points|codes|colours))? \(\d\d\)$", "", row)
        for mode, label in (("ipympl", "interactive figures"), ("static", "static images")):
            for size, reading in report["widgets"][f"{key} [{mode}]"].items():
                if reading["p95_ms"] > 50:
                    named.append(f"{name} at {int(size):,} {SIZE_UNITS.get(key, 'points')} with {label} "
                                 f"({reading['p95_ms']:.0f} ms)")
    return named


def test_the_readme_names_every_explorer_over_the_goal():
    """Under the explorer table: every reading over 50 ms is named, or the text says that none is."""
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    over = over_the_goal(report)
    if not over:
        assert "Every one is under the course's goal of 50 ms." in text
        assert "Over the course's goal of 50 ms" not in text
    for reading in over:
        assert reading in text


def alone_over_the_goal(report: dict) -> list[str]:
    """Each notebook that took longer alone than the goal, as the README names it: '03 image embeddings, 35.0 s'."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    names = {m.group(1)[:2]: m.group(1) for m in re.finditer(r"^\| (\d\d [^|]*?) \|", text, re.M)}
    goal = report["budgets"]["notebook_alone_s"]
    return [f"{names[name[:2]]}, {entry['alone_s']:.1f} s" for name, entry in report["notebooks"].items()
            if entry["alone_ok"] and entry["alone_s"] > goal]


def test_the_readme_names_every_notebook_over_the_goal_alone():
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    goal = report["budgets"]["notebook_alone_s"]
    slow = alone_over_the_goal(report)
    if not slow:
        assert f"Every notebook alone took less than the course's goal of {goal:.0f} s." in text
    else:
        assert f"Over the course's goal of {goal:.0f} s for a notebook alone in this run: " in text
    for reading in slow:
        assert reading in text


def _bench_module():
    import importlib.util

    spec = importlib.util.spec_from_file_location("course_bench_run", REPO / "benchmarks" / "run.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_notebook_alone_is_reported_by_its_median_run():
    bench = _bench_module()

    def run(seconds, ok=True):
        return {"alone_s": seconds, "alone_cpu_s": (seconds or 1.0) * 1.1, "alone_ok": ok, "alone_load": [0.1, 0.2],
                **({} if ok else {"alone_error": "a cell failed"})}

    median = bench.median_alone([run(31.0), run(22.5), run(24.0)])
    assert median["alone_s"] == 24.0 and median["alone_cpu_s"] == 24.0 * 1.1   # the fields of one run
    assert median["alone_runs_s"] == [31.0, 22.5, 24.0]
    assert bench.median_alone([run(40.0), run(20.0)])["alone_s"] == 20.0        # an even count: the lower middle
    failed = bench.median_alone([run(20.0), run(None, ok=False), run(21.0)])
    assert not failed["alone_ok"] and failed["alone_error"]                     # a failure is never hidden
    assert failed["alone_runs_s"] == [20.0, None, 21.0]


# ----------------------------------------------------------------------------- a fresh runtime, and memory


def _fresh_rows() -> dict[str, list[str]]:
    """README table of a fresh runtime: notebook number -> its cells after the name."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    header = ("| notebook | fresh runtime, nothing compiled | kernel's peak memory | with CPU-only PyTorch "
              "| charged | inside 1.2 GB |")
    table = text.split(header, 1)[1].split("\n\n")[0]
    return {m.group(1): [c.strip() for c in m.group(2).split("|")]
            for m in re.finditer(r"^\| (\d\d) [^|]*\|(.*)\|\s*$", table, re.M)}


def limit_verdict(run: dict) -> str:
    """How a notebook fared inside a memory limit, as the README's table says it."""
    return "stopped" if not run["ok"] else "ran, at the limit" if run["reached_limit"] else "ran"


def over_the_limits(report: dict) -> list[str]:
    """Each notebook over a limit, as the README names it: '02 (stopped inside 1.2 GB)', '03 (72 s cold)'.

    Memory counts everywhere: a notebook must run to the end inside a hard limit of ``kernel_peak_mb_max``;
    a cold time only where the machine was otherwise idle (a load average of at most 2.5 before and after):
    on a busy machine it measures the others too.
    """
    budgets = report["budgets"]
    named = []
    for name, entry in report["notebooks"].items():
        if not entry["in_limit"]["ok"]:
            named.append(f"{name[:2]} (stopped inside {budgets['kernel_peak_mb_max'] / 1000:.1f} GB)")
        if max(entry["alone_cold_load"]) <= 2.5 and entry["alone_cold_s"] > budgets["notebook_alone_cold_s_max"]:
            named.append(f"{name[:2]} ({entry['alone_cold_s']:.0f} s cold)")
    return named


def test_the_readme_shows_each_notebooks_cold_time_and_peak_memory():
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    rows = _fresh_rows()
    assert sorted(rows) == sorted(name[:2] for name in report["notebooks"])
    for name, entry in report["notebooks"].items():
        assert entry["alone_cold_ok"], entry.get("alone_cold_error")
        cpu = entry["peak_mb_cpu_torch"]  # None where that run failed: the README says so
        assert rows[name[:2]] == [f"{entry['alone_cold_s']:.1f} s", f"{entry['peak_mb']:,} MB",
                                  "not measured" if cpu is None else f"{cpu:,} MB",
                                  f"{entry['unlimited']['charged_mb']:,} MB", limit_verdict(entry["in_limit"])], name
        assert entry["cpu_torch"].endswith("CPU-only"), entry["cpu_torch"]
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    load = re.search(r"under a load average of (\d+)-(\d+) on the 2 cores \(the fresh runtimes\)", text)
    low, high = map(int, load.groups())
    assert all(low <= load <= high for e in report["notebooks"].values() for load in e["alone_cold_load"])


def test_the_readme_names_every_notebook_over_its_limits():
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    over = over_the_limits(report)
    if over:
        assert f"Over the limits: {', '.join(over)}." in text
    else:
        assert "Every notebook is within the limits" in text


def test_over_the_limits_names_memory_always_and_time_only_on_an_idle_machine():
    ran = {"ok": True, "reached_limit": True}
    entry = {"peak_mb": 1367, "in_limit": ran, "alone_cold_s": 20.0, "alone_cold_load": [0.5, 1.0]}
    budgets = {"kernel_peak_mb_max": 1200, "notebook_alone_cold_s_max": 60}
    report = {"budgets": budgets, "notebooks": {
        "01_a": entry, "02_b": {**entry, "in_limit": {**ran, "ok": False}}, "03_c": {**entry, "alone_cold_s": 72.4},
        "04_d": {**entry, "alone_cold_s": 150.0, "alone_cold_load": [9.0, 10.2]}}}
    assert over_the_limits(report) == ["02 (stopped inside 1.2 GB)", "03 (72 s cold)"]


def test_each_notebook_and_the_two_heaviest_side_by_side_ran_inside_binders_limits():
    """Binder enforces its 2 GB as a memory cgroup: the benchmark ran the notebooks inside such limits."""
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    limit = report["budgets"]["kernel_peak_mb_max"]
    for name, entry in report["notebooks"].items():
        assert entry["in_limit"]["limit_mb"] == limit and entry["unlimited"]["limit_mb"] > 8 * limit, name
        assert entry["in_limit"]["ok"] and not entry["in_limit"]["oom_killed"], (name, entry["in_limit"])
        assert entry["unlimited"]["ok"] and not entry["unlimited"]["reached_limit"], name
    pair = report["memory_pair"]
    charged = {name: entry["unlimited"]["charged_mb"] for name, entry in report["notebooks"].items()}
    assert sorted(pair["notebooks"]) == sorted(sorted(charged, key=charged.get)[-2:])   # the two heaviest
    assert pair["limit_mb"] == 2048 and pair["ok"] and not pair["oom_killed"], pair
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    side = " and ".join(name[:2] for name in pair["notebooks"])
    reached = "reaching it" if pair["reached_limit"] else "without reaching it"
    assert f"{side} side by side were charged at most {pair['charged_mb']:,} MB of the 2 GB, {reached}" in text


def test_the_readme_names_the_resident_peaks_over_the_limit():
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    limit = report["budgets"]["kernel_peak_mb_max"]
    over = [f"{name[:2]} ({entry['peak_mb']:,} MB)" for name, entry in report["notebooks"].items()
            if entry["peak_mb"] > limit]
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    if over:
        assert f"Resident peaks over 1.2 GB with the CUDA build: {', '.join(over)}." in text
    else:
        assert "No resident peak is over 1.2 GB" in text



def test_with_cpu_only_pytorch_every_notebook_fits_half_a_binder_session():
    """Binder installs the CPU-only build: there two open notebooks must fit its 2 GB."""
    report = json.loads((REPO / "benchmarks" / "report.json").read_text())
    budget = report["budgets"]["kernel_peak_mb_max"]
    measured = {name: entry["peak_mb_cpu_torch"] for name, entry in report["notebooks"].items()
                if entry["peak_mb_cpu_torch"] is not None}
    assert measured and not {name: mb for name, mb in measured.items() if mb > budget}, measured


def test_the_readme_gives_the_browsers_click_and_pan_times_of_the_report():
    browser = json.loads((REPO / "benchmarks" / "report.json").read_text())["browser_latency"]
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    explorer, scatter = browser["ipympl_explorer"], browser["jupyter_scatter"]
    ms = {kind: [f"{entry['click_ms_p95']:.0f}" for entry in sizes.values()] for kind, sizes in browser.items()
          if kind in ("ipympl_explorer", "jupyter_scatter")}
    assert list(explorer) == ["2000", "15000"] and list(scatter) == ["2000", "15000", "100000"]
    assert f"takes {ms['ipympl_explorer'][0]} ms at 2,000 points and {ms['ipympl_explorer'][1]} ms at 15,000" in text
    clicks, pans = ms["jupyter_scatter"], [f"{entry['pan_step_ms_p95']:.0f}" for entry in scatter.values()]
    assert (f"selection in {clicks[0]} ms at 2,000 points, {clicks[1]} ms at 15,000 and {clicks[2]} ms at 100,000, "
            f"and one step of a pan in {pans[0]}, {pans[1]} and {pans[2]} ms") in text
    assert f"p95 over {browser['repeats']} clicks" in text
