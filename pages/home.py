"""Home: what gdviz teaches, and where to start."""

import streamlit as st

from pages.common import route_through_app
from pages.present import presentation

route_through_app()
presentation()

st.title("gdviz — see how gradient descent learns")
st.markdown(
    "#### Gradient descent finds the bottom of a loss landscape by repeatedly stepping against "
    "the gradient, w ← w − α∇L(w). gdviz lets you watch it happen, one step at a time: how the "
    "learning rate decides between crawling, converging, oscillating and exploding, and why "
    "landscapes with ravines, saddles and plateaus need momentum or Adam."
)
st.divider()
st.page_link(
    "pages/lessons.py", label="**Lessons: the course, step by step**", icon=":material/school:"
)
st.markdown(
    "Teaching a class? The deck walks through the ideas in order, from the gradient to AdamW: "
    "what to notice, a question for the room (answer folded away), and the live view, one "
    "lesson a screen. Link straight to one with `?lesson=N`."
)
left, right = st.columns(2, gap="large")
with left:
    st.page_link("pages/hiker.py", label="**The hiker (1-D)**", icon=":material/hiking:")
    st.markdown(
        "Be the hiker on a loss curve: take one step at a time, see the slope he feels, the "
        "update rule with the numbers plugged in, and find the learning rate where every step "
        "overshoots."
    )
with right:
    st.page_link("pages/landscape.py", label="**Landscape (2-D)**", icon=":material/landscape:")
    st.markdown(
        "Drop a start point on a 2-D surface (Rosenbrock, Himmelblau, a saddle, a plateau ...), "
        "pick an optimizer and a schedule, and watch the path animate on the contour map and the "
        "3-D surface, with the loss curve and the critical learning rate beside it."
    )
left, right = st.columns(2, gap="large")
with left:
    st.page_link("pages/compare.py", label="**Compare**", icon=":material/compare_arrows:")
    st.markdown(
        "Race up to eight runs (each with its own optimizer, learning rate and schedule) on one "
        "map from one start, with the same gradient noise, and read the results table."
    )
with right:
    st.page_link("pages/sweep.py", label="**Sweep & basins**", icon=":material/ssid_chart:")
    st.markdown(
        "Sweep hundreds of learning rates at once and see where training turns unstable (and "
        "that it matches 2/λ_max), and map which minimum every start point ends in."
    )
left, right = st.columns(2, gap="large")
with left:
    st.page_link("pages/data.py", label="**Learning from data**", icon=":material/scatter_plot:")
    st.markdown(
        "Fit a line or a sigmoid to real data (restaurant tips, Gapminder, irises, or your own "
        "CSV) and watch the parameters walk the loss surface while the fit moves through the "
        "data: batch vs stochastic vs mini-batch, feature scaling, and the mismatched loss."
    )
with right:
    st.page_link("pages/networks.py", label="**Neural networks**", icon=":material/hub:")
    st.markdown(
        "Train a small network on handwritten digits, irises, moons or spirals, then look at its "
        "landscape as Li et al. do (a filter-normalised plane, the plane of its path), the "
        "straight line from its initial weights, and its sharpness at the edge of stability."
    )
st.divider()
st.caption(
    "Every setting lives in the page's address, so a link reproduces the exact demo. Update "
    "rules and defaults are PyTorch's (torch.optim), so what you find here carries over."
)
