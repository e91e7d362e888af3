"""Figures for a 2-D landscape: an animated contour map, an animated 3-D surface, loss curves.

The animation runs in the browser (Plotly frames): the base figure holds the static landscape, and
every frame replaces only the path, the current point and the gradient arrow (``traces=[...]``),
which keeps a 100-frame animation well under 1 MB. On the 2-D map the landscape is a picture
(see ``raster``), so its frames skip Plotly's full redraw and the animation stays smooth.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gdviz.core.descent import DIVERGED, Trajectory
from gdviz.core.landscapes.base import Landscape
from gdviz.figures import maps
from gdviz.figures.maps import exit_point
from gdviz.figures.style import (
    ARROW,
    CONTROLS_MARGIN,
    EXIT_MARKER,
    MINIMUM,
    OKABE_ITO,
    PATH,
    SURFACE_SCALE,
    animate,
    arrow_marker,
    base_layout,
    colour_transform,
    display_indices,
    figure_of,
    nice_ticks,
    spec,
    step_frames,
    typed,
    vline,
)

# Trace order of contour_figure (the frames and the page's click handling rely on it):
# the map's static layers first (see maps.layers), then the run's own traces.
COLOUR_BAR, CLICK_GRID, MINIMA, SADDLES, GHOST, PATH_TRACE, POINT, GRAD_ARROW, EXIT = range(9)
ANIMATED = [PATH_TRACE, POINT, GRAD_ARROW]
ARROW_FRACTION = 0.12  # the longest arrow (at the map's reference |∇L|), as a share of its diagonal


def landscape_grid(landscape: Landscape, resolution: int) -> tuple[np.ndarray, ...]:
    """Axis values ``xs (R,)``, ``ys (R,)`` and ``L`` on the grid ``(R, R)`` (rows follow y)."""
    xs, ys = landscape.grid(resolution)
    xx, yy = np.meshgrid(xs, ys)
    return xs, ys, landscape.value(np.stack([xx, yy], axis=-1))


def end_at_exit(path: np.ndarray, shown: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """The displayed positions ``path[shown]`` with every position from the first one off the
    map onwards replaced by the point where the path crossed the map's edge: a run that blows
    up ends at its exit mark instead of drawing lines to points hundreds of map-widths away."""
    pts = path[shown].copy()
    leaving = exit_point(path, lo, hi)
    if leaving is not None:
        pts[shown >= leaving[0]] = leaving[1]
    return pts


def _inward(point: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> str:
    """A text position that keeps a label at ``point`` inside the map (it sits on an edge)."""
    centre = (lo + hi) / 2
    vertical = "bottom" if point[1] > centre[1] else "top"
    return f"{vertical} {'left' if point[0] > centre[0] else 'right'}"


def gradient_scale(landscape: Landscape, side: int = 48) -> float:
    """The map's reference gradient norm: the median of ``|∇L|`` over a ``side²`` grid of the
    map. An arrow is drawn at full length from this norm up, shorter below it: a start on the
    map's steeper half shows a full arrow, and the arrow shrinks as the path flattens out
    (on Rosenbrock the steepest tenth of the map is 10× steeper than the valley floor)."""
    xs, ys = landscape.grid(side)
    points = np.stack(np.meshgrid(xs, ys), axis=-1).reshape(-1, 2)
    with np.errstate(all="ignore"):
        norms = np.linalg.norm(landscape.grad(points).reshape(-1, 2), axis=1)
    norms = norms[np.isfinite(norms)]
    return float(np.median(norms)) if norms.size and norms.max() > 0 else 1.0


def gradient_arrows(
    landscape: Landscape, points: np.ndarray, length: float, scale: float | None = None
) -> np.ndarray:
    """``(k, 2, 2)``: for each of ``points (k, 2)``, the point and ``point − ℓ ∇L/|∇L|`` with
    ``ℓ = length · min(1, |∇L| / scale)``: the arrow's length follows the gradient's norm (up
    to ``length``, reached at the map's reference norm ``scale``, :func:`gradient_scale` by
    default), so it shrinks to nothing at a minimum. A zero or non-finite gradient gives a
    zero-length arrow. One gradient call for all the points."""
    if scale is None:
        scale = gradient_scale(landscape)
    g = landscape.grad(points).reshape(-1, 2)
    norm = np.hypot(g[:, 0], g[:, 1])[:, None]
    usable = (norm > 0) & np.isfinite(norm)
    with np.errstate(invalid="ignore", divide="ignore"):
        direction = np.where(usable, -g / np.where(usable, norm, 1.0), 0.0)
        reach = length * np.minimum(1.0, np.where(usable, norm, 0.0) / scale)
    return np.stack([points, points + reach * direction], axis=1)


def gradient_arrow(landscape: Landscape, point: np.ndarray, length: float) -> np.ndarray:
    """Two points ``(2, 2)``: ``point`` and the tip of its −∇L arrow (see
    :func:`gradient_arrows`)."""
    return gradient_arrows(landscape, np.asarray(point, dtype=float)[None], length)[0]


def _path_traces(pts: np.ndarray, first: list[dict[str, Any]]) -> list[go.Scatter]:
    """The whole path (faint), and the animated path, current point and −∇L arrow at their
    first frame."""
    path, point, arrow = (go.Scatter(trace) for trace in first)
    return [
        go.Scatter(
            x=pts[:, 0],
            y=pts[:, 1],
            mode="lines",
            name="whole path",
            showlegend=False,
            line={"color": "rgba(255,255,255,0.55)", "width": 2},
            hoverinfo="skip",
        ),
        path.update(
            mode="lines+markers",
            name="descent path",
            line={"color": PATH, "width": 3},
            marker={"size": 6, "color": PATH},
            hoverinfo="skip",
        ),
        point.update(
            mode="markers",
            name="current point",
            showlegend=False,
            marker={"size": 16, "color": PATH, "line": {"color": "white", "width": 2.5}},
            hovertemplate="%{text}<br>(%{x:.3f}, %{y:.3f})<extra></extra>",
        ),
        arrow.update(
            mode="lines+markers",
            name="−∇L (steepest descent; length ∝ |∇L|)",
            line={"color": ARROW, "width": 4},
            marker=arrow_marker(ARROW),
            hoverinfo="skip",
        ),
    ]


def _exit_trace(
    exit_info: tuple[int, np.ndarray] | None, lo: np.ndarray, hi: np.ndarray
) -> go.Scatter:
    """Where the path left the map, labelled with the step (empty if it never did)."""
    return go.Scatter(
        x=[exit_info[1][0]] if exit_info else [],
        y=[exit_info[1][1]] if exit_info else [],
        mode="markers+text",
        name="left the map",
        showlegend=exit_info is not None,
        text=[f"left the map at step {exit_info[0]}"] if exit_info else [],
        textposition=_inward(exit_info[1], lo, hi) if exit_info else "top center",
        textfont={"color": "white", "size": 16},
        marker=EXIT_MARKER,
    )


def contour_spec(
    landscape: Landscape,
    traj: Trajectory,
    run: int = 0,
    *,
    resolution: int | None = None,
    max_frames: int = 101,  # a 100-step run, every step a frame
    click_resolution: int = maps.CLICK_RESOLUTION,
    height: int = 640,
) -> dict[str, Any]:
    """Contour map (equal aspect, fixed ranges) with the animated descent path of run ``run``.

    The landscape is a layout image ``resolution`` pixels along its longer side (by default
    :func:`maps.picture_resolution` of the height; filled colours and contour lines); traces
    are scatters only: see the module constants (COLOUR_BAR … EXIT).
    Frames update ``ANIMATED`` only and do not need a full redraw.

    A plain dict (see ``style.spec``); :func:`contour_figure` is its checked figure.
    """
    lo, hi = landscape.lo, landscape.hi
    static, map_layout = maps.layers(
        landscape,
        resolution=resolution or maps.picture_resolution(height),
        click_resolution=click_resolution,
    )
    diag = float(np.hypot(*(hi - lo)))
    path = traj.recorded("path")[:, run, :]
    shown = display_indices(len(path))
    pts = end_at_exit(path, shown, lo, hi)
    frames_at = step_frames(shown, max_frames)

    exit_info = exit_point(path, lo, hi)
    drawn = np.union1d([0], frames_at).astype(int)
    at_drawn = gradient_arrows(landscape, pts[drawn], ARROW_FRACTION * diag)
    arrows = dict(zip(drawn.tolist(), at_drawn, strict=True))

    def animated(k: int) -> list[dict[str, Any]]:
        """Path up to display point k, the point itself, and −∇L there (plain dicts with
        typed arrays: cheap to build and to serialise on every rerun)."""
        here = pts[k]
        arrow = arrows[k]
        return [
            # float32 (7 digits: plenty to draw) halves the frames, the bulk of the figure.
            {
                "type": "scatter",
                "x": typed(pts[: k + 1, 0], "f4"),
                "y": typed(pts[: k + 1, 1], "f4"),
            },
            {
                "type": "scatter",
                "x": typed(here[:1]),
                "y": typed(here[1:]),
                "text": [f"step {int(shown[k])}"],
            },
            {"type": "scatter", "x": typed(arrow[:, 0], "f4"), "y": typed(arrow[:, 1], "f4")},
        ]

    traces: list[Any] = [
        *static,
        *_path_traces(pts, animated(0)),
        _exit_trace(exit_info, lo, hi),
    ]
    frames, controls = animate(animated, frames_at, shown, ANIMATED, 50, redraw=False)
    return maps.animated_map_spec(traces, map_layout, frames, controls, height=height, top=40)


contour_figure = figure_of(contour_spec)


def _surface_trace(xs: np.ndarray, ys: np.ndarray, height_z: np.ndarray) -> go.Surface:
    """The loss surface, its contours projected on the floor."""
    return go.Surface(
        x=xs,
        y=ys,
        z=height_z.astype(np.float32),
        colorscale=SURFACE_SCALE,
        showscale=False,
        opacity=0.95,  # opaque draws slower in software WebGL: 1.25 s a switch, not 1.05
        hoverinfo="skip",
        name="loss surface",
        contours={"z": {"show": True, "usecolormap": True, "project": {"z": True}, "width": 1}},
    )


def _minima_trace(minima: np.ndarray, z: np.ndarray) -> go.Scatter3d:
    """The known minima, on the surface."""
    return go.Scatter3d(
        x=minima[:, 0],
        y=minima[:, 1],
        z=z,
        mode="markers",
        name="minima",
        marker={
            "symbol": "diamond",
            "size": 6,
            "color": MINIMUM,
            "line": {"color": "black", "width": 1},
        },
    )


def _z_ticks(lo: float, hi: float) -> list[float]:
    """Round heights for the z axis, none in its lowest sixth: the lowest z label sat on the
    y axis's last label at the scene's corner ("0" over "3")."""
    return [t for t in nice_ticks(lo, hi, 4) if t >= lo + (hi - lo) / 6]


def _surface_layout(
    landscape: Landscape,
    z_label: str,
    z_range: tuple[float, float],
    height: int,
    controls: dict[str, Any],
) -> dict[str, Any]:
    """The 3-D scene (ranges of the map, a close camera) with the animation's controls."""
    x_range, y_range = landscape.bounds
    # 3-D tick labels are drawn in perspective: at the page's 17 px they overlap and clip.
    axis: dict[str, Any] = {
        "backgroundcolor": "white",
        "gridcolor": "#dddddd",
        "nticks": 5,
        "tickfont": {"size": 13},
        "title": {"font": {"size": 16}},
    }
    return base_layout(
        height=height,
        margin={"l": 0, "r": 0, "t": 40, "b": CONTROLS_MARGIN},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        scene={
            "domain": {"x": [0, 1], "y": [0, 1]},
            "xaxis": {**axis, "title": {**axis["title"], "text": "x"}, "range": [*x_range]},
            "yaxis": {**axis, "title": {**axis["title"], "text": "y"}, "range": [*y_range]},
            "zaxis": {
                **axis,
                "title": {**axis["title"], "text": z_label},
                "tickvals": _z_ticks(*z_range),
            },
            # From above enough that a valley's walls do not hide the path on its floor (from
            # (-1.15, -1.25, 0.85) Rosenbrock's front wall hid the start), close enough to fill.
            "camera": {"eye": {"x": -0.95, "y": -1.05, "z": 1.35}},
            "aspectmode": "manual",
            "aspectratio": {"x": 1.0, "y": 1.0, "z": 0.6},
        },
        uirevision="surface",
        **controls,
    )


