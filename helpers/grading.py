"""Exercise checks as grading tests, for nbgrader, otter-grader or the course's own grader.

A grading test is a piece of code that raises when the answer is wrong. :func:`assert_solved`
is one, for any exercise::

    from helpers.grading import assert_solved
    assert_solved(ex.q1)        # an nbgrader "autograder tests" cell, or an otter test's body

It raises ``AssertionError`` carrying the same message ``ex.q1.check()`` shows, and records
nothing in the learner's progress. :func:`grades` checks every exercise a notebook bound and
:func:`report` prints them as one line of JSON.

``assert_solved`` and ``grades`` run inside the kernel they check, where a notebook can replace
them; ``tools/grade_notebook.py`` does not trust that kernel: :func:`hand_over` writes its
answers as data and :func:`read_answers` reads them back in the grader's own process.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from helpers.exercises import CORRECT, Exercises, Question

__all__ = ["REPORT_MARKER", "Deferred", "ModuleName", "Source", "assert_solved", "grades", "hand_over", "read_answers",
           "report"]

#: The line prefix :func:`report` prints before its JSON.
REPORT_MARKER = "COURSE-GRADES "


def assert_solved(question: Any) -> None:
    """Raise AssertionError (with the checker's message) unless ``question`` is answered correctly."""
    if not isinstance(question, Question):
        raise TypeError(f"question must be an exercise such as ex.q1, got {type(question).__name__}")
    result = question.evaluate()
    if result.status != CORRECT:
        raise AssertionError(f"{question.notebook} {question.name}: {result.status.replace('_', ' ')}: "
                             f"{result.message}")


def grades(namespace: Mapping[str, Any]) -> dict[str, dict[str, dict[str, Any]]]:
    """``{notebook: {question: {"status", "points", "message"}}}`` for every Exercises in ``namespace``.

    One point per correct exercise, none otherwise; free-text reflections are not graded.
    """
    if not isinstance(namespace, Mapping):
        raise TypeError(f"namespace must be a dict such as globals(), got {type(namespace).__name__}")
    found: dict[str, dict[str, dict[str, Any]]] = {}
    for value in list(namespace.values()):
        if isinstance(value, Exercises):
            for name in value:
                result = value[name].evaluate()
                found.setdefault(value.notebook, {})[name] = {
                    "status": result.status, "points": int(result.status == CORRECT), "message": result.message}
    return found


def report(namespace: Mapping[str, Any]) -> None:
    """Print :func:`grades` as one line of JSON after :data:`REPORT_MARKER`."""
    print(REPORT_MARKER + json.dumps(grades(namespace), sort_keys=True))


# ============================================================================ answers as data
# tools/grade_notebook.py judges outside the learner's kernel: the kernel hands over its answers
# as data (JSON and a NumPy archive, never a pickle), and a separate process rebuilds them and
# runs a pristine copy of the checks. Learner functions and classes travel as their source code; a
# learner's own torch module as its class's name, attributes and weights, rebuilt by the judge.

#: Limits on what a kernel hands over: nesting, items, text, and bytes of arrays.
MAX_DEPTH, MAX_ITEMS, MAX_TEXT, MAX_ARRAY_BYTES = 16, 100_000, 1_000_000, 512 * 1024 * 1024
_ARRAY_KINDS = "biufcUS"  # bool, integers, floats, complex, text: never objects
_SKIPPED = {"In", "Out", "exit", "quit", "get_ipython", "open"}


class _Budget:
    def __init__(self) -> None:
        self.items, self.bytes, self.arrays = 0, 0, {}

    def array(self, value: Any) -> str:
        import numpy as np

        value = np.ascontiguousarray(value) if np.ndim(value) else np.array(value)  # a scalar stays 0-d
        if value.dtype.kind not in _ARRAY_KINDS:
            raise ValueError(f"an array of {value.dtype} values")
        self.bytes += value.nbytes
        if self.bytes > MAX_ARRAY_BYTES:
            raise ValueError(f"more than {MAX_ARRAY_BYTES // 2**20} MiB of arrays")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return key


def _encode(value: Any, budget: _Budget, depth: int = 0) -> Any:  # noqa: C901 - one branch per kind
    import sys
    import types

    import numpy as np

    budget.items += 1
    if depth > MAX_DEPTH or budget.items > MAX_ITEMS:
        raise ValueError(f"nested deeper than {MAX_DEPTH} or more than {MAX_ITEMS} items")
    if isinstance(value, (np.ndarray, np.generic)):  # before float: np.float64 is a float too
        return {"array" if isinstance(value, np.ndarray) else "scalar": budget.array(value)}
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int):
        if value.bit_length() > 4096:
            raise ValueError("an integer of more than 4096 bits")
        return {"int": str(value)}
    if isinstance(value, float):
        return {"float": repr(value)}
    if isinstance(value, str):
        if len(value) > MAX_TEXT:
            raise ValueError(f"a text of more than {MAX_TEXT} characters")
        return {"str": value}
    if isinstance(value, (list, tuple, set, frozenset)):
        kind = "set" if isinstance(value, (set, frozenset)) else type(value).__name__
        if kind not in ("list", "tuple", "set"):
            raise ValueError(f"a {type(value).__name__}")
        return {kind: [_encode(v, budget, depth + 1) for v in value]}
    if isinstance(value, dict):
        return {"dict": [[_encode(k, budget, depth + 1), _encode(v, budget, depth + 1)] for k, v in value.items()]}
    if isinstance(value, types.FunctionType) and value.__module__ == "__main__":
        import inspect
        import textwrap

        return {"function": textwrap.dedent(inspect.getsource(value))}
    if isinstance(value, type) and value.__module__ == "__main__":
        return {"class": _class_source(value)}
    if isinstance(value, types.ModuleType):
        return {"module": value.__name__}
    kind = f"{type(value).__module__}.{type(value).__qualname__}"
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, (pandas.DataFrame, pandas.Series)):
        series = isinstance(value, pandas.Series)
        frame = value.to_frame("__series__") if series else value
        return {"frame": {"series": series,
                          "columns": _encode(list(frame.columns), budget, depth + 1),
                          "index": _encode(list(frame.index), budget, depth + 1),
                          "values": [budget.array(frame[c].to_numpy()) for c in frame.columns]}}
    if "torch" in sys.modules:
        found = _encode_torch(value, budget, depth, kind)
        if found is not None:
            return found
    raise ValueError(f"a {kind} (the grader carries numbers, text, arrays, tables, tensors, "
                     "torch.nn layers, your functions and your own torch modules)")


