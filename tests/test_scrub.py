"""The rate scrubber: its family of rates, its runs, and the figure that ships them."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from gdviz import settings
from gdviz.core import analysis, landscapes, optim, scrub
from gdviz.core.descent import descend
from gdviz.figures import scrub as scrub_figs
from gdviz.figures.landscape import end_at_exit
from gdviz.figures.style import display_indices, untyped
from gdviz.teach import narrate

# -- the rates -------------------------------------------------------------------------------


def test_the_chosen_rate_is_in_the_family_exactly():
    rates, chosen = scrub.family_rates(0.0123456, critical=0.08)
    assert rates[chosen] == 0.0123456
    assert np.all(np.diff(rates) > 0)
    assert scrub.FAMILY_SIZE <= len(rates) <= scrub.FAMILY_SIZE + 2


def test_the_family_spans_too_small_to_diverging_around_the_critical_rate():
    rates, _ = scrub.family_rates(0.02, critical=0.08)
    # From 20x below the smaller of α and 2/λ to 4x above the larger.
    assert rates[0] == pytest.approx(0.02 / scrub.BELOW, rel=0.2)
    assert rates[-1] == pytest.approx(0.08 * scrub.ABOVE, rel=0.2)
    assert rates[0] < 0.02 < 0.08 < rates[-1]
    # Evenly log-spaced (to the four digits the slider shows).
    ratios = rates[1:] / rates[:-1]
    assert np.allclose(ratios, ratios.mean(), rtol=2e-3)


def test_rates_read_as_the_slider_shows_them():
    rates, chosen = scrub.family_rates(0.02, critical=0.08)
    others = np.delete(rates, chosen)
    assert all(float(f"{r:.4g}") == r for r in others)


def test_a_rate_far_below_the_critical_one_keeps_its_own_neighbourhood():
    rates, chosen = scrub.family_rates(1e-7, critical=10.0)
    step = math.log10(rates[1] / rates[0])  # whole steps either side of α: one more at most
    assert math.log10(rates[-1] / rates[0]) <= scrub.MAX_DECADES + step + 1e-9
    assert rates[0] < 1e-7 < rates[-1] and rates[chosen] == 1e-7


def test_without_a_critical_rate_the_family_spans_four_decades():
    rates, _ = scrub.family_rates(0.05)
    # (to within one step of the family: it reaches whole steps either side of α)
    assert rates[0] == pytest.approx(5e-4, rel=0.2) and rates[0] <= 5e-4
    assert rates[-1] == pytest.approx(5.0, rel=0.2) and rates[-1] >= 5.0


def test_the_family_stays_inside_the_models_bounds():
    rates, chosen = scrub.family_rates(50.0, high=settings.MAX_LR)
    assert rates.max() <= settings.MAX_LR and rates[chosen] == 50.0


@pytest.mark.parametrize("bad", [0.0, -1.0, math.inf, math.nan])
def test_a_rate_that_is_not_a_rate_is_refused(bad):
    with pytest.raises(ValueError, match="positive finite"):
        scrub.family_rates(bad)


# -- the runs --------------------------------------------------------------------------------


def ravine_family(**overrides) -> tuple[settings.RunConfig, scrub.Family]:
    fields = {"optimizer": {"kind": "sgd", "lr": 0.02}, **overrides}
    cfg = settings.RunConfig(landscape="ravine", start=(-4.5, 1.5), **fields)
    return cfg, settings.run_family(cfg)


def test_the_family_covers_the_critical_rate_of_the_ravine():
    # The ravine is (x² + 25 y²) / 2: its Hessian is diag(1, 25) everywhere, so 2/λ_max = 0.08
    # is exact for plain gradient descent.
    _, family = ravine_family()
    ravine = landscapes.get("ravine")
    assert analysis.hessian_eigenvalues(ravine, np.zeros(2))[-1] == pytest.approx(25.0)
    assert family.critical == pytest.approx(0.08)
    assert family.rates[0] < family.critical < family.rates[-1]
    # Just below it the runs converge; well above it they diverge, and the measured edge
    # lies within one step of the family of the predicted rate.
    below = family.rates < 0.9 * family.critical
    above = family.rates > 1.1 * family.critical
    assert set(family.region[above]) == {"diverging"}
    assert "diverging" not in set(family.region[below])
    assert family.edge is not None
    assert family.critical <= family.edge <= family.critical * 1.25
    # And too small a rate crawls.
    assert family.region[0] == "too slow"


def test_every_run_of_the_family_is_the_separate_run_at_its_rate():
    cfg, family = ravine_family(
        grad_noise=0.3, seed=7, schedule={"kind": "step", "step_size": 40, "gamma": 0.5}
    )
    ls = cfg.surface()
    for k in (0, family.chosen, len(family.rates) // 2, len(family.rates) - 1):
        alone = descend(
            ls,
            optim.sgd(lr=float(family.rates[k])),
            np.array(cfg.start),
            cfg.steps,
            schedule=settings.build_schedule(cfg.schedule),
            grad_noise=cfg.grad_noise,
            seed=cfg.seed,
        )
        np.testing.assert_allclose(family.traj.path[:, k], alone.path[:, 0], rtol=1e-12)
        assert family.traj.status[k] == alone.status[0]


def test_the_chosen_run_is_the_pages_run():
    cfg, family = ravine_family()
    single = settings.run(cfg)
    np.testing.assert_array_equal(family.traj.path[:, family.chosen], single.path[:, 0])
    assert family.rates[family.chosen] == cfg.optimizer.lr


def test_adaptive_optimizers_have_no_critical_rate_to_reach_past():
    cfg = settings.RunConfig(landscape="himmelblau", optimizer={"kind": "adam", "lr": 0.05})
    family = settings.run_family(cfg)
    assert family.critical == math.inf
    assert family.rates[0] == pytest.approx(5e-4, rel=0.2)


def test_a_landscape_without_minima_still_scrubs():
    cfg = settings.RunConfig(
        landscape=settings.CUSTOM,
        expression="x + y",
        bounds=((-3, 3), (-3, 3)),
        start=(0.0, 0.0),
        optimizer={"kind": "sgd", "lr": 0.1},
        steps=50,
    )
    family = settings.run_family(cfg)
    assert family.critical == math.inf and np.isfinite(family.floor)
    assert len(family.rates) >= scrub.FAMILY_SIZE


def test_momentum_moves_the_critical_rate():
    _, plain = ravine_family()
    _, heavy = ravine_family(optimizer={"kind": "sgd", "lr": 0.02, "momentum": 0.9})
    assert heavy.critical == pytest.approx(plain.critical * 1.9)


# -- the words -------------------------------------------------------------------------------


def test_each_rate_has_its_status_line():
    _, family = ravine_family()
    lines = narrate.family_lines(family)
    assert len(lines) == len(family.rates)
    chosen = lines[family.chosen]
    assert chosen.startswith("α = 0.02 (0.25 × critical at the minimum) · ")
    last = lines[-1]
    assert "diverging: blew up at step" in last
    assert lines[0].split(" · ")[1].startswith("too slow: after 200 steps L = ")


# -- the figure ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ravine_scrubber():
    cfg, family = ravine_family()
    fig = scrub_figs.landscape_scrub_figure(
        cfg.surface(), family, narrate.family_lines(family), height=580
    )
    return cfg, family, fig


def test_one_frame_per_rate_and_the_slider_starts_at_yours(ravine_scrubber):
    _, family, fig = ravine_scrubber
    assert len(fig.frames) == len(family.rates)
    slider = fig.layout.sliders[0]
    assert slider.active == family.chosen
    names = [step.args[0][0] for step in slider.steps]
    assert names == [frame.name for frame in fig.frames]
    labels = [float(step.label) for step in slider.steps]
    np.testing.assert_allclose(labels, family.rates, rtol=5e-3)  # 3 digits on the ticks
    # Moving the slider animates without a full redraw (scatter traces only).
    assert slider.steps[0].args[1]["frame"]["redraw"] is False
    assert all(trace.type == "scatter" for trace in fig.data)


def test_every_frame_draws_the_separate_run_at_its_rate(ravine_scrubber):
    cfg, family, fig = ravine_scrubber
    ls = cfg.surface()
    n = len(fig.data)
    path_index = n - scrub_figs.SCRUBBED + scrub_figs.PATH_K
    for k in (0, family.chosen, len(family.rates) - 1):
        frame = fig.frames[k]
        assert list(frame.traces) == list(range(n - scrub_figs.SCRUBBED, n))
        drawn = frame.data[0]
        assert frame.traces[scrub_figs.PATH_K] == path_index
        alone = descend(ls, optim.sgd(lr=float(family.rates[k])), np.array(cfg.start), cfg.steps)
        shown = display_indices(cfg.steps + 1, scrub_figs.MAX_POINTS)
        expected = end_at_exit(alone.path[:, 0], shown, ls.lo, ls.hi)
        np.testing.assert_allclose(untyped(drawn.x), expected[:, 0], rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(untyped(drawn.y), expected[:, 1], rtol=1e-6, atol=1e-6)
        status = frame.data[scrub_figs.STATUS_K].text[0]
        assert f"α = {narrate.rate(family.rates[k])}" in status


def test_a_diverging_frame_ends_where_it_left_the_map(ravine_scrubber):
    cfg, family, fig = ravine_scrubber
    ls = cfg.surface()
    k = len(family.rates) - 1
    assert family.region[k] == "diverging"
    end = fig.frames[k].data[scrub_figs.END_K]
    x, y = float(untyped(end.x)[0]), float(untyped(end.y)[0])
    assert ls.lo[0] - 1e-6 <= x <= ls.hi[0] + 1e-6 and ls.lo[1] - 1e-6 <= y <= ls.hi[1] + 1e-6
    loss = untyped(fig.frames[k].data[scrub_figs.LOSS_K].y)
    assert np.isnan(loss[-1])  # the loss line stops where the run blew up


def test_the_rate_strip_marks_the_critical_rate(ravine_scrubber):
    _, family, fig = ravine_scrubber
    lines = [s for s in fig.layout.shapes if s.type == "line"]
    assert any(s.x0 == pytest.approx(family.critical) for s in lines)
    assert any(a.text == "critical 2/λ" for a in fig.layout.annotations)
    regions = {s.name for s in fig.layout.shapes if s.type == "path"}
    assert {"too slow", "converging", "diverging"} <= regions


def test_the_scrubber_is_well_under_a_megabyte(ravine_scrubber):
    _, _, fig = ravine_scrubber
    size = len(fig.to_json())
    assert size < 1_000_000, size


def test_the_longest_run_stays_under_a_megabyte():
    cfg = settings.RunConfig(
        landscape="rosenbrock", steps=settings.MAX_STEPS, optimizer={"kind": "sgd", "lr": 1e-3}
    )
    family = settings.run_family(cfg)
    fig = scrub_figs.landscape_scrub_figure(cfg.surface(), family, narrate.family_lines(family))
    assert len(fig.to_json()) < 1_000_000
    assert len(fig.data[-scrub_figs.SCRUBBED].x["bdata"]) <= 4 * 4 * (scrub_figs.MAX_POINTS + 2)


def test_a_status_line_per_rate_is_required(ravine_scrubber):
    cfg, family, _ = ravine_scrubber
    stage = scrub_figs.map_stage(cfg.surface())
    box = (cfg.surface().lo, cfg.surface().hi)
    with pytest.raises(ValueError, match="one status line per rate"):
        scrub_figs.scrub_figure(stage, family, ["a", "b"], box=box)


def test_the_figure_serialises_to_plain_json(ravine_scrubber):
    _, _, fig = ravine_scrubber
    spec = json.loads(fig.to_json())
    assert spec["layout"]["sliders"][0]["name"] == "scrub"


# -- the hiker's and the data page's families -------------------------------------------------


def test_the_hikers_family_is_his_walk_at_every_rate():
    cfg = settings.HikerConfig(landscape="parabola", lr=0.1, x0=-4.0)
    family = settings.run_hiker_family(cfg)
    # L = x², L'' = 2: the critical rate is 1, and past it every walk blows up.
    assert family.critical == pytest.approx(1.0)
    assert family.rates[0] < 1.0 < family.rates[-1] <= 5.0
    assert set(family.region[family.rates > 1.05]) == {"diverging"}
    # At α = 0.1 the hiker's first steps are x ← 0.8 x: -4, -3.2, -2.56.
    np.testing.assert_allclose(family.traj.path[:3, family.chosen, 0], [-4.0, -3.2, -2.56])
    assert family.traj.steps == settings.HIKER_PREVIEW
    fig = scrub_figs.curve_scrub_figure(cfg.surface(), family, narrate.family_lines(family))
    k = int(np.searchsorted(family.rates, 0.9))  # just under 1: a shrinking zig-zag
    drawn = fig.frames[k].data[scrub_figs.PATH_K]
    xs, ys = untyped(drawn.x), untyped(drawn.y)
    np.testing.assert_allclose(ys, xs**2, rtol=1e-5, atol=1e-6)  # every point on the curve
    assert np.all(np.sign(xs[1:6]) == -np.sign(xs[:5]))  # sides swap each step
    # The curve and its loss gap side by side: stacked, both were strips and the loss panel's
    # title sat on the curve's tick labels.
    assert fig.layout.xaxis.domain[1] < fig.layout.xaxis2.domain[0]
    assert fig.layout.yaxis.domain[1] - fig.layout.yaxis.domain[0] >= 0.6


def test_the_data_family_trains_on_the_same_batches_at_every_rate():
    cfg = settings.DataConfig()  # tips, linear, standardised, mini-batches of 16
    problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
    family = settings.run_data_family(cfg, problem)
    (run,) = settings.run_data(cfg, problem)
    np.testing.assert_allclose(
        family.traj.path[:, family.chosen], run.traj.path[:, 0], rtol=1e-12, atol=1e-12
    )
    assert family.critical == pytest.approx(problem.critical_lr())
    assert family.rates[0] < family.critical < family.rates[-1]
    # Mini-batch jitter near the optimum counts as arriving, not as oscillating.
    assert family.region[family.chosen] == "converging"
    fig = scrub_figs.data_scrub_figure(problem, family, narrate.family_lines(family))
    assert len(fig.frames) == len(family.rates) and len(fig.to_json()) < 1_000_000


def test_a_costly_run_scrubs_fewer_rates_rather_than_waiting(monkeypatch):
    cfg = settings.DataConfig(flavour="stochastic", epochs=80)  # 19,520 updates of 1 row
    problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
    cost = cfg.epochs * problem.dataset.n * problem.dataset.n  # updates × rows in each loss
    # A budget for 20 such runs (the real one, 4e8, is met by an upload of 5,000 rows).
    monkeypatch.setattr(settings.build, "DATA_FAMILY_BUDGET", 20.5 * cost)
    family = settings.run_data_family(cfg, problem)
    assert len(family.rates) in range(20, 23)
    monkeypatch.setattr(settings.build, "DATA_FAMILY_BUDGET", 1.0)
    assert len(settings.run_data_family(cfg, problem).rates) in range(16, 19)  # the floor


def test_the_hikers_family_stays_inside_his_rate_bounds():
    low, high = settings.field_bounds(settings.HikerConfig, "lr", inclusive=True)
    for lr in (low, high):
        cfg = settings.HikerConfig(landscape="parabola", lr=lr, x0=-4.0)
        family = settings.run_hiker_family(cfg)
        assert family.rates.min() >= low and family.rates.max() <= high
        assert family.rates[family.chosen] == lr
        assert len(family.rates) >= 10  # still a family to scrub at either end


def test_the_status_words_keep_clear_of_the_modebar(ravine_scrubber):
    """Plotly's modebar (about 25 px, at the top right on hover) covered the end of the status
    line ("(0.94 × critical at the minimum)"): the figure keeps a row for it above them."""
    _, _, fig = ravine_scrubber
    assert fig.layout.margin.t >= 28
    marks = [a for a in fig.layout.annotations if a.yref == "y3 domain"]
    assert {a.xanchor: a.xshift for a in marks} == {"right": -4, "left": 4}  # a gap between


def test_a_square_map_sits_beside_its_loss_and_a_wide_one_above_it():
    for name, side in (("rosenbrock", True), ("ravine", False)):
        cfg = settings.RunConfig(landscape=name, steps=50)
        family = settings.run_family(cfg)
        fig = scrub_figs.landscape_scrub_figure(cfg.surface(), family, narrate.family_lines(family))
        map_x, loss_x = fig.layout.xaxis.domain, fig.layout.xaxis2.domain
        assert (map_x[1] < loss_x[0]) is side  # beside: the map ends where the loss begins
