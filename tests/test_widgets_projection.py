"""The projection explorer's logic, without a browser: selection, neighbours, caching, export, validation."""

from __future__ import annotations

import csv
from types import SimpleNamespace

import numpy as np
import pytest

from helpers import projections
from helpers.widgets.projection import ProjectionExplorer


@pytest.fixture(autouse=True)
def _fresh_projection_memory():
    projections.clear_memory_cache()
    yield
    projections.clear_memory_cache()


def _data(n=60, d=10, seed=0):
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % 3
    X = rng.normal(size=(n, d)).astype(np.float32) + 3.0 * labels[:, None]
    images = rng.integers(0, 255, size=(n, 8, 8)).astype(np.uint8)
    return X, labels, images


def _brute_force_neighbours(X, i, k):
    d = np.linalg.norm(X - X[i], axis=1)
    d[i] = np.inf
    return np.argsort(d, kind="stable")[:k]


# ----------------------------------------------------------------------------- selection and neighbours


def test_select_returns_neighbours_in_the_original_space_not_on_the_map():
    X, labels, images = _data()
    explorer = ProjectionExplorer(X, labels, images=images, k=5)
    differs = 0
    for i in range(0, 60, 7):
        neighbours = explorer.select(i)
        assert explorer.selected == i
        assert neighbours.tolist() == _brute_force_neighbours(X, i, 5).tolist()
        assert i not in neighbours
        differs += set(neighbours.tolist()) != set(explorer.map_neighbors().tolist())
    assert differs > 0  # a 2-D PCA map of 10-D data does move neighbours around


def test_neighbours_follow_the_space_k_and_metric():
    X, labels, _ = _data()
    other = np.random.default_rng(5).normal(size=(60, 4))
    explorer = ProjectionExplorer(X, labels, spaces={"other": other}, name="main", k=4)
    explorer.select(10)
    explorer.set_space("other")
    assert explorer.selected == 10
    assert explorer.neighbors.tolist() == _brute_force_neighbours(other, 10, 4).tolist()
    explorer.set_k(7)
    assert len(explorer.neighbors) == 7
    cosine = ProjectionExplorer(X, labels, metric="cosine", k=3)
    unit = X / np.linalg.norm(X, axis=1, keepdims=True)
    sims = unit @ unit[2]
    sims[2] = -np.inf
    assert cosine.select(2).tolist() == np.argsort(-sims, kind="stable")[:3].tolist()


def test_clearing_the_selection():
    X, labels, _ = _data()
    explorer = ProjectionExplorer(X, labels)
    explorer.select(3)
    assert explorer.select(None).size == 0 and explorer.selected is None


def test_nearest_on_map_and_a_simulated_click():
    X, labels, images = _data()
    explorer = ProjectionExplorer(X, labels, images=images)
    Y = explorer.current_map()
    assert explorer.nearest_on_map(*Y[17]) == 17
    view = explorer.view
    view.fig.canvas.draw()  # fixes the axes' transform as a browser would have drawn it
    px, py = view.ax.transData.transform(Y[23])
    view._on_click(SimpleNamespace(inaxes=view.ax, button=1, x=px + 2, y=py - 1))
    assert explorer.selected == 23
    view._on_click(SimpleNamespace(inaxes=view.ax, button=1, x=-500.0, y=-500.0))  # far from every point
    assert explorer.selected == 23
    view._on_click(SimpleNamespace(inaxes=None, button=1, x=px, y=py))
    assert explorer.selected == 23


# ----------------------------------------------------------------------------- caching and redrawing