def _riding(pts: np.ndarray, pz: np.ndarray, k: int) -> list[dict[str, Any]]:
    """Frame ``k`` of the 3-D path: the path so far and the current point, lifted onto the
    surface (``pts (P, 2)``, heights ``pz (P,)``)."""
    return [
        {
            "type": "scatter3d",
            "x": typed(pts[: k + 1, 0]),
            "y": typed(pts[: k + 1, 1]),
            "z": typed(pz[: k + 1]),
        },
        {
            "type": "scatter3d",
            "x": typed(pts[k : k + 1, 0]),
            "y": typed(pts[k : k + 1, 1]),
            "z": typed(pz[k : k + 1]),
        },
    ]


def surface_figure(
    landscape: Landscape,
    traj: Trajectory,
    run: int = 0,
    *,
    resolution: int = 60,
    max_frames: int = 41,  # 200 steps in strides of 5
    height: int = 640,
) -> go.Figure:
    """3-D surface with the descent path riding on it, animated like the contour map.

    The height is the same colour transform as the contour map (log for steep landscapes). Path
    points off the map are not drawn in 3-D (the contour map marks where the run left).
    Traces: surface, minima, whole path, animated path, animated point.
    """
    xs, ys, zz = landscape_grid(landscape, resolution)
    height_z, z_label = colour_transform(zz)
    z_min = float(np.nanmin(zz))
    lift = 0.03 * float(np.ptp(height_z))  # above the mesh, which cuts corners in a valley

    def lift_z(points: np.ndarray) -> np.ndarray:
        z = landscape.value(points)
        z = np.log10(1.0 + np.maximum(z - z_min, 0.0)) if z_label.startswith("log") else z
        return z + lift

    path = traj.recorded("path")[:, run, :]
    exit_info = exit_point(path, landscape.lo, landscape.hi)
    inside = path if exit_info is None else path[: max(exit_info[0], 1)]
    shown = display_indices(len(inside), max_points=600)
    pts = inside[shown]
    pz = lift_z(pts)
    frames_at = step_frames(shown, max_frames)

    animated = functools.partial(_riding, pts, pz)
    first = [go.Scatter3d(trace) for trace in animated(0)]
    traces = [
        _surface_trace(xs, ys, height_z),
        _minima_trace(landscape.minima, lift_z(landscape.minima)),
        go.Scatter3d(
            x=pts[:, 0],
            y=pts[:, 1],
            z=pz,
            mode="lines",
            name="whole path",
            showlegend=False,
            line={"color": "rgba(255,255,255,0.7)", "width": 3},
            hoverinfo="skip",
        ),
        first[0].update(mode="lines", name="descent path", line={"color": PATH, "width": 7}),
        first[1].update(
            mode="markers",
            name="current point",
            showlegend=False,
            marker={"size": 7, "color": PATH, "line": {"color": "white", "width": 2}},
        ),
    ]
    # 3-D needs a full redraw per frame (~0.2 s in software WebGL): fewer, slower frames.
    frames, controls = animate(animated, frames_at, shown, [3, 4], 120, redraw=True)
    z_range = (float(np.nanmin(height_z)), float(np.nanmax(height_z)))
    layout = _surface_layout(landscape, z_label, z_range, height, controls)
    return go.Figure(data=traces, layout=layout, frames=frames)


