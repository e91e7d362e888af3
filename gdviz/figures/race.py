"""Figures for a race: several runs on one map, and their loss curves overlaid."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go

from gdviz.core.descent import DIVERGED, Trajectory
from gdviz.core.landscapes.base import Landscape
from gdviz.figures import maps
from gdviz.figures.landscape import end_at_exit
from gdviz.figures.style import (
    animate,
    base_layout,
    display_indices,
    plain,
    run_colour,
    step_frames,
    typed,
)


def _run_traces(labels: Sequence[str], start: list[dict[str, Any]]) -> list[go.Scatter]:
    """Per run, at the first frame: its path and its current point, in the run's colour."""
    traces = []
    for i, label in enumerate(labels):
        colour = run_colour(i)
        traces.append(
            go.Scatter(
                start[2 * i],
                mode="lines+markers",
                name=label,
                line={"color": colour, "width": 3},
                marker={"size": 5, "color": colour},
                hoverinfo="skip",
                legendgroup=str(i),
            )
        )
        traces.append(
            go.Scatter(
                start[2 * i + 1],
                mode="markers",
                name=label,
                showlegend=False,
                legendgroup=str(i),
                marker={"size": 15, "color": colour, "line": {"color": "white", "width": 2}},
                hovertemplate=f"{label}<br>(%{{x:.3f}}, %{{y:.3f}})<extra></extra>",
            )
        )
    return traces


def race_figure(
    landscape: Landscape,
    traj: Trajectory,
    labels: Sequence[str],
    *,
    max_frames: int = 60,
    max_points: int = 300,
    height: int = 660,
) -> go.Figure:
    """Every run's path on one map, animated together (Play / Pause / scrubber).

    Every frame carries every run's path so far, so the size grows with frames x points x runs:
    paths are drawn with at most ``max_points`` positions, in single precision.

    Traces: the map's static layers, then per run its path and its current point (animated),
    then one trace marking where diverged runs left the map.
    """
    static, map_layout = maps.layers(landscape, resolution=maps.picture_resolution(height))
    labels = [plain(label) for label in labels]  # labels come from links: never markup
    n = traj.n_runs
    shown = display_indices(traj.steps + 1, max_points)
    lo, hi = landscape.lo, landscape.hi
    pts = np.stack(
        [end_at_exit(traj.recorded("path")[:, i], shown, lo, hi) for i in range(n)], axis=1
    )
    first = maps.N_LAYERS
    animated_traces = list(range(first, first + 2 * n))

    def animated(k: int) -> list[dict[str, Any]]:
        data = []
        for i in range(n):
            data.append(
                {
                    "type": "scatter",
                    "x": typed(pts[: k + 1, i, 0], "f4"),
                    "y": typed(pts[: k + 1, i, 1], "f4"),
                }
            )
            data.append(
                {
                    "type": "scatter",
                    "x": typed(pts[k : k + 1, i, 0], "f4"),
                    "y": typed(pts[k : k + 1, i, 1], "f4"),
                }
            )
        return data

    traces: list[Any] = [*static, *_run_traces(labels, animated(0))]
    diverged = [i for i in range(n) if traj.status[i] == DIVERGED]
    traces.append(
        maps.exit_marks(
            [traj.recorded("path")[:, i] for i in diverged], [labels[i] for i in diverged], lo, hi
        )
    )
    frames, controls = animate(
        animated, step_frames(shown, max_frames), shown, animated_traces, 50, redraw=False
    )
    return maps.animated_map(traces, map_layout, frames, controls, height=height, top=60)


def loss_overlay(
    traj: Trajectory,
    labels: Sequence[str],
    *,
    log: bool = False,
    minimum: float = 0.0,
    threshold: float | None = None,
    height: int = 380,
) -> go.Figure:
    """Every run's loss against the step in its colour; with ``log``, ``L − L_min`` on a log
    axis. A diverged run's curve stops where it diverged."""
    fig = go.Figure()
    steps = np.arange(traj.steps + 1)
    labels = [plain(label) for label in labels]  # labels come from links: never markup
    for i, label in enumerate(labels):
        loss = traj.recorded("loss")[:, i]
        end = int(traj.diverged_at[i]) if traj.status[i] == DIVERGED else len(loss)
        y = np.maximum(loss[:end] - minimum, 1e-16) if log else loss[:end]
        fig.add_trace(
            go.Scatter(
                x=steps[:end],
                y=y,
                name=label,
                customdata=loss[:end],
                line={"color": run_colour(i), "width": 3},
                hovertemplate=f"{label}<br>step %{{x}}<br>L = %{{customdata:.5g}}<extra></extra>",
            )
        )
    if threshold is not None:
        level = max(threshold - minimum, 1e-16) if log else threshold
        fig.add_hline(y=level, line={"color": "black", "dash": "dot"})
        # Its label placed by hand: add_hline's own annotation sits at the raw value, which a
        # log axis reads as an exponent ("threshold 0.001" drawn near loss 1, far from its line).
        fig.add_annotation(
            x=1,
            xref="x domain",
            y=float(np.log10(level)) if log else level,
            yref="y",
            text=f"threshold {threshold:g}",
            showarrow=False,
            xanchor="right",
            yanchor="bottom",
        )
    yaxis: dict[str, Any] = {
        "title": "L − L_min (log)" if log else "loss",
        "type": "log" if log else "linear",
        "exponentformat": "e",
    }
    clipped = None if log else _clipped_range(traj, labels)
    if clipped is not None:
        yaxis["range"], note = clipped
        fig.add_annotation(
            text=note,
            x=0.01,
            y=0.99,
            xref="paper",
            yref="paper",
            xanchor="left",
            yanchor="top",
            showarrow=False,
            bgcolor="rgba(255,255,255,0.85)",
        )
    fig.update_layout(
        base_layout(
            height=height,
            xaxis={"title": "step"},
            yaxis=yaxis,
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            margin={"l": 70, "r": 20, "t": 40, "b": 50},
        )
    )
    return fig


def _clipped_range(traj: Trajectory, labels: Sequence[str]) -> tuple[list[float], str] | None:
    """On a linear axis: the range of the runs that did not diverge, and a note naming the
    diverging runs that climb out of it (a diverging run's 7e+5 flattened every other curve to
    its floor, issue 22). ``None`` (autorange) when no run climbs out, or every run diverged."""
    loss = traj.recorded("loss")
    gone = [i for i in range(len(labels)) if traj.status[i] == DIVERGED]
    kept = [i for i in range(len(labels)) if i not in gone]
    if not gone or not kept:
        return None
    floor = min(float(np.nanmin(loss[:, kept])), 0.0)
    top = float(np.nanmax(loss[:, kept]))
    span = top - floor or 1.0
    lo, hi = floor - 0.03 * span, top + 0.12 * span
    out = [
        plain(labels[i])
        for i in gone
        if np.nanmax(loss[: max(int(traj.diverged_at[i]), 1), i]) > hi
    ]
    if not out:
        return None
    verb = "climbs" if len(out) == 1 else "climb"
    return [lo, hi], f"{', '.join(out)} {verb} off the chart (log scale shows all)"
