"""Figures for learning from data: parameter space and data space side by side, and the loss
curves (one update seen through its mini-batch: ``data_batch``; several models side by side:
``data_models``).

``training_figure`` animates both panels together from one set of frames: on the left the path
over the loss of ``(w, b)`` (a picture, as on the landscape page, so frames skip the full redraw),
on the right the data with the line or sigmoid those parameters draw. Frames are spaced in epochs,
so runs with different batch sizes (a race of flavours) stay in step: after one epoch every run
has seen every row once, however many updates that took.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go

from gdviz.figures import maps
from gdviz.figures.batch_levels import batch_contours
from gdviz.figures.style import (
    CONTROLS_MARGIN,
    OKABE_ITO,
    animation_controls,
    base_layout,
    display_indices,
    figure_of,
    hline,
    plain,
    run_colour,
    spec,
    typed,
)
from gdviz.learning.training import Problem, Training

# Trace order of training_figure (the page's click handling relies on CLICK_GRID).
COLOUR_BAR, CLICK_GRID, OPTIMUM, DATA_POINTS, BEST_FIT = range(5)
N_STATIC = 5
POINT_COLOURS = (OKABE_ITO[0], OKABE_ITO[1])  # class 0, class 1
BATCH_COLOUR = OKABE_ITO[4]
FIT_COLOURS = (OKABE_ITO[3], OKABE_ITO[2], OKABE_ITO[4])  # none is a class colour
MAP_WIDTH = 0.47  # share of the figure's width given to the parameter-space panel
DATA_GAP = 0.19  # between the map and the data panel: the map's colour bar and its ticks
DATA_TOP = 0.9  # the data panel's top (paper): its y label sits above it


def _rows_ringed(name: str, size: int) -> dict[str, Any]:
    """A scatter's settings for data rows ringed on the data panel (a mini-batch's)."""
    return {
        "mode": "markers",
        "name": name,
        "marker": _ring(size),
        "hoverinfo": "skip",
        "xaxis": "x2",
        "yaxis": "y2",
    }


def _ring(size: int) -> dict[str, Any]:
    """The marker that rings a mini-batch's rows in the data panel: a hollow circle."""
    return {"size": size, "color": "rgba(0,0,0,0)", "line": {"color": BATCH_COLOUR, "width": 3}}


def _curve_x(problem: Problem, n: int | None = None) -> np.ndarray:
    """``(n,)`` raw feature values spanning the data with a 5% margin: two for a straight line
    (that is all a line needs, and every animation frame carries it), 80 for a sigmoid."""
    if n is None:
        n = 2 if problem.model == "linear" else 80
    x = problem.dataset.x
    pad = 0.05 * float(np.ptp(x))
    return np.linspace(float(x.min()) - pad, float(x.max()) + pad, n)


def _y_range(problem: Problem) -> list[float]:
    """A fixed data-panel range (a diverging line must not rescale the axis)."""
    if problem.dataset.task == "classification":
        return [-0.2, 1.2]
    y = problem.dataset.y
    pad = 0.15 * float(np.ptp(y)) or 1.0
    return [float(y.min()) - pad, float(y.max()) + pad]


def _shown_y(problem: Problem) -> np.ndarray:
    """Targets as drawn: 0/1 classes get a small fixed vertical jitter so overlapping points
    stay visible (drawn only; the model sees the exact 0 and 1)."""
    y = problem.dataset.y
    if problem.dataset.task != "classification":
        return y
    return y + 0.05 * np.random.default_rng(0).uniform(-1.0, 1.0, len(y))


