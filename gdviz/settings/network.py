"""The network page's settings: a data set, a network, how it is trained, and the views of its
landscape. Every bound a link may set lives here; a request's work is bounded before it runs.
"""

from __future__ import annotations

import itertools
import time
from typing import Annotated, Literal

import numpy as np
from pydantic import Field, field_validator, model_validator

from gdviz.learning import network_views, networks
from gdviz.settings.build import build_optimizer, build_schedule
from gdviz.settings.models import (
    MAX_SECONDS,
    check_schedule_fits,
)
from gdviz.settings.optimizers import (
    ConstantSchedule,
    Frozen,
    OptimizerConfig,
    ScheduleConfig,
    SGDConfig,
)

MAX_NET_STEPS = 5000
MAX_NET_WORK = 3e10
"""Most work one training may ask for: steps × training rows × weights (one forward and one
backward pass each). 1,000 full-batch steps of the digits 64-32-10 network (1,438 rows × 2,410
weights) are 3.5e9 and take about 0.8 s on a 2-core box (benchmarks/bench_networks.py); the
largest accepted training (three layers of 64, 1,586 steps) takes about 7 s, and 1.3 s more
to evaluate its 150 kept points on every row. The deadline :data:`MAX_SECONDS` stops what the
estimate misses."""
SHARPNESS_CHECKPOINTS = 24
"""Checkpoints along a training at which the sharpness is measured (each a Lanczos run of up
to 60 Hessian-vector products, each worth about two training steps)."""