def test_a_map_is_computed_once_and_redraws_reuse_it():
    X, labels, images = _data()
    explorer = ProjectionExplorer(X, labels, images=images)
    view = explorer.view  # draws the PCA map
    assert projections.cache_info()["misses"] == 1 and explorer.compute_count == 1
    first = explorer.current_map()
    explorer.select(4)
    explorer.set_point_size(20)
    explorer.set_color_by_class(False)
    explorer.set_k(3)
    view.live.refresh()
    assert explorer.current_map() is first
    assert projections.cache_info()["misses"] == 1 and explorer.compute_count == 1

    explorer.set_method("tsne", perplexity=5)
    explorer.set_method("pca")
    explorer.set_method("tsne", perplexity=5)  # back again: nothing new to compute
    assert projections.cache_info()["misses"] == 2

    again = ProjectionExplorer(X, labels)  # another explorer on the same data: the kernel's memory cache
    again.current_map()
    assert projections.cache_info()["misses"] == 2 and projections.cache_info()["hits"] >= 1

    projections.clear_memory_cache()  # as after a kernel restart: the disk cache answers
    ProjectionExplorer(X, labels).current_map()
    info = projections.cache_info()
    assert info["misses"] == 0 and info["disk_hits"] == 1


def test_selection_moves_only_the_highlight_artists():
    X, labels, images = _data()
    explorer = ProjectionExplorer(X, labels, images=images, k=4)
    view = explorer.view
    points_before = view.points.get_offsets().copy()
    explorer.select(9)
    Y = explorer.current_map()
    np.testing.assert_allclose(view.star.get_offsets(), Y[[9]])
    np.testing.assert_allclose(view.ring.get_offsets(), Y[explorer.neighbors])
    np.testing.assert_allclose(view.points.get_offsets(), points_before)
    assert len(view.links.get_segments()) == 4
    assert "Selected #9" in view.status.value and "trustworthiness" in view.status.value
    def shown(image):  # dark on light, as RGB pixels
        return np.repeat(255 - image[..., None], 3, axis=2)

    np.testing.assert_array_equal(view.tile_pixels(0), shown(images[9]))
    np.testing.assert_array_equal(view.tile_pixels(1), shown(images[explorer.neighbors[0]]))
    rank = view.tile_titles[1].get_text()   # the first neighbour: its rank, its mark, its class
    assert rank.split("\n")[0] in ("✓ 1st", "✗ 1st") and rank.endswith(explorer.label_of(explorer.neighbors[0]))
    assert f"(d={explorer.distances[0]:.2g})" in view.status.value   # the distances are in the text above


def test_changing_the_method_moves_the_points_and_reports_progress():
    X, labels, _ = _data()
    explorer = ProjectionExplorer(X, labels)
    view = explorer.view
    messages = []
    original = view.progress
    view.progress = lambda message: (messages.append(message), original(message))
    explorer.set_method("tsne", perplexity=8)
    assert any("t-SNE" in m for m in messages)
    np.testing.assert_allclose(view.points.get_offsets(), explorer.current_map())
    assert "t-SNE" in view.ax.get_title() and "trustworthiness" in view.ax.get_title()
    assert "trustworthiness" in view.status.value


def test_trustworthiness_is_high_for_pca_of_nearly_flat_data():
    rng = np.random.default_rng(1)
    flat = np.c_[rng.normal(size=(80, 2)) * 10, rng.normal(size=(80, 3)) * 0.01]
    explorer = ProjectionExplorer(flat, np.zeros(80, dtype=int))
    assert explorer.trustworthiness() > 0.99
    assert "trustworthiness (k=10)" in explorer.describe()


def test_the_display_carries_a_static_png():
    X, labels, images = _data()
    bundle = ProjectionExplorer(X, labels, images=images)._repr_mimebundle_()
    assert "image/png" in bundle and "application/vnd.jupyter.widget-view+json" in bundle


def test_controls_report_bad_values_instead_of_raising():
    X, labels, _ = _data(n=30)
    explorer = ProjectionExplorer(X, labels)
    view = explorer.view
    view._guard(explorer.set_params, perplexity=5)  # PCA has no perplexity
    assert "perplexity" in view.status.value and "color:#c62828" in view.status.value


# ----------------------------------------------------------------------------- export


