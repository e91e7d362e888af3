"""A family of runs at log-spaced learning rates around a chosen one: what the rate scrubber
shows.

The scrubber lets a learner drag α and watch the whole path bend, without asking the server
for anything: every rate it can show is run up front, in one vectorised :func:`descend` call
(64 runs cost about what one does), and shipped to the browser with the figure.

The rates are ``α · r^k`` for whole ``k`` (so the chosen α is exactly one of them, and its frame
is the chosen run), with the ratio ``r`` set so that about ``count`` rates span from "too small"
(well below both α and the critical rate) to "diverges" (well above both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from gdviz.core import analysis
from gdviz.core.descent import DIVERGED, Objective, Trajectory, batches, descend
from gdviz.core.optim import Optimizer
from gdviz.core.schedules import Schedule
from gdviz.core.sweep import ARRIVED, classify, divergence_edge

Array = np.ndarray

FAMILY_SIZE = 56
"""Rates in a family: enough that neighbouring paths differ by a small step (a ratio of about
1.2 over the usual 4 decades), few enough that their frames stay well under 1 MB."""
BELOW, ABOVE = 20.0, 4.0
"""The family reaches ``BELOW`` times under the smaller of α and the critical rate (the runs
crawl there) and ``ABOVE`` times over the larger (past 2/λ_max every plain-GD run diverges)."""
MAX_DECADES = 6.0
"""At most this many decades of rates: a chosen α far from the critical rate keeps its own
neighbourhood, and the critical rate is then off the family (the scrubber says which way)."""
NOISY_ARRIVED = 0.02
"""A run on noisy gradients (gradient noise, or mini-batches smaller than the data) never
settles: it hovers. It counts as converging once it has come 98% of the way down (not the
99.9% of :data:`~gdviz.core.sweep.ARRIVED`), or its jitter would read as "oscillating"."""
NO_CRITICAL_DECADES = 2.0
"""Without a critical rate (adaptive optimizers, no known minimum): α ÷ 100 … α × 100."""


def family_rates(
    lr: float,
    critical: float = math.inf,
    *,
    count: int = FAMILY_SIZE,
    low: float = 1e-9,
    high: float = math.inf,
) -> tuple[Array, int]:
    """``(rates (M,), index of lr)``: log-spaced rates ``lr · r^k`` (to four significant
    digits), ``lr`` itself among them.

    With a finite ``critical`` rate the family spans ``min(lr, critical) / BELOW`` to
    ``max(lr, critical) · ABOVE`` (at most :data:`MAX_DECADES`, kept around ``lr``); without
    one, ``lr / 100`` to ``lr · 100``. Rates outside ``[low, high]`` (the model's bounds) are
    dropped. ``M`` is ``count`` or one or two more (whole powers on both sides of ``lr``).
    """
    if not (lr > 0 and math.isfinite(lr)):
        raise ValueError(f"lr must be a positive finite number; got {lr}")
    if count < 2:
        raise ValueError(f"a family needs at least 2 rates; got {count}")
    if math.isfinite(critical) and critical > 0:
        lo, hi = min(lr, critical) / BELOW, max(lr, critical) * ABOVE
        if math.log10(hi / lo) > MAX_DECADES:  # keep the window of MAX_DECADES around lr
            half = 10 ** (MAX_DECADES / 2)
            wide_lo, wide_hi = lo, hi
            lo, hi = max(wide_lo, lr / half), min(wide_hi, lr * half)
            if lo == wide_lo:
                hi = min(wide_hi, lo * 10**MAX_DECADES)
            if hi == wide_hi:
                lo = max(wide_lo, hi / 10**MAX_DECADES)
    else:
        lo, hi = lr / 10**NO_CRITICAL_DECADES, lr * 10**NO_CRITICAL_DECADES
    lo, hi = max(lo, low), min(hi, high)
    log_ratio = max(math.log10(hi / lo), 1e-9) / (count - 1)
    below = math.floor(math.log10(lo / lr) / log_ratio + 1e-9)
    above = math.ceil(math.log10(hi / lr) / log_ratio - 1e-9)
    k = np.arange(min(below, 0), max(above, 0) + 1)
    # Four significant digits, as the slider reads them: "use this rate" then sets exactly the
    # rate whose run the learner saw. The chosen rate stays exact: its frame is the chosen run.
    rates = np.array([float(f"{r:.4g}") for r in lr * 10.0 ** (k * log_ratio)])
    rates[k == 0] = lr
    keep = (rates >= low * (1 - 1e-12)) & (rates <= high * (1 + 1e-12))
    keep[k == 0] = True
    return rates[keep], int(np.flatnonzero(k[keep] == 0)[0])


@dataclass(frozen=True)
class Family:
    """Runs of one optimizer from one start at the rates ``rates (M,)`` (or, for a
    :func:`momentum_family`, at the momenta β: ``knob == "momentum"``; then ``critical`` is the
    smallest β stable at this α, and ``edge`` is ``None``).

    ``traj`` holds the M runs in path mode, run k at ``rates[k]``; ``chosen`` indexes the page's
    own α. ``region (M,)`` sorts each run as a sweep does (``too slow`` / ``converging`` /
    ``oscillating`` / ``diverging``); ``edge`` is the smallest diverging rate (``None``: none
    diverged); ``critical`` the predicted largest stable rate of plain/momentum GD at the
    minimum the runs head for (``inf`` when no bound applies).
    """

    rates: Array
    chosen: int
    traj: Trajectory
    region: Array
    critical: float
    edge: float | None
    floor: float  # the lowest loss to measure a gap to: the global minimum's, or the best seen
    knob: str = "lr"  # what the family varies: "lr" (α) or "momentum" (β, momentum_family)


def _critical_ahead(
    objective: Objective,
    optimizer: Optimizer,
    start: Array,
    steps: int,
    known: Array,
    schedule: Schedule | None,
) -> float:
    """The critical rate (momentum GD) at the minimum a short full-batch run at α heads for
    (the start's nearest, if it blows up): where the family mostly goes, so its curvature sets
    the rate to reach past."""
    hyper = optimizer.hyperparams
    probe = descend(objective, optimizer, start, min(steps, 200), schedule=schedule, record="final")
    _, critical = analysis.critical_at_minimum(
        objective,
        known,
        probe.final[probe.status != DIVERGED],
        start,
        momentum=float(hyper.get("momentum", 0.0)),
        dampening=float(hyper.get("dampening", 0.0)),
        nesterov=bool(hyper.get("nesterov", False)),
    )
    return critical


def _known(objective: Objective, minima: Array | None, floor: float | None) -> tuple[Array, float]:
    """The minima ``(J, d)`` and the lowest loss a family measures against: the ones given,
    else a landscape's own (``objective.minima``, ``objective.global_min``; none, NaN)."""
    known = np.asarray(getattr(objective, "minima", ()) if minima is None else minima)
    return known, float(getattr(objective, "global_min", math.nan) if floor is None else floor)


def rate_family(
    objective: Objective,
    optimizer: Optimizer,
    start: Array,
    steps: int,
    *,
    minima: Array | None = None,
    floor: float | None = None,
    schedule: Schedule | None = None,
    grad_noise: float = 0.0,
    seed: int | None = 0,
    batch_size: int | None = None,
    bounded: bool = True,
    count: int = FAMILY_SIZE,
    low: float = 1e-9,
    high: float = math.inf,
) -> Family:
    """Run ``optimizer`` at a family of rates around its own ``lr`` (one ``descend`` call).

    ``minima (J, d)`` and ``floor`` (the lowest known loss) default to a landscape's own
    (``objective.minima``, ``objective.global_min``). ``bounded``: the optimizer is (momentum)
    gradient descent, so the Hessian's critical rate at the minimum the runs head for bounds
    it; the family then reaches past it. The optimizer's other hyperparameters, the schedule,
    the gradient noise, the mini-batches (``batch_size``) and the seed are those of the chosen
    run (every run sees the same noise and the same batches), so the family's run at ``lr``
    *is* the chosen run. Rates outside ``[low, high]`` (the page's own bounds on α) are left
    out, so any rate the scrubber offers can become the page's.

    Shapes: ``start (d,)``; the result's ``traj`` holds ``M`` runs, ``path (steps+1, M, d)``.
    """
    start = np.asarray(start, dtype=float)
    known, floor = _known(objective, minima, floor)
    lr = float(np.asarray(optimizer.lr))
    hyper = optimizer.hyperparams
    critical = (
        _critical_ahead(objective, optimizer, start, steps, known, schedule)
        if bounded
        else math.inf
    )
    rates, chosen = family_rates(lr, critical, count=count, low=max(low, 1e-12), high=high)
    traj, region, lowest = _runs(
        objective,
        optimizer.rebuild(**{**hyper, "lr": rates}),
        start,
        steps,
        floor,
        schedule=schedule,
        grad_noise=grad_noise,
        seed=seed,
        batch_size=batch_size,
    )
    return Family(
        rates=rates,
        chosen=chosen,
        traj=traj,
        region=region,
        critical=critical,
        edge=divergence_edge(rates, region),
        floor=lowest,
    )


def _runs(
    objective: Objective,
    runs: Optimizer,
    start: Array,
    steps: int,
    floor: float,
    *,
    schedule: Schedule | None,
    grad_noise: float,
    seed: int | None,
    batch_size: int | None,
) -> tuple[Trajectory, Array, float]:
    """A family's runs (``runs``: one optimizer with per-run hyperparameters) in one
    ``descend`` call, each sorted into its region as a sweep does (noisy runs count as arrived
    at 98% of the way down), and the loss floor to measure gaps to (``floor``, or the lowest
    loss seen when that is lower or unknown)."""
    traj = descend(
        objective,
        runs,
        start,
        steps,
        schedule=schedule,
        grad_noise=grad_noise,
        seed=seed,
        batch_size=batch_size,
    )
    start_loss = float(np.asarray(objective.value(start)))
    data = batches(objective)
    noisy = grad_noise > 0 or (batch_size is not None and data and batch_size < data.n_samples)
    region = classify(traj, start_loss, floor, arrived=NOISY_ARRIVED if noisy else ARRIVED)
    lowest = float(np.min(traj.recorded("loss")))
    return traj, region, min(floor, lowest) if math.isfinite(floor) else lowest


MOMENTUM_FAMILY = 50
"""Momenta in a β family: 0 to :data:`MOMENTUM_TOP` in steps of 0.02, plus the chosen β."""
MOMENTUM_TOP = 0.98


def momentum_family(
    objective: Objective,
    optimizer: Optimizer,
    start: Array,
    steps: int,
    *,
    minima: Array | None = None,
    floor: float | None = None,
    schedule: Schedule | None = None,
    grad_noise: float = 0.0,
    seed: int | None = 0,
    batch_size: int | None = None,
    count: int = MOMENTUM_FAMILY,
) -> Family:
    """Run SGD ``optimizer`` (heavy ball, or Nesterov) at evenly spaced momenta β from 0 to
    :data:`MOMENTUM_TOP` and at its own β, everything else its own (α, schedule, noise,
    batches, seed): what the β scrubber shows, in one ``descend`` call.

    ``critical`` is the smallest β that keeps this α stable on the quadratic at the minimum the
    runs head for: ``α(1 − τ)λ_max/2 − 1`` for heavy ball (from ``α(1 − τ)λ_max < 2(1 + β)``;
    ``gdviz.core.analysis``), ``inf`` when every β is stable there, or for Nesterov (whose
    bound does not bound β from below). Shapes as :func:`rate_family`'s."""
    hyper = optimizer.hyperparams
    if optimizer.name != "sgd":
        raise ValueError(f"a momentum family needs SGD (heavy-ball momentum); got {optimizer.name}")
    start = np.asarray(start, dtype=float)
    known, floor = _known(objective, minima, floor)
    own = float(np.asarray(hyper["momentum"]))
    nesterov = bool(hyper.get("nesterov", False))
    grid = np.round(np.linspace(0.0, MOMENTUM_TOP, count), 4)
    if nesterov:  # Nesterov needs some momentum: its family starts at the first step up
        grid = grid[grid > 0]
    betas = np.unique(np.append(grid, own))
    chosen = int(np.flatnonzero(betas == own)[0])
    damp = float(np.asarray(hyper.get("dampening", 0.0)))
    plain = optimizer.rebuild(**{**hyper, "momentum": 0.0, "dampening": 0.0, "nesterov": False})
    crit_gd = _critical_ahead(objective, plain, start, steps, known, schedule)
    lr = float(np.asarray(optimizer.lr))
    lowest_stable = lr * (1.0 - damp) / crit_gd - 1.0  # α(1 − τ)λ_max/2 − 1, as 2/λ_max = crit_gd
    critical = lowest_stable if not nesterov and lowest_stable > 0 else math.inf
    traj, region, lowest = _runs(
        objective,
        optimizer.rebuild(**{**hyper, "momentum": betas, "dampening": damp}),
        start,
        steps,
        floor,
        schedule=schedule,
        grad_noise=grad_noise,
        seed=seed,
        batch_size=batch_size,
    )
    return Family(
        rates=betas,
        chosen=chosen,
        traj=traj,
        region=region,
        critical=critical,
        edge=None,
        floor=lowest,
        knob="momentum",
    )
