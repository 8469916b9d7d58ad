"""The notebooks' sentences about numbers: one rounding for tables and sentences, and a comparison that
finds no difference never worded as equality (helpers.claims itself: tests/test_claims.py)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def _code_cells(path: Path) -> list[str]:
    return ["".join(cell["source"]) for cell in json.loads(path.read_text())["cells"] if cell["cell_type"] == "code"]


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.stem)
def test_tables_and_sentences_share_one_rounding(path):
    """A table is displayed through ``shown`` (never ``.round``), and in a notebook that shows one the
    sentences quote numbers through ``decimal``, never through a format spec of their own."""
    cells = _code_cells(path)
    for source in cells:
        last = source.strip().splitlines()[-1] if source.strip() else ""
        assert not re.search(r"\.round\(\d*\)\s*$", last), f"{path.name}: a table shown with .round: {last!r}"
    if any("shown(" in source for source in cells):
        for source in cells:
            for call in re.findall(r"say\((.*?)\)(?:\n|$)", source, flags=re.DOTALL):
                assert not re.search(r":\.\d+f\}", call), f"{path.name}: a sentence rounds on its own: {call[:80]!r}"


# ----------------------------------------------------------------------------- "no difference found" is not "the same"

#: Phrases that state equality where a measurement can only fail to find a difference.
EQUALITY = re.compile(r"\b(as well as|(about |nearly |just )?as often as|as good as|about as well|as good here|"
                      r"equally (good|well))\b", re.IGNORECASE)
HELPERS = Path(__file__).resolve().parents[2] / "helpers"


def equality_phrases(text: str) -> list[str]:
    return [match.group(0) for match in EQUALITY.finditer(text)]


def test_the_equality_check_catches_what_it_should():
    assert equality_phrases('same="about as often as"') == ["about as often as"]
    assert equality_phrases("conv5 is as good as the best; fc7 does as well as fc6") == ["as good as", "as well as"]
    assert equality_phrases("with 2,000 test images the two cannot be told apart; more often than chance") == []


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")) + sorted(HELPERS.rglob("*.py")),
                         ids=lambda p: p.name)
def test_no_difference_found_is_never_worded_as_equality(path):
    """A comparison that finds no difference says so ("the two cannot be told apart"), never "as well as"."""
    assert equality_phrases(path.read_text(encoding="utf-8")) == [], path.name
