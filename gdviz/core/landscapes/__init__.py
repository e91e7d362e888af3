"""The registry of built-in loss landscapes.

>>> from gdviz import landscapes
>>> landscapes.names(dim=1)
('parabola', 'double_well', 'plateau_1d')
>>> landscapes.get("rosenbrock").minima
array([[1., 1.]])
"""

from __future__ import annotations

from gdviz.core.landscapes import one_d, two_d
from gdviz.core.landscapes.base import Landscape

__all__ = ["Landscape", "get", "names"]

_REGISTRY: dict[str, Landscape] = {ls.name: ls for ls in [*one_d.build(), *two_d.build()]}


def names(dim: int | None = None) -> tuple[str, ...]:
    """Registry keys in menu order; only those of dimension ``dim`` when it is given."""
    return tuple(name for name, ls in _REGISTRY.items() if dim is None or ls.dim == dim)


def get(name: str) -> Landscape:
    """The built-in landscape called ``name``.

    Raises ``ValueError`` naming the valid choices when ``name`` is unknown.
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        valid = ", ".join(names())
        raise ValueError(f"unknown landscape {name!r}; choose one of: {valid}") from None
