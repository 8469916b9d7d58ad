"""The course's interactive explorers, one module each (imported on first use).

- :mod:`helpers.widgets.onehot` — one-hot explorer (categories as vectors, their distances).
- :mod:`helpers.widgets.words` — word explorer (GloVe vectors on a 2-D map).
- :mod:`helpers.widgets.projection` — projection explorer (any vectors, PCA / t-SNE / UMAP);
  its figure and controls are :mod:`helpers.widgets.projection_view`.
- :mod:`helpers.widgets.training_evolution` — training-evolution explorer (a CNN's map, epoch by epoch).
- :mod:`helpers.widgets.latent` — latent explorer (a 2-D autoencoder's map, decoded point by point).
- :mod:`helpers.widgets.interpolation` — interpolation explorer (the path between two images' codes).
- :mod:`helpers.widgets.structure` — structure explorer (how well a map keeps neighbourhoods).

Every explorer is shown the same way, as the last expression of a cell:
:class:`helpers.widgets.explorer.Explorer`, their base, displays its controls and figure
with a still picture of the figure for front ends without widgets. Picking a point by
class, from the keyboard, is :mod:`helpers.widgets.picking`.

An explorer builds on the ones below it and never on one above (the import contract in
pyproject.toml): the training-evolution explorer uses the projection explorer's settings
and checks, the interpolation explorer draws codes as the latent explorer does.

Each explorer redraws only what changed and keeps its logic (selection, neighbours,
caching) in plain methods that tests call without a browser.
"""