class NetworkConfig(Frozen):
    """A network trained on a data set, and the pictures of its landscape.

    ``batch_size`` 0 is full-batch gradient descent. The rows are split once (a fixed
    permutation): the first ``train_rows`` train (0: all but the held-out fifth), the last
    fifth are held out.
    """

    dataset: Literal["digits", "iris", "moons", "spirals"] = "digits"
    hidden: Annotated[
        tuple[Annotated[int, Field(ge=1, le=networks.MAX_WIDTH)], ...],
        Field(min_length=1, max_length=networks.MAX_HIDDEN_LAYERS, title="hidden layers"),
    ] = (32,)
    activation: Literal["tanh", "relu"] = "tanh"
    loss: Literal["cross_entropy", "mse"] = "cross_entropy"
    optimizer: OptimizerConfig = SGDConfig(lr=0.1)
    schedule: ScheduleConfig = ConstantSchedule()
    batch_size: Annotated[int, Field(ge=0, le=2000, title="batch size")] = 64
    steps: Annotated[int, Field(ge=1, le=MAX_NET_STEPS, title="steps")] = 600
    train_rows: Annotated[int, Field(ge=0, le=2000, title="training rows")] = 0
    seed: Annotated[int, Field(ge=0, le=2**31 - 1, title="seed")] = 0
    # The landscape views
    span: Annotated[float, Field(gt=0.0, le=5.0, title="plane half-width")] = 1.0
    resolution: Annotated[int, Field(ge=5, le=51, title="plane grid")] = 31
    norm: Literal["filter", "layer", "none"] = "filter"
    directions_seed: Annotated[int, Field(ge=0, le=2**31 - 1, title="direction seed")] = 0

    @field_validator("hidden", mode="before")
    @classmethod
    def _hidden_from_text(cls, value: object) -> object:
        """Also read a link's form ``32-16`` (widths from the input side)."""
        if isinstance(value, str):
            try:
                return tuple(int(part) for part in value.split("-"))
            except ValueError:
                raise ValueError("write the hidden layers as widths, e.g. 32 or 64-32") from None
        return value

    @model_validator(mode="after")
    def _checks(self) -> NetworkConfig:
        check_schedule_fits(self.optimizer, self.schedule)
        rows, held = self.split_sizes()
        if self.train_rows > rows:
            raise ValueError(
                f"{self.dataset} has {rows:,} rows to train on (the last {held:,} are held out); "
                f"got {self.train_rows:,}"
            )
        if self.batch_size > self.rows():
            raise ValueError(
                f"the batch size ({self.batch_size:,}) is larger than the {self.rows():,} "
                f"training rows; 0 means full batch"
            )
        work = self.steps * self.rows() * self.weights()
        if work > MAX_NET_WORK:
            most = int(MAX_NET_WORK // (self.rows() * self.weights()))
            raise ValueError(
                f"this training is too much work for one request: {self.steps:,} steps × "
                f"{self.rows():,} rows × {self.weights():,} weights (at most {MAX_NET_WORK:.0e}); "
                f"try at most {most:,} steps, fewer training rows or a smaller network"
            )
        return self

    def split_sizes(self) -> tuple[int, int]:
        """Rows available for training and rows held out (a fifth)."""
        n = len(networks.dataset(self.dataset)[1])
        held = n // 5
        return n - held, held

    def rows(self) -> int:
        """Training rows used."""
        return self.train_rows or self.split_sizes()[0]

    def weights(self) -> int:
        """P, the number of weights and biases."""
        X, y = networks.dataset(self.dataset)
        sizes = (X.shape[1], *self.hidden, int(y.max()) + 1)
        return sum((a + 1) * b for a, b in itertools.pairwise(sizes))

    def full_batch(self) -> bool:
        return self.batch_size in (0, self.rows())


EDGE_OF_STABILITY = NetworkConfig(
    dataset="digits",
    hidden=(32,),
    activation="tanh",
    loss="mse",
    optimizer=SGDConfig(lr=0.5),
    batch_size=0,
    steps=3000,
    train_rows=1000,
)
"""Cohen et al.'s edge of stability on real data: full-batch GD with squared error on 1,000
centred digits, one tanh layer of 32, η = 0.5. The sharpness rises from about 1.9 to 2/η = 4
within a few hundred steps, then hovers there (within ±5% over the second half) while the
loss keeps falling, not monotonically (tests/test_networks.py)."""


def objectives(cfg: NetworkConfig) -> tuple[networks.MLP, networks.MLP]:
    """The network on its training rows and on its held-out rows (one architecture)."""
    X, y = networks.dataset(cfg.dataset)
    train_rows, held_rows = network_views.split_rows(len(y), cfg.train_rows)

    def build(rows: np.ndarray) -> networks.MLP:
        return networks.mlp(X[rows], y[rows], cfg.hidden, cfg.activation, cfg.loss)

    net, held = build(train_rows), build(held_rows)
    if held.classes != net.classes:  # a small held-out fifth missed the last class: same P
        raise ValueError("the held-out rows must hold every class")
    return net, held


def train_network(
    cfg: NetworkConfig, seconds: float | None = MAX_SECONDS
) -> network_views.NetworkRun:
    """The training a config describes, from torch's default initialisation (seed
    ``cfg.seed``), within ``seconds`` (``TooLongError`` past it; ``None``: no limit, for the
    deck's checker, which is not a request)."""
    net, held = objectives(cfg)
    return network_views.train(
        net,
        held,
        build_optimizer(cfg.optimizer),
        net.init(cfg.seed),
        cfg.steps,
        schedule=build_schedule(cfg.schedule),
        batch_size=None if cfg.full_batch() else cfg.batch_size,
        seed=cfg.seed,
        seconds=seconds,
    )


def keskar_pair(
    cfg: NetworkConfig, small: int = 16, seconds: float | None = MAX_SECONDS
) -> tuple[np.ndarray, np.ndarray]:
    """Keskar et al.'s pair: the final weights of a small-batch (``small`` rows) and of a
    full-batch training from the same initial weights, otherwise as ``cfg``; both within
    ``seconds`` (one request: one budget; ``None``: no limit, for checking the deck)."""
    finals = []
    began = time.monotonic()
    for batch in (small, 0):
        left = None if seconds is None else max(seconds - (time.monotonic() - began), 0.0)
        run = train_network(cfg.model_copy(update={"batch_size": min(batch, cfg.rows())}), left)
        finals.append(run.final)
    return finals[0], finals[1]


def sharpness_along(run: network_views.NetworkRun) -> tuple[np.ndarray, np.ndarray]:
    """The sharpness at :data:`SHARPNESS_CHECKPOINTS` points of a training, within
    :data:`MAX_SECONDS` (``TooLongError`` past it)."""
    return network_views.sharpness_along(run, SHARPNESS_CHECKPOINTS, seconds=MAX_SECONDS)


__all__ = [
    "EDGE_OF_STABILITY",
    "MAX_NET_STEPS",
    "MAX_NET_WORK",
    "NetworkConfig",
    "keskar_pair",
    "objectives",
    "sharpness_along",
    "train_network",
]
