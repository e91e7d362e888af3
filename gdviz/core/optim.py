"""Optimizers as pairs of pure functions, with torch.optim's names, defaults and update rules.

An optimizer is ``Optimizer(init, update, name, hyperparams, rebuild)``::

    state = opt.init(params)
    params, state = opt.update(grads, state, params, lr)   # lr: this step's learning rate

All state, the step count included, lives in ``state`` (NamedTuples of arrays); nothing mutates.
Every hyperparameter lives once, in ``opt.hyperparams``; ``opt.lr`` reads the base learning rate
a schedule starts from out of it, and ``rebuild(**hyperparams)`` is the recipe that made ``opt``
(``take`` uses it to run a subset of trajectories). Each named optimizer is a short recipe
chained from building blocks that map a gradient to a direction ``u``; the last link applies
``p ← p − lr · u``. This mirrors optax; the arithmetic mirrors torch.optim (PyTorch 2.x, the
single-tensor code path), so a learning rate found here behaves the same in PyTorch.

Shapes: ``params`` and ``grads`` are ``(..., d)`` (typically ``(N, d)``, N trajectories). Every
hyperparameter and ``lr`` may be a scalar or an array of shape ``(...)`` (typically ``(N,)``): one
value per trajectory, broadcast over the coordinate axis. Boolean switches (``nesterov``,
``centered``, ``amsgrad``) are shared by all trajectories.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

Array = np.ndarray
Hyper = float | Sequence[float] | Array


class Transform(NamedTuple):
    """One building block: ``init(params) -> state``; ``update(u, state, params) -> (u, state)``."""

    init: Callable[[Array], Any]
    update: Callable[[Array, Any, Array], tuple[Array, Any]]


class Optimizer(NamedTuple):
    """A complete optimizer: ``update(grads, state, params, lr) -> (params, state)``, where
    ``lr`` is this step's (scheduled) rate, a scalar or ``(N,)``."""

    init: Callable[[Array], Any]
    update: Callable[[Array, Any, Array, Hyper], tuple[Array, Any]]
    name: str
    hyperparams: dict[str, Any]  # the keyword arguments of `rebuild`, lr included
    rebuild: Callable[..., Optimizer]

    @property
    def lr(self) -> Hyper:
        """The base learning rate (a scalar, or ``(N,)`` for one per trajectory)."""
        return self.hyperparams["lr"]


ADAM_BETAS = (0.9, 0.999)  # torch's defaults for Adam and AdamW


def per_run(value: Hyper) -> float | Array:
    """Normalise a hyperparameter: a scalar stays a float; an array of shape ``(...)`` gains a
    trailing axis so it broadcasts against ``(..., d)`` parameters, one value per trajectory."""
    arr = np.asarray(value, dtype=float)
    return float(arr) if arr.ndim == 0 else arr[..., None]


def _check(name: str, value: Hyper, lo: float, hi: float, *, hi_open: bool = False) -> None:
    arr = np.asarray(value, dtype=float)
    upper_ok = arr < hi if hi_open else arr <= hi
    if not np.all(np.isfinite(arr) & (arr >= lo) & upper_ok):
        bracket = ")" if hi_open else "]"
        raise ValueError(f"{name} must lie in [{lo}, {hi}{bracket}; got {value!r}")


# -- building blocks -----------------------------------------------------------------------------


class TraceState(NamedTuple):
    step: int  # updates taken (`count` would shadow tuple.count)
    buf: Array  # momentum buffer


class ScaleByRmsState(NamedTuple):
    square_avg: Array
    grad_avg: Array | None  # only when centred


class ScaleByAdamState(NamedTuple):
    step: int
    exp_avg: Array  # first moment m
    exp_avg_sq: Array  # second moment v
    max_exp_avg_sq: Array | None  # only with AMSGrad


class ScaleByAdagradState(NamedTuple):
    step: int
    state_sum: Array


def add_decayed_weights(weight_decay: Hyper) -> Transform:
    """``u ← u + λ p``.

    Placed before the scaling it is torch's coupled L2 penalty (SGD, Adagrad, RMSprop, Adam);
    placed after Adam's scaling it is AdamW's decoupled decay ``p ← p − lr·λ·p``.
    """
    wd = per_run(weight_decay)

    def init(params: Array) -> tuple[()]:
        return ()

    def update(u: Array, state: tuple[()], params: Array) -> tuple[Array, tuple[()]]:
        return (u + wd * params if np.any(wd) else u), state

    return Transform(init, update)


