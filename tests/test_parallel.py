"""Large descents on every core (gdviz.core.parallel): the same bits as one core, for every
optimizer, with mini-batches and noise; errors and dead workers handled; small calls stay home.

The tests lower ``MIN_SECONDS`` so that small, quick cases take the parallel path, and count
the answers the worker processes send, so a test cannot pass by quietly staying in-thread.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from dataclasses import dataclass

import numpy as np
import pytest

from gdviz import descend
from gdviz.core import landscapes, optim, parallel, schedules
from gdviz.core.descent import TooLongError, Trajectory
from gdviz.expr import compile_expression
from gdviz.learning import datasets, training

# These tests keep both cores busy: they run on one xdist worker, beside the one test that
# times a formula's cost (tests/test_no_way_in.py), never at the same moment.
pytestmark = pytest.mark.xdist_group("cores")

OPTIMIZERS = {
    "sgd": optim.sgd(0.02),
    "sgd, a rate per run": optim.sgd(np.geomspace(1e-3, 0.3, 600)),
    "momentum": optim.sgd(0.01, momentum=0.9),
    "nesterov": optim.sgd(0.01, momentum=0.9, nesterov=True),
    "adagrad": optim.adagrad(0.5),
    "rmsprop centred, momentum": optim.rmsprop(0.01, centered=True, momentum=0.5),
    "adam": optim.adam(0.05),
    "adam amsgrad": optim.adam(0.05, amsgrad=True),
    "adamw": optim.adamw(0.05, weight_decay=0.1),
}


@pytest.fixture
def answers(monkeypatch) -> list[int]:
    """Every call's blocks go parallel, however small (and whatever the suite's GDVIZ_CORES);
    gives the list of the worker processes' answers."""
    monkeypatch.setattr(parallel, "MIN_SECONDS", 0.0)
    monkeypatch.delenv("GDVIZ_CORES")
    received: list[int] = []
    receive = parallel.Worker.receive

    def counted(self: parallel.Worker) -> list:
        result = receive(self)
        received.append(len(result))
        return result

    monkeypatch.setattr(parallel.Worker, "receive", counted)
    return received


def same(a: Trajectory, b: Trajectory) -> None:
    """Every array of two trajectories equal, bit for bit (paths, losses, status, finals)."""
    for name in Trajectory.__dataclass_fields__:
        x, y = getattr(a, name), getattr(b, name)
        if x is None or y is None:
            assert x is y, name
        else:
            assert np.asarray(x).dtype == np.asarray(y).dtype, name
            assert np.array_equal(x, y), name


def both(*args, **kwargs) -> tuple[Trajectory, Trajectory]:
    """The descent on one core, then on two."""
    with parallel.cores(1):
        alone = descend(*args, **kwargs)
    with parallel.cores(2):
        shared = descend(*args, **kwargs)
    return alone, shared


def starts(landscape, n: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(lo, hi, n) for lo, hi in landscape.bounds])


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_gives_the_same_bits_on_two_cores(answers, name):
    himmelblau = landscapes.get("himmelblau")
    opt = OPTIMIZERS[name]
    start = himmelblau.start if np.ndim(opt.lr) else starts(himmelblau, 600)
    for record in ("path", "final"):
        same(*both(himmelblau, opt, start, 120, record=record))
    # Noise shared by every run, and drawn per block (BLOCK_SIZE blocks, whoever runs them).
    same(*both(himmelblau, opt, start, 80, grad_noise=0.7, seed=4, record="final"))
    same(*both(himmelblau, opt, start, 80, grad_noise=0.7, seed=4, independent_noise=True))
    # Runs that blow up (frozen at their last good point) and a schedule, on Rosenbrock.
    wild = optim.sgd(0.01) if name == "sgd, a rate per run" else opt
    rosenbrock = landscapes.get("rosenbrock")
    same(*both(rosenbrock, wild, starts(rosenbrock, 600), 60, schedule=schedules.cosine(40)))
    # A worker computed half of each call but the independent noise's: its 600 runs are one
    # block of BLOCK_SIZE, which no core count splits.
    assert len(answers) == 4


@pytest.mark.parametrize("batch_size", [None, 1, 16])
@pytest.mark.parametrize("name", ["sgd", "momentum", "rmsprop centred, momentum", "adam"])
def test_mini_batches_and_noise_give_the_same_bits_on_two_cores(answers, name, batch_size):
    """A model on data: every block sees the same mini-batches, and each run's gradient is a
    row-wise sum, whatever the block's size (a BLAS product would round by it)."""
    for dataset, model in (("tips", "linear"), ("iris", "logistic")):
        problem = training.make_problem(datasets.example(dataset), model, "standardised")
        objective = problem.objective
        start = np.random.default_rng(1).normal(size=(300, objective.dim))
        same(
            *both(
                objective,
                OPTIMIZERS[name],
                start,
                60,
                batch_size=batch_size,
                seed=3,
                grad_noise=0.05,
            )
        )
    assert answers


def test_more_runs_than_a_block_with_independent_noise_share_the_same_blocks(answers):
    """Independent noise is drawn per block of BLOCK_SIZE runs, so those blocks are what
    the cores share: the bits cannot depend on the number of cores."""
    bowl = landscapes.get("bowl")
    start = starts(bowl, 20_000)
    same(*both(bowl, optim.sgd(0.1), start, 5, grad_noise=1.0, seed=2, independent_noise=True))
    assert answers == [1]  # two blocks: one here, one in the worker


