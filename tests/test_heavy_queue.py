"""Heavy work queues on a running server: with one slot, a second student's basin map waits
for the first one's, and the page says so while it waits; with two slots, a map alone takes
both cores and the next waits for it (protocol-level sessions)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest

from gdviz import settings
from gdviz.settings import links
from harness.cluster import cluster
from harness.protocol import Session

pytestmark = pytest.mark.server  # a real app server: out of the fast subset


def basin_link(lr: float, steps: int = 600, resolution: int = 200) -> str:
    cfg = settings.BasinConfig(
        landscape="rastrigin",
        optimizer=settings.SGDConfig(lr=lr),
        steps=steps,
        resolution=resolution,
    )
    return urlencode({"b": links.model_to_link(cfg)})


def test_a_second_heavy_request_waits_in_line_and_says_so():
    """Two students ask for a basin map at once on a server with one slot: one runs, the other
    is told it waits, and finishes after it. Counted and ordered, never timed: whichever
    request reaches the slot first, the other one waits."""
    finished: list[Session] = []

    async def student(session: Session, lr: float) -> None:
        await session.open("sweep", basin_link(lr))
        finished.append(session)

    async def two_students(url: str) -> list[Session]:
        # The page and its light parts first (imports, the sweep), so the queue is the map's.
        warm = Session(url, timeout=120)
        await warm.open("sweep", "")
        await warm.close()
        students = [Session(url, timeout=120), Session(url, timeout=120)]
        await asyncio.gather(student(students[0], 0.001), student(students[1], 0.002))
        return students

    with cluster(1, env={"GDVIZ_HEAVY_SLOTS": "1"}) as c:
        students = asyncio.run(two_students(c.url))
    notices = [[t for t in s.texts if t.startswith("Queued")] for s in students]
    waited = [s for s, seen in zip(students, notices, strict=True) if seen]
    assert len(waited) == 1, notices  # exactly one of the two was told it waits
    notice = notices[students.index(waited[0])][0]
    assert "this server's 1 core is busy with heavy computations" in notice
    assert "(a basin map of 40,000 starts × 600 steps) is number 1 in line" in notice
    assert finished[-1] is waited[0]  # and it finished second


def test_a_heavy_request_alone_takes_every_core_and_the_next_waits_for_it():
    """Two slots, worker processes allowed: the first student's map starts alone, so it takes
    both slots (its runs shared with a worker process); a second student who asks while it
    computes waits for it, told so, and both maps are drawn."""
    finished: list[Session] = []

    async def student(session: Session, link: str) -> None:
        await session.open("sweep", link)
        finished.append(session)

    async def one_then_another(url: str) -> list[Session]:
        warm = Session(url, timeout=120)
        await warm.open("sweep", "")
        await warm.close()
        first, second = Session(url, timeout=120), Session(url, timeout=120)
        # About a second of work on two cores: 65,536 Rastrigin starts × 1,000 steps.
        alone = asyncio.create_task(student(first, basin_link(0.001, 1000, 256)))

        async def computing() -> None:
            # The sweep's chart comes first; then the page computes its map, alone.
            while "plotly_chart" not in first.arrived:
                await asyncio.sleep(0.005)

        await asyncio.wait_for(computing(), 60)
        await asyncio.gather(alone, student(second, basin_link(0.002)))
        return [first, second]

    with cluster(1, env={"GDVIZ_HEAVY_SLOTS": "2", "GDVIZ_CORES": ""}) as c:
        first, second = asyncio.run(one_then_another(c.url))
    assert not [t for t in first.texts if t.startswith("Queued")]
    notices = [t for t in second.texts if t.startswith("Queued")]
    assert notices, "the second map did not wait for the first, which should hold both cores"
    assert "this server's 2 cores are busy with heavy computations" in notices[0]
    assert "(a basin map of 40,000 starts × 600 steps) is number 1 in line" in notices[0]
    assert finished == [first, second]
    for session in (first, second):
        # the sweep, the basin map and the momentum tab's (α, β) map
        assert session.arrived.count("plotly_chart") == 3
