"""Race several optimizers (or one optimizer at several settings) from the same start.

Runs that share an optimizer kind, its on/off switches (Nesterov, AMSGrad, centred) and a schedule
go through one vectorised ``descend`` call, with per-run arrays for every other hyperparameter.
Every run sees the same gradient-noise draws (same seed), so differences come from the optimizers,
not from luck.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

import numpy as np

from gdviz.core import optim
from gdviz.core.descent import CONVERGED, DIVERGED, Objective, Trajectory, descend
from gdviz.core.landscapes.base import Landscape
from gdviz.core.schedules import Schedule

Array = np.ndarray
SWITCHES = ("nesterov", "amsgrad", "centered")


@dataclass(frozen=True)
class Entry:
    """One competitor: a label, its optimizer, schedule and gradient noise.

    ``schedule_key`` identifies the schedule (equal keys: the same schedule), so entries with
    the same optimizer kind and schedule can share one vectorised call.
    """

    label: str
    optimizer: optim.Optimizer
    schedule: Schedule | None = None
    schedule_key: Hashable = "constant"
    grad_noise: float = 0.0


def _group_key(entry: Entry) -> tuple:
    switches = tuple(entry.optimizer.hyperparams.get(name) for name in SWITCHES)
    return entry.optimizer.name, switches, entry.schedule_key


def _stacked(entries: Sequence[Entry]) -> optim.Optimizer:
    """One optimizer whose every numeric hyperparameter is an array over ``entries``."""
    first = entries[0].optimizer
    kwargs = {}
    for name, value in first.hyperparams.items():
        if name in SWITCHES:
            kwargs[name] = value
        elif isinstance(value, tuple):
            kwargs[name] = tuple(
                np.array([e.optimizer.hyperparams[name][i] for e in entries], dtype=float)
                for i in range(len(value))
            )
        else:
            kwargs[name] = np.array([e.optimizer.hyperparams[name] for e in entries], dtype=float)
    return first.rebuild(**kwargs)


def race(
    objective: Objective,
    entries: Sequence[Entry],
    start: Array,
    steps: int,
    *,
    seed: int | None = 0,
) -> Trajectory:
    """Run every entry from ``start`` (``(d,)``) for ``steps`` updates.

    Returns one :class:`Trajectory` with the runs in the order of ``entries``.
    """
    if not entries:
        raise ValueError("race needs at least one entry")
    groups: dict[tuple, list[int]] = {}
    for index, entry in enumerate(entries):
        groups.setdefault(_group_key(entry), []).append(index)
    parts, order = [], []
    for members in groups.values():
        chosen = [entries[i] for i in members]
        noise = np.array([e.grad_noise for e in chosen], dtype=float)
        parts.append(
            descend(
                objective,
                _stacked(chosen),
                np.asarray(start, dtype=float),
                steps,
                schedule=chosen[0].schedule,
                grad_noise=noise if len(chosen) > 1 else float(noise[0]),
                seed=seed,
            )
        )
        order.extend(members)
    joined = Trajectory.concat(parts)
    return joined.take(np.argsort(order))


@dataclass(frozen=True)
class Result:
    """One row of the results table."""

    label: str
    final_loss: float
    distance: float  # to the nearest known minimum
    status: str
    converged_at: int | None
    diverged_at: int | None
    reached_at: int | None  # first step with loss <= the threshold


def results(
    landscape: Landscape, traj: Trajectory, labels: Sequence[str], threshold: float
) -> list[Result]:
    """The numbers to compare runs by: final loss, distance to the nearest minimum, when the run
    converged or diverged, and the first step its loss fell to ``threshold`` (path mode)."""
    _, distance = landscape.nearest_minimum(traj.final)
    rows = []
    for i, label in enumerate(labels):
        below = (
            np.flatnonzero(traj.loss[:, i] <= threshold)
            if traj.loss is not None
            else np.empty(0, dtype=int)
        )
        rows.append(
            Result(
                label=label,
                final_loss=float(traj.final_loss[i]),
                distance=float(distance[i]),
                status=str(traj.status[i]),
                converged_at=int(traj.converged_at[i]) if traj.status[i] == CONVERGED else None,
                diverged_at=int(traj.diverged_at[i]) if traj.status[i] == DIVERGED else None,
                reached_at=int(below[0]) if len(below) else None,
            )
        )
    return rows
