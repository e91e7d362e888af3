"""Benchmark of the worst inputs a student can send: the costliest sweep chart, the largest
uploads. Prints a table; asserts nothing.

    python benchmarks/bench_limits.py

* Sweep chart: the build time of the chart for the sweep with the most region bands we know of
  (Rastrigin from (0, −3.07), 1,000 rates from 0.01 to 1: 548 bands), against the default
  ravine sweep (a few bands) and against the old way of drawing bands (one ``add_vrect`` each),
  timed in the same run on the first 100 bands only (its cost grows with the square of the
  bands, so the whole chart is out of reach).
* Typed formulas: a 5,000-step descent from one start for the issue's worst cases and for the
  costliest formulas the limits accept (the most distinct parts), run as the app runs them
  (the compiled straight-line program) and, as the baseline, walking the syntax tree at every
  step (what the app did before), in the same run.
* Basin maps: the largest map the model allows (``MAX_WORK``) for built-ins and for
  the costliest typed formulas, with SGD and Adam at a tiny and a working rate.
* Uploads: for each hostile or largest allowed file, the peak Python memory while it is parsed
  (tracemalloc) and the growth of the resident memory of a fresh process that parses it and
  trains on it, as a server would; the baseline is the memory the old reader (every text
  column as a padded ``numpy`` string array) would have held for the same table.
"""

from __future__ import annotations

import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from bench_core import best_of  # run as a script: benchmarks/ is on the path

from gdviz import settings
from gdviz.core.descent import TooLongError
from gdviz.expr.expression import Expression
from gdviz.expr.jet import Jet, evaluate
from gdviz.expr.language import ExpressionError
from gdviz.expr.parse import parse_expression
from gdviz.figures import sweep as figs
from gdviz.learning import datasets

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from harness.hostile import bomb_upload, densest_numbers, six_long_cells


def sweep_rows() -> None:
    worst = settings.SweepConfig(
        landscape="rastrigin", start=(0, -3.07), lr_min=0.01, lr_max=1, n_rates=1000
    )
    default = settings.SweepConfig()
    print(f"{'sweep chart':<44} {'bands':>6} {'runs s':>8} {'chart s':>8} {'JSON kB':>8}")
    print("-" * 78)
    for name, cfg in (("default (ravine, 300 rates)", default), ("worst link (Rastrigin)", worst)):
        t0 = time.perf_counter()
        short, long = settings.run_sweep(cfg), settings.run_sweep(cfg, 10 * cfg.steps)
        runs = time.perf_counter() - t0
        chart = best_of(lambda short=short, long=long: figs.sweep_figure(short, long), 3)
        bands = len(figs._region_spans(short.lrs, short.region))
        size = len(figs.sweep_figure(short, long).to_json()) / 1000
        print(f"{name:<44} {bands:>6} {runs:>8.2f} {chart:>8.3f} {size:>8.0f}")
    heaviest = worst.model_copy(update={"steps": settings.SWEEP_MAX_STEPS})
    t0 = time.perf_counter()
    settings.run_sweep(heaviest), settings.run_sweep(heaviest, 10 * heaviest.steps)
    print(f"{'heaviest link: same at 1,000 + 10,000 steps':<44} {'':>6} "
          f"{time.perf_counter() - t0:>8.2f}")  # fmt: skip
    short = settings.run_sweep(worst)
    spans = figs._region_spans(short.lrs, short.region)[:100]

    def old_way() -> None:
        fig = go.Figure(go.Scatter(x=[0.01, 1], y=[1, 2]))
        for x0, x1, name in spans:
            fig.add_vrect(x0=x0, x1=x1, fillcolor=figs.REGION_COLOURS[name], line_width=0)

    print(f"{'baseline: add_vrect per band, first 100 bands':<44} {100:>6} {'':>8} "
          f"{best_of(old_way, 1):>8.3f}")  # fmt: skip


def largest_allowed() -> bytes:
    """5,000 rows of 20 numeric columns, as large as the 1 MB limit allows."""
    rng = np.random.default_rng(0)
    lines = [",".join(f"c{j}" for j in range(20))]
    lines += [",".join(f"{v:.3f}" for v in rng.normal(size=20)) for _ in range(5000)]
    return ("\n".join(lines) + "\n").encode()


FILES = {
    "108 kB bomb (one 50,000-char cell)": bomb_upload,
    "six 131,000-char cells": six_long_cells,
    "largest allowed: 5,000 x 20 numbers": largest_allowed,
    "densest allowed: 4,990 x 99 one-digit": densest_numbers,
}

