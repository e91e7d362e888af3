"""descend: the hiker's numbers, statuses, freezing diverged runs, modes, noise and seeds."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import gdviz.core.descent as descent_module
from gdviz import descend
from gdviz.core import landscapes, optim

PARABOLA = landscapes.get("parabola")


def test_the_hikers_first_step():
    traj = descend(PARABOLA, optim.sgd(0.10), [-4.0], 1)
    assert traj.path.shape == (2, 1, 1)
    assert traj.loss[0, 0] == pytest.approx(16.00)
    assert PARABOLA.grad(traj.path[0, 0])[0] == pytest.approx(-8.00)
    assert traj.path[1, 0, 0] == pytest.approx(-3.20)
    assert traj.loss[1, 0] == pytest.approx(10.24)
    assert PARABOLA.grad(traj.path[1, 0])[0] == pytest.approx(-6.40)
    assert traj.grad_norm[0, 0] == pytest.approx(8.0)
    np.testing.assert_allclose(traj.lr[:, 0], [0.10])


def test_lr_one_oscillates_between_plus_and_minus_four_forever():
    traj = descend(PARABOLA, optim.sgd(1.0), [-4.0], 500)
    np.testing.assert_allclose(np.abs(traj.path[:, 0, 0]), 4.0)
    np.testing.assert_allclose(traj.path[1::2, 0, 0], 4.0)
    assert traj.status[0] == "unconverged"
    assert traj.converged_at[0] == -1 and traj.diverged_at[0] == -1


def test_lr_above_one_diverges_and_is_frozen_at_its_last_good_point():
    traj = descend(PARABOLA, optim.sgd(1.1), [-4.0], 200)
    assert traj.status[0] == "diverged"
    k = traj.diverged_at[0]
    # |x_t| = 4·1.2^t; the escape box for [-5, 5] is [-500, 500]: 4·1.2^27 ≈ 549 > 500.
    assert k == 27
    np.testing.assert_allclose(traj.path[k - 1 :, 0, 0], traj.path[k - 1, 0, 0])
    assert abs(traj.path[k - 1, 0, 0]) == pytest.approx(4 * 1.2 ** (k - 1))
    assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.loss))


def test_converges_with_the_step_it_arrived_at():
    traj = descend(PARABOLA, optim.sgd(np.array([0.1, 0.5])), [-4.0], 200)
    assert list(traj.status) == ["converged", "converged"]
    # α = 0.5 lands exactly on 0 after one update.
    assert traj.converged_at[1] == 1
    # α = 0.1: |x_t| = 4·0.8^t must reach the gradient tolerance 1e-6 (|2x| ≤ 1e-6).
    expected = int(np.ceil(np.log(0.5e-6 / 4) / np.log(0.8)))
    assert traj.converged_at[0] == expected


def test_saddle_start_on_the_ridge_stalls_at_the_saddle_and_noise_escapes():
    ls = landscapes.get("saddle")
    stuck = descend(ls, optim.sgd(0.1), [0.0, 1.8], 300)
    np.testing.assert_allclose(stuck.final[0], [0.0, 0.0], atol=1e-8)
    assert stuck.status[0] == "converged"  # zero gradient: looks converged, is a saddle
    noisy = descend(ls, optim.sgd(0.1), [0.0, 1.8], 300, grad_noise=0.05, seed=3)
    assert abs(abs(noisy.final[0, 0]) - 1.0) < 0.1  # escaped to one of the minima (±1, 0)


def test_blowing_up_loss_without_leaving_the_box_is_diverged():
    # Beale's walls: a large step explodes the loss long before the escape box (±450).
    traj = descend(landscapes.get("beale"), optim.sgd(0.5), [4.0, 4.0], 20)
    assert traj.status[0] == "diverged"
    assert np.all(np.isfinite(traj.loss)) and np.all(np.isfinite(traj.path))


def test_no_numpy_warning_ever_escapes():
    ls = landscapes.get("rosenbrock")
    starts = np.random.default_rng(0).uniform([-2, -1], [2, 3], size=(200, 2))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for opt in (optim.sgd(0.5), optim.adam(50.0), optim.rmsprop(10.0, momentum=0.9)):
            traj = descend(ls, opt, starts, 100)
            assert np.all(np.isfinite(traj.path)) and np.all(np.isfinite(traj.loss))
            assert np.all(np.isfinite(traj.grad_norm))
            assert (traj.status == "diverged").any()


def test_final_mode_equals_path_mode():
    ls = landscapes.get("himmelblau")
    starts = np.random.default_rng(1).uniform(-5, 5, size=(50, 2))
    full = descend(ls, optim.adam(0.05), starts, 300)
    final = descend(ls, optim.adam(0.05), starts, 300, record="final")
    assert final.path is None and final.loss is None
    np.testing.assert_array_equal(final.final, full.path[-1])
    np.testing.assert_array_equal(final.final_loss, full.loss[-1])
    np.testing.assert_array_equal(final.status, full.status)
    np.testing.assert_array_equal(final.converged_at, full.converged_at)


def test_blocks_equal_one_pass(monkeypatch):
    ls = landscapes.get("rosenbrock")
    starts = np.random.default_rng(2).uniform([-2, -1], [2, 3], size=(37, 2))
    lrs = np.geomspace(1e-4, 1e-2, 37)
    one = descend(ls, optim.sgd(lrs, momentum=0.9), starts, 150, grad_noise=0.1, seed=5)
    monkeypatch.setattr(descent_module, "BLOCK_SIZE", 8)
    blocked = descend(ls, optim.sgd(lrs, momentum=0.9), starts, 150, grad_noise=0.1, seed=5)
    np.testing.assert_array_equal(one.path, blocked.path)
    np.testing.assert_array_equal(one.status, blocked.status)
    np.testing.assert_array_equal(one.diverged_at, blocked.diverged_at)


def test_vectorised_runs_equal_one_at_a_time_runs():
    ls = landscapes.get("six_hump_camel")
    starts = np.array([[-1.5, -0.9], [1.0, 0.5], [0.0, 0.0]])
    batch = descend(ls, optim.rmsprop(0.01, momentum=0.5), starts, 120)
    for i, s in enumerate(starts):
        single = descend(ls, optim.rmsprop(0.01, momentum=0.5), s, 120)
        np.testing.assert_allclose(batch.path[:, i], single.path[:, 0], rtol=1e-14)


def test_noise_is_seeded_shared_and_reproducible():
    ls = landscapes.get("bowl")
    starts = np.array([[-2.0, 1.0], [-2.0, 1.0]])
    a = descend(ls, optim.sgd(0.1), starts, 50, grad_noise=0.5, seed=11)
    b = descend(ls, optim.sgd(0.1), starts, 50, grad_noise=0.5, seed=11)
    c = descend(ls, optim.sgd(0.1), starts, 50, grad_noise=0.5, seed=12)
    np.testing.assert_array_equal(a.path, b.path)
    np.testing.assert_array_equal(a.path[:, 0], a.path[:, 1])  # shared noise: a fair race
    assert not np.allclose(a.path, c.path)
    indep = descend(ls, optim.sgd(0.1), starts, 50, grad_noise=0.5, seed=11, independent_noise=True)
    assert not np.allclose(indep.path[:, 0], indep.path[:, 1])


def test_noise_has_the_asked_standard_deviation():
    # One GD step from the minimum of x² moves by −α·σ·ε: the spread of ε over 4,000 steps is σ.
    traj = descend(PARABOLA, optim.sgd(1e-9), [0.0], 4000, grad_noise=2.0, seed=0)
    kicks = -np.diff(traj.path[:, 0, 0]) / 1e-9
    assert np.std(kicks) == pytest.approx(2.0, rel=0.05)
    assert abs(np.mean(kicks)) < 0.1


def test_float32_mode_keeps_its_precision_and_agrees_with_float64():
    ls = landscapes.get("himmelblau")
    starts = np.random.default_rng(3).uniform(-4, 4, size=(64, 2))
    f64 = descend(ls, optim.adam(0.05), starts, 400, record="final")
    f32 = descend(ls, optim.adam(0.05), starts, 400, record="final", dtype=np.float32)
    assert f32.final.dtype == np.float32
    np.testing.assert_allclose(f32.final, f64.final, atol=2e-3)


def test_a_single_start_is_repeated_for_per_run_rates():
    traj = descend(PARABOLA, optim.sgd(np.array([0.1, 0.2, 0.3])), [-4.0], 2)
    assert traj.path.shape == (3, 3, 1)
    np.testing.assert_allclose(traj.path[1, :, 0], [-3.2, -2.4, -1.6])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"start": [1.0, 2.0]}, "shape"),
        ({"start": [float("nan")]}, "NaN"),
        ({"steps": -1}, "steps"),
        ({"record": "movie"}, "record"),
        ({"grad_noise": -1.0}, "grad_noise"),
        ({"batch_size": 4}, "n_samples"),
        ({"optimizer": optim.sgd(np.array([0.1, 0.2])), "start": np.zeros((3, 1))}, "disagree"),
    ],
)
def test_bad_arguments_get_clear_errors(kwargs, message):
    args = {"objective": PARABOLA, "optimizer": optim.sgd(0.1), "start": [1.0], "steps": 3}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        descend(**args)


def test_zero_steps_returns_the_start():
    traj = descend(PARABOLA, optim.sgd(0.1), [[0.0], [2.0]], 0)
    assert traj.path.shape == (1, 2, 1) and traj.lr.shape == (0, 2)
    assert list(traj.status) == ["converged", "unconverged"]
