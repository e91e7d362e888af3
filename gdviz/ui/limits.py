"""A widget's bounds from its pydantic field: the widget admits exactly what the model (and so a
link) admits."""

from __future__ import annotations

from typing import TypedDict

from pydantic import BaseModel

from gdviz import settings


class Limits(TypedDict, total=False):
    """A number widget's keyword arguments from a model field: its bounds, and a help text
    that states them."""

    min_value: float
    max_value: float
    help: str


def limits(model: type[BaseModel], name: str) -> Limits:
    """A widget's ``min_value`` / ``max_value`` from a model field's bounds, so the widget
    admits exactly what the model (and so a link) admits: nothing is clamped silently; and a
    ``help`` that states them ("Allowed: above 0 and at most 100.")."""
    lo, hi = settings.field_bounds(model, name, inclusive=True)
    open_lo, open_hi = settings.field_bounds(model, name)
    # Said up front: a typed value past a limit is refused by the widget itself, in red.
    said = [
        *([] if lo is None else [f"above {open_lo:g}" if open_lo != lo else f"at least {lo:g}"]),
        *([] if hi is None else [f"below {open_hi:g}" if open_hi != hi else f"at most {hi:g}"]),
    ]
    found = Limits()
    if lo is not None:
        found["min_value"] = lo
    if hi is not None:
        found["max_value"] = hi
    if said:
        found["help"] = f"Allowed: {' and '.join(said)}."
    return found


# Adam's betas are a pair: each bounded like the model's Beta.
BETA_LIMITS = Limits(min_value=settings.BETA_RANGE[0], max_value=settings.BETA_RANGE[1])
