"""A checked formula flattened once into straight-line code over jets.

Walking the syntax tree on every evaluation costs a type dispatch per node, and re-walks a
subtree whenever the formula repeats it; a descent evaluates the same formula thousands of
times. So the tree is compiled once into a :class:`Program`: one instruction per *distinct*
subtree (common subexpressions shared: ``(x**2+y**2)**1.5 + (x**2+y**2)**1.5`` computes
``x**2+y**2`` once), with redundant structure folded away:

* variable-free subtrees become one constant (``2*pi/3``);
* ``+u`` is ``u``; ``(u**a)**b`` is ``u**(a·b)`` when ``a`` and ``b`` are integers (then the
  two agree everywhere; otherwise not: ``(x**2)**0.5`` is ``|x|``, not ``x``, and
  ``(x**0.5)**2`` is undefined for x < 0, unlike ``x**1``);
* parentheses never were nodes (Python's parser drops them).

Running a program is a loop over its instructions with a register per instruction; the
arithmetic is :class:`~gdviz.expr.jet.Jet`'s, so values and derivatives are those of the tree.
"""

from __future__ import annotations

import ast
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from gdviz.expr.jet import Jet, fold
from gdviz.expr.language import (
    FUNCTIONS,
    MAX_INSTRUCTIONS,
    TIME_BUDGET,
    ExpressionError,
    uses,
)
from gdviz.expr.trees import constant, function_name

# One instruction: (operation, first operand register or variable index, second operand
# register, constant payload). Operations: var, const, neg, add, sub, mul, div, powc (a constant
# exponent), call (payload: the function's name). A variable exponent is exp(b·log a).
Instruction = tuple[str, int, int, object]
_BINARY = {ast.Add: "add", ast.Sub: "sub", ast.Mult: "mul", ast.Div: "div"}
_WORK = {"var": 0, "const": 0, "neg": 1, "add": 1, "sub": 1, "mul": 2, "div": 3, "powc": 3,
         "call": 3}  # fmt: skip


@dataclass(frozen=True)
class Program:
    """Straight-line code for a formula in ``variables``; register ``len(code) - 1`` holds
    the result."""

    code: tuple[Instruction, ...]
    variables: tuple[str, ...]

    @property
    def work(self) -> int:
        """The array operations one first-order evaluation makes (a sum or difference 1, a
        product 2, a quotient, a power or a function 3): its cost per point, roughly."""
        return sum(_WORK[op] for op, *_ in self.code)

    def run(self, env: Mapping[str, Jet], shape: tuple[int, ...], d: int, second: bool) -> Jet:
        """The formula's jet at points of ``shape``, the variables' jets (``d`` derivative
        slots each: 0 for values alone) given in ``env``."""
        deadline = time.monotonic() + TIME_BUDGET
        regs: list[Jet] = []
        for op, a, b, payload in self.code:
            if time.monotonic() > deadline:
                raise ExpressionError("evaluating the function took too long")
            # The commonest operations first (a repeated variable or constant is one
            # instruction, so those come last).
            if op == "mul":
                out = regs[a] * regs[b]
            elif op == "add":
                out = regs[a] + regs[b]
            elif op == "call":
                u = regs[a]
                fn = FUNCTIONS[payload]  # type: ignore[index]
                out = u.apply(fn.f(u.v), fn.df(u.v), fn.d2f(u.v) if second else None)
            elif op == "powc":
                out = regs[a].power(payload)  # type: ignore[arg-type]
            elif op == "sub":
                out = regs[a] - regs[b]
            elif op == "div":
                out = regs[a] / regs[b]
            elif op == "neg":
                out = -regs[a]
            elif op == "var":
                out = env[self.variables[a]]
            else:  # const: scalars, broadcast by numpy, no arrays made per evaluation
                out = Jet(payload, 0.0, 0.0 if second else None)  # type: ignore[arg-type]
            regs.append(out)
        result = regs[-1]
        if isinstance(result.g, float):  # a formula without variables: a constant everywhere
            return Jet.constant(float(result.v), shape, d, second)
        return result


def _constant_power(node: ast.BinOp, variables: tuple[str, ...]) -> tuple[ast.expr, float]:
    """``u ** c`` (``c`` free of variables) as its base and exponent, with nested integer
    powers merged: ``(u**a)**b = u**(a*b)`` for integers a and b (the two agree everywhere)."""
    exponent = fold(node.right)
    base = node.left
    while (
        exponent.is_integer()
        and isinstance(base, ast.BinOp)
        and isinstance(base.op, ast.Pow)
        and not uses(base.right, variables)
        and fold(base.right).is_integer()
    ):
        exponent *= fold(base.right)
        base = base.left
    return base, float(exponent)


def compile_program(tree: ast.expr, variables: tuple[str, ...]) -> Program:
    """Flatten a checked formula (see :func:`gdviz.expr.parse.parse`) into a :class:`Program`."""
    code: list[Instruction] = []
    seen: dict[Instruction, int] = {}

    def emit(instruction: Instruction) -> int:
        if instruction not in seen:  # a repeated subtree reuses its register
            seen[instruction] = len(code)
            code.append(instruction)
        return seen[instruction]

    def visit(node: ast.AST) -> int:
        if not uses(node, variables):
            value = constant(node)
            return emit(("const", 0, 0, np.float64(fold(node) if value is None else value)))
        if isinstance(node, ast.Name):
            return emit(("var", variables.index(node.id), 0, None))
        if isinstance(node, ast.UnaryOp):
            inner = visit(node.operand)
            return emit(("neg", inner, 0, None)) if isinstance(node.op, ast.USub) else inner
        if isinstance(node, ast.BinOp):
            if isinstance(node.op, ast.Pow) and not uses(node.right, variables):
                base, exponent = _constant_power(node, variables)
                return emit(("powc", visit(base), 0, exponent))
            left, right = visit(node.left), visit(node.right)
            if isinstance(node.op, ast.Pow):  # a**b = exp(b·log a): a's log is shared
                log = emit(("call", left, 0, "log"))
                return emit(("call", emit(("mul", right, log, None)), 0, "exp"))
            return emit((_BINARY[type(node.op)], left, right, None))
        if isinstance(node, ast.Call):
            return emit(("call", visit(node.args[0]), 0, function_name(node)))
        raise ExpressionError(f"{ast.dump(node)} is not allowed")  # unreachable after parse

    visit(tree)
    if len(code) > MAX_INSTRUCTIONS:
        raise ExpressionError(
            f"the formula has too many distinct parts ({len(code)}; at most {MAX_INSTRUCTIONS}): "
            "every step of descent computes them all"
        )
    return Program(tuple(code), variables)
