"""The static layers of a 2-D map, shared by every animated map (one run or a race).

The landscape is a picture (``raster``) under scatter traces, so the animation frames that move
the paths never need Plotly's full redraw. The layers, in trace order: the colour bar, an
invisible grid of click targets (Plotly cannot report clicks on a picture), the known minima and
the saddle points.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import plotly.graph_objects as go

from gdviz.core.landscapes.base import Landscape
from gdviz.figures import raster
from gdviz.figures.style import (
    CONTROLS_MARGIN,
    EXIT_MARKER,
    MINIMUM,
    SURFACE_SCALE,
    base_layout,
    colour_transform,
    figure_of,
    spec,
)

Array = np.ndarray
N_LAYERS = 4  # colour bar, click grid, minima, saddles
CLICK_GRID = 1
CLICK_RESOLUTION = 21
"""Click targets a side. Each is an SVG node the browser draws for every new figure: 41 a
side (1,681 nodes) cost ~130 ms of a map's ~200 ms first draw in Chromium, 21 a side ~15 ms;
a start typed into its box keeps any precision."""


@functools.lru_cache(maxsize=64)
def picture(
    landscape: Landscape, resolution: int, square_pixels: bool = True
) -> tuple[str, str, float, float]:
    """The landscape painted ``resolution`` pixels along its longer side (``square_pixels``:
    for equal-aspect maps), or ``resolution`` pixels along both sides (for maps whose axes are
    scaled independently, like a slope against an intercept).

    Returns ``(PNG data URI, colour label, colour min, colour max)``, cached per landscape
    object: a new learning rate or start repaints nothing (landscapes are immutable, and a
    typed formula resolves to one shared object).
    """
    lo, hi = landscape.lo, landscape.hi
    width, tall = hi - lo
    nx = ny = resolution
    if square_pixels:
        nx = resolution if width >= tall else max(2, round(resolution * width / tall))
        ny = resolution if tall >= width else max(2, round(resolution * tall / width))
    xx, yy = np.meshgrid(np.linspace(lo[0], hi[0], nx), np.linspace(lo[1], hi[1], ny))
    colour, label = colour_transform(landscape.value(np.stack([xx, yy], axis=-1)))
    uri = raster.data_uri(raster.paint(colour, SURFACE_SCALE))
    return uri, label, float(np.nanmin(colour)), float(np.nanmax(colour))


def animated_map_spec(
    traces: list[Any],
    map_layout: dict[str, Any],
    frames: list[dict[str, Any]],
    controls: dict[str, Any],
    *,
    height: int,
    top: int,
) -> dict[str, Any]:
    """The figure of an animated map as a plain dict: ``traces`` (Plotly trace objects or
    dicts) over the map's ``layers``, legend on top. See :func:`spec`."""
    layout = base_layout(
        height=height,
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 60, "r": 20, "t": top, "b": CONTROLS_MARGIN},
        **map_layout,
        **controls,
    )
    return spec(traces, layout, frames)


animated_map = figure_of(animated_map_spec)


def exit_point(path: Array, lo: Array, hi: Array) -> tuple[int, Array] | None:
    """Where a path first leaves the box ``[lo, hi]``: ``(index of the first outside point,
    the crossing point (2,))``, or ``None`` if it never leaves."""
    outside = np.any((path < lo) | (path > hi), axis=-1)
    if not outside.any():
        return None
    k = int(np.argmax(outside))
    if k == 0:
        return 0, np.clip(path[0], lo, hi)
    a, b = path[k - 1], path[k]
    with np.errstate(divide="ignore", invalid="ignore"):
        t_hi = np.where(b > hi, (hi - a) / (b - a), np.inf)
        t_lo = np.where(b < lo, (lo - a) / (b - a), np.inf)
    t = float(np.clip(np.min(np.minimum(t_hi, t_lo)), 0.0, 1.0))
    return k, a + t * (b - a)


def star_marker(size: int = 16) -> dict[str, Any]:
    """The marker of a minimum or optimum: a yellow star with a dark rim."""
    return {
        "symbol": "star",
        "size": size,
        "color": MINIMUM,
        "line": {"color": "black", "width": 1.5},
    }


def colour_bar_trace(
    lo: Array, c_lo: float, c_hi: float, label: str, *, show: bool = True, **colorbar: Any
) -> go.Scatter:
    """A trace that draws nothing but carries the colour bar of a map's picture (pictures have
    no colour bar of their own); ``colorbar`` adds to or overrides the bar's settings."""
    return go.Scatter(
        x=[lo[0], lo[0]],
        y=[lo[1], lo[1]],
        mode="markers",
        name="loss",
        showlegend=False,
        hoverinfo="skip",
        marker={
            "size": 0.001,
            "color": [c_lo, c_hi],
            "colorscale": SURFACE_SCALE,
            "cmin": c_lo,
            "cmax": c_hi,
            "showscale": show,
            "colorbar": {"title": {"text": label, "side": "right"}, "thickness": 18, **colorbar},
        },
    )


