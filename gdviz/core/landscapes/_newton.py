"""Polish approximate stationary points to machine precision with Newton's method.

Published minima are printed to 4-6 digits; a listed minimum should be stationary to the last bit,
so each landscape module polishes its seeds with a few Newton steps on the analytic derivatives.
"""

from __future__ import annotations

import numpy as np

from gdviz.core.landscapes.base import Landscape


def polish(
    landscape: Landscape, seeds: np.ndarray, kind: str = "minimum", iterations: int = 30
) -> np.ndarray:
    """Newton iterations ``p ← p − H(p)⁻¹ ∇L(p)`` from each seed.

    ``seeds``: ``(k, d)``. Returns ``(k', d)``: the polished points that are stationary (gradient
    below 1e-9) and of the asked ``kind`` (``"minimum"``: positive-definite Hessian;
    ``"saddle"``: eigenvalues of both signs), duplicates removed, order kept.
    """
    p = np.array(seeds, dtype=float).reshape(-1, landscape.dim)
    with np.errstate(all="ignore"):
        for _ in range(iterations):
            hessian, gradient = landscape.hessian(p), landscape.grad(p)
            ok = np.all(np.isfinite(hessian), axis=(-2, -1)) & np.all(np.isfinite(gradient), -1)
            p = p[ok]
            # The pseudo-inverse: a flat direction (singular Hessian) takes no step along it.
            p = p - (np.linalg.pinv(hessian[ok]) @ gradient[ok][..., None])[..., 0]
        g = np.linalg.norm(landscape.grad(p), axis=-1)
        hessian = landscape.hessian(p)
    finite = np.isfinite(g) & np.all(np.isfinite(hessian), axis=(-2, -1))
    p, g, hessian = p[finite], g[finite], hessian[finite]
    eig = np.linalg.eigvalsh(hessian) if len(p) else np.empty((0, landscape.dim))
    right_kind = eig[:, 0] > 0 if kind == "minimum" else (eig[:, 0] < 0) & (eig[:, -1] > 0)
    keep = (g < 1e-9) & right_kind
    unique: list[np.ndarray] = []
    for q in p[keep]:
        if all(np.linalg.norm(q - u) > 1e-6 for u in unique):
            unique.append(q)
    return np.array(unique).reshape(-1, landscape.dim)
