"""The exercises of each notebook, one module per notebook (``PROBLEMS`` in each).

A notebook binds its set with ``ex = bind("00_start_here", PROBLEMS)`` (see
:mod:`helpers.exercises`). Every official solution here is run by the tests, together
with typical wrong answers that must get their specific feedback.
"""

#: Which module holds each notebook's exercises (the grader's judge finds the checks here).
NOTEBOOK_SETS = {
    "00_start_here": "start_here",
    "01_one_hot_encoding": "one_hot",
    "02_embedding_layers": "embedding_layers",
    "03_image_embeddings": "image_embeddings",
    "04_latent_space": "latent_space",
    "05_representations": "representations",
    "06_exercises": "chapter_exercises",
}
