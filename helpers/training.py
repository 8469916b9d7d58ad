"""Training plumbing: device choice, seeding, a small fit loop and a cache of trained weights.

The models themselves, and the code a learner should read, stay in the notebooks (or in
``helpers.models``); this module only runs them.
"""

from __future__ import annotations

import copy
import io
import json
import os
import random
import time
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from helpers import cache as course_cache
from helpers import paths, validation
from helpers.cores import usable_cores

#: Bump when the layout of cached files changes, so old entries are ignored.
CACHE_FORMAT = 1

_DEVICE_CHOICES = ("auto", "cpu", "cuda", "mps")


#: On a CPU with at most this many cores, the course runs torch on one thread.
FEW_CORES = 2


#: The CPU cores this process may run on.
cpu_cores = usable_cores


def one_thread_on_few_cores() -> None:
    """On :data:`FEW_CORES` cores or fewer, run torch on one thread (called on import): beside one busy
    program, notebook 02's colour model took 31 s with two threads against 2.7 s idle."""
    if cpu_cores() <= FEW_CORES and torch.get_num_threads() > 1:
        torch.set_num_threads(1)


one_thread_on_few_cores()


def choose_device(prefer: str | None = None) -> torch.device:
    """CUDA if present, then Apple's MPS, then the CPU; ``prefer`` or ``COURSE_DEVICE`` forces a choice
    (one that is not there falls back to the CPU with a warning)."""
    if prefer is None:
        choice = validation.choice(os.environ.get("COURSE_DEVICE") or "auto", "the environment variable COURSE_DEVICE",
                                   _DEVICE_CHOICES)
    else:
        choice = validation.choice(prefer, "prefer", _DEVICE_CHOICES)
    cuda_ok = torch.cuda.is_available()
    mps_ok = bool(getattr(torch.backends, "mps", None)) and torch.backends.mps.is_available()
    if choice == "auto":
        return torch.device("cuda" if cuda_ok else "mps" if mps_ok else "cpu")
    if choice == "cuda" and not cuda_ok or choice == "mps" and not mps_ok:
        validation.warn(f"{choice} was asked for but is not available here; using the CPU.")
        return torch.device("cpu")
    return torch.device(choice)


@contextmanager
def torch_threads(count: int | None) -> Iterator[None]:
    """Run torch on ``count`` CPU threads inside the block (None: leave the setting alone)."""
    if count is not None:
        count = validation.integer(count, "count", low=1, why=" (or None)")
    before = torch.get_num_threads()
    if count is None or count == before:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def seed_everything(seed: int = 0) -> torch.Generator:
    """Seed Python, NumPy and torch so that a CPU run repeats bit for bit; returns a seeded Generator."""
    seed = validation.integer(seed, "seed", low=0)
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)
    if torch.cuda.is_available():
        torch.cuda.manual_seed_all(seed)
    torch.backends.cudnn.deterministic = True
    torch.backends.cudnn.benchmark = False
    generator = torch.Generator()
    generator.manual_seed(seed)
    return generator


def as_tensor_images(x: Any, *, name: str = "x") -> torch.Tensor:
    """Turn uint8 images (n, 28, 28) or floats into a float tensor (n, 1, H, W) in [0, 1]."""
    if isinstance(x, np.ndarray):
        t = torch.from_numpy(x)
    elif isinstance(x, torch.Tensor):
        t = x
    else:
        validation.fail(name, "a NumPy array or a torch tensor of images", x, kind=validation.InvalidType,
                        got=validation.type_name(x))
    if t.ndim == 3:
        t = t.unsqueeze(1)
    if t.ndim != 4:
        raise validation.InvalidValue(f"{name} must have shape (n, H, W) or (n, C, H, W), got {tuple(t.shape)}")
    return t.float().div_(255.0) if t.dtype == torch.uint8 else t.float()


