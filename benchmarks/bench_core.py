"""Benchmark of the numeric core. Prints a table; asserts nothing.

    python benchmarks/bench_core.py            # full run (about a minute)
    python benchmarks/bench_core.py --quick    # smaller sizes, for a smoke check

Rows (best of --repeat runs each):
* headline: a 256x256 grid of starts over Rosenbrock x 500 Adam steps, final points only,
  in float64 and float32, on every core (gdviz.core.parallel) and on one;
* what one step of that costs per run, against the least it must move through memory (p, m and
  v read and written: 96 bytes a run) at this box's measured bandwidth;
* 1,000 log-spaced learning rates x 1,000 GD steps from one start;
* baselines measured in the same run: a naive Python loop calling descend once per trajectory
  (timed on a subset and scaled up), and PyTorch autograd + torch.optim.Adam on the same batch
  (when torch is installed).
"""

from __future__ import annotations

import argparse
import platform
import time
from collections.abc import Callable

import numpy as np

from gdviz import descend, settings
from gdviz.core import descent, landscapes, optim, parallel, sweep
from gdviz.learning import datasets, training

ROSENBROCK = landscapes.get("rosenbrock")


def best_of(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def grid_starts(side: int) -> np.ndarray:
    (x0, x1), (y0, y1) = ROSENBROCK.bounds
    xx, yy = np.meshgrid(np.linspace(x0, x1, side), np.linspace(y0, y1, side))
    return np.stack([xx.ravel(), yy.ravel()], axis=-1)


def bandwidth() -> float:
    """This box's memory bandwidth in bytes/s: a 256 MB copy (read + write), best of three."""
    src = np.ones(1 << 25)
    dst = np.empty_like(src)
    seconds = best_of(lambda: np.copyto(dst, src), 3)
    return 2 * src.nbytes / seconds


def torch_adam(starts: np.ndarray, steps: int, threads: int) -> Callable[[], object] | None:
    """torch autograd + torch.optim.Adam on the same starts, on ``threads`` threads (0: its
    default)."""
    try:
        import torch
    except ImportError:
        return None
    TORCH_THREADS.setdefault("default", torch.get_num_threads())  # before anything sets it
    chosen = threads or TORCH_THREADS["default"]

    def run() -> object:
        torch.set_num_threads(chosen)
        p = torch.tensor(starts, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.Adam([p], lr=0.01)
        for _ in range(steps):
            opt.zero_grad()
            x, y = p[:, 0], p[:, 1]
            loss = ((1 - x) ** 2 + 100 * (y - x**2) ** 2).sum()
            loss.backward()
            opt.step()
        return p

    return run


TORCH_THREADS: dict[str, int] = {}


def _synthetic(n: int) -> datasets.Dataset:
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 100, n)
    y = 3 + 0.5 * x + rng.normal(0, 5, n)
    return datasets.Dataset("synthetic", "synthetic", x, y, "x", "y", "regression")


def _plain_sgd_loop(problem: training.Problem, epochs: int) -> np.ndarray:
    """The least a stochastic run can cost in numpy: one update per row, nothing recorded."""
    obj = problem.objective
    theta = np.zeros(2)
    orders = descent.batch_orders(obj.n_samples, 0, epochs)
    for order in orders:
        for i in range(len(order)):
            theta = theta - 0.1 * obj.grad(theta, order[i : i + 1])
    return theta


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    side, steps, n_lr, lr_steps = (64, 100, 200, 200) if args.quick else (256, 500, 1000, 1000)
    starts = grid_starts(side)
    n = len(starts)
    rows: list[tuple[str, float, str]] = []

    def add(label: str, seconds: float, note: str = "") -> None:
        rows.append((label, seconds, note))
        print(f"  measured: {label}: {seconds:.3f} s", flush=True)

    adam = optim.adam(0.01)
    parallel.warm()  # the worker processes start once per process, not in the timing
    t64 = best_of(lambda: descend(ROSENBROCK, adam, starts, steps, record="final"), args.repeat)
    add(f"{n:,} starts x {steps} Adam steps, float64 (headline)", t64, "goal < 0.5 s")
    with parallel.cores(1):
        t64_one = best_of(
            lambda: descend(ROSENBROCK, adam, starts, steps, record="final"), args.repeat
        )
    add(f"the same on one core ({parallel.usable_cores()} usable)", t64_one)
    per_run_step = t64_one / (n * steps)
    floor = 96 / bandwidth()
    add(
        "one Adam step per run, one core",
        per_run_step,
        f"{per_run_step * 1e9:.1f} ns; memory floor {floor * 1e9:.1f} ns (96 B at "
        f"{96 / floor / 1e9:.0f} GB/s): {per_run_step / floor:.0f}x",
    )
    t32 = best_of(
        lambda: descend(ROSENBROCK, adam, starts, steps, record="final", dtype=np.float32),
        args.repeat,
    )
    add(f"{n:,} starts x {steps} Adam steps, float32", t32, "goal < 0.5 s")

    rates = optim.sgd(np.logspace(-5, -2, n_lr))
    t_lr = best_of(
        lambda: descend(ROSENBROCK, rates, np.array([-1.2, 1.0]), lr_steps, record="final"),
        args.repeat,
    )
    add(f"{n_lr:,} learning rates x {lr_steps} GD steps", t_lr, "goal < 0.1 s")

    himmelblau = landscapes.get("himmelblau")
    t_basin = best_of(lambda: sweep.basins(himmelblau, adam, side, steps), args.repeat)
    add(
        f"basin map {side}x{side} Himmelblau x {steps} Adam steps, float64", t_basin, "goal < 0.5 s"
    )
    t_basin32 = best_of(
        lambda: sweep.basins(himmelblau, adam, side, steps, dtype=np.float32), args.repeat
    )
    add(
        f"basin map {side}x{side} Himmelblau x {steps} Adam steps, float32",
        t_basin32,
        "goal < 0.5 s",
    )
    ravine = landscapes.get("ravine")
    t_sweep = best_of(
        lambda: sweep.lr_sweep(
            ravine, optim.sgd, ravine.start, lr_steps, np.geomspace(1e-3, 0.2, n_lr)
        ),
        args.repeat,
    )
    add(f"lr_sweep: {n_lr:,} rates x {lr_steps} GD steps, with regions", t_sweep, "goal < 0.1 s")

    subset = starts[:: max(1, n // 64)][:64]
    t_naive = best_of(
        lambda: [descend(ROSENBROCK, adam, s, steps, record="final") for s in subset], 1
    )
    add(
        f"naive loop: descend per trajectory, scaled to {n:,}",
        t_naive * n / len(subset),
        f"timed on {len(subset)}",
    )

    # Learning from data: one run at a time, so the cost is per update, not per element.
    tips = training.make_problem(datasets.example("tips"), "linear", "standardised")
    for flavour, epochs in (("minibatch", 20), ("stochastic", 20)):
        run = training.train(tips, flavour, batch_size=16, epochs=epochs)  # type: ignore[arg-type]
        t_train = best_of(
            lambda f=flavour, e=epochs: training.train(tips, f, batch_size=16, epochs=e),
            args.repeat,
        )
        add(
            f"tips, {run.label}, {epochs} epochs = {run.steps:,} updates",
            t_train,
            f"{1e6 * t_train / run.steps:.0f} µs/update",
        )
    big = training.make_problem(_synthetic(datasets.MAX_ROWS), "linear", "standardised")
    updates = settings.MAX_UPDATES
    t_big = best_of(
        lambda: training.train(big, "stochastic", epochs=updates // datasets.MAX_ROWS), 1
    )
    add(f"largest upload: {datasets.MAX_ROWS:,} rows, SGD, {updates:,} updates", t_big)
    t_loop = best_of(lambda: _plain_sgd_loop(tips, 20), args.repeat)
    add(
        "baseline: bare numpy SGD loop, tips, B = 1, 4,880 updates",
        t_loop,
        "no loss, no status, no record",
    )

    one_thread = torch_adam(starts, steps, threads=1)
    default = torch_adam(starts, steps, threads=0)
    if one_thread is not None and default is not None:
        t_torch = best_of(default, 2)
        add(
            f"PyTorch autograd + torch.optim.Adam, {n:,} x {steps}, its default threads",
            t_torch,
            f"gdviz on every core: {t64 / t_torch:.2f}x (goal <= 0.5x)",
        )
        t_torch1 = best_of(one_thread, 2)
        add(
            "the same, torch on one thread",
            t_torch1,
            f"gdviz on one core: {t64_one / t_torch1:.2f}x (goal <= 0.6x)",
        )

    print()
    print(
        f"gdviz core benchmark — Python {platform.python_version()}, numpy {np.__version__}, "
        f"{platform.machine()}"
    )
    print(f"{'what':<62} {'seconds':>9} {'vs headline':>12}  note")
    print("-" * 100)
    for label, seconds, note in rows:
        ratio = seconds / t64
        print(f"{label:<62} {seconds:>9.3f} {ratio:>11.2f}x  {note}")


if __name__ == "__main__":
    main()
