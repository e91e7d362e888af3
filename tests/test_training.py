"""Models on data: exact derivatives, optima, feature scaling, flavours of descent, the PyTorch
snippet, and the data page's settings."""

from __future__ import annotations

import contextlib
import io

import numpy as np
import pytest
from pydantic import ValidationError

from gdviz import settings
from gdviz.core.descent import batch_orders, descend
from gdviz.core.optim import sgd
from gdviz.learning import datasets, models, snippet, training
from gdviz.settings import links
from gdviz.teach import narrate
from tests.conftest import optional_module


@pytest.fixture(scope="module")
def iris():
    ds = datasets.example("iris")
    return (ds.x - ds.x.mean()) / ds.x.std(), ds.y


def central_differences(f, theta, eps=1e-6):
    eye = np.eye(len(theta))
    return np.array([(f(theta + eps * e) - f(theta - eps * e)) / (2 * eps) for e in eye])


@pytest.mark.parametrize("make", [models.logistic_regression, models.sigmoid_neuron])
@pytest.mark.parametrize("theta", [(0.7, -0.3), (-4.0, 3.0), (9.0, 1.0)])
def test_sigmoid_model_gradient_and_hessian_match_differences(iris, make, theta):
    obj = make(*iris)
    theta = np.array(theta)
    np.testing.assert_allclose(
        obj.grad(theta), central_differences(obj.value, theta), rtol=1e-6, atol=1e-10
    )
    np.testing.assert_allclose(
        obj.hessian(theta), central_differences(obj.grad, theta), rtol=1e-5, atol=1e-9
    )


def test_cross_entropy_by_hand_on_two_points():
    # z = (0, 1) at θ = (1, 0): ℓ = log 2 for y=1 at z=0, and log(1 + e) for y=0 at z=1.
    obj = models.logistic_regression(np.array([0.0, 1.0]), np.array([1.0, 0.0]))
    theta = np.array([1.0, 0.0])
    assert obj.value(theta) == pytest.approx((np.log(2) + np.log1p(np.e)) / 2, rel=1e-15)
    p = 1 / (1 + np.exp(-np.array([0.0, 1.0])))
    expected = np.array([(p[1] - 0) * 1.0, (p[0] - 1) + (p[1] - 0)]) / 2
    np.testing.assert_allclose(obj.grad(theta), expected, rtol=1e-15)
    # Far out the loss stays finite (softplus, not log(σ)): a step to z = 800 must not overflow.
    assert np.isfinite(obj.value(np.array([800.0, 0.0])))


def test_logistic_optimum_is_stationary_and_a_minimum(iris):
    obj = models.logistic_regression(*iris)
    theta = obj.optimum()
    assert np.linalg.norm(obj.grad(theta)) < 1e-12
    assert np.all(np.linalg.eigvalsh(obj.hessian(theta)) > 0)
    # The probabilities at the optimum sum to the number of positives (the bias's equation).
    assert obj.predict(theta, iris[0][:, None]).sum() == pytest.approx(50.0, rel=1e-10)


def test_separable_classes_have_no_cross_entropy_optimum():
    obj = models.logistic_regression(np.array([-2.0, -1.0, 1.0, 2.0]), np.array([0, 0, 1, 1.0]))
    assert obj.optimum() is None


def test_the_mismatched_loss_has_a_plateau_where_cross_entropy_does_not(iris):
    # Saturated on the wrong side (w very negative): squared error's gradient nearly vanishes,
    # cross-entropy's does not.
    theta = np.array([-8.0, 0.0])
    flat = np.linalg.norm(models.sigmoid_neuron(*iris).grad(theta))
    steep = np.linalg.norm(models.logistic_regression(*iris).grad(theta))
    assert flat < 0.02 * steep
    assert np.linalg.eigvalsh(models.sigmoid_neuron(*iris).hessian(np.array([-3.0, 0.0])))[0] < 0


