"""Which tests share a worker when ``make test`` runs them in several processes (pytest-xdist).

``python -m tools.course test`` runs pytest with ``-n <workers> --dist loadgroup``: a group
runs whole on one worker, in collection order. The groups keep together the checks that read
one notebook run (tests/notebooks/notebook_runs.py runs each notebook once per process):

* ``run-<notebook>``: the main kernel's Fashion-MNIST run and every check of it;
* ``run-mnist``: the MNIST runs of 03, 04 and 05, in that order (04 and 05 reuse the models
  that 03 trained into the shared course cache);
* ``learners-<notebook>``: the runs in the learner kernels, started together for each notebook;
* ``site``: the course's site, built from the executed copies that the main runs leave. It is
  collected after them, and waits for the main runs made in other workers (:func:`wait_for_runs`).

Every other test is its own unit. Without xdist the groups change nothing.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

#: The tests that build or read the course's own site (tests/site_build.py).
SITE_TESTS = ("tests/notebooks/test_site.py::test_the_course_",
              "tests/browser/test_site_browser.py::")
MAIN_RUN = "tests/notebooks/test_notebooks.py::test_notebook_runs_top_to_bottom_offline["
_LEARNER_RUN = "tests/notebooks/test_notebooks.py::test_notebook_runs_in_a_learners_kernel["
_CLAIMS = "tests/notebooks/test_notebook_claims.py::"


def group(nodeid: str, notebooks: list[str]) -> str | None:
    """The group of the test ``nodeid`` (pytest's id, with forward slashes), or None.

    ``notebooks`` are the course notebooks' names without ``.ipynb`` (``03_image_embeddings``).
    """
    if nodeid.startswith(SITE_TESTS):
        return "site"
    params = nodeid[nodeid.index("[") + 1:-1] if nodeid.endswith("]") else ""
    named = [name for name in notebooks if name in params]
    if nodeid.startswith(MAIN_RUN) and named:
        return f"run-{named[0]}"
    if nodeid.startswith(_LEARNER_RUN) and named:
        return f"learners-{named[0]}"
    if not nodeid.startswith(_CLAIMS):
        return None
    if "mnist" in params.split("-"):
        return "run-mnist"
    function = nodeid[len(_CLAIMS):].split("[")[0]
    number = re.match(r"test_(\d\d)_", function)
    if number:   # test_03_image_embeddings[fashion]: the notebook is in the name
        named = [name for name in notebooks if name.startswith(number.group(1))]
    if named and (not params or "fashion" in params.split("-")):
        return f"run-{named[0]}"
    return None


def lost_groups(tests: list[tuple[str, str | None]]) -> list[str]:
    """The ids of the tests whose group xdist did not take into the id (``tests``: id and group).

    xdist's ``--dist loadgroup`` keeps a group on one worker by adding ``@<group>`` to each id; a
    pytest that stores ids where xdist cannot write them (9.2) silently scatters the groups.
    """
    return [nodeid for nodeid, name in tests if name is not None and not nodeid.endswith(f"@{name}")]


#: Long tests of their own that keep both cores busy (several notebook kernels each), longest first. They are
#: queued after the runs, beside the browser tests, whose waits for the page leave a core idle.
LONG_ALONE = ("tests/notebooks/test_readonly_notebooks.py::",
              "tests/test_classroom_faults.py::test_the_classroom_recipe_",
              "tests/notebooks/test_colab.py::test_a_lone_notebook_",
              "tests/test_umap_compile.py::test_compile_umap_")


def sort_key(nodeid: str) -> tuple[int, int]:
    """Collection order: the runs and the unit tests; the site after the runs it waits for; the long tests of
    their own; the other browser tests (the runs have filled the shared cache). A long unit last would leave a
    worker idle at the end."""
    if nodeid.startswith(SITE_TESTS):
        return 1, 0
    for place, prefix in enumerate(LONG_ALONE):
        if nodeid.startswith(prefix):
            return 2, place
    return (3, 0) if nodeid.startswith("tests/browser/") else (0, 0)


def run_id() -> str | None:
    """The id that the workers of one xdist run share, or None without xdist."""
    return os.environ.get("PYTEST_XDIST_TESTRUNUID")


def marker(folder: Path, name: str) -> Path:
    """The file that says the main run of notebook ``name`` in this xdist run has finished."""
    return folder / ".runs" / f"{name}.{run_id()}.finished"


#: The notebooks whose main run this session makes (set at collection, by tests/conftest.py).
EXPECTED_RUNS: list[str] = []


def wait_for_runs(folder: Path, timeout_s: float = 2400) -> None:
    """Under xdist: wait until the main run of every notebook in :data:`EXPECTED_RUNS` has finished,
    in whichever worker it ran (it writes its "finished" marker even when it fails)."""
    if run_id() is None:
        return
    deadline = time.monotonic() + timeout_s
    while True:
        waiting = [name for name in EXPECTED_RUNS if not marker(folder, name).exists()]
        if not waiting:
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"the main runs of {waiting} did not finish within {timeout_s:.0f} s")
        time.sleep(2)
