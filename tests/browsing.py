"""What the browser tests share: the app on a free port, a Chromium driven by Playwright
(module fixtures in ``conftest.py``: each browser file starts its own), waits, uploads,
screenshots and the page scripts the tests evaluate. The browser tests are skipped with a
reason where Chromium or Playwright is missing, and required under CI; their screenshots land
in ``artifacts/``."""

from __future__ import annotations

import math
import re
import subprocess
import time
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from harness.browser import (
    ARTIFACTS,
    IDLE,
    start_streamlit,
    stop_streamlit,
)

if TYPE_CHECKING:
    from playwright.sync_api import Page


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


def wait_idle(page, settle: float = 0.4) -> None:
    """Wait until the page has finished its run, and the rerun that follows when it tells the
    server the window's size (``gdviz/ui/js/viewport.js`` marks ``<html>`` "settled")."""
    time.sleep(settle)  # let a click's rerun start before waiting for it to finish
    page.wait_for_selector(IDLE, timeout=60_000)
    page.wait_for_function(
        "() => !['pending', 'telling'].includes(document.documentElement.dataset.gdvizWindow)",
        timeout=60_000,
    )
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


STEP_SHOWN = """(key) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const slider = gd && gd._fullLayout.sliders && gd._fullLayout.sliders[0];
  return slider ? Number(slider.steps[slider.active].label) : null;
}"""


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
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
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


def open_scrubber(page, url: str, view: str, chart: str):
    """Open ``url``, switch to the scrubber ``view`` and wait until its chart (key ``chart``)
    has settled; returns the slider's rail."""
    page.goto(url)
    wait_idle(page)
    page.get_by_text(view, exact=True).click()
    wait_idle(page)
    rail = page.locator(f".st-key-{chart} .slider-rail-rect")
    rail.wait_for(timeout=30_000)
    wait_quiet(page)
    return rail


SCRUBBER = """(keys) => {
  const [chart, pick] = keys || ['ls_scrub', 'ls_pick'];
  const gd = document.querySelector(`.st-key-${chart} .js-plotly-plot`);
  const slider = gd.querySelector('.slider-container').getBoundingClientRect();
  const use = document.querySelector(`.st-key-${pick}`).getBoundingClientRect();
  return {status: gd.data[gd.data.length - 1].text[0], active: gd._fullLayout.sliders[0].active,
          state: document.querySelector("[data-testid='stApp']").dataset.testScriptState,
          fits: slider.bottom <= innerHeight && use.bottom <= innerHeight && slider.width > 0};
}"""


DATA_PANELS = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const path = gd._fullData[5], fit = gd._fullData[7];
  return {points: path.x.length, fit: Array.from(fit.y), images: gd._fullLayout.images.length};
}"""


def type_into(page, label: str, text: str) -> None:
    box = page.get_by_label(label, exact=True)
    box.fill(text)
    box.press("Enter")
    wait_idle(page, settle=0.8)


FRAMES = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  return {frames: (gd._transitionData && gd._transitionData._frames || []).length,
          points: gd._fullData[5].x.length, fullscreen: !!document.fullscreenElement};
}"""


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


FILLED = """() => {
  // How much of the window's height the main figure and its readouts (metrics, the hiker's
  // status line and verdict, a lesson's run readouts) take, from the highest to the lowest.
  const parts = [document.querySelector('.js-plotly-plot'),
                 ...document.querySelectorAll('[data-testid="stMetric"]'),
                 ...document.querySelectorAll('.st-key-lesson_readouts'),
                 ...document.querySelectorAll('[data-testid="stMarkdownContainer"] h5'),
                 ...document.querySelectorAll('[data-testid="stAlert"]')]
    .filter(Boolean).map((el) => el.getBoundingClientRect()).filter((r) => r.height > 0);
  const top = Math.max(0, Math.min(...parts.map((r) => r.top)));
  const bottom = Math.min(innerHeight, Math.max(...parts.map((r) => r.bottom)));
  const gd = document.querySelector('.js-plotly-plot');
  return {share: (bottom - top) / innerHeight, chart: gd ? gd.getBoundingClientRect().height : 0};
}"""


def grown(page, least: float) -> None:
    """Wait until the main figure is at least ``least`` pixels tall: the page redraws it once
    the browser has told the server the window's size."""
    page.wait_for_function(
        f"() => {{ const g = document.querySelector('.js-plotly-plot');"
        f" return g && g.getBoundingClientRect().height >= {least}; }}",
        timeout=30_000,
    )
    wait_idle(page, 0.5)


PROJECTED = """() => {
  const px = (el) => el ? parseFloat(getComputedStyle(el).fontSize) : null;
  const gd = document.querySelector('.js-plotly-plot');
  const ticks = gd ? Array.from(gd.querySelectorAll('.xtick text, .ytick text'))
    .map((t) => parseFloat(t.style.fontSize || getComputedStyle(t).fontSize)) : [];
  const sidebar = document.querySelector('section[data-testid="stSidebar"]');
  return {tick: ticks.length ? Math.min(...ticks) : null,
          // the readout's number as drawn: its innermost text, not its box
          metric: px(document.querySelector('[data-testid="stMetricValue"] p')
                     || document.querySelector('[data-testid="stMetricValue"]')),
          sidebar: sidebar ? sidebar.getBoundingClientRect().width : 0};
}"""


