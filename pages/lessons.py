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
from gdviz.figures import networks as network_figs
from gdviz.figures import race as race_figs
from gdviz.figures import sweep as sweep_figs
from gdviz.learning import network_views
from gdviz.settings import deck, navigation, network
from gdviz.settings.network import NetworkConfig
from gdviz.teach import hiker
from gdviz.ui.charts import chart, figure_cached
from gdviz.ui.choices import choice
from gdviz.ui.present import presentation
from gdviz.ui.replay import button
from gdviz.ui.routing import route_through_app
from gdviz.ui.urls import once_from_url, show_url_warnings, sync_url, warnings_again
from gdviz.ui.viewport import LEAST, stage_height

route_through_app()  # first: a deep link on a fresh server runs this page alone

DECK = deck.load()
COUNT = len(DECK.lessons)
HEIGHT = 540  # the view beside the words: title row + this fit a 1280×720 projector
# Above and below the view while presenting, in pixels: the lesson's title row and the page's top.
CHROME = 100
LINE = np.linspace(-1.0, 2.0, 61)  # α along a line between two weight vectors, and beyond
READOUT_LINE = 32  # px a run's readout takes under the view (a long one wraps)
CURVES_HEIGHT = 360  # the loss curves a lesson cites, under its readouts


def plain(text: str) -> str:
    return text.replace("$", r"\$")


def go_to(index: int) -> None:
    st.session_state.lesson = min(max(index, 0), COUNT - 1)


def live_figure(view: Any, key: str, height: int) -> Any:
    """The lesson's live view: the figure its page draws for these settings, ``height`` pixels
    tall (built once per lesson and height, and shared by every session)."""
    cfg = view.config

    def build() -> Any:
        if isinstance(view, deck.HikerView):
            hike = hiker.step(hiker.start(cfg.surface(), cfg.x0), cfg.lr, cfg.steps)
            return hiker_figs.curve_spec(
                cfg.surface(), np.array(hike.positions), cfg.lr, height=height
            )
        if isinstance(view, deck.LandscapeView):
            return landscape_figs.contour_spec(cfg.surface(), settings.run(cfg), height=height)
        if isinstance(view, deck.CompareView):
            labels = [run.label for run in cfg.runs]
            return race_figs.race_figure(
                cfg.surface(), settings.run_compare(cfg), labels, height=height
            )
        if isinstance(view, deck.SweepView):
            short, long = settings.run_sweeps(cfg)
            return sweep_figs.sweep_figure(short, long, height=height)
        problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
        runs = settings.run_data(cfg, problem)
        return data_figs.training_spec(problem, runs, height=height)

    if isinstance(view, deck.NetworkView):
        return figure_cached(
            f"lesson-networks-{height}", key, lambda: network_figure(view, key, height)
        )
    return figure_cached(f"lesson-{view.page}-{height}", key, build)


@st.cache_resource(max_entries=8, show_spinner=False)
def lesson_training(key: str, _cfg: NetworkConfig) -> network_views.NetworkRun:
    """A network lesson's training (keyed by the lesson), shared by its views at every size."""
    return network.train_network(_cfg)


def network_figure(view: deck.NetworkView, key: str, height: int) -> Any:
    """A network lesson's view: its curves, its PCA plane, its two lines (initial → final,
    batch 16 → full batch) or its sharpness against 2/η."""
    cfg = view.config
    run = lesson_training(key, cfg)
    if view.show == "landscape":
        return network_figs.plane_figure(network_views.pca_plane(run), height)
    if view.show == "lines":
        small, large = network.keskar_pair(cfg)
        curves = {
            "initial → final": network_views.line(run.net, run.held, run.start, run.final, LINE),
            "batch 16 → full batch": network_views.line(run.net, run.held, small, large, LINE),
        }
        return network_figs.lines_figure(LINE, curves, {0.0: "start", 1.0: "end"}, height)
    if view.show == "sharpness":
        steps, tops = network_views.sharpness_along(run)
        return network_figs.sharpness_figure(
            steps, tops, cfg.optimizer.lr, np.arange(len(run.loss)), run.loss, height
        )
    return network_figs.curves_figure(run, height)


