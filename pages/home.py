"""Home: what gdviz teaches, and where to start."""

import streamlit as st

from gdviz.settings import navigation
from gdviz.ui.gallery import picture
from gdviz.ui.present import presentation
from gdviz.ui.routing import route_through_app

route_through_app()  # first: a deep link on a fresh server runs this page alone

presentation()

st.title("gdviz — see how gradient descent learns")
st.markdown(
    "Gradient descent finds the bottom of a loss landscape by repeatedly stepping against "
    "the gradient, w ← w − α∇L(w). gdviz lets you watch it happen, one step at a time: how the "
    "learning rate decides between crawling, converging, oscillating and exploding, and why "
    "landscapes with ravines, saddles and plateaus need momentum or Adam."
)
lessons = navigation.LESSONS
st.page_link(lessons.script, label="**Lessons: the course, step by step**", icon=lessons.icon)
st.markdown(lessons.blurb)
# Each page with a picture of what it does (a GIF plays on its own): a newcomer's first screen
# shows gradient descent before a word is read.
with st.spinner("Drawing each page's picture (once per server)…"):
    pictures = {page.path: picture(page.path) for page in navigation.VIEWS}
for pair in (navigation.VIEWS[i : i + 2] for i in range(0, len(navigation.VIEWS), 2)):
    for cell, page in zip(st.columns(2, gap="large"), pair, strict=False):
        cell.page_link(page.script, label=f"**{page.title}**", icon=page.icon)
        shown = pictures[page.path]
        if shown is not None:
            cell.image(shown, width="stretch")
        cell.markdown(page.blurb)
st.divider()
st.caption(
    "Every setting lives in the page's address, so a link reproduces the exact demo. Update "
    "rules and defaults are PyTorch's (torch.optim), so what you find here carries over."
)
