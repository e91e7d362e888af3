"""Figures of a trained network: its curves, its loss on planes and lines through its weights,
its sharpness against 2/η, and what it gets wrong. Arrays in, ``go.Figure`` out."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from gdviz.figures.style import (
    CONTROLS_MARGIN,
    OKABE_ITO,
    PATH,
    SURFACE_SCALE,
    animation_controls,
    base_layout,
)
from gdviz.learning.network_views import NetworkRun, PlaneView, ScalingDemo

Array = np.ndarray
TRAIN, HELD = OKABE_ITO[0], OKABE_ITO[1]
# Legends above the plot: below it they collide with the x-axis title at 1280×720.
TOP_LEGEND = {"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0}


def curves_figure(run: NetworkRun, height: int = 420) -> go.Figure:
    """Loss (training at every step, held-out at the kept steps) and accuracy, side by side."""
    fig = make_subplots(rows=1, cols=2, subplot_titles=("Loss", "Accuracy"), horizontal_spacing=0.1)
    steps = np.arange(len(run.loss))
    fig.add_scatter(
        x=steps, y=run.loss, name="training rows", line={"color": TRAIN, "width": 2}, row=1, col=1
    )
    fig.add_scatter(
        x=run.steps_kept,
        y=run.held_loss,
        name="held-out rows",
        line={"color": HELD, "width": 2.5},
        row=1,
        col=1,
    )
    for values, colour, name in (
        (run.train_accuracy, TRAIN, "training rows"),
        (run.held_accuracy, HELD, "held-out rows"),
    ):
        fig.add_scatter(
            x=run.steps_kept,
            y=100 * values,
            name=name,
            showlegend=False,
            line={"color": colour, "width": 2.5},
            row=1,
            col=2,
        )
    if run.diverged_at >= 0:
        fig.add_vline(x=run.diverged_at, line={"color": "#D55E00", "dash": "dash"})
    fig.update_xaxes(title_text="step")
    fig.update_yaxes(type="log", dtick="D2", title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text="% correct", range=[0, 101], row=1, col=2)
    fig.update_layout(
        base_layout(height=height, margin={"l": 60, "r": 20, "t": 90, "b": 50}),
        legend={**TOP_LEGEND, "y": 1.12},
    )
    return fig


def plane_figure(view: PlaneView, height: int = 520) -> go.Figure:
    """The loss on a plane as filled contours (log-spaced levels), with the path projected on
    it: each kept step's point, coloured by how far it lies off the plane."""
    fig = go.Figure()
    fig.add_contour(
        x=view.alphas,
        y=view.betas,
        z=np.log10(np.maximum(view.losses, 1e-12)),
        colorscale=SURFACE_SCALE,
        ncontours=24,
        line={"width": 0.5},
        colorbar={"title": {"text": "log₁₀ loss"}, "thickness": 14},
        hovertemplate="α %{x:.3g}, β %{y:.3g}<br>log₁₀ loss %{z:.3f}<extra></extra>",
    )
    fig.add_scatter(
        x=view.coords[:, 0],
        y=view.coords[:, 1],
        mode="lines+markers",
        name="the path",
        line={"color": PATH, "width": 3},
        marker={"size": 5, "color": PATH},
        customdata=np.stack([view.path_loss, view.surface_loss, view.off_plane], axis=1),
        hovertemplate="real loss %{customdata[0]:.4g}<br>surface here %{customdata[1]:.4g}"
        "<br>off the plane %{customdata[2]:.3g}<extra></extra>",
    )
    fig.add_scatter(
        x=[0],
        y=[0],
        mode="markers",
        name="final weights",
        marker={
            "symbol": "star",
            "size": 16,
            "color": "white",
            "line": {"color": "black", "width": 1.5},
        },
    )
    names: tuple[str, ...] = ("α", "β")
    if view.explained is not None:
        names = tuple(
            f"PC{i + 1} ({100 * e:.1f}% of the variance)" for i, e in enumerate(view.explained)
        )
    fig.update_layout(
        base_layout(height=height, margin={"l": 60, "r": 20, "t": 40, "b": 50}),
        xaxis={"title": {"text": names[0]}, "range": [view.alphas[0], view.alphas[-1]]},
        yaxis={"title": {"text": names[1]}, "range": [view.betas[0], view.betas[-1]]},
        legend=TOP_LEGEND,
    )
    return fig


