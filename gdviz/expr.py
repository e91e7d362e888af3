"""Typed-in loss functions, parsed safely and differentiated exactly.

``compile_expression("x**2 + 10*y**2")`` returns a :class:`~gdviz.landscapes.base.Landscape`
whose value, gradient and Hessian are exact (second-order forward-mode differentiation on numpy
arrays, not finite differences).

Safety, for a server a whole class shares:

* The text is parsed by Python's ``ast`` module and checked against an allow-list: numbers, the
  variables, ``pi`` and ``e``, ``+ - * / **`` (``^`` is read as a power), unary minus and plus,
  parentheses, and calls of the functions in :data:`FUNCTIONS` with one argument. Anything else
  (attributes, subscripts, lambdas, comprehensions, keywords, strings, …) is rejected with its
  column. The text is never passed to ``eval``, ``exec`` or ``compile``.
* Limits: :data:`MAX_LENGTH` characters, :data:`MAX_NODES` nodes, :data:`MAX_DEPTH` levels of
  nesting, and constant exponents of at most :data:`MAX_EXPONENT` in size (``9**9**9`` is refused
  before anything is computed). Evaluation works on float arrays under ``np.errstate`` (overflow
  becomes inf, never a hang) and stops after :data:`TIME_BUDGET` seconds.
* Where the function is undefined (``log`` of a negative, ``sqrt`` below zero) its value is NaN:
  maps show a gap there.
"""

from __future__ import annotations

import ast
import math
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from gdviz.landscapes.base import Landscape

Array = np.ndarray
MAX_LENGTH = 300
MAX_NODES = 200
MAX_DEPTH = 30
MAX_EXPONENT = 64.0
TIME_BUDGET = 2.0  # seconds per evaluation
CONSTANTS = {"pi": math.pi, "e": math.e}


class ExpressionError(ValueError):
    """A rejected expression: ``message`` says what is wrong, ``column`` where (1-based, or
    ``None`` when the problem is the whole text)."""

    def __init__(self, message: str, column: int | None = None) -> None:
        self.message, self.column = message, column
        super().__init__(message if column is None else f"{message} at column {column}")


# -- jets: value, gradient and Hessian carried together ------------------------------------------


@dataclass(frozen=True)
class Jet:
    """A function of d variables known at every grid point: value ``v (S)``, gradient
    ``g (d, S)``, Hessian ``h (d, d, S)`` (``S``: the shape of the points)."""

    v: Array
    g: Array
    h: Array

    @staticmethod
    def constant(value: float, shape: tuple[int, ...], d: int) -> Jet:
        return Jet(np.full(shape, float(value)), np.zeros((d, *shape)), np.zeros((d, d, *shape)))

    @staticmethod
    def variable(values: Array, index: int, d: int) -> Jet:
        g = np.zeros((d, *values.shape))
        g[index] = 1.0
        return Jet(np.asarray(values, dtype=float), g, np.zeros((d, d, *values.shape)))

    def apply(self, f: Array, df: Array, d2f: Array) -> Jet:
        """Chain rule for a scalar function u ↦ f(u) with f' = ``df``, f'' = ``d2f`` at u:
        ``∇f = f' ∇u``, ``∇²f = f' ∇²u + f'' ∇u ∇uᵀ``."""
        outer = self.g[:, None] * self.g[None, :]
        return Jet(f, df * self.g, df * self.h + d2f * outer)

    def __add__(self, other: Jet) -> Jet:
        return Jet(self.v + other.v, self.g + other.g, self.h + other.h)

    def __sub__(self, other: Jet) -> Jet:
        return Jet(self.v - other.v, self.g - other.g, self.h - other.h)

    def __neg__(self) -> Jet:
        return Jet(-self.v, -self.g, -self.h)

    def __mul__(self, other: Jet) -> Jet:
        """Product rule: ``∇(ab) = a∇b + b∇a``, ``∇²(ab) = a∇²b + b∇²a + ∇a∇bᵀ + ∇b∇aᵀ``."""
        cross = self.g[:, None] * other.g[None, :]
        return Jet(
            self.v * other.v,
            self.v * other.g + other.v * self.g,
            self.v * other.h + other.v * self.h + cross + np.swapaxes(cross, 0, 1),
        )

    def reciprocal(self) -> Jet:
        """``1/u``: f' = −1/u², f'' = 2/u³."""
        inv = 1.0 / self.v
        return self.apply(inv, -inv * inv, 2.0 * inv * inv * inv)

    def __truediv__(self, other: Jet) -> Jet:
        return self * other.reciprocal()

    def power(self, c: float) -> Jet:
        """``u^c`` for a constant c: f' = c u^(c−1), f'' = c(c−1) u^(c−2)."""
        if c == 0:
            return Jet.constant(1.0, self.v.shape, self.g.shape[0])
        if c == 1:
            return self
        if c == 2:
            return self * self
        return self.apply(self.v**c, c * self.v ** (c - 1), c * (c - 1) * self.v ** (c - 2))

    def __pow__(self, other: Jet) -> Jet:
        """``a^b`` for a non-constant exponent: ``exp(b · log a)`` (defined for a > 0)."""
        return (other * self.log()).exp()

    def exp(self) -> Jet:
        e = np.exp(self.v)
        return self.apply(e, e, e)

    def log(self) -> Jet:
        inv = 1.0 / self.v
        return self.apply(np.log(self.v), inv, -inv * inv)


