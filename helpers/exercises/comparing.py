"""Comparing a learner's value with the expected one (numbers, arrays, tensors, text,
collections), and checking the arguments a problem is written with."""

from __future__ import annotations

import keyword
import math
import numbers
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .describing import _describe, _is_tensor, _number_text, _shape, _short, _to_numpy

# ============================================================================ comparing values

_KINDS = ("number", "bool", "array", "tensor", "string", "sequence", "set", "dict", "exact")


@dataclass
class _Mismatch:
    reason: str  # "type", "shape" or "value"
    text: str
    where: str = ""  # e.g. "[1][0]" inside nested lists

    def message(self) -> str:
        return f"item {self.where}: {self.text}" if self.where else self.text


def _infer_kind(expected: Any) -> str:
    if isinstance(expected, (bool, np.bool_)):
        return "bool"
    if isinstance(expected, numbers.Real):
        return "number"
    if _is_tensor(expected) or isinstance(expected, np.ndarray):
        return "array"
    if isinstance(expected, str):
        return "string"
    if isinstance(expected, (set, frozenset)):
        return "set"
    if isinstance(expected, Mapping):
        return "dict"
    if isinstance(expected, (list, tuple)):
        return "sequence"
    return "exact"


def _tolerances(tol: float | None) -> tuple[float, float]:
    """(relative, absolute) tolerance."""
    return (1e-5, 1e-8) if tol is None else (0.0, float(tol))


def _compare(value: Any, expected: Any, tol: float | None, kind: str | None) -> _Mismatch | None:
    kind = kind or _infer_kind(expected)
    compare = {
        "number": _compare_number,
        "bool": _compare_bool,
        "array": _compare_array,
        "tensor": _compare_tensor,
        "string": _compare_string,
        "sequence": _compare_sequence,
        "set": _compare_set,
        "dict": _compare_dict,
        "exact": _compare_exact,
    }[kind]
    return compare(value, expected, tol)


def compare_values(
    value: Any, expected: Any, *, tol: float | None = None, kind: str | None = None
) -> str | None:
    """Compare a learner's value with the expected one, the way the problems do.

    Returns None when they match, else one sentence saying what is wrong (its type, its
    shape, which entries) without revealing the expected value. ``kind`` forces the
    comparison (one of number, bool, array, tensor, string, sequence, set, dict, exact);
    by default it follows the type of ``expected``.
    """
    mismatch = _compare(value, expected, _check_tol(tol), _check_kind(kind))
    return None if mismatch is None else mismatch.message()


