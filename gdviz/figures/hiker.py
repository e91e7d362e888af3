"""Figures for the hiker page: the loss curve with the hiker, and the loss after each step."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from gdviz.core.landscapes.base import Landscape
from gdviz.figures.style import (
    CONTROLS_MARGIN,
    OKABE_ITO,
    PATH,
    animation_controls,
    base_layout,
    figure_of,
    hline,
    spec,
)

MAX_ZOOM_OUT = 10.0  # the view widens to follow a diverging hiker, up to 10x the curve's box


def loss_curve_trace(xs: np.ndarray, ys: np.ndarray, **extra: Any) -> go.Scatter:
    """The loss curve ``L(x)`` through ``(xs, ys)`` (``(n,)`` each), as the hiker's figures
    draw it; ``extra`` adds trace properties."""
    return go.Scatter(
        x=xs,
        y=ys,
        mode="lines",
        name="loss L(x)",
        line={"color": OKABE_ITO[0], "width": 4},
        hoverinfo="skip",
        **extra,
    )


def _view(curve: Landscape, xs: np.ndarray) -> tuple[float, float]:
    """The x-range: the curve's box, widened to include every visited position (capped)."""
    ((lo, hi),) = curve.bounds
    centre, half = (lo + hi) / 2, (hi - lo) / 2
    reach = np.max(np.abs(xs - centre)) if len(xs) else 0.0
    half = min(max(half, reach * 1.08), half * MAX_ZOOM_OUT)
    return centre - half, centre + half


def _hiker_traces(
    curve: Landscape, positions: np.ndarray, x: float, x_next: float, half: float
) -> list[go.Scatter]:
    """The trail, the tangent at the hiker, where his next step lands, and the hiker."""
    fx = float(curve.value(np.array([x])))
    g = float(curve.grad(np.array([x]))[0])
    f_next = float(curve.value(np.array([x_next])))
    tangent_x = np.array([x - half, x + half])
    return [
        go.Scatter(
            x=positions,
            y=curve.value(positions[:, None]),
            mode="lines+markers",
            name="trail",
            line={"color": "rgba(90,90,90,0.55)", "width": 1.5, "dash": "dot"},
            marker={"size": 9, "color": "rgba(90,90,90,0.75)"},
            hovertemplate="x = %{x:.3f}<br>L = %{y:.3f}<extra>earlier step</extra>",
            visible=True if len(positions) > 1 else "legendonly",
        ),
        go.Scatter(
            x=tangent_x,
            y=fx + g * (tangent_x - x),
            mode="lines",
            name=f"slope L'(x) = {g:.2f}",
            line={"color": OKABE_ITO[2], "width": 3, "dash": "dash"},
            hoverinfo="skip",
        ),
        go.Scatter(
            x=[x_next],
            y=[f_next],
            mode="markers",
            name="next step lands here",
            marker={"size": 16, "color": "white", "line": {"color": PATH, "width": 3}},
            hovertemplate="next x = %{x:.3f}<br>L = %{y:.3f}<extra></extra>",
        ),
        go.Scatter(
            x=[x],
            y=[fx],
            mode="markers",
            name="the hiker",
            marker={
                "size": 24,
                "color": PATH,
                "line": {"color": "black", "width": 2},
                "symbol": "circle",
            },
            hovertemplate="hiker at x = %{x:.3f}<br>L = %{y:.3f}<extra></extra>",
        ),
    ]


def _step_arrow(x: float, fx: float, x_next: float, f_next: float) -> dict[str, Any]:
    """An arrow from the hiker to where his next step lands."""
    return {
        "arrowcolor": PATH,
        "arrowhead": 3,
        "arrowsize": 1.4,
        "arrowwidth": 3,
        "ax": x,
        "axref": "x",
        "ay": fx,
        "ayref": "y",
        "showarrow": True,
        "standoff": 10,
        "startstandoff": 14,
        "text": "",
        "x": x_next,
        "xref": "x",
        "y": f_next,
        "yref": "y",
    }


def _off_chart(x: float, fx: float, view: tuple[float, float], top: float) -> dict[str, Any]:
    """Where a hiker thrown past the widest view is, said at the chart's edge."""
    x_lo, x_hi = view
    left = x < x_lo
    return {
        "bgcolor": "rgba(255,255,255,0.85)",
        "font": {"color": PATH, "size": 18},
        "showarrow": False,
        "text": f"{'← ' if left else ''}the hiker is at x = {x:.4g}, L = {fx:.3g}, "
        f"off the chart{'' if left else ' →'}",
        "x": x_lo if left else x_hi,
        "xanchor": "left" if left else "right",
        "xref": "x",
        "y": top,
        "yanchor": "top",
        "yref": "y",
    }


