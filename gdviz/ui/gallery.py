"""The home page's pictures: what each page does, shown before a word is read.

Each is one of the page's own exports, made from a lesson's settings (so the picture and the
course agree): an animated GIF of the hiker's walk down, a run into one of Himmelblau's four
valleys, four optimizers racing down Rosenbrock's valley, the three flavours of descent on the
tips data; a still of Himmelblau's four basins.
Built once per server (about 1.5 s in all, on the first visit) and shared by every session.
The networks page has no picture: a network's training takes seconds, too long for a home
page.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from gdviz import settings
from gdviz.figures import gif
from gdviz.figures.style import PATH, run_colour
from gdviz.figures.sweep import basin_png
from gdviz.settings import deck
from gdviz.teach import hiker

# Lessons whose views each page's picture shows (1-based, as the deck numbers them).
LESSON_OF = {"hiker": 2, "landscape": 6, "compare": 15, "data": 10}
HIKER_STEPS = 25  # the update-rule lesson takes 3 steps; a picture shows the walk down
BASIN_SIDE = 500  # px: the basin map's still, upscaled from its grid with square cells, on a
# canvas the size of the GIFs beside it


def _hiker(view: deck.HikerView) -> bytes:
    cfg = view.config
    hike = hiker.step(hiker.start(cfg.surface(), cfg.x0), cfg.lr, HIKER_STEPS)
    title = f"The hiker on {cfg.surface().title}, α = {cfg.lr:g}"
    return gif.hike_gif(cfg.surface(), np.array(hike.positions), title, colour=PATH)


def _landscape(view: deck.LandscapeView) -> bytes:
    cfg = view.config
    title = f"{cfg.surface().title}: gradient descent, α = {cfg.optimizer.lr:g}"
    return gif.trajectory_gif(cfg.surface(), settings.run(cfg), ["GD"], [PATH], title)


def _compare(view: deck.CompareView) -> bytes:
    cfg = view.config
    labels = [run.label for run in cfg.runs]
    colours = [run_colour(i) for i in range(len(labels))]
    title = f"Race on {cfg.surface().title}"
    return gif.trajectory_gif(cfg.surface(), settings.run_compare(cfg), labels, colours, title)


def _data(view: deck.DataView) -> bytes:
    cfg = view.config
    problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
    runs = settings.run_data(cfg, problem)
    return gif.training_gif(problem, runs, f"{problem.dataset.title}: three flavours of descent")


def _basins() -> bytes:
    """The default basin map (Himmelblau, 128² starts) as a PNG still, the GIFs' size."""
    cfg = settings.BasinConfig()
    basin = settings.run_basins(cfg)
    size = (gif.WIDTH, gif.HEIGHT)
    return basin_png(basin, len(cfg.surface().minima), side=BASIN_SIDE, size=size)


@st.cache_resource(show_spinner=False, max_entries=8)
def picture(page: str) -> bytes | None:
    """The picture of the page at URL path ``page`` (GIF or PNG bytes); ``None`` if it has
    none."""
    if page == "sweep":
        return _basins()
    number = LESSON_OF.get(page)
    if number is None:
        return None
    view = deck.load().lessons[number - 1].view
    build = {"hiker": _hiker, "landscape": _landscape, "compare": _compare, "data": _data}
    return build[page](view)  # type: ignore[operator]
