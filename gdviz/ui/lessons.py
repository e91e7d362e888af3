"""The one-click lesson select of a page, which names only a lesson the page still shows."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import streamlit as st
from pydantic import BaseModel

from gdviz.ui.choices import choice


def lesson_select(where: Any, key: str, titles: list[str], load: Callable[[str], None]) -> None:
    """A select of one-click lessons: choosing one loads it at once, and the select shows the
    lesson the settings still match (the page reports that with :func:`lesson_matched`), or
    "Choose a lesson…": never the name of a lesson that is not what the page shows."""
    state = st.session_state
    state[key] = state.get(f"{key}_now")

    def pick() -> None:
        if state[key] is not None:
            load(state[key])
            state[f"{key}_now"] = state[key]

    choice(
        where,
        "selectbox",
        "Load a lesson",
        titles,
        key=key,
        allow_none=True,
        placeholder="Choose a lesson…",
        on_change=pick,
    )


def lesson_matched(key: str, cfg: BaseModel, lessons: Mapping[str, Any]) -> str | None:
    """The title of the lesson whose settings ``cfg`` are (a lesson is a config, or holds one
    as ``.config``), or ``None``; remembered for the lesson select's next run."""
    title = next((t for t, v in lessons.items() if getattr(v, "config", v) == cfg), None)
    st.session_state[f"{key}_now"] = title
    return title