def _sigmoid(u: Array) -> Array:
    return 0.5 * (1.0 + np.tanh(0.5 * u))  # stable for large |u|


# name -> (f, f', f'') on arrays. Each derivative is exact, written out once.
FUNCTIONS: dict[str, tuple[Callable[[Array], Array], ...]] = {
    "sin": (np.sin, np.cos, lambda u: -np.sin(u)),
    "cos": (np.cos, lambda u: -np.sin(u), lambda u: -np.cos(u)),
    "tan": (np.tan, lambda u: 1 / np.cos(u) ** 2, lambda u: 2 * np.tan(u) / np.cos(u) ** 2),
    "exp": (np.exp, np.exp, np.exp),
    "log": (np.log, lambda u: 1 / u, lambda u: -1 / u**2),
    "sqrt": (np.sqrt, lambda u: 0.5 / np.sqrt(u), lambda u: -0.25 / u**1.5),
    "abs": (np.abs, np.sign, np.zeros_like),
    "tanh": (
        np.tanh,
        lambda u: 1 - np.tanh(u) ** 2,
        lambda u: -2 * np.tanh(u) * (1 - np.tanh(u) ** 2),
    ),
    "sinh": (np.sinh, np.cosh, np.sinh),
    "cosh": (np.cosh, np.sinh, np.cosh),
    "atan": (np.arctan, lambda u: 1 / (1 + u**2), lambda u: -2 * u / (1 + u**2) ** 2),
    "sigmoid": (
        _sigmoid,
        lambda u: _sigmoid(u) * (1 - _sigmoid(u)),
        lambda u: _sigmoid(u) * (1 - _sigmoid(u)) * (1 - 2 * _sigmoid(u)),
    ),
    "softplus": (
        lambda u: np.logaddexp(0.0, u),
        _sigmoid,
        lambda u: _sigmoid(u) * (1 - _sigmoid(u)),
    ),
}

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


# -- parsing and checking --------------------------------------------------------------------------


def _column(node: ast.AST, offsets: Sequence[int]) -> int:
    """1-based column in the user's text (``^`` became ``**``, shifting what follows)."""
    position = getattr(node, "col_offset", 0)
    return position - sum(1 for o in offsets if o < position) + 1


def _describe(node: ast.AST) -> str:
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


