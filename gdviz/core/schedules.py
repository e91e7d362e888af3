"""Learning-rate schedules with torch.optim.lr_scheduler semantics, stepped once per update.

A schedule is a pure function ``schedule(t, base_lr) -> lr``: the learning rate used by update
number ``t`` (``t = 0`` for the first update), given the optimizer's base rate. ``base_lr`` may be a
scalar or an array ``(N,)`` (one rate per trajectory); the result has its shape. Calling
``scheduler.step()`` after every ``optimizer.step()`` in PyTorch gives exactly these rates.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import numpy as np

Array = np.ndarray
Schedule = Callable[[int, "float | Array"], "float | Array"]

# Each schedule is a module-level rule bound to its numbers with ``functools.partial`` (not a
# closure), so it pickles: ``descend`` hands large jobs to worker processes (gdviz.core.parallel).


def constant() -> Schedule:
    """``lr_t = base_lr`` (no scheduler)."""
    return _constant


def _constant(t: int, base_lr: float | Array) -> float | Array:
    return base_lr


def step(step_size: int, gamma: float = 0.1) -> Schedule:
    """``torch.optim.lr_scheduler.StepLR``: ``lr_t = base_lr · γ^⌊t / step_size⌋``."""
    if step_size < 1:
        raise ValueError(f"step_size must be a positive whole number of updates; got {step_size}")
    if not gamma > 0:
        raise ValueError(f"gamma must be positive; got {gamma}")
    return partial(_step, step_size=step_size, gamma=gamma)


def _step(t: int, base_lr: float | Array, *, step_size: int, gamma: float) -> float | Array:
    return base_lr * gamma ** (t // step_size)


def exponential(gamma: float) -> Schedule:
    """``torch.optim.lr_scheduler.ExponentialLR``: ``lr_t = base_lr · γᵗ``."""
    if not gamma > 0:
        raise ValueError(f"gamma must be positive; got {gamma}")
    return partial(_exponential, gamma=gamma)


def _exponential(t: int, base_lr: float | Array, *, gamma: float) -> float | Array:
    return base_lr * gamma**t


def cosine(t_max: int, eta_min: float = 0.0) -> Schedule:
    """``torch.optim.lr_scheduler.CosineAnnealingLR`` (closed form)::

    lr_t = η_min + (base_lr − η_min) · (1 + cos(π t / T_max)) / 2
    """
    if t_max < 1:
        raise ValueError(f"t_max must be a positive whole number of updates; got {t_max}")
    if eta_min < 0:
        raise ValueError(f"eta_min must not be negative; got {eta_min}")
    return partial(_cosine, t_max=t_max, eta_min=eta_min)


def _cosine(t: int, base_lr: float | Array, *, t_max: int, eta_min: float) -> float | Array:
    return eta_min + (base_lr - eta_min) * (1.0 + math.cos(math.pi * t / t_max)) / 2.0


def linear_warmup(
    warmup_steps: int, start_factor: float = 1.0 / 3.0, after: Schedule | None = None
) -> Schedule:
    """A linear warm-up, then ``after`` (default: constant).

    For ``t < warmup_steps`` this is ``torch.optim.lr_scheduler.LinearLR(start_factor,
    end_factor=1, total_iters=warmup_steps)``::

        lr_t = base_lr · (f₀ + (1 − f₀) · t / warmup_steps)

    From ``t = warmup_steps`` on, ``after`` runs with its own clock restarted at 0, as
    ``SequentialLR(schedulers=[warmup, after], milestones=[warmup_steps])`` does.
    """
    if warmup_steps < 1:
        raise ValueError(f"warmup_steps must be a positive whole number; got {warmup_steps}")
    if not 0 < start_factor <= 1:
        raise ValueError(f"start_factor must lie in (0, 1]; got {start_factor}")
    then = after if after is not None else constant()
    return partial(_warmup, warmup_steps=warmup_steps, start_factor=start_factor, then=then)


def _warmup(
    t: int, base_lr: float | Array, *, warmup_steps: int, start_factor: float, then: Schedule
) -> float | Array:
    if t < warmup_steps:
        return base_lr * (start_factor + (1.0 - start_factor) * t / warmup_steps)
    return then(t - warmup_steps, base_lr)


def table(schedule: Schedule, steps: int, base_lr: float = 1.0) -> Array:
    """The rates of the first ``steps`` updates: ``(steps,)`` (for plotting a schedule)."""
    return np.array([schedule(t, base_lr) for t in range(steps)], dtype=float)
