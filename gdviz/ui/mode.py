"""Whether this session is presenting: one flag that the page frame, the charts, the link and
the figure sizes all read."""

from __future__ import annotations

import streamlit as st


def presenting() -> bool:
    """Whether this session is in presentation mode (``present.presentation`` turns it
    on and off; ``charts.chart`` and ``urls.sync_url`` follow it)."""
    return bool(st.session_state.get("present"))
