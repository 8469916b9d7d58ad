"""The groups that keep the checks of one notebook run on one xdist worker (tests/scheduling.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import scheduling
from conftest import REPO_ROOT

NOTEBOOKS = ["00_start_here", "01_one_hot_encoding", "02_embedding_layers", "03_image_embeddings",
             "04_latent_space", "05_representations", "06_exercises"]


@pytest.mark.parametrize(("nodeid", "group"), [
    ("tests/notebooks/test_notebooks.py::test_notebook_runs_top_to_bottom_offline[04_latent_space]",
     "run-04_latent_space"),
    ("tests/notebooks/test_notebook_claims.py::test_figures_pass_the_figure_check[04_latent_space-fashion]",
     "run-04_latent_space"),
    ("tests/notebooks/test_notebook_claims.py::test_sentences_about_figures_hold[06_exercises-fashion]",
     "run-06_exercises"),
    ("tests/notebooks/test_notebook_claims.py::test_04_latent_space[fashion]", "run-04_latent_space"),
    ("tests/notebooks/test_notebook_claims.py::test_01_one_hot_and_rgb_neighbours", "run-01_one_hot_encoding"),
    ("tests/notebooks/test_notebook_claims.py::test_06_the_chapters_exercises", "run-06_exercises"),
    # the MNIST runs: one chain, 03 before the notebooks that reuse its models
    ("tests/notebooks/test_notebook_claims.py::test_figures_pass_the_figure_check[03_image_embeddings-mnist]",
     "run-mnist"),
    ("tests/notebooks/test_notebook_claims.py::test_05_representations[mnist]", "run-mnist"),
    ("tests/notebooks/test_notebooks.py::test_notebook_runs_in_a_learners_kernel[03_image_embeddings-colab]",
     "learners-03_image_embeddings"),
    ("tests/notebooks/test_notebooks.py::test_notebook_runs_in_a_learners_kernel[03_image_embeddings-vscode]",
     "learners-03_image_embeddings"),
    ("tests/notebooks/test_site.py::test_the_course_site_has_every_notebook_within_budget", "site"),
    ("tests/browser/test_site_browser.py::test_every_page_loads_cleanly[phone]", "site"),
    # no run read: no group
    ("tests/notebooks/test_notebook_claims.py::test_every_sentence_about_a_figure_is_listed[03_image_embeddings]",
     None),
    ("tests/notebooks/test_notebook_claims.py::test_a_wrong_sentence_under_a_figure_fails", None),
    ("tests/notebooks/test_site.py::test_a_small_site_has_pages_navigation_links_and_alt_text", None),
    ("tests/browser/test_widgets_in_browser.py::test_widgets_respond[lab-03_image_embeddings]", None),
    ("tests/test_metrics.py::test_knn_accuracy", None),
])
def test_each_check_of_a_run_is_grouped_with_the_run(nodeid, group):
    assert scheduling.group(nodeid, NOTEBOOKS) == group


def test_a_group_that_did_not_reach_the_test_id_is_reported():
    tests = [("tests/notebooks/test_site.py::test_the_course_site_has_every_notebook_within_budget@site", "site"),
             ("tests/browser/test_site_browser.py::test_every_page_loads_cleanly[phone]", "site"),
             ("tests/test_metrics.py::test_knn_accuracy", None),
             ("tests/notebooks/test_notebook_claims.py::test_04_latent_space[fashion]@run-mnist",
              "run-04_latent_space")]
    assert scheduling.lost_groups(tests) == [tests[1][0], tests[3][0]]


def test_the_site_comes_after_the_runs_then_the_long_tests_then_the_browser_tests():
    ids = ["tests/browser/test_widgets_in_browser.py::test_widgets_respond[lab-03_image_embeddings]",
           "tests/test_umap_compile.py::test_compile_umap_fills_numbas_cache_where_umap_compiled_looks",
           "tests/notebooks/test_site.py::test_the_course_site_has_every_notebook_within_budget",
           "tests/notebooks/test_readonly_notebooks.py::test_notebooks_03_and_04_run_for_a_learner_who_cannot_write_"
           "the_cache",
           "tests/test_umap_compile.py::test_a_umap_that_must_compile_says_how_long",
           "tests/notebooks/test_notebook_claims.py::test_04_latent_space[fashion]"]
    assert sorted(ids, key=scheduling.sort_key) == [ids[4], ids[5], ids[2], ids[3], ids[1], ids[0]]


def test_every_long_test_of_its_own_exists():
    """A renamed test would silently drop back among the others."""
    collected = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:xdist",
                                *sorted({prefix.split("::")[0] for prefix in scheduling.LONG_ALONE})],
                               cwd=REPO_ROOT, capture_output=True, text=True, timeout=120).stdout.splitlines()
    missing = [prefix for prefix in scheduling.LONG_ALONE if not any(line.startswith(prefix) for line in collected)]
    assert not missing, missing


def test_the_site_waits_for_the_expected_runs_of_every_worker(tmp_path, monkeypatch):
    monkeypatch.setenv("PYTEST_XDIST_TESTRUNUID", "abc")
    monkeypatch.setattr(scheduling, "EXPECTED_RUNS", ["01_one_hot_encoding", "02_embedding_layers"])
    scheduling.marker(tmp_path, "01_one_hot_encoding").parent.mkdir()
    scheduling.marker(tmp_path, "01_one_hot_encoding").touch()
    with pytest.raises(TimeoutError, match="02_embedding_layers"):
        scheduling.wait_for_runs(tmp_path, timeout_s=0.1)
    scheduling.marker(tmp_path, "02_embedding_layers").touch()
    scheduling.wait_for_runs(tmp_path, timeout_s=0.1)   # returns: both finished
    monkeypatch.delenv("PYTEST_XDIST_TESTRUNUID")
    monkeypatch.setattr(scheduling, "EXPECTED_RUNS", ["03_image_embeddings"])
    scheduling.wait_for_runs(tmp_path, timeout_s=0.1)   # one process: the runs came before the site
