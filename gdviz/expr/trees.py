"""Building formula trees (``ast`` nodes) with the obvious simplifications, for derivatives
shown to learners: ``0·u → 0``, ``1·u → u``, constants folded, a sign pulled to the front."""

from __future__ import annotations

import ast
import math


def num(value: float) -> ast.Constant:
    return ast.Constant(value=int(value) if float(value).is_integer() else float(value))


def constant(node: ast.AST) -> float | None:
    """The number a ``Constant`` node holds (a checked tree holds only ints and floats)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    return None


def function_name(node: ast.Call) -> str:
    """The name a call in a checked tree calls (the checker lets only plain names be called)."""
    if not isinstance(node.func, ast.Name):
        raise TypeError("only named functions can be called")
    return node.func.id


def call(name: str, arg: ast.expr) -> ast.Call:
    return ast.Call(func=ast.Name(id=name), args=[arg], keywords=[])


Simplified = ast.expr | None  # a simpler tree, or None: no rule applies


def _folded(lc: float | None, op: ast.operator, rc: float | None) -> Simplified:
    """Two constants: their value (a division by zero, or a result that is not finite, is
    left as it is: the checker refuses it with its column)."""
    if lc is None or rc is None or (isinstance(op, ast.Div) and rc == 0):
        return None
    folded = {ast.Add: lc + rc, ast.Sub: lc - rc, ast.Mult: lc * rc}.get(type(op))
    if isinstance(op, ast.Div):
        folded = lc / rc
    return num(folded) if folded is not None and math.isfinite(folded) else None


def _add(left: ast.expr, right: ast.expr, lc: float | None, rc: float | None) -> Simplified:
    if lc == 0:
        return right
    if rc == 0:
        return left
    if isinstance(right, ast.UnaryOp) and isinstance(right.op, ast.USub):
        return binop(left, ast.Sub(), right.operand)
    return None


def _sub(left: ast.expr, right: ast.expr, lc: float | None, rc: float | None) -> Simplified:
    if rc == 0:
        return left
    if lc == 0:
        return neg(right)
    return None


def _mult(left: ast.expr, right: ast.expr, lc: float | None, rc: float | None) -> Simplified:
    if lc == 0 or rc == 0:
        return num(0)
    ones = {1.0: lambda side: side, -1.0: neg}
    if lc in ones:
        return ones[lc](right)
    if rc in ones:
        return ones[rc](left)
    for side, other in ((left, right), (right, left)):  # a sign in a factor goes in front
        if isinstance(side, ast.UnaryOp) and isinstance(side.op, ast.USub):
            return neg(binop(side.operand, ast.Mult(), other))
    if rc is not None:  # constants first: x·2 → 2·x
        return binop(right, ast.Mult(), left)
    if (
        lc is not None
        and isinstance(right, ast.BinOp)
        and isinstance(right.op, ast.Mult)
        and isinstance(right.left, ast.Constant)
    ):
        return binop(num(lc * (constant(right.left) or 0.0)), ast.Mult(), right.right)
    return None


def _div(left: ast.expr, right: ast.expr, lc: float | None, rc: float | None) -> Simplified:
    if rc == 1:
        return left
    if lc == 0:
        return num(0)
    return None


def _pow(left: ast.expr, right: ast.expr, lc: float | None, rc: float | None) -> Simplified:
    if rc == 1:
        return left
    if rc == 0:
        return num(1)
    return None


_RULES = {ast.Add: _add, ast.Sub: _sub, ast.Mult: _mult, ast.Div: _div, ast.Pow: _pow}


def binop(left: ast.expr, op: ast.operator, right: ast.expr) -> ast.expr:
    """``left op right`` with the obvious simplifications (0 and 1, constants folded)."""
    lc, rc = constant(left), constant(right)
    simpler = _folded(lc, op, rc)
    if simpler is None and type(op) in _RULES:
        simpler = _RULES[type(op)](left, right, lc, rc)
    return simpler if simpler is not None else ast.BinOp(left=left, op=op, right=right)


def neg(node: ast.expr) -> ast.expr:
    value = constant(node)
    if value is not None:
        return num(-value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return node.operand
    return ast.UnaryOp(op=ast.USub(), operand=node)
