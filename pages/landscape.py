"""The Landscape: an optimizer's path over a 2-D loss surface, animated (url path /landscape)."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

from gdviz import settings
from gdviz.core import export, landscapes
from gdviz.core.descent import Trajectory
from gdviz.core.landscapes.base import Landscape
from gdviz.core.scrub import Family
from gdviz.figures import gif, scrub
from gdviz.figures import landscape as figs
from gdviz.figures.style import PATH, standalone_html
from gdviz.settings import binding, links
from gdviz.teach import narrate
from gdviz.ui import rates
from gdviz.ui.charts import chart, clickable_chart, clicked_point, figure_cached, log_switched
from gdviz.ui.choices import choice
from gdviz.ui.exports import exports
from gdviz.ui.labels import OPTIMIZER_LABELS
from gdviz.ui.limits import limits
from gdviz.ui.optimizer import optimizer_inputs, schedule_inputs, switch_optimizer
from gdviz.ui.pickers import Pick, landscape_select, resolve_current, set_custom, start_inputs
from gdviz.ui.present import folded_note, presentation, prose
from gdviz.ui.rate_pick import rate_pick
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import family_cached, momentum_family_cached, run_cached, settings_or_last
from gdviz.ui.urls import state_from_url, sync_url
from gdviz.ui.viewport import stage_height

route_through_app()  # first: a deep link on a fresh server runs this page alone

VIEWS = ["Map", "α scrubber", "β scrubber", "3-D surface"]
SCRUBBED = {VIEWS[1]: "lr", VIEWS[2]: "momentum"}  # the scrubber views: what each varies
# Above and below the map while presenting, in pixels: the title and the page's top.
CHROME = 90
SETTINGS = binding.Binding(settings.RunConfig, binding.LANDSCAPE_KEYS, "ls_")
# The widgets' defaults, from the models; plus the page's own view switches.
DEFAULTS = {**SETTINGS.defaults(), "ls_log": False, "ls_view": "Map"}


def load(cfg: settings.RunConfig) -> None:
    """Put a validated config into the widgets' state."""
    st.session_state.update(SETTINGS.widgets(cfg.model_dump()))
    st.session_state.ls_f = cfg.landscape
    set_custom("ls_f", cfg)


def load_optimizer(opt: settings.OptimizerConfig) -> None:
    """Put an optimizer config into its widgets; the others get their neutral defaults."""
    st.session_state.update(SETTINGS.widgets({"optimizer": opt.model_dump()}, under="optimizer"))


def choose_landscape() -> None:
    """A newly picked landscape starts from its suggested point; its suggested rate is taken
    by a rate the user never set, and offered beside one they did (an edited formula keeps
    both: see ``landscape_select``)."""
    ls = resolve_current("ls_f")
    if ls is None:
        return
    st.session_state.ls_x0, st.session_state.ls_y0 = ls.start
    if st.session_state.ls_opt == "sgd":
        rates.suggest("ls_lr", ls.lr, f"suggested for {ls.title}")


def choose_optimizer() -> None:
    """A new optimizer starts from torch's defaults (plain GD from the landscape's rate); a
    rate the user set stays, with the default offered beside it."""
    kind = st.session_state.ls_opt
    ls = resolve_current("ls_f") or landscapes.get("rosenbrock")
    defaults = settings.OPTIMIZER_MODELS[kind]()
    if kind == "sgd":
        defaults, reason = defaults.model_copy(update={"lr": ls.lr}), f"suggested for {ls.title}"
    else:
        reason = f"torch's default for {OPTIMIZER_LABELS[kind]}"
    switch_optimizer("ls_", load_optimizer, defaults, reason)


def take_click() -> None:
    """A click on the map's invisible grid moves the start there."""
    where = clicked_point("ls_map", figs.CLICK_GRID)
    if where is not None:
        st.session_state.ls_x0, st.session_state.ls_y0 = where


def use_rate(lr: float) -> None:
    """The scrubbed rate becomes the page's α (and so the link's): the user's choice."""
    st.session_state.ls_lr = lr
    rates.mark_touched("ls_lr")


def use_momentum(beta: float) -> None:
    """The scrubbed β becomes the page's momentum (and so the link's)."""
    st.session_state.ls_mom = beta


def payload(landscape_fields: dict) -> dict:
    """The RunConfig payload the widgets describe, on the picked landscape."""
    return {**landscape_fields, **SETTINGS.payload(st.session_state)}


