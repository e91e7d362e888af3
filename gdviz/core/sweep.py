"""Learning-rate sweeps and basins of attraction: many runs, one vectorised call each.

A sweep runs one optimizer from one start at M log-spaced learning rates and sorts every rate
into a region:

* ``diverging``: the run blew up, or it keeps overshooting (its last update reversed the one
  before) and its loss is now above where it started: it is climbing out and will blow up
  given time;
* ``converging``: the run settled (see ``descend``'s status rules), or came 99.9% of the way
  from the start's loss down to the minimum's (:data:`ARRIVED`);
* ``oscillating``: still moving, each update reversing the last but no longer than it;
* ``too slow``: still moving in a steady direction (crawling, not yet there).

A basin map runs one optimizer from every cell of a grid of starts and labels each cell with the
known minimum its run ends at (or ``UNSETTLED`` / ``DIVERGED_CELL``).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdviz.core import analysis
from gdviz.core.descent import CONVERGED, DIVERGED, Trajectory, descend
from gdviz.core.landscapes.base import Landscape
from gdviz.core.optim import Optimizer
from gdviz.core.schedules import Schedule

Array = np.ndarray
REGIONS = ("too slow", "converging", "oscillating", "diverging")
UNSETTLED, DIVERGED_CELL = -1, -2


ARRIVED = 1e-3
"""A run that has come 99.9% of the way from its start's loss down to the minimum's counts as
converging, whether or not its steps have stopped: a learner reads a final loss of 1e-8 as
"got there", not as "too slow"."""


def classify(
    traj: Trajectory, start_loss: Array | float, floor: float = math.nan, arrived: float = ARRIVED
) -> Array:
    """The region of each run: ``(N,)`` strings from :data:`REGIONS`.

    ``start_loss``: the loss at each run's start (scalar or ``(N,)``); ``floor``: the lowest
    known loss (the global minimum's; ``nan`` when none is known). A run converges when it
    settled (``descend``'s rule) or when ``final − floor ≤ arrived · (start − floor)``. A single
    longer move is not enough to call a run unstable: with momentum the iterates spiral in, and
    a move can outgrow the one before while the spiral still shrinks.
    """
    reversing = np.sum(traj.last_move * traj.previous_move, axis=-1) < 0
    growing = reversing & (traj.final_loss > start_loss)
    close = (
        (traj.final_loss - floor <= arrived * (np.asarray(start_loss) - floor))
        if np.isfinite(floor)
        else np.zeros(traj.final_loss.shape, dtype=bool)
    )
    return np.where(
        (traj.status == DIVERGED) | growing,
        "diverging",
        np.where(
            (traj.status == CONVERGED) | close,
            "converging",
            np.where(reversing, "oscillating", "too slow"),
        ),
    )


def divergence_edge(lrs: Array, region: Array) -> float | None:
    """The smallest learning rate in the ``diverging`` region (``None`` if none is)."""
    diverging = np.asarray(lrs)[np.asarray(region) == "diverging"]
    return float(diverging.min()) if diverging.size else None


@dataclass(frozen=True)
class Sweep:
    """A learning-rate sweep: per rate ``(M,)`` arrays, plus the edges found."""

    lrs: Array
    final_loss: Array
    region: Array
    converged_at: Array  # -1 where not converged
    steps: int
    edge: float | None  # measured: the smallest rate in the diverging region
    critical: float  # predicted from the Hessian at the minimum the runs head for (inf: none)
    minimum: Array | None  # that minimum, (d,); None when the landscape has no known minimum


def lr_sweep(
    landscape: Landscape,
    make_optimizer: Callable[[Array], Optimizer],
    start: Array,
    steps: int,
    lrs: Array,
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    schedule: Schedule | None = None,
    grad_noise: float = 0.0,
    seed: int | None = 0,
    seconds: float | None = None,
) -> Sweep:
    """Run ``make_optimizer(lrs)`` (one run per rate) from ``start`` in one call.

    ``momentum`` / ``nesterov`` describe the optimizer for the critical-rate bound (heavy ball
    or Nesterov); the bound is taken at the known minimum nearest the converging runs' final
    points (or nearest the start if none converged). A landscape with no known minimum on its
    map (``x + y``, a typed ``exp(x)``) has no such bound: ``critical`` is ``inf`` and
    ``minimum`` is ``None``.
    """
    lrs = np.asarray(lrs, dtype=float)
    traj = descend(
        landscape,
        make_optimizer(lrs),
        np.asarray(start, dtype=float),
        steps,
        schedule=schedule,
        grad_noise=grad_noise,
        seed=seed,
        record="final",
        seconds=seconds,
    )
    start_loss = float(landscape.value(np.asarray(start, dtype=float)))
    region = classify(traj, start_loss, landscape.global_min)
    minimum, critical = analysis.critical_at_minimum(
        landscape,
        landscape.minima,
        traj.final[region == "converging"],
        np.asarray(start, dtype=float),
        momentum=momentum,
        nesterov=nesterov,
    )
    return Sweep(
        lrs=lrs,
        final_loss=traj.final_loss,
        region=region,
        converged_at=traj.converged_at,
        steps=steps,
        edge=divergence_edge(lrs, region),
        critical=critical,
        minimum=minimum,
    )


@dataclass(frozen=True)
class BasinMap:
    """Where each start ends up: ``label (R, R)`` (rows follow y) indexes ``landscape.minima``,
    or is ``UNSETTLED`` (not within ``tolerance`` of a minimum) or ``DIVERGED_CELL``."""

    xs: Array
    ys: Array
    label: Array
    final: Array  # (R, R, d)
    steps: int
    tolerance: float


def basins(
    landscape: Landscape,
    optimizer: Optimizer,
    resolution: int,
    steps: int,
    *,
    tolerance: float | None = None,
    dtype: type = np.float64,
    seconds: float | None = None,
) -> BasinMap:
    """Run ``optimizer`` from every node of a ``resolution x resolution`` grid over the map.

    A cell belongs to minimum k when its run ends within ``tolerance`` of it (default: 2% of the
    map's diagonal, which adaptive methods hovering at the bottom also meet). ``seconds``: a
    time limit (``descend`` raises ``TooLongError``).
    """
    xs, ys = landscape.grid(resolution)
    xx, yy = np.meshgrid(xs, ys)
    starts = np.stack([xx.ravel(), yy.ravel()], axis=-1)
    traj = descend(
        landscape, optimizer, starts, steps, record="final", dtype=dtype, seconds=seconds
    )
    if tolerance is None:
        tolerance = 0.02 * float(np.hypot(*(landscape.hi - landscape.lo)))
    index, distance = landscape.nearest_minimum(traj.final.astype(float))
    label = np.where(distance <= tolerance, index, UNSETTLED)
    label = np.where(traj.status == DIVERGED, DIVERGED_CELL, label)
    shape = (len(ys), len(xs))
    return BasinMap(xs, ys, label.reshape(shape), traj.final.reshape(*shape, -1), steps, tolerance)
