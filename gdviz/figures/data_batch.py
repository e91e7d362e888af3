"""One update seen through its mini-batch: the batch's own loss over the full one, the step
taken against the full-batch step, and the model before and after it on the data."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from gdviz.figures.data import (
    CLICK_GRID,
    _axes,
    _curve_x,
    _data_traces,
    _map_traces,
    _rows_ringed,
    _shown_y,
)
from gdviz.figures.style import (
    ARROW,
    OKABE_ITO,
    arrow_marker,
    figure_of,
    spec,
)
from gdviz.learning.training import Problem, Training

ARROW_FRACTION = 0.15  # the longer update arrow, as a share of the map diagonal


def _batch_contour(problem: Problem, rows: np.ndarray) -> go.Contour:
    """The mini-batch's own loss over the map, as dotted white level lines (log spaced)."""
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    ws, bs = np.linspace(w_lo, w_hi, 100), np.linspace(b_lo, b_hi, 100)
    grid = np.stack(np.meshgrid(ws, bs), axis=-1)
    batch_loss = problem.objective.value(grid, rows)
    # Single precision is plenty to draw contour lines and halves the JSON.
    levels = np.log10(1e-12 + batch_loss - batch_loss.min()).astype(np.float32)
    return go.Contour(
        x=ws,
        y=bs,
        z=levels,
        contours={"coloring": "lines", "showlabels": False},
        ncontours=14,
        line={"color": "white", "width": 1.6, "dash": "dot"},
        colorscale=[[0, "white"], [1, "white"]],
        showscale=False,
        name="this mini-batch's loss",
        showlegend=True,
        hoverinfo="skip",
    )


def _step_arrows(
    problem: Problem, before: np.ndarray, taken: np.ndarray, full_step: np.ndarray, rows: int
) -> list[go.Scatter]:
    """The step taken and the full-batch step from ``before``. Steps near the optimum are
    tiny on the map: both are stretched by the same factor (named in the legend) so their
    directions and relative lengths can be compared."""
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    longest = max(float(np.hypot(*taken)), float(np.hypot(*full_step)))
    reach = ARROW_FRACTION * float(np.hypot(w_hi - w_lo, b_hi - b_lo))
    stretch = reach / longest if 0 < longest < reach else 1.0
    drawn = f", drawn ×{stretch:.3g}" if stretch > 1 else ""
    arrows = []
    for name, step, colour, dash in (
        (f"step taken: −α∇L_batch ({rows} rows){drawn}", taken, OKABE_ITO[3], "solid"),
        (f"full-batch step: −α∇L{drawn}", full_step, ARROW, "dash"),
    ):
        end = before + stretch * step
        arrows.append(
            go.Scatter(
                x=[before[0], end[0]],
                y=[before[1], end[1]],
                mode="lines+markers",
                name=name,
                line={"color": colour, "width": 4, "dash": dash},
                marker=arrow_marker(colour, tail=10),
                hoverinfo="skip",
            )
        )
    return arrows


def _on_the_data(
    problem: Problem, rows: np.ndarray, t: int, before: np.ndarray, after: np.ndarray
) -> list[go.Scatter]:
    """The model before (dashed) and after (solid) update ``t``, and the batch's rows ringed."""
    xs = _curve_x(problem)
    traces = [
        go.Scatter(
            x=xs,
            y=problem.predict(theta, xs),
            mode="lines",
            name=f"{name} update {t}",
            line={"color": OKABE_ITO[3], "width": 3, "dash": dash},
            xaxis="x2",
            yaxis="y2",
            hoverinfo="skip",
        )
        for name, theta, dash in (("model before", before, "dash"), ("model after", after, "solid"))
    ]
    traces.append(
        go.Scatter(
            x=problem.dataset.x[rows],
            y=_shown_y(problem)[rows],
            **_rows_ringed("rows in this mini-batch", 15),
        )
    )
    return traces


def batch_spec(
    problem: Problem, run: Training, t: int, lr: float, *, height: int = 520
) -> dict[str, Any]:
    """Update ``t`` seen through its mini-batch.

    Left: the full-batch loss (picture) with the *mini-batch* loss as white contour lines, the
    parameters before and after the update, and the two steps: the one taken, ``−α ∇L_batch``,
    and the one full-batch descent would have taken, ``−α ∇L``. Right: the data with the batch's
    rows ringed, and the model before (dashed) and after (solid) the update.

    A plain dict (see ``style.spec``); :func:`batch_figure` is its checked figure.
    """
    map_traces, image = _map_traces(problem, 2)
    map_traces[CLICK_GRID].update(x=[], y=[], customdata=[])
    rows = run.rows(t)
    before, after = run.path[t], run.path[t + 1]
    full_step = -lr * problem.objective.grad(before)
    traces: list[Any] = [
        *map_traces,
        _batch_contour(problem, rows),
        *_step_arrows(problem, before, after - before, full_step, len(rows)),
        *_data_traces(problem),
        *_on_the_data(problem, rows, t, before, after),
    ]
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    layout = _axes(problem, height, 50)
    layout.update(images=[image])
    layout["margin"]["b"] = 60
    layout["xaxis"]["range"] = [w_lo, w_hi]
    layout["yaxis"]["range"] = [b_lo, b_hi]
    return spec(traces, layout)


batch_figure = figure_of(batch_spec)