def test_export_writes_the_projector_pair_and_the_map(tmp_path):
    X, labels, images = _data(n=20, d=3)
    names = ["cat\tone", "dog", "bird"]  # a tab inside a name must not break the TSV
    explorer = ProjectionExplorer(X, labels, images=images, class_names=names)
    written = explorer.export(tmp_path / "out")
    vectors = np.loadtxt(written["vectors"], delimiter="\t")
    np.testing.assert_allclose(vectors, X, rtol=1e-5)
    meta = written["metadata"].read_text(encoding="utf-8").splitlines()
    assert meta[0] == "index\tlabel" and len(meta) == 21
    assert meta[1] == "0\tcat one" and meta[2] == "1\tdog"
    assert all(line.count("\t") == 1 for line in meta)
    with open(written["map_csv"], newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["index", "x", "y", "label"] and len(rows) == 21
    got = np.array([[float(r[1]), float(r[2])] for r in rows[1:]])
    np.testing.assert_allclose(got, explorer.current_map(), rtol=1e-4, atol=1e-4)
    assert written["map_png"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    "change,error,words",
    [
        (dict(X=np.zeros(60)), ValueError, "X must be a 2-D array"),
        (dict(X=np.zeros((60, 8, 8))), ValueError, "flatten"),
        (dict(X=np.array([["a"] * 3] * 60)), TypeError, "X must hold numbers"),
        (dict(X=np.where(np.eye(60, 10) > 0, np.nan, 1.0)), ValueError, "X contains 10 NaN"),
        (dict(X=np.ones((3, 4)), labels=[0, 1, 2]), ValueError, "at least 5 rows"),
        (dict(labels=np.zeros(59)), ValueError, "labels must have one label per row of X: got 59"),
        (dict(labels=np.zeros((60, 2))), ValueError, "labels must be a 1-D"),
        (dict(images=np.zeros((59, 8, 8))), ValueError, "images must hold one image per point"),
        (dict(images=np.zeros((60, 64))), ValueError, "images must hold images shaped"),
        (dict(spaces={"b": np.zeros((50, 2))}), ValueError, "spaces['b'] must have the same points"),
        (dict(spaces={"b": np.full((60, 2), np.inf)}), ValueError, "spaces['b'] contains"),
        (dict(class_names=["a", "b"]), ValueError, "labels must index class_names"),
        (dict(method="isomap"), ValueError, "method must be one of"),
        (dict(k=60), ValueError, "k must be an integer from 1 to"),
        (dict(k=2.5), TypeError, "k must be an integer"),
        (dict(method="tsne", params={"perplexity": 30}), ValueError, "perplexity must be"),
        (dict(method="umap", params={"n_neighbors": 60}), ValueError, "n_neighbors must be an integer from 2 to 59"),
        (dict(method="umap", params={"min_dist": 2}), ValueError, "min_dist must be a number from 0 to 1"),
        (dict(method="umap", params={"perplexity": 5}), ValueError, "perplexity is not a parameter"),
        (dict(point_size=-1), ValueError, "point_size"),
        (dict(metric="manhattan"), ValueError, "metric"),
    ],
)
def test_bad_input_gets_a_message_naming_the_argument(change, error, words):
    X, labels, images = _data()
    kwargs = {"X": X, "labels": labels, "images": images, **change}
    with pytest.raises(error, match=None) as info:
        ProjectionExplorer(kwargs.pop("X"), kwargs.pop("labels"), **kwargs)
    assert words in str(info.value)


def test_select_and_setters_validate_too():
    X, labels, _ = _data(n=20)
    explorer = ProjectionExplorer(X, labels)
    with pytest.raises(ValueError, match="index must be an integer from 0 to 19"):
        explorer.select(20)
    with pytest.raises(ValueError, match="space must be .vectors., got .pixels."):
        explorer.set_space("pixels")
    with pytest.raises(ValueError, match="perplexity must be"):
        explorer.set_method("tsne", perplexity=10)  # 20 points are too few for perplexity 10
    assert explorer.method == "pca"  # a refused change leaves the explorer as it was


def test_defaults_shrink_to_fit_a_small_data_set():
    X, labels, _ = _data(n=20)
    explorer = ProjectionExplorer(X, labels, method="tsne")
    assert explorer.params["tsne"]["perplexity"] < 20 / 3
    explorer.set_method("umap")
    assert explorer.params["umap"]["n_neighbors"] == 15
    assert ProjectionExplorer(X[:9], labels[:9], method="umap").params["umap"]["n_neighbors"] == 8


def test_string_labels_become_classes():
    X, _, _ = _data(n=9)
    explorer = ProjectionExplorer(X, ["b", "a", "c"] * 3)
    assert explorer.class_names == ("a", "b", "c")
    assert explorer.label_of(0) == "b"


# ----------------------------------------------------------------------------- the learner's own data


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_export_then_from_files_gives_the_same_vectors_and_labels(tmp_path):
    X, labels, images = _data(n=20, d=3)
    explorer = ProjectionExplorer(X, labels, images=images, class_names=["cat", "dog", "bird"])
    written = explorer.export(tmp_path / "out")
    again = ProjectionExplorer.from_files(written["vectors"], written["metadata"], images=images)
    np.testing.assert_allclose(again.X, X, rtol=1e-5)  # written with 6 significant digits
    assert [again.label_of(i) for i in range(20)] == [explorer.label_of(i) for i in range(20)]
    assert again.images is not None and again.n == 20
    folder = ProjectionExplorer.from_files(tmp_path / "out")  # the folder that export wrote
    np.testing.assert_array_equal(folder.X, again.X)
    assert folder.label_of(4) == explorer.label_of(4)


def test_from_files_reads_the_projectors_one_column_metadata_and_plain_vectors(tmp_path):
    X, labels, _ = _data(n=12, d=4)
    np.savetxt(tmp_path / "v.tsv", X, delimiter="\t")
    _write(tmp_path / "words.tsv", "".join(f"w{i}\n" for i in range(12)))   # one column: no header
    words = ProjectionExplorer.from_files(tmp_path / "v.tsv", tmp_path / "words.tsv", labels=None, texts="label")
    assert words.class_names == ("no label",) and words.point_name(3) == "#3 w3"
    _write(tmp_path / "digits.tsv", "".join(f"{c}\n" for c in labels))
    digits = ProjectionExplorer.from_files(tmp_path / "v.tsv", tmp_path / "digits.tsv")
    assert digits.class_names == ("0", "1", "2") and digits.label_of(4) == "1"
    alone = ProjectionExplorer.from_files(tmp_path / "v.tsv", labels=labels)  # no metadata file
    assert alone.label_of(5) == "2"
    _write(tmp_path / "m.tsv", "label\tcaption\n" + "".join(f"{c}\tpicture {i}\n" for i, c in enumerate(labels)))
    both = ProjectionExplorer.from_files(tmp_path / "v.tsv", tmp_path / "m.tsv", texts="caption")
    assert both.point_name(7) == "#7 picture 7 (1)"


def test_windows_line_ends_a_byte_order_mark_and_trailing_blank_lines_are_read(tmp_path):
    _write(tmp_path / "v.tsv", "\ufeff" + "".join(f"{i}\t{i % 3}.5\r\n" for i in range(12)) + "\n\n")
    explorer = ProjectionExplorer.from_files(tmp_path / "v.tsv", labels=[0, 1] * 6)
    assert explorer.X.shape == (12, 2) and explorer.X[5].tolist() == [5.0, 2.5]


def test_x_may_be_a_torch_tensor_or_a_dataframe_with_named_columns():
    torch = pytest.importorskip("torch")
    pd = pytest.importorskip("pandas")
    X, labels, _ = _data(n=15, d=4)
    from_torch = ProjectionExplorer(torch.from_numpy(X), torch.from_numpy(labels))
    np.testing.assert_allclose(from_torch.X, X, rtol=1e-6)
    table = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    table.insert(0, "species", np.array(["x", "y", "z"])[labels])
    table["name"] = [f"point {i}" for i in range(15)]
    explorer = ProjectionExplorer(table, "species", texts="name")
    np.testing.assert_allclose(explorer.X, X, rtol=1e-6)
    assert explorer.class_names == ("x", "y", "z") and explorer.point_name(2) == "#2 point 2 (z)"
    explorer.select(2)
    assert "point 2" in explorer.view.status.value


@pytest.mark.parametrize(
    "change,words",
    [
        (dict(texts="nme"), "texts must be a column of X, one of 'species', 'a', 'b', 'c', 'd', 'name', "
                            "got 'nme' (did you mean 'name'?)"),
        (dict(labels="name", texts=None), "X['species'] must be numbers (a column of the vectors), got 'x' in row 0"),
        (dict(X="columns", labels=[0, 1, 2] * 5, texts="name"), "texts: a column name works only when X is a pandas"),
        (dict(X="columns", labels=[0, 1, 2] * 5, texts=["a"] * 14), "texts must have one label per row of X: got 14"),
    ],
)
def test_bad_tables_and_texts_get_a_message_naming_the_argument(change, words):
    pd = pytest.importorskip("pandas")
    X, labels, _ = _data(n=15, d=4)
    table = pd.DataFrame(X, columns=["a", "b", "c", "d"])
    table.insert(0, "species", np.array(["x", "y", "z"])[labels])
    table["name"] = [f"point {i}" for i in range(15)]
    kwargs = {"X": table, "labels": "species", "texts": "name", **change}
    if isinstance(kwargs["X"], str):
        kwargs["X"] = X
    with pytest.raises(ValueError) as info:
        ProjectionExplorer(kwargs.pop("X"), kwargs.pop("labels"), **kwargs)
    assert words in str(info.value)


GOOD_VECTORS = "".join(f"{i}\t{i % 3}\t{i * 0.5}\n" for i in range(8))
GOOD_METADATA = "index\tlabel\n" + "".join(f"{i}\t{'ab'[i % 2]}\n" for i in range(8))


@pytest.mark.parametrize(
    "vectors,metadata,words",
    [
        (GOOD_VECTORS.replace("3\t0\t1.5", "3\t0"), None,
         "line 4 of {v} must hold 3 numbers separated by tabs (as line 1 does), got 2"),
        (GOOD_VECTORS.replace("4\t1\t2", "4\t1\t2\t7\t7"), None, "line 5 of {v} must hold 3 numbers"),
        (GOOD_VECTORS.replace("3\t0\t1.5\n", "3\t0\t1.5\n\n"), None,
         "line 5 of {v} must hold 3 numbers separated by tabs (as line 1 does), got an empty line"),
        (GOOD_VECTORS.replace("5\t2\t2.5", "5\tcat\t2.5"), None,
         "line 6 of {v} must hold numbers separated by tabs, got 'cat' (value 2 of 3)"),
        ("x\ty\tz\n" + GOOD_VECTORS, None, "no header line"),
        (GOOD_VECTORS.replace("\t", ","), None, "separated by tabs, not commas"),
        (GOOD_VECTORS.replace("\t", " "), None, "separated by tabs, not spaces"),
        (GOOD_VECTORS.replace("6\t0\t3", "6\tnan\t3"), None, "line 7 of {v} must hold finite numbers, got nan"),
        ("", None, "{v} must hold one vector per line (numbers separated by tabs), got an empty file"),
        ("\n\n", None, "got an empty file"),
        (GOOD_VECTORS, "index\tlabel\n0\ta\n1\tb\n",
         "{m} must hold one row per vector (8 rows after its header line), got 2"),
        (GOOD_VECTORS, "".join(f"{'ab'[i % 2]}\n" for i in range(9)),
         "{m} must hold one row per vector (8 lines), got 9 (a file of one column has no header line"),
        (GOOD_VECTORS, GOOD_METADATA.replace("3\tb", "3\tb\textra"),
         "line 5 of {m} must hold 2 fields separated by tabs (as its header line does), got 3"),
        (GOOD_VECTORS, "", "{m} must hold a label per vector, got an empty file"),
        (GOOD_VECTORS, GOOD_METADATA.replace("index\tlabel", "index\tclass"),
         "labels must be a column of {m}, 'index' or 'class' (or None for no classes), got 'label'"),
    ],
)
def test_bad_files_get_one_message_naming_the_file_and_the_line(tmp_path, vectors, metadata, words):
    v = _write(tmp_path / "vectors.tsv", vectors)
    m = None if metadata is None else _write(tmp_path / "metadata.tsv", metadata)
    with pytest.raises(ValueError) as info:
        ProjectionExplorer.from_files(v, m, labels="label" if m else [0, 1] * 4)
    assert words.format(v=v, m=m) in str(info.value)
    assert "\n" not in str(info.value)


def test_a_missing_file_is_named(tmp_path):
    with pytest.raises(ValueError, match="vectors must be a file .* got '.*nowhere.tsv', which does not exist"):
        ProjectionExplorer.from_files(tmp_path / "nowhere.tsv")
    with pytest.raises(ValueError, match="metadata must be a file .*, which does not exist"):
        ProjectionExplorer.from_files(_write(tmp_path / "v.tsv", GOOD_VECTORS), tmp_path / "meta.tsv")
    with pytest.raises(ValueError, match="vectors must be a file or a folder holding vectors.tsv"):
        ProjectionExplorer.from_files(tmp_path)  # a folder without vectors.tsv


def test_ten_million_lines_are_refused_before_they_are_read(tmp_path):
    path = tmp_path / "big.tsv"
    with open(path, "w") as fh:
        fh.write("1\n" * 10_000_000)
        fh.write("garbage\n")   # never reached: the limit speaks first
    with pytest.raises(ValueError) as info:
        ProjectionExplorer.from_files(path, labels=None)
    message = str(info.value)
    assert f"{path} must hold at most 200,000 vectors (lines) for the explorer, got more" in message
    assert "about 10,000,000 lines" in message


def test_the_limit_itself_is_accepted(tmp_path):
    from helpers.widgets.projection import MAX_FILE_ROWS

    path = _write(tmp_path / "v.tsv", "1\t2\n" * 5 + "3\t4\n" * (MAX_FILE_ROWS - 5))
    assert ProjectionExplorer.from_files(path, labels=None).n == MAX_FILE_ROWS


def test_a_binary_file_and_a_long_metadata_file_are_named(tmp_path):
    v = _write(tmp_path / "vectors.tsv", GOOD_VECTORS)
    (tmp_path / "sheet.tsv").write_bytes(b"PK\x03\x04\xff\xfe\x00binary")
    with pytest.raises(ValueError, match="sheet.tsv must hold text .UTF-8., got bytes that are not"):
        ProjectionExplorer.from_files(tmp_path / "sheet.tsv")
    _write(tmp_path / "m.tsv", "index\tlabel\n" + "0\ta\n" * 1000)
    with pytest.raises(ValueError, match=r"m.tsv must hold one row per vector \(8 rows after its header line\), got"):
        ProjectionExplorer.from_files(v, tmp_path / "m.tsv")


def test_export_keeps_the_texts_and_from_files_reads_them_back(tmp_path):
    X, labels, _ = _data(n=12, d=3)
    explorer = ProjectionExplorer(X, labels, texts=[f"word {i}" for i in range(12)])
    explorer.export(tmp_path / "out")
    again = ProjectionExplorer.from_files(tmp_path / "out", texts="text")
    assert [again.point_name(i) for i in range(12)] == [explorer.point_name(i) for i in range(12)]