@st.cache_data(max_entries=64, show_spinner=False)
def lesson_readouts(key: str, _lesson: deck.Lesson) -> list[str]:
    """How the lesson's runs end, one line each (keyed by the lesson's JSON): the numbers its
    words quote, shown on the lesson itself."""
    return deck.readout_lines(_lesson.view)


def evidence(lesson: deck.Lesson, key: str, height: int) -> Any:
    """The loss curves a lesson's words cite (``shows``), as its page draws them."""
    view = lesson.view

    def build() -> Any:
        if isinstance(view, deck.CompareView):
            labels = [run.label for run in view.config.runs]
            return race_figs.loss_overlay(settings.run_compare(view.config), labels, height=height)
        assert isinstance(view, deck.DataView)  # the deck allows curves under these two only
        cfg = view.config
        problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
        return data_figs.loss_curves_spec(problem, settings.run_data(cfg, problem), height=height)

    return figure_cached(f"lesson-curves-{height}", key, build)


def chosen_lesson() -> int:
    """Which lesson: the link's (``?lesson=N``) on the session's first run, the buttons' and
    the course list's afterwards."""
    from_url = once_from_url("lesson_from_url", lambda query: deck.lesson_from_query(query, DECK))
    if from_url is not None:
        st.session_state.lesson = from_url[0]
        show_url_warnings(from_url[1])
    else:
        warnings_again()
    st.session_state.setdefault("lesson", 0)
    return int(st.session_state.lesson)


def course(index: int) -> None:
    """Every lesson's title in the sidebar: one click opens it."""
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


def header(index: int, lesson: deck.Lesson) -> None:
    """The lesson's number and title, Previous and Next."""
    head, back, forward = st.columns([4.4, 1.3, 1.1], vertical_alignment="bottom")
    head.markdown(f"### {index + 1} / {COUNT} · {lesson.title}")
    button(back, "Previous", key="lesson_back", on_click=go_to, args=(index - 1,),
           disabled=index == 0, width="stretch", icon=":material/arrow_back:")  # fmt: skip
    button(forward, "Next", key="lesson_next", on_click=go_to, args=(index + 1,),
           disabled=index == COUNT - 1, width="stretch", type="primary",
           icon=":material/arrow_forward:")  # fmt: skip


def slide(index: int, lesson: deck.Lesson) -> None:
    """The lesson's words, question and answer beside its live view."""
    words, view = st.columns([1, 2.6], gap="medium")
    with words:
        # Lesson text is the deck's own (trusted), but "$20" must not open a formula.
        st.markdown(plain(lesson.notice))
        st.markdown(f"**Ask the class:** {plain(lesson.question)}")
        with st.expander("Answer"):
            st.markdown(plain(lesson.answer))
        st.link_button(
            f"Open in {navigation.SHORT[lesson.view.page]}",
            deck.page_link(lesson.view),
            icon=":material/open_in_new:",
            width="stretch",
            help=f"{deck.PAGES[lesson.view.page]}, with these settings: change anything there.",
        )
    with view:
        key = lesson.model_dump_json()
        lines = lesson_readouts(key, lesson)
        # The readouts sit under the view on the same screen: the view gives up their room,
        # and a big screen's view gives up the loss curves' too, so the evidence a lesson
        # cites is on its first screen (on a 720-px one the view stays readable: one scroll).
        room = READOUT_LINE * len(lines)
        cited = CURVES_HEIGHT + 40 if lesson.shows else 0  # with the gaps between elements
        tall = stage_height(HEIGHT - room, chrome=CHROME + room + cited)
        if tall < LEAST:  # both do not fit: the view keeps its size, the curves are below
            tall = stage_height(HEIGHT - room, chrome=CHROME + room)
        figure = live_figure(lesson.view, key, tall)
        chart(st, figure, key=f"lesson_chart_{index}")
        if lines:
            with st.container(key="lesson_readouts"):
                st.markdown("  \n".join(lines))
        if lesson.shows:
            chart(st, evidence(lesson, key, CURVES_HEIGHT), key=f"lesson_curves_{index}")


# -- which lesson → its slide --------------------------------------------------------------------
presentation()
index = chosen_lesson()
course(index)
header(index, DECK.lessons[index])
slide(index, DECK.lessons[index])
sync_url({"lesson": str(index + 1)})