def click_grid_trace(
    xs: Array, ys: Array, values: Array, hovertemplate: str, size: int = 6
) -> go.Scatter:
    """Invisible click targets at the points ``(xs, ys)`` (flat ``(k,)``; Plotly cannot report
    clicks on a picture), hovering the loss ``values (k,)`` there.

    The markers are small on purpose: Plotly picks the nearest target within its hover
    distance, but among overlapping markers (many a side on a small map) it takes the first,
    so a click could land on the neighbouring node."""
    return go.Scatter(
        x=xs,
        y=ys,
        mode="markers",
        name="click to start here",
        showlegend=False,
        # Invisible through a transparent colour, not `opacity: 0`: with opacity 0, an
        # animated redraw in Streamlit's plotly.js drops contour traces entirely.
        marker={"size": size, "color": "rgba(0,0,0,0)"},
        customdata=values,
        hovertemplate=hovertemplate,
    )


def picture_image(uri: str, lo: Array, hi: Array, xref: str = "x", yref: str = "y") -> dict:
    """A layout image that stretches a map's picture over the box ``[lo, hi]`` of the axes
    ``xref`` / ``yref``, below the traces."""
    return {
        "source": uri,
        "xref": xref,
        "yref": yref,
        "x": lo[0],
        "y": hi[1],
        "sizex": hi[0] - lo[0],
        "sizey": hi[1] - lo[1],
        "sizing": "stretch",
        "layer": "below",
    }


def exit_marks(
    paths: list[Array], labels: list[str], lo: Array, hi: Array, unit: str = "step"
) -> go.Scatter:
    """One static trace marking where each of ``paths`` (``(T+1, 2)`` positions of a run that
    *diverged*; a run that only strays and comes back is not passed) first left the map
    ``[lo, hi]``, hovering ``"<label> left the map at <unit> <k>"``."""
    gone: list[tuple[str, tuple[int, np.ndarray]]] = []
    for path, label in zip(paths, labels, strict=True):
        exit_at = exit_point(path, lo, hi)
        if exit_at is not None:
            gone.append((label, exit_at))
    return go.Scatter(
        x=[e[1][0] for _, e in gone],
        y=[e[1][1] for _, e in gone],
        text=[f"{label} left the map at {unit} {e[0]}" for label, e in gone],
        mode="markers",
        name="left the map",
        showlegend=bool(gone),
        marker=EXIT_MARKER,
        hovertemplate="%{text}<extra></extra>",
    )


def picture_resolution(height: int) -> int:
    """The landscape picture's pixels along its longer side for a map ``height`` px tall: 360
    up to a laptop's 600-px map, then three quarters of the height (at most 720). Enlarged 3-4× on
    a projector's 860-980-px map, a 360-px picture blurred its contour lines together."""
    if height <= 600:
        return 360
    return min(720, int(0.75 * height) // 60 * 60)


def layers(
    landscape: Landscape,
    *,
    resolution: int = 360,
    click_resolution: int = CLICK_RESOLUTION,
    image_uri: str | None = None,
) -> tuple[list[go.Scatter], dict[str, Any]]:
    """``(the four static traces, layout entries: axes with equal aspect and fixed ranges,
    the picture)`` for a map of ``landscape``. ``image_uri`` replaces the landscape picture
    (the basin map paints its own); the colour bar is then hidden."""
    lo, hi = landscape.lo, landscape.hi
    if image_uri is None:
        uri, label, c_lo, c_hi = picture(landscape, resolution)
    else:
        uri, label, c_lo, c_hi = image_uri, "", 0.0, 1.0
    cx, cy = (np.linspace(a, b, click_resolution) for a, b in landscape.bounds)
    gx, gy = (v.ravel() for v in np.meshgrid(cx, cy))
    saddles = landscape.saddles
    traces = [
        colour_bar_trace(lo, c_lo, c_hi, label, show=image_uri is None),
        click_grid_trace(
            gx,
            gy,
            landscape.value(np.stack([gx, gy], axis=-1)),
            "start at (%{x:.2f}, %{y:.2f})<br>L = %{customdata:.4g}<extra></extra>",
        ),
        go.Scatter(
            x=landscape.minima[:, 0],
            y=landscape.minima[:, 1],
            mode="markers",
            name="minima",
            marker=star_marker(16),
            hovertemplate="minimum (%{x:.3f}, %{y:.3f})<extra></extra>",
        ),
        go.Scatter(
            x=saddles[:, 0] if len(saddles) else [],
            y=saddles[:, 1] if len(saddles) else [],
            mode="markers",
            name="saddle points",
            showlegend=len(saddles) > 0,
            marker={
                "symbol": "x",
                "size": 13,
                "color": "white",
                "line": {"color": "black", "width": 1.5},
            },
            hovertemplate="saddle (%{x:.3f}, %{y:.3f})<extra></extra>",
        ),
    ]
    axis = {"constrain": "domain", "showgrid": False, "zeroline": False}
    layout = {
        "xaxis": {"title": {"text": "x"}, "range": [lo[0], hi[0]], **axis},
        "yaxis": {
            "title": {"text": "y"},
            "range": [lo[1], hi[1]],
            "scaleanchor": "x",
            "scaleratio": 1,
            **axis,
        },
        "images": [picture_image(uri, lo, hi)],
        "clickmode": "event+select",
        "dragmode": "pan",
    }
    return traces, layout
