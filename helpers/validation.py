"""Argument checks shared by every helper and explorer: one rule and one message per argument.

A public function states its parameters' rules once with :func:`params`; the calls it makes to
other checked functions trust their inputs (only the learner's call is checked):

>>> from helpers import validation as check
>>> @check.params(k=check.rule(check.integer, low=1))
... def top(k=5):
...     return k
>>> top(0)
Traceback (most recent call last):
...
helpers.validation.InvalidValue: k must be a positive integer, got 0

Each check takes the value and the name the learner knows it by, and returns the value in the
form the helper needs. A mistake raises :class:`InvalidValue` (a ``ValueError``) or
:class:`InvalidType` (a ``TypeError`` and a ``ValueError``) with a one-line message: the name,
what it accepts, what it got. The errors, :func:`warn` and the wording live in
:mod:`helpers.errors`; this module hands them on.
"""

from __future__ import annotations

import contextvars
import difflib
import functools
import inspect
import math
import os
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from helpers.errors import (  # how mistakes are reported: handed on, so that checks and errors are one import
    CourseError,
    InvalidArgument,
    InvalidType,
    InvalidValue,
    fail,
    listing,
    number_text,
    shown,
    type_name,
    warn,
)

__all__ = [
    "DISTANCE_METRICS",
    "CourseError",
    "InvalidArgument",
    "InvalidType",
    "InvalidValue",
    "autoencoder",
    "PROJECTION_METHODS",
    "PROJECTION_METHOD_NAMES",
    "PROJECTION_PARAMETERS",
    "boolean",
    "callable_or_none",
    "choice",
    "components",
    "fail",
    "file_path",
    "fits",
    "image_dataset",
    "image_tensor",
    "images",
    "index",
    "integer",
    "integer_of",
    "integers",
    "labels",
    "labels_for",
    "magnitude",
    "matrix",
    "memory_budget",
    "module",
    "names",
    "number",
    "numbers",
    "optional",
    "params",
    "projection_method",
    "projection_param",
    "projection_params",
    "random_state",
    "rule",
    "share",
    "shown",
    "size",
    "text",
    "type_name",
    "value_range",
    "vector",
    "warn",
    "words",
]


# ============================================================================ declaring rules

#: A rule checks one argument: ``rule(value, name, arguments)`` returns the value as the function
#: needs it; ``arguments`` holds the call's arguments, those with earlier rules already checked.
Rule = Callable[[Any, str, Mapping[str, Any]], Any]

_CHECKING: contextvars.ContextVar[bool] = contextvars.ContextVar("course_checking", default=False)


def rule(check: Callable[..., Any], /, **options: Any) -> Rule:
    """A :data:`Rule` from one of the checks below, e.g. ``rule(integer, low=1)``."""

    def apply(value: Any, name: str, arguments: Mapping[str, Any]) -> Any:
        return check(value, name, **options)

    return apply


def optional(check: Rule) -> Rule:
    """The rule ``check``, letting None pass (for a parameter whose default None means "the usual")."""

    def apply(value: Any, name: str, arguments: Mapping[str, Any]) -> Any:
        return None if value is None else check(value, name, arguments)

    return apply


