"""The running app in a real Chromium (Debian's /usr/bin/chromium), driven by Playwright: a
student's clicks, steps, scrubs and uploads.
(See ``tests/browsing.py`` for what they share.)"""

from __future__ import annotations

import base64
import json
import time
import urllib.parse
import urllib.request

import numpy as np

from gdviz.figures import maps
from tests.browsing import (
    BROWSER,
    DATA_PANELS,
    GRADES,
    PATH_LENGTH,
    SCRUBBER,
    STEP_SHOWN,
    click_map,
    open_animated_ravine,
    open_scrubber,
    screenshot,
    upload,
    wait_idle,
)

pytestmark = BROWSER


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


def test_scrubbing_the_rate_redraws_in_the_browser_and_use_makes_it_yours(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    try:
        url = f"{server}/landscape?f=ravine&x0=-4.5&y0=1.5&lr=0.02"
        rail = open_scrubber(page, url, "α scrubber", "ls_scrub")
        before = page.evaluate(SCRUBBER)
        assert before["status"].startswith("<b>α = 0.02 (0.25 × critical at the minimum)</b>")
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
    # Under the map: the runs to edit, and one click away the results and the loss curves.
    assert page.get_by_label("Label", exact=True).first.is_visible()
    page.get_by_role("tab", name="Results and loss curves").click()
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
    # A click on the race's map starts every run there (it did nothing).
    target = ("2.500", "-1.000")  # a node of the ravine's 21×21 click grid
    assert click_map(page, (2.5, -1.0), ("x₀", "y₀"), target) == target
    wait_idle(page)
    link = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)["c"][0]
    shared = json.loads(base64.urlsafe_b64decode(link + "=" * (-len(link) % 4)))
    assert shared["start"] == [2.5, -1.0]  # and so is the link


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


MOMENTUM_POINT = """([alpha, beta]) => {
  const gd = document.querySelector('.st-key-mm_map .js-plotly-plot');
  const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  return [box.left + xa._offset + xa.l2p(Math.log10(alpha)), box.top + ya._offset + ya.l2p(beta)];
}"""


def test_clicking_the_momentum_map_runs_that_pair(server, page):
    """The (α, β) tab of /sweep: the map is drawn with its best pair; a click on it runs the
    nearest pair from the sweep's start and draws the ring where it was."""
    page.goto(f"{server}/sweep")
    wait_idle(page)
    page.get_by_text("Momentum (α, β)", exact=True).click()
    page.wait_for_selector(".st-key-mm_map .js-plotly-plot", timeout=60_000)
    wait_idle(page)
    names = page.evaluate(
        "() => document.querySelector('.st-key-mm_map .js-plotly-plot').data.map(t => t.name)"
    )
    assert any(str(n).startswith("best pair α = 0.111, β = 0.44") for n in names)
    page.locator(".st-key-mm_map .js-plotly-plot").scroll_into_view_if_needed()
    time.sleep(0.3)
    x, y = page.evaluate(MOMENTUM_POINT, [0.05, 0.5])
    page.mouse.move(x, y)
    time.sleep(0.3)  # the hover settles on a click target, as a pointer would
    page.mouse.click(x, y)
    page.get_by_text("Your run: α =").wait_for(timeout=60_000)
    wait_idle(page)
    words = page.locator(".stMarkdown", has_text="Your run: α =").first.inner_text()
    assert "from (-4.5, 1.5): converged at step" in words
    alpha = float(words.split("α = ")[1].split(",")[0])
    assert 0.04 < alpha < 0.065  # the click target nearest 0.05
    rings = page.evaluate(
        "() => document.querySelector('.st-key-mm_map .js-plotly-plot').data"
        ".filter(t => String(t.name).startsWith('your run')).length"
    )
    assert rings == 2  # on both panels
    screenshot(page, "momentum-map.png")
    # Under it, the clicked α's β scrubber, starting at the clicked β.
    rail = page.locator(".st-key-mm_run .slider-rail-rect")
    rail.wait_for(timeout=60_000)
    status = page.evaluate(
        "() => { const gd = document.querySelector('.st-key-mm_run .js-plotly-plot');"
        " return gd.data[gd.data.length - 1].text[0]; }"
    )
    beta = words.split("β = ")[1].split()[0]  # "0.52": the click target nearest
    assert status.startswith(f"<b>β = {beta}</b>"), (status, beta)
    rail.scroll_into_view_if_needed()
    screenshot(page, "momentum-map-scrubber.png")


def test_scrubbing_momentum_redraws_in_the_browser_and_use_makes_it_yours(server, browser):
    """The β scrubber: α = 0.085 is past plain descent's critical rate on the ravine, so
    without momentum the run blows up; dragging β past 0.0625 (the smallest stable β, the
    dashed mark) tames it, in the browser alone; "Use β" makes it the page's momentum."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    keys = ["ls_scrub_beta", "ls_pick_beta"]
    try:
        url = f"{server}/landscape?f=ravine&x0=-4.5&y0=1.5&lr=0.085&mom=0.5"
        rail = open_scrubber(page, url, "β scrubber", "ls_scrub_beta")
        before = page.evaluate(SCRUBBER, keys)
        assert before["status"].startswith("<b>β = 0.50 (stable from 0.06)</b>")
        assert before["fits"], "the scrubber and its button need no scrolling at 1280×720"
        box = rail.bounding_box()
        quiet = len(sent)
        page.mouse.click(box["x"] + 2, box["y"] + box["height"] / 2)  # β = 0: plain GD
        time.sleep(1.0)
        after = page.evaluate(SCRUBBER, keys)
        assert after["active"] == 0
        assert after["status"].startswith("<b>β = 0.00 (stable from 0.06)</b>")
        assert "diverging: blew up at step" in after["status"]
        assert len(sent) == quiet, "scrubbing must not send anything to the server"
        page.mouse.click(box["x"] + 0.8 * box["width"], box["y"] + box["height"] / 2)
        time.sleep(1.0)
        use = page.locator(".st-key-ls_pick_beta button")
        beta = use.text_content().removeprefix("Use β = ")
        assert 0.7 < float(beta) < 0.9
        screenshot(page, "momentum-scrubber-1280.png")
        use.click()
        wait_idle(page)
        deadline = time.monotonic() + 20
        while f"mom={beta}" not in page.url and time.monotonic() < deadline:
            time.sleep(0.2)
        assert f"mom={beta}" in page.url
        assert page.evaluate(SCRUBBER, keys)["status"].startswith(f"<b>β = {float(beta):.2f} ")
    finally:
        context.close()
