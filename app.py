"""gdviz — see how gradient descent learns. Run with: streamlit run app.py

The entry point only routes; every widget lives in a page script (AppTest mis-handles reruns
when the entry point holds widgets while a pages/ folder exists).
"""

import streamlit as st

from gdviz.settings import navigation
from gdviz.ui.forged import harden, take_notes
from gdviz.ui.guard import guarded
from gdviz.ui.routing import routed
from gdviz.ui.scripts import load_page_scripts
from gdviz.ui.state import forget_stale_widgets
from gdviz.ui.text import inert
from gdviz.ui.uploads import cap_uploads

st.set_page_config(
    page_title="gdviz — see how gradient descent learns",
    page_icon="⛰️",
    layout="wide",
    initial_sidebar_state="expanded",
)

PAGES = [
    st.Page(page.script, title=page.title, icon=page.icon, url_path=page.path)
    if page.path
    else st.Page(page.script, title=page.title, icon=page.icon, default=True)
    for page in navigation.PAGES
]

forget_stale_widgets()  # a session's memory stays bounded however many settings it tries
cap_uploads()  # … and however many files it sends
harden()  # a forged string in a number widget falls back to its value
load_page_scripts()
# An unexpected error: one sentence here, the traceback in the server log; and the page knows
# it came through here (gdviz.ui.routing).
with guarded(), routed():
    st.navigation(PAGES).run()
for note in take_notes():  # a forged number, clamped: said once
    st.toast(inert(note), icon=":material/block:")
