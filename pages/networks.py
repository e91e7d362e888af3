"""Neural networks: train a small network on real data, then look at its loss landscape (Li et
al. 2018), its path, straight lines through its weights, and its sharpness (Cohen et al. 2021)."""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np
import streamlit as st

from gdviz.figures import networks as figs
from gdviz.figures.style import standalone_html
from gdviz.learning import network_views as views
from gdviz.learning import networks
from gdviz.settings import binding, links
from gdviz.settings.network import (
    EDGE_OF_STABILITY,
    NetworkConfig,
    keskar_pair,
    sharpness_along,
    train_network,
)
from gdviz.settings.optimizers import (
    OPTIMIZER_MODELS,
)
from gdviz.teach import network_words as words
from gdviz.ui.charts import chart, figure_cached
from gdviz.ui.choices import choice
from gdviz.ui.exports import exports
from gdviz.ui.labels import OPTIMIZER_LABELS
from gdviz.ui.lessons import lesson_matched, lesson_select
from gdviz.ui.limits import limits
from gdviz.ui.optimizer import optimizer_inputs, schedule_inputs, switch_optimizer
from gdviz.ui.present import folded_note, presentation, prose
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import heavy_result, settings_or_last
from gdviz.ui.urls import state_from_url, sync_url
from gdviz.ui.viewport import stage_height

route_through_app()  # first: a deep link on a fresh server runs this page alone

NET = binding.Binding(NetworkConfig, binding.NETWORK_KEYS, "nn_")
VIEWS = ["Training", "Landscape", "Lines", "Sharpness", "Rescaling"]
PLANES = ["PCA of the path", "Random directions"]
DEFAULTS = {
    **NET.defaults(),
    "nn_hidden": "32",
    "nn_view": VIEWS[0],
    "nn_plane": PLANES[0],
    "nn_3d": False,
}
DATASET_NAMES = {
    "digits": "Handwritten digits (8×8, 1,797)",
    "iris": "Iris (4 features, 150)",
    "moons": "Two moons (2-D, 400)",
    "spirals": "Two spirals (2-D, 400)",
}
PRESETS = {  # title -> (settings, the view that shows it)
    "The edge of stability (full-batch GD, η = 0.5)": (EDGE_OF_STABILITY, "Sharpness"),
    "Digits, SGD with mini-batches of 64": (NetworkConfig(), "Landscape"),
    "Two moons, a ReLU network": (
        NetworkConfig(
            dataset="moons",
            hidden=(16, 16),
            activation="relu",
            steps=800,
            batch_size=32,
            optimizer={"kind": "sgd", "lr": 0.1, "momentum": 0.9},
        ),
        "Training",
    ),
    "Two spirals, deep tanh and Adam": (
        NetworkConfig(
            dataset="spirals",
            hidden=(32, 32, 32),
            steps=1500,
            batch_size=0,
            optimizer={"kind": "adam", "lr": 0.01},
        ),
        "Training",
    ),
}
HEIGHT = 430  # a 1280×720 screen shows the figure, its readouts and its legend
# Above and below the view's figures while presenting, in pixels: the title row, the
# readouts and the words.
CHROME = 290
GOODFELLOW = np.linspace(-0.5, 1.5, 81)  # α from initial (0) to final (1) weights, and beyond
KESKAR = np.linspace(-1.0, 2.0, 81)  # α from the small-batch (0) to the full-batch (1) solution
LINES = [  # (the line, its α grid, the marks on its axis, what it shows)
    (
        "initial → final",
        GOODFELLOW,
        {0.0: "initial", 1.0: "final"},
        "**From the initial to the final weights** (Goodfellow et al. 2015): along the "
        "straight line the loss falls without a wall to climb, though training took a "
        "winding path.",
    ),
    (
        "small batch → full batch",
        KESKAR,
        {0.0: "batch 16", 1.0: "full batch"},
        "**Between a small-batch and a full-batch solution** from the same initial weights "
        "(Keskar et al. 2017): see how steep the loss rises around each end.",
    ),
]


# -- state ----------------------------------------------------------------------------------------


def load(cfg: NetworkConfig) -> None:
    """Put a validated config into the widgets."""
    st.session_state.update(NET.widgets(cfg.model_dump()))
    st.session_state.nn_hidden = "-".join(str(width) for width in cfg.hidden)


def load_preset(title: str) -> None:
    cfg, view = PRESETS[title]
    load(cfg)
    st.session_state.nn_view = view


def load_optimizer(opt: Any) -> None:
    """Put an optimizer config into its widgets."""
    st.session_state.update(NET.widgets({"optimizer": opt.model_dump()}, under="optimizer"))


