"""Large descents on every core: a call's blocks of runs handed to worker processes.

``descend`` cuts its N runs into blocks (:class:`~gdviz.core.stepping.Block`); each block steps
on its own and sees the same mini-batches and noise wherever it runs, so a block computed in
another process gives the same bits as one computed here. When a call is large (its estimated
time, from runs × steps × the objective's size, at least :data:`MIN_SECONDS`) and this thread
may use more than one core (:func:`cores`), the blocks are shared with worker processes, one
per other usable core; small calls (a hiker's step, a scrubber's family) and single runs
never leave the calling thread.

Why processes and not threads: numpy releases the GIL inside each operation, but one step of
the loop is some sixty short operations (5–15 µs each on a block of 16,384 runs), and between
them the threads queue for the GIL. Measured on the 2-core box: 65,536 Rosenbrock starts × 500
Adam steps took 0.77 s on one thread, 0.96 s on two threads, and 0.41 s as two processes.

The calling thread computes the first share of the blocks itself; each other share goes to a
worker: a ``python -m gdviz.core.worker`` process that reads pickled tasks from its stdin and
writes pickled results to its stdout. Workers start with the first large call (about 0.3 s,
once per process; :func:`warm` starts them ahead) and live until this process ends. Plain
subprocesses rather than ``multiprocessing``: its spawn and forkserver workers re-run the
caller's main script (a notebook's or user's script without a ``__main__`` guard would start
its work again in every worker), and forking a multi-threaded server is unsafe.
"""

from __future__ import annotations

import atexit
import contextvars
import itertools
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import IO, Any, TypeVar

import numpy  # noqa: F401  (loaded before the controller below, which finds numpy's BLAS)
from threadpoolctl import ThreadpoolController

__all__ = ["allowed", "cores", "estimate", "map_blocks", "usable_cores", "warm", "workers_for"]

T = TypeVar("T")

STEP_SECONDS = 60e-6
"""What one step of one block costs beyond its arithmetic: some sixty numpy calls (measured:
57 runs of a 2-D landscape or of a one-row mini-batch, 60 µs a step)."""

ELEMENT_SECONDS = 9e-9
"""The arithmetic of one run's step per coordinate and data row (measured: 65,536 Rosenbrock
runs × 500 Adam steps, 0.60 s)."""

MIN_SECONDS = 0.05
"""Calls estimated to take less than this stay in the calling thread: handing blocks to a
worker and back costs a few milliseconds."""


def usable_cores() -> int:
    """The CPU cores this process may run on (its CPU affinity, where Linux says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


_CORES: contextvars.ContextVar[int | None] = contextvars.ContextVar("gdviz_cores", default=None)


def allowed() -> int:
    """How many cores a descent in this thread may use: what :func:`cores` granted around it
    (else every usable core), at most ``GDVIZ_CORES`` when that is set (``1`` keeps every
    descent of the process in its calling thread)."""
    value = os.environ.get("GDVIZ_CORES", "").strip()
    cap = max(1, int(value)) if value.isdigit() else usable_cores()
    granted = _CORES.get()
    return cap if granted is None else min(granted, cap)


@contextmanager
def cores(n: int) -> Iterator[None]:
    """Let descents in this block (this thread) use at most ``n`` cores: what a server's queue
    grants one heavy job (:class:`gdviz.serve.HeavyLimit`). ``n = 1`` keeps them in-thread."""
    token = _CORES.set(max(1, int(n)))
    try:
        yield
    finally:
        _CORES.reset(token)


def estimate(n_runs: int, steps: int, cost: int) -> float:
    """Seconds a call of ``n_runs`` runs × ``steps`` steps takes on one core, roughly, when
    one run's step costs ``cost`` (coordinates × data rows it reads)."""
    return steps * (STEP_SECONDS + n_runs * cost * ELEMENT_SECONDS)


def workers_for(n_runs: int, steps: int, cost: int) -> int:
    """How many cores a call should use: 1 (stay here) when it is estimated under
    :data:`MIN_SECONDS`, else as many as :func:`allowed` grants, at most one per run."""
    if estimate(n_runs, steps, cost) < MIN_SECONDS:
        return 1
    return max(1, min(allowed(), n_runs))


class Worker:
    """One worker process and its two pipes. :meth:`send` a function and its tasks, then
    :meth:`receive` the results (or the exception the worker raised, raised here)."""

    def __init__(self) -> None:
        env = dict(os.environ, GDVIZ_CORES="1", OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "gdviz.core.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
        )

    @property
    def pipes(self) -> tuple[IO[bytes], IO[bytes]]:
        assert self.process.stdin is not None and self.process.stdout is not None
        return self.process.stdin, self.process.stdout

    def send(self, fn: Callable[..., Any], tasks: Sequence[tuple[Any, ...]]) -> None:
        stdin, _ = self.pipes
        pickle.dump((fn, list(tasks)), stdin, protocol=pickle.HIGHEST_PROTOCOL)
        stdin.flush()

    def receive(self) -> list[Any]:
        _, stdout = self.pipes
        ok, value = pickle.load(stdout)
        if not ok:
            raise value
        return value

    def stop(self) -> None:
        """Close its stdin (it exits at the end of its input), or kill it if it does not."""
        try:
            self.pipes[0].close()
            self.process.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


