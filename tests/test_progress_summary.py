"""The instructor's summary of a folder of exported progress files."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

from helpers import progress

TOOL = Path(__file__).resolve().parent.parent / "tools" / "progress_summary.py"


def _export(folder: Path, learner: str, entries: dict, monkeypatch, tmp_path) -> None:
    """Record ``entries`` ({(notebook, question): change}) as one learner and export them."""
    monkeypatch.setenv("COURSE_PROGRESS_DIR", str(tmp_path / f"progress-{learner}"))
    for (notebook, question), fields in entries.items():
        progress.update_entry(notebook, question, lambda entry, fields=fields: entry.update(fields))
    progress.export_progress(folder / f"{learner}.json")


def _run(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)], capture_output=True, text=True, timeout=120)


def test_summary_of_a_folder_with_a_damaged_file(tmp_path, monkeypatch):
    folder = tmp_path / "handed-in"
    folder.mkdir()
    _export(folder, "ada", {("01_one_hot_encoding", "q1"): {"status": "solved", "attempts": 2},
                            ("01_one_hot_encoding", "q2"): {"status": "attempted", "attempts": 1}},
            monkeypatch, tmp_path)
    _export(folder, "grace", {("01_one_hot_encoding", "q1"): {"status": "solved", "solution_viewed": True},
                              ("01_one_hot_encoding", "q10"): {"status": "solved"}},
            monkeypatch, tmp_path)
    (folder / "mallory.json").write_text((folder / "ada.json").read_text().replace('"solved"', '"SOLVED"', 1))
    (folder / "broken.json").write_text("{not json")

    result = _run(folder, "--csv", tmp_path / "summary.csv")
    assert result.returncode == 0, result.stderr
    assert "mallory.json" in result.stderr and "digest" in result.stderr
    assert "broken.json" in result.stderr and "not valid JSON" in result.stderr
    assert "ada" in result.stdout and "grace" in result.stdout
    assert re.search(r"^mallory +not read", result.stdout, re.M)  # named in a row of its own, counted nowhere

    rows = list(csv.reader((tmp_path / "summary.csv").open(encoding="utf-8")))
    assert rows[0] == ["learner", "01_one_hot_encoding/q1", "01_one_hot_encoding/q2", "01_one_hot_encoding/q10",
                       "solved"]
    assert rows[1] == ["ada", "solved", "tried", "not tried", "1 of 3"]
    assert rows[2] == ["grace", "solved, solution seen", "not tried", "solved", "2 of 3"]
    assert rows[3] == ["broken", "not read", "not read", "not read",
                       "not read: broken.json cannot be used: it is not valid JSON (damaged or truncated)"]
    assert rows[4][:4] == ["mallory", "not read", "not read", "not read"] and "digest" in rows[4][4]
    assert rows[5] == ["solved by (of 2)", "2", "0", "1", ""]
    assert all(cell.strip() not in {"", "-"} for row in rows[:3] for cell in row)


def test_an_empty_folder_and_a_missing_folder(tmp_path):
    result = _run(tmp_path)
    assert result.returncode == 0 and "No readable progress files" in result.stdout
    missing = _run(tmp_path / "nowhere")
    assert missing.returncode == 2 and "not a folder" in missing.stderr and "Traceback" not in missing.stderr
