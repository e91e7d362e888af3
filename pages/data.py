"""Learning from data: a model's loss over (w, b), the fit in data space, batch vs stochastic vs
mini-batch, feature scaling and the mismatched loss (url path /data)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import streamlit as st

from gdviz import settings
from gdviz.core import export
from gdviz.figures import data as figs
from gdviz.figures import gif
from gdviz.figures import scrub as scrub_figs
from gdviz.figures.style import standalone_html
from gdviz.learning import datasets, training
from gdviz.settings import binding, lessons, links
from gdviz.teach import narrate
from gdviz.ui import rates
from gdviz.ui.charts import chart, clickable_chart, clicked_point, figure_cached
from gdviz.ui.choices import choice
from gdviz.ui.data_views import (
    family_for,
    in_pytorch,
    inspector,
    loss_curves,
    mismatch,
    readouts,
    runs_for,
    words,
)
from gdviz.ui.exports import exports
from gdviz.ui.lessons import lesson_matched, lesson_select
from gdviz.ui.limits import limits
from gdviz.ui.present import folded_note, presentation, prose
from gdviz.ui.rate_pick import rate_pick
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import heavy, validate_or_explain
from gdviz.ui.text import inert
from gdviz.ui.upload_data import choose_upload, current_dataset, problem_for
from gdviz.ui.urls import state_from_url, sync_url
from gdviz.ui.viewport import stage_height

route_through_app()  # first: a deep link on a fresh server runs this page alone

# Short enough for the sidebar's one-line selects; the page shows each one's full title.
DATASET_NAMES = {
    "tips": "Restaurant tips",
    "gapminder": "Life expectancy vs GDP (2007)",
    "iris": "Iris: two species",
    settings.UPLOAD: "Your own CSV file…",
}
MODEL_NAMES = {
    "linear": "Linear neuron + squared error",
    "logistic": "Sigmoid + cross-entropy",
    "sigmoid_mse": "Sigmoid + squared error",
}
SCALING_NAMES = {"standardised": "Standardised: (x − mean) / std", "raw": "Raw feature"}
FLAVOUR_HELP = (
    "Batch: every update uses all rows (one update per epoch). Stochastic: one row per update. "
    "Mini-batch: B rows per update. Rows are shuffled every epoch, like "
    "DataLoader(shuffle=True)."
)
SETTINGS = binding.Binding(settings.DataConfig, binding.DATA_KEYS, "dt_")
# The widgets' defaults, from the model; plus the page's own view switches.
DEFAULTS = {
    **SETTINGS.defaults(),
    "dt_log": False,
    "dt_overlay": False,
    "dt_view": "Training",
    "dt_logx": False,
    "dt_task": "regression",
}


def load(cfg: settings.DataConfig) -> None:
    """Put a validated config into the widgets' state."""
    lesson_matched("dt_lesson", cfg, lessons.DATA_LESSONS)
    st.session_state.update(SETTINGS.widgets(cfg.model_dump()))


def load_lesson(title: str) -> None:
    """Put a lesson's settings into the widgets."""
    load(lessons.DATA_LESSONS[title].config)
    st.session_state.pop("dt_t", None)  # the update inspector starts afresh


def payload() -> dict:
    """The DataConfig payload the widgets describe."""
    return SETTINGS.payload(st.session_state)


def use_rate(lr: float) -> None:
    """The scrubbed rate becomes the page's α (and the link's): the user's choice."""
    st.session_state.dt_lr = lr
    rates.mark_touched("dt_lr")


def suggest_rate() -> None:
    """The rate that suits the model (``training.MODELS``): an α the user never set takes it,
    one they set stays with it offered."""
    model = st.session_state.dt_model
    rates.suggest("dt_lr", training.MODELS[model].lr, f"suggested for the {model} model")


def change_model_or_data() -> None:
    """A new data set or model starts from the origin, with a rate that suits it."""
    s = st.session_state
    s.dt_w0 = s.dt_b0 = 0.0
    suggest_rate()


def change_scaling() -> None:
    """Keep the same model (the same line through the data) when the scaling changes."""
    s = st.session_state
    ds = current_dataset()
    if ds is None:
        return
    mean, std = float(np.mean(ds.x)), float(np.std(ds.x))
    w, b = training.convert(np.array([s.dt_w0, s.dt_b0]), mean, std, s.dt_scale)
    s.dt_w0, s.dt_b0 = round(float(w), 4), round(float(b), 4)


