"""Runs as numbers that leave the app: a CSV a spreadsheet or pandas reads, one row per run
and step.

Numpy and the standard library only (the figures' standalone HTML is built in
``gdviz.figures``; the settings travel as the config's own JSON).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

import numpy as np

from gdviz.core.descent import CONVERGED, DIVERGED, Objective, Trajectory

COLUMNS = ("run", "step", "loss", "grad_norm", "lr", "status")


def step_status(traj: Trajectory, run: int) -> np.ndarray:
    """What run ``run`` was doing at each step ``(rows,)``: ``"moving"``, then ``"converged"``
    from the step it settled, or ``"diverged"`` at the step it blew up (its last row)."""
    rows = _rows(traj, run)
    status = np.full(rows, "moving", dtype=object)
    if traj.status[run] == CONVERGED:
        status[int(traj.converged_at[run]) :] = "converged"
    elif traj.status[run] == DIVERGED:
        status[-1] = "left the domain" if traj.left_domain[run] else "diverged"
    return status


def _rows(traj: Trajectory, run: int) -> int:
    """Rows of a run: every step, or up to the step it diverged at (later positions are only
    its frozen last good point)."""
    if traj.status[run] == DIVERGED:
        return min(int(traj.diverged_at[run]) + 1, traj.steps + 1)
    return traj.steps + 1


def runs_csv(traj: Trajectory, labels: Sequence[str], axes: Sequence[str] = ("x", "y")) -> str:
    """The runs of ``traj`` as CSV text: a header, then one row per run and step with the run's
    label, the step, the coordinates (``axes``), the loss, the gradient norm, the learning rate
    of the update taken *from* that step (empty on a run's last row) and :func:`step_status`.

    ``traj`` must have been recorded with its path (``record="path"``).
    """
    if traj.path is None or traj.loss is None or traj.grad_norm is None or traj.lr is None:
        raise ValueError("a CSV export needs a trajectory recorded with its path")
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([COLUMNS[0], COLUMNS[1], *axes, *COLUMNS[2:]])
    for run, label in enumerate(labels):
        rows, status = _rows(traj, run), step_status(traj, run)
        for t in range(rows):
            rate = repr(float(traj.lr[t, run])) if t < rows - 1 else ""  # rows ≤ steps + 1
            writer.writerow(
                [
                    label,
                    t,
                    *(repr(float(v)) for v in traj.path[t, run]),
                    repr(float(traj.loss[t, run])),
                    repr(float(traj.grad_norm[t, run])),
                    rate,
                    status[t],
                ]
            )
    return out.getvalue()


def stack_csv(parts: Sequence[str]) -> str:
    """CSV texts with the same header (one per trajectory: runs of different lengths) as one
    text with that header once."""
    if not parts:
        return ""
    head, *rest = parts
    return head + "".join(part.split("\n", 1)[1] if "\n" in part else "" for part in rest)


def hike_csv(curve: Objective, positions: Sequence[float], rates: Sequence[float]) -> str:
    """A hike as CSV: one row per position ``(k+1,)`` with the step, x, the loss L(x), the
    slope L'(x) and the learning rate of the step taken *from* it (``rates (k,)``; empty on
    the last row)."""
    if len(rates) != len(positions) - 1:
        raise ValueError("a hike has one rate per step: one fewer than its positions")
    xs = np.asarray(positions, dtype=float)[:, None]
    losses, slopes = curve.value(xs), curve.grad(xs)[:, 0]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["step", "x", "loss", "slope", "lr"])
    for t, x in enumerate(xs[:, 0]):
        rate = repr(float(rates[t])) if t < len(rates) else ""
        writer.writerow([t, repr(float(x)), repr(float(losses[t])), repr(float(slopes[t])), rate])
    return out.getvalue()
