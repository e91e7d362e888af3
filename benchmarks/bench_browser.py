"""What a user waits for in the browser: from pressing Enter on a new learning rate to the new
path drawn, and to the page settled. Prints a table; asserts nothing.

    python benchmarks/bench_browser.py            # 7 fresh rates per page
    python benchmarks/bench_browser.py --n 3      # quicker
    python benchmarks/bench_browser.py --root ../old-checkout   # the same, for a baseline

Starts the app on a free localhost port and drives Debian's Chromium (``/usr/bin/chromium``)
with Playwright, at 1280×720. For each page it types a fresh α into the page's rate box and
times, in the browser's own clock (``performance.now()``):

* *new path*: until the page's first chart holds a new figure (Plotly's ``gd.data`` replaced);
* *settled*: until Streamlit's script state is "notRunning" again (every element updated).

Also printed: the bytes of the page's figures as the browser holds them (the JSON of
``gd.data`` and ``gd.layout`` plus frames), the baseline being the same page's figures at its
defaults.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests import test_browser  # noqa: E402  (the test helpers start and stop the app)
from tests.test_browser import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    free_port,
    start_streamlit,
    stop_streamlit,
)

# page path, the rate box's label, a starting rate, the chart that shows the path
PAGES = [
    ("hiker?f=parabola&x0=-4", "Learning rate α (exact)", 0.1),
    ("landscape?f=ravine&x0=-4.5&y0=1.5", "Learning rate α", 0.02),
    ("compare", "α", 0.005),
    ("data", "Learning rate α", 0.1),
]

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def measure(page, base: str, path: str, label: str, rate: float, n: int) -> dict:
    page.goto(f"{base}/{path}")
    page.wait_for_selector(".js-plotly-plot", timeout=60_000)
    page.wait_for_selector(IDLE, timeout=60_000)
    time.sleep(1.0)
    size = page.evaluate(BYTES)
    box = page.get_by_label(label, exact=True).first
    drawn, settled = [], []
    for k in range(n):
        box.fill(f"{rate * (1.07 + 0.09 * k):.6g}")
        page.evaluate(MARK)
        box.press("Enter")
        drawn.append(page.evaluate(NEW_PATH))
        settled.append(page.evaluate(SETTLED, IDLE))
        time.sleep(0.3)
    return {"drawn": drawn, "settled": settled, "bytes": size}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=7, help="fresh rates per page")
    parser.add_argument(
        "--root", type=Path, default=ROOT, help="another checkout to measure (a baseline)"
    )
    args = parser.parse_args()
    test_browser.ROOT = args.root.resolve()  # where start_streamlit runs `streamlit run app.py`
    from playwright.sync_api import sync_playwright

    port = free_port()
    proc = start_streamlit(port)
    base = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1280, "height": 720})
            print(f"{'page':<12} {'new path p50':>13} {'p95':>7} {'settled p50':>12} {'p95':>7}"
                  f" {'figures kB':>11}")  # fmt: skip
            print("-" * 68)
            for path, label, rate in PAGES:
                result = measure(page, base, path, label, rate, args.n)
                drawn, settled = result["drawn"], result["settled"]
                print(
                    f"{path.split('?')[0]:<12} {statistics.median(drawn) / 1000:>12.2f}s "
                    f"{percentile(drawn, 0.95) / 1000:>6.2f}s "
                    f"{statistics.median(settled) / 1000:>11.2f}s "
                    f"{percentile(settled, 0.95) / 1000:>6.2f}s {result['bytes'] / 1000:>11.0f}"
                )
            browser.close()
    finally:
        stop_streamlit(proc)
    print("\nissue 12's goal: new path p50 <= 0.30 s, settled <= 0.60 s (headless, software WebGL)")


if __name__ == "__main__":
    main()
