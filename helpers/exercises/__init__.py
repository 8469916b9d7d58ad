"""Check / hint / solution for the exercises in the notebooks.

A notebook binds its problems once and the learner works through them::

    from helpers.exercises import ____, bind
    from helpers.exercise_sets.start_here import PROBLEMS

    ex = bind("00_start_here", PROBLEMS)      # reads the notebook's globals

    q1_answer = ____                          # the learner replaces the placeholder
    ex.q1.check()                             # feedback, progress recorded
    ex.q1.hint()                              # hint 1, then hint 2 ...
    ex.q1.solution()                          # the official answer (off in the teacher's mode,
                                              # see helpers.classroom)
    ex.progress()                             # what is solved in this notebook

Problems are small classes: :class:`ValueProblem` (a variable), :class:`FunctionProblem`
(a function, called on test cases), :class:`ChoiceProblem` (single or multiple choice) and
:class:`CustomProblem` (anything else). Free text is never graded: a :class:`Reflection`
shows it beside a model answer. Feedback never shows a traceback: mistakes in the
learner's code and bugs in a checker are both reported in one line.

``check()`` displays its feedback and returns nothing; ``evaluate()`` returns a
:class:`CheckResult` without displaying or recording anything (that is what tests use).
Progress is kept by :mod:`helpers.progress` (per user, apart from the course cache).

The package keeps one concern per module:

- :mod:`.results` — the placeholder ``____`` and :class:`CheckResult`;
- :mod:`.describing` — values described in one short line;
- :mod:`.comparing` — comparing a value with the expected one (:func:`compare_values`),
  and checking the arguments a problem is written with;
- :mod:`.learner_code` — running the learner's code, mistakes reported without a traceback;
- :mod:`.problems`, :mod:`.choices`, :mod:`.custom` — the problem kinds;
- :mod:`.feedback` — how feedback is shown;
- :mod:`.tracking` — checks recorded in the learner's progress, and the progress table;
- :mod:`.binding` — :func:`bind`, the ``ex.q1`` questions and the official solutions.
"""

from __future__ import annotations

from helpers.progress import load_progress, progress_path, reset_progress

from .binding import Exercises, Question, bind, run_official_solution, run_official_solutions
from .choices import ChoiceProblem, Reflection
from .comparing import compare_values
from .custom import CustomProblem, functions_used, names_used
from .feedback import Feedback
from .learner_code import answer_items, plain_answer
from .problems import FunctionProblem, Problem, ValueProblem
from .results import (
    BLANK,
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    NOTED,
    CheckResult,
    Incorrect,
    NotAttempted,
    ____,
    is_blank,
)
from .tracking import progress_summary, show_progress

__all__ = [
    "____",
    "BLANK",
    "is_blank",
    "CheckResult",
    "CORRECT",
    "INCORRECT",
    "NOT_ATTEMPTED",
    "ERROR",
    "NOTED",
    "Incorrect",
    "NotAttempted",
    "Problem",
    "ValueProblem",
    "FunctionProblem",
    "ChoiceProblem",
    "Reflection",
    "functions_used",
    "names_used",
    "CustomProblem",
    "compare_values",
    "plain_answer",
    "answer_items",
    "bind",
    "Exercises",
    "Question",
    "Feedback",
    "run_official_solution",
    "run_official_solutions",
    "progress_path",
    "load_progress",
    "progress_summary",
    "show_progress",
    "reset_progress",
]


