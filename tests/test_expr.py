"""Typed-in functions: exact derivatives, the built-ins retyped, and hostile input refused fast."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdviz import descend, expr
from gdviz.core import landscapes, optim

AS_TEXT = {
    "bowl": "x^2 + y^2",
    "ravine": "0.5*(x^2 + 25*y^2)",
    "rosenbrock": "(1 - x)^2 + 100*(y - x^2)^2",
    "himmelblau": "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
    "beale": "(1.5 - x + x*y)^2 + (2.25 - x + x*y^2)^2 + (2.625 - x + x*y^3)^2",
    "saddle": "(x^2 - 1)^2 + y^2",
    "six_hump_camel": "(4 - 2.1*x^2 + x^4/3)*x^2 + x*y + (-4 + 4*y^2)*y^2",
    "rastrigin": "20 + x^2 - 10*cos(2*pi*x) + y^2 - 10*cos(2*pi*y)",
    "ackley": "-20*exp(-0.2*sqrt(0.5*(x^2 + y^2))) - exp(0.5*(cos(2*pi*x) + cos(2*pi*y))) + e + 20",
    "plateau": "1 - exp(-(x^2 + y^2))",
}
AS_TEXT_1D = {
    "parabola": "x^2",
    "double_well": "(x^2 - 1)^2 + 0.3*x",
    "plateau_1d": "1 - exp(-x^2/2)",
}


@pytest.mark.parametrize("name", list(AS_TEXT) + list(AS_TEXT_1D))
def test_builtins_typed_as_text_match_exactly(name):
    builtin = landscapes.get(name)
    variables = ("x",) if name in AS_TEXT_1D else ("x", "y")
    text = {**AS_TEXT, **AS_TEXT_1D}[name]
    typed = expr.compile_expression(text, variables, bounds=builtin.bounds)
    rng = np.random.default_rng(7)
    points = rng.uniform(builtin.lo, builtin.hi, size=(40, builtin.dim))
    np.testing.assert_allclose(typed.value(points), builtin.value(points), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(typed.grad(points), builtin.grad(points), rtol=1e-10, atol=1e-10)
    np.testing.assert_allclose(typed.hessian(points), builtin.hessian(points), rtol=1e-9, atol=1e-9)


def test_typed_rosenbrock_finds_the_published_minimum_and_runs_like_the_builtin():
    typed = expr.compile_expression(AS_TEXT["rosenbrock"], bounds=((-2, 2), (-1, 3)))
    np.testing.assert_allclose(typed.minima, [[1.0, 1.0]], atol=1e-10)
    builtin = landscapes.get("rosenbrock")
    a = descend(typed, optim.adam(0.02), [-1.2, 1.0], 300)
    b = descend(builtin, optim.adam(0.02), [-1.2, 1.0], 300)
    np.testing.assert_allclose(a.path, b.path, rtol=1e-9, atol=1e-12)


def test_the_four_example_functions_compile():
    for text in (
        "x**2 + 10*y**2",
        "(1-x)^2 + 100*(y-x^2)^2",
        "sin(3*x)*cos(3*y) + 0.1*(x^2+y^2)",
        "log(1 + exp(-x*y))",
    ):
        ls = expr.compile_expression(text)
        assert ls.dim == 2 and ls.formula.startswith("L(x, y) = ")
        assert 1e-4 <= ls.lr <= 1.0


def test_latex_keeps_precedence():
    assert expr.compile_expression("(1-x)^2 + y/2").formula == (
        r"L(x, y) = \left(1 - x\right)^{2} + \frac{y}{2}"
    )
    assert expr.compile_expression("x - (y - 1)").formula == r"L(x, y) = x - \left(y - 1\right)"


def test_undefined_regions_are_gaps_not_errors():
    ls = expr.compile_expression("sqrt(x) + y^2", bounds=((-1, 1), (-1, 1)))
    values = ls.value(np.array([[-0.5, 0.0], [0.25, 0.0]]))
    assert np.isnan(values[0]) and values[1] == pytest.approx(0.5)


# -- property-based -----------------------------------------------------------------------------

leaves = st.sampled_from(["x", "y", "0.5", "1.3", "2"])
SAFE_FUNCTIONS = ["sin", "cos", "tanh", "sigmoid", "softplus", "atan"]


def grow(children):
    unary = st.builds(lambda f, a: f"{f}({a})", st.sampled_from(SAFE_FUNCTIONS), children)
    binary = st.builds(
        lambda a, op, b: f"({a} {op} {b})", children, st.sampled_from("+-*"), children
    )
    power = st.builds(lambda a, k: f"({a})^{k}", children, st.sampled_from(["2", "3"]))
    return unary | binary | power


formulas = st.recursive(leaves, grow, max_leaves=8)


def central_gradient(ls, point, h=1e-6):
    e = np.eye(2) * h
    return np.array([(ls.value(point + e[i]) - ls.value(point - e[i])) / (2 * h) for i in (0, 1)])


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas, st.tuples(st.floats(-1, 1), st.floats(-1, 1)))
def test_random_formulas_have_exact_gradients(text, point):
    parsed = expr.parse_expression(text)
    p = np.array(point)
    jet = parsed.jet(np.array(p[0]), np.array(p[1]))
    ls = expr.compile_expression(text, bounds=((-2, 2), (-2, 2)))
    np.testing.assert_allclose(jet.g, central_gradient(ls, p), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(jet.v, ls.value(p), rtol=1e-15)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_random_text_only_ever_raises_expression_error(text):
    try:
        expr.compile_expression(text)
    except expr.ExpressionError as error:
        message = error.message
    else:
        message = "accepted"
    assert isinstance(message, str) and message


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="xy()+-*/^.0123456789 sincoexplgqrtabh,", max_size=60))
def test_formula_like_text_only_ever_raises_expression_error(text):
    """Accepted text gives a landscape whose suggested start has a value and a slope; rejected
    text gives one line that, where it names a place, names a column inside the text."""
    try:
        landscape, error = expr.compile_expression(text), None
    except expr.ExpressionError as caught:
        landscape, error = None, caught
    if error is not None:
        assert error.message and "\n" not in str(error)
        if error.column is not None:
            assert 1 <= error.column <= len(text) + 1
            assert str(error).endswith(f"at column {error.column}")
    else:
        start = np.array(landscape.start)
        assert np.isfinite(landscape.value(start)) and np.isfinite(landscape.grad(start)).all()


# -- constant parts: the folder never lets an arithmetic error out ---------------------------------

constant_leaves = st.sampled_from(
    ["0", "0.0", "1", "2", "0.5", "pi", "e", "1e12", "1e-300", "0x" + "f" * 10, "(1-1)", "(pi-pi)"]
)


def grow_constants(children):
    unary = st.builds(
        lambda f, a: f"{f}({a})", st.sampled_from(["log", "sqrt", "tan", "exp", "sin"]), children
    )
    binary = st.builds(
        lambda a, op, b: f"({a}{op}{b})",
        children,
        st.sampled_from(["+", "-", "*", "/", "**", "^"]),
        children,
    )
    return unary | binary


constant_parts = st.recursive(constant_leaves, grow_constants, max_leaves=6)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    constant_parts,
    st.sampled_from(
        ["x/{c}", "{c}**x", "x**{c}", "x*{c}+y", "{c}/(x**2+1)", "sin(x)^{c}+y", "{c}"]
    ),
)
def test_constant_parts_only_ever_raise_expression_error(part, shape):
    """Zero divisors, overflowing powers, logs of zero and huge literals in any constant part:
    the formula compiles, or is refused in the language's own words with a column; nothing
    else (ZeroDivisionError, OverflowError) escapes, and an accepted formula evaluates."""
    text = shape.format(c=part)
    try:
        landscape, refused = expr.compile_expression(text), None
    except expr.ExpressionError as error:
        landscape, refused = None, error
    if refused is not None:
        assert refused.message and (refused.column is None or 1 <= refused.column <= len(text))
        return
    with np.errstate(all="ignore"):
        landscape.value(np.array(landscape.start))


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("x/0", "division by zero at column 3"),
        ("x/0.0", "division by zero at column 3"),
        ("x/(1-1)", "division by zero at column 4"),
        ("x/(pi-pi)", "division by zero at column 4"),
        ("x**2/0+y", "division by zero at column 6"),
        ("x*(1/0)", "division by zero at column 6"),
        ("0**x", "needs a positive base (a**b is exp(b·log a)) at column 1"),
        ("(1-1)**x", "needs a positive base (a**b is exp(b·log a)) at column 2"),
        ("x+0x" + "f" * 280, "numbers must be finite and at most 1e12 in size at column 3"),
        ("x + log(0)", "this constant part is infinite or undefined at column 5"),
        ("x+1e12**64", "infinite or undefined at column 3"),
    ],
)
def test_a_zero_or_an_overflow_in_a_constant_is_refused_with_its_column(text, said):
    with pytest.raises(expr.ExpressionError) as info:
        expr.compile_expression(text)
    assert str(info.value).endswith(said)


# -- hostile input --------------------------------------------------------------------------------

HOSTILE = [
    ("__import__('os').system('ls')", "attribute access (a.b) is not allowed"),
    ("__import__('os')", "unknown function '__import__'"),
    ("().__class__.__bases__[0].__subclasses__()", "not allowed"),
    ("x.__class__", "attribute access"),
    ("lambda: 1", "lambda is not allowed"),
    ("[x for x in (1, 2)]", "comprehension is not allowed"),
    ("f'{x}'", "f-string is not allowed"),
    ("(y := 1)", "walrus"),
    ("x[0]", "indexing"),
    ("sin(x=1)", "no keywords"),
    ("9**9**9", "exponent is too large"),
    ("x^10000", "exponent is too large"),
    ("-" * 60 + "x", "nested too deeply"),
    ("sin(" * 40 + "x" + ")" * 40, "nested too deeply"),
    ("x + " * 120 + "x", "too long"),
    ("z + 1", "unknown name 'z'; use x and y at column 1"),
    ("open('/etc/passwd')", "unknown function 'open'"),
    ("'abc'", "is not a number"),
    ("x if y else 1", "if/else is not allowed"),
]


@pytest.mark.parametrize(("text", "fragment"), HOSTILE)
def test_hostile_input_is_refused_fast_with_a_message(text, fragment, monkeypatch):
    """Fast by construction, counted rather than timed: the checker visits at most
    ``MAX_NODES`` nodes (each at most once) and nothing is compiled, sampled or timed on the
    map before the refusal."""
    import importlib

    parse = importlib.import_module("gdviz.expr.parse")  # (gdviz.expr.parse is also a function)
    compiling = importlib.import_module("gdviz.expr.compile")
    expression = importlib.import_module("gdviz.expr.expression")
    visits, compiled = [0], [0]
    check = parse._check

    def counted(*args, **kwargs):
        visits[0] += 1
        return check(*args, **kwargs)

    def never(*args, **kwargs):
        compiled[0] += 1
        raise AssertionError("compiled a formula the checker should have refused")

    monkeypatch.setattr(parse, "_check", counted)
    monkeypatch.setattr(expression, "compile_program", never)
    monkeypatch.setattr(compiling, "measured_cost", never)
    with pytest.raises(expr.ExpressionError) as info:
        expr.compile_expression(text)
    assert fragment in str(info.value)
    assert visits[0] <= expr.MAX_NODES + 1 and compiled[0] == 0


def test_user_text_never_triggers_python_warnings():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for text in ("1x", "0b12", "1_", "x 1", "'\\d'"):
            with pytest.raises(expr.ExpressionError):
                expr.compile_expression(text)


def test_errors_carry_the_column():
    with pytest.raises(expr.ExpressionError) as info:
        expr.compile_expression("x**2 + w")
    assert info.value.column == 8
    assert str(info.value) == "unknown name 'w'; use x and y at column 8"
    with pytest.raises(expr.ExpressionError) as info:
        expr.compile_expression("x^2 + w")  # '^' is one character: the column is the user's
    assert info.value.column == 7


def test_bad_bounds_are_refused():
    with pytest.raises(expr.ExpressionError, match="bounds"):
        expr.compile_expression("x^2 + y^2", bounds=((1, -1), (0, 1)))
    with pytest.raises(expr.ExpressionError, match="bounds"):
        expr.compile_expression("x^2", ("x",), bounds=((0, float("inf")),))


# -- the gradient in words, and leaving the domain ------------------------------------------


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas, st.tuples(st.floats(-1, 1), st.floats(-1, 1)))
def test_the_symbolic_gradient_evaluates_to_the_exact_one(text, point):
    """The displayed formula for ∂L/∂x and ∂L/∂y must be the gradient the runs use."""
    parsed = expr.parse_expression(text)
    x, y = (np.array(v) for v in point)
    exact = parsed.jet(x, y).g
    for i, var in enumerate(("x", "y")):
        shown = expr.Expression(text, ("x", "y"), expr.derivative(parsed.tree, var))
        np.testing.assert_allclose(shown.value(x, y), exact[i], rtol=1e-9, atol=1e-12)


def test_gradient_latex_reads_like_a_textbook():
    shown = expr.gradient_latex(expr.parse_expression("x**2 + 10*y**2"))
    assert shown == (
        r"\frac{\partial L}{\partial x} = 2 \cdot x,\quad "
        r"\frac{\partial L}{\partial y} = 20 \cdot y"
    )
    assert "log" in expr.compile_expression("x^y", bounds=((0.5, 2), (0.5, 2))).gradient_formula


def test_a_run_into_an_undefined_region_says_it_left_the_domain():
    from gdviz.teach import narrate

    ls = expr.compile_expression("sqrt(x) + y^2", bounds=((-1, 1), (-1, 1)))
    traj = descend(ls, optim.sgd(0.3), [0.5, 0.5], 50)
    assert traj.status[0] == "diverged" and traj.left_domain[0]
    assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.loss))
    assert narrate.run_summary(traj).startswith("Left the function's domain at step")
    report = narrate.landscape_report(ls, traj)
    assert report.status.startswith("left the domain at step")
    blown = descend(landscapes.get("parabola"), optim.sgd(1.1), [-4.0], 100)
    assert blown.status[0] == "diverged" and not blown.left_domain[0]


# -- first-order jets: what descent evaluates ------------------------------------------------

FORMULAS = [
    "x**2 + 10*y**2",
    "sin(3*x)*cos(3*y) + 0.1*(x**2 + y**2)",
    "(x**64)**64 + y**2",
    "exp(-x**2 - y**2) * log(2 + x*y) / (1 + y**2)",
    "x**y + sqrt(x**2 + 1) * tanh(y)",
]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_first_order_jet_gives_the_second_order_jets_value_and_gradient(text):
    from gdviz.expr import compile_expression
    from gdviz.expr.parse import parse_expression

    expression = parse_expression(text, ("x", "y"))
    rng = np.random.default_rng(3)
    x, y = rng.uniform(0.1, 0.9, (2, 64))
    full, first = expression.jet(x, y), expression.first_order(x, y)
    assert first.h is None
    np.testing.assert_array_equal(first.v, full.v)
    np.testing.assert_array_equal(first.g, full.g)
    ls = compile_expression(text, bounds=((0.0, 1.0), (0.0, 1.0)))
    points = np.stack([x, y], axis=-1)
    value, grad = ls.value_and_grad(points)
    np.testing.assert_array_equal(value, ls.value(points))
    np.testing.assert_array_equal(grad, ls.grad(points))


def test_descent_on_a_typed_formula_takes_the_same_path_in_one_pass_per_step():
    import dataclasses

    from gdviz.core import optim
    from gdviz.core.descent import descend
    from gdviz.expr import compile_expression

    ls = compile_expression("sin(3*x)*cos(3*y) + 0.1*(x**2 + y**2)")
    two_passes = dataclasses.replace(ls, value_grad_fn=None)
    start = np.array([[1.0, 1.2], [-2.0, 0.5]])
    one = descend(ls, optim.adam(0.05), start, 300)
    two = descend(two_passes, optim.adam(0.05), start, 300)
    np.testing.assert_array_equal(one.path, two.path)
    np.testing.assert_array_equal(one.loss, two.loss)


# --- the compiled program: each distinct subtree once, redundant structure folded ---------------


def _program(text: str, variables: tuple[str, ...] = ("x", "y")):
    from gdviz.expr.parse import parse_expression

    return parse_expression(text, variables).program


def test_a_repeated_subtree_is_computed_once():
    # x, y, x², y², x²+y², (x²+y²)^1.5, and the sum: 7 instructions for a 23-node tree.
    program = _program("(x**2+y**2)**1.5 + (x**2+y**2)**1.5")
    assert len(program.code) == 7
    assert [op for op, *_ in program.code].count("powc") == 3


def test_nested_integer_powers_fold_and_others_keep_their_meaning():
    assert [i for i in _program("((x**2)**3)**2").code if i[0] == "powc"] == [("powc", 0, 0, 12.0)]
    assert len(_program("(x**64)**64 + y**2").code) == 5  # x, x**4096, y, y², +
    # (x²)^0.5 is |x|, not x; (x^0.5)² is undefined below 0, not x.
    ls = expr.compile_expression("(x**2)**0.5", ("x",), bounds=((-2.0, 2.0),))
    np.testing.assert_allclose(ls.value(np.array([[-1.5]])), [1.5])
    half = expr.compile_expression("(x**0.5)**2", ("x",), bounds=((0.1, 2.0),))
    assert np.isnan(half.value(np.array([[-1.0]])))[0]


def test_constants_fold_and_parentheses_cost_nothing():
    assert len(_program("2*pi/3*x").code) == 3  # the constant 2π/3, x, the product
    assert len(_program("(" * 28 + "x*y" + ")" * 28).code) == 3


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(formulas, st.tuples(st.floats(-1, 1), st.floats(-1, 1)))
def test_the_program_computes_what_the_tree_says(text, point):
    import time as clock

    from gdviz.expr.jet import Jet, evaluate
    from gdviz.expr.parse import parse_expression

    expression = parse_expression(text, ("x", "y"))
    x, y = np.full(3, point[0]), np.full(3, point[1])
    env = {"x": Jet.variable(x, 0, 2), "y": Jet.variable(y, 1, 2)}
    with np.errstate(all="ignore"):
        tree = evaluate(expression.tree, env, (3,), 2, clock.monotonic() + 5)
    jet = expression.jet(x, y)
    np.testing.assert_allclose(jet.v, tree.v, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(jet.g, tree.g, rtol=1e-13, atol=1e-13)
    np.testing.assert_allclose(jet.h, tree.h, rtol=1e-12, atol=1e-12)


def test_a_formula_with_too_many_distinct_parts_is_refused_with_the_limit():
    text = "+".join(f"tanh(x*{k}-y)" for k in range(2, 40))[:290].rsplit("+", 1)[0]
    with pytest.raises(expr.ExpressionError, match=r"too many distinct parts \(\d+; at most 80\)"):
        expr.compile_expression(text)


def test_the_costliest_accepted_formulas_run_5000_steps():
    """Near the limit of distinct parts: each runs its 5,000 steps (the time is reported by
    benchmarks/bench_limits.py; tests assert no wall-clock)."""
    from gdviz.core import optim
    from gdviz.core.descent import descend

    for term in ("exp(-x*{k})/y", "x**(y+{k})"):
        # As many distinct terms as the limit allows.
        terms: list[str] = []
        while True:
            candidate = "+".join([*terms, term.format(k=len(terms) + 2)])
            try:
                _program(candidate)
            except expr.ExpressionError:
                break
            terms.append(term.format(k=len(terms) + 2))
        text = "+".join(terms)
        assert 70 <= len(_program(text).code) <= 80
        ls = expr.compile_expression(text, bounds=((0.5, 2.0), (0.5, 2.0)))
        traj = descend(ls, optim.sgd(1e-9), [1.0, 1.0], 5000)
        assert np.isfinite(traj.loss).all()
