"""The course's torch models, one module per family.

- :mod:`helpers.models.cnn` — small CNN classifiers for 28x28 images.
- :mod:`helpers.models.autoencoder` — autoencoders with a chosen bottleneck size.

Models only define networks; training and caching are in :mod:`helpers.training`.
"""