def _map_traces(problem: Problem, click_resolution: int) -> tuple[list[go.Scatter], dict]:
    """The static traces of the parameter-space panel (colour bar, click grid, optimum) and its
    picture as a layout image on axes x/y."""
    landscape = problem.landscape()
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    uri, label, c_lo, c_hi = maps.picture(landscape, 300, square_pixels=False)
    gw, gb = (
        v.ravel()
        for v in np.meshgrid(
            np.linspace(w_lo, w_hi, click_resolution), np.linspace(b_lo, b_hi, click_resolution)
        )
    )
    opt = problem.optimum
    lo, hi = np.array([w_lo, b_lo]), np.array([w_hi, b_hi])
    traces = [
        maps.colour_bar_trace(
            lo,
            c_lo,
            c_hi,
            label,
            # Title on top: beside the bar it would collide with the data panel's axis.
            title={"text": label, "side": "top"},
            thickness=14,
            x=MAP_WIDTH + 0.005,
            xanchor="left",
            len=0.8,
        ),
        maps.click_grid_trace(
            gw,
            gb,
            landscape.value(np.stack([gw, gb], axis=-1)),
            "start at w = %{x:.3g}, b = %{y:.3g}<br>L = %{customdata:.4g}<extra></extra>",
        ),
        go.Scatter(
            x=[] if opt is None else [opt[0]],
            y=[] if opt is None else [opt[1]],
            mode="markers",
            name="optimum",
            marker=maps.star_marker(18),
            hovertemplate="optimum w* = %{x:.4g}, b* = %{y:.4g}<extra></extra>",
        ),
    ]
    image = maps.picture_image(uri, lo, hi)
    return traces, image


def _data_traces(problem: Problem) -> list[go.Scatter]:
    """The data points and the optimum's fit in the data panel."""
    ds = problem.dataset
    shown = _shown_y(problem)
    colours: list[str] | str
    if ds.task == "classification":
        colours = [POINT_COLOURS[int(v)] for v in ds.y]
        name = f"data ({plain(ds.classes[0])} = 0, {plain(ds.classes[1])} = 1)"
    else:
        colours = OKABE_ITO[0]
        name = "data"
    xs = _curve_x(problem)
    best = (
        problem.predict(problem.optimum, xs)
        if problem.optimum is not None
        else np.full_like(xs, np.nan)
    )
    return [
        go.Scatter(
            x=ds.x,
            y=shown,
            mode="markers",
            name=name,
            marker={"size": 8, "color": colours, "opacity": 0.7, "line": {"width": 0}},
            customdata=ds.y,
            hovertemplate=f"{plain(ds.x_label)} = %{{x:.4g}}<br>"
            "y = %{customdata:.4g}<extra></extra>",
            xaxis="x2",
            yaxis="y2",
        ),
        go.Scatter(
            x=xs,
            y=best,
            mode="lines",
            name="best fit (optimum)",
            line={"color": "black", "width": 2, "dash": "dash"},
            hoverinfo="skip",
            xaxis="x2",
            yaxis="y2",
        ),
    ]


def _axes(problem: Problem, height: int, top: int) -> dict[str, Any]:
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    ds = problem.dataset
    no_grid = {"showgrid": False, "zeroline": False}
    scaled = " (standardised x)" if problem.scaling == "standardised" else ""
    return base_layout(
        height=height,
        xaxis={
            "title": {"text": f"w (slope){scaled}"},
            "range": [w_lo, w_hi],
            "domain": [0, MAP_WIDTH],
            **no_grid,
        },
        yaxis={"title": {"text": "b (intercept)"}, "range": [b_lo, b_hi], **no_grid},
        xaxis2={
            "title": {"text": plain(ds.x_label)},
            "domain": [MAP_WIDTH + DATA_GAP, 1.0],
            "anchor": "y2",
        },
        yaxis2={"range": _y_range(problem), "anchor": "x2", "domain": [0.0, DATA_TOP]},
        # The data panel's y label reads across, above its axis: turned up beside the axis it
        # ran into the map's colour bar in a lesson's narrow column (issue 22).
        annotations=[
            {
                "text": plain(ds.y_label),
                "x": MAP_WIDTH + DATA_GAP,
                "xref": "paper",
                "xanchor": "left",  # over the panel: the colour bar's title is to its left
                "xshift": -20,
                "y": DATA_TOP,
                "yref": "paper",
                "yanchor": "bottom",
                "yshift": 6,
                "showarrow": False,
                "font": {"size": 17},
            }
        ],
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 70, "r": 20, "t": top, "b": CONTROLS_MARGIN},
        clickmode="event+select",
        dragmode="pan",
    )


