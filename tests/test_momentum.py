"""Heavy-ball momentum over (α, β): the closed-form rate against the iteration matrix's
eigenvalues, Polyak's best pair by hand, the measured rate against the closed form on a
quadratic, the figure, the words, and the sweep page's tab."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdviz import settings
from gdviz.core import landscapes, momentum
from gdviz.figures.momentum import momentum_figure, steps_to_shrink
from gdviz.teach import narrate
from tests.helpers import open_page, shown

RAVINE = landscapes.get("ravine")  # L = (x² + 25 y²)/2: eigenvalues 1 and 25


def test_the_rate_is_the_spectral_radius_of_the_iteration_matrix():
    rng = np.random.default_rng(0)
    a, beta = rng.uniform(0, 5, 3000), rng.uniform(0, 0.999, 3000)
    matrices = np.stack(
        [np.stack([1 + beta - a, -beta], -1), np.stack([np.ones_like(a), np.zeros_like(a)], -1)],
        axis=-2,
    )  # (N, 2, 2): [[1 + β − a, −β], [1, 0]]
    radius = np.abs(np.linalg.eigvals(matrices)).max(axis=-1)
    assert np.allclose(momentum.rate(a, beta), radius, atol=1e-12)


def test_plain_gd_and_the_stability_edge():
    a = np.linspace(0.01, 4.5, 400)
    assert np.allclose(momentum.rate(a, 0.0), np.abs(1 - a))  # β = 0: |1 − αλ|
    for beta in (0.0, 0.3, 0.9):
        edge = 2 * (1 + beta)
        inside, outside = a[a < edge - 1e-3], a[a > edge + 1e-3]
        assert np.all(momentum.rate(inside, beta) < 1)
        assert np.all(momentum.rate(outside, beta) > 1)
    assert momentum.stable_alpha(0.5, 25.0) == pytest.approx(0.12)  # 2 · 1.5 / 25


def test_polyaks_best_pair_by_hand_and_on_the_map():
    best = momentum.optimum(np.array([1.0, 25.0]))
    # √μ = 1, √L = 5: α* = 4/36, β* = (4/6)², rate 4/6.
    assert best == pytest.approx((1 / 9, 4 / 9, 2 / 3))
    alphas, betas = np.geomspace(1e-3, 0.2, 400), np.linspace(0, 0.98, 300)
    rates = momentum.rate_map([1.0, 25.0], alphas, betas)
    assert rates.min() == pytest.approx(2 / 3, abs=0.01)  # no pair on the grid beats it
    j, i = np.unravel_index(rates.argmin(), rates.shape)
    assert alphas[i] == pytest.approx(1 / 9, rel=0.05)
    assert betas[j] == pytest.approx(4 / 9, abs=0.03)
    assert momentum.optimum(np.array([-1.0, 2.0])) is None  # a saddle has no best pair


def test_the_measured_rate_on_a_quadratic_is_the_closed_form():
    alphas, betas = np.geomspace(1e-3, 0.2, 40), np.linspace(0, 0.98, 25)
    theory = momentum.rate_map([1.0, 25.0], alphas, betas)
    measured = momentum.measured_rates(RAVINE, RAVINE.start, np.zeros(2), alphas, betas, 500)
    fine = (theory < 0.97) & (theory > 0.3)
    assert fine.sum() > 300
    assert np.allclose(measured[fine], theory[fine], rtol=0.05)
    assert np.all(np.isnan(measured[theory > 1.01]))  # diverged exactly where theory says
    assert not np.any(np.isnan(measured[theory < 0.99]))


def test_the_figure_draws_both_panels_the_edge_the_best_pair_and_the_chosen_run():
    found = settings.run_momentum(settings.SweepConfig())
    assert found is not None
    figure = momentum_figure(found, chosen=(0.05, 0.5))
    fig = figure.to_plotly_json()
    kinds = [(t["type"], t.get("xaxis", "x"), t.get("name", "")) for t in fig["data"]]
    heatmaps = [k for k in kinds if k[0] == "heatmap"]
    assert [h[1] for h in heatmaps] == ["x", "x2"]
    assert sum(name.startswith("stability edge") for _, _, name in kinds) == 2
    assert sum(name.startswith("best pair α = 0.111, β = 0.44") for _, _, name in kinds) == 2
    assert sum(name.startswith("your run α = 0.05, β = 0.50") for _, _, name in kinds) == 2
    assert sum(name == "click to start here" for _, _, name in kinds) == 2
    theory = np.asarray(figure.data[0].z, dtype=float)
    assert np.all(np.isnan(theory[found.theory >= 1]))  # diverging cells are left empty
    best_steps = steps_to_shrink(np.array([2 / 3]))[0]
    assert best_steps == pytest.approx(np.log(1e-6) / np.log(2 / 3))  # 34.07 steps
    assert fig["layout"]["xaxis"]["type"] == "log"


def test_the_words_give_the_best_pair_against_plain_gd():
    found = settings.run_momentum(settings.SweepConfig())
    words = narrate.momentum_words(found)
    assert "κ = 25" in words
    assert "**α = 0.111, β = 0.44**: rate **0.667** per step" in words
    assert "in 34 steps" in words  # log(1e-6)/log(2/3)
    assert "(β = 0, α = 0.0769) has rate **0.923**: 173 steps" in words  # 24/26
    assert "from α = 0.08 (β = 0) to α = 0.158 (β = 0.98)" in words


def test_the_sweep_page_shows_the_map_and_runs_a_clicked_pair():
    at = open_page("sweep")
    assert len(at.get("plotly_chart")) == 3  # the sweep, the basin map, the (α, β) map
    text = " ".join(m.value for m in at.markdown)
    assert "best pair is **α = 0.111, β = 0.44**" in text
    at.session_state["mm_click"] = (0.05, 0.5)  # what a click on the map sets
    at.run()
    assert not at.exception
    text = shown(" ".join(m.value for m in at.markdown))
    assert "Your run: α = 0.05, β = 0.50** from (-4.5, 1.5): converged at step" in text
    assert "mom=0.5" in text and "lr=0.05" in text  # the link to it on the landscape page
    charts = at.get("plotly_chart")
    assert len(charts) == 4  # and its β scrubber: every β at the clicked α, yours first
    scrubber = json.loads(charts[3].proto.spec)
    steps = scrubber["layout"]["sliders"][0]["steps"]
    assert len(steps) == 50 and scrubber["layout"]["sliders"][0]["active"] == next(
        k for k, step in enumerate(steps) if step["label"] == "0.5"
    )


def test_a_function_without_a_known_minimum_says_so():
    at = open_page("sweep")
    at.selectbox(key="sw_f").set_value("custom").run()
    at.text_input(key="sw_f_expr").set_value("x + y").run()
    assert not at.exception
    assert any("no known minimum to measure a rate against" in i.value for i in at.info)


# -- the β scrubber ----------------------------------------------------------------------------


def test_a_momentum_family_holds_the_chosen_run_and_the_smallest_stable_beta():
    from gdviz import descend
    from gdviz.core import optim, scrub

    family = scrub.momentum_family(RAVINE, optim.sgd(0.085, momentum=0.5), RAVINE.start, 200)
    assert family.knob == "momentum" and family.rates[family.chosen] == 0.5
    assert family.rates[0] == 0.0 and family.rates[-1] == 0.98 and len(family.rates) == 50
    alone = descend(RAVINE, optim.sgd(0.085, momentum=0.5), RAVINE.start, 200)
    assert np.array_equal(family.traj.path[:, family.chosen], alone.path[:, 0])  # the same run
    # α(1 − τ)λ_max/2 − 1 = 0.085 · 25 / 2 − 1 = 0.0625: below it every run blows up.
    assert family.critical == pytest.approx(0.0625)
    below = family.rates < family.critical
    assert np.all(family.region[below] == "diverging")
    assert np.all(family.region[~below] != "diverging")
    calm = scrub.momentum_family(RAVINE, optim.sgd(0.02), RAVINE.start, 200)
    assert calm.critical == np.inf  # α = 0.02 < 2/25: every β is stable
    nesterov = optim.sgd(0.02, momentum=0.5, nesterov=True)
    assert scrub.momentum_family(RAVINE, nesterov, RAVINE.start, 50).rates[0] > 0
    with pytest.raises(ValueError, match="needs SGD"):
        scrub.momentum_family(RAVINE, optim.adam(0.1), RAVINE.start, 10)


def test_the_beta_scrubber_figure_has_a_linear_strip_and_its_own_words():
    from gdviz.figures import scrub as scrub_figs

    cfg = settings.RunConfig(
        landscape="ravine",
        start=(-4.5, 1.5),
        optimizer=settings.SGDConfig(lr=0.085, momentum=0.5),
    )
    family = settings.run_momentum_family(cfg)
    lines = narrate.family_lines(family)
    assert lines[family.chosen].startswith("β = 0.50 (stable from 0.06) · converging")
    assert lines[0].startswith("β = 0.00 (stable from 0.06) · diverging: blew up at step")
    fig = scrub_figs.landscape_scrub_figure(cfg.surface(), family, lines).to_plotly_json()
    assert fig["layout"]["xaxis3"]["type"] == "linear"
    assert fig["layout"]["xaxis3"]["range"] == [0.0, 0.98]
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "your β" in texts and "stable from here" in texts
    assert len(fig["frames"]) == len(family.rates) == 50
    names = {t.get("name") for t in fig["data"]}
    assert {"your β", "scrubbed β"} <= names


def test_the_landscape_page_scrubs_beta_for_sgd_and_says_why_not_otherwise():
    at = open_page("landscape", {"f": "ravine", "lr": "0.085", "x0": "-4.5", "y0": "1.5"})
    at.radio(key="ls_view").set_value("β scrubber").run()
    assert not at.exception
    assert next(c.key for c in at.get("plotly_chart")) == "ls_scrub_beta"
    at = open_page("landscape", {"f": "ravine", "opt": "adam", "lr": "0.1"})
    at.radio(key="ls_view").set_value("β scrubber").run()
    assert not at.exception
    assert any("The β scrubber varies heavy-ball momentum" in i.value for i in at.info)
    assert next(c.key for c in at.get("plotly_chart")) == "ls_map"  # the map instead
