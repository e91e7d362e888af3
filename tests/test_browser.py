"""The running app in a real Chromium (Debian's /usr/bin/chromium), driven by Playwright.

Skipped with a reason where Chromium or Playwright is missing; required under CI (``CI=true``).
Screenshots land in ``artifacts/`` for a human to look at.
"""

from __future__ import annotations

import shutil
import subprocess
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pytest

from gdviz.figures import maps
from harness.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    free_port,
    start_streamlit,
    stop_streamlit,
)
from tests.conftest import IN_CI, optional_module

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.browser


def wait_quiet(page: Page, quiet: float = 2.0, timeout: float = 30.0) -> None:
    """Wait until ``page`` has had no HTTP request in flight for ``quiet`` seconds. Streamlit's
    frontend keeps fetching component scripts in idle time after the page looks done, so
    Playwright's "networkidle" (500 ms) can come too early."""
    pending: set = set()
    last = [time.monotonic()]

    def started(request: object) -> None:
        pending.add(request)
        last[0] = time.monotonic()

    def ended(request: object) -> None:
        pending.discard(request)
        last[0] = time.monotonic()

    page.on("request", started)
    page.on("requestfinished", ended)
    page.on("requestfailed", ended)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            page.wait_for_timeout(200)  # lets Playwright deliver the events
            if not pending and time.monotonic() - last[0] >= quiet:
                return
        raise TimeoutError(f"the page kept loading for {timeout:g} s")
    finally:
        page.remove_listener("request", started)
        page.remove_listener("requestfinished", ended)
        page.remove_listener("requestfailed", ended)


def restart_under_the_tab(proc: subprocess.Popen, port: int, page: Page) -> subprocess.Popen:
    """Restart the app on ``port`` while ``page`` stays open, and give the tab time to notice
    and reconnect (to a fresh session).

    A tab left open is a tab fully loaded: the server goes down only once the browser has
    fetched everything, because a component script whose fetch the restart cuts off stays a
    failed import for the life of the page ("Failed to fetch dynamically imported module")."""
    wait_quiet(page)
    stop_streamlit(proc)
    proc = start_streamlit(port)
    time.sleep(3)
    return proc


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A running app on a free localhost port; yields its base URL."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        if IN_CI:
            pytest.fail("Chromium is required under CI; install it (apt-get install chromium)")
        pytest.skip(f"Chromium not found at {CHROMIUM}: `apt-get install chromium` to run this")
    optional_module("playwright", "drives the browser")
    port = free_port()
    proc = start_streamlit(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_streamlit(proc)


@pytest.fixture(scope="module")
def browser(server):
    sync_api = optional_module("playwright.sync_api", "drives the browser")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1600, "height": 1400})
    page = context.new_page()
    yield page
    context.close()


def wait_idle(page, settle: float = 0.4) -> None:
    time.sleep(settle)  # let a click's rerun start before waiting for it to finish
    page.wait_for_selector(IDLE, timeout=60_000)


GRADES = "hours,score\n1,50\n2,55\n3,62\n4,70\n5,72\n6,80\n2.5,65\n3.5,58\n"


def upload(page, path: Path, text: str, shown: str, base: str | None = None) -> None:
    """Write ``text`` to ``path`` and upload it on the data page (opened at ``base`` first,
    when given); wait until ``shown`` is on the page."""
    path.write_text(text)
    if base is not None:
        page.goto(f"{base}/data?d=upload")
        wait_idle(page)
    page.locator(
        "[data-testid='stSidebar'] [data-testid='stFileUploader'] input[type='file']"
    ).set_input_files(str(path))
    page.get_by_text(shown).wait_for(timeout=60_000)
    wait_idle(page)


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_hiker_steps_in_the_browser(server, page):
    # The first request to a fresh server is a deep link: it must be routed through app.py.
    page.goto(f"{server}/hiker?f=parabola&lr=0.1&x0=-4")
    wait_idle(page)
    start = "Step: 0 | Current Position: -4.00 | Loss: 16.00 | Gradient: -8.00"
    page.get_by_text(start).wait_for(timeout=30_000)
    nav = page.locator("[data-testid='stSidebarNav']").inner_text()
    assert "The hiker (1-D)" in nav and "common" not in nav
    page.get_by_role("button", name="Step", exact=True).click()
    wait_idle(page)
    page.get_by_text("Step: 1 | Current Position: -3.20 | Loss: 10.24 | Gradient: -6.40").wait_for(
        timeout=30_000
    )
    assert "n=1" in page.url
    screenshot(page, "hiker.png")