def choose_optimizer() -> None:
    """A new optimizer starts from torch's defaults (SGD from the page's rate); a rate the
    user set stays, with the default offered beside it."""
    kind = st.session_state.nn_opt
    default = NetworkConfig().optimizer
    chosen = default if kind == default.kind else OPTIMIZER_MODELS[kind]()
    switch_optimizer(
        "nn_", load_optimizer, chosen, f"the page's default for {OPTIMIZER_LABELS[kind]}"
    )


def payload() -> dict:
    """The config payload the widgets describe (the hidden widths as typed: ``64-32``)."""
    return {**NET.payload(st.session_state), "hidden": st.session_state.nn_hidden}


# -- cached work ----------------------------------------------------------------------------------


@st.cache_resource(max_entries=8, show_spinner=False)
def trained(key: str, _cfg: NetworkConfig) -> views.NetworkRun:
    """The training a validated config describes, keyed by its JSON (``key``); the work below
    is keyed the same way and reads this run."""
    return train_network(_cfg)


@st.cache_resource(max_entries=8, show_spinner=False)
def planes(
    key: str, _cfg: NetworkConfig, _run: views.NetworkRun
) -> tuple[views.PlaneView, views.PlaneView]:
    cfg = _cfg
    random = views.random_plane(_run, cfg.span, cfg.resolution, cfg.norm, cfg.directions_seed)
    return random, views.pca_plane(_run, cfg.resolution)


@st.cache_resource(max_entries=8, show_spinner=False)
def sharpness(key: str, _run: views.NetworkRun) -> tuple[np.ndarray, np.ndarray]:
    return sharpness_along(_run)


@st.cache_resource(max_entries=8, show_spinner=False)
def lines(
    key: str, _cfg: NetworkConfig, _run: views.NetworkRun
) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    run = _run
    small, large = keskar_pair(_cfg)
    return {
        "initial → final": views.line(run.net, run.held, run.start, run.final, GOODFELLOW),
        "small batch → full batch": views.line(run.net, run.held, small, large, KESKAR),
    }


@st.cache_resource(max_entries=4, show_spinner=False)
def scaled(key: str, _run: views.NetworkRun) -> views.ScalingDemo:
    return views.scaling_demo(_run.net, _run.final)


# -- the page -------------------------------------------------------------------------------------


def sidebar() -> None:
    """Every setting, in the sidebar (hidden, kept, while presenting)."""
    with st.sidebar:
        lesson_select(st, "nn_preset", list(PRESETS), load_preset)
        st.header("Data and network")
        choice(
            st,
            "selectbox",
            "Data set",
            list(DATASET_NAMES),
            key="nn_d",
            format_func=DATASET_NAMES.get,
        )
        st.text_input(
            "Hidden layers (widths)",
            key="nn_hidden",
            max_chars=12,
            help=f"1 to {networks.MAX_HIDDEN_LAYERS} layers of 1 to {networks.MAX_WIDTH} units, "
            "from the input side: 32, or 64-32.",
        )
        a, b = st.columns(2)
        choice(a, "radio", "Activation", ["tanh", "relu"], key="nn_act")
        choice(
            b,
            "radio",
            "Loss",
            ["cross_entropy", "mse"],
            key="nn_loss",
            format_func={"cross_entropy": "cross-entropy", "mse": "squared error"}.get,
        )
        training_inputs()
        plane_inputs()


def training_inputs() -> None:
    """The sidebar's optimizer, schedule, batches, steps, rows and seed."""
    st.header("Training")
    optimizer_inputs(st, "nn_", on_kind_change=choose_optimizer)
    schedule_inputs(st, "nn_")
    st.number_input(
        "Batch size (0: full batch)", key="nn_B", step=16, **limits(NetworkConfig, "batch_size")
    )
    st.number_input("Steps", key="nn_steps", step=100, **limits(NetworkConfig, "steps"))
    st.number_input(
        "Training rows (0: all but the held-out fifth)",
        key="nn_rows",
        step=100,
        **limits(NetworkConfig, "train_rows"),
    )
    st.number_input(
        "Seed (initial weights, batches)",
        key="nn_seed",
        step=1,
        **limits(NetworkConfig, "seed"),
    )


def plane_inputs() -> None:
    """The sidebar's settings of the random plane (Li et al.'s directions)."""
    with st.expander("The random plane"):
        choice(
            st,
            "radio",
            "Directions",
            ["filter", "layer", "none"],
            key="nn_norm",
            format_func={
                "filter": "filter-normalised (Li et al.)",
                "layer": "layer-normalised",
                "none": "plain Gaussian",
            }.get,
        )
        st.slider(
            "Half-width (in units of the directions)",
            step=0.1,
            key="nn_span",
            **limits(NetworkConfig, "span"),
        )
        st.slider("Grid", step=2, key="nn_res", **limits(NetworkConfig, "resolution"))
        st.number_input(
            "Direction seed", key="nn_dseed", step=1, **limits(NetworkConfig, "directions_seed")
        )