def refit_to_data(data_key: str, n_rows: int) -> str | None:
    """Batch size and epochs carried over from other data, re-clamped to fit these rows and the
    update budget (once per data set, so a later choice by hand stands). Returns a sentence
    saying what changed beyond the batch size shrinking to the rows, or ``None``."""
    s = st.session_state
    if not data_key or s.get("dt_fitted_to") == data_key:
        return None
    s.dt_fitted_to = data_key
    flavours = list(training.FLAVOURS) if s.dt_race else [s.dt_gd]
    old = (int(s.dt_B), int(s.dt_epochs))
    new = training.fit_budget(flavours, *old, n_rows, settings.MAX_UPDATES)
    s.dt_B, s.dt_epochs = new
    if new == (min(old[0], n_rows), old[1]):
        return None
    return (
        f"Fitted to these {n_rows:,} rows and the limit of {settings.MAX_UPDATES:,} updates a "
        f"run: batch size {old[0]} → {new[0]}, epochs {old[1]} → {new[1]}."
    )


def take_click() -> None:
    """A click on the parameter map moves the start there (poor initialisation on purpose)."""
    where = clicked_point("dt_map", figs.CLICK_GRID, digits=4)
    if where is not None:
        st.session_state.dt_w0, st.session_state.dt_b0 = where


VIEWS = ["Training", "Scrub α"]
# Above and below the training's panels while presenting, in pixels: the title row and the top.
CHROME = 90


@dataclass(frozen=True)
class Data:
    """The data the sidebar chose: the data set (``None`` while an upload is missing or
    unusable), its cache key (an example's name, or an upload's digest and columns), and what
    to say about it (an upload's problem; batch size and epochs refitted to it)."""

    dataset: datasets.Dataset | None
    key: str
    error: str | None
    refit: str | None


def header() -> Any:
    """The title row with the view switch; the cell that holds the scrubber's "Use α"."""
    title_cell, view_cell, use_cell = st.columns([2.2, 1.2, 1.3], vertical_alignment="bottom")
    title_cell.title("Learning from data")
    choice(
        view_cell,
        "segmented_control",
        "View",
        VIEWS,
        key="dt_view",
        required=True,
        label_visibility="collapsed",
    )
    return use_cell


def data_and_model() -> tuple[datasets.Dataset | None, str, str | None]:
    """The sidebar's data set (or upload), model and scaling."""
    st.header("Data and model")
    choice(
        st,
        "selectbox",
        "Data set",
        list(DATASET_NAMES),
        key="dt_d",
        format_func=DATASET_NAMES.get,
        on_change=change_model_or_data,
    )
    if st.session_state.dt_d == settings.UPLOAD:
        dataset, data_key, upload_error = choose_upload()
    else:
        data_key = st.session_state.dt_d
        dataset, upload_error = datasets.example(data_key), None
    task = dataset.task if dataset is not None else st.session_state.dt_task
    models = [key for key, info in training.MODELS.items() if task in info.tasks]
    if st.session_state.dt_model not in models:  # the data's task rules the model out
        st.session_state.dt_model = models[0]
        suggest_rate()
    choice(
        st,
        "selectbox",
        "Model and loss",
        models,
        key="dt_model",
        format_func=MODEL_NAMES.get,
        help="\n\n".join(
            f"**{MODEL_NAMES[k]}**: {info.title}." for k, info in training.MODELS.items()
        ),
        on_change=change_model_or_data,
    )
    choice(
        st,
        "radio",
        "Feature scaling",
        list(SCALING_NAMES),
        key="dt_scale",
        format_func=SCALING_NAMES.get,
        on_change=change_scaling,
        horizontal=False,
    )
    return dataset, data_key, upload_error


def descent_inputs(data_key: str, n_rows: int) -> str | None:
    """The sidebar's gradient-descent settings; what refitting them to the data changed."""
    st.header("Gradient descent")
    racing = bool(st.session_state.dt_race)
    choice(
        st,
        "radio",
        "Flavour" + (" (all three race)" if racing else ""),
        list(training.FLAVOURS),
        key="dt_gd",
        format_func=training.FLAVOURS.get,
        horizontal=True,
        help=FLAVOUR_HELP,
        disabled=racing,  # the race runs every flavour: one chosen here would be ignored
    )
    st.toggle("Race all three flavours", key="dt_race", help="Same data order, same start.")
    refit = refit_to_data(data_key, n_rows)
    if st.session_state.dt_gd == "minibatch" or st.session_state.dt_race:
        # Every run: Streamlit drops a slider value outside a new range (a smaller file).
        st.session_state.dt_B = min(max(1, int(st.session_state.dt_B)), n_rows)
        st.slider("Batch size B", 1, max(2, n_rows), key="dt_B")
    st.slider(
        "Epochs (passes over the data)", key="dt_epochs", **limits(settings.DataConfig, "epochs")
    )
    st.number_input(
        "Learning rate α",
        key="dt_lr",
        format="%.6g",
        step=None,
        on_change=rates.mark_touched,
        args=("dt_lr",),
        **limits(settings.DataConfig, "lr"),
    )
    rates.offer(st, "dt_lr")
    st.slider("Momentum β", step=0.05, key="dt_mom", **limits(settings.DataConfig, "momentum"))
    st.number_input("Shuffle seed", key="dt_seed", step=1, **limits(settings.DataConfig, "seed"))
    return refit