def open_animated_ravine(page, base: str) -> None:
    """The landscape page on a 100-step zig-zag down the ravine, its Play button ready."""
    page.goto(f"{base}/landscape?f=ravine&opt=sgd&lr=0.075&steps=100")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)


PATH_LENGTH = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  return {points: gd._fullData[5].x.length, slider: gd._fullLayout.sliders[0].active,
          images: gd._fullLayout.images.length};
}"""


def test_landscape_play_animates_the_path(server, page):
    open_animated_ravine(page, server)
    before = page.evaluate(PATH_LENGTH)
    assert before["points"] == 1 and before["images"] == 1
    page.locator(".updatemenu-button", has_text="Play").first.click()
    time.sleep(3)
    after = page.evaluate(PATH_LENGTH)
    assert after["points"] > before["points"] + 10
    assert after["slider"] > 0
    assert after["images"] == 1  # the landscape picture stays while the path moves
    screenshot(page, "landscape.png")


STEP_SHOWN = """(key) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const slider = gd && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
  return slider ? Number(slider.steps[slider.active].label) : null;
}"""


def test_the_3d_view_opens_at_the_step_the_map_was_showing(server, page):
    open_animated_ravine(page, server)
    page.locator(".updatemenu-button", has_text="Play").first.click()
    time.sleep(2.0)
    page.locator(".updatemenu-button", has_text="Pause").first.click()
    time.sleep(0.5)
    step = page.evaluate(STEP_SHOWN, "ls_map")
    assert step and step > 10
    page.get_by_text("3-D surface", exact=True).click()
    wait_idle(page)
    page.wait_for_selector(".st-key-ls_surface .slider-rail-touch-rect", timeout=60_000)
    deadline = time.monotonic() + 20
    shown = None
    while time.monotonic() < deadline:
        shown = page.evaluate(STEP_SHOWN, "ls_surface")
        if shown:
            break
        time.sleep(0.3)
    # The surface has fewer frames (40): it shows the last one at or before the map's step.
    assert shown is not None and step - 5 <= shown <= step
    screenshot(page, "surface-follows-map.png")


DATA_TO_PAGE = """([x, y]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  return [box.left + xa._offset + xa.l2p(x), box.top + ya._offset + ya.l2p(y)];
}"""


def click_map(
    page, point: tuple[float, float], labels: tuple[str, str], target: tuple[str, str]
) -> tuple[str, str]:
    """Click the first map at ``point`` (data coordinates) until the two start inputs named
    ``labels`` read ``target``; returns what they read last."""
    got = ("", "")
    for _attempt in range(3):  # the chart may still be settling its width on the first try
        time.sleep(1.0)
        x, y = page.evaluate(DATA_TO_PAGE, list(point))
        page.mouse.move(x, y)
        page.mouse.click(x, y)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            got = tuple(page.get_by_label(label, exact=True).input_value() for label in labels)
            if got == target:
                return got
            time.sleep(0.3)
    return got


SCRUBBER = """() => {
  const gd = document.querySelector('.st-key-ls_scrub .js-plotly-plot');
  const slider = gd.querySelector('.slider-container').getBoundingClientRect();
  const use = document.querySelector('.st-key-ls_pick').getBoundingClientRect();
  return {status: gd.data[gd.data.length - 1].text[0], active: gd._fullLayout.sliders[0].active,
          state: document.querySelector("[data-testid='stApp']").dataset.testScriptState,
          fits: slider.bottom <= innerHeight && use.bottom <= innerHeight && slider.width > 0};
}"""


def test_scrubbing_the_rate_redraws_in_the_browser_and_use_makes_it_yours(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    try:
        page.goto(f"{server}/landscape?f=ravine&x0=-4.5&y0=1.5&lr=0.02")
        wait_idle(page)
        page.get_by_text("α scrubber", exact=True).click()
        wait_idle(page)
        rail = page.locator(".st-key-ls_scrub .slider-rail-rect")
        rail.wait_for(timeout=30_000)
        wait_quiet(page)
        before = page.evaluate(SCRUBBER)
        assert before["status"].startswith("<b>α = 0.02 (0.25 × critical)</b>")
        assert before["fits"], "the scrubber and its button need no scrolling at 1280×720"
        assert page.locator(".st-key-ls_pick button").is_disabled()
        # Past the critical rate (0.08): 85% along a family from 0.00095 to 0.34.
        box = rail.bounding_box()
        quiet = len(sent)
        page.mouse.click(box["x"] + 0.85 * box["width"], box["y"] + box["height"] / 2)
        time.sleep(1.0)
        after = page.evaluate(SCRUBBER)
        assert after["active"] > before["active"]
        assert "diverging: blew up at step" in after["status"]
        assert after["state"] == "notRunning"
        assert len(sent) == quiet, "scrubbing must not send anything to the server"
        screenshot(page, "scrubber-1280.png")
        # "Use α = …" makes the scrubbed rate the page's (one rerun; the link carries it).
        use = page.locator(".st-key-ls_pick button")
        rate = use.text_content().removeprefix("Use α = ")
        assert float(rate) > 0.08
        use.click()
        wait_idle(page)
        box_value = page.get_by_role("spinbutton", name="Learning rate α")
        deadline = time.monotonic() + 20
        while box_value.input_value() != rate and time.monotonic() < deadline:
            time.sleep(0.2)
        assert box_value.input_value() == rate
        wait_idle(page)
        assert f"lr={rate}" in page.url
        assert page.evaluate(SCRUBBER)["status"].startswith(f"<b>α = {rate} ")
    finally:
        context.close()


def test_a_new_rate_sends_the_landscape_picture_once(server, page):
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if r.url.endswith(".png") else None)
    page.goto(f"{server}/landscape?f=himmelblau&lr=0.01")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    source = "() => document.querySelector('.js-plotly-plot').layout.images[0].source"
    first = page.evaluate(source)
    assert first.startswith("/media/") and first.endswith(".png")  # a URL, not inline bytes
    box = page.get_by_role("spinbutton", name="Learning rate α")
    for rate in ("0.011", "0.012"):
        box.fill(rate)
        box.press("Enter")
        wait_idle(page)
        page.wait_for_function(f"() => location.search.includes('lr={rate}')", timeout=30_000)
        assert page.evaluate(source) == first  # the same picture, by the same address
    assert [url for url in fetched if "/media/" in url] == [f"{server}{first}"]


def test_clicking_the_map_moves_the_start(server, page):
    page.goto(f"{server}/landscape?f=himmelblau")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    target = ("2.500", "-2.500")  # a node of the 21x21 click grid
    assert click_map(page, (2.5, -2.5), ("x₀", "y₀"), target) == target
    wait_idle(page)
    assert "x0=2.5" in page.url and "y0=-2.5" in page.url


def test_compare_preset_table_in_the_browser(server, page):
    page.goto(f"{server}/compare")
    wait_idle(page)
    page.get_by_text("Load a lesson").wait_for(timeout=30_000)
    for preset in ("GD vs momentum vs Adam", "Learning rate: too small / just right / too large"):
        page.locator("[data-testid='stSelectbox']").filter(has_text="Load a lesson").click()
        page.get_by_role("option", name=preset).click()  # choosing a lesson loads it
        wait_idle(page)
    table = page.locator("[data-testid='stTable']")
    table.wait_for(timeout=30_000)
    text = table.inner_text()
    for expected in (
        "α = 0.005 (too small)",
        "not converged",
        "α = 0.07 (just right)",
        "converged",
        "α = 0.085 (too large)",
        "diverged",
    ):
        assert expected in text
    row = table.locator("tr", has_text="too large").inner_text()
    assert "44" in row  # diverged at step 44
    screenshot(page, "compare.png")


def test_data_page_trains_on_an_uploaded_csv(server, page, tmp_path):
    upload(page, tmp_path / "grades.csv", GRADES, "Mini-batch (B = 8)", base=server)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    title = page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot')[0]._fullLayout.xaxis2.title.text"
    )
    assert title == "hours"
    screenshot(page, "data-upload.png")
    upload(
        page,
        tmp_path / "broken.csv",
        "hours,score\n1,50\n,55\n",
        "missing, NaN or infinite values in data row(s) 2",
    )
    assert "broken.csv" in page.locator("[data-testid='stAlert']").first.inner_text()


def test_clicking_the_parameter_map_sets_the_initialisation(server, page):
    from gdviz import settings

    (w_lo, w_hi), (b_lo, b_hi) = settings.example_problem("tips", "linear", "standardised").bounds
    nodes = maps.CLICK_RESOLUTION
    w, b = np.linspace(w_lo, w_hi, nodes)[3], np.linspace(b_lo, b_hi, nodes)[17]  # grid nodes
    target = (f"{round(w, 4):.4g}", f"{round(b, 4):.4g}")
    page.goto(f"{server}/data")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    assert click_map(page, (w, b), ("w₀", "b₀"), target) == target
    wait_idle(page)
    assert f"w0={round(w, 4):g}" in page.url
    screenshot(page, "data.png")


DATA_PANELS = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const path = gd._fullData[5], fit = gd._fullData[7];
  return {points: path.x.length, fit: Array.from(fit.y), images: gd._fullLayout.images.length};
}"""