def images_for_fit(x: Any, *, name: str = "x") -> torch.Tensor:
    """Images for :func:`fit` and :func:`predict`: uint8 ones stay uint8 (a quarter of the memory; they
    turn into floats a batch at a time), others as :func:`as_tensor_images` gives them."""
    if isinstance(x, np.ndarray) and x.dtype == np.uint8 and x.ndim == 3:
        return torch.from_numpy(np.require(x, requirements=["C", "W"]))
    return as_tensor_images(x, name=name)


def _floats(t: torch.Tensor) -> torch.Tensor:
    """A batch as the model takes it: uint8 images become floats in [0, 1] only here, a batch at a
    time, so that a whole data set never needs four times its bytes at once."""
    return as_tensor_images(t) if t.dtype == torch.uint8 else t


def iterate_batches(*tensors: torch.Tensor, batch_size: int, shuffle: bool = False,
                    generator: torch.Generator | None = None) -> Iterator[tuple[torch.Tensor, ...]]:
    """Yield aligned mini-batches of in-memory tensors (faster than a DataLoader here)."""
    if not tensors:
        raise validation.InvalidValue("iterate_batches needs at least one tensor")
    n = len(tensors[0])
    if any(len(t) != n for t in tensors):
        raise validation.InvalidValue(f"all tensors must have the same length, got {[len(t) for t in tensors]}")
    batch_size = validation.integer(batch_size, "batch_size", low=1)
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        yield tuple(t[idx] for t in tensors)


@dataclass
class History:
    """What happened during training, one row per epoch."""

    rows: list[dict[str, float]] = field(default_factory=list)

    def column(self, key: str) -> list[float]:
        return [row[key] for row in self.rows if key in row]

    @property
    def epochs(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        if not self.rows:
            return "History(empty)"
        last = ", ".join(f"{k}={v:.4g}" for k, v in self.rows[-1].items() if k != "epoch")
        return f"History({self.epochs} epochs; last: {last})"


def fit(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, *,
        loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], epochs: int, batch_size: int = 128,
        lr: float = 1e-3, weight_decay: float = 0.0, device: torch.device | str | None = None, seed: int = 0,
        val: tuple[torch.Tensor, torch.Tensor] | None = None,
        metric: Callable[[torch.Tensor, torch.Tensor], float] | None = None,
        on_epoch_end: Callable[[int, nn.Module], None] | None = None, progress: bool = True,
        description: str = "training") -> History:
    """Train ``model`` with Adam on in-memory tensors (uint8 ones are images, turned into floats a batch at a
    time) and return its :class:`History`. ``on_epoch_end(epoch, model)`` runs after every epoch and once
    with epoch 0 before training; ``metric(outputs, targets)`` is reported on ``val``."""
    validation.module(model, "model")
    for name, t in (("inputs", inputs), ("targets", targets)):
        if not isinstance(t, torch.Tensor):
            validation.fail(name, "a torch tensor", t, kind=validation.InvalidType, got=validation.type_name(t))
    if len(inputs) != len(targets):
        raise validation.InvalidValue(f"inputs and targets must have the same length, got {len(inputs)} and "
                                      f"{len(targets)}")
    validation.callable_or_none(loss_fn, "loss_fn", "a loss function such as F.cross_entropy")
    epochs = validation.integer(epochs, "epochs", low=0)
    batch_size = validation.integer(batch_size, "batch_size", low=1)
    lr = validation.number(lr, "lr", low=0, low_open=True)
    weight_decay = validation.number(weight_decay, "weight_decay", low=0)
    validation.callable_or_none(metric, "metric")
    validation.callable_or_none(on_epoch_end, "on_epoch_end")
    validation.boolean(progress, "progress")
    from tqdm.auto import tqdm

    device = torch.device(device) if device is not None else choose_device()
    generator = seed_everything(seed)
    optimizer = torch.optim.Adam(model.to(device).parameters(), lr=lr, weight_decay=weight_decay)
    history = History()
    _epoch_done(model, 0, on_epoch_end)
    steps = (len(inputs) + batch_size - 1) // batch_size
    with closing(tqdm(total=epochs * steps, desc=description, disable=not progress, leave=False)) as bar:
        for epoch in range(1, epochs + 1):
            started = time.perf_counter()
            loss = train_epoch(model, optimizer, inputs, targets, loss_fn=loss_fn, batch_size=batch_size,
                               generator=generator, device=device, on_batch=bar.update)
            row = {"epoch": float(epoch), "train_loss": loss,
                   **(evaluate(model, *val, loss_fn=loss_fn, metric=metric, device=device) if val is not None else {})}
            history.rows.append({**row, "seconds": time.perf_counter() - started})
            # shown with the bar's next update (at most ten a second): a redraw per epoch costs more than an epoch
            bar.set_postfix({k: round(v, 4) for k, v in row.items() if k != "epoch"}, refresh=False)
            _epoch_done(model, epoch, on_epoch_end)
    model.eval()
    return history


