"""Notebooks a learner reads in one sitting: short code cells, at most about 1,800 words of
prose, learning goals at the top and a summary at the bottom, and the chapter's three
definitions quoted where they are used."""

from __future__ import annotations

import re
import sys

import pytest
from conftest import REPO_ROOT

sys.path.insert(0, str(REPO_ROOT / "tools"))
from notebook_files import course_notebooks, read_notebook, source_text  # noqa: E402

NOTEBOOKS = course_notebooks()
MAX_CODE_LINES = 25
MAX_PROSE_WORDS = 1800
SET_UP_MARK = "#@title Course set-up"
DEFINITIONS = {
    "embedding": "Embedding vectors are representations of input data where similar items are close to each other.",
    "latent": "Latent vectors are intermediate representations of input data.",
    "representation": "Representations are encoded versions of the original input.",
}
# where each definition is used, and so quoted
QUOTED_IN = {"embedding": ["01", "05"], "latent": ["01", "04", "05"], "representation": ["01", "05"]}


def long_code_cells(nb: dict) -> list[tuple[int, int]]:
    """(cell number, non-blank lines) of the code cells over the limit; the set-up cell aside."""
    found = []
    for number, cell in enumerate(nb["cells"]):
        text = source_text(cell)
        if cell["cell_type"] != "code" or text.lstrip().startswith(SET_UP_MARK):
            continue
        lines = sum(1 for line in text.splitlines() if line.strip())
        if lines > MAX_CODE_LINES:
            found.append((number, lines))
    return found


def prose_words(nb: dict) -> int:
    return sum(len(source_text(c).split()) for c in nb["cells"] if c["cell_type"] == "markdown")


def quotations(nb: dict) -> str:
    """The text of the notebook's block quotations, joined, with whitespace collapsed."""
    quoted = [line.lstrip()[1:] for c in nb["cells"] if c["cell_type"] == "markdown"
              for line in source_text(c).splitlines() if line.lstrip().startswith(">")]
    return " ".join(" ".join(quoted).split())


def _notebook(*cells: tuple[str, str]) -> dict:
    return {"cells": [{"cell_type": kind, "source": text} for kind, text in cells]}


def test_the_checks_catch_what_they_should():
    long_cell = "\n".join(f"x{i} = {i}" for i in range(26))
    nb = _notebook(("code", SET_UP_MARK + "\n" + long_cell), ("code", long_cell + "\n\n\n"),
                   ("code", long_cell.rsplit("\n", 1)[0]), ("markdown", "one two\nthree"))
    assert long_code_cells(nb) == [(1, 26)]
    assert prose_words(nb) == 3
    assert quotations(_notebook(("markdown", '> "Latent vectors are\n> intermediate."\n\nnot > this'))) == \
        '"Latent vectors are intermediate."'


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_no_code_cell_is_longer_than_25_lines(path):
    assert not long_code_cells(read_notebook(path)), (
        f"{path.name}: code cells (number, non-blank lines) over {MAX_CODE_LINES} lines: "
        f"{long_code_cells(read_notebook(path))}; move drawing into helpers.figures or split the cell")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_the_prose_is_read_in_one_sitting(path):
    words = prose_words(read_notebook(path))
    assert words <= MAX_PROSE_WORDS, f"{path.name} has {words} words of prose (at most {MAX_PROSE_WORDS})"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_goals_at_the_top_and_a_summary_at_the_bottom(path):
    cells = read_notebook(path)["cells"]
    first = source_text(cells[0])
    assert re.search(r"\*\*(You will learn|In this notebook you will)\*\*\n(- .+\n?)+", first), \
        f"{path.name}: the first cell lists no learning goals"
    summaries = [n for n, c in enumerate(cells) if c["cell_type"] == "markdown"
                 and re.search(r"^## Summary$", source_text(c), re.M)]
    assert summaries, f"{path.name} has no '## Summary'"
    assert summaries[-1] >= 0.6 * len(cells), f"{path.name}: the summary is not near the end"


@pytest.mark.parametrize("word", DEFINITIONS)
def test_the_chapters_definitions_are_quoted_where_they_are_used(word):
    for stem in QUOTED_IN[word]:
        path = next(p for p in NOTEBOOKS if p.stem.startswith(stem))
        sentence = DEFINITIONS[word]
        assert sentence in quotations(read_notebook(path)), f"{path.name} does not quote: {sentence}"


#: Answers that a notebook asks the learner to predict, and the cell that asks for them.
PREDICTIONS = {
    "01_one_hot_encoding": ("q2_answer = ____", ["√2", "1.41", "sqrt(2)", "cosine 0", "cosine similarity 0"]),
}


def spoiled_predictions(nb: dict, asks: str, answers: list[str]) -> list[str]:
    """The answers given away in the prose above the cell that asks for the prediction."""
    found = []
    for cell in nb["cells"]:
        text = source_text(cell)
        if asks in text:
            return found
        if cell["cell_type"] == "markdown":
            found += [answer for answer in answers if answer in text]
    raise AssertionError(f"no cell asks {asks!r}")


def test_the_prediction_check_catches_a_spoiler():
    nb = _notebook(("markdown", "- to measure that they are √2 apart"), ("code", "q2_answer = ____"))
    assert spoiled_predictions(nb, "q2_answer = ____", ["√2"]) == ["√2"]


@pytest.mark.parametrize("stem", sorted(PREDICTIONS))
def test_no_prose_gives_away_an_answer_the_learner_is_asked_to_predict(stem):
    nb = read_notebook(REPO_ROOT / "notebooks" / f"{stem}.ipynb")
    assert spoiled_predictions(nb, *PREDICTIONS[stem]) == []
