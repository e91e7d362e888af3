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
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from gdviz.core import parallel
from gdviz.core.optim import Optimizer, n_runs, take
from gdviz.core.schedules import Schedule, constant
from gdviz.core.stepping import (
    BLOWUP_FACTOR,
    CONVERGED,
    DIVERGED,
    UNCONVERGED,
    BatchObjective,
    Block,
    Objective,
    Settings,
    TooLongError,
    batch_orders,
    batches,
    inner_box,
)

__all__ = [
    "BLOCK_SIZE",
    "BLOWUP_FACTOR",
    "CONVERGED",
    "DIVERGED",
    "UNCONVERGED",
    "BatchObjective",
    "Objective",
    "TooLongError",
    "Trajectory",
    "batch_orders",
    "batches",
    "descend",
]

Array = np.ndarray


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


BLOCK_SIZE = 16384
"""Trajectories per block. Large sweeps run block by block: memory stays bounded and every
temporary stays small enough to be recycled by the allocator. One block of 65,536 runs was
about 25% slower per step on the development machine (page faults on fresh 1 MiB temporaries);
blocks of a few thousand runs pay more in per-call overhead than they save."""


_PER_STEP = frozenset({"path", "loss", "grad_norm", "lr"})


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
    start = _broadcast_runs(_checked_start(objective, start, dtype), optimizer, grad_noise)
    n_runs = start.shape[0]
    if batch_size is not None and batches(objective) is None:
        raise ValueError("batch_size needs an objective built from data (with n_samples)")
    far_box = _far_box(objective, escape)
    settings = Settings(
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
        inner=inner_box(far_box),
        seconds=seconds,
        deadline=None if seconds is None else time.monotonic() + seconds,
    )
    noise = np.broadcast_to(np.asarray(grad_noise, dtype=float), (n_runs,))
    if np.any(~np.isfinite(noise) | (noise < 0)):
        raise ValueError("grad_noise must be finite and >= 0")

    size, workers = _blocking(settings, n_runs, optimizer, independent_noise)
    # Shared among processes, runs are dealt out in turn (run i to share i mod workers): the
    # costly runs of a sweep's low rates, or a map's far-flung corner, land on every core.
    # Each run's numbers do not depend on its neighbours, so this changes no bit.
    dealt = workers > 1 and not independent_noise
    order = np.concatenate([np.arange(i, n_runs, workers) for i in range(workers)])
    rows_of = order if dealt else np.arange(n_runs)
    blocks = [rows_of[a : a + size] for a in range(0, n_runs, size)]
    per_run_noise = np.ndim(grad_noise) > 0
    tasks = []
    for index, rows in enumerate(blocks):
        whole = len(blocks) == 1 and not dealt
        opt = optimizer if whole else take(optimizer, rows)
        sigma = noise[rows] if per_run_noise else float(noise[0])
        recipe = (opt.rebuild, opt.hyperparams) if workers > 1 else opt
        tasks.append((settings, recipe, start if whole else start[rows], sigma, index))
    joined = _joined(parallel.map_blocks(run_block, tasks, workers), settings.steps)
    return joined.take(np.argsort(order)) if dealt else joined


def run_block(
    settings: Settings,
    optimizer: Optimizer | tuple[Callable[..., Optimizer], dict[str, Any]],
    start: Array,
    sigma: float | Array,
    index: int,
) -> dict[str, Array]:
    """One block's arrays: ``Block(...).run()``, here or in a worker process (which is sent
    the optimizer's recipe, ``(rebuild, hyperparams)``: an optimizer's functions are closures
    and do not pickle)."""
    if not isinstance(optimizer, Optimizer):  # (an Optimizer is a tuple too: ask for it)
        rebuild, hyperparams = optimizer
        optimizer = rebuild(**hyperparams)
    return Block(settings, optimizer, start, sigma, index).run()


def _blocking(
    settings: Settings, n_runs: int, optimizer: Optimizer, independent_noise: bool
) -> tuple[int, int]:
    """Runs per block, and how many worker processes share the blocks (1: this thread).

    Every block sees the same mini-batches and shared noise, so a call may be cut anywhere
    without changing a bit, and a large call is cut into one block per worker when that
    makes blocks smaller than :data:`BLOCK_SIZE`. Independent noise is drawn per block (its
    stream is the block's index), so those calls keep :data:`BLOCK_SIZE` blocks whoever
    computes them."""
    data = batches(settings.objective)
    rows = settings.batch_size or (data.n_samples if data is not None else 1)
    # A typed formula's measured cost (``Landscape.cost``: 1 for a built-in, 48 for a sum of
    # thirty powers) scales its arithmetic.
    slower = max(1.0, float(getattr(settings.objective, "cost", 1.0)))
    cost = round(settings.objective.dim * rows * slower)
    workers = parallel.workers_for(n_runs, settings.steps, cost)
    if workers > 1 and not parallel.picklable((settings, optimizer.rebuild)):
        workers = 1  # an objective or schedule made of closures: it cannot leave this process
    if workers == 1 or independent_noise:
        return BLOCK_SIZE, workers
    return min(BLOCK_SIZE, -(-n_runs // workers)), workers


def _checked_start(objective: Objective, start: Array, dtype: type) -> Array:
    """``start`` as ``(N, d)`` of ``dtype``, after checking its shape, values and the dtype."""
    start = np.asarray(start, dtype=float)
    if start.ndim not in (1, 2) or start.shape[-1] != objective.dim:
        raise ValueError(
            f"start must have shape ({objective.dim},) or (N, {objective.dim}); got {start.shape}"
        )
    if not np.all(np.isfinite(start)):
        raise ValueError("start contains NaN or inf")
    if np.dtype(dtype) not in (np.dtype(np.float32), np.dtype(np.float64)):
        raise ValueError(f"dtype must be float32 or float64; got {dtype}")
    return np.atleast_2d(start).astype(dtype)


def _far_box(objective: Objective, escape: float) -> tuple[Array, Array] | None:
    """The escape box: ``escape`` times the plotting box around its centre (``None``: the
    objective has no box, and no escape rule)."""
    bounds = objective.bounds
    if bounds is None:
        return None
    lo, hi = np.array(bounds, dtype=float).T
    centre, half = (lo + hi) / 2.0, (hi - lo) / 2.0
    return centre - escape * half, centre + escape * half


def _joined(parts: list[dict[str, Array]], steps: int) -> Trajectory:
    """The blocks' arrays as one trajectory. Per-step arrays are ``(steps[+1], N, ...)``: runs
    on axis 1; per-run arrays have runs first."""
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
        steps=steps,
    )
