"""Learning from data: a model's loss over (w, b), the fit in data space, batch vs stochastic vs
mini-batch, feature scaling and the mismatched loss (url path /data)."""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

from gdviz import settings
from gdviz.core import export
from gdviz.core.scrub import Family
from gdviz.figures import data as figs
from gdviz.figures import gif
from gdviz.figures import scrub as scrub_figs
from gdviz.figures.style import run_colour, standalone_html
from gdviz.learning import datasets, snippet, training
from gdviz.settings import lessons, links
from gdviz.teach import narrate
from gdviz.ui import rates
from gdviz.ui.charts import chart, clicked_point, figure_cached
from gdviz.ui.choices import choice
from gdviz.ui.exports import exports
from gdviz.ui.lessons import lesson_matched, lesson_select
from gdviz.ui.limits import limits
from gdviz.ui.present import folded_note, presentation, prose
from gdviz.ui.rate_pick import rate_pick
from gdviz.ui.replay import replayed_upload
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import heavy, validate_or_explain
from gdviz.ui.text import inert
from gdviz.ui.urls import state_from_url, sync_url

route_through_app()
presentation()

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
# The server refuses larger bodies outright (server.maxUploadSize in .streamlit/config.toml);
# the widget says the same limit, so nobody uploads 50 MB to be told "1 MB" afterwards.
UPLOAD_LIMIT_MB = 1
LOST_UPLOAD = (
    "The server restarted and lost the file you had uploaded: upload it again (remove the old "
    "one with × if the box above still shows it)."
)
TASK_NAMES = {"regression": "a number (regression)", "classification": "one of two classes"}
SETTINGS = links.Binding(settings.DataConfig, links.DATA_KEYS, "dt_")
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


@st.cache_resource(max_entries=16, show_spinner=False)
def read_upload(digest: str, _content: bytes) -> datasets.Table:
    """The parsed upload (keyed by the SHA-256 of its bytes; raises DataError)."""
    return datasets.read_csv(_content)


@st.cache_resource(max_entries=16, show_spinner=False)
def upload_dataset(
    digest: str,
    feature: str,
    target: str,
    task: str,
    name: str,
    log10_feature: bool,
    _table: datasets.Table,
) -> datasets.Dataset:
    """The uploaded data set for these columns (raises DataError); cached, so the problems and
    runs built on it are found again on the next rerun."""
    return datasets.from_table(
        _table,
        feature,
        target,
        task,  # type: ignore[arg-type]
        name,
        log10_feature,
    )


def problem_for(
    data_key: str, dataset: datasets.Dataset, model: str, scaling: str
) -> training.Problem:
    """The problem for a data set (named by ``data_key``: an example's name, or an upload's
    digest), a model and a scaling. An example's comes from the one cache the settings'
    validator uses too; an upload's from this page's."""
    if data_key in datasets.EXAMPLES:
        return settings.example_problem(data_key, model, scaling)
    return upload_problem(data_key, dataset, model, scaling)


@st.cache_resource(max_entries=32, show_spinner=False)
def upload_problem(
    digest: str, _dataset: datasets.Dataset, model: str, scaling: str
) -> training.Problem:
    """The problem for an uploaded data set (keyed by the file's digest and its columns)."""
    return training.make_problem(_dataset, model, scaling)  # type: ignore[arg-type]


@st.cache_resource(max_entries=32, show_spinner=False)  # heavy() shows what runs
def runs_for(
    key: str, _cfg: settings.DataConfig, _problem: training.Problem
) -> list[training.Training]:
    """The training runs of a config on a problem, keyed by both (runs are read-only)."""
    return settings.run_data(_cfg, _problem)


@st.cache_resource(max_entries=16, show_spinner=False)  # heavy() shows what runs
def family_for(key: str, _cfg: settings.DataConfig, _problem: training.Problem) -> Family:
    """The scrubber's family of a config on a problem, keyed by both (read-only)."""
    return settings.run_data_family(_cfg, _problem)


def use_rate(lr: float) -> None:
    """The scrubbed rate becomes the page's α (and the link's): the user's choice."""
    st.session_state.dt_lr = lr
    rates.mark_touched("dt_lr")


def suggest_rate() -> None:
    """The rate that suits the model: an α the user never set takes it, one they set stays
    with it offered. A sigmoid flattens the surface (σ' ≤ 1/4), so its models tolerate larger
    steps."""
    model = st.session_state.dt_model
    rates.suggest("dt_lr", 0.1 if model == "linear" else 0.5, f"suggested for the {model} model")


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


def change_task() -> None:
    """A new task picks a target column that suits it (a later choice by hand still wins)."""
    table = st.session_state.get("dt_table")
    if table is not None:
        st.session_state.dt_target = table.suggest(st.session_state.dt_task)[1]


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


