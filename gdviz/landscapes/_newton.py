"""Polish approximate stationary points to machine precision with Newton's method.

Published minima are printed to 4-6 digits; a listed minimum should be stationary to the last bit,
so each landscape module polishes its seeds with a few Newton steps on the analytic derivatives.
"""

from __future__ import annotations

import numpy as np

from gdviz.landscapes.base import Landscape


def polish(
    landscape: Landscape, seeds: np.ndarray, kind: str = "minimum", iterations: int = 30
) -> np.ndarray:
    """Newton iterations ``p ← p − H(p)⁻¹ ∇L(p)`` from each seed.

    ``seeds``: ``(k, d)``. Returns ``(k', d)``: the polished points that are stationary (gradient
    below 1e-9) and of the asked ``kind`` (``"minimum"``: positive-definite Hessian;
    ``"saddle"``: eigenvalues of both signs), duplicates removed, order kept.
    """
    p = np.array(seeds, dtype=float).reshape(-1, landscape.dim)
    for _ in range(iterations):
        step = np.linalg.solve(landscape.hessian(p), landscape.grad(p)[..., None])[..., 0]
        p = p - step
    g = np.linalg.norm(landscape.grad(p), axis=-1)
    eig = np.linalg.eigvalsh(landscape.hessian(p))
    right_kind = eig[:, 0] > 0 if kind == "minimum" else (eig[:, 0] < 0) & (eig[:, -1] > 0)
    keep = (g < 1e-9) & right_kind
    unique: list[np.ndarray] = []
    for q in p[keep]:
        if all(np.linalg.norm(q - u) > 1e-6 for u in unique):
            unique.append(q)
    return np.array(unique).reshape(-1, landscape.dim)
