"""Sweep & basins: where training becomes unstable, and where each start ends (url path /sweep)."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import streamlit as st
from pydantic import BaseModel

from gdviz import settings
from gdviz.core import landscapes
from gdviz.core.momentum import MomentumMap
from gdviz.core.sweep import BasinMap, Sweep
from gdviz.figures import maps, scrub
from gdviz.figures import momentum as momentum_figs
from gdviz.figures import sweep as figs
from gdviz.settings import binding, links
from gdviz.teach import narrate
from gdviz.ui.charts import chart, clickable_chart, clicked_point, figure_cached
from gdviz.ui.choices import choice
from gdviz.ui.limits import BETA_LIMITS, limits
from gdviz.ui.optimizer import optimizer_select
from gdviz.ui.pickers import landscape_select, resolve_current, set_custom, start_inputs
from gdviz.ui.present import folded_note, presentation, prose, settings_area
from gdviz.ui.routing import route_through_app
from gdviz.ui.runs import heavy_result, momentum_family_cached, run_cached, validate_or_explain
from gdviz.ui.text import inert
from gdviz.ui.urls import state_from_url, sync_url
from gdviz.ui.viewport import stage_height

route_through_app()  # first: a deep link on a fresh server runs this page alone

# Above and below a tab's figure while presenting, in pixels: the title, the tabs and the
# folded settings.
CHROME = 200
C = TypeVar("C", bound=BaseModel)
R = TypeVar("R")
E = TypeVar("E")
SWEEP = binding.Binding(settings.SweepConfig, binding.SWEEP_KEYS, "sw_")
BASINS = binding.Binding(settings.BasinConfig, binding.BASIN_KEYS, "bs_")
DEFAULTS = {**SWEEP.defaults(), **BASINS.defaults(), "bs_click": None, "mm_click": None}


@st.cache_data(max_entries=64, show_spinner=False)
def sweeps_cached(key: str, _cfg: settings.SweepConfig) -> tuple[Sweep, Sweep]:
    """The short and the long sweep of a validated config, keyed by its JSON."""
    return settings.run_sweeps(_cfg)


@st.cache_data(max_entries=32, show_spinner=False)
def basins_cached(key: str, _cfg: settings.BasinConfig) -> BasinMap:
    """The basin map of a validated config, keyed by its JSON."""
    return settings.run_basins(_cfg)


@st.cache_data(max_entries=32, show_spinner=False)
def momentum_cached(key: str, _cfg: settings.SweepConfig) -> MomentumMap | None:
    """The (α, β) map of a validated sweep config, keyed by its JSON."""
    return settings.run_momentum(_cfg)


def choose_sweep_landscape() -> None:
    ls = resolve_current("sw_f")
    if ls is not None:
        st.session_state.sw_x0, st.session_state.sw_y0 = ls.start


def grid_from_link(size: object) -> list[int]:
    """The grid size a link set, if it is one the model allows (to offer beside the usual)."""
    lo, hi = settings.field_bounds(settings.BasinConfig, "resolution", inclusive=True)
    if type(size) is not int or lo is None or hi is None:
        return []
    return [size] if lo <= size <= hi else []


def take_basin_click() -> None:
    where = clicked_point("bs_map", maps.CLICK_GRID)
    if where is not None:
        st.session_state.bs_click = where


def take_momentum_click() -> None:
    """A click on either panel of the (α, β) map: run that pair (on the next rerun)."""
    event = st.session_state.get("mm_map")
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        alpha, beta = point.get("x"), point.get("y")
        if isinstance(alpha, int | float) and isinstance(beta, int | float):
            st.session_state.mm_click = (float(alpha), float(beta))
            return


def load_sweep(cfg: settings.SweepConfig) -> None:
    st.session_state.update(SWEEP.widgets(cfg.model_dump()))
    set_custom("sw_f", cfg)


def load_basins(cfg: settings.BasinConfig) -> None:
    st.session_state.update(BASINS.widgets(cfg.model_dump()))
    set_custom("bs_f", cfg)


def optimizer_of(binding: binding.Binding) -> dict:
    """The optimizer payload the widgets describe (Nesterov only where there is momentum)."""
    optimizer = binding.payload(st.session_state).get("optimizer", {})
    if not optimizer.get("momentum"):
        optimizer.pop("nesterov", None)
    return optimizer


def load(pair: tuple[settings.SweepConfig | None, settings.BasinConfig | None]) -> None:
    """Put the sweep and the basin map a link carries (either may be absent) into the widgets."""
    sweep0, basin0 = pair
    if sweep0 is not None:
        load_sweep(sweep0)
    if basin0 is not None:
        load_basins(basin0)


def sweep_settings() -> tuple[settings.SweepConfig | None, str]:
    """The sweep's widgets (folded away while presenting): its validated config, or ``None``
    after the problems are shown in words; and the optimizer kind."""
    with settings_area("Sweep settings"):
        c = st.columns([1.6, 1, 1, 1])
        pick = landscape_select(c[0], "sw_f", choose_sweep_landscape)
        ls = pick.landscape or landscapes.get("ravine")
        optimizer_select(c[1], "sw_kind")
        kind = st.session_state.sw_kind
        if kind in ("sgd", "rmsprop"):
            c[2].slider(
                "momentum β", step=0.01, key="sw_mom", **limits(settings.SGDConfig, "momentum")
            )
        if kind == "sgd":
            c[3].toggle("Nesterov", key="sw_nesterov", disabled=st.session_state.sw_mom == 0)
        if kind in ("adam", "adamw"):
            c[2].slider("β₁", step=0.001, key="sw_b1", format="%.3f", **BETA_LIMITS)
            c[3].slider("β₂", step=0.0001, key="sw_b2", format="%.4f", **BETA_LIMITS)
        d = st.columns(6)
        start_inputs(d[0], d[1], ls, "sw_x0", "sw_y0")
        d[2].number_input("Steps", step=50, key="sw_steps", **limits(settings.SweepConfig, "steps"))
        d[3].number_input(
            "Smallest α", format="%.3g", key="sw_lr_min", **limits(settings.SweepConfig, "lr_min")
        )
        d[4].number_input(
            "Largest α", format="%.3g", key="sw_lr_max", **limits(settings.SweepConfig, "lr_max")
        )
        d[5].number_input("Rates", step=50, key="sw_n", **limits(settings.SweepConfig, "n_rates"))
    cfg = validate_or_explain(
        settings.SweepConfig,
        {
            **SWEEP.payload(st.session_state),
            **pick.fields,
            "optimizer": optimizer_of(SWEEP),
        },
        "This sweep cannot run:",
    )
    return cfg, kind


def computed(cfg: C, kind: str, job: str, cached: Callable[[str, C], R], smaller: str) -> R | None:
    """``cached(key, cfg)`` as heavy work named ``job`` in the queue; ``None`` if it was stopped
    at its deadline (the page says so, and what to ask for instead: ``smaller``)."""
    key = cfg.model_dump_json()
    return heavy_result(
        f"Computing the {job}…",
        f"{kind}|{key}",
        f"a {job}",
        lambda: cached(key, cfg),
        smaller=smaller,
    )


def compute_sweeps(cfg: settings.SweepConfig) -> tuple[Sweep, Sweep] | None:
    """The short and the long sweep."""
    runs = f"sweep of {2 * cfg.n_rates:,} runs"
    return computed(cfg, "sweep", runs, sweeps_cached, "fewer rates or fewer steps")


def show_sweeps(cfg: settings.SweepConfig, pair: tuple[Sweep, Sweep], kind: str) -> None:
    """The sweep's figure and its report in words."""
    short, long = pair
    tall = stage_height(600 if prose() else 500, chrome=CHROME)
    s = st.session_state
    chart(
        st,
        # On a projector the sweep fits the first screen under the folded settings.
        figure_cached(
            f"sweep-{tall}",
            cfg.model_dump_json(),
            lambda: figs.sweep_figure(short, long, height=tall),
        ),
        key="sw_chart",
    )
    lines = narrate.sweep_report(
        short,
        long,
        momentum=s.sw_mom if kind in ("sgd",) else 0.0,
        nesterov=kind == "sgd" and s.sw_nesterov,
        adaptive=kind != "sgd",
    )
    st.markdown("\n\n".join(lines))


