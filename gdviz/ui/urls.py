"""A page's settings in its link: read once on a session's first run (bad values warned about,
clipped), written back on every run so the address bar reproduces the view."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st

from gdviz.core.echo import clip
from gdviz.ui.mode import presenting
from gdviz.ui.replay import keep_replayed
from gdviz.ui.text import inert
from gdviz.ui.viewport import watch_window, window_rerun


def once_from_url(
    flag: str, parse: Callable[[Mapping[str, Any]], tuple[Any, list[str]]]
) -> tuple[Any, list[str]] | None:
    """On a session's first run, the config the URL describes and warnings about bad values;
    ``None`` on later runs (the widgets own the state from then on)."""
    if st.session_state.get(flag):
        return None
    st.session_state[flag] = True
    return parse(st.query_params.to_dict())


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
    else:
        warnings_again()
    for name, value in defaults.items():
        st.session_state.setdefault(name, value)


MAX_ECHO = 600
"""Longest text of a user's quoted back on a page (a warning, an error): whatever the source."""


SAID = "_gdviz_link_warnings"


def warnings_again() -> None:
    """The link's warnings once more, on the rerun that only follows the window's size (the
    user has not yet changed anything, so they still apply)."""
    if window_rerun():
        show_url_warnings(st.session_state.get(SAID, []))


def show_url_warnings(warnings: list[str]) -> None:
    """Each warning about the link, inert and clipped to :data:`MAX_ECHO` characters; at most
    five boxes (the rest counted in the last)."""
    st.session_state[SAID] = list(warnings)
    shown = warnings[:5]
    if len(warnings) > 5:
        shown[-1] += f" (and {len(warnings) - 4} more problems with the link)"
    for message in shown:
        st.warning(inert(clip(message, MAX_ECHO)), icon=":material/warning:")


def sync_url(query: dict[str, str]) -> None:
    """Write the current settings to the address bar, so the link reproduces this view (and
    its presentation mode); the last call of a page's run, which also mounts the window-size
    reporter (``viewport.watch_window``: it knows by now what the page's figures need)."""
    watch_window()
    if presenting():
        query = {**query, "present": "1"}
    if st.query_params.to_dict() != query:
        st.query_params.from_dict(query)