def sidebar() -> tuple[Data, Sequence[Any]]:
    """Every setting, in the sidebar; the data chosen and the cells for the start's inputs
    (drawn once the problem, and so the map's bounds, is known)."""
    with st.sidebar:
        lesson_select(st, "dt_lesson", list(lessons.DATA_LESSONS), load_lesson)
        dataset, data_key, upload_error = data_and_model()
        n_rows = dataset.n if dataset is not None else datasets.MAX_ROWS
        refit = descent_inputs(data_key, n_rows)
        st.subheader("Initialisation (w₀, b₀)")
        st.caption("Type it, or click anywhere on the parameter map.")
        start_cells = st.columns(2)
    return Data(dataset, data_key, upload_error, refit), start_cells


def start_inputs(problem: training.Problem, cells: Sequence[Any]) -> None:
    """w₀ and b₀, limited to the problem's map (a value off it is moved onto it first)."""
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    for key, lo, hi in (("dt_w0", w_lo, w_hi), ("dt_b0", b_lo, b_hi)):
        st.session_state[key] = min(max(float(st.session_state[key]), lo), hi)
    cells[0].number_input("w₀", min_value=w_lo, max_value=w_hi, key="dt_w0", format="%.4g")
    cells[1].number_input("b₀", min_value=b_lo, max_value=b_hi, key="dt_b0", format="%.4g")


def validated(problem: training.Problem) -> settings.DataConfig | None:
    """The settings, validated once against the model and then against this data; ``None``
    after the problems are shown in words."""
    cfg = validate_or_explain(settings.DataConfig, payload(), "These settings cannot run yet:")
    if cfg is None:
        return None
    try:
        cfg.check(problem)
    except ValueError as error:
        st.error(f"These settings cannot run yet: {inert(error)}")
        return None
    return cfg


def scrubber(
    cfg: settings.DataConfig,
    data_key: str,
    problem: training.Problem,
    runs: list[training.Training],
    use_cell: Any,
) -> None:
    """Every rate's training of the chosen flavour, one slider away (drawn in the browser)."""
    scrubbed = cfg.model_copy(update={"race": False})  # the chosen flavour's runs
    tall = stage_height(580, chrome=CHROME)
    family_key = f"{scrubbed.model_dump_json()}|{data_key}"
    with heavy("Training at every rate…", f"data-family|{family_key}", "a training at every rate"):
        family = family_for(family_key, scrubbed, problem)
    with use_cell:
        rate_pick("dt_pick", "dt_scrub", family.rates, family.chosen, use_rate)
    chart(
        st,
        figure_cached(
            f"data-scrub-{tall}",
            f"{cfg.model_dump_json()}|{data_key}",
            lambda: scrub_figs.data_scrub_figure(
                problem, family, narrate.family_lines(family), height=tall
            ),
        ),
        key="dt_scrub",
    )
    run = runs[[r.flavour for r in runs].index(cfg.flavour)]
    st.caption(
        f"{run.label}: {cfg.epochs} epochs at each of {len(family.rates)} rates, the same "
        "batches for every rate, computed at once. Drag the α slider: the path, its loss "
        "and the words follow in your browser. The colour says how it goes: green "
        "converging, blue too slow, orange bouncing (oscillating), red diverging."
    )


def training_map(
    key: str, problem: training.Problem, runs: list[training.Training], can_overlay: bool
) -> None:
    """The parameter map and the fit in data space, animated; a click moves the start. The
    figure first: on a 1280×720 projector its two panels, Play and slider fit one screen."""
    overlay = can_overlay and st.session_state.dt_overlay
    tall = stage_height(580, chrome=CHROME)
    clickable_chart(
        st,
        figure_cached(
            f"data-map-{overlay}-{tall}",
            key,
            lambda: figs.training_spec(problem, runs, overlay_batch=overlay, height=tall),
        ),
        "dt_map",
        take_click,
    )
    if can_overlay:
        st.toggle(
            "Overlay each mini-batch's own loss (dotted levels) as the path plays",
            key="dt_overlay",
            help="Each update steps downhill on the loss of its own rows, whose minimum is not "
            "the full data's: that is why the path jitters. One row's loss is lowest along a "
            "whole line.",
        )


