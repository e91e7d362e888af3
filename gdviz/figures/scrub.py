"""The rate scrubber: one figure holding a whole family of runs (one per learning rate), whose
slider redraws the path, the loss curve and the status line for the rate under it, in the
browser, with no request to the server.

Layout, top to bottom: the status line; the *stage* (a 2-D map, or the 1-D loss curve) with the
scrubbed run's path on the left, its loss gap ``L − L_min`` per step (log) on the right; the rate
strip (log α, the regions shaded, the critical rate marked, a marker at the scrubbed rate); the
slider ("α = …"). The chosen rate's path and loss stay on as faint references.

Frames are named ``"r<k>"`` (rate index k) and replace only the :data:`SCRUBBED` traces, all
scatters, so Plotly animates them without a full redraw. Every array is a float32 typed array:
56 frames of 300 points cost about 250 kB.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from gdviz.core.landscapes.base import Landscape
from gdviz.core.scrub import Family
from gdviz.figures import maps
from gdviz.figures.hiker import loss_curve_trace
from gdviz.figures.landscape import end_at_exit
from gdviz.figures.style import (
    base_layout,
    display_indices,
    frame_args,
    typed,
)
from gdviz.figures.sweep import REGION_COLOURS, region_shapes
from gdviz.learning.training import Problem

MAX_POINTS = 300  # display points per path: the odd stride keeps a zig-zag zig-zagging
GAP_FLOOR = 1e-16  # the loss panel's bottom: a gap below it is "at the minimum"
N_REFERENCE = 3  # after the stage: chosen path, chosen loss, strip hover targets
# The animated traces, counted from the end of the figure's data.
PATH_K, END_K, LOSS_K, MARK_K, STATUS_K = range(5)
SCRUBBED = 5
SLIDER_ROOM = 66  # px below the plot area: the slider and its labels (α is in the status)
MODEBAR_ROOM = 30  # px above it: the modebar's row
# The bands of the plot area, top to bottom (fractions of its height): stacked, so a figure
# beside the page's readouts (about 550 px wide at 1280×720) gives the map its whole width.
STATUS_BAND = (0.88, 1.0)
STRIP_BAND = (0.0, 0.07)
# (x domain, y domain) of the stage and of the loss panel: stacked for a wide stage, side by
# side for a squarish map (stacked, a square map would be a postage stamp on a wide screen).
STACKED = {"stage": ((0.0, 1.0), (0.45, 0.86)), "loss": ((0.0, 1.0), (0.17, 0.33))}
SIDE_BY_SIDE = {"stage": ((0.0, 0.55), (0.17, 0.86)), "loss": ((0.67, 1.0), (0.2, 0.8))}
WIDE = 1.6  # a map at least this much wider than tall is stacked
STRIP_OPACITY = 0.85  # the rate strip's region colours


@dataclass(frozen=True)
class Knob:
    """What a family scrubs: its symbol in the words, whether its strip is logarithmic, and
    the name of the critical value's mark."""

    symbol: str
    log: bool
    critical: str


KNOBS = {
    "lr": Knob("α", log=True, critical="critical 2/λ"),
    "momentum": Knob("β", log=False, critical="stable from here"),
}


@dataclass(frozen=True)
class Stage:
    """What the scrubbed path is drawn over: ``traces`` on axes ``x``/``y`` and the layout
    entries they need (``xaxis``, ``yaxis``, ``images``…). The scrubber sets the domains."""

    traces: list[Any]
    layout: dict[str, Any]
    aspect: float | None = None  # width / height of an equal-aspect map; None: axes fill
    beside: bool = False  # the loss panel beside the stage whatever its aspect (a 1-D curve)

    @property
    def bands(self) -> dict[str, tuple[tuple[float, float], tuple[float, float]]]:
        """Where the stage and the loss panel go: beside each other for a curve or a
        squarish map, stacked for a wide map."""
        squarish = self.aspect is not None and self.aspect < WIDE
        return SIDE_BY_SIDE if self.beside or squarish else STACKED


