"""Stability from curvature: the largest learning rate a quadratic model of the loss tolerates.

Near a point ``p*`` the loss is close to its quadratic model with Hessian ``H``. Along an
eigenvector of ``H`` with eigenvalue λ, gradient descent multiplies the distance to ``p*`` by
``(1 − αλ)`` each step, so it is stable exactly when ``0 < αλ < 2``: the critical learning rate is
``2 / λ_max``. Momentum changes the bound (torch's form of each method, dampening τ)::

    heavy ball:  α (1 − τ) λ_max < 2 (1 + β)
    Nesterov:    α λ_max < 2 (1 + β) / (1 + 2β)

Derivation for heavy ball: with ``a = αλ`` the iteration is
``x_{t+1} = (1 + β − a) x_t − β x_{t−1}``, whose roots stay inside the unit circle iff
``0 < a < 2(1 + β)`` (for 0 ≤ β < 1). The Nesterov bound follows from the same 2x2 analysis;
both are checked against the spectral radius of the iteration matrix in the tests.
"""

from __future__ import annotations

import math

import numpy as np

from gdviz.core.descent import Objective

Array = np.ndarray


def hessian_eigenvalues(objective: Objective, point: Array) -> Array:
    """Eigenvalues of the Hessian at ``point`` (``(d,)``), ascending: ``(d,)``."""
    hessian = np.asarray(objective.hessian(np.asarray(point, dtype=float)), dtype=float)
    return np.linalg.eigvalsh(hessian)


def critical_lr(
    objective: Objective,
    point: Array,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
) -> float:
    """The largest stable learning rate of (momentum) gradient descent at ``point``.

    ``2 / λ_max`` for plain GD, ``2(1 + β) / ((1 − τ) λ_max)`` for heavy-ball momentum and
    ``2(1 + β) / ((1 + 2β) λ_max)`` for Nesterov. Returns ``inf`` where the Hessian has no
    positive eigenvalue (no curvature limits the step there: a plateau, a maximum).
    """
    if not 0.0 <= momentum < 1.0:
        raise ValueError(f"momentum must lie in [0, 1); got {momentum}")
    if not 0.0 <= dampening < 1.0:
        raise ValueError(f"dampening must lie in [0, 1); got {dampening}")
    lam_max = float(hessian_eigenvalues(objective, point)[-1])
    if not lam_max > 0.0:
        return float("inf")
    if nesterov:
        return 2.0 * (1.0 + momentum) / ((1.0 + 2.0 * momentum) * lam_max)
    damp = dampening if momentum > 0 else 0.0
    return 2.0 * (1.0 + momentum) / ((1.0 - damp) * lam_max)


def condition_number(objective: Objective, point: Array) -> float:
    """``λ_max / λ_min`` of the Hessian at ``point``; ``inf`` unless it is positive definite."""
    eig = hessian_eigenvalues(objective, point)
    return float(eig[-1] / eig[0]) if eig[0] > 0 else float("inf")


def critical_at_minimum(
    objective: Objective,
    minima: Array,
    finals: Array,
    start: Array,
    *,
    momentum: float = 0.0,
    dampening: float = 0.0,
    nesterov: bool = False,
) -> tuple[Array | None, float]:
    """``(the minimum most of finals (K, d) end nearest, its critical rate)`` among the known
    ``minima (J, d)``; with no finals, the minimum nearest ``start (d,)``. ``(None, inf)``
    when no minimum is known."""
    minima = np.asarray(minima, dtype=float).reshape(-1, np.shape(start)[-1])
    if len(minima) == 0:
        return None, math.inf
    anchor = finals if len(finals) else np.asarray(start, dtype=float)[None]
    distance = np.linalg.norm(anchor[:, None, :] - minima[None], axis=-1)  # (K, J)
    minimum = minima[np.bincount(np.argmin(distance, axis=-1)).argmax()]
    critical = critical_lr(
        objective, minimum, momentum=momentum, dampening=dampening, nesterov=nesterov
    )
    return minimum, critical
