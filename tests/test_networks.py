"""Networks: exact derivatives against torch autograd, curvature against np.linalg, Li et al.'s
directions and planes, the edge of stability, and the page."""

from __future__ import annotations

import json

import numpy as np
import pytest

from gdviz import descend
from gdviz.core import optim
from gdviz.learning import network_views as views
from gdviz.learning import networks, probes
from gdviz.settings import links
from gdviz.settings.network import EDGE_OF_STABILITY, NetworkConfig, train_network
from tests.conftest import optional_module
from tests.helpers import open_page, shown

CASES = [
    (data, hidden, activation, loss)
    for data, hidden in (("iris", (8,)), ("moons", (6, 5)), ("digits", (7, 6, 5)))
    for activation in ("tanh", "relu")
    for loss in ("cross_entropy", "mse")
]


def small(data: str, hidden=(8,), activation="tanh", loss="cross_entropy", rows=120):
    X, y = networks.dataset(data)
    return networks.mlp(X[:rows], y[:rows], hidden, activation, loss)


# -- the data ---------------------------------------------------------------------------------


def test_the_digits_ship_inside_the_package_with_their_source():
    X, y = networks.dataset("digits")
    assert X.shape == (1797, 64) and sorted(set(y.tolist())) == list(range(10))
    assert np.allclose(X.mean(axis=0), 0.0)  # centred pixels
    pixels, digits = networks.digit_images()
    assert pixels.min() == 0 and pixels.max() == 16 and np.array_equal(digits, y)
    sources = (networks.DATA / "SOURCES.md").read_text()
    assert "CC BY 4.0" in sources and "Alpaydin" in sources


@pytest.mark.parametrize(
    ("name", "shape", "classes"),
    [("iris", (150, 4), 3), ("moons", (400, 2), 2), ("spirals", (400, 2), 2)],
)
def test_every_data_set_has_its_shape_and_is_the_same_every_time(name, shape, classes):
    X, y = networks.dataset(name)
    assert X.shape == shape and int(y.max()) + 1 == classes
    assert not X.flags.writeable
    networks.dataset.cache_clear()
    again, _ = networks.dataset(name)
    assert np.array_equal(X, again)


def test_an_unknown_data_set_is_refused():
    with pytest.raises(ValueError, match="unknown data set 'cifar'"):
        networks.dataset("cifar")


# -- exact derivatives, against torch autograd -------------------------------------------------


def torch_loss(net: networks.MLP, theta: np.ndarray):
    """The same network in torch (nn.Sequential of nn.Linear), θ loaded with
    vector_to_parameters: its loss and parameters."""
    torch = optional_module("torch", "the network derivatives are checked against autograd")
    torch.set_default_dtype(torch.float64)
    layers = []
    for i, layer in enumerate(net.layers):
        layers.append(torch.nn.Linear(layer.n_in, layer.n_out))
        if i < len(net.layers) - 1:
            layers.append(torch.nn.Tanh() if net.activation == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.tensor(theta), model.parameters())
    out = model(torch.tensor(net.X))
    y = torch.tensor(net.y)
    if net.loss == "cross_entropy":
        loss = torch.nn.functional.cross_entropy(out, y)
    else:
        loss = 0.5 * ((out - torch.nn.functional.one_hot(y, net.classes)) ** 2).sum(1).mean()
    return torch, loss, list(model.parameters())


@pytest.mark.torch
@pytest.mark.parametrize(("data", "hidden", "activation", "loss"), CASES)
def test_value_gradient_and_hvp_equal_torch_autograd(data, hidden, activation, loss):
    net = small(data, hidden, activation, loss)
    rng = np.random.default_rng(7)
    thetas = np.stack([net.init(seed) for seed in range(3)])
    directions = rng.standard_normal(thetas.shape)
    values, grads = net.value_and_grad(thetas)  # three networks in one call
    products = net.hvp(thetas, directions)
    for k in range(3):
        torch, reference, params = torch_loss(net, thetas[k])
        (grad,) = [
            torch.cat(
                [g.reshape(-1) for g in torch.autograd.grad(reference, params, create_graph=True)]
            )
        ]
        hv = torch.autograd.grad(grad @ torch.tensor(directions[k]), params)
        hv = torch.cat([h.reshape(-1) for h in hv]).numpy()
        grad = grad.detach().numpy()
        assert values[k] == pytest.approx(reference.item(), rel=1e-9)
        np.testing.assert_allclose(grads[k], grad, rtol=1e-9, atol=1e-12 * np.abs(grad).max())
        np.testing.assert_allclose(products[k], hv, rtol=1e-9, atol=1e-12 * np.abs(hv).max())
        single_value, single_grad = net.value_and_grad(thetas[k])  # one θ: the same numbers
        assert single_value == pytest.approx(values[k], rel=1e-12)
        np.testing.assert_allclose(single_grad, grads[k], rtol=1e-12)
        np.testing.assert_allclose(net.hvp(thetas[k], directions[k]), products[k], rtol=1e-12)