def frame_name(k: int) -> str:
    return f"r{k}"


def loss_gap(loss: np.ndarray, floor: float, diverged_at: np.ndarray) -> np.ndarray:
    """``loss − floor`` clipped at :data:`GAP_FLOOR` for a log axis, ``(P, M)`` like ``loss``;
    NaN (a gap in the line) from each run's divergence on (``diverged_at (M,)``, −1: never)."""
    gap = np.maximum(loss - floor, GAP_FLOOR)
    steps = np.arange(loss.shape[0])[:, None]
    return np.where((diverged_at >= 0) & (steps > diverged_at), np.nan, gap)


@dataclass(frozen=True)
class _Runs:
    """A family's runs as the scrubber draws them: ``paths (M, P, 2)`` on the stage, loss gaps
    ``(M, P)`` at the display ``steps (P,)``, a colour per run, the loss axis' log range."""

    paths: np.ndarray
    gaps: np.ndarray
    steps: np.ndarray
    colours: list[str]
    bottom: float
    top: float


def _runs(
    family: Family,
    box: tuple[np.ndarray, np.ndarray],
    to_stage: Callable[[np.ndarray], np.ndarray] | None,
) -> _Runs:
    """Each run cut to display points and ended where it first left ``box``, on the stage."""
    path = family.traj.recorded("path")  # (T+1, M, d)
    steps = display_indices(path.shape[0], MAX_POINTS)
    lo, hi = box
    ends = [end_at_exit(path[:, k], steps, lo, hi) for k in range(len(family.rates))]
    paths = np.stack([p if to_stage is None else to_stage(p) for p in ends])  # (M, P, 2)
    gaps = loss_gap(family.traj.recorded("loss"), family.floor, family.traj.diverged_at)
    gaps = gaps[steps].T  # (M, P)
    finite = gaps[np.isfinite(gaps)]
    top = float(np.log10(max(float(np.max(gaps[:, 0])), GAP_FLOOR))) + 1.0
    bottom = max(float(np.log10(max(float(np.min(finite)), GAP_FLOOR))), -16.0) - 0.5
    colours = [REGION_COLOURS[str(r)] for r in family.region]
    return _Runs(paths, gaps, steps, colours, bottom, top)


def _scrubbed(runs: _Runs, rates: np.ndarray, words: Sequence[str], k: int) -> list[dict]:
    """The run at rate k: path and end point on the stage, loss gap, strip marker, words."""
    end, colour = runs.paths[k, -1], runs.colours[k]
    return [
        {
            "type": "scatter",
            "x": typed(runs.paths[k, :, 0], "f4"),
            "y": typed(runs.paths[k, :, 1], "f4"),
            "line": {"color": colour},
            "marker": {"color": colour},
        },
        {
            "type": "scatter",
            "x": typed(end[:1], "f4"),
            "y": typed(end[1:], "f4"),
            "marker": {"color": colour},
        },
        {"type": "scatter", "y": typed(runs.gaps[k], "f4"), "line": {"color": colour}},
        {"type": "scatter", "x": [float(rates[k])]},
        {"type": "scatter", "text": [_two_lines(words[k])]},
    ]


