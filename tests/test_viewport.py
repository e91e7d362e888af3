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
