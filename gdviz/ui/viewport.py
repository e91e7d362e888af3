"""The browser window's size, so the main figure of a page can use the screen it is on.

A figure's height is plotly's ``layout.height``, set here on the server, which cannot see the
screen: a small component (``js/viewport.js``) reports the window's inner size, once and after a
resize, where it matters (presenting, or a tall window). Until it has (the first run of a
session, AppTest, a laptop's screen), pages keep their designed heights.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from gdviz.ui.mode import presenting

KEY = "gdviz_viewport"
SANE = ((320, 10_000), (240, 8_000))  # a forged size outside these is ignored
SNAP = 20  # heights move in steps of 20 px: a few cached figures, not one per pixel

_VIEWPORT = st.components.v2.component(
    "gdviz_viewport",
    js=(Path(__file__).parent / "js" / "viewport.js").read_text(encoding="utf-8"),
)


def window_size() -> tuple[int, int] | None:
    """The window's inner ``(width, height)`` in CSS pixels, as the browser last reported it;
    ``None`` before it has (or when what came is not a plausible size)."""
    size = getattr(st.session_state.get(KEY), "size", None)
    if not isinstance(size, list | tuple) or len(size) != 2:
        return None
    sane = zip(size, SANE, strict=True)
    if not all(isinstance(v, int | float) and lo <= v <= hi for v, (lo, hi) in sane):
        return None
    return int(size[0]), int(size[1])


TOLD = "_gdviz_window_told"  # this run was started by the window's size, not by the user


def _told() -> None:
    st.session_state[TOLD] = True


def window_rerun() -> bool:
    """Whether this run only redraws the page for a new window size (no setting changed, so
    what the last run said, a link's warnings, is said again)."""
    return bool(st.session_state.get(TOLD))


def watch_window() -> None:
    """Mount the reporter, once at the end of a page's run (in the sidebar: hidden while
    presenting, still live): it tells a new size where the figures follow the window
    (:func:`stage_height`: while presenting, or a window of at least :data:`GROWS_FROM` px),
    and a new size reruns the page."""
    known = window_size() or (0, 0)
    st.session_state.pop(TOLD, None)
    with st.sidebar:
        _VIEWPORT(
            key=KEY,
            data={"known": list(known), "presenting": presenting(), "grows": GROWS_FROM},
            on_size_change=_told,
        )


LEAST = 480  # a presented figure never shrinks below this to fit a small screen
# Outside presentation mode the page's title and Streamlit's header sit above the figure too.
ABOVE_NORMALLY = 120
# The shortest window in which a figure outside presentation mode grows past its designed
# height (the hiker's 410 + 270 + 120): shorter windows have nothing to tell the server.
GROWS_FROM = 800


def stage_height(designed: int, *, chrome: int) -> int:
    """The main figure's height: the window's height less what the page shows above and below
    the figure (``chrome`` while presenting; outside it also the title and header,
    :data:`ABOVE_NORMALLY`), snapped to :data:`SNAP` px and at most 1,400 px; ``designed`` until
    the browser has told its size (the first run of a session, AppTest).

    While presenting the figure fits the screen, down to :data:`LEAST`. Outside it the figure
    only grows: on a 1080-px screen the landscape map is 860 px tall, not 600; on a 720-px
    laptop it keeps its designed height, and the readouts and controls beside it stay put."""
    size = window_size()
    if size is None:
        return designed
    if presenting():
        fitted = (size[1] - chrome) // SNAP * SNAP
        return int(min(1400, max(min(designed, LEAST), fitted)))
    fitted = (size[1] - chrome - ABOVE_NORMALLY) // SNAP * SNAP
    return int(min(1400, max(designed, fitted)))
