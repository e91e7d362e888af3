"""Linear regression on real data (tips, shipped inside plotly): batch, mini-batch, seeds."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz import descend
from gdviz.core import optim
from gdviz.learning import datasets, models


@pytest.fixture(scope="module")
def tips():
    table = datasets.bundled_table("tips")  # read from plotly's package data, offline
    x, y = table.columns["total_bill"], table.columns["tip"]
    assert x.shape == (244,)
    return x, y


def test_batch_gd_equals_the_plain_numpy_loop(tips):
    x, y = tips
    X = x[:, None]
    lr, steps, n = 1e-3, 300, len(y)
    w, b = np.zeros(1), 0.0
    expected = [np.array([*w, b])]
    for _ in range(steps):
        r = X @ w + b - y
        w = w - lr * (2 / n) * (X.T @ r)
        b = b - lr * (2 / n) * r.sum()
        expected.append(np.array([*w, b]))
    traj = descend(models.linear_regression(X, y), optim.sgd(lr), [0.0, 0.0], steps)
    np.testing.assert_allclose(traj.path[:, 0], np.array(expected), rtol=1e-13, atol=1e-15)


def test_minibatch_of_all_rows_equals_full_batch(tips):
    x, y = tips
    obj = models.linear_regression(x, y)
    full = descend(obj, optim.sgd(1e-3), [0.0, 0.0], 100)
    mini = descend(obj, optim.sgd(1e-3), [0.0, 0.0], 100, batch_size=len(y), seed=4)
    np.testing.assert_allclose(mini.path, full.path, rtol=1e-12, atol=1e-14)


def test_minibatch_gradients_average_to_the_full_gradient(tips):
    x, y = tips
    obj = models.linear_regression(x, y)
    theta = np.array([0.3, -1.0])
    perm = np.random.default_rng(0).permutation(len(y))
    # 244 rows in batches of 61: four equal batches; their mean gradient is the full gradient.
    batches = np.split(perm, 4)
    mean = np.mean([obj.grad(theta, rows) for rows in batches], axis=0)
    np.testing.assert_allclose(mean, obj.grad(theta), rtol=1e-12)


def test_same_seed_same_path_and_a_new_seed_a_new_path(tips):
    x, y = tips
    obj = models.linear_regression(x, y)
    a = descend(obj, optim.sgd(1e-3), [0.0, 0.0], 200, batch_size=16, seed=1)
    b = descend(obj, optim.sgd(1e-3), [0.0, 0.0], 200, batch_size=16, seed=1)
    c = descend(obj, optim.sgd(1e-3), [0.0, 0.0], 200, batch_size=16, seed=2)
    np.testing.assert_array_equal(a.path, b.path)
    assert not np.allclose(a.path, c.path)


def test_minibatches_are_per_epoch_permutations_shared_by_every_run(tips):
    x, y = tips
    obj = models.linear_regression(x, y)
    starts = np.array([[0.0, 0.0], [0.0, 0.0]])
    traj = descend(obj, optim.sgd(np.array([1e-3, 1e-3])), starts, 50, batch_size=10, seed=7)
    np.testing.assert_array_equal(traj.path[:, 0], traj.path[:, 1])


def test_standardised_gd_reaches_the_least_squares_solution(tips):
    x, y = tips
    z = (x - x.mean()) / x.std()
    obj = models.linear_regression(z, y)
    traj = descend(obj, optim.sgd(0.1), [0.0, 0.0], 500)
    np.testing.assert_allclose(traj.final[0], obj.optimum(), rtol=1e-8)
    np.testing.assert_allclose(obj.optimum(), np.polyfit(z, y, 1), rtol=1e-10)
    assert traj.status[0] == "converged"


def test_raw_features_make_a_ravine(tips):
    # The raw bill (mean ≈ 19.8) makes the Hessian badly conditioned: a rate that is fast on
    # standardised data diverges on the raw data.
    from gdviz.core import analysis

    x, y = tips
    raw, std = models.linear_regression(x, y), models.linear_regression((x - x.mean()) / x.std(), y)
    assert analysis.condition_number(raw, np.zeros(2)) > 100 * analysis.condition_number(
        std, np.zeros(2)
    )
    traj = descend(raw, optim.sgd(0.1), [0.0, 0.0], 100)
    assert traj.status[0] == "diverged"


def test_hessian_is_the_constant_two_over_n_design_gram(tips):
    x, y = tips
    obj = models.linear_regression(x, y)
    D = np.column_stack([x, np.ones_like(x)])
    np.testing.assert_allclose(obj.hessian(np.zeros(2)), 2 / len(y) * D.T @ D)
    assert obj.hessian(np.zeros((5, 2))).shape == (5, 2, 2)


@pytest.mark.parametrize(
    ("X", "y", "message"),
    [
        (np.ones((1, 1)), np.ones(1), "at least 2"),
        (np.ones((3, 1)), np.ones(2), "must be"),
        (np.array([[1.0], [np.nan]]), np.ones(2), "NaN"),
    ],
)
def test_bad_data_is_refused(X, y, message):
    with pytest.raises(ValueError, match=message):
        models.linear_regression(X, y)


class _Separate:
    """The same objective without ``value_and_grad``: descend then calls value and grad."""

    def __init__(self, obj):
        self.obj, self.dim, self.n_samples, self.bounds = obj, obj.dim, obj.n_samples, obj.bounds

    def value(self, p, rows=None):
        return self.obj.value(p, rows)

    def grad(self, p, rows=None):
        return self.obj.grad(p, rows)


@pytest.mark.parametrize("make", [models.linear_regression, models.logistic_regression])
def test_the_joint_loss_and_gradient_change_nothing_but_speed(tips, make):
    x, y = tips
    target = y if make is models.linear_regression else (y > np.median(y)).astype(float)
    obj = make((x - x.mean()) / x.std(), target, ((-10.0, 10.0), (-10.0, 10.0)))
    loss, grad = obj.value_and_grad(np.array([[0.3, -1.0], [2.0, 0.5]]))
    np.testing.assert_allclose(loss, obj.value(np.array([[0.3, -1.0], [2.0, 0.5]])), rtol=1e-14)
    np.testing.assert_allclose(grad, obj.grad(np.array([[0.3, -1.0], [2.0, 0.5]])), rtol=1e-13)
    # Rates per run, one too large: the diverging run must freeze the same way in both.
    opt = optim.sgd(np.array([0.05, 0.5, 2.5]))
    starts = np.zeros((3, 2))
    for kwargs in ({}, {"batch_size": 16, "seed": 3}):
        joint = descend(obj, opt, starts, 200, **kwargs)
        separate = descend(_Separate(obj), opt, starts, 200, **kwargs)
        np.testing.assert_allclose(joint.path, separate.path, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(joint.grad_norm, separate.grad_norm, rtol=1e-10, atol=1e-14)
        np.testing.assert_array_equal(joint.status, separate.status)
    assert "diverged" in joint.status or make is models.logistic_regression