def params(**rules: Rule) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the rules of a function's parameters, checked in the order given, once per learner's call.

    Each argument is replaced by what its rule returns. A call made while another checked
    function runs is not checked again: the course's own calls trust their inputs.
    """

    def decorate(function: Callable[..., Any]) -> Callable[..., Any]:
        signature = inspect.signature(function)
        unknown = [name for name in rules if name not in signature.parameters]
        if unknown:
            raise TypeError(f"{function.__qualname__} has no parameter {unknown[0]!r} to check")

        @functools.wraps(function)
        def checked(*args: Any, **kwargs: Any) -> Any:
            if _CHECKING.get():
                return function(*args, **kwargs)
            try:
                bound = signature.bind(*args, **kwargs)
            except TypeError:
                return function(*args, **kwargs)  # Python's own message for a call that does not fit
            bound.apply_defaults()
            for name, check in rules.items():
                bound.arguments[name] = check(bound.arguments[name], name, bound.arguments)
            token = _CHECKING.set(True)
            try:
                return function(*bound.args, **bound.kwargs)
            finally:
                _CHECKING.reset(token)

        return checked

    return decorate


# ============================================================================ scalars


def _is_tensor(value: Any) -> bool:
    return hasattr(value, "detach") and hasattr(value, "cpu") and hasattr(value, "layout")


def _from_tensor(value: Any, name: str) -> np.ndarray:
    """A torch tensor as a NumPy array: sparse ones made dense, bfloat16 and other types NumPy
    lacks widened to float32; a tensor without values (the meta device) is an error naming ``name``."""
    import torch

    if value.is_meta:
        raise InvalidType(f"{name} must hold numbers, got a tensor on the meta device (a shape without values): "
                          "make it on the CPU, e.g. torch.zeros(shape)")
    try:
        value = value.detach()
        if value.layout != torch.strided:
            value = value.to_dense()
        if value.is_complex() or value.dtype in (torch.bfloat16,) or str(value.dtype).startswith("torch.float8"):
            value = value.to(torch.complex64 if value.is_complex() else torch.float32)
        return value.cpu().numpy()
    except (TypeError, RuntimeError) as error:
        raise InvalidType(f"{name} must be a tensor that can become a NumPy array, got one of type {value.dtype} "
                          f"on {value.device} ({' '.join(str(error).split())[:120]})") from None


def _plain(value: Any, name: str = "value") -> Any:
    """A 0-d array or tensor as the Python scalar it holds; anything else unchanged."""
    if _is_tensor(value):
        value = _from_tensor(value, name)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        return value[()]
    return value


def _bounds(low: float | None, high: float | None, whole: bool, low_open: bool = False,
            high_open: bool = False) -> str:
    noun = "an integer" if whole else "a number"
    if low is not None and high is not None:
        if not (low_open or high_open):
            return f"{noun} from {number_text(low)} to {number_text(high)}"
        left = "greater than" if low_open else "at least"
        right = "less than" if high_open else "at most"
        return f"{noun} {left} {number_text(low)} and {right} {number_text(high)}"
    if low is not None:
        if whole and low == 1:
            return "a positive integer"
        if whole and low == 0:
            return "a non-negative integer"
        if not whole and low == 0 and low_open:
            return "a positive number"
        return f"{noun} {'greater than' if low_open else 'of at least'} {number_text(low)}"
    if high is not None:
        return f"{noun} {'less than' if high_open else 'of at most'} {number_text(high)}"
    return noun


def integer(value: Any, name: str, *, low: int | None = None, high: int | None = None, why: str = "") -> int:
    """``value`` as an ``int`` (Python or NumPy integers, not bools or floats), in [low, high].

    ``why`` is added to the message after the accepted range, e.g. " (there are 20 points)".
    """
    value = _plain(value, name)
    expected = _bounds(low, high, whole=True) + why
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        hint = ""
        if isinstance(value, (float, np.floating)) and math.isfinite(value) and float(value).is_integer():
            hint = f"write it without the decimal point: {int(value)}"
        fail(name, expected, value, hint, kind=InvalidType)
    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        fail(name, expected, value)
    return value


def integer_of(bounds: Callable[[Any], tuple[int, int]], *, why: str = "") -> Rule:
    """A :data:`Rule` for a method: an integer from ``bounds(self)``, the (low, high) its object allows."""

    def apply(value: Any, name: str, arguments: Mapping[str, Any]) -> int:
        low, high = bounds(arguments["self"])
        return integer(value, name, low=low, high=high, why=why)

    return apply


def memory_budget() -> int:
    """The bytes one result of the course may take: a quarter of this machine's memory."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):  # no sysconf (Windows): assume 8 GiB
        total = 8 << 30
    return max(1 << 28, total // 4)


def _gib(count: float) -> str:
    return f"{count / (1 << 30):.1f} GiB"


def size(value: Any, name: str, *, low: int = 1, item_bytes: int, what: str, power: int = 1) -> int:
    """A count of things to make (steps, grid tiles ...): an integer from ``low`` to what fits in memory.

    ``value ** power`` things of ``item_bytes`` each must fit in :func:`memory_budget`;
    the message says the largest count, what each one is (``what``) and the memory it would need.
    """
    budget = memory_budget()
    high = max(low, int((budget / item_bytes) ** (1 / power)))
    while (high + 1) ** power * item_bytes <= budget:  # the float root may fall one short
        high += 1
    while high > low and high**power * item_bytes > budget:
        high -= 1
    made = f"{name} x {name} " if power == 2 else ""
    return integer(value, name, low=low, high=high,
                   why=f" ({made}{what} of {item_bytes:,} bytes each must fit in {_gib(budget)}, a quarter of "
                   "this machine's memory)")


def fits(needed: float, name: str, value: Any, what: str) -> None:
    """An error naming ``name`` unless ``needed`` bytes (for ``what``) fit in :func:`memory_budget`."""
    budget = memory_budget()
    if needed > budget:
        raise InvalidValue(f"{name} asks for {what} of {_gib(needed)}, more than {_gib(budget)} (a quarter of this "
                           f"machine's memory), got {shown(value)}: choose smaller sizes")


def integers(value: Any, name: str, *, count: int | None = None, low: int | None = None) -> tuple[int, ...]:
    """A sequence of integers (``count`` of them if given, each at least ``low``) as a tuple of ints."""
    expected = (f"{count} " if count else "a list of ") + (
        "positive integers" if low == 1 else f"integers of at least {low}" if low is not None else "integers")
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable) or isinstance(value, Mapping):
        fail(name, expected, value, kind=InvalidType)
    items = list(value)
    if (count is not None and len(items) != count) or not items:
        fail(name, expected, value)
    return tuple(integer(item, f"{name}[{i}]", low=low) for i, item in enumerate(items))


