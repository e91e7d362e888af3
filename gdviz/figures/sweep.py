"""Figures for many runs at once: the learning-rate sweep (where training becomes unstable)
and the basin map (which minimum each start reaches)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

import numpy as np
import plotly.graph_objects as go
from PIL import Image
from plotly.subplots import make_subplots

from gdviz.core.landscapes.base import Landscape
from gdviz.core.sweep import ARRIVED, DIVERGED_CELL, UNSETTLED, BasinMap, Sweep
from gdviz.figures import maps, raster
from gdviz.figures.style import (
    OKABE_ITO,
    base_layout,
)

REGION_COLOURS = {
    "too slow": OKABE_ITO[5],
    "converging": OKABE_ITO[2],
    "oscillating": OKABE_ITO[1],
    "diverging": OKABE_ITO[3],
}


def _region_spans(
    lrs: np.ndarray, region: np.ndarray, log: bool = True
) -> list[tuple[float, float, str]]:
    """Contiguous runs of one region along the sorted rates, as ``(from, to, region)`` with
    edges half-way (in log space, or linear with ``log=False``) between neighbouring rates."""
    at = np.log10(lrs) if log else np.asarray(lrs, dtype=float)
    edges = np.concatenate([[at[0]], (at[1:] + at[:-1]) / 2, [at[-1]]])
    if log:
        edges = 10**edges
    spans, start = [], 0
    for i in range(1, len(lrs) + 1):
        if i == len(lrs) or region[i] != region[start]:
            spans.append((float(edges[start]), float(edges[i]), str(region[start])))
            start = i
    return spans


REGION_LEGEND = {"converging": f"converging ({1 - ARRIVED:.1%} of the way down)"}


def region_shapes(
    lrs: np.ndarray,
    region: np.ndarray,
    panels: Sequence[str] = ("",),
    log: bool = True,
    opacity: float = 0.22,
) -> list[dict[str, Any]]:
    """The shaded regions of a sweep as layout shapes: for each region present and each panel
    (axis suffix ``""``, ``"2"``, …), one SVG path made of all that region's bands, spanning the
    panel's height. Shape coordinates on a log axis are data values, as for ``add_vrect``;
    ``log=False`` for values on a linear axis (the momenta of a β scrubber). ``opacity``: light
    behind a chart's curves; a strip with nothing over it can show the colours the words name.
    """
    shapes = []
    spans = _region_spans(lrs, region, log)
    for name, colour in REGION_COLOURS.items():
        bands = [(x0, x1) for x0, x1, kind in spans if kind == name]
        if not bands:
            continue
        path = "".join(f"M{x0:.8g},0H{x1:.8g}V1H{x0:.8g}Z" for x0, x1 in bands)
        for panel in panels:
            shapes.append(
                {
                    "type": "path",
                    "path": path,
                    "xref": f"x{panel}",
                    "yref": f"y{panel} domain",
                    "fillcolor": colour,
                    "opacity": opacity,
                    "line": {"width": 0},
                    "layer": "below",
                    "name": name,
                }
            )
    return shapes


def _region_legend(fig: go.Figure, short: Sweep) -> None:
    """Legend entries for the shaded regions (those the sweep has are shown)."""
    for name, colour in REGION_COLOURS.items():
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=REGION_LEGEND.get(name, name),
                marker={"symbol": "square", "size": 14, "color": colour, "opacity": 0.5},
                visible="legendonly" if name not in short.region else True,
                hoverinfo="skip",
                showlegend=True,
            ),
            row=1,
            col=1,
        )


def _sweep_curves(fig: go.Figure, result: Sweep, dash: str, label: str) -> None:
    """One sweep's final loss (top; diverged rates left out) and steps to converge (bottom).
    The dashed (long) sweep has no markers: on hundreds of rates they hid its dashes, and the
    two sweeps looked alike."""
    ok = result.region != "diverging"
    mode = "lines+markers" if dash == "solid" else "lines"
    fig.add_trace(
        go.Scatter(
            x=result.lrs[ok],
            y=np.maximum(result.final_loss[ok], 1e-16),
            mode=mode,
            name=f"final loss, {label}",
            line={"color": "black", "dash": dash, "width": 2},
            marker={"size": 4},
            hovertemplate="α = %{x:.4g}<br>loss %{y:.3g}<extra></extra>",
        ),
        row=1,
        col=1,
    )
    conv = result.converged_at >= 0
    fig.add_trace(
        go.Scatter(
            x=result.lrs[conv],
            y=result.converged_at[conv],
            mode=mode,
            name=f"steps to converge, {label}",
            line={"color": OKABE_ITO[0], "dash": dash, "width": 2},
            marker={"size": 4},
            showlegend=True,
            hovertemplate="α = %{x:.4g}<br>%{y} steps<extra></extra>",
        ),
        row=2,
        col=1,
    )


def _edges(fig: go.Figure, short: Sweep) -> None:
    """The critical rate the Hessian predicts (dashed) and the first diverging rate (dotted),
    labelled on the chart and named in the legend."""
    for shown, name, line in (
        (np.isfinite(short.critical), "critical rate (from the Hessian)",
         {"color": "black", "dash": "dash", "width": 2}),
        (short.edge is not None, "first diverging rate (measured)",
         {"color": OKABE_ITO[3], "dash": "dot", "width": 2}),
    ):  # fmt: skip
        if shown:
            fig.add_trace(
                go.Scatter(x=[None], y=[None], mode="lines", name=name, line=line),
                row=1,
                col=1,
            )
    if np.isfinite(short.critical):
        fig.add_vline(
            x=short.critical,
            line={"color": "black", "dash": "dash", "width": 2},
            annotation_text=f"critical {short.critical:.4g} (Hessian)",
            annotation_position="top left",
        )
    if short.edge is not None:
        fig.add_vline(
            x=short.edge,
            line={"color": OKABE_ITO[3], "dash": "dot", "width": 2},
            annotation_text=f"first diverging {short.edge:.4g}",
            annotation_position="bottom right",
        )


def sweep_figure(short: Sweep, long: Sweep, *, height: int = 600) -> go.Figure:
    """Final loss (top, log) and steps to converge (bottom) against the learning rate, for a
    sweep at ``short.steps`` and again at ``long.steps`` (10x), the regions shaded, the critical
    rate from the Hessian and the measured edge of divergence marked."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.07, row_heights=[0.62, 0.38]
    )
    _region_legend(fig, short)
    _sweep_curves(fig, short, "solid", f"{short.steps} steps")
    _sweep_curves(fig, long, "dash", f"{long.steps} steps")
    # One path shape per region and panel, whatever the number of bands: a shape per band
    # (add_vrect) made a jagged sweep cost seconds to build and to draw (548 bands: minutes).
    fig.update_layout(shapes=region_shapes(short.lrs, short.region, panels=("", "2")))
    _edges(fig, short)
    span = [float(np.log10(short.lrs.min())), float(np.log10(short.lrs.max()))]  # log units
    fig.update_xaxes(type="log", title_text="learning rate α", range=span, row=2, col=1)
    fig.update_xaxes(type="log", range=span, row=1, col=1)
    fig.update_yaxes(type="log", exponentformat="e", title_text="final loss", row=1, col=1)
    fig.update_yaxes(title_text="steps to converge", row=2, col=1)
    fig.update_layout(
        base_layout(
            height=height,
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            margin={"l": 70, "r": 20, "t": 80, "b": 50},
        )
    )
    return fig