def _class_source(cls: type) -> str:
    """The source of a class defined in a notebook cell, found through the cell (``linecache``) of a method."""
    import ast
    import linecache
    import textwrap
    import types

    if "<locals>" in cls.__qualname__:
        raise ValueError(f"a {cls.__name__} object whose class is defined inside a function")
    for member in vars(cls).values():
        function = getattr(member, "__func__", getattr(member, "fget", member))
        if not isinstance(function, types.FunctionType):
            continue
        code = function.__code__
        lines = linecache.getlines(code.co_filename)
        try:
            tree = ast.parse("".join(lines))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if (isinstance(node, ast.ClassDef) and node.name == cls.__name__
                    and node.lineno <= code.co_firstlineno <= (node.end_lineno or 0)):
                start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
                return textwrap.dedent("".join(lines[start - 1:node.end_lineno]))
    raise ValueError(f"a {cls.__name__} object whose class source was not found (the grader carries classes "
                     "defined with `class` in a cell, with a method of their own)")


def _encode_torch(value: Any, budget: _Budget, depth: int, kind: str) -> dict | None:
    """A tensor or a torch module as data (torch's layers and the learner's own modules); None for anything else."""
    import torch

    if isinstance(value, torch.Tensor):
        if value.layout != torch.strided or value.is_meta:
            raise ValueError(f"a {value.layout} tensor on {value.device}")
        return {"tensor": budget.array(value.detach().cpu().to(
            torch.float32 if value.dtype == torch.bfloat16 else value.dtype).numpy())}
    if not isinstance(value, torch.nn.Module):
        return None
    if type(value).__module__.startswith("torch.nn.modules."):  # torch's layer: its public attributes
        plain = {k: v for k, v in vars(value).items() if not k.startswith("_") and k != "training"}
    elif type(value).__module__ == "__main__":  # the learner's: every attribute its own code set
        for cls in type(value).__mro__:  # its class, and the learner's classes under it, travel as source
            if cls.__module__ == "__main__":
                _class_source(cls)
        own = set(vars(torch.nn.Module()))  # what nn.Module keeps for itself (parameters, hooks ...)
        plain = {k: v for k, v in vars(value).items() if k not in own}
    else:
        return None
    return {"torch_module": {
        "class": kind, "training": value.training, "attributes": _encode(plain, budget, depth + 1),
        "parameters": {k: None if p is None else budget.array(p.detach().cpu().numpy())
                       for k, p in value._parameters.items()},
        "buffers": {k: None if b is None else budget.array(b.detach().cpu().numpy())
                    for k, b in value._buffers.items()},
        "children": {k: _encode(m, budget, depth + 1) for k, m in value._modules.items()}}}