def test_a_mini_batch_gradient_is_the_gradient_of_those_rows_alone():
    net = small("iris", (8,))
    theta, rows = net.init(1), np.array([3, 50, 77, 101, 140 % 120])
    alone = networks.mlp(net.X[rows], net.y[rows], net.hidden, net.activation, net.loss)
    # The classes of the batch may be fewer: compare on a batch holding all three.
    assert alone.classes == net.classes
    np.testing.assert_allclose(net.grad(theta, rows), alone.grad(theta), rtol=1e-12)


def test_the_weights_are_laid_out_as_torch_lays_out_nn_linear():
    net = small("iris", (8,))
    first, second = net.layers
    assert (first.start, first.weight, first.bias) == (0, slice(0, 32), slice(32, 40))
    assert (second.start, second.end) == (40, 67) and net.dim == 67


def test_init_draws_torchs_default_bounds_from_its_seed():
    net = small("digits", (32,), rows=200)
    theta = net.init(3)
    first = net.layers[0]
    assert np.abs(theta[first.weight]).max() <= 1 / 8 and np.abs(theta[first.bias]).max() <= 1 / 8
    assert np.array_equal(theta, net.init(3)) and not np.array_equal(theta, net.init(4))


# -- curvature ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("activation", "loss"), [("tanh", "mse"), ("relu", "cross_entropy")])
def test_sharpness_is_the_largest_eigenvalue_of_the_full_hessian(activation, loss):
    net = small("iris", (16, 8), activation, loss)
    for seed in range(3):
        theta = net.init(seed)
        H = net.hessian(theta)
        assert np.abs(H - H.T).max() < 1e-12  # exact products: symmetric to rounding
        eigenvalues = np.linalg.eigvalsh((H + H.T) / 2)
        found = probes.sharpness(net, theta)
        assert found.top == pytest.approx(eigenvalues[-1], rel=1e-6)
        assert found.bottom == pytest.approx(eigenvalues[0], rel=1e-3)
        assert found.bottom < 0 < found.top  # away from a minimum: a saddle's signature


def test_the_sharpness_of_the_digits_network_in_few_products():
    X, y = networks.dataset("digits")
    net = networks.mlp(X, y, (32,))
    found = probes.sharpness(net, net.init(0), tol=1e-6)
    assert net.dim == 2410 and found.products <= 60 and found.top > 0


# -- Li et al.: directions, planes, the path ----------------------------------------------------


def test_filter_normalised_directions_match_each_neurons_weights():
    net = small("digits", (12, 6), "relu", rows=300)
    theta = net.init(2)
    d = probes.random_directions(net, theta, seed=5)
    for layer in net.layers:
        w = theta[layer.weight].reshape(layer.n_out, layer.n_in)
        for row in d[:, layer.weight].reshape(2, layer.n_out, layer.n_in):
            np.testing.assert_allclose(np.linalg.norm(row, axis=1), np.linalg.norm(w, axis=1))
        assert not d[:, layer.bias].any()  # biases: a zero direction
    assert np.array_equal(d, probes.random_directions(net, theta, seed=5))
    assert not np.array_equal(d, probes.random_directions(net, theta, seed=6))
    layer_wise = probes.random_directions(net, theta, seed=5, norm="layer")
    w0 = theta[net.layers[0].weight]
    assert np.linalg.norm(layer_wise[0, net.layers[0].weight]) == pytest.approx(np.linalg.norm(w0))


