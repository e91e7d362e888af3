"""The browser window's size, so the main figure of a page can use the screen it is on.

A figure's height is plotly's ``layout.height``, set here on the server, which cannot see the
screen: a small component (``js/viewport.js``) reports the window's inner size (and the screen's
pixel ratio with it), once and after a resize, where it matters (presenting, or a tall window).
Until it has (the first run of a session, AppTest, a laptop's screen), pages keep their designed
heights.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from gdviz.ui.mode import presenting

KEY = "gdviz_viewport"
SANE = ((320, 10_000), (240, 8_000))  # a forged size outside these is ignored
RATIOS = (0.25, 8.0)  # a forged pixel ratio outside these is ignored
SNAP = 20  # heights move in steps of 20 px: a few cached figures, not one per pixel

_VIEWPORT = st.components.v2.component(
    "gdviz_viewport",
    js=(Path(__file__).parent / "js" / "viewport.js").read_text(encoding="utf-8"),
)


def _reported() -> list | tuple | None:
    """What the browser last told: ``[width, height, pixel ratio]`` (older tabs: no ratio)."""
    size = getattr(st.session_state.get(KEY), "size", None)
    return size if isinstance(size, list | tuple) and len(size) in (2, 3) else None


def window_size() -> tuple[int, int] | None:
    """The window's inner ``(width, height)`` in CSS pixels, as the browser last reported it;
    ``None`` before it has (or when what came is not a plausible size)."""
    size = _reported()
    if size is None:
        return None
    sane = zip(size[:2], SANE, strict=True)
    if not all(isinstance(v, int | float) and lo <= v <= hi for v, (lo, hi) in sane):
        return None
    return int(size[0]), int(size[1])


def pixel_ratio() -> float | None:
    """The screen's device pixel ratio, told with the window's size; ``None`` before it has
    (or when what came is not a plausible ratio)."""
    size = _reported()
    if window_size() is None or size is None or len(size) < 3:
        return None
    ratio = size[2]
    if not isinstance(ratio, int | float) or not RATIOS[0] <= ratio <= RATIOS[1]:
        return None
    return float(ratio)


def gl_pixel_ratio() -> float:
    """Plotly's ``plotGlPixelRatio`` for a WebGL (3-D) chart: the screen's pixel ratio, between
    1 and 2, where the browser has told it; else 1.

    Plotly's own default is 2: on a screen of ratio 1 (a projector, most monitors) it draws the
    scene at four times its pixels and shrinks it. A GPU does not notice; software WebGL (no GPU)
    does: Rosenbrock's map → 3-D took 1.46 s at 1920×1080, 1.05 s at ratio 1 (``bench_browser``,
    p50). A high-density screen tells its ratio the first time a page draws a 3-D view (see
    :func:`watch_window`), and the view is redrawn sharp: one redraw, on a screen that has a
    GPU."""
    ratio = pixel_ratio()
    return 1.0 if ratio is None else min(2.0, max(1.0, ratio))


GL_DRAWN = "_gdviz_gl_drawn"  # this run drew a WebGL figure (charts.chart says so)


def drew_webgl() -> None:
    """Note that this run drew a WebGL figure: the reporter then tells a high-density screen's
    pixel ratio, which sharpens the figure (:func:`gl_pixel_ratio`)."""
    st.session_state[GL_DRAWN] = True


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
    and a high-density screen's pixel ratio where the run drew a 3-D figure
    (:func:`gl_pixel_ratio`); what it tells reruns the page."""
    size, ratio = window_size(), pixel_ratio()
    known = [*(size or (0, 0)), *([ratio] if ratio is not None else [])]
    st.session_state.pop(TOLD, None)
    webgl = bool(st.session_state.pop(GL_DRAWN, False))
    with st.sidebar:
        _VIEWPORT(
            key=KEY,
            data={
                "known": known,
                "presenting": presenting(),
                "grows": GROWS_FROM,
                "webgl": webgl,
            },
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
