"""A checked formula in its variables, compiled once and evaluated with exact derivatives."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import numpy as np

from gdviz.expr.jet import Array, Jet
from gdviz.expr.program import Program, compile_program


@dataclass(frozen=True)
class Expression:
    """A checked formula in ``variables``, evaluated with exact derivatives on arrays.

    Evaluation runs the formula's straight-line :class:`~gdviz.expr.program.Program` (each
    distinct subtree once, redundant structure folded), compiled once on creation."""

    text: str
    variables: tuple[str, ...]
    tree: ast.expr
    program: Program = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "program", compile_program(self.tree, self.variables))

    def _run(self, coords: tuple[Array, ...], d: int, second: bool) -> Jet:
        shape = np.broadcast_shapes(*(np.shape(c) for c in coords))
        env = {}
        for i, (name, c) in enumerate(zip(self.variables, coords, strict=True)):
            values = np.broadcast_to(np.asarray(c, dtype=float), shape)
            if d:
                env[name] = Jet.variable(values, i, d, second)
            else:  # no derivative slots: values alone
                env[name] = Jet(values, np.zeros((0, *shape)), np.zeros((0, 0, *shape)))
        with np.errstate(all="ignore"):
            return self.program.run(env, shape, d, second)

    def jet(self, *coords: Array) -> Jet:
        """Value, gradient and Hessian at points given as coordinate arrays of one shape."""
        return self._run(coords, len(self.variables), second=True)

    def first_order(self, *coords: Array) -> Jet:
        """Value and gradient ``(d, *S)`` from one first-order jet (no Hessian carried):
        what each step of descent needs."""
        return self._run(coords, len(self.variables), second=False)

    def gradient(self, *coords: Array) -> Array:
        """The gradient alone, ``(d, *S)`` (see :meth:`first_order`)."""
        return self.first_order(*coords).g

    def value(self, *coords: Array) -> Array:
        """The value alone (a jet with no derivative slots: about 5x cheaper)."""
        return self._run(coords, 0, second=True).v