def number(value: Any, name: str, *, low: float | None = None, high: float | None = None,
           low_open: bool = False, high_open: bool = False, why: str = "") -> float:
    """``value`` as a finite ``float`` (ints and NumPy numbers accepted, bools not), within the bounds.

    ``low_open``/``high_open`` exclude the bound itself (``low=0, low_open=True``: positive).
    """
    given = _plain(value, name)
    expected = _bounds(low, high, whole=False, low_open=low_open, high_open=high_open) + why
    if isinstance(given, (bool, np.bool_)) or not isinstance(given, (int, float, np.integer, np.floating)):
        fail(name, expected, given, kind=InvalidType)
    value = float(given)
    if (not math.isfinite(value) or (low is not None and (value < low or (low_open and value == low)))
            or (high is not None and (value > high or (high_open and value == high)))):
        fail(name, expected, given)
    return value


def boolean(value: Any, name: str) -> bool:
    """``value`` as a ``bool``: only True or False (NumPy's too), not 0, 1 or "yes"."""
    value = _plain(value, name)
    if not isinstance(value, (bool, np.bool_)):
        fail(name, "True or False", value, kind=InvalidType)
    return bool(value)


def choice(value: Any, name: str, options: Iterable[str], *, ignore_case: bool = True, what: str = "") -> str:
    """``value`` as one of ``options`` (any case when ``ignore_case``); returns the option as listed.

    The message lists the options (``what`` may describe them instead, e.g. "the groups:
    ...") and suggests the closest one for a typing slip.
    """
    options = list(options)
    expected = what or listing(options)
    if not isinstance(value, str):
        fail(name, expected, value, kind=InvalidType)
    for option in options:
        if value == option or (ignore_case and value.lower() == str(option).lower()):
            return option
    close = difflib.get_close_matches(value.lower() if ignore_case else value,
                                      [str(o).lower() if ignore_case else str(o) for o in options], n=1, cutoff=0.5)
    hint = ""
    if close:
        match = next(o for o in options if (str(o).lower() if ignore_case else str(o)) == close[0])
        hint = f"did you mean {match!r}?"
    fail(name, expected, value, hint)
    raise AssertionError  # unreachable: fail() raises


def text(value: Any, name: str, *, allow_empty: bool = False) -> str:
    """``value`` as a string (not empty unless ``allow_empty``)."""
    if not isinstance(value, str):
        fail(name, "a string" if allow_empty else "a non-empty string", value, kind=InvalidType)
    if not allow_empty and not value.strip():
        fail(name, "a non-empty string", value)
    return value


