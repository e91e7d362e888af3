"""Small neural networks on real data, as objectives over their flat weight vector θ.

An :func:`mlp` is a multilayer perceptron ``x ↦ W_L σ(… σ(W_1 x + b_1) …) + b_L`` with a mean
loss over data rows. It behaves like every other objective in gdviz (``value``, ``grad``,
``value_and_grad`` over θ of shape ``(P,)`` or ``(N, P)``: N networks at once; ``rows=`` for a
mini-batch; ``n_samples``), so ``descend`` trains it with any optimizer, schedule, batch size and
gradient noise, unchanged. It also gives the exact Hessian-vector product ``hvp`` (Pearlmutter's
R-operator: forward-mode through the backward pass, no finite difference), on which the curvature
tools of :mod:`gdviz.learning.probes` stand: ``sharpness`` (Lanczos), and the landscape tools
of Li et al. (2018): ``random_directions`` with filter normalisation, ``plane``, ``path_pca``.

Layout of θ, as torch's ``nn.Linear`` stores it: layer by layer, each layer's weight ``(out, in)``
row-major, then its bias ``(out,)``. Losses, as torch and Cohen et al. (2021) define them:

* ``"cross_entropy"``: ``L = (1/m) Σ_i [logsumexp(z_i) − z_{i,y_i}]``
  (``torch.nn.functional.cross_entropy``);
* ``"mse"``: ``L = (1/m) Σ_i ½‖z_i − e_{y_i}‖²`` (the one-hot target ``e``).

Shapes: ``X (n, d)``, ``y (n,)`` integer classes ``0 … C−1``; activations of one layer over N
networks and m rows are ``(N, m, width)``.
"""

from __future__ import annotations

import gzip
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

Array = np.ndarray
Activation = Literal["tanh", "relu"]
Loss = Literal["cross_entropy", "mse"]
DATASETS = ("digits", "iris", "moons", "spirals")
DATA = Path(__file__).with_name("data")
MAX_HIDDEN_LAYERS = 3
MAX_WIDTH = 64
CHUNK = 1 << 22
"""Most ``networks × rows × width`` activations held at once (32 MB of float64): a 51×51 plane
is 2,601 networks, evaluated in slices of this size."""


# -- data ---------------------------------------------------------------------------------------


@cache
def dataset(name: str) -> tuple[Array, Array]:
    """A small classification data set ``(X (n, d) float, y (n,) int classes 0…C−1)``.

    * ``"digits"``: the UCI 8×8 handwritten digits, 1,797 × 64, 10 classes (shipped in
      ``gdviz/learning/data/``, CC BY 4.0; see ``SOURCES.md`` there). Each pixel count 0–16 is
      divided by 16 and centred on its mean over the rows (Cohen et al. centre their inputs).
    * ``"iris"``: Fisher's iris, 150 × 4, 3 species (from the table plotly ships), each
      feature standardised to mean 0 and standard deviation 1.
    * ``"moons"``: two interleaved half-circles, 400 × 2, 2 classes, seeded (σ = 0.15 noise).
    * ``"spirals"``: two spirals of 1.5 turns, 400 × 2, 2 classes, seeded (σ = 0.08 noise).

    The arrays are read-only and the same on every call.
    """
    if name == "digits":
        X, y = _digits()
    elif name == "iris":
        X, y = _iris()
    elif name == "moons":
        X, y = _moons(400, np.random.default_rng(0))
    elif name == "spirals":
        X, y = _spirals(400, np.random.default_rng(1))
    else:
        raise ValueError(f"unknown data set {name!r}; choose one of {', '.join(DATASETS)}")
    X, y = np.ascontiguousarray(X, dtype=float), np.asarray(y, dtype=np.int64)
    X.flags.writeable = y.flags.writeable = False
    return X, y


@cache
def digit_images() -> tuple[Array, Array]:
    """The raw digits: pixel counts 0–16 ``(1797, 64)`` (row-major 8×8 images) and the digits
    ``(1797,)``, read-only; for pictures of the images a network gets wrong."""
    with gzip.open(DATA / "digits.csv.gz", "rt") as table:
        raw = np.loadtxt(table, delimiter=",", skiprows=1)
    pixels, digits = np.ascontiguousarray(raw[:, :64]), raw[:, 64].astype(np.int64)
    pixels.flags.writeable = digits.flags.writeable = False
    return pixels, digits


