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

Three modules: :mod:`.checking` (one answer checked: the placeholder, results and how they
are shown, values compared, the learner's code run with a time limit), :mod:`.problems` (the
problem kinds) and :mod:`.binding` (``bind``, progress recorded, official solutions). Names
a module shares with the others carry no underscore; what notebooks and exercise sets use is
``__all__`` below.
"""

from __future__ import annotations

from helpers.progress import load_progress, progress_path, reset_progress

from .binding import (
    Exercises,
    Question,
    bind,
    progress_summary,
    run_official_solution,
    run_official_solutions,
    show_progress,
)
from .checking import (
    BLANK,
    CORRECT,
    ERROR,
    INCORRECT,
    NOT_ATTEMPTED,
    NOTED,
    CheckResult,
    Feedback,
    Incorrect,
    NotAttempted,
    ____,
    answer_items,
    compare_values,
    is_blank,
    plain_answer,
)
from .problems import (
    ChoiceProblem,
    CustomProblem,
    FunctionProblem,
    Problem,
    Reflection,
    ValueProblem,
    functions_used,
    names_used,
)

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