def parse(text: str, variables: Sequence[str] = ("x", "y")) -> tuple[ast.expr, list[int]]:
    """Parse and check ``text``; returns the checked tree and the ``^`` offsets.

    Raises :class:`ExpressionError` naming the first problem and its column.
    """
    if not isinstance(text, str):
        raise ExpressionError("the function must be text")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(
            f"the function is too long ({len(text)} characters; at most {MAX_LENGTH})"
        )
    if not text.strip():
        raise ExpressionError("type a function of " + " and ".join(variables))
    bad = next(
        (i for i, ch in enumerate(text) if ord(ch) > 126 or (ord(ch) < 32 and ch != " ")), None
    )
    if bad is not None:
        raise ExpressionError(f"character {text[bad]!r} is not allowed", bad + 1)
    offsets = [i for i, ch in enumerate(text) if ch == "^"]
    source = text.replace("^", "**")
    offsets = [o + k for k, o in enumerate(offsets)]  # positions in `source`
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" etc. must not reach the log
            warnings.simplefilter("ignore")
            tree = ast.parse(source.strip(), mode="eval").body
    except SyntaxError as error:
        column = (error.offset or 1) - sum(1 for o in offsets if o < (error.offset or 1) - 1)
        raise ExpressionError(f"this is not a formula I can read ({error.msg})", column) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("the formula is nested too deeply") from None
    _check(tree, tuple(variables), offsets, depth=0, count=[0])
    return tree, offsets


def _check(
    node: ast.AST, variables: tuple[str, ...], offsets: list[int], depth: int, count: list[int]
) -> None:
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ExpressionError(f"the formula has too many parts (at most {MAX_NODES})")
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"the formula is nested too deeply (at most {MAX_DEPTH} levels)", _column(node, offsets)
        )
    where = _column(node, offsets)
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, int | float):
            raise ExpressionError(f"{node.value!r} is not a number", where)
        if not math.isfinite(float(node.value)) or abs(node.value) > 1e12:
            raise ExpressionError("numbers must be finite and at most 1e12 in size", where)
        return
    if isinstance(node, ast.Name):
        if node.id not in variables and node.id not in CONSTANTS:
            allowed = " and ".join(variables)
            hint = (
                f"; functions need parentheses, e.g. {node.id}(x)" if node.id in FUNCTIONS else ""
            )
            raise ExpressionError(f"unknown name {node.id!r}{hint}; use {allowed}", where)
        return
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError("only + and - may stand before a value", where)
        _check(node.operand, variables, offsets, depth + 1, count)
        return
    if isinstance(node, ast.BinOp):
        if type(node.op) not in _BINARY:
            raise ExpressionError("only + - * / and ** (or ^) are allowed", where)
        _check(node.left, variables, offsets, depth + 1, count)
        _check(node.right, variables, offsets, depth + 1, count)
        if isinstance(node.op, ast.Pow) and not _uses(node.right, variables):
            exponent = _constant_value(node.right)
            if not (math.isfinite(exponent) and abs(exponent) <= MAX_EXPONENT):
                raise ExpressionError(
                    f"the exponent is too large (at most {MAX_EXPONENT:g} in size)",
                    _column(node.right, offsets),
                )
        return
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            raise ExpressionError(f"{_describe(node.func)} is not allowed", where)
        name = node.func.id
        if name not in FUNCTIONS:
            shown = name
            raise ExpressionError(
                f"unknown function {shown!r}; use one of {', '.join(FUNCTIONS)}", where
            )
        if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise ExpressionError(f"{name}() takes exactly one value, no keywords", where)
        _check(node.args[0], variables, offsets, depth + 1, count)
        return
    raise ExpressionError(f"{_describe(node)} is not allowed", where)


def _uses(node: ast.AST, variables: tuple[str, ...]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in variables for n in ast.walk(node))


