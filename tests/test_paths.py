"""Tests of helpers.paths: where the cache lives, how a damaged file is set aside, files written where they can
be (a folder, a private temporary folder, or memory), and where the kernel runs."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

import pytest

from helpers import paths

# ----------------------------------------------------------------------------- the cache folder


def test_the_cache_is_in_the_course_unless_course_cache_dir_names_another(monkeypatch, tmp_path):
    monkeypatch.delenv("COURSE_CACHE_DIR")
    assert paths.cache_root() == paths.REPO_ROOT / ".cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", "~/course-cache")
    assert paths.cache_root() == Path.home() / "course-cache"
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path / ("x" * 300)))
    with pytest.raises(ValueError, match="COURSE_CACHE_DIR must be a folder path whose every name is at most 255"):
        paths.cache_root()


def test_a_file_in_the_way_of_a_cache_folder_is_moved_aside_with_a_warning(monkeypatch, tmp_path):
    monkeypatch.setenv("COURSE_CACHE_DIR", str(tmp_path))
    (tmp_path / "scores").write_text("a learner's notes")
    with pytest.warns(paths.CacheWarning, match="was in the way of a course cache folder"):
        folder = paths.cache_dir("scores", "knn")
    assert folder.is_dir() and (tmp_path / "scores.damaged").read_text() == "a learner's notes"


def test_a_cache_that_cannot_be_made_warns_once_and_still_names_the_folder(monkeypatch, tmp_path):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setenv("COURSE_CACHE_DIR", str(blocker / "cache"))
    with pytest.warns(paths.CacheWarning, match="cannot be written") as caught:
        first, second = paths.cache_dir("weights"), paths.cache_dir("projections")
    assert len(caught) == 1 and "COURSE_CACHE_DIR" in str(caught[0].message)
    assert (first, second) == (blocker / "cache" / "weights", blocker / "cache" / "projections")


@pytest.mark.skipif(os.name != "posix", reason="file modes")
@pytest.mark.parametrize(("folder_mode", "file_mode"), [(0o755, 0o644), (0o775, 0o664), (0o700, 0o600)])
def test_a_new_cache_file_is_readable_by_whoever_may_read_its_folder(tmp_path, folder_mode, file_mode):
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(folder_mode)
    old = os.umask(0o002)
    try:
        assert paths.shared_file_mode(folder) == file_mode
    finally:
        os.umask(old)
    assert paths.shared_file_mode(tmp_path / "missing") == 0o600   # unknown: private


def test_a_damaged_file_is_set_aside_under_a_name_not_taken(tmp_path):
    damaged = tmp_path / "entry.pt"
    for round_ in range(3):
        damaged.write_text(f"round {round_}")
        assert paths.move_aside(damaged) == tmp_path / ("entry.pt.damaged" + ("" if round_ == 0 else f"-{round_ + 1}"))
    assert not damaged.exists() and (tmp_path / "entry.pt.damaged-3").read_text() == "round 2"
    assert paths.move_aside(tmp_path / "missing") is None


# ----------------------------------------------------------------------------- files written where they can be

FILES = {"vectors": ("vectors.tsv", b"1\t2\n"), "metadata": ("metadata.tsv", b"label\ncat\n")}


def test_files_go_to_the_folder_asked_for(tmp_path):
    written = paths.write_files(tmp_path / "export", FILES)
    assert written == {"vectors": tmp_path / "export" / "vectors.tsv", "metadata": tmp_path / "export" / "metadata.tsv"}
    assert written["metadata"].read_bytes() == b"label\ncat\n"


def test_a_folder_that_cannot_be_written_sends_the_files_to_a_private_one_that_the_warning_names(tmp_path,
                                                                                                 monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "temporary"))
    with pytest.warns(UserWarning, match="cannot be written") as caught:
        written = paths.write_files(blocker / "export", FILES)
    folder = written["vectors"].parent
    assert folder == tmp_path / "temporary" / "course-exports" / "export" and str(folder) in str(caught[0].message)
    assert stat.S_IMODE(folder.parent.stat().st_mode) == 0o700 and written["vectors"].read_bytes() == b"1\t2\n"
    assert blocker.read_text() == "x"


def test_files_no_folder_takes_are_kept_in_memory_and_read_like_files(tmp_path, monkeypatch):
    blocker = tmp_path / "a file"
    blocker.write_text("x")
    monkeypatch.setattr(tempfile, "tempdir", str(blocker))
    with pytest.warns(UserWarning, match="kept in memory only") as caught:
        written = paths.write_files(blocker / "export", FILES, again="free some space")
    assert len(caught) == 1 and str(caught[0].message).endswith("free some space.")
    vectors = written["vectors"]
    assert isinstance(vectors, paths.MemoryFile) and vectors.name == "vectors.tsv"
    assert vectors.read_text() == "1\t2\n" and vectors.stat().st_size == 4 and "in memory only" in repr(vectors)


# ----------------------------------------------------------------------------- where the kernel runs


@pytest.mark.parametrize(
    "env, expected",
    [
        ({}, "jupyter"),
        ({"COLAB_RELEASE_TAG": "release-colab_20260819"}, "colab"),
        ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive"}, "kaggle"),
        ({"KAGGLE_KERNEL_RUN_TYPE": "Interactive", "COLAB_RELEASE_TAG": "x"}, "kaggle"),  # Kaggle is built on Colab
        ({"BINDER_LAUNCH_HOST": "https://mybinder.org/"}, "binder"),
        ({"VSCODE_PID": "1234"}, "vscode"),
    ],
)
def test_detect_platform(env, expected, monkeypatch):
    monkeypatch.setattr(paths, "_google_colab_importable", lambda: False)
    assert paths.detect_platform(env) == expected


def test_kaggle_is_not_colab_even_where_google_colab_imports(monkeypatch):
    monkeypatch.setattr(paths, "_google_colab_importable", lambda: True)
    assert paths.detect_platform({}) == "colab"
    assert paths.detect_platform({"KAGGLE_URL_BASE": "https://www.kaggle.com"}) == "kaggle"