def file_path(value: Any, name: str) -> Path:
    """A file or folder path (a non-blank str or Path), with ``~`` expanded."""
    if not isinstance(value, (str, os.PathLike)) or not str(value).strip():
        raise InvalidType(f"{name} must be a file or folder path (a str or Path), got {value!r}")
    return Path(value).expanduser()


def callable_or_none(value: Any, name: str, what: str = "a function") -> Any:
    """``value`` if it can be called (or is None)."""
    if value is not None and not callable(value):
        fail(name, f"{what} or None", value, kind=InvalidType)
    return value


def module(value: Any, name: str = "model", what: str = "a torch.nn.Module") -> Any:
    """A torch module (a network)."""
    from torch import nn

    if not isinstance(value, nn.Module):
        fail(name, what, value, kind=InvalidType, got=type_name(value))
    return value


def autoencoder(value: Any, name: str = "model") -> Any:
    """A trained autoencoder: a torch module with ``encode``, ``decode`` and a ``latent_dim`` of at least 1."""
    from torch import nn

    if not (isinstance(value, nn.Module) and hasattr(value, "encode") and hasattr(value, "decode")
            and hasattr(value, "latent_dim")):
        fail(name, "an autoencoder (a torch module with encode, decode and latent_dim)", value,
             kind=InvalidType, got=type_name(value))
    integer(value.latent_dim, f"{name}.latent_dim", low=1)
    return value


def image_dataset(value: Any, name: str = "dataset") -> Any:
    """A labelled image dataset (``x_train``, ``y_train``, ``x_test``, ``y_test``, ``class_names``, ``name``)."""
    needed = ("x_train", "y_train", "x_test", "y_test", "class_names", "name")
    if isinstance(value, str):
        fail(name, "an ImageDataset such as load_fashion_mnist() or load_dataset('mnist')", value,
             "a name: load the data first, e.g. load_dataset(" + repr(value) + ")", kind=InvalidType)
    missing = [attribute for attribute in needed if not hasattr(value, attribute)]
    if missing:
        fail(name, "an ImageDataset such as load_fashion_mnist() or load_dataset('mnist')", value,
             f"it has no {missing[0]}", kind=InvalidType, got=type_name(value))
    return value


def random_state(value: Any, name: str = "random_state") -> int | None:
    """A seed: None (a new result each time) or an integer from 0 to 2**32 - 1."""
    if value is None:
        return None
    return integer(value, name, low=0, high=2**32 - 1, why=" (or None for a new result each time)")


def index(value: Any, name: str, count: int, what: str = "points") -> int:
    """A position among ``count`` things: an integer from 0 to count - 1."""
    return integer(value, name, low=0, high=count - 1, why=f" (there are {count:,} {what})")


def value_range(value: Any, name: str) -> tuple[float, float]:
    """A pair of finite numbers ``(low, high)`` with low < high."""
    value = _plain(value, name)
    try:
        low, high = (_plain(v, name) for v in value)
    except (TypeError, ValueError):
        fail(name, "a pair of numbers (low, high)", value, kind=InvalidType)
    low = number(low, f"{name}[0]")
    high = number(high, f"{name}[1]")
    if not low < high:
        fail(name, "a pair of finite numbers (low, high) with low < high", value)
    return low, high