def trace(momentum: Hyper, dampening: Hyper = 0.0, nesterov: bool = False) -> Transform:
    """torch's momentum buffer (heavy ball, no (1 − β) factor on the gradient)::

        b₁ = g₁;   b_t = β b_{t−1} + (1 − τ) g_t        (τ: dampening)
        u_t = g_t + β b_t   if nesterov   else   b_t

    torch sets ``b₁ = g₁`` undamped on the first step; that is kept here.
    """
    beta, damp = per_run(momentum), per_run(dampening)

    def init(params: Array) -> TraceState:
        return TraceState(0, np.zeros_like(params))

    def update(u: Array, state: TraceState, params: Array) -> tuple[Array, TraceState]:
        buf = u.copy() if state.step == 0 else beta * state.buf + (1.0 - damp) * u
        out = u + beta * buf if nesterov else buf
        return out, TraceState(state.step + 1, buf)

    return Transform(init, update)


def scale_by_rms(alpha: Hyper, eps: Hyper, centered: bool = False) -> Transform:
    """torch's RMSprop scaling::

    v_t = α v_{t−1} + (1 − α) g²;   ḡ_t = α ḡ_{t−1} + (1 − α) g   (centred only)
    u_t = g / (√(v_t − ḡ_t²) + ε)   if centred   else   g / (√v_t + ε)
    """
    a, e = per_run(alpha), per_run(eps)

    def init(params: Array) -> ScaleByRmsState:
        return ScaleByRmsState(np.zeros_like(params), np.zeros_like(params) if centered else None)

    def update(u: Array, state: ScaleByRmsState, params: Array) -> tuple[Array, ScaleByRmsState]:
        square_avg = a * state.square_avg + (1.0 - a) * u * u
        if centered:
            assert state.grad_avg is not None  # init made it: centred
            grad_avg = a * state.grad_avg + (1.0 - a) * u
            avg = np.sqrt(square_avg - grad_avg * grad_avg) + e
        else:
            grad_avg = None
            avg = np.sqrt(square_avg) + e
        return u / avg, ScaleByRmsState(square_avg, grad_avg)

    return Transform(init, update)


def scale_by_adam(betas: tuple[Hyper, Hyper], eps: Hyper, amsgrad: bool = False) -> Transform:
    """torch's Adam scaling, with bias correction::

    m_t = β₁ m_{t−1} + (1 − β₁) g;    v_t = β₂ v_{t−1} + (1 − β₂) g²
    v̂_t = max(v̂_{t−1}, v_t) with AMSGrad, else v_t
    u_t = m_t / (1 − β₁ᵗ) / (√v̂_t / √(1 − β₂ᵗ) + ε)
    """
    b1, b2 = per_run(betas[0]), per_run(betas[1])
    e = per_run(eps)

    def init(params: Array) -> ScaleByAdamState:
        zeros = np.zeros_like(params)
        return ScaleByAdamState(0, zeros, zeros.copy(), zeros.copy() if amsgrad else None)

    def update(u: Array, state: ScaleByAdamState, params: Array) -> tuple[Array, ScaleByAdamState]:
        t = state.step + 1
        # m + (1 − β₁)(g − m) is torch's lerp form; each new array is written in place once.
        exp_avg = u - state.exp_avg
        exp_avg *= 1.0 - b1
        exp_avg += state.exp_avg
        exp_avg_sq = u * u
        exp_avg_sq -= state.exp_avg_sq
        exp_avg_sq *= 1.0 - b2
        exp_avg_sq += state.exp_avg_sq
        second = exp_avg_sq
        if amsgrad:
            assert state.max_exp_avg_sq is not None  # init made it: AMSGrad
            second = np.maximum(state.max_exp_avg_sq, exp_avg_sq)
        denom = np.sqrt(second)
        denom *= 1.0 / np.sqrt(1.0 - b2**t)
        denom += e
        out = np.divide(exp_avg, denom, out=denom)
        out *= 1.0 / (1.0 - b1**t)
        return out, ScaleByAdamState(t, exp_avg, exp_avg_sq, second if amsgrad else None)

    return Transform(init, update)


def scale_by_adagrad(lr_decay: Hyper, initial_accumulator_value: Hyper, eps: Hyper) -> Transform:
    """torch's Adagrad scaling::

    s_t = s_{t−1} + g²   (s₀ = initial_accumulator_value)
    u_t = g / (√s_t + ε) / (1 + (t − 1)·lr_decay)
    """
    decay, s0, e = per_run(lr_decay), per_run(initial_accumulator_value), per_run(eps)

    def init(params: Array) -> ScaleByAdagradState:
        return ScaleByAdagradState(0, np.zeros_like(params) + s0)

    def update(
        u: Array, state: ScaleByAdagradState, params: Array
    ) -> tuple[Array, ScaleByAdagradState]:
        t = state.step + 1
        state_sum = state.state_sum + u * u
        out = u / (np.sqrt(state_sum) + e) / (1.0 + (t - 1) * decay)
        return out, ScaleByAdagradState(t, state_sum)

    return Transform(init, update)


