"""The Hiker: gradient descent on a 1-D curve, one step at a time (url path /hiker)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from gdviz import settings
from gdviz.core import export
from gdviz.core.landscapes.base import Landscape
from gdviz.core.scrub import Family
from gdviz.figures import gif
from gdviz.figures.hiker import curve_spec, hike_animation, loss_steps_spec
from gdviz.figures.scrub import curve_scrub_figure
from gdviz.figures.style import PATH, standalone_html
from gdviz.settings import links
from gdviz.teach import hiker, narrate
from gdviz.ui import rates
from gdviz.ui.charts import chart, figure_cached
from gdviz.ui.choices import choice
from gdviz.ui.exports import exports
from gdviz.ui.pickers import Pick, keep_on_map, landscape_select, resolve_current, set_custom
from gdviz.ui.present import folded_note, presentation, prose
from gdviz.ui.rate_pick import rate_pick
from gdviz.ui.replay import button
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import validate_or_explain
from gdviz.ui.urls import state_from_url, sync_url
from gdviz.ui.viewport import stage_height

route_through_app()  # first: a deep link on a fresh server runs this page alone

LR_CHOICES = [
    1e-4,
    2e-4,
    5e-4,
    1e-3,
    2e-3,
    5e-3,
    0.01,
    0.02,
    0.05,
    0.1,
    0.15,
    0.2,
    0.25,
    0.3,
    0.4,
    0.5,
    0.6,
    0.7,
    0.8,
    0.9,
    0.95,
    1.0,
    1.05,
    1.1,
    1.2,
    1.5,
    2.0,
    3.0,
    5.0,
]
LR_MIN, LR_MAX = settings.field_bounds(settings.HikerConfig, "lr")
VIEWS = ["Hike", "Scrub α"]
# Above and below the hiker's curve while presenting, in pixels: the title and status line
# above, the update rule and the verdict below (the first screen shows all of them).
CHROME = 270
NBSP = "\u00a0"
ANIMATED_PREVIEW = 20  # steps an export plays when the hiker has not moved yet
VERDICT_BOX = {
    "converging": st.success,
    "converged": st.success,
    "oscillating": st.warning,
    "stuck": st.warning,
    "diverging": st.error,
    "start": st.info,
}


def nearest_choice(value: float) -> float:
    return min(LR_CHOICES, key=lambda c: abs(np.log(c) - np.log(value)))


def restart() -> None:
    """A new hike at the chosen start (the curve or the start position changed, or Reset)."""
    curve = resolve_current("hiker_f", dim=1)
    if curve is not None:
        x0 = float(np.clip(st.session_state.hiker_x0, *curve.bounds[0]))
        st.session_state.hike = hiker.start(curve, x0)
        st.session_state.pop("hiker_walk", None)


def choose_curve() -> None:
    curve = resolve_current("hiker_f", dim=1)
    if curve is None:
        return
    st.session_state.hiker_x0 = curve.start[0]
    rates.suggest("hiker_lr", curve.lr, f"suggested for {curve.title}")
    restart()


def lr_from_slider() -> None:
    """The log-spaced slider is a quick way to set the one rate (``hiker_lr``)."""
    st.session_state.hiker_lr = st.session_state.hiker_lr_slider
    rates.mark_touched("hiker_lr")


def use_rate(lr: float) -> None:
    """The scrubbed rate becomes the hiker's α (his next steps take it; the link carries it)."""
    st.session_state.hiker_lr = lr
    rates.mark_touched("hiker_lr")


@st.cache_resource(max_entries=32, show_spinner=False)
def hiker_family(key: str, _cfg: settings.HikerConfig) -> Family:
    """The scrubber's family for a hiker config (keyed by its JSON; its steps do not matter)."""
    return settings.run_hiker_family(_cfg)


def walk(n: int) -> None:
    """Step or Run 10: the steps are taken once the page has validated the rate (below)."""
    st.session_state.hiker_walk = st.session_state.get("hiker_walk", 0) + n


def undo() -> None:
    st.session_state.hike = hiker.back(st.session_state.hike)