BASIN_COLOURS = ("#E69F00", "#56B4E9", "#009E73", "#CC79A7", "#0072B2", "#D55E00", "#F0E442")
UNSETTLED_COLOUR, DIVERGED_COLOUR = "#BBBBBB", "#222222"


def basin_colours(n_minima: int) -> list[str]:
    return [BASIN_COLOURS[i % len(BASIN_COLOURS)] for i in range(n_minima)]


def basin_picture(basin: BasinMap, n_minima: int) -> np.ndarray:
    """RGBA picture ``(R, R, 4)`` of a basin map (top row = highest y)."""
    palette = [*basin_colours(n_minima), UNSETTLED_COLOUR, DIVERGED_COLOUR]
    rgb = np.array([[int(c[i : i + 2], 16) for i in (1, 3, 5)] for c in palette], np.uint8)
    index = np.where(
        basin.label == UNSETTLED,
        n_minima,
        np.where(basin.label == DIVERGED_CELL, n_minima + 1, basin.label),
    )
    image = np.concatenate([rgb[index], np.full((*index.shape, 1), 255, np.uint8)], axis=-1)
    return image[::-1]


def basin_figure(
    landscape: Landscape,
    basin: BasinMap,
    *,
    single: np.ndarray | None = None,
    height: int = 640,
) -> go.Figure:
    """Each start cell coloured by the minimum its run reaches (grey: not settled, black:
    diverged), the minima starred, a click grid to start a single run, and that run's path
    (``single``: ``(T+1, 2)``) if given."""
    n_minima = len(landscape.minima)
    picture = raster.data_uri(basin_picture(basin, n_minima))
    static, map_layout = maps.layers(landscape, image_uri=picture)
    traces: list[Any] = list(static)
    colours = basin_colours(n_minima)
    counts = np.bincount(basin.label[basin.label >= 0].ravel(), minlength=n_minima)
    if n_minima <= 8:
        for k, (point, colour) in enumerate(zip(landscape.minima, colours, strict=True)):
            traces.append(
                go.Scatter(
                    x=[None],
                    y=[None],
                    mode="markers",
                    name=f"→ ({point[0]:.2f}, {point[1]:.2f}): {counts[k]} cells",
                    marker={"symbol": "square", "size": 14, "color": colour},
                )
            )
    for name, colour, code in (
        ("not settled", UNSETTLED_COLOUR, UNSETTLED),
        ("diverged", DIVERGED_COLOUR, DIVERGED_CELL),
    ):
        cells = int(np.sum(basin.label == code))
        traces.append(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=f"{name}: {cells} cells",
                marker={"symbol": "square", "size": 14, "color": colour},
            )
        )
    if single is not None:
        traces.append(
            go.Scatter(
                x=single[:, 0],
                y=single[:, 1],
                mode="lines+markers",
                name="single run from the clicked cell",
                line={"color": "white", "width": 3},
                marker={"size": 5, "color": "white"},
            )
        )
    layout = base_layout(
        height=height,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 60, "r": 20, "t": 90, "b": 50},
        **map_layout,
    )
    return go.Figure(data=traces, layout=layout)


def basin_png(
    basin: BasinMap, n_minima: int, *, side: int = 500, size: tuple[int, int] = (960, 540)
) -> bytes:
    """The basin map as a PNG still: its picture upscaled to ``side`` pixels with square
    cells, centred on a white canvas of ``size`` (the GIFs' size, for a gallery)."""
    square = Image.fromarray(basin_picture(basin, n_minima), "RGBA").resize(
        (side, side), Image.Resampling.NEAREST
    )
    still = Image.new("RGB", size, "white")
    still.paste(square, ((size[0] - side) // 2, (size[1] - side) // 2), square)
    out = io.BytesIO()
    still.save(out, format="PNG", optimize=True)
    return out.getvalue()
