"""The landscape picker (the built-ins, or a typed formula with its plot bounds) and the start
point's inputs, limited to the landscape's map."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from gdviz import settings
from gdviz.core import landscapes
from gdviz.core.landscapes.base import Landscape
from gdviz.expr import DEFAULT_BOUNDS, FUNCTIONS, MAX_BOUND, MAX_LENGTH
from gdviz.ui.choices import choice
from gdviz.ui.text import inert

CUSTOM_LABEL = "Custom formula…"  # a select shows one line: short enough for the sidebar


EXAMPLE_FORMULA = {2: "x**2 + 10*y**2", 1: "x**4 - 3*x**2 + x"}


@dataclass(frozen=True)
class Pick:
    """The landscape a picker chose (``None`` if a typed formula was rejected), the config
    fields that name it (``landscape``, and for a custom one ``expression`` and ``bounds``),
    and the landscape to lay the page's other widgets out against: the chosen one, or while a
    formula is rejected the last one that worked (so a typo changes no other setting)."""

    landscape: Landscape | None
    fields: dict[str, Any]
    shown: Landscape


def landscape_select(
    where: Any, key: str, on_change: Callable[[], None] | None = None, dim: int = 2
) -> Pick:
    """A select of the built-in landscapes of ``dim`` variables plus "Custom…", which opens a
    formula box and plot bounds (x from / to on one row, y on the next).

    ``on_change`` runs when another landscape is picked (a new landscape may suggest its own
    start and rate). Editing the formula or its bounds runs nothing: every other setting is
    kept, and only a start left off a smaller map is moved onto it (:func:`start_inputs` says
    so). A rejected formula shows its message (with the column) and returns ``Pick(None, …)``
    with the last landscape that worked, so the caller draws its other widgets as before.
    """
    names = [*landscapes.names(dim=dim), settings.CUSTOM]
    choice(
        where,
        "selectbox",
        "Landscape" if dim == 2 else "Loss curve",
        names,
        key=key,
        on_change=on_change,
        format_func=lambda n: CUSTOM_LABEL if n == settings.CUSTOM else landscapes.get(n).title,
    )
    name = st.session_state[key]
    good = f"{key}_good"
    if name != settings.CUSTOM:
        st.session_state[good] = landscapes.get(name)
        return Pick(st.session_state[good], {"landscape": name}, st.session_state[good])
    axes = "xy"[:dim]
    text, bounds = _custom_fields(key, dim)
    st.session_state.setdefault(f"{key}_expr", text)
    for axis, (lo, hi) in zip(axes, bounds, strict=True):
        st.session_state.setdefault(f"{key}_{axis}min", lo)
        st.session_state.setdefault(f"{key}_{axis}max", hi)
    where.text_input(
        f"L({', '.join(axes)}) =",
        key=f"{key}_expr",
        max_chars=MAX_LENGTH,
        help="Numbers, "
        + " and ".join(axes)
        + ", pi, e, + - * / ** (or ^), parentheses, and "
        + ", ".join(FUNCTIONS)
        + ". Nothing else is accepted.",
    )
    for axis in axes:
        low, high = where.columns(2)
        for cell, end, label in ((low, "min", "from"), (high, "max", "to")):
            cell.number_input(
                f"{axis} {label}",
                key=f"{key}_{axis}{end}",
                step=0.5,
                min_value=-MAX_BOUND,
                max_value=MAX_BOUND,
            )
    text, bounds = _custom_fields(key, dim)
    fields = {"landscape": settings.CUSTOM, "expression": text, "bounds": bounds}
    try:
        st.session_state[good] = settings.resolve_landscape(settings.CUSTOM, text, bounds, dim)
        return Pick(st.session_state[good], fields, st.session_state[good])
    except ValueError as error:
        where.error(f"Cannot use this function: {inert(error)}")
        fallback = st.session_state.get(good) or settings.resolve_landscape(
            settings.CUSTOM, EXAMPLE_FORMULA[dim], DEFAULT_BOUNDS[dim], dim
        )
        return Pick(None, fields, fallback)


def _custom_fields(key: str, dim: int) -> tuple[str, tuple[tuple[float, float], ...]]:
    """The formula and bounds a custom picker holds (defaults before its widgets exist)."""
    text = st.session_state.get(f"{key}_expr", EXAMPLE_FORMULA[dim])
    bounds = tuple(
        (
            float(st.session_state.get(f"{key}_{axis}min", lo)),
            float(st.session_state.get(f"{key}_{axis}max", hi)),
        )
        for axis, (lo, hi) in zip("xy", DEFAULT_BOUNDS[dim], strict=False)
    )
    return text, bounds


def resolve_current(key: str, dim: int = 2) -> Landscape | None:
    """The landscape a picker currently names, for callbacks (which run before the widgets are
    drawn); ``None`` while a typed formula is rejected."""
    name = st.session_state[key]
    if name != settings.CUSTOM:
        return landscapes.get(name)
    text, bounds = _custom_fields(key, dim)
    try:
        return settings.resolve_landscape(settings.CUSTOM, text, bounds, dim)
    except ValueError:
        return None


def set_custom(key: str, cfg: Any) -> None:
    """Put a config's custom formula and bounds into the picker's widgets."""
    if cfg.landscape != settings.CUSTOM:
        return
    st.session_state[f"{key}_expr"] = cfg.expression
    for axis, (lo, hi) in zip("xy", cfg.bounds or (), strict=False):
        st.session_state[f"{key}_{axis}min"], st.session_state[f"{key}_{axis}max"] = lo, hi


def keep_on_map(key: str, lo: float, hi: float, name: str) -> None:
    """Move the start coordinate in ``key`` onto ``[lo, hi]`` if a smaller map (new bounds for
    a typed formula) left it off, and say so. (Streamlit refuses a widget value outside its
    range, so this runs before the widget is drawn.)"""
    if key not in st.session_state:
        return
    old = float(st.session_state[key])
    st.session_state[key] = min(max(old, lo), hi)
    if st.session_state[key] != old:
        st.toast(
            f"The start was off the new map: {name} moved from {old:g} to "
            f"{st.session_state[key]:g}.",
            icon=":material/open_with:",
        )


def start_inputs(x_where: Any, y_where: Any, landscape: Landscape, x_key: str, y_key: str) -> None:
    """Number inputs for a start point, limited to the landscape's map."""
    (x_lo, x_hi), (y_lo, y_hi) = landscape.bounds
    keep_on_map(x_key, x_lo, x_hi, "x₀")
    keep_on_map(y_key, y_lo, y_hi, "y₀")
    x_where.number_input("x₀", min_value=x_lo, max_value=x_hi, step=0.1, key=x_key, format="%.3f")
    y_where.number_input("y₀", min_value=y_lo, max_value=y_hi, step=0.1, key=y_key, format="%.3f")