def _digits() -> tuple[Array, Array]:
    pixels, digits = digit_images()
    X = pixels / 16.0
    return X - X.mean(axis=0), digits


def _iris() -> tuple[Array, Array]:
    import importlib.resources

    table = importlib.resources.files("plotly") / "package_data" / "datasets" / "iris.csv.gz"
    text = gzip.decompress(table.read_bytes()).decode()
    lines = text.strip().splitlines()
    header = lines[0].split(",")
    species = header.index("species")
    features = [i for i, h in enumerate(header) if h.endswith(("_length", "_width"))]
    rows = [line.split(",") for line in lines[1:]]
    names = sorted({row[species] for row in rows})
    X = np.array([[float(row[i]) for i in features] for row in rows])
    y = np.array([names.index(row[species]) for row in rows])
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _moons(n: int, rng: np.random.Generator) -> tuple[Array, Array]:
    t = rng.uniform(0.0, np.pi, n)
    y = np.arange(n) % 2
    X = np.where(
        y[:, None] == 0,
        np.stack([np.cos(t), np.sin(t)], axis=1),
        np.stack([1.0 - np.cos(t), 0.5 - np.sin(t)], axis=1),
    )
    X = X + 0.15 * rng.standard_normal((n, 2))
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def _spirals(n: int, rng: np.random.Generator) -> tuple[Array, Array]:
    y = np.arange(n) % 2
    t = np.sqrt(rng.uniform(0.0, 1.0, n)) * 3.0 * np.pi  # 1.5 turns, points spread by arc
    angle = t + np.pi * y
    X = np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1) / (3.0 * np.pi)
    X = X + 0.08 * rng.standard_normal((n, 2))
    return X / X.std(axis=0), y


# -- the network --------------------------------------------------------------------------------


class Layer(NamedTuple):
    """Where one layer's weight ``(out, in)`` and bias ``(out,)`` sit in θ."""

    start: int
    n_in: int
    n_out: int

    @property
    def weight(self) -> slice:
        return slice(self.start, self.start + self.n_out * self.n_in)

    @property
    def bias(self) -> slice:
        end = self.start + self.n_out * self.n_in
        return slice(end, end + self.n_out)

    @property
    def end(self) -> int:
        return self.start + self.n_out * (self.n_in + 1)


def _act(kind: Activation, z: Array) -> tuple[Array, Array]:
    """``σ(z)`` and ``σ'(z)`` (in place of ``z``'s own memory where that saves a temporary)."""
    if kind == "tanh":
        a = np.tanh(z)
        d = np.multiply(a, a, out=z)
        np.subtract(1.0, d, out=d)
        return a, d
    positive = z > 0
    return np.maximum(z, 0.0), positive.astype(z.dtype)


def _row_max(a: Array) -> Array:
    """``a.max(axis=-1)`` for a few classes, one column at a time (numpy reduces a short last
    axis row by row: 4x slower for 1,797 rows of 10)."""
    top = a[..., 0].copy()
    for j in range(1, a.shape[-1]):
        np.maximum(top, a[..., j], out=top)
    return top


def _curvature(kind: Activation, a: Array, d: Array) -> Array:
    """``σ''(z)`` from ``a = σ(z)`` and ``d = σ'(z)``: ``−2 tanh(z)(1 − tanh²z)``, or 0."""
    return -2.0 * a * d if kind == "tanh" else np.zeros_like(d)


