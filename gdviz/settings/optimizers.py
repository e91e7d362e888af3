"""The optimizers' and schedules' settings: one frozen pydantic model per kind, each field
bounded, its default read from :mod:`gdviz.core.optim`'s signature (torch.optim's defaults)."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from gdviz.core import optim

MAX_STEPS = 5000
MAX_LR = 100.0

LearningRate = Annotated[
    float, Field(gt=0.0, le=MAX_LR, title="learning rate", description="step size α")
]
Momentum = Annotated[float, Field(ge=0.0, le=0.999, title="momentum")]
BETA_RANGE = (0.0, 0.9999)
Beta = Annotated[float, Field(ge=BETA_RANGE[0], le=BETA_RANGE[1])]
Eps = Annotated[float, Field(gt=0.0, le=1.0, title="epsilon")]
WeightDecay = Annotated[float, Field(ge=0.0, le=10.0, title="weight decay")]
Decay = Annotated[float, Field(gt=0.0, le=1.0, title="gamma")]
Steps = Annotated[int, Field(ge=1, le=MAX_STEPS)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# -- optimizers (a discriminated union on `kind`; names and defaults as in torch.optim) ----------


def torch_default(optimizer: Any, name: str) -> Any:
    """The default of ``name`` in the signature of ``optimizer`` (one of :mod:`optim`'s
    constructors, whose defaults are torch.optim's): the one place each default is written."""
    return inspect.signature(optimizer).parameters[name].default


class SGDConfig(Frozen):
    kind: Literal["sgd"] = "sgd"
    lr: LearningRate = torch_default(optim.sgd, "lr")
    momentum: Momentum = torch_default(optim.sgd, "momentum")
    dampening: Annotated[float, Field(ge=0.0, le=1.0, title="dampening")] = torch_default(
        optim.sgd, "dampening"
    )
    nesterov: bool = torch_default(optim.sgd, "nesterov")
    weight_decay: WeightDecay = torch_default(optim.sgd, "weight_decay")

    @model_validator(mode="after")
    def _nesterov_needs_momentum(self) -> SGDConfig:
        if self.nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError("Nesterov momentum needs a momentum above 0 and no dampening")
        return self


class AdagradConfig(Frozen):
    kind: Literal["adagrad"] = "adagrad"
    lr: LearningRate = torch_default(optim.adagrad, "lr")
    lr_decay: Annotated[float, Field(ge=0.0, le=10.0, title="lr decay")] = torch_default(
        optim.adagrad, "lr_decay"
    )
    weight_decay: WeightDecay = torch_default(optim.adagrad, "weight_decay")
    initial_accumulator_value: Annotated[float, Field(ge=0.0, le=100.0)] = torch_default(
        optim.adagrad, "initial_accumulator_value"
    )
    eps: Eps = torch_default(optim.adagrad, "eps")


class RMSpropConfig(Frozen):
    kind: Literal["rmsprop"] = "rmsprop"
    lr: LearningRate = torch_default(optim.rmsprop, "lr")
    alpha: Annotated[float, Field(ge=0.0, le=0.9999, title="alpha (smoothing)")] = torch_default(
        optim.rmsprop, "alpha"
    )
    eps: Eps = torch_default(optim.rmsprop, "eps")
    weight_decay: WeightDecay = torch_default(optim.rmsprop, "weight_decay")
    momentum: Momentum = torch_default(optim.rmsprop, "momentum")
    centered: bool = torch_default(optim.rmsprop, "centered")


class AdamConfig(Frozen):
    kind: Literal["adam"] = "adam"
    lr: LearningRate = torch_default(optim.adam, "lr")
    betas: tuple[Beta, Beta] = torch_default(optim.adam, "betas")
    eps: Eps = torch_default(optim.adam, "eps")
    weight_decay: WeightDecay = torch_default(optim.adam, "weight_decay")
    amsgrad: bool = torch_default(optim.adam, "amsgrad")


class AdamWConfig(AdamConfig):
    kind: Literal["adamw"] = "adamw"  # type: ignore[assignment]
    weight_decay: WeightDecay = torch_default(optim.adamw, "weight_decay")


OptimizerConfig = Annotated[
    SGDConfig | AdagradConfig | RMSpropConfig | AdamConfig | AdamWConfig,
    Field(discriminator="kind"),
]
OPTIMIZER_MODELS: dict[str, type[SGDConfig | AdagradConfig | RMSpropConfig | AdamConfig]] = {
    "sgd": SGDConfig,
    "adagrad": AdagradConfig,
    "rmsprop": RMSpropConfig,
    "adam": AdamConfig,
    "adamw": AdamWConfig,
}


# -- schedules --------------------------------------------------------------------------------


class ConstantSchedule(Frozen):
    kind: Literal["constant"] = "constant"


class StepSchedule(Frozen):
    kind: Literal["step"] = "step"
    step_size: Steps = 100
    gamma: Decay = 0.1


class ExponentialSchedule(Frozen):
    kind: Literal["exponential"] = "exponential"
    gamma: Decay = 0.99


class CosineSchedule(Frozen):
    kind: Literal["cosine"] = "cosine"
    t_max: Steps = 200
    eta_min: Annotated[float, Field(ge=0.0, le=MAX_LR)] = 0.0


AfterWarmup = Annotated[
    ConstantSchedule | StepSchedule | ExponentialSchedule | CosineSchedule,
    Field(discriminator="kind"),
]


class WarmupSchedule(Frozen):
    kind: Literal["warmup"] = "warmup"
    warmup_steps: Steps = 20
    start_factor: Annotated[float, Field(gt=0.0, le=1.0)] = 0.1
    then: AfterWarmup = ConstantSchedule()


ScheduleConfig = Annotated[
    ConstantSchedule | StepSchedule | ExponentialSchedule | CosineSchedule | WarmupSchedule,
    Field(discriminator="kind"),
]
SCHEDULE_MODELS: dict[str, type[Frozen]] = {
    "constant": ConstantSchedule,
    "step": StepSchedule,
    "exponential": ExponentialSchedule,
    "cosine": CosineSchedule,
    "warmup": WarmupSchedule,
}
# A field holding one of several models, told apart by their "kind": the members by kind.
UNIONS: dict[str, Mapping[str, type[BaseModel]]] = {
    "optimizer": OPTIMIZER_MODELS,
    "schedule": SCHEDULE_MODELS,
}


# -- a run ------------------------------------------------------------------------------------
