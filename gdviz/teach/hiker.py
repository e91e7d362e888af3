"""The hiker: one-dimensional gradient descent, one step at a time, explained in words.

A hike is the list of positions ``x₀, x₁, …`` and the learning rate used for each step. Steps use
the same core as everything else (``descend`` with plain SGD), so the hiker's numbers are exactly
the numbers of ``torch.optim.SGD`` on the same curve.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from gdviz.core import analysis, landscapes, optim
from gdviz.core.descent import DIVERGED, descend
from gdviz.core.landscapes.base import Landscape
from gdviz.teach.narrate import num, rate, signed

VerdictKind = Literal["start", "converging", "oscillating", "diverging", "stuck", "converged"]

MAX_STEPS = 1000  # one hike keeps at most this many steps (and a link carries at most this many)
FLAT_SLOPE = 1e-2  # |L'| below this, far above the minimum, is a plateau
AT_MINIMUM = 1e-6  # |L'| below this at the minimum: converged


@dataclass(frozen=True)
class Hike:
    """Positions visited ``(k+1,)`` and the learning rate of each of the k steps ``(k,)`` on
    the 1-D ``curve`` (a built-in or a typed-in one)."""

    curve: Landscape
    positions: tuple[float, ...]
    rates: tuple[float, ...] = ()
    diverged: bool = False

    @property
    def steps(self) -> int:
        return len(self.positions) - 1

    @property
    def x(self) -> float:
        return self.positions[-1]


def start(curve: Landscape | str, x0: float) -> Hike:
    """A fresh hike at ``x0`` on ``curve`` (a Landscape, or a built-in's name)."""
    return Hike(landscapes.get(curve) if isinstance(curve, str) else curve, (float(x0),))


def step(hike: Hike, lr: float, n: int = 1) -> Hike:
    """Take ``n`` gradient-descent steps ``x ← x − α L'(x)``; a diverging hike stops moving,
    and no hike goes past :data:`MAX_STEPS` (``n`` is cut to the steps left)."""
    n = min(n, MAX_STEPS - hike.steps)
    if hike.diverged or n <= 0:
        return hike
    traj = descend(hike.curve, optim.sgd(lr), np.array([hike.x]), n)
    new = [float(v) for v in traj.recorded("path")[1:, 0, 0]]
    diverged = traj.status[0] == DIVERGED
    if diverged:
        new = new[: int(traj.diverged_at[0]) - 1]
    return Hike(
        hike.curve, hike.positions + tuple(new), hike.rates + (float(lr),) * len(new), diverged
    )


def earlier_runs(hike: Hike, lr: float) -> tuple[tuple[float, int], ...]:
    """The hike's steps before its last change of rate, as ``(α, steps)`` runs: all of them
    when the hiker's current rate ``lr`` is not the last one walked. With :func:`replay` this
    rebuilds the hike exactly (a link carries it)."""
    runs: list[tuple[float, int]] = []
    for r in hike.rates:
        if runs and runs[-1][0] == r:
            runs[-1] = (r, runs[-1][1] + 1)
        else:
            runs.append((r, 1))
    if runs and runs[-1][0] == lr:
        runs.pop()
    return tuple(runs)


def replay(curve: Landscape, x0: float, runs: tuple[tuple[float, int], ...]) -> Hike:
    """The hike from ``x0`` that takes each run's ``steps`` at its rate ``α``, in order."""
    hike = start(curve, x0)
    for lr, n in runs:
        hike = step(hike, lr, n)
    return hike


def back(hike: Hike) -> Hike:
    """Undo the last step (no-op at the start)."""
    if hike.steps == 0:
        return hike
    return Hike(hike.curve, hike.positions[:-1], hike.rates[:-1], False)


def slope(hike: Hike, x: float | None = None) -> float:
    """``L'(x)`` at the hiker (or at ``x``)."""
    return float(hike.curve.grad(np.array([hike.x if x is None else x]))[0])


def loss(hike: Hike, x: float | None = None) -> float:
    return float(hike.curve.value(np.array([hike.x if x is None else x])))


def losses(hike: Hike) -> np.ndarray:
    """The loss at every position visited: ``(k+1,)``."""
    return hike.curve.value(np.array(hike.positions)[:, None])


def status_line(hike: Hike) -> str:
    """``Step: 1 | Current Position: -3.20 | Loss: 10.24 | Gradient: -6.40``."""
    return (
        f"Step: {hike.steps} | Current Position: {num(hike.x)} | Loss: {num(loss(hike))} | "
        f"Gradient: {num(slope(hike))}"
    )


def update_rule(hike: Hike, lr: float) -> str:
    """The next update with numbers plugged in, e.g.
    ``x₁ = x₀ − α·L'(x₀) = −4.00 − 0.10·(−8.00) = −3.20``."""
    k = hike.steps
    g = slope(hike)
    x_next = hike.x - lr * g
    sub = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
    now, nxt = str(k).translate(sub), str(k + 1).translate(sub)
    return (
        f"x{nxt} = x{now} − α·L'(x{now}) = {signed(hike.x)} − {rate(lr)}·({signed(g)}) "
        f"= {signed(x_next)}"
    )


@dataclass(frozen=True)
class Verdict:
    kind: VerdictKind
    headline: str
    detail: str


def nearest_minimum(hike: Hike) -> float:
    index, _ = hike.curve.nearest_minimum(np.array([hike.x]))
    return float(hike.curve.minima[int(index), 0])


def critical_rate(hike: Hike) -> float:
    """``2 / L''(x*)`` at the minimum nearest the hiker."""
    return analysis.critical_lr(hike.curve, np.array([nearest_minimum(hike)]))


def verdict(hike: Hike, lr: float) -> Verdict:
    """What the hike is doing, in words, with the critical learning rate of this valley.

    Before the first step it predicts from the local factor ``r = 1 − α L''(x*)`` (the distance to
    the minimum is multiplied by r each step near x*); afterwards it reports what the last steps
    did: moving away (diverging), crossing the minimum (oscillating), creeping on a flat stretch
    (stuck), or closing in (converging).
    """
    if len(hike.curve.minima) == 0:  # a typed-in curve with no minimum inside its box
        if hike.diverged:
            return _thrown_off(hike, "This curve has no minimum inside the plotted range.")
        g = slope(hike)
        return Verdict(
            "converging" if hike.steps == 0 or abs(g) > 0 else "converged",
            f"Moving against the slope (L'(x) = {num(g)}).",
            "This curve has no minimum inside the plotted range, so there is no valley and no "
            "critical learning rate to compare with.",
        )
    x_star = nearest_minimum(hike)
    crit = critical_rate(hike)
    limit = (
        f"The critical learning rate of this valley is α = {rate(crit)} (2 / L''(x*) at "
        f"x* = {num(x_star)}): above α = {rate(crit)} every step overshoots so far that the hiker "
        "climbs out."
    )
    g = slope(hike)
    gap = loss(hike) - loss(hike, x_star)
    if hike.diverged:
        return _thrown_off(hike, limit)
    if abs(g) < AT_MINIMUM and abs(hike.x - x_star) < 1e-3:
        return Verdict(
            "converged", f"Converged: the slope is zero at x = {num(hike.x)}, the bottom.", limit
        )
    if abs(g) < FLAT_SLOPE and gap > 0.05:
        return Verdict(
            "stuck",
            "Stuck on a flat region: the slope is almost zero, so each step is tiny, yet the "
            "loss is still high.",
            f"Here L'(x) = {num(g)}: a step moves only α·|L'| = {num(lr * abs(g))}. " + limit,
        )
    if hike.steps == 0:
        return _prediction(lr, crit, limit)
    before, now = hike.positions[-2] - x_star, hike.x - x_star
    if abs(now) > abs(before) * (1 + 1e-12):
        return Verdict(
            "diverging",
            "Diverging: each step overshoots the minimum by more than the last.",
            f"α = {rate(lr)} is above the critical rate. " + limit,
        )
    if now * before < 0:
        forever = abs(abs(now) - abs(before)) <= 1e-9 * max(abs(before), 1.0)
        return Verdict(
            "oscillating",
            "Oscillating: the hiker overshoots the minimum and bounces back and forth"
            + (" forever, never getting closer." if forever else ", closing in slowly."),
            limit,
        )
    return Verdict("converging", "Converging: every step goes downhill towards the minimum.", limit)


def _thrown_off(hike: Hike, limit: str) -> Verdict:
    """The verdict once a hike has diverged: where the hiker is, and why Step does nothing."""
    return Verdict(
        "diverging",
        f"Diverged: the hiker has been thrown off the curve (he is at x = {num(hike.x)}, "
        f"L = {loss(hike):.3g}).",
        "The next step would blow up, so the hike stops here: press Back to retrace his steps, "
        "Reset to start again, or choose a smaller learning rate. " + limit,
    )


def _prediction(lr: float, crit: float, limit: str) -> Verdict:
    if lr > crit:
        return Verdict(
            "diverging", f"Diverging ahead: α = {rate(lr)} is above the critical rate.", limit
        )
    if lr > crit / 2:
        return Verdict(
            "oscillating",
            f"Oscillating ahead: with α = {rate(lr)} each step jumps past the minimum.",
            limit,
        )
    return Verdict(
        "converging", f"Converging ahead: α = {rate(lr)} steps steadily downhill.", limit
    )
