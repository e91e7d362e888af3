"""The "Use α = …" button under a rate scrubber: a Streamlit component (``js/scrub.js``) that
follows the scrubber's slider in the browser and reruns the page only on a click."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import streamlit as st

SCRUB_CSS = """
button {
  font: inherit; font-size: 1rem; line-height: 1.6; width: 100%;
  padding: 0.3rem 0.9rem; border-radius: 0.5rem; cursor: pointer;
  color: var(--st-text-color, #31333F); background: var(--st-background-color, white);
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
}
button:hover:enabled {
  border-color: var(--st-primary-color, #0072B2); color: var(--st-primary-color, #0072B2);
}
button:disabled { cursor: default; opacity: 0.6; }
"""


_RATE_PICK = st.components.v2.component(
    "gdviz_rate_pick",
    css=SCRUB_CSS,
    js=(Path(__file__).parent / "js" / "scrub.js").read_text(encoding="utf-8"),
)


def rate_pick(
    key: str,
    chart_key: str,
    rates: Any,
    chosen: int,
    on_pick: Callable[[float], None],
    symbol: str = "α",
) -> None:
    """The "Use α = …" button under a rate scrubber (chart ``chart_key``): it follows the
    scrubber's slider in the browser, and a click calls ``on_pick(rate)`` (one rerun). A rate
    that is not one of ``rates (M,)`` (a stale or forged message) is ignored. ``symbol``:
    what the slider scrubs ("β" under a momentum scrubber)."""
    offered = [float(r) for r in rates]

    def picked() -> None:
        event = st.session_state.get(key)
        value = getattr(event, "pick", None)
        if isinstance(value, int | float) and float(value) in offered:
            on_pick(float(value))

    _RATE_PICK(
        key=key,
        data={
            "chart": chart_key,
            "rates": offered,
            "labels": [f"{r:.4g}" for r in offered],
            "chosen": int(chosen),
            "symbol": symbol,
        },
        on_pick_change=picked,
    )
