"""Exercise checks as grading tests: assert_solved for nbgrader/otter cells, and the notebook grader end to end."""

from __future__ import annotations

import csv
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import helpers.exercises as ex
from helpers import grading
from helpers.exercise_sets.start_here import PROBLEMS

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOL = REPO_ROOT / "tools" / "grade_notebook.py"
NOTEBOOK = REPO_ROOT / "notebooks" / "00_start_here.ipynb"


def test_assert_solved_raises_with_the_checkers_message():
    namespace = {"answer": 2}
    bound = ex.bind("00_grading", {"q1": ex.ValueProblem("answer", 3, solution="answer = 3")}, namespace=namespace)
    with pytest.raises(AssertionError, match="00_grading q1: incorrect"):
        grading.assert_solved(bound.q1)
    namespace["answer"] = 3
    grading.assert_solved(bound.q1)
    namespace["answer"] = ex.____
    with pytest.raises(AssertionError, match="not attempted"):
        grading.assert_solved(bound.q1)
    assert ex.progress_summary("00_grading")["00_grading"] == {}  # grading records nothing
    with pytest.raises(TypeError, match="question"):
        grading.assert_solved("q1")


def test_grades_find_every_bound_notebook(capsys):
    namespace = {"answer": 3}
    namespace["ex"] = ex.bind("00_grading", {"q1": ex.ValueProblem("answer", 3, solution="answer = 3"),
                                             "q2": ex.ValueProblem("other", 1, solution="other = 1")},
                              namespace=namespace)
    found = grading.grades(namespace)
    assert found["00_grading"]["q1"]["points"] == 1 and found["00_grading"]["q2"]["points"] == 0
    grading.report(namespace)
    line = capsys.readouterr().out.strip()
    assert line.startswith(grading.REPORT_MARKER) and json.loads(line[len(grading.REPORT_MARKER):]) == found
    with pytest.raises(TypeError, match="namespace"):
        grading.grades([1])


def _answered(source: str) -> str:
    """A learner's answer: each blanked cell ``... ____ ... ex.qN.check()`` with the solution instead."""
    found = re.search(r"ex\.(q\d+)\.check\(\)", source)
    if "____" not in source or found is None or "import" in source:
        return source
    question = found.group(1)
    kept = [line for line in source.splitlines() if "____" not in line and not line.startswith(("def ", "    return"))]
    return PROBLEMS[question].solution_code.rstrip() + "\n" + "\n".join(kept)


