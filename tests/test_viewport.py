"""The main figure's height against the window: grown on a big screen, fitted while
presenting, designed where the browser has not told its size."""

from __future__ import annotations

import pytest

from gdviz.ui import viewport


@pytest.mark.parametrize(
    ("window", "presenting", "height"),
    [
        (None, False, 600),  # AppTest, a session's first run: as designed
        (None, True, 600),
        ((1280, 720), False, 600),  # a laptop: the figure keeps its size, readouts stay put
        ((1920, 1080), False, 860),  # a projector: 1080 − 90 below − 120 title, in 20s
        ((2560, 1600), False, 1380),
        ((3840, 4000), False, 1400),  # never taller than 1,400 px
        ((1280, 720), True, 620),  # presenting: the screen less the page's 90 px
        ((1920, 1080), True, 980),
        ((1024, 400), True, 480),  # a tiny screen: no smaller than readable
    ],
)
def test_the_figure_follows_the_window(monkeypatch, window, presenting, height):
    monkeypatch.setattr(viewport, "window_size", lambda: window)
    monkeypatch.setattr(viewport, "presenting", lambda: presenting)
    assert viewport.stage_height(600, chrome=90) == height


def test_a_window_too_short_to_grow_a_figure_tells_nothing(monkeypatch):
    """``viewport.js`` tells a size outside presentation mode only from GROWS_FROM px: in a
    shorter window every page's figure keeps its designed height, so a telling would only cost
    a rerun."""
    monkeypatch.setattr(viewport, "window_size", lambda: (1600, viewport.GROWS_FROM - 1))
    monkeypatch.setattr(viewport, "presenting", lambda: False)
    # (designed height, chrome) of the pages' main figures (pages/*.py: CHROME, stage_height)
    designs = {"landscape": (580, 90), "hiker": (410, 270), "data": (580, 90), "sweep": (500, 200)}
    for name, (designed, chrome) in designs.items():
        assert viewport.stage_height(designed, chrome=chrome) == designed, name


@pytest.mark.parametrize(
    ("told", "ratio"),
    [
        (None, 1.0),  # not told: a short window of ratio 1 (a high-density one tells)
        ([1920, 1080], 1.0),  # a tab from before the ratio came with the size
        ([1920, 1080, 1], 1.0),  # a projector: its own pixels, a quarter of the drawing
        ([1280, 720, 1.25], 1.25),  # a Windows laptop at 125 %
        ([1440, 900, 2], 2.0),  # a high-density laptop
        ([2560, 1600, 3], 2.0),  # never past Plotly's default
        ([1920, 1080, 0.5], 1.0),  # zoomed out: never coarser than the page's pixels
        ([1920, 1080, "2"], 1.0),  # forged: not a number
        ([1920, 1080, 99], 1.0),  # forged: no such screen
        ([99_999, 1080, 2], 1.0),  # an implausible size: nothing it came with is believed
    ],
)
def test_3d_figures_are_drawn_at_the_screens_pixel_ratio(monkeypatch, told, ratio):
    """The ratio told with the window's size sets ``plotGlPixelRatio`` (1 to 2): software
    WebGL pays for every pixel Plotly's default of 2 adds on a ratio-1 screen; a high-density
    screen tells its ratio once a 3-D view is drawn."""
    monkeypatch.setattr(viewport, "_reported", lambda: told)
    assert viewport.gl_pixel_ratio() == ratio