def _epoch_done(model: nn.Module, epoch: int, on_epoch_end: Callable[[int, nn.Module], None] | None) -> None:
    if on_epoch_end is not None:
        model.eval()
        on_epoch_end(epoch, model)


def train_epoch(model: nn.Module, optimizer: torch.optim.Optimizer, inputs: torch.Tensor, targets: torch.Tensor, *,
                loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor], batch_size: int,
                generator: torch.Generator | None = None, device: torch.device | str = "cpu",
                on_batch: Callable[[int], Any] | None = None) -> float:
    """One pass over shuffled mini-batches of ``inputs`` and ``targets``: a step of ``optimizer`` per
    batch. Returns the mean training loss; ``on_batch(1)`` is called after each step (a progress bar)."""
    model.train()
    total, count = 0.0, 0
    for xb, yb in iterate_batches(inputs, targets, batch_size=batch_size, shuffle=True, generator=generator):
        xb, yb = _floats(xb).to(device), _floats(yb).to(device)
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(model(xb), yb)
        loss.backward()
        optimizer.step()
        total += loss.item() * len(xb)
        count += len(xb)
        if on_batch is not None:
            on_batch(1)
    return total / max(count, 1)


@torch.no_grad()
def predict(
    model: nn.Module, inputs: torch.Tensor, *, batch_size: int = 1024, device: torch.device | str | None = None
) -> torch.Tensor:
    """Run ``model`` on ``inputs`` in batches, in eval mode, and return the outputs on the CPU
    (uint8 ``inputs`` are images, turned into floats a batch at a time)."""
    validation.module(model, "model")
    if not isinstance(inputs, torch.Tensor):
        validation.fail("inputs", "a torch tensor", inputs, kind=validation.InvalidType,
                        got=validation.type_name(inputs))
    device = torch.device(device) if device is not None else next(model.parameters()).device
    model.eval()
    outs = [model(_floats(xb).to(device)).cpu() for (xb,) in iterate_batches(inputs, batch_size=batch_size)]
    return torch.cat(outs) if outs else torch.empty(0)


def accuracy(outputs: torch.Tensor, targets: torch.Tensor) -> float:
    """Share of rows whose largest output is the target class."""
    return (outputs.argmax(dim=1) == targets).float().mean().item()


@torch.no_grad()
def evaluate(model: nn.Module, inputs: torch.Tensor, targets: torch.Tensor, *,
             loss_fn: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
             metric: Callable[[torch.Tensor, torch.Tensor], float] | None = None,
             device: torch.device | str | None = None) -> dict[str, float]:
    """Validation loss (and metric, if given) of ``model`` on a whole data set."""
    outputs = predict(model, inputs, device=device)
    targets = _floats(targets)
    result = {"val_loss": loss_fn(outputs, targets).item()}
    if metric is not None:
        result["val_metric"] = float(metric(outputs, targets))
    return result