def chain(*transforms: Transform) -> Transform:
    """Apply ``transforms`` in order; the state is the tuple of their states."""

    def init(params: Array) -> tuple[Any, ...]:
        return tuple(t.init(params) for t in transforms)

    def update(u: Array, state: tuple[Any, ...], params: Array) -> tuple[Array, tuple[Any, ...]]:
        new_states = []
        for t, s in zip(transforms, state, strict=True):
            u, s = t.update(u, s, params)
            new_states.append(s)
        return u, tuple(new_states)

    return Transform(init, update)


def _descend_along(
    direction: Transform,
    lr: Hyper,
    name: str,
    hyperparams: dict[str, Any],
    rebuild: Callable[..., Optimizer],
) -> Optimizer:
    """Close the chain: ``p ← p − lr · u``."""
    _check("lr", lr, 0.0, np.inf, hi_open=True)

    def update(grads: Array, state: Any, params: Array, lr_now: Hyper) -> tuple[Array, Any]:
        u, state = direction.update(np.asarray(grads), state, params)
        step = u * per_run(lr_now)
        return np.subtract(params, step, out=step), state

    def init(params: Array) -> Any:
        return direction.init(np.asarray(params))

    return Optimizer(init, update, name, {"lr": lr, **hyperparams}, rebuild)


# -- the torch.optim family ------------------------------------------------------------------------


def sgd(
    lr: Hyper = 1e-3,
    momentum: Hyper = 0.0,
    dampening: Hyper = 0.0,
    nesterov: bool = False,
    weight_decay: Hyper = 0.0,
) -> Optimizer:
    """``torch.optim.SGD``: gradient descent, optionally with (Nesterov) momentum.

    ``g ← ∇L + λp``; with momentum ``b ← βb + (1 − τ)g`` (``b₁ = g``) and ``u = b`` (or
    ``u = g + βb`` for Nesterov); ``p ← p − α u``. Plain GD when ``momentum = 0``.
    """
    _check("momentum", momentum, 0.0, np.inf)
    _check("dampening", dampening, 0.0, 1.0)
    _check("weight_decay", weight_decay, 0.0, np.inf)
    if nesterov and (np.any(np.asarray(momentum) <= 0) or np.any(np.asarray(dampening) != 0)):
        raise ValueError("Nesterov momentum requires a momentum > 0 and zero dampening")
    blocks = [add_decayed_weights(weight_decay)]
    if np.any(np.asarray(momentum) != 0):
        # torch ignores dampening when momentum is 0; per-run arrays may mix both cases.
        dampening = np.where(np.asarray(momentum) == 0, 0.0, dampening)
        blocks.append(trace(momentum, dampening, nesterov))
    hyper = {
        "momentum": momentum,
        "dampening": dampening,
        "nesterov": nesterov,
        "weight_decay": weight_decay,
    }
    return _descend_along(chain(*blocks), lr, "sgd", hyper, sgd)


def adagrad(
    lr: Hyper = 1e-2,
    lr_decay: Hyper = 0.0,
    weight_decay: Hyper = 0.0,
    initial_accumulator_value: Hyper = 0.0,
    eps: Hyper = 1e-10,
) -> Optimizer:
    """``torch.optim.Adagrad``: ``s ← s + g²``; ``p ← p − α g / (√s + ε) / (1 + (t−1)·decay)``."""
    _check("lr_decay", lr_decay, 0.0, np.inf)
    _check("weight_decay", weight_decay, 0.0, np.inf)
    _check("initial_accumulator_value", initial_accumulator_value, 0.0, np.inf)
    _check("eps", eps, 0.0, np.inf)
    direction = chain(
        add_decayed_weights(weight_decay),
        scale_by_adagrad(lr_decay, initial_accumulator_value, eps),
    )
    hyper = {
        "lr_decay": lr_decay,
        "weight_decay": weight_decay,
        "initial_accumulator_value": initial_accumulator_value,
        "eps": eps,
    }
    return _descend_along(direction, lr, "adagrad", hyper, adagrad)


