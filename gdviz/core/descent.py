"""Vectorised descent: N trajectories of one optimizer over one objective, in one numpy pass.

``descend`` loops over steps in Python and over trajectories in numpy: every operation inside the
loop acts on whole ``(N, d)`` arrays whose coordinates are contiguous in memory.

Status rules (documented here, relied on by every page):

* **diverged** at update ``t`` when the loss after update ``t`` is not finite, or exceeds
  ``1e6 · (1 + |L₀|)`` (``L₀`` the run's starting loss), or a coordinate leaves the box that is
  ``escape`` (default 100) times the landscape's plotting box around its centre. A diverged run is
  frozen at its last good point (the position after update ``t − 1``): its path and loss repeat
  that point, so no NaN or inf ever leaves ``descend``.
* **converged** when the run has *settled*: from some position ``p_k`` on, the (full, noise-free)
  gradient norm stays at most ``gtol`` and every later update moves it by at most ``xtol``, with
  at least one such update before the end (so a momentum run whizzing through the minimum on its
  last step is not "converged"). An oscillating run keeps taking large updates and never
  converges. ``converged_at`` is that ``k``: the step at which the run arrived.
* **unconverged** otherwise: still moving, oscillating, crawling over a plateau, or noisy.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol, cast

import numpy as np

from gdviz.core.landscapes.base import coordinate_major
from gdviz.core.optim import Optimizer, n_runs, per_run, take
from gdviz.core.schedules import Schedule, constant

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


@dataclass(frozen=True)
class Trajectory:
    """The result of :func:`descend` for N runs over ``steps`` updates.

    Attributes:
        path: ``(steps+1, N, d)`` positions, ``path[0]`` the start (``None`` in final-only mode);
            with ``descend(every=k)``, ``(steps//k + 1, N, d)``: the positions at steps 0, k, 2k…
        loss: ``(steps+1, N)`` full-batch loss at each position (``None`` in final-only mode).
        grad_norm: ``(steps+1, N)`` norm of the full, noise-free gradient (``None`` likewise).
        lr: ``(steps, N)`` learning rate used by each update (``None`` likewise).
        final: ``(N, d)`` last position (the frozen point for diverged runs).
        final_loss, final_grad_norm: ``(N,)`` at ``final``.
        status: ``(N,)`` strings: ``"converged"``, ``"diverged"`` or ``"unconverged"``.
        converged_at: ``(N,)`` update from which the run stayed still, ``-1`` if not converged.
        diverged_at: ``(N,)`` update that blew up, ``-1`` if the run did not diverge.
        left_domain: ``(N,)`` true for a diverged run that was stopped because the function is
            undefined (NaN) where its next step would have landed, not because it blew up.
        last_move, previous_move: ``(N, d)`` the last two updates ``p_T − p_{T−1}`` and
            ``p_{T−1} − p_{T−2}`` (zeros where there were fewer steps, or once frozen): their
            dot product is negative when the run is reversing direction (oscillating), which
            final-only sweeps need to tell "oscillating" from "too slow".
        steps: number of updates asked for.
    """

    path: Array | None
    loss: Array | None
    grad_norm: Array | None
    lr: Array | None
    final: Array
    final_loss: Array
    final_grad_norm: Array
    status: Array
    converged_at: Array
    diverged_at: Array
    left_domain: Array
    last_move: Array
    previous_move: Array
    steps: int

    @property
    def n_runs(self) -> int:
        return self.final.shape[0]

    def recorded(self, name: Literal["path", "loss", "grad_norm", "lr"]) -> Array:
        """A per-step array (``path``, ``loss``, ``grad_norm`` or ``lr``) of a run made with
        ``record="path"``; raises ``ValueError`` for a final-only run, which kept none."""
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"this trajectory kept final points only: it has no {name}")
        return value

    def take(self, runs: Array) -> Trajectory:
        """The trajectory of the runs ``runs`` (indices into the run axis), in that order."""
        runs = np.asarray(runs, dtype=int)
        fields: dict[str, Any] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if name == "steps" or value is None:
                fields[name] = value
            elif name in _PER_STEP:
                fields[name] = value[:, runs]
            else:
                fields[name] = value[runs]
        return Trajectory(**fields)

    @staticmethod
    def concat(parts: list[Trajectory]) -> Trajectory:
        """Runs of several trajectories of the same length side by side, in the given order."""
        if len({part.steps for part in parts}) != 1:
            raise ValueError("trajectories must have the same number of steps to be joined")
        fields: dict[str, Any] = {"steps": parts[0].steps}
        for name in Trajectory.__dataclass_fields__:
            if name == "steps":
                continue
            values = [getattr(part, name) for part in parts]
            if any(v is None for v in values):
                fields[name] = None
            else:
                fields[name] = np.concatenate(values, axis=1 if name in _PER_STEP else 0)
        return Trajectory(**fields)

    @property
    def start(self) -> Array:
        """``(N, d)`` start points (only in path mode)."""
        if self.path is None:
            raise ValueError("this trajectory kept final points only")
        return self.path[0]


def _sum_of_squares(a: Array) -> Array:
    """``Σᵢ aᵢ²`` over the last axis: ``(N, d) -> (N,)``; one contiguous component at a time
    for the few coordinates of a landscape, one ``einsum`` for a network's thousands."""
    if a.shape[-1] > 8:
        return np.einsum("...i,...i->...", a, a)
    total = a[..., 0] * a[..., 0]
    for i in range(1, a.shape[-1]):
        total += a[..., i] * a[..., i]
    return total


def _outside(points: Array, lo: Array, hi: Array) -> Array:
    """``True`` where any coordinate is outside ``[lo, hi]`` or NaN: ``(N, d) -> (N,)``."""
    bad = ~((points[..., 0] >= lo[0]) & (points[..., 0] <= hi[0]))
    for i in range(1, points.shape[-1]):
        bad |= ~((points[..., i] >= lo[i]) & (points[..., i] <= hi[i]))
    return bad


class _BatchSampler:
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


def _batch_rng(seed: int | None) -> np.random.Generator:
    """The generator of mini-batch orders for ``seed`` (independent of the noise stream)."""
    return np.random.default_rng(np.random.SeedSequence(seed).spawn(2)[1])


def batch_orders(n_samples: int, seed: int, epochs: int) -> Array:
    """The row orders ``descend(..., batch_size=B, seed=seed)`` uses, one per epoch:
    ``(epochs, n_samples)``. The same for every ``B``: runs with different batch sizes and the
    same seed see the rows in the same order, which is what makes them comparable."""
    rng = _batch_rng(seed)
    return np.stack([rng.permutation(n_samples) for _ in range(epochs)]).reshape(epochs, -1)


BLOCK_SIZE = 16384
"""Trajectories per block. Large sweeps run block by block: memory stays bounded and every
temporary stays small enough to be recycled by the allocator. One block of 65,536 runs was
about 25% slower per step on the development machine (page faults on fresh 1 MiB temporaries);
blocks of a few thousand runs pay more in per-call overhead than they save."""


_PER_STEP = frozenset({"path", "loss", "grad_norm", "lr"})


@dataclass
class _Settings:
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
    seconds: float | None = None  # the time limit, and the monotonic clock's reading for it
    deadline: float | None = None
    every: int = 1  # keep every k-th position in the path (the losses at every step)


class TooLongError(RuntimeError):
    """A descent stopped at its deadline (``descend(seconds=…)``): after ``seconds`` it had
    taken ``step`` of its ``steps`` updates. A server's bound on what one request may hold."""

    def __init__(self, seconds: float, step: int, steps: int) -> None:
        self.seconds, self.step, self.steps = seconds, step, steps
        super().__init__(f"stopped after {seconds:g} s, at step {step:,} of {steps:,}")


def _broadcast_runs(start: Array, optimizer: Optimizer, grad_noise: float | Array) -> Array:
    """Repeat a single start for every run that per-run hyperparameters ask for: ``(N, d)``."""
    counts = {start.shape[0]}
    per_run_opt = n_runs(optimizer)
    if per_run_opt is not None:
        counts.add(per_run_opt)
    if np.ndim(grad_noise) >= 1:
        counts.add(int(np.shape(grad_noise)[0]))
    counts.discard(1)
    if len(counts) > 1:
        raise ValueError(
            f"start ({start.shape[0]} runs), per-run hyperparameters and grad_noise disagree on "
            f"the number of runs: {sorted(counts)}"
        )
    n = counts.pop() if counts else 1
    return np.broadcast_to(start, (n, start.shape[1])) if start.shape[0] != n else start


def descend(
    objective: Objective,
    optimizer: Optimizer,
    start: Array,
    steps: int,
    *,
    schedule: Schedule | None = None,
    grad_noise: float | Array = 0.0,
    seed: int | None = None,
    batch_size: int | None = None,
    independent_noise: bool = False,
    record: Literal["path", "final"] = "path",
    xtol: float = 1e-6,
    gtol: float = 1e-6,
    escape: float = 100.0,
    dtype: type = np.float64,
    seconds: float | None = None,
    every: int = 1,
) -> Trajectory:
    """Run ``steps`` updates of ``optimizer`` on ``objective`` from each start point.

    Args:
        start: ``(d,)`` or ``(N, d)``; N trajectories run together. A single start is repeated
            for every run that per-run hyperparameters (or ``grad_noise``) describe, so a
            learning-rate sweep is ``descend(f, sgd(lr=np.logspace(-4, 0, 1000)), p0, T)``.
        steps: number of updates (0 allowed).
        schedule: learning-rate schedule ``(t, base_lr) -> lr``; constant when ``None``.
        grad_noise: σ of Gaussian noise added to every gradient component (scalar or ``(N,)``),
            simulating stochastic gradients. The noise is drawn from ``seed``; every trajectory
            sees the same draw (a fair comparison) unless ``independent_noise``, where each
            block of runs draws its own.
        batch_size: mini-batch size for objectives with ``n_samples`` rows; ``None`` is
            full-batch. Batches follow a per-epoch shuffle from ``seed``, shared by all runs.
        record: ``"path"`` keeps every position; ``"final"`` keeps only final points and
            statistics, so sweeps of 10⁵ runs need O(N) memory.
        xtol, gtol: convergence thresholds on the update length and the gradient norm.
        escape: size of the escape box, in multiples of the plotting box (see module doc).
        dtype: ``np.float64`` (default) or ``np.float32`` (PyTorch's default precision; about
            twice as fast, for maps of many runs where 7 digits are plenty).
        seconds: a time limit: past it the descent raises :class:`TooLongError` (checked once a
            step; ``None``: no limit). What a server uses to bound one request.
        every: in path mode, keep the position of every ``every``-th step only (the losses,
            gradient norms and rates of every step are kept): a network of 13,000 weights over
            5,000 steps would otherwise keep 500 MB of positions.

    Returns:
        A :class:`Trajectory`. No NaN or inf in any of its arrays.
    """
    if record not in ("path", "final"):
        raise ValueError(f"record must be 'path' or 'final'; got {record!r}")
    if int(every) != every or every < 1:
        raise ValueError(f"every must be a whole number >= 1; got {every}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0; got {steps}")
    start = np.asarray(start, dtype=float)
    if start.ndim not in (1, 2) or start.shape[-1] != objective.dim:
        raise ValueError(
            f"start must have shape ({objective.dim},) or (N, {objective.dim}); got {start.shape}"
        )
    if not np.all(np.isfinite(start)):
        raise ValueError("start contains NaN or inf")
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    start = np.atleast_2d(start).astype(dtype)
    start = _broadcast_runs(start, optimizer, grad_noise)
    n_runs = start.shape[0]
    if batch_size is not None and batches(objective) is None:
        raise ValueError("batch_size needs an objective built from data (with n_samples)")
    far_box = None
    bounds = objective.bounds
    if bounds is not None:
        lo, hi = np.array(bounds, dtype=float).T
        centre, half = (lo + hi) / 2.0, (hi - lo) / 2.0
        far_box = (centre - escape * half, centre + escape * half)
    settings = _Settings(
        objective=objective,
        schedule=schedule or constant(),
        steps=int(steps),
        seed=seed,
        batch_size=batch_size,
        independent_noise=independent_noise,
        keep_path=record == "path",
        every=int(every),
        xtol=xtol,
        gtol=gtol,
        far_box=far_box,
        seconds=seconds,
        deadline=None if seconds is None else time.monotonic() + seconds,
    )
    noise = np.broadcast_to(np.asarray(grad_noise, dtype=float), (n_runs,))
    if np.any(~np.isfinite(noise) | (noise < 0)):
        raise ValueError("grad_noise must be finite and >= 0")

    blocks = [slice(a, min(a + BLOCK_SIZE, n_runs)) for a in range(0, n_runs, BLOCK_SIZE)]
    per_run_noise = np.ndim(grad_noise) > 0

    parts = []
    for index, rows in enumerate(blocks):
        opt = optimizer if len(blocks) == 1 else take(optimizer, rows)
        sigma = noise[rows] if per_run_noise else float(noise[0])
        parts.append(_descend_block(settings, opt, start[rows], sigma, index))
    # Per-step arrays are (steps[+1], N, ...): runs on axis 1; per-run arrays have runs first.
    merged = {
        key: np.concatenate([part[key] for part in parts], axis=1 if key in _PER_STEP else 0)
        for key in parts[0]
    }
    return Trajectory(
        path=merged.get("path"),
        loss=merged.get("loss"),
        grad_norm=merged.get("grad_norm"),
        lr=merged.get("lr"),
        final=merged["final"],
        final_loss=merged["final_loss"],
        final_grad_norm=merged["final_grad_norm"],
        status=merged["status"],
        converged_at=merged["converged_at"],
        diverged_at=merged["diverged_at"],
        left_domain=merged["left_domain"],
        last_move=merged["last_move"],
        previous_move=merged["previous_move"],
        steps=settings.steps,
    )


def _descend_block(
    cfg: _Settings, optimizer: Optimizer, start: Array, sigma: float | Array, block_index: int
) -> dict[str, Array]:
    """The descent loop for one block of runs; returns the block's arrays (see Trajectory)."""
    objective, steps, gtol2, xtol2 = cfg.objective, cfg.steps, cfg.gtol**2, cfg.xtol**2
    p = coordinate_major(start)
    n_runs, dim = p.shape
    base_lr = np.asarray(optimizer.lr, dtype=p.dtype)
    # The same seed in every block: shared noise and mini-batch order do not depend on blocking.
    noise_seq = np.random.SeedSequence(cfg.seed).spawn(2)[0]
    if cfg.independent_noise:
        noise_seq = noise_seq.spawn(block_index + 1)[-1]
    noise_rng = np.random.default_rng(noise_seq)
    noisy = bool(np.any(np.asarray(sigma) != 0))
    sigma = per_run(sigma)
    sampler, data = None, batches(objective)
    if cfg.batch_size is not None and data is not None:
        sampler = _BatchSampler(data.n_samples, cfg.batch_size, _batch_rng(cfg.seed))

    with np.errstate(all="ignore"):
        loss = np.asarray(objective.value(p), dtype=float).reshape(n_runs)
        g = objective.grad(p)
        g2 = _sum_of_squares(g)
        limit = BLOWUP_FACTOR * (1.0 + np.abs(loss))
        alive = np.isfinite(loss) & np.isfinite(g2)
        diverged_at = np.where(alive, -1, 0)
        left_domain = np.isnan(loss)
        any_dead = not alive.all()
        if any_dead:
            # A start where the loss itself is undefined stays there, with finite stand-ins.
            loss, g2 = np.where(alive, loss, 0.0), np.where(alive, g2, 0.0)
            g = np.where(alive[:, None], g, 0.0)
        settled_since = np.where(g2 <= gtol2, 0, _NEVER).astype(np.int32)

        if cfg.keep_path:
            path = np.empty((steps // cfg.every + 1, n_runs, dim), dtype=p.dtype)
            losses = np.empty((steps + 1, n_runs), dtype=p.dtype)
            gnorms = np.empty((steps + 1, n_runs), dtype=p.dtype)
            lrs = np.empty((steps, n_runs))
            path[0], losses[0], gnorms[0] = p, loss, np.sqrt(g2)

        # Objectives that share work between the loss and its gradient (a data model computes
        # the residuals once) offer value_and_grad: one call per step instead of two.
        joint = getattr(objective, "value_and_grad", None)
        state: Any = optimizer.init(p)
        last_move = np.zeros_like(p)
        previous_move = last_move
        for t in range(steps):
            if cfg.deadline is not None and time.monotonic() > cfg.deadline:
                raise TooLongError(cfg.seconds or 0.0, t, steps)
            lr_t = cfg.schedule(t, base_lr)
            g_used = g if sampler is None or data is None else data.grad(p, sampler.next())
            if noisy:
                shape = (n_runs, dim) if cfg.independent_noise else (dim,)
                g_used = g_used + sigma * noise_rng.standard_normal(shape)
            p_new, state = optimizer.update(g_used, state, p, lr_t)
            g_before = g
            if joint is not None and any_dead:
                # Only the live runs: a frozen run keeps its loss and gradient, and one frozen
                # far out (1e200) costs several times a normal point to evaluate.
                loss_new, g = loss.copy(), g_before.copy()
                live = np.flatnonzero(alive)
                if live.size:
                    loss_new[live], g[live] = joint(p_new[live])
            elif joint is not None:
                loss_new, g = joint(p_new)
            else:
                loss_new = objective.value(p_new)

            bad = ~(loss_new <= limit)  # NaN, inf and blow-ups in one comparison
            if cfg.far_box is not None:
                bad |= _outside(p_new, *cfg.far_box)
            newly = bad & alive
            if newly.any():
                diverged_at[newly] = t + 1
                # NaN (not inf) at a finite point: the function is undefined there.
                left_domain |= newly & np.isnan(loss_new) & np.all(np.isfinite(p_new), axis=-1)
                alive &= ~bad
                any_dead = True
            if any_dead:
                dead = ~alive
                np.copyto(p_new, p, where=dead[:, None])
                loss_new = np.where(dead, loss, loss_new)
            if joint is None:
                g = objective.grad(p_new)
            elif newly.any():
                # A run frozen this step stays at its last point: the gradient it had there.
                g = np.where(newly[:, None], g_before, g)
            g2 = _sum_of_squares(g)
            move = p_new - p
            still = _sum_of_squares(move) <= xtol2
            # A small gradient starts (or, after a small update, continues) a settled stretch.
            arrived = np.where(still, np.minimum(settled_since, t + 1), t + 1)
            settled_since = np.where(g2 <= gtol2, arrived, _NEVER)
            p, loss = p_new, loss_new
            previous_move, last_move = last_move, move
            if cfg.keep_path:
                losses[t + 1], gnorms[t + 1] = loss, np.sqrt(g2)
                if (t + 1) % cfg.every == 0:
                    path[(t + 1) // cfg.every] = p
                lrs[t] = lr_t

        final_gnorm = np.sqrt(_sum_of_squares(g))
    converged = alive & ((settled_since < steps) | ((steps == 0) & (settled_since == 0)))
    out = {
        "final": np.ascontiguousarray(p),
        "final_loss": loss,
        "final_grad_norm": _finite(final_gnorm),
        "status": np.where(converged, CONVERGED, np.where(alive, UNCONVERGED, DIVERGED)),
        "converged_at": np.where(converged, settled_since, -1),
        "diverged_at": diverged_at,
        "left_domain": left_domain,
        "last_move": np.ascontiguousarray(last_move),
        "previous_move": np.ascontiguousarray(previous_move),
    }
    if cfg.keep_path:
        out.update(path=path, loss=losses, grad_norm=_finite(gnorms), lr=lrs)
    return out


def _finite(a: Array) -> Array:
    """Replace any non-finite entry (a gradient at a frozen point) by 0."""
    return np.where(np.isfinite(a), a, 0.0)
