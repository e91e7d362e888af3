"""Compare: race up to 8 optimizers or learning rates on one landscape (url path /compare)."""

from __future__ import annotations

import itertools
import re

import pandas as pd
import pydantic
import streamlit as st

from gdviz import settings
from gdviz.core import export, race
from gdviz.core.descent import Trajectory
from gdviz.core.landscapes.base import Landscape
from gdviz.core.optim import ADAM_BETAS
from gdviz.figures import gif
from gdviz.figures import race as figs
from gdviz.figures.maps import CLICK_GRID
from gdviz.figures.style import run_colour, standalone_html
from gdviz.settings import lessons, links
from gdviz.teach import narrate
from gdviz.ui.charts import clickable_chart, clicked_point, figure_cached, log_switched
from gdviz.ui.choices import choice
from gdviz.ui.exports import exports
from gdviz.ui.labels import OPTIMIZER_LABELS
from gdviz.ui.lessons import lesson_matched, lesson_select
from gdviz.ui.limits import BETA_LIMITS, limits
from gdviz.ui.pickers import Pick, landscape_select, resolve_current, set_custom, start_inputs
from gdviz.ui.present import folded_note, presentation, prose
from gdviz.ui.replay import button
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import settings_or_last
from gdviz.ui.text import inert
from gdviz.ui.urls import state_from_url, sync_url
from gdviz.ui.viewport import stage_height

route_through_app()  # first: a deep link on a fresh server runs this page alone

SCHEDULES = {
    "constant": "constant",
    "cosine": "cosine to 0 over the run",
    "step": "×0.1 every third of the run",
    "exponential": "×0.99 every step",
}
# A run loaded from a link or preset whose schedule is none of the editor's shapes keeps it
# exactly ("as loaded"), so a link round-trips instead of being bent to the nearest shape.
AS_LOADED = "loaded"
# Above and below the race's map while presenting, in pixels: the title and the page's top.
CHROME = 90
SCHEDULE: pydantic.TypeAdapter = pydantic.TypeAdapter(settings.ScheduleConfig)