def share(value: Any, name: str, *, strict: bool = False, example: str = "") -> float:
    """A number between 0 and 1 (both excluded when ``strict``); ``example`` is added to the message."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)) \
            or not (0 < value < 1 if strict else 0 <= value <= 1):
        raise InvalidValue(f"{name} must be a number between 0 and 1{example}, got {value!r}")
    return float(value)


# ============================================================================ arrays


def _as_array(value: Any, name: str, expected: str) -> np.ndarray:
    if _is_tensor(value):
        value = _from_tensor(value, name)
    if isinstance(value, (str, bytes)) or value is None or isinstance(value, Mapping):
        fail(name, expected, value, kind=InvalidType)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # NumPy's warning about ragged lists: the error below says it
            arr = np.asarray(value)
    except (ValueError, TypeError):
        fail(name, f"{expected} (rows of equal length)", value, kind=InvalidType)
    return arr


def _count_nonfinite(arr: np.ndarray, name: str) -> None:
    if np.isfinite(arr).all():
        return
    nans, infs = int(np.isnan(arr).sum()), int(np.isinf(arr).sum())
    parts = [f"{count:,} {what} value{'s' if count != 1 else ''}" for count, what in
             ((nans, "NaN"), (infs, "infinite")) if count]
    where = ""
    if arr.ndim == 2:
        rows = np.flatnonzero(~np.isfinite(arr).all(axis=1))
        where = f" (in {len(rows):,} row{'s' if len(rows) != 1 else ''}, the first is row {rows[0]})"
    raise InvalidValue(f"{name} contains {' and '.join(parts)}{where}; remove or replace "
                       f"{'it' if nans + infs == 1 else 'them'}")


def numbers(value: Any, name: str, *, finite: bool = True, expected: str = "an array of numbers") -> np.ndarray:
    """``value`` (an array, tensor or nested lists) as a NumPy array of numbers.

    Bools become float32; other dtypes are kept. With ``finite`` a NaN or infinite value
    is an error that counts them.
    """
    arr = _as_array(value, name, expected)
    if arr.dtype == bool:
        arr = arr.astype(np.float32)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise InvalidType(f"{name} must hold numbers, got values of type {arr.dtype}")
    if finite and np.issubdtype(arr.dtype, np.floating):
        _count_nonfinite(arr, name)
    return arr


def matrix(value: Any, name: str, *, min_rows: int = 1, min_cols: int = 1, cols: int | None = None,
           what: str = "one row per point", dtype: Any = None, finite: bool = True, flat_hint: bool = True
           ) -> np.ndarray:
    """``value`` as a 2-D NumPy array of numbers with at least ``min_rows`` rows.

    ``cols`` fixes the number of columns; ``dtype`` converts (e.g. np.float32). A 3-D
    array gets a hint to flatten images first (unless ``flat_hint`` is False).
    """
    arr = numbers(value, name, finite=finite, expected=f"a 2-D array of numbers ({what})")
    if arr.ndim != 2:
        hint = " (flatten images first, e.g. images.reshape(len(images), -1))" if arr.ndim > 2 and flat_hint else ""
        raise InvalidValue(f"{name} must be a 2-D array ({what}), got shape {arr.shape}{hint}")
    if cols is not None and arr.shape[1] != cols:
        raise InvalidValue(f"{name} must have {cols} column{'s' if cols != 1 else ''} ({what}), "
                           f"got shape {arr.shape}")
    if arr.shape[1] < min_cols:
        raise InvalidValue(f"{name} must have at least {min_cols} column{'s' if min_cols != 1 else ''} "
                           f"(features), got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise InvalidValue(f"{name} must have at least {min_rows:,} row{'s' if min_rows != 1 else ''} ({what}), "
                           f"got {arr.shape[0]:,}")
    return arr if dtype is None else arr.astype(dtype, copy=False)


#: The largest size of a value :func:`magnitude` accepts: distances square values and float32
#: (in which maps are computed) stops at about 3.4e38.
LARGEST_MAGNITUDE = 1e15


def magnitude(arr: np.ndarray, name: str) -> np.ndarray:
    """``arr`` unchanged when its values are between -1e15 and 1e15 and its non-zero ones not all
    below 1e-15 in size (float32 would lose them); otherwise an error naming ``name``."""
    if arr.size == 0 or not np.issubdtype(arr.dtype, np.floating):
        return arr
    sizes = np.abs(arr)
    largest = float(sizes.max())
    if largest > LARGEST_MAGNITUDE:
        raise InvalidValue(f"{name} holds values as large as {largest:.3g}; at most {LARGEST_MAGNITUDE:g} is accepted "
                           f"(distances square the values and float32 stops at 3.4e+38): divide {name} by a "
                           f"constant first, e.g. {name} / np.abs({name}).max()")
    if 0 < largest < 1 / LARGEST_MAGNITUDE:
        raise InvalidValue(f"{name} holds only values smaller than {1 / LARGEST_MAGNITUDE:g} (the largest is "
                           f"{largest:.3g}), which float32 turns into zeros: multiply {name} by a constant first, "
                           f"e.g. {name} / np.abs({name}).max()")
    return arr


def vector(value: Any, name: str, *, length: int | None = None, what: str = "", dtype: Any = None) -> np.ndarray:
    """``value`` as a non-empty 1-D NumPy array of finite numbers (of ``length`` values if given)."""
    expected = f"a 1-D vector of numbers{what}"
    arr = numbers(value, name, expected=expected)
    if arr.ndim != 1:
        raise InvalidValue(f"{name} must be {expected}, got shape {arr.shape}")
    if arr.size == 0:
        raise InvalidValue(f"{name} must not be empty")
    if length is not None and arr.size != length:
        raise InvalidValue(f"{name} must have {length} value{'s' if length != 1 else ''}{what}, got {arr.size}")
    return arr if dtype is None else arr.astype(dtype, copy=False)


def labels(value: Any, name: str, count: int | None, of: str, *, integers: bool = False) -> np.ndarray:
    """One label per row of ``of``: a 1-D array of ``count`` labels (integers if ``integers``)."""
    arr = _as_array(value, name, "a 1-D array of labels")
    if arr.ndim != 1:
        raise InvalidValue(f"{name} must be a 1-D array of labels (one per row of {of}), got shape {arr.shape}")
    if count is not None and len(arr) != count:
        raise InvalidValue(f"{name} must have one label per row of {of}: got {len(arr):,} labels for {count:,} rows")
    missing: Any = []
    if arr.dtype.kind in "fc":
        missing = np.flatnonzero(np.isnan(arr))
    elif arr.dtype == object:
        missing = [i for i, item in enumerate(arr) if item is None or (isinstance(item, float) and item != item)]
    if len(missing):
        raise InvalidValue(f"{name} must give every row of {of} a label, got {len(missing):,} missing (None or NaN), "
                           f"the first at position {missing[0]}")
    if integers and not np.issubdtype(arr.dtype, np.integer):
        raise InvalidType(f"{name} must hold integer class labels, got values of type {arr.dtype}")
    return arr


def labels_for(of: str, **options: Any) -> Rule:
    """A :data:`Rule`: one label per row of the argument ``of`` (left as given when ``of`` is None)."""

    def apply(value: Any, name: str, arguments: Mapping[str, Any]) -> Any:
        rows = arguments[of]
        return value if rows is None else labels(value, name, len(rows), of, **options)

    return apply


def image_tensor(value: Any, name: str = "x") -> Any:
    """A torch tensor of greyscale 28 x 28 images, shape (n, 1, 28, 28)."""
    import torch

    if not isinstance(value, torch.Tensor):
        raise InvalidType(f"{name} must be a torch tensor of shape (n, 1, 28, 28), got {type(value).__name__}")
    if value.ndim != 4 or tuple(value.shape[1:]) != (1, 28, 28):
        raise InvalidValue(f"{name} must have shape (n, 1, 28, 28), got {tuple(value.shape)}")
    return value


def images(value: Any, name: str, *, side: int | None = None, count: int | None = None, flat: bool = False,
           colour: bool = False, at_least: int = 1) -> np.ndarray:
    """Images as a NumPy array (n, height, width), or (n, height, width, 3 or 4) with ``colour``.

    A channel axis of one, (n, 1, height, width), is dropped; with ``flat`` rows of
    ``side * side`` pixels are folded into squares. ``side`` fixes the image size,
    ``count`` the number of images. Pixels keep their dtype (uint8 0-255 or floats).
    """
    size = f"{side} x {side} " if side else ""
    shapes = [f"(n, {side or 'height'}, {side or 'width'})", f"(n, 1, {side or 'height'}, {side or 'width'})"]
    if flat and side:
        shapes.append(f"(n, {side * side})")
    if colour:
        shapes.append("(n, height, width, 3)")
    expected = f"{size}images shaped {', '.join(shapes[:-1])} or {shapes[-1]}"
    arr = numbers(value, name, finite=False, expected=expected)
    if flat and side and arr.ndim == 2 and arr.shape[1] == side * side:
        arr = arr.reshape(len(arr), side, side)
    elif arr.ndim == 4 and arr.shape[1] == 1:
        arr = arr[:, 0]
    ok = arr.ndim == 3 or (colour and arr.ndim == 4 and arr.shape[3] in (3, 4))
    if ok and side is not None:
        ok = arr.shape[1:3] == (side, side)
    if not ok:
        raise InvalidValue(f"{name} must hold {expected}; got shape {arr.shape}")
    if count is not None and len(arr) != count:
        raise InvalidValue(f"{name} must hold one image per point: got {len(arr):,} images for {count:,} points")
    if len(arr) < at_least:
        raise InvalidValue(f"{name} must hold at least {at_least} image{'s' if at_least != 1 else ''}, got {len(arr)}")
    if np.issubdtype(arr.dtype, np.floating) and not np.isfinite(arr).all():
        raise InvalidValue(f"{name} contains NaN or infinite pixels")
    return arr


# ============================================================================ lists of names


def names(value: Any, name: str, allowed: Sequence[str], *, what: str = "names", at_least: int = 1) -> list[str]:
    """A list of distinct names, each one of ``allowed`` (a single name is a list of one)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Iterable) or isinstance(value, Mapping):
        fail(name, f"a list of {what} such as {list(allowed[:2])}", value, kind=InvalidType)
    chosen = list(value)
    if len(chosen) < at_least:
        fail(name, f"a list of at least {at_least} of the {what}: {', '.join(map(repr, allowed))}", value)
    for i, item in enumerate(chosen):
        choice(item, f"{name}[{i}]", allowed)
    repeated = sorted({item for item in chosen if chosen.count(item) > 1})
    if repeated:
        raise InvalidValue(f"{name} must not repeat a name, got {repeated[0]!r} more than once")
    return chosen