def cache_key(name: str, config: dict[str, Any], data_fingerprint: str = "") -> str:
    """A file-name-safe key for a model: its name plus a hash of its config and data (:func:`helpers.cache.key`)."""
    if not isinstance(name, str) or not name or not name.replace("_", "").replace("-", "").isalnum():
        validation.fail("name", "a short name of letters, digits, '-' and '_'", name)
    if not isinstance(config, dict):
        validation.fail("config", "a dict", config, kind=validation.InvalidType, got=validation.type_name(config))
    try:
        return course_cache.key(name, {"config": config, "data": data_fingerprint, "format": CACHE_FORMAT})
    except TypeError as exc:
        raise validation.InvalidType(f"config must hold only JSON values (numbers, strings, lists, dicts): {exc}"
                                     ) from None


def _state(payload: bytes) -> dict[str, Any]:
    state = torch.load(io.BytesIO(payload), map_location="cpu", weights_only=True)
    if not isinstance(state, dict):
        raise ValueError("it is not a dictionary")
    return state


class WeightCache:
    """Trained weights, one entry of the course cache (:mod:`helpers.cache`) per key: ``<folder>/<key>.pt``."""

    def __init__(self, folder: str | os.PathLike[str] | None = None) -> None:
        if folder is None:
            self.folder = paths.cache_dir("weights")
        else:
            self.folder = Path(folder)
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                paths.report_unwritable(self.folder, error)

    def path(self, key: str) -> Path:
        return self.folder / f"{key}.pt"

    def save(self, key: str, state: dict[str, Any]) -> Path | None:
        """Store ``state`` (tensors, numbers, strings, lists, dicts); its path, or None if it is only in memory."""
        def encode(value: dict[str, Any]) -> bytes:
            buffer = io.BytesIO()
            torch.save(value, buffer)
            return buffer.getvalue()

        return self.path(key) if course_cache.save(self.folder, f"{key}.pt", state, encode) else None

    def load(self, key: str) -> dict[str, Any] | None:
        """The stored state, or None when absent or unusable (with a warning)."""
        return course_cache.load(self.folder, f"{key}.pt", _state, what="weights")

    def discard(self, key: str, reason: str) -> None:
        """Warn that the weights under ``key`` could not be used, and move them aside if possible."""
        course_cache.discard(self.path(key), reason, "weights")


def train_or_load(model: nn.Module, key: str, train: Callable[[nn.Module], History | None], *,
                  cache: WeightCache | None = None, extra: Callable[[], dict[str, Any]] | None = None,
                  shipped: bool = False, measure: Callable[[], dict[str, Any]] | None = None,
                  needs: tuple[str, ...] = ()) -> tuple[nn.Module, dict[str, Any]]:
    """Load ``model``'s weights from the cache under ``key`` (then, with ``shipped=True``, the shipped ones), or
    train them with ``train(model)`` and store them with ``extra()``.

    Returns the model (CPU, eval mode) and a dict with ``from_cache``, ``history``, ``train_seconds``,
    ``source`` ("cache", "shipped" or "trained") and what ``extra`` stored. A cached entry lacking a value
    in ``needs`` is set aside; shipped weights whose ``measure()`` differs from the manifest are refused.
    """
    validation.boolean(shipped, "shipped")
    cache = cache if cache is not None else WeightCache()
    state, source = _load_cached(model, key, cache, needs), "cache"
    if state is None and shipped:
        state, source = _load_shipped(model, key, measure), "shipped"
    if state is None:
        state, source = _train_and_store(model, key, train, cache, extra), "trained"
    model.to("cpu").eval()
    info = {name: value for name, value in state.items() if name != "weights"}
    return model, {**info, "from_cache": source == "cache", "source": source}


def _put_weights(model: nn.Module, state: dict[str, Any]) -> str | None:
    """Load ``state["weights"]`` into ``model``: None when done, else why not (``model`` is left as it was)."""
    initial = copy.deepcopy(model.state_dict())
    try:
        model.load_state_dict(state["weights"])
    except Exception as exc:  # a file that passed its checksum but does not fit this model
        model.load_state_dict(initial)  # train from the seeded start, not from half-loaded weights
        return f"{type(exc).__name__}: {exc}"
    return None