def current_dataset() -> datasets.Dataset | None:
    """The data set the widgets name (``None`` while an upload is missing or unusable)."""
    s = st.session_state
    if s.dt_d != settings.UPLOAD:
        return datasets.example(s.dt_d)
    return s.get("dt_dataset")


def choose_upload() -> tuple[datasets.Dataset | None, str, str | None]:
    """The sidebar's upload box, task and column pickers.

    Returns ``(the data set or None, a cache key naming file + columns, an error message or
    None)``; an unusable file or column choice gives a message, never an exception.
    """
    s = st.session_state
    # After a server restart the tab still shows a file the server no longer has (read before
    # the uploader decodes the browser's state into "no file").
    s.dt_upload_lost = s.get("dt_upload_lost") or replayed_upload("dt_file")
    file = st.file_uploader(
        f"CSV with a header row (at most {datasets.MAX_ROWS:,} rows, "
        f"{datasets.MAX_BYTES / 1e6:g} MB)",
        key="dt_file",
        max_upload_size=UPLOAD_LIMIT_MB,
    )
    s.dt_dataset = None
    if file is None:
        return None, "", LOST_UPLOAD if s.dt_upload_lost else None
    s.dt_upload_lost = False
    content = file.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    try:
        table = read_upload(digest, content)
    except datasets.DataError as error:
        return None, "", f"**{inert(file.name)}** cannot be used: {inert(error)}."
    s.dt_table = table
    choice(
        st,
        "radio",
        "The target is",
        list(TASK_NAMES),
        key="dt_task",
        format_func=TASK_NAMES.get,
        on_change=change_task,
    )
    if s.get("dt_columns_of") != digest:  # a new file: suggest columns that suit the task
        s.dt_columns_of = digest
        s.dt_feature, s.dt_target = table.suggest(s.dt_task)
    choice(st, "selectbox", "Feature x (numeric)", table.names, key="dt_feature")
    choice(st, "selectbox", "Target y", table.names, key="dt_target")
    st.toggle(
        "Use log₁₀ of the feature",
        key="dt_logx",
        help="For values spread over orders of magnitude, like incomes.",
    )
    columns = (s.dt_feature, s.dt_target, s.dt_task)
    try:
        s.dt_dataset = upload_dataset(digest, *columns, file.name, s.dt_logx, table)
    except datasets.DataError as error:
        return None, "", f"**{inert(file.name)}**: {inert(error)}."
    return s.dt_dataset, ":".join([settings.UPLOAD, digest, *columns, str(s.dt_logx)]), None


# -- state: from the link on the first run, from the widgets afterwards -----------------------
state_from_url("dt_from_url", links.data_from_query, load, DEFAULTS)

VIEWS = ["Training", "Scrub α"]
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

with st.sidebar:
    lesson_select(st, "dt_lesson", list(lessons.DATA_LESSONS), load_lesson)
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
    n_rows = dataset.n if dataset is not None else datasets.MAX_ROWS
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
    st.subheader("Initialisation (w₀, b₀)")
    st.caption("Type it, or click anywhere on the parameter map.")
    start_cells = st.columns(2)

if upload_error is not None:
    st.error(upload_error)
if refit is not None:
    st.info(refit, icon=":material/tune:")
if dataset is None:
    if upload_error is None:
        st.info(
            "Upload a CSV file in the sidebar: a header row, then one row per example, values "
            "separated by commas. Then choose the feature and the target columns."
        )
    st.stop()

problem = problem_for(data_key, dataset, st.session_state.dt_model, st.session_state.dt_scale)
(w_lo, w_hi), (b_lo, b_hi) = problem.bounds
for key, lo, hi in (("dt_w0", w_lo, w_hi), ("dt_b0", b_lo, b_hi)):
    st.session_state[key] = min(max(float(st.session_state[key]), lo), hi)
start_cells[0].number_input("w₀", min_value=w_lo, max_value=w_hi, key="dt_w0", format="%.4g")
start_cells[1].number_input("b₀", min_value=b_lo, max_value=b_hi, key="dt_b0", format="%.4g")

cfg = validate_or_explain(settings.DataConfig, payload(), "These settings cannot run yet:")
if cfg is None:
    st.stop()
try:
    cfg.check(problem)
except ValueError as error:
    st.error(f"These settings cannot run yet: {inert(error)}")
    st.stop()

key = f"{cfg.model_dump_json()}|{data_key}"
long = settings.data_seconds(cfg, problem) >= settings.HEAVY_DATA_SECONDS
with heavy("Training…", f"data|{key}", "a long training", when=long):
    runs = runs_for(key, cfg, problem)