def words(value: Any, name: str = "words") -> list[str]:
    """Words typed as one string ("king, queen" or "king queen") or given as a list of strings.

    Returns them stripped and lowercase, in order, each once. An empty result is an error.
    """
    if isinstance(value, str):
        found = [token for token in re.split(r"[\s,;]+", value.strip().lower()) if token]
    else:
        if not isinstance(value, Iterable) or isinstance(value, Mapping):
            fail(name, 'a list of words such as ["king", "queen"] or one string "king, queen"', value,
                 kind=InvalidType)
        found = []
        for i, item in enumerate(value):
            if not isinstance(item, str):
                fail(f"{name}[{i}]", "a word (a string)", item, kind=InvalidType)
            found += [token for token in re.split(r"[\s,;]+", item.strip().lower()) if token]
    unique = list(dict.fromkeys(found))
    if not unique:
        fail(name, 'at least one word, e.g. ["king", "queen"] or "king, queen"', value)
    return unique


# ============================================================================ projection methods

#: The projection methods of :func:`helpers.projections.project`, and how they are written.
PROJECTION_METHODS: tuple[str, ...] = ("pca", "tsne", "umap")
PROJECTION_METHOD_NAMES: dict[str, str] = {"pca": "PCA", "tsne": "t-SNE", "umap": "UMAP"}