@dataclass(frozen=True)
class _Playback:
    """What the training animation draws at an epoch: every run's path so far, its current
    point and its prediction; with one run, the next mini-batch's rows (and, with ``overlay``,
    that batch's own loss as level curves)."""

    problem: Problem
    runs: list[Training]
    shown: list[np.ndarray]  # each run's display indices
    xs: np.ndarray  # where the predictions are drawn
    shown_y: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    show_batch: bool
    overlay: bool

    @staticmethod
    def update_at(run: Training, epoch: float) -> int:
        return int(min(run.steps, round(epoch * run.per_epoch)))

    def frame(self, epoch: float) -> list[dict[str, Any]]:
        """The animated traces' data after ``epoch`` epochs."""
        data: list[dict[str, Any]] = []
        lo, hi = self.lo, self.hi
        for run, idx in zip(self.runs, self.shown, strict=True):
            t = self.update_at(run, epoch)
            # Drawn path: the display points so far, then exactly the current position; points
            # beyond the map are clipped to its edge (a diverging run ends at the border).
            pts = np.clip(np.vstack([run.path[idx[idx < t]], run.path[t : t + 1]]), lo, hi)
            here = run.path[t]
            pred = self.problem.predict(here, self.xs)
            data += [
                {"type": "scatter", "x": typed(pts[:, 0], "f4"), "y": typed(pts[:, 1], "f4")},
                {
                    "type": "scatter",
                    "x": typed(np.clip(here[:1], lo[0], hi[0])),
                    "y": typed(np.clip(here[1:], lo[1], hi[1])),
                    "text": [f"update {t}: w = {here[0]:.4g}, b = {here[1]:.4g}"],
                },
                {"type": "scatter", "x": typed(self.xs, "f4"), "y": typed(pred, "f4")},
            ]
        if self.show_batch:
            data += self._batch(epoch)
        return data

    def _batch(self, epoch: float) -> list[dict[str, Any]]:
        """The next mini-batch's rows, and (``overlay``) its own loss's level curves."""
        run = self.runs[0]
        t = self.update_at(run, epoch)
        rows = run.rows(t) if t < run.steps else np.empty(0, dtype=int)
        data = [
            {
                "type": "scatter",
                "x": typed(self.problem.dataset.x[rows]),
                "y": typed(self.shown_y[rows]),
            }
        ]
        if self.overlay:
            levels = (
                batch_contours(self.problem, rows, run.path[t]) if len(rows) else np.empty((2, 0))
            )
            data.append(
                {"type": "scatter", "x": typed(levels[0], "f4"), "y": typed(levels[1], "f4")}
            )
        return data


def _run_traces(runs: list[Training], first: list[dict[str, Any]]) -> list[go.Scatter]:
    """Per run, at the first frame: its path and current point (left), its prediction (right)."""
    single = len(runs) == 1
    traces = []
    for i, run in enumerate(runs):
        colour = OKABE_ITO[3] if single else run_colour(i)
        name = "descent path" if single else run.label
        path, point, line = first[3 * i : 3 * i + 3]
        traces += [
            go.Scatter(
                path,
                mode="lines+markers",
                name=name,
                legendgroup=str(i),
                line={"color": colour, "width": 3},
                marker={"size": 4, "color": colour},
                hoverinfo="skip",
            ),
            go.Scatter(
                point,
                mode="markers",
                name=name,
                showlegend=False,
                legendgroup=str(i),
                marker={"size": 15, "color": colour, "line": {"color": "white", "width": 2.5}},
                hovertemplate="%{text}<extra></extra>",
            ),
            go.Scatter(
                line,
                mode="lines",
                name=f"model now ({run.label})" if not single else "model now",
                showlegend=single,
                legendgroup=str(i),
                line={"color": colour, "width": 4},
                hoverinfo="skip",
                xaxis="x2",
                yaxis="y2",
            ),
        ]
    return traces


def _batch_traces(play: _Playback, first: list[dict[str, Any]]) -> list[go.Scatter]:
    """The next mini-batch's rows (right) and its own loss's levels (left), at the first frame."""
    traces = []
    if play.show_batch:
        traces.append(
            go.Scatter(first[3 * len(play.runs)], **_rows_ringed("rows in the next mini-batch", 14))
        )
    if play.overlay:
        traces.append(
            go.Scatter(
                first[-1],
                mode="lines",
                name="the next mini-batch's own loss (levels)",
                # Sky blue reads on the dark map and, unlike white, in the legend too.
                line={"color": OKABE_ITO[5], "width": 2.2, "dash": "dot"},
                connectgaps=False,
                hoverinfo="skip",
            )
        )
    return traces