def test_a_typed_in_formula_goes_to_the_workers(answers):
    formula = compile_expression("(x**2 + y - 11)**2 + sin(x*y)")
    same(*both(formula, optim.adam(0.05), starts(formula, 500), 50))
    assert answers


@dataclass(frozen=True)
class Closure:
    """An objective whose functions are closures: it cannot be pickled, so it stays here."""

    dim: int = 2
    bounds: tuple = ((-1.0, 1.0), (-1.0, 1.0))

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", lambda p: (p**2).sum(-1))
        object.__setattr__(self, "grad", lambda p: 2 * p)


def test_an_objective_that_cannot_travel_is_computed_here(answers):
    alone, shared = both(Closure(), optim.sgd(0.1), np.full((500, 2), 0.5), 20)
    same(alone, shared)
    assert answers == []
    assert np.allclose(shared.final, 0.5 * 0.8**20)


def test_the_deadline_stops_a_worker_too(answers):
    rosenbrock = landscapes.get("rosenbrock")
    many = starts(rosenbrock, 4000)
    with parallel.cores(2), pytest.raises(TooLongError) as stopped:
        descend(rosenbrock, optim.adam(0.01), many, 10**6, seconds=0.2, record="final")
    assert stopped.value.seconds == 0.2 and 0 < stopped.value.step < 10**6


def test_a_dead_worker_is_replaced_and_the_call_still_answers(answers):
    bowl = landscapes.get("bowl")
    start = starts(bowl, 800)
    with parallel.cores(1):
        expected = descend(bowl, optim.sgd(0.1), start, 30)
    with parallel.cores(2):
        descend(bowl, optim.sgd(0.1), start, 30)  # a worker exists now
        for worker in list(parallel._ALIVE):
            worker.process.kill()
            worker.process.wait()
        same(descend(bowl, optim.sgd(0.1), start, 30), expected)  # computed here
        answered = len(answers)
        same(descend(bowl, optim.sgd(0.1), start, 30), expected)  # a new worker
    assert len(answers) == answered + 1


def test_small_calls_never_leave_the_calling_thread(monkeypatch):
    """A hiker's step, a scrubber's 57 runs of 200 steps and a single training stay here
    (at the shipped threshold); a 256² basin map of 500 steps goes to every core granted."""
    monkeypatch.delenv("GDVIZ_CORES")
    with parallel.cores(2):
        assert parallel.workers_for(n_runs=1, steps=5_000, cost=2) == 1
        assert parallel.workers_for(n_runs=57, steps=200, cost=2) == 1
        assert parallel.workers_for(n_runs=65_536, steps=500, cost=2) == 2
    with parallel.cores(1):
        assert parallel.workers_for(n_runs=65_536, steps=500, cost=2) == 1
    monkeypatch.setenv("GDVIZ_CORES", "1")  # the process's cap beats any grant
    with parallel.cores(2):
        assert parallel.workers_for(n_runs=65_536, steps=500, cost=2) == 1


def test_a_script_without_a_main_guard_runs_once(tmp_path):
    """multiprocessing's workers would re-run the caller's script; ours never import it."""
    script = tmp_path / "unguarded.py"
    script.write_text(
        textwrap.dedent(
            """
            import numpy as np
            from gdviz import descend
            from gdviz.core import landscapes, optim, parallel
            print("started")
            side = np.linspace(-5, 5, 200)
            grid = np.stack(np.meshgrid(side, side), -1).reshape(-1, 2)
            with parallel.cores(2):
                traj = descend(landscapes.get("himmelblau"), optim.adam(0.05), grid, 400,
                               record="final")
            print((traj.status == "converged").sum(), len(parallel._ALIVE))
            """
        )
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": ":".join(sys.path)}
    out = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert lines.count("started") == 1
    assert int(lines[-2]) > 30_000 and int(lines[-1]) == 1  # converged runs; one worker


def test_the_sweep_pages_basin_map_is_the_same_on_every_core_the_queue_grants(monkeypatch, answers):
    """The page's heavy work takes the queue's grant (both cores: it is alone) and draws the
    same map as on one core."""
    import streamlit as st

    from gdviz.ui.runs import HEAVY
    from tests.helpers import figure, open_page

    maps, grants = [], []
    cores = parallel.cores

    def granted(n: int):
        grants.append(n)
        return cores(n)

    monkeypatch.setattr(parallel, "cores", granted)  # what heavy() sets around the work
    for setting in ("1", ""):
        st.cache_data.clear()
        st.cache_resource.clear()
        monkeypatch.setenv("GDVIZ_CORES", setting)  # "": every usable core
        monkeypatch.setattr(HEAVY, "_done", type(HEAVY._done)())  # nothing computed here yet
        maps.append(figure(open_page("sweep"), 1))
        if setting == "1":
            assert answers == []  # the process's cap: every descent stayed in-thread
    assert maps[0] == maps[1]
    assert grants and set(grants) == {HEAVY.slots}
    if HEAVY.slots > 1:
        assert answers  # the second opening shared the work with a worker