def rmsprop(
    lr: Hyper = 1e-2,
    alpha: Hyper = 0.99,
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 0.0,
    momentum: Hyper = 0.0,
    centered: bool = False,
) -> Optimizer:
    """``torch.optim.RMSprop``: ``v ← αv + (1−α)g²``; ``u = g/(√v + ε)`` (centred: subtract the
    squared running mean of g under the root); with momentum ``b ← βb + u`` (``b₀ = 0``);
    ``p ← p − α_lr · b``."""
    _check("alpha", alpha, 0.0, 1.0)
    _check("eps", eps, 0.0, np.inf)
    _check("weight_decay", weight_decay, 0.0, np.inf)
    _check("momentum", momentum, 0.0, np.inf)
    blocks = [add_decayed_weights(weight_decay), scale_by_rms(alpha, eps, centered)]
    if np.any(np.asarray(momentum) != 0):
        # torch starts this buffer at zero: b₁ = β·0 + u₁ = u₁, which trace() reproduces.
        blocks.append(trace(momentum))
    hyper = {
        "alpha": alpha,
        "eps": eps,
        "weight_decay": weight_decay,
        "momentum": momentum,
        "centered": centered,
    }
    return _descend_along(chain(*blocks), lr, "rmsprop", hyper, rmsprop)


def _adam_family(
    name: str,
    lr: Hyper,
    betas: tuple[Hyper, Hyper],
    eps: Hyper,
    weight_decay: Hyper,
    amsgrad: bool,
    decoupled: bool,
) -> Optimizer:
    _check("betas[0]", betas[0], 0.0, 1.0, hi_open=True)
    _check("betas[1]", betas[1], 0.0, 1.0, hi_open=True)
    _check("eps", eps, 0.0, np.inf)
    _check("weight_decay", weight_decay, 0.0, np.inf)
    scale = scale_by_adam(betas, eps, amsgrad)
    decay = add_decayed_weights(weight_decay)
    direction = chain(scale, decay) if decoupled else chain(decay, scale)
    hyper = {"betas": tuple(betas), "eps": eps, "weight_decay": weight_decay, "amsgrad": amsgrad}
    return _descend_along(direction, lr, name, hyper, adamw if decoupled else adam)


def adam(
    lr: Hyper = 1e-3,
    betas: tuple[Hyper, Hyper] = ADAM_BETAS,
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 0.0,
    amsgrad: bool = False,
) -> Optimizer:
    """``torch.optim.Adam``: ``g ← ∇L + λp`` (coupled L2), then the Adam scaling
    ``u = m̂ / (√v̂ + ε)`` (see :func:`scale_by_adam`); ``p ← p − α u``."""
    return _adam_family("adam", lr, betas, eps, weight_decay, amsgrad, decoupled=False)


def adamw(
    lr: Hyper = 1e-3,
    betas: tuple[Hyper, Hyper] = ADAM_BETAS,
    eps: Hyper = 1e-8,
    weight_decay: Hyper = 1e-2,
    amsgrad: bool = False,
) -> Optimizer:
    """``torch.optim.AdamW``: decoupled weight decay, ``p ← p − α (m̂ / (√v̂ + ε) + λ p)``,
    i.e. ``p ← p(1 − αλ) − α m̂/(√v̂ + ε)``, so the decay does not pass through Adam's scaling."""
    return _adam_family("adamw", lr, betas, eps, weight_decay, amsgrad, decoupled=True)


OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adam": adam,
    "adamw": adamw,
}


def _take(value: Any, rows: Array | slice) -> Any:
    if isinstance(value, tuple):
        return tuple(_take(v, rows) for v in value)
    arr = np.asarray(value)
    return arr[rows] if arr.ndim >= 1 else value


def n_runs(optimizer: Optimizer) -> int | None:
    """The number of trajectories the per-run hyperparameters describe (``None`` if all scalar).

    Raises ``ValueError`` when two per-run arrays disagree in length.
    """
    lengths = set()
    for value in optimizer.hyperparams.values():
        for item in value if isinstance(value, tuple) else (value,):
            if np.ndim(item) >= 1:
                lengths.add(int(np.shape(item)[0]))
    if len(lengths) > 1:
        raise ValueError(f"per-run hyperparameters disagree in length: {sorted(lengths)}")
    return lengths.pop() if lengths else None


def take(optimizer: Optimizer, rows: Array | slice) -> Optimizer:
    """The same optimizer restricted to trajectories ``rows``: every per-run hyperparameter
    (an array of shape ``(N,)``) is sliced, scalars are kept. Used to run blocks of trajectories.
    """
    return optimizer.rebuild(**{k: _take(v, rows) for k, v in optimizer.hyperparams.items()})
