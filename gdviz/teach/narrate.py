"""Numbers into words: readable formatting and plain-language summaries of a run.

Pure functions of numbers; the pages only print what these return.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from gdviz.core import analysis
from gdviz.core.descent import CONVERGED, DIVERGED, UNCONVERGED, Trajectory
from gdviz.core.landscapes.base import Landscape
from gdviz.core.momentum import MomentumMap
from gdviz.core.scrub import Family
from gdviz.core.sweep import REGIONS, Sweep


def num(value: float, decimals: int = 2) -> str:
    """A number for a learner: fixed decimals in the readable range, scientific outside it.

    ``num(-4) == "-4.00"``; ``num(1.8e-4) == "1.80e-04"`` (so a tiny gradient never reads 0.00);
    ``num(3.1e7) == "3.10e+07"``; non-finite values read ``"∞"`` / ``"undefined"``.
    """
    value = float(value)
    if math.isnan(value):
        return "undefined"
    if math.isinf(value):
        return "∞" if value > 0 else "-∞"
    small = 0.5 * 10.0**-decimals
    if value == 0.0 or small <= abs(value) < 1e5:
        text = f"{value:.{decimals}f}"
        return "0.00" if text in ("-0.00", "0.00") and decimals == 2 else text
    return f"{value:.{decimals}e}"


def point(coords: np.ndarray) -> str:
    """A position in three significant digits, compact enough for a metric card:
    ``(-0.00193, 2.38e-05)``."""
    return "(" + ", ".join(f"{float(v):.3g}" for v in coords) + ")"


def signed(value: float, decimals: int = 2) -> str:
    """Like :func:`num` but with a typographic minus sign (−) for formulas."""
    return num(value, decimals).replace("-", "−")


def rate(value: float) -> str:
    """A learning rate: enough significant digits that 0.0001 never reads 0.00."""
    value = float(value)
    if 0.01 <= value < 1e4:
        return f"{value:.2f}" if round(value, 2) == value else f"{value:.4g}"
    return f"{value:.4g}"


STATUS_WORDS = {CONVERGED: "converged", DIVERGED: "diverged", UNCONVERGED: "not converged"}
PRACTICALLY_THERE = 1e-3  # distance to a minimum that a learner would call "arrived"
# What the scrubbers' colours say (their strip and their paths), in every scrubber's caption.
SCRUB_COLOURS = "green converging, blue too slow, orange oscillating, red diverging"
# The β scrubber's dashed mark (scrub.momentum_family's stable_beta).
STABLE_BETA_MARK = "the dashed line (if any) is the smallest β that keeps this α stable"


def run_summary(traj: Trajectory, run: int = 0, distance: float | None = None) -> str:
    """One sentence on how run ``run`` of a trajectory ended (``distance``: to the nearest known
    minimum, if known)."""
    status = traj.status[run]
    if status == CONVERGED:
        return f"Converged at step {int(traj.converged_at[run])} of {traj.steps}."
    if status == DIVERGED and traj.left_domain[run]:
        return (
            f"Left the function's domain at step {int(traj.diverged_at[run])}: the next point "
            "is where the function is undefined (a gap in the map), so the run stopped at its "
            "last good point."
        )
    if status == DIVERGED:
        return (
            f"Diverged at step {int(traj.diverged_at[run])}: the loss blew up, so the run was "
            "stopped at its last good point. The learning rate is too large here."
        )
    gnorm = float(traj.final_grad_norm[run])
    if traj.path is not None and traj.steps >= 4:
        recent = np.diff(traj.path[-4:, run], axis=0)
        flips = np.sum(recent[1:] * recent[:-1], axis=-1) < 0
        if np.all(flips) and np.all(np.abs(recent) > 0):
            return (
                f"Not converged after {traj.steps} steps: it is oscillating (each step reverses "
                "the last), so the learning rate is near or above the stable limit."
            )
    if distance is not None and distance < PRACTICALLY_THERE:
        return (
            f"Practically there: {num(distance, 2)} from a minimum after {traj.steps} steps, "
            f"though not yet still by the strict test (gradient norm {num(gnorm)} > 1e-6). "
            "Convergence is practical, not perfect."
        )
    return (
        f"Not converged after {traj.steps} steps: still moving (gradient norm {num(gnorm)}). "
        "More steps, a larger learning rate or momentum may help."
    )


def family_line(family: Family, k: int) -> str:
    """The scrubber's status line for run ``k`` of a rate family: the rate (and where it sits
    against the critical rate), the run's region, and how it ended, in one line.

    ``"α = 0.0316 (0.4 × critical at the minimum) · converging: settled at step 63, L = 2.1e-07"``:
    the critical rate is the Hessian's at the minimum the runs head for, so a rate above it
    can still crawl on the way there (Rosenbrock's valley is flatter than its minimum).
    """
    traj, lr = family.traj, float(family.rates[k])
    head = f"α = {rate(lr)}"
    if family.knob == "momentum":  # a β family: lr is β, critical the smallest stable β
        head = f"β = {lr:.2f}"
        if math.isfinite(family.critical):  # short: it shares a line with the chart's tools
            head += f" (stable from {family.critical:.2f})"
    elif math.isfinite(family.critical):
        head += f" ({lr / family.critical:.2g} × critical at the minimum)"
    region = str(family.region[k])
    status = traj.status[k]
    if status == DIVERGED:
        where = "left the domain" if traj.left_domain[k] else "blew up"
        ending = f"{where} at step {int(traj.diverged_at[k])}"
    elif status == CONVERGED:
        ending = f"settled at step {int(traj.converged_at[k])}, L = {traj.final_loss[k]:.3g}"
    else:
        ending = f"after {traj.steps} steps L = {traj.final_loss[k]:.3g}"
    return f"{head} · {region}: {ending}"


def family_lines(family: Family) -> list[str]:
    """:func:`family_line` for every rate of the family, in order."""
    return [family_line(family, k) for k in range(len(family.rates))]


def schedule_words(spec: Mapping[str, Any]) -> str:
    """A schedule's settings (a config's ``model_dump()``) in a few words:
    ``"×0.5 every 7 steps"``, ``"warm-up over 20 steps from 0.1×, then cosine to 0 over 200"``."""
    kind = spec.get("kind")
    if kind == "step":
        return f"×{spec['gamma']:g} every {spec['step_size']} steps"
    if kind == "exponential":
        return f"×{spec['gamma']:g} every step"
    if kind == "cosine":
        return f"cosine to {spec['eta_min']:g} over {spec['t_max']} steps"
    if kind == "warmup":
        then = spec["then"]
        after = "" if then.get("kind") == "constant" else f", then {schedule_words(then)}"
        return f"warm-up over {spec['warmup_steps']} steps from {spec['start_factor']:g}×{after}"
    return "constant"


def bound_rule(momentum: float, nesterov: bool) -> str:
    """The stability bound that applies: ``2/λ_max``, heavy ball or Nesterov."""
    if momentum and nesterov:
        return "2(1+β)/((1+2β)·λ_max)"
    return "2(1+β)/λ_max" if momentum else "2/λ_max"


def momentum_words(found: MomentumMap) -> str:
    """What the (α, β) map says in numbers: the best pair and its rate against the best plain
    gradient descent (β = 0), on the quadratic model, and how far the largest stable α moved.

    For eigenvalues in [μ, L] (κ = L/μ) the best GD rate is ``(κ − 1)/(κ + 1)`` at
    ``α = 2/(μ + L)``; momentum's best is ``(√κ − 1)/(√κ + 1)`` (``gdviz.core.momentum``)."""
    lam = np.asarray(found.eigenvalues, dtype=float)
    best = found.best
    if best is None:
        return (
            "The quadratic model here has no positive curvature in some direction (a saddle or "
            "a plateau at this point), so no (α, β) contracts along it: no best pair."
        )
    mu, big = float(lam.min()), float(lam.max())
    kappa = big / mu
    gd = (kappa - 1.0) / (kappa + 1.0)

    # Steps to shrink the distance a millionfold: log(1e-6) / log(rate).
    def steps(rate: float) -> str:
        return "one step" if rate <= 1e-6 else f"{math.log(1e-6) / math.log(rate):,.0f} steps"

    beta_max = float(found.betas[-1])
    return (
        f"On the quadratic (condition number κ = {kappa:.3g}) the best pair is "
        f"**α = {best.alpha:.3g}, β = {best.beta:.2f}**: rate **{best.rate:.3f}** per step, a "
        f"millionth of the distance in {steps(best.rate)}. The best plain gradient descent "
        f"(β = 0, α = {2.0 / (mu + big):.3g}) has rate **{gd:.3f}**: {steps(gd)}. Momentum "
        f"also moves the stability edge from α = {2.0 / big:.3g} (β = 0) to "
        f"α = {2.0 * (1.0 + beta_max) / big:.3g} (β = {beta_max:.2f}): the dashed line, "
        f"α = 2(1 + β)/λ_max. Left, the rate ρ of each pair in closed form on the quadratic "
        f"at the minimum (the largest root of z² − (1 + β − αλ) z + β over its eigenvalues λ); "
        f"right, measured from the start."
    )


