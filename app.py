"""gdviz — see how gradient descent learns. Run with: streamlit run app.py

The entry point only routes; every widget lives in a page script (AppTest mis-handles reruns
when the entry point holds widgets while a pages/ folder exists).
"""

import streamlit as st

from gdviz.ui.guard import guarded
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
]

load_page_scripts()
with guarded():  # an unexpected error: one sentence here, the traceback in the server log
    st.navigation(PAGES).run()