def tall() -> int:
    """The view's figures' height: the designed one, grown to the window (see ``viewport``)."""
    return stage_height(HEIGHT, chrome=CHROME)


def readouts(cfg: NetworkConfig, run: views.NetworkRun) -> None:
    """The network's size and the training's end: losses and held-out accuracy."""
    cells = st.columns(4)
    cells[0].metric("Weights", f"{run.net.dim:,}")
    cells[1].metric("Training loss", f"{run.loss[-1]:.4g}")
    cells[2].metric("Held-out loss", f"{run.held_loss[-1]:.4g}")
    cells[3].metric("Held-out accuracy", f"{100 * run.held_accuracy[-1]:.1f}%")


def show_training(cfg: NetworkConfig, key: str, run: views.NetworkRun) -> Any:
    left, right = st.columns([1.3, 1], gap="medium")
    h = tall()
    curves = figure_cached(f"nn-curves-{h}", key, lambda: figs.curves_figure(run, h))
    with left:
        chart(st, curves, key="nn_curves")
    with right:
        if run.net.X.shape[1] == 2:
            chart(
                st,
                figure_cached(f"nn-boundary-{h}", key, lambda: boundary(cfg, run, h)),
                key="nn_boundary",
            )
        elif cfg.dataset == "digits":
            st.markdown("**Held-out digits it gets wrong** (true → read as)")
            chart(
                st, figure_cached("nn-mistakes", key, lambda: mistakes(cfg, run)), key="nn_mistakes"
            )
        st.markdown(words.training_summary(run))
    return curves


def boundary(cfg: NetworkConfig, run: views.NetworkRun, height: int) -> Any:
    X, y = networks.dataset(cfg.dataset)
    return figs.boundary_figure(*views.boundary(run, X), X, y, height=height)


def mistakes(cfg: NetworkConfig, run: views.NetworkRun) -> Any:
    pixels, digits = networks.digit_images()
    _, held_rows = views.split_rows(len(digits), cfg.train_rows)
    wrong, guess = views.held_mistakes(run, held_rows)
    return figs.mistakes_figure(pixels[wrong], digits[wrong], guess)


def show_landscape(cfg: NetworkConfig, key: str, run: views.NetworkRun) -> Any:
    both = heavy_result(
        "Drawing two planes…",
        f"nn-planes|{key}",
        "two loss planes",
        lambda: planes(key, cfg, run),
        smaller="a coarser grid",
    )
    if both is None:
        return None
    random, pca = both
    h = tall()
    plane_cell, depth_cell = st.columns([3, 1], vertical_alignment="center")
    shown = choice(
        plane_cell,
        "segmented_control",
        "Plane",
        PLANES,
        key="nn_plane",
        required=True,
        label_visibility="collapsed",
    )
    depth_cell.toggle("3-D surface", key="nn_3d")
    view = pca if shown == PLANES[0] else random
    if st.session_state.nn_3d:
        kind, build = "surface", lambda: figs.surface_figure(view, h - 40)
    else:
        kind, build = "plane", lambda: figs.plane_figure(view, h - 40)
    picture = figure_cached(f"nn-{kind}-{shown}-{h}", key, build)
    left, right = st.columns([1.15, 1], gap="medium")
    with left:
        chart(st, picture, key="nn_plane_map")
    with right:
        chart(
            st,
            figure_cached(
                f"nn-truth-{shown}-{h}",
                key,
                lambda: figs.path_vs_surface_figure(view, run.steps_kept, h - 40),
            ),
            key="nn_plane_truth",
        )
    st.markdown(" ".join(filter(None, [words.explained_words(view), words.plane_verdict(view)])))
    if prose():
        st.caption(
            "Around the final weights, the loss on a plane of two directions: random ones "
            "(scaled to each neuron's weights, as Li et al. 2018 do), or the two in which the "
            "training path moved most (PCA). A network has thousands of weights; a plane is a "
            "slice of two."
        )
    return picture


def show_lines(cfg: NetworkConfig, key: str, run: views.NetworkRun) -> Any:
    curves = heavy_result(
        "Training a small-batch and a full-batch network…",
        f"nn-lines|{key}",
        "two more trainings",
        lambda: lines(key, cfg, run),
        smaller="fewer steps",
    )
    if curves is None:
        return None
    cells = st.columns(2, gap="medium")
    h = tall()
    drawn = []
    for index, (name, alphas, marks, said) in enumerate(LINES):
        build = partial(figs.lines_figure, alphas, {name: curves[name]}, marks, h)
        drawn.append(figure_cached(f"nn-line-{name}-{h}", key, build))
        with cells[index]:
            chart(st, drawn[-1], key=f"nn_line_{index}")
            st.markdown(said)
    return drawn[0]


