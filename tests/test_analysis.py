"""critical_lr: closed forms, the iteration matrix, and the edge of divergence in real runs."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import descend
from gdviz.core import analysis, landscapes, optim


def test_critical_lr_of_x_squared_is_one():
    assert analysis.critical_lr(landscapes.get("parabola"), np.array([0.0])) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("name", "point", "expected"),
    [
        ("bowl", [0.0, 0.0], 1.0),  # λ = 2
        ("ravine", [0.0, 0.0], 0.08),  # λ_max = 25
        ("plateau", [0.0, 0.0], 1.0),  # λ = 2
        # Rosenbrock at (1, 1): H = [[802, −400], [−400, 200]], λ_max = 501 + √(301² + 400²)
        ("rosenbrock", [1.0, 1.0], 2.0 / (501.0 + np.hypot(301.0, 400.0))),
    ],
)
def test_critical_lr_closed_forms(name, point, expected):
    assert analysis.critical_lr(landscapes.get(name), np.array(point)) == pytest.approx(expected)


def test_no_positive_curvature_means_no_limit():
    # L = 1 − e^{−x²/2} has L'' = (1 − x²)e^{−x²/2}: zero at x = 1, negative beyond.
    assert np.isinf(analysis.critical_lr(landscapes.get("plateau_1d"), np.array([1.0])))
    assert np.isinf(analysis.critical_lr(landscapes.get("plateau_1d"), np.array([2.0])))
    # At the saddle the x-curvature is negative but the y-curvature (2) still limits the step.
    assert analysis.critical_lr(landscapes.get("saddle"), np.zeros(2)) == pytest.approx(1.0)


def spectral_radius(a: float, beta: float, nesterov: bool) -> float:
    """Spectral radius of torch's (Nesterov) momentum iteration on L = ½λx², a = αλ.

    State (x_t, b_{t−1}); heavy ball: b = βb + λx, x ← x − αb. Nesterov: x ← x − α(λx + βb).
    Written with α·b as the second coordinate.
    """
    if nesterov:
        # b_t = β b + a x ; x' = x − (a x + β b_t) = (1 − a − β a) x − β² b
        m = np.array([[1 - a - beta * a, -(beta**2)], [a, beta]])
    else:
        m = np.array([[1 - a, -beta], [a, beta]])
    return float(np.max(np.abs(np.linalg.eigvals(m))))


@pytest.mark.parametrize(
    ("beta", "nesterov"), [(0.0, False), (0.3, False), (0.9, False), (0.3, True), (0.9, True)]
)
def test_momentum_bound_is_the_edge_of_the_iteration_matrix(beta, nesterov):
    lam = 4.0
    crit = analysis.critical_lr(
        landscapes.get("parabola"), np.array([0.0]), momentum=beta, nesterov=nesterov
    )
    crit_scaled = crit * 2.0 / lam  # parabola has λ = 2; rescale to λ = 4
    assert spectral_radius(0.999 * crit_scaled * lam, beta, nesterov) < 1.0
    assert spectral_radius(1.001 * crit_scaled * lam, beta, nesterov) > 1.0


@pytest.mark.parametrize(("momentum", "nesterov"), [(0.0, False), (0.9, False), (0.5, True)])
def test_runs_just_below_the_critical_rate_converge_and_just_above_diverge(momentum, nesterov):
    ls = landscapes.get("ravine")
    crit = analysis.critical_lr(ls, np.zeros(2), momentum=momentum, nesterov=nesterov)
    opt = optim.sgd(np.array([0.97, 1.03]) * crit, momentum=momentum, nesterov=nesterov)
    traj = descend(ls, opt, [-4.0, 1.5], 3000, record="final")
    assert traj.status[0] == "converged"
    assert traj.status[1] == "diverged"


def test_condition_number_of_the_ravine():
    assert analysis.condition_number(landscapes.get("ravine"), np.zeros(2)) == pytest.approx(25.0)
    assert np.isinf(analysis.condition_number(landscapes.get("saddle"), np.zeros(2)))
