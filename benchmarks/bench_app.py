"""Benchmark of the app: server time of a page rerun (AppTest) and the size of each figure.

    python benchmarks/bench_app.py

Prints a table; asserts nothing. "cold" is the first run in a fresh process (run, figures and
caches built), "warm" the median of later reruns (what a click costs). The figure sizes are the
JSON Streamlit sends to the browser.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = {
    "hiker": ("pages/hiker.py", {}),
    "landscape": ("pages/landscape.py", {}),
    "compare": ("pages/compare.py", {}),
    "sweep": ("pages/sweep.py", {}),
    "data": ("pages/data.py", {}),
    "data race": ("pages/data.py", {"race": "true"}),
    "data iris": ("pages/data.py", {"d": "iris", "model": "sigmoid_mse"}),
}


def measure(page: str, query: dict[str, str], reruns: int = 7) -> tuple[float, float, list[int]]:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in query.items():
        at.query_params[key] = value
    at.switch_page(page)
    t0 = time.perf_counter()
    at.run()
    cold = time.perf_counter() - t0
    if at.exception:
        raise RuntimeError(f"{page} raised: {at.exception[0].value}")
    warm = []
    for _ in range(reruns):
        t0 = time.perf_counter()
        at.run()
        warm.append(time.perf_counter() - t0)
    sizes = [len(chart.proto.spec) for chart in at.get("plotly_chart")]
    return cold, statistics.median(warm), sizes


def main() -> None:
    print(f"{'page':<12} {'cold s':>8} {'warm s':>8}   figure JSON sizes (kB)")
    print("-" * 64)
    for name, (page, query) in PAGES.items():
        cold, warm, sizes = measure(page, query)
        kb = ", ".join(f"{s / 1000:.0f}" for s in sizes)
        print(f"{name:<12} {cold:>8.3f} {warm:>8.3f}   {kb}")
    print("\ngoal: warm rerun < 0.150 s; each animated figure < 1,000 kB")


if __name__ == "__main__":
    main()
