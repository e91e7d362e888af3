"""The hiker: exact status lines, the update rule with numbers, and the verdict in words."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core import landscapes
from gdviz.teach import hiker


def test_status_line_and_update_rule_at_the_start():
    hike = hiker.start("parabola", -4.0)
    assert hiker.status_line(hike) == (
        "Step: 0 | Current Position: -4.00 | Loss: 16.00 | Gradient: -8.00"
    )
    assert hiker.update_rule(hike, 0.10) == "x₁ = x₀ − α·L'(x₀) = −4.00 − 0.10·(−8.00) = −3.20"


def test_one_step_ten_steps_back_and_reset():
    hike = hiker.step(hiker.start("parabola", -4.0), 0.10)
    assert hiker.status_line(hike) == (
        "Step: 1 | Current Position: -3.20 | Loss: 10.24 | Gradient: -6.40"
    )
    hike = hiker.step(hike, 0.10, 10)
    x11 = -4.0 * 0.8**11
    assert hike.steps == 11
    assert hiker.status_line(hike) == (
        f"Step: 11 | Current Position: {x11:.2f} | Loss: {x11**2:.2f} | Gradient: {2 * x11:.2f}"
    )
    hike = hiker.back(hike)
    assert hike.steps == 10 and hike.x == pytest.approx(-4.0 * 0.8**10)
    assert hiker.back(hiker.start("parabola", -4.0)).steps == 0


def test_rates_of_each_step_are_remembered():
    hike = hiker.step(hiker.step(hiker.start("parabola", 2.0), 0.1, 2), 0.3)
    assert hike.rates == (0.1, 0.1, 0.3)
    assert hike.x == pytest.approx(2.0 * 0.8 * 0.8 * 0.4)


@pytest.mark.parametrize(
    ("lr", "steps", "kind", "words"),
    [
        (0.10, 0, "converging", "Converging ahead"),
        (0.10, 3, "converging", "every step goes downhill"),
        (0.90, 0, "oscillating", "Oscillating ahead"),
        (0.90, 3, "oscillating", "closing in slowly"),
        (1.00, 4, "oscillating", "forever"),
        (1.10, 0, "diverging", "above the critical rate"),
        (1.10, 1, "diverging", "overshoots the minimum by more than the last"),
        (0.50, 2, "converged", "the slope is zero"),
    ],
)
def test_verdicts_on_the_parabola(lr, steps, kind, words):
    hike = hiker.step(hiker.start("parabola", -4.0), lr, steps)
    verdict = hiker.verdict(hike, lr)
    assert verdict.kind == kind
    assert words in verdict.headline
    assert "above α = 1.00 every step overshoots so far that the hiker climbs out" in verdict.detail


def test_a_diverging_hike_stops_at_its_last_good_point():
    hike = hiker.step(hiker.start("parabola", -4.0), 1.1, 200)
    assert hike.diverged
    assert hike.steps == 26  # the 27th update leaves the escape box (see descend)
    assert hiker.verdict(hike, 1.1).kind == "diverging"
    assert hiker.step(hike, 0.1).steps == 26  # a thrown-off hiker does not move on


def test_the_plateau_reads_as_stuck():
    hike = hiker.start("plateau_1d", 4.5)
    verdict = hiker.verdict(hike, 0.5)
    assert verdict.kind == "stuck"
    assert "flat region" in verdict.headline


def test_double_well_uses_the_nearest_valley_for_the_critical_rate():
    right = hiker.start("double_well", 1.8)
    left = hiker.start("double_well", -1.8)
    # L'' = 12x² − 4 at the minima x ≈ 0.960 and x ≈ −1.036
    assert hiker.critical_rate(right) == pytest.approx(2 / (12 * 0.96015**2 - 4), rel=1e-4)
    assert hiker.critical_rate(left) == pytest.approx(2 / (12 * 1.035579**2 - 4), rel=1e-4)


def test_the_hikes_animation_plays_every_step():
    """The hiker's HTML export plays: frame k has the hiker at x_k and his next landing at
    x_{k+1} (the last frame: x − α L'(x)), under Play and a step slider (it was a still)."""
    from gdviz.figures.hiker import hike_animation

    curve = landscapes.get("parabola")
    walk = hiker.step(hiker.start(curve, -4.0), 0.1, 3)  # -4, -3.2, -2.56, -2.048
    fig = hike_animation(curve, np.array(walk.positions), 0.1)
    assert [b.label for b in fig.layout.updatemenus[0].buttons] == ["▶ Play", "❚❚ Pause"]
    assert [s.label for s in fig.layout.sliders[0].steps] == ["0", "1", "2", "3"]
    for k, frame in enumerate(fig.frames):
        trail, tangent, landing, hiker_at = frame.data
        assert hiker_at.x == (walk.positions[k],)
        assert len(trail.x) == k + 1
        expected = walk.positions[k + 1] if k < 3 else -2.048 * 0.8
        assert landing.x[0] == pytest.approx(expected)
        # the tangent's slope is L'(x) = 2x at the hiker
        (x0, x1), (y0, y1) = tangent.x, tangent.y
        assert (y1 - y0) / (x1 - x0) == pytest.approx(2 * walk.positions[k])
    assert fig.layout.xaxis.range[0] <= -4.0  # the whole hike's view: nothing jumps