# Frame spacings, in epochs: the slider labels some frames (plotly picks every k-th so they do
# not overlap), and a spacing from this ladder makes every label a short round number.
# Not 1/8 or 1/16: every 5th of 0.0625 read "0.3125, 0.625, 0.9375".
_SPACINGS = (0.01, 0.02, 0.025, 0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50)


def frame_epochs(epochs: float, per_epoch: int, max_frames: int) -> np.ndarray:
    """The epochs the training animation's frames show, ``(F,)``: 0, s, 2s, … and ``epochs``,
    for the finest round spacing ``s`` that keeps ``F ≤ max_frames`` and is no finer than one
    update (``1 / per_epoch``). Every frame is then a round number of epochs, so the slider
    reads "0, 1.5, 3, …", not "0, 1.21, 2.42, …" (what ``linspace(0, 20, 100)`` labels)."""
    finest = 1.0 / max(per_epoch, 1)
    fits = [
        s
        for s in _SPACINGS
        if s >= finest - 1e-12 and math.ceil(epochs / s - 1e-9) + 1 <= max_frames
    ]
    if not fits:  # longer than the ladder: plain spacing
        return np.linspace(0.0, epochs, max_frames)
    s = fits[0]
    at = np.arange(math.floor(epochs / s + 1e-9) + 1) * s
    return at if at[-1] >= epochs - 1e-9 else np.append(at, epochs)


def training_spec(
    problem: Problem,
    runs: list[Training],
    *,
    overlay_batch: bool = False,
    max_frames: int = 100,
    max_points: int = 300,
    click_resolution: int = maps.CLICK_RESOLUTION,
    height: int = 600,
) -> dict[str, Any]:
    """Parameter space (left) and data space (right), animated together over epochs.

    Traces: the static ones (``COLOUR_BAR`` … ``BEST_FIT``), then per run its path and its
    current point (left) and its prediction (right); with a single run, also the rows of the
    mini-batch the next update will use (right) and, with ``overlay_batch`` (linear model), that
    mini-batch's own loss as level curves on the map (:func:`batch_contours`). Frame ``k``
    shows every run after ``epochs · k / (frames − 1)`` epochs; the slider reads the epoch.

    A plain dict (see ``style.spec``); :func:`training_figure` is its checked figure.
    """
    map_traces, image = _map_traces(problem, click_resolution)
    lo = np.array([b[0] for b in problem.bounds])
    hi = np.array([b[1] for b in problem.bounds])
    show_batch = len(runs) == 1 and runs[0].batch_size < problem.dataset.n
    play = _Playback(
        problem,
        runs,
        [display_indices(run.steps + 1, max_points) for run in runs],
        _curve_x(problem),
        _shown_y(problem),
        lo,
        hi,
        show_batch,
        overlay_batch and show_batch and problem.model == "linear",
    )
    first = play.frame(0.0)
    traces: list[Any] = [
        *map_traces,
        *_data_traces(problem),
        *_run_traces(runs, first),
        *_batch_traces(play, first),
    ]
    animated_ids = list(range(N_STATIC, len(traces)))
    # Only runs that diverged: a noisy stochastic run may step off the map and come back.
    gone = [run for run in runs if run.status == "diverged"]
    traces.append(  # static, after the animated traces
        maps.exit_marks([run.path for run in gone], [run.label for run in gone], lo, hi, "update")
    )
    at_epoch = frame_epochs(
        max(run.epochs for run in runs), max(run.per_epoch for run in runs), max_frames
    )
    names = [f"{e:.6g}" for e in at_epoch]
    frames = [
        {"data": play.frame(float(e)), "traces": animated_ids, "name": name}
        for e, name in zip(at_epoch, names, strict=True)
    ]
    labels = [f"{round(float(e), 6):g}" for e in at_epoch]
    controls = animation_controls(names, labels, 60, redraw=False, prefix="epoch ")
    for menu in (*controls["updatemenus"], *controls["sliders"]):
        menu["y"] = -0.16  # below the w axis title
    layout = _axes(problem, height, 50)
    layout["margin"]["b"] = 130
    layout.update(images=[image], **controls)
    return spec(traces, layout, frames)


