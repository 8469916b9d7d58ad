"""Describing values in one short line, for feedback (``a float array of shape (3, 2)``)."""

from __future__ import annotations

import types
from collections.abc import Mapping
from typing import Any

import numpy as np

from .results import BLANK, _truncate


# ============================================================================ describing values
def _is_tensor(value: Any) -> bool:
    module = type(value).__module__ or ""
    return module.split(".")[0] == "torch" and hasattr(value, "shape") and hasattr(value, "detach")


def _to_numpy(value: Any) -> np.ndarray:
    if _is_tensor(value):
        tensor = value.detach().cpu()
        try:
            return tensor.numpy()
        except (TypeError, RuntimeError):  # bfloat16 and friends
            return tensor.float().numpy()
    return np.asarray(value)


def _shape(value: Any) -> tuple[int, ...]:
    return tuple(int(d) for d in value.shape)


def _describe(value: Any) -> str:
    """'a str', 'a NumPy array of shape (3,)', 'None' ... for messages."""
    if value is None:
        return "None"
    if value is BLANK:
        return "the placeholder ____"
    if _is_tensor(value):
        return f"a torch tensor of shape {_shape(value)}"
    if isinstance(value, np.ndarray):
        return f"a NumPy array of shape {_shape(value)}"
    if isinstance(value, (bool, np.bool_)):
        return "a bool (True/False)"
    if isinstance(value, (types.FunctionType, types.BuiltinFunctionType, types.MethodType)):
        return "a function"
    if isinstance(value, type):
        return "a class"
    name = type(value).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _short(value: Any, limit: int = 70) -> str:
    """A one-line repr, cut to ``limit`` characters."""
    try:
        if _is_tensor(value) or isinstance(value, np.ndarray):
            body = np.array2string(
                _to_numpy(value), threshold=12, edgeitems=2, precision=4, separator=", "
            )
            text = f"{'tensor' if _is_tensor(value) else 'array'}({body})"
        else:
            text = repr(value)
    except Exception:
        text = f"<{type(value).__name__}>"
    return _truncate(text, limit)


def _call_repr(name: str, args: tuple, kwargs: Mapping) -> str:
    parts = [_short(arg, 40) for arg in args]
    parts += [f"{key}={_short(val, 40)}" for key, val in kwargs.items()]
    return f"{name}({', '.join(parts)})"


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    first = _truncate(lines[0], 160) if lines else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _number_text(x: float) -> str:
    return f"{x:.6g}"