def test_data_page_play_moves_the_path_and_the_fit_together(server, page):
    page.goto(f"{server}/data?gd=batch&epochs=40&lr=0.05")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    before = page.evaluate(DATA_PANELS)
    assert before["points"] == 1 and before["fit"] == [0, 0]  # w = b = 0: a flat line at 0
    page.locator(".updatemenu-button", has_text="Play").first.click()
    time.sleep(3)
    after = page.evaluate(DATA_PANELS)
    assert after["points"] > 10  # the path grew in parameter space ...
    assert min(after["fit"]) > 0.5 and max(after["fit"]) > 3  # ... and the line rose to the tips
    assert after["images"] == 1


def test_link_text_renders_as_text_never_as_a_link(server, page):
    """A hand-edited link's values and keys appear in the app's own warnings as typed: no bold,
    no clickable link, no remote image, and at most a short quote of a huge value."""
    hostile = "**BOLD** [click me](http://127.0.0.1:9/x) ![t](http://127.0.0.1:9/t.png)"
    query = urllib.parse.urlencode({"opt": hostile, "[key](http://127.0.0.1:9/k)": "1"})
    page.goto(f"{server}/landscape?{query}")
    wait_idle(page)
    alerts = page.locator("[data-testid='stAlert']")
    alerts.first.wait_for(timeout=30_000)
    html = " ".join(alerts.nth(i).inner_html() for i in range(alerts.count()))
    text = " ".join(alerts.nth(i).inner_text() for i in range(alerts.count()))
    assert "<a " not in html and "<strong>" not in html and "<img" not in html
    text = text.replace("\u2060", "")  # the invisible joiners that stop autolinking
    # A value is quoted in at most 40 characters (a 20,000-character one must not fill a page).
    assert "'**BOLD** [click me](http://127.0.0.1:…'" in text
    assert "[key](http://127.0.0.1:9/k)" in text
    screenshot(page, "hostile-link-1280.png")


