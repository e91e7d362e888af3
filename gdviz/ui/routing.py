"""The one workaround for Streamlit's routing: a deep link on a freshly started server."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

_RUN = threading.local()  # each session's script runs in its own thread


@contextmanager
def routed() -> Iterator[None]:
    """The entry point's run of the page it routes to (``app.py``: ``with routed(): …``)."""
    _RUN.routed = True
    try:
        yield
    finally:
        _RUN.routed = False


def route_through_app() -> None:
    """Make a deep link work on a freshly started server. Call first in every page script.

    Streamlit 1.67 keeps a process-wide flag that is true while a ``pages/`` folder exists and
    no session has yet called ``st.navigation``. While it is true, a first request for
    ``/landscape`` runs ``pages/landscape.py`` on its own ("v1" multipage mode), skipping
    ``app.py``: no wide layout, no page frame, and every file in ``pages/`` in the sidebar.
    Clearing the flag (exactly what ``st.navigation`` does) and rerunning lets ``app.py`` route
    the same URL. Whether this run came through ``app.py`` is asked of the run itself
    (:func:`routed`), not of the flag: when a class opens its links at once, another session
    may clear the flag while this one is already running on its own.
    """
    if getattr(_RUN, "routed", False):
        return
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # a future Streamlit without the v1 fallback: nothing to do
        return
    if hasattr(PagesManager, "uses_pages_directory"):
        PagesManager.uses_pages_directory = False
    st.rerun()
