"""Shared code for the course notebooks.

``import helpers`` is cheap: each submodule (``helpers.data``, ``helpers.training`` ...)
is imported the first time it is used, so nothing heavy (torch, umap) and nothing on
the network happens at import time.

How the code is organised
-------------------------
One concern per module, in layers: a module imports only from the layers below its own,
never from one above (``tests/test_architecture.py`` checks this with import-linter; the
contract is in ``pyproject.toml``). From the top down:

exercises
    - ``exercise_sets/`` — each notebook's exercises (problems, hints, official solutions).
    - ``grading`` — an exercise's check as an nbgrader / otter-grader test (``assert_solved``).
    - ``exercises/`` — check / hint / solution: ``checking`` (comparing answers, feedback),
      ``problems`` (the problem kinds), ``binding`` (``ex = bind(...)``, progress recorded).
widgets and set-up
    - ``widgets/`` — the interactive explorers, one per module.
    - ``environment`` — setting up a notebook, and the report on the learner's environment.
plotting, claims, progress
    - ``plotting`` — live figures that redraw in place, static pictures for every front end.
    - ``figure_alt`` — alt text for figures, made from their titles.
    - ``figures`` — the notebooks' recurring figures (neighbour strips, look-alike pairs, ...).
    - ``claims`` — sentences built from measured numbers (accuracy intervals, comparisons).
    - ``progress`` — where a learner's exercise progress is kept; export and import.
figure stamps
    - ``figure_stamps`` — texts and legends drawn once as pixels, for quick redraws.
palette
    - ``palette`` — colour-blind-safe class colours and markers, right/wrong frames, text sizes.
trained models
    - ``cnn_training`` — training (or loading) the image CNN of notebooks 03, 05, 06.
    - ``autoencoder_training`` — training (or loading) the autoencoders of notebooks 04, 05.
    - ``alexnet_training`` — training (or loading) the AlexNet-like network of notebook 06.
    - ``layer_probes`` — probing each layer of a trained network (k-NN, linear probe).
training
    - ``training`` — the training loop, devices, seeding and the cache of trained weights.
    - ``latent_space`` — latent-space maths: encode, decode, walk between codes, PCA.
data, models, metrics, projections
    - ``data`` — loading the shipped datasets and word vectors (checked against a manifest).
    - ``models/`` — the networks' architectures (CNN, autoencoder, AlexNet-like), torch only.
    - ``metrics`` — similarities, neighbours, structure-preservation scores, probes.
    - ``projections`` — PCA, t-SNE and UMAP behind one call (``project``), cached.
    - ``colour_vision`` — colour-vision deficiency simulation, colour differences, contrast.
foundations
    - ``cache`` — the course cache: weights, maps and scores computed once, verified when read back.
    - ``classroom`` — the teacher's mode (solutions and later hints off), from a setting.
    - ``paths`` — where the course keeps its files (repository, data, caches) and where it runs.
    - ``cores`` — the CPU cores to use, and OpenMP threads for scikit-learn beside torch.
    - ``validation`` — every argument check (one rule and one message per argument).
    - ``errors`` — how mistakes are reported: one-line errors, warnings at the learner's line.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

_SUBMODULES = (
    "errors",
    "validation",
    "paths",
    "cores",
    "cache",
    "data",
    "models",
    "metrics",
    "projections",
    "training",
    "latent_space",
    "cnn_training",
    "autoencoder_training",
    "alexnet_training",
    "layer_probes",
    "plotting",
    "figure_stamps",
    "figure_alt",
    "claims",
    "progress",
    "environment",
    "widgets",
    "exercises",
    "exercise_sets",
    "classroom",
    "palette",
    "colour_vision",
    "figures",
    "grading",
)

__all__ = ["__version__", *_SUBMODULES]


def __getattr__(name: str) -> ModuleType:
    if name in _SUBMODULES:
        module = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = module
        return module
    raise AttributeError(f"module 'helpers' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
