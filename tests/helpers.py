"""Helpers the test files share: a page opened with AppTest and read the way a user reads it."""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest


def shown(markdown: str) -> str:
    """What a reader sees of Streamlit markdown that escapes user text (``gdviz.ui.text.inert``):
    backslash-escaped ASCII punctuation shows as the mark itself, and the invisible word
    joiners that stop bare addresses from becoming links are not seen."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown).replace("\u2060", "")


APP = str(Path(__file__).resolve().parents[1] / "app.py")


def open_page(page: str, query: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in (query or {}).items():
        at.query_params[key] = value
    at.switch_page(f"pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def status(at: AppTest) -> str:
    lines = [m.value for m in at.markdown if "Step:" in m.value]
    assert len(lines) == 1
    # The page keeps each field on one line with no-break spaces: the line breaks only at "|".
    fields = lines[0].strip("#` ").split(" | ")
    assert all(" " not in field for field in fields), fields
    return " | ".join(fields).replace("\u00a0", " ")


def url_warnings(at: AppTest) -> list[str]:
    return [shown(w.value) for w in at.warning if w.value.startswith("Ignored")]


def figure(at: AppTest, index: int) -> dict:
    return json.loads(at.get("plotly_chart")[index].proto.spec)


def scrubber(at: AppTest) -> tuple[dict, float]:
    """The page's first chart, a rate scrubber: ``(its figure, the rate its slider starts at)``,
    after checking it has one frame per slider step."""
    spec = figure(at, 0)
    slider = spec["layout"]["sliders"][0]
    assert len(spec["frames"]) == len(slider["steps"]) >= 56
    return spec, float(slider["steps"][slider["active"]]["label"])


def results_table(at: AppTest):
    """The compare page's results, its run labels as a reader sees them (the table renders
    markdown, so the page escapes them)."""
    assert len(at.table) == 1
    table = at.table[0].value
    table.index = [shown(label) for label in table.index]
    return table