def load(cfg: settings.HikerConfig) -> None:
    """Put a validated config into the widgets, and walk the steps the link says."""
    s = st.session_state
    s.hiker_f, s.hiker_lr, s.hiker_x0 = cfg.landscape, cfg.lr, cfg.x0
    set_custom("hiker_f", cfg)
    s.hike = hiker.replay(cfg.surface(), cfg.x0, cfg.walked())


def rate_inputs() -> None:
    """One rate, ``hiker_lr`` (the exact box), and a log-spaced slider that shows the choice
    nearest it and sets it when slid."""
    st.session_state.hiker_lr_slider = nearest_choice(st.session_state.hiker_lr)
    # Said again every run, so the box is drawn with its value: a box first drawn by the rerun
    # that follows a window-size report (a projector's first load) showed its minimum, 0.0001,
    # while the hike used 0.1.
    st.session_state.hiker_lr = st.session_state.hiker_lr
    choice(
        st,
        "select_slider",
        "Learning rate",
        LR_CHOICES,
        key="hiker_lr_slider",
        on_change=lr_from_slider,
        help="Log-spaced; type an exact value in the box below.",
    )
    st.number_input(
        "Learning rate α (exact)",
        min_value=LR_MIN,
        max_value=LR_MAX,
        step=0.01,
        format="%.4f",
        key="hiker_lr",
        on_change=rates.mark_touched,
        args=("hiker_lr",),
    )
    rates.offer(st, "hiker_lr")


def validated(pick: Pick) -> settings.HikerConfig | None:
    """The hike's settings, validated (``None`` after the problems are shown), with the steps
    Step or Run 10 asked for taken at the validated rate: the hike restarts on a new curve."""
    if pick.landscape is None:  # the formula's message is beside it; every setting is kept
        return None
    s = st.session_state
    cfg = validate_or_explain(
        settings.HikerConfig,
        {**pick.fields, "lr": s.hiker_lr, "x0": s.hiker_x0, "steps": 0},
        "These settings cannot run:",
    )
    if cfg is None:
        return None
    if s.hike.curve is not pick.shown:  # the formula or its bounds changed: start again
        s.hike = hiker.start(pick.shown, cfg.x0)
        s.pop("hiker_walk", None)
    if s.get("hiker_walk"):
        s.hike = hiker.step(s.hike, cfg.lr, s.pop("hiker_walk"))
    return cfg.model_copy(
        update={"steps": s.hike.steps, "earlier": hiker.earlier_runs(s.hike, cfg.lr)}
    )


def step_buttons() -> None:
    """Step, Run 10, Back, Reset (stepping stops at the cap or once the hike diverged)."""
    at_cap = st.session_state.hike.steps >= hiker.MAX_STEPS
    stopped = at_cap or st.session_state.hike.diverged  # the verdict says why
    b1, b2 = st.columns(2)
    for cell, label, n, kind in ((b1, "Step", 1, "primary"), (b2, "Run 10", 10, "secondary")):
        button(
            cell,
            label,
            key="hiker_step" if n == 1 else "hiker_run10",
            on_click=walk,
            args=(n,),
            type=kind,
            width="stretch",
            disabled=stopped,
        )
    b3, b4 = st.columns(2)
    button(b3, "Back", key="hiker_back", on_click=undo, width="stretch")
    button(b4, "Reset", key="hiker_reset", on_click=restart, width="stretch")
    if at_cap:
        st.info(
            f"The hiker has taken {hiker.MAX_STEPS:,} steps, the most one hike keeps. Press "
            "Back or Reset, or pick another start or rate, to walk on.",
            icon=":material/flag:",
        )


def controls() -> tuple[Pick, settings.HikerConfig | None]:
    """The controls column: curve, rate, start, the steps, the view; the curve's formula."""
    pick = landscape_select(st, "hiker_f", choose_curve, dim=1)
    curve = pick.shown  # while a typed formula is rejected: the last one that worked
    rate_inputs()
    ((lo, hi),) = curve.bounds
    keep_on_map("hiker_x0", lo, hi, "the start")
    st.slider(
        "Start position", min_value=lo, max_value=hi, step=0.1, key="hiker_x0", on_change=restart
    )
    cfg = validated(pick)
    step_buttons()
    choice(
        st,
        "segmented_control",
        "View",
        VIEWS,
        key="hiker_view",
        required=True,
        help="Scrub α: every learning rate's first "
        f"{settings.HIKER_PREVIEW} steps from the start, one slider away.",
    )
    st.latex(curve.formula)
    if curve.gradient_formula:
        st.latex(curve.gradient_formula)
    if prose():
        st.markdown(curve.blurb)
    return pick, cfg


