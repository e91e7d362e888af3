"""One block of runs stepped together: the loop inside :func:`gdviz.core.descent.descend`.

What an objective must offer (:class:`Objective`, :class:`BatchObjective`), the mini-batch
order (torch's ``DataLoader(shuffle=True)``), the deadline a server sets (:class:`TooLongError`)
and :class:`Block`, which steps ``(N, d)`` positions through one optimizer and keeps what a
:class:`~gdviz.core.descent.Trajectory` needs. The status rules are ``descent``'s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, cast

import numpy as np

from gdviz.core.landscapes.base import coordinate_major
from gdviz.core.optim import Optimizer, per_run
from gdviz.core.schedules import Schedule

Array = np.ndarray

CONVERGED, DIVERGED, UNCONVERGED = "converged", "diverged", "unconverged"
BLOWUP_FACTOR = 1e6
_NEVER = np.iinfo(np.int32).max


class Objective(Protocol):
    """What ``descend`` and ``analysis`` need, vectorised over points of shape ``(..., d)``:
    ``value -> (...)``, ``grad -> (..., d)``, ``hessian -> (..., d, d)``; ``dim`` is d and
    ``bounds`` the box shown on screen (``((lo, hi),) * d``, or ``None``: no escape rule).

    Optional, found by :func:`batches` and ``value_and_grad`` lookups: the mini-batch variant
    (:class:`BatchObjective`), and ``value_and_grad(p) -> (value, grad)`` for objectives that
    share work between the two.
    """

    @property
    def dim(self) -> int: ...

    @property
    def bounds(self) -> Sequence[tuple[float, float]] | None: ...

    def value(self, points: Array) -> Array: ...

    def grad(self, points: Array) -> Array: ...

    def hessian(self, points: Array) -> Array: ...


class BatchObjective(Objective, Protocol):
    """An objective that is a mean over ``n_samples`` data rows: ``grad(p, rows)`` is the
    gradient of the mean over the rows ``rows`` (an index array ``(B,)``) alone."""

    @property
    def n_samples(self) -> int: ...

    def grad(self, points: Array, rows: Array | None = None) -> Array: ...


def batches(objective: Objective) -> BatchObjective | None:
    """``objective`` as a :class:`BatchObjective` when it is built from data, else ``None``."""
    has_rows = getattr(objective, "n_samples", None) is not None
    return cast(BatchObjective, objective) if has_rows else None


def _sum_of_squares(a: Array) -> Array:
    """``Σᵢ aᵢ²`` over the last axis: ``(N, d) -> (N,)``; one contiguous component at a time
    for the few coordinates of a landscape, one ``einsum`` for a network's thousands."""
    if a.shape[-1] > 8:
        return np.einsum("...i,...i->...", a, a)
    total = a[..., 0] * a[..., 0]
    for i in range(1, a.shape[-1]):
        total += a[..., i] * a[..., i]
    return total


def inner_box(far_box: tuple[Array, Array] | None) -> tuple[float, float] | None:
    """``(lo, hi)``: the interval inside every coordinate's escape box (``None`` when there is
    no escape box, or the boxes do not overlap and every step needs the full test)."""
    if far_box is None:
        return None
    lo, hi = float(np.max(far_box[0])), float(np.min(far_box[1]))
    return (lo, hi) if lo <= hi else (np.inf, -np.inf)


def _outside(points: Array, lo: Array, hi: Array) -> Array:
    """``True`` where any coordinate is outside ``[lo, hi]`` or NaN: ``(N, d) -> (N,)``."""
    bad = ~((points[..., 0] >= lo[0]) & (points[..., 0] <= hi[0]))
    for i in range(1, points.shape[-1]):
        bad |= ~((points[..., i] >= lo[i]) & (points[..., i] <= hi[i]))
    return bad


