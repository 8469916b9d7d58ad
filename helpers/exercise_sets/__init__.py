"""The exercises of each notebook, one module per notebook (``PROBLEMS`` in each).

A notebook binds its set with ``ex = bind("00_start_here", PROBLEMS)`` (see
:mod:`helpers.exercises`). Every official solution here is run by the tests, together
with typical wrong answers that must get their specific feedback.
"""