def sweep_report(
    short: Sweep,
    long: Sweep,
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    adaptive: bool = False,
) -> list[str]:
    """Three sentences under a learning-rate sweep: the predicted edge (from the Hessian), the
    measured one, and how the regions split (and that 10x the steps does not move the edge)."""
    if short.minimum is None:
        predicted = (
            "**Predicted:** no critical rate: this function has no minimum on the map, so there "
            "is no valley whose curvature limits the step; runs slide off the map instead."
        )
    elif not np.isfinite(short.critical):
        predicted = (
            f"**Predicted:** no critical rate: the Hessian at the minimum "
            f"{point(short.minimum)} has no positive curvature, so nothing there limits the step."
        )
    else:
        predicted = (
            f"**Predicted:** {bound_rule(momentum, nesterov)} at the minimum "
            f"{point(short.minimum)} gives α = **{rate(short.critical)}**"
            + (
                " (exact for plain and momentum GD; adaptive methods rescale their steps, so "
                "their edge moves)"
                if adaptive
                else ""
            )
            + "."
        )
    if short.edge is not None:
        measured = (
            "**Measured:** the first rate whose runs diverge (blow up, or keep overshooting "
            f"while climbing) is α = **{rate(short.edge)}**."
        )
    else:
        measured = "**Measured:** no rate in this range diverged."
    counts = {name: int(np.sum(short.region == name)) for name in REGIONS}
    regions = (
        f"**Regions at {short.steps} steps:** "
        + ", ".join(f"{n} {name}" for name, n in counts.items() if n)
        + f". At {long.steps} steps the too-slow region shrinks, but the diverging region stays "
        "where it is: more iterations do not fix a learning rate that is too large."
    )
    return [predicted, measured, regions]


