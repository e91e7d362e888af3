"""What a user waits for in the browser. Prints tables; asserts nothing.

    python benchmarks/bench_browser.py                     # 7 fresh values per measurement
    python benchmarks/bench_browser.py --n 3               # quicker
    python benchmarks/bench_browser.py --baseline 19af5f2  # the same run, also for a revision
    python benchmarks/bench_browser.py --window 1920x1080  # a projector's window

Starts the app on a free localhost port and drives Debian's Chromium (``/usr/bin/chromium``)
with Playwright, at 1280×720 (or ``--window``), timing everything in the browser's own clock
(``performance.now()``):

* **α change**: a fresh α typed into the page's rate box, from Enter to *new path* (the page's
  first chart holds a new figure: Plotly's ``gd.data`` replaced) and to *settled* (Streamlit's
  script state is "notRunning" again: every element updated);
* **map click** (/landscape): a click on a fresh node of the map's click grid, from the mouse
  press to the new start's path drawn;
* **scrub** (/hiker, /landscape, /data, their "Scrub α" view, and /landscape's β scrubber):
  a click on the scrubber's slider rail, from the mouse press to Plotly's ``plotly_animated``
  (the path redrawn), and the websocket frames the browser sent meanwhile (0: no server round trip);
* **3-D view** (/landscape, Rosenbrock): the "3-D surface" view chosen, from the click to the
  WebGL scene drawn;
* **basin map** (/sweep): a fresh 256² × 1,000-step basin map asked for by link, from the
  navigation's start (``performance.now()`` counts from it) to the map drawn;
* the bytes of the page's figures as the browser holds them (the JSON of ``gd.data``,
  ``gd.layout`` and the frames).

``--baseline REV`` measures a checkout of ``REV`` too (a temporary ``git worktree``), in the same
run on the same machine, and prints it beside; a revision without the scrubber shows "—".
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness import browser as app  # noqa: E402  (start and stop the app, Chromium)

# page path, the rate box's label, a starting rate, the scrub view's label and chart key
PAGES = [
    ("hiker?f=parabola&x0=-4", "Learning rate α (exact)", 0.1, ("Scrub α", "hiker_scrub")),
    (
        "landscape?f=ravine&x0=-4.5&y0=1.5",
        "Learning rate α",
        0.02,
        ("α scrubber", "ls_scrub"),
    ),
    ("compare", "α", 0.005, None),
    ("data", "Learning rate α", 0.1, ("Scrub α", "dt_scrub")),
]
BETA_PAGE = "landscape?f=ravine&x0=-4.5&y0=1.5&lr=0.085&mom=0.5"  # the β scrubber's page
MAP_CLICKS = [(-3.0, 1.5), (2.5, -1.5), (-1.5, -2.0), (4.0, 2.0), (-4.0, -1.0), (1.0, 1.75),
              (3.5, -0.5), (-2.5, 0.5), (0.5, -1.25), (2.0, 0.75)]  # fmt: skip

MARK = """() => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  window.__gdvizOld = gd && gd.data;
  window.__gdvizT0 = performance.now();
}"""
NEW_PATH = """async () => {
  for (;;) {
    const gd = document.querySelectorAll('.js-plotly-plot')[0];
    if (gd && gd.data && gd.data !== window.__gdvizOld) return performance.now() - window.__gdvizT0;
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}"""
SETTLED = """async (idle) => {
  await new Promise((resolve) => setTimeout(resolve, 150));  // let the rerun start
  for (;;) {
    if (document.querySelector(idle)) return performance.now() - window.__gdvizT0;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}"""
BYTES = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).reduce((sum, gd) =>
  sum + JSON.stringify({data: gd.data, layout: gd.layout,
                        frames: (gd._transitionData || {})._frames || []}).length, 0)"""
# A press anywhere starts the clock (capture phase: before Plotly sees it).
PRESS_CLOCK = """() => {
  if (window.__gdvizPress) return;
  window.__gdvizPress = true;
  document.addEventListener('mousedown', () => { window.__gdvizT0 = performance.now(); }, true);
}"""
MAP_POINT = """([x, y]) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[0];
  const box = gd.getBoundingClientRect(), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
  return [box.left + xa._offset + xa.l2p(x), box.top + ya._offset + ya.l2p(y)];
}"""
ANIMATED = """(chart) => {
  const gd = document.querySelector(`.st-key-${chart} .js-plotly-plot`);
  window.__gdvizDone = new Promise((resolve) => {
    gd.once('plotly_animated', () => resolve(performance.now() - window.__gdvizT0));
    setTimeout(() => resolve(null), 5000);  // a press on the step already shown: no animation
  });
}"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def summary(values: list[float]) -> tuple[float, float]:
    """``(p50, p95)`` in seconds of times in milliseconds."""
    return statistics.median(values) / 1000, percentile(values, 0.95) / 1000


def open_page(page, base: str, path: str) -> None:
    page.goto(f"{base}/{path}")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_selector(app.IDLE, timeout=60_000)
    time.sleep(1.0)


def rate_changes(page, base: str, path: str, label: str, rate: float, n: int) -> dict:
    open_page(page, base, path)
    size = page.evaluate(BYTES)
    box = page.get_by_label(label, exact=True).first
    drawn, settled = [], []
    for k in range(n):
        box.fill(f"{rate * (1.07 + 0.09 * k):.6g}")
        page.evaluate(MARK)
        box.press("Enter")
        drawn.append(page.evaluate(NEW_PATH))
        settled.append(page.evaluate(SETTLED, app.IDLE))
        time.sleep(0.3)
    return {"drawn": drawn, "settled": settled, "bytes": size}


def map_clicks(page, base: str, n: int) -> list[float]:
    """Press → the new start's path drawn, for ``n`` fresh nodes of the landscape's map."""
    open_page(page, base, "landscape?f=ravine&x0=-4.5&y0=1.5&lr=0.02")
    page.evaluate(PRESS_CLOCK)
    times = []
    for point in MAP_CLICKS[:n]:
        x, y = page.evaluate(MAP_POINT, list(point))
        page.mouse.move(x, y)
        time.sleep(0.3)  # the hover settles on the node, as a user's pointer would
        page.evaluate(MARK)
        page.mouse.click(x, y)
        times.append(page.evaluate(NEW_PATH))
        page.wait_for_selector(app.IDLE, timeout=60_000)
        time.sleep(0.5)
    return times


def scrubs(page, base: str, path: str, view: str, chart: str, n: int) -> dict | None:
    """Press on the scrubber's rail → path redrawn, at ``n`` places; ``None`` if the page has
    no scrubber (an older revision)."""
    open_page(page, base, path)
    choice = page.get_by_text(view, exact=True)
    if choice.count() == 0:
        return None
    choice.first.click()
    rail = page.locator(f".st-key-{chart} .slider-rail-rect")
    rail.wait_for(timeout=60_000)
    page.wait_for_selector(app.IDLE, timeout=60_000)
    time.sleep(1.5)
    sent: list = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda frame: sent.append(frame)))
    page.evaluate(PRESS_CLOCK)
    size = page.evaluate(BYTES)
    box = rail.bounding_box()
    times, quiet = [], len(sent)
    for k in range(n):
        where = (0.08 + 0.84 * ((k * 0.37) % 1.0)) * box["width"]
        page.evaluate(ANIMATED, chart)
        page.mouse.click(box["x"] + where, box["y"] + box["height"] / 2)
        took = page.evaluate("() => window.__gdvizDone")
        if took is not None:
            times.append(took)
        time.sleep(0.2)
    return {"times": times, "sent": len(sent) - quiet, "bytes": size}


BASIN_DRAWN = r"""() => {
  // The basin map's legend counts its cells: 256² of them once the new map is drawn.
  for (const gd of document.querySelectorAll('.js-plotly-plot')) {
    let cells = 0;
    for (const trace of gd.data || []) {
      const found = /: (\d+) cells$/.exec(trace.name || '');
      if (found) cells += Number(found[1]);
    }
    if (cells === 65536) return performance.now();
  }
  return false;
}"""


def basin_maps(page, base: str, n: int) -> list[float]:
    """Navigation start → a fresh 256² × 1,000-step Himmelblau basin map drawn on /sweep (a
    new rate each time: nothing cached)."""
    times = []
    for k in range(n):
        cfg = {
            "landscape": "himmelblau",
            "optimizer": {"kind": "sgd", "lr": round(0.01 * (1 + 0.013 * k), 6)},
            "steps": 1000,
            "resolution": 256,
        }
        link = base64.urlsafe_b64encode(json.dumps(cfg).encode()).decode().rstrip("=")
        page.goto(f"{base}/sweep?b={link}")
        times.append(page.wait_for_function(BASIN_DRAWN, timeout=60_000).json_value())
        page.wait_for_selector(app.IDLE, timeout=60_000)
        time.sleep(0.5)
    return times


SURFACE_DRAWN = """() => Array.from(document.querySelectorAll('.js-plotly-plot')).some(
  (g) => g._fullLayout && g._fullLayout.scene && g._fullLayout.scene._scene)"""


def surface_switches(page, base: str, n: int) -> list[float]:
    """/landscape (Rosenbrock): the "3-D surface" view chosen, from the click to the WebGL
    scene drawn (two animation frames after Plotly made it), then back to the map."""
    open_page(page, base, "landscape?f=rosenbrock")
    times = []
    for _ in range(n):
        start = page.evaluate("() => performance.now()")
        page.get_by_text("3-D surface", exact=True).click()
        page.wait_for_function(SURFACE_DRAWN, timeout=60_000)
        end = page.evaluate(
            "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame("
            "() => r(performance.now()))))"
        )
        times.append(end - start)  # ms, as summary() reads them
        page.wait_for_selector(app.IDLE, timeout=60_000)
        page.get_by_text("Map", exact=True).click()
        page.wait_for_selector(app.IDLE, timeout=60_000)
        time.sleep(0.5)
    return times


def measure(root: Path, n: int, window: dict[str, int]) -> dict:
    """Every measurement against the app checked out at ``root``, in a window of ``window``'s
    width and height."""
    from playwright.sync_api import sync_playwright

    port = app.free_port()
    proc = app.start_streamlit(port, root)  # `streamlit run app.py` in that checkout
    base = f"http://127.0.0.1:{port}"
    results: dict = {"rate": {}, "scrub": {}}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=app.CHROMIUM, args=app.CHROMIUM_ARGS)
            page = browser.new_page(viewport=window)
            for path, label, rate, scrubber in PAGES:
                name = path.split("?")[0]
                results["rate"][name] = rate_changes(page, base, path, label, rate, n)
                if scrubber is not None:
                    page.close()  # a fresh tab: the websocket listener starts clean
                    page = browser.new_page(viewport=window)
                    results["scrub"][name] = scrubs(page, base, path, *scrubber, n)
            page.close()
            page = browser.new_page(viewport=window)
            results["scrub"]["landscape, β"] = scrubs(
                page, base, BETA_PAGE, "β scrubber", "ls_scrub_beta", n
            )
            results["click"] = map_clicks(page, base, n)
            results["surface"] = surface_switches(page, base, n)
            results["basins"] = basin_maps(page, base, n)
            browser.close()
    finally:
        app.stop_streamlit(proc)
    return results


@contextlib.contextmanager
def checkout(rev: str) -> Iterator[Path]:
    """A temporary ``git worktree`` of ``rev``."""
    with tempfile.TemporaryDirectory(prefix="gdviz-baseline-") as tmp:
        where = Path(tmp) / "app"
        subprocess.run(
            ["git", "worktree", "add", "--detach", str(where), rev],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        try:
            yield where
        finally:
            subprocess.run(
                ["git", "worktree", "remove", "--force", str(where)], cwd=ROOT, check=False
            )


def seconds(pair: tuple[float, float] | None) -> str:
    return "     —        —" if pair is None else f"{pair[0]:>7.2f}s {pair[1]:>6.2f}s"


def report(now: dict, before: dict | None, rev: str | None) -> None:
    def row(label: str, new: tuple | None, old: tuple | None, extra: str = "") -> None:
        line = f"{label:<26} {seconds(new)}"
        if before is not None:
            line += f"   {seconds(old)}"
        print(line + extra)

    head = f"{'':<26} {'p50':>8} {'p95':>7}"
    if before is not None:
        head += f"   {'p50':>8} {'p95':>7}  (baseline {rev})"
    print(head)
    print("-" * len(head))
    for name, result in now["rate"].items():
        old = before["rate"].get(name) if before else None
        row(f"α → new path  /{name}", summary(result["drawn"]),
            old and summary(old["drawn"]), f"   figures {result['bytes'] / 1000:.0f} kB"
            + (f" (was {old['bytes'] / 1000:.0f} kB)" if old else ""))  # fmt: skip
        row(f"α → settled   /{name}", summary(result["settled"]),
            old and summary(old["settled"]))  # fmt: skip
    old_click = before["click"] if before else None
    row("map click → path /landscape", summary(now["click"]), old_click and summary(old_click))
    old_surface = before.get("surface") if before else None
    row("map → 3-D view /landscape", summary(now["surface"]), old_surface and summary(old_surface))
    old_basins = before["basins"] if before else None
    row("open → 256² basin map /sweep", summary(now["basins"]), old_basins and summary(old_basins))
    for name, result in now["scrub"].items():
        old = before["scrub"].get(name) if before else None
        if result is None:
            continue
        row(f"scrub → redrawn /{name}", summary(result["times"]),
            old and summary(old["times"]),
            f"   sent {result['sent']} frames; figure {result['bytes'] / 1000:.0f} kB")  # fmt: skip
    print(
        "\nissue 12's goals: α → new path p50 <= 0.30 s, settled <= 0.60 s; map click p50 <= "
        "0.40 s;\nscrub <= 0.05 s with nothing sent (headless Chromium, software rendering);\n"
        "issue 24's: a 256² × 1,000-step basin map, page open to map drawn, <= 1.5 s;\n"
        "issue 22's: map → 3-D view <= 1.5 s"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=7, help="fresh values per measurement")
    parser.add_argument("--baseline", help="a git revision to measure as well, for comparison")
    parser.add_argument("--window", default="1280x720", help="the tab's WIDTHxHEIGHT")
    args = parser.parse_args()
    width, height = (int(v) for v in args.window.lower().split("x"))
    window = {"width": width, "height": height}
    now = measure(ROOT, args.n, window)
    before = None
    if args.baseline:
        with checkout(args.baseline) as where:
            before = measure(where, args.n, window)
    print(f"window {width}×{height}")
    report(now, before, args.baseline)


if __name__ == "__main__":
    main()