def test_a_plane_is_the_loss_at_every_point_of_its_grid():
    net = small("digits", (16,), rows=300)
    theta = net.init(0)
    d = probes.random_directions(net, theta, seed=1)
    alphas, betas = np.linspace(-1, 1, 7), np.linspace(-0.5, 0.5, 5)
    points = theta + np.stack(np.meshgrid(alphas, betas), -1).reshape(-1, 2) @ d
    direct = net.value(points).reshape(5, 7)
    exact = probes.plane(net, theta, d[0], d[1], alphas, betas, dtype=np.float64)
    np.testing.assert_allclose(exact, direct, rtol=1e-12)
    picture = probes.plane(net, theta, d[0], d[1], alphas, betas)  # float32
    np.testing.assert_allclose(picture, direct, rtol=1e-5)


def test_rescaling_a_relu_layer_changes_the_plain_picture_but_not_the_filter_normalised_one():
    net = small("moons", (8, 8), "relu", rows=200)
    theta = net.init(0)
    scaled = probes.scaled_layers(net, theta, 0, 5.0)
    assert net.value(scaled) == pytest.approx(net.value(theta), rel=1e-12)  # the same function
    demo = views.scaling_demo(net, theta, c=5.0, resolution=9)
    np.testing.assert_allclose(demo.filtered_scaled, demo.filtered, rtol=1e-5)
    assert np.max(np.abs(demo.plain_scaled - demo.plain)) > 0.1
    with pytest.raises(ValueError, match="only a ReLU network"):
        probes.scaled_layers(small("moons", (8,)), theta[:42], 0, 2.0)


def test_the_pca_of_a_planar_path_finds_its_plane_and_puts_every_point_on_it():
    rng = np.random.default_rng(0)
    basis = np.linalg.qr(rng.standard_normal((50, 2)))[0].T  # two orthonormal directions
    t = np.linspace(0, 1, 30)
    path = np.stack([3 * (1 - t), np.sin(4 * t)], axis=1) @ basis + 1.0
    pca = probes.path_pca(path)
    assert pca.off_plane.max() < 1e-10 and pca.explained.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(pca.coords @ pca.directions, path - path[-1], atol=1e-10)
    assert pca.coords[0, 0] > 0 and pca.coords[0, 1] >= 0  # the start on the positive side


# -- training through descend, and the edge of stability ---------------------------------------


@pytest.mark.torch
def test_descend_trains_a_network_as_torch_optim_does():
    torch = optional_module("torch", "a network's training is checked against torch.optim")
    net = small("iris", (8,), "tanh", "cross_entropy")
    theta0 = net.init(0)
    traj = descend(net, optim.sgd(0.3, momentum=0.9), theta0, 25)
    _, _, params = torch_loss(net, theta0)
    opt = torch.optim.SGD(params, lr=0.3, momentum=0.9)
    for _ in range(25):
        opt.zero_grad()
        model_loss = torch_loss_of(torch, net, params)
        model_loss.backward()
        opt.step()
    trained = torch.nn.utils.parameters_to_vector(params).detach().numpy()
    np.testing.assert_allclose(traj.final[0], trained, rtol=1e-9, atol=1e-12)


def torch_loss_of(torch, net, params):
    out = torch.tensor(net.X)
    for i in range(len(net.layers)):
        W, b = params[2 * i], params[2 * i + 1]
        out = out @ W.T + b
        if i < len(net.layers) - 1:
            out = torch.tanh(out) if net.activation == "tanh" else torch.relu(out)
    return torch.nn.functional.cross_entropy(out, torch.tensor(net.y))


def test_mini_batches_and_noise_run_through_descend_unchanged():
    net = small("moons", (8,), rows=200)
    traj = descend(
        net, optim.adam(0.01), net.init(0), 40, batch_size=16, grad_noise=0.01, seed=3, every=10
    )
    assert traj.path.shape == (5, 1, net.dim) and traj.loss.shape == (41, 1)
    assert traj.loss[-1, 0] < traj.loss[0, 0]
    again = descend(
        net, optim.adam(0.01), net.init(0), 40, batch_size=16, grad_noise=0.01, seed=3, every=10
    )
    assert np.array_equal(traj.final, again.final)


