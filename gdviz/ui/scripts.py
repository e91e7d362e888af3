"""The page-wide style and browser scripts every page loads once per run (``js/`` beside this
module): the compact top, the Fullscreen that keeps animations, one animation step across the
landscape's map and 3-D views."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

FULLSCREEN_JS = (Path(__file__).parent / "js" / "fullscreen.js").read_text(encoding="utf-8")


FOLLOW_JS = (Path(__file__).parent / "js" / "follow.js").read_text(encoding="utf-8")


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