def sidebar() -> Pick:
    """The settings in the sidebar (hidden, kept, while presenting); the landscape picked."""
    with st.sidebar:
        st.header("Settings")
        pick = landscape_select(st, "ls_f", choose_landscape)
        optimizer_inputs(st, "ls_", on_kind_change=choose_optimizer)
        schedule_inputs(st, "ls_")
        st.number_input("Steps", key="ls_steps", step=50, **limits(settings.RunConfig, "steps"))
        st.subheader("Start point")
        st.caption("Type it, or click anywhere on the contour map.")
        c1, c2 = st.columns(2)
        # while a typed formula is rejected: the last one that worked
        start_inputs(c1, c2, pick.shown, "ls_x0", "ls_y0")
        st.subheader("Stochastic gradient")
        st.number_input(
            "Gradient noise σ",
            key="ls_noise",
            step=0.05,
            format="%.3g",
            **limits(settings.RunConfig, "grad_noise"),
        )
        st.number_input("Seed", key="ls_seed", step=1, **limits(settings.RunConfig, "seed"))
    return pick


def readouts(cfg: settings.RunConfig, report: narrate.Report) -> Family | None:
    """The view switch, the scrubber's "Use α" (or "Use β") and the readouts beside the
    figure; the family a scrubber view shows (``None``: the map or the 3-D view)."""
    # A vertical choice: four views side by side do not fit this column at 1280×720.
    choice(st, "radio", "View", VIEWS, key="ls_view", label_visibility="collapsed")
    family = scrubbed_family(cfg)
    if family is not None and family.knob == "lr":
        rate_pick("ls_pick", "ls_scrub", family.rates, family.chosen, use_rate)
        st.caption(
            "Drag the α slider under the chart: the path, its loss and the words follow, in "
            f"your browser. Dotted: your α's path. The colour says how the run goes: "
            f"{narrate.SCRUB_COLOURS}."
        )
    elif family is not None:
        rate_pick("ls_pick_beta", "ls_scrub_beta", family.rates, family.chosen, use_momentum, "β")
        st.caption(
            "Drag the β slider under the chart: the same α with momentum from 0 to 0.98, "
            f"drawn in your browser. Dotted: your β's path. The colour says how the run goes: "
            f"{narrate.SCRUB_COLOURS}; {narrate.STABLE_BETA_MARK}."
        )
    st.metric("Final loss", report.final_loss)
    # x and y as separate cards: a pair such as (5.42e-05, -5.42e-05) is cut off beside a map.
    st.metric("Final x", report.final_coords[0])
    st.metric("Final y", report.final_coords[1])
    st.metric("Distance to nearest minimum", report.distance)
    # The step under the word, not after it: "converged at step 27" is cut off at 1280×720.
    word, _, step = report.status.partition(" at step ")
    st.metric(
        "Status",
        word,
        delta=f"at step {step}" if step else None,
        delta_color="off",
        delta_arrow="off",
    )
    return family


def scrubbed_family(cfg: settings.RunConfig) -> Family | None:
    """The family the chosen scrubber view varies (α, or SGD's momentum β); ``None`` for the
    other views, and for the β scrubber of an optimizer without heavy-ball momentum (the page
    says so and shows the map)."""
    knob = SCRUBBED.get(st.session_state.ls_view)
    if knob == "lr":
        return family_cached(cfg.model_dump_json(), cfg)
    if knob == "momentum" and cfg.optimizer.kind == "sgd":
        return momentum_family_cached(cfg.model_dump_json(), cfg)
    if knob == "momentum":
        st.info(
            "The β scrubber varies heavy-ball momentum: choose gradient descent (SGD) to "
            f"use it ({OPTIMIZER_LABELS[cfg.optimizer.kind]} has its own βs). The map is shown."
        )
    return None


def view(cfg: settings.RunConfig, traj: Trajectory, family: Family | None) -> go.Figure:
    """The chosen view (map, α or β scrubber, 3-D surface), drawn; the figure it shows."""
    ls, key = cfg.surface(), cfg.model_dump_json()
    tall = stage_height(580, chrome=CHROME)  # 600 put the slider's labels on the 720-px edge
    mapped = st.session_state.ls_view == VIEWS[0] or (
        family is None and st.session_state.ls_view == VIEWS[2]
    )
    if mapped:
        shown = figure_cached(
            f"contour-{tall}", key, lambda: figs.contour_spec(ls, traj, height=tall)
        )
        clickable_chart(st, shown, "ls_map", take_click)
    elif family is not None:
        chart_key = "ls_scrub" if family.knob == "lr" else "ls_scrub_beta"
        shown = figure_cached(
            f"scrub-{family.knob}-{tall}",
            key,
            lambda: scrub.landscape_scrub_figure(
                ls, family, narrate.family_lines(family), height=tall - 20
            ),
        )
        chart(st, shown, key=chart_key)
    else:
        shown = figure_cached(
            f"surface-{tall}", key, lambda: figs.surface_figure(ls, traj, height=tall)
        )
        chart(st, shown, key="ls_surface")
    return shown


