"""docs/instructors.md agrees with the course: its notebooks, exercises, times, names and tests."""

from __future__ import annotations

import importlib
import json
import re

import pytest
from conftest import REPO_ROOT

GUIDE = REPO_ROOT / "docs" / "instructors.md"
BOOK = ("Machine Learning Q and AI", "No Starch Press, 2024", "Embeddings, Latent Space, and Representations")


def _guide() -> str:
    return GUIDE.read_text(encoding="utf-8")


def _notebooks_and_exercise_sets() -> list[tuple[str, str]]:
    """(notebook number, exercise module) for every notebook, from the notebooks themselves."""
    pairs = []
    for path in sorted((REPO_ROOT / "notebooks").glob("0*.ipynb")):
        found = set(re.findall(r"exercise_sets[.](\w+)", path.read_text(encoding="utf-8")))
        assert len(found) == 1, f"{path.name} binds {found}"
        pairs.append((path.name[:2], found.pop()))
    return pairs


def _section(number: str) -> str:
    """The guide's section on notebook ``number`` (from its heading to the next)."""
    match = re.search(rf"^### {number} · .*?(?=^### |^## |\Z)", _guide(), re.M | re.S)
    assert match, f"the guide has no section for notebook {number}"
    return match.group(0)


def test_the_book_and_chapter_are_named_in_the_guide_the_readme_and_notebook_00():
    notebook = "".join("".join(cell["source"]) for cell in
                       json.loads((REPO_ROOT / "notebooks" / "00_start_here.ipynb").read_text())["cells"])
    for name, text in (("guide", _guide()), ("README", (REPO_ROOT / "README.md").read_text()),
                       ("notebook 00", notebook)):
        flat = re.sub(r"\s+", " ", text)
        assert "Raschka" in flat and all(part in flat for part in BOOK), f"the {name} does not name the book"


@pytest.mark.parametrize("number, module", _notebooks_and_exercise_sets())
def test_every_exercise_of_every_notebook_has_its_misconceptions_in_the_guide(number, module):
    problems = importlib.import_module(f"helpers.exercise_sets.{module}").PROBLEMS
    section = _section(number)
    assert f"helpers/exercise_sets/{module}.py" in section
    assert "Objectives:" in section
    named = set(re.findall(r"^- `ex\.(q\d+)`", section, re.M))
    assert named == set(problems), f"notebook {number}: the guide has {sorted(named)}, the set {sorted(problems)}"


def test_the_time_table_covers_every_notebook_and_its_total_is_their_sum():
    rows = re.findall(r"^\| (\d\d) [^|]+\| (\d+)-(\d+) min \|$", _guide(), re.M)
    assert [number for number, *_ in rows] == [number for number, _ in _notebooks_and_exercise_sets()]
    low, high = sum(int(r[1]) for r in rows), sum(int(r[2]) for r in rows)
    total = re.search(r"\*\*all seven\*\* \| \*\*(\d+)-(\d+) min \((\d+) h (\d+) min to (\d+) h (\d+) min\)\*\*",
                      _guide())
    assert total, "the table ends with the total"
    assert (int(total[1]), int(total[2])) == (low, high)
    assert (int(total[3]) * 60 + int(total[4]), int(total[5]) * 60 + int(total[6])) == (low, high)
    assert "estimates, not measurements" in _guide(), "the guide says how the times were made"


def test_the_labs_plan_adds_up():
    """'lab 1: 01 and 02 (80-95 min)': each lab's stated range is the sum of its notebooks'."""
    times = {n: (int(a), int(b)) for n, a, b in re.findall(r"^\| (\d\d) [^|]+\| (\d+)-(\d+) min \|$", _guide(), re.M)}
    plan = re.findall(r"lab \d: (\d\d)(?: and (\d\d))? \((\d+)-(\d+) min\)", re.sub(r"\s+", " ", _guide()))
    assert len(plan) >= 3
    for first, second, low, high in plan:
        parts = [times[first]] + ([times[second]] if second else [])
        assert (sum(p[0] for p in parts), sum(p[1] for p in parts)) == (int(low), int(high))
        assert int(high) <= 90 + 5, "a lab fits 90 minutes"


def test_what_the_guide_names_exists():
    """Functions, environment variables, files and tests named in the guide are real."""
    text = _guide()
    for dotted in set(re.findall(r"`(helpers(?:\.\w+)+)\(", text)):
        module_name, _, attribute = dotted.rpartition(".")
        assert hasattr(importlib.import_module(module_name), attribute), dotted
    helpers_source = "".join(p.read_text() for p in (REPO_ROOT / "helpers").rglob("*.py"))
    for variable in set(re.findall(r"\b(COURSE_[A-Z_]+)\b", text)):
        assert variable in helpers_source, f"{variable} is read nowhere"
    for path in set(re.findall(r"`((?:tools|helpers|binder|notebooks)/[\w./-]+\.\w+)`", text)):
        assert (REPO_ROOT / path).exists(), path
    tests = "".join(p.read_text() for p in (REPO_ROOT / "tests").rglob("test_*.py"))
    for name in set(re.findall(r"`(test_\w+)`", text)):
        assert f"def {name}(" in tests, f"no test {name}"
    assert "python tools/course_links.py" in text and "nbgitpuller" in text and "Colab" in text
