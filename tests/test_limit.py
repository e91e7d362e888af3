"""The heavy-work limit: slots (cores) shared among heavy computations, the rest in line,
first come first served; a job alone takes every slot, jobs in a queue one each; nothing waits
for a result the process already has."""

from __future__ import annotations

import threading
import time

import pytest

from gdviz.serve import HeavyLimit, heavy_slots, usable_cores


def run_in_threads(limit: HeavyLimit, jobs: list[str], hold: float, keys=None, grants=None):
    """Start ``jobs`` a moment apart; each holds its slots for ``hold`` s. Returns the order
    they ran in, the most that ran at once, and the places in line each was told; ``grants``
    (a dict) gets the slots each was granted."""
    order, places = [], {name: [] for name in jobs}
    busy, most = [0], [0]
    lock = threading.Lock()

    def job(name: str, key) -> None:
        with limit.turn(key, places[name].append) as granted:
            if grants is not None:
                grants[name] = granted
            with lock:
                order.append(name)
                busy[0] += 1
                most[0] = max(most[0], busy[0])
            time.sleep(hold)
            with lock:
                busy[0] -= 1

    threads = []
    for i, name in enumerate(jobs):
        thread = threading.Thread(target=job, args=(name, None if keys is None else keys[i]))
        thread.start()
        threads.append(thread)
        time.sleep(0.05)  # a definite arrival order
    for thread in threads:
        thread.join(10)
    return order, most[0], places


def test_one_slot_runs_one_at_a_time_in_arrival_order_and_says_the_place():
    limit = HeavyLimit(1, poll=0.02)
    order, most, places = run_in_threads(limit, ["a", "b", "c"], hold=0.3)
    assert order == ["a", "b", "c"]
    assert most == 1
    assert places["a"] == []  # a free slot: no wait, no message
    assert places["b"][0] == 1 and places["c"][0] == 2
    assert places["c"][-1] == 1  # c moved up when a finished
    assert limit.running == 0 and limit.waiting == 0


def test_a_job_alone_takes_every_slot_and_jobs_in_a_queue_one_each():
    """Two slots (two cores): the first job, alone, takes both (its descents use both cores);
    the next two wait for it, then, with each other in line, take one slot each and run side
    by side; the last waits for one of them."""
    limit, grants = HeavyLimit(2, poll=0.02), {}
    order, most, places = run_in_threads(limit, ["a", "b", "c", "d"], hold=0.3, grants=grants)
    assert order == ["a", "b", "c", "d"]
    assert grants["a"] == 2 and places["a"] == []
    assert places["b"][0] == 1 and places["c"][0] == 2  # both wait for the job alone
    assert grants["b"] == 1  # c was behind it: one slot, the other is c's
    assert grants["c"] == 1
    assert most == 2  # b and c ran together
    assert places["d"] and grants["d"] in (1, 2)
    assert limit.running == 0 and limit.waiting == 0


def test_slots_granted_are_given_back_in_full():
    limit = HeavyLimit(3)
    with limit.turn() as granted:
        assert granted == 3 and limit.running == 3
    assert limit.running == 0
    with limit.turn("known"):
        pass
    with limit.turn("known") as granted:  # computed here already: no slot taken
        assert granted == 1 and limit.running == 0


def test_a_result_computed_here_does_not_wait():
    limit = HeavyLimit(1, poll=0.02)
    with limit.turn("map-1"):
        pass
    order, most, places = run_in_threads(limit, ["a", "b"], hold=0.3, keys=["map-2", "map-1"])
    assert order == ["a", "b"]
    assert places["b"] == []  # known: passed at once, beside the running one
    assert most == 2


def test_a_waiter_that_stops_leaves_the_line():
    """Streamlit stops a closed tab's script by raising at its next page call: here, the
    waiting message. The line must not keep the stopped session."""
    limit = HeavyLimit(1, poll=0.02)
    release = threading.Event()

    def holder() -> None:
        with limit.turn():
            release.wait(5)

    thread = threading.Thread(target=holder)
    thread.start()
    time.sleep(0.05)

    def stop(place: int) -> None:
        raise RuntimeError("tab closed")

    with pytest.raises(RuntimeError, match="tab closed"), limit.turn(None, stop):
        pass
    assert limit.waiting == 0
    release.set()
    thread.join(5)
    with limit.turn(None, lambda place: pytest.fail("should not wait")):
        pass


def test_the_slots_follow_the_environment(monkeypatch):
    monkeypatch.setenv("GDVIZ_HEAVY_SLOTS", "3")
    assert heavy_slots() == 3
    monkeypatch.setenv("GDVIZ_HEAVY_SLOTS", "lots")  # not a number: one per core
    assert heavy_slots() == usable_cores()
    monkeypatch.setenv("GDVIZ_HEAVY_SLOTS", "0")
    assert heavy_slots() == 1
