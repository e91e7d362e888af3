"""A :class:`~gdviz.core.landscapes.base.Landscape` from a typed-in formula."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from gdviz.core.cost import measured_cost
from gdviz.core.landscapes._newton import polish
from gdviz.core.landscapes.base import Landscape
from gdviz.expr.expression import Expression
from gdviz.expr.language import ExpressionError
from gdviz.expr.parse import parse_expression
from gdviz.expr.symbolic import gradient_latex, to_latex

Array = np.ndarray

DEFAULT_BOUNDS = {1: ((-5.0, 5.0),), 2: ((-3.0, 3.0), (-3.0, 3.0))}
MAX_BOUND = 1e4


def compile_expression(
    text: str,
    variables: Sequence[str] = ("x", "y"),
    bounds: Sequence[tuple[float, float]] | None = None,
) -> Landscape:
    """A :class:`Landscape` for a typed-in formula, with exact derivatives.

    Four steps: parse (:func:`parse_expression`), check the plot bounds (:func:`_box`), build
    the landscape from a 41-point-per-axis sample with a start where it has a slope
    (:func:`_draft`), then find its minima and rate (:func:`_minima_and_rate`) and time what a
    descent on it costs. Its minima are the known local minima inside ``bounds``: Newton's
    method from every local minimum of the sample, polished with the exact Hessian. The
    suggested rate is ``1/λ_max`` over the sampled map (stable everywhere on it, for plain GD).
    Raises :class:`ExpressionError` for a rejected formula, bad bounds, or a function that is
    undefined everywhere on the map.
    """
    expression = parse_expression(text, variables)
    box = _box(bounds, len(expression.variables))
    draft, mesh, sample = _draft(text, expression, box)
    found_all = _minima_and_rate(draft, mesh, sample)
    # What a descent on it costs against a built-in, timed (bounds the work of a request).
    return replace(found_all, cost=measured_cost(found_all))


def _box(bounds: Sequence[tuple[float, float]] | None, d: int) -> tuple[tuple[float, float], ...]:
    """The plot bounds (the default map for ``d`` variables when ``None``), checked."""
    box = tuple((float(lo), float(hi)) for lo, hi in (bounds or DEFAULT_BOUNDS[d]))
    if len(box) != d or not all(
        math.isfinite(lo) and math.isfinite(hi) and -MAX_BOUND <= lo < hi <= MAX_BOUND
        for lo, hi in box
    ):
        raise ExpressionError(f"the plot bounds must be {d} pair(s) lo < hi within ±{MAX_BOUND:g}")
    return box


def _functions(expression: Expression) -> dict[str, Any]:
    """The landscape's value, gradient, value-and-gradient and Hessian, from the expression:
    small callables holding it (not closures, so a formula's landscape pickles, and large
    descents on it can run in worker processes)."""
    return {
        "fn": _Value(expression),
        "grad_fn": _Gradient(expression),
        "hess_fn": _Hessian(expression),
        "value_grad_fn": _ValueAndGradient(expression),
    }


@dataclass(frozen=True)
class _Value:
    expression: Expression

    def __call__(self, *coords: Array) -> Array:
        return self.expression.value(*coords)


@dataclass(frozen=True)
class _Gradient:
    expression: Expression

    def __call__(self, *coords: Array) -> tuple[Array, ...]:
        return tuple(self.expression.gradient(*coords))  # first order: what descent needs


@dataclass(frozen=True)
class _ValueAndGradient:
    expression: Expression

    def __call__(self, *coords: Array) -> tuple[Array, tuple[Array, ...]]:
        jet = self.expression.first_order(*coords)  # one pass for both
        return jet.v, tuple(jet.g)


@dataclass(frozen=True)
class _Hessian:
    expression: Expression

    def __call__(self, *coords: Array) -> tuple[tuple[Array, ...], ...]:
        d = len(self.expression.variables)
        h = self.expression.jet(*coords).h
        assert h is not None  # a second-order jet always carries its Hessian
        return tuple(tuple(h[i, j] for j in range(d)) for i in range(d))


def _start(expression: Expression, box: tuple[tuple[float, float], ...], mesh: Array) -> Array:
    """A start 70% of the way from the centre to the top-left corner, or the first sample
    point with a slope if the function has none there."""
    d = len(box)
    centre = np.array([(lo + hi) / 2 for lo, hi in box])
    corner = np.array([lo for lo, _ in box]) if d == 1 else np.array([box[0][0], box[1][1]])
    start = centre + 0.7 * (corner - centre)

    def defined(points: Array) -> Array:
        """Where the value and every slope are finite (a start must have a gradient)."""
        with np.errstate(all="ignore"):
            jet = expression.first_order(*(points[..., i] for i in range(d)))
        return np.isfinite(jet.v) & np.all(np.isfinite(jet.g), axis=0)

    if not defined(start):
        usable = defined(mesh)
        if not usable.any():
            raise ExpressionError("the function has no slope anywhere on this map")
        start = mesh[usable][0]
    return start


def _draft(
    text: str, expression: Expression, box: tuple[tuple[float, float], ...]
) -> tuple[Landscape, Array, Array]:
    """The landscape before its minima and rate are known; the sample mesh ``(41, [41,] d)``
    and the values on it."""
    d = len(box)
    axes = [np.linspace(lo, hi, 41) for lo, hi in box]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)  # (41, [41,] d)
    sample = expression.value(*(mesh[..., i] for i in range(d)))
    if not np.isfinite(sample).any():
        raise ExpressionError("the function is undefined or infinite everywhere on this map")
    start = _start(expression, box, mesh)
    draft = Landscape(
        name="custom",
        title=text.strip(),
        dim=d,
        bounds=box,
        minima=np.empty((0, d)),
        formula=f"L({', '.join(expression.variables)}) = {to_latex(expression.tree)}",
        gradient_formula=gradient_latex(expression),
        blurb="Your own function, differentiated exactly (no finite differences).",
        start=tuple(round(float(v), 3) for v in start),
        lr=0.01,
        **_functions(expression),
    )
    return draft, mesh, sample


def _minima_and_rate(draft: Landscape, mesh: Array, sample: Array) -> Landscape:
    """The draft with its minima (Newton from the sample's local minima, at most 50 inside the
    map) and its suggested rate ``1/λ_max`` over the sample, rounded as a person would type."""
    d = draft.dim
    finite = np.isfinite(sample)
    seeds = mesh[_local_minima(np.where(finite, sample, np.inf))]
    found = polish(draft, seeds) if len(seeds) else np.empty((0, d))
    inside = np.all((found >= draft.lo) & (found <= draft.hi), axis=-1)
    with np.errstate(all="ignore"):
        eig = np.linalg.eigvalsh(draft.hessian(mesh[finite]))[..., -1]
    curvature = float(np.nanmax(np.where(np.isfinite(eig), eig, np.nan))) if eig.size else 0.0
    lr = float(np.clip(1.0 / curvature, 1e-4, 1.0)) if curvature > 0 else 0.1
    lr = float(f"{lr:.2g}")  # a rate a person would type
    return replace(draft, minima=found[inside][:50], lr=lr)


def _local_minima(values: Array) -> Array:
    """Mask of sample points no higher than all their axis neighbours (and finite)."""
    mask = np.isfinite(values)
    for axis in range(values.ndim):
        for shift in (1, -1):
            neighbour = np.roll(values, shift, axis=axis)
            edge: list[slice | int] = [slice(None)] * values.ndim
            edge[axis] = 0 if shift == 1 else -1
            neighbour[tuple(edge)] = np.inf  # no wrap-around
            mask &= values <= neighbour
    return mask
