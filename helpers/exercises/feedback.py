"""How feedback is shown: a coloured box in a notebook, one line of text elsewhere."""

from __future__ import annotations

import html
import re
import sys
from typing import Any

from .checking import CORRECT, ERROR, INCORRECT, NOT_ATTEMPTED

# ============================================================================ display

_TONES = {  # tone: (accent colour, background, symbol); each accent is 4.5:1 or more on its background
    "correct": ("#2e7d32", "#edf7ed", "✔"),
    "incorrect": ("#c62828", "#fdecea", "✘"),
    "not_attempted": ("#595959", "#f4f4f4", "…"),
    "error": ("#a33f00", "#fff4e5", "⚠"),
    "info": ("#1565c0", "#e8f1fb", "ℹ"),
}


def _inline_html(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)
    return escaped.replace("\n", "<br>")


class Feedback:
    """A coloured block: HTML in Jupyter, plain text elsewhere."""

    def __init__(self, tone: str, title: str, body: str = "", *, code: str | None = None,
                 table: list[list[str]] | None = None) -> None:
        if tone not in _TONES:
            raise ValueError(f"tone must be one of {', '.join(_TONES)}, got {tone!r}")
        self.tone, self.title, self.body, self.code, self.table = tone, title, body, code, table

    def _repr_html_(self) -> str:
        accent, background, symbol = _TONES[self.tone]
        parts = [f"<strong style='color:{accent}'>{symbol} {html.escape(self.title)}</strong>"]
        if self.body:
            parts.append(f"<div style='margin-top:4px'>{_inline_html(self.body)}</div>")
        if self.table:
            head, *rows = self.table
            cells = "".join(f"<th style='text-align:left;padding:2px 10px'>{html.escape(c)}</th>"
                            for c in head)
            body = "".join(
                "<tr>" + "".join(f"<td style='padding:2px 10px'>{html.escape(c)}</td>" for c in row)
                + "</tr>" for row in rows
            )
            parts.append(f"<table style='margin-top:6px'><tr>{cells}</tr>{body}</table>")
        if self.code:
            parts.append(
                "<pre style='margin:6px 0 0;padding:6px;background:#ffffff;color:#1f1f1f;"
                f"border:1px solid #ddd'><code>{html.escape(self.code)}</code></pre>"
            )
        return (
            f"<div style='border-left:4px solid {accent};background:{background};color:#1f1f1f;"
            f"padding:8px 12px;margin:4px 0;border-radius:3px'>{''.join(parts)}</div>"
        )

    def __str__(self) -> str:
        symbol = _TONES[self.tone][2]
        lines = [f"{symbol} {self.title}" + (f" — {self.body}" if self.body else "")]
        if self.table:
            widths = [max(len(row[i]) for row in self.table) for i in range(len(self.table[0]))]
            for row in self.table:
                lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if self.code:
            lines += ["```python", self.code.rstrip("\n"), "```"]
        return "\n".join(lines)

    __repr__ = __str__


def _ipython_active() -> bool:
    module = sys.modules.get("IPython")
    if module is None:
        return False
    try:
        return module.get_ipython() is not None
    except Exception:
        return False


def _display(obj: Any) -> None:
    from IPython.display import display

    display(obj)


def show(feedback: Feedback) -> None:
    if _ipython_active():
        try:
            _display(feedback)
            return
        except Exception:
            pass
    print(str(feedback))


TITLES = {
    CORRECT: ("correct", "Correct"),
    INCORRECT: ("incorrect", "Not quite"),
    NOT_ATTEMPTED: ("not_attempted", "Not attempted yet"),
    ERROR: ("error", "Checker problem"),
}


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