def _your_rate(runs: _Runs, family: Family) -> list[Any]:
    """The chosen rate's path and loss (dotted grey, fixed), and the strip's hover targets."""
    chosen, step_axis = family.chosen, typed(runs.steps, "f4")
    symbol = KNOBS[family.knob].symbol
    dotted = {"color": "#BBBBBB", "width": 2.5, "dash": "dot"}
    return [
        go.Scatter(
            x=typed(runs.paths[chosen, :, 0], "f4"),
            y=typed(runs.paths[chosen, :, 1], "f4"),
            mode="lines",
            name=f"your {symbol}",
            line=dotted,
            hoverinfo="skip",
        ),
        go.Scatter(
            x=step_axis,
            y=typed(runs.gaps[chosen], "f4"),
            xaxis="x2",
            yaxis="y2",
            mode="lines",
            name=f"your {symbol}",
            showlegend=False,
            line=dotted,
            hoverinfo="skip",
        ),
        go.Scatter(
            x=family.rates,
            y=np.full(len(family.rates), 0.5),
            xaxis="x3",
            yaxis="y3",
            mode="markers",
            showlegend=False,
            marker={"size": 14, "color": "rgba(0,0,0,0)"},
            text=[str(r) for r in family.region],
            hovertemplate=f"{symbol} = %{{x:.4g}}: %{{text}}<extra></extra>",
        ),
    ]


def _scrubbed_traces(runs: _Runs, now: list[dict], path_hover: str, symbol: str = "α") -> list[Any]:
    """The traces the slider's frames replace (:func:`_scrubbed`), at the chosen rate."""
    return [
        go.Scatter(
            _merged(now[0], line={"width": 3.5}, marker={"size": 5}),
            mode="lines+markers",
            name=f"scrubbed {symbol}",
            customdata=runs.steps,
            hovertemplate=path_hover,
        ),
        go.Scatter(
            _merged(now[1], marker={"size": 15, "line": {"color": "white", "width": 2.5}}),
            mode="markers",
            showlegend=False,
            hoverinfo="skip",
        ),
        go.Scatter(
            _merged(now[2], line={"width": 3.5}),
            x=typed(runs.steps, "f4"),
            xaxis="x2",
            yaxis="y2",
            mode="lines",
            showlegend=False,
            hovertemplate="step %{x}<br>L − L_min = %{y:.3g}<extra></extra>",
        ),
        go.Scatter(
            now[3],
            y=[0.5],
            xaxis="x3",
            yaxis="y3",
            mode="markers",
            showlegend=False,
            marker={
                "symbol": "diamond",
                "size": 20,
                "color": "black",
                "line": {"color": "white", "width": 2},
            },
            hoverinfo="skip",
        ),
        go.Scatter(
            now[4],
            x=[0.0],
            y=[0.5],
            xaxis="x4",
            yaxis="y4",
            mode="text",
            showlegend=False,
            textposition="middle right",
            textfont={"size": 18, "color": "#222222"},
            hoverinfo="skip",
        ),
    ]


def _slider(rates: np.ndarray, chosen: int) -> dict[str, Any]:
    """The α slider: one step per rate, each a still frame (no transition)."""
    still = frame_args(0, redraw=False)
    return {
        "active": chosen,
        "steps": [
            {"label": f"{r:.3g}", "method": "animate", "args": [[frame_name(k)], still]}
            for k, r in enumerate(rates)
        ],
        "x": 0.0,
        "len": 1.0,
        "y": 0.0,
        "xanchor": "left",
        "yanchor": "top",
        "pad": {"t": 12, "b": 0, "l": 0, "r": 0},
        "currentvalue": {"visible": False},
        "font": {"size": 13},
        "ticklen": 3,
        "minorticklen": 0,
        "name": "scrub",
    }


