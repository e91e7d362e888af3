"""What a page shows of a trained network: its curves, planes through its weights, lines between
solutions, and its sharpness along the way. Pure numpy over :mod:`gdviz.learning.networks`.

A training keeps about :data:`CHECKPOINTS` positions along its path (``descend(every=…)``): the
planes, the PCA and the sharpness are computed at those.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from gdviz.core.descent import DIVERGED, TooLongError, descend
from gdviz.core.optim import Optimizer
from gdviz.core.schedules import Schedule
from gdviz.learning import probes
from gdviz.learning.networks import MLP
from gdviz.learning.probes import Normalisation

Array = np.ndarray
CHECKPOINTS = 150


def split_rows(n: int, train_rows: int = 0, seed: int = 0) -> tuple[Array, Array]:
    """A fixed split of ``n`` rows: a seeded permutation, the last fifth held out, the first
    ``train_rows`` (0: all the others) to train on. Returns index arrays (train, held)."""
    order = np.random.default_rng(seed).permutation(n)
    held = n // 5
    available = order[: n - held]
    return np.sort(available[: train_rows or len(available)]), np.sort(order[n - held :])


@dataclass(frozen=True, eq=False)
class NetworkRun:
    """One training: the objective on the training rows ``net`` and on the held-out rows
    ``held``; positions at ``steps_kept (K,)`` in ``path (K, P)`` (the last is the final
    point); the training loss at every step ``loss (steps+1,)``; and at each kept step the
    held-out loss and both accuracies ``(K,)``. ``diverged_at`` is the step it blew up at
    (-1: never)."""

    net: MLP
    held: MLP
    path: Array
    steps_kept: Array
    loss: Array
    held_loss: Array
    train_accuracy: Array
    held_accuracy: Array
    lr: Array
    diverged_at: int

    @property
    def final(self) -> Array:
        return self.path[-1]

    @property
    def start(self) -> Array:
        return self.path[0]


def train(
    net: MLP,
    held: MLP,
    optimizer: Optimizer,
    theta0: Array,
    steps: int,
    *,
    schedule: Schedule | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    seconds: float | None = None,
) -> NetworkRun:
    """Train ``net`` from ``theta0 (P,)`` with ``descend`` (the same optimizers, schedules and
    mini-batches as every page), keeping about :data:`CHECKPOINTS` positions."""
    every = max(1, -(-steps // CHECKPOINTS))
    traj = descend(
        net,
        optimizer,
        np.asarray(theta0, dtype=float),
        steps,
        schedule=schedule,
        batch_size=batch_size,
        seed=seed,
        every=every,
        seconds=seconds,
    )
    assert traj.path is not None and traj.loss is not None and traj.lr is not None
    kept = np.arange(0, steps + 1, every)
    path = traj.path[:, 0]
    if kept[-1] != steps:  # the final point, whatever the spacing
        kept, path = np.append(kept, steps), np.vstack([path, traj.final])
    return NetworkRun(
        net=net,
        held=held,
        path=path,
        steps_kept=kept,
        loss=traj.loss[:, 0],
        held_loss=np.asarray(held.value(path)),
        train_accuracy=np.asarray(net.accuracy(path)),
        held_accuracy=np.asarray(held.accuracy(path)),
        lr=traj.lr[:, 0],
        diverged_at=int(traj.diverged_at[0]) if traj.status[0] == DIVERGED else -1,
    )


@dataclass(frozen=True, eq=False)
class PlaneView:
    """Losses ``(B, A)`` on the plane ``θ_final + α d1 + β d2`` over ``alphas (A,)`` and
    ``betas (B,)``, with the path: each kept position's coordinates ``(K, 2)`` in the plane
    (least squares), its real loss and the surface's loss right under it ``(K,)``, and its
    distance off the plane ``(K,)`` (relative to the length of the path, in ``off_share``).
    ``explained (2,)``: the variance each PCA direction explains (``None`` for a random
    plane)."""

    kind: str
    alphas: Array
    betas: Array
    losses: Array
    coords: Array
    path_loss: Array
    surface_loss: Array
    off_plane: Array
    explained: Array | None

    @property
    def off_share(self) -> float:
        """The largest distance off the plane, as a share of the path's largest distance from
        the final point: 0 when the path lies in the plane."""
        reach = float(np.max(np.hypot(*self.coords.T) + self.off_plane))
        return float(np.max(self.off_plane)) / reach if reach > 0 else 0.0


def _view(
    kind: str,
    run: NetworkRun,
    directions: Array,
    alphas: Array,
    betas: Array,
    explained: Array | None,
) -> PlaneView:
    moves = run.path - run.final
    coords, *_ = np.linalg.lstsq(directions.T, moves.T, rcond=None)
    coords = coords.T  # (K, 2)
    off = np.linalg.norm(moves - coords @ directions, axis=1)
    surface = np.asarray(run.net.value(run.final + coords @ directions))
    losses = probes.plane(run.net, run.final, directions[0], directions[1], alphas, betas)
    return PlaneView(
        kind, alphas, betas, losses, coords, run.loss[run.steps_kept], surface, off, explained
    )


def random_plane(
    run: NetworkRun,
    span: float = 1.0,
    resolution: int = 31,
    norm: Normalisation = "filter",
    seed: int = 0,
) -> PlaneView:
    """Li et al.'s picture: the loss on a plane through the final weights along two random
    directions (filter-normalised by default), ``α, β ∈ [−span, span]``, with the path
    projected onto it."""
    directions = probes.random_directions(run.net, run.final, seed=seed, norm=norm)
    grid = np.linspace(-span, span, resolution)
    return _view(f"random ({norm})", run, directions, grid, grid, None)


def pca_plane(run: NetworkRun, resolution: int = 31, margin: float = 0.25) -> PlaneView:
    """The plane of the path's two principal directions (Li et al.'s trajectory plot), over the
    range the path covers plus ``margin`` of it on each side."""
    pca = probes.path_pca(run.path)
    low, high = pca.coords.min(axis=0), pca.coords.max(axis=0)
    pad = margin * np.maximum(high - low, 1e-6)
    alphas = np.linspace(low[0] - pad[0], high[0] + pad[0], resolution)
    betas = np.linspace(low[1] - pad[1], high[1] + pad[1], resolution)
    return _view("PCA of the path", run, pca.directions, alphas, betas, pca.explained)


def boundary(
    run: NetworkRun, X: Array, frames: int = 16, side: int = 90
) -> tuple[Array, Array, Array, Array]:
    """A 2-D classifier's probability of class 1 over a grid around ``X (n, 2)`` at ``frames``
    kept steps: ``(xs (side,), ys (side,), probabilities (K, side, side), steps (K,))``."""
    low, high = X.min(axis=0) - 0.3, X.max(axis=0) + 0.3
    xs, ys = np.linspace(low[0], high[0], side), np.linspace(low[1], high[1], side)
    grid = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    picks = np.unique(np.linspace(0, len(run.steps_kept) - 1, frames).round().astype(int))
    logits = run.net.predict(run.path[picks], grid)  # (K, side², C)
    odds = np.exp(logits - logits.max(axis=-1, keepdims=True))
    probability = odds[..., 1] / odds.sum(axis=-1)
    return xs, ys, probability.reshape(len(picks), side, side), run.steps_kept[picks]


def held_mistakes(run: NetworkRun, rows: Array) -> tuple[Array, Array]:
    """The held-out rows the final network gets wrong: their positions in ``rows`` (the
    held-out rows' indices in the data set, for pictures of them) ``(k,)`` and the classes it
    reads them as ``(k,)``."""
    guess = run.held.predict(run.final, run.held.X).argmax(axis=-1)
    wrong = np.flatnonzero(guess != run.held.y)
    return rows[wrong], guess[wrong]


def to_csv(run: NetworkRun) -> str:
    """The training as CSV, a row a step: the training loss and rate at every step, the
    held-out loss and both accuracies at the kept steps (empty elsewhere)."""
    kept = {step: k for k, step in enumerate(run.steps_kept.tolist())}
    lines = ["step,training_loss,learning_rate,held_out_loss,training_accuracy,held_out_accuracy"]
    for step, loss in enumerate(run.loss):
        rate = repr(float(run.lr[step])) if step < len(run.lr) else ""
        k = kept.get(step)
        extra = (
            ",,"
            if k is None
            else f"{float(run.held_loss[k])!r},{float(run.train_accuracy[k])!r},"
            f"{float(run.held_accuracy[k])!r}"
        )
        lines.append(f"{step},{float(loss)!r},{rate},{extra}")
    return "\n".join(lines) + "\n"


def line(net: MLP, held: MLP, a: Array, b: Array, alphas: Array) -> tuple[Array, Array]:
    """Training and held-out losses ``(A,)`` on ``θ(α) = (1 − α) a + α b``: Goodfellow et al.
    (2015) from initial to final weights (α ∈ [0, 1] and beyond), Keskar et al. (2017)
    between a small-batch and a large-batch solution (α ∈ [−1, 2])."""
    alphas = np.asarray(alphas, dtype=float)
    points = (1.0 - alphas)[:, None] * a + alphas[:, None] * b
    return np.asarray(net.value(points)), np.asarray(held.value(points))


def sharpness_along(
    run: NetworkRun, count: int = 24, tol: float = 1e-6, seconds: float | None = None
) -> tuple[Array, Array]:
    """The sharpness (top Hessian eigenvalue of the training loss) at ``count`` kept steps
    spread over the training: ``(steps (count,), sharpness (count,))``. ``seconds``: a time
    limit, checked between points (``TooLongError`` past it)."""
    picks = np.unique(np.linspace(0, len(run.steps_kept) - 1, count).round().astype(int))
    began = time.monotonic()
    tops = []
    for done, i in enumerate(picks):
        if seconds is not None and time.monotonic() - began > seconds:
            raise TooLongError(seconds, done, len(picks))
        tops.append(probes.sharpness(run.net, run.path[i], tol=tol).top)
    return run.steps_kept[picks], np.array(tops)


@dataclass(frozen=True, eq=False)
class ScalingDemo:
    """Why filter normalisation: the losses ``(B, A)`` around θ and around θ rescaled (layer
    ``layer`` × c, the next ÷ c: the same function), with plain and with filter-normalised
    directions. ``grid (A,)`` is both axes."""

    c: float
    grid: Array
    plain: Array
    plain_scaled: Array
    filtered: Array
    filtered_scaled: Array


def scaling_demo(
    net: MLP, theta: Array, c: float = 5.0, span: float = 1.0, resolution: int = 25
) -> ScalingDemo:
    """The same ReLU network at θ and at θ rescaled by c (see :func:`probes.scaled_layers`):
    its loss is identical, its plain random plane is not, its filter-normalised plane is."""
    scaled = probes.scaled_layers(net, theta, 0, c)
    grid = np.linspace(-span, span, resolution)

    def around(point: Array, norm: Normalisation) -> Array:
        d = probes.random_directions(net, point, seed=0, norm=norm)
        return probes.plane(net, point, d[0], d[1], grid, grid)

    return ScalingDemo(
        c,
        grid,
        around(theta, "none"),
        around(scaled, "none"),
        around(theta, "filter"),
        around(scaled, "filter"),
    )
