"""The README's speed table shows the numbers of benchmarks/report.json (written by `make bench`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _notebook_rows() -> dict[str, list[str]]:
    """README speed table: notebook number -> its cells after the name."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    table = text.split("## How fast is it?", 1)[1].split("\n\n| explorer", 1)[0]
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
        if entry["alone_ok"]:
            assert entry["alone_s"] > 0, name
        else:
            assert entry["alone_error"], name   # a run that failed says why


def test_the_readme_says_under_what_load_the_alone_times_were_measured():
    notebooks = json.loads((REPO / "benchmarks" / "report.json").read_text())["notebooks"]
    text = " ".join((REPO / "README.md").read_text(encoding="utf-8").split())
    low, high = map(int, re.search(r"a load average of (\d+)-(\d+) on its 2 cores", text).groups())
    assert all(low <= load <= high for entry in notebooks.values() for load in entry["alone_load"])
