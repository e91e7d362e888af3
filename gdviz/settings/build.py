"""Settings -> core objects: the one place where a validated config becomes optimizers,
schedules and runs (the core never sees pydantic)."""

from __future__ import annotations

import time
from typing import Any, Literal

import numpy as np

from gdviz.core import analysis, momentum, optim, race, schedules, scrub, sweep
from gdviz.core.descent import Trajectory, descend
from gdviz.core.momentum import MomentumMap
from gdviz.core.optim import ADAM_BETAS
from gdviz.learning import training
from gdviz.settings.models import (
    LONG_SWEEP,
    MAX_SECONDS,
    BasinConfig,
    CompareConfig,
    DataConfig,
    HikerConfig,
    RunConfig,
    SweepConfig,
    field_bounds,
)
from gdviz.settings.optimizers import (
    MAX_LR,
    AdagradConfig,
    AdamConfig,
    ConstantSchedule,
    CosineSchedule,
    ExponentialSchedule,
    RMSpropConfig,
    SGDConfig,
    StepSchedule,
    WarmupSchedule,
)


def run_data(cfg: DataConfig, problem: training.Problem) -> list[training.Training]:
    """The training runs a data config describes on ``problem`` (all three flavours when
    racing, with the same seed, so every flavour sees the rows in the same order)."""
    cfg.check(problem)
    return [
        training.train(
            problem,
            flavour,
            batch_size=cfg.batch_size,
            epochs=cfg.epochs,
            lr=cfg.lr,
            momentum=cfg.momentum,
            seed=cfg.seed,
            start=np.array(cfg.start, dtype=float),
        )
        for flavour in cfg.flavours()
    ]


HEAVY_DATA_SECONDS = 0.25
"""Estimated seconds from which a data page's training counts as heavy work: heavy work shares
the server's cores, in line (gdviz.ui.runs.heavy)."""


def data_seconds(cfg: DataConfig, problem: training.Problem) -> float:
    """About how long ``cfg``'s runs take on ``problem`` on a 2-core box: 60 µs per update
    (its bookkeeping) plus 5 ns per row evaluated (each update's batch, and every row for the
    full-batch loss it also records), for each flavour run (measured: 0.33 s for the default
    three-flavour race on tips)."""
    n = problem.dataset.n
    seconds = 0.0
    for flavour in cfg.flavours():
        size = training.batch_size_of(flavour, cfg.batch_size, n)
        updates = cfg.epochs * training.updates_per_epoch(size, n)
        seconds += updates * (60e-6 + 5e-9 * (size + n))
    return seconds


def build_optimizer(cfg: SGDConfig | AdagradConfig | RMSpropConfig | AdamConfig) -> optim.Optimizer:
    """The core optimizer for a validated optimizer config."""
    kwargs = cfg.model_dump(exclude={"kind"})
    return optim.OPTIMIZERS[cfg.kind](**kwargs)


def build_schedule(cfg: Any) -> schedules.Schedule:
    """The core schedule for a validated schedule config."""
    if isinstance(cfg, ConstantSchedule):
        return schedules.constant()
    if isinstance(cfg, StepSchedule):
        return schedules.step(cfg.step_size, cfg.gamma)
    if isinstance(cfg, ExponentialSchedule):
        return schedules.exponential(cfg.gamma)
    if isinstance(cfg, CosineSchedule):
        return schedules.cosine(cfg.t_max, cfg.eta_min)
    if isinstance(cfg, WarmupSchedule):
        return schedules.linear_warmup(cfg.warmup_steps, cfg.start_factor, build_schedule(cfg.then))
    raise TypeError(f"not a schedule config: {cfg!r}")


def _descent(cfg: RunConfig) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """The arguments of the descent a run config describes: ``(objective, optimizer, start,
    steps)`` and the schedule, noise and seed (one run, or its scrubber family)."""
    return (
        cfg.surface(),
        build_optimizer(cfg.optimizer),
        np.array(cfg.start, dtype=float),
        cfg.steps,
    ), {"schedule": build_schedule(cfg.schedule), "grad_noise": cfg.grad_noise, "seed": cfg.seed}


