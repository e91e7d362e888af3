"""The (α, β) map of heavy-ball momentum: the convergence rate per step on the quadratic model
(left) and measured on the landscape (right), with the stability boundary, the best pair and the
pair a click ran."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gdviz.core.momentum import MomentumMap, stable_alpha
from gdviz.figures import maps
from gdviz.figures.style import OKABE_ITO, base_layout

DIVERGES = "#3b3b3b"  # the plot's background, seen where a cell has no rate: diverged
RATE_SCALE = "Viridis_r"  # fast (few steps) bright, slow dark
CLICK_SIDE = 24  # click targets per axis on each panel
SHRINK = 1e-6  # the colour: steps until the distance to the minimum is this fraction of it
MOST_STEPS = 1e5  # the colour scale's slow end


def steps_to_shrink(rates: np.ndarray) -> np.ndarray:
    """Steps a run with rate ρ per step takes to bring its distance to :data:`SHRINK` of
    where it started: ``log(SHRINK) / log(ρ)`` (at least 1; NaN where ρ ≥ 1 or unknown)."""
    rates = np.asarray(rates, dtype=float)
    ok = np.isfinite(rates) & (rates < 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        steps = np.log(SHRINK) / np.log(np.where(ok, np.maximum(rates, 1e-300), 0.5))
    return np.where(ok, np.maximum(steps, 1.0), np.nan)


def _shown(rates: np.ndarray) -> np.ndarray:
    """The colour of each cell: log10 of :func:`steps_to_shrink` (empty where the run does
    not converge: the dark background says "diverges")."""
    return np.log10(np.minimum(steps_to_shrink(rates), MOST_STEPS))


def _clicks(alphas: np.ndarray, betas: np.ndarray, rates: np.ndarray, axis: int) -> go.Scatter:
    """Invisible click targets over one panel, hovering (α, β) and the rate there."""
    ia = np.linspace(0, len(alphas) - 1, CLICK_SIDE).round().astype(int)
    ib = np.linspace(0, len(betas) - 1, CLICK_SIDE).round().astype(int)
    jj, ii = np.meshgrid(ia, ib)
    values = rates[ii, jj].ravel()
    words = np.where(
        np.isfinite(values) & (values < 1), np.round(values, 3).astype(str), "diverges"
    )
    trace = maps.click_grid_trace(
        alphas[jj].ravel(),
        betas[ii].ravel(),
        words,
        "α = %{x:.3g}, β = %{y:.2f}: rate %{customdata} per step<extra>click to run it</extra>",
        size=9,
    )
    trace.update(xaxis=f"x{axis if axis > 1 else ''}", yaxis=f"y{axis if axis > 1 else ''}")
    return trace


def momentum_figure(
    found: MomentumMap,
    *,
    chosen: tuple[float, float] | None = None,
    titles: tuple[str, str] = ("On the quadratic model", "Measured on the landscape"),
    height: int = 560,
) -> go.Figure:
    """Two heatmaps over log α (x) and β (y) of how fast each pair converges, sharing one colour
    bar: the steps to a millionth of the distance to the minimum, ``log(1e-6)/log ρ`` for the
    rate ρ per step, on a log scale (empty: diverges). Both carry the boundary
    ``α = 2(1 + β)/λ_max`` (dashed), the best pair (a star) and ``chosen``, the (α, β) a click
    ran (a ring)."""
    fig = make_subplots(
        rows=1, cols=2, shared_yaxes=True, horizontal_spacing=0.04, subplot_titles=titles
    )
    lam_max = float(np.max(found.eigenvalues))
    edge = stable_alpha(found.betas, lam_max) if lam_max > 0 else None
    for col, rates in ((1, found.theory), (2, found.measured)):
        fig.add_trace(
            go.Heatmap(
                x=found.alphas,
                y=found.betas,
                z=_shown(rates),
                coloraxis="coloraxis",
                hoverinfo="skip",
            ),
            row=1,
            col=col,
        )
        if edge is not None:
            inside = edge <= found.alphas[-1]
            fig.add_trace(
                go.Scatter(
                    x=edge[inside],
                    y=found.betas[inside],
                    mode="lines",
                    name="stability edge α = 2(1 + β)/λ_max",
                    line={"color": "white", "dash": "dash", "width": 3},
                    showlegend=col == 1,
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
        if found.best is not None:
            fig.add_trace(
                go.Scatter(
                    x=[found.best.alpha],
                    y=[found.best.beta],
                    mode="markers",
                    name=(
                        f"best pair α = {found.best.alpha:.3g}, β = {found.best.beta:.2f} "
                        f"(rate {found.best.rate:.3f})"
                    ),
                    marker={
                        "symbol": "star",
                        "size": 18,
                        "color": OKABE_ITO[4],
                        "line": {"color": "black", "width": 1},
                    },
                    showlegend=col == 1,
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
        if chosen is not None:
            fig.add_trace(
                go.Scatter(
                    x=[chosen[0]],
                    y=[chosen[1]],
                    mode="markers",
                    name=f"your run α = {chosen[0]:.3g}, β = {chosen[1]:.2f}",
                    marker={
                        "symbol": "circle-open",
                        "size": 20,
                        "color": OKABE_ITO[3],
                        "line": {"width": 4},
                    },
                    showlegend=col == 1,
                    hoverinfo="skip",
                ),
                row=1,
                col=col,
            )
    for col, rates in ((1, found.theory), (2, found.measured)):
        fig.add_trace(_clicks(found.alphas, found.betas, rates, col))
    axis: dict[str, Any] = {
        "type": "log",
        "dtick": "D2",  # 1, 2 and 5 of each decade: the minor labels 3-9 crowd a projector
        "title": {"text": "learning rate α"},
        "range": [np.log10(found.alphas[0]), np.log10(found.alphas[-1])],
    }
    fig.update_xaxes(**axis)
    fig.update_yaxes(range=[found.betas[0], found.betas[-1]], row=1, col=2)
    fig.update_yaxes(
        title={"text": "momentum β"}, range=[found.betas[0], found.betas[-1]], row=1, col=1
    )
    fig.update_layout(
        base_layout(
            height=height,
            plot_bgcolor=DIVERGES,
            coloraxis={
                "colorscale": RATE_SCALE,
                "cmin": 0.0,
                "cmax": float(np.log10(MOST_STEPS)),
                "colorbar": {
                    "title": {"text": "steps to a<br>millionth"},
                    "tickvals": [0, 1, 2, 3, 4, 5],
                    "ticktext": ["1", "10", "100", "1,000", "10,000", "100,000"],
                    "len": 0.9,
                },
            },
            # Above the panels' titles: below, it would sit on the α axis's title.
            legend={"orientation": "h", "y": 1.09, "x": 0, "yanchor": "bottom"},
            margin={"l": 70, "r": 20, "t": 100, "b": 60},
        )
    )
    return fig