@dataclass(frozen=True)
class Report:
    """Readouts for one run on a landscape, ready to print."""

    summary: str
    status: str  # "converged at step 12", "diverged at step 40", "not converged"
    final_loss: str
    final_coords: tuple[str, ...]  # each coordinate alone, for a narrow readout: ("-0.859", …)
    distance: str
    critical: str  # a sentence on the critical learning rate


def status_word(landscape: Landscape, final: Any, status: str) -> str:
    """The status in words that agree with the numbers beside it: a run that settled on a
    known saddle "stopped on a saddle" (not "converged": the gradient vanished, the loss did
    not reach a minimum), and a run still moving within :data:`PRACTICALLY_THERE` of a
    minimum "arrived" (not "not converged" beside a distance of 3e-06; a readout beside the map
    has room for one short word)."""
    point = np.asarray(final, dtype=float)
    to_saddles = np.linalg.norm(landscape.saddles.reshape(-1, landscape.dim) - point, axis=-1)
    if status == CONVERGED and np.any(to_saddles <= PRACTICALLY_THERE):
        return "stopped on a saddle"
    if status == UNCONVERGED and len(landscape.minima):
        _, distance = landscape.nearest_minimum(point)
        if float(distance) <= PRACTICALLY_THERE:
            return "arrived"
    return STATUS_WORDS[status]


def landscape_report(
    landscape: Landscape,
    traj: Trajectory,
    run: int = 0,
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    adaptive: bool = False,
) -> Report:
    """What a learner reads under the map: status, final point and loss, distance to the nearest
    known minimum, and the critical learning rate there (for plain/momentum GD)."""
    final = traj.final[run]
    status = traj.status[run]
    step = {CONVERGED: traj.converged_at[run], DIVERGED: traj.diverged_at[run]}.get(status)
    status_text = (
        "left the domain" if traj.left_domain[run] else status_word(landscape, final, status)
    ) + (f" at step {int(step)}" if step is not None else "")
    if len(landscape.minima) == 0:  # a typed-in function may have no minimum inside the map
        return Report(
            summary=run_summary(traj, run),
            status=status_text,
            final_loss=num(traj.final_loss[run], 4),
            final_coords=tuple(f"{float(v):.4g}" for v in final),
            distance="—",
            critical="This function has no known minimum inside the map, so there is no "
            "critical learning rate to report.",
        )
    index, distance = landscape.nearest_minimum(final)
    nearest = landscape.minima[int(index)]
    crit = analysis.critical_lr(landscape, nearest, momentum=momentum, nesterov=nesterov)
    rule = bound_rule(momentum, nesterov)
    critical = (
        f"Critical learning rate at the nearest minimum ({num(nearest[0], 3)}, "
        f"{num(nearest[1], 3)}): α = {rate(crit)} ({rule}, from the Hessian)."
    )
    if adaptive:
        critical += (
            " It bounds plain and momentum gradient descent; adaptive methods rescale each "
            "step, so their stable rate differs."
        )
    return Report(
        summary=run_summary(traj, run, float(distance)),
        status=status_text,
        final_loss=num(traj.final_loss[run], 4),
        final_coords=tuple(f"{float(v):.4g}" for v in final),
        # "0.0000" beside a loss of 7.9e-31 reads as rounding; the point is the minimum itself
        # (the loss there is the formula's own rounding).
        distance=num(float(distance), 4) if float(distance) > 0 else "0 (exactly)",
        critical=critical,
    )