def run(cfg: RunConfig, record: Literal["path", "final"] = "path") -> Trajectory:
    """Run the descent a config describes (one trajectory)."""
    args, kwargs = _descent(cfg)
    return descend(*args, **kwargs, record=record)


def run_family(cfg: RunConfig) -> scrub.Family:
    """The rate scrubber's family for a run config: the same run at log-spaced rates around
    its α (the critical rate is reached past for SGD, whose stability it bounds)."""
    args, kwargs = _descent(cfg)
    return scrub.rate_family(*args, **kwargs, bounded=cfg.optimizer.kind == "sgd", high=MAX_LR)


def run_momentum_family(cfg: RunConfig) -> scrub.Family:
    """The β scrubber's family for an SGD run config: the same run at momenta 0 … 0.98 and its
    own β (everything else its own)."""
    args, kwargs = _descent(cfg)
    return scrub.momentum_family(*args, **kwargs)


HIKER_PREVIEW = 50
"""Steps the hiker's scrubber previews at every rate (a hike is taken a step at a time)."""


def run_hiker_family(cfg: HikerConfig, steps: int = HIKER_PREVIEW) -> scrub.Family:
    """The hiker's scrubber: ``steps`` plain gradient-descent steps from the hike's start at
    log-spaced rates around its α (past the critical rate 2/L''), within the hiker's bounds."""
    low, high = field_bounds(HikerConfig, "lr", inclusive=True)
    return scrub.rate_family(
        cfg.surface(),
        optim.sgd(cfg.lr),
        np.array([cfg.x0], dtype=float),
        steps,
        low=low if low is not None else 0.0,
        high=high if high is not None else MAX_LR,
    )


DATA_FAMILY_BUDGET = 4e8
"""Row-evaluations a data scrubber may spend (rates × updates × rows): a large upload at one
row per update gets fewer rates (never fewer than :data:`DATA_FAMILY_MIN`), not a long wait."""
DATA_FAMILY_MIN = 16


def run_data_family(cfg: DataConfig, problem: training.Problem) -> scrub.Family:
    """The data page's scrubber: the chosen flavour's training (same batches, same momentum)
    at log-spaced rates around its α, past the full-batch critical rate at the optimum."""
    cfg.check(problem)
    n = problem.dataset.n
    size = training.batch_size_of(cfg.flavour, cfg.batch_size, n)
    steps = cfg.epochs * training.updates_per_epoch(size, n)
    count = int(np.clip(DATA_FAMILY_BUDGET / (steps * n), DATA_FAMILY_MIN, scrub.FAMILY_SIZE))
    return scrub.rate_family(
        problem.objective,
        optim.sgd(cfg.lr, momentum=cfg.momentum),
        np.array(cfg.start, dtype=float),
        steps,
        minima=np.empty((0, 2)) if problem.optimum is None else problem.optimum[None],
        floor=problem.optimum_loss,
        seed=cfg.seed,
        batch_size=size,
        count=count,
        high=MAX_LR,
    )


def compare_entries(cfg: CompareConfig) -> list[race.Entry]:
    """The core competitors a compare config describes."""
    return [
        race.Entry(
            label=run.label,
            optimizer=build_optimizer(run.optimizer),
            schedule=build_schedule(run.schedule),
            schedule_key=run.schedule.model_dump_json(),
            grad_noise=run.grad_noise,
        )
        for run in cfg.runs
    ]


def run_compare(cfg: CompareConfig) -> Trajectory:
    """Race the runs of a compare config (one vectorised call per optimizer kind)."""
    return race.race(
        cfg.surface(),
        compare_entries(cfg),
        np.array(cfg.start, dtype=float),
        cfg.steps,
        seed=cfg.seed,
    )


