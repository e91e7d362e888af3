"""The `Landscape` type: a loss surface with exact derivatives and the facts needed to draw it.

Conventions (shared by every objective in gdviz):

* Coordinates live on the last axis: a point is ``(d,)``, a batch of N points ``(N, d)``, a grid
  ``(H, W, d)``. ``value`` drops that axis, ``grad`` keeps it, ``hessian`` adds one more.
* Each landscape is written once, in terms of its coordinate arrays ``x, y`` (or ``x``), so the
  formula in the code reads like the formula in the docstring. The wrappers here unpack the last
  axis and stack the results back.
* Outputs of ``grad`` are laid out coordinate-major in memory (each component contiguous) and
  viewed as ``(..., d)``. The descent loop keeps its positions in the same layout, which makes
  every component-wise numpy operation in the hot loop run over contiguous memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

Array = np.ndarray
Coords = tuple[Array, ...]


def stack_last(components: Sequence[Array]) -> Array:
    """Stack d equally-shaped arrays into one ``(..., d)`` array, coordinate-major in memory.

    ``components``: d arrays of shape ``S`` (broadcastable to a common shape).
    Returns a view of shape ``S + (d,)`` whose component ``[..., i]`` is contiguous.
    """
    parts = [np.asarray(c) for c in components]
    shape = parts[0].shape
    if any(part.shape != shape for part in parts):
        parts = list(np.broadcast_arrays(*parts))
        shape = parts[0].shape
    dtype = np.result_type(*parts, np.float32)
    out = np.empty((len(parts), *shape), dtype=dtype if dtype.kind == "f" else float)
    for i, part in enumerate(parts):
        out[i] = part
    return out.transpose((*range(1, out.ndim), 0))


def unstack_last(points: Array) -> Coords:
    """Split ``(..., d)`` points into d coordinate arrays of shape ``(...)`` (views, no copy)."""
    return tuple(points[..., i] for i in range(points.shape[-1]))


def coordinate_major(points: Array) -> Array:
    """A copy of ``(..., d)`` points laid out so each coordinate is contiguous in memory."""
    points = np.asarray(points)
    if points.dtype.kind != "f":
        points = points.astype(float)
    return stack_last(unstack_last(points))


@dataclass(frozen=True, eq=False)
class Landscape:
    """A loss surface ``L: R^d -> R`` with analytic gradient and Hessian.

    Attributes:
        name: registry key used in URLs and configs (``"rosenbrock"``).
        title: human name (``"Rosenbrock's banana valley"``).
        dim: number of parameters d (1 or 2).
        bounds: ``((lo, hi), ...)``, one pair per axis: the box shown on screen.
        minima: ``(k, d)`` array of every known local and global minimiser.
        formula: LaTeX for ``L``.
        blurb: one paragraph on what the landscape teaches.
        start: suggested start point, ``(d,)``.
        lr: suggested learning rate for plain gradient descent from ``start``.
        saddles: ``(m, d)`` array of known saddle points (may be empty).
        fn, grad_fn, hess_fn: the formula written on coordinate arrays. ``fn(*coords)`` returns
            the value; ``grad_fn`` returns d components; ``hess_fn`` returns d rows of d entries.
    """

    name: str
    title: str
    dim: int
    bounds: tuple[tuple[float, float], ...]
    minima: Array
    formula: str
    blurb: str
    start: tuple[float, ...]
    lr: float
    fn: Callable[..., Array] = field(repr=False)
    grad_fn: Callable[..., Sequence[Array]] = field(repr=False)
    hess_fn: Callable[..., Sequence[Sequence[Array]]] = field(repr=False)
    saddles: Array = field(default_factory=lambda: np.empty((0, 0)))
    gradient_formula: str = ""  # LaTeX of ∇L, shown for typed-in functions
    # The value and the gradient from one pass, where that is cheaper than two (a typed
    # formula's first-order jet): ``value_grad_fn(*coords) -> (value, d components)``.
    value_grad_fn: Callable[..., tuple[Array, Sequence[Array]]] | None = field(
        default=None, repr=False
    )
    # What one value-and-gradient evaluation costs per point, against a built-in (1): a typed
    # formula costs more with every distinct part. Bounds the work a request may ask for.
    cost: float = 1.0

    def __post_init__(self) -> None:
        minima = np.asarray(self.minima, dtype=float).reshape(-1, self.dim)
        saddles = np.asarray(self.saddles, dtype=float).reshape(-1, self.dim)
        minima.flags.writeable = False
        saddles.flags.writeable = False
        object.__setattr__(self, "minima", minima)
        object.__setattr__(self, "saddles", saddles)
        if len(self.bounds) != self.dim or len(self.start) != self.dim:
            raise ValueError(f"{self.name}: bounds and start need one entry per axis ({self.dim})")

    # -- evaluation ------------------------------------------------------------------------

    def _coords(self, points: Array) -> Coords:
        points = np.asarray(points)
        if points.dtype.kind != "f":
            points = points.astype(float)
        if points.shape[-1:] != (self.dim,):
            raise ValueError(
                f"{self.name} takes points with {self.dim} coordinate(s) on the last axis; "
                f"got shape {points.shape}"
            )
        return unstack_last(points)

    def value(self, points: Array) -> Array:
        """``L(p)``: ``(..., d) -> (...)``."""
        return np.asarray(self.fn(*self._coords(points)), dtype=float)

    def value_and_grad(self, points: Array) -> tuple[Array, Array]:
        """``(L(p), ∇L(p))``: ``(..., d) -> ((...), (..., d))``; one pass through the formula
        where it offers one (``value_grad_fn``), else ``value`` and ``grad``. ``descend`` uses
        it to get both for each step."""
        if self.value_grad_fn is None:
            return self.value(points), self.grad(points)
        coords = self._coords(points)
        shape = coords[0].shape
        value, parts = self.value_grad_fn(*coords)
        parts = [np.broadcast_to(g, shape) if np.shape(g) != shape else g for g in parts]
        return np.asarray(value, dtype=float), stack_last(parts)

    def grad(self, points: Array) -> Array:
        """``∇L(p)``: ``(..., d) -> (..., d)``."""
        coords = self._coords(points)
        shape = coords[0].shape
        parts = self.grad_fn(*coords)
        if any(np.shape(g) != shape for g in parts):
            parts = [np.broadcast_to(g, shape) for g in parts]
        return stack_last(parts)

    def hessian(self, points: Array) -> Array:
        """``∇²L(p)``: ``(..., d) -> (..., d, d)``, symmetric."""
        coords = self._coords(points)
        rows = self.hess_fn(*coords)
        shape = coords[0].shape
        out = np.empty((*shape, self.dim, self.dim))
        for i, row in enumerate(rows):
            for j, entry in enumerate(row):
                out[..., i, j] = np.broadcast_to(entry, shape)
        return out

    # -- geometry helpers ------------------------------------------------------------------

    @cached_property
    def global_min(self) -> float:
        """The smallest value among the known minima (``nan`` if none are listed)."""
        if len(self.minima) == 0:
            return float("nan")
        return float(np.min(self.value(self.minima)))

    def contains(self, point: Sequence[float] | Array) -> bool:
        """Whether ``point`` ``(d,)`` is finite and on the map (see :func:`on_map`)."""
        return on_map(self.bounds, point)

    @property
    def lo(self) -> Array:
        """Lower corner of the plotting box, ``(d,)``."""
        return np.array([b[0] for b in self.bounds], dtype=float)

    @property
    def hi(self) -> Array:
        """Upper corner of the plotting box, ``(d,)``."""
        return np.array([b[1] for b in self.bounds], dtype=float)

    def nearest_minimum(self, points: Array) -> tuple[Array, Array]:
        """Index of, and Euclidean distance to, the nearest known minimum.

        ``points``: ``(..., d)``. Returns ``(index (...), distance (...))``; index is -1 and the
        distance ``inf`` when the landscape lists no minima.
        """
        points = np.asarray(points, dtype=float)
        if len(self.minima) == 0:
            shape = points.shape[:-1]
            return np.full(shape, -1), np.full(shape, np.inf)
        diff = points[..., None, :] - self.minima  # (..., k, d)
        dist = np.sqrt(np.sum(diff * diff, axis=-1))
        index = np.argmin(dist, axis=-1)
        return index, np.take_along_axis(dist, index[..., None], axis=-1)[..., 0]

    def grid(self, resolution: int = 100) -> tuple[Array, ...]:
        """Evenly spaced axis values over ``bounds``: d arrays of ``resolution`` points."""
        return tuple(np.linspace(lo, hi, resolution) for lo, hi in self.bounds)


def on_map(bounds: Sequence[tuple[float, float]], point: Sequence[float] | Array) -> bool:
    """Whether ``point`` ``(d,)`` has finite coordinates inside the box ``((lo, hi),) * d``: the
    one test of "is this start on the map" for landscapes, the hiker's curve and data models."""
    coords = np.asarray(point, dtype=float)
    return bool(
        coords.shape == (len(bounds),)
        and np.all(np.isfinite(coords))
        and all(lo <= v <= hi for v, (lo, hi) in zip(coords, bounds, strict=True))
    )