def path_vs_surface_figure(view: PlaneView, steps: Array, height: int = 520) -> go.Figure:
    """The loss along the real path against the loss the plane shows right under it, and how
    far each point lies off the plane: where the two curves part, the picture misleads."""
    fig = make_subplots(
        rows=2, cols=1, shared_xaxes=True, row_heights=[0.65, 0.35], vertical_spacing=0.08
    )
    fig.add_scatter(
        x=steps,
        y=view.path_loss,
        name="real loss on the path",
        line={"color": PATH, "width": 3},
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=steps,
        y=view.surface_loss,
        name="the surface under it",
        line={"color": "#000000", "width": 2, "dash": "dot"},
        row=1,
        col=1,
    )
    fig.add_scatter(
        x=steps,
        y=view.off_plane,
        name="distance off the plane",
        showlegend=True,
        line={"color": OKABE_ITO[4], "width": 2.5},
        row=2,
        col=1,
    )
    fig.update_yaxes(type="log", dtick="D2", title_text="loss", row=1, col=1)
    fig.update_yaxes(title_text="‖off‖", rangemode="tozero", row=2, col=1)
    fig.update_xaxes(title_text="step", row=2, col=1)
    fig.update_layout(
        base_layout(height=height, margin={"l": 60, "r": 20, "t": 70, "b": 50}),
        legend=TOP_LEGEND,
    )
    return fig


def lines_figure(
    alphas: Array,
    curves: dict[str, tuple[Array, Array]],
    marks: dict[float, str],
    height: int = 420,
) -> go.Figure:
    """Training (solid) and held-out (dashed) loss along straight lines in weight space, one
    colour per line; ``marks`` names points on the α axis (0: "initial", 1: "final")."""
    fig = go.Figure()
    for i, (name, (train_loss, held_loss)) in enumerate(curves.items()):
        colour = OKABE_ITO[(2 * i) % 6]
        fig.add_scatter(
            x=alphas, y=train_loss, name=f"{name}: training", line={"color": colour, "width": 3}
        )
        fig.add_scatter(
            x=alphas,
            y=held_loss,
            name=f"{name}: held-out",
            line={"color": colour, "width": 2, "dash": "dash"},
        )
    for x, text in marks.items():
        fig.add_vline(x=x, line={"color": "#555", "dash": "dot"}, annotation_text=text)
    fig.update_layout(
        base_layout(height=height, legend=TOP_LEGEND),
        xaxis={"title": {"text": "α along the line"}},
        yaxis={"title": {"text": "loss"}, "type": "log", "dtick": "D2"},
    )
    return fig


def sharpness_figure(
    steps: Array, tops: Array, lr: float, loss_steps: Array, loss: Array, height: int = 460
) -> go.Figure:
    """Sharpness (top Hessian eigenvalue) during training against the stability threshold 2/η
    of gradient descent, with the training loss on a second axis."""
    fig = make_subplots(specs=[[{"secondary_y": True}]])
    fig.add_scatter(
        x=steps,
        y=tops,
        mode="lines+markers",
        name="sharpness λ_max",
        line={"color": TRAIN, "width": 3},
        marker={"size": 7},
    )
    fig.add_scatter(
        x=[0, steps[-1]],
        y=[2 / lr, 2 / lr],
        mode="lines",
        name="2/η",
        line={"color": "#D55E00", "width": 2.5, "dash": "dash"},
    )
    fig.add_scatter(
        x=loss_steps,
        y=loss,
        name="training loss",
        secondary_y=True,
        line={"color": "#777", "width": 1.5},
    )
    fig.update_yaxes(title_text="λ_max", rangemode="tozero", secondary_y=False)
    # Its own round ticks: synced to the λ axis's grid they read "0.135, 0.269, 0.404".
    fig.update_yaxes(
        title_text="loss", rangemode="tozero", secondary_y=True, showgrid=False, tickmode="auto"
    )
    fig.update_xaxes(title_text="step")
    fig.update_layout(base_layout(height=height, legend=TOP_LEGEND))
    return fig


def boundary_figure(
    xs: Array,
    ys: Array,
    probabilities: Array,
    steps: Array,
    X: Array,
    y: Array,
    height: int = 460,
) -> go.Figure:
    """A 2-D data set's points and the network's decision as it trains: the probability of
    class 1 over a grid ``(K, len(ys), len(xs))`` at each of ``steps (K,)``, its 0.5 contour
    the boundary; Play / the slider move through the training (it opens at the end)."""
    fig = go.Figure()
    fig.add_contour(
        x=xs,
        y=ys,
        z=probabilities[-1],
        colorscale="RdBu",
        zmin=0,
        zmax=1,
        contours={"start": 0, "end": 1, "size": 0.1},
        opacity=0.75,
        colorbar={"title": {"text": "P(class 1)"}, "thickness": 14},
        hoverinfo="skip",
    )
    for label, colour in ((0, "#D55E00"), (1, "#0072B2")):
        rows = y == label
        fig.add_scatter(
            x=X[rows, 0],
            y=X[rows, 1],
            mode="markers",
            name=f"class {label}",
            marker={"color": colour, "size": 6, "line": {"color": "white", "width": 0.5}},
        )
    names = [str(int(step)) for step in steps]
    frames = [
        go.Frame(data=[go.Contour(z=z)], traces=[0], name=name)
        for z, name in zip(probabilities, names, strict=True)
    ]
    controls = animation_controls(names, names, duration_ms=120, redraw=True)
    controls["sliders"][0]["active"] = len(names) - 1
    fig.frames = frames
    fig.update_layout(
        base_layout(
            height=height,
            legend=TOP_LEGEND,
            margin={"l": 60, "r": 20, "t": 50, "b": CONTROLS_MARGIN},
        ),
        xaxis={"title": {"text": "x₁"}, "range": [xs[0], xs[-1]]},
        yaxis={"title": {"text": "x₂"}, "range": [ys[0], ys[-1]]},
        **controls,
    )
    return fig


