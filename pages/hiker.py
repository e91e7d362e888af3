"""The Hiker: gradient descent on a 1-D curve, one step at a time (url path /hiker)."""

from __future__ import annotations

import numpy as np
import streamlit as st

from gdviz import settings
from gdviz.core import export
from gdviz.core.scrub import Family
from gdviz.figures import gif
from gdviz.figures.hiker import curve_figure, curve_spec, loss_steps_spec
from gdviz.figures.scrub import curve_scrub_figure
from gdviz.figures.style import PATH, standalone_html
from gdviz.settings import links
from gdviz.teach import hiker, narrate
from gdviz.ui import rates
from gdviz.ui.charts import chart, figure_cached
from gdviz.ui.choices import choice
from gdviz.ui.exports import exports
from gdviz.ui.pickers import keep_on_map, landscape_select, resolve_current, set_custom
from gdviz.ui.present import folded_note, presentation, prose
from gdviz.ui.rate_pick import rate_pick
from gdviz.ui.replay import button
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import validate_or_explain
from gdviz.ui.urls import state_from_url, sync_url

route_through_app()
presentation()

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


def choose_curve() -> None:
    curve = resolve_current("hiker_f", dim=1)
    if curve is None:
        return
    st.session_state.hiker_x0 = curve.start[0]
    rates.suggest("hiker_lr", curve.lr, f"suggested for {curve.title}", follow=mirror_rate)
    restart()


def mirror_rate(lr: float) -> None:
    """The slider shows the rate nearest the box's (the two are one setting)."""
    st.session_state.hiker_lr_slider = nearest_choice(lr)


def lr_from_slider() -> None:
    st.session_state.hiker_lr = st.session_state.hiker_lr_slider
    rates.mark_touched("hiker_lr")


def lr_from_box() -> None:
    st.session_state.hiker_lr_slider = nearest_choice(st.session_state.hiker_lr)
    rates.mark_touched("hiker_lr")


def use_rate(lr: float) -> None:
    """The scrubbed rate becomes the hiker's α (his next steps take it; the link carries it)."""
    st.session_state.hiker_lr = lr
    lr_from_box()  # the user's choice: marks the rate as theirs


@st.cache_resource(max_entries=32, show_spinner=False)
def hiker_family(cfg_json: str) -> Family:
    """The scrubber's family for a hiker config (keyed by its JSON; its steps do not matter)."""
    return settings.run_hiker_family(settings.HikerConfig.model_validate_json(cfg_json))


def walk(n: int) -> None:
    st.session_state.hike = hiker.step(st.session_state.hike, st.session_state.hiker_lr, n)


def undo() -> None:
    st.session_state.hike = hiker.back(st.session_state.hike)


# -- state: from the link on the first run, from the widgets afterwards -----------------------
def load(cfg: settings.HikerConfig) -> None:
    """Put a validated config into the widgets, and walk the steps the link says."""
    s = st.session_state
    s.hiker_f, s.hiker_lr, s.hiker_x0 = cfg.landscape, cfg.lr, cfg.x0
    s.hiker_lr_slider = nearest_choice(cfg.lr)
    set_custom("hiker_f", cfg)
    s.hike = hiker.replay(cfg.surface(), cfg.x0, cfg.walked())


state_from_url("hiker_from_url", links.hiker_from_query, load, {"hiker_view": VIEWS[0]})

st.title("The hiker: gradient descent in one dimension")

