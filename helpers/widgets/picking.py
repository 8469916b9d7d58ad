"""Picking a point by meaning, from the keyboard: a class list and previous/next buttons.

An explorer that picks points by an index box puts a :class:`ClassPicker` beside it::

    picker = ClassPicker(index_box, labels, class_names)
    widgets.HBox([index_box, picker.widget])

Choosing a class selects that class's first point; "previous" and "next" step through the
points of the selected point's class (in index order, wrapping round at either end). The
picker only sets the index box's value, so the explorer reacts exactly as to a typed index;
when the index changes for another reason (a typed number, a click on the map) the class
list follows. Every control is a native select or button: Tab reaches it, Enter or Space
presses a button. In JupyterLab a closed list's arrow keys move between notebook cells
instead (a known ipywidgets limitation), so the list is opened with Space (or Alt+Down),
an arrow key chooses the class and Enter confirms it; the browser test does exactly that.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from helpers import validation

__all__ = ["ClassPicker"]


class ClassPicker:
    """A class dropdown with previous/next buttons that drive ``index_box`` (an ipywidgets int box)."""

    def __init__(self, index_box: Any, labels: Any, class_names: Sequence[str], *, what: str = "point") -> None:
        import ipywidgets as widgets

        for trait in ("value", "observe"):
            if not hasattr(index_box, trait):
                validation.fail("index_box", "an ipywidgets number box (e.g. BoundedIntText)", index_box,
                                kind=validation.InvalidType)
        if isinstance(class_names, str) or not isinstance(class_names, Sequence) or not class_names:
            validation.fail("class_names", "a non-empty list of class names", class_names,
                            kind=validation.InvalidType)
        self.labels = validation.labels(labels, "labels", None, "points", integers=True)
        if self.labels.size and (self.labels.min() < 0 or self.labels.max() >= len(class_names)):
            raise validation.InvalidValue(
                f"labels must be class numbers 0 to {len(class_names) - 1} (one per class name), "
                f"got values from {self.labels.min()} to {self.labels.max()}")
        self.index_box, self.class_names, self.what = index_box, [str(c) for c in class_names], what
        self._members = {c: np.flatnonzero(self.labels == c) for c in range(len(self.class_names))}
        options = [(f"{name} ({len(self._members[c]):,})", c) for c, name in enumerate(self.class_names)
                   if len(self._members[c])]
        self._syncing = False
        self.dropdown = widgets.Dropdown(options=options, value=self._class_of(index_box.value),
                                         description="class", layout=widgets.Layout(width="220px"))
        self.previous_button = widgets.Button(description="◀ previous", layout=widgets.Layout(width="100px"),
                                              tooltip=f"the previous {what} of this class")
        self.next_button = widgets.Button(description="next ▶", layout=widgets.Layout(width="90px"),
                                          tooltip=f"the next {what} of this class")
        self.dropdown.observe(self._on_class, names="value")
        self.previous_button.on_click(lambda _: self.step(-1))
        self.next_button.on_click(lambda _: self.step(+1))
        index_box.observe(self._on_index, names="value")
        self.widget = widgets.HBox([self.dropdown, self.previous_button, self.next_button])

    # ---- logic (no browser needed)

    def _class_of(self, index: Any) -> int | None:
        try:
            index = int(index)
        except (TypeError, ValueError):
            return None
        return int(self.labels[index]) if 0 <= index < len(self.labels) else None

    def members(self, class_number: int) -> np.ndarray:
        """The indices of the points of class ``class_number``, in order."""
        class_number = validation.index(class_number, "class_number", len(self.class_names), "classes")
        return self._members[class_number]

    def choose_class(self, class_number: int) -> int:
        """Select the first point of class ``class_number``; returns its index."""
        members = self.members(class_number)
        if not len(members):
            raise validation.InvalidValue(
                f"class_number {class_number} ({self.class_names[class_number]}) has no {self.what}s here")
        return self._select(int(members[0]))

    def step(self, direction: int) -> int:
        """Select the next (+1) or previous (-1) point of the selected point's class, wrapping; returns it."""
        if direction not in (-1, 1):
            raise validation.InvalidValue(f"direction must be +1 (next) or -1 (previous), got {direction!r}")
        current = int(self.index_box.value)
        class_number = self._class_of(current)
        if class_number is None:
            class_number = self.dropdown.value
        members = self._members[class_number]
        if direction > 0:
            later = members[members > current]
            target = later[0] if len(later) else members[0]
        else:
            earlier = members[members < current]
            target = earlier[-1] if len(earlier) else members[-1]
        return self._select(int(target))

    def _select(self, index: int) -> int:
        if self.index_box.value == index:  # no change, no event: tell the explorer's observer anyway
            from traitlets import Bunch

            self.index_box.notify_change(Bunch(name="value", old=index, new=index, owner=self.index_box,
                                               type="change"))
        else:
            self.index_box.value = index  # the explorer's own observer selects the point
        self._show_class(index)
        return index

    # ---- events

    def _show_class(self, index: int) -> None:
        class_number = self._class_of(index)
        if class_number is not None and self.dropdown.value != class_number:
            self._syncing = True
            try:
                self.dropdown.value = class_number
            finally:
                self._syncing = False

    def _on_class(self, change: dict[str, Any]) -> None:
        if not self._syncing and change["new"] is not None:
            self.choose_class(change["new"])

    def _on_index(self, change: dict[str, Any]) -> None:
        self._show_class(change["new"])
