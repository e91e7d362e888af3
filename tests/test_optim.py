"""Optimizers: hand-computed steps, torch.optim parity, per-run hyperparameters, convergence."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import descend
from gdviz.core import landscapes, optim
from tests.conftest import optional_module

PARABOLA = landscapes.get("parabola")


def steps_on_parabola(opt, x0=1.0, n=1):
    """Apply n updates on L = x² (gradient 2x) from x0; returns the positions after each."""
    p = np.array([[x0]])
    state = opt.init(p)
    out = []
    for _ in range(n):
        p, state = opt.update(2.0 * p, state, p, opt.lr)
        out.append(float(p[0, 0]))
    return out


@pytest.mark.parametrize(
    ("opt", "expected"),
    [
        # x=1, g=2: x ← 1 − 0.1·2
        (optim.sgd(0.1), [0.8, 0.64]),
        # b₁ = g₁ = 2 → 0.8; g₂ = 1.6, b₂ = 0.9·2 + 1.6 = 3.4 → 0.8 − 0.34
        (optim.sgd(0.1, momentum=0.9), [0.8, 0.46]),
        # first step undamped (torch); then b₂ = 0.9·2 + 0.5·1.6 = 2.6 → 0.8 − 0.26
        (optim.sgd(0.1, momentum=0.9, dampening=0.5), [0.8, 0.54]),
        # Nesterov: u = g + βb = 2 + 1.8 = 3.8 → 1 − 0.38
        (optim.sgd(0.1, momentum=0.9, nesterov=True), [0.62]),
        # coupled weight decay: g = 2 + 0.5·1 = 2.5 → 1 − 0.25
        (optim.sgd(0.1, weight_decay=0.5), [0.75]),
        # Adagrad: s = 4, u = 2 / (2 + 1e-10) → 1 − 0.1
        (optim.adagrad(0.1), [0.9]),
        # RMSprop: v = 0.01·4 = 0.04, u = 2 / 0.2 = 10 → 1 − 0.01·10
        (optim.rmsprop(0.01), [0.9]),
        # centred: ḡ = 0.02, u = 2 / √(0.04 − 0.0004) = 10.050378...
        (optim.rmsprop(0.01, centered=True), [1 - 0.01 * 2 / np.sqrt(0.0396)]),
        # Adam: m̂ = 2, v̂ = 4, u = 2/(2 + 1e-8) → 1 − 0.1
        (optim.adam(0.1), [0.9]),
        # AdamW: x ← x(1 − 0.1·0.01) − 0.1·1 = 0.999 − 0.1
        (optim.adamw(0.1), [0.899]),
    ],
)
def test_first_steps_by_hand(opt, expected):
    got = steps_on_parabola(opt, n=len(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-7, atol=1e-9)


def test_gd_on_a_quadratic_follows_the_closed_form():
    # L = x² ⇒ x_t = (1 − 2α)^t x₀ exactly.
    alpha, x0, t = 0.13, -3.0, np.arange(41)
    traj = descend(PARABOLA, optim.sgd(alpha), [x0], 40)
    np.testing.assert_allclose(traj.path[:, 0, 0], (1 - 2 * alpha) ** t * x0, rtol=1e-12)


def test_gd_on_the_ravine_follows_the_closed_form_per_axis():
    # L = ½(x² + 25y²): x_t = (1 − α)^t x₀, y_t = (1 − 25α)^t y₀.
    ls, alpha, t = landscapes.get("ravine"), 0.07, np.arange(31)
    traj = descend(ls, optim.sgd(alpha), [-4.0, 1.5], 30)
    np.testing.assert_allclose(traj.path[:, 0, 0], (1 - alpha) ** t * -4.0, rtol=1e-12)
    np.testing.assert_allclose(traj.path[:, 0, 1], (1 - 25 * alpha) ** t * 1.5, rtol=1e-11)


TORCH_CASES = [
    ("sgd", {"lr": 1e-3}),
    ("sgd", {"lr": 1e-3, "momentum": 0.9}),
    ("sgd", {"lr": 1e-3, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1}),
    ("sgd", {"lr": 5e-4, "momentum": 0.9, "nesterov": True}),
    ("adagrad", {"lr": 0.1}),
    (
        "adagrad",
        {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
    ("rmsprop", {"lr": 1e-2}),
    ("rmsprop", {"lr": 1e-2, "centered": True, "momentum": 0.5, "weight_decay": 0.05}),
    ("rmsprop", {"lr": 1e-3, "alpha": 0.9, "momentum": 0.9}),
    ("adam", {"lr": 1e-2}),
    ("adam", {"lr": 1e-2, "betas": (0.8, 0.95), "weight_decay": 0.1, "amsgrad": True}),
    ("adamw", {"lr": 1e-2}),
    ("adamw", {"lr": 1e-2, "weight_decay": 0.5, "amsgrad": True, "eps": 1e-6}),
]


@pytest.mark.torch
@pytest.mark.parametrize(("name", "kwargs"), TORCH_CASES)
def test_matches_torch_optim_step_for_step(name, kwargs):
    torch = optional_module("torch", "the oracle for torch.optim parity")
    ls = landscapes.get("rosenbrock")
    torch_cls = {
        "sgd": torch.optim.SGD,
        "adagrad": torch.optim.Adagrad,
        "rmsprop": torch.optim.RMSprop,
        "adam": torch.optim.Adam,
        "adamw": torch.optim.AdamW,
    }[name]
    start = np.array([-1.2, 1.0])
    w = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    opt_t = torch_cls([w], **kwargs)
    expected = []
    for _ in range(60):
        opt_t.zero_grad()
        w.grad = torch.tensor(ls.grad(w.detach().numpy()), dtype=torch.float64)
        opt_t.step()
        expected.append(w.detach().numpy().copy())
    traj = descend(ls, optim.OPTIMIZERS[name](**kwargs), start, 60)
    np.testing.assert_allclose(traj.path[1:, 0, :], np.array(expected), rtol=1e-10, atol=1e-12)


@pytest.mark.torch
def test_defaults_match_torch():
    torch = optional_module("torch", "the oracle for torch.optim defaults")
    w = [torch.zeros(1, requires_grad=True)]
    pairs = [
        (optim.sgd(), torch.optim.SGD(w)),
        (optim.adagrad(), torch.optim.Adagrad(w)),
        (optim.rmsprop(), torch.optim.RMSprop(w)),
        (optim.adam(), torch.optim.Adam(w)),
        (optim.adamw(), torch.optim.AdamW(w)),
    ]
    for ours, theirs in pairs:
        defaults = theirs.defaults
        for key, value in ours.hyperparams.items():
            assert defaults[key] == value, (ours.name, key)


def test_per_run_hyperparameters_equal_one_at_a_time_runs():
    ls = landscapes.get("rosenbrock")
    lrs = np.array([1e-3, 3e-3, 1e-2])
    b1 = np.array([0.8, 0.9, 0.95])
    wd = np.array([0.0, 0.1, 0.3])
    batch = descend(ls, optim.adam(lrs, betas=(b1, 0.999), weight_decay=wd), [-1.2, 1.0], 80)
    for i in range(3):
        single = descend(ls, optim.adam(lrs[i], betas=(b1[i], 0.999), weight_decay=wd[i]),
                         [-1.2, 1.0], 80)  # fmt: skip
        np.testing.assert_allclose(batch.path[:, i], single.path[:, 0], rtol=1e-13, atol=1e-15)


def test_per_run_momentum_mixing_zero_and_nonzero_matches_torch_semantics():
    # torch ignores dampening without momentum; a per-run array must do the same.
    lss = descend(PARABOLA, optim.sgd(0.1, momentum=np.array([0.0, 0.9]), dampening=0.5),
                  np.array([[1.0], [1.0]]), 3)  # fmt: skip
    plain = descend(PARABOLA, optim.sgd(0.1), [1.0], 3)
    heavy = descend(PARABOLA, optim.sgd(0.1, momentum=0.9, dampening=0.5), [1.0], 3)
    np.testing.assert_allclose(lss.path[:, 0], plain.path[:, 0])
    np.testing.assert_allclose(lss.path[:, 1], heavy.path[:, 0])


def test_update_is_pure():
    opt = optim.adam(0.1)
    p = np.array([[1.0, -1.0]])
    state = opt.init(p)
    p1, s1 = opt.update(np.array([[2.0, 1.0]]), state, p, 0.1)
    p1b, _ = opt.update(np.array([[2.0, 1.0]]), state, p, 0.1)
    np.testing.assert_array_equal(p, [[1.0, -1.0]])  # inputs untouched
    np.testing.assert_array_equal(p1, p1b)
    assert state[1].step == 0 and s1[1].step == 1  # (decay, adam scaling) states


@pytest.mark.parametrize(
    ("factory", "kwargs", "message"),
    [
        (optim.sgd, {"lr": -0.1}, "lr"),
        (optim.sgd, {"lr": 0.1, "nesterov": True}, "Nesterov"),
        (optim.sgd, {"lr": 0.1, "dampening": 2.0}, "dampening"),
        (optim.adam, {"betas": (1.0, 0.999)}, "betas"),
        (optim.rmsprop, {"alpha": 1.5}, "alpha"),
        (optim.adagrad, {"eps": float("nan")}, "eps"),
    ],
)
def test_invalid_hyperparameters_are_refused(factory, kwargs, message):
    with pytest.raises(ValueError, match=message):
        factory(**kwargs)


# Every optimizer x {parabola, rosenbrock}: (factory kwargs, steps) that reach the minimum.
CONVERGENCE = {
    ("sgd", "parabola"): ({"lr": 0.1}, 200),
    ("sgd", "rosenbrock"): ({"lr": 1.5e-3}, 40_000),
    ("momentum", "parabola"): ({"lr": 0.1, "momentum": 0.5}, 200),
    ("momentum", "rosenbrock"): ({"lr": 1e-3, "momentum": 0.9}, 8_000),
    ("nesterov", "parabola"): ({"lr": 0.1, "momentum": 0.5, "nesterov": True}, 200),
    ("nesterov", "rosenbrock"): ({"lr": 1e-3, "momentum": 0.9, "nesterov": True}, 8_000),
    ("adagrad", "parabola"): ({"lr": 1.0}, 300),
    ("adagrad", "rosenbrock"): ({"lr": 0.5}, 20_000),
    ("rmsprop", "parabola"): ({"lr": 1e-2}, 2_000),
    ("rmsprop", "rosenbrock"): ({"lr": 3e-4}, 20_000),  # hovers at ~lr from the minimum
    ("adam", "parabola"): ({"lr": 0.1}, 1_000),
    ("adam", "rosenbrock"): ({"lr": 0.02}, 5_000),
    ("adamw", "parabola"): ({"lr": 0.1, "weight_decay": 0.01}, 1_000),
    ("adamw", "rosenbrock"): ({"lr": 0.02, "weight_decay": 0.0}, 5_000),
}
FACTORY = {"momentum": optim.sgd, "nesterov": optim.sgd}


@pytest.mark.parametrize(("kind", "name"), list(CONVERGENCE))
def test_every_optimizer_reaches_the_minimum(kind, name):
    kwargs, steps = CONVERGENCE[(kind, name)]
    ls = landscapes.get(name)
    opt = FACTORY.get(kind, optim.OPTIMIZERS.get(kind))(**kwargs)
    traj = descend(ls, opt, np.array(ls.start), steps, record="final")
    _, dist = ls.nearest_minimum(traj.final)
    assert traj.status[0] != "diverged"
    assert dist[0] < 1e-2, (kind, name, traj.final)
    assert traj.final_loss[0] < 1e-4
