"""The course's autoencoders (notebooks 04 and 05): trained once with the module's settings, then loaded from
the weight cache. Using a trained one is :mod:`helpers.latent_space`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from torch import nn

from helpers import validation
from helpers.cache import fingerprint
from helpers.latent_space import cpu_threads, reconstruct, reconstruction_mse
from helpers.models.autoencoder import DEFAULT_HIDDEN, Autoencoder
from helpers.training import History, WeightCache, cache_key, fit, images_for_fit, seed_everything, train_or_load

__all__ = ["BATCH_SIZE", "EPOCHS", "EPOCHS_BY_DATASET", "HIDDEN", "LARGE_LATENT_DIM", "LEARNING_RATE", "LOSSES",
           "SMALL_LATENT_DIM", "autoencoder_config", "build_autoencoder", "reconstruction_error", "train_autoencoder",
           "train_or_load_autoencoder"]

#: The bottleneck that can be drawn directly: a latent *plane*.
SMALL_LATENT_DIM = 2
#: The larger bottleneck of notebook 04 (sharper reconstructions, not drawable).
LARGE_LATENT_DIM = 16

#: Training epochs per dataset (MNIST has fewer images): five passes rebuild Fashion-MNIST with 0.68 x PCA-2's
#: error at 2-D (target: at most 0.85 x) and 0.91 x PCA-16's at 16-D.
EPOCHS_BY_DATASET: dict[str, int] = {"Fashion-MNIST": 5, "MNIST": 8}
#: The epochs for Fashion-MNIST, the course's main data set (and for any other).
EPOCHS = EPOCHS_BY_DATASET["Fashion-MNIST"]
BATCH_SIZE = 128
LEARNING_RATE = 5e-3
HIDDEN: tuple[int, ...] = DEFAULT_HIDDEN

#: Loss functions a training run may use: binary cross-entropy per pixel, or squared error.
LOSSES: tuple[str, ...] = ("bce", "mse")


def train_or_load_autoencoder(dataset: Any, *, latent_dim: int, epochs: int | None = None, seed: int = 0,
                              hidden: Sequence[int] = HIDDEN, batch_size: int = BATCH_SIZE, lr: float = LEARNING_RATE,
                              loss: str = "bce", progress: bool = True, cache: WeightCache | None = None,
                              shipped: bool = False) -> tuple[Autoencoder, dict[str, Any]]:
    """Train an :class:`Autoencoder` on ``dataset.x_train``, or load it from the cache (or, with
    ``shipped=True``, the shipped weights). Returns the model (CPU, eval mode) and a dict with ``from_cache``,
    ``train_seconds``, ``history``, ``test_mse``, ``dataset`` and ``source``."""
    config = autoencoder_config(dataset, latent_dim=latent_dim, epochs=epochs, seed=seed, hidden=hidden,
                                batch_size=batch_size, lr=lr, loss=loss)
    validation.boolean(progress, "progress")
    shipped = validation.boolean(shipped, "shipped")
    key = cache_key(f"autoencoder{config['latent_dim']}d", config, fingerprint(dataset.x_train))
    model = build_autoencoder(config)

    def measure() -> dict[str, Any]:
        return reconstruction_error(model, dataset)

    return train_or_load(model, key, lambda net: train_autoencoder(net, dataset, config, progress=progress),
                         cache=cache, shipped=shipped, measure=measure,
                         extra=lambda: {"dataset": config["dataset"], "latent_dim": config["latent_dim"], **measure()})


def autoencoder_config(dataset: Any, *, latent_dim: int, epochs: int | None = None, seed: int = 0,
                       hidden: Sequence[int] = HIDDEN, batch_size: int = BATCH_SIZE, lr: float = LEARNING_RATE,
                       loss: str = "bce") -> dict[str, Any]:
    """The checked settings of an autoencoder for ``dataset`` (what its cache key is made of)."""
    validation.image_dataset(dataset)
    latent_dim = validation.integer(latent_dim, "latent_dim", low=1)
    if epochs is None:
        epochs = EPOCHS_BY_DATASET.get(dataset.name, EPOCHS)
    return {
        "architecture": "mlp-autoencoder-1",
        "dataset": str(dataset.name),
        "latent_dim": int(latent_dim),
        "hidden": list(validation.integers(hidden, "hidden", low=1)),
        "epochs": int(validation.integer(epochs, "epochs", low=0)),
        "batch_size": int(validation.integer(batch_size, "batch_size", low=1)),
        "lr": float(validation.number(lr, "lr", low=0, low_open=True)),
        "loss": validation.choice(loss, "loss", LOSSES, ignore_case=False),
        "seed": int(validation.integer(seed, "seed", low=0)),
    }


def build_autoencoder(config: dict[str, Any]) -> Autoencoder:
    """The untrained autoencoder of ``config``: its first weights depend on the seed."""
    seed_everything(config["seed"])
    return Autoencoder(config["latent_dim"], config["hidden"])


def train_autoencoder(model: Autoencoder, dataset: Any, config: dict[str, Any], *, progress: bool = True) -> History:
    """Train ``model`` in place to rebuild ``dataset.x_train`` as ``config`` says; return its history."""
    x_train = images_for_fit(dataset.x_train, name="dataset.x_train")
    x_test = images_for_fit(dataset.x_test, name="dataset.x_test")
    loss_fn = nn.BCELoss() if config["loss"] == "bce" else nn.MSELoss()
    with cpu_threads():
        return fit(model, x_train, x_train, loss_fn=loss_fn, epochs=config["epochs"],
                   batch_size=config["batch_size"], lr=config["lr"], seed=config["seed"], val=(x_test, x_test),
                   progress=progress, description=f"autoencoder, {config['latent_dim']}-D bottleneck")


def reconstruction_error(model: Autoencoder, dataset: Any) -> dict[str, float]:
    """``{"test_mse": ...}``: how far ``model``'s rebuilt test images lie from the originals."""
    return {"test_mse": reconstruction_mse(dataset.x_test, reconstruct(model, dataset.x_test))}