def run_words(cfg: settings.RunConfig) -> str:
    """The run in a few words, for an export's heading: optimizer, α, start, steps."""
    start = ", ".join(f"{v:g}" for v in cfg.start)
    return (
        f"{OPTIMIZER_LABELS[cfg.optimizer.kind]}, α = {cfg.optimizer.lr:g}, from ({start}), "
        f"{cfg.steps} steps"
    )


def page_exports(cfg: settings.RunConfig, traj: Trajectory, shown: go.Figure) -> None:
    """The view as HTML and GIF, the run as CSV, the settings as JSON (and loaded back)."""
    ls, key = cfg.surface(), cfg.model_dump_json()
    exports(
        st,
        "ls_export",
        f"gdviz-{cfg.landscape}-{cfg.optimizer.kind}-lr{cfg.optimizer.lr:g}",
        html=lambda: standalone_html(shown, f"gdviz: {ls.title}, {run_words(cfg)}"),
        csv=lambda: export.runs_csv(traj, [f"{cfg.optimizer.kind} α={cfg.optimizer.lr:g}"]),
        cfg=cfg,
        load=load,
        cache_key=f"{key}|{st.session_state.ls_view}",  # the HTML shows the chosen view
        gif=lambda: gif.trajectory_gif(
            ls,
            traj,
            [cfg.optimizer.kind],
            [PATH],
            f"{ls.title}: {OPTIMIZER_LABELS[cfg.optimizer.kind]}, α = {cfg.optimizer.lr:g}",
        ),
    )


def words(ls: Landscape) -> None:
    """The landscape's name, blurb, formula and gradient."""
    title = f"`{ls.title}`" if ls.name == settings.CUSTOM else f"**{ls.title}.**"  # not markdown
    if prose():
        st.markdown(f"{title} {ls.blurb}")
    st.latex(ls.formula)
    if ls.gradient_formula:
        st.latex(ls.gradient_formula)


@st.fragment
def loss_curves(key: str, traj: Trajectory, minimum: float) -> None:
    """The loss curves and their log switch: flipping it redraws this chart alone."""
    log_switched(
        "ls_log", "ls_loss", "loss", key, lambda log: figs.loss_spec(traj, log=log, minimum=minimum)
    )


# -- settings → compute → show -----------------------------------------------------------------
presentation()
state_from_url("ls_from_url", links.run_from_query, load, DEFAULTS)  # the link, on a first run

st.title("Landscape: descent on a 2-D loss surface")
pick = sidebar()
# A rejected formula (its message is in the sidebar) or settings that cannot run keep the
# last run's charts on the page.
cfg = settings_or_last(
    settings.RunConfig,
    payload(pick.fields),
    "These settings cannot run yet:",
    "ls_last_good",
    usable=pick.landscape is not None,
)
ls, key = cfg.surface(), cfg.model_dump_json()

traj = run_cached(key, cfg)
adaptive = cfg.optimizer.kind != "sgd"
report = narrate.landscape_report(
    ls,
    traj,
    momentum=0.0 if adaptive else cfg.optimizer.momentum,
    nesterov=not adaptive and cfg.optimizer.nesterov,
    adaptive=adaptive,
)

# The figure and its readouts first, side by side: on a 1280×720 projector the map, its Play
# and step slider, and the numbers are all on the first screen. One view at a time: the 3-D
# surface is built and sent only when asked for.
figure_col, readout_col = st.columns([2.4, 1], gap="medium")
with readout_col:
    family = readouts(cfg, report)
with figure_col:
    shown = view(cfg, traj, family)
box = {"converged": st.success, "diverged": st.error}.get(str(traj.status[0]), st.warning)
box(report.summary)
if prose():
    st.markdown(report.critical)
page_exports(cfg, traj, shown)
words(ls)
loss_curves(key, traj, ls.global_min)

folded_note()
sync_url(links.run_to_query(cfg))