@functools.lru_cache(maxsize=8)
def _loss_layout(log: bool, height: int) -> dict[str, Any]:
    """The two panels' layout (shared step axis), laid out by ``make_subplots`` once."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.6, 0.4]
    )
    fig.update_yaxes(
        title_text="L − L_min (log)" if log else "loss",
        type="log" if log else None,
        exponentformat="e",
        row=1,
        col=1,
    )
    # A short panel: three ticks or so (decades), not eight labels in 120 px.
    fig.update_yaxes(title_text="‖∇L‖", type="log", exponentformat="e", nticks=3, row=2, col=1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_layout(
        base_layout(height=height, showlegend=False, margin={"l": 70, "r": 20, "t": 30, "b": 50})
    )
    return fig.to_dict()["layout"]


def loss_spec(
    traj: Trajectory, run: int = 0, *, log: bool = False, minimum: float = 0.0, height: int = 420
) -> dict[str, Any]:
    """Loss (top) and gradient norm (bottom, log scale) against the step.

    With ``log`` the top panel shows ``L − L_min`` on a log axis (``minimum``: the best known
    loss), which makes slow final convergence and plateaus visible. The step where the run
    converged or diverged is marked.

    A plain dict (see ``style.spec``); :func:`loss_figure` is its checked figure.
    """
    steps = np.arange(traj.steps + 1)
    loss = traj.recorded("loss")[:, run]
    gnorm = np.maximum(traj.recorded("grad_norm")[:, run], 1e-300)
    if log:
        top = go.Scatter(
            x=steps,
            y=np.maximum(loss - minimum, 1e-16),
            name="L − L_min",
            line={"color": PATH, "width": 3},
            customdata=loss,
            hovertemplate="step %{x}<br>L = %{customdata:.6g}<extra></extra>",
            xaxis="x",
            yaxis="y",
        )
    else:
        top = go.Scatter(
            x=steps,
            y=loss,
            name="loss L",
            line={"color": PATH, "width": 3},
            hovertemplate="step %{x}<br>L = %{y:.6g}<extra></extra>",
            xaxis="x",
            yaxis="y",
        )
    bottom = go.Scatter(
        x=steps,
        y=gnorm,
        name="‖∇L‖",
        line={"color": OKABE_ITO[0], "width": 3},
        hovertemplate="step %{x}<br>‖∇L‖ = %{y:.3g}<extra></extra>",
        xaxis="x2",
        yaxis="y2",
    )
    layout = dict(_loss_layout(log, height))
    marker = None
    if traj.status[run] == DIVERGED:
        marker = (int(traj.diverged_at[run]), "diverged", OKABE_ITO[3])
    elif traj.converged_at[run] >= 0:
        marker = (int(traj.converged_at[run]), "converged", OKABE_ITO[2])
    if marker is not None:
        step, what, colour = marker
        line = {"color": colour, "dash": "dash", "width": 2}
        vline(layout, step, line, f"{what} at step {step}", ["x", "x2"])
    return spec([top, bottom], layout)


loss_figure = figure_of(loss_spec)