def run_sweep(
    cfg: SweepConfig, steps: int | None = None, seconds: float | None = None
) -> sweep.Sweep:
    """The learning-rate sweep a config describes (``steps`` overrides the config's;
    ``seconds`` is a time limit, past which ``TooLongError`` is raised)."""
    opt = cfg.optimizer
    hyper = opt.model_dump(exclude={"kind", "lr"})
    momentum = getattr(opt, "momentum", 0.0) if opt.kind == "sgd" else 0.0
    return sweep.lr_sweep(
        cfg.surface(),
        lambda lrs: optim.OPTIMIZERS[opt.kind](lr=lrs, **hyper),
        np.array(cfg.start, dtype=float),
        steps or cfg.steps,
        cfg.rates(),
        momentum=momentum,
        nesterov=bool(getattr(opt, "nesterov", False)),
        seconds=seconds,
    )


def run_sweeps(cfg: SweepConfig) -> tuple[sweep.Sweep, sweep.Sweep]:
    """The sweep at its steps and at ``LONG_SWEEP``× them (more steps shrink "too slow",
    never "diverging"), within one request's time: :data:`MAX_SECONDS` for both together
    (``TooLongError`` past it)."""
    began = time.monotonic()
    short = run_sweep(cfg, seconds=MAX_SECONDS)
    left = MAX_SECONDS - (time.monotonic() - began)
    return short, run_sweep(cfg, LONG_SWEEP * cfg.steps, seconds=max(left, 0.0))


MOMENTUM_ALPHAS = 90  # the (α, β) map's columns: log-spaced over the sweep's range of α
MOMENTUM_BETAS = 50  # its rows: β from 0 to MOMENTUM_BETA_MAX
MOMENTUM_BETA_MAX = 0.98
MOMENTUM_STEPS = 500  # a measured rate is read over at most this many steps
MOMENTUM_RUNS = MOMENTUM_ALPHAS * MOMENTUM_BETAS


def run_momentum(cfg: SweepConfig) -> MomentumMap | None:
    """The (α, β) map of heavy-ball momentum for the sweep's landscape, start and range of α:
    the rate on the quadratic model at the minimum nearest the start (its Hessian's
    eigenvalues), and measured from the start over ``min(steps, MOMENTUM_STEPS)`` steps;
    ``None`` when the landscape knows no minimum to measure against. Within
    :data:`MAX_SECONDS` (``TooLongError`` past it)."""
    ls = cfg.surface()
    index, _ = ls.nearest_minimum(np.asarray(cfg.start, dtype=float))
    if int(index) < 0:
        return None
    minimum = ls.minima[int(index)]
    alphas = np.geomspace(cfg.lr_min, cfg.lr_max, MOMENTUM_ALPHAS)
    betas = np.linspace(0.0, MOMENTUM_BETA_MAX, MOMENTUM_BETAS)
    eigenvalues = analysis.hessian_eigenvalues(ls, minimum)
    steps = min(cfg.steps, MOMENTUM_STEPS)
    measured = momentum.measured_rates(
        ls, np.asarray(cfg.start, dtype=float), minimum, alphas, betas, steps, seconds=MAX_SECONDS
    )
    return MomentumMap(
        alphas,
        betas,
        momentum.rate_map(eigenvalues, alphas, betas),
        measured,
        eigenvalues,
        momentum.optimum(eigenvalues),
    )


def run_basins(cfg: BasinConfig) -> sweep.BasinMap:
    """The basin map a config describes, within :data:`MAX_SECONDS` (``TooLongError`` past it)."""
    return sweep.basins(
        cfg.surface(),
        build_optimizer(cfg.optimizer),
        cfg.resolution,
        cfg.steps,
        seconds=MAX_SECONDS,
    )


def optimizer_payload(
    kind: str,
    lr: float,
    momentum: float = 0.0,
    nesterov: bool = False,
    betas: tuple[float, float] = ADAM_BETAS,
    weight_decay: float | None = None,
) -> dict:
    """An optimizer config payload with only the fields that apply to ``kind``."""
    payload: dict = {"kind": kind, "lr": lr}
    if weight_decay is not None:
        payload["weight_decay"] = weight_decay
    if kind in ("sgd", "rmsprop"):
        payload["momentum"] = momentum
    if kind == "sgd":
        payload["nesterov"] = nesterov and momentum > 0
    if kind in ("adam", "adamw"):
        payload["betas"] = betas
    return payload
