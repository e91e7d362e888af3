"""Heavy work queues on a running server: with one slot, a second student's basin map waits
for the first one's, and the page says so while it waits (protocol-level sessions)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

from benchmarks.cluster import cluster
from benchmarks.protocol import Session
from gdviz import settings
from gdviz.settings import links


def basin_link(lr: float) -> str:
    cfg = settings.BasinConfig(
        landscape="rastrigin", optimizer=settings.SGDConfig(lr=lr), steps=600, resolution=200
    )
    return urlencode({"b": links.model_to_link(cfg)})


def test_a_second_heavy_request_waits_in_line_and_says_so():
    async def two_students(url: str) -> tuple[Session, Session, float, float]:
        first, second = Session(url, timeout=120), Session(url, timeout=120)
        # The page and its light parts first (imports, the sweep), so the timing is the map's.
        warm = Session(url, timeout=120)
        await warm.open("sweep", "")
        await warm.close()
        opened = asyncio.create_task(first.open("sweep", basin_link(0.001)))
        await asyncio.sleep(0.3)  # the first map is running
        waited = await second.open("sweep", basin_link(0.002))
        alone = await opened
        return first, second, alone.seconds, waited.seconds

    with cluster(1, env={"GDVIZ_HEAVY_SLOTS": "1"}) as c:
        first, second, alone, waited = asyncio.run(two_students(c.url))
    queued = [text for text in second.texts if text.startswith("Queued")]
    assert queued, second.texts
    assert "runs 1 heavy computation at a time" in queued[0]
    assert "(a basin map of 40,000 starts × 600 steps) is number 1 in line" in queued[0]
    assert not any(text.startswith("Queued") for text in first.texts)
    # The second map ran after the first: its wait included the first one's run.
    assert waited > 0.8 * alone