def test_an_upload_with_markup_in_its_names_shows_them_as_text(server, page, tmp_path):
    names = "<b>bill</b>,[tip](http://127.0.0.1:9/)\n1,2\n2,3\n4,4\n5,6\n"
    upload(page, tmp_path / "names.csv", names, "(4 rows)", base=server)
    main = page.locator("[data-testid='stMain']")
    assert main.locator("a[href^='http://127.0.0.1:9']").count() == 0
    page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
    axis = page.locator(".js-plotly-plot .g-x2title").first.inner_html()
    assert "<b>" not in axis and "&lt;b&gt;bill&lt;/b&gt;" in axis  # drawn as typed
    assert "[tip](http://127.0.0.1:9/)" in main.inner_text().replace("\u2060", "")


def test_a_jagged_sweep_draws_its_regions_as_a_few_shapes(server, page):
    from gdviz import settings
    from gdviz.settings import links

    cfg = settings.SweepConfig(
        landscape="rastrigin", start=(0, -3.07), lr_min=0.01, lr_max=1, n_rates=1000
    )
    page.goto(f"{server}/sweep?s={links.model_to_link(cfg)}")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    shapes = page.evaluate(
        "() => document.querySelectorAll('.js-plotly-plot')[0].querySelectorAll("
        "'.shapelayer path').length"
    )
    assert 2 <= shapes <= 10  # the region paths (and the two marker lines), not 1,096 bands
    screenshot(page, "sweep-rastrigin.png")


