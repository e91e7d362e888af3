"""Objectives built from data: the loss of a model over its parameters ``θ = (w₁, …, w_k, b)``.

Three models of one neuron ``z = x·w + b``, each a function of θ that behaves like a landscape
(``value``, ``grad``, ``hessian`` over ``(..., k+1)``) and also evaluates on a mini-batch of rows,
which is what ``descend`` uses with ``batch_size``:

* ``linear_regression``: linear output ``ŷ = z`` with squared error: a bowl.
* ``logistic_regression``: sigmoid output ``p = σ(z)`` with cross-entropy: convex.
* ``sigmoid_neuron``: sigmoid output with squared error, the *mismatched* loss: not convex, with
  plateaus wherever the sigmoid saturates on the wrong side, because its gradient carries the
  factor ``σ'(z) = σ(1 − σ)`` that cross-entropy cancels.

Each model also gives per-row losses ``ℓ_i(θ)`` (``row_losses``) so a page can show the loss of
the very mini-batch an update used.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import numpy as np

Array = np.ndarray
CHUNK = 1 << 21
"""Most ``points × rows`` elements evaluated at once: a 360² picture of the loss over 5,000 rows
would otherwise need 5 GB of temporaries."""


def forward(params: Array, design: Array) -> Array:
    """``z = θ·dᵢ`` for every parameter vector and row: ``(..., k+1), (m, k+1) -> (..., m)``.

    Written as k+1 elementwise products added in order, not a matrix product: a BLAS product
    picks its kernel (and so its rounding) by the number of rows of ``params``, and ``descend``
    must give every run the same bits whether it steps alone or beside 16,383 others (in
    another process, say)."""
    params = np.asarray(params)
    z = params[..., 0, None] * design[:, 0]
    for i in range(1, design.shape[1]):
        z += params[..., i, None] * design[:, i]
    return z


def backward(dz: Array, design: Array) -> Array:
    """``Σᵢ dzᵢ dᵢ``, per parameter vector: ``(..., m), (m, k+1) -> (..., k+1)``; each component
    a row-wise sum, for the reason :func:`forward` gives."""
    return np.stack([(dz * design[:, i]).sum(axis=-1) for i in range(design.shape[1])], axis=-1)


def sigmoid(z: Array) -> Array:
    """``σ(z) = 1 / (1 + e^{−z})``, written as ``(1 + tanh(z/2)) / 2`` so it never overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass(frozen=True, eq=False)
