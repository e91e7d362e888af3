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


def binop(left: ast.expr, op: ast.operator, right: ast.expr) -> ast.expr:
    """``left op right`` with the obvious simplifications (0 and 1, constants folded)."""
    lc, rc = constant(left), constant(right)
    if lc is not None and rc is not None and not (isinstance(op, ast.Div) and rc == 0):
        folded = {ast.Add: lc + rc, ast.Sub: lc - rc, ast.Mult: lc * rc}.get(type(op))
        if isinstance(op, ast.Div):
            folded = lc / rc
        if folded is not None and math.isfinite(folded):
            return num(folded)
    if isinstance(op, ast.Add):
        if lc == 0:
            return right
        if rc == 0:
            return left
        if isinstance(right, ast.UnaryOp) and isinstance(right.op, ast.USub):
            return binop(left, ast.Sub(), right.operand)
    if isinstance(op, ast.Sub):
        if rc == 0:
            return left
        if lc == 0:
            return neg(right)
    if isinstance(op, ast.Mult):
        if lc == 0 or rc == 0:
            return num(0)
        if lc == 1:
            return right
        if rc == 1:
            return left
        if lc == -1:
            return neg(right)
        if rc == -1:
            return neg(left)
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
    if isinstance(op, ast.Div):
        if rc == 1:
            return left
        if lc == 0:
            return num(0)
    if isinstance(op, ast.Pow):
        if rc == 1:
            return left
        if rc == 0:
            return num(1)
    return ast.BinOp(left=left, op=op, right=right)


def neg(node: ast.expr) -> ast.expr:
    value = constant(node)
    if value is not None:
        return num(-value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return node.operand
    return ast.UnaryOp(op=ast.USub(), operand=node)
