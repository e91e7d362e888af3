"""One-parameter loss curves for the hiker page.

A point is ``(1,)``, a batch ``(N, 1)``; the functions work on the single coordinate array ``x``.
"""

from __future__ import annotations

import numpy as np

from gdviz.core.landscapes.base import Landscape

# -- parabola: L = x² (the classic "be the hiker" curve) ---------------------------------------


def _parabola(x):
    return x**2


def _parabola_grad(x):
    return (2.0 * x,)


def _parabola_hess(x):
    return ((2.0,),)


# -- double well: L = (x² − 1)² + 0.3 x, a global minimum near −1.04, a local one near 0.96 -----
DOUBLE_WELL_TILT = 0.3


def _double_well(x):
    return (x**2 - 1.0) ** 2 + DOUBLE_WELL_TILT * x


def _double_well_grad(x):
    return (4.0 * x**3 - 4.0 * x + DOUBLE_WELL_TILT,)


def _double_well_hess(x):
    return ((12.0 * x**2 - 4.0,),)


def _double_well_minima() -> np.ndarray:
    """Real roots of L' = 4x³ − 4x + 0.3 where L'' > 0, ascending: ``(2, 1)``."""
    roots = np.roots([4.0, 0.0, -4.0, DOUBLE_WELL_TILT])
    real = np.sort(roots[np.abs(roots.imag) < 1e-12].real)
    return real[12.0 * real**2 - 4.0 > 0].reshape(-1, 1)


# -- plateau: L = 1 − exp(−x²/2), a well between two flat shelves ------------------------------


def _plateau(x):
    return 1.0 - np.exp(-0.5 * x**2)


def _plateau_grad(x):
    return (x * np.exp(-0.5 * x**2),)


def _plateau_hess(x):
    return (((1.0 - x**2) * np.exp(-0.5 * x**2),),)


def build() -> list[Landscape]:
    """All built-in 1-D curves, in menu order."""
    return [
        Landscape(
            name="parabola",
            title="Parabola",
            dim=1,
            bounds=((-5.0, 5.0),),
            minima=np.array([[0.0]]),
            formula=r"L(x) = x^2",
            blurb=(
                "The simplest loss: one valley, its bottom at x = 0. The slope L'(x) = 2x tells "
                "the hiker which way is downhill and how steep it is. Each step multiplies the "
                "distance to the bottom by (1 − 2α): small α creeps, α = 0.5 lands in one step, "
                "α between 0.5 and 1 overshoots and zig-zags in, α = 1 bounces between ±x₀ "
                "forever, and any α above 1 climbs out."
            ),
            start=(-4.0,),
            lr=0.1,
            fn=_parabola,
            grad_fn=_parabola_grad,
            hess_fn=_parabola_hess,
        ),
        Landscape(
            name="double_well",
            title="Double well",
            dim=1,
            bounds=((-2.0, 2.0),),
            minima=_double_well_minima(),
            saddles=np.array(
                [[float(np.sort(np.roots([4.0, 0.0, -4.0, DOUBLE_WELL_TILT]).real)[1])]]
            ),
            formula=r"L(x) = (x^2 - 1)^2 + 0.3\,x",
            blurb=(
                "Two valleys: a deeper one on the left (the global minimum) and a shallower one "
                "on the right (a local minimum), with a hump between them. Gradient descent only "
                "knows the local slope, so a hiker who starts on the right settles in the worse "
                "valley. Where you start (initialisation) decides where you end."
            ),
            start=(1.8,),
            lr=0.02,
            fn=_double_well,
            grad_fn=_double_well_grad,
            hess_fn=_double_well_hess,
        ),
        Landscape(
            name="plateau_1d",
            title="Plateau",
            dim=1,
            bounds=((-6.0, 6.0),),
            minima=np.array([[0.0]]),
            formula=r"L(x) = 1 - e^{-x^2/2}",
            blurb=(
                "A valley between two wide, almost flat shelves. Out on a shelf the slope is "
                "nearly zero (about 10⁻³ at x = 4.5), so each step is tiny and the hiker seems "
                "stuck although the loss is high. A flat region is not a minimum: patience, a "
                "larger rate or an adaptive optimizer gets across."
            ),
            start=(4.5,),
            lr=0.5,
            fn=_plateau,
            grad_fn=_plateau_grad,
            hess_fn=_plateau_hess,
        ),
    ]