training_figure = figure_of(training_spec)


def _loss_traces(
    problem: Problem, run: Training, i: int, single: bool, shift: Callable[[np.ndarray], Any]
) -> list[go.Scatter]:
    """One run's loss: per update (line), per epoch (markers), and for a single run with
    mini-batches each update's own batch loss (faint); ``shift`` maps losses to the y axis."""
    colour = OKABE_ITO[3] if single else run_colour(i)
    # A diverged run is frozen at its last good point: its curve ends where it blew up.
    end = run.steps + 1 if run.status != "diverged" else int(run.traj.diverged_at[0])
    axis = run.epoch_axis()[:end]
    idx = display_indices(len(axis), 2000)
    traces = []
    if single and run.batch_size < problem.dataset.n:
        midx = display_indices(max(1, end - 1), 2000)
        traces.append(
            go.Scatter(
                x=axis[midx],
                y=shift(run.batch_loss[midx]),
                mode="lines",
                name="loss of each update's mini-batch",
                line={"color": "rgba(120,120,120,0.45)", "width": 1},
                hovertemplate="epoch %{x:.3f}<br>batch loss %{y:.4g}<extra></extra>",
            )
        )
    traces.append(
        go.Scatter(
            x=axis[idx],
            y=shift(run.loss[idx]),
            mode="lines",
            name=f"{run.label}: full-batch loss per update",
            legendgroup=str(i),
            line={"color": colour, "width": 2.5},
            hovertemplate="epoch %{x:.3f}<br>L = %{y:.6g}<extra></extra>",
        )
    )
    epochs_done = np.arange(run.epochs + 1)
    epochs_done = epochs_done[epochs_done * run.per_epoch < end]
    traces.append(
        go.Scatter(
            x=epochs_done,
            y=shift(run.epoch_loss()[: len(epochs_done)]),
            mode="markers",
            name=f"{run.label}: per epoch",
            legendgroup=str(i),
            marker={"size": 8, "color": colour, "line": {"color": "white", "width": 1}},
            hovertemplate="after epoch %{x}<br>L = %{y:.6g}<extra></extra>",
        )
    )
    return traces


def loss_curves_spec(
    problem: Problem, runs: list[Training], *, log: bool = False, height: int = 400
) -> dict[str, Any]:
    """Loss against epochs: the full-batch loss after every update (line), at the end of each
    epoch (markers), and, for a single run, the loss of the mini-batch each update saw (faint:
    this is the noisy number a training loop prints). The optimum's loss is a dashed line;
    with ``log`` the y axis shows ``L − L*`` on a log scale.

    A plain dict (see ``style.spec``); :func:`loss_curves_figure` is its checked figure.
    """
    best = problem.optimum_loss
    floor = best if (log and np.isfinite(best)) else 0.0
    drawn: list[float] = []  # each curve's highest point

    def shift(values: np.ndarray) -> np.ndarray:
        shifted = np.maximum(values - floor, 1e-16) if log else values
        if len(shifted):
            drawn.append(float(np.max(shifted)))
        return shifted

    traces = [
        trace
        for i, run in enumerate(runs)
        for trace in _loss_traces(problem, run, i, len(runs) == 1, shift)
    ]
    layout = base_layout(
        height=height,
        xaxis={"title": {"text": "epoch"}},
        yaxis={
            "title": {"text": "L − L* (log)" if log else "loss"},
            "type": "log" if log else "linear",
            "exponentformat": "e",
        },
        # Above the chart: below it (at y = -0.25 of a height-dependent plot) it sat on the
        # "epoch" title (issue 22).
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
        margin={"l": 70, "r": 20, "t": 30, "b": 50},
    )
    if np.isfinite(best) and not log:
        line = {"color": "black", "dash": "dash", "width": 1.5}
        hline(layout, best, line, f"optimum L* = {best:.4g}")
    if not log:
        # A diverging run's loss explodes: cap the axis at 3x the starting loss so the other
        # curves stay readable (the log view shows the whole story).
        top = min(max(drawn), 3.0 * max(float(run.loss[0]) for run in runs))
        layout["yaxis"]["range"] = [0, top * 1.08 if top > 0 else 1]
    return spec(traces, layout)


loss_curves_figure = figure_of(loss_curves_spec)