@pytest.mark.parametrize("model", ["linear", "logistic", "sigmoid_mse"])
def test_raw_and_standardised_problems_describe_the_same_predictions(model):
    ds = datasets.example("iris")
    raw = training.make_problem(ds, model, "raw")
    std = training.make_problem(ds, model, "standardised")
    np.testing.assert_allclose(
        raw.optimum, training.convert(std.optimum, raw.mean, raw.std, "raw"), rtol=1e-7
    )
    assert raw.optimum_loss == pytest.approx(std.optimum_loss, rel=1e-10)
    theta = np.array([1.5, -0.5])
    back = training.convert(
        training.convert(theta, raw.mean, raw.std, "raw"), raw.mean, raw.std, "s"
    )
    np.testing.assert_allclose(back, theta, rtol=1e-14)
    np.testing.assert_allclose(
        raw.predict(training.convert(theta, raw.mean, raw.std, "raw"), ds.x),
        std.predict(theta, ds.x),
        rtol=1e-12,
    )
    # Both maps hold the optimum and the origin (the default start).
    for problem in (raw, std):
        assert problem.contains(problem.optimum) and problem.contains(np.zeros(2))


def test_raw_tips_is_a_ravine_with_a_tiny_critical_rate():
    ds = datasets.example("tips")
    raw = training.make_problem(ds, "linear", "raw")
    std = training.make_problem(ds, "linear", "standardised")
    # Standardised: H = 2 [[1, 0], [0, 1]] exactly, so α* = 2/2 = 1.
    assert std.critical_lr() == pytest.approx(1.0, rel=1e-12)
    assert std.condition_number() == pytest.approx(1.0, rel=1e-12)
    # Raw: H = 2 [[E x², E x], [E x, 1]]; its largest eigenvalue by the 2x2 formula.
    m1, m2 = ds.x.mean(), (ds.x**2).mean()
    lam = (m2 + 1) + np.sqrt((m2 - 1) ** 2 + 4 * m1**2)
    assert raw.critical_lr() == pytest.approx(2 / lam, rel=1e-12)
    assert raw.critical_lr() == pytest.approx(0.002122, rel=1e-3)
    assert raw.condition_number() > 2000
    report = narrate.scaling_report(raw, std, 0.1)
    assert "α < 0.002122" in report and "α < 1.00" in report
    assert "above the raw limit" in report and "within the standardised limit" in report
    # And the runs agree with the words: α = 0.1 diverges raw, converges standardised.
    assert training.train(raw, "batch", epochs=50, lr=0.1).status == "diverged"
    assert training.train(std, "batch", epochs=200, lr=0.1).status == "converged"


def test_replayed_batch_orders_reproduce_the_descent():
    ds = datasets.example("tips")
    problem = training.make_problem(ds, "linear", "standardised")
    run = training.train(problem, "minibatch", batch_size=50, epochs=3, lr=0.05, seed=11)
    assert run.per_epoch == 5 and run.steps == 15  # 244 rows: 4 batches of 50 and one of 44
    orders = batch_orders(ds.n, 11, 3)
    theta, obj = np.zeros(2), problem.objective
    for t in range(run.steps):
        epoch, j = divmod(t, 5)
        rows = orders[epoch, 50 * j : 50 * (j + 1)]
        np.testing.assert_array_equal(run.rows(t), rows)
        assert run.batch_loss[t] == pytest.approx(float(obj.value(theta, rows)), rel=1e-13)
        theta = theta - 0.05 * obj.grad(theta, rows)
        np.testing.assert_allclose(run.path[t + 1], theta, rtol=1e-13)
    assert sorted(run.rows(4)) != sorted(run.rows(9)) and len(run.rows(4)) == 44
    np.testing.assert_array_equal(np.sort(orders, axis=1), np.tile(np.arange(ds.n), (3, 1)))


def test_every_flavour_sees_the_rows_in_the_same_order():
    problem = training.make_problem(datasets.example("tips"), "linear", "standardised")
    kinds = {
        f: training.train(problem, f, batch_size=16, epochs=2, seed=5) for f in training.FLAVOURS
    }
    assert [kinds[f].per_epoch for f in training.FLAVOURS] == [1, 244, 16]
    stochastic, mini = kinds["stochastic"], kinds["minibatch"]
    np.testing.assert_array_equal(stochastic.orders, mini.orders)
    # Update 0 of the mini-batch run uses exactly the rows of the first 16 stochastic updates.
    first = np.concatenate([stochastic.rows(t) for t in range(16)])
    np.testing.assert_array_equal(mini.rows(0), first)
    # Batch descent is the same whatever the order: it equals the plain full-batch loop.
    np.testing.assert_allclose(
        kinds["batch"].path,
        descend(problem.objective, sgd(0.1), np.zeros(2), 2).path[:, 0],
        rtol=1e-13,
    )
    # Epoch losses are read at the epoch boundaries.
    np.testing.assert_array_equal(mini.epoch_loss(), mini.loss[[0, 16, 32]])


