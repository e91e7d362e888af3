"""Runs a page computes: validated settings (or the last that ran, with the problems in words),
the cached runs shared across sessions, and the page side of the heavy-work queue."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import streamlit as st
from pydantic import BaseModel, ValidationError

from gdviz import settings
from gdviz.core import parallel
from gdviz.core.descent import TooLongError, Trajectory
from gdviz.core.scrub import Family
from gdviz.serve import HeavyLimit, heavy_slots
from gdviz.ui.text import inert


def validate_or_explain(model: type[BaseModel], payload: dict, lead: str) -> Any:
    """``model`` validated from ``payload``, or ``None`` after showing every problem in words
    (never a traceback)."""
    try:
        return model.model_validate(payload)
    except ValidationError as error:
        lines = "\n".join(f"- {inert(line)}" for line in settings.explain_errors(error))
        st.error(f"{lead}\n\n{lines}")
        return None


def settings_or_last(
    model: type[BaseModel], payload: dict, lead: str, memory: str, *, usable: bool = True
) -> Any:
    """The validated settings, or, when they cannot run (the problems are shown in words, or a
    typed formula is rejected: ``usable=False``), the last settings that ran on this page, so
    the charts stay up beside the message. Stops the page only before anything ever ran."""
    cfg = validate_or_explain(model, payload, lead) if usable else None
    if cfg is not None:
        st.session_state[memory] = cfg
        return cfg
    last = st.session_state.get(memory)
    if last is None:
        st.stop()
    st.caption("The charts below show the last settings that could run.")
    return last


T = TypeVar("T")


@st.cache_data(max_entries=256, show_spinner=False)
def run_cached(key: str, _cfg: settings.RunConfig) -> Trajectory:
    """The trajectory of a validated run config, keyed by its JSON (``key``) and shared across
    sessions. The page validated ``_cfg`` once; it is not hashed and not validated again."""
    return settings.run(_cfg)


@st.cache_resource(max_entries=32, show_spinner=False)
def family_cached(key: str, _cfg: settings.RunConfig) -> Family:
    """The rate scrubber's family of runs for a validated run config (keyed by its JSON),
    shared across sessions and read-only (``cache_resource``: no copy per rerun)."""
    return settings.run_family(_cfg)


@st.cache_resource(max_entries=32, show_spinner=False)
def momentum_family_cached(key: str, _cfg: settings.RunConfig) -> Family:
    """The β scrubber's family of runs for a validated SGD run config (keyed by its JSON),
    shared across sessions and read-only."""
    return settings.run_momentum_family(_cfg)


# One slot per core in this server process; a heavy job alone takes them all (gdviz.serve.limit).
HEAVY = HeavyLimit(heavy_slots())
# The worker processes that share a heavy job start with the server (imported once per process),
# in the background: the first basin map does not wait for numpy to load in them.
threading.Thread(target=parallel.warm, name="gdviz-warm-workers", daemon=True).start()


@contextmanager
def heavy(
    what: str, key: str, job: str, *, when: bool = True, smaller: str = "a smaller request"
) -> Iterator[None]:
    """Run the block as heavy work (a basin map, a sweep, a large training) on the cores the
    queue grants it: every core when it is alone, one when others wait (gdviz.serve.limit).
    A session that must wait sees its place in line; one whose result is already computed
    here (``key``) does not wait. ``what`` is the spinner's text
    while it runs, ``job`` names it in the queue ("65,536 starts × 1,000 steps"); ``when``
    false runs the block at once (light work).

    Work past its deadline (``TooLongError``, ``settings.MAX_SECONDS``) ends the block with a
    sentence that names the job and what to ask for instead (``smaller``); the page goes on
    without the block's result, so the caller sets its defaults before the block."""
    if not when:
        yield
        return
    note = st.empty()

    def waiting(place: int) -> None:
        note.info(
            f"Queued: this server's {HEAVY.slots} "
            f"{'core is' if HEAVY.slots == 1 else 'cores are'} busy with heavy computations, "
            f"and yours ({job}) is number {place} in line. It starts as soon as one finishes.",
            icon=":material/hourglass_top:",
        )

    try:
        # Past the deadline the job leaves the queue unfinished: its key is not remembered as
        # computed, so asking again waits its turn again.
        with HEAVY.turn(key, waiting) as granted, parallel.cores(granted):
            note.empty()
            with st.spinner(what):
                yield
    except TooLongError as error:
        note.error(
            f"This server stopped {job} after {error.seconds:g} s, at step {error.step:,} "
            f"of {error.steps:,}: one request may hold a core at most that long, so the "
            f"work of a whole class stays fair. Try {smaller}.",
            icon=":material/timer_off:",
        )


def heavy_result(
    what: str,
    key: str,
    job: str,
    compute: Callable[[], T],
    *,
    smaller: str = "a smaller request",
    when: bool = True,
) -> T | None:
    """``compute()`` run as :func:`heavy` work; ``None`` if it was stopped at its deadline (the
    page then says so, and goes on without it)."""
    found: T | None = None
    with heavy(what, key, job, when=when, smaller=smaller):
        found = compute()
    return found
