"""Objectives built from data: the loss of a model over its parameters.

``linear_regression(X, y)`` is the mean squared error of a linear model as a function of its
parameters ``θ = (w₁, …, w_k, b)``; it behaves like a landscape (``value``, ``grad``, ``hessian``
over ``(..., k+1)``) and also evaluates on a mini-batch of rows, which is what ``descend`` uses
with ``batch_size``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

Array = np.ndarray


@dataclass(frozen=True, eq=False)
class LinearRegression:
    """``L(θ) = mean_i (x_i·w + b − y_i)²`` over rows ``i`` (all, or a mini-batch).

    Shapes: ``X (n, k)``, ``y (n,)``; parameters ``θ (..., k+1)`` with the bias last.
    Gradient ``∇L = (2/m) [Xᵀr; Σr]`` with residuals ``r = Xw + b − y`` over the m rows used;
    Hessian ``(2/n) [[XᵀX, Xᵀ1], [1ᵀX, n]]`` (constant: the error surface is a bowl).
    """

    X: Array
    y: Array
    bounds: tuple[tuple[float, float], ...] | None = None
    name: str = "linear_regression"
    design: Array = field(init=False, repr=False)  # (n, k+1): X with a column of ones

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=float)
        y = np.asarray(self.y, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"X must be (n, k) and y (n,); got {X.shape} and {y.shape}")
        if X.shape[0] < 2:
            raise ValueError("linear regression needs at least 2 rows of data")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must not contain NaN or inf")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "design", np.hstack([X, np.ones((X.shape[0], 1))]))

    @property
    def dim(self) -> int:
        """Number of parameters, k + 1."""
        return self.design.shape[1]

    @property
    def n_samples(self) -> int:
        return self.design.shape[0]

    def _rows(self, rows: Array | None) -> tuple[Array, Array]:
        if rows is None:
            return self.design, self.y
        return self.design[rows], self.y[rows]

    def residuals(self, params: Array, rows: Array | None = None) -> Array:
        """``r = Xw + b − y``: ``(..., k+1) -> (..., m)``."""
        design, y = self._rows(rows)
        return np.asarray(params) @ design.T - y

    def value(self, params: Array, rows: Array | None = None) -> Array:
        """Mean squared error: ``(..., k+1) -> (...)``."""
        r = self.residuals(params, rows)
        return np.mean(r * r, axis=-1)

    def grad(self, params: Array, rows: Array | None = None) -> Array:
        """``(2/m) [Xᵀr; Σr]``: ``(..., k+1) -> (..., k+1)``."""
        design, _ = self._rows(rows)
        r = self.residuals(params, rows)
        return (2.0 / design.shape[0]) * (r @ design)

    def hessian(self, params: Array) -> Array:
        """``(2/n) DᵀD`` with ``D = [X, 1]``, broadcast to ``(..., k+1, k+1)``."""
        h = (2.0 / self.n_samples) * (self.design.T @ self.design)
        shape = np.shape(params)[:-1]
        return np.broadcast_to(h, (*shape, self.dim, self.dim)).copy()

    def optimum(self) -> Array:
        """The least-squares solution ``θ* = argmin L``: ``(k+1,)``."""
        return np.linalg.lstsq(self.design, self.y, rcond=None)[0]


def linear_regression(
    X: Array, y: Array, bounds: tuple[tuple[float, float], ...] | None = None
) -> LinearRegression:
    """Mean-squared-error objective of a linear model on ``X (n, k)``, ``y (n,)``."""
    return LinearRegression(X, y, bounds)
