"""gdviz — see how gradient descent learns. Run with: streamlit run app.py

The entry point only routes; every widget lives in a page script (AppTest mis-handles reruns
when the entry point holds widgets while a pages/ folder exists).
"""

import streamlit as st

from gdviz.ui.forged import harden, take_notes
from gdviz.ui.guard import guarded
from gdviz.ui.state import forget_stale_widgets
from gdviz.ui.text import inert
from gdviz.ui.uploads import cap_uploads
from pages.common import load_page_scripts

st.set_page_config(
    page_title="gdviz — see how gradient descent learns",
    page_icon="⛰️",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", default=True),
    st.Page("pages/lessons.py", title="Lessons", icon=":material/school:", url_path="lessons"),
    st.Page("pages/hiker.py", title="The hiker (1-D)", icon=":material/hiking:", url_path="hiker"),
    st.Page(
        "pages/landscape.py",
        title="Landscape (2-D)",
        icon=":material/landscape:",
        url_path="landscape",
    ),
    st.Page(
        "pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"
    ),
    st.Page(
        "pages/sweep.py", title="Sweep & basins", icon=":material/ssid_chart:", url_path="sweep"
    ),
    st.Page(
        "pages/data.py", title="Learning from data", icon=":material/scatter_plot:", url_path="data"
    ),
    st.Page(
        "pages/networks.py", title="Neural networks", icon=":material/hub:", url_path="networks"
    ),
]

forget_stale_widgets()  # a session's memory stays bounded however many settings it tries
cap_uploads()  # … and however many files it sends
harden()  # a forged string in a number widget falls back to its value
load_page_scripts()
with guarded():  # an unexpected error: one sentence here, the traceback in the server log
    st.navigation(PAGES).run()
for note in take_notes():  # a forged number, clamped: said once
    st.toast(inert(note), icon=":material/block:")