#: Distances that both scikit-learn's t-SNE and umap-learn understand by name.
DISTANCE_METRICS: tuple[str, ...] = ("euclidean", "cosine", "manhattan", "chebyshev", "minkowski", "correlation",
                                     "canberra", "braycurtis")


def projection_method(value: Any, name: str = "method") -> str:
    """'pca', 'tsne' or 'umap' (any case; 't-SNE' is understood too)."""
    if isinstance(value, str) and value.lower().replace("-", "") in PROJECTION_METHODS:
        return value.lower().replace("-", "")
    return choice(value, name, PROJECTION_METHODS)


#: The number of points a projection's rules see among their arguments (no parameter has this name).
_POINTS = "number of points"


def _array_or(options: tuple[str, ...]):
    def check(value: Any, name: str, arguments: Mapping[str, Any]) -> Any:
        n = arguments[_POINTS]
        if isinstance(value, str):
            return choice(value, name, options)
        arr = matrix(value, name, cols=None, what="starting positions, one row per point", dtype=np.float32)
        if len(arr) != n:
            raise InvalidValue(f"{name} must be {listing(options)} or an array with one row per point "
                               f"({n:,}), got {len(arr):,} rows")
        return arr
    return check


def _perplexity(value: Any, name: str, arguments: Mapping[str, Any]) -> float:
    n = arguments[_POINTS]
    return number(value, name, low=1, high=n / 3, high_open=True,
                  why=f" (a third of the {n:,} points: t-SNE looks at about 3 x perplexity neighbours of each "
                  "point; 5 to 50 is usual)")


