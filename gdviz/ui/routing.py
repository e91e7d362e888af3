"""The one workaround for Streamlit's routing: a deep link on a freshly started server."""

from __future__ import annotations

import streamlit as st


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
