"""A learning rate the user set stays set.

A new landscape, optimizer, data set or model comes with a rate that suits it (the landscape's
suggested α, torch's default for Adam). While the user has never set α, it follows: a newcomer
always runs with a rate that works. Once they have set it (typed it, slid it, or taken one from
the α scrubber), it is theirs: the page keeps it and offers the new rate beside it, one click
away ("Use α = 0.001 (torch's default for Adam)").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def _touched(key: str) -> str:
    return f"_{key}_touched"


def _offer(key: str) -> str:
    return f"_{key}_offer"


def mark_touched(key: str) -> None:
    """The user set the rate in ``key`` (a widget's ``on_change``, a "Use α" click)."""
    st.session_state[_touched(key)] = True


def touched(key: str) -> bool:
    return bool(st.session_state.get(_touched(key)))


def suggest(
    key: str, value: float, reason: str, follow: Callable[[float], None] | None = None
) -> None:
    """A change suggests the rate ``value`` for ``key`` (``reason``: "suggested for
    Rosenbrock"). An untouched rate takes it (and ``follow(value)`` updates what mirrors it);
    a rate the user set stays, and the suggestion waits for :func:`offer`."""
    state = st.session_state
    if not touched(key):
        state[key] = value
        state.pop(_offer(key), None)
        if follow is not None:
            follow(value)
    elif state.get(key) != value:
        state[_offer(key)] = (float(value), reason)
    else:
        state.pop(_offer(key), None)


def _use(key: str, value: float, follow: Callable[[float], None] | None) -> None:
    st.session_state[key] = value
    st.session_state.pop(_offer(key), None)
    if follow is not None:
        follow(value)


def offer(where: Any, key: str, follow: Callable[[float], None] | None = None) -> None:
    """The waiting suggestion for ``key`` as a button under its widget, while it differs from
    the rate set: one click takes it (the user's choice, so the rate stays theirs)."""
    pending = st.session_state.get(_offer(key))
    if pending is None:
        return
    value, reason = pending
    if st.session_state.get(key) == value:
        st.session_state.pop(_offer(key), None)
        return
    where.button(
        f"Use α = {value:g} ({reason})",
        key=f"{key}_use",
        on_click=_use,
        args=(key, value, follow),
        icon=":material/auto_fix_high:",
        width="stretch",
        help="Your α stays until you choose: this is the rate the new setting suggests.",
    )
