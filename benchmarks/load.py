"""A class arriving at once: N concurrent sessions at the protocol level. Prints; asserts nothing.

    python benchmarks/load.py                              # 60 sessions on /landscape, 1 server
    python benchmarks/load.py --scenario hiker --sessions 60
    python benchmarks/load.py --replicas 1,2               # one server, then HAProxy + 2 replicas
    python benchmarks/load.py --url http://host:8501 --pid 1234   # a server already running

Each session is a fresh tab (benchmarks/protocol.py: Streamlit's websocket and protobufs, no
browser) opening its *own* link (its own learning rate, unless ``--same-link``), all at the
same moment, then doing what a student does next:

* ``landscape``: open ``/landscape?lr=…``, then change α three times;
* ``hiker``: open ``/hiker?lr=…``, then press Step ten times;
* ``compare``: open ``/compare``, then load a lesson preset;
* ``data``: open ``/data?lr=…``.

"open" is timed from the HTML request to the page complete (the run finished and the map
pictures fetched); an interaction from sending the widget change to its run finished. The class
works in two waves, as a lesson goes: everyone opens the link at once; when every page is
open, everyone starts the interactions at once, each student reading the page for about
``--think`` seconds (default 1, ±50%) before each click (0: all click on at once). It prints
p50/p95/p99 per action, bytes per page, and the servers' CPU seconds and memory (read from
``/proc`` for the processes it started, or for ``--pid``). ``--replicas 1,2`` runs the same load
against one server and against HAProxy (Debian's ``haproxy``) in front of two replicas started on
loopback ports (benchmarks/cluster.py, deploy/haproxy.cfg), in one run on one machine.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import os
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harness.cluster import cluster, cpu_seconds, rss_mb  # noqa: E402
from harness.protocol import Load, Session  # noqa: E402

PRESET = "Learning rate: too small / just right / too large"


@dataclass
class Tally:
    """Every timed action of a run, by name."""

    times: dict[str, list[float]] = field(default_factory=dict)
    page_bytes: list[int] = field(default_factory=list)
    wire_bytes: list[int] = field(default_factory=list)  # as sent (compressed, if it is)
    errors: list[str] = field(default_factory=list)
    replicas: list[str] = field(default_factory=list)  # each session's, behind HAProxy

    def add(self, action: str, load: Load) -> None:
        self.times.setdefault(action, []).append(load.seconds)
        self.errors.extend(load.errors)


class Barrier:
    """Every session waits here until all have arrived (asyncio.Barrier is Python 3.11+)."""

    def __init__(self, parties: int) -> None:
        self._left, self._all = parties, asyncio.Event()

    async def arrive(self) -> None:
        self._left -= 1
        if self._left <= 0:
            self._all.set()

    async def wait(self) -> None:
        await self._all.wait()


def link(scenario: str, i: int, same: bool) -> tuple[str, str]:
    """Page and query of session ``i``: its own learning rate unless ``same``."""
    k = 0 if same else i
    if scenario == "landscape":
        return "landscape", f"f=rosenbrock&opt=sgd&lr={0.0010 + 0.00001 * k:.5f}&x0=-1.2&y0=1"
    if scenario == "hiker":
        return "hiker", f"f=parabola&lr={0.100 + 0.001 * k:.3f}&x0=-4"
    if scenario == "data":
        return "data", f"lr={0.10 + 0.001 * k:.3f}"
    return "compare", ""


async def student(
    base: str,
    scenario: str,
    i: int,
    same: bool,
    go: asyncio.Event,
    t: Tally,
    opened: Barrier,
    think: float,
):
    page, query = link(scenario, i, same)
    rng = random.Random(i)

    async def pause() -> None:
        """A student reads the page before the next click: ``think`` s on average (±50%)."""
        if think > 0:
            await asyncio.sleep(think * rng.uniform(0.5, 1.5))

    session = Session(base)
    await go.wait()
    try:
        try:
            load = await session.open(page, query)
        finally:
            await opened.arrive()  # the class opens the link, then (all at once) works on
        t.add("open", load)
        t.page_bytes.append(load.ws_bytes + load.media_bytes)
        t.wire_bytes.append(load.wire_bytes + load.media_bytes)
        if session.replicas:
            t.replicas.append(session.replicas[0])
        await opened.wait()
        if scenario == "landscape":
            lr = float(query.split("lr=")[1].split("&")[0])
            for j in range(3):
                await pause()
                t.add("change α", await session.set_widget("ls_lr", double_value=lr * (1.5 + j)))
        elif scenario == "hiker":
            for _ in range(10):
                await pause()
                t.add("Step", await session.press("hiker_step"))
        elif scenario == "compare":
            await pause()
            t.add("load preset", await session.set_widget("cmp_preset", string_value=PRESET))
    except Exception as err:  # a failed session is a result, not a crash of the harness
        t.errors.append(f"session {i}: {type(err).__name__}: {err}")
    finally:
        await session.close()


async def run_load(
    base: str, scenario: str, sessions: int, same: bool, first: int = 0, think: float = 0.0
) -> tuple[Tally, float]:
    loop = asyncio.get_running_loop()
    # Each session's HTTP requests run in a thread: enough threads that none waits for another.
    loop.set_default_executor(concurrent.futures.ThreadPoolExecutor(max(8, 2 * sessions)))
    tally, go, opened = Tally(), asyncio.Event(), Barrier(sessions)
    tasks = [
        asyncio.create_task(student(base, scenario, i, same, go, tally, opened, think))
        for i in range(first, first + sessions)
    ]
    await asyncio.sleep(0.2)  # every session waits at the line
    t0 = time.perf_counter()
    go.set()
    await asyncio.gather(*tasks)
    return tally, time.perf_counter() - t0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def warm(bases: list[str], scenario: str) -> None:
    """One session on each server first, as the instructor's own rehearsal would leave them:
    the page's imports and the landscape's shared caches (a different link from the class's)."""
    for base in bases:
        asyncio.run(run_load(base, scenario, 1, False, first=200))


def measure(
    base: str, pids: list[int], args: argparse.Namespace, servers: list[str] | None = None
) -> dict[str, object]:
    if not args.cold:
        warm(servers or [base], args.scenario)
    cpu0 = sum(cpu_seconds(p) for p in pids)
    own0 = sum(os.times()[:2])
    tally, wall = asyncio.run(
        run_load(base, args.scenario, args.sessions, args.same_link, think=args.think)
    )
    cpu = sum(cpu_seconds(p) for p in pids) - cpu0
    return {
        "tally": tally,
        "wall": wall,
        "client_cpu": sum(os.times()[:2]) - own0,
        "cpu": cpu if pids else float("nan"),
        "rss": sum(rss_mb(p) for p in pids) if pids else float("nan"),
    }


def report(label: str, result: dict[str, object], sessions: int) -> None:
    tally = result["tally"]
    assert isinstance(tally, Tally)
    print(f"\n## {label}: {sessions} sessions, all done in {result['wall']:.1f} s")
    print(f"{'action':<12} {'n':>5} {'p50 s':>8} {'p95 s':>8} {'p99 s':>8} {'max s':>8}")
    for action, times in tally.times.items():
        print(
            f"{action:<12} {len(times):>5} {percentile(times, 50):>8.2f} "
            f"{percentile(times, 95):>8.2f} {percentile(times, 99):>8.2f} {max(times):>8.2f}"
        )
    if tally.page_bytes:
        print(
            f"bytes per page load: {statistics.median(tally.page_bytes) / 1e3:.0f} kB, "
            f"{statistics.median(tally.wire_bytes) / 1e3:.0f} kB on the wire (medians)"
        )
    cpu = result["cpu"]
    assert isinstance(cpu, float)
    print(
        f"server CPU: {cpu:.1f} s in all, {cpu / sessions:.3f} s per session; "
        f"RSS after: {result['rss']:.0f} MB; this client's own CPU: {result['client_cpu']:.1f} s"
    )
    if tally.replicas:
        counts = {r: tally.replicas.count(r) for r in sorted(set(tally.replicas))}
        print("sessions per replica:", ", ".join(f"{r} {n}" for r, n in counts.items()))
    if tally.errors:
        print(f"ERRORS ({len(tally.errors)}):", *sorted(set(tally.errors))[:8], sep="\n  ")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--scenario", choices=["landscape", "hiker", "compare", "data"], default="landscape"
    )
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument(
        "--replicas",
        default="1",
        help="comma-separated counts to compare, e.g. 1,2 (HAProxy when > 1)",
    )
    parser.add_argument("--url", help="load a server already running instead of starting one")
    parser.add_argument(
        "--pid",
        type=int,
        action="append",
        default=[],
        help="with --url: server processes to read CPU and memory from",
    )
    parser.add_argument("--same-link", action="store_true", help="every session the same link")
    parser.add_argument("--cold", action="store_true", help="no warm-up session first")
    parser.add_argument("--repeat", type=int, default=1, help="rounds per set-up (interleaved)")
    parser.add_argument(
        "--think",
        type=float,
        default=1.0,
        help="seconds a student reads before the next click (±50%%); 0: click on at once",
    )
    args = parser.parse_args()

    links_are = "one shared link" if args.same_link else "own links"
    print(f"scenario {args.scenario}; {links_are}; {args.think:g} s between clicks")
    if args.url:
        report(args.url, measure(args.url, args.pid, args), args.sessions)
        return
    counts = [int(x) for x in args.replicas.split(",")]
    p95s: dict[int, list[float]] = {n: [] for n in counts}
    for round_ in range(args.repeat):  # interleaved: a noisy minute hits every set-up alike
        for n in counts:
            with cluster(n) as c:
                result = measure(c.url, c.pids, args, [c.replica_url(i) for i in range(n)])
            label = f"{n} replica{'s' if n > 1 else ''}" + (" behind HAProxy" if n > 1 else "")
            report(f"{label}, round {round_ + 1}", result, args.sessions)
            tally = result["tally"]
            assert isinstance(tally, Tally)
            p95s[n].append(percentile(tally.times["open"], 95))
    print("\n## open p95 (median of rounds)")
    base = statistics.median(p95s[counts[0]])
    for n in counts:
        mid = statistics.median(p95s[n])
        rounds = ", ".join(f"{x:.2f}" for x in p95s[n])
        print(f"{n} replica(s): {mid:.2f} s (rounds: {rounds}); {base / mid:.2f}× the first")


if __name__ == "__main__":
    main()