def data_gif(
    cfg: settings.DataConfig,
    dataset: datasets.Dataset,
    problem: training.Problem,
    runs: list[training.Training],
) -> bytes:
    """The training as a GIF (gdviz.figures.gif.training_gif), titled with its settings."""
    flavour = training.FLAVOURS[cfg.flavour] if not cfg.race else "three flavours"
    return gif.training_gif(problem, runs, f"{dataset.title}: {flavour}, α = {cfg.lr:g}")


def page_exports(
    cfg: settings.DataConfig,
    key: str,
    dataset: datasets.Dataset,
    problem: training.Problem,
    runs: list[training.Training],
) -> None:
    """The training as HTML and GIF, the runs as CSV, the settings as JSON (and loaded back)."""
    exports(
        st,
        "dt_export",
        f"gdviz-{cfg.dataset}-{cfg.model}-lr{cfg.lr:g}",
        html=lambda: standalone_html(
            figs.training_figure(problem, runs, height=580),
            f"gdviz: {dataset.title}, {training.MODELS[cfg.model].title}, α = {cfg.lr:g}: "
            + ", ".join(run.label for run in runs),
        ),
        csv=lambda: export.stack_csv(
            [export.runs_csv(run.traj, [run.label], axes=("w", "b")) for run in runs]
        ),
        cfg=cfg,
        load=load,
        gif=lambda: data_gif(cfg, dataset, problem, runs),
        cache_key=key,  # the config and the data (an upload's digest)
    )


def no_data(data: Data) -> None:
    """What the page says while it has no data to train on, or about the data it has."""
    if data.error is not None:
        st.error(data.error)
    if data.refit is not None:
        st.info(data.refit, icon=":material/tune:")
    if data.dataset is None and data.error is None:
        st.info(
            "Upload a CSV file in the sidebar: a header row, then one row per example, values "
            "separated by commas. Then choose the feature and the target columns."
        )


# -- settings → compute → show -----------------------------------------------------------------
presentation()
state_from_url("dt_from_url", links.data_from_query, load, DEFAULTS)  # the link, on a first run

use_cell = header()
data, start_cells = sidebar()
no_data(data)
if data.dataset is None:
    st.stop()
dataset = data.dataset
problem = problem_for(data.key, dataset, st.session_state.dt_model, st.session_state.dt_scale)
start_inputs(problem, start_cells)
cfg = validated(problem)
if cfg is None:
    st.stop()

key = f"{cfg.model_dump_json()}|{data.key}"
long = settings.data_seconds(cfg, problem) >= settings.HEAVY_DATA_SECONDS
with heavy("Training…", f"data|{key}", "a long training", when=long):
    runs = runs_for(key, cfg, problem)

if st.session_state.dt_view == VIEWS[1]:
    scrubber(cfg, data.key, problem, runs, use_cell)
else:
    training_map(
        key,
        problem,
        runs,
        can_overlay=len(runs) == 1 and runs[0].batch_size < dataset.n and cfg.model == "linear",
    )
page_exports(cfg, key, dataset, problem, runs)
lesson = lesson_matched("dt_lesson", cfg, lessons.DATA_LESSONS)
if lesson is not None:
    st.info(f"**{lesson}.** {lessons.DATA_LESSONS[lesson].look}", icon=":material/lightbulb:")
readouts(problem, runs)
words(dataset, problem)

other_scaling = "raw" if cfg.scaling == "standardised" else "standardised"
st.subheader("Feature scaling")
if prose():
    other = problem_for(data.key, dataset, cfg.model, other_scaling)
    st.markdown(narrate.scaling_report(problem, other, cfg.lr, cfg.momentum))
st.subheader("Loss curves")
loss_curves(key, problem, runs)
inspected = runs[0] if not cfg.race else runs[-1]
if inspected.batch_size < dataset.n and inspected.steps > 0:
    inspector(key, problem, inspected, cfg.lr)
if dataset.task == "classification":
    mismatch(cfg, data.key, dataset, key)
in_pytorch(cfg, dataset)

if dataset.key == settings.UPLOAD:
    st.caption("An uploaded file cannot travel in a link; the link keeps the other settings.")
folded_note()
sync_url(links.data_to_query(cfg))
