"""Shared code for the course notebooks.

``import helpers`` is cheap: each submodule (``helpers.data``, ``helpers.training`` ...)
is imported the first time it is used, so nothing heavy (torch, umap) and nothing on
the network happens at import time.
"""

from __future__ import annotations

import importlib
from types import ModuleType

__version__ = "0.1.0"

_SUBMODULES = (
    "validation",
    "paths",
    "cache",
    "data",
    "models",
    "metrics",
    "claims",
    "projections",
    "training",
    "trained",
    "latent",
    "probes",
    "plotting",
    "widgets",
    "exercises",
    "progress",
    "exercise_sets",
    "environment",
    "classroom",
    "palette",
    "colour_vision",
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