if st.session_state.dt_view == VIEWS[1]:
    scrubbed = cfg.model_copy(update={"race": False})  # the chosen flavour's runs
    family_key = f"{scrubbed.model_dump_json()}|{data_key}"
    with heavy("Training at every rate…", f"data-family|{family_key}", "a training at every rate"):
        family = family_for(family_key, scrubbed, problem)
    with use_cell:
        rate_pick("dt_pick", "dt_scrub", family.rates, family.chosen, use_rate)
    chart(
        st,
        figure_cached(
            "data-scrub",
            key,
            lambda: scrub_figs.data_scrub_figure(
                problem, family, narrate.family_lines(family), height=580
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
    can_overlay = False
else:
    # The figure first: on a 1280×720 projector its two panels, Play and slider fit one screen.
    can_overlay = len(runs) == 1 and runs[0].batch_size < dataset.n and cfg.model == "linear"
    overlay = can_overlay and st.session_state.dt_overlay
    chart(
        st,
        figure_cached(
            f"data-map-{overlay}",
            key,
            lambda: figs.training_spec(problem, runs, overlay_batch=overlay, height=580),
        ),
        key="dt_map",
        on_select=take_click,
        selection_mode="points",
        config={"scrollZoom": False},
    )
if can_overlay:
    st.toggle(
        "Overlay each mini-batch's own loss (dotted levels) as the path plays",
        key="dt_overlay",
        help="Each update steps downhill on the loss of its own rows, whose minimum is not the "
        "full data's: that is why the path jitters. One row's loss is lowest along a whole line.",
    )


def data_gif() -> bytes:
    """The training as a GIF: every flavour's path over the (w, b) map, frame k at the same
    fraction of training for each (a race's flavours take different numbers of updates)."""
    longest = max(run.steps for run in runs) + 1
    at = [np.round(np.linspace(0, run.steps, min(longest, 1001))).astype(int) for run in runs]
    return gif.descent_gif(
        problem.landscape(),
        [run.path[i] for run, i in zip(runs, at, strict=True)],
        [run.loss[i] for run, i in zip(runs, at, strict=True)],
        [run.label for run in runs],
        [run_colour(k) for k in range(len(runs))],
        f"{dataset.title}: {training.FLAVOURS[cfg.flavour] if not cfg.race else 'three flavours'},"
        f" α = {cfg.lr:g}",
        floor=problem.optimum_loss,
        unit="update" if len(runs) == 1 else "frame",
        equal_aspect=False,
    )


exports(
    st,
    "dt_export",
    f"gdviz-{cfg.dataset}-{cfg.model}-lr{cfg.lr:g}",
    html=lambda: standalone_html(
        figs.training_figure(problem, runs, height=580), f"gdviz: {dataset.title}"
    ),
    csv=lambda: export.stack_csv(
        [export.runs_csv(run.traj, [run.label], axes=("w", "b")) for run in runs]
    ),
    cfg=cfg,
    load=load,
    gif=data_gif,
    cache_key=key,  # the config and the data (an upload's digest)
)
lesson = lesson_matched("dt_lesson", cfg, lessons.DATA_LESSONS)
if lesson is not None:
    st.info(f"**{lesson}.** {lessons.DATA_LESSONS[lesson].look}", icon=":material/lightbulb:")

for run in runs:
    tone = narrate.training_tone(run, problem.optimum_loss)
    box = {"error": st.error, "success": st.success}.get(tone, st.warning)
    box(narrate.training_summary(run, problem.optimum_loss))
if len(runs) == 1:
    m1, m2, m3, m4 = st.columns(4)
    m1.metric("Final loss", f"{runs[0].loss[-1]:.5g}")
    m2.metric(
        "Optimum's loss", "none" if problem.optimum is None else f"{problem.optimum_loss:.5g}"
    )
    # w and b as separate cards: a pair such as (2.14, 0.0326) is cut off on a projector.
    m3.metric("Final w", f"{runs[0].path[-1][0]:.4g}")
    m4.metric("Final b", f"{runs[0].path[-1][1]:.4g}")
    if problem.optimum is not None:
        w_star, b_star = problem.optimum
        st.caption(f"Optimum: w* = {w_star:.4g}, b* = {b_star:.4g} (the star on the map).")
if problem.optimum is None:
    st.warning(
        "This loss has no minimum: the two classes separate perfectly, so making the sigmoid "
        "ever steeper keeps lowering the loss, and w grows without end."
    )

if prose():
    st.markdown(
        f"**{dataset.title}.** {datasets.EXAMPLES[dataset.key].blurb}"
        if dataset.key in datasets.EXAMPLES
        else f"**{inert(dataset.title)}** ({dataset.n} rows)."
    )
    st.caption(
        "A model with two parameters, a slope w and an intercept b, learns from real data. Its "
        "loss over (w, b) is a surface you can see; training walks down it."
    )
    # Stacked, not side by side: the cross-entropy formula alone fills a projector's width.
    st.latex(problem.info.formula)
    st.latex(
        problem.info.output
        + r",\qquad \theta \leftarrow \theta - \alpha\,\nabla L_{\text{batch}}(\theta)"
    )

other_scaling = "raw" if cfg.scaling == "standardised" else "standardised"
other = problem_for(data_key, dataset, cfg.model, other_scaling)
st.subheader("Feature scaling")
if prose():
    st.markdown(narrate.scaling_report(problem, other, cfg.lr, cfg.momentum))

st.subheader("Loss curves")


@st.fragment
def loss_curves(key: str, problem: training.Problem, runs: list[training.Training]) -> None:
    """The loss curves and their log switch: flipping it redraws this chart alone."""
    st.toggle("Log scale (gap to the optimum's loss)", key="dt_log")
    log = st.session_state.dt_log
    chart(
        st,
        figure_cached(
            f"data-loss-{log}", key, lambda: figs.loss_curves_spec(problem, runs, log=log)
        ),
        key="dt_loss",
    )


loss_curves(key, problem, runs)

run = runs[0] if not cfg.race else runs[-1]
if run.batch_size < dataset.n and run.steps > 0:
    st.subheader("Inside one update: why the path jitters")
    st.markdown(
        f"Each update sees only {run.batch_size} of the {dataset.n} rows. Those rows have their "
        "own loss surface (dotted white lines) with its own minimum, and the step heads downhill "
        "on *that* surface, not on the full one. Pick an update to see it."
    )
    # Start in the last epoch, near the optimum, where the jitter is easiest to see.
    st.session_state.setdefault("dt_t", (run.epochs - 1) * run.per_epoch)
    st.session_state.dt_t = min(int(st.session_state.dt_t), run.steps - 1)

    @st.fragment
    def one_update(key: str, problem: training.Problem, run: training.Training, lr: float) -> None:
        """The update picker and its picture: moving it redraws this chart alone."""
        st.slider(f"Update ({run.label})", 0, max(1, run.steps - 1), key="dt_t")
        t = int(st.session_state.dt_t)
        chart(
            st,
            figure_cached(f"data-batch-{t}", key, lambda: figs.batch_spec(problem, run, t, lr)),
            key="dt_batch",
        )

    one_update(key, problem, run, cfg.lr)

if dataset.task == "classification":
    st.subheader("A linear neuron vs a sigmoid neuron, squared error vs cross-entropy")
    if prose():
        st.markdown(narrate.MISMATCH_NOTE)
    keys = list(training.MODELS)
    trio = [problem_for(data_key, dataset, m, cfg.scaling) for m in keys]
    trio_runs = []
    for m, p in zip(keys, trio, strict=True):
        start = tuple(float(v) for v in p.clamp(np.array(cfg.start)))
        c = cfg.model_copy(update={"model": m, "race": False, "start": start})
        trio_runs.append(runs_for(f"{c.model_dump_json()}|{data_key}", c, p)[0])
    st.caption(
        "The same settings for all three models: same start (moved onto a map it is off), "
        "same rate, same batches."
    )
    chart(
        st,
        figure_cached(
            "data-surfaces",
            key,
            lambda: figs.surfaces_figure(
                trio,
                trio_runs,
                [
                    "Linear + squared error: a bowl",
                    "Sigmoid + cross-entropy: convex",
                    "Sigmoid + squared error: plateaus",
                ],
            ),
        ),
        key="dt_surfaces",
    )
    chart(
        st,
        figure_cached(
            "data-fits",
            key,
            lambda: figs.fits_figure(trio, trio_runs, [training.MODELS[m].short for m in keys]),
        ),
        key="dt_fits",
    )

with st.expander("The same experiment in PyTorch"):
    st.code(
        snippet.pytorch_snippet(
            dataset,
            model=cfg.model,
            scaling=cfg.scaling,
            batch_size=training.batch_size_of(cfg.flavour, cfg.batch_size, dataset.n),
            epochs=cfg.epochs,
            lr=cfg.lr,
            momentum=cfg.momentum,
            seed=cfg.seed,
            start=cfg.start,
            feature=st.session_state.get("dt_feature"),
            target=st.session_state.get("dt_target"),
        ),
        language="python",
    )
    st.caption(
        "With the Batch flavour this reproduces the page's numbers exactly. With mini-batches "
        "the rows come in a different (equally random) order: DataLoader shuffles with torch's "
        "generator, the page with numpy's."
    )

if dataset.key == settings.UPLOAD:
    st.caption("An uploaded file cannot travel in a link; the link keeps the other settings.")
folded_note()
sync_url(links.data_to_query(cfg))
