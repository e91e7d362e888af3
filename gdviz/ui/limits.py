"""A widget's bounds from its pydantic field: the widget admits exactly what the model (and so a
link) admits."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from gdviz import settings


def limits(model: type[BaseModel], name: str) -> dict[str, Any]:
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
    return {
        **({} if lo is None else {"min_value": lo}),
        **({} if hi is None else {"max_value": hi}),
        **({"help": f"Allowed: {' and '.join(said)}."} if said else {}),
    }


# Adam's betas are a pair: each bounded like the model's Beta.
BETA_LIMITS = {"min_value": settings.BETA_RANGE[0], "max_value": settings.BETA_RANGE[1]}
