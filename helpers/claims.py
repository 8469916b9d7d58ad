"""Sentences built from measured numbers, so that a notebook's prose cannot disagree with its outputs.

>>> from helpers.claims import compared, with_interval
>>> f"pixels {with_interval(0.781, 2000)} are {compared(pixels_right, code_right)} the 16-D code"
'pixels 0.781 (0.762-0.799) are not clearly different from the 16-D code'

Two accuracies measured on the same test items are compared item by item, with McNemar's
exact test (:func:`helpers.metrics.compare_accuracies`): a difference is claimed only when
the test finds one, and otherwise the sentence says that no difference was found, never
that the two are equal.
"""

from __future__ import annotations

from typing import Any

from helpers.metrics import accuracy_interval, compare_accuracies

__all__ = ["compared", "decimal", "fewer_mistakes", "say", "shown", "with_interval"]


def decimal(value: Any, digits: int = 3) -> str:
    """``value`` with ``digits`` decimals: the one rounding for a number shown in a table and in the text.

    >>> decimal(1721 / 2000)        # pandas' ``.round(3)`` shows 0.860; here and in every sentence 0.861
    '0.861'
    """
    if isinstance(digits, bool) or not isinstance(digits, int) or digits < 0:
        raise ValueError(f"digits must be a whole number of decimals (0 or more), got {digits!r}")
    return f"{float(value):.{digits}f}"


def shown(table: Any, digits: int = 3) -> Any:
    """``table`` (a pandas DataFrame) as it is displayed: its fractional numbers through :func:`decimal`,
    so that a sentence that quotes a cell with :func:`decimal` reads the same; other columns stay as they
    are and a missing value is a dash."""
    import pandas as pd

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}")

    def cell(value: float) -> str:
        return "–" if value != value else decimal(value, digits)   # value != value: NaN

    return table.apply(lambda column: column.map(cell) if column.dtype.kind == "f" else column)


def with_interval(accuracy: Any, n: Any) -> str:
    """``"0.862 (0.846-0.877)"``: an accuracy on ``n`` test items and its 95 % interval."""
    low, high = accuracy_interval(accuracy, n)
    return f"{decimal(accuracy)} ({decimal(low)}-{decimal(high)})"


def compared(correct_a: Any, correct_b: Any, *, more: str = "clearly higher than",
             less: str = "clearly lower than", same: str = "not clearly different from") -> str:
    """The words that compare two accuracies: ``more``, ``less`` or ``same`` (no difference found).

    ``correct_a`` and ``correct_b`` say for each of the same test items whether it was
    classified right (as :func:`helpers.metrics.knn_correct` gives); ``correct_b`` may
    instead be a known share such as chance. ``same`` is used whenever the paired test
    finds no difference, so it must say that, not that the two are equal.
    """
    for name, text in (("more", more), ("less", less), ("same", same)):
        if not isinstance(text, str):
            raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    return {1: more, -1: less, 0: same}[compare_accuracies(correct_a, correct_b)]


def fewer_mistakes(before: Any, after: Any) -> str:
    """``"29% fewer mistakes"`` (or ``"12% more mistakes"``) going from accuracy ``before`` to ``after``."""
    for name, value in (("before", before), ("after", after)):
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= float(value) <= 1:
            raise ValueError(f"{name} must be an accuracy between 0 and 1, got {value!r}")
    if float(before) == 1:
        return "no mistakes before either" if float(after) == 1 else "mistakes where there were none"
    change = 1 - (1 - float(after)) / (1 - float(before))
    return f"{abs(change):.0%} {'fewer' if change >= 0 else 'more'} mistakes"


def say(text: str) -> None:
    """Show ``text`` (Markdown) as a paragraph of the notebook; plain text outside Jupyter."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a str, got {type(text).__name__}")
    try:
        from IPython import get_ipython
        from IPython.display import Markdown, display
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        print(text)
        return
    if get_ipython() is None:
        print(text)
    else:
        display(Markdown(text))
