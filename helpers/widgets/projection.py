"""Projection explorer: any vectors on a 2-D map (PCA, t-SNE or UMAP), point by point.

>>> from helpers.widgets.projection import ProjectionExplorer
>>> explorer = ProjectionExplorer(embeddings, labels, images=images, class_names=names,
...                               spaces={"pixels": pixels})
>>> explorer                             # a cell's last expression: the widget (and a picture of it)
>>> explorer.select(12)                  # row 12's nearest neighbours in the ORIGINAL space
>>> explorer.set_method("tsne", perplexity=30)
>>> explorer.export("my_embedding")      # vectors.tsv + metadata.tsv, map.csv + map.png
>>> ProjectionExplorer.from_files("my_embedding")   # and back: the pair, or the Projector's files
>>> ProjectionExplorer(table, "label")   # a pandas DataFrame: its number columns, its "label" column

Your own vectors come in as ``X``: a NumPy array, a torch tensor or a pandas DataFrame
(whose number columns are the vectors, and whose columns ``labels`` and ``texts`` may
name). Files in the TensorFlow Embedding Projector's format, as ``export`` writes them,
come in through :meth:`ProjectionExplorer.from_files`; a mistake in a file is reported
with the file, the line and what was expected there.

Clicking a point (with ipympl) or typing its index selects it: its image and its ``k``
nearest neighbours, found in the original space rather than on the map, are shown beside
the map and ringed on it. The map's trustworthiness (does the map invent neighbours?)
is written in its title. Projections come from :func:`helpers.projections.project`,
so each one is computed once and then read from the cache.

The training-evolution explorer, one map per captured epoch of a training run, is
:class:`helpers.widgets.training_evolution.EpochExplorer`.
"""

from __future__ import annotations

import csv
import io
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NoReturn

import numpy as np

from helpers import metrics, paths, projections, validation
from helpers.plotting import figure_png
from helpers.widgets.explorer import Explorer
from helpers.widgets.projection_view import ProjectionView, method_label

__all__ = ["FIXED_PARAMS", "MAX_FILE_ROWS", "ProjectionExplorer", "TUNABLE_PARAMS", "method_label"]

#: The parameters the explorer's controls offer for each method, with their defaults.
TUNABLE_PARAMS: dict[str, dict[str, float]] = {
    "pca": {},
    "tsne": {"perplexity": 30.0},
    "umap": {"n_neighbors": 15, "min_dist": 0.1},
}


#: Settings the explorer always passes to :func:`helpers.projections.project` (no control for
#: them). t-SNE stops after 500 iterations instead of scikit-learn's 1,000: for a few
#: thousand points the map has settled by then (same trustworthiness), at half the cost.
#: UMAP runs 200 epochs, umap-learn's own choice above 10,000 points, instead of the 500 it
#: takes for fewer: on 2,000 Fashion-MNIST or MNIST images (pixels or CNN embedding) its
#: trustworthiness was at most 0.004 lower, in well under half the time.
FIXED_PARAMS: dict[str, dict[str, Any]] = {"pca": {}, "tsne": {"max_iter": 500}, "umap": {"n_epochs": 200}}


#: Maps with more points than this get their trustworthiness estimated from a sample.
TRUST_SAMPLE = 2000

#: The most vectors :meth:`ProjectionExplorer.from_files` reads: a file with more lines is refused
#: before it is read into memory. 200,000 vectors of 300 numbers (GloVe's size) take 240 MB as
#: float32, well within the memory a free Colab machine (about 12 GB) gives a learner.
MAX_FILE_ROWS = 200_000

#: The class of every point when no labels are given (from_files without a metadata file).
NO_LABEL = "no label"


# ----------------------------------------------------------------------------- checks
# The training-evolution explorer checks its labels and point size the same way.


