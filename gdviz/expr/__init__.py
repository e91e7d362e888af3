"""Typed-in loss functions, parsed safely and differentiated exactly.

``compile_expression("x**2 + 10*y**2")`` returns a :class:`~gdviz.core.landscapes.base.Landscape`
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

Modules: ``language`` (limits and the one table of functions), ``parse`` (the safe reader),
``jet`` (values with exact derivatives), ``symbolic`` (LaTeX and the gradient shown),
``compile`` (a Landscape from text) and ``trees`` (simplifying tree builders).
"""

from gdviz.expr.compile import DEFAULT_BOUNDS, MAX_BOUND, compile_expression
from gdviz.expr.expression import Expression
from gdviz.expr.jet import Jet
from gdviz.expr.language import (
    CONSTANTS,
    FUNCTIONS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_LENGTH,
    MAX_NODES,
    TIME_BUDGET,
    ExpressionError,
    Function,
)
from gdviz.expr.parse import parse, parse_expression
from gdviz.expr.symbolic import derivative, gradient_latex, to_latex

__all__ = [
    "CONSTANTS",
    "DEFAULT_BOUNDS",
    "FUNCTIONS",
    "MAX_BOUND",
    "MAX_DEPTH",
    "MAX_EXPONENT",
    "MAX_LENGTH",
    "MAX_NODES",
    "TIME_BUDGET",
    "Expression",
    "ExpressionError",
    "Function",
    "Jet",
    "compile_expression",
    "derivative",
    "gradient_latex",
    "parse",
    "parse_expression",
    "to_latex",
]