@dataclass(frozen=True, eq=False)
class MLP:
    """A multilayer perceptron with a mean loss over the rows of ``X (n, d)``, ``y (n,)``.

    Build one with :func:`mlp`. θ has :attr:`dim` = P entries, laid out as torch's
    ``nn.Sequential(nn.Linear, act, …, nn.Linear)`` ``parameters()`` are.
    """

    X: Array
    y: Array
    hidden: tuple[int, ...]
    activation: Activation
    loss: Loss
    classes: int
    layers: tuple[Layer, ...] = field(repr=False)
    bounds: None = None  # no plotting box: descend's escape rule does not apply
    name: str = "mlp"

    @property
    def dim(self) -> int:
        """P, the number of weights and biases."""
        return self.layers[-1].end

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def init(self, seed: int = 0) -> Array:
        """θ ``(P,)`` drawn as torch's ``nn.Linear`` draws its defaults: weight and bias
        uniform on ``±1/√fan_in`` (Kaiming uniform with a = √5), from ``seed``."""
        rng = np.random.default_rng(seed)
        theta = np.empty(self.dim)
        for layer in self.layers:
            bound = 1.0 / np.sqrt(layer.n_in)
            theta[layer.weight] = rng.uniform(-bound, bound, layer.n_out * layer.n_in)
            theta[layer.bias] = rng.uniform(-bound, bound, layer.n_out)
        return theta

    def unpack(self, theta: Array) -> list[tuple[Array, Array]]:
        """θ ``(..., P)`` as each layer's ``(W (..., out, in), b (..., out))`` (views where θ
        is C-contiguous). One network keeps 2-D weights: plain matrix products, no batch."""
        lead = theta.shape[:-1]
        return [
            (
                theta[..., layer.weight].reshape(*lead, layer.n_out, layer.n_in),
                theta[..., layer.bias],
            )
            for layer in self.layers
        ]

    # -- evaluation -----------------------------------------------------------------------

    def _batch(self, rows: Array | None) -> tuple[Array, Array]:
        if rows is None:
            return self.X, self.y
        return self.X[rows], self.y[rows]

    def _forward(
        self, theta: Array, X: Array
    ) -> tuple[list[Array], list[Array], list[tuple[Array, Array]]]:
        """The input of every layer ``a_0 = X (m, d), a_1 (..., m, h_1), …``, ending with the
        logits ``(..., m, C)``; σ' at every hidden layer; and the unpacked weights."""
        params = self.unpack(theta)
        inputs: list[Array] = [X]
        slopes: list[Array] = []
        for index, (W, b) in enumerate(params):
            z = inputs[-1] @ np.swapaxes(W, -1, -2)
            z += b[..., None, :]
            if index < len(params) - 1:
                a, d = _act(self.activation, z)
                inputs.append(a)
                slopes.append(d)
            else:
                inputs.append(z)
        return inputs, slopes, params

    def _loss_and_delta(self, logits: Array, y: Array) -> tuple[Array, Array]:
        """Mean loss ``(...)`` and ``∂L/∂logits (..., m, C)``."""
        m = logits.shape[-2]
        picked = (..., np.arange(m), y)
        if self.loss == "mse":
            residual = logits.copy()
            residual[picked] -= 1.0
            value = 0.5 * np.einsum("...mc,...mc->...", residual, residual) / m
            residual /= m
            return value, residual
        shifted = logits - _row_max(logits)[..., None]
        exp = np.exp(shifted)
        total = exp @ np.ones(exp.shape[-1])  # sums by BLAS: 7x faster than .sum(axis=-1)
        value = (np.log(total) - shifted[picked]).mean(axis=-1)
        exp /= total[..., None]
        exp[picked] -= 1.0
        exp /= m
        return value, exp

    def _loss(self, logits: Array, y: Array) -> Array:
        """Mean loss ``(...)`` alone (no gradient): the cheaper path for pictures and
        held-out curves; accumulated in float64 whatever the logits' precision."""
        m = logits.shape[-2]
        picked = logits[..., np.arange(m), y]
        if self.loss == "mse":
            squares = np.einsum("...mc,...mc->...m", logits, logits, dtype=float)
            return 0.5 * (squares - 2.0 * picked + 1.0).mean(axis=-1)
        top = _row_max(logits)
        shifted = np.subtract(logits, top[..., None])
        np.exp(shifted, out=shifted)
        total = shifted @ np.ones(shifted.shape[-1], dtype=shifted.dtype)
        return (np.log(total, dtype=float) + top - picked).mean(axis=-1, dtype=float)

    def _check(self, theta: Array) -> Array:
        theta = np.asarray(theta, dtype=float)
        if theta.shape[-1:] != (self.dim,) or theta.ndim not in (1, 2):
            raise ValueError(
                f"θ must have shape ({self.dim},) or (N, {self.dim}); got {theta.shape}"
            )
        return np.ascontiguousarray(theta)

    def value(self, theta: Array, rows: Array | None = None) -> Array:
        """Mean loss: ``(P,) -> ()``, ``(N, P) -> (N,)``; over ``rows`` (indices) if given.
        Many networks are evaluated a slice at a time (at most :data:`CHUNK` activations)."""
        theta = self._check(theta)
        X, y = self._batch(rows)
        if theta.ndim == 1:
            return self._loss(self._forward(theta, X)[0][-1], y)
        out = np.empty(theta.shape[0])
        per = max(1, CHUNK // (X.shape[0] * max(*self.hidden, self.classes)))
        for start in range(0, theta.shape[0], per):
            logits = self._forward(theta[start : start + per], X)[0][-1]
            out[start : start + per] = self._loss(logits, y)
        return out

    def value_and_grad(self, theta: Array, rows: Array | None = None) -> tuple[Array, Array]:
        """Loss and gradient by backpropagation: ``(P,) -> ((), (P,))``,
        ``(N, P) -> ((N,), (N, P))``::

            δ_L = ∂L/∂z_L,  ∇W_l = δ_lᵀ a_{l−1},  ∇b_l = Σ_rows δ_l,
            δ_{l−1} = (δ_l W_l) ⊙ σ'(z_{l−1}).
        """
        theta = self._check(theta)
        X, y = self._batch(rows)
        inputs, slopes, params = self._forward(theta, X)
        value, delta = self._loss_and_delta(inputs[-1], y)
        grad = np.empty_like(theta)
        lead = theta.shape[:-1]
        for index in range(len(params) - 1, -1, -1):
            layer, (W, _) = self.layers[index], params[index]
            grad_w = np.swapaxes(delta, -1, -2) @ inputs[index]
            grad[..., layer.weight] = grad_w.reshape(*lead, -1)
            grad[..., layer.bias] = np.ones(delta.shape[-2]) @ delta  # Σ over rows, by BLAS
            if index:
                delta = delta @ W
                delta *= slopes[index - 1]
        return value, grad

    def grad(self, theta: Array, rows: Array | None = None) -> Array:
        """``∇L``: ``(P,) -> (P,)``, ``(N, P) -> (N, P)``."""
        return self.value_and_grad(theta, rows)[1]

    def hvp(self, theta: Array, v: Array, rows: Array | None = None) -> Array:
        """The exact Hessian-vector product ``∇²L(θ) v`` by Pearlmutter's R-operator
        (``R{f} = d/dε f(θ + εv)`` at ε = 0, carried through the forward and backward pass)::

            R{z_l} = R{a_{l−1}} W_lᵀ + a_{l−1} V_lᵀ + v_{b_l},  R{a_l} = σ'(z_l) R{z_l},
            R{δ_L} = R{z_L}/m (MSE) or (s ⊙ (R{z_L} − ⟨s, R{z_L}⟩))/m (softmax s),
            R{∇W_l} = R{δ_l}ᵀ a_{l−1} + δ_lᵀ R{a_{l−1}},
            R{δ_{l−1}} = (R{δ_l} W_l + δ_l V_l) ⊙ σ'(z_{l−1}) + (δ_l W_l) ⊙ σ''(z_{l−1}) R{z_{l−1}}.

        Shapes: θ ``(P,)`` with v ``(P,)`` or ``(K, P)`` (K directions at one θ, each row a
        product), or θ and v both ``(N, P)``.
        """
        theta, v = self._check(theta), np.ascontiguousarray(v, dtype=float)
        if v.shape[-1:] != (self.dim,) or v.ndim not in (1, 2):
            raise ValueError(f"v must have shape ({self.dim},) or (K, {self.dim}); got {v.shape}")
        X, y = self._batch(rows)
        m = X.shape[0]
        params, directions = self.unpack(theta), self.unpack(v)
        inputs: list[Array] = [X]
        r_inputs: list[Array] = [np.zeros(1)]  # R{X} = 0: the data do not move
        slopes: list[Array] = []
        r_pre: list[Array] = []
        logits = X
        for index, ((W, b), (V, vb)) in enumerate(zip(params, directions, strict=True)):
            z = inputs[-1] @ np.swapaxes(W, -1, -2) + b[..., None, :]
            rz = inputs[-1] @ np.swapaxes(V, -1, -2) + vb[..., None, :]
            if index:
                rz = rz + r_inputs[-1] @ np.swapaxes(W, -1, -2)
            r_pre.append(rz)
            if index < len(params) - 1:
                a, d = _act(self.activation, z)
                inputs.append(a)
                slopes.append(d)
                r_inputs.append(d * rz)
            else:
                logits = z
        r_logits = r_pre[-1]
        _, delta = self._loss_and_delta(logits, y)
        if self.loss == "mse":
            r_delta = r_logits / m
        else:
            s = delta * m
            s[..., np.arange(m), y] += 1.0  # back to the softmax itself
            r_delta = s * (r_logits - np.sum(s * r_logits, axis=-1, keepdims=True)) / m
        lead = np.broadcast_shapes(theta.shape, v.shape)[:-1]
        out = np.empty((*lead, self.dim))
        for index in range(len(params) - 1, -1, -1):
            layer, (W, _), (V, _) = self.layers[index], params[index], directions[index]
            r_grad_w = np.swapaxes(r_delta, -1, -2) @ inputs[index]
            if index:
                r_grad_w = r_grad_w + np.swapaxes(delta, -1, -2) @ r_inputs[index]
            out[..., layer.weight] = r_grad_w.reshape(*lead, -1)
            out[..., layer.bias] = np.ones(r_delta.shape[-2]) @ r_delta
            if index:
                d = slopes[index - 1]
                d2 = _curvature(self.activation, inputs[index], d)
                back = delta @ W
                r_delta = (r_delta @ W + delta @ V) * d + back * d2 * r_pre[index - 1]
                delta = back * d
        return out

    def hessian(self, theta: Array) -> Array:
        """The full Hessian ``(P, P)`` at one θ ``(P,)``, from P Hessian-vector products (for
        small networks and tests: a digits network's is 2,410² = 46 MB)."""
        return self.hvp(np.asarray(theta, dtype=float), np.eye(self.dim))

    def predict(self, theta: Array, X: Array) -> Array:
        """Class scores (logits) ``(..., m, C)`` of θ ``(..., P)`` for rows ``X (m, d)``."""
        return self._forward(self._check(theta), np.asarray(X, dtype=float))[0][-1]

    def accuracy(self, theta: Array, rows: Array | None = None) -> Array:
        """The share of rows whose largest score is their class: ``(P,) -> ()``,
        ``(N, P) -> (N,)``."""
        X, y = self._batch(rows)
        return (self.predict(theta, X).argmax(axis=-1) == y).mean(axis=-1)


def mlp(
    X: Array,
    y: Array,
    hidden: Sequence[int] = (32,),
    activation: Activation = "tanh",
    loss: Loss = "cross_entropy",
) -> MLP:
    """A multilayer perceptron on ``X (n, d)`` and classes ``y (n,)`` (0…C−1) with ``hidden``
    layer widths (one to three layers of 1 to 64 units), ``activation`` ``"tanh"`` or
    ``"relu"`` and ``loss`` ``"cross_entropy"`` or ``"mse"``. ``X`` is used exactly as given."""
    X = np.ascontiguousarray(X, dtype=float)
    y = np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],) or X.shape[0] < 2:
        raise ValueError(f"X must be (n, d) with n ≥ 2 and y (n,); got {X.shape} and {y.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must not contain NaN or inf")
    if y.dtype.kind not in "iu" or y.min() < 0:
        raise ValueError("y must hold integer classes 0, 1, …")
    hidden = tuple(int(h) for h in hidden)
    if not 1 <= len(hidden) <= MAX_HIDDEN_LAYERS or not all(1 <= h <= MAX_WIDTH for h in hidden):
        raise ValueError(
            f"hidden must be 1 to {MAX_HIDDEN_LAYERS} layers of 1 to {MAX_WIDTH} units; "
            f"got {hidden}"
        )
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu'; got {activation!r}")
    if loss not in ("cross_entropy", "mse"):
        raise ValueError(f"loss must be 'cross_entropy' or 'mse'; got {loss!r}")
    classes = int(y.max()) + 1
    sizes = (X.shape[1], *hidden, classes)
    layers, start = [], 0
    for n_in, n_out in itertools.pairwise(sizes):
        layers.append(Layer(start, n_in, n_out))
        start = layers[-1].end
    return MLP(X, y.astype(np.int64), hidden, activation, loss, classes, tuple(layers))