def hand_over(namespace: Mapping[str, Any], folder: str) -> None:
    """Write the notebook's answers as data to ``folder`` (``answers.json``, ``arrays.npz``); what cannot
    travel as data is named, not carried."""
    from pathlib import Path

    import numpy as np

    budget, values, left = _Budget(), {}, {}
    notebooks = sorted({v.notebook for v in namespace.values() if isinstance(v, Exercises)})
    for name, value in list(namespace.items()):
        if name.startswith("_") or name in _SKIPPED or isinstance(value, (Exercises, Question)):
            continue
        before = (budget.items, budget.bytes, dict(budget.arrays))
        try:
            values[name] = _encode(value, budget)
        except Exception as problem:  # anything odd is named and left behind
            budget.items, budget.bytes, budget.arrays = before
            left[name] = str(problem)[:200]
    folder = Path(folder)
    np.savez(folder / "arrays.npz", **budget.arrays)
    (folder / "answers.json").write_text(json.dumps({"notebooks": notebooks, "values": values, "left": left}),
                                         encoding="utf-8")


def _decode(node: Any, arrays: Any, depth: int = 0,  # noqa: C901 - one branch per kind
            classes: Mapping[str, Any] | None = None) -> Any:
    """The value of ``node``; the learner's own torch modules need ``classes`` (their classes, defined by the judge)."""
    if depth > MAX_DEPTH + 2:
        raise ValueError("nested too deeply")
    if node is None or isinstance(node, bool):
        return node
    if not isinstance(node, dict) or len(node) != 1:
        raise ValueError(f"an unknown entry {str(node)[:60]!r}")
    (kind, body), = node.items()
    if kind == "int" and isinstance(body, str) and len(body) <= 1300:
        return int(body)
    if kind == "float" and isinstance(body, str) and len(body) <= 40:
        return float(body)
    if kind == "str" and isinstance(body, str):
        return body
    if kind in ("list", "tuple", "set") and isinstance(body, list):
        items = [_decode(v, arrays, depth + 1, classes) for v in body]
        return {"list": list, "tuple": tuple, "set": set}[kind](items)
    if kind == "dict" and isinstance(body, list):
        return {_decode(k, arrays, depth + 1, classes): _decode(v, arrays, depth + 1, classes) for k, v in body}
    if kind in ("array", "scalar"):
        value = arrays[body]
        return value if kind == "array" else value[()]
    if kind == "tensor":
        import torch

        return torch.from_numpy(arrays[body].copy())
    if kind in ("function", "class") and isinstance(body, str):
        return Source(body)
    if kind == "module" and isinstance(body, str):
        return ModuleName(body)
    if kind == "frame" and isinstance(body, dict):
        import pandas as pd

        columns, index = _decode(body["columns"], arrays, depth + 1), _decode(body["index"], arrays, depth + 1)
        frame = pd.DataFrame({c: arrays[k] for c, k in zip(columns, body["values"], strict=True)}, index=index)
        return frame["__series__"].rename(None) if body.get("series") else frame
    if kind == "torch_module" and isinstance(body, dict):
        return _torch_module(body, arrays, depth, classes)
    raise ValueError(f"an unknown entry {kind!r}")


