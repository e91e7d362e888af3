"""Every landscape: exact derivatives, published minima, the broadcasting contract."""

from __future__ import annotations

import numpy as np
import pytest

from gdviz.core import landscapes

ALL = landscapes.names()


def central_grad(ls, p, h=1e-6):
    """Central differences of the value: ``(d,) -> (d,)``."""
    e = np.eye(ls.dim) * h
    return np.array([(ls.value(p + e[i]) - ls.value(p - e[i])) / (2 * h) for i in range(ls.dim)])


def central_hess(ls, p, h=1e-5):
    e = np.eye(ls.dim) * h
    return np.array([(ls.grad(p + e[i]) - ls.grad(p - e[i])) / (2 * h) for i in range(ls.dim)])


def random_points(ls, n=25, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(ls.lo, ls.hi, size=(n, ls.dim))


def test_registry_names_and_dimensions():
    assert landscapes.names(dim=1) == ("parabola", "double_well", "plateau_1d")
    required_2d = {
        "bowl", "ravine", "rosenbrock", "himmelblau", "beale", "saddle",
        "six_hump_camel", "rastrigin", "ackley", "plateau",
    }  # fmt: skip
    assert required_2d <= set(landscapes.names(dim=2))
    assert set(landscapes.names()) == set(landscapes.names(1)) | set(landscapes.names(2))


def test_unknown_name_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"unknown landscape .moon.*rosenbrock"):
        landscapes.get("moon")


@pytest.mark.parametrize("name", ALL)
def test_metadata_is_complete(name):
    ls = landscapes.get(name)
    assert ls.name == name and ls.title and ls.formula and len(ls.blurb) > 80
    assert len(ls.bounds) == ls.dim and all(lo < hi for lo, hi in ls.bounds)
    assert ls.minima.shape[1] == ls.dim and len(ls.minima) >= 1
    assert np.all((ls.minima >= ls.lo) & (ls.minima <= ls.hi))
    assert np.all((np.array(ls.start) >= ls.lo) & (np.array(ls.start) <= ls.hi))
    assert ls.lr > 0


@pytest.mark.parametrize("name", ALL)
def test_gradient_matches_central_differences(name):
    ls = landscapes.get(name)
    pts = random_points(ls)
    g = ls.grad(pts)
    fd = np.array([central_grad(ls, p) for p in pts])
    np.testing.assert_allclose(g, fd, rtol=1e-6, atol=1e-5)


@pytest.mark.parametrize("name", ALL)
def test_hessian_matches_central_differences_and_is_symmetric(name):
    ls = landscapes.get(name)
    pts = random_points(ls, seed=1)
    H = ls.hessian(pts)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2), rtol=0, atol=1e-12)
    fd = np.array([central_hess(ls, p) for p in pts])
    np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-4)


@pytest.mark.parametrize("name", [n for n in ALL if n != "ackley"])
def test_every_listed_minimum_is_a_stationary_minimum(name):
    ls = landscapes.get(name)
    assert np.max(np.abs(ls.grad(ls.minima))) < 1e-8
    assert np.all(np.linalg.eigvalsh(ls.hessian(ls.minima))[:, 0] > 0)


def test_ackley_minima_are_stationary_away_from_the_cone_tip():
    ls = landscapes.get("ackley")
    np.testing.assert_array_equal(ls.minima[0], [0.0, 0.0])
    assert ls.value(np.zeros(2)) == pytest.approx(0.0, abs=1e-12)
    assert np.max(np.abs(ls.grad(ls.minima))) < 1e-8  # the tip's subgradient is 0 too
    assert len(ls.minima) == 121


@pytest.mark.parametrize(
    ("name", "point", "value"),
    [
        ("rosenbrock", [1.0, 1.0], 0.0),
        ("himmelblau", [3.0, 2.0], 0.0),
        ("himmelblau", [-2.805118, 3.131312], 0.0),
        ("himmelblau", [-3.779310, -3.283186], 0.0),
        ("himmelblau", [3.584428, -1.848126], 0.0),
        ("beale", [3.0, 0.5], 0.0),
        ("six_hump_camel", [0.0898, -0.7126], -1.0316),
        ("six_hump_camel", [-0.0898, 0.7126], -1.0316),
        ("rastrigin", [0.0, 0.0], 0.0),
        ("ackley", [0.0, 0.0], 0.0),
        ("bowl", [0.0, 0.0], 0.0),
        ("plateau", [0.0, 0.0], 0.0),
        ("saddle", [1.0, 0.0], 0.0),
        ("parabola", [0.0], 0.0),
    ],
)
def test_published_minima_and_values(name, point, value):
    ls = landscapes.get(name)
    assert ls.value(np.array(point)) == pytest.approx(value, abs=1e-4)
    # ...and the listed (polished) minimum is within the published rounding of that point.
    nearest = ls.minima[ls.nearest_minimum(np.array(point))[0]]
    np.testing.assert_allclose(nearest, point, atol=1e-4)


def test_global_minima_values():
    assert landscapes.get("six_hump_camel").global_min == pytest.approx(-1.0316284535, abs=1e-9)
    assert landscapes.get("himmelblau").global_min == pytest.approx(0.0, abs=1e-20)
    assert len(landscapes.get("himmelblau").minima) == 4
    assert len(landscapes.get("six_hump_camel").minima) == 6
    assert len(landscapes.get("rastrigin").minima) == 121  # one per integer point on the map


def test_saddle_points_are_stationary_and_indefinite():
    for name in ("saddle", "himmelblau"):
        ls = landscapes.get(name)
        assert len(ls.saddles) >= 1
        assert np.max(np.abs(ls.grad(ls.saddles))) < 1e-8
        eig = np.linalg.eigvalsh(ls.hessian(ls.saddles))
        assert np.all((eig[:, 0] < 0) & (eig[:, -1] > 0))


def test_double_well_has_a_deeper_left_minimum():
    ls = landscapes.get("double_well")
    left, right = ls.minima[:, 0]
    assert left < 0 < right
    assert ls.value(ls.minima[0]) < ls.value(ls.minima[1])


@pytest.mark.parametrize("name", ALL)
def test_one_function_evaluates_a_point_a_batch_and_a_grid(name):
    ls = landscapes.get(name)
    pts = random_points(ls, n=12, seed=2)
    grid = pts.reshape(3, 4, ls.dim)
    assert ls.value(pts[0]).shape == ()
    assert ls.value(pts).shape == (12,)
    assert ls.value(grid).shape == (3, 4)
    assert ls.grad(grid).shape == (3, 4, ls.dim)
    assert ls.hessian(grid).shape == (3, 4, ls.dim, ls.dim)
    np.testing.assert_allclose(ls.value(grid).ravel(), [ls.value(p) for p in pts], rtol=1e-15)
    np.testing.assert_allclose(ls.grad(grid).reshape(12, -1), [ls.grad(p) for p in pts])


def test_wrong_number_of_coordinates_is_refused():
    with pytest.raises(ValueError, match="2 coordinate"):
        landscapes.get("bowl").value(np.zeros(3))


def test_gradients_stay_finite_over_the_whole_map():
    for name in ALL:
        ls = landscapes.get(name)
        axes = ls.grid(41)
        mesh = np.stack(np.meshgrid(*axes, indexing="ij"), axis=-1)
        assert np.all(np.isfinite(ls.value(mesh))), name
        assert np.all(np.isfinite(ls.grad(mesh))), name
        assert np.all(np.isfinite(ls.hessian(mesh))), name
