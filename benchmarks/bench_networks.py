"""Networks against torch, in the same run: the digits 64-32-10 network (2,410 weights, 1,797
rows) and the issue's goals. Prints a table; asserts nothing.

    python benchmarks/bench_networks.py

* exactness: value, gradient and Hessian-vector product against torch autograd (largest
  relative difference over tanh/relu × cross-entropy/MSE);
* sharpness: one Lanczos estimate (tol 1e-6) against the full Hessian's ``eigvalsh``;
* a 51×51 filter-normalised plane against torch doing the same 2,601 forward passes (float64
  and float32), and the 13×13 preview;
* 1,000 full-batch GD steps through ``descend`` against torch's autograd loop with
  ``torch.optim.SGD`` (torch's default threads; float64 like ours);
* the edge-of-stability preset: training and its sharpness curve.
"""

from __future__ import annotations

import time

import numpy as np
import torch

from gdviz import descend
from gdviz.core import optim
from gdviz.learning import network_views, networks, probes
from gdviz.settings.network import EDGE_OF_STABILITY, train_network


def best_of(run, repeats: int = 3) -> float:
    best = np.inf
    for _ in range(repeats):
        began = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - began)
    return float(best)


def torch_model(net: networks.MLP, theta: np.ndarray, dtype=torch.float64):
    layers: list[torch.nn.Module] = []
    for i, layer in enumerate(net.layers):
        layers.append(torch.nn.Linear(layer.n_in, layer.n_out, dtype=dtype))
        if i < len(net.layers) - 1:
            layers.append(torch.nn.Tanh() if net.activation == "tanh" else torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    with torch.no_grad():
        torch.nn.utils.vector_to_parameters(torch.tensor(theta, dtype=dtype), model.parameters())
    return model


def torch_loss(net, model, X, y):
    out = model(X)
    if net.loss == "cross_entropy":
        return torch.nn.functional.cross_entropy(out, y)
    return 0.5 * ((out - torch.nn.functional.one_hot(y, net.classes)) ** 2).sum(1).mean()


def exactness() -> None:
    X, y = networks.dataset("digits")
    worst = [0.0, 0.0, 0.0]
    for activation in ("tanh", "relu"):
        for loss in ("cross_entropy", "mse"):
            net = networks.mlp(X, y, (32,), activation, loss)
            theta = net.init(0)
            v = np.random.default_rng(1).standard_normal(net.dim)
            model = torch_model(net, theta)
            params = list(model.parameters())
            value = torch_loss(net, model, torch.tensor(X), torch.tensor(y))
            grad = torch.cat(
                [g.reshape(-1) for g in torch.autograd.grad(value, params, create_graph=True)]
            )
            hv = torch.cat(
                [h.reshape(-1) for h in torch.autograd.grad(grad @ torch.tensor(v), params)]
            )
            ours_value, ours_grad = net.value_and_grad(theta)
            ours_hv = net.hvp(theta, v)
            pairs = (
                (ours_value, value.item()),
                (ours_grad, grad.detach().numpy()),
                (ours_hv, hv.numpy()),
            )
            for k, (a, b) in enumerate(pairs):
                worst[k] = max(worst[k], float(np.max(np.abs(a - b)) / np.max(np.abs(b))))
    print("## Exactness against torch autograd (digits 64-32-10, largest relative difference)")
    print(f"value {worst[0]:.1e}   gradient {worst[1]:.1e}   Hessian-vector product {worst[2]:.1e}")
    print("goal: <= 1e-9")


def curvature() -> None:
    X, y = networks.dataset("iris")
    net = networks.mlp(X, y, (16, 8))
    theta = net.init(0)
    top = np.linalg.eigvalsh(net.hessian(theta))[-1]
    found = probes.sharpness(net, theta)
    X, y = networks.dataset("digits")
    digits = networks.mlp(X, y, (32,))
    theta = digits.init(0)
    took = best_of(lambda: probes.sharpness(digits, theta, tol=1e-6))
    products = probes.sharpness(digits, theta, tol=1e-6).products
    print("\n## Sharpness (Lanczos on exact Hessian-vector products)")
    print(
        f"iris 4-16-8-3 (P = {net.dim}): {found.top:.10f} vs eigvalsh {top:.10f} "
        f"(relative {abs(found.top / top - 1):.1e})"
    )
    print(f"digits 64-32-10 (P = {digits.dim}): {took * 1e3:.0f} ms, {products} products")
    print("goal: <= 1e-6 relative; <= 100 ms")


def planes() -> None:
    X, y = networks.dataset("digits")
    net = networks.mlp(X, y, (32,))
    theta = net.init(0)
    d = probes.random_directions(net, theta)
    grid = np.linspace(-1, 1, 51)
    ours = best_of(lambda: probes.plane(net, theta, d[0], d[1], grid, grid))
    ours64 = best_of(lambda: probes.plane(net, theta, d[0], d[1], grid, grid, dtype=np.float64))
    preview = best_of(lambda: probes.plane(net, theta, d[0], d[1], grid[::4], grid[::4]))
    points = theta + np.stack(np.meshgrid(grid, grid), -1).reshape(-1, 2) @ d
    times = {}
    for dtype in (torch.float64, torch.float32):
        model = torch_model(net, theta, dtype)
        Xt, yt = torch.tensor(X, dtype=dtype), torch.tensor(y)
        flat = torch.tensor(points, dtype=dtype)

        def run(model=model, Xt=Xt, yt=yt, flat=flat) -> None:
            with torch.no_grad():
                for p in flat:
                    torch.nn.utils.vector_to_parameters(p, model.parameters())
                    torch_loss(net, model, Xt, yt)

        times[dtype] = best_of(run, 2)
    print("\n## A 51×51 filter-normalised plane (2,601 forward passes over 1,797 rows)")
    print(f"gdviz float32 {ours:.2f} s, float64 {ours64:.2f} s; 13×13 preview {preview:.3f} s")
    print(
        f"torch float64 {times[torch.float64]:.2f} s, float32 {times[torch.float32]:.2f} s  "
        f"-> ratio {ours / times[torch.float64]:.2f} (against torch float64), "
        f"{ours / times[torch.float32]:.2f} (float32)"
    )
    print("goal: <= 0.5x torch; preview <= 0.3 s")


def training() -> None:
    X, y = networks.dataset("digits")
    net = networks.mlp(X, y, (32,))
    theta = net.init(0)
    ours = best_of(lambda: descend(net, optim.sgd(0.5), theta, 1000, record="final"), 2)
    model = torch_model(net, theta)
    opt = torch.optim.SGD(model.parameters(), lr=0.5)
    Xt, yt = torch.tensor(X), torch.tensor(y)

    def loop() -> None:
        for _ in range(1000):
            opt.zero_grad()
            torch_loss(net, model, Xt, yt).backward()
            opt.step()

    theirs = best_of(loop, 2)
    print("\n## 1,000 full-batch GD steps, digits 64-32-10, float64")
    print(
        f"gdviz descend {ours:.2f} s; torch autograd + torch.optim.SGD {theirs:.2f} s "
        f"({torch.get_num_threads()} threads) -> ratio {ours / theirs:.2f}"
    )
    print("goal: <= 1.0x torch")


def edge_of_stability() -> None:
    began = time.perf_counter()
    run = train_network(EDGE_OF_STABILITY)
    trained = time.perf_counter() - began
    began = time.perf_counter()
    steps, tops = network_views.sharpness_along(run)
    measured = time.perf_counter() - began
    ratio = tops[steps >= steps[-1] / 2] * EDGE_OF_STABILITY.optimizer.lr / 2
    print("\n## The edge-of-stability preset (3,000 full-batch steps, 1,000 digits, MSE, η = 0.5)")
    print(
        f"training {trained:.2f} s; sharpness at 24 points {measured:.2f} s; "
        f"second half {ratio.min():.3f}-{ratio.max():.3f} × 2/η"
    )
    print("goal: within ±5% of 2/η over the second half")


if __name__ == "__main__":
    torch.set_default_dtype(torch.float64)
    exactness()
    curvature()
    planes()
    training()
    edge_of_stability()