def label_codes(labels: Any, n: int, class_names: Any) -> tuple[np.ndarray, tuple[str, ...]]:
    """Integer codes 0..C-1 per point, and the name of each code."""
    if labels is None:
        raise validation.InvalidType("labels must be given: one label (class number or name) per row of X")
    arr = validation.labels(labels, "labels", n, "X")
    if class_names is not None:
        if isinstance(class_names, str) or not isinstance(class_names, Sequence):
            validation.fail("class_names", "a list of names", class_names, kind=validation.InvalidType)
        names = tuple(_tsv_field(c) for c in class_names)  # tabs and line breaks would garble labels
        if not np.issubdtype(arr.dtype, np.integer):
            raise validation.InvalidType(
                "with class_names, labels must be class numbers (integers) that index class_names")
        if len(arr) and (arr.min() < 0 or arr.max() >= len(names)):
            raise validation.InvalidValue(
                f"labels must index class_names (0 to {len(names) - 1}), got values from {arr.min()} to {arr.max()}"
            )
        return arr.astype(np.int64), names
    values, codes = np.unique(arr, return_inverse=True)
    return codes.astype(np.int64), tuple(_tsv_field(v) for v in values)


def check_point_size(size: Any) -> float:
    """The area of a map's markers, in points squared."""
    return validation.number(size, "point_size", low=0, high=200, low_open=True, why=" (marker area in points^2)")


def _folder(value: Any, name: str, arguments: Any = None) -> str | Path:
    return value if isinstance(value, Path) else validation.text(value, name)


_K = validation.integer_of(lambda explorer: (1, min(32, explorer.n - 1)),
                           why=" (neighbours shown; fewer than the points)")


def _tsv_field(text: str) -> str:
    return " ".join(str(text).replace("\t", " ").split())


