"""Where the course keeps its files: the repository, the shipped data and the caches."""

from __future__ import annotations

import os
from pathlib import Path

#: The repository root (the folder that holds ``helpers/``, ``data/`` and ``notebooks/``).
REPO_ROOT: Path = Path(__file__).resolve().parent.parent

#: The shipped data files and their manifest.
DATA_DIR: Path = REPO_ROOT / "data"

#: Environment variable that moves the cache (trained weights, projections, progress).
CACHE_ENV_VAR = "COURSE_CACHE_DIR"


def cache_dir(*parts: str) -> Path:
    """Return (and create) a folder under the course cache.

    The cache lives in ``<repo>/.cache`` unless the environment variable
    ``COURSE_CACHE_DIR`` names another folder. Deleting it is always safe: everything
    in it is recomputed when needed.
    """
    root = Path(os.environ.get(CACHE_ENV_VAR) or REPO_ROOT / ".cache")
    folder = root.joinpath(*parts)
    folder.mkdir(parents=True, exist_ok=True)
    return folder
