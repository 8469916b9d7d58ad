"""Choice questions (:class:`ChoiceProblem`) and ungraded reflections (:class:`Reflection`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .comparing import _check_hints, _check_name, _check_text
from .describing import _describe, _one_line, _short
from .feedback import Feedback, _capitalised, _show
from .learner_code import _lookup, answer_items
from .problems import Problem
from .results import BLANK, CORRECT, INCORRECT, NOT_ATTEMPTED, NOTED, CheckResult, _contains_blank, _stop


def _choice_key(key: Any) -> str:
    return str(key).strip().strip("()[].:").strip().casefold()


class ChoiceProblem(Problem):
    """Single or multiple choice. ``options`` maps each key to ``(correct, explanation)``.

    Keys are matched ignoring case and brackets (``"B"``, ``"(b)"``). With
    ``multiple=True`` the answer may be a list, a set or a string such as ``"a, c and e"``.
    Each wrongly chosen option is explained; missing correct options are counted, not named.
    With ``multiple=True`` an option may also be ``(None, explanation)``: a borderline option
    that may be picked or left out; its explanation is shown either way once the rest is right.
    """

    def __init__(
        self, var: str, options: Mapping[Any, tuple[bool | None, str]], *, multiple: bool = False,
        hint: str | list[str] = (), solution: str | None = None, explanation: str | None = None,
    ) -> None:
        super().__init__(hint=hint, solution=solution, explanation=explanation)
        self.var = _check_name(var, "var")
        if not isinstance(multiple, bool):
            raise TypeError(f"multiple must be a bool, got {_describe(multiple)}")
        self.multiple = multiple
        if not isinstance(options, Mapping) or not options:
            raise TypeError("options must be a non-empty dict {key: (correct, explanation)}")
        self.options: dict[Any, tuple[bool, str]] = {}
        self._keys: dict[str, Any] = {}
        for key, entry in options.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool) or not _choice_key(key):
                raise TypeError(f"options: keys must be short str or int, got {key!r}")
            if (
                not isinstance(entry, tuple) or len(entry) != 2
                or not (isinstance(entry[0], bool) or (entry[0] is None and multiple))
                or not isinstance(entry[1], str)
            ):
                raise TypeError(f"options[{key!r}] must be a tuple (correct: bool, explanation: str)"
                                + (" or (None, explanation) for a borderline option" if multiple else ""))
            if _choice_key(key) in self._keys:
                raise ValueError(f"options: keys {self._keys[_choice_key(key)]!r} and {key!r} clash")
            self._keys[_choice_key(key)] = key
            self.options[key] = entry
        self.correct_keys = [key for key, (ok, _) in self.options.items() if ok is True]
        self.borderline_keys = [key for key, (ok, _) in self.options.items() if ok is None]
        if not self.correct_keys:
            raise ValueError("options: at least one option must be correct")

    @property
    def solution_code(self) -> str:
        answer = self.correct_keys if self.multiple else self.correct_keys[0]
        return f"{self.var} = {answer!r}"

    def solution_parts(self) -> tuple[str, str | None]:
        lines = [self._solution or ""] if self._solution else []
        for key, (ok, why) in self.options.items():
            verdict = "borderline (either answer is accepted)" if ok is None else "right" if ok else "wrong"
            lines.append(f"({key}) {verdict}: {why}")
        if self.explanation:
            lines.append(self.explanation)
        return ("\n".join(lines), self.solution_code)

    def _labels(self) -> str:
        return ", ".join(str(key) for key in self.options)

    def _parse(self, value: Any) -> list[Any]:
        if isinstance(value, str):
            tokens = [t for t in answer_items(value) if _choice_key(t)]
            if (
                self.multiple and len(tokens) == 1 and _choice_key(tokens[0]) not in self._keys
                and all(ch in self._keys for ch in _choice_key(tokens[0]))
            ):
                tokens = list(_choice_key(tokens[0]))
        elif isinstance(value, int) and not isinstance(value, bool):
            tokens = [value]
        elif isinstance(value, (list, tuple, set, frozenset)):
            tokens = list(value)
        else:
            raise _stop(
                INCORRECT,
                f"`{self.var}` should be {'option keys' if self.multiple else 'an option key'} "
                f"such as {next(iter(self.options))!r}, got {_describe(value)}.",
                "type",
            )
        if not tokens:
            raise _stop(NOT_ATTEMPTED, f"`{self.var}` is empty: pick an option.", "placeholder")
        chosen = []
        for token in tokens:
            if not isinstance(token, (str, int)) or _choice_key(token) not in self._keys:
                raise _stop(
                    INCORRECT,
                    f"{_short(token, 30)} is not one of the options; choose from {self._labels()}.",
                    "choice",
                )
            key = self._keys[_choice_key(token)]
            if key not in chosen:
                chosen.append(key)
        return chosen

    def _evaluate(self, namespace: Mapping[str, Any]) -> CheckResult:
        value = _lookup(namespace, self.var)
        if value is None:
            raise self._none_result(self.var)
        chosen = self._parse(value)
        if not self.multiple:
            if len(chosen) > 1:
                return CheckResult(
                    INCORRECT, f"`{self.var}`: choose exactly one option (this question has one answer).",
                    "type",
                )
            ok, why = self.options[chosen[0]]
            if ok:
                return CheckResult(CORRECT, f"({chosen[0]}) is right: {why}")
            return CheckResult(INCORRECT, f"({chosen[0]}) is not the answer: {why}", "value")
        wrong = [key for key in chosen if self.options[key][0] is False]
        missing = [key for key in self.correct_keys if key not in chosen]
        if not wrong and not missing:
            reasons = " ".join(f"({key}) {self.options[key][1]}" for key in self.correct_keys)
            text = f"you picked exactly the right options. {reasons}"
            if self.borderline_keys:
                text += " Borderline, either way: " + " ".join(
                    f"({key}) {self.options[key][1]}" for key in self.borderline_keys)
            return CheckResult(CORRECT, text)
        lines = [f"({key}) is not right: {self.options[key][1]}" for key in wrong]
        right = [key for key in chosen if self.options[key][0] is True]
        if missing:
            many = len(missing) > 1
            lines.append(
                (f"{', '.join(f'({k})' for k in right)} {'are' if len(right) > 1 else 'is'} right, but "
                 if right and not wrong else "")
                + f"{len(missing)} correct option{'s are' if many else ' is'} still missing."
            )
        return CheckResult(INCORRECT, "\n".join(lines), "value")


class Reflection:
    """A question answered in your own words: never graded, shown beside a model answer.

    Free text cannot be graded honestly by looking for words (an answer that says the
    opposite in the right words would pass), so ``compare(text)`` does not grade: it
    shows the learner's text, a model answer and ``points`` to compare the two by.
    """

    def __init__(self, model_answer: str, *, points: Iterable[str] = (), var: str = "my_answer") -> None:
        self.model_answer = _check_text(model_answer, "model_answer", optional=False)
        if not self.model_answer.strip():
            raise ValueError("model_answer must not be empty")
        self.points = _check_hints(list(points)) if points else ()
        self.var = _check_name(var, "var")

    def evaluate(self, answer: Any) -> CheckResult:
        """``not_attempted`` for a blank or empty answer, ``incorrect`` (type) for one that is
        not text, else ``noted`` with the model answer in the message."""
        if answer is BLANK or _contains_blank(answer):
            return CheckResult(NOT_ATTEMPTED, f"`{self.var}` is still the placeholder `____`: write your answer "
                               "in quotes first; then this cell shows a model answer to compare it with.",
                               "placeholder")
        if not isinstance(answer, str):
            return CheckResult(INCORRECT, f"`{self.var}` should be text in quotes, got {_describe(answer)}.", "type")
        if not answer.strip():
            return CheckResult(NOT_ATTEMPTED, f"`{self.var}` is empty: write your answer in the quotes first.",
                               "placeholder")
        parts = [f"Your answer:\n{answer.strip()}", f"A model answer:\n{self.model_answer.strip()}"]
        if self.points:
            parts.append("Compare the two:\n" + "\n".join(f"- {point}" for point in self.points))
        return CheckResult(NOTED, "\n\n".join(parts), "reflection")

    def compare(self, answer: Any) -> None:
        """Show the comparison (or what is missing); records nothing, grades nothing."""
        try:
            result = self.evaluate(answer)
            title = {NOTED: "Not graded: compare your answer with a model answer",
                     NOT_ATTEMPTED: "Not attempted yet", INCORRECT: "Not text"}[result.status]
            tone = {NOTED: "info", NOT_ATTEMPTED: "not_attempted", INCORRECT: "incorrect"}[result.status]
            _show(Feedback(tone, title, _capitalised(result.message)))
        except Exception as exc:  # never a traceback in the notebook
            print(f"the comparison could not be shown (please report it): {_one_line(exc)}")

    def __repr__(self) -> str:
        return f"Reflection({self.var!r})"


