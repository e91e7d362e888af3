"""Reading a typed-in formula safely: Python's ``ast`` parser, then an allow-list check with
limits on length, nodes, depth and exponents. The text is never passed to ``eval``, ``exec`` or
``compile``."""

from __future__ import annotations

import ast
import math
import warnings
from collections.abc import Sequence

from gdviz.expr.expression import Expression
from gdviz.expr.jet import fold
from gdviz.expr.language import (
    BINARY,
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NODES,
    ExpressionError,
    describe,
    uses,
)


def _column(node: ast.AST, offsets: Sequence[int]) -> int:
    """1-based column in the user's text (``^`` became ``**``, shifting what follows)."""
    position = getattr(node, "col_offset", 0)
    return position - sum(1 for o in offsets if o < position) + 1


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
    """Walk the tree, refusing anything outside the language (with its column), and more than
    ``MAX_NODES`` nodes or ``MAX_DEPTH`` levels."""
    count[0] += 1
    if count[0] > MAX_NODES:
        raise ExpressionError(f"the formula has too many parts (at most {MAX_NODES})")
    if depth > MAX_DEPTH:
        raise ExpressionError(
            f"the formula is nested too deeply (at most {MAX_DEPTH} levels)", _column(node, offsets)
        )
    where = _column(node, offsets)
    if isinstance(node, ast.Constant):
        _check_number(node, where)
    elif isinstance(node, ast.Name):
        _check_name(node, variables, where)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub | ast.UAdd):
            raise ExpressionError("only + and - may stand before a value", where)
        _check(node.operand, variables, offsets, depth + 1, count)
    elif isinstance(node, ast.BinOp):
        if type(node.op) not in BINARY:
            raise ExpressionError("only + - * / and ** (or ^) are allowed", where)
        _check(node.left, variables, offsets, depth + 1, count)
        _check(node.right, variables, offsets, depth + 1, count)
        _check_constant_operands(node, variables, offsets)
    elif isinstance(node, ast.Call):
        _check(_argument(node, where), variables, offsets, depth + 1, count)
    else:
        raise ExpressionError(f"{describe(node)} is not allowed", where)


def _check_number(node: ast.Constant, where: int) -> None:
    """A literal must be a finite number of size at most 1e12."""
    if isinstance(node.value, bool) or not isinstance(node.value, int | float):
        raise ExpressionError(f"{node.value!r} is not a number", where)
    # Size first: float() of a 280-digit hex literal raises OverflowError.
    if abs(node.value) > 1e12 or not math.isfinite(node.value):
        raise ExpressionError("numbers must be finite and at most 1e12 in size", where)


def _check_name(node: ast.Name, variables: tuple[str, ...], where: int) -> None:
    """A name must be a variable or a constant (a function's name says it needs parentheses)."""
    if node.id not in variables and node.id not in CONSTANTS:
        allowed = " and ".join(variables)
        hint = f"; functions need parentheses, e.g. {node.id}(x)" if node.id in FUNCTIONS else ""
        raise ExpressionError(f"unknown name {node.id!r}{hint}; use {allowed}", where)


def _argument(node: ast.Call, where: int) -> ast.expr:
    """The one argument of a call of a known function by name."""
    if not isinstance(node.func, ast.Name):
        raise ExpressionError(f"{describe(node.func)} is not allowed", where)
    name = node.func.id
    if name not in FUNCTIONS:
        raise ExpressionError(
            f"unknown function {name!r}; use one of {', '.join(FUNCTIONS)}", where
        )
    if node.keywords or len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
        raise ExpressionError(f"{name}() takes exactly one value, no keywords", where)
    return node.args[0]


def _check_constant_operands(
    node: ast.BinOp, variables: tuple[str, ...], offsets: list[int]
) -> None:
    """Refuse, with the column, what no point of the map could fix: a constant divisor of zero,
    a constant exponent too large, a constant base ≤ 0 under an exponent with a variable
    (``a**b`` is ``exp(b·log a)``), and a constant part that is not a finite number
    (``1e12**64``, ``log(0)``). Folding is done in floats, so nothing here can raise an
    arithmetic error of its own."""
    left_const, right_const = not uses(node.left, variables), not uses(node.right, variables)
    if isinstance(node.op, ast.Div) and right_const and fold(node.right) == 0:
        raise ExpressionError("division by zero", _column(node.right, offsets))
    if isinstance(node.op, ast.Pow) and right_const and abs(fold(node.right)) > MAX_EXPONENT:
        raise ExpressionError(
            f"the exponent is too large (at most {MAX_EXPONENT:g} in size)",
            _column(node.right, offsets),
        )
    if left_const and right_const:
        if not math.isfinite(fold(node)):
            raise ExpressionError(NOT_FINITE, _column(node, offsets))
        return
    for side, constant_side in ((node.left, left_const), (node.right, right_const)):
        if constant_side and not math.isfinite(fold(side)):
            raise ExpressionError(NOT_FINITE, _column(side, offsets))
    if isinstance(node.op, ast.Pow) and left_const and fold(node.left) <= 0:
        raise ExpressionError(
            "a power with a variable in its exponent needs a positive base (a**b is exp(b·log a))",
            _column(node.left, offsets),
        )


NOT_FINITE = "this constant part is infinite or undefined"


def parse_expression(text: str, variables: Sequence[str] = ("x", "y")) -> Expression:
    """Check ``text`` and return it as an :class:`Expression` (raises :class:`ExpressionError`)."""
    tree, _ = parse(text, variables)
    return Expression(text, tuple(variables), tree)
