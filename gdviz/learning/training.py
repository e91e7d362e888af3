"""Learning from data: a data set, a two-parameter model, a feature scaling, and training runs.

A :class:`Problem` is the loss of one model over ``θ = (w, b)`` on one data set, the model seeing
the feature either raw or standardised (``z = (x − μ)/s``). Both describe the same predictions:
``w_raw = w_std / s`` and ``b_raw = b_std − w_std μ / s`` (:func:`convert`), but the raw loss
surface is a stretched, tilted version of the standardised one. Its Hessian is ``(2/n) DᵀD`` for
squared error with ``D = [x, 1]``; when ``x`` sits far from zero the two columns of ``D`` are
nearly parallel, so the bowl becomes a ravine and the critical learning rate ``2/λ_max`` shrinks
by the factor the ravine is stretched.

:func:`train` runs one *flavour* of gradient descent (batch, stochastic, mini-batch) for whole
epochs and keeps what a page shows: the path, the full-batch loss after every update, the loss
of the mini-batch each update used, and the rows in each batch.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from gdviz.core import analysis
from gdviz.core.descent import Trajectory, batch_orders, descend
from gdviz.core.landscapes.base import Landscape, on_map, stack_last, unstack_last
from gdviz.core.optim import sgd
from gdviz.learning import models
from gdviz.learning.datasets import Dataset

Array = np.ndarray
Scaling = Literal["raw", "standardised"]
Flavour = Literal["batch", "stochastic", "minibatch"]


@dataclass(frozen=True)
class ModelInfo:
    """How a model is named and written down, the tasks it fits, and the learning rate that
    suits it (``lr``): a sigmoid flattens the surface (σ' ≤ 1/4), so its models take larger
    steps."""

    title: str
    short: str
    formula: str  # LaTeX of L(w, b)
    output: str  # LaTeX of the prediction
    tasks: tuple[str, ...]
    lr: float


MODELS: dict[str, ModelInfo] = {
    "linear": ModelInfo(
        title="Linear neuron, squared error (linear regression)",
        short="linear + MSE",
        formula=r"L(w,b)=\frac{1}{n}\sum_{i=1}^{n}\left(w x_i+b-y_i\right)^2",
        output=r"\hat y = w x + b",
        tasks=("regression", "classification"),
        lr=0.1,
    ),
    "logistic": ModelInfo(
        title="Sigmoid neuron, cross-entropy (logistic regression)",
        short="sigmoid + cross-entropy",
        formula=r"L(w,b)=-\frac{1}{n}\sum_{i=1}^{n}\left[y_i\log\sigma(z_i)"
        r"+(1-y_i)\log\left(1-\sigma(z_i)\right)\right],\quad z_i=w x_i+b",
        output=r"\hat p = \sigma(w x + b) = \frac{1}{1+e^{-(w x+b)}}",
        tasks=("classification",),
        lr=0.5,
    ),
    "sigmoid_mse": ModelInfo(
        title="Sigmoid neuron, squared error (the mismatched loss)",
        short="sigmoid + MSE",
        formula=r"L(w,b)=\frac{1}{n}\sum_{i=1}^{n}\left(\sigma(w x_i+b)-y_i\right)^2",
        output=r"\hat p = \sigma(w x + b)",
        tasks=("classification",),
        lr=0.5,
    ),
}
FLAVOURS: dict[Flavour, str] = {
    "batch": "Batch",
    "stochastic": "Stochastic",
    "minibatch": "Mini-batch",
}


def _objective(model: str, x: Array, y: Array, bounds: tuple | None = None) -> models.RowModel:
    if model == "linear":
        return models.linear_regression(x, y, bounds)
    if model == "logistic":
        return models.logistic_regression(x, y, bounds)
    if model == "sigmoid_mse":
        return models.sigmoid_neuron(x, y, bounds)
    raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")


def convert(theta: Array, mean: float, std: float, to: Scaling) -> Array:
    """The same predictions in the other scaling: ``(..., 2) -> (..., 2)``.

    standardised → raw: ``w_r = w_s / s``, ``b_r = b_s − w_s μ / s``;
    raw → standardised: ``w_s = w_r s``, ``b_s = b_r + w_r μ``.
    """
    theta = np.asarray(theta, dtype=float)
    w, b = theta[..., 0], theta[..., 1]
    if to == "raw":
        return np.stack([w / std, b - w * mean / std], axis=-1)
    return np.stack([w * std, b + w * mean], axis=-1)


@dataclass(frozen=True, eq=False)
class Problem:
    """One model's loss over ``(w, b)`` on one data set, in one feature scaling.

    Attributes:
        dataset: the data (``x`` always in its raw units).
        model, scaling: keys of :data:`MODELS` and ``"raw"`` / ``"standardised"``.
        objective: the loss over ``θ (..., 2)``, with the map box as its ``bounds``.
        optimum: ``(2,)`` the exact minimiser (least squares, or damped Newton for the sigmoid
            models), ``None`` when there is none (separable classes).
        mean, std: of the raw feature; the model's input is ``(x − mean)/std`` when standardised.
    """

    dataset: Dataset
    model: str
    scaling: Scaling
    objective: models.RowModel
    optimum: Array | None
    mean: float
    std: float

    @property
    def bounds(self) -> tuple[tuple[float, float], tuple[float, float]]:
        return self.objective.bounds  # type: ignore[return-value]

    @property
    def info(self) -> ModelInfo:
        return MODELS[self.model]

    def inputs(self, x: Array) -> Array:
        """What the model sees for raw feature values ``x``: ``(m,) -> (m,)``."""
        x = np.asarray(x, dtype=float)
        return (x - self.mean) / self.std if self.scaling == "standardised" else x

    def predict(self, theta: Array, x: Array) -> Array:
        """Predictions at raw feature values ``x (m,)`` for parameters ``θ (..., 2)``:
        ``(..., m)``."""
        return self.objective.predict(theta, self.inputs(x)[:, None])

    @property
    def optimum_loss(self) -> float:
        return float("nan") if self.optimum is None else float(self.objective.value(self.optimum))

    def _reference(self) -> Array:
        """Where curvature is measured: the optimum, or the origin when there is none."""
        return self.optimum if self.optimum is not None else np.zeros(2)

    def critical_lr(self, momentum: float = 0.0) -> float:
        """Largest stable full-batch rate near the optimum: ``2(1 + β)/λ_max`` of the Hessian
        there (see :mod:`gdviz.core.analysis`; exact everywhere for squared error, whose Hessian is
        constant)."""
        return analysis.critical_lr(self.objective, self._reference(), momentum)

    def condition_number(self) -> float:
        """``λ_max / λ_min`` of the Hessian near the optimum: how stretched the bowl is."""
        return analysis.condition_number(self.objective, self._reference())

    def contains(self, theta: Array) -> bool:
        """Whether ``θ = (w, b)`` is finite and on the map."""
        return on_map(self.bounds, theta)

    def clamp(self, theta: Array) -> Array:
        """``θ`` moved onto the map: ``(2,) -> (2,)``."""
        lo = np.array([b[0] for b in self.bounds])
        hi = np.array([b[1] for b in self.bounds])
        return np.clip(np.asarray(theta, dtype=float), lo, hi)

    def landscape(self) -> Landscape:
        """The loss as a :class:`Landscape` (full batch), so map figures can paint it: one
        object per problem, so a map's picture (cached per landscape) is painted once."""
        return self._landscape

    @functools.cached_property
    def _landscape(self) -> Landscape:
        obj = self.objective

        def fn(w: Array, b: Array) -> Array:
            return obj.value(stack_last([w, b]))

        def grad_fn(w: Array, b: Array) -> tuple[Array, ...]:
            return unstack_last(obj.grad(stack_last([w, b])))

        def hess_fn(w: Array, b: Array) -> list[list[Array]]:
            h = obj.hessian(stack_last([w, b]))
            return [[h[..., 0, 0], h[..., 0, 1]], [h[..., 1, 0], h[..., 1, 1]]]

        minima = np.empty((0, 2)) if self.optimum is None else self.optimum[None]
        return Landscape(
            name=f"{self.dataset.key}:{self.model}:{self.scaling}",
            title=self.dataset.title,
            dim=2,
            bounds=self.bounds,
            minima=minima,
            formula=self.info.formula,
            blurb="",
            start=(0.0, 0.0),
            lr=0.1,
            fn=fn,
            grad_fn=grad_fn,
            hess_fn=hess_fn,
        )


def _box(
    task: str, optimum: Array | None, y: Array
) -> tuple[tuple[float, float], tuple[float, float]]:
    """The map box in standardised coordinates: the origin (the usual start) and the optimum,
    with a margin of about 1.5 target standard deviations (regression) or 6 units of ``z``
    (classification: wide enough to show where the sigmoid saturates)."""
    centre = np.zeros(2) if optimum is None else optimum
    margin = 1.5 * float(np.std(y)) if task == "regression" else 6.0
    margin = margin if margin > 0 else 1.0
    lo = np.minimum(0.0, centre) - margin
    hi = np.maximum(0.0, centre) + margin
    return (float(lo[0]), float(hi[0])), (float(lo[1]), float(hi[1]))


def _raw_box(box: tuple, mean: float, std: float) -> tuple[tuple[float, float], ...]:
    """The smallest box holding the image of the standardised box in raw coordinates."""
    corners = np.array([[w, b] for w in box[0] for b in box[1]])
    raw = convert(corners, mean, std, "raw")
    return tuple((float(raw[:, i].min()), float(raw[:, i].max())) for i in range(2))


def make_problem(dataset: Dataset, model: str, scaling: Scaling) -> Problem:
    """The loss of ``model`` on ``dataset`` with the feature ``scaling``; finds the optimum and
    the map box (raises ``ValueError`` for a model that does not fit the data's task)."""
    if dataset.task not in MODELS[model].tasks:
        raise ValueError(
            f"{MODELS[model].title} needs a target with two classes; "
            f"{dataset.title} has a numeric target: use the linear model"
        )
    mean, std = float(np.mean(dataset.x)), float(np.std(dataset.x))
    z = (dataset.x - mean) / std
    standard = _objective(model, z, dataset.y)
    theta = standard.optimum()
    box = _box(dataset.task, theta, dataset.y)
    if scaling == "standardised":
        return Problem(
            dataset, model, scaling, _objective(model, z, dataset.y, box), theta, mean, std
        )
    raw = _objective(model, dataset.x, dataset.y, _raw_box(box, mean, std))
    raw_theta = None
    if theta is not None and model == "linear":
        raw_theta = raw.optimum()  # least squares, directly in raw coordinates
    elif theta is not None:
        # The mapped optimum, polished by a few Newton steps in raw coordinates (kept as it is
        # if the badly conditioned raw problem will not polish it further).
        mapped = convert(theta, mean, std, "raw")
        polished = raw.optimum(mapped)
        raw_theta = mapped if polished is None else polished
    return Problem(dataset, model, scaling, raw, raw_theta, mean, std)


# -- training ---------------------------------------------------------------------------------


def batch_size_of(flavour: Flavour, batch_size: int, n: int) -> int:
    """Rows per update: all ``n`` (batch), 1 (stochastic) or ``min(batch_size, n)``."""
    if flavour == "batch":
        return n
    if flavour == "stochastic":
        return 1
    return max(1, min(int(batch_size), n))


def updates_per_epoch(batch_size: int, n: int) -> int:
    """``⌈n / B⌉``: one pass over the data (the last batch may be smaller, like
    ``DataLoader(drop_last=False)``)."""
    return math.ceil(n / batch_size)


def fit_budget(
    flavours: Sequence[Flavour], batch_size: int, epochs: int, n: int, max_updates: int
) -> tuple[int, int]:
    """``(batch_size, epochs)`` moved just enough that every flavour's run on ``n`` rows takes
    at most ``max_updates`` updates (``epochs × ⌈n / B⌉`` each).

    Settings carried over from a smaller data set are re-clamped rather than refused: the
    mini-batch size is raised first (to ``⌈n / ⌊max_updates / epochs⌋⌉``), and only where that
    cannot help (stochastic descent, B = 1; or more epochs than updates) are epochs lowered.
    """
    batch_size = max(1, min(int(batch_size), n))
    epochs = max(1, min(int(epochs), max_updates))
    if "minibatch" in flavours:
        batch_size = max(batch_size, min(n, math.ceil(n / (max_updates // epochs))))
    sizes = [batch_size_of(f, batch_size, n) for f in flavours]
    most = max(updates_per_epoch(size, n) for size in sizes)
    epochs = max(1, min(epochs, max_updates // most))
    return batch_size, epochs


def flavour_label(flavour: Flavour, batch_size: int) -> str:
    """``"Batch (B = 244)"``, ``"Stochastic (B = 1)"``, ``"Mini-batch (B = 16)"``."""
    return f"{FLAVOURS[flavour]} (B = {batch_size})"


@dataclass(frozen=True, eq=False)
class Training:
    """One run of gradient descent over whole epochs.

    Attributes:
        label: e.g. ``"Mini-batch (B = 16)"``.
        flavour, batch_size: rows per update ``B``; ``per_epoch = ⌈n/B⌉`` updates an epoch.
        traj: the run (one trajectory); ``traj.path (T+1, 1, 2)``, ``traj.loss (T+1, 1)`` the
            full-batch loss after each update, ``T = epochs · per_epoch``.
        orders: ``(epochs, n)`` the row order of each epoch; update ``t`` of epoch ``e`` uses
            ``orders[e, j·B : (j+1)·B]`` with ``j = t mod per_epoch``.
        batch_loss: ``(T,)`` the loss of the batch update ``t`` used, at the parameters the
            update started from (what the update "saw"; noisy for small batches).
    """

    label: str
    flavour: Flavour
    batch_size: int
    per_epoch: int
    epochs: int
    traj: Trajectory
    orders: Array
    batch_loss: Array

    @property
    def path(self) -> Array:
        """``(T+1, 2)``."""
        return self.traj.recorded("path")[:, 0]

    @property
    def loss(self) -> Array:
        """``(T+1,)`` full-batch loss."""
        return self.traj.recorded("loss")[:, 0]

    @property
    def steps(self) -> int:
        return self.traj.steps

    def epoch_axis(self) -> Array:
        """``(T+1,)`` epochs elapsed at each position: ``t / per_epoch``."""
        return np.arange(self.steps + 1) / self.per_epoch

    def epoch_loss(self) -> Array:
        """``(epochs+1,)`` full-batch loss at the start and after each epoch."""
        return self.loss[:: self.per_epoch]

    def rows(self, t: int) -> Array:
        """Row indices used by update ``t`` (``0 ≤ t < T``)."""
        epoch, j = divmod(int(t), self.per_epoch)
        return self.orders[epoch, j * self.batch_size : (j + 1) * self.batch_size]

    @property
    def status(self) -> str:
        return str(self.traj.status[0])


def train(
    problem: Problem,
    flavour: Flavour,
    *,
    batch_size: int = 32,
    epochs: int = 20,
    lr: float = 0.1,
    momentum: float = 0.0,
    seed: int = 0,
    start: Array | tuple[float, float] = (0.0, 0.0),
) -> Training:
    """``epochs`` passes of SGD (``torch.optim.SGD`` semantics, with ``momentum``) over the data,
    ``B`` rows an update (see :func:`batch_size_of`), batches drawn like
    ``DataLoader(batch_size=B, shuffle=True)`` from ``seed``. Every flavour with the same seed
    sees the rows in the same order."""
    n = problem.dataset.n
    size = batch_size_of(flavour, batch_size, n)
    per_epoch = updates_per_epoch(size, n)
    steps = epochs * per_epoch
    traj = descend(
        problem.objective,
        sgd(lr, momentum=momentum),
        np.asarray(start, dtype=float),
        steps,
        batch_size=size,
        seed=seed,
    )
    orders = batch_orders(n, seed, epochs)
    return Training(
        label=flavour_label(flavour, size),
        flavour=flavour,
        batch_size=size,
        per_epoch=per_epoch,
        epochs=epochs,
        traj=traj,
        orders=orders,
        batch_loss=_batch_losses(
            problem.objective, traj.recorded("path")[:, 0], orders, size, per_epoch
        ),
    )


def _batch_losses(
    objective: models.RowModel, path: Array, orders: Array, size: int, per_epoch: int
) -> Array:
    """``(T,)`` mean loss of each update's batch at the parameters it started from, one
    vectorised pass per epoch: row ``orders[e, i]`` belongs to update ``e·per_epoch + i // B``."""
    n = orders.shape[1]
    within = np.arange(n) // size
    starts = np.arange(0, n, size)
    counts = np.diff(np.append(starts, n))
    out = np.empty(orders.shape[0] * per_epoch)
    for epoch, order in enumerate(orders):
        update = epoch * per_epoch + within
        losses = objective.row_losses(path[update], order)
        out[epoch * per_epoch : (epoch + 1) * per_epoch] = np.add.reduceat(losses, starts) / counts
    return out
