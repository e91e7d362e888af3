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


def test_status_words_agree_with_the_numbers_beside_them():
    from gdviz.core.descent import CONVERGED, UNCONVERGED

    bowl, saddle = landscapes.get("bowl"), landscapes.get("saddle")
    # Still moving, 3e-06 from the minimum: not "not converged" in large type.
    assert narrate.status_word(bowl, np.array([3e-6, 0.0]), UNCONVERGED) == "arrived"
    assert narrate.status_word(bowl, np.array([0.5, 0.0]), UNCONVERGED) == "not converged"
    # The gradient vanished on the saddle: not "converged" at loss 1.0.
    assert narrate.status_word(saddle, np.array([0.0, 0.0]), CONVERGED) == "stopped on a saddle"
    assert narrate.status_word(saddle, np.array([1.0, 0.0]), CONVERGED) == "converged"


def test_the_saddle_preset_says_the_exact_gradient_stopped_on_the_saddle():
    from tests.helpers import open_page, results_table

    at = open_page("compare")
    at.selectbox(key="cmp_preset").set_value("Noise helps escape a saddle").run()
    statuses = results_table(at)["status"].tolist()
    # The noisy runs left the saddle; noise keeps them moving near a minimum.
    assert statuses == ["stopped on a saddle", "not converged", "not converged"]