def _layout(stage: Stage, family: Family, runs: _Runs, height: int) -> dict[str, Any]:
    """The stage in its band, the loss-gap panel, the strip of regions and the status line."""
    bands = stage.bands
    knob = KNOBS[family.knob]
    strip = np.log10(family.rates) if knob.log else np.asarray(family.rates, dtype=float)
    hidden = {"visible": False, "fixedrange": True}
    layout = base_layout(
        height=height,
        # Room above the status words for Plotly's modebar (it covered their end on hover).
        margin={"l": 60, "r": 16, "t": MODEBAR_ROOM, "b": SLIDER_ROOM},
        showlegend=False,  # the page says what the dotted and coloured paths are
        **{key: value for key, value in stage.layout.items() if key not in ("clickmode",)},
        xaxis2={
            "domain": list(bands["loss"][0]),
            "anchor": "y2",
            "range": [0, float(runs.steps[-1])],
            "tickfont": {"size": 14},
            "fixedrange": True,
        },
        yaxis2={
            "domain": list(bands["loss"][1]),
            "anchor": "x2",
            "nticks": 3,  # a short panel: four decades' labels crowded into each other
            "tickfont": {"size": 14},
            "type": "log",
            "range": [runs.bottom, runs.top],
            "exponentformat": "power",
            "fixedrange": True,
        },
        xaxis3={
            "domain": [0.0, 1.0],
            "anchor": "y3",
            "type": "log" if knob.log else "linear",
            "range": [float(strip[0]), float(strip[-1])],
            "showticklabels": False,
            "showgrid": False,
            "fixedrange": True,
        },
        yaxis3={"domain": list(STRIP_BAND), "anchor": "x3", "range": [0, 1], **hidden},
        xaxis4={"domain": [0.0, 1.0], "anchor": "y4", "range": [0, 1], **hidden},
        yaxis4={"domain": list(STATUS_BAND), "anchor": "x4", "range": [0, 1], **hidden},
        shapes=[
            # Strong enough that "red diverging" reads red: at the sweep's 0.22, red and orange
            # both looked peach (issue 22).
            *region_shapes(
                family.rates, family.region, panels=("3",), log=knob.log, opacity=STRIP_OPACITY
            ),
            *_marks(family),
        ],
        annotations=[
            *_mark_labels(family),
            {
                "text": "L − L_min (log)"
                if bands is SIDE_BY_SIDE
                else "loss gap L − L_min (log) by step",
                "x": bands["loss"][0][0],
                "y": bands["loss"][1][1],
                "xref": "paper",
                "yref": "paper",
                "xanchor": "left",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 16},
            },
        ],
        sliders=[_slider(family.rates, family.chosen)],
    )
    # The stage keeps its own axes (equal aspect on a map): only its box moves.
    layout["xaxis"] = {**layout["xaxis"], "domain": list(bands["stage"][0]), "title": None}
    layout["yaxis"] = {**layout["yaxis"], "domain": list(bands["stage"][1]), "title": None}
    return layout


def scrub_figure(
    stage: Stage,
    family: Family,
    words: Sequence[str],
    *,
    box: tuple[np.ndarray, np.ndarray],
    to_stage: Callable[[np.ndarray], np.ndarray] | None = None,
    height: int = 600,
    path_hover: str = "step %{customdata}<br>(%{x:.3f}, %{y:.3f})<extra></extra>",
) -> go.Figure:
    """The scrubber figure for a family of M runs, drawn over ``stage``.

    Each run's path is cut to at most :data:`MAX_POINTS` display points (the odd stride keeps
    a zig-zag) and ended where it first left ``box = (lo (d,), hi (d,))``; ``to_stage`` maps
    those positions ``(P, d)`` to the stage's ``(P, 2)`` coordinates (default: as they are).
    ``words (M,)``: each run's status line. The slider starts at ``family.chosen``.
    """
    m = len(family.rates)
    if len(words) != m:
        raise ValueError(f"one status line per rate: {len(words)} lines for {m} rates")
    runs = _runs(family, box, to_stage)
    now = _scrubbed(runs, family.rates, words, family.chosen)
    traces: list[Any] = [
        *stage.traces,
        *_your_rate(runs, family),
        *_scrubbed_traces(runs, now, path_hover, KNOBS[family.knob].symbol),
    ]
    frames = [
        {
            "name": frame_name(k),
            "data": _scrubbed(runs, family.rates, words, k),
            "traces": _scrubbed_indices(len(traces)),
        }
        for k in range(m)
    ]
    return go.Figure(data=traces, layout=_layout(stage, family, runs, height), frames=frames)