def curve_spec(
    curve: Landscape, positions: np.ndarray, lr: float, *, height: int = 520
) -> dict[str, Any]:
    """The curve ``L(x)``, the trail of earlier positions, the hiker, the tangent at the hiker
    and an arrow to where the next step ``x − α L'(x)`` lands.

    ``positions``: ``(k+1,)`` visited positions, the hiker at the last one.
    Traces, in order: curve, trail, tangent, next landing, hiker.

    A plain dict (see ``style.spec``); :func:`curve_figure` is its checked figure.
    """
    positions = np.asarray(positions, dtype=float)
    x_lo, x_hi = _view(curve, positions)
    xs = np.linspace(x_lo, x_hi, 600)
    ys = curve.value(xs[:, None])
    y_lo, y_hi = float(ys.min()), float(ys.max())
    pad = 0.08 * (y_hi - y_lo or 1.0)
    y_range = (y_lo - pad, y_hi + pad)

    x = float(positions[-1])
    fx = float(curve.value(np.array([x])))
    x_next = x - lr * float(curve.grad(np.array([x]))[0])
    f_next = float(curve.value(np.array([x_next])))
    traces = [
        loss_curve_trace(xs, ys),
        *_hiker_traces(curve, positions, x, x_next, 0.12 * (x_hi - x_lo)),
    ]
    annotations: list[dict[str, Any]] = []
    if abs(x_next - x) > 1e-12:
        annotations.append(_step_arrow(x, fx, x_next, f_next))
    if not x_lo <= x <= x_hi:  # thrown past the widest view: say where he is, at the edge
        annotations.append(_off_chart(x, fx, (x_lo, x_hi), y_range[1] - pad))
    grid = {"showgrid": True, "gridcolor": "#e5e5e5", "zeroline": False}
    layout = base_layout(
        height=height,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        xaxis={"title": {"text": "position x"}, "range": [x_lo, x_hi], **grid},
        yaxis={"title": {"text": "loss L(x)"}, "range": list(y_range), **grid},
        showlegend=True,
    )
    if annotations:
        layout["annotations"] = annotations
    return spec(traces, layout)


curve_figure = figure_of(curve_spec)


def hike_animation_spec(
    curve: Landscape, positions: np.ndarray, lr: float, *, height: int = 560
) -> dict[str, Any]:
    """The hike played step by step (the HTML export): frame ``k`` is :func:`curve_spec` with
    the hiker at ``positions[k]``, his trail, the tangent there and where his next step lands
    (``positions[k + 1]``; from the last, ``x − α L'(x)``); Play and a step slider below. The
    view is the whole hike's, so nothing jumps.

    ``positions``: ``(K+1,)`` visited positions. Frames change only scatter traces, so they
    play without a full redraw (the step arrow of the page's still is left out: an annotation
    would need one).
    """
    positions = np.asarray(positions, dtype=float)
    layout = curve_spec(curve, positions, lr, height=height)["layout"]
    layout.pop("annotations", None)
    (x_lo, x_hi) = layout["xaxis"]["range"]
    half = 0.12 * (x_hi - x_lo)

    def at(k: int) -> list[dict[str, Any]]:
        x = float(positions[k])
        # Where he went next (a hike may change its rate mid-way); from the last, α's step.
        last = k + 1 == len(positions)
        x_next = x - lr * float(curve.grad(np.array([x]))[0]) if last else positions[k + 1]
        shown = _hiker_traces(curve, positions[: k + 1], x, x_next, half)
        return [trace.to_plotly_json() for trace in shown]

    frames = [
        {"name": str(k), "data": at(k), "traces": [1, 2, 3, 4]} for k in range(len(positions))
    ]
    names = [str(k) for k in range(len(positions))]
    controls = animation_controls(names, names, 400, redraw=False)
    layout.update(controls)
    layout["margin"] = {**layout.get("margin", {}), "b": CONTROLS_MARGIN}
    xs = np.linspace(x_lo, x_hi, 600)
    traces = [loss_curve_trace(xs, curve.value(xs[:, None])), *frames[0]["data"]]
    return spec(traces, layout, frames)


hike_animation = figure_of(hike_animation_spec)


def loss_steps_spec(losses: np.ndarray, minimum: float) -> dict[str, Any]:
    """Loss after each step: ``losses (k+1,)``; the best known loss drawn as a reference line.
    A log axis is used when the gap to the minimum spans more than two decades.

    A plain dict (see ``style.spec``); :func:`loss_steps_figure` is its checked figure.
    """
    losses = np.asarray(losses, dtype=float)
    steps = np.arange(len(losses))
    gap = losses - minimum
    use_log = len(losses) > 2 and np.all(gap > 0) and gap.max() / max(gap.min(), 1e-300) > 100
    y = gap if use_log else losses
    trace = go.Scatter(
        x=steps,
        y=y,
        mode="lines+markers",
        line={"color": PATH, "width": 3},
        marker={"size": 7},
        name="loss",
        hovertemplate="step %{x}<br>loss %{customdata:.4g}<extra></extra>",
        customdata=losses,
    )
    layout = base_layout(
        height=300,
        margin={"l": 60, "r": 20, "t": 20, "b": 50},
        xaxis={"title": {"text": "step"}, "rangemode": "tozero"},
        yaxis={
            "title": {"text": "L − L_min (log)" if use_log else "loss"},
            "type": "log" if use_log else "linear",
            "exponentformat": "e",
        },
        showlegend=False,
    )
    if not use_log:
        hline(layout, minimum, {"color": OKABE_ITO[2], "dash": "dot"}, "minimum")
    return spec([trace], layout)


loss_steps_figure = figure_of(loss_steps_spec)