def test_stochastic_descent_with_a_decaying_noise_floor_gets_close_not_exact():
    problem = training.make_problem(datasets.example("gapminder"), "linear", "standardised")
    run = training.train(problem, "stochastic", epochs=20, lr=0.01, seed=0)
    gap = run.loss[-1] / problem.optimum_loss - 1
    assert 0 < gap < 0.05  # SGD hovers near, not at, the optimum
    assert np.std(run.batch_loss[-142:]) > np.std(run.loss[-142:])  # the batch loss is noisier


def test_logistic_descent_reaches_the_newton_optimum():
    problem = training.make_problem(datasets.example("iris"), "logistic", "standardised")
    run = training.train(problem, "batch", epochs=2000, lr=10.0)
    np.testing.assert_allclose(run.path[-1], problem.optimum, rtol=1e-9)
    assert run.status == "converged"


# -- the settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"model": "logistic"}, "needs a target with two classes"),
        ({"batch_size": 245}, "batch size 245 is larger than the 244 rows"),
        ({"start": (50.0, 0.0)}, "off the map: w must lie in"),
        ({"flavour": "stochastic", "epochs": 100}, "24,400 updates; the limit is 20,000"),
        ({"lr": 0.0}, "greater than 0"),
        ({"lr": 1e9}, "less than or equal to 100"),
        ({"dataset": "mnist"}, "'tips', 'gapminder', 'iris' or 'upload'"),
        ({"start": (float("inf"), 0.0)}, "finite"),
    ],
)
def test_data_settings_are_bounded_in_the_model(fields, message):
    with pytest.raises(ValidationError, match=message):
        settings.DataConfig(**fields)


def test_data_link_round_trip_and_bad_values():
    cfg = settings.DataConfig(
        dataset="iris", model="sigmoid_mse", scaling="raw", flavour="stochastic", epochs=7,
        lr=0.3, momentum=0.5, seed=3, start=(1.0, -2.0), race=True,
    )  # fmt: skip
    query = links.data_to_query(cfg)
    assert query["d"] == "iris" and query["gd"] == "stochastic" and "B" not in query
    assert links.data_from_query(query) == (cfg, [])
    cfg, warnings = links.data_from_query({"d": "tips", "B": "9999", "lr": "x", "w0": "1e9"})
    assert cfg == settings.DataConfig()
    assert len(warnings) == 3 and all(w.startswith("Ignored") for w in warnings)


def test_run_data_races_three_flavours_from_one_start():
    cfg = settings.DataConfig(race=True, epochs=2, start=(1.0, 1.0))
    problem = settings.example_problem("tips", "linear", "standardised")
    runs = settings.run_data(cfg, problem)
    assert [r.label for r in runs] == [
        "Batch (B = 244)",
        "Stochastic (B = 1)",
        "Mini-batch (B = 16)",
    ]
    assert all(np.array_equal(r.path[0], [1.0, 1.0]) for r in runs)


# -- the PyTorch snippet ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "model", "scaling", "lr"),
    [
        ("tips", "linear", "raw", 0.001),
        ("gapminder", "linear", "standardised", 0.3),
        ("iris", "logistic", "standardised", 1.0),
        ("iris", "sigmoid_mse", "raw", 0.5),
    ],
)
def test_the_pytorch_snippet_reproduces_batch_descent(key, model, scaling, lr):
    optional_module("torch", "the snippet is run to check it reproduces the page")
    ds = datasets.example(key)
    problem = training.make_problem(ds, model, scaling)
    run = training.train(problem, "batch", epochs=25, lr=lr, momentum=0.5, start=(0.2, 0.1))
    code = snippet.pytorch_snippet(
        ds, model=model, scaling=scaling, batch_size=ds.n, epochs=25, lr=lr, momentum=0.5,
        seed=0, start=(0.2, 0.1),
    )  # fmt: skip
    namespace: dict = {}
    with contextlib.redirect_stdout(io.StringIO()) as out:
        exec(compile(code, "<snippet>", "exec"), namespace)  # our generated code, not user text
    neuron = namespace["neuron"]
    np.testing.assert_allclose(
        [neuron.weight.item(), neuron.bias.item()], run.path[-1], rtol=1e-10, atol=1e-12
    )
    assert out.getvalue().count("epoch") == 25


