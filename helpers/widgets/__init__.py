"""The course's interactive explorers, one module each (imported on first use).

- :mod:`helpers.widgets.words` — word explorer (GloVe vectors on a 2-D map).
- :mod:`helpers.widgets.projection` — projection explorer (any vectors, PCA / t-SNE / UMAP).
- :mod:`helpers.widgets.latent` — latent-space explorer and interpolation (autoencoders).

Each explorer redraws only what changed, also leaves a static figure for front ends
without widgets, and keeps its logic (selection, neighbours, caching) in plain methods
that tests call without a browser.
"""
