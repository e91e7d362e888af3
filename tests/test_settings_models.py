"""Config models: bounds, the discriminated union, readable errors, config → run."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from gdviz import settings
from tests.conftest import optional_module


def errors_for(payload: dict) -> list[str]:
    with pytest.raises(ValidationError) as info:
        settings.RunConfig.model_validate(payload)
    return settings.describe_errors(info.value)


def test_defaults_are_valid_and_run():
    cfg = settings.RunConfig()
    traj = settings.run(cfg)
    assert traj.path.shape == (cfg.steps + 1, 1, 2)


def test_models_are_frozen_and_forbid_extras():
    cfg = settings.RunConfig()
    with pytest.raises(ValidationError):
        cfg.steps = 10
    assert errors_for({"colour": "red"}) == ["colour: Extra inputs are not permitted (got 'red')"]


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ({"optimizer": {"kind": "sgd", "lr": 0}}, "optimizer → sgd → lr: Input should be greater"),
        ({"optimizer": {"kind": "sgd", "lr": 1e9}}, "less than or equal to 100"),
        (
            {"optimizer": {"kind": "sgd", "momentum": 1.0}},
            "momentum: Input should be less than or equal to 0.999",
        ),
        ({"optimizer": {"kind": "adam", "betas": [0.9, 1.2]}}, "betas → 1"),
        ({"optimizer": {"kind": "lbfgs"}}, "optimizer: must be one of 'sgd', 'adagrad'"),
        ({"optimizer": {"kind": "sgd", "nesterov": True}}, "Nesterov momentum needs"),
        ({"steps": 0}, "steps: Input should be greater than or equal to 1"),
        ({"steps": 5001}, "steps: Input should be less than or equal to 5000"),
        ({"steps": "many"}, "steps: Input should be a valid integer"),
        ({"start": [9.0, 0.0]}, "start x = 9 is off the rosenbrock map: x must lie in [-2, 2]"),
        ({"start": [0.0]}, "start needs 2 coordinate(s)"),
        ({"start": ["nan", 0.0]}, "start must be finite"),
        ({"landscape": "moon"}, "unknown landscape 'moon'; choose one of"),
        ({"grad_noise": -1}, "grad_noise: Input should be greater than or equal to 0"),
        ({"seed": -5}, "seed: Input should be greater than or equal to 0"),
        ({"schedule": {"kind": "step", "gamma": 0}}, "schedule → step → gamma"),
        ({"schedule": {"kind": "cosine", "eta_min": 0.5}}, "eta_min (0.5) must be below"),
        (
            {"schedule": {"kind": "warmup", "then": {"kind": "warmup"}}},
            "then: must be one of 'constant', 'step'",
        ),
    ],
)
def test_every_bound_gives_one_readable_error(payload, expected):
    messages = errors_for(payload)
    assert len(messages) == 1, messages
    assert expected in messages[0]


def test_union_picks_the_right_model_and_builds_the_optimizer():
    cfg = settings.RunConfig.model_validate(
        {"optimizer": {"kind": "adamw", "lr": 0.01}, "steps": 10}
    )
    assert isinstance(cfg.optimizer, settings.AdamWConfig)
    opt = settings.build_optimizer(cfg.optimizer)
    assert opt.name == "adamw" and opt.hyperparams["weight_decay"] == 0.01


def test_config_run_equals_a_direct_descend():
    from gdviz import descend
    from gdviz.core import landscapes, optim, schedules

    cfg = settings.RunConfig.model_validate(
        {
            "landscape": "himmelblau",
            "optimizer": {"kind": "sgd", "lr": 0.01, "momentum": 0.5},
            "schedule": {"kind": "warmup", "warmup_steps": 5, "then": {"kind": "cosine"}},
            "start": [0.5, -0.5],
            "steps": 50,
            "grad_noise": 0.1,
            "seed": 9,
        }
    )
    direct = descend(
        landscapes.get("himmelblau"),
        optim.sgd(0.01, momentum=0.5),
        [0.5, -0.5],
        50,
        schedule=schedules.linear_warmup(5, 0.1, schedules.cosine(200, 0.0)),
        grad_noise=0.1,
        seed=9,
    )
    np.testing.assert_array_equal(settings.run(cfg).path, direct.path)


def test_field_bounds_feed_widgets():
    assert settings.field_bounds(settings.SGDConfig, "lr") == (0.0, 100.0)
    assert settings.field_bounds(settings.SGDConfig, "momentum") == (0.0, 0.999)
    assert settings.field_bounds(settings.RunConfig, "steps") == (1, 5000)


OPTIMIZERS = ("sgd", "adagrad", "rmsprop", "adam", "adamw")


@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_each_optimizer_model_defaults_to_its_constructors_defaults(kind):
    """One source per default: a config built with no arguments runs the optimizer the
    constructor builds with none."""
    import inspect

    from gdviz.core import optim

    model = settings.OPTIMIZER_MODELS[kind]()
    parameters = inspect.signature(getattr(optim, kind)).parameters
    assert set(parameters) <= set(type(model).model_fields)
    for name, parameter in parameters.items():
        assert getattr(model, name) == parameter.default, name


@pytest.mark.torch
@pytest.mark.parametrize("kind", OPTIMIZERS)
def test_the_optimizer_defaults_are_torch_optims(kind):
    import inspect

    torch = optional_module("torch", "torch.optim's defaults are the reference")
    ours = settings.OPTIMIZER_MODELS[kind]()
    theirs = inspect.signature(
        {"sgd": torch.optim.SGD, "adagrad": torch.optim.Adagrad, "rmsprop": torch.optim.RMSprop,
         "adam": torch.optim.Adam, "adamw": torch.optim.AdamW}[kind]
    ).parameters  # fmt: skip
    for name in type(ours).model_fields.keys() - {"kind"}:
        assert theirs[name].default == getattr(ours, name), name


def test_page_defaults_come_from_the_landscape_registry():
    from gdviz.core import landscapes

    rosenbrock, parabola = landscapes.get("rosenbrock"), landscapes.get("parabola")
    run = settings.RunConfig()
    assert (run.start, run.optimizer.lr) == (rosenbrock.start, rosenbrock.lr)
    hike = settings.HikerConfig()
    assert (hike.x0, hike.lr) == (parabola.start[0], parabola.lr)
    assert settings.SweepConfig().start == landscapes.get("ravine").start