class RowModel:
    """A loss that is a mean over data rows of a per-row loss of ``z_i = x_i·w + b``.

    Shapes: ``X (n, k)``, ``y (n,)``; parameters ``θ (..., k+1)`` with the bias last.
    Subclasses give the per-row loss ``ℓ(z, y)`` and its first two derivatives in ``z``; the
    chain rule through ``z = Dθ`` (``D = [X, 1]``) gives ``∇L = (1/m) Dᵀℓ'`` and
    ``∇²L = (1/n) Dᵀ diag(ℓ'') D``.
    """

    X: Array
    y: Array
    bounds: tuple[tuple[float, float], ...] | None = None
    name: str = "row_model"
    design: Array = field(init=False, repr=False)  # (n, k+1): X with a column of ones

    def __post_init__(self) -> None:
        X = np.asarray(self.X, dtype=float)
        y = np.asarray(self.y, dtype=float)
        if X.ndim == 1:
            X = X[:, None]
        if X.ndim != 2 or y.shape != (X.shape[0],):
            raise ValueError(f"X must be (n, k) and y (n,); got {X.shape} and {y.shape}")
        if X.shape[0] < 2:
            raise ValueError("a model needs at least 2 rows of data")
        if not (np.all(np.isfinite(X)) and np.all(np.isfinite(y))):
            raise ValueError("X and y must not contain NaN or inf")
        object.__setattr__(self, "X", X)
        object.__setattr__(self, "y", y)
        object.__setattr__(self, "design", np.hstack([X, np.ones((X.shape[0], 1))]))

    def optimum(self, start: Array | None = None) -> Array | None:
        """The minimiser ``θ* (k+1,)`` where one can be found (each model says how; ``start``
        is a guess for an iterative search), else ``None``."""
        raise NotImplementedError

    # -- what a subclass provides ---------------------------------------------------------

    def _loss(self, z: Array, y: Array) -> Array:
        """Per-row loss ``ℓ(z, y)``, elementwise."""
        raise NotImplementedError

    def _dloss(self, z: Array, y: Array) -> Array:
        """``∂ℓ/∂z``, elementwise."""
        raise NotImplementedError

    def _d2loss(self, z: Array, y: Array) -> Array:
        """``∂²ℓ/∂z²``, elementwise."""
        raise NotImplementedError

    # -- shared -------------------------------------------------------------------------

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

    def z(self, params: Array, rows: Array | None = None) -> Array:
        """Pre-activations ``z = Xw + b``: ``(..., k+1) -> (..., m)``."""
        design, _ = self._rows(rows)
        return forward(params, design)

    def predict(self, params: Array, X: Array) -> Array:
        """The model's output ``ŷ`` for feature rows ``X (m, k)`` (or ``(m,)`` for k = 1):
        ``(..., k+1) -> (..., m)``."""
        X = np.asarray(X, dtype=float).reshape(len(X), -1)
        return self._output(np.asarray(params)[..., :-1] @ X.T + np.asarray(params)[..., -1:])

    def _output(self, z: Array) -> Array:
        return z

    def value(self, params: Array, rows: Array | None = None) -> Array:
        """Mean loss over the rows used: ``(..., k+1) -> (...)``, evaluated in chunks of
        points so a large grid over many rows stays within ``CHUNK`` elements at a time."""
        params = np.asarray(params, dtype=float)
        design, y = self._rows(rows)
        if params.size * len(y) <= CHUNK:  # the common case inside descent: one pass
            return np.mean(self._loss(forward(params, design), y), axis=-1)
        flat = params.reshape(-1, params.shape[-1])
        per = max(1, CHUNK // len(y))
        out = np.empty(len(flat))
        for start in range(0, len(flat), per):
            z = flat[start : start + per] @ design.T
            out[start : start + per] = np.mean(self._loss(z, y), axis=-1)
        return out.reshape(params.shape[:-1])

    def grad(self, params: Array, rows: Array | None = None) -> Array:
        """``(1/m) Dᵀ ℓ'(z)``: ``(..., k+1) -> (..., k+1)``."""
        design, y = self._rows(rows)
        return backward(self._dloss(forward(params, design), y), design) / design.shape[0]

    def value_and_grad(self, params: Array) -> tuple[Array, Array]:
        """Full-batch ``(L, ∇L)`` from one pass over the rows (``z`` computed once), for
        ``descend``, which needs both after every update: ``(N, k+1) -> ((N,), (N, k+1))``."""
        z = forward(params, self.design)
        n = self.n_samples
        gradient = backward(self._dloss(z, self.y), self.design) / n
        return self._loss(z, self.y).sum(axis=-1) / n, gradient

    def hessian(self, params: Array) -> Array:
        """``(1/n) Dᵀ diag(ℓ''(z)) D``: ``(..., k+1) -> (..., k+1, k+1)``."""
        weights = self._d2loss(self.z(params), self.y)  # (..., n)
        return np.einsum("...n,ni,nj->...ij", weights, self.design, self.design) / self.n_samples

    def row_losses(self, params: Array, rows: Array) -> Array:
        """``ℓ_i(θ_i)``: the loss of row ``rows[j]`` at parameters ``params[j]``:
        ``(m, k+1), (m,) -> (m,)`` (one parameter vector per row, for replaying mini-batches)."""
        design, y = self._rows(rows)
        z = np.einsum("mi,mi->m", np.asarray(params, dtype=float), design)
        return self._loss(z, y)


@dataclass(frozen=True, eq=False)
class LinearRegression(RowModel):
    """``L(θ) = mean_i (x_i·w + b − y_i)²`` over rows ``i`` (all, or a mini-batch).

    Gradient ``∇L = (2/m) [Xᵀr; Σr]`` with residuals ``r = Xw + b − y`` over the m rows used;
    Hessian ``(2/n) [[XᵀX, Xᵀ1], [1ᵀX, n]]`` (constant: the error surface is a bowl).
    """

    name: str = "linear_regression"

    def _loss(self, z: Array, y: Array) -> Array:
        r = z - y
        return r * r

    def _dloss(self, z: Array, y: Array) -> Array:
        return 2.0 * (z - y)

    def _d2loss(self, z: Array, y: Array) -> Array:
        return np.full(np.shape(z), 2.0)

    def value(self, params: Array, rows: Array | None = None) -> Array:
        """Mean squared error: ``(..., k+1) -> (...)``.

        For a grid of many points over all rows (a picture of the surface, ``(H, W, k+1)``) it
        uses the quadratic form ``θᵀGθ − 2hᵀθ + c`` with ``G = DᵀD/n``, ``h = Dᵀy/n``,
        ``c = yᵀy/n``: constant work per point instead of ``n``. Elsewhere (descent's runs,
        ``(N, k+1)``, and mini-batches) it sums squared residuals, which keeps full precision
        near the optimum and gives a run the same bits however many runs step beside it.
        """
        params = np.asarray(params, dtype=float)
        if rows is not None or params.ndim < 3 or params.size < 4096 * self.dim:
            return super().value(params, rows)
        n = self.n_samples
        gram = self.design.T @ self.design / n
        h = self.design.T @ self.y / n
        quad = np.einsum("...i,ij,...j->...", params, gram, params)
        return np.maximum(quad - 2.0 * (params @ h) + float(self.y @ self.y) / n, 0.0)

    def grad(self, params: Array, rows: Array | None = None) -> Array:
        """``(2/m) [Xᵀr; Σr]``: ``(..., k+1) -> (..., k+1)``."""
        design, y = self._rows(rows)
        r = forward(params, design) - y
        return (2.0 / design.shape[0]) * backward(r, design)

    def hessian(self, params: Array) -> Array:
        """``(2/n) DᵀD`` with ``D = [X, 1]``, broadcast to ``(..., k+1, k+1)``."""
        h = (2.0 / self.n_samples) * (self.design.T @ self.design)
        shape = np.shape(params)[:-1]
        return np.broadcast_to(h, (*shape, self.dim, self.dim)).copy()

    def optimum(self, start: Array | None = None) -> Array:
        """The least-squares solution ``θ* = argmin L``: ``(k+1,)``."""
        return np.linalg.lstsq(self.design, self.y, rcond=None)[0]


@dataclass(frozen=True, eq=False)
class SigmoidModel(RowModel):
    """A sigmoid neuron ``p = σ(x·w + b)`` for 0/1 targets, with one of two losses.

    ``loss="cross_entropy"`` (logistic regression)::

        ℓ = −y log p − (1 − y) log(1 − p) = softplus(z) − y z,   ℓ' = p − y,   ℓ'' = p(1 − p)

    convex, since ℓ'' > 0. ``loss="squared"`` (the mismatched loss)::

        ℓ = (p − y)²,   ℓ' = 2(p − y) p(1 − p),   ℓ'' = 2 p(1 − p) [p(1 − p) + (p − y)(1 − 2p)]

    ℓ'' turns negative where the sigmoid saturates on the wrong side, and ℓ' vanishes there
    too: the plateaus on which gradient descent stalls.
    """

    loss: Literal["cross_entropy", "squared"] = "cross_entropy"
    name: str = "logistic_regression"

    def __post_init__(self) -> None:
        super().__post_init__()
        if not np.all((self.y == 0) | (self.y == 1)):
            raise ValueError("a sigmoid model needs targets that are 0 or 1")

    def _output(self, z: Array) -> Array:
        return sigmoid(z)

    def _loss(self, z: Array, y: Array) -> Array:
        if self.loss == "cross_entropy":
            return np.logaddexp(0.0, z) - y * z  # softplus without overflow
        r = sigmoid(z) - y
        return r * r

    def _dloss(self, z: Array, y: Array) -> Array:
        p = sigmoid(z)
        if self.loss == "cross_entropy":
            return p - y
        return 2.0 * (p - y) * p * (1.0 - p)

    def _d2loss(self, z: Array, y: Array) -> Array:
        p = sigmoid(z)
        s = p * (1.0 - p)
        if self.loss == "cross_entropy":
            return s
        return 2.0 * s * (s + (p - y) * (1.0 - 2.0 * p))

    def optimum(self, start: Array | None = None, iterations: int = 100) -> Array | None:
        """The minimiser found by damped Newton from ``start`` (zeros by default), or ``None``
        when there is none to find: cross-entropy on separable classes decreases forever as
        ``|w| → ∞``, and a squared-error run can stall on a plateau.

        Each step solves ``(H + μI) s = −∇L`` and halves it until the loss decreases
        (Levenberg-Marquardt damping keeps the step downhill where ``H`` is indefinite).
        """
        theta = np.zeros(self.dim) if start is None else np.array(start, dtype=float)
        with np.errstate(all="ignore"):
            loss = float(self.value(theta))
            mu = 1e-3
            for _ in range(iterations):
                g = self.grad(theta)
                if np.linalg.norm(g) < 1e-12:
                    break
                h = self.hessian(theta)
                eig_min = np.linalg.eigvalsh(h)[0]
                shift = mu + max(0.0, -eig_min * 1.01)
                step = np.linalg.solve(h + shift * np.eye(self.dim), -g)
                for _ in range(40):
                    trial = theta + step
                    trial_loss = float(self.value(trial))
                    if trial_loss <= loss:
                        break
                    step = step / 2
                else:
                    break
                theta, loss = trial, trial_loss
                mu = max(mu / 10, 1e-12)
            g = self.grad(theta)
            eig = np.linalg.eigvalsh(self.hessian(theta))
        scale = np.sqrt(np.mean(self.design**2, axis=0))  # typical size of each input
        stationary = np.linalg.norm(g * (1.0 / scale)) < 1e-8 * max(1.0, loss)
        if stationary and eig[0] > 1e-12 and np.all(np.isfinite(theta)):
            return theta
        return None


def linear_regression(
    X: Array, y: Array, bounds: tuple[tuple[float, float], ...] | None = None
) -> LinearRegression:
    """Mean-squared-error objective of a linear model on ``X (n, k)``, ``y (n,)``."""
    return LinearRegression(X, y, bounds)


def logistic_regression(
    X: Array, y: Array, bounds: tuple[tuple[float, float], ...] | None = None
) -> SigmoidModel:
    """Cross-entropy objective of a sigmoid neuron on ``X (n, k)`` and 0/1 targets ``y (n,)``."""
    return SigmoidModel(X, y, bounds, loss="cross_entropy")


def sigmoid_neuron(
    X: Array, y: Array, bounds: tuple[tuple[float, float], ...] | None = None
) -> SigmoidModel:
    """Squared-error objective of a sigmoid neuron (the mismatched loss) on 0/1 targets."""
    return SigmoidModel(X, y, bounds, loss="squared", name="sigmoid_neuron")
