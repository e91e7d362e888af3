"""A mini-batch's own loss as level curves over ``(w, b)`` (the linear model's quadratic)."""

from __future__ import annotations

import numpy as np

from gdviz.learning.training import Problem


def batch_contours(
    problem: Problem,
    rows: np.ndarray,
    theta: np.ndarray,
    fractions: tuple[float, ...] = (1.0, 0.25, 0.03),
) -> np.ndarray:
    """Level curves of a mini-batch's squared-error loss over ``(w, b)``: ``(2, K)`` points with
    NaN gaps between curves (one scatter trace draws them all). Linear model only.

    The batch loss is a quadratic ``L_B(θ) = θᵀGθ − 2hᵀθ + c`` with ``G = DᵀD/m``,
    ``h = Dᵀy/m``, ``c = yᵀy/m`` over the batch's rows ``D = [x, 1]``. Its levels
    ``L_B = L_min + Δ`` are drawn for ``Δ = f · (L_B(θ) − L_min)``, ``f`` in ``fractions``: the
    first passes through the current point ``θ``, and the update is perpendicular to it.

    * ``G`` of rank 2: ellipses ``θ_B + Σⱼ √(Δ/λⱼ) (cos φ, sin φ)ⱼ vⱼ`` around the batch's own
      minimum ``θ_B = G⁻¹h`` (``λⱼ, vⱼ`` the eigenpairs of ``G``).
    * rank 1 (one row, or rows with equal x): the loss only depends on ``s = v₂ᵀθ``; its levels
      are pairs of parallel lines ``s = s* ± √(Δ/λ₂)``, and its minimum a whole line (drawn too).
    """
    obj = problem.objective
    design, y = obj.design[rows], obj.y[rows]
    m = len(y)
    gram, h, c = design.T @ design / m, design.T @ y / m, float(y @ y) / m
    lam, vec = np.linalg.eigh(gram)
    (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
    reach = 4.0 * float(np.hypot(w_hi - w_lo, b_hi - b_lo))  # long enough to cross the map
    here = float(theta @ gram @ theta - 2 * h @ theta + c)
    curves: list[np.ndarray] = []
    if lam[0] > 1e-10 * lam[1]:
        centre = np.linalg.solve(gram, h)
        gap = here - float(c - h @ centre)
        phi = np.linspace(0.0, 2 * np.pi, 49)  # smooth enough at map scale; keeps frames small
        circle = np.stack([np.cos(phi), np.sin(phi)])  # (2, 49)
        for f in fractions:
            if f * gap > 0:
                radii = np.sqrt(f * gap / lam)[:, None]
                curves.append(centre[:, None] + vec @ (radii * circle))
    else:
        normal, along = vec[:, 1], vec[:, 0]
        s_star = float(normal @ h) / lam[1]
        gap = here - (c - lam[1] * s_star**2)
        tau = np.array([-reach, reach])
        offsets = [0.0]  # the valley line: every point on it fits this batch exactly
        for f in fractions[:1]:  # parallel lines bunch up: the pair through θ is enough
            if f * gap > 0:
                offsets += [-np.sqrt(f * gap / lam[1]), np.sqrt(f * gap / lam[1])]
        for off in offsets:
            base = (s_star + off) * normal
            curves.append(base[:, None] + along[:, None] * tau)
    if not curves:
        return np.empty((2, 0))
    gap_column = np.full((2, 1), np.nan)
    return np.hstack([part for curve in curves for part in (curve, gap_column)])[:, :-1]
