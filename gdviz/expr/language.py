"""The language a typed-in formula may use, declared once: limits, constants, operators, and one
table row per function holding its value, first and second derivatives (for the jets), its
derivative as a tree (for the formula shown) and its LaTeX."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from gdviz.expr.trees import binop, call, neg, num

Array = np.ndarray
MAX_LENGTH = 300
MAX_NODES = 200
# Distinct operations after folding (gdviz.expr.program): each step of a descent runs them all,
# and 80 of the costliest kind keep a 5,000-step run under about 1.6 s on a 2-core box.
MAX_INSTRUCTIONS = 80
MAX_DEPTH = 30
MAX_EXPONENT = 64.0
TIME_BUDGET = 2.0  # seconds per evaluation
CONSTANTS = {"pi": math.pi, "e": math.e}
BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


class ExpressionError(ValueError):
    """A rejected expression: ``message`` says what is wrong, ``column`` where (1-based, or
    ``None`` when the problem is the whole text)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message, self.column = message, column
        super().__init__(message if column is None else f"{message} at column {column}")


@dataclass(frozen=True)
class Function:
    """One allowed function u ↦ f(u): ``f``, ``df`` = f′ and ``d2f`` = f″ on arrays (exact, for
    the jets), ``derivative`` = f′ as a tree of ``u`` (for the gradient shown) and ``latex``, a
    template with ``{}`` for the argument."""

    f: Callable[[Array], Array]
    df: Callable[[Array], Array]
    d2f: Callable[[Array], Array]
    derivative: Callable[[ast.expr], ast.expr]
    latex: str


def _sigmoid(u: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * u))  # stable for large |u|


def _dsigmoid(u: Array) -> Array:
    s = _sigmoid(u)
    return s * (1 - s)


def _sec2(u: Array) -> Array:
    return 1 / np.cos(u) ** 2


def _dtanh(u: Array) -> Array:
    return 1 - np.tanh(u) ** 2


def _paren(name: str) -> str:
    return name + r"\left({}\right)"


_ONE = num(1)
FUNCTIONS: dict[str, Function] = {
    "sin": Function(
        np.sin, np.cos, lambda u: -np.sin(u), lambda u: call("cos", u), _paren(r"\sin")
    ),
    "cos": Function(
        np.cos,
        lambda u: -np.sin(u),
        lambda u: -np.cos(u),
        lambda u: neg(call("sin", u)),
        _paren(r"\cos"),
    ),
    "tan": Function(
        np.tan,
        _sec2,
        lambda u: 2 * np.tan(u) * _sec2(u),
        lambda u: binop(_ONE, ast.Div(), binop(call("cos", u), ast.Pow(), num(2))),
        _paren(r"\tan"),
    ),
    "exp": Function(np.exp, np.exp, np.exp, lambda u: call("exp", u), _paren(r"\exp")),
    "log": Function(
        np.log,
        lambda u: 1 / u,
        lambda u: -1 / u**2,
        lambda u: binop(_ONE, ast.Div(), u),
        _paren(r"\log"),
    ),
    "sqrt": Function(
        np.sqrt,
        lambda u: 0.5 / np.sqrt(u),
        lambda u: -0.25 / u**1.5,
        lambda u: binop(num(0.5), ast.Div(), call("sqrt", u)),
        r"\sqrt{{{}}}",
    ),
    "abs": Function(
        np.abs,
        np.sign,
        np.zeros_like,
        lambda u: binop(u, ast.Div(), call("abs", u)),
        r"\left|{}\right|",
    ),
    "tanh": Function(
        np.tanh,
        _dtanh,
        lambda u: -2 * np.tanh(u) * _dtanh(u),
        lambda u: binop(_ONE, ast.Sub(), binop(call("tanh", u), ast.Pow(), num(2))),
        _paren(r"\tanh"),
    ),
    "sinh": Function(np.sinh, np.cosh, np.sinh, lambda u: call("cosh", u), _paren(r"\sinh")),
    "cosh": Function(np.cosh, np.sinh, np.cosh, lambda u: call("sinh", u), _paren(r"\cosh")),
    "atan": Function(
        np.arctan,
        lambda u: 1 / (1 + u**2),
        lambda u: -2 * u / (1 + u**2) ** 2,
        lambda u: binop(_ONE, ast.Div(), binop(_ONE, ast.Add(), binop(u, ast.Pow(), num(2)))),
        _paren(r"\arctan"),
    ),
    "sigmoid": Function(
        _sigmoid,
        _dsigmoid,
        lambda u: _dsigmoid(u) * (1 - 2 * _sigmoid(u)),
        lambda u: binop(call("sigmoid", u), ast.Mult(), binop(_ONE, ast.Sub(), call("sigmoid", u))),
        _paren(r"\sigma"),
    ),
    "softplus": Function(
        lambda u: np.logaddexp(0.0, u),
        _sigmoid,
        _dsigmoid,
        lambda u: call("sigmoid", u),
        _paren(r"\operatorname{{softplus}}"),
    ),
}


def describe(node: ast.AST) -> str:
    """How a learner would name a construct the language does not allow."""
    names = {
        ast.Attribute: "attribute access (a.b)",
        ast.Subscript: "indexing (a[b])",
        ast.Lambda: "lambda",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.DictComp: "a comprehension",
        ast.JoinedStr: "an f-string",
        ast.NamedExpr: "the walrus operator (:=)",
        ast.Compare: "a comparison",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.List: "a list",
        ast.Tuple: "a tuple",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.Starred: "*unpacking",
        ast.Await: "await",
    }
    return names.get(type(node), type(node).__name__)


def uses(node: ast.AST, variables: tuple[str, ...]) -> bool:
    """Whether ``node`` mentions any of ``variables``."""
    return any(isinstance(n, ast.Name) and n.id in variables for n in ast.walk(node))