def _torch_module(body: Mapping[str, Any], arrays: Any, depth: int, classes: Mapping[str, Any] | None) -> Any:
    """A torch.nn layer rebuilt from its attributes and weights: torch's own classes, or the learner's
    (``__main__.Name``: its class from ``classes``; without them, :class:`_Later` says it waits for them)."""
    import importlib

    import torch

    module_name, _, class_name = str(body["class"]).rpartition(".")
    if module_name == "__main__":
        if classes is None:
            raise _Later
        cls = classes.get(class_name)
        if not (isinstance(cls, type) and cls.__module__ == "__main__"):
            raise ValueError(f"its class {class_name} was not carried or could not be defined")
    elif module_name.startswith("torch.nn.modules."):
        cls = getattr(importlib.import_module(module_name), class_name)
    else:
        raise ValueError(f"a module of class {body['class']!r}")
    if not (isinstance(cls, type) and issubclass(cls, torch.nn.Module)):
        raise ValueError(f"{body['class']!r} is not a torch layer")
    layer = cls.__new__(cls)
    torch.nn.Module.__init__(layer)
    for key, value in _decode(body["attributes"], arrays, depth + 1, classes).items():
        setattr(layer, key, value)
    for key, key_array in body["parameters"].items():
        layer.register_parameter(key, None if key_array is None else torch.nn.Parameter(
            torch.from_numpy(arrays[key_array].copy())))
    for key, key_array in body["buffers"].items():
        layer.register_buffer(key, None if key_array is None else torch.from_numpy(arrays[key_array].copy()))
    for key, child in body["children"].items():
        layer.add_module(key, _decode(child, arrays, depth + 1, classes))
    layer.train(bool(body["training"]))
    return layer


class _Later(Exception):  # noqa: N818 - a signal, not an error
    """A value holds a learner's own torch module: it is rebuilt once the judge has defined its class."""


class Deferred:
    """An answer holding a learner's own torch module, rebuilt by :meth:`rebuild` where its class is defined."""

    def __init__(self, node: Any, arrays: Mapping[str, Any]) -> None:
        self.node, self.arrays = node, arrays

    def rebuild(self, classes: Mapping[str, Any]) -> Any:
        """The value, with the learner's classes taken from ``classes`` (the judge's namespace)."""
        return _decode(self.node, self.arrays, 0, classes)


class Source(str):
    """A learner function's or class's source, defined by the judge in the namespace it is checked in."""


class ModuleName(str):
    """A module the learner bound to a name (``np``, ``torch``, ``F``), imported again by the judge."""


def read_answers(folder: str) -> tuple[list[str], dict[str, Any], dict[str, str]]:
    """The notebooks bound, the answers as values (sources, :class:`Deferred` torch modules) and what was
    left behind; reads only data (JSON, arrays without pickles)."""
    from pathlib import Path

    import numpy as np

    folder = Path(folder)
    if (folder / "answers.json").stat().st_size > 64 * 2**20:
        raise ValueError("the answers file is larger than 64 MiB")
    document = json.loads((folder / "answers.json").read_text(encoding="utf-8"))
    with np.load(folder / "arrays.npz", allow_pickle=False) as archive:
        arrays = {key: archive[key] for key in archive.files}
    values = {}
    for name, node in document["values"].items():
        try:
            values[str(name)] = _decode(node, arrays)
        except _Later:
            values[str(name)] = Deferred(node, arrays)
        except (ValueError, KeyError, TypeError) as problem:
            document["left"][name] = str(problem)
    notebooks = [str(n) for n in document["notebooks"]]
    return notebooks, values, {str(k): str(v) for k, v in document["left"].items()}
