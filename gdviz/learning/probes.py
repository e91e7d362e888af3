"""What one measures of a network's loss around its weights: the sharpness (the top Hessian
eigenvalue, by Lanczos on exact Hessian-vector products), Li et al.'s (2018) random directions
with filter normalisation and the loss on a plane, the plane of a training path (PCA), and the
rescaling a ReLU network does not notice. Shapes as in :mod:`gdviz.learning.networks`."""

from __future__ import annotations

from typing import Literal, NamedTuple

import numpy as np

from gdviz.core import parallel
from gdviz.learning.networks import CHUNK, MLP, Activation, Array, Loss

# -- curvature ----------------------------------------------------------------------------------


class Sharpness(NamedTuple):
    """The extreme eigenvalues of ∇²L(θ): ``top`` (the most positive: the sharpness) and
    ``bottom`` (the most negative, or the smallest), with the top one's eigenvector ``(P,)``,
    and the Hessian-vector products used."""

    top: float
    bottom: float
    vector: Array
    products: int


def sharpness(
    net: MLP,
    theta: Array,
    *,
    rows: Array | None = None,
    iterations: int = 60,
    tol: float = 1e-9,
    seed: int = 0,
) -> Sharpness:
    """The largest and smallest eigenvalues of ∇²L(θ), by Lanczos on exact Hessian-vector
    products (plain power iteration would find the eigenvalue of largest *magnitude*: near a
    saddle, a large negative one).

    The Krylov basis is fully re-orthogonalised (P is a few thousand: cheap, and no ghost
    eigenvalues); the iteration stops when the top Ritz pair's residual ``|β_k s_k|`` is below
    ``tol × max(1, |λ|)``, or after ``iterations`` products (at most P).
    """
    theta = np.asarray(theta, dtype=float)
    p = net.dim
    k_max = min(iterations, p)
    rng = np.random.default_rng(seed)
    q = rng.standard_normal(p)
    basis = np.empty((k_max, p))
    basis[0] = q / np.linalg.norm(q)
    alphas: list[float] = []
    betas: list[float] = []
    top = bottom = 0.0
    vector = basis[0]
    for k in range(k_max):
        w = net.hvp(theta, basis[k], rows=rows)
        alphas.append(float(basis[k] @ w))
        w -= basis[: k + 1].T @ (basis[: k + 1] @ w)  # full re-orthogonalisation, twice
        w -= basis[: k + 1].T @ (basis[: k + 1] @ w)
        beta = float(np.linalg.norm(w))
        T = np.diag(alphas) + np.diag(betas, 1) + np.diag(betas, -1)
        values, vectors = np.linalg.eigh(T)
        top, bottom = float(values[-1]), float(values[0])
        residual = beta * abs(vectors[-1, -1])
        vector = basis[: k + 1].T @ vectors[:, -1]
        if residual <= tol * max(1.0, abs(top)) or beta < 1e-12 or k + 1 == k_max:
            return Sharpness(top, bottom, vector, k + 1)
        betas.append(beta)
        basis[k + 1] = w / beta
    return Sharpness(top, bottom, vector, k_max)


# -- the landscape of Li et al. -----------------------------------------------------------------

Normalisation = Literal["filter", "layer", "none"]


def random_directions(
    net: MLP, theta: Array, seed: int = 0, norm: Normalisation = "filter"
) -> Array:
    """Two Gaussian directions ``(2, P)`` for a plane through θ, as Li et al. (2018) draw
    them (``net_plotter.normalize_direction``, with biases ignored):

    * ``"filter"``: each neuron's incoming weights (one row of a layer's ``(out, in)`` weight)
      rescaled to that row's norm in θ: ``d_row ← d_row ‖θ_row‖ / ‖d_row‖``;
    * ``"layer"``: each layer's weight rescaled to that layer's norm in θ;
    * ``"none"``: the raw Gaussian (the picture that changes when a ReLU network is
      rescaled without changing the function it computes).

    Biases get a zero direction. The same seed gives the same directions.
    """
    theta = np.asarray(theta, dtype=float)
    rng = np.random.default_rng(seed)
    directions = rng.standard_normal((2, net.dim))
    for layer in net.layers:
        directions[:, layer.bias] = 0.0
        if norm == "none":
            continue
        d = directions[:, layer.weight].reshape(2, layer.n_out, layer.n_in)
        w = theta[layer.weight].reshape(layer.n_out, layer.n_in)
        if norm == "filter":
            scale = np.linalg.norm(w, axis=1) / (np.linalg.norm(d, axis=2) + 1e-10)
            d *= scale[..., None]
        else:
            d *= np.linalg.norm(w) / (np.linalg.norm(d, axis=(1, 2)) + 1e-10)[:, None, None]
        directions[:, layer.weight] = d.reshape(2, -1)
    return directions


