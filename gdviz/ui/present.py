"""Presentation mode: a page as a projector slide, and the prose and settings it folds away.

The figures' projector style is ``gdviz.figures.style.projector``, applied by
``gdviz.ui.charts.chart`` while the session presents.
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from gdviz.settings import navigation
from gdviz.ui.mode import presenting

PRESENT_CSS = """
<style>
section[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], header[data-testid="stHeader"] { display: none !important; }
/* The right padding keeps the slide clear of the two floating buttons (6 rem from the edge):
   at 5 rem a lesson's Next ran under the pages menu. */
[data-testid="stMainBlockContainer"] {
  padding-top: 0.6rem; padding-right: 6.8rem; max-width: 100%;
}
[data-testid="stMainBlockContainer"] h1 { font-size: 2rem; padding: 0.1rem 0 0.4rem; }
[data-testid="stMetricValue"] { font-size: 2.1rem; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem; }
[data-testid="stMarkdownContainer"] h5 code { font-size: 1.75rem; }
[data-testid="stMainBlockContainer"] [data-testid="stMarkdownContainer"] p { font-size: 1.1rem; }
/* A readout's number is a paragraph too: it keeps the readout's size, not the prose's. */
[data-testid="stMainBlockContainer"] [data-testid="stMetricValue"]
  [data-testid="stMarkdownContainer"] p { font-size: inherit; line-height: 1.25; }
.st-key-present_leave { position: fixed; top: 0.4rem; right: 0.4rem; z-index: 999990; width: auto; }
.st-key-present_pages { position: fixed; top: 0.4rem; right: 3.4rem; z-index: 999990; width: auto; }
</style>
"""


def presentation() -> bool:
    """Presentation mode, for a projector: the sidebar (every setting) is hidden, not dropped,
    so leaving restores the settings exactly; text is larger (readouts 36 px, chart text at
    least 18 px, lines at least 3 px: see ``charts.chart``) and the main figure fits the
    screen (``viewport.stage_height``). ``?present=1`` in a link turns it on for the session;
    a "Present" button in the sidebar turns it on and a floating "Leave presentation" turns
    it off; a menu beside it opens another page, still presenting. Call once per page, after
    ``route_through_app``; returns whether the page is presenting."""
    state = st.session_state
    if "present" not in state:
        state.present = str(st.query_params.get("present", "")) == "1"
    if state.present:
        st.html(PRESENT_CSS)
        # An icon alone, in the page's right margin: it covers nothing on the slide.
        st.button(
            ":material/close_fullscreen:",
            key="present_leave",
            on_click=lambda: state.update(present=False),
            help="Leave presentation: back to the page with its settings, nothing changed.",
        )
        # The navigation is hidden with the sidebar: the pages, one click away, still presenting.
        with st.popover(
            ":material/menu:", key="present_pages", help="Another page, still presenting."
        ):
            for page in navigation.PAGES:
                st.page_link(page.script, label=page.title, icon=page.icon)
    else:
        st.sidebar.button(
            "Present",
            key="present_enter",
            icon=":material/present_to_all:",
            on_click=lambda: state.update(present=True),
            help="A projector view: settings hidden (kept), larger text. Links carry present=1.",
            width="stretch",
        )
    return presenting()


def prose() -> bool:
    """Whether a page shows its long prose (explanations, blurbs, notes): not in presentation
    mode, where :func:`folded_note` says in one line where it went."""
    return not presenting()


def settings_area(label: str) -> Any:
    """Where a page's inline settings go: in place, or in presentation mode folded into a
    closed expander (the widgets, and so the settings, stay)."""
    return st.container() if prose() else st.expander(label, expanded=False)


def folded_note() -> None:
    """Presentation mode's one line under a page: the prose and settings are only folded."""
    if not prose():
        st.caption(
            "Presentation mode: the explanations and the settings are folded away, unchanged. "
            "The button in the top-right corner brings them back."
        )
