"""The running app on a projector: every figure and its controls on one screen at 1280×720 and
1920×1080, presentation mode, Fullscreen, chart text at its designed size.
(See ``tests/browsing.py`` for what they share.)"""

from __future__ import annotations

import time

import pytest

from tests.browsing import (
    BROWSER,
    FILLED,
    FITS,
    FRAMES,
    PROJECTED,
    UNDER_FLOATING,
    grown,
    log_labels_wrong,
    odd_tick_steps,
    open_animated_ravine,
    open_hiker_on_one_screen,
    screenshot,
    wait_idle,
)

pytestmark = BROWSER


def test_fullscreen_keeps_the_animation(server, page):
    open_animated_ravine(page, server)
    before = page.evaluate(FRAMES)
    assert before["frames"] > 50 and not before["fullscreen"]
    chart = page.locator(".js-plotly-plot").first
    chart.hover()
    chart.locator('.modebar-btn[data-title="Fullscreen"]').click()
    time.sleep(1.0)
    inside = page.evaluate(FRAMES)
    assert inside["fullscreen"] and inside["frames"] == before["frames"]
    screenshot(page, "landscape-fullscreen.png")
    page.locator(".updatemenu-button", has_text="Play").first.click()
    time.sleep(2.5)
    playing = page.evaluate(FRAMES)
    assert playing["points"] > before["points"] + 10  # Play works in fullscreen
    # Leave it (Esc is the browser's own; headless Chromium takes the button's second click).
    chart.hover()
    chart.locator('.modebar-btn[data-title="Fullscreen"]').click()
    time.sleep(1.0)
    after = page.evaluate(FRAMES)
    assert not after["fullscreen"] and after["frames"] == before["frames"]
    transform = page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot')[0].style.transform"
    )
    assert transform == ""  # back exactly as it was


def test_chart_text_is_drawn_at_the_designed_size(server, page):
    page.goto(f"{server}/landscape")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .xtick text", timeout=30_000)
    sizes = page.evaluate(
        """() => Array.from(document.querySelectorAll('.js-plotly-plot')).map(gd => {
             const tick = gd.querySelector('.xtick text, .ytick text');
             const legend = gd.querySelector('.legendtext');
             return [tick && parseFloat(getComputedStyle(tick).fontSize),
                     legend && parseFloat(getComputedStyle(legend).fontSize)];
           })"""
    )
    for tick, legend in sizes:
        assert tick is None or tick >= 16, sizes
        assert legend is None or legend >= 15, sizes


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_every_figure_and_its_controls_fit_a_projector_without_scrolling(
    server, browser, width, height
):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    try:
        for path in (
            "landscape",
            "landscape?f=custom&expr=x**2%2B10*y**2&opt=adam&lr=0.3",  # long readouts
            "landscape?f=bowl&lr=1.5",  # a diverged run
            "compare",
            "data",
            "lessons?lesson=3",  # the deck: its words, Previous / Next and the live view
        ):
            page.goto(f"{server}/{path}")
            wait_idle(page, 1.0)
            page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
            if height >= 1080:  # the big screen's figure grows to use it (580-600 designed)
                grown(page, 700)
            time.sleep(1.0)
            fits = page.evaluate(FITS)
            assert fits["play"] and fits["slider"], (path, fits)
            assert not fits["cut"], (path, fits["cut"])
            assert not log_labels_wrong(page), (path, log_labels_wrong(page))
            assert not odd_tick_steps(page), (path, odd_tick_steps(page))
            if path.startswith("lessons"):
                for name in ("Previous", "Next", "Answer"):
                    box = page.get_by_text(name, exact=True).first.bounding_box()
                    assert box and box["y"] + box["height"] <= height, (path, name)
            screenshot(page, f"{path.split('?')[0]}-{width}-{len(path)}.png")
        open_hiker_on_one_screen(page, f"{server}/hiker?f=parabola&lr=0.1&x0=-4", height)
        assert not page.evaluate(FITS)["cut"]
        screenshot(page, f"hiker-{width}.png")
    finally:
        context.close()