def basin_settings() -> tuple[settings.BasinConfig | None, dict]:
    """The basin map's widgets (folded away while presenting): its validated config, or
    ``None`` after the problems are shown in words; and the fields that name its landscape."""
    with settings_area("Basin map settings"):
        c = st.columns([2, 1.2, 1, 1.2, 1, 1])
        pick = landscape_select(c[0], "bs_f")
        optimizer_select(c[1], "bs_kind")
        c[2].number_input("α", format="%.4g", key="bs_lr", **limits(settings.SGDConfig, "lr"))
        if st.session_state.bs_kind in ("sgd", "rmsprop"):
            c[3].slider(
                "momentum β", step=0.01, key="bs_mom", **limits(settings.SGDConfig, "momentum")
            )
        c[4].number_input("Steps", step=50, key="bs_steps", **limits(settings.BasinConfig, "steps"))
        choice(
            c[5],
            "select_slider",
            "Grid",
            # a link may carry any size the model allows (16-256): offer it too
            sorted({32, 64, 128, 192, 256, *grid_from_link(st.session_state.get("bs_res"))}),
            key="bs_res",
            format_func=lambda n: f"{n}×{n}",
        )
    cfg = validate_or_explain(
        settings.BasinConfig,
        {**BASINS.payload(st.session_state), **pick.fields, "optimizer": optimizer_of(BASINS)},
        "This map cannot run:",
    )
    return cfg, pick.fields


