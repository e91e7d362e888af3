"""Heavy work queues on a running server: with one slot, a second student's basin map waits
for the first one's, and the page says so while it waits (protocol-level sessions)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import pytest

from gdviz import settings
from gdviz.settings import links
from harness.cluster import cluster
from harness.protocol import Session

pytestmark = pytest.mark.server  # a real app server: out of the fast subset


def basin_link(lr: float) -> str:
    cfg = settings.BasinConfig(
        landscape="rastrigin", optimizer=settings.SGDConfig(lr=lr), steps=600, resolution=200
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
    assert "runs 1 heavy computation at a time" in notice
    assert "(a basin map of 40,000 starts × 600 steps) is number 1 in line" in notice
    assert finished[-1] is waited[0]  # and it finished second
