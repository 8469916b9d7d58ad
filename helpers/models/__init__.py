"""The course's torch models, one module per family.

- :mod:`helpers.models.cnn` — small CNN classifiers for 28x28 images.
- :mod:`helpers.models.autoencoder` — autoencoders with a chosen bottleneck size.
- :mod:`helpers.models.alexnet` — an AlexNet-like network (5 conv + 3 FC) scaled to 28x28.

Models only define networks. The training loop and the weight cache are :mod:`helpers.training`;
each course model is trained in :mod:`helpers.cnn_training`, :mod:`helpers.autoencoder_training`
or :mod:`helpers.alexnet_training`.
"""