class _OneThreadBlas:
    """numpy's BLAS on one thread while any call shares its work with worker processes.

    OpenBLAS's threads spin while they wait: beside a busy worker they take its core
    (measured: a 51×51 network plane took 0.40 s on two cores this way, 0.22 s with BLAS on
    one thread, 0.33 s on one core). The limit is process-wide, so it is counted: set by the
    first caller in, lifted by the last one out."""

    def __init__(self) -> None:
        self.controller = ThreadpoolController()
        self.lock = threading.Lock()
        self.users = 0
        self.limit: Any = None  # what restores the original thread counts

    @contextmanager
    def held(self) -> Iterator[None]:
        with self.lock:
            if self.users == 0:
                self.limit = self.controller.limit(limits=1, user_api="blas")
            self.users += 1
        try:
            yield
        finally:
            with self.lock:
                self.users -= 1
                if self.users == 0:
                    self.limit.restore_original_limits()


_BLAS = _OneThreadBlas()


_LOCK = threading.Lock()
_IDLE: list[Worker] = []
_ALIVE: list[Worker] = []


def _borrow(n: int) -> list[Worker]:
    """Up to ``n`` idle workers, starting new ones while fewer than ``usable_cores() − 1``
    exist (the calling threads use the remaining core)."""
    with _LOCK:
        taken = [_IDLE.pop() for _ in range(min(n, len(_IDLE)))]
        while len(taken) < n and len(_ALIVE) < usable_cores() - 1:
            worker = Worker()
            _ALIVE.append(worker)
            taken.append(worker)
        return taken


def _give_back(worker: Worker, healthy: bool) -> None:
    with _LOCK:
        if healthy and worker.process.poll() is None:
            _IDLE.append(worker)
            return
        if worker in _ALIVE:
            _ALIVE.remove(worker)
    worker.stop()


@atexit.register
def _stop_all() -> None:
    with _LOCK:
        workers, _ALIVE[:], _IDLE[:] = list(_ALIVE), [], []
    for worker in workers:
        worker.stop()


def warm() -> None:
    """Start the workers now (in the background of a server's start, say), so the first large
    descent does not wait for numpy to import in them."""
    workers = _borrow(allowed() - 1)
    for worker in workers:
        _give_back(worker, healthy=True)


def picklable(value: Any) -> bool:
    """Whether ``value`` can be sent to a worker (a formula's landscape, a schedule and every
    built-in objective can; an objective made of closures cannot, and then stays here)."""
    try:
        pickle.dumps(value)
    except (pickle.PicklingError, AttributeError, TypeError):
        return False
    return True


def map_blocks(fn: Callable[..., T], tasks: Sequence[tuple[Any, ...]], workers: int) -> list[T]:
    """``[fn(*task) for task in tasks]``, in order, cut into ``workers`` consecutive shares:
    the first computed in this thread, each other by a worker process (``fn`` a module-level
    function, ``tasks`` picklable). A call never uses more processes than ``workers``: that
    is the share of the machine its caller was granted.

    An error raised in a worker (a ``TooLongError`` at the deadline) is raised here, after
    every share has answered. A share whose worker died, or that found no free worker, is
    computed here."""
    workers = min(workers, len(tasks))
    if workers <= 1:
        return [fn(*task) for task in tasks]
    cuts = [round(i * len(tasks) / workers) for i in range(workers + 1)]
    shares = [tasks[a:b] for a, b in itertools.pairwise(cuts)]
    helpers = _borrow(len(shares) - 1)
    sent: list[tuple[Worker, Sequence[tuple[Any, ...]]]] = []
    here = [shares[0], *shares[1 + len(helpers) :]]
    for worker, share in zip(helpers, shares[1:], strict=False):
        try:
            worker.send(fn, share)
            sent.append((worker, share))
        except OSError:  # it died since its last job
            _give_back(worker, healthy=False)
            here.append(share)
    results: dict[int, list[T]] = {}
    error: BaseException | None = None
    try:
        with _BLAS.held():
            for share in here:
                results[id(share)] = [fn(*task) for task in share]
    except BaseException as raised:  # the workers' answers are still read below
        error = raised
    for worker, share in sent:
        try:
            results[id(share)] = worker.receive()
            _give_back(worker, healthy=True)
        except (EOFError, OSError, pickle.UnpicklingError):
            _give_back(worker, healthy=False)
            if error is None:
                results[id(share)] = [fn(*task) for task in share]
        except BaseException as raised:
            _give_back(worker, healthy=True)  # it answered: its pipe is in step
            error = error or raised
    if error is not None:
        raise error
    return [result for share in shares for result in results[id(share)]]