def _learner_copies(folder: Path) -> tuple[Path, Path]:
    """An unanswered and an answered copy of notebook 00 where a learner keeps them (beside the course set-up)."""
    folder.mkdir()
    os.symlink(REPO_ROOT / "course_setup.py", folder / "course_setup.py")
    notebook = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    (folder / "blank.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            cell["source"] = _answered("".join(cell["source"]))
    (folder / "answered.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    return folder / "blank.ipynb", folder / "answered.ipynb"


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_grader_scores_an_answered_and_an_unanswered_notebook(tmp_path):
    blank, answered = _learner_copies(tmp_path / "submissions")
    code = ["".join(c["source"]) for c in json.loads(answered.read_text(encoding="utf-8"))["cells"]
            if c["cell_type"] == "code"]
    assert sum("____" in source for source in code) == 1  # only the import of the placeholder is left
    result = subprocess.run([sys.executable, str(TOOL), str(answered), str(blank), "--csv", str(tmp_path / "g.csv")],
                            capture_output=True, text=True, timeout=900, cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = list(csv.reader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert rows[0] == ["file", "00_start_here/q1", "00_start_here/q2", "points"]
    assert rows[1] == ["answered.ipynb", "1", "1", "2 of 2"]
    assert rows[2] == ["blank.ipynb", "0", "0", "0 of 2"]
    assert "answered.ipynb" in result.stdout


def test_a_notebook_that_cannot_be_read_is_named_and_the_others_go_on(tmp_path):
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not a notebook", encoding="utf-8")
    result = subprocess.run([sys.executable, str(TOOL), str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1 and "Not graded" in result.stderr and "broken.ipynb" in result.stderr


# ----------------------------------------------------------------------------- a learner's own torch module

LEARNER_MODULES = '''
import torch
from torch import nn


class Block(nn.Module):
    """A learner's base class: the layers it is given, one after another."""

    def __init__(self, *layers):
        super().__init__()
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class Encoder(Block):
    def __init__(self, bottleneck={bottleneck}):
        super().__init__(nn.Flatten(), nn.Linear(784, 64), {nonlinearity}nn.Linear(64, bottleneck))
        self.bottleneck = bottleneck


class Decoder(nn.Module):
    def __init__(self, bottleneck={bottleneck}):
        super().__init__()
        self._side = 28                      # a private attribute forward() needs
        self.hidden = nn.Linear(bottleneck, 64)
        self.out = nn.Linear(64, self._side ** 2)

    def forward(self, codes):
        pixels = torch.sigmoid(self.out(torch.relu(self.hidden(codes))))
        return pixels.view(-1, 1, self._side, self._side)


torch.manual_seed(1)
encoder, decoder = Encoder(), Decoder()
'''
WRITES_WHEN_DEFINED = '''
import pathlib
import torch
from torch import nn


class Encoder(nn.Module):
    pathlib.Path({target!r}).write_text("written while the class was defined")

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(784, 64), nn.ReLU(), nn.Linear(64, 8))

    def forward(self, x):
        return self.layers(x)


decoder = nn.Sequential(nn.Linear(8, 784), nn.Sigmoid(), nn.Unflatten(1, (1, 28, 28)))
encoder = Encoder()
'''

LEARNER_MODULE_ANSWERS = [  # (id, learner's cell, points of 04 q3, words of the verdict)
    ("right", LEARNER_MODULES.format(bottleneck=8, nonlinearity="nn.ReLU(), "), 1, "both shapes are right"),
    ("no nonlinearity", LEARNER_MODULES.format(bottleneck=8, nonlinearity=""), 0, "no nonlinearity"),
    ("bottleneck of 2", LEARNER_MODULES.format(bottleneck=2, nonlinearity="nn.ReLU(), "), 0,
     "the codes have 2 numbers each"),
    ("writes a file when defined", WRITES_WHEN_DEFINED, 0, "`encoder`"),
]


def _learner_kernel(code: str) -> dict:
    """The namespace a notebook kernel leaves: the cell run as ``__main__``, its source kept by linecache."""
    import linecache

    filename = f"<learner cell {abs(hash(code))}>"
    linecache.cache[filename] = (len(code), None, code.splitlines(True), filename)
    namespace = {"__name__": "__main__"}
    exec(compile(code, filename, "exec"), namespace)
    return namespace


def _judge(folder: Path, check_timeout_s: int = 120) -> dict:
    """The grader's judge, in a fresh process as the tool starts it, over the answers handed over in ``folder``."""
    code = (f"import sys; sys.path.insert(0, {str(REPO_ROOT)!r}); from tools import grade_notebook as g; "
            f"g.CHECK_TIMEOUT_S = {check_timeout_s}; g.judge({str(folder)!r})")
    run = subprocess.run([sys.executable, "-I", "-c", code], capture_output=True, text=True, timeout=600,
                         cwd=REPO_ROOT)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout.strip().splitlines()[-1])["04_latent_space"]


def _judged(namespace: dict, folder: Path) -> dict:
    """04's exercises bound in ``namespace``, handed over as data and judged by the grader's judge."""
    from helpers.exercise_sets.latent_space import PROBLEMS as LATENT

    namespace["ex"] = ex.bind("04_latent_space", LATENT, namespace=namespace)
    folder.mkdir(exist_ok=True)
    grading.hand_over(namespace, str(folder))
    return _judge(folder)


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the judge checks each exercise in a process of its own")
@pytest.mark.parametrize("code, points, words", [pytest.param(c, p, w, id=i) for i, c, p, w in LEARNER_MODULE_ANSWERS])
def test_a_learner_module_is_carried_to_the_grader_and_judged(code, points, words, tmp_path):
    target = tmp_path / "written.txt"
    namespace = _learner_kernel(code.replace("{target!r}", repr(str(target))))
    target.unlink(missing_ok=True)  # the learner's own run wrote it; the judge must not
    verdict = _judged(namespace, tmp_path / "answers")["q3"]
    assert verdict["points"] == points and words in verdict["message"], verdict
    assert "internal error" not in verdict["message"] and not target.exists()


def test_a_learner_module_travels_as_its_class_source_and_weights(tmp_path):
    import torch

    namespace = _learner_kernel(LEARNER_MODULES.format(bottleneck=8, nonlinearity="nn.ReLU(), "))
    grading.hand_over(namespace, str(tmp_path))
    _, values, left = grading.read_answers(str(tmp_path))
    assert "encoder" not in left and "Encoder" not in left and "Block" not in left, left
    document = json.loads((tmp_path / "answers.json").read_text(encoding="utf-8"))
    assert list(document["values"]["Encoder"]) == ["class"]  # source code as text, never a pickle
    assert document["values"]["Encoder"]["class"].startswith("class Encoder(Block):\n")
    assert document["values"]["encoder"]["torch_module"]["class"] == "__main__.Encoder"
    rebuilt = {"__name__": "__main__", "torch": torch, "nn": torch.nn}
    for name in ("Block", "Encoder", "Decoder"):
        exec(values[name], rebuilt)
    images = torch.rand(3, 1, 28, 28)
    for name in ("encoder", "decoder"):
        module = values[name].rebuild(rebuilt)
        assert type(module) is rebuilt[name.capitalize()] and module.training == namespace[name].training
    with torch.no_grad():
        codes = namespace["encoder"](images)
        assert torch.equal(values["encoder"].rebuild(rebuilt)(images), codes)
        assert torch.equal(values["decoder"].rebuild(rebuilt)(codes), namespace["decoder"](codes))


LEARNER_MODULES_NOT_CARRIED = [  # (id, learner's cell, the name left behind, words of the reason)
    ("class without source", "import torch\nEncoder = type('Encoder', (torch.nn.Module,), {'forward': "
     "lambda self, x: x})\nencoder = Encoder()\n", "encoder", "source"),
    ("attribute that is not data", "import torch\nclass Encoder(torch.nn.Module):\n    def __init__(self):\n"
     "        super().__init__()\n        self.gen = (i for i in range(3))\n    def forward(self, x):\n"
     "        return x\nencoder = Encoder()\n", "encoder", "generator"),
]


@pytest.mark.parametrize("code, name, words",
                         [pytest.param(c, n, w, id=i) for i, c, n, w in LEARNER_MODULES_NOT_CARRIED])
def test_a_learner_module_that_cannot_travel_is_named(code, name, words, tmp_path):
    grading.hand_over(_learner_kernel(code), str(tmp_path))
    _, values, left = grading.read_answers(str(tmp_path))
    assert name not in values and words in left[name], left


FORGED_CLASSES = [  # (id, how answers.json is edited after the hand-over, words of the verdict)
    ("class body loops forever", lambda source: source.replace("    def __init__", "    while True:\n        pass\n\n"
                                                               "    def __init__", 1), "took over"),
    ("not a class definition", lambda source: "import os\nos.system('true')\n" + source, "`encoder`"),
]


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the judge checks each exercise in a process of its own")
@pytest.mark.parametrize("forge, words", [pytest.param(f, w, id=i) for i, f, w in FORGED_CLASSES])
def test_a_forged_class_source_is_refused_or_stopped_in_time(forge, words, tmp_path):
    namespace = _learner_kernel(WRITES_WHEN_DEFINED.replace("    pathlib.Path({target!r}).write_text("
                                                            "\"written while the class was defined\")\n", ""))
    assert _judged(namespace, tmp_path / "answers")["q3"]["points"] == 1  # as handed over: right
    answers = tmp_path / "answers" / "answers.json"
    document = json.loads(answers.read_text(encoding="utf-8"))
    document["values"]["Encoder"]["class"] = forge(document["values"]["Encoder"]["class"])
    answers.write_text(json.dumps(document), encoding="utf-8")
    verdict = _judge(tmp_path / "answers", check_timeout_s=3)["q3"]
    assert verdict["points"] == 0 and words in verdict["message"], verdict


@pytest.mark.notebooks
@pytest.mark.slow
def test_the_grader_judges_a_learners_own_modules_in_a_real_kernel(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    setup = ("import os, sys\nsys.path.insert(0, os.path.abspath('..'))\nfrom helpers.exercises import bind\n"
             "from helpers.exercise_sets.latent_space import PROBLEMS\nex = bind('04_latent_space', PROBLEMS)\n")
    submissions = {"right": LEARNER_MODULES.format(bottleneck=8, nonlinearity="nn.ReLU(), "),
                   "linear": LEARNER_MODULES.format(bottleneck=8, nonlinearity="")}
    for name, cell in submissions.items():
        nb = nbformat.v4.new_notebook()
        nb.cells = [nbformat.v4.new_code_cell(setup), nbformat.v4.new_code_cell(cell)]
        nbformat.write(nb, tmp_path / f"{name}.ipynb")
    result = subprocess.run([sys.executable, str(TOOL), *(str(tmp_path / f"{n}.ipynb") for n in submissions),
                             "--csv", str(tmp_path / "g.csv")], capture_output=True, text=True, timeout=900,
                            cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    rows = list(csv.reader((tmp_path / "g.csv").open(encoding="utf-8")))
    assert rows[0] == ["file", "04_latent_space/q1", "04_latent_space/q2", "04_latent_space/q3", "points"]
    assert rows[1:] == [["right.ipynb", "0", "0", "1", "1 of 3"], ["linear.ipynb", "0", "0", "0", "0 of 3"]]
