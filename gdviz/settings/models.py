"""Validated settings: every knob a page, a URL or a lesson file can set, with its bounds.

The models are frozen and forbid unknown fields. Every bound that protects the server (steps,
learning rates, start inside the map, ...) lives here, because URL values bypass the widgets;
widgets read their limits from the same ``Field`` bounds through :func:`field_bounds`.

:mod:`gdviz.settings.build` is the one place where a config becomes core objects; the core never
sees pydantic.
"""

from __future__ import annotations

import functools
import math
from typing import Annotated, Any, ClassVar, Literal, cast

import annotated_types
import numpy as np
from pydantic import (
    BaseModel,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from gdviz import expr
from gdviz.core import landscapes
from gdviz.core.echo import quote
from gdviz.core.landscapes.base import Landscape, on_map
from gdviz.learning import datasets, training
from gdviz.settings.optimizers import (
    MAX_LR,
    ConstantSchedule,
    CosineSchedule,
    Frozen,
    LearningRate,
    Momentum,
    OptimizerConfig,
    ScheduleConfig,
    SGDConfig,
    Steps,
    WarmupSchedule,
)
from gdviz.teach import hiker

CUSTOM = "custom"
Bounds = tuple[tuple[float, float], ...]


@functools.lru_cache(maxsize=128)
def resolve_landscape(
    name: str, expression: str | None = None, bounds: Bounds | None = None, dim: int = 2
) -> Landscape:
    """The landscape a config names: a built-in, or (``name == "custom"``) a typed-in function
    of ``dim`` variables (x, or x and y) over ``bounds``. Cached: compiling samples the map."""
    if name != CUSTOM:
        return landscapes.get(name)
    if not expression or not expression.strip():
        raise ValueError("type a function for the custom landscape")
    return expr.compile_expression(expression, ("x", "y")[:dim], bounds)


class _OnLandscape(Frozen):
    """Settings that run on one landscape: a built-in name, or ``"custom"`` with its plot
    ``bounds`` (one ``(lo, hi)`` per axis) and a typed-in ``expression``.

    The name and the expression are checked by field validators, so a bad value is reported on
    its own field (the URL parser relies on that to drop just that value).
    """

    DIMS: ClassVar[tuple[int, ...]] = (1, 2)  # the dimensions this kind of config accepts
    CUSTOM_DIM: ClassVar[int] = 2

    landscape: str
    bounds: Bounds | None = None
    expression: Annotated[str, Field(max_length=expr.MAX_LENGTH)] | None = None

    @field_validator("landscape")
    @classmethod
    def _known(cls, name: str) -> str:
        allowed = [n for n in landscapes.names() if landscapes.get(n).dim in cls.DIMS]
        if name != CUSTOM and name not in allowed:
            raise ValueError(
                f"unknown landscape {quote(name)}; choose one of: {', '.join(allowed)}, "
                f"or {CUSTOM!r} with an expression"
            )
        return name

    @field_validator("expression")
    @classmethod
    def _compiles(cls, text: str | None, info: ValidationInfo) -> str | None:
        if text is None:
            return text
        if info.data.get("landscape") != CUSTOM:
            raise ValueError("an expression only goes with the custom landscape")
        # Raises ExpressionError (a ValueError) naming the problem and its column.
        resolve_landscape(CUSTOM, text, info.data.get("bounds"), cls.CUSTOM_DIM)
        return text

    @model_validator(mode="after")
    def _complete(self) -> _OnLandscape:
        if self.landscape == CUSTOM and self.expression is None:
            raise ValueError("type a function for the custom landscape")
        if self.landscape != CUSTOM and self.bounds is not None:
            raise ValueError("plot bounds only go with the custom landscape")
        return self

    def surface(self) -> Landscape:
        """The landscape these settings run on."""
        return resolve_landscape(self.landscape, self.expression, self.bounds, self.CUSTOM_DIM)


class RunConfig(_OnLandscape):
    """One descent: landscape, optimizer, schedule, start, steps, noise, seed."""

    landscape: str = "rosenbrock"
    optimizer: OptimizerConfig = SGDConfig(lr=landscapes.get("rosenbrock").lr)
    schedule: ScheduleConfig = ConstantSchedule()
    start: tuple[float, ...] = landscapes.get("rosenbrock").start
    steps: Steps = 200
    grad_noise: Annotated[float, Field(ge=0.0, le=10.0, title="gradient noise σ")] = 0.0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0

    @field_validator("start")
    @classmethod
    def _finite_start(cls, start: tuple[float, ...]) -> tuple[float, ...]:
        if not all(math.isfinite(v) for v in start):
            raise ValueError("start must be finite numbers")
        return start

    @model_validator(mode="after")
    def _start_on_the_map(self) -> RunConfig:
        check_start(self.surface(), self.start)
        return self

    @model_validator(mode="after")
    def _schedule_fits_rate(self) -> RunConfig:
        check_schedule_fits(self.optimizer, self.schedule)
        return self


def check_schedule_fits(optimizer: Any, schedule: Any) -> None:
    """A cosine schedule must anneal *down* to ``eta_min``: it has to lie below the rate."""
    sched = schedule.then if isinstance(schedule, WarmupSchedule) else schedule
    if isinstance(sched, CosineSchedule) and sched.eta_min >= optimizer.lr:
        raise ValueError(
            f"cosine eta_min ({sched.eta_min:g}) must be below the learning rate ({optimizer.lr:g})"
        )


def check_defined(ls: Landscape, start: tuple[float, ...]) -> None:
    """The loss and its gradient are defined (finite) at ``start``: a typed ``1/x`` at 0, or
    ``sqrt(x)`` at −2, cannot be a place to start from."""
    point = np.array(start, dtype=float)
    with np.errstate(all="ignore"):
        defined = np.isfinite(ls.value(point)) and np.all(np.isfinite(ls.grad(point)))
    if not defined:
        where = ", ".join(f"{v:g}" for v in start)
        raise ValueError(
            f"the function or its slope is not defined at the start ({where}); "
            "choose a start where it is"
        )


def check_start(ls: Landscape, start: tuple[float, ...]) -> None:
    """``start`` has one finite coordinate per axis, lies on the landscape's map, and the loss
    is defined there."""
    if len(start) != ls.dim:
        raise ValueError(f"start needs {ls.dim} coordinate(s) for {ls.name}; got {len(start)}")
    if not ls.contains(start):
        axis, value, (lo, hi) = next(
            (axis, v, box)
            for axis, v, box in zip("xy", start, ls.bounds, strict=False)
            if not on_map((box,), (v,))
        )
        raise ValueError(
            f"start {axis} = {value:g} is off the {ls.name} map: "
            f"{axis} must lie in [{lo:g}, {hi:g}]"
        )
    check_defined(ls, start)


class CompareRun(Frozen):
    """One competitor in a race: a label, an optimizer, a schedule and gradient noise."""

    label: Annotated[str, Field(min_length=1, max_length=40)]
    optimizer: OptimizerConfig
    schedule: ScheduleConfig = ConstantSchedule()
    grad_noise: Annotated[float, Field(ge=0.0, le=10.0, title="gradient noise σ")] = 0.0

    @model_validator(mode="after")
    def _schedule_fits_rate(self) -> CompareRun:
        check_schedule_fits(self.optimizer, self.schedule)
        return self


MAX_RUNS = 8


class CompareConfig(_OnLandscape):
    """Up to 8 runs on one landscape from one start, with a shared noise seed."""

    DIMS: ClassVar[tuple[int, ...]] = (2,)

    landscape: str = "ravine"
    start: tuple[float, ...] = (-4.5, 1.5)
    steps: Steps = 200
    seed: Annotated[int, Field(ge=0, le=2**31 - 1)] = 0
    threshold: Annotated[float, Field(gt=0.0, le=1e6, title="loss threshold")] = 1e-3
    runs: Annotated[list[CompareRun], Field(min_length=1, max_length=MAX_RUNS)]

    @model_validator(mode="after")
    def _checks(self) -> CompareConfig:
        check_start(self.surface(), self.start)
        labels = [run.label for run in self.runs]
        if len(set(labels)) != len(labels):
            raise ValueError("every run needs its own label")
        return self


MAX_WORK = 1e8
"""Most work one heavy request (a basin map, a sweep) may ask for: runs × steps × the
landscape's cost per step (1 for a built-in, measured for a typed formula: ``Landscape.cost``).
Rastrigin's largest basin map, 256² starts × 1,000 steps, is 6.6e7 and takes about 5 s on a
2-core box (benchmarks/bench_limits.py). What the estimate misses, the deadline catches."""
MAX_SECONDS = 9.0
"""No heavy request holds a core longer: its descent stops at this deadline (``TooLongError``) and
the page says so. Heavy requests share the server's cores (a request alone takes them all),
the rest wait."""
LONG_SWEEP = 10
"""A sweep runs again at this many times its steps (more steps shrink "too slow", never
"diverging"): the sweep's work counts both."""


def check_work(
    what: str, landscape: Landscape, runs: int, steps: int, fits: str, repeats: int = 1
) -> None:
    """Refuse ``runs × steps`` (each run taken ``repeats`` times its steps in all) on
    ``landscape`` beyond :data:`MAX_WORK`, naming what was asked and what would fit: ``fits``
    with ``{runs}`` and ``{steps}``, the most of each at the other's asked size."""
    cost = landscape.cost
    work = runs * steps * repeats * cost
    if work <= MAX_WORK:
        return
    most_steps = int(MAX_WORK // (runs * repeats * cost))
    most_runs = int(MAX_WORK // (steps * repeats * cost))
    kind = "this function" if landscape.name == CUSTOM else "this landscape"
    raise ValueError(
        f"{what} is too much work for one request: {runs:,} runs × {steps * repeats:,} steps "
        f"on {kind} (at most {MAX_WORK:,.0f} run-steps of a built-in; {kind} counts "
        f"{cost:.1f}× per run-step); try {fits.format(runs=most_runs, steps=most_steps)}"
    )


SWEEP_MAX_STEPS = 1000  # the "10x the steps" curve runs up to 10,000 steps


class SweepConfig(_OnLandscape):
    """A learning-rate sweep: one optimizer (its own lr is ignored), one start, M rates."""

    DIMS: ClassVar[tuple[int, ...]] = (2,)

    landscape: str = "ravine"
    start: tuple[float, ...] = landscapes.get("ravine").start
    optimizer: OptimizerConfig = SGDConfig()  # a sweep sets its own rates: this one is unused
    steps: Annotated[int, Field(ge=1, le=SWEEP_MAX_STEPS)] = 200
    lr_min: Annotated[float, Field(gt=0.0, le=MAX_LR)] = 1e-3
    lr_max: Annotated[float, Field(gt=0.0, le=MAX_LR)] = 0.2
    n_rates: Annotated[int, Field(ge=50, le=1000, title="number of rates")] = 300

    @model_validator(mode="after")
    def _checks(self) -> SweepConfig:
        check_start(self.surface(), self.start)
        if not self.lr_min < self.lr_max:
            raise ValueError(
                f"the smallest α ({self.lr_min:g}) must be below the largest α ({self.lr_max:g})"
            )
        check_work(  # the sweep runs at its steps and again at LONG_SWEEP× them
            f"this sweep (with its {LONG_SWEEP}× longer run)",
            self.surface(),
            self.n_rates,
            self.steps,
            "at most {runs:,} rates, or at most {steps:,} steps",
            repeats=1 + LONG_SWEEP,
        )
        return self

    def rates(self) -> np.ndarray:
        """``(n_rates,)`` log-spaced learning rates from ``lr_min`` to ``lr_max``."""
        return np.geomspace(self.lr_min, self.lr_max, self.n_rates)


class BasinConfig(_OnLandscape):
    """A basin map: one optimizer run from every node of a grid of starts."""

    DIMS: ClassVar[tuple[int, ...]] = (2,)

    landscape: str = "himmelblau"
    optimizer: OptimizerConfig = SGDConfig(lr=0.01)
    steps: Annotated[int, Field(ge=1, le=1000)] = 300
    resolution: Annotated[int, Field(ge=16, le=256, title="grid size")] = 128

    @model_validator(mode="after")
    def _bounded_work(self) -> BasinConfig:
        runs = self.resolution**2
        side = int((MAX_WORK / (self.steps * self.surface().cost)) ** 0.5)
        hints = ["at most {steps:,} steps on this grid"]
        if side >= 16:
            hints.append(f"a grid of at most {side} at {self.steps:,} steps")
        check_work(f"this map ({self.resolution}² starts)", self.surface(), runs, self.steps,
                   " or ".join(hints))  # fmt: skip
        return self


MAX_RATE_CHANGES = 50
"""A hike's link keeps up to this many runs of earlier rates (a class demo changes α a few
times; a link stays short)."""
HikerRate = Annotated[float, Field(ge=1e-4, le=5.0, title="learning rate")]


class HikerConfig(_OnLandscape):
    """The hiker page: a 1-D curve, a learning rate, a start position and how many steps the
    hiker has taken at that rate (so a link can reproduce a demo mid-way)."""

    DIMS: ClassVar[tuple[int, ...]] = (1,)
    CUSTOM_DIM: ClassVar[int] = 1

    landscape: str = "parabola"
    lr: HikerRate = landscapes.get("parabola").lr
    x0: float = landscapes.get("parabola").start[0]
    steps: Annotated[int, Field(ge=0, le=hiker.MAX_STEPS, title="steps taken")] = 0
    earlier: Annotated[
        tuple[tuple[HikerRate, Annotated[int, Field(ge=1, le=hiker.MAX_STEPS)]], ...],
        Field(max_length=MAX_RATE_CHANGES, title="the rates of the earlier steps"),
    ] = ()
    """The hike's history before its last change of rate, as ``(α, steps)`` runs: the hike is
    these runs, then ``steps − Σ`` steps at ``lr`` (``()``: every step at ``lr``). A link then
    rebuilds a hike whose rate changed on the way exactly, at the same step."""

    @field_validator("earlier", mode="before")
    @classmethod
    def _earlier_from_text(cls, value: Any) -> Any:
        """Also read the link's form ``0.1*3,0.3*2`` (α × steps, one run after another)."""
        if not isinstance(value, str):
            return value
        if not value.strip():
            return ()
        runs = value.split(",")
        if len(runs) > MAX_RATE_CHANGES:
            raise ValueError(f"at most {MAX_RATE_CHANGES} changes of rate are kept")
        try:
            return tuple((float(lr), int(count)) for lr, count in (run.split("*") for run in runs))
        except ValueError:
            raise ValueError("write the earlier rates as α*steps, e.g. 0.1*3,0.3*2") from None

    def walked(self) -> tuple[tuple[float, int], ...]:
        """Every run of the hike as ``(α, steps)``: the earlier ones, then the current rate's."""
        rest = self.steps - sum(count for _, count in self.earlier)
        return (*self.earlier, *([(self.lr, rest)] if rest else []))

    @model_validator(mode="after")
    def _start_on_the_curve(self) -> HikerConfig:
        if sum(count for _, count in self.earlier) > self.steps:
            raise ValueError(
                f"the earlier rates take more steps than the {self.steps} the hiker has taken"
            )
        curve = self.surface()
        if not curve.contains((self.x0,)):
            ((lo, hi),) = curve.bounds
            raise ValueError(f"start x0 = {self.x0:g} must lie in [{lo:g}, {hi:g}]")
        check_defined(self.surface(), (self.x0,))
        return self


MAX_UPDATES = 20_000
"""Most updates one data run may take (epochs × updates per epoch): stochastic descent on a
large upload adds up quickly, and every update also evaluates the full-batch loss."""
UPLOAD = "upload"


class DataConfig(Frozen):
    """The data page: a data set, a model, the feature scaling, and how descent visits the data.

    ``start`` is ``(w, b)`` in the coordinates of the chosen scaling. Checks that need the data
    (batch size at most n, the start on the map, the update budget, the model fits the target)
    run here for the bundled examples and through :meth:`check` for an upload.
    """

    dataset: Literal["tips", "gapminder", "iris", "upload"] = "tips"
    model: Literal["linear", "logistic", "sigmoid_mse"] = "linear"
    scaling: Literal["raw", "standardised"] = "standardised"
    flavour: Literal["batch", "stochastic", "minibatch"] = "minibatch"
    batch_size: Annotated[int, Field(ge=1, le=datasets.MAX_ROWS, title="batch size")] = 16
    epochs: Annotated[int, Field(ge=1, le=500, title="epochs")] = 20
    lr: LearningRate = training.MODELS["linear"].lr  # the default model's rate
    momentum: Momentum = 0.0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1, title="shuffle seed")] = 0
    start: tuple[float, float] = (0.0, 0.0)
    race: bool = False

    @field_validator("start")
    @classmethod
    def _finite_start(cls, start: tuple[float, float]) -> tuple[float, float]:
        if not all(math.isfinite(v) for v in start):
            raise ValueError("start must be finite numbers")
        return start

    @model_validator(mode="after")
    def _fits_the_example(self) -> DataConfig:
        if self.dataset != UPLOAD:
            self.check(example_problem(self.dataset, self.model, self.scaling))
        return self

    def flavours(self) -> list[training.Flavour]:
        """The flavours to run: the chosen one, or all three when racing."""
        return list(training.FLAVOURS) if self.race else [self.flavour]

    def check(self, problem: training.Problem) -> None:
        """Raise ``ValueError`` if these settings do not fit ``problem``'s data."""
        n = problem.dataset.n
        if (self.flavour == "minibatch" or self.race) and self.batch_size > n:
            raise ValueError(f"batch size {self.batch_size} is larger than the {n} rows")
        if not problem.contains(np.array(self.start)):
            (w_lo, w_hi), (b_lo, b_hi) = problem.bounds
            w, b = self.start
            raise ValueError(
                f"start (w, b) = ({w:g}, {b:g}) is off the map: w must lie in "
                f"[{w_lo:.4g}, {w_hi:.4g}] and b in [{b_lo:.4g}, {b_hi:.4g}]"
            )
        sizes = [training.batch_size_of(f, self.batch_size, n) for f in self.flavours()]
        updates = max(self.epochs * training.updates_per_epoch(size, n) for size in sizes)
        if updates > MAX_UPDATES:
            raise ValueError(
                f"{self.epochs} epochs of batches of {min(sizes)} on {n} rows is {updates:,} "
                f"updates; the limit is {MAX_UPDATES:,}: use fewer epochs or larger batches"
            )


@functools.lru_cache(maxsize=32)
def example_problem(dataset: str, model: str, scaling: str) -> training.Problem:
    """The problem of a bundled example (cached: finding a sigmoid model's optimum takes a few
    milliseconds, and a validator calls this on every rerun)."""
    return training.make_problem(datasets.example(dataset), model, scaling)  # type: ignore[arg-type]


# -- helpers for pages -----------------------------------------------------------------------


def field_bounds(
    model: type[BaseModel], name: str, *, inclusive: bool = False
) -> tuple[float | None, float | None]:
    """``(lowest, highest)`` allowed value of a numeric field, for a widget's range.

    Exclusive bounds (``gt``, ``lt``) are returned as they are, or with ``inclusive`` moved to
    the nearest float inside them (``gt=0`` gives ``5e-324``), so a widget's range admits
    exactly the values the model admits; ``None`` where the field has no bound on that side.
    """
    lo: float | None = None
    hi: float | None = None
    for meta in model.model_fields[name].metadata:
        if isinstance(meta, annotated_types.Ge):
            lo = cast(float, meta.ge)
        if isinstance(meta, annotated_types.Gt):
            gt = cast(float, meta.gt)
            lo = math.nextafter(gt, math.inf) if inclusive else gt
        if isinstance(meta, annotated_types.Le):
            hi = cast(float, meta.le)
        if isinstance(meta, annotated_types.Lt):
            lt = cast(float, meta.lt)
            hi = math.nextafter(lt, -math.inf) if inclusive else lt
    return lo, hi