def test_the_edge_of_stability_preset_hovers_at_two_over_eta():
    """Cohen et al. 2021 on real data: full-batch GD with squared error on 1,000 centred digits.
    The sharpness rises (progressive sharpening) to 2/η and stays within ±5% of it over the
    second half, while the loss keeps falling, though not monotonically."""
    run = train_network(EDGE_OF_STABILITY)
    steps, tops = views.sharpness_along(run, count=24)
    bound = 2 / EDGE_OF_STABILITY.optimizer.lr
    assert tops[0] < 0.6 * bound  # it starts well below the threshold
    second_half = tops[steps >= steps[-1] / 2]
    assert np.all(np.abs(second_half / bound - 1) < 0.05), second_half / bound
    half = len(run.loss) // 2
    assert run.loss[-1] < 0.9 * run.loss[half]  # the loss keeps falling…
    assert np.sum(np.diff(run.loss[half:]) > 0) > 50  # …not monotonically


def test_the_views_of_a_training_tell_the_truth_about_the_path():
    cfg = NetworkConfig(dataset="iris", hidden=(8,), steps=300, batch_size=0)
    run = train_network(cfg)
    pca = views.pca_plane(run, resolution=9)
    random = views.random_plane(run, resolution=9)
    assert pca.explained[0] > 0.5 and pca.off_share < random.off_share
    # Where the path lies in the plane, the surface under it is its real loss.
    on = pca.off_plane < 1e-9
    np.testing.assert_allclose(pca.surface_loss[on], pca.path_loss[on], rtol=1e-9)
    train, held = views.line(run.net, run.held, run.start, run.final, np.array([0.0, 1.0]))
    assert train[0] == pytest.approx(run.loss[0]) and train[1] == pytest.approx(run.loss[-1])
    assert held[1] == pytest.approx(run.held_loss[-1])
    rows = np.arange(100, 100 + run.held.n_samples)  # where the held-out rows sit
    wrong, guess = views.held_mistakes(run, rows)
    assert len(wrong) == round((1 - run.held_accuracy[-1]) * run.held.n_samples)
    assert np.all(guess != run.held.y[wrong - 100]) and np.all(wrong >= 100)


# -- settings and links ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "said"),
    [
        ({"hidden": "64-64-64-64"}, "Tuple should have at most 3 items"),
        ({"hidden": "65"}, "less than or equal to 64"),
        ({"hidden": "x"}, "write the hidden layers as widths"),
        ({"steps": "99999"}, "less than or equal to 5000"),
        ({"B": "5000"}, "less than or equal to 2000"),
        ({"rows": "1500"}, "digits has 1,438 rows to train on"),
        ({"lr": "-1"}, "greater than 0"),
        ({"d": "cifar"}, "Input should be 'digits', 'iris', 'moons' or 'spirals'"),
        ({"hidden": "64-64-64", "steps": "5000", "B": "0"}, "too much work for one request"),
    ],
)
def test_a_hostile_network_link_is_answered_in_one_sentence(query, said):
    cfg, warnings = links.network_from_query(query)
    assert len(warnings) == 1 and said in warnings[0], warnings
    if len(query) == 1:  # the one bad value dropped: the page's defaults
        assert cfg == NetworkConfig()


def test_a_network_link_round_trips():
    cfg = NetworkConfig(
        dataset="moons",
        hidden=(16, 8),
        activation="relu",
        loss="mse",
        optimizer={"kind": "adam", "lr": 0.01},
        batch_size=32,
        steps=700,
        schedule={"kind": "cosine", "t_max": 700},
        seed=4,
        norm="none",
    )
    query = links.network_to_query(cfg)
    assert query["hidden"] == "16-8"
    back, warnings = links.network_from_query(query)
    assert not warnings and back == cfg


# -- the page -----------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["Training", "Landscape", "Lines", "Sharpness", "Rescaling"])
def test_every_view_of_the_page_renders(view):
    at = open_page("networks", {"d": "iris", "hidden": "8", "steps": "200", "act": "relu"})
    at.segmented_control(key="nn_view").set_value(view).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) >= 1
    assert next(m.value for m in at.metric) == "67"  # 4-8-3: 67 weights


