"""The training loop written out in notebook 02 is the loop ``helpers.training.fit`` runs.

The test runs the notebook's own cells (the model, the loop, the ``fit`` call) on a small
data set with a few epochs and several batches, and compares the weights bit for bit.
"""

from __future__ import annotations

import sys

import pytest
import torch
from conftest import REPO_ROOT

import helpers

sys.path.insert(0, str(REPO_ROOT / "tools"))
from notebook_files import read_notebook, source_text  # noqa: E402

NOTEBOOK = REPO_ROOT / "notebooks" / "02_embedding_layers.ipynb"


def _code_cell(marker: str) -> str:
    cells = [source_text(c) for c in read_notebook(NOTEBOOK)["cells"]
             if c["cell_type"] == "code" and marker in source_text(c)]
    assert len(cells) == 1, f"expected one code cell with {marker!r} in {NOTEBOOK.name}, found {len(cells)}"
    return cells[0]


def _namespace() -> dict:
    """What the loop's cells need from the notebook's earlier cells, on a small made-up data set."""
    import torch.nn.functional as F
    from torch import nn

    gen = torch.Generator().manual_seed(3)
    n, longest, vocabulary = 40, 3, ["<pad>"] + [f"w{i}" for i in range(11)]
    tokens = torch.randint(1, len(vocabulary), (n, longest), generator=gen)
    tokens[::3, 2] = 0                                   # some names are shorter (padded)
    namespace = {"torch": torch, "nn": nn, "F": F, "helpers": helpers, "names": [f"name {i}" for i in range(n)],
                 "vocabulary": vocabulary, "X_tokens": tokens, "y_rgb": torch.rand(n, 3, generator=gen)}
    exec(_code_cell("class ColourFromName"), namespace)
    namespace.update(num_epochs=4, batch_size=16)    # three batches an epoch, the last one short
    return namespace


def test_the_notebook_has_a_training_loop_with_backward_and_step():
    loop = _code_cell("loss.backward()")
    for piece in ("optimizer.zero_grad()", "optimizer.step()", "running_loss", "for epoch in range(1, num_epochs + 1)"):
        assert piece in loop


def test_the_notebooks_loop_and_fit_give_the_same_weights():
    namespace = _namespace()
    exec(_code_cell("loss.backward()"), namespace)
    exec(_code_cell("net_by_fit = "), namespace)
    assert namespace["same_weights"] is True
    loop_weights, fit_weights = namespace["net"].state_dict(), namespace["net_by_fit"].state_dict()
    assert loop_weights.keys() == fit_weights.keys()
    for name in loop_weights:
        assert torch.equal(loop_weights[name], fit_weights[name]), name
    assert namespace["epoch_losses"] == pytest.approx(namespace["history"].column("train_loss"), abs=0)
    start = namespace["ColourFromName"](len(namespace["vocabulary"]))
    assert not torch.equal(start.embedding.weight, loop_weights["embedding.weight"])   # it did train


@pytest.mark.parametrize("change", [
    ("optimizer.zero_grad()", "pass"),                                  # gradients pile up
    ("shuffle=True", "shuffle=False"),                                  # another order of batches
    ("torch.manual_seed(0)", "torch.manual_seed(1)"),                   # other starting weights
], ids=["no zero_grad", "no shuffling", "another seed"])
def test_a_changed_loop_gives_other_weights(change):
    namespace = _namespace()
    loop = _code_cell("loss.backward()")
    assert change[0] in loop
    exec(loop.replace(change[0], change[1], 1), namespace)
    exec(_code_cell("net_by_fit = "), namespace)
    assert namespace["same_weights"] is False


def test_torch_runs_on_one_thread_on_a_two_core_machine(monkeypatch):
    """Beside another busy program, a second torch thread made a small model train ten times slower."""
    import torch

    from helpers import training

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        monkeypatch.setattr(training, "cpu_cores", lambda: 8)
        training.one_thread_on_few_cores()
        assert torch.get_num_threads() == 2   # many cores: left alone
        monkeypatch.setattr(training, "cpu_cores", lambda: 2)
        training.one_thread_on_few_cores()
        assert torch.get_num_threads() == 1
    finally:
        torch.set_num_threads(before)