def _constant_value(node: ast.AST) -> float:
    """The value of a checked, variable-free subtree (floats under errstate: never hangs)."""
    with np.errstate(all="ignore"):
        return float(_evaluate(node, {}, (), 0, time.monotonic() + TIME_BUDGET).v)


# -- evaluation ------------------------------------------------------------------------------------


def _evaluate(
    node: ast.AST, env: dict[str, Jet], shape: tuple[int, ...], d: int, deadline: float
) -> Jet:
    if time.monotonic() > deadline:
        raise ExpressionError("evaluating the function took too long")
    if isinstance(node, ast.Constant):
        return Jet.constant(float(node.value), shape, d)
    if isinstance(node, ast.Name):
        return env[node.id] if node.id in env else Jet.constant(CONSTANTS[node.id], shape, d)
    if isinstance(node, ast.UnaryOp):
        inner = _evaluate(node.operand, env, shape, d, deadline)
        return -inner if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.BinOp):
        left = _evaluate(node.left, env, shape, d, deadline)
        if isinstance(node.op, ast.Pow) and not _uses(node.right, tuple(env)):
            return left.power(float(_evaluate(node.right, {}, (), d, deadline).v))
        right = _evaluate(node.right, env, shape, d, deadline)
        op = type(node.op)
        if op is ast.Add:
            return left + right
        if op is ast.Sub:
            return left - right
        if op is ast.Mult:
            return left * right
        if op is ast.Div:
            return left / right
        return left**right
    if isinstance(node, ast.Call):
        inner = _evaluate(node.args[0], env, shape, d, deadline)
        f, df, d2f = FUNCTIONS[node.func.id]
        return inner.apply(f(inner.v), df(inner.v), d2f(inner.v))
    raise ExpressionError(f"{_describe(node)} is not allowed")  # unreachable after _check


@dataclass(frozen=True)
class Expression:
    """A checked formula in ``variables``, evaluated with exact derivatives on arrays."""

    text: str
    variables: tuple[str, ...]
    tree: ast.expr

    def jet(self, *coords: Array) -> Jet:
        """Value, gradient and Hessian at points given as coordinate arrays of one shape."""
        shape = np.broadcast_shapes(*(np.shape(c) for c in coords))
        d = len(self.variables)
        env = {
            name: Jet.variable(np.broadcast_to(np.asarray(c, dtype=float), shape), i, d)
            for i, (name, c) in enumerate(zip(self.variables, coords, strict=True))
        }
        with np.errstate(all="ignore"):
            return _evaluate(self.tree, env, shape, d, time.monotonic() + TIME_BUDGET)

    def value(self, *coords: Array) -> Array:
        """The value alone (a jet with no derivative slots: about 5x cheaper)."""
        shape = np.broadcast_shapes(*(np.shape(c) for c in coords))
        env = {
            name: Jet(
                np.broadcast_to(np.asarray(c, dtype=float), shape),
                np.zeros((0, *shape)),
                np.zeros((0, 0, *shape)),
            )
            for name, c in zip(self.variables, coords, strict=True)
        }
        with np.errstate(all="ignore"):
            return _evaluate(self.tree, env, shape, 0, time.monotonic() + TIME_BUDGET).v


def parse_expression(text: str, variables: Sequence[str] = ("x", "y")) -> Expression:
    """Check ``text`` and return it as an :class:`Expression` (raises :class:`ExpressionError`)."""
    tree, _ = parse(text, variables)
    return Expression(text, tuple(variables), tree)


# -- LaTeX -------------------------------------------------------------------------------------

