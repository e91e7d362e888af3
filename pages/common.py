"""Streamlit glue shared by the pages: caching, URL start-up, small display helpers.

Everything here is about Streamlit itself; maths lives in ``gdviz`` and figures in
``gdviz.figures``. (This module is imported by the page scripts; it is not a page.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import plotly.graph_objects as go
import streamlit as st

from gdviz import config, landscapes
from gdviz.descent import Trajectory
from gdviz.landscapes.base import Landscape

OPTIMIZER_LABELS = {
    "sgd": "SGD",
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}


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


@st.cache_data(max_entries=256, show_spinner=False)
def run_cached(cfg_json: str) -> Trajectory:
    """The trajectory of a validated run config (keyed by its JSON), shared across sessions."""
    return config.run(config.RunConfig.model_validate_json(cfg_json))


@st.cache_resource(max_entries=64, show_spinner=False)
def figure_cached(kind: str, key: str, _build: Callable[[], go.Figure]) -> go.Figure:
    """A built figure, keyed by its kind and the config it shows.

    ``cache_resource`` (not ``cache_data``): a cached ``go.Figure`` is handed back as the same
    object. ``cache_data`` would unpickle a copy on every rerun, and unpickling re-validates the
    whole figure (about 0.2 s for an animated map). The pages treat figures as read-only.
    """
    return _build()


def once_from_url(
    flag: str, parse: Callable[[Mapping[str, Any]], tuple[Any, list[str]]]
) -> tuple[Any, list[str]] | None:
    """On a session's first run, the config the URL describes and warnings about bad values;
    ``None`` on later runs (the widgets own the state from then on)."""
    if st.session_state.get(flag):
        return None
    st.session_state[flag] = True
    return parse(st.query_params.to_dict())


def show_url_warnings(warnings: list[str]) -> None:
    for message in warnings:
        st.warning(message, icon="⚠️")


def sync_url(query: dict[str, str]) -> None:
    """Write the current settings to the address bar, so the link reproduces this view."""
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)


def landscape_select(
    where: Any, key: str, on_change: Callable[[], None] | None = None
) -> Landscape:
    """A select of the 2-D landscapes (shown by title) in ``where``; returns the chosen one."""
    where.selectbox(
        "Landscape",
        landscapes.names(dim=2),
        key=key,
        on_change=on_change,
        format_func=lambda name: landscapes.get(name).title,
    )
    return landscapes.get(st.session_state[key])


def start_inputs(x_where: Any, y_where: Any, landscape: Landscape, x_key: str, y_key: str) -> None:
    """Number inputs for a start point, limited to the landscape's map."""
    (x_lo, x_hi), (y_lo, y_hi) = landscape.bounds
    x_where.number_input("x₀", min_value=x_lo, max_value=x_hi, step=0.1, key=x_key, format="%.3f")
    y_where.number_input("y₀", min_value=y_lo, max_value=y_hi, step=0.1, key=y_key, format="%.3f")