def editor_schedule(shape: str, steps: int) -> dict:
    """The schedule payload of one of the editor's shapes, scaled to a run of ``steps``."""
    shapes: dict[str, dict] = {
        "constant": {"kind": "constant"},
        "cosine": {"kind": "cosine", "t_max": steps},
        "step": {"kind": "step", "step_size": max(1, steps // 3), "gamma": 0.1},
        "exponential": {"kind": "exponential", "gamma": 0.99},
    }
    return shapes[shape]


def new_id() -> int:
    """A fresh run id for widget keys. Kept in session state: the page script re-executes on
    every rerun, so a module-level counter would hand out the same ids again and new runs would
    inherit the old runs' widget values."""
    st.session_state.cmp_next_id = st.session_state.get("cmp_next_id", 0) + 1
    return st.session_state.cmp_next_id


@st.cache_data(max_entries=128, show_spinner=False)
def race_cached(key: str, _cfg: settings.CompareConfig) -> Trajectory:
    """The race a validated compare config describes, keyed by its JSON, shared across
    sessions."""
    return settings.run_compare(_cfg)


def run_to_row(run: settings.CompareRun, steps: int) -> dict:
    """A run config as the editor's flat row of widget values. The whole optimizer and
    schedule are kept beside them (``optimizer``, ``schedule``): settings the editor has no
    widget for (ε, AMSGrad, dampening, RMSprop's α, a warm-up) survive an edit of the others."""
    opt = run.optimizer
    betas = getattr(opt, "betas", ADAM_BETAS)
    shape = next(
        (
            k
            for k in SCHEDULES
            if SCHEDULE.validate_python(editor_schedule(k, steps)) == run.schedule
        ),
        AS_LOADED,
    )
    return {
        "id": new_id(),
        "label": run.label,
        "kind": opt.kind,
        "lr": opt.lr,
        "momentum": getattr(opt, "momentum", 0.0),
        "nesterov": getattr(opt, "nesterov", False),
        "beta1": betas[0],
        "beta2": betas[1],
        "wd": opt.weight_decay,
        "sched": shape,
        "noise": run.grad_noise,
        "optimizer": opt.model_dump(),
        "schedule": run.schedule.model_dump() if shape == AS_LOADED else None,
    }


def row_to_payload(row: dict, steps: int) -> dict:
    """The editor's row as a CompareRun payload (validated by the caller): the loaded optimizer
    with the editor's values over it (while the kind is unchanged), and the editor's schedule
    shape or the loaded schedule."""
    kept = row["optimizer"] if row["optimizer"]["kind"] == row["kind"] else {}
    edited = settings.optimizer_payload(
        row["kind"],
        row["lr"],
        row["momentum"],
        row["nesterov"],
        (row["beta1"], row["beta2"]),
        weight_decay=row["wd"],
    )
    schedule = (
        row["schedule"] if row["sched"] == AS_LOADED else editor_schedule(row["sched"], steps)
    )
    return {
        "label": row["label"].strip() or fallback_label(row),
        "optimizer": {**kept, **edited},
        "schedule": schedule,
        "grad_noise": row["noise"],
    }


def schedule_label(row: dict, shape: str) -> str:
    if shape == AS_LOADED:
        return f"as loaded: {narrate.schedule_words(row['schedule'])}"
    return SCHEDULES[shape]


def load(cfg: settings.CompareConfig) -> None:
    state = st.session_state
    state.cmp_f, state.cmp_steps, state.cmp_seed = cfg.landscape, cfg.steps, cfg.seed
    set_custom("cmp_f", cfg)
    state.cmp_x0, state.cmp_y0 = cfg.start
    state.cmp_threshold = cfg.threshold
    state.cmp_rows = [run_to_row(run, cfg.steps) for run in cfg.runs]
    lesson_matched("cmp_preset", cfg, lessons.PRESETS)


def load_preset(title: str) -> None:
    load(lessons.PRESETS[title])


def add_run(copy_of: dict | None = None) -> None:
    rows = st.session_state.cmp_rows
    if len(rows) >= settings.MAX_RUNS:
        return
    base = (
        dict(copy_of)
        if copy_of
        else {**rows[-1]}
        if rows
        else run_to_row(
            settings.CompareRun(label="run", optimizer=settings.SGDConfig(lr=0.01)),
            st.session_state.cmp_steps,
        )
    )
    base["id"] = new_id()
    taken = {row["label"] for row in rows}
    stem = re.sub(r" \(\d+\)$", "", base["label"])  # a copy of "x (2)" is "x (3)", not "x (2) (2)"
    base["label"] = next(
        f"{stem} ({n})" for n in itertools.count(2) if f"{stem} ({n})" not in taken
    )
    rows.append(base)


VERDICT_IN_LABEL = re.compile(r"\s*\((too small|just right|too large)\)")


def relabel(run_id: int) -> None:
    """A label that names its rate ("α = 0.07 (just right)") follows an edited rate: the number
    is replaced and a verdict about the old rate is dropped. Other labels are the user's."""
    new = float(st.session_state[f"cmp_{run_id}_lr"])
    for row in st.session_state.cmp_rows:
        named = f"α = {float(row['lr']):g}"
        if row["id"] == run_id and named in row["label"]:
            label = VERDICT_IN_LABEL.sub("", row["label"].replace(named, f"α = {new:g}"))
            row["label"] = st.session_state[f"cmp_{run_id}_label"] = label


def rekind(run_id: int) -> None:
    """A label that judges its rate ("α = 0.005 (too small)") follows a new optimizer: the
    verdict was about the old one, so it goes, and the label names the new kind ("Adam,
    α = 0.005"). Other labels are the user's."""
    kind = st.session_state[f"cmp_{run_id}_kind"]
    for row in st.session_state.cmp_rows:
        if row["id"] == run_id and VERDICT_IN_LABEL.search(row["label"]):
            label = f"{OPTIMIZER_LABELS[kind]}, {VERDICT_IN_LABEL.sub('', row['label'])}"
            row["label"] = st.session_state[f"cmp_{run_id}_label"] = label


def fallback_label(row: dict) -> str:
    """The label a run without one is shown with."""
    return f"run {st.session_state.cmp_rows.index(row) + 1}"


def remove_run(run_id: int) -> None:
    st.session_state.cmp_rows = [r for r in st.session_state.cmp_rows if r["id"] != run_id]


def step_or_dash(value: int | None) -> str:
    return "—" if value is None else str(value)


def choose_landscape() -> None:
    ls = resolve_current("cmp_f")
    if ls is not None:
        st.session_state.cmp_x0, st.session_state.cmp_y0 = ls.start


def sidebar() -> Pick:
    """Presets and the race's shared settings (hidden, kept, while presenting)."""
    with st.sidebar:
        st.header("Presets")
        lesson_select(st, "cmp_preset", list(lessons.PRESETS), load_preset)
        st.header("Race")
        pick = landscape_select(st, "cmp_f", choose_landscape)
        c1, c2 = st.columns(2)
        # while a typed formula is rejected: the last one that worked
        start_inputs(c1, c2, pick.shown, "cmp_x0", "cmp_y0")
        st.number_input(
            "Steps", key="cmp_steps", step=50, **limits(settings.CompareConfig, "steps")
        )
        st.number_input(
            "Noise seed", key="cmp_seed", step=1, **limits(settings.CompareConfig, "seed")
        )
        st.number_input(
            "Loss threshold (for 'reached at')",
            key="cmp_threshold",
            format="%.2g",
            **limits(settings.CompareConfig, "threshold"),
        )
    return pick


def run_head(row: dict) -> None:
    """A run card's first row: label, optimizer, α, schedule, noise (edits ``row``)."""
    rid = row["id"]
    top = st.columns([2.2, 1.4, 1.3, 1.8, 1.3])
    st.session_state.setdefault(f"cmp_{rid}_label", row["label"])
    row["label"] = top[0].text_input("Label", key=f"cmp_{rid}_label", max_chars=40)
    if not row["label"].strip():
        top[0].caption(f"No label: shown as “{fallback_label(row)}”.")
    row["kind"] = choice(
        top[1],
        "selectbox",
        "Optimizer",
        list(OPTIMIZER_LABELS),
        key=f"cmp_{rid}_kind",
        index=list(OPTIMIZER_LABELS).index(row["kind"]),
        format_func=OPTIMIZER_LABELS.get,
        on_change=rekind,
        args=(rid,),
    )
    row["lr"] = top[2].number_input(
        "α",
        value=float(row["lr"]),
        **limits(settings.SGDConfig, "lr"),
        format="%.5g",
        key=f"cmp_{rid}_lr",
        on_change=relabel,
        args=(rid,),
    )
    shapes = [*SCHEDULES, *([AS_LOADED] if row["schedule"] else [])]
    row["sched"] = choice(
        top[3],
        "selectbox",
        "Schedule",
        shapes,
        key=f"cmp_{rid}_sched",
        index=shapes.index(row["sched"]),
        format_func=lambda shape, row=row: schedule_label(row, shape),
    )
    row["noise"] = top[4].number_input(
        "noise σ",
        value=float(row["noise"]),
        step=0.05,
        **limits(settings.CompareRun, "grad_noise"),
        key=f"cmp_{rid}_noise",
    )


def run_more(row: dict, count: int) -> None:
    """A run card's second row: room for the optimizer's own settings and whole button labels
    (on a 1280-wide projector one row cut "Duplicate" to "D…"); edits ``row``."""
    rid = row["id"]
    more = st.columns([1.4, 1.1, 1.2, 1.1, 1.1], vertical_alignment="bottom")
    button(
        more[3],
        "Duplicate",
        key=f"cmp_{rid}_dup",
        on_click=add_run,
        args=(dict(row),),
        disabled=count >= settings.MAX_RUNS,
    )
    button(
        more[4], "Remove", key=f"cmp_{rid}_del", on_click=remove_run, args=(rid,),
        disabled=count <= 1,
    )  # fmt: skip
    if row["kind"] in ("sgd", "rmsprop"):
        row["momentum"] = more[0].slider(
            "momentum β",
            value=float(row["momentum"]),
            step=0.01,
            key=f"cmp_{rid}_mom",
            **limits(settings.SGDConfig, "momentum"),
        )
    if row["kind"] == "sgd":
        row["nesterov"] = more[1].toggle(
            "Nesterov", bool(row["nesterov"]), key=f"cmp_{rid}_nest", disabled=row["momentum"] == 0
        )
    if row["kind"] in ("adam", "adamw"):
        for i, (name, step, shown) in enumerate([("β₁", 0.001, "%.3f"), ("β₂", 0.0001, "%.4f")]):
            row[f"beta{i + 1}"] = more[i].slider(
                name,
                value=float(row[f"beta{i + 1}"]),
                step=step,
                key=f"cmp_{rid}_b{i + 1}",
                format=shown,
                **BETA_LIMITS,
            )
    row["wd"] = more[2].number_input(
        "weight decay",
        value=float(row["wd"]),
        format="%.3g",
        **limits(settings.SGDConfig, "weight_decay"),
        key=f"cmp_{rid}_wd",
    )


def take_click() -> None:
    """A click on the race's map (its invisible grid) starts every run there."""
    where = clicked_point("cmp_map", CLICK_GRID)
    if where is not None:
        st.session_state.cmp_x0, st.session_state.cmp_y0 = where


def run_editor() -> list[dict]:
    """One card per run, and "Add a run"; the editor's rows."""
    rows = st.session_state.cmp_rows
    for row in rows:
        with st.container(border=True):
            run_head(row)
            run_more(row, len(rows))
    button(
        st, "Add a run", key="cmp_add", on_click=add_run, disabled=len(rows) >= settings.MAX_RUNS
    )
    return rows


def race_payload(pick: Pick, rows: list[dict]) -> dict:
    """The CompareConfig payload the sidebar and the run editor describe."""
    state = st.session_state
    return {
        **pick.fields,
        "start": (state.cmp_x0, state.cmp_y0),
        "steps": state.cmp_steps,
        "seed": state.cmp_seed,
        "threshold": state.cmp_threshold,
        "runs": [row_to_payload(row, state.cmp_steps) for row in rows],
    }


def show_race(cfg: settings.CompareConfig, traj: Trajectory) -> None:
    """The race's map, its exports, the results table and the loss curves."""
    ls, key = cfg.surface(), cfg.model_dump_json()
    labels = [run.label for run in cfg.runs]
    tall = stage_height(580, chrome=CHROME)
    race_fig = figure_cached(
        f"race-{tall}", key, lambda: figs.race_figure(ls, traj, labels, height=tall)
    )
    clickable_chart(st, race_fig, "cmp_map", take_click)
    exports(
        st,
        "cmp_export",
        f"gdviz-race-{cfg.landscape}",
        html=lambda: standalone_html(race_fig, f"gdviz race on {ls.title}: {', '.join(labels)}"),
        csv=lambda: export.runs_csv(traj, labels),
        cfg=cfg,
        load=load,
        gif=lambda: gif.trajectory_gif(
            ls, traj, labels, [run_colour(i) for i in range(len(labels))], f"Race on {ls.title}"
        ),
    )
    if prose():
        st.caption(
            "Every run starts from the same point and sees the same gradient noise (one seed), so "
            "the differences you see come from the optimizer and its settings, not from luck. "
            "Click the map to start them all there."
        )


def show_results(cfg: settings.CompareConfig, traj: Trajectory) -> None:
    """The results table and the loss curves of the race."""
    ls, key = cfg.surface(), cfg.model_dump_json()
    labels = [run.label for run in cfg.runs]
    results_table(ls, traj, labels, cfg.threshold)
    log_switched(
        "cmp_log",
        "cmp_loss",
        "race-loss",
        key,
        lambda log: figs.loss_overlay(
            traj, labels, log=log, minimum=ls.global_min, threshold=cfg.threshold
        ),
    )


def results_table(ls: Landscape, traj: Trajectory, labels: list[str], threshold: float) -> None:
    """One row per run: final loss, distance, status in words, the steps things happened."""
    table = race.results(ls, traj, labels, threshold)
    st.table(
        pd.DataFrame(
            {
                # st.table renders markdown in its cells: a label from a shared link is inert.
                "run": [inert(r.label) for r in table],
                "final loss": [narrate.num(r.final_loss, 4) for r in table],
                "distance to nearest minimum": [narrate.num(r.distance, 4) for r in table],
                "status": [
                    narrate.status_word(ls, traj.final[i], r.status) for i, r in enumerate(table)
                ],
                "converged at": [step_or_dash(r.converged_at) for r in table],
                "diverged at": [step_or_dash(r.diverged_at) for r in table],
                f"loss ≤ {threshold:g} at": [step_or_dash(r.reached_at) for r in table],
            }
        ).set_index("run")
    )


# -- settings → compute → show -----------------------------------------------------------------
presentation()
state_from_url("cmp_from_url", links.compare_from_query, load, {})  # the link, on a first run

st.title("Compare: race optimizers and learning rates")
pick = sidebar()
# The race and its results go above the run editor (a projector shows the top of the page),
# but they depend on the editor's values: reserve their place now, fill it at the end.
race_area = st.container()
# Under the map, one click away each: the runs to edit (they were below the results and the
# loss curves, 1,600 px under the map), the results table, the loss curves.
runs_tab, results_tab = st.tabs(["Runs", "Results and loss curves"])
with runs_tab:
    rows = run_editor()
with race_area:
    # A rejected formula (its message is in the sidebar) or runs that cannot start keep the
    # last race on the page.
    cfg = settings_or_last(
        settings.CompareConfig,
        race_payload(pick, rows),
        "These runs cannot start yet:",
        "cmp_last_good",
        usable=pick.landscape is not None,
    )
    lesson_matched("cmp_preset", cfg, lessons.PRESETS)
    with st.spinner("Racing…"):
        traj = race_cached(cfg.model_dump_json(), cfg)
    show_race(cfg, traj)
with results_tab:
    show_results(cfg, traj)

folded_note()
sync_url(links.compare_to_query(cfg))
