"""The running app when things go wrong or leave the page: a server restart under an open tab,
a formula typo, downloads that play offline.
(See ``tests/browsing.py`` for what they share.)"""

from __future__ import annotations

import time

from harness.browser import (
    ARTIFACTS,
    free_port,
    start_streamlit,
    stop_streamlit,
)
from tests.browsing import (
    BROWSER,
    GRADES,
    PATH_LENGTH,
    download_from_the_ravine,
    restart_under_the_tab,
    screenshot,
    type_into,
    upload,
    wait_idle,
)

pytestmark = BROWSER


def test_the_first_click_and_value_after_a_server_restart_count(server, projector_page):
    """A tab left open across a server restart reconnects to a fresh session: its first click
    (Step) and its first typed value (α) take effect instead of being dropped."""
    page = projector_page  # no window-size redraw to race the restart
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


def test_a_file_lost_in_a_server_restart_is_asked_for_again(server, projector_page, tmp_path):
    page = projector_page  # no window-size redraw to race the restart
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
    page.get_by_role("tab", name="Results and loss curves").click()  # the new race's table
    page.locator("[data-testid='stTable']").wait_for(timeout=30_000)
    assert page.get_by_label("Steps", exact=True).input_value() == steps
    assert (
        page.get_by_label("Loss threshold (for 'reached at')", exact=True).input_value()
        == threshold
    )


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
        # Opened alone, the file says what it shows: landscape, optimizer, α, start.
        heading = file_page.locator("h1").inner_text()
        assert "Ravine" in heading and "α = 0.075" in heading, heading
        assert "from (-4.5, 1.5)" in heading
        before = file_page.evaluate(PATH_LENGTH)
        file_page.locator(".updatemenu-button", has_text="Play").first.click()
        time.sleep(3)
        after = file_page.evaluate(PATH_LENGTH)
        assert before["points"] == 1 and after["points"] > before["points"] + 10
        assert after["images"] == 1  # the landscape picture travels inside the file
        file_page.screenshot(path=str(ARTIFACTS / "export-offline-1280.png"))
    finally:
        offline.close()