# -- learning from data ----------------------------------------------------------------------


def training_summary(run: Any, optimum_loss: float) -> str:
    """One sentence on how a training run ended, in epochs and updates."""
    traj = run.traj
    if traj.status[0] == DIVERGED:
        t = int(traj.diverged_at[0])
        return (
            f"**{run.label}** diverged at update {t} (epoch {t / run.per_epoch:.2f}): the loss "
            "blew up, so the run stopped at its last good point. The learning rate is too large "
            "for this surface."
        )
    final = float(run.loss[-1])
    text = (
        f"**{run.label}**: after {run.epochs} epoch{'s' if run.epochs != 1 else ''} "
        f"({run.steps:,} updates) the loss is {final:.5g}"
    )
    if math.isfinite(optimum_loss):
        gap = final - optimum_loss
        if gap <= 1e-9 * max(1.0, abs(optimum_loss)):
            return text + f", the optimum's own loss ({optimum_loss:.5g})."
        relative = gap / max(abs(optimum_loss), 1e-12)
        if relative >= 1.0:
            if optimum_loss <= 1e-12 * max(1.0, final):  # a ratio to (almost) zero says nothing
                return text + (
                    f", while the optimum fits these data exactly (its loss is "
                    f"{optimum_loss:.2g}: zero up to rounding)."
                )
            ratio = final / optimum_loss
            times = (
                f"{ratio:.1f}"
                if ratio < 1000
                else f"{ratio:,.0f}"
                if ratio < 1e6
                else "over a million"
            )
            return text + f": {times}× the optimum's {optimum_loss:.5g}."
        return text + f", {relative:.2%} above the optimum's {optimum_loss:.5g}."
    return text + "."


def training_tone(run: Any, optimum_loss: float) -> str:
    """How a page should colour a run's summary: ``"error"`` (diverged), ``"success"`` (within
    1% of the optimum's loss) or ``"warning"`` (still far from it)."""
    if run.traj.status[0] == DIVERGED:
        return "error"
    final = float(run.loss[-1])
    if math.isfinite(optimum_loss) and final - optimum_loss <= 0.01 * max(abs(optimum_loss), 1e-12):
        return "success"
    return "warning"


def scaling_report(problem: Any, other: Any, lr: float, momentum: float = 0.0) -> str:
    """Why feature scaling matters here: the condition number and the critical learning rate of
    full-batch descent on the raw and on the standardised feature, and what the chosen rate does
    on each (``problem``: the chosen scaling, ``other``: the other one)."""
    raw, std = (problem, other) if problem.scaling == "raw" else (other, problem)
    lr_raw, lr_std = raw.critical_lr(momentum), std.critical_lr(momentum)
    where = "" if problem.model == "linear" else " near the optimum"
    lines = [
        f"**Raw feature:** condition number {_count(raw.condition_number())}{where}; full-batch "
        f"descent is stable only for α < {rate(lr_raw)}.",
        f"**Standardised feature:** condition number {_count(std.condition_number())}; stable "
        f"for α < {rate(lr_std)}.",
    ]
    verdict = []
    for name, limit in (("raw", lr_raw), ("standardised", lr_std)):
        if lr >= limit:
            verdict.append(f"above the {name} limit (it oscillates and blows up there)")
        elif lr < 0.05 * limit:
            verdict.append(f"far below the {name} limit (it crawls there)")
        else:
            verdict.append(f"within the {name} limit")
    lines.append(f"Your α = {rate(lr)} is {verdict[0]}, and {verdict[1]}.")
    if raw.condition_number() > 10 * std.condition_number():
        lines.append(
            "The raw feature sits far from zero, so changing the slope w also shifts every "
            "prediction: w and b fight each other, and the round bowl becomes a long, narrow "
            "ravine. Standardising, z = (x − mean)/std, makes the bowl round again."
        )
    return "  \n".join(lines)


def _count(value: float) -> str:
    """``2,810`` for large values, ``1.00`` for small ones."""
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"


MISMATCH_NOTE = (
    "**The mismatched loss.** Squared error on a sigmoid has gradient "
    "2(σ − y)·σ(1 − σ)·(x, 1). Where the sigmoid saturates, σ(1 − σ) ≈ 0, so the gradient "
    "vanishes even when the prediction is completely wrong: the surface has flat plateaus, and "
    "descent started there crawls. Cross-entropy's gradient is (σ − y)·(x, 1): the factor "
    "cancels, a wrong prediction always gives a strong push, and the surface is convex."
)