class BatchSampler:
    """Mini-batch row indices the way ``DataLoader(batch_size=B, shuffle=True)`` draws them:
    a fresh permutation of the n rows every epoch, cut into consecutive batches, the last one
    possibly smaller (``drop_last=False``)."""

    def __init__(self, n_samples: int, batch_size: int, rng: np.random.Generator) -> None:
        if not 1 <= batch_size <= n_samples:
            raise ValueError(f"batch_size must lie in [1, {n_samples}]; got {batch_size}")
        self.n, self.b, self.rng = n_samples, batch_size, rng
        self.order = rng.permutation(n_samples)
        self.pos = 0

    def next(self) -> Array:
        if self.pos >= self.n:
            self.order, self.pos = self.rng.permutation(self.n), 0
        rows = self.order[self.pos : self.pos + self.b]
        self.pos += self.b
        return rows


def batch_rng(seed: int | None) -> np.random.Generator:
    """The generator of mini-batch orders for ``seed`` (independent of the noise stream)."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])


def batch_orders(n_samples: int, seed: int, epochs: int) -> Array:
    """The row orders ``descend(..., batch_size=B, seed=seed)`` uses, one per epoch:
    ``(epochs, n_samples)``. The same for every ``B``: runs with different batch sizes and the
    same seed see the rows in the same order, which is what makes them comparable."""
    rng = batch_rng(seed)
    return np.stack([rng.permutation(n_samples) for _ in range(epochs)]).reshape(epochs, -1)


@dataclass
class Settings:
    """Everything a block needs besides its own rows; shared read-only by all blocks."""

    objective: Objective
    schedule: Schedule
    steps: int
    seed: int | None
    batch_size: int | None
    independent_noise: bool
    keep_path: bool
    xtol: float
    gtol: float
    far_box: tuple[Array, Array] | None
    inner: tuple[float, float] | None = None  # where every escape box overlaps (inner_box)
    seconds: float | None = None  # the time limit, and the monotonic clock's reading for it
    deadline: float | None = None
    every: int = 1  # keep every k-th position in the path (the losses at every step)


class TooLongError(RuntimeError):
    """A descent stopped at its deadline (``descend(seconds=…)``): after ``seconds`` it had
    taken ``step`` of its ``steps`` updates. A server's bound on what one request may hold."""

    def __init__(self, seconds: float, step: int, steps: int) -> None:
        self.seconds, self.step, self.steps = seconds, step, steps
        super().__init__(f"stopped after {seconds:g} s, at step {step:,} of {steps:,}")

    def __reduce__(self) -> tuple[type, tuple[float, int, int]]:
        # Raised in a worker process, it is pickled back to the caller with its numbers.
        return (TooLongError, (self.seconds, self.step, self.steps))