def compute_basins(cfg: settings.BasinConfig) -> BasinMap | None:
    """The basin map."""
    job = f"basin map of {cfg.resolution**2:,} starts × {cfg.steps:,} steps"
    return computed(cfg, "basins", job, basins_cached, "fewer steps or a smaller grid")


def show_basins(cfg: settings.BasinConfig, basin: BasinMap, fields: dict) -> None:
    """The basin map, with the run from a clicked cell drawn on it and linked."""
    ls = cfg.surface()
    tall = stage_height(640, chrome=CHROME)
    single = run_cfg = None
    click = st.session_state.bs_click
    if click is not None and ls.contains(click):
        run_cfg = settings.RunConfig(
            **fields, optimizer=cfg.optimizer, start=click, steps=cfg.steps
        )
        path = run_cached(run_cfg.model_dump_json(), run_cfg).path  # recorded: a RunConfig's run
        single = None if path is None else path[:, 0]
    clickable_chart(
        st,
        figure_cached(
            f"basins-{click}-{tall}",
            cfg.model_dump_json(),
            lambda: figs.basin_figure(ls, basin, single=single, height=tall),
        ),
        "bs_map",
        take_basin_click,
    )
    if single is not None and run_cfg is not None:
        link = "/landscape?" + urllib.parse.urlencode(links.run_to_query(run_cfg))
        st.markdown(
            f"Single run from {narrate.point(np.array(click))}: ends at "
            f"{narrate.point(single[-1])}. [Open it on the landscape page]({link})"
        )


def compute_momentum(cfg: settings.SweepConfig) -> MomentumMap | None:
    """The (α, β) map for the sweep's landscape, start and range of α."""
    if len(cfg.surface().minima) == 0:
        st.info(
            "This function has no known minimum to measure a rate against: pick a built-in "
            "landscape, or a formula with a minimum on its map."
        )
        return None
    job = f"(α, β) map of {settings.MOMENTUM_RUNS:,} runs"
    return computed(cfg, "momentum", job, momentum_cached, "fewer steps")


def show_momentum(cfg: settings.SweepConfig, found: MomentumMap) -> None:
    """The (α, β) map, what its best pair buys, and the run of a clicked pair."""
    click = st.session_state.mm_click
    tall = stage_height(480, chrome=CHROME)
    lam = ", ".join(f"{v:.3g}" for v in found.eigenvalues)
    start = narrate.point(np.array(cfg.start))
    titles = (
        f"Theory: the quadratic at the minimum (λ = {lam})",
        f"Measured from {start}, {min(cfg.steps, settings.MOMENTUM_STEPS)} steps",
    )
    clickable_chart(
        st,
        figure_cached(
            f"momentum-{click}-{tall}",
            cfg.model_dump_json(),
            lambda: momentum_figs.momentum_figure(found, chosen=click, titles=titles, height=tall),
        ),
        "mm_map",
        take_momentum_click,
    )
    st.markdown(narrate.momentum_words(found))
    if click is not None:
        clicked_run(cfg, click)


