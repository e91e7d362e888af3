"""Several models of the same data side by side: their loss surfaces with the same descent on
each, and their fits in data space (the mismatched loss lesson)."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gdviz.figures import maps
from gdviz.figures.data import FIT_COLOURS, _curve_x, _data_traces, _y_range
from gdviz.figures.style import (
    OKABE_ITO,
    base_layout,
    display_indices,
    plain,
)
from gdviz.learning.training import Problem, Training


def _descent_on(fig: go.Figure, problem: Problem, run: Training, i: int) -> dict[str, Any]:
    """Panel ``i``: the run's path, start and end, and the optimum; the panel's picture."""
    landscape = problem.landscape()
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    uri, _, _, _ = maps.picture(landscape, 240, square_pixels=False)
    suffix = "" if i == 0 else str(i + 1)
    lo = np.array([w_lo, b_lo])
    hi = np.array([w_hi, b_hi])
    image = maps.picture_image(uri, lo, hi, f"x{suffix}", f"y{suffix}")
    idx = display_indices(run.steps + 1, 400)
    pts = np.clip(run.path[idx], lo, hi)
    cell = {"row": 1, "col": i + 1}
    fig.add_scatter(
        x=pts[:, 0],
        y=pts[:, 1],
        mode="lines",
        name="descent path",
        showlegend=i == 0,
        line={"color": OKABE_ITO[3], "width": 3},
        hoverinfo="skip",
        **cell,
    )
    fig.add_scatter(
        x=[pts[0, 0], pts[-1, 0]],
        y=[pts[0, 1], pts[-1, 1]],
        mode="markers",
        name="start and end",
        showlegend=i == 0,
        marker={
            "size": [10, 15],
            "symbol": ["circle", "circle"],
            "color": ["white", OKABE_ITO[3]],
            "line": {"color": "black", "width": 1.5},
        },
        text=["start", f"after {run.epochs} epochs: L = {run.loss[-1]:.4g}"],
        hovertemplate="%{text}<extra></extra>",
        **cell,
    )
    if problem.optimum is not None:
        fig.add_scatter(
            x=[problem.optimum[0]],
            y=[problem.optimum[1]],
            mode="markers",
            name="optimum",
            showlegend=i == 0,
            marker=maps.star_marker(17),
            hovertemplate="optimum (%{x:.3g}, %{y:.3g})<extra></extra>",
            **cell,
        )
    no_grid = {"showgrid": False, "zeroline": False, **cell}
    fig.update_xaxes(range=[w_lo, w_hi], title_text="w", **no_grid)
    fig.update_yaxes(range=[b_lo, b_hi], title_text="b", **no_grid)
    return image


def surfaces_figure(
    problems: list[Problem], runs: list[Training], titles: list[str], *, height: int = 440
) -> go.Figure:
    """Loss surfaces side by side (e.g. a linear neuron with squared error, a sigmoid neuron with
    cross-entropy, the same sigmoid with squared error), each with its optimum and the path of
    the same descent (same start, rate and batches), so the plateaus of one and the convex bowl
    of another are seen on equal terms."""
    fig = make_subplots(rows=1, cols=len(problems), subplot_titles=titles, horizontal_spacing=0.07)
    images = [
        _descent_on(fig, problem, run, i)
        for i, (problem, run) in enumerate(zip(problems, runs, strict=True))
    ]
    fig.update_layout(
        base_layout(
            height=height,
            images=images,
            legend={"orientation": "h", "y": -0.18, "x": 0},
            margin={"l": 70, "r": 20, "t": 50, "b": 60},
        )
    )
    return fig


def fits_figure(
    problems: list[Problem], runs: list[Training], labels: list[str], *, height: int = 420
) -> go.Figure:
    """Data space for several models of the same data: the points, and each model's curve
    after training (solid) and at its optimum (dotted)."""
    base = problems[0]
    fig = go.Figure(data=[_data_traces(base)[0]])
    fig.data[0].update(xaxis=None, yaxis=None)
    xs = _curve_x(base)
    for i, (problem, run, label) in enumerate(zip(problems, runs, labels, strict=True)):
        colour = FIT_COLOURS[i % len(FIT_COLOURS)]
        fig.add_scatter(
            x=xs,
            y=problem.predict(run.path[-1], xs),
            mode="lines",
            name=f"{label}: after {run.epochs} epochs",
            line={"color": colour, "width": 3.5},
            hoverinfo="skip",
        )
        if problem.optimum is not None:
            fig.add_scatter(
                x=xs,
                y=problem.predict(problem.optimum, xs),
                mode="lines",
                name=f"{label}: optimum",
                line={"color": colour, "width": 2, "dash": "dot"},
                hoverinfo="skip",
            )
    fig.update_layout(
        base_layout(
            height=height,
            xaxis={"title": plain(base.dataset.x_label)},
            yaxis={"title": plain(base.dataset.y_label), "range": _y_range(base)},
            legend={"orientation": "v", "x": 1.02, "y": 1},
            margin={"l": 70, "r": 20, "t": 20, "b": 50},
        )
    )
    return fig
