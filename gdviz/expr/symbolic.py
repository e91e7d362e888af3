"""The formula and its gradient as LaTeX, for display (the numbers come from the jets)."""

from __future__ import annotations

import ast

from gdviz.expr.expression import Expression
from gdviz.expr.language import FUNCTIONS
from gdviz.expr.trees import binop, call, function_name, neg, num

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
        return FUNCTIONS[function_name(node)].latex.format(to_latex(node.args[0]))
    return "?"


def _needs_parens(child: ast.AST, op: type[ast.operator], right_side: bool) -> bool:
    if isinstance(child, ast.UnaryOp):  # −x·y reads fine; x·(−y) and (−x)^2 need them
        return op is ast.Pow or (right_side and op is not ast.Add)
    if not isinstance(child, ast.BinOp) or (type(child.op) is ast.Div and op is not ast.Pow):
        return False
    mine, theirs = _PRECEDENCE[op], _PRECEDENCE[type(child.op)]
    if op is ast.Pow:
        return not right_side
    return theirs < mine or (right_side and theirs == mine and op in (ast.Sub, ast.Div))


def derivative(node: ast.expr, var: str) -> ast.expr:
    """``∂node/∂var`` as a new tree in the same language (simplified a little)."""
    if isinstance(node, ast.Constant):
        return num(0)
    if isinstance(node, ast.Name):
        return num(1 if node.id == var else 0)
    if isinstance(node, ast.UnaryOp):
        inner = derivative(node.operand, var)
        return neg(inner) if isinstance(node.op, ast.USub) else inner
    if isinstance(node, ast.Call):
        return binop(
            FUNCTIONS[function_name(node)].derivative(node.args[0]),
            ast.Mult(),
            derivative(node.args[0], var),
        )
    if not isinstance(node, ast.BinOp):
        raise TypeError(f"not a node of a checked formula: {ast.dump(node)}")
    a, b = node.left, node.right
    da, db = derivative(a, var), derivative(b, var)
    if isinstance(node.op, ast.Add | ast.Sub):
        return binop(da, node.op, db)
    if isinstance(node.op, ast.Mult):
        return binop(binop(da, ast.Mult(), b), ast.Add(), binop(a, ast.Mult(), db))
    if isinstance(node.op, ast.Div):
        top = binop(binop(da, ast.Mult(), b), ast.Sub(), binop(a, ast.Mult(), db))
        return binop(top, ast.Div(), binop(b, ast.Pow(), num(2)))
    if isinstance(b, ast.Constant) or not any(
        isinstance(n, ast.Name) and n.id == var for n in ast.walk(b)
    ):
        # a^c with c free of var: c·a^(c−1)·a'
        lowered = binop(b, ast.Sub(), num(1))
        return binop(binop(b, ast.Mult(), binop(a, ast.Pow(), lowered)), ast.Mult(), da)
    # a^b = exp(b log a): (a^b)(b' log a + b a'/a)
    rate = binop(
        binop(db, ast.Mult(), call("log", a)),
        ast.Add(),
        binop(binop(b, ast.Mult(), da), ast.Div(), a),
    )
    return binop(node, ast.Mult(), rate)


def gradient_latex(expression: Expression) -> str:
    """LaTeX for the partial derivatives, e.g. ``\\frac{∂L}{∂x} = 2 \\cdot x, …``."""
    parts = [
        rf"\frac{{\partial L}}{{\partial {v}}} = {to_latex(derivative(expression.tree, v))}"
        for v in expression.variables
    ]
    return r",\quad ".join(parts)