def show_sharpness(cfg: NetworkConfig, key: str, run: views.NetworkRun) -> Any:
    measured = heavy_result(
        "Measuring the sharpness along the training…",
        f"nn-sharp|{key}",
        "a sharpness curve",
        lambda: sharpness(key, run),
        smaller="fewer steps or a smaller network",
    )
    if measured is None:
        return None
    steps, tops = measured
    lr = cfg.optimizer.lr
    h = tall()
    picture = figure_cached(
        f"nn-sharpness-{h}",
        key,
        lambda: figs.sharpness_figure(steps, tops, lr, np.arange(len(run.loss)), run.loss, h),
    )
    chart(st, picture, key="nn_sharp")
    st.markdown(
        words.sharpness_words(steps, tops, lr, cfg.full_batch(), cfg.optimizer.kind == "sgd")
    )
    if prose():
        st.caption(
            "The sharpness is the largest eigenvalue of the Hessian of the training loss, "
            "found by Lanczos on exact Hessian-vector products at 24 points of the training. "
            "On a quadratic, gradient descent with step η is stable only while it is below 2/η "
            "(the ravine's lesson); a network's curvature changes as it trains."
        )
    return picture


def show_scaling(cfg: NetworkConfig, key: str, run: views.NetworkRun) -> Any:
    if cfg.activation != "relu":
        st.info(
            "Multiplying a ReLU layer's weights by c and the next layer's by 1/c leaves the "
            "function the network computes unchanged. That holds for ReLU, not tanh: choose "
            "ReLU in the sidebar to see it.",
            icon=":material/info:",
        )
        return None
    demo = heavy_result(
        "Drawing four planes…", f"nn-scale|{key}", "four loss planes", lambda: scaled(key, run)
    )
    if demo is None:
        return None
    picture = figure_cached("nn-scaling", key, lambda: figs.scaling_figure(demo, 560))
    chart(st, picture, key="nn_scaling")
    same = float(np.max(np.abs(demo.filtered - demo.filtered_scaled)))
    moved = float(np.max(np.abs(demo.plain - demo.plain_scaled)))
    st.markdown(
        f"The first hidden layer × {demo.c:g}, the next ÷ {demo.c:g}: the same network, the "
        f"same loss. With plain random directions the picture changes (by up to {moved:.3g} "
        f"in loss); with filter-normalised ones it does not (at most {same:.1g}). Without the "
        "normalisation, how sharp a minimum looks says more about the weights' scale than "
        "about the minimum."
    )
    return picture


def header() -> None:
    """The title row with the view switch."""
    title, picker = st.columns([1.5, 2.5], vertical_alignment="bottom")
    title.title("Neural networks")
    choice(
        picker,
        "segmented_control",
        "View",
        VIEWS,
        key="nn_view",
        required=True,
        label_visibility="collapsed",
    )


def show(cfg: NetworkConfig, key: str, run: views.NetworkRun) -> None:
    """The readouts, the chosen view and the exports of what it shows."""
    readouts(cfg, run)
    view = st.session_state.nn_view
    shown = {
        "Training": show_training,
        "Landscape": show_landscape,
        "Lines": show_lines,
        "Sharpness": show_sharpness,
        "Rescaling": show_scaling,
    }[view](cfg, key, run)
    exports(
        st,
        "nn_export",
        f"gdviz-network-{cfg.dataset}",
        html=lambda: standalone_html(
            shown if shown is not None else figs.curves_figure(run),
            f"gdviz: a {cfg.dataset} network, {view.lower()}",
        ),
        csv=lambda: views.to_csv(run),
        cfg=cfg,
        load=load,
        cache_key=f"{key}|{view}|{st.session_state.nn_plane}|{st.session_state.get('nn_3d')}",
    )


# -- settings → compute → show -----------------------------------------------------------------
presentation()
state_from_url("nn_from_url", links.network_from_query, load, DEFAULTS)  # the link, on a first run

sidebar()
header()
cfg = settings_or_last(NetworkConfig, payload(), "These settings cannot run:", "nn_last_good")
lesson_matched("nn_preset", cfg, {name: preset for name, (preset, _) in PRESETS.items()})
key = cfg.model_dump_json()
run = heavy_result(
    "Training…",
    f"nn|{key}",
    f"a training of {cfg.steps:,} steps",
    lambda: trained(key, cfg),
    smaller="fewer steps or a smaller network",
)
if run is not None:
    show(cfg, key, run)

folded_note()
sync_url(links.network_to_query(cfg))
