"""Schedules: hand values and torch.optim.lr_scheduler parity when stepped once per update."""

from __future__ import annotations

import math

import numpy as np
import pytest

from gdviz import descend
from gdviz.core import landscapes, optim, schedules
from tests.conftest import optional_module


def test_hand_values():
    assert schedules.constant()(7, 0.3) == 0.3
    assert [schedules.step(2, 0.5)(t, 1.0) for t in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert schedules.exponential(0.9)(3, 2.0) == pytest.approx(2.0 * 0.729)
    cos = schedules.cosine(10, eta_min=0.1)
    assert cos(0, 1.0) == pytest.approx(1.0)
    assert cos(5, 1.0) == pytest.approx(0.55)
    assert cos(10, 1.0) == pytest.approx(0.1)
    warm = schedules.linear_warmup(4, start_factor=0.2)
    np.testing.assert_allclose([warm(t, 1.0) for t in range(6)], [0.2, 0.4, 0.6, 0.8, 1.0, 1.0])


def test_per_run_base_rates_broadcast():
    lr = schedules.step(1, 0.5)(2, np.array([1.0, 0.1]))
    np.testing.assert_allclose(lr, [0.25, 0.025])


TORCH_PAIRS = {
    "step": (lambda: schedules.step(7, 0.5), lambda S, o: S.StepLR(o, 7, 0.5)),
    "exponential": (lambda: schedules.exponential(0.97), lambda S, o: S.ExponentialLR(o, 0.97)),
    "cosine": (lambda: schedules.cosine(25, 0.01), lambda S, o: S.CosineAnnealingLR(o, 25, 0.01)),
    "warmup": (
        lambda: schedules.linear_warmup(10, 0.25),
        lambda S, o: S.LinearLR(o, 0.25, 1.0, total_iters=10),
    ),
    "warmup+cosine": (
        lambda: schedules.linear_warmup(5, 0.5, after=schedules.cosine(30, 0.0)),
        lambda S, o: S.SequentialLR(
            o, [S.LinearLR(o, 0.5, 1.0, total_iters=5), S.CosineAnnealingLR(o, 30, 0.0)], [5]
        ),
    ),
}


@pytest.mark.torch
@pytest.mark.parametrize("case", list(TORCH_PAIRS))
def test_matches_torch_lr_scheduler(case):
    torch = optional_module("torch", "the oracle for lr_scheduler parity")
    make_ours, make_theirs = TORCH_PAIRS[case]
    w = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([w], lr=0.2)
    theirs, ours = make_theirs(torch.optim.lr_scheduler, opt), make_ours()
    got, expected = [], []
    for t in range(60):
        got.append(float(ours(t, 0.2)))
        expected.append(opt.param_groups[0]["lr"])
        opt.step()
        theirs.step()
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)


def test_descend_records_the_scheduled_rate_used_by_each_update():
    traj = descend(
        landscapes.get("parabola"), optim.sgd(0.4), [3.0], 6, schedule=schedules.step(2, 0.5)
    )
    np.testing.assert_allclose(traj.lr[:, 0], [0.4, 0.4, 0.2, 0.2, 0.1, 0.1])
    # ...and actually used it: x ← x(1 − 2·lr_t)
    expected = 3.0 * math.prod(1 - 2 * lr for lr in [0.4, 0.4, 0.2, 0.2, 0.1, 0.1])
    assert traj.final[0, 0] == pytest.approx(expected)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: schedules.step(0), "step_size"),
        (lambda: schedules.exponential(0.0), "gamma"),
        (lambda: schedules.cosine(0), "t_max"),
        (lambda: schedules.linear_warmup(5, start_factor=0.0), "start_factor"),
    ],
)
def test_invalid_schedules_are_refused(make, message):
    with pytest.raises(ValueError, match=message):
        make()