class Block:
    """The descent loop for one block of runs (rows of ``start (N, d)``), and what it keeps.

    The state between steps: positions ``p (N, d)``, loss ``(N,)``, gradient ``g (N, d)`` and
    its squared norm, which runs are alive (not diverged), since when each has settled, and
    the last two moves. :meth:`run` steps it ``cfg.steps`` times and returns the block's
    arrays (see ``Trajectory``)."""

    def __init__(
        self,
        cfg: Settings,
        optimizer: Optimizer,
        start: Array,
        sigma: float | Array,
        block_index: int,
    ) -> None:
        self.cfg, self.optimizer = cfg, optimizer
        self.p = coordinate_major(start)
        self.n_runs, self.dim = self.p.shape
        self.base_lr = np.asarray(optimizer.lr, dtype=self.p.dtype)
        # The same seed in every block: shared noise and mini-batch order do not depend on
        # blocking.
        noise_seq = np.random.SeedSequence(cfg.seed).spawn(2)[0]
        if cfg.independent_noise:
            noise_seq = noise_seq.spawn(block_index + 1)[-1]
        self.noise_rng = np.random.default_rng(noise_seq)
        self.noisy = bool(np.any(np.asarray(sigma) != 0))
        self.sigma = per_run(sigma)
        self.sampler, self.data = None, batches(cfg.objective)
        if cfg.batch_size is not None and self.data is not None:
            self.sampler = BatchSampler(self.data.n_samples, cfg.batch_size, batch_rng(cfg.seed))
        # Objectives that share work between the loss and its gradient (a data model computes
        # the residuals once) offer value_and_grad: one call per step instead of two.
        self.joint = getattr(cfg.objective, "value_and_grad", None)

    def run(self) -> dict[str, Array]:
        """All the steps; the block's arrays."""
        with np.errstate(all="ignore"):
            self._first()
            for t in range(self.cfg.steps):
                if self.cfg.deadline is not None and time.monotonic() > self.cfg.deadline:
                    raise TooLongError(self.cfg.seconds or 0.0, t, self.cfg.steps)
                self._step(t)
            final_gnorm = np.sqrt(_sum_of_squares(self.g))
        return self._result(final_gnorm)

    def _first(self) -> None:
        """The start: loss, gradient, which runs start where the loss is undefined."""
        cfg, p, n_runs = self.cfg, self.p, self.n_runs
        loss = np.asarray(cfg.objective.value(p), dtype=float).reshape(n_runs)
        g = cfg.objective.grad(p)
        g2 = _sum_of_squares(g)
        self.limit = BLOWUP_FACTOR * (1.0 + np.abs(loss))
        alive = np.isfinite(loss) & np.isfinite(g2)
        self.diverged_at = np.where(alive, -1, 0)
        self.left_domain = np.isnan(loss)
        self.any_dead = not alive.all()
        if self.any_dead:
            # A start where the loss itself is undefined stays there, with finite stand-ins.
            loss, g2 = np.where(alive, loss, 0.0), np.where(alive, g2, 0.0)
            g = np.where(alive[:, None], g, 0.0)
        self.loss, self.g, self.alive = loss, g, alive
        self.settled_since = np.where(g2 <= cfg.gtol**2, 0, _NEVER).astype(np.int32)
        self.unsettled = bool(np.all(self.settled_since == _NEVER))  # no run has settled yet
        if cfg.keep_path:
            steps = cfg.steps
            self.path = np.empty((steps // cfg.every + 1, n_runs, self.dim), dtype=p.dtype)
            self.losses = np.empty((steps + 1, n_runs), dtype=p.dtype)
            self.gnorms = np.empty((steps + 1, n_runs), dtype=p.dtype)
            self.lrs = np.empty((steps, n_runs))
            self.path[0], self.losses[0], self.gnorms[0] = p, loss, np.sqrt(g2)
        self.state: Any = self.optimizer.init(p)
        self.last_move = np.zeros_like(p)
        self.previous_move = self.last_move

    def _gradient_used(self) -> Array:
        """The gradient the update sees: full or of the next mini-batch, plus noise."""
        g_used = self.g
        if self.sampler is not None and self.data is not None:
            g_used = self.data.grad(self.p, self.sampler.next())
        if self.noisy:
            shape = (self.n_runs, self.dim) if self.cfg.independent_noise else (self.dim,)
            g_used = g_used + self.sigma * self.noise_rng.standard_normal(shape)
        return g_used

    def _evaluate(self, p_new: Array) -> tuple[Array, Array | None]:
        """The loss at the new positions, and with ``value_and_grad`` the gradient too."""
        joint = self.joint
        if joint is not None and self.any_dead:
            # Only the live runs: a frozen run keeps its loss and gradient, and one frozen far
            # out (1e200) costs several times a normal point to evaluate.
            loss_new, g = self.loss.copy(), self.g.copy()
            live = np.flatnonzero(self.alive)
            if live.size:
                loss_new[live], g[live] = joint(p_new[live])
            return loss_new, g
        if joint is not None:
            return joint(p_new)
        return self.cfg.objective.value(p_new), None

    def _freeze(self, t: int, p_new: Array, loss_new: Array) -> tuple[Array | None, Array]:
        """Runs that blew up at update ``t`` are frozen at their last good point; the runs
        newly frozen (``None``: none), and the losses with the frozen runs' kept."""
        if not self.any_dead and self._all_fine(p_new, loss_new):
            return None, loss_new  # the usual step: three reductions instead of ~14 passes
        bad = ~(loss_new <= self.limit)  # NaN, inf and blow-ups in one comparison
        if self.cfg.far_box is not None:
            bad |= _outside(p_new, *self.cfg.far_box)
        newly = bad & self.alive
        if newly.any():
            self.diverged_at[newly] = t + 1
            # NaN (not inf) at a finite point: the function is undefined there.
            self.left_domain |= newly & np.isnan(loss_new) & np.all(np.isfinite(p_new), axis=-1)
            self.alive &= ~bad
            self.any_dead = True
        else:
            newly = None
        if self.any_dead:
            dead = ~self.alive
            np.copyto(p_new, self.p, where=dead[:, None])
            loss_new = np.where(dead, self.loss, loss_new)
        return newly, loss_new

    def _all_fine(self, p_new: Array, loss_new: Array) -> bool:
        """True when no run blew up: every loss within its limit (NaN fails) and every
        coordinate inside the box where the escape boxes of all coordinates overlap (a
        sufficient test: two reductions over the positions; NaN fails it too)."""
        if not bool(np.less_equal(loss_new, self.limit).all()):
            return False
        if self.cfg.inner is None:
            return True
        lo, hi = self.cfg.inner
        return bool(lo <= p_new.min() and p_new.max() <= hi)

    def _settle(self, t: int, g2: Array, move: Array) -> None:
        """Track since when each run has settled (see ``descent``'s status rules)."""
        cfg = self.cfg
        still = _sum_of_squares(move) <= cfg.xtol**2
        # A small gradient starts (or, after a small update, continues) a settled stretch.
        arrived = np.where(still, np.minimum(self.settled_since, t + 1), t + 1)
        self.settled_since = np.where(g2 <= cfg.gtol**2, arrived, _NEVER)
        self.unsettled = False

    def _step(self, t: int) -> None:
        """Update ``t``: step, evaluate, freeze what blew up, track settling, record."""
        cfg = self.cfg
        lr_t = cfg.schedule(t, self.base_lr)
        p_new, self.state = self.optimizer.update(self._gradient_used(), self.state, self.p, lr_t)
        g_before = self.g
        loss_new, g = self._evaluate(p_new)
        newly, loss_new = self._freeze(t, p_new, loss_new)
        if g is None:
            g = cfg.objective.grad(p_new)
        elif newly is not None:
            # A run frozen this step stays at its last point: the gradient it had there.
            g = np.where(newly[:, None], g_before, g)
        g2 = _sum_of_squares(g)
        # Until some run's gradient is small, no run settles and there is nothing to track;
        # the moves are kept for settling and for the last two updates a sweep reads.
        calm = self.unsettled and bool(g2.min() > cfg.gtol**2)
        if not calm or t >= cfg.steps - 2:
            move = p_new - self.p
            if not calm:
                self._settle(t, g2, move)
            self.previous_move, self.last_move = self.last_move, move
        self.p, self.loss, self.g = p_new, loss_new, g
        if cfg.keep_path:
            self.losses[t + 1], self.gnorms[t + 1] = loss_new, np.sqrt(g2)
            if (t + 1) % cfg.every == 0:
                self.path[(t + 1) // cfg.every] = p_new
            self.lrs[t] = lr_t

    def _result(self, final_gnorm: Array) -> dict[str, Array]:
        steps, alive, settled = self.cfg.steps, self.alive, self.settled_since
        converged = alive & ((settled < steps) | ((steps == 0) & (settled == 0)))
        out = {
            "final": np.ascontiguousarray(self.p),
            "final_loss": self.loss,
            "final_grad_norm": _finite(final_gnorm),
            "status": np.where(converged, CONVERGED, np.where(alive, UNCONVERGED, DIVERGED)),
            "converged_at": np.where(converged, settled, -1),
            "diverged_at": self.diverged_at,
            "left_domain": self.left_domain,
            "last_move": np.ascontiguousarray(self.last_move),
            "previous_move": np.ascontiguousarray(self.previous_move),
        }
        if self.cfg.keep_path:
            out.update(
                path=self.path, loss=self.losses, grad_norm=_finite(self.gnorms), lr=self.lrs
            )
        return out


def _finite(a: Array) -> Array:
    """Replace any non-finite entry (a gradient at a frozen point) by 0."""
    return np.where(np.isfinite(a), a, 0.0)
