"""Streamlit glue shared by the pages: caching, URL start-up, small display helpers.

Everything here is about Streamlit itself; maths lives in ``gdviz`` and figures in
``gdviz.figures``. (This module is imported by the page scripts; it is not a page.)
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import streamlit as st
from pydantic import BaseModel, ValidationError

from gdviz import settings
from gdviz.core import landscapes
from gdviz.core.descent import TooLongError, Trajectory
from gdviz.core.echo import clip
from gdviz.core.landscapes.base import Landscape
from gdviz.core.optim import ADAM_BETAS
from gdviz.core.scrub import Family
from gdviz.expr import DEFAULT_BOUNDS, FUNCTIONS
from gdviz.figures.style import projector
from gdviz.serve import HeavyLimit, heavy_slots
from gdviz.settings import deck, links
from gdviz.ui.choices import choice
from gdviz.ui.text import inert

FULLSCREEN_JS = (Path(__file__).with_name("fullscreen.js")).read_text(encoding="utf-8")
FOLLOW_JS = (Path(__file__).with_name("follow.js")).read_text(encoding="utf-8")


def presenting() -> bool:
    """Whether this session is in presentation mode (``pages.present`` turns it on and off;
    :func:`chart` and :func:`sync_url` follow it)."""
    return bool(st.session_state.get("present"))


def chart(where: Any, figure: go.Figure | dict, key: str, **kwargs: Any) -> Any:
    """``st.plotly_chart`` as every page draws a figure (a ``go.Figure``, a sealed one, or
    the plain dict of a ``*_spec`` builder).

    ``theme=None``: Streamlit's chart theme would override the figure's projector-size fonts
    (17 px asked, 12.75 px drawn). The modebar's Fullscreen keeps the animation (see
    :func:`load_page_scripts`). ``kwargs`` go to ``st.plotly_chart``
    (``on_select``, ``selection_mode``, ``config`` additions).
    """
    config = {"displaylogo": False, **kwargs.pop("config", {})}
    if isinstance(figure, dict):  # a *_spec builder's dict: sent as it is, not re-checked
        figure = SealedFigure(figure)
    if presenting():
        sealed = figure if isinstance(figure, SealedFigure) else SealedFigure(figure)
        figure = sealed.for_projector()
    if isinstance(figure, SealedFigure):
        figure = figure.served(key)
    return where.plotly_chart(figure, key=key, width="stretch", theme=None, config=config, **kwargs)


SCRUB_CSS = """
button {
  font: inherit; font-size: 1rem; line-height: 1.6; width: 100%;
  padding: 0.3rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
  color: var(--st-text-color, #31333F); background: var(--st-background-color, white);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
}
button:hover:enabled {
  border-color: var(--st-primary-color, #0072B2); color: var(--st-primary-color, #0072B2);
}
button:disabled { cursor: default; opacity: 0.6; }
"""
_RATE_PICK = st.components.v2.component(
    "gdviz_rate_pick",
    css=SCRUB_CSS,
    js=(Path(__file__).with_name("scrub.js")).read_text(encoding="utf-8"),
)


def rate_pick(
    key: str, chart_key: str, rates: Any, chosen: int, on_pick: Callable[[float], None]
) -> None:
    """The "Use α = …" button under a rate scrubber (chart ``chart_key``): it follows the
    scrubber's slider in the browser, and a click calls ``on_pick(rate)`` (one rerun). A rate
    that is not one of ``rates (M,)`` (a stale or forged message) is ignored."""
    offered = [float(r) for r in rates]

    def picked() -> None:
        event = st.session_state.get(key)
        value = getattr(event, "pick", None)
        if isinstance(value, int | float) and float(value) in offered:
            on_pick(float(value))

    _RATE_PICK(
        key=key,
        data={
            "chart": chart_key,
            "rates": offered,
            "labels": [f"{r:.4g}" for r in offered],
            "chosen": int(chosen),
        },
        on_pick_change=picked,
    )


# A projector shows 1280×720: the page starts near the top (Streamlit leaves 6rem), so a
# page's title, its figure and the figure's Play / slider fit on one screen.
PAGE_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-bottom: 3rem; }
[data-testid="stMetricValue"] { font-size: 1.7rem; }
</style>
"""


def load_page_scripts() -> None:
    """The page-wide style and scripts every page needs (compact top, the Fullscreen that keeps
    animations, one animation step across the landscape's map and 3-D views); called once per
    run by the entry point. Each script guards itself against running twice."""
    st.html(
        PAGE_CSS + f"<script>{FULLSCREEN_JS}</script><script>{FOLLOW_JS}</script>",
        unsafe_allow_javascript=True,
    )


def route_through_app() -> None:
    """Make a deep link work on a freshly started server. Call first in every page script.

    Streamlit 1.67 keeps a process-wide flag that is true while a ``pages/`` folder exists and
    no session has yet called ``st.navigation``. While it is true, a first request for
    ``/landscape`` runs ``pages/landscape.py`` on its own ("v1" multipage mode), skipping
    ``app.py``: no wide layout, and every file in ``pages/`` in the sidebar. Clearing the flag
    (exactly what ``st.navigation`` does) and rerunning lets ``app.py`` route the same URL.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future Streamlit without the v1 fallback: nothing to do
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


# One heavy computation per core at a time in this server process (see gdviz.serve.limit).
HEAVY = HeavyLimit(heavy_slots())


@contextmanager
def heavy(
    what: str, key: str, job: str, *, when: bool = True, smaller: str = "a smaller request"
) -> Iterator[None]:
    """Run the block as heavy work (a basin map, a sweep, a large training): at most one per
    core at a time in this process. A session that must wait sees its place in line; one whose
    result is already computed here (``key``) does not wait. ``what`` is the spinner's text
    while it runs, ``job`` names it in the queue ("65,536 starts × 1,000 steps"); ``when``
    false runs the block at once (light work).

    Work past its deadline (``TooLongError``, ``settings.MAX_SECONDS``) ends the block with a
    sentence that names the job and what to ask for instead (``smaller``); the page goes on
    without the block's result, so the caller sets its defaults before the block."""
    if not when:
        yield
        return
    note = st.empty()

    def waiting(place: int) -> None:
        note.info(
            f"Queued: this server runs {HEAVY.slots} heavy "
            f"{'computation' if HEAVY.slots == 1 else 'computations'} at a time, and yours "
            f"({job}) is number {place} in line. It starts as soon as one finishes.",
            icon=":material/hourglass_top:",
        )

    try:
        # Past the deadline the job leaves the queue unfinished: its key is not remembered as
        # computed, so asking again waits its turn again.
        with HEAVY.turn(key, waiting):
            note.empty()
            with st.spinner(what):
                yield
    except TooLongError as error:
        note.error(
            f"This server stopped {job} after {error.seconds:g} s, at step {error.step:,} "
            f"of {error.steps:,}: one request may hold a core at most that long, so the "
            f"work of a whole class stays fair. Try {smaller}.",
            icon=":material/timer_off:",
        )


@st.cache_data(max_entries=256, show_spinner=False)
def run_cached(cfg_json: str) -> Trajectory:
    """The trajectory of a validated run config (keyed by its JSON), shared across sessions."""
    return settings.run(settings.RunConfig.model_validate_json(cfg_json))


@st.cache_resource(max_entries=32, show_spinner=False)
def family_cached(cfg_json: str) -> Family:
    """The rate scrubber's family of runs for a validated run config (keyed by its JSON),
    shared across sessions and read-only (``cache_resource``: no copy per rerun)."""
    return settings.run_family(settings.RunConfig.model_validate_json(cfg_json))


PNG_URI = "data:image/png;base64,"


class SealedFigure(go.Figure):
    """A finished figure that hands out one stored dict: ``st.plotly_chart`` calls
    ``to_dict()`` on every rerun, which deep-copies the whole figure (its frames included)
    each time; a sealed one costs nothing after the first. Read-only by contract: the pages
    never change a figure after building it.

    Its map pictures (PNG data URIs in ``layout.images``) can also be *served*: see
    :meth:`served`. ``to_dict()`` itself keeps them inline, for exports that play offline.
    """

    def __init__(self, figure: go.Figure | dict) -> None:
        # An empty figure without plotly's default template: to_dict() never shows it, and
        # copying that template in cost more than the rest of sealing.
        super().__init__(layout={"template": "none"})
        self._sealed = figure if isinstance(figure, dict) else figure.to_dict()
        self._pictures = {
            index: base64.b64decode(image["source"][len(PNG_URI) :])
            for index, image in enumerate(self._sealed.get("layout", {}).get("images", []))
            if str(image.get("source", "")).startswith(PNG_URI)
        }
        self._served: SealedFigure | None = None
        self._projector: SealedFigure | None = None

    def for_projector(self) -> SealedFigure:
        """This figure restyled for presentation mode (``style.projector``), made once."""
        if self._projector is None:
            self._projector = SealedFigure(projector(self._sealed))
        return self._projector

    def to_dict(self) -> dict:
        return self._sealed

    def to_plotly_json(self) -> dict:
        return self._sealed

    def served(self, key: str) -> SealedFigure:
        """This figure with its pictures as URLs the server keeps for the current session
        (Streamlit's media files, content-addressed), so a new path over the same landscape
        sends the picture once: the browser already holds that URL. Registered anew on every
        run, as Streamlit's own images are (a run drops the last run's media). Without a
        running server (tests), or if Streamlit's media store changes, the figure is sent as
        it is."""
        if not self._pictures:
            return self
        try:
            from streamlit import runtime

            media = runtime.get_instance().media_file_mgr
            urls = {
                index: media.add(png, "image/png", f"gdviz-picture.{key}.{index}")
                for index, png in self._pictures.items()
            }
        except (RuntimeError, AttributeError, TypeError):  # no runtime, or its API changed
            return self
        if self._served is None:
            layout = self._sealed["layout"]
            images = [
                {**image, "source": urls.get(index, image["source"])}
                for index, image in enumerate(layout["images"])
            ]
            self._served = SealedFigure({**self._sealed, "layout": {**layout, "images": images}})
        return self._served


@st.cache_resource(max_entries=64, show_spinner=False)
def figure_cached(kind: str, key: str, _build: Callable[[], go.Figure | dict]) -> go.Figure:
    """A built figure (a ``go.Figure``, or the plain dict of a ``*_spec`` builder), keyed by
    its kind and the config it shows, sealed (see :class:`SealedFigure`).

    ``cache_resource`` (not ``cache_data``): a cached figure is handed back as the same object.
    ``cache_data`` would unpickle a copy on every rerun, and unpickling re-validates the whole
    figure (about 0.2 s for an animated map). The pages treat figures as read-only.
    """
    return SealedFigure(_build())


def button(
    where: Any,
    label: str,
    *,
    key: str,
    on_click: Callable[..., None],
    args: tuple = (),
    **kwargs: Any,
) -> None:
    """``where.button`` whose action runs once per click, even the first click after a server
    restart.

    A tab that reconnects to a restarted server replays the click into a fresh session, where
    Streamlit runs no callback (it has not yet seen the widget), so an ``on_click`` alone drops
    that click. The button then still returns ``True``: when it does and the callback did not
    run, the action runs now and the page reruns to show it.
    """
    ran = f"_{key}_ran"

    def run() -> None:
        st.session_state[ran] = True
        on_click(*args)

    clicked = where.button(label, key=key, on_click=run, **kwargs)
    if clicked and not st.session_state.pop(ran, False):
        on_click(*args)
        st.rerun()


def replayed_states() -> dict[str, Any]:
    """The serialised widget states (``WidgetState`` protos, by widget key) that the browser
    sent into this run and the session has not decoded yet.

    On a session's first run these exist only when a tab reconnects to a restarted server and
    replays its widgets. They come from Streamlit's session state internals, guarded: a
    Streamlit without them gives nothing (the link then wins, as before).
    """
    try:
        from streamlit.runtime.state.common import user_key_from_element_id
        from streamlit.runtime.state.session_state_proxy import get_session_state

        states = get_session_state()._state._new_widget_state.states
    except (ImportError, AttributeError):
        return {}
    replayed = {}
    for wid, wstate in states.items():
        proto, key = getattr(wstate, "value", None), user_key_from_element_id(wid)
        if key is not None and hasattr(proto, "WhichOneof") and proto.WhichOneof("value"):
            replayed[key] = proto
    return replayed


def replayed_values() -> dict[str, Any]:
    """The numbers and switches among :func:`replayed_states`, decoded: only plain numbers
    and booleans are taken (the session cannot decode the rest before their widgets exist)."""
    values: dict[str, Any] = {}
    for key, proto in replayed_states().items():
        kind = proto.WhichOneof("value")
        if kind in ("double_value", "int_value", "bool_value"):
            values[key] = getattr(proto, kind)
        elif kind == "double_array_value" and len(proto.double_array_value.data) == 1:
            values[key] = proto.double_array_value.data[0]  # a one-handle slider
    return values


def replayed_upload(key: str) -> bool:
    """Whether a reconnecting tab still shows a file in uploader ``key``: after a server
    restart the file itself is gone, while the browser keeps showing it."""
    proto = replayed_states().get(key)
    kind = proto.WhichOneof("value") if proto is not None else None
    return kind == "file_uploader_state_value" and bool(
        proto.file_uploader_state_value.uploaded_file_info
    )


def once_from_url(
    flag: str, parse: Callable[[Mapping[str, Any]], tuple[Any, list[str]]]
) -> tuple[Any, list[str]] | None:
    """On a session's first run, the config the URL describes and warnings about bad values;
    ``None`` on later runs (the widgets own the state from then on)."""
    if st.session_state.get(flag):
        return None
    st.session_state[flag] = True
    return parse(st.query_params.to_dict())


def keep_replayed(load: Callable[[Any], None]) -> Callable[[Any], None]:
    """``load`` (which puts a config from the link into the widgets) that then puts back the
    numbers and switches a reconnecting tab replayed: they are newer than its link, which lags
    one rerun behind what was just typed. A value is put back only over one of its own type."""

    def wrapped(cfg: Any) -> None:
        replayed = replayed_values()
        load(cfg)
        for key, value in replayed.items():
            loaded = st.session_state.get(key)
            if type(loaded) is int and isinstance(value, float) and value.is_integer():
                value = int(value)  # an integer slider travels as a float
            if type(loaded) is type(value):
                st.session_state[key] = value

    return wrapped


def clicked_point(chart_key: str, curve: int, digits: int = 3) -> tuple[float, float] | None:
    """Where the last click on chart ``chart_key`` hit trace ``curve`` (a map's invisible grid
    of click targets), rounded to ``digits`` decimals; ``None`` if it hit nothing there."""
    event = st.session_state.get(chart_key)
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        if point.get("curve_number") == curve:
            return round(float(point["x"]), digits), round(float(point["y"]), digits)
    return None


def state_from_url(
    flag: str,
    parse: Callable[[Mapping[str, Any]], tuple[Any, list[str]]],
    load: Callable[[Any], None],
    defaults: Mapping[str, Any],
) -> None:
    """Set a page's widget state: from the link on the session's first run (``load`` puts the
    parsed config into the widgets; bad values are warned about), then ``defaults`` for every
    key that has none. Streamlit forgets the state of a widget that was not drawn on the last
    run (an optimizer's hyperparameters while another optimizer is chosen), so the defaults are
    restored on every run, before anything is drawn."""
    from_url = once_from_url(flag, parse)
    if from_url is not None:
        keep_replayed(load)(from_url[0])
        show_url_warnings(from_url[1])
    for name, value in defaults.items():
        st.session_state.setdefault(name, value)


MAX_ECHO = 600
"""Longest text of a user's quoted back on a page (a warning, an error): whatever the source."""


def show_url_warnings(warnings: list[str]) -> None:
    """Each warning about the link, inert and clipped to :data:`MAX_ECHO` characters; at most
    five boxes (the rest counted in the last)."""
    shown = warnings[:5]
    if len(warnings) > 5:
        shown[-1] += f" (and {len(warnings) - 4} more problems with the link)"
    for message in shown:
        st.warning(inert(clip(message, MAX_ECHO)), icon=":material/warning:")


def sync_url(query: dict[str, str]) -> None:
    """Write the current settings to the address bar, so the link reproduces this view (and
    its presentation mode)."""
    if presenting():
        query = {**query, "present": "1"}
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


CUSTOM_LABEL = "Custom formula…"  # a select shows one line: short enough for the sidebar
EXAMPLE_FORMULA = {2: "x**2 + 10*y**2", 1: "x**4 - 3*x**2 + x"}


@dataclass(frozen=True)
class Pick:
    """The landscape a picker chose (``None`` if a typed formula was rejected), the config
    fields that name it (``landscape``, and for a custom one ``expression`` and ``bounds``),
    and the landscape to lay the page's other widgets out against: the chosen one, or while a
    formula is rejected the last one that worked (so a typo changes no other setting)."""

    landscape: Landscape | None
    fields: dict[str, Any]
    shown: Landscape


def landscape_select(
    where: Any, key: str, on_change: Callable[[], None] | None = None, dim: int = 2
) -> Pick:
    """A select of the built-in landscapes of ``dim`` variables plus "Custom…", which opens a
    formula box and plot bounds (x from / to on one row, y on the next).

    ``on_change`` runs when another landscape is picked (a new landscape may suggest its own
    start and rate). Editing the formula or its bounds runs nothing: every other setting is
    kept, and only a start left off a smaller map is moved onto it (:func:`start_inputs` says
    so). A rejected formula shows its message (with the column) and returns ``Pick(None, …)``
    with the last landscape that worked, so the caller draws its other widgets as before.
    """
    names = [*landscapes.names(dim=dim), settings.CUSTOM]
    choice(
        where,
        "selectbox",
        "Landscape" if dim == 2 else "Loss curve",
        names,
        key=key,
        on_change=on_change,
        format_func=lambda n: CUSTOM_LABEL if n == settings.CUSTOM else landscapes.get(n).title,
    )
    name = st.session_state[key]
    good = f"{key}_good"
    if name != settings.CUSTOM:
        st.session_state[good] = landscapes.get(name)
        return Pick(st.session_state[good], {"landscape": name}, st.session_state[good])
    axes = "xy"[:dim]
    text, bounds = _custom_fields(key, dim)
    st.session_state.setdefault(f"{key}_expr", text)
    for axis, (lo, hi) in zip(axes, bounds, strict=True):
        st.session_state.setdefault(f"{key}_{axis}min", lo)
        st.session_state.setdefault(f"{key}_{axis}max", hi)
    where.text_input(
        f"L({', '.join(axes)}) =",
        key=f"{key}_expr",
        max_chars=300,
        help="Numbers, "
        + " and ".join(axes)
        + ", pi, e, + - * / ** (or ^), parentheses, and "
        + ", ".join(FUNCTIONS)
        + ". Nothing else is accepted.",
    )
    for axis in axes:
        low, high = where.columns(2)
        for cell, end, label in ((low, "min", "from"), (high, "max", "to")):
            cell.number_input(
                f"{axis} {label}",
                key=f"{key}_{axis}{end}",
                step=0.5,
                min_value=-1e4,
                max_value=1e4,
            )
    text, bounds = _custom_fields(key, dim)
    fields = {"landscape": settings.CUSTOM, "expression": text, "bounds": bounds}
    try:
        st.session_state[good] = settings.resolve_landscape(settings.CUSTOM, text, bounds, dim)
        return Pick(st.session_state[good], fields, st.session_state[good])
    except ValueError as error:
        where.error(f"Cannot use this function: {inert(error)}")
        fallback = st.session_state.get(good) or settings.resolve_landscape(
            settings.CUSTOM, EXAMPLE_FORMULA[dim], DEFAULT_BOUNDS[dim], dim
        )
        return Pick(None, fields, fallback)


def _custom_fields(key: str, dim: int) -> tuple[str, tuple[tuple[float, float], ...]]:
    """The formula and bounds a custom picker holds (defaults before its widgets exist)."""
    text = st.session_state.get(f"{key}_expr", EXAMPLE_FORMULA[dim])
    bounds = tuple(
        (
            float(st.session_state.get(f"{key}_{axis}min", lo)),
            float(st.session_state.get(f"{key}_{axis}max", hi)),
        )
        for axis, (lo, hi) in zip("xy", DEFAULT_BOUNDS[dim], strict=False)
    )
    return text, bounds


def resolve_current(key: str, dim: int = 2) -> Landscape | None:
    """The landscape a picker currently names, for callbacks (which run before the widgets are
    drawn); ``None`` while a typed formula is rejected."""
    name = st.session_state[key]
    if name != settings.CUSTOM:
        return landscapes.get(name)
    text, bounds = _custom_fields(key, dim)
    try:
        return settings.resolve_landscape(settings.CUSTOM, text, bounds, dim)
    except ValueError:
        return None


def set_custom(key: str, cfg: Any) -> None:
    """Put a config's custom formula and bounds into the picker's widgets."""
    if cfg.landscape != settings.CUSTOM:
        return
    st.session_state[f"{key}_expr"] = cfg.expression
    for axis, (lo, hi) in zip("xy", cfg.bounds or (), strict=False):
        st.session_state[f"{key}_{axis}min"], st.session_state[f"{key}_{axis}max"] = lo, hi


def keep_on_map(key: str, lo: float, hi: float, name: str) -> None:
    """Move the start coordinate in ``key`` onto ``[lo, hi]`` if a smaller map (new bounds for
    a typed formula) left it off, and say so. (Streamlit refuses a widget value outside its
    range, so this runs before the widget is drawn.)"""
    if key not in st.session_state:
        return
    old = float(st.session_state[key])
    st.session_state[key] = min(max(old, lo), hi)
    if st.session_state[key] != old:
        st.toast(
            f"The start was off the new map: {name} moved from {old:g} to "
            f"{st.session_state[key]:g}.",
            icon=":material/open_with:",
        )


def start_inputs(x_where: Any, y_where: Any, landscape: Landscape, x_key: str, y_key: str) -> None:
    """Number inputs for a start point, limited to the landscape's map."""
    (x_lo, x_hi), (y_lo, y_hi) = landscape.bounds
    keep_on_map(x_key, x_lo, x_hi, "x₀")
    keep_on_map(y_key, y_lo, y_hi, "y₀")
    x_where.number_input("x₀", min_value=x_lo, max_value=x_hi, step=0.1, key=x_key, format="%.3f")
    y_where.number_input("y₀", min_value=y_lo, max_value=y_hi, step=0.1, key=y_key, format="%.3f")


# Adam's betas are a pair: each bounded like the model's Beta.
BETA_LIMITS = {"min_value": settings.BETA_RANGE[0], "max_value": settings.BETA_RANGE[1]}


def lesson_select(where: Any, key: str, titles: list[str], load: Callable[[str], None]) -> None:
    """A select of one-click lessons: choosing one loads it at once, and the select shows the
    lesson the settings still match (the page reports that with :func:`lesson_matched`), or
    "Choose a lesson…": never the name of a lesson that is not what the page shows."""
    state = st.session_state
    state[key] = state.get(f"{key}_now")

    def pick() -> None:
        if state[key] is not None:
            load(state[key])
            state[f"{key}_now"] = state[key]

    choice(
        where,
        "selectbox",
        "Load a lesson",
        titles,
        key=key,
        allow_none=True,
        placeholder="Choose a lesson…",
        on_change=pick,
    )


def lesson_matched(key: str, cfg: BaseModel, lessons: Mapping[str, Any]) -> str | None:
    """The title of the lesson whose settings ``cfg`` are (a lesson is a config, or holds one
    as ``.config``), or ``None``; remembered for the lesson select's next run."""
    title = next((t for t, v in lessons.items() if getattr(v, "config", v) == cfg), None)
    st.session_state[f"{key}_now"] = title
    return title


def validate_or_explain(model: type[BaseModel], payload: dict, lead: str) -> Any:
    """``model`` validated from ``payload``, or ``None`` after showing every problem in words
    (never a traceback)."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        lines = "\n".join(f"- {inert(line)}" for line in settings.explain_errors(error))
        st.error(f"{lead}\n\n{lines}")
        return None


def exports(
    where: Any,
    key: str,
    name: str,
    html: Callable[[], str],
    csv: Callable[[], str],
    cfg: BaseModel,
    load: Callable[[Any], None],
    gif: Callable[[], bytes] | None = None,
    cache_key: str | None = None,
) -> None:
    """Downloads of the view (standalone HTML that plays with no server; with ``gif``, an
    animated GIF for slides), its numbers (CSV) and its settings (JSON), each built only when
    its button is clicked and then cached per setting (``cache_key``: what the export shows,
    by default the config's JSON); and an upload that loads such settings back into the
    page's widgets."""
    kinds = "HTML, GIF, CSV, settings" if gif is not None else "HTML, CSV, settings"
    with where.expander(f"Export or load: {kinds}", icon=":material/download:"):
        downloads = [  # (label, file name ending, MIME type, what it is, its data)
            ("Animation (HTML)", ".html", "text/html",
             "One file that plays with no network: open it from a USB stick.", html),
            *([("Slides (GIF)", ".gif", "image/gif",
                "960×540, 12 frames a second: drops into any slide deck.", gif)]
              if gif is not None else []),
            ("Numbers (CSV)", ".csv", "text/csv",
             "One row per run and step: position, loss, gradient norm, rate, status.", csv),
            ("Settings (JSON)", "-settings.json", "application/json",
             "Load it back below (or share the page's link) for the identical run.",
             cfg.model_dump_json(indent=2)),
        ]  # fmt: skip
        # Two buttons a row: four side by side are cut off in a narrow column (the hiker's).
        cells = [cell for _ in range(0, len(downloads), 2) for cell in st.columns(2)]
        for cell, (label, ending, mime, what, data) in zip(cells, downloads, strict=False):
            cell.download_button(
                label,
                data=_cached_export(ending, cache_key or cfg.model_dump_json(), data)
                if callable(data)
                else data,
                file_name=f"{name}{ending}",
                mime=mime,
                key=f"{key}_{re.sub(r'[^a-z]+', '_', ending).strip('_')}",
                help=what,
                width="stretch",
                # A download changes nothing on the page, so no rerun: a rerun would redraw
                # the buttons and revoke the file being fetched (a lost download, 1 in ~10).
                on_click="ignore",
            )

        def load_file() -> None:
            file = st.session_state.get(f"{key}_load")
            if file is None:
                return
            raw = file.getvalue()[:MAX_SETTINGS_BYTES]
            try:
                load(type(cfg).model_validate_json(raw))
                st.session_state[f"{key}_load_error"] = None
            except (ValidationError, ValueError) as error:
                st.session_state[f"{key}_load_error"] = f"{file.name}: {why_not(error, raw)}"

        def why_not(error: ValueError, raw: bytes) -> str:
            other = links.page_of_settings(raw)
            if other is not None:
                return (
                    f"these are settings of the “{deck.PAGES[other]}” page; "
                    f"open that page and load them there"
                )
            if isinstance(error, ValidationError):
                return clip("; ".join(settings.explain_errors(error)), MAX_ECHO)
            return "it is not a settings file gdviz wrote"

        st.file_uploader(
            "Load settings (JSON)",
            type=["json"],
            key=f"{key}_load",
            on_change=load_file,
            max_upload_size=1,
        )
        if st.session_state.get(f"{key}_load_error"):
            st.error(f"Cannot load these settings: {inert(st.session_state[f'{key}_load_error'])}")


@st.cache_resource(max_entries=24, show_spinner=False)
def _export_cached(kind: str, key: str, _build: Callable[[], Any]) -> Any:
    return _build()


def _cached_export(kind: str, key: str, build: Callable[[], Any]) -> Callable[[], Any]:
    """``build`` as a download's deferred data, made once per export kind and setting and
    shared across sessions (a second click, or a second student, costs nothing)."""
    return lambda: _export_cached(kind, key, build)


MAX_SETTINGS_BYTES = 64_000  # a settings file is a few kB; nothing longer is read


def settings_or_last(
    model: type[BaseModel], payload: dict, lead: str, memory: str, *, usable: bool = True
) -> Any:
    """The validated settings, or, when they cannot run (the problems are shown in words, or a
    typed formula is rejected: ``usable=False``), the last settings that ran on this page, so
    the charts stay up beside the message. Stops the page only before anything ever ran."""
    cfg = validate_or_explain(model, payload, lead) if usable else None
    if cfg is not None:
        st.session_state[memory] = cfg
        return cfg
    last = st.session_state.get(memory)
    if last is None:
        st.stop()
    st.caption("The charts below show the last settings that could run.")
    return last


def optimizer_payload(
    kind: str,
    lr: float,
    momentum: float = 0.0,
    nesterov: bool = False,
    betas: tuple[float, float] = ADAM_BETAS,
    weight_decay: float | None = None,
) -> dict:
    """An optimizer config payload with only the fields that apply to ``kind``."""
    payload: dict = {"kind": kind, "lr": lr}
    if weight_decay is not None:
        payload["weight_decay"] = weight_decay
    if kind in ("sgd", "rmsprop"):
        payload["momentum"] = momentum
    if kind == "sgd":
        payload["nesterov"] = nesterov and momentum > 0
    if kind in ("adam", "adamw"):
        payload["betas"] = betas
    return payload