PARALLEL_WORK = 3e9
"""Points × rows × weights above which a plane's points are shared among the cores granted
(about 0.1 s of work; a 13×13 preview over the digits, 7e8, stays in the calling thread)."""


def plane(
    net: MLP,
    theta: Array,
    d1: Array,
    d2: Array,
    alphas: Array,
    betas: Array,
    rows: Array | None = None,
    dtype: type = np.float32,
) -> Array:
    """Losses ``(len(betas), len(alphas))`` at ``θ + α d1 + β d2`` over the grid.

    The first layer's pre-activation is affine in (α, β) — ``z₁ = z₁(θ) + α X D1ᵀ + β X D2ᵀ``
    (plus the bias directions) — so its matrix product is made three times, not once per
    point; the rest of the network runs on slices of points (at most :data:`CHUNK`
    activations each), in ``dtype`` (float32 by default: a picture needs 7 digits, and it
    halves the memory traffic; measured against float64: 2e-8 relative). The loss itself is
    accumulated in float64. Large planes share their slices among the cores this thread may
    use (:mod:`gdviz.core.parallel`; two threads measured slower than one), cut at the same
    slice boundaries as on one core, so every point gets the same bits.
    """
    theta = np.asarray(theta, dtype=float)
    alphas, betas = np.asarray(alphas, dtype=float), np.asarray(betas, dtype=float)
    aa, bb = np.meshgrid(alphas, betas)  # (B, A)
    coefficients = np.stack([aa.ravel(), bb.ravel()], axis=1)  # (B·A, 2)
    X, _ = net._batch(rows)
    per = max(1, CHUNK // (X.shape[0] * max(*net.hidden, net.classes)))
    slices = [coefficients[a : a + per] for a in range(0, len(coefficients), per)]
    work = len(coefficients) * X.shape[0] * net.dim
    workers = parallel.allowed() if work >= PARALLEL_WORK else 1
    if workers > 1 and not parallel.picklable(net):
        workers = 1
    tasks = [(net, theta, d1, d2, c, rows, dtype) for c in slices]
    out = np.concatenate(parallel.map_blocks(plane_slice, tasks, workers))
    return out.reshape(len(betas), len(alphas))


def plane_slice(
    net: MLP,
    theta: Array,
    d1: Array,
    d2: Array,
    coefficients: Array,
    rows: Array | None,
    dtype: type,
) -> Array:
    """Losses ``(n,)`` at ``θ + α d1 + β d2`` for one slice of ``(α, β)`` pairs ``(n, 2)``:
    :func:`plane`'s unit of work, here or in a worker process."""
    X, y = net._batch(rows)
    first = net.layers[0]

    def first_pre(vec: Array) -> Array:
        W = vec[first.weight].reshape(first.n_out, first.n_in)
        return (X @ W.T + vec[first.bias]).astype(dtype)

    z0 = first_pre(theta)
    z_ab = np.stack([first_pre(d1), first_pre(d2)]).reshape(2, -1)  # (2, m·h1)
    # The later layers' weights at every point (n, P − first layer): the first layer's own
    # are not needed, its pre-activation is z0 + α z_a + β z_b.
    later = slice(first.end, net.dim)
    weights = (theta[later] + coefficients @ np.stack([d1[later], d2[later]])).astype(dtype)
    shapes = [(layer.start - first.end, layer.n_out, layer.n_in) for layer in net.layers[1:]]
    c: Array = coefficients.astype(dtype)
    # (n, 2) @ (2, m·h1): one matrix product for both directions, then the base added.
    a = (c @ z_ab).reshape(len(c), *z0.shape)
    a += z0
    a = _activate(net.activation, a)  # (n, m, h)
    for index, (offset, n_out, n_in) in enumerate(shapes):
        W = weights[:, offset : offset + n_out * n_in].reshape(-1, n_out, n_in)
        b = weights[:, offset + n_out * n_in : offset + n_out * (n_in + 1)]
        if index < len(shapes) - 1:
            a = a @ np.swapaxes(W, -1, -2)
            a += b[:, None, :]
            a = _activate(net.activation, a)
        else:  # the logits with the classes first, (n, C, m): reductions over C are fast
            logits = W @ np.swapaxes(a, -1, -2)
            logits += b[:, :, None]
    return _loss_by_column(net.loss, logits, y)


def _loss_by_column(loss: Loss, logits: Array, y: Array) -> Array:
    """Mean loss ``(n,)`` from logits laid out ``(n, C, m)`` (a class a row: each reduction
    over the classes is C whole-row operations), accumulated in float64."""
    m = logits.shape[-1]
    picked = logits[:, y, np.arange(m)]
    if loss == "mse":
        squares = np.einsum("ncm,ncm->nm", logits, logits, dtype=float)
        return 0.5 * (squares - 2.0 * picked + 1.0).mean(axis=-1)
    top = logits.max(axis=1)
    np.subtract(logits, top[:, None, :], out=logits)
    np.exp(logits, out=logits)
    total = logits.sum(axis=1, dtype=float)
    return (np.log(total) + top - picked).mean(axis=-1, dtype=float)


def _activate(kind: Activation, z: Array) -> Array:
    """``σ(z)`` in place of ``z`` (no derivative: what a picture needs)."""
    return np.tanh(z, out=z) if kind == "tanh" else np.maximum(z, 0.0, out=z)


class PathPCA(NamedTuple):
    """Li et al.'s view of a training path: the two principal directions ``(2, P)`` of
    ``θ_t − θ_final``, each checkpoint's coordinates ``(T, 2)`` in them, the share of the
    variance each explains ``(2,)``, and each checkpoint's distance off that plane ``(T,)``."""

    directions: Array
    coords: Array
    explained: Array
    off_plane: Array


def path_pca(path: Array) -> PathPCA:
    """PCA of a path ``(T, P)`` of checkpoints, centred on its last one: the plane in which the
    path moves most. Checkpoints off the plane (``off_plane`` > 0) have a loss that differs
    from the surface drawn under them — the question Li et al.'s users ask most."""
    path = np.asarray(path, dtype=float)
    if path.ndim != 2 or len(path) < 3:
        raise ValueError(f"a path needs at least 3 checkpoints (T, P); got {path.shape}")
    moves = path - path[-1]
    _, s, vt = np.linalg.svd(moves, full_matrices=False)
    directions = vt[:2]
    # A sign convention: the path starts on the positive side of each axis.
    directions = directions * np.where(moves[0] @ directions.T < 0, -1.0, 1.0)[:, None]
    coords = moves @ directions.T
    residual = moves - coords @ directions
    total = float(np.sum(s**2))
    explained = (s[:2] ** 2) / total if total > 0 else np.zeros(2)
    return PathPCA(directions, coords, explained, np.linalg.norm(residual, axis=1))


def scaled_layers(net: MLP, theta: Array, layer: int, c: float) -> Array:
    """θ with layer ``layer``'s weight and bias multiplied by ``c`` and the next layer's weight
    by ``1/c``: for a ReLU network (c > 0) the same function, hence the same loss, at another θ
    — which changes an unnormalised plane around it, and leaves a filter-normalised one be."""
    if net.activation != "relu" or c <= 0:
        raise ValueError("only a ReLU network is unchanged by a positive rescaling")
    if not 0 <= layer < len(net.layers) - 1:
        raise ValueError(f"layer must be a hidden layer, 0 … {len(net.layers) - 2}")
    out = np.array(theta, dtype=float)
    here, after = net.layers[layer], net.layers[layer + 1]
    out[here.weight] *= c
    out[here.bias] *= c
    out[after.weight] /= c
    return out