def test_the_3d_view_is_drawn_at_the_screens_own_pixel_density(server, browser):
    """The 3-D scene's canvas has as many pixels as the screen shows, not Plotly's default of
    twice as many each way: 1 a CSS pixel on a projector (its ratio told with its size), 2 on
    a high-density laptop (told once the 3-D view is drawn). A short window of ratio 1 tells
    nothing and draws at 1 (``test_viewport``)."""
    ratios = {}
    for width, height, density in ((1920, 1080, 1), (1280, 720, 2)):
        context = browser.new_context(
            viewport={"width": width, "height": height}, device_scale_factor=density
        )
        page = context.new_page()
        try:
            page.goto(f"{server}/landscape?f=rosenbrock")
            wait_idle(page, 1.0)
            page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
            if height >= 1080:
                grown(page, 700)
            page.get_by_text("3-D surface", exact=True).click()
            wait_idle(page)
            canvas = page.locator(".st-key-ls_surface canvas").first
            canvas.wait_for(timeout=30_000)
            ratios[(width, density)] = canvas.evaluate(
                "(c) => c.width / c.getBoundingClientRect().width"
            )
            if height >= 1080:
                screenshot(page, "surface-1920.png")
        finally:
            context.close()
    assert ratios == pytest.approx({(1920, 1): 1.0, (1280, 2): 2.0}, abs=0.01)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_presentation_mode_fits_every_page_on_one_screen(server, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    # The main figure grows to the projector: at least 700 px tall at 1080, 480 at 720.
    least = 700 if height >= 1080 else 480
    try:
        for path in (
            "landscape?f=ravine&lr=0.02",
            "compare",
            "data",
            "lessons?lesson=3",
            "lessons?lesson=11",
        ):
            page.goto(f"{server}/{path}&present=1" if "?" in path else f"{server}/{path}?present=1")
            wait_idle(page, 1.0)
            page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
            grown(page, least)
            time.sleep(1.0)
            fits = page.evaluate(FITS)
            assert fits["play"] and fits["slider"] and not fits["scrolled"], (path, fits)
            assert not fits["cut"], (path, fits["cut"])
            shown = page.evaluate(PROJECTED)
            assert shown["sidebar"] == 0, path  # the settings are hidden, not gone
            assert not page.evaluate(UNDER_FLOATING), (path, page.evaluate(UNDER_FLOATING))
            assert not odd_tick_steps(page), (path, odd_tick_steps(page))
            assert shown["tick"] >= 18, (path, shown)
            assert shown["metric"] is None or shown["metric"] >= 32, (path, shown)
            assert page.evaluate(FILLED)["share"] >= 0.8, (path, page.evaluate(FILLED))
            name = path.replace("?", "-").replace("=", "").replace("&", "-")
            screenshot(page, f"present-{name}-{width}.png")
        if height >= 1080:  # a lesson's cited loss curves share the first screen with its view
            page.goto(f"{server}/lessons?lesson=9&present=1")
            wait_idle(page, 1.0)
            grown(page, 500)
            charts = page.locator(".js-plotly-plot")
            assert charts.count() == 2
            curves = charts.nth(1).bounding_box()
            assert curves and curves["y"] + curves["height"] <= height, curves
        for tab in ("Learning-rate sweep", "Basins of attraction"):
            page.goto(f"{server}/sweep?present=1")
            wait_idle(page, 1.0)
            page.get_by_role("tab", name=tab).click()
            wait_idle(page, 1.0)
            chart = page.locator(".js-plotly-plot:visible").first
            chart.wait_for(timeout=60_000)
            box = chart.bounding_box()
            assert box and box["y"] + box["height"] <= height, tab  # settings folded above it
            assert box["height"] >= least, (tab, box)
            screenshot(page, f"present-sweep-{tab.split()[0].lower()}-{width}.png")
        # The navigation is hidden with the sidebar: its menu opens another page, presenting.
        page.locator(".st-key-present_pages button").first.click()
        page.get_by_role("link", name="Compare").click()
        page.wait_for_url("**/compare**", timeout=30_000)
        wait_idle(page, 1.0)
        assert page.evaluate(PROJECTED)["sidebar"] == 0 and "present=1" in page.url
        open_hiker_on_one_screen(page, f"{server}/hiker?f=parabola&lr=0.1&x0=-4&present=1", height)
        assert page.evaluate(PROJECTED)["tick"] >= 18
        assert page.evaluate(FILLED)["share"] >= 0.8, page.evaluate(FILLED)
        screenshot(page, f"present-hiker-{width}.png")
        # Leaving restores the page, its settings untouched.
        page.locator(".st-key-present_leave button").first.click()
        wait_idle(page)
        page.wait_for_function("() => !location.search.includes('present')", timeout=30_000)
        assert page.evaluate(PROJECTED)["sidebar"] > 0
        assert page.get_by_role("spinbutton", name="Learning rate α (exact)").input_value() == (
            "0.1000"
        )
    finally:
        context.close()


@pytest.mark.parametrize("present", [False, True])
def test_the_network_page_fits_a_projector_and_shows_the_edge_of_stability(
    server, browser, present
):
    """At 1280×720: each view's first chart is drawn whole on the first screen (no scrolling),
    in presentation mode too; the edge-of-stability link shows the sharpness at 2/η."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    query = "loss=mse&lr=0.5&B=0&steps=3000&rows=1000" + ("&present=1" if present else "")
    try:
        page.goto(f"{server}/networks?{query}")
        wait_idle(page, 1.0)
        wait_idle(page, 1.0)  # and the rerun that follows the window's size
        for view in ("Training", "Landscape", "Lines", "Sharpness"):
            page.locator(".st-key-nn_view button", has_text=view).first.click()
            wait_idle(page, 1.0)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            time.sleep(0.8)
            chart = page.locator(".js-plotly-plot").first.bounding_box()
            assert chart is not None and chart["height"] >= 300, view
            assert chart["y"] >= 0 and chart["y"] + chart["height"] <= 720 + 1, (view, chart)
            # Loss axes say their values: "0.5, 0.2", not plotly's lone "5, 2".
            assert not log_labels_wrong(page), (view, log_labels_wrong(page))
            assert not page.evaluate(UNDER_FLOATING), (view, page.evaluate(UNDER_FLOATING))
            assert not odd_tick_steps(page), (view, odd_tick_steps(page))
            suffix = "present-" if present else ""
            screenshot(page, f"networks-{suffix}{view.lower()}-1280.png")
        said = page.locator("[data-testid='stMain']").inner_text()
        assert "2/η = 4" in said and "edge of stability" in said
    finally:
        context.close()