def test_the_snippet_for_an_upload_reads_the_users_file():
    table = datasets.read_csv(b"hours,passed\n1,no\n2,no\n3,yes\n4,yes\n2.5,yes\n")
    ds = datasets.from_table(table, "hours", "passed", "classification", "grades.csv")
    code = snippet.pytorch_snippet(
        ds, model="logistic", scaling="standardised", batch_size=2, epochs=3, lr=0.1,
        momentum=0.0, seed=4, start=(0.0, 0.0), feature="hours", target="passed",
    )  # fmt: skip
    assert 'pd.read_csv("your_file.csv")' in code
    assert "df['passed'].astype(str).str.strip() == 'yes'" in code
    assert "BCEWithLogitsLoss" in code and "batch_size=2" in code
    assert "manual_seed(4)" in code
    compile(code, "<snippet>", "exec")
    logged = datasets.from_table(
        datasets.read_csv(b"income,life\n1000,50\n10000,67\n100000,80\n"),
        "income", "life", "regression", "g.csv", log10_feature=True,
    )  # fmt: skip
    code = snippet.pytorch_snippet(
        logged, model="linear", scaling="raw", batch_size=3, epochs=1, lr=0.1, momentum=0.0,
        seed=0, start=(0.0, 0.0), feature="income", target="life",
    )  # fmt: skip
    assert "x = np.log10(df['income'].to_numpy(dtype=float))" in code


def test_a_picture_of_the_mse_surface_uses_the_quadratic_form_without_losing_digits():
    ds = datasets.example("tips")
    obj = models.linear_regression(ds.x, ds.y)
    grid = np.stack(np.meshgrid(np.linspace(-0.3, 0.4, 80), np.linspace(-9, 10, 80)), axis=-1)
    by_rows = np.array([[np.mean((ds.x * w + b - ds.y) ** 2) for w, b in row] for row in grid])
    np.testing.assert_allclose(obj.value(grid), by_rows, rtol=1e-12)


def test_every_data_lesson_shows_what_its_text_claims():
    from gdviz.settings.lessons import DATA_LESSONS

    def outcome(title: str) -> tuple[list[training.Training], training.Problem]:
        cfg = DATA_LESSONS[title].config
        problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
        return settings.run_data(cfg, problem), problem

    (crawl,), tips_raw = outcome("Feature scaling 1: raw bills make a ravine")
    assert (
        crawl.status == "unconverged" and 0.10 < crawl.loss[-1] / tips_raw.optimum_loss - 1 < 0.14
    )
    assert DATA_LESSONS["Feature scaling 1: raw bills make a ravine"].config.lr < (
        tips_raw.critical_lr()
    )
    (blow,), _ = outcome("Feature scaling 2: α = 0.1 on raw bills diverges")
    assert blow.status == "diverged" and blow.traj.diverged_at[0] <= 5
    (newton,), tips = outcome("Feature scaling 3: standardised, α = 0.5 lands in one step")
    np.testing.assert_allclose(newton.path[1], tips.optimum, rtol=1e-12)
    batch, stochastic, mini = outcome("Batch vs stochastic vs mini-batch")[0]
    assert mini.loss[-1] < stochastic.loss[-1] < batch.loss[-1] and stochastic.steps == 2440
    (jitter,), _ = outcome("Why stochastic descent jitters")
    assert np.std(np.diff(jitter.loss[-244:])) > 1e-3  # the full loss itself jumps about
    (stuck,), iris_mse = outcome("The mismatched loss: a sigmoid stuck on a plateau")
    assert 8 < stuck.loss[-1] / iris_mse.optimum_loss < 12  # "about 10×"
    (walk,), iris_ce = outcome("Cross-entropy from the same bad start")
    assert walk.loss[-1] / iris_ce.optimum_loss < 1.1
    assert np.array_equal(walk.path[0], stuck.path[0])