_LATEX_FUNCTIONS = {
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "exp": r"\exp",
    "log": r"\log",
    "tanh": r"\tanh",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "atan": r"\arctan",
    "sigmoid": r"\sigma",
    "softplus": r"\operatorname{softplus}",
}
_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def to_latex(node: ast.AST) -> str:
    """LaTeX for a checked tree, with the parentheses precedence needs."""
    if isinstance(node, ast.Constant):
        return f"{node.value:g}" if isinstance(node.value, float) else str(node.value)
    if isinstance(node, ast.Name):
        return {"pi": r"\pi", "e": "e"}.get(node.id, node.id)
    if isinstance(node, ast.UnaryOp):
        inner = to_latex(node.operand)
        if isinstance(node.operand, ast.BinOp) and _PRECEDENCE[type(node.operand.op)] < 4:
            inner = rf"\left({inner}\right)"
        return ("-" if isinstance(node.op, ast.USub) else "+") + inner
    if isinstance(node, ast.BinOp):
        op = type(node.op)
        if op is ast.Div:
            return rf"\frac{{{to_latex(node.left)}}}{{{to_latex(node.right)}}}"
        left, right = to_latex(node.left), to_latex(node.right)
        if _needs_parens(node.left, op, right_side=False):
            left = rf"\left({left}\right)"
        if op is ast.Pow:
            return f"{left}^{{{right}}}"
        if _needs_parens(node.right, op, right_side=True):
            right = rf"\left({right}\right)"
        symbol = {ast.Add: "+", ast.Sub: "-"}.get(op, r"\cdot")
        return f"{left} {symbol} {right}"
    if isinstance(node, ast.Call):
        name, arg = node.func.id, to_latex(node.args[0])
        if name == "sqrt":
            return rf"\sqrt{{{arg}}}"
        if name == "abs":
            return rf"\left|{arg}\right|"
        return rf"{_LATEX_FUNCTIONS[name]}\left({arg}\right)"
    return "?"


def _needs_parens(child: ast.AST, op: type, right_side: bool) -> bool:
    if isinstance(child, ast.UnaryOp):  # −x·y reads fine; x·(−y) and (−x)^2 need them
        return op is ast.Pow or (right_side and op is not ast.Add)
    if not isinstance(child, ast.BinOp) or (type(child.op) is ast.Div and op is not ast.Pow):
        return False
    mine, theirs = _PRECEDENCE[op], _PRECEDENCE[type(child.op)]
    if op is ast.Pow:
        return not right_side
    return theirs < mine or (right_side and theirs == mine and op in (ast.Sub, ast.Div))


# -- a Landscape from text -----------------------------------------------------------------------

DEFAULT_BOUNDS = {1: ((-5.0, 5.0),), 2: ((-3.0, 3.0), (-3.0, 3.0))}
MAX_BOUND = 1e4


