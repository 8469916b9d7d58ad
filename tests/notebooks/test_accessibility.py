"""Figures and feedback that every reader can tell apart: contrast of feedback, words in tables, sizes.

The colour measures are tested in tests/test_colour_vision.py, the course's palettes in
tests/test_palette.py.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

import helpers.exercises as ex
import helpers.exercises.checking as feedback
from helpers import palette
from helpers.colour_vision import contrast_ratio

REPO_ROOT = Path(__file__).resolve().parents[2]


# ----------------------------------------------------------------------------- feedback and tables


@pytest.mark.parametrize("tone", list(feedback.TONES))
def test_feedback_titles_have_enough_contrast(tone):
    accent, background, _ = feedback.TONES[tone]
    assert contrast_ratio(accent, background) >= 4.5, f"the {tone} title is {contrast_ratio(accent, background):.2f}:1"
    assert contrast_ratio("#1f1f1f", background) >= 4.5  # the body text


def test_progress_table_cells_say_what_they_mean_in_words(capsys):
    problems = {"q1": ex.ValueProblem("a", 1, solution="a = 1"), "q2": ex.ValueProblem("b", 2, solution="b = 2")}
    bound = ex.bind("00_table", problems, namespace={"a": 1})
    bound.q1.check()
    capsys.readouterr()
    bound.progress()
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines()[1:] if line.strip().startswith("q")]
    assert len(rows) == 2
    assert "not tried yet" in out and rows[1][-1] == "no"
    assert all(cell not in {"-", ""} for row in rows for cell in row)


# ----------------------------------------------------------------------------- sizes in the sources


def _sources() -> dict[str, str]:
    files = {}
    for path in sorted((REPO_ROOT / "notebooks").glob("*.ipynb")):
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        files[path.name] = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    for path in sorted((REPO_ROOT / "helpers").rglob("*.py")):
        files[str(path.relative_to(REPO_ROOT))] = path.read_text(encoding="utf-8")
    return files


def test_no_figure_is_wider_than_the_maximum():
    wide = [f"{name}: figsize=({width}, ...)" for name, text in _sources().items()
            for width in re.findall(r"figsize=\(\s*([0-9.]+)\s*,", text) if float(width) > palette.MAX_FIGURE_WIDTH]
    assert not wide, f"figures wider than {palette.MAX_FIGURE_WIDTH} inches: {wide}"


def test_no_text_is_smaller_than_the_minimum():
    small = [f"{name}: fontsize={size}" for name, text in _sources().items()
             for size in re.findall(r"fontsize=([0-9.]+)\b", text) if float(size) < palette.MIN_FONT_SIZE]
    assert not small, f"text smaller than {palette.MIN_FONT_SIZE} pt: {small}"


def test_class_maps_use_the_course_palette():
    old = [name for name, text in _sources().items() if re.search(r"tab10|tab20|cm\.tab", text)]
    assert not old, f"these still colour classes with tab10/tab20: {old}"