RSS_PROBE = """
import sys
from gdviz.learning import datasets
from gdviz.learning import training

def status(field):  # kB, from Linux's /proc
    for line in open("/proc/self/status"):
        if line.startswith(field + ":"):
            return int(line.split()[1])

content = sys.stdin.buffer.read()
before = status("VmRSS")
table = datasets.read_csv(content)
try:  # train on it too where the file has two numeric columns, as the page would
    ds = datasets.from_table(table, *table.numeric[:2], "regression", "f.csv")
    problem = training.make_problem(ds, "linear", "standardised")
    training.train(problem, "minibatch", batch_size=16, epochs=20, lr=0.1, momentum=0.0, seed=0,
                start=[0.0, 0.0])
except (datasets.DataError, TypeError):
    pass
print((status("VmHWM") - before) / 1024)  # peak resident memory over what it held before
"""


def old_reader_bytes(content: bytes) -> int:
    """What the old reader held: numeric columns as float64, text columns as padded '<U' arrays
    (4 bytes a character, every cell as long as the longest)."""
    table = datasets.read_csv(content, max_bytes=10**9)
    import csv
    import io

    rows = list(csv.reader(io.StringIO(content.decode())))[1:]
    total = 0
    for j, name in enumerate(table.names):
        if table.is_numeric(name):
            total += 8 * len(rows)
        else:
            total += 4 * len(rows) * max(len(row[j].strip()) for row in rows)
    return total


def upload_rows() -> None:
    print(f"\n{'upload':<40} {'kB':>6} {'peak MB':>8} {'kept MB':>8} {'RSS +MB':>8} "
          f"{'old MB':>8}")  # fmt: skip
    print("-" * 84)
    for name, make in FILES.items():
        content = make()
        tracemalloc.start()
        table = datasets.read_csv(content)
        kept, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del table
        probe = subprocess.run(
            [sys.executable, "-c", RSS_PROBE], input=content, capture_output=True, check=True
        )
        rss = float(probe.stdout)
        old = old_reader_bytes(content) / 1e6
        print(f"{name:<40} {len(content) / 1000:>6.0f} {peak / 1e6:>8.1f} {kept / 1e6:>8.2f} "
              f"{rss:>8.1f} {old:>8.1f}")  # fmt: skip
    print("\ngoal: any accepted or refused upload <= 20 MB of server memory; a sweep chart < 0.2 s")


def costliest(term: str) -> str:
    """As many distinct ``term.format(k=…)`` summands as the formula limits accept."""
    terms: list[str] = []
    while True:
        candidate = "+".join([*terms, term.format(k=len(terms) + 2)])
        try:
            parse_expression(candidate)
        except ExpressionError:
            return "+".join(terms)
        terms.append(term.format(k=len(terms) + 2))


def tree_walk(self, coords, d, second):  # the old Expression._run: the tree at every call
    import time as clock

    shape = np.broadcast_shapes(*(np.shape(c) for c in coords))
    env = {}
    for i, (name, c) in enumerate(zip(self.variables, coords, strict=True)):
        values = np.broadcast_to(np.asarray(c, dtype=float), shape)
        env[name] = (
            Jet.variable(values, i, d, second)
            if d
            else Jet(values, np.zeros((0, *shape)), np.zeros((0, 0, *shape)))
        )
    with np.errstate(all="ignore"):
        return evaluate(self.tree, env, shape, d, clock.monotonic() + 60, second)


def formula_rows() -> None:
    cases = {
        "40 redundant parentheses": "(" * 28 + "x**2 + y**2" + ")" * 28,
        "(x**64)**64 + y**2": "(x**64)**64 + y**2",
        "a 199-character product": "*".join(["sin(x+y)"] * 22)[:197],
        "17 × (x²+y²)^1.5 (repeats)": "+".join(["(x**2+y**2)**1.5"] * 17),
        "most distinct exp(-x·k)/y": costliest("exp(-x*{k})/y"),
        "most distinct x**(y+k)": costliest("x**(y+{k})"),
        "most distinct tanh(x·k−y)": costliest("tanh(x*{k}-y)"),
    }
    print("\n## A typed formula: 5,000 steps of SGD from one start (best of 3, s)")
    print(f"{'formula':<30} {'chars':>5} {'parts':>5} {'program':>8} {'tree walk':>10}")
    for name, text in cases.items():
        cfg = settings.RunConfig.model_validate(
            {"landscape": "custom", "expression": text, "bounds": [[0.5, 2], [0.5, 2]],
             "optimizer": {"kind": "sgd", "lr": 1e-9}, "start": [1.0, 1.0], "steps": 5000}
        )  # fmt: skip
        program = best_of(lambda cfg=cfg: settings.run(cfg), 3)
        fast = Expression._run
        Expression._run = tree_walk  # type: ignore[method-assign]
        try:
            walk = best_of(lambda cfg=cfg: settings.run(cfg), 1)
        finally:
            Expression._run = fast  # type: ignore[method-assign]
        parts = len(parse_expression(text).program.code)
        print(f"{name:<30} {len(text):>5} {parts:>5} {program:>8.2f} {walk:>10.2f}")
    print("goal: any accepted formula's 5,000-step run <= 2 s")