def _n_neighbors(value: Any, name: str, arguments: Mapping[str, Any]) -> int:
    n = arguments[_POINTS]
    return integer(value, name, low=2, high=max(2, n - 1), why=f" (fewer than the {n:,} points; 5 to 50 is usual)")


def _min_dist(value: Any, name: str, arguments: Mapping[str, Any]) -> float:
    spread = arguments.get("spread", 1.0)
    spread = spread if isinstance(spread, (int, float)) and not isinstance(spread, bool) else 1.0
    return number(value, name, low=0, high=float(spread), why=" (at most spread; 0.0 to 0.5 is usual)")


def _learning_rate_tsne(value: Any, name: str, arguments: Mapping[str, Any]) -> Any:
    if isinstance(value, str):
        return choice(value, name, ("auto",), what="'auto' or a positive number")
    return number(value, name, low=0, low_open=True, why=" (or 'auto')")


def _n_epochs(value: Any, name: str, arguments: Mapping[str, Any]) -> int | None:
    return None if value is None else integer(value, name, low=1, why=" (or None to let UMAP choose)")


#: How each parameter of each method is checked: a :data:`Rule` that sees the other parameters.
PROJECTION_PARAMETERS: dict[str, dict[str, Any]] = {
    "pca": {
        "whiten": rule(boolean),
        "svd_solver": rule(choice, options=("auto", "full", "covariance_eigh", "arpack", "randomized")),
    },
    "tsne": {
        "perplexity": _perplexity,
        "early_exaggeration": rule(number, low=1, why=" (12 is usual)"),
        "learning_rate": _learning_rate_tsne,
        "max_iter": rule(integer, low=250, why=" (t-SNE needs at least 250 iterations)"),
        "init": _array_or(("pca", "random")),
        "metric": rule(choice, options=DISTANCE_METRICS),
        "method": rule(choice, options=("barnes_hut", "exact")),
        "angle": rule(number, low=0, high=1),
    },
    "umap": {
        "n_neighbors": _n_neighbors,
        "min_dist": _min_dist,
        "metric": rule(choice, options=DISTANCE_METRICS),
        "spread": rule(number, low=0, low_open=True),
        "n_epochs": _n_epochs,
        "learning_rate": rule(number, low=0, low_open=True),
        "init": _array_or(("spectral", "random", "pca")),
        "negative_sample_rate": rule(integer, low=1),
        "local_connectivity": rule(number, low=1, why=" (1 is usual)"),
        "repulsion_strength": rule(number, low=0, low_open=True),
        "set_op_mix_ratio": rule(number, low=0, high=1),
    },
}


def components(value: Any, name: str, method: str, n: int, d: int) -> int:
    """Output dimensions of a projection of ``n`` points in ``d`` dimensions with ``method``."""
    if method == "pca":
        most, why = min(n, d), f" for PCA (the smaller of X's {n:,} rows and {d:,} columns)"
    else:
        most, why = n - 2, f" for {PROJECTION_METHOD_NAMES[method]} (less than the number of points minus one)"
    return integer(value, name, low=1, high=max(1, most), why=why)


def projection_param(method: str, key: str, value: Any, n: int, params: Mapping[str, Any] | None = None) -> Any:
    """Check one parameter of ``method`` for ``n`` points; returns it as the method wants it."""
    rule = PROJECTION_PARAMETERS[method].get(key)
    if rule is None:
        return value
    return rule(value, key, {**(params or {}), _POINTS: n})


def projection_params(method: str, params: Mapping[str, Any], n: int, allowed: Iterable[str] | None = None
                      ) -> dict[str, Any]:
    """Check parameter names (against ``allowed``, default: all of the method's) and values.

    An unknown name is an error that suggests the closest known one and lists the rest.
    """
    allowed = list(PROJECTION_PARAMETERS[method] if allowed is None else allowed)
    label = PROJECTION_METHOD_NAMES[method]
    for key in params:
        if key not in allowed:
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            offered = ", ".join(sorted(allowed)) if allowed else "none"
            raise InvalidValue(f"{key} is not a parameter of {method!r}{hint}; allowed parameters for {label}: "
                               f"{offered}")
    return {key: projection_param(method, key, value, n, params) for key, value in params.items()}