def _compare_number(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if isinstance(value, (bool, np.bool_)):
        return _Mismatch("type", "expected a number, got a bool (True/False)")
    if isinstance(value, str):
        text = "expected a number, got a str"
        try:
            float(value)
            text += f" ({value!r}): remove the quotes"
        except ValueError:
            pass
        return _Mismatch("type", text)
    if isinstance(value, numbers.Real):
        try:
            got = float(value)
        except OverflowError:
            return _Mismatch("value", "your value is too large for a float (beyond about 1.8e308): it is not "
                             "right")
        except Exception as error:  # noqa: BLE001 - the learner's own number type failed to convert
            return _Mismatch("type", f"expected a number, got {_describe(value)} that cannot become one "
                             f"({type(error).__name__})")
    elif hasattr(value, "shape"):
        try:
            shape = _shape(value)
            if shape != ():
                text = f"expected a single number, got {_describe(value)}"
                if int(np.prod(shape)) == 1:
                    text += "; `.item()` turns a one-element array or tensor into a number"
                return _Mismatch("type", text)
            got = float(_to_numpy(value))
        except Exception:  # noqa: BLE001 - anything array-like that does not give a number
            return _Mismatch("type", f"expected a number, got {_describe(value)}")
    else:
        return _Mismatch("type", f"expected a number, got {_describe(value)}")
    want = float(expected)
    if math.isnan(want) and math.isnan(got):
        return None
    if math.isnan(got):
        return _Mismatch("value", "your value is NaN (not a number): a computation went wrong")
    rel, abs_ = _tolerances(tol)
    if math.isclose(got, want, rel_tol=rel, abs_tol=abs_):
        return None
    whole = float(got).is_integer() and float(want).is_integer()
    if want != 0 and abs(got - want) <= 1e-2 * abs(want) and not whole:
        return _Mismatch(
            "value", f"your value {_number_text(got)} is close, but not close enough (rounded?)"
        )
    return _Mismatch("value", f"your value {_number_text(got)} is not right")


def _compare_bool(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not isinstance(value, (bool, np.bool_)):
        return _Mismatch("type", f"expected True or False, got {_describe(value)}")
    return None if bool(value) == bool(expected) else _Mismatch("value", "that is not right")


def _compare_tensor(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not _is_tensor(value):
        return _Mismatch(
            "type",
            f"expected a torch tensor, got {_describe(value)} "
            "(`torch.tensor(...)` or `torch.from_numpy(...)` makes one)",
        )
    return _compare_array(value, expected, tol)


def _compare_array(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    want = _to_numpy(expected)
    wanted = f"an array of shape {_shape(want)}"
    if value is None or isinstance(value, (str, bytes, Mapping, set, frozenset)):
        return _Mismatch("type", f"expected {wanted}, got {_describe(value)}")
    if callable(value) and not hasattr(value, "shape"):
        return _Mismatch("type", f"expected {wanted}, got {_describe(value)}")
    try:
        got = _to_numpy(value)
    except Exception:
        return _Mismatch("type", f"expected {wanted}, got {_describe(value)} that is not one")
    if got.dtype == object:
        return _Mismatch(
            "type",
            f"expected {wanted}, got {_describe(value)} that does not make a regular array "
            "of numbers (rows of different lengths?)",
        )
    if _shape(got) != _shape(want):
        if got.ndim == 0 and not hasattr(value, "shape"):
            return _Mismatch("type", f"expected {wanted}, got {_describe(value)}")
        return _Mismatch("shape", f"expected {wanted}, got shape {_shape(got)}")
    numeric = "biufc"
    if want.dtype.kind in numeric and got.dtype.kind not in numeric:
        return _Mismatch("type", f"expected an array of numbers, got entries of type {got.dtype}")
    if want.size == 0:
        return None
    if want.dtype.kind in numeric and got.dtype.kind in numeric:
        rel, abs_ = _tolerances(tol)
        same = np.isclose(got, want, rtol=rel, atol=abs_, equal_nan=True)
    else:
        same = np.asarray(got == want, dtype=bool)
    if bool(np.all(same)):
        return None
    if want.ndim == 0:
        return _Mismatch("value", "the shape is right but the value is not")
    bad = ~same
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    where = first[0] if len(first) == 1 else first
    return _Mismatch(
        "value",
        f"the shape {_shape(want)} is right, but {int(bad.sum())} of {want.size} entries are "
        f"not (the first at index {where})",
    )


def _compare_string(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not isinstance(value, str):
        return _Mismatch("type", f"expected text (a str), got {_describe(value)}")
    if _normal_text(value) == _normal_text(expected):
        return None
    if not value.strip():
        return _Mismatch("value", "your text is empty")
    return _Mismatch("value", f"{_short(value, 50)} is not the expected answer")


def _normal_text(text: str) -> str:
    return " ".join(text.split()).casefold()


def _as_items(value: Any) -> list | None:
    """The items of a list-like value, or None when it is not one."""
    if isinstance(value, (str, bytes, Mapping, set, frozenset)) or value is None:
        return None
    if _is_tensor(value) or isinstance(value, np.ndarray):
        array = _to_numpy(value)
        return None if array.ndim == 0 else array.tolist()
    if isinstance(value, (list, tuple, range)):
        return list(value)
    return None


def _compare_sequence(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    items = _as_items(value)
    if items is None:
        return _Mismatch(
            "type", f"expected a list of {len(expected)} items, got {_describe(value)}"
        )
    if len(items) != len(expected):
        return _Mismatch("shape", f"expected {len(expected)} items, got {len(items)}")
    for index, (got, want) in enumerate(zip(items, expected, strict=True)):
        mismatch = _compare(got, want, tol, None)
        if mismatch is not None:
            mismatch.where = f"[{index}]{mismatch.where}"
            return mismatch
    return None


def _set_item(item: Any) -> Any:
    if isinstance(item, str):
        return _normal_text(item)
    if isinstance(item, np.generic):
        return item.item()
    return item


def _compare_set(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if isinstance(value, (set, frozenset)):
        items: list = list(value)
    else:
        items = _as_items(value)  # a list works too: order and repeats do not matter
        if items is None:
            return _Mismatch("type", f"expected a set (or list) of items, got {_describe(value)}")
    try:
        got = {_set_item(item) for item in items}
    except TypeError:
        return _Mismatch("type", "its items must be simple values such as numbers or strings")
    want = {_set_item(item) for item in expected}
    missing, extra = want - got, got - want
    if not missing and not extra:
        return None
    parts = []
    if missing:
        many = len(missing) > 1
        parts.append(
            f"{len(missing)} expected item{'s are' if many else ' is'} missing"
        )
    if extra:
        listed = ", ".join(sorted(_short(item, 30) for item in extra))
        parts.append(f"{listed} should not be there")
    return _Mismatch("value", "; ".join(parts))


def _compare_dict(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    if not isinstance(value, Mapping):
        return _Mismatch("type", f"expected a dict, got {_describe(value)}")
    missing = [key for key in expected if key not in value]
    extra = [key for key in value if key not in expected]
    if missing or extra:
        parts = []
        if missing:
            parts.append("missing keys: " + ", ".join(_short(k, 30) for k in missing))
        if extra:
            parts.append("unexpected keys: " + ", ".join(_short(k, 30) for k in extra))
        return _Mismatch("shape", "; ".join(parts))
    for key, want in expected.items():
        mismatch = _compare(value[key], want, tol, None)
        if mismatch is not None:
            mismatch.where = f"[{key!r}]{mismatch.where}"
            return mismatch
    return None


def _compare_exact(value: Any, expected: Any, tol: float | None) -> _Mismatch | None:
    try:
        same = value == expected
        same = bool(np.all(same)) if hasattr(same, "shape") else bool(same)
    except Exception:
        same = False
    if same:
        return None
    if type(value) is not type(expected):
        return _Mismatch("type", f"expected {_describe(expected)}, got {_describe(value)}")
    return _Mismatch("value", f"{_short(value, 50)} is not right")


# ============================================================================ validation


def _check_name(name: Any, argument: str) -> str:
    if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
        raise TypeError(f"{argument} must be a Python variable name (a str), got {name!r}")
    return name


def _check_tol(tol: Any) -> float | None:
    if tol is None:
        return None
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real):
        raise TypeError(f"tol must be a non-negative number or None, got {_describe(tol)}")
    if not tol >= 0:
        raise ValueError(f"tol must be a non-negative number, got {tol!r}")
    return float(tol)


def _check_kind(kind: Any) -> str | None:
    if kind is not None and kind not in _KINDS:
        raise ValueError(f"kind must be None or one of {', '.join(_KINDS)}, got {kind!r}")
    return kind


def _check_text(value: Any, argument: str, *, optional: bool = True) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise TypeError(f"{argument} must be a str, got {_describe(value)}")
    return value


def _check_hints(hint: Any) -> tuple[str, ...]:
    if isinstance(hint, str):
        hints: Iterable = [hint]
    elif isinstance(hint, (list, tuple)):
        hints = hint
    else:
        raise TypeError(f"hint must be a str or a list of str, got {_describe(hint)}")
    if not all(isinstance(h, str) and h.strip() for h in hints):
        raise TypeError("hint must be a str or a list of non-empty str")
    return tuple(hints)


def _check_callable(value: Any, argument: str, *, optional: bool) -> Callable | None:
    if value is None and optional:
        return None
    if not callable(value):
        raise TypeError(f"{argument} must be callable, got {_describe(value)}")
    return value