def surface_figure(view: PlaneView, height: int = 520) -> go.Figure:
    """The plane's loss as a 3-D surface (log scale), with the path drawn at its real loss."""
    fig = go.Figure()
    fig.add_surface(
        x=view.alphas,
        y=view.betas,
        z=np.log10(np.maximum(view.losses, 1e-12)),
        colorscale=SURFACE_SCALE,
        showscale=False,
        opacity=0.95,
    )
    fig.add_scatter3d(
        x=view.coords[:, 0],
        y=view.coords[:, 1],
        z=np.log10(np.maximum(view.path_loss, 1e-12)),
        mode="lines",
        name="the path (its real loss)",
        line={"color": PATH, "width": 6},
    )
    fig.update_layout(
        base_layout(height=height, legend=TOP_LEGEND, margin={"l": 0, "r": 0, "t": 40, "b": 0}),
        scene={
            "xaxis": {"title": {"text": "α"}},
            "yaxis": {"title": {"text": "β"}},
            "zaxis": {"title": {"text": "log₁₀ loss"}},
        },
    )
    return fig


def mistakes_figure(images: Array, truth: Array, guess: Array, height: int = 300) -> go.Figure:
    """Up to 8 digits ``images (k, 64)`` the network gets wrong, four a row, each titled
    "7 → 1" (a 7 read as a 1)."""
    k = min(len(images), 8)
    if k == 0:
        fig = go.Figure()
        fig.add_annotation(
            text="No mistakes on the held-out rows.", showarrow=False, font={"size": 20}
        )
        fig.update_layout(
            base_layout(height=height), xaxis={"visible": False}, yaxis={"visible": False}
        )
        return fig
    titles = [f"{t} → {g}" for t, g in zip(truth[:k], guess[:k], strict=True)]
    cols = 4
    rows = -(-k // cols)
    fig = make_subplots(
        rows=rows, cols=cols, subplot_titles=titles, horizontal_spacing=0.04, vertical_spacing=0.12
    )
    for i in range(k):
        fig.add_heatmap(
            z=images[i].reshape(8, 8)[::-1],
            colorscale="Greys",
            showscale=False,
            zmin=0,
            zmax=16,
            row=i // cols + 1,
            col=i % cols + 1,
            hoverinfo="skip",
        )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    fig.update_layout(base_layout(height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10}))
    return fig


def scaling_figure(demo: ScalingDemo, height: int = 560) -> go.Figure:
    """Four planes: plain and filter-normalised directions (rows), around θ and around θ
    rescaled by c (columns), on one colour scale."""
    panels = ((demo.plain, demo.plain_scaled), (demo.filtered, demo.filtered_scaled))
    titles = (
        "plain directions, at θ",
        f"plain directions, at θ rescaled ×{demo.c:g}",
        "filter-normalised, at θ",
        f"filter-normalised, at θ rescaled ×{demo.c:g}",
    )
    fig = make_subplots(
        rows=2, cols=2, subplot_titles=titles, horizontal_spacing=0.08, vertical_spacing=0.12
    )
    logs = [np.log10(np.maximum(z, 1e-12)) for pair in panels for z in pair]
    low, high = float(min(z.min() for z in logs)), float(max(z.max() for z in logs))
    for index, z in enumerate(logs):
        fig.add_contour(
            x=demo.grid,
            y=demo.grid,
            z=z,
            colorscale=SURFACE_SCALE,
            zmin=low,
            zmax=high,
            ncontours=20,
            showscale=index == 0,
            colorbar={"title": {"text": "log₁₀ loss"}, "thickness": 14},
            row=index // 2 + 1,
            col=index % 2 + 1,
        )
    fig.update_layout(base_layout(height=height))
    return fig