def scrubber(cfg: settings.HikerConfig, curve: Landscape) -> None:
    """Every rate's first steps from the start, one slider away (drawn in the browser)."""
    start = cfg.model_copy(update={"steps": 0, "earlier": ()})  # the family ignores the walk
    family_key = start.model_dump_json()
    family = hiker_family(family_key, start)
    chart(
        st,
        figure_cached(
            "hiker-scrub",
            family_key,
            lambda: curve_scrub_figure(curve, family, narrate.family_lines(family), height=470),
        ),
        key="hiker_scrub",
    )
    rate_pick("hiker_pick", "hiker_scrub", family.rates, family.chosen, use_rate)
    st.caption(
        f"Each rate's first {settings.HIKER_PREVIEW} steps from x₀ = {cfg.x0:g}, computed "
        "at once: drag the α slider and the hike redraws in your browser. The colour says "
        f"how it goes: {narrate.SCRUB_COLOURS}."
    )


def hike_view(cfg: settings.HikerConfig, hike: hiker.Hike) -> None:
    """The numbers, then the curve, then the words: on a 1280×720 projector the status line,
    the hiker on his curve and the update rule with its numbers share the first screen."""
    curve = hike.curve
    # A narrow column may break the line only between its fields ("Gradient:⏎-8.00" read badly).
    fields = hiker.status_line(hike).split(" | ")
    st.markdown(f"##### `{' | '.join(f.replace(' ', NBSP) for f in fields)}`")
    if st.session_state.hiker_view == VIEWS[0]:
        tall = stage_height(410, chrome=CHROME)
        chart(
            st,
            curve_spec(curve, np.array(hike.positions), cfg.lr, height=tall),
            key="hiker_curve",
        )
    else:
        scrubber(cfg, curve)
    st.markdown(f"**Next update:** {hiker.update_rule(hike, cfg.lr)}")
    judgement = hiker.verdict(hike, cfg.lr)
    VERDICT_BOX[judgement.kind](f"**{judgement.headline}** {judgement.detail}")
    if prose():
        st.caption(
            "The hiker is blindfolded and can only feel the slope under his feet. Each step he "
            "moves against the slope, by the learning rate α times its steepness: "
            "x ← x − α·L'(x)."
        )
    # The animations play the hike so far; before the first step, the steps α is about to take.
    played = hike if hike.steps else hiker.step(hike, cfg.lr, ANIMATED_PREVIEW)
    exports(
        st,
        "hiker_export",
        f"gdviz-hike-{cfg.landscape}-lr{cfg.lr:g}",
        html=lambda: standalone_html(
            hike_animation(curve, np.array(played.positions), cfg.lr),
            f"gdviz hike: {curve.title}, α = {cfg.lr:g}, from x = {cfg.x0:g}",
        ),
        csv=lambda: export.hike_csv(curve, hike.positions, hike.rates),
        cfg=cfg,
        load=load,
        cache_key=f"{cfg.model_dump_json()}|{hike.rates}",  # a hike may change rate mid-way
        gif=lambda: gif.hike_gif(
            curve, np.array(played.positions), f"{curve.title}, α = {cfg.lr:g}", colour=PATH
        ),
    )
    st.markdown("**Loss after each step**")
    chart(st, loss_steps_spec(hiker.losses(hike), curve.global_min), key="hiker_losses")


# -- settings → compute → show -----------------------------------------------------------------
presentation()
state_from_url("hiker_from_url", links.hiker_from_query, load, {"hiker_view": VIEWS[0]})

st.title("The hiker: gradient descent in one dimension")
left, right = st.columns([1, 2.6], gap="large")
with left:
    pick, cfg = controls()
if cfg is None:
    st.stop()
with right:
    hike_view(cfg, st.session_state.hike)

folded_note()
sync_url(links.hiker_to_query(cfg))
