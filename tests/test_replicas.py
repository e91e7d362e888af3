"""Two replicas behind HAProxy on loopback, driven by 8 protocol-level sessions.

HAProxy runs deploy/haproxy.cfg (the same policy the compose set-up runs) in front of two
``streamlit run app.py`` on loopback ports (benchmarks/cluster.py); each session is a tab at the
protocol level (benchmarks/protocol.py). What a class relies on:

* every request of a tab (page, websocket, map pictures, a reconnect) reaches one replica, and a
  reconnecting tab finds its session still there;
* a new class spreads over both replicas;
* when a replica goes away its tabs move to the other, which rebuilds each page from its link:
  nothing the link carries is lost.
"""

from __future__ import annotations

import asyncio
import os
import shutil

import pytest

from harness.cluster import cluster
from harness.protocol import Session

pytestmark = pytest.mark.replicas

HAS_HAPROXY = bool(shutil.which("haproxy")) or os.path.exists("/usr/sbin/haproxy")
if not HAS_HAPROXY and os.environ.get("CI") != "true":
    pytest.skip("Debian's haproxy is not installed", allow_module_level=True)

SESSIONS = 8


def hiker_link(i: int) -> str:
    return f"f=parabola&lr={round(0.05 + 0.01 * i, 2):g}&x0=-4"


async def class_of_eight(url: str) -> list[Session]:
    """8 tabs open their own hiker links at once, and each presses Step twice."""

    async def tab(i: int) -> Session:
        session = Session(url, timeout=60)
        load = await session.open("hiker", hiker_link(i))
        assert load.errors == []
        for _ in range(2):
            assert (await session.press("hiker_step")).errors == []
        return session

    return list(await asyncio.gather(*(tab(i) for i in range(SESSIONS))))


def test_sessions_stick_spread_and_survive_a_lost_replica() -> None:
    async def scenario(c) -> None:
        tabs = await class_of_eight(c.url)
        try:
            # Each tab's page, websocket and pictures came from one replica, and the link now
            # carries the two steps taken.
            homes = []
            for i, tab in enumerate(tabs):
                assert len(tab.replicas) >= 2, tab.replicas  # the page and the websocket
                assert set(tab.replicas) == {tab.replicas[0]}, tab.replicas
                assert tab.query == hiker_link(i) + "&n=2"
                homes.append(tab.replicas[0])
            # A new class lands on both replicas.
            assert set(homes) == {"app1", "app2"}, homes

            # A dropped socket reconnects to the same replica and resumes its session there.
            first = tabs[0]
            before = first.session_id
            await first.reconnect()
            assert first.replicas[-1] == homes[0]
            assert first.session_id == before
            assert first.query == hiker_link(0) + "&n=2"

            # Replica 1 goes away: its tabs reconnect through HAProxy and land on replica 2,
            # which starts new sessions and rebuilds each page from the tab's link.
            c.stop_replica(0)
            moved = [(i, tab) for i, tab in enumerate(tabs) if homes[i] == "app1"]
            assert moved
            for i, tab in moved:
                old_session = tab.session_id
                load = await tab.reconnect()
                assert load.errors == []
                assert tab.replicas[-1] == "app2"
                assert tab.session_id != old_session
                assert tab.query == hiker_link(i) + "&n=2"
                # The rebuilt page shows the hike two steps in: the next update is x₂ → x₃.
                assert any("x₃ = x₂" in text for text in tab.texts), tab.texts
                # ... and goes on from there.
                await tab.press("hiker_step")
                assert tab.query == hiker_link(i) + "&n=3"
                assert tab.replicas[-1] == "app2"
        finally:
            for tab in tabs:
                await tab.close()

    with cluster(2) as c:
        asyncio.run(scenario(c))