def test_the_hiker_at_his_step_limit_says_so(server, page):
    page.goto(f"{server}/hiker?f=parabola&lr=0.001&x0=-4&n=1000")
    wait_idle(page)
    page.get_by_text("the most one hike keeps").wait_for(timeout=30_000)
    assert page.get_by_role("button", name="Step", exact=True).is_disabled()
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    assert page.locator(".js-plotly-plot").count() == 2


def test_the_first_click_and_value_after_a_server_restart_count(server, page):
    """A tab left open across a server restart reconnects to a fresh session: its first click
    (Step) and its first typed value (α) take effect instead of being dropped."""
    port = free_port()
    proc = start_streamlit(port)
    try:
        page.goto(f"http://127.0.0.1:{port}/hiker?f=parabola&lr=0.1&x0=-4")
        wait_idle(page)
        page.get_by_text("Step: 0 | Current Position: -4.00").wait_for(timeout=30_000)
        proc = restart_under_the_tab(proc, port, page)
        page.get_by_role("button", name="Step", exact=True).click()
        wait_idle(page, settle=1.5)
        page.get_by_text("Step: 1 | Current Position: -3.20").wait_for(timeout=30_000)
        proc = restart_under_the_tab(proc, port, page)
        type_into(page, "Learning rate α (exact)", "0.3")
        deadline = time.monotonic() + 15
        while "lr=0.3" not in page.url and time.monotonic() < deadline:
            time.sleep(0.3)
        rate = page.get_by_label("Learning rate α (exact)", exact=True).input_value()
        assert "lr=0.3" in page.url and rate == "0.3000"
    finally:
        stop_streamlit(proc)


def test_a_file_lost_in_a_server_restart_is_asked_for_again(server, page, tmp_path):
    port = free_port()
    proc = start_streamlit(port)
    try:
        base = f"http://127.0.0.1:{port}"
        upload(page, tmp_path / "grades.csv", GRADES, "Mini-batch (B = 8)", base=base)
        proc = restart_under_the_tab(proc, port, page)
        type_into(page, "Learning rate α", "0.2")
        try:
            page.get_by_text("lost the file you had uploaded").wait_for(timeout=30_000)
        finally:
            screenshot(page, "upload-lost-after-restart.png")
        assert page.locator("[data-testid='stException']").count() == 0
    finally:
        stop_streamlit(proc)


