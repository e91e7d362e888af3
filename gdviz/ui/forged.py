"""Widget values that survive a forged message.

A browser sends a number for a number input or a slider; a websocket client can send a string.
Streamlit's deserializers then raise ``TypeError`` while the session dispatches callbacks,
before any page code runs, and again on every later rerun of that session (the forged state is
kept): the tab is stuck on an error. :func:`harden` makes a session drop a widget value of
another kind than its widget's (a string for a number: the widget keeps its value), and
makes the number deserializers fall back to the widget's own value where no kind is known
yet (a reconnecting tab's first run). A number outside its widget's range, which Streamlit
silently replaced by the widget's initial value (α = 1e9 became 0.0001), is dropped too: the
widget keeps its value. :func:`take_notes` hands the page frame one line for each.
"""

from __future__ import annotations

import functools
import math
import threading
from collections.abc import Callable
from typing import Any

from gdviz.core.echo import clip

_HARDENED = "_gdviz_hardened"
_NUMBERS = {  # a numeric widget's value kind -> the kinds a browser may send for it
    "double_value": {"double_value", "int_value"},
    "int_value": {"int_value", "double_value"},
    "double_array_value": {"double_array_value"},
}
_NOTES = threading.local()  # a session's script runs on its own thread


def _note(line: str) -> None:
    notes = getattr(_NOTES, "lines", None)
    if notes is None:
        notes = _NOTES.lines = []
    if line not in notes:
        notes.append(line)


def take_notes() -> list[str]:
    """The lines this thread's deserializers left since the last call (and forget them)."""
    notes = getattr(_NOTES, "lines", None) or []
    _NOTES.lines = []
    return notes


def _falls_back(deserialize: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """A number deserializer that gives the widget's own value for what is not a number."""

    @functools.wraps(deserialize)
    def checked(self: Any, ui_value: Any) -> Any:
        if isinstance(ui_value, bool):  # True is 1 to Python, not a number a browser sends
            ui_value = str(ui_value)
        try:
            return deserialize(self, ui_value)
        except (TypeError, ValueError, OverflowError):  # not a number: the widget's own value
            value = deserialize(self, None)
            _note(
                f"A value sent to this page for a number was not a number "
                f"({clip(repr(ui_value), 40)}): its box went back to {value}."
            )
            return value

    setattr(checked, _HARDENED, True)
    return checked


def _typed(set_widget_from_proto: Callable[[Any, Any], None]) -> Callable[[Any, Any], None]:
    """``WStates.set_widget_from_proto`` that drops a value of another kind than its widget's
    (the widget keeps the value it had), and says so."""

    @functools.wraps(set_widget_from_proto)
    def checked(self: Any, widget_state: Any) -> None:
        metadata = self.widget_metadata.get(widget_state.id)
        sent = widget_state.WhichOneof("value")
        expected = getattr(metadata, "value_type", None)
        # Only a widget that expects numbers is checked (a browser sends a whole-number float
        # as int_value): those are the ones a string jams.
        if expected in _NUMBERS and sent is not None and sent not in _NUMBERS[expected]:
            _note(f"A value sent to this page did not fit its widget ({sent} for {expected}).")
            return
        outside = _outside_range(metadata, widget_state, sent)
        if outside is not None:
            _note(f"A number sent to this page, {outside}: the box kept its value.")
            return
        set_widget_from_proto(self, widget_state)

    setattr(checked, _HARDENED, True)
    return checked


def _outside_range(metadata: Any, widget_state: Any, sent: str | None) -> str | None:
    """How a number (or a slider's numbers) sent for a widget with bounds lies outside them,
    in words, or ``None``. The bounds are the widget's deserializer's (Streamlit's number
    input and slider keep ``min_value`` and ``max_value`` there)."""
    serde = getattr(getattr(metadata, "deserializer", None), "__self__", None)
    lo, hi = getattr(serde, "min_value", None), getattr(serde, "max_value", None)
    if not isinstance(lo, int | float) or not isinstance(hi, int | float):
        return None
    if sent in ("double_value", "int_value"):
        values = [getattr(widget_state, sent)]
    elif sent == "double_array_value":
        values = list(widget_state.double_array_value.data)
    else:
        return None
    for value in values:
        if not (math.isfinite(value) and lo <= value <= hi):
            return f"{value:g}, was outside its box's range [{lo:g}, {hi:g}]"
    return None


def harden() -> list[str]:
    """Patch the widget-state setter and the number input's and slider's deserializers once
    per process; returns the names of the classes patched now (none on a later call, or if
    Streamlit moved them)."""
    patched: list[str] = []
    try:
        from streamlit.elements.widgets.number_input import NumberInputSerde
        from streamlit.elements.widgets.slider import SliderSerde
        from streamlit.runtime.state.session_state import WStates
    except ImportError:
        return patched
    setter = getattr(WStates, "set_widget_from_proto", None)
    if setter is not None and not getattr(setter, _HARDENED, False):
        WStates.set_widget_from_proto = _typed(setter)  # type: ignore[method-assign,assignment]
        patched.append(WStates.__name__)
    for serde in (NumberInputSerde, SliderSerde):
        method = getattr(serde, "deserialize", None)
        if method is not None and not getattr(method, _HARDENED, False):
            serde.deserialize = _falls_back(method)  # type: ignore[method-assign,assignment]
            patched.append(serde.__name__)
    return patched
