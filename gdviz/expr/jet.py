"""Jets: a function's value, gradient and Hessian carried together through a formula
(second-order forward-mode differentiation on numpy arrays: exact, no finite differences)."""

from __future__ import annotations

import ast
import math
import time
from collections.abc import Callable

import numpy as np

from gdviz.expr.language import (
    CONSTANTS,
    FUNCTIONS,
    TIME_BUDGET,
    ExpressionError,
    describe,
    uses,
)
from gdviz.expr.trees import constant, function_name

Array = np.ndarray


class Jet:
    """A function of d variables known at every grid point: value ``v (S)``, gradient
    ``g (d, S)``, Hessian ``h (d, d, S)`` (``S``: the shape of the points).

    ``h`` is ``None`` in a first-order jet: descent needs values and gradients only, and
    leaving the Hessian (its d² slots and outer products at every node) out makes a gradient
    about twice as cheap. A constant may be held as scalars (``v`` a float, ``g`` and ``h``
    0.0): numpy broadcasts them against the other operand, with the same arithmetic.

    Read-only by contract. A plain class with slots, not a frozen dataclass: a formula makes
    a jet per node per evaluation, and a frozen dataclass's ``__init__`` cost 12% of that.
    """

    __slots__ = ("g", "h", "v")

    def __init__(self, v: Array, g: Array, h: Array | None) -> None:
        self.v, self.g, self.h = v, g, h

    @staticmethod
    def constant(value: float, shape: tuple[int, ...], d: int, second: bool = True) -> Jet:
        h = np.zeros((d, d, *shape)) if second else None
        return Jet(np.full(shape, float(value)), np.zeros((d, *shape)), h)

    @staticmethod
    def variable(values: Array, index: int, d: int, second: bool = True) -> Jet:
        g = np.zeros((d, *values.shape))
        g[index] = 1.0
        h = np.zeros((d, d, *values.shape)) if second else None
        return Jet(np.asarray(values, dtype=float), g, h)

    def apply(self, f: Array, df: Array, d2f: Array | None) -> Jet:
        """Chain rule for a scalar function u ↦ f(u) with f' = ``df``, f'' = ``d2f`` at u:
        ``∇f = f' ∇u``, ``∇²f = f' ∇²u + f'' ∇u ∇uᵀ`` (first order: ``d2f`` unused)."""
        if isinstance(self.g, float):  # f of a constant is a constant
            return Jet(f, 0.0, None if self.h is None else 0.0)
        if self.h is None or d2f is None:
            return Jet(f, df * self.g, None)
        outer = self.g[:, None] * self.g[None, :]
        return Jet(f, df * self.g, df * self.h + d2f * outer)

    def __add__(self, other: Jet) -> Jet:
        h = None if self.h is None or other.h is None else self.h + other.h
        return Jet(self.v + other.v, self.g + other.g, h)

    def __sub__(self, other: Jet) -> Jet:
        h = None if self.h is None or other.h is None else self.h - other.h
        return Jet(self.v - other.v, self.g - other.g, h)

    def __neg__(self) -> Jet:
        return Jet(-self.v, -self.g, None if self.h is None else -self.h)

    def __mul__(self, other: Jet) -> Jet:
        """Product rule: ``∇(ab) = a∇b + b∇a``, ``∇²(ab) = a∇²b + b∇²a + ∇a∇bᵀ + ∇b∇aᵀ``;
        with a constant ``c`` it is ``c∇a`` and ``c∇²a``."""
        if isinstance(other.g, float):
            c = other.v
            return Jet(self.v * c, self.g * c, None if self.h is None else self.h * c)
        if isinstance(self.g, float):
            return other * self
        g = self.v * other.g + other.v * self.g
        if self.h is None or other.h is None:
            return Jet(self.v * other.v, g, None)
        cross = self.g[:, None] * other.g[None, :]
        return Jet(
            self.v * other.v,
            g,
            self.v * other.h + other.v * self.h + cross + np.swapaxes(cross, 0, 1),
        )

    def reciprocal(self) -> Jet:
        """``1/u``: f' = −1/u², f'' = 2/u³. (``np.divide``: a scalar zero gives inf under
        ``errstate``, never a ZeroDivisionError.)"""
        inv = np.divide(1.0, self.v)
        return self.apply(inv, -inv * inv, 2.0 * inv * inv * inv)

    def __truediv__(self, other: Jet) -> Jet:
        return self * other.reciprocal()

    def power(self, c: float) -> Jet:
        """``u^c`` for a constant c: f' = c u^(c−1), f'' = c(c−1) u^(c−2)."""
        if c == 0:
            return Jet.constant(1.0, self.v.shape, self.g.shape[0], self.h is not None)
        if c == 1:
            return self
        if c == 2:
            return self * self
        d2f = None if self.h is None else c * (c - 1) * self.v ** (c - 2)  # first order: unused
        return self.apply(self.v**c, c * self.v ** (c - 1), d2f)

    def __pow__(self, other: Jet) -> Jet:
        """``a^b`` for a non-constant exponent: ``exp(b · log a)`` (defined for a > 0)."""
        return (other * self.log()).exp()

    def exp(self) -> Jet:
        e = np.exp(self.v)
        return self.apply(e, e, e)

    def log(self) -> Jet:
        inv = np.divide(1.0, self.v)
        return self.apply(np.log(self.v), inv, -inv * inv)


_ARITHMETIC: dict[type, Callable[[Jet, Jet], Jet]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b,
    ast.Pow: lambda a, b: a**b,
}


def evaluate(
    node: ast.AST,
    env: dict[str, Jet],
    shape: tuple[int, ...],
    d: int,
    deadline: float,
    second: bool = True,
) -> Jet:
    """The jet of ``node`` (second order, or first with ``second=False``)."""
    if time.monotonic() > deadline:
        raise ExpressionError("evaluating the function took too long")
    if isinstance(node, ast.Constant):
        return Jet.constant(constant(node) or 0.0, shape, d, second)
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        return Jet.constant(CONSTANTS[node.id], shape, d, second)
    if isinstance(node, ast.UnaryOp):
        inner = evaluate(node.operand, env, shape, d, deadline, second)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        left = evaluate(node.left, env, shape, d, deadline, second)
        if isinstance(node.op, ast.Pow) and not uses(node.right, tuple(env)):
            return left.power(float(evaluate(node.right, {}, (), d, deadline, second).v))
        right = evaluate(node.right, env, shape, d, deadline, second)
        return _ARITHMETIC[type(node.op)](left, right)
    if isinstance(node, ast.Call):
        inner = evaluate(node.args[0], env, shape, d, deadline, second)
        fn = FUNCTIONS[function_name(node)]
        d2f = fn.d2f(inner.v) if second else None
        return inner.apply(fn.f(inner.v), fn.df(inner.v), d2f)
    raise ExpressionError(f"{describe(node)} is not allowed")  # unreachable after _check


def fold(node: ast.AST) -> float:
    """The value of a checked, variable-free subtree (``2*pi/3``), in floats under
    ``errstate``: never hangs, never raises an arithmetic error (a zero divisor gives ±inf or
    NaN, which the callers refuse with a column). The one constant folder of the language."""
    with np.errstate(all="ignore"):
        try:
            return float(evaluate(node, {}, (), 0, time.monotonic() + TIME_BUDGET).v)
        except ArithmeticError:  # belt and braces: 0-d arrays give inf, not exceptions
            return math.nan
