"""Heavy-ball momentum over (α, β): the convergence rate on a quadratic, in closed form and
measured on a landscape.

torch's SGD with momentum β (no dampening) is ``b ← βb + g``, ``p ← p − αb``. On a quadratic
whose Hessian has eigenvalue λ, the error along that eigenvector follows

    x_{t+1} = (1 + β − αλ) x_t − β x_{t−1},

so it shrinks like ρᵗ, where ρ is the largest root (in modulus) of ``z² − (1 + β − αλ) z + β``:
the spectral radius of the 2×2 iteration matrix ``[[1 + β − αλ, −β], [1, 0]]``. When the roots
are complex, ``ρ = √β`` whatever α: the run spirals in at a rate momentum alone sets. Over all
eigenvalues the rate is the largest ρ, and the run converges iff ``ρ < 1``, that is
``0 < αλ < 2(1 + β)`` for every λ (with ``0 ≤ β < 1``). For eigenvalues in ``[μ, L]`` the best
pair is ``α* = 4 / (√L + √μ)²``, ``β* = ((√κ − 1) / (√κ + 1))²`` (κ = L/μ), with rate
``√β* = (√κ − 1) / (√κ + 1)``, against ``(κ − 1) / (κ + 1)`` for the best plain GD: Polyak
(1964); G. Goh, "Why Momentum Really Works", Distill (2017).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from gdviz.core import optim
from gdviz.core.descent import DIVERGED, Objective, descend

Array = np.ndarray

SETTLED = 1e-10
"""A measured run's rate is read over its steps until its distance to the minimum is this small
a fraction of where it started (after that, rounding, not the rate, sets its distance)."""


def rate(a: Array | float, beta: Array | float) -> Array:
    """The heavy-ball rate ρ for ``a = αλ`` (one eigen-direction) and momentum ``β``
    (broadcast together): the largest modulus of the roots of ``z² − (1 + β − a) z + β``."""
    a, beta = np.asarray(a, dtype=float), np.asarray(beta, dtype=float)
    s = 1.0 + beta - a
    disc = s * s - 4.0 * beta
    real = np.sqrt(np.maximum(disc, 0.0))
    outer = 0.5 * (np.abs(s) + real)  # the real root farther from 0
    return np.where(disc < 0.0, np.sqrt(beta), outer)


def rate_map(eigenvalues: Array, alphas: Array, betas: Array) -> Array:
    """ρ(α, β) on a quadratic with Hessian eigenvalues ``(k,)``: the slowest direction's rate,
    ``(len(betas), len(alphas))``. Not below 1 means the run diverges (or, for λ ≤ 0, does
    not contract)."""
    lam = np.asarray(eigenvalues, dtype=float).reshape(-1, 1, 1)
    aa, bb = np.meshgrid(np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float))
    return rate(aa[None] * lam, bb[None]).max(axis=0)


def stable_alpha(beta: Array | float, lam_max: float) -> Array:
    """The largest stable α at momentum β: ``2(1 + β) / λ_max`` (the region's boundary)."""
    return 2.0 * (1.0 + np.asarray(beta, dtype=float)) / lam_max


class Optimum(NamedTuple):
    """The best (α, β) on a quadratic with eigenvalues in [μ, L], and its rate."""

    alpha: float
    beta: float
    rate: float


def optimum(eigenvalues: Array) -> Optimum | None:
    """Polyak's best pair for the eigenvalues' range; ``None`` unless they are all positive."""
    lam = np.asarray(eigenvalues, dtype=float)
    mu, big = float(lam.min()), float(lam.max())
    if not mu > 0.0:
        return None
    root_mu, root_big = np.sqrt(mu), np.sqrt(big)
    fast = (root_big - root_mu) / (root_big + root_mu)
    return Optimum(float(4.0 / (root_big + root_mu) ** 2), float(fast * fast), float(fast))


def measured_rates(
    objective: Objective,
    start: Array,
    minimum: Array,
    alphas: Array,
    betas: Array,
    steps: int,
    seconds: float | None = None,
) -> Array:
    """The rate each (α, β) achieves from ``start``: one run per pair, all in one ``descend``
    call, and ``ρ̂ = (d_k / d_0)^(1/k)`` with ``d`` the distance to ``minimum`` and ``k`` the
    first step at which ``d`` falls below :data:`SETTLED` ``· d_0`` (else the last step).
    ``(len(betas), len(alphas))``; NaN where the run diverged. ``seconds``: ``descend``'s
    time limit."""
    aa, bb = np.meshgrid(np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float))
    runs = optim.sgd(lr=aa.ravel(), momentum=bb.ravel())
    start = np.asarray(start, dtype=float)
    traj = descend(objective, runs, start, steps, record="path", seconds=seconds)
    path = traj.recorded("path")  # (T+1, N, d)
    distance = np.linalg.norm(path - np.asarray(minimum, dtype=float), axis=-1)  # (T+1, N)
    d0 = distance[0]
    settled = distance <= SETTLED * d0
    k = np.where(settled.any(axis=0), settled.argmax(axis=0), steps)
    k = np.maximum(k, 1)
    dk = distance[k, np.arange(distance.shape[1])]
    with np.errstate(divide="ignore", invalid="ignore"):
        measured = np.exp(np.log(np.maximum(dk, 1e-300) / d0) / k)
    measured = np.where(d0 > 0, measured, 0.0)  # a start on the minimum: nothing to shrink
    measured = np.where(traj.status == DIVERGED, np.nan, measured)
    return measured.reshape(aa.shape)


class MomentumMap(NamedTuple):
    """What the figure draws: the axes ``alphas (A,)`` and ``betas (B,)``; the rates
    ``theory`` and ``measured`` ``(B, A)`` (``measured`` NaN where a run diverged); the
    quadratic model's eigenvalues; its best pair (``None`` without positive curvature)."""

    alphas: np.ndarray
    betas: np.ndarray
    theory: np.ndarray
    measured: np.ndarray
    eigenvalues: np.ndarray
    best: Optimum | None