def stopped_or_timed(run) -> str:
    """The run's seconds, or "stop@9" where the deadline (settings.MAX_SECONDS) ended it."""
    try:
        return f"{best_of(run, 1):.1f}"
    except TooLongError as error:
        return f"stop@{error.seconds:g}"


TINY = ((-3e-5, 3e-5), (-3e-5, 3e-5))  # x**64 there: subnormal floats, ~7x slower than Rastrigin
BASIN_CASES = {  # name: (formula or None for a built-in, bounds)
    "rastrigin (built-in)": (None, None),
    "himmelblau (built-in)": (None, None),
    "sin(3x)·cos(3y) + r²/10": ("sin(3*x)*cos(3*y) + (x**2 + y**2)/10", ((0.5, 2), (0.5, 2))),
    "x**64+y**64 on ±3e-5": ("x**64 + y**64", TINY),
    "x**2+x**3+…+x**31": ("+".join(f"x**{k}" for k in range(2, 32)), None),
    "most distinct x**k": (costliest("x**{k}"), ((0.5, 2), (0.5, 2))),
    "most distinct exp(-x·k)/y": (costliest("exp(-x*{k})/y"), ((0.5, 2), (0.5, 2))),
    "most distinct (x+k)**y": (costliest("(x+{k})**y"), ((0.5, 2), (0.5, 2))),
}


def _where(name: str, text: str | None, bounds) -> dict:
    if text is None:
        return {"landscape": name.split()[0]}
    return {"landscape": "custom", "expression": text, **({"bounds": bounds} if bounds else {})}


def basin_rows() -> None:
    print("\n## The largest basin map allowed, 256² starts (s; stop@9: the deadline ended it)")
    runs = " ".join(f"{k:>6}" for k in ("SGD", "SGD", "Adam", "Adam"))
    rates = " ".join(f"{k:>6}" for k in ("1e-7", "0.01", "1e-7", "0.05"))
    print(f"{'landscape':<28} {'cost':>5} {'steps':>5} {runs}")
    print(f"{'':<28} {'':>5} {'':>5} {rates}")
    for name, (text, bounds) in BASIN_CASES.items():
        where = _where(name, text, bounds)
        cost = settings.resolve_landscape(where["landscape"], text, bounds, 2).cost
        steps = min(1000, int(settings.MAX_WORK // (256**2 * cost)))
        if steps < 1:
            print(f"{name:<28} {cost:>5.1f}  (no 256² map fits: a smaller grid is offered)")
            continue
        times = []
        for kind, lr in (("sgd", 1e-7), ("sgd", 0.01), ("adam", 1e-7), ("adam", 0.05)):
            cfg = settings.BasinConfig.model_validate(
                {**where, "optimizer": {"kind": kind, "lr": lr}, "steps": steps, "resolution": 256}
            )
            times.append(stopped_or_timed(lambda cfg=cfg: settings.run_basins(cfg)))
        row = " ".join(f"{t:>6}" for t in times)
        print(f"{name:<28} {cost:>5.1f} {steps:>5} {row}")
    print(f"goal: the largest allowed map <= 10 s (deadline {settings.MAX_SECONDS:g} s)")


def sweep_work_rows() -> None:
    print("\n## The largest sweep allowed at 1,000 steps (+ its 10x run), SGD (s)")
    print(f"{'landscape':<28} {'cost':>5} {'rates':>5} {'time':>7}")
    for name, (text, bounds) in BASIN_CASES.items():
        where = _where(name, text, bounds)
        ls = settings.resolve_landscape(where["landscape"], text, bounds, 2)
        most = int(settings.MAX_WORK // ((1 + settings.LONG_SWEEP) * 1000 * ls.cost))
        rates = min(1000, most)
        if rates < 50:
            print(f"{name:<28} {ls.cost:>5.1f}  (fewer than 50 rates fit: fewer steps offered)")
            continue
        cfg = settings.SweepConfig.model_validate(
            {**where, "start": list(ls.start), "steps": 1000, "n_rates": rates,
             "lr_min": 1e-4, "lr_max": 1.0}
        )  # fmt: skip
        took = stopped_or_timed(lambda cfg=cfg: settings.run_sweeps(cfg))
        print(f"{name:<28} {ls.cost:>5.1f} {rates:>5} {took:>7}")
    print(f"goal: the largest allowed sweep <= 10 s (deadline {settings.MAX_SECONDS:g} s)")


if __name__ == "__main__":
    formula_rows()
    basin_rows()
    sweep_work_rows()
    sweep_rows()
    upload_rows()