def clicked_run(cfg: settings.SweepConfig, click: tuple[float, float]) -> None:
    """The run of the clicked (α, β) from the sweep's start: its path on the map, in words,
    and a link to it on the landscape page."""
    alpha, beta = click
    try:
        run_cfg = settings.RunConfig(
            landscape=cfg.landscape,
            bounds=cfg.bounds,
            expression=cfg.expression,
            optimizer=settings.SGDConfig(lr=alpha, momentum=beta),
            start=cfg.start,
            steps=cfg.steps,
        )
    except ValueError as error:  # a pair outside what a run accepts
        st.error(f"This pair cannot run: {inert(error)}")
        return
    key = run_cfg.model_dump_json()
    traj = run_cached(key, run_cfg)
    report = narrate.landscape_report(run_cfg.surface(), traj, momentum=beta)
    link = "/landscape?" + urllib.parse.urlencode(links.run_to_query(run_cfg))
    st.markdown(
        f"**Your run: α = {alpha:.3g}, β = {beta:.2f}** from "
        f"{narrate.point(np.array(cfg.start))}: {report.status}; final loss "
        f"{report.final_loss}. [Open it on the landscape page]({link})"
    )
    # The clicked pair in the β scrubber: every β at this α from the same start, your β
    # first, drawn in the browser as the slider moves (the map above is their end points).
    family = momentum_family_cached(key, run_cfg)
    tall = stage_height(520, chrome=CHROME)
    shown = figure_cached(
        f"momentum-scrub-{tall}",
        key,
        lambda: scrub.landscape_scrub_figure(
            run_cfg.surface(), family, narrate.family_lines(family), height=tall
        ),
    )
    chart(st, shown, key="mm_run")
    if prose():
        st.caption(
            f"Drag the β slider under the chart: α = {alpha:.3g} with momentum from 0 to "
            "0.98, from the same start, drawn in your browser. Dotted: the clicked β's path. "
            f"The colour says how the run goes: {narrate.SCRUB_COLOURS}; "
            f"{narrate.STABLE_BETA_MARK}."
        )


def tab(
    caption: str,
    read: Callable[[], tuple[C | None, E]],
    compute: Callable[[C], R | None],
    show: Callable[[C, R, E], None],
) -> C | None:
    """One tab, settings → compute → show: its caption (not while presenting), its settings
    (``read``: the validated config or ``None``, and what ``show`` needs besides), the heavy
    work, and what it shows; the config, for the link."""
    if prose():
        st.caption(caption)
    cfg, extra = read()
    result = compute(cfg) if cfg is not None else None
    if cfg is not None and result is not None:
        show(cfg, result, extra)
    return cfg


# -- settings → compute → show -----------------------------------------------------------------
presentation()
# From the link on the first run (?s= the sweep, ?b= the basin map).
state_from_url("sw_from_url", links.sweep_from_query, load, DEFAULTS)

st.title("Sweep & basins: where training breaks, where it ends")
sweep_tab, basin_tab, momentum_tab = st.tabs(
    ["Learning-rate sweep", "Basins of attraction", "Momentum (α, β)"]
)
with sweep_tab:
    sweep_cfg = tab(
        "Hundreds of runs, one per learning rate, from the same start, in one vectorised "
        "call. Each rate is sorted into a region; the dashed line is the critical rate the "
        "Hessian predicts, the dotted one where runs actually start to diverge.",
        sweep_settings,
        compute_sweeps,
        show_sweeps,
    )
with basin_tab:
    basin_cfg = tab(
        "Every cell of the map is a start point; each is coloured by the minimum its run "
        "ends at. Change the optimizer or the learning rate and watch the basins deform. "
        "Click a cell to run from there.",
        basin_settings,
        compute_basins,
        show_basins,
    )

with momentum_tab:
    if prose():
        st.caption(
            "SGD with momentum β at every (α, β): the colour is how many steps a run takes to a "
            "millionth of its distance to the minimum (empty: diverges); left in closed form, "
            "right measured. Click a pair to run it."
        )
    if sweep_cfg is None:
        st.info("Set a sweep that can run (first tab): this map uses its landscape, start and α.")
    else:
        found = compute_momentum(sweep_cfg)
        if found is not None:
            show_momentum(sweep_cfg, found)

folded_note()
sync_url(
    {
        **({"s": links.model_to_link(sweep_cfg)} if sweep_cfg is not None else {}),
        **({"b": links.model_to_link(basin_cfg)} if basin_cfg is not None else {}),
    }
)
