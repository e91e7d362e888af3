"""What a session keeps between runs, kept bounded.

Streamlit keeps one widget-metadata entry per distinct widget id a session has ever drawn, for
the session's life. A chart that takes clicks (``on_select``) gets a new id with every new
figure, and its metadata holds its callback, whose globals are the page run that drew it: the
trajectory, the figures, the page's elements. So every new setting pinned about 0.5 MB until the
session expired (300 settings: +160 MB). :func:`forget_stale_widgets` drops the metadata of
widgets that have no state left (Streamlit already dropped their state as stale), at the start
of each run, after the callbacks ran.
"""

from __future__ import annotations

from typing import Any


def _session_state() -> Any | None:
    """Streamlit's ``SessionState`` of this run, or ``None`` (no run, or its internals moved:
    then nothing is pruned, and the test of this module fails on the new Streamlit)."""
    try:
        from streamlit.runtime.state.session_state_proxy import get_session_state

        return get_session_state()._state
    except (ImportError, AttributeError, RuntimeError):
        return None


def forget_stale_widgets() -> int:
    """Drop the metadata (and the id-to-key entries) of widgets with no state left; returns
    how many were dropped. A widget drawn in the last run, or with a value a later run may
    need (a widget outside a fragment, a value bound to the URL), still has state and keeps
    its metadata."""
    state = _session_state()
    try:
        widgets = state._new_widget_state  # type: ignore[union-attr]
        mapper = state._key_id_mapper  # type: ignore[union-attr]
        live = set(widgets.states) | set(state._old_state)  # type: ignore[union-attr]
        live |= set(mapper._key_id_mapping.values())
        stale = [wid for wid in widgets.widget_metadata if wid not in live]
        for wid in stale:
            del widgets.widget_metadata[wid]
            mapper._id_key_mapping.pop(wid, None)
    except AttributeError:
        return 0
    return len(stale)