def _merged(trace: dict[str, Any], **nested: dict[str, Any]) -> dict[str, Any]:
    """``trace`` with the dicts in ``nested`` merged into its own (a frame's colours kept)."""
    return {**trace, **{key: {**trace.get(key, {}), **value} for key, value in nested.items()}}


def _two_lines(words: str) -> str:
    """A status line as two: the rate (bold) over how its run went."""
    head, _, rest = words.partition(" · ")
    return f"<b>{head}</b><br>{rest}" if rest else f"<b>{head}</b>"


def _scrubbed_indices(n_traces: int) -> list[int]:
    return list(range(n_traces - SCRUBBED, n_traces))


def _marks(family: Family) -> list[dict[str, Any]]:
    """Vertical lines on the rate strip: the critical rate (dashed) and the chosen α."""
    lines = [(float(family.rates[family.chosen]), "solid", "#444444")]
    if np.isfinite(family.critical):
        lines.append((family.critical, "dash", "black"))
    return [
        {
            "type": "line",
            "xref": "x3",
            "yref": "y3 domain",
            "x0": x,
            "x1": x,
            "y0": -0.1,
            "y1": 1.1,
            "line": {"color": colour, "dash": dash, "width": 3},
        }
        for x, dash, colour in lines
        if family.rates[0] <= x <= family.rates[-1]
    ]


def _mark_labels(family: Family) -> list[dict[str, Any]]:
    """Words above the strip's lines, each on the side away from the other (they may be a
    hair apart); a critical rate off the family says which way it lies."""
    knob = KNOBS[family.knob]
    lo, hi = float(family.rates[0]), float(family.rates[-1])
    mine = float(family.rates[family.chosen])
    yours = f"your {knob.symbol}"
    labels = [(mine, yours, "center")]
    if np.isfinite(family.critical):
        c = family.critical
        inside = lo <= c <= hi
        text = knob.critical if inside else f"critical {c:.3g} " + ("→" if c > hi else "←")
        left = c < mine
        labels = [
            (mine, yours, "left" if left else "right"),
            (min(max(c, lo), hi), text, "right" if left else "left"),
        ]
        if not inside:
            labels[1] = (labels[1][0], text, "right" if c > hi else "left")
        elif _near_an_end(c, lo, hi, knob.log):  # its words would run off the strip
            labels = [(mine, yours, "left"), (c, text, "left" if c - lo < hi - c else "right")]
    return [
        {
            "x": float(np.log10(x)) if knob.log else float(x),  # a log axis takes log10 here
            "y": 1.0,
            "xref": "x3",
            "yref": "y3 domain",
            "text": text,
            "showarrow": False,
            "xanchor": anchor,
            "xshift": {"left": 4, "right": -4}.get(anchor, 0),  # a gap between two near marks
            "yanchor": "bottom",
            "font": {"size": 14},
        }
        for x, text, anchor in labels
    ]


def _near_an_end(x: float, lo: float, hi: float, log: bool) -> bool:
    """Whether ``x`` lies within the first or last 15% of the strip ``[lo, hi]``: a label
    anchored outward there would be cut off at the strip's end."""
    at = (np.log10(x / lo) / np.log10(hi / lo)) if log else (x - lo) / (hi - lo)
    return bool(at < 0.15 or at > 0.85)


# -- the stages ------------------------------------------------------------------------------


def map_stage(landscape: Landscape, *, resolution: int = 300) -> Stage:
    """A landscape's map without its click grid and colour bar (the scrubber is for looking):
    the picture, the minima and the saddles."""
    static, layout = maps.layers(landscape, resolution=resolution, click_resolution=2)
    (x_lo, x_hi), (y_lo, y_hi) = landscape.bounds
    return Stage(static[maps.N_LAYERS - 2 :], layout, aspect=(x_hi - x_lo) / (y_hi - y_lo))