def compile_expression(
    text: str,
    variables: Sequence[str] = ("x", "y"),
    bounds: Sequence[tuple[float, float]] | None = None,
) -> Landscape:
    """A :class:`Landscape` for a typed-in formula, with exact derivatives.

    Its minima are the known local minima inside ``bounds``: Newton's method from every local
    minimum of a 41-point-per-axis sample, polished with the exact Hessian. The suggested rate is
    ``1/λ_max`` over the sampled map (stable everywhere on it, for plain GD). Raises
    :class:`ExpressionError` for a rejected formula, bad bounds, or a function that is undefined
    everywhere on the map.
    """
    from gdviz.landscapes._newton import polish  # local: _newton imports base only

    expression = parse_expression(text, variables)
    d = len(expression.variables)
    box = tuple((float(lo), float(hi)) for lo, hi in (bounds or DEFAULT_BOUNDS[d]))
    if len(box) != d or not all(
        math.isfinite(lo) and math.isfinite(hi) and -MAX_BOUND <= lo < hi <= MAX_BOUND
        for lo, hi in box
    ):
        raise ExpressionError(f"the plot bounds must be {d} pair(s) lo < hi within ±{MAX_BOUND:g}")

    def fn(*coords: Array) -> Array:
        return expression.value(*coords)

    def grad_fn(*coords: Array) -> tuple[Array, ...]:
        return tuple(expression.jet(*coords).g)

    def hess_fn(*coords: Array) -> tuple[tuple[Array, ...], ...]:
        h = expression.jet(*coords).h
        return tuple(tuple(h[i, j] for j in range(d)) for i in range(d))

    axes = [np.linspace(lo, hi, 41) for lo, hi in box]
    mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)  # (41, [41,] d)
    sample = expression.value(*(mesh[..., i] for i in range(d)))
    finite = np.isfinite(sample)
    if not finite.any():
        raise ExpressionError("the function is undefined or infinite everywhere on this map")
    centre = np.array([(lo + hi) / 2 for lo, hi in box])
    corner = np.array([lo for lo, _ in box]) if d == 1 else np.array([box[0][0], box[1][1]])
    start = centre + 0.7 * (corner - centre)

    def defined(points: Array) -> Array:
        """Where the value and every slope are finite (a start must have a gradient)."""
        with np.errstate(all="ignore"):
            jet = expression.jet(*(points[..., i] for i in range(d)))
        return np.isfinite(jet.v) & np.all(np.isfinite(jet.g), axis=0)

    if not defined(start):
        usable = defined(mesh)
        if not usable.any():
            raise ExpressionError("the function has no slope anywhere on this map")
        start = mesh[usable][0]
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
        fn=fn,
        grad_fn=grad_fn,
        hess_fn=hess_fn,
    )
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
            edge = [slice(None)] * values.ndim
            edge[axis] = 0 if shift == 1 else -1
            neighbour[tuple(edge)] = np.inf  # no wrap-around
            mask &= values <= neighbour
    return mask


# -- symbolic gradient (for display: the numbers come from the jets) ------------------------------


def _num(value: float) -> ast.Constant:
    return ast.Constant(value=int(value) if float(value).is_integer() else float(value))


def _call(name: str, arg: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name), args=[arg], keywords=[])


def _bin(left: ast.expr, op: ast.operator, right: ast.expr) -> ast.expr:
    """``left op right`` with the obvious simplifications (0 and 1, constants folded)."""
    lc = left.value if isinstance(left, ast.Constant) else None
    rc = right.value if isinstance(right, ast.Constant) else None
    if lc is not None and rc is not None and not (isinstance(op, ast.Div) and rc == 0):
        folded = {ast.Add: lc + rc, ast.Sub: lc - rc, ast.Mult: lc * rc}.get(type(op))
        if isinstance(op, ast.Div):
            folded = lc / rc
        if folded is not None and math.isfinite(folded):
            return _num(folded)
    if isinstance(op, ast.Add):
        if lc == 0:
            return right
        if rc == 0:
            return left
        if isinstance(right, ast.UnaryOp) and isinstance(right.op, ast.USub):
            return _bin(left, ast.Sub(), right.operand)
    if isinstance(op, ast.Sub):
        if rc == 0:
            return left
        if lc == 0:
            return _neg(right)
    if isinstance(op, ast.Mult):
        if lc == 0 or rc == 0:
            return _num(0)
        if lc == 1:
            return right
        if rc == 1:
            return left
        if lc == -1:
            return _neg(right)
        if rc == -1:
            return _neg(left)
        for side, other in ((left, right), (right, left)):  # a sign in a factor goes in front
            if isinstance(side, ast.UnaryOp) and isinstance(side.op, ast.USub):
                return _neg(_bin(side.operand, ast.Mult(), other))
        if rc is not None:  # constants first: x·2 → 2·x
            return _bin(right, ast.Mult(), left)
        if (
            lc is not None
            and isinstance(right, ast.BinOp)
            and isinstance(right.op, ast.Mult)
            and isinstance(right.left, ast.Constant)
        ):
            return _bin(_num(lc * right.left.value), ast.Mult(), right.right)
    if isinstance(op, ast.Div):
        if rc == 1:
            return left
        if lc == 0:
            return _num(0)
    if isinstance(op, ast.Pow):
        if rc == 1:
            return left
        if rc == 0:
            return _num(1)
    return ast.BinOp(left=left, op=op, right=right)