controls, view = st.columns([1, 2.6], gap="large")
with controls:
    pick = landscape_select(st, "hiker_f", choose_curve, dim=1)
    curve = pick.shown  # while a typed formula is rejected: the last one that worked
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
        on_change=lr_from_box,
    )
    rates.offer(st, "hiker_lr", follow=mirror_rate)
    ((lo, hi),) = curve.bounds
    keep_on_map("hiker_x0", lo, hi, "the start")
    st.slider(
        "Start position", min_value=lo, max_value=hi, step=0.1, key="hiker_x0", on_change=restart
    )
    at_cap = st.session_state.hike.steps >= hiker.MAX_STEPS
    stopped = at_cap or st.session_state.hike.diverged  # the verdict says why
    b1, b2 = st.columns(2)
    button(
        b1,
        "Step",
        key="hiker_step",
        on_click=walk,
        args=(1,),
        type="primary",
        width="stretch",
        disabled=stopped,
    )
    button(
        b2,
        "Run 10",
        key="hiker_run10",
        on_click=walk,
        args=(10,),
        width="stretch",
        disabled=stopped,
    )
    b3, b4 = st.columns(2)
    button(b3, "Back", key="hiker_back", on_click=undo, width="stretch")
    button(b4, "Reset", key="hiker_reset", on_click=restart, width="stretch")
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
    if at_cap:
        st.info(
            f"The hiker has taken {hiker.MAX_STEPS:,} steps, the most one hike keeps. Press "
            "Back or Reset, or pick another start or rate, to walk on.",
            icon=":material/flag:",
        )
    st.latex(curve.formula)
    if curve.gradient_formula:
        st.latex(curve.gradient_formula)
    if prose():
        st.markdown(curve.blurb)

if pick.landscape is None:  # the formula's message is beside it; every setting is kept
    st.stop()
cfg = validate_or_explain(
    settings.HikerConfig,
    {
        **pick.fields,
        "lr": st.session_state.hiker_lr,
        "x0": st.session_state.hiker_x0,
        "steps": st.session_state.hike.steps,
        "earlier": hiker.earlier_runs(st.session_state.hike, st.session_state.hiker_lr),
    },
    "These settings cannot run:",
)
if cfg is None:
    st.stop()

hike: hiker.Hike = st.session_state.hike
if hike.curve is not curve:  # the formula or its bounds changed: start again on the new curve
    hike = st.session_state.hike = hiker.start(curve, cfg.x0)
    cfg = cfg.model_copy(update={"steps": 0, "earlier": ()})
with view:
    # The numbers, then the curve, then the words: on a 1280×720 projector the status line,
    # the hiker on his curve and the update rule with its numbers share the first screen.
    st.markdown(f"##### `{hiker.status_line(hike)}`")
    if st.session_state.hiker_view == VIEWS[0]:
        chart(
            st,
            curve_spec(curve, np.array(hike.positions), cfg.lr, height=410),
            key="hiker_curve",
        )
    else:
        family_key = cfg.model_copy(update={"steps": 0, "earlier": ()}).model_dump_json()
        family = hiker_family(family_key)
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
            "how it goes: green converging, blue too slow, orange oscillating, red diverging."
        )
    st.markdown(f"**Next update:** {hiker.update_rule(hike, cfg.lr)}")
    judgement = hiker.verdict(hike, cfg.lr)
    VERDICT_BOX[judgement.kind](f"**{judgement.headline}** {judgement.detail}")
    if prose():
        st.caption(
            "The hiker is blindfolded and can only feel the slope under his feet. Each step he "
            "moves against the slope, by the learning rate α times its steepness: "
            "x ← x − α·L'(x)."
        )
    exports(
        st,
        "hiker_export",
        f"gdviz-hike-{cfg.landscape}-lr{cfg.lr:g}",
        html=lambda: standalone_html(
            curve_figure(curve, np.array(hike.positions), cfg.lr), f"gdviz hike: {curve.title}"
        ),
        csv=lambda: export.hike_csv(curve, hike.positions, hike.rates),
        cfg=cfg,
        load=load,
        cache_key=f"{cfg.model_dump_json()}|{hike.rates}",  # a hike may change rate mid-way
        gif=lambda: gif.hike_gif(
            curve, np.array(hike.positions), f"{curve.title}, α = {cfg.lr:g}", colour=PATH
        ),
    )
    losses = hiker.losses(hike)
    st.markdown("**Loss after each step**")
    chart(
        st,
        loss_steps_spec(losses, curve.global_min),
        key="hiker_losses",
    )

folded_note()
sync_url(links.hiker_to_query(cfg))
