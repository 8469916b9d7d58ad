"""The course's torch models, one module per family.

- :mod:`helpers.models.cnn` — small CNN classifiers for 28x28 images.
- :mod:`helpers.models.autoencoder` — autoencoders with a chosen bottleneck size.
- :mod:`helpers.models.alexnet` — an AlexNet-like network (5 conv + 3 FC) scaled to 28x28.

Models only define networks; training and caching are in :mod:`helpers.training`.
"""