def test_the_edge_of_stability_preset_loads_and_says_so():
    at = open_page("networks")
    at.selectbox(key="nn_preset").set_value("The edge of stability (full-batch GD, η = 0.5)").run()
    assert not at.exception and at.session_state.nn_view == "Sharpness"
    said = " ".join(shown(m.value) for m in at.markdown)
    assert "hovers at" in said and "edge of stability" in said
    assert dict(at.query_params) == links.network_to_query(EDGE_OF_STABILITY)


def test_a_hostile_link_keeps_the_page_working():
    at = open_page("networks", {"hidden": "64-64-64-64", "steps": "1e9", "d": "<b>x</b>"})
    warnings = [shown(w.value) for w in at.warning]
    assert len(warnings) == 3 and all(len(w) <= 600 for w in warnings)
    assert len(at.get("plotly_chart")) >= 1


def test_the_page_exports_its_view_its_numbers_and_its_settings():
    at = open_page("networks", {"d": "moons", "hidden": "8", "steps": "120"})
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Animation (HTML)", "Numbers (CSV)", "Settings (JSON)"]
    cfg = NetworkConfig(dataset="moons", hidden=(8,), steps=120)
    csv = views.to_csv(train_network(cfg)).splitlines()
    assert csv[0].startswith("step,training_loss,learning_rate,held_out_loss")
    assert len(csv) == 1 + 121 and all(len(row.split(",")) == 6 for row in csv)
    # The edge-of-stability preset, shortened: its 3,000 full-batch steps could pass the
    # 9-second deadline on a loaded CI machine, and what is tested here is the loading.
    saved = NetworkConfig.model_validate({**EDGE_OF_STABILITY.model_dump(), "steps": 300})
    at.file_uploader(key="nn_export_load").set_value(
        ("net.json", saved.model_dump_json().encode(), "application/json")
    ).run()
    assert not at.exception and not at.error
    assert links.network_from_query(dict(at.query_params))[0] == saved


def test_a_2d_boundary_moves_through_the_training_and_the_plane_rises_in_3d():
    at = open_page("networks", {"d": "moons", "hidden": "8", "steps": "150"})
    boundary = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert boundary["data"][0]["type"] == "contour" and len(boundary["frames"]) >= 10
    assert boundary["layout"]["sliders"][0]["steps"][-1]["label"] == "150"  # opens at the end
    at.segmented_control(key="nn_view").set_value("Landscape").run()
    at.toggle(key="nn_3d").set_value(True).run()
    surface = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["type"] for t in surface["data"]] == ["surface", "scatter3d"]


def test_every_network_request_stops_at_its_deadline():
    """The trainings of the Lines view share one budget; the sharpness curve has its own."""
    from gdviz.core.descent import TooLongError
    from gdviz.settings.network import keskar_pair

    cfg = NetworkConfig(dataset="iris", hidden=(8,), steps=50)
    with pytest.raises(TooLongError):
        train_network(cfg, seconds=0.0)
    run = train_network(cfg)
    with pytest.raises(TooLongError) as info:
        views.sharpness_along(run, seconds=0.0, count=5)
    assert (info.value.step, info.value.steps) == (0, 5)  # checked before every point
    small, large = keskar_pair(cfg)
    assert small.shape == large.shape == (run.net.dim,)


def test_every_data_file_travels_with_the_package():
    """A non-editable install (the Docker image's ``pip install .``) must carry every file the
    package reads that is not Python: the digits and their source, the deck, the browser
    scripts."""
    import fnmatch
    import re
    from pathlib import Path

    root = Path(__file__).parents[1]
    project = (root / "pyproject.toml").read_text()
    block = re.search(r"^gdviz = \[(.*?)\]", project, flags=re.S | re.M)
    assert block is not None
    patterns = re.findall(r'"([^"]+)"', block.group(1))
    files = [
        path.relative_to(root / "gdviz").as_posix()
        for path in (root / "gdviz").rglob("*")
        if path.is_file() and path.suffix not in {".py", ".pyc"}
    ]
    assert {"learning/data/digits.csv.gz", "ui/js/scrub.js", "settings/deck.json"} <= set(files)
    missing = [f for f in files if not any(fnmatch.fnmatch(f, p) for p in patterns)]
    assert not missing, f"not in [tool.setuptools.package-data]: {missing}"
