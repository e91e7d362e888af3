"""Test configuration: marks, optional oracles, and the browser tests' fixtures.

Optional oracles (PyTorch) and the browser (Chromium) are skipped with a reason on a newcomer's
machine, but required under CI (``CI=true``): there a missing one fails instead of skipping.
"""

from __future__ import annotations

import importlib
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from harness.browser import CHROMIUM, CHROMIUM_ARGS, free_port, start_streamlit, stop_streamlit

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Pages driven in-process (AppTest) let an unexpected exception through the page frame's guard
# (gdviz.ui.guard), so a bug fails its test with its traceback; the served app (the browser
# tests) keeps the guard, as users see it.
os.environ.setdefault("GDVIZ_RAISE", "1")

# pytest-xdist already runs one test per core: a test's descents stay in its own process (and
# the servers the tests start inherit this), so timings measured by one test are not shared
# with another's worker processes. The tests of the parallel path ask for cores explicitly
# (gdviz.core.parallel.cores), which this does not limit.
os.environ.setdefault("GDVIZ_CORES", "1")
# For the same reason, one BLAS (and torch) thread per worker: two workers with two threads each
# on two cores made OpenBLAS's threads wait on each other, and the 1.5-s edge-of-stability
# training passed its 9-s limit at step 882 of 3,000. Set before numpy loads its BLAS.
for _threads in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_threads, "1")


def pytest_configure(config: pytest.Config) -> None:
    """AppTest reads .streamlit/config.toml, whose ``showErrorDetails = "none"`` would redact
    the very tracebacks a failing test must show: in-process tests see them in full."""
    from streamlit import config as streamlit_config

    streamlit_config.set_option("client.showErrorDetails", "full")


def optional_module(name: str, why: str) -> ModuleType:
    """Import ``name``; skip the test if it is missing, unless running under CI."""
    try:
        return importlib.import_module(name)
    except ImportError:
        if IN_CI:
            pytest.fail(f"{name} is required under CI ({why}); .ci/run must install it")
        pytest.skip(f"{name} is not installed ({why}); `pip install {name}` to run this test")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that starts a page with AppTest ``app``, so the fast unit suite runs
    alone: ``python -m pytest -m "not app and not browser"``."""
    for item in items:
        function = getattr(item, "function", None)
        names = set(getattr(getattr(function, "__code__", None), "co_names", ()))
        if names & {"open_page", "AppTest", "upload"} and "browser" not in item.keywords:
            item.add_marker(pytest.mark.app)


# -- the browser tests' app and Chromium (one of each per test file: the files run side by side) --


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
    # Shorter than viewport.GROWS_FROM: the pages keep their designed figures and no
    # window-size rerun redraws them under a test's first click. Growth on a tall screen has
    # its own tests (tests/test_browser_screens.py, at 1920×1080, waiting for it).
    context = browser.new_context(viewport={"width": 1600, "height": 790})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def projector_page(browser):
    """A 1280×720 tab: its pages keep their designed figures, so no window-size redraw
    follows a load (the restart tests time a server going down under an open tab)."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    yield page
    context.close()
