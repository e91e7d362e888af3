"""Each setting declared once: a page's table binds widget key <-> config field <-> URL key, and
its defaults come from the models. Loading a config into the widgets and reading it back gives
the same config, for every optimizer and schedule kind."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import settings
from gdviz.core import optim
from gdviz.settings import binding

LANDSCAPE = binding.Binding(settings.RunConfig, binding.LANDSCAPE_KEYS, "ls_")
SCHEDULES = [
    {"kind": "constant"},
    {"kind": "step", "step_size": 30, "gamma": 0.5},
    {"kind": "exponential", "gamma": 0.95},
    {"kind": "cosine", "t_max": 150, "eta_min": 0.0001},
    {"kind": "warmup", "warmup_steps": 15},
]
OPTIMIZERS = [
    {"kind": "sgd", "lr": 0.0015, "momentum": 0.8, "nesterov": True, "weight_decay": 0.01},
    {"kind": "adagrad", "lr": 0.3, "lr_decay": 0.01, "eps": 1e-9},
    {"kind": "rmsprop", "lr": 0.01, "alpha": 0.9, "centered": True, "momentum": 0.5},
    {"kind": "adam", "lr": 0.05, "betas": (0.8, 0.99), "amsgrad": True},
    {"kind": "adamw", "lr": 0.05, "weight_decay": 0.1},
]


@pytest.mark.parametrize("optimizer", OPTIMIZERS, ids=lambda o: o["kind"])
@pytest.mark.parametrize("schedule", SCHEDULES, ids=lambda s: s["kind"])
def test_widgets_round_trip_every_optimizer_and_schedule(optimizer: dict, schedule: dict):
    cfg = settings.RunConfig(
        landscape="rosenbrock",
        optimizer=optimizer,
        schedule=schedule,
        start=(0.5, 2.0),
        steps=321,
        grad_noise=0.2,
        seed=7,
    )
    widgets = LANDSCAPE.widgets(cfg.model_dump())
    assert widgets["ls_lr"] == optimizer["lr"] and widgets["ls_x0"] == 0.5
    back = settings.RunConfig.model_validate(
        {"landscape": "rosenbrock", **LANDSCAPE.payload(widgets)}
    )
    assert back == cfg


def test_a_field_of_another_kind_is_left_out_and_keeps_its_models_default():
    cfg = settings.RunConfig(optimizer={"kind": "adam", "lr": 0.01})
    widgets = LANDSCAPE.widgets(cfg.model_dump())
    # Widgets of other kinds hold those kinds' defaults, read from their models.
    assert widgets["ls_alpha"] == settings.RMSpropConfig().alpha == 0.99
    assert widgets["ls_mom"] == 0.0 and widgets["ls_t_max"] == settings.CosineSchedule().t_max
    payload = LANDSCAPE.payload({**widgets, "ls_mom": 0.9, "ls_alpha": 0.5})
    assert set(payload["optimizer"]) == set(settings.AdamConfig.model_fields)
    assert payload["schedule"] == {"kind": "constant"}


def test_every_url_key_has_a_widget_and_a_default_from_the_models():
    defaults = LANDSCAPE.defaults()
    assert set(defaults) == {f"ls_{key}" for key in binding.LANDSCAPE_KEYS}
    assert (defaults["ls_b1"], defaults["ls_b2"]) == optim.ADAM_BETAS
    assert defaults["ls_steps"] == settings.RunConfig().steps
    for table in (
        binding.Binding(settings.DataConfig, binding.DATA_KEYS, "dt_"),
        binding.Binding(settings.SweepConfig, binding.SWEEP_KEYS, "sw_"),
        binding.Binding(settings.BasinConfig, binding.BASIN_KEYS, "bs_"),
    ):
        default = table.model()
        assert set(table.defaults()) == {table.widget(k) for k in table.keys}
        assert table.model.model_validate(table.payload(table.defaults())) == default


def test_an_optimizer_keeps_its_rate_once_and_rebuilds_itself(monkeypatch):
    opt = optim.adam(lr=np.array([0.1, 0.2, 0.3]), betas=(0.8, np.array([0.9, 0.99, 0.999])))
    assert opt.lr is opt.hyperparams["lr"]
    assert "lr" not in opt._fields
    monkeypatch.setattr(optim, "OPTIMIZERS", {})  # taking rows needs no lookup by name
    sub = optim.take(opt, np.array([2, 0]))
    np.testing.assert_array_equal(sub.lr, [0.3, 0.1])
    np.testing.assert_array_equal(sub.hyperparams["betas"][1], [0.999, 0.9])
    assert sub.name == "adam" and sub.hyperparams["betas"][0] == 0.8