def _neg(node: ast.expr) -> ast.expr:
    if isinstance(node, ast.Constant):
        return _num(-node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return node.operand
    return ast.UnaryOp(op=ast.USub(), operand=node)


_D_FUNCTIONS: dict[str, Callable[[ast.expr], ast.expr]] = {
    "sin": lambda u: _call("cos", u),
    "cos": lambda u: _neg(_call("sin", u)),
    "tan": lambda u: _bin(_num(1), ast.Div(), _bin(_call("cos", u), ast.Pow(), _num(2))),
    "exp": lambda u: _call("exp", u),
    "log": lambda u: _bin(_num(1), ast.Div(), u),
    "sqrt": lambda u: _bin(_num(0.5), ast.Div(), _call("sqrt", u)),
    "abs": lambda u: _bin(u, ast.Div(), _call("abs", u)),
    "tanh": lambda u: _bin(_num(1), ast.Sub(), _bin(_call("tanh", u), ast.Pow(), _num(2))),
    "sinh": lambda u: _call("cosh", u),
    "cosh": lambda u: _call("sinh", u),
    "atan": lambda u: _bin(
        _num(1), ast.Div(), _bin(_num(1), ast.Add(), _bin(u, ast.Pow(), _num(2)))
    ),
    "sigmoid": lambda u: _bin(
        _call("sigmoid", u), ast.Mult(), _bin(_num(1), ast.Sub(), _call("sigmoid", u))
    ),
    "softplus": lambda u: _call("sigmoid", u),
}


def derivative(node: ast.expr, var: str) -> ast.expr:
    """``∂node/∂var`` as a new tree in the same language (simplified a little)."""
    if isinstance(node, ast.Constant):
        return _num(0)
    if isinstance(node, ast.Name):
        return _num(1 if node.id == var else 0)
    if isinstance(node, ast.UnaryOp):
        inner = derivative(node.operand, var)
        return _neg(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Call):
        return _bin(
            _D_FUNCTIONS[node.func.id](node.args[0]), ast.Mult(), derivative(node.args[0], var)
        )
    a, b = node.left, node.right
    da, db = derivative(a, var), derivative(b, var)
    if isinstance(node.op, ast.Add | ast.Sub):
        return _bin(da, node.op, db)
    if isinstance(node.op, ast.Mult):
        return _bin(_bin(da, ast.Mult(), b), ast.Add(), _bin(a, ast.Mult(), db))
    if isinstance(node.op, ast.Div):
        top = _bin(_bin(da, ast.Mult(), b), ast.Sub(), _bin(a, ast.Mult(), db))
        return _bin(top, ast.Div(), _bin(b, ast.Pow(), _num(2)))
    if isinstance(b, ast.Constant) or not any(
        isinstance(n, ast.Name) and n.id == var for n in ast.walk(b)
    ):
        # a^c with c free of var: c·a^(c−1)·a'
        lowered = _bin(b, ast.Sub(), _num(1))
        return _bin(_bin(b, ast.Mult(), _bin(a, ast.Pow(), lowered)), ast.Mult(), da)
    # a^b = exp(b log a): (a^b)(b' log a + b a'/a)
    rate = _bin(
        _bin(db, ast.Mult(), _call("log", a)),
        ast.Add(),
        _bin(_bin(b, ast.Mult(), da), ast.Div(), a),
    )
    return _bin(node, ast.Mult(), rate)


def gradient_latex(expression: Expression) -> str:
    """LaTeX for the partial derivatives, e.g. ``\\frac{∂L}{∂x} = 2 \\cdot x, …``."""
    parts = [
        rf"\frac{{\partial L}}{{\partial {v}}} = {to_latex(derivative(expression.tree, v))}"
        for v in expression.variables
    ]
    return r",\quad ".join(parts)