def _spaces(X: Any, name: str, spaces: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    """``X`` under ``name`` and the other spaces of the same points, as float32 (n, d) arrays."""
    validation.text(name, "name")
    checked = {name: np.ascontiguousarray(validation.matrix(
        X, "X", min_rows=5, what="n points, d dims; at least 5 points for a map", dtype=np.float32))}
    n = len(checked[name])
    if spaces is None:
        return checked
    if not isinstance(spaces, Mapping):
        validation.fail("spaces", "a dict {name: array}", spaces, kind=validation.InvalidType)
    for key, value in spaces.items():
        validation.text(key, "spaces: each name")
        if key in checked:
            raise validation.InvalidValue(f"spaces: the name {key!r} is already used (name of X is {name!r})")
        arr = np.ascontiguousarray(validation.matrix(value, f"spaces[{key!r}]", what="n points, d dims",
                                                     dtype=np.float32))
        if len(arr) != n:
            raise validation.InvalidValue(
                f"spaces[{key!r}] must have the same points as X: got {len(arr):,} rows, X has {n:,}"
            )
        checked[key] = arr
    return checked


def _default_params(n: int) -> dict[str, dict[str, Any]]:
    """Each method's parameters at first: :data:`TUNABLE_PARAMS`, lowered to what ``n`` points can support."""
    params = {method: dict(values) for method, values in TUNABLE_PARAMS.items()}
    params["tsne"]["perplexity"] = float(min(30, max(1, n // 3 - 1)))
    params["umap"]["n_neighbors"] = min(15, n - 1)
    return params


# ----------------------------------------------------------------------------- the learner's own data


def _from_table(X: Any, labels: Any, texts: Any) -> tuple[Any, Any, Any]:
    """A pandas DataFrame ``X`` as its number columns, with ``labels`` and ``texts`` naming its other columns."""
    pandas = sys.modules.get("pandas")  # a DataFrame can only come from a pandas already imported
    if pandas is None or not isinstance(X, pandas.DataFrame):
        for value, name in ((labels, "labels"), (texts, "texts")):
            if isinstance(value, str):
                raise validation.InvalidType(f"{name}: a column name works only when X is a pandas DataFrame; "
                                             f"give one value per row of X instead, got {value!r}")
        return X, labels, texts
    columns = {str(column): column for column in X.columns}
    named = {}
    for value, name in ((labels, "labels"), (texts, "texts")):
        if isinstance(value, str):
            key = validation.choice(value, name, columns, ignore_case=False,
                                    what=f"a column of X, {validation.listing(list(columns))}")
            named[name] = X[columns[key]].to_numpy()
    vectors = X.drop(columns=[columns[str(v)] for v in (labels, texts) if isinstance(v, str)])
    for column in vectors.columns:
        values = vectors[column]
        if len(values) and not (pandas.api.types.is_numeric_dtype(values) or pandas.api.types.is_bool_dtype(values)):
            bad = values[pandas.to_numeric(values, errors="coerce").isna() & values.notna()]
            hint = ("name its column as labels= or texts=, or leave it out: "
                    f"X.drop(columns=[{column!r}])" if len(bad) else
                    f"numbers written as text: convert them, X[{column!r}] = pd.to_numeric(X[{column!r}])")
            bad = bad if len(bad) else values
            validation.fail(f"X[{column!r}]", "numbers (a column of the vectors)", values, hint,
                            kind=validation.InvalidType, got=f"{bad.iloc[0]!r} in row {bad.index[0]}")
    return vectors.to_numpy(), named.get("labels", labels), named.get("texts", texts)


def _source(value: Any, name: str, in_folder: str) -> tuple[str, Any, int | None]:
    """A file to read: its name for messages, a function opening it as text, and its size in bytes.

    ``value`` is a path (a folder stands for its file ``in_folder``) or a
    :class:`helpers.paths.MemoryFile`, as :meth:`ProjectionExplorer.export` returns them."""
    if isinstance(value, paths.MemoryFile):
        data = value.read_bytes()
        return value.name, lambda: io.StringIO(_text(data, value.name)), len(data)
    path = validation.file_path(value, name)
    if path.is_dir():
        path = path / in_folder
    if not path.is_file():
        validation.fail(name, f"a file or a folder holding {in_folder}", value,
                        f"the current folder is {Path.cwd()}", got=f"'{path}', which does not exist")
    return str(path), lambda: open(path, encoding="utf-8-sig"), path.stat().st_size


def _not_text(shown: str) -> NoReturn:
    _bad_file(shown, "text (UTF-8)", "bytes that are not",
              "a spreadsheet or a compressed file? Save it as tab-separated text")


def _text(data: bytes, shown: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return _not_text(shown)


def _lines(opener: Any, shown: str, limit: int, too_many: Any) -> Any:
    """The file's lines without their line ends, up to the last one that is not blank.

    Reading stops at line ``limit`` + 1, which calls ``too_many(lines read, characters read)``."""
    blank, characters = 0, 0
    try:
        with opener() as handle:
            for number, line in enumerate(handle, 1):
                if number > limit:
                    too_many(number - 1, characters)
                    return
                characters += len(line)
                line = line.rstrip("\r\n")
                if not line.strip():
                    blank += 1
                    continue
                yield from [""] * blank
                blank = 0
                yield line
    except UnicodeDecodeError:
        _not_text(shown)


def _bad_file(where: str, expected: str, got: str, hint: str = "") -> None:
    """The error for a file, or a line of it, that is not what the explorer reads."""
    raise validation.InvalidValue(f"{where} must hold {expected}, got {got}" + (f" ({hint})" if hint else ""))


def _bad_line(number: int, shown: str, expected: str, got: str, hint: str = "") -> None:
    _bad_file(f"line {number:,} of {shown}", expected, got, hint)


def _read_vectors(value: Any, name: str) -> np.ndarray:
    """vectors.tsv as a float32 (n, d) array: read twice, once to check its lines and once by NumPy."""
    shown, opener, size = _source(value, name, "vectors.tsv")

    def too_many(lines: int, characters: int) -> None:
        about = size * lines / characters  # the lines of the whole file, judging by those read
        _bad_file(shown, f"at most {MAX_FILE_ROWS:,} vectors (lines) for the explorer",
                  f"more (about {round(about, -5):,.0f} lines judging by its size)",
                  f"keep a sample of the lines, e.g. one in every {max(2, -(-int(about) // MAX_FILE_ROWS))}")

    width, count = None, 0
    for count, line in enumerate(_lines(opener, shown, MAX_FILE_ROWS, too_many), 1):
        fields = line.count("\t") + 1
        if width is None:
            width = fields
        elif fields != width or not line:
            _bad_line(count, shown, f"{width} numbers separated by tabs (as line 1 does)",
                      "an empty line" if not line else f"{fields} values")
    if width is None:
        _bad_file(shown, "one vector per line (numbers separated by tabs)", "an empty file")
    validation.fits(count * width * 8, name, value, f"{count:,} vectors of {width:,} numbers")
    with opener() as handle:
        try:
            X = np.loadtxt(handle, delimiter="\t", dtype=np.float32, ndmin=2, comments=None, max_rows=count)
        except ValueError:
            X = None
    if X is None:
        _find_text(opener, shown, width)
    bad = np.flatnonzero(~np.isfinite(X).all(axis=1))
    if len(bad):
        row = X[bad[0]]
        _bad_line(int(bad[0]) + 1, shown, "finite numbers", f"{row[~np.isfinite(row)][0]}", "replace or remove it")
    return X


_SEPARATORS = ((",", "commas"), (";", "semicolons"), (" ", "spaces"))


def _find_text(opener: Any, shown: str, width: int) -> None:
    """The error for the first value of vectors.tsv that is not a number."""
    with opener() as handle:
        for number, line in enumerate(handle, 1):
            fields = line.rstrip("\r\n").split("\t")
            for place, field in enumerate(fields, 1):
                try:
                    float(field)
                except ValueError:
                    hint = "" if number > 1 else "vectors.tsv has no header line: in pandas, write it with header=False"
                    mark = next((name for mark, name in _SEPARATORS if mark in field.strip()), "")
                    if mark:
                        hint = f"values are separated by tabs, not {mark}: in pandas, write it with sep='\\t'"
                    _bad_line(number, shown, "numbers separated by tabs",
                              f"{field!r} (value {place} of {width})" if field else
                              f"an empty value (value {place} of {width})", hint)
    raise AssertionError(f"{shown}: NumPy could not read it, yet every value is a number")


def _read_metadata(value: Any, name: str, n: int) -> tuple[dict[str, list[str]], str]:
    """metadata.tsv's columns by name (a header line names them when it has more than one, none when it
    has one), and the file's name for messages."""
    shown, opener, _ = _source(value, name, "metadata.tsv")
    lines = list(_lines(opener, shown, n + 2, lambda lines, characters: None))  # enough to tell "more"
    if not lines:
        _bad_file(shown, "a label per vector", "an empty file")
    width = lines[0].count("\t") + 1
    header, rows, first = (["label"], lines, 1) if width == 1 else (lines[0].split("\t"), lines[1:], 2)
    for number, row in enumerate(rows, first):
        if row.count("\t") + 1 != width:
            _bad_line(number, shown, f"{width} fields separated by tabs (as its header line does)",
                      f"{row.count(chr(9)) + 1} fields")
    if len(rows) != n:
        more = "more" if len(lines) > n + 1 else f"{len(rows):,}"
        if width == 1:
            hint = (f"a file of one column has no header line: remove its first line {lines[0]!r}"
                    if len(rows) == n + 1 else "")
            _bad_file(shown, f"one row per vector ({n:,} lines)", more, hint)
        _bad_file(shown, f"one row per vector ({n:,} rows after its header line)", more)
    fields = [row.split("\t") for row in rows]
    columns: dict[str, list[str]] = {}
    for place, column in enumerate(header):
        columns.setdefault(column, [row[place] for row in fields])  # a repeated name: its first column
    return columns, shown


def _read_projector(vectors: Any, metadata: Any) -> tuple[np.ndarray, dict[str, list[str]], str]:
    """The vectors of a vectors.tsv file, the columns of its metadata.tsv (none without one) and that
    file's name; a folder that export wrote stands for its two files."""
    X = _read_vectors(vectors, "vectors")
    if metadata is None and isinstance(vectors, (str, Path)) and Path(vectors).is_dir():
        beside = Path(vectors) / "metadata.tsv"
        metadata = beside if beside.is_file() else None
    if metadata is None:
        return X, {}, ""
    return X, *_read_metadata(metadata, "metadata", len(X))


def _metadata_column(value: Any, name: str, columns: dict[str, list[str]], shown: str, none: str) -> Any:
    """The values of the metadata column ``value`` names (integers when all are), or ``value`` itself."""
    if not isinstance(value, str):
        return value
    if not columns:
        return None
    key = validation.choice(value, name, columns, ignore_case=False,
                            what=f"a column of {shown}, {validation.listing(list(columns))} (or None {none})")
    values = columns[key]
    return [int(v) for v in values] if all(re.fullmatch(r"-?\d+", v) for v in values) else values


# ----------------------------------------------------------------------------- the explorer


class ProjectionExplorer(Explorer):
    """Explore vectors on a 2-D map: choose the space, the method and its parameters; pick points.

    ``X`` is an (n, d) array (NumPy or torch) whose rows are the points, or a pandas
    DataFrame whose number columns are; ``labels`` gives one class per row (numbers
    indexing ``class_names``, or any names), or names X's column that does. ``images`` are
    optional pictures of the points, (n, H, W) or (n, H, W, 3); ``texts`` optional words
    or captions, one per point (or X's column of them), shown when a point is picked.
    :meth:`from_files` opens vectors.tsv and metadata.tsv files. ``spaces`` adds other
    vector spaces of the same points to switch between, e.g. ``{"pixels": pixels}``;
    ``name`` is what ``X`` is called among them. ``method`` is "pca", "tsne" or "umap";
    ``params`` sets its parameters (perplexity; n_neighbors, min_dist). ``k`` neighbours
    are shown for a selected point, found with ``metric`` ("euclidean" or "cosine").
    """

    def __init__(
        self,
        X: Any,
        labels: Any,
        *,
        images: Any = None,
        texts: Any = None,
        class_names: Sequence[str] | None = None,
        spaces: Mapping[str, Any] | None = None,
        name: str = "vectors",
        method: str = "pca",
        params: Mapping[str, Any] | None = None,
        k: int = 8,
        metric: str = "euclidean",
        point_size: float = 8.0,
        color_by_class: bool = True,
        trust_k: int | None = None,
        random_state: int = 0,
        title: str | None = None,
        export_folder: str = "embedding_export",
    ) -> None:
        X, labels, texts = _from_table(X, labels, texts)
        self._spaces = _spaces(X, name, spaces)
        self.n = len(self._spaces[name])
        self.codes, self.class_names = label_codes(labels, self.n, class_names)
        self.texts = None if texts is None else tuple(
            _tsv_field(t) for t in validation.labels(texts, "texts", self.n, "X"))
        self.images = None if images is None else validation.images(images, "images", count=self.n, colour=True)
        self.metric = validation.choice(metric, "metric", metrics.METRICS, ignore_case=False)
        most_k = max(1, (self.n - 1) // 2 - 1)
        trust_k = min(10, most_k) if trust_k is None else trust_k
        self.trust_k = validation.integer(trust_k, "trust_k", low=1, high=most_k, why=" (less than half the points)")
        self.random_state = validation.random_state(random_state)
        self.title = None if title is None else validation.text(title, "title", allow_empty=True)
        self.export_folder = _folder(export_folder, "export_folder")
        self.space = name
        self.method = "pca"
        self.params = _default_params(self.n)
        self.k = _K(k, "k", {"self": self})
        self.point_size = check_point_size(point_size)
        self.color_by_class = validation.boolean(color_by_class, "color_by_class")
        self.selected: int | None = None
        self.neighbors = np.zeros(0, dtype=np.int64)
        self.distances = np.zeros(0)
        self._maps: dict[tuple, np.ndarray] = {}
        self._trust: dict[tuple, float] = {}
        self.compute_count = 0  # projections this explorer asked for (memory cache misses)
        self._view: ProjectionView | None = None
        self.set_method(method, **dict(params or {}))

    # ------------------------------------------------------------------ logic (no widgets)

    @property
    def spaces(self) -> tuple[str, ...]:
        """The names of the vector spaces to choose from."""
        return tuple(self._spaces)

    @property
    def X(self) -> np.ndarray:
        """The vectors of the current space (float32, (n, d))."""
        return self._spaces[self.space]

    def _tuned(self, method: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """The method's parameters with ``params`` changed: the explorer offers :data:`TUNABLE_PARAMS`."""
        merged = {**self.params[method], **params}
        checked = validation.projection_params(method, merged, self.n, allowed=TUNABLE_PARAMS[method])
        return {key: checked[key] for key in merged}

    def _key(self) -> tuple:
        params = tuple(sorted(self.params[self.method].items()))
        return (self.space, self.method, params)

    def set_method(self, method: str, **params: Any) -> None:
        """Switch to ``method`` ("pca", "tsne" or "umap"), optionally with new parameters."""
        method = validation.projection_method(method)
        checked = self._tuned(method, params)
        self.method = method
        self.params[method] = checked
        self._changed_map()

    def set_params(self, **params: Any) -> None:
        """Change the current method's parameters, e.g. ``set_params(perplexity=50)``."""
        self.params[self.method] = self._tuned(self.method, params)
        self._changed_map()

    def set_space(self, name: str) -> None:
        """Switch to another vector space (one of :attr:`spaces`); the selection is kept."""
        self.space = validation.choice(name, "space", self._spaces, ignore_case=False)
        if self.selected is not None:
            self._find_neighbors()
        self._changed_map()

    @validation.params(k=_K)
    def set_k(self, k: int) -> None:
        """Show ``k`` neighbours of the selected point."""
        self.k = k
        if self.selected is not None:
            self._find_neighbors()
        if self._view is not None:
            self._view.rebuild_thumbnails()
            self._view.draw_selection()

    def set_point_size(self, size: float) -> None:
        self.point_size = check_point_size(size)
        if self._view is not None:
            self._view.draw_style()

    def set_color_by_class(self, on: bool) -> None:
        self.color_by_class = validation.boolean(on, "on")
        if self._view is not None:
            self._view.draw_style()

    def current_map(self) -> np.ndarray:
        """The 2-D map of the current space with the current method and parameters, (n, 2).

        Computed once per (space, method, parameters); asking again, or redrawing, reuses it.
        """
        key = self._key()
        if key not in self._maps:
            progress = self._view.progress if self._view is not None else None
            self.compute_count += 1
            self._maps[key] = projections.project(
                self.X,
                self.method,
                random_state=self.random_state,
                verbose=progress is None,
                on_progress=progress,
                **self.params[self.method],
                **FIXED_PARAMS[self.method],
            )
        return self._maps[key]

    def trustworthiness(self) -> float:
        """Trustworthiness of the current map (k = ``trust_k``); estimated from a sample above 2,000 points."""
        key = self._key()
        if key not in self._trust:
            sample = TRUST_SAMPLE if self.n > TRUST_SAMPLE else None
            self._trust[key] = metrics.trustworthiness(
                self.X, self.current_map(), k=self.trust_k, metric=self.metric, sample=sample,
                random_state=self.random_state,
            )
        return self._trust[key]

    def _find_neighbors(self) -> None:
        assert self.selected is not None
        self.neighbors, self.distances = metrics.nearest_neighbors(
            self.X, self.selected, k=self.k, metric=self.metric
        )

    def select(self, index: int | None) -> np.ndarray:
        """Select point ``index`` (None clears); return its ``k`` nearest neighbours in the ORIGINAL space.

        Neighbours are computed from the vectors of the current space, not from the 2-D
        map, so the rings on the map show where the true neighbours ended up.
        """
        if index is None:
            self.selected = None
            self.neighbors, self.distances = np.zeros(0, dtype=np.int64), np.zeros(0)
        else:
            self.selected = validation.index(index, "index", self.n)
            self._find_neighbors()
        if self._view is not None:
            self._view.draw_selection()
        return self.neighbors.copy()

    def map_neighbors(self, index: int | None = None) -> np.ndarray:
        """The ``k`` nearest neighbours of ``index`` (default: the selected point) on the 2-D map."""
        index = self.selected if index is None else index
        if index is None:
            raise validation.InvalidValue("index: select a point first or pass its index")
        index = validation.index(index, "index", self.n)
        return metrics.nearest_neighbors(self.current_map(), index, k=self.k)[0]

    def nearest_on_map(self, x: float, y: float) -> int:
        """The point whose map position is closest to (x, y) in map coordinates."""
        Y = self.current_map()
        return int(np.argmin(((Y - np.array([x, y], dtype=np.float32)) ** 2).sum(axis=1)))

    def describe(self) -> str:
        """One line: the current map and its trustworthiness."""
        return (
            f"{self.space}: {method_label(self.method, self.params[self.method])} map of "
            f"{self.n:,} points; trustworthiness (k={self.trust_k}) {self.trustworthiness():.3f}"
        )

    def label_of(self, index: int) -> str:
        return self.class_names[self.codes[index]]

    def point_name(self, index: int) -> str:
        """'#index label', or '#index text (label)' with texts (the label left out when there is one class)."""
        if self.texts is None:
            return f"#{index} {self.label_of(index)}"
        label = f" ({self.label_of(index)})" if len(self.class_names) > 1 else ""
        return f"#{index} {self.texts[index]}{label}"

    @classmethod
    def from_files(cls, vectors: Any, metadata: Any = None, *, labels: Any = "label", texts: Any = None,
                   **options: Any) -> ProjectionExplorer:
        """An explorer on vectors read from files in the TensorFlow Embedding Projector's format.

        ``vectors`` is a ``vectors.tsv`` file (one vector per line, numbers separated by tabs,
        no header line), or the folder that :meth:`export` wrote, whose ``metadata.tsv`` is
        then read too. ``metadata`` is an optional ``metadata.tsv``: one row per vector, tab
        separated, with a header line naming the columns when it has more than one, and none
        when it has one (that column is then called "label"). ``labels`` and ``texts`` name
        its columns that give each point's class and text (a word, a caption), or give one
        label or text per vector; ``labels=None``: no classes. Other arguments (``images``,
        ``method`` ...) are the explorer's. At most :data:`MAX_FILE_ROWS` vectors are read.
        """
        X, columns, shown = _read_projector(vectors, metadata)
        labels = _metadata_column(labels, "labels", columns, shown, "for no classes")
        texts = _metadata_column(texts, "texts", columns, shown, "for no texts")
        return cls(X, [NO_LABEL] * len(X) if labels is None else labels, texts=texts, **options)

    def export(self, folder: str | Path | None = None) -> dict[str, Path | paths.MemoryFile]:
        """Write the current space and map to ``folder`` (default: ``export_folder``); return the paths by kind.

        - ``vectors.tsv`` and ``metadata.tsv``: the pair that the TensorFlow Embedding
          Projector (projector.tensorflow.org, "Load") reads: one vector per line, tab
          separated; the metadata has a header row (index, label, and text when the
          explorer has texts) and one row per vector. :meth:`from_files` reads them back.
        - ``map.csv`` (index, x, y, label) and ``map.png``: the current 2-D map.

        When ``folder`` cannot be written (a read-only course folder, a full disk), the
        files go to a folder of the same name under the system's temporary folder and a
        warning names it; when that fails too, they are kept in memory
        (:class:`helpers.paths.MemoryFile`, read with ``read_bytes()`` / ``read_text()``) and
        one warning says so (see :func:`helpers.paths.write_files`).
        """
        preferred = self.export_folder if folder is None else _folder(folder, "folder")
        return paths.write_files(preferred, self._export_files(),
                                 again="run export(folder) again with a folder on a disk with space")

    def _export_files(self) -> dict[str, tuple[str, bytes]]:
        """The exported files by kind: (file name, content)."""
        vectors = io.BytesIO()
        np.savetxt(vectors, self.X, delimiter="\t", fmt="%.6g")
        header = ["index", "label"] + ([] if self.texts is None else ["text"])
        rows = [[str(i), _tsv_field(self.label_of(i))] + ([] if self.texts is None else [self.texts[i]])
                for i in range(self.n)]
        metadata = "".join("\t".join(row) + "\n" for row in [header, *rows])
        Y = self.current_map()
        table = io.StringIO(newline="")
        writer = csv.writer(table)
        writer.writerow(["index", "x", "y", "label"])
        for i in range(self.n):
            writer.writerow([i, f"{Y[i, 0]:.6g}", f"{Y[i, 1]:.6g}", self.label_of(i)])
        return {
            "vectors": ("vectors.tsv", vectors.getvalue()),
            "metadata": ("metadata.tsv", metadata.encode("utf-8")),
            "map_csv": ("map.csv", table.getvalue().encode("utf-8")),
            "map_png": ("map.png", figure_png(self.view.fig, dpi=100)),
        }

    def _changed_map(self) -> None:
        if self._view is not None:
            self._view.draw_map()

    # ------------------------------------------------------------------ display

    def _build(self) -> None:
        self._view = ProjectionView(self)
        self._widget, self._figure = self._view.widget, self._view.fig

    @property
    def view(self) -> ProjectionView:
        """The figure and controls (made on first use)."""
        self.widget()
        return self._view

    def __repr__(self) -> str:
        return (
            f"ProjectionExplorer({self.n:,} points; spaces: {', '.join(self.spaces)}; "
            f"{method_label(self.method, self.params[self.method])}; k={self.k})"
        )
