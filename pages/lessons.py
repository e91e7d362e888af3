"""The lesson deck: an ordered course, one idea a screen, each with its live view (url path
/lessons, ``?lesson=N``)."""

from __future__ import annotations

from typing import Any

import numpy as np
import streamlit as st

from gdviz import settings
from gdviz.figures import data as data_figs
from gdviz.figures import hiker as hiker_figs
from gdviz.figures import landscape as landscape_figs
from gdviz.figures import race as race_figs
from gdviz.figures import sweep as sweep_figs
from gdviz.settings import deck
from gdviz.teach import hiker
from gdviz.ui.choices import choice
from pages.common import (
    button,
    chart,
    figure_cached,
    once_from_url,
    route_through_app,
    show_url_warnings,
    sync_url,
)
from pages.present import presentation

route_through_app()
presentation()

DECK = deck.load()
COUNT = len(DECK.lessons)
HEIGHT = 540  # the view beside the words: title row + this fit a 1280×720 projector
# The pages' names as a button beside the words can hold them at 1280×720.
SHORT = {"hiker": "the hiker", "landscape": "Landscape", "compare": "Compare",
         "sweep": "Sweep", "data": "Data"}  # fmt: skip


def plain(text: str) -> str:
    return text.replace("$", r"\$")


def go_to(index: int) -> None:
    st.session_state.lesson = min(max(index, 0), COUNT - 1)


def live_figure(view: Any, key: str) -> Any:
    """The lesson's live view: the figure its page draws for these settings (built once per
    lesson and shared by every session)."""
    cfg = view.config

    def build() -> Any:
        if isinstance(view, deck.HikerView):
            hike = hiker.step(hiker.start(cfg.surface(), cfg.x0), cfg.lr, cfg.steps)
            return hiker_figs.curve_spec(
                cfg.surface(), np.array(hike.positions), cfg.lr, height=HEIGHT
            )
        if isinstance(view, deck.LandscapeView):
            return landscape_figs.contour_spec(cfg.surface(), settings.run(cfg), height=HEIGHT)
        if isinstance(view, deck.CompareView):
            labels = [run.label for run in cfg.runs]
            return race_figs.race_figure(
                cfg.surface(), settings.run_compare(cfg), labels, height=HEIGHT
            )
        if isinstance(view, deck.SweepView):
            short, long = settings.run_sweeps(cfg)
            return sweep_figs.sweep_figure(short, long, height=HEIGHT)
        problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
        runs = settings.run_data(cfg, problem)
        return data_figs.training_spec(problem, runs, height=HEIGHT)

    return figure_cached(f"lesson-{view.page}", key, build)


# -- which lesson: the link on the session's first run, the buttons afterwards ----------------
from_url = once_from_url("lesson_from_url", lambda query: deck.lesson_from_query(query, DECK))
if from_url is not None:
    st.session_state.lesson = from_url[0]
    show_url_warnings(from_url[1])
st.session_state.setdefault("lesson", 0)
index = int(st.session_state.lesson)
lesson = DECK.lessons[index]

with st.sidebar:
    st.header("The course")
    choice(
        st,
        "radio",
        "Lessons",
        range(COUNT),
        index=index,
        key=f"lesson_pick_{index}",  # a new key per lesson: the radio follows Previous / Next
        fallback=index,
        format_func=lambda i: f"{i + 1}. {DECK.lessons[i].title}",
        on_change=lambda: go_to(st.session_state[f"lesson_pick_{index}"]),
        label_visibility="collapsed",
    )

head, back, forward = st.columns([4.4, 1.3, 1.1], vertical_alignment="bottom")
head.markdown(f"### {index + 1} / {COUNT} · {lesson.title}")
button(back, "Previous", key="lesson_back", on_click=go_to, args=(index - 1,),
       disabled=index == 0, width="stretch", icon=":material/arrow_back:")  # fmt: skip
button(forward, "Next", key="lesson_next", on_click=go_to, args=(index + 1,),
       disabled=index == COUNT - 1, width="stretch", type="primary",
       icon=":material/arrow_forward:")  # fmt: skip

words, view = st.columns([1, 2.6], gap="medium")
with words:
    # Lesson text is the deck's own (trusted), but "$20" must not open a formula.
    st.markdown(plain(lesson.notice))
    st.markdown(f"**Ask the class:** {plain(lesson.question)}")
    with st.expander("Answer"):
        st.markdown(plain(lesson.answer))
    st.link_button(
        f"Open in {SHORT[lesson.view.page]}",
        deck.page_link(lesson.view),
        icon=":material/open_in_new:",
        width="stretch",
        help=f"{deck.PAGES[lesson.view.page]}, with these settings: change anything there.",
    )
with view:
    chart(st, live_figure(lesson.view, lesson.model_dump_json()), key=f"lesson_chart_{index}")

sync_url({"lesson": str(index + 1)})
