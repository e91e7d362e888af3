"""Numbers into words: formatting and run summaries."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import descend
from gdviz.core import landscapes, optim
from gdviz.teach import narrate


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (-4.0, "-4.00"),
        (16.0, "16.00"),
        (0.0, "0.00"),
        (-0.0, "0.00"),
        (1.8e-4, "1.80e-04"),
        (3.1e7, "3.10e+07"),
        (float("nan"), "undefined"),
        (float("inf"), "∞"),
    ],
)
def test_num(value, text):
    assert narrate.num(value) == text


def test_rates_never_read_as_zero():
    assert narrate.rate(0.1) == "0.10"
    assert narrate.rate(0.0001) == "0.0001"
    assert narrate.rate(0.075) == "0.075"
    assert narrate.rate(1.0) == "1.00"


def test_summaries():
    bowl = landscapes.get("bowl")
    conv = descend(bowl, optim.sgd(0.1), [1.0, 1.0], 200)
    assert narrate.run_summary(conv).startswith("Converged at step")
    div = descend(bowl, optim.sgd(1.5), [1.0, 1.0], 200)
    assert narrate.run_summary(div).startswith("Diverged at step")
    osc = descend(bowl, optim.sgd(1.0), [1.0, 1.0], 50)
    assert "oscillating" in narrate.run_summary(osc)
    slow = descend(bowl, optim.sgd(1e-3), [1.0, 1.0], 50)
    assert "still moving" in narrate.run_summary(slow)
    near = descend(bowl, optim.adam(0.01), [0.001, 0.0], 30)
    assert narrate.run_summary(near, distance=1e-4).startswith("Practically there")


def test_landscape_report_numbers():
    ls = landscapes.get("ravine")
    traj = descend(ls, optim.sgd(0.07, momentum=0.5), [-4.0, 1.5], 400)
    report = narrate.landscape_report(ls, traj, momentum=0.5)
    assert report.status.startswith("converged at step")
    assert "α = 0.12 (2(1+β)/λ_max" in report.critical  # 2·1.5/25
    adaptive = narrate.landscape_report(ls, traj, adaptive=True)
    assert "adaptive methods" in adaptive.critical
    assert float(report.distance) < 1e-5
    assert np.isfinite(float(report.final_loss))


def test_sweep_report_states_prediction_measurement_and_regions():
    from gdviz import settings

    cfg = settings.SweepConfig()
    short, long = settings.run_sweep(cfg), settings.run_sweep(cfg, cfg.steps * 10)
    predicted, measured, regions = narrate.sweep_report(short, long)
    assert "2/λ_max at the minimum (0, 0) gives α = **0.08**" in predicted
    assert "α = **0.08101**" in measured
    assert regions.startswith("**Regions at 200 steps:**") and "52 diverging" in regions
    assert narrate.bound_rule(0.9, nesterov=True) == "2(1+β)/((1+2β)·λ_max)"
    assert narrate.bound_rule(0.9, nesterov=False) == "2(1+β)/λ_max"
    assert narrate.bound_rule(0.0, nesterov=False) == "2/λ_max"
