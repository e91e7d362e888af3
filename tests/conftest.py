"""Shared test helpers.

Optional oracles (PyTorch) and the browser (Chromium) are skipped with a reason on a newcomer's
machine, but required under CI (``CI=true``): there a missing one fails instead of skipping.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

# Pages driven in-process (AppTest) let an unexpected exception through the page frame's guard
# (gdviz.ui.guard), so a bug fails its test with its traceback; the served app (the browser
# tests) keeps the guard, as users see it.
os.environ.setdefault("GDVIZ_RAISE", "1")


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
