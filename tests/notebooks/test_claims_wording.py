"""helpers.claims: sentences built from numbers say what the numbers say, and no more."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from helpers.claims import compared, decimal, fewer_mistakes, say, shown, with_interval

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"


def test_with_interval_shows_the_accuracy_and_its_range():
    assert with_interval(0.8, 100) == "0.800 (0.711-0.867)"
    assert with_interval(1.0, 50).startswith("1.000 (0.9")


def _right(n: int, count: int) -> np.ndarray:
    return np.arange(n) < count


def test_compared_claims_a_difference_only_when_the_paired_test_finds_one():
    pixels = _right(2000, 1562)
    assert compared(pixels, pixels) == "not clearly different from"
    assert compared(_right(2000, 1724), pixels) == "clearly higher than"
    assert compared(_right(2000, 1126), pixels) == "clearly lower than"
    assert compared(_right(2000, 1126), 0.1, more="more often than") == "more often than"   # against chance
    mixed = np.r_[_right(1000, 400), ~_right(1000, 380)]                 # 1,020 right, but on other items
    assert compared(mixed, _right(2000, 1000), same="cannot be told apart from") == "cannot be told apart from"


def test_compared_validation():
    with pytest.raises(TypeError, match="more must be a str"):
        compared(_right(10, 5), _right(10, 4), more=1)
    with pytest.raises(ValueError, match="results on the same test items"):
        compared(_right(10, 5), _right(20, 5))


def test_fewer_mistakes():
    assert fewer_mistakes(0.828, 0.877) == "28% fewer mistakes"
    assert fewer_mistakes(0.9, 0.8) == "100% more mistakes"
    assert fewer_mistakes(1.0, 1.0) == "no mistakes before either"
    with pytest.raises(ValueError, match="before must be an accuracy"):
        fewer_mistakes(1.5, 0.5)


def test_say_prints_outside_jupyter(capsys):
    say("**bold** claim")
    assert capsys.readouterr().out.strip() == "**bold** claim"
    with pytest.raises(TypeError, match="text must be a str"):
        say(3)


# ----------------------------------------------------------------------------- one number, one rounding


@pytest.mark.parametrize("value", [1721 / 2000, 0.8605, 0.0125, 0.7815, 2.5, 0.999])
def test_a_table_cell_and_a_sentence_show_a_number_the_same_way(value):
    table = pd.DataFrame({"dimensions": [64], "k-NN accuracy": [value], "recall": [np.nan]})
    cell = shown(table).loc[0]
    assert cell["k-NN accuracy"] == decimal(value) == f"{value:.3f}"
    assert cell["dimensions"] == 64 and cell["recall"] == "–"


def test_pandas_rounding_is_not_the_texts_rounding():
    """Why tables go through ``shown``: ``DataFrame.round`` rounds 1721/2000 down where the text rounds up."""
    assert str(pd.DataFrame({"a": [1721 / 2000]}).round(3).loc[0, "a"]) == "0.86"
    assert decimal(1721 / 2000) == "0.861"


def test_decimal_and_shown_validation():
    assert decimal(0.5, 0) == "0" and decimal(1, 2) == "1.00"
    with pytest.raises(ValueError, match="digits must be"):
        decimal(0.5, -1)
    with pytest.raises(TypeError, match="table must be a pandas DataFrame"):
        shown([0.5])


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