def type_into(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_idle(page, settle=0.8)


def test_a_formula_typo_and_a_new_formula_keep_every_other_setting(server, page):
    page.goto(f"{server}/landscape?f=custom&expr=x**2%2By**2&lr=0.02&steps=300&x0=1&y0=-1")
    wait_idle(page)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    type_into(page, "L(x, y) =", "x**")
    page.get_by_text("Cannot use this function").wait_for(timeout=30_000)
    type_into(page, "L(x, y) =", "x**2 + 10*y**2")
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    for label, value in (("Steps", "300"), ("Learning rate α", "0.02"), ("x₀", "1.000")):
        assert page.get_by_label(label, exact=True).input_value() == value, label
    assert "steps=300" in page.url and "lr=0.02" in page.url and "x0=1" in page.url

    page.goto(f"{server}/compare")
    wait_idle(page)
    page.locator("[data-testid='stSelectbox']").filter(has_text="Landscape").click()
    page.get_by_role("option", name="Custom formula…").click()
    wait_idle(page)
    steps = page.get_by_label("Steps", exact=True).input_value()
    threshold = page.get_by_label("Loss threshold (for 'reached at')", exact=True).input_value()
    type_into(page, "L(x, y) =", "x**")
    type_into(page, "L(x, y) =", "x**2 + 10*y**2")
    page.locator("[data-testid='stTable']").wait_for(timeout=30_000)
    assert page.get_by_label("Steps", exact=True).input_value() == steps
    assert (
        page.get_by_label("Loss threshold (for 'reached at')", exact=True).input_value()
        == threshold
    )


FRAMES = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  return {frames: (gd._transitionData && gd._transitionData._frames || []).length,
          points: gd._fullData[5].x.length, fullscreen: !!document.fullscreenElement};
}"""


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


FITS = """() => {
  const inView = (el) => {
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth;
  };
  const gd = document.querySelector('.js-plotly-plot');
  const play = gd && Array.from(gd.querySelectorAll('.updatemenu-button'))
    .find(b => b.textContent.includes('Play'));
  const slider = gd && gd.querySelector('.slider-container');
  const cut = Array.from(document.querySelectorAll(
      "[data-testid='stMetricValue'] div, [data-testid='stMetricValue'], button, button *"))
    .filter(el => el.scrollWidth > el.clientWidth + 1).map(el => el.textContent);
  return {play: inView(play), slider: inView(slider), figure: inView(gd), cut,
          scrolled: document.scrollingElement.scrollTop};
}"""


def open_hiker_on_one_screen(page, url: str, height: int) -> None:
    """Open the hiker at ``url``; his Step, Run 10, Back and Reset and his curve must all be
    on the first screen."""
    page.goto(url)
    wait_idle(page, 1.0)
    page.wait_for_selector(".js-plotly-plot", timeout=30_000)
    for name in ("Step", "Run 10", "Back", "Reset"):
        box = page.get_by_role("button", name=name, exact=True).bounding_box()
        assert box and box["y"] + box["height"] <= height, name
    curve = page.locator(".js-plotly-plot").first.bounding_box()
    assert curve["y"] + curve["height"] <= height


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
            time.sleep(1.0)
            fits = page.evaluate(FITS)
            assert fits["play"] and fits["slider"], (path, fits)
            assert not fits["cut"], (path, fits["cut"])
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


PROJECTED = """() => {
  const px = (el) => el ? parseFloat(getComputedStyle(el).fontSize) : null;
  const gd = document.querySelector('.js-plotly-plot');
  const ticks = gd ? Array.from(gd.querySelectorAll('.xtick text, .ytick text'))
    .map((t) => parseFloat(t.style.fontSize || getComputedStyle(t).fontSize)) : [];
  const sidebar = document.querySelector('section[data-testid="stSidebar"]');
  return {tick: ticks.length ? Math.min(...ticks) : null,
          metric: px(document.querySelector('[data-testid="stMetricValue"]')),
          sidebar: sidebar ? sidebar.getBoundingClientRect().width : 0};
}"""


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_presentation_mode_fits_every_page_on_one_screen(server, browser, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
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
            time.sleep(1.0)
            fits = page.evaluate(FITS)
            assert fits["play"] and fits["slider"] and not fits["scrolled"], (path, fits)
            assert not fits["cut"], (path, fits["cut"])
            shown = page.evaluate(PROJECTED)
            assert shown["sidebar"] == 0, path  # the settings are hidden, not gone
            assert shown["tick"] >= 18, (path, shown)
            assert shown["metric"] is None or shown["metric"] >= 28, (path, shown)
            name = path.replace("?", "-").replace("=", "").replace("&", "-")
            screenshot(page, f"present-{name}-{width}.png")
        page.goto(f"{server}/sweep?present=1")
        wait_idle(page, 1.0)
        page.wait_for_selector(".js-plotly-plot", timeout=30_000)
        time.sleep(1.0)
        chart = page.locator(".js-plotly-plot").first.bounding_box()
        assert chart["y"] + chart["height"] <= height  # the settings are folded above it
        screenshot(page, f"present-sweep-{width}.png")
        open_hiker_on_one_screen(page, f"{server}/hiker?f=parabola&lr=0.1&x0=-4&present=1", height)
        assert page.evaluate(PROJECTED)["tick"] >= 18
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


def download_from_the_ravine(page, server: str, button: str, saved: Path) -> str:
    """Open the animated ravine, download its export ``button`` to ``saved``; returns the
    file name the browser was given."""
    open_animated_ravine(page, server)
    page.get_by_text("Export or load: HTML, GIF, CSV, settings").click()
    # The buttons must be the page's current ones: a click on a button from a run that is
    # being replaced asks for a file the server has already revoked.
    wait_idle(page)
    page.get_by_role("button", name=button).wait_for(timeout=30_000)
    seen: list[str] = []  # what the page did meanwhile, for the message if no file comes
    page.on("request", lambda r: seen.append(f"{r.method} {r.url[-60:]}"))
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text[:120]}"))
    try:
        with page.expect_download(timeout=60_000) as download:
            page.get_by_role("button", name=button).click()
    except Exception as error:
        raise AssertionError(f"no download of {button!r}; the page meanwhile: {seen}") from error
    download.value.save_as(saved)
    return download.value.suggested_filename


def test_the_gif_download_is_a_slide_ready_animation(server, page, tmp_path):
    from PIL import Image

    saved = tmp_path / "ravine.gif"
    assert download_from_the_ravine(page, server, "Slides (GIF)", saved).endswith(".gif")
    with Image.open(saved) as image:
        assert image.size == (960, 540) and image.n_frames == 100


def test_the_exported_html_plays_from_a_file_with_the_network_blocked(server, page, tmp_path):
    saved = tmp_path / "landscape.html"
    download_from_the_ravine(page, server, "Animation (HTML)", saved)
    assert saved.stat().st_size > 3_000_000
    offline = page.context.browser.new_context(viewport={"width": 1280, "height": 720})
    try:
        offline.route("http://*/**", lambda route: route.abort())
        offline.route("https://*/**", lambda route: route.abort())
        file_page = offline.new_page()
        file_page.goto(saved.as_uri())
        file_page.wait_for_selector(".js-plotly-plot .updatemenu-button", timeout=30_000)
        before = file_page.evaluate(PATH_LENGTH)
        file_page.locator(".updatemenu-button", has_text="Play").first.click()
        time.sleep(3)
        after = file_page.evaluate(PATH_LENGTH)
        assert before["points"] == 1 and after["points"] > before["points"] + 10
        assert after["images"] == 1  # the landscape picture travels inside the file
        file_page.screenshot(path=str(ARTIFACTS / "export-offline-1280.png"))
    finally:
        offline.close()


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
        for view in ("Training", "Landscape", "Lines", "Sharpness"):
            page.locator(".st-key-nn_view button", has_text=view).first.click()
            wait_idle(page, 1.0)
            page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
            time.sleep(0.8)
            chart = page.locator(".js-plotly-plot").first.bounding_box()
            assert chart is not None and chart["height"] >= 300, view
            assert chart["y"] >= 0 and chart["y"] + chart["height"] <= 720 + 1, (view, chart)
            suffix = "present-" if present else ""
            screenshot(page, f"networks-{suffix}{view.lower()}-1280.png")
        said = page.locator("[data-testid='stMain']").inner_text()
        assert "2/η = 4" in said and "edge of stability" in said
    finally:
        context.close()