def landscape_scrub_figure(
    landscape: Landscape, family: Family, words: Sequence[str], *, height: int = 600
) -> go.Figure:
    """The scrubber over a 2-D landscape: every run of ``family`` as a path on the map."""
    box = (landscape.lo, landscape.hi)
    return scrub_figure(map_stage(landscape), family, words, box=box, height=height)


def curve_stage(curve: Landscape, *, points: int = 400) -> Stage:
    """A 1-D loss curve ``L(x)`` over its box, its minima starred: the hiker's scrubber."""
    ((lo, hi),) = curve.bounds
    xs = np.linspace(lo, hi, points)
    ys = curve.value(xs[:, None])
    pad = 0.08 * (float(np.max(ys) - np.min(ys)) or 1.0)
    minima = curve.minima[:, 0]
    traces = [
        loss_curve_trace(xs, ys, showlegend=False),
        go.Scatter(
            x=minima,
            y=curve.value(minima[:, None]) if len(minima) else [],
            mode="markers",
            name="minima",
            showlegend=False,
            marker=maps.star_marker(16),
            hovertemplate="minimum x = %{x:.3f}<extra></extra>",
        ),
    ]
    grid = {"showgrid": True, "gridcolor": "#e5e5e5", "zeroline": False}
    layout = {
        "xaxis": {"range": [lo, hi], **grid},
        "yaxis": {"range": [float(np.min(ys)) - pad, float(np.max(ys)) + pad], **grid},
    }
    # Stacked, the curve and its loss panel were strips too flat to read at 470 px (issue 22).
    return Stage(traces, layout, beside=True)


def curve_scrub_figure(
    curve: Landscape, family: Family, words: Sequence[str], *, height: int = 520
) -> go.Figure:
    """The scrubber on a 1-D curve: each run of ``family`` as the hiker's zig-zag of positions
    ``(x_t, L(x_t))`` on the curve, cut where it leaves the curve's box."""
    return scrub_figure(
        curve_stage(curve),
        family,
        words,
        box=(curve.lo, curve.hi),
        to_stage=lambda xs: np.column_stack([xs[:, 0], curve.value(xs)]),
        height=height,
        path_hover="step %{customdata}<br>x = %{x:.3f}, L = %{y:.3f}<extra></extra>",
    )


def data_stage(problem: Problem) -> Stage:
    """The data page's parameter map ``(w, b)`` (axes scaled independently, as on the page):
    the full-batch loss as a picture, the optimum starred."""
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    lo, hi = np.array([w_lo, b_lo]), np.array([w_hi, b_hi])
    uri, _, _, _ = maps.picture(problem.landscape(), 300, square_pixels=False)
    opt = problem.optimum
    traces = [
        go.Scatter(
            x=[] if opt is None else [opt[0]],
            y=[] if opt is None else [opt[1]],
            mode="markers",
            name="optimum",
            showlegend=False,
            marker=maps.star_marker(18),
            hovertemplate="optimum w* = %{x:.4g}, b* = %{y:.4g}<extra></extra>",
        )
    ]
    axis = {"showgrid": False, "zeroline": False}
    layout = {
        "xaxis": {"range": [w_lo, w_hi], **axis},
        "yaxis": {"range": [b_lo, b_hi], **axis},
        "images": [maps.picture_image(uri, lo, hi)],
    }
    return Stage(traces, layout)


def data_scrub_figure(
    problem: Problem, family: Family, words: Sequence[str], *, height: int = 580
) -> go.Figure:
    """The scrubber on the data page: each rate's training path over the ``(w, b)`` map."""
    lo, hi = (np.array(ends, dtype=float) for ends in zip(*problem.bounds, strict=True))
    return scrub_figure(
        data_stage(problem),
        family,
        words,
        box=(lo, hi),
        height=height,
        path_hover="update %{customdata}<br>w = %{x:.4g}, b = %{y:.4g}<extra></extra>",
    )
