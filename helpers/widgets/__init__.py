"""The course's interactive explorers, one module each (imported on first use).

- :mod:`helpers.widgets.onehot` — one-hot explorer (categories as vectors, their distances).
- :mod:`helpers.widgets.words` — word explorer (GloVe vectors on a 2-D map).
- :mod:`helpers.widgets.projection` — projection explorer (any vectors, PCA / t-SNE / UMAP);
  its figure and controls are :mod:`helpers.widgets.projection_view`.
- :mod:`helpers.widgets.training_evolution` — training-evolution explorer (a CNN's map, epoch by epoch).
- :mod:`helpers.widgets.latent` — latent explorer (a 2-D autoencoder's map, decoded point by point).
- :mod:`helpers.widgets.interpolation` — interpolation explorer (the path between two images' codes).
- :mod:`helpers.widgets.structure` — structure explorer (how well a map keeps neighbourhoods).

What several explorers share is in one place: :mod:`helpers.widgets.projection_common`
(projection and training-evolution explorers) and :mod:`helpers.widgets.latent_common`
(latent and interpolation explorers).

Each explorer redraws only what changed, also leaves a static figure for front ends
without widgets, and keeps its logic (selection, neighbours, caching) in plain methods
that tests call without a browser.
"""