def _load_cached(model: nn.Module, key: str, cache: WeightCache, needs: tuple[str, ...]) -> dict[str, Any] | None:
    """The cached state for ``key``, its weights loaded into ``model``; None (set aside if unusable) otherwise."""
    state = cache.load(key)
    if state is None:
        return None
    missing = [name for name in needs if name not in state]
    problem = f"it lacks {', '.join(missing)}" if missing else _put_weights(model, state)
    if problem is not None:
        cache.discard(key, reason=problem if missing else f"it does not fit the model: {problem}")
        return None
    return state


def _train_and_store(model: nn.Module, key: str, train: Callable[[nn.Module], History | None], cache: WeightCache,
                     extra: Callable[[], dict[str, Any]] | None) -> dict[str, Any]:
    """Train ``model`` (timed), then store its weights with its history and ``extra()`` under ``key``."""
    started = time.perf_counter()
    history = train(model)
    seconds = time.perf_counter() - started
    model.to("cpu").eval()
    state = {"weights": model.state_dict(), "history": history.rows if isinstance(history, History) else [],
             "train_seconds": seconds, **(extra() if extra is not None else {})}
    cache.save(key, state)
    return state


#: How far a shipped model's re-measured quality may lie from what the manifest records.
SHIPPED_ACCURACY_TOLERANCE, SHIPPED_MSE_TOLERANCE = 0.01, 0.10  # absolute; relative


def _shipped_problem(path: Path, key: str, measure: Callable[[], dict[str, Any]]) -> str | None:
    """Why the loaded shipped weights do not measure what the manifest records, or None (measured once per
    file: the verdict is cached under its checksum)."""
    from helpers import data

    record = data.shipped_record(key)
    recorded = {k: record[k] for k in ("test_accuracy", "test_mse") if isinstance(record.get(k), (int, float))}
    if not recorded:
        return None
    name = f"{key}-{record.get('sha256', 'unknown')[:16]}.entry"
    measured = course_cache.load("verdicts", name, decode=lambda b: json.loads(b), what="verdict")
    if not isinstance(measured, dict):
        measured = {k: float(v) for k, v in measure().items() if k in recorded}
        course_cache.save("verdicts", name, measured, lambda v: json.dumps(v).encode())
    for metric, value in recorded.items():
        got = measured.get(metric)
        tolerance = SHIPPED_ACCURACY_TOLERANCE if metric == "test_accuracy" else SHIPPED_MSE_TOLERANCE * value
        if not isinstance(got, (int, float)) or not abs(got - value) <= tolerance:
            return (f"the shipped weights {path.name} measure {metric.replace('_', ' ')} {got:.4f}, but the manifest "
                    f"records {value:.4f} (untrained or altered weights)")
    return None


def _load_shipped(model: nn.Module, key: str,
                  measure: Callable[[], dict[str, Any]] | None = None) -> dict[str, Any] | None:
    """The shipped state for ``key`` loaded into ``model`` (and measured, with ``measure``); None otherwise."""
    from helpers import data  # here: the data loaders are not needed to train

    try:
        path = data.shipped_weights(key)
    except data.DataFileError as error:
        validation.warn(f"the shipped weights could not be used: {error.problem} The model will be trained "
                        f"instead. Restore the file with `git checkout -- data/{error.name}`.", paths.CacheWarning)
        return None
    if path is None:
        return None
    initial = copy.deepcopy(model.state_dict())
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        problem = _put_weights(model, state)
    except Exception as exc:  # a file that passed its checksum but holds no weights
        problem = f"{type(exc).__name__}: {exc}"
    if problem is not None:
        validation.warn(f"the shipped weights {path.name} do not fit the model ({problem}); "
                        "the model will be trained instead.", paths.CacheWarning)
        return None
    problem = _shipped_problem(path, key, measure) if measure is not None else None
    if problem is not None:
        model.load_state_dict(initial)
        validation.warn(f"{problem}; they are not used, and the model will be trained instead. Restore the file "
                        f"with `git checkout -- data/weights/{path.name}`.", paths.CacheWarning)
        return None
    return state