AXIS_TICKS = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).flatMap((gd) =>
  Object.keys(gd._fullLayout || {}).filter((k) => /^[xy]axis\\d*$/.test(k)).map((k) => {
    const ax = gd._fullLayout[k];
    return [k, ax.type, ax.tickmode, (ax._vals || []).map((t) => [t.x, t.text])];
  }))"""


def tick_value(text: str) -> float:
    """The number a drawn tick label says: "0.5", "−2", "1e−3", "10<sup>−3</sup>", "2k"."""
    text = re.sub(r"<[^>]+>", " ", text).replace("\u2212", "-").strip()
    power = re.fullmatch(r"10\s+(-?\d+)", text)
    if power:
        return 10.0 ** int(power.group(1))
    scale = {"k": 1e3, "M": 1e6, "G": 1e9, "m": 1e-3, "µ": 1e-6, "μ": 1e-6, "n": 1e-9}
    if text and text[-1] in scale:
        return float(text[:-1]) * scale[text[-1]]
    return float(text)


def odd_tick_steps(page) -> list:
    """The linear axes on the page whose ticks are not a round step apart (1, 2, 2.5 or 5 of a
    power of ten), as "0.135, 0.269, 0.404" are: ``[(axis, step)]``."""
    odd = []
    for axis, kind, mode, ticks in page.evaluate(AXIS_TICKS):
        if kind != "linear" or mode == "array" or len(ticks) < 2:
            continue
        step = abs(ticks[1][0] - ticks[0][0])
        mantissa = step / 10 ** math.floor(math.log10(step)) if step > 0 else 1.0
        if not any(math.isclose(mantissa, m, rel_tol=1e-6) for m in (1, 2, 2.5, 5, 10)):
            odd.append((axis, step))
    return odd


def log_labels_wrong(page) -> list:
    """The vertical log axes' tick labels on the page that do not say the value at their place
    (a lone "5" where 0.5 is meant): ``[(axis, value, label)]``. Horizontal ones keep plotly's
    lone digits (see ``style._gdviz_template``)."""
    wrong = []
    for axis, kind, _, ticks in page.evaluate(AXIS_TICKS):
        if kind != "log" or not axis.startswith("yaxis"):
            continue
        for at, text in ticks:  # at: log10 of the tick's value
            try:
                said = tick_value(text) if text else 10**at
            except ValueError:
                said = -1.0
            if said <= 0 or abs(math.log10(said) - at) > 0.01:
                wrong.append((axis, 10**at, text))
    return wrong


UNDER_FLOATING = """() => {
  // What on a presented page lies under its floating Leave and pages buttons.
  const floating = ['.st-key-present_leave button', '.st-key-present_pages button']
    .map((s) => document.querySelector(s)).filter(Boolean).map((b) => b.getBoundingClientRect());
  const hit = (r) => floating.some(
    (f) => r.left < f.right && r.right > f.left && r.top < f.bottom && r.bottom > f.top);
  const main = '[data-testid="stMainBlockContainer"]';
  return Array.from(document.querySelectorAll(
      `${main} button, ${main} input, ${main} a, ${main} h1, ${main} [role="tab"], .main-svg`))
    .filter((el) => !el.closest('.st-key-present_leave, .st-key-present_pages'))
    .filter((el) => { const r = el.getBoundingClientRect(); return r.width > 0 && hit(r); })
    .map((el) => el.textContent.trim().slice(0, 40) || el.tagName);
}"""


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
    downloads: list = []
    page.on("request", lambda r: seen.append(f"{r.method} {r.url[-60:]}"))
    page.on("console", lambda m: seen.append(f"console {m.type}: {m.text[:120]}"))
    page.on("download", lambda d: downloads.append(d))
    page.get_by_role("button", name=button).click()
    deadline = time.monotonic() + 60
    clicked_again = False
    while not downloads and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        # CI once saw a click that reached the button but started nothing: no request at all
        # in 60 s (1 run in ~30; never reproduced alone or under load). A user clicks again;
        # so does the test, once, and only when the first click asked the server for nothing.
        if not clicked_again and time.monotonic() > deadline - 50 and "/media/" not in str(seen):
            clicked_again = True
            page.get_by_role("button", name=button).click()
    if not downloads:
        raise AssertionError(f"no download of {button!r}; the page meanwhile: {seen}")
    downloads[0].save_as(saved)
    return downloads[0].suggested_filename


# One Chromium and one app server at a time: the browser files share a worker (xdist group),
# so a heavy page is never timed against another browser file's load.
BROWSER = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
