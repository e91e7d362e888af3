"""Races, learning-rate sweeps and basin maps: numbers a self-learner relies on."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import descend, settings
from gdviz.core import landscapes, optim, race, schedules, sweep
from gdviz.settings import lessons


def test_a_race_equals_separate_single_runs():
    cfg = settings.CompareConfig.model_validate(
        {
            "landscape": "himmelblau", "start": (0.5, -0.5), "steps": 120, "seed": 4,
            "runs": [
                {"label": "GD", "optimizer": {"kind": "sgd", "lr": 0.01}, "grad_noise": 0.2},
                {"label": "Adam", "optimizer": {"kind": "adam", "lr": 0.05}},
                {"label": "mom", "optimizer": {"kind": "sgd", "lr": 0.005, "momentum": 0.9},
                 "grad_noise": 0.2},
                {"label": "cos", "optimizer": {"kind": "sgd", "lr": 0.01},
                 "schedule": {"kind": "cosine", "t_max": 120}},
            ],
        }
    )  # fmt: skip
    raced = settings.run_compare(cfg)
    ls = landscapes.get("himmelblau")
    singles = [
        descend(ls, optim.sgd(0.01), [0.5, -0.5], 120, grad_noise=0.2, seed=4),
        descend(ls, optim.adam(0.05), [0.5, -0.5], 120, seed=4),
        descend(ls, optim.sgd(0.005, momentum=0.9), [0.5, -0.5], 120, grad_noise=0.2, seed=4),
        descend(ls, optim.sgd(0.01), [0.5, -0.5], 120, schedule=schedules.cosine(120), seed=4),
    ]
    for i, single in enumerate(singles):
        np.testing.assert_allclose(raced.path[:, i], single.path[:, 0], rtol=1e-12, atol=1e-14)
    rows = race.results(ls, raced, [r.label for r in cfg.runs], threshold=1e-3)
    assert [r.label for r in rows] == ["GD", "Adam", "mom", "cos"]
    for row, single in zip(rows, singles, strict=True):
        assert row.final_loss == pytest.approx(float(single.final_loss[0]), rel=1e-12)
        below = np.flatnonzero(single.loss[:, 0] <= 1e-3)
        assert row.reached_at == (int(below[0]) if len(below) else None)


def test_presets_teach_what_they_say():
    results = {}
    for name, cfg in lessons.PRESETS.items():
        traj = settings.run_compare(cfg)
        results[name] = dict(zip([r.label for r in cfg.runs], traj.status, strict=True))
    small_right_large = list(results["Learning rate: too small / just right / too large"].values())
    assert small_right_large == ["unconverged", "converged", "diverged"]
    saddle_cfg = lessons.PRESETS["Noise helps escape a saddle"]
    saddle = settings.run_compare(saddle_cfg)
    np.testing.assert_allclose(saddle.final[0], [0.0, 0.0], atol=1e-6)  # stuck on the saddle
    assert np.all(np.abs(np.abs(saddle.final[1:, 0]) - 1.0) < 0.1)  # noise escaped to (±1, 0)


@pytest.mark.parametrize(
    ("name", "momentum", "expected"),
    [
        ("ravine", 0.0, 0.08),  # 2/25
        ("ravine", 0.5, 0.12),  # 2(1+β)/25
        ("bowl", 0.0, 1.0),  # 2/2
    ],
)
def test_sweep_edge_matches_two_over_lambda_max_on_quadratics(name, momentum, expected):
    ls = landscapes.get(name)
    lrs = np.geomspace(expected / 4, expected * 4, 200)
    result = sweep.lr_sweep(ls, lambda lr: optim.sgd(lr, momentum=momentum), ls.start, 300, lrs,
                            momentum=momentum)  # fmt: skip
    assert result.critical == pytest.approx(expected)
    step = lrs[1] / lrs[0]  # one grid step (log spaced)
    assert expected <= result.edge <= expected * step
    assert np.all(result.region[lrs > result.edge] == "diverging")


def test_regions_on_the_bowl():
    ls = landscapes.get("bowl")
    lrs = np.array([0.001, 0.4, 0.95, 1.05])
    result = sweep.lr_sweep(ls, optim.sgd, [1.0, 1.0], 20, lrs)
    assert list(result.region) == ["too slow", "converging", "oscillating", "diverging"]


def test_more_steps_shrink_too_slow_but_not_diverging():
    cfg = settings.SweepConfig()
    short, long = settings.run_sweep(cfg), settings.run_sweep(cfg, cfg.steps * 10)
    assert np.sum(long.region == "too slow") < np.sum(short.region == "too slow")
    assert long.edge == short.edge


def test_himmelblau_basins_agree_with_single_runs():
    ls = landscapes.get("himmelblau")
    opt = optim.sgd(0.005)
    basin = sweep.basins(ls, opt, 24, 1500)
    assert set(np.unique(basin.label)) == {0, 1, 2, 3}  # the four basins
    rng = np.random.default_rng(0)
    for _ in range(12):
        i, j = rng.integers(0, 24, size=2)
        start = np.array([basin.xs[j], basin.ys[i]])
        single = descend(ls, opt, start, 1500)
        index, distance = ls.nearest_minimum(single.final[0])
        assert distance < basin.tolerance
        assert basin.label[i, j] == index


def test_basins_mark_diverged_and_unsettled_cells():
    ls = landscapes.get("himmelblau")
    wild = sweep.basins(ls, optim.sgd(0.05), 16, 50)
    assert np.any(wild.label == sweep.DIVERGED_CELL)
    slow = sweep.basins(ls, optim.sgd(1e-5), 16, 5)
    settled = slow.label >= 0
    assert np.mean(~settled) > 0.9  # after 5 tiny steps almost no start has arrived anywhere
    xx, yy = np.meshgrid(slow.xs, slow.ys)
    starts = np.stack([xx[settled], yy[settled]], axis=-1)
    _, distance = ls.nearest_minimum(starts)
    assert np.all(distance <= slow.tolerance)  # ...except the cells that start next to one


@pytest.mark.parametrize(
    ("payload", "fragment"),
    [
        ({"runs": []}, "at least 1 item"),
        ({"runs": [{"label": "a", "optimizer": {"kind": "sgd", "lr": 0.1}}] * 9}, "at most 8"),
        ({"runs": [{"label": "a", "optimizer": {"kind": "sgd", "lr": 0.1}}] * 2},
         "every run needs its own label"),
        ({"runs": [{"label": "a", "optimizer": {"kind": "sgd", "lr": -1}}]}, "greater than 0"),
        ({"landscape": "parabola", "runs": [{"label": "a", "optimizer": {"kind": "sgd"}}]},
         "unknown landscape 'parabola'; choose one of: bowl"),
    ],
)  # fmt: skip
def test_compare_config_bounds(payload, fragment):
    from pydantic import ValidationError

    with pytest.raises(ValidationError) as info:
        settings.CompareConfig.model_validate(payload)
    assert fragment in " ".join(settings.describe_errors(info.value))


def test_sweep_config_checks_the_range():
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="lr_min"):
        settings.SweepConfig(lr_min=0.5, lr_max=0.1)
    with pytest.raises(ValidationError, match="n_rates"):
        settings.SweepConfig(n_rates=5000)


def test_the_threshold_label_sits_on_its_line_on_a_log_axis():
    """Issue 22: "threshold 0.001" was drawn near loss 1 on the log axis, far from its line
    (a log axis reads an annotation's y as an exponent, a shape's as a value)."""
    from gdviz.figures import race as race_figs

    ls = landscapes.get("ravine")
    traj = descend(ls, optim.sgd(np.array([0.01, 0.07])), ls.start, 50)
    for log, expected in ((True, -3.0), (False, 1e-3)):
        fig = race_figs.loss_overlay(traj, ["a", "b"], log=log, threshold=1e-3)
        (label,) = [a for a in fig.layout.annotations if a.text == "threshold 0.001"]
        (line,) = fig.layout.shapes
        assert label.y == pytest.approx(expected) and line.y0 == pytest.approx(1e-3)
        assert fig.layout.yaxis.type == ("log" if log else "linear")


def test_a_diverging_run_does_not_flatten_the_others_on_a_linear_axis():
    """Issue 22: the compare page's default race drew its diverging α = 0.085 up to 7e+5 on the
    linear loss chart, so the two converging curves lay flat on its floor."""
    from gdviz.figures import race as race_figs

    ls = landscapes.get("ravine")
    traj = descend(ls, optim.sgd(np.array([0.005, 0.07, 0.085])), np.array([-4.5, 1.5]), 250)
    assert list(traj.status) == ["unconverged", "converged", "diverged"]
    labels = ["slow", "right", "too large"]
    fig = race_figs.loss_overlay(traj, labels, log=False)
    lo, hi = fig.layout.yaxis.range
    start = float(ls.value(np.array([-4.5, 1.5])))  # every run's first loss, the kept top
    assert lo < 0 < start < hi < 1.2 * start
    (note,) = fig.layout.annotations
    assert note.text == "too large climbs off the chart (log scale shows all)"
    assert np.nanmax(fig.data[2].y) > 100 * hi  # the curve is drawn, its top off the chart
    # On the log axis every run fits: nothing clipped, nothing said.
    logged = race_figs.loss_overlay(traj, labels, log=True)
    assert logged.layout.yaxis.range is None and not logged.layout.annotations
    # Without a diverged run the axis fits itself.
    calm = descend(ls, optim.sgd(np.array([0.005, 0.07])), np.array([-4.5, 1.5]), 250)
    assert race_figs.loss_overlay(calm, labels[:2]).layout.yaxis.range is None
