"""Two-parameter loss surfaces: convex bowls, classic test functions, saddles, plateaus.

Every function reads like its formula and works on coordinate arrays ``x, y`` of any (common)
shape. Gradients and Hessians are written out by hand and tested against central differences.
References for the standard test functions: Jamil & Yang, "A literature survey of benchmark
functions for global optimisation problems" (2013), and the SciPy global-optimisation benchmarks.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from gdviz.core.landscapes._newton import polish
from gdviz.core.landscapes.base import Landscape

TAU = 2.0 * np.pi


# -- bowl: L = x² + y² -----------------------------------------------------------------------
def _bowl(x, y):
    return x**2 + y**2


def _bowl_grad(x, y):
    return 2.0 * x, 2.0 * y


def _bowl_hess(x, y):
    return ((2.0, 0.0), (0.0, 2.0))


# -- ravine: L = (x² + 25 y²) / 2, condition number 25 ----------------------------------------
RAVINE_CURVATURE = 25.0


def _ravine(x, y):
    return 0.5 * (x**2 + RAVINE_CURVATURE * y**2)


def _ravine_grad(x, y):
    return x, RAVINE_CURVATURE * y


def _ravine_hess(x, y):
    return ((1.0, 0.0), (0.0, RAVINE_CURVATURE))


# -- Rosenbrock: L = (1 − x)² + 100 (y − x²)² -------------------------------------------------
def _rosenbrock(x, y):
    return (1.0 - x) ** 2 + 100.0 * (y - x**2) ** 2


def _rosenbrock_grad(x, y):
    r = y - x**2
    return -2.0 * (1.0 - x) - 400.0 * x * r, 200.0 * r


def _rosenbrock_value_grad(x, y):
    # The same operations as the two above, with their common parts computed once: a basin
    # map evaluates both at every step, and this is a fifth fewer passes over the runs.
    a = 1.0 - x
    r = y - x**2
    return a**2 + 100.0 * r**2, (-2.0 * a - 400.0 * x * r, 200.0 * r)


def _rosenbrock_hess(x, y):
    hxy = -400.0 * x
    return ((2.0 - 400.0 * y + 1200.0 * x**2, hxy), (hxy, 200.0))


# -- Himmelblau: L = (x² + y − 11)² + (x + y² − 7)² ------------------------------------------
def _himmelblau(x, y):
    return (x**2 + y - 11.0) ** 2 + (x + y**2 - 7.0) ** 2


def _himmelblau_grad(x, y):
    a = x**2 + y - 11.0
    b = x + y**2 - 7.0
    return 4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b


def _himmelblau_value_grad(x, y):
    # The same operations as the two above, the common residuals computed once.
    a = x**2 + y - 11.0
    b = x + y**2 - 7.0
    return a**2 + b**2, (4.0 * x * a + 2.0 * b, 2.0 * a + 4.0 * y * b)


def _himmelblau_hess(x, y):
    a = x**2 + y - 11.0
    b = x + y**2 - 7.0
    hxy = 4.0 * (x + y)
    return ((4.0 * a + 8.0 * x**2 + 2.0, hxy), (hxy, 4.0 * b + 8.0 * y**2 + 2.0))


# -- Beale: L = Σᵢ (cᵢ − x + x yⁱ)², c = (1.5, 2.25, 2.625) -----------------------------------
BEALE_C = (1.5, 2.25, 2.625)


def _beale(x, y):
    return sum((c - x + x * y**i) ** 2 for i, c in enumerate(BEALE_C, start=1))


def _beale_grad(x, y):
    gx = gy = 0.0
    for i, c in enumerate(BEALE_C, start=1):
        t = c - x + x * y**i
        gx = gx + 2.0 * t * (y**i - 1.0)
        gy = gy + 2.0 * t * i * x * y ** (i - 1)
    return gx, gy


def _beale_hess(x, y):
    hxx = hxy = hyy = 0.0
    for i, c in enumerate(BEALE_C, start=1):
        t = c - x + x * y**i
        tx = y**i - 1.0  # ∂t/∂x
        ty = i * x * y ** (i - 1)  # ∂t/∂y
        tyy = i * (i - 1) * x * y ** (i - 2) if i >= 2 else 0.0
        hxx = hxx + 2.0 * tx * tx
        hxy = hxy + 2.0 * (ty * tx + t * i * y ** (i - 1))
        hyy = hyy + 2.0 * (ty * ty + t * tyy)
    return ((hxx, hxy), (hxy, hyy))


# -- saddle: L = (x² − 1)² + y², minima (±1, 0), saddle (0, 0) -------------------------------
def _saddle(x, y):
    return (x**2 - 1.0) ** 2 + y**2


def _saddle_grad(x, y):
    return 4.0 * x * (x**2 - 1.0), 2.0 * y


def _saddle_hess(x, y):
    return ((12.0 * x**2 - 4.0, 0.0), (0.0, 2.0))


# -- six-hump camel: L = (4 − 2.1x² + x⁴/3) x² + xy + (−4 + 4y²) y² ---------------------------
def _camel(x, y):
    return (4.0 - 2.1 * x**2 + x**4 / 3.0) * x**2 + x * y + (-4.0 + 4.0 * y**2) * y**2


def _camel_grad(x, y):
    return 8.0 * x - 8.4 * x**3 + 2.0 * x**5 + y, x - 8.0 * y + 16.0 * y**3


def _camel_hess(x, y):
    return ((8.0 - 25.2 * x**2 + 10.0 * x**4, 1.0), (1.0, -8.0 + 48.0 * y**2))


# -- Rastrigin: L = 20 + Σ (xᵢ² − 10 cos 2πxᵢ) --------------------------------------------------
def _rastrigin(x, y):
    return 20.0 + x**2 - 10.0 * np.cos(TAU * x) + y**2 - 10.0 * np.cos(TAU * y)


def _rastrigin_grad(x, y):
    return 2.0 * x + 10.0 * TAU * np.sin(TAU * x), 2.0 * y + 10.0 * TAU * np.sin(TAU * y)


def _rastrigin_hess(x, y):
    return (
        (2.0 + 10.0 * TAU**2 * np.cos(TAU * x), 0.0),
        (0.0, 2.0 + 10.0 * TAU**2 * np.cos(TAU * y)),
    )


# -- Ackley: L = −20 exp(−0.2 r) − exp(½(cos 2πx + cos 2πy)) + e + 20, r = √(½(x² + y²)) -------
# The cone at the origin is not differentiable: there the gradient is taken as 0 (a subgradient)
# and the radius is floored at 1e-12 so the Hessian, which grows like 1/r, stays finite.
_ACKLEY_R_FLOOR = 1e-12


def _ackley_parts(x, y):
    r = np.maximum(np.sqrt(0.5 * (x**2 + y**2)), _ACKLEY_R_FLOOR)
    cone = np.exp(-0.2 * r)
    ripple = np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y)))
    return r, cone, ripple


def _ackley(x, y):
    r = np.sqrt(0.5 * (x**2 + y**2))
    ripple = np.exp(0.5 * (np.cos(TAU * x) + np.cos(TAU * y)))
    return -20.0 * np.exp(-0.2 * r) - ripple + np.e + 20.0


def _ackley_grad(x, y):
    r, cone, ripple = _ackley_parts(x, y)
    u = 2.0 * cone / r  # ∂/∂x of −20 e^{−0.2r} is x·u
    return (
        x * u + np.pi * np.sin(TAU * x) * ripple,
        y * u + np.pi * np.sin(TAU * y) * ripple,
    )


def _ackley_hess(x, y):
    r, cone, ripple = _ackley_parts(x, y)
    u = 2.0 * cone / r
    du_over_r = 2.0 * cone * (-0.2 / r - 1.0 / r**2) / r * 0.5  # (du/dr)(∂r/∂x)/x
    sx, sy = np.sin(TAU * x), np.sin(TAU * y)
    hxx = u + x * x * du_over_r + (2.0 * np.pi**2 * np.cos(TAU * x) - np.pi**2 * sx**2) * ripple
    hyy = u + y * y * du_over_r + (2.0 * np.pi**2 * np.cos(TAU * y) - np.pi**2 * sy**2) * ripple
    hxy = x * y * du_over_r - np.pi**2 * sx * sy * ripple
    return ((hxx, hxy), (hxy, hyy))


# -- plateau: L = 1 − exp(−(x² + y²)): a well in a wide, nearly flat desert -------------------
def _plateau(x, y):
    return 1.0 - np.exp(-(x**2 + y**2))


def _plateau_grad(x, y):
    e = np.exp(-(x**2 + y**2))
    return 2.0 * x * e, 2.0 * y * e


def _plateau_hess(x, y):
    e = np.exp(-(x**2 + y**2))
    hxy = -4.0 * x * y * e
    return (((2.0 - 4.0 * x**2) * e, hxy), (hxy, (2.0 - 4.0 * y**2) * e))


def _lattice(lo: float, hi: float) -> np.ndarray:
    """Integer lattice points inside ``[lo, hi]²``: ``(k, 2)``."""
    ticks = np.arange(np.ceil(lo), np.floor(hi) + 1.0)
    xx, yy = np.meshgrid(ticks, ticks, indexing="ij")
    return np.stack([xx.ravel(), yy.ravel()], axis=-1)


def _with_polished_minima(landscape: Landscape, seeds: np.ndarray) -> Landscape:
    return dataclasses.replace(
        landscape,
        minima=polish(landscape, seeds),
        saddles=polish(landscape, landscape.saddles, kind="saddle"),
    )


def build() -> list[Landscape]:
    """All built-in 2-D landscapes, in menu order."""
    bowl = Landscape(
        name="bowl",
        title="Round bowl",
        dim=2,
        bounds=((-3.0, 3.0), (-3.0, 3.0)),
        minima=np.array([[0.0, 0.0]]),
        formula=r"L(x, y) = x^2 + y^2",
        blurb=(
            "The friendliest loss there is: convex, perfectly round, one minimum. The gradient "
            "points straight away from the centre, so every step heads straight for the "
            "minimum. With α below 0.5 the path shrinks steadily; α = 0.5 lands on the minimum "
            "in one step; between 0.5 and 1 it overshoots and zig-zags; above α = 1 = 2/λ_max "
            "it diverges."
        ),
        start=(-2.5, 2.0),
        lr=0.1,
        fn=_bowl,
        grad_fn=_bowl_grad,
        hess_fn=_bowl_hess,
    )
    ravine = Landscape(
        name="ravine",
        title="Ravine (ill-conditioned bowl)",
        dim=2,
        bounds=((-5.0, 5.0), (-2.5, 2.5)),
        minima=np.array([[0.0, 0.0]]),
        formula=r"L(x, y) = \tfrac{1}{2}\left(x^2 + 25\,y^2\right)",
        blurb=(
            "Still a convex bowl, but 25 times steeper across than along: condition number 25. "
            "One learning rate must serve both directions. A rate large enough to make progress "
            "along the floor overshoots across it, so plain gradient descent zig-zags down the "
            "walls; the stable limit 2/λ_max = 0.08 is set by the steep direction while progress "
            "is set by the shallow one. Momentum, Adam and feature scaling all attack exactly "
            "this problem."
        ),
        start=(-4.5, 1.5),
        lr=0.075,
        fn=_ravine,
        grad_fn=_ravine_grad,
        hess_fn=_ravine_hess,
    )
    rosenbrock = Landscape(
        name="rosenbrock",
        title="Rosenbrock's banana valley",
        dim=2,
        bounds=((-2.0, 2.0), (-1.0, 3.0)),
        minima=np.array([[1.0, 1.0]]),
        formula=r"L(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        blurb=(
            "A curved, narrow valley with a nearly flat floor (Rosenbrock, 1960). Finding the "
            "valley is easy; following it to the minimum at (1, 1) is slow, because the walls "
            "are 100 times steeper than the floor and the floor bends. Plain gradient descent "
            "needs a tiny rate to stay stable on the walls and then crawls; momentum and Adam "
            "follow the curve much faster."
        ),
        start=(-1.2, 1.0),
        lr=0.001,
        fn=_rosenbrock,
        grad_fn=_rosenbrock_grad,
        hess_fn=_rosenbrock_hess,
        value_grad_fn=_rosenbrock_value_grad,
    )
    himmelblau = Landscape(
        name="himmelblau",
        title="Himmelblau's four valleys",
        dim=2,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=np.array(
            [
                [3.0, 2.0],
                [-2.805118, 3.131312],
                [-3.779310, -3.283186],
                [3.584428, -1.848126],
            ]
        ),
        formula=r"L(x, y) = (x^2 + y - 11)^2 + (x + y^2 - 7)^2",
        blurb=(
            "Four minima, all with loss exactly 0, separated by ridges and a local maximum near "
            "(−0.27, −0.92) (Himmelblau, 1972). Which one you reach depends only on where you "
            "start and how you step: a first lesson in initialisation and basins of attraction."
        ),
        start=(-0.5, 0.0),
        lr=0.01,
        fn=_himmelblau,
        grad_fn=_himmelblau_grad,
        hess_fn=_himmelblau_hess,
        value_grad_fn=_himmelblau_value_grad,
        saddles=np.array(
            [
                [0.0867, 2.8843],
                [-3.0730, -0.0814],
                [3.3852, 0.0739],
                [-0.1280, -1.9537],
            ]
        ),
    )
    beale = Landscape(
        name="beale",
        title="Beale's function",
        dim=2,
        bounds=((-4.5, 4.5), (-4.5, 4.5)),
        minima=np.array([[3.0, 0.5]]),
        formula=(r"L(x, y) = (1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2"),
        blurb=(
            "Flat in the middle, walls that rise like y⁶ at the edges, and a single minimum at "
            "(3, 0.5) in a long, bent trough. Gradients differ by many orders of magnitude across "
            "the map, so no single learning rate suits every start: adaptive methods such as "
            "RMSprop and Adam shine here."
        ),
        start=(1.0, 1.5),
        lr=0.01,
        fn=_beale,
        grad_fn=_beale_grad,
        hess_fn=_beale_hess,
    )
    saddle = Landscape(
        name="saddle",
        title="Saddle between two minima",
        dim=2,
        bounds=((-2.0, 2.0), (-2.0, 2.0)),
        minima=np.array([[-1.0, 0.0], [1.0, 0.0]]),
        saddles=np.array([[0.0, 0.0]]),
        formula=r"L(x, y) = (x^2 - 1)^2 + y^2",
        blurb=(
            "Two equal minima at (±1, 0) and a saddle point at the origin: downhill in y, uphill "
            "in x. Start exactly on the ridge x = 0 and the gradient has no x-component, so "
            "gradient descent slides into the saddle and stops there with a zero gradient: it "
            "looks converged but is not a minimum. A little gradient noise (or a start a hair "
            "off the ridge) breaks the symmetry and the run escapes."
        ),
        start=(0.0, 1.8),
        lr=0.1,
        fn=_saddle,
        grad_fn=_saddle_grad,
        hess_fn=_saddle_hess,
    )
    camel = Landscape(
        name="six_hump_camel",
        title="Six-hump camel",
        dim=2,
        bounds=((-2.2, 2.2), (-1.2, 1.2)),
        minima=np.array(
            [
                [0.0898, -0.7126],
                [-0.0898, 0.7126],
                [1.7036, -0.7961],
                [-1.7036, 0.7961],
                [1.6071, 0.5687],
                [-1.6071, -0.5687],
            ]
        ),
        formula=r"L(x, y) = \left(4 - 2.1x^2 + \tfrac{x^4}{3}\right)x^2 + xy + (4y^2 - 4)\,y^2",
        blurb=(
            "Six minima: two global ones with L = −1.0316 near (±0.09, ∓0.71) and four local "
            "ones, with saddles between them (Dixon & Szegő, 1978). Gradient descent stops at "
            "whichever minimum's basin it starts in, so a poor start gives a poor answer that "
            "looks perfectly converged."
        ),
        start=(-1.5, -0.9),
        lr=0.02,
        fn=_camel,
        grad_fn=_camel_grad,
        hess_fn=_camel_hess,
    )
    rastrigin = Landscape(
        name="rastrigin",
        title="Rastrigin's egg crate",
        dim=2,
        bounds=((-5.12, 5.12), (-5.12, 5.12)),
        minima=np.empty((0, 2)),
        formula=r"L(x, y) = 20 + \sum_{u \in \{x, y\}} \left(u^2 - 10\cos 2\pi u\right)",
        blurb=(
            "A bowl covered in a regular grid of bumps: a local minimum near every integer point "
            "(121 of them on this map), the global one at the origin with L = 0 (Rastrigin, "
            "1974). Gradient descent with a small rate stops in the nearest dimple; a large "
            "rate or noise hops between them."
        ),
        start=(3.3, -2.7),
        lr=0.001,
        fn=_rastrigin,
        grad_fn=_rastrigin_grad,
        hess_fn=_rastrigin_hess,
    )
    ackley = Landscape(
        name="ackley",
        title="Ackley's function",
        dim=2,
        bounds=((-5.0, 5.0), (-5.0, 5.0)),
        minima=np.empty((0, 2)),
        formula=(
            r"L(x, y) = -20\,e^{-0.2\sqrt{(x^2 + y^2)/2}} - e^{(\cos 2\pi x + \cos 2\pi y)/2}"
            r" + e + 20"
        ),
        blurb=(
            "A nearly flat, ripple-covered plain around one deep, sharp funnel at the origin "
            "(Ackley, 1987). The ripples trap gradient descent in local minima; the funnel's "
            "tip is a cone, not a bowl, so near it a constant learning rate keeps overshooting "
            "and never settles exactly: convergence is practical, not perfect."
        ),
        start=(3.2, 2.7),
        lr=0.05,
        fn=_ackley,
        grad_fn=_ackley_grad,
        hess_fn=_ackley_hess,
    )
    plateau = Landscape(
        name="plateau",
        title="Plateau (a well in a flat desert)",
        dim=2,
        bounds=((-3.0, 3.0), (-3.0, 3.0)),
        minima=np.array([[0.0, 0.0]]),
        formula=r"L(x, y) = 1 - e^{-(x^2 + y^2)}",
        blurb=(
            "A single well surrounded by a vast, almost flat plateau. Far from the well the "
            "gradient is tiny (about 10⁻⁴ at distance 3), so plain gradient descent barely "
            "moves and looks stuck, although the loss is high. Adam and RMSprop divide by the "
            "gradient's size and cross the plateau at full speed."
        ),
        start=(2.3, 1.9),
        lr=0.1,
        fn=_plateau,
        grad_fn=_plateau_grad,
        hess_fn=_plateau_hess,
    )

    rastrigin_seeds = _lattice(-5.12, 5.12)
    ackley_seeds = _lattice(-5.0, 5.0)
    ackley_seeds = ackley_seeds[np.any(ackley_seeds != 0.0, axis=1)]
    ackley = _with_polished_minima(ackley, ackley_seeds)
    # The cone tip at the origin is the global minimiser; Newton cannot polish a kink.
    ackley = dataclasses.replace(ackley, minima=np.vstack([[[0.0, 0.0]], ackley.minima]))
    return [
        bowl,
        ravine,
        rosenbrock,
        _with_polished_minima(himmelblau, himmelblau.minima),
        _with_polished_minima(beale, beale.minima),
        saddle,
        _with_polished_minima(camel, camel.minima),
        _with_polished_minima(rastrigin, rastrigin_seeds),
        ackley,
        plateau,
    ]
