"""At most a few heavy computations at once in a process; the rest wait their turn, in order.

A basin map or a sweep keeps a core busy for seconds. Run side by side, several would share the
process's cores (and its GIL between numpy calls), every one of them slower, and every light
page of every other student behind them. With one slot per core, heavy requests run at full
speed one after another, and light pages still get through between numpy calls.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager


def usable_cores() -> int:
    """The CPU cores this process may run on (its CPU affinity, where Linux says)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def heavy_slots() -> int:
    """How many heavy computations this process runs at once: ``GDVIZ_HEAVY_SLOTS`` if set (a
    container whose CPU quota its affinity does not show, or a test), else one per core."""
    value = os.environ.get("GDVIZ_HEAVY_SLOTS", "").strip()
    return max(1, int(value)) if value.isdigit() else usable_cores()


class HeavyLimit:
    """A first-come, first-served gate with ``slots`` places.

    ``turn(key, on_wait)`` is a context manager around one heavy computation. A ``key`` already
    computed here (the last ``remember`` of them) passes at once: the page's cache answers it, so
    it is not heavy. Otherwise the caller takes a free slot, or waits in line; while it waits,
    ``on_wait(place)`` is called at once and then every ``poll`` seconds with its place in
    line (1: next), so the page can say so, and so a closed tab's script can stop there
    (Streamlit stops a script at its next page call).
    """

    def __init__(self, slots: int, *, remember: int = 64, poll: float = 0.5) -> None:
        self.slots = slots
        self._poll = poll
        self._cond = threading.Condition()
        self._running = 0
        self._line: deque[object] = deque()
        self._done: OrderedDict[Hashable, None] = OrderedDict()
        self._remember = remember

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return len(self._line)

    def known(self, key: Hashable) -> bool:
        with self._cond:
            return key in self._done

    @contextmanager
    def turn(
        self, key: Hashable | None = None, on_wait: Callable[[int], None] | None = None
    ) -> Iterator[None]:
        if key is not None and self.known(key):
            yield
            return
        me = object()
        with self._cond:
            self._line.append(me)
        try:
            while True:
                with self._cond:
                    if self._line[0] is me and self._running < self.slots:
                        self._line.popleft()
                        self._running += 1
                        break
                    place = self._line.index(me) + 1
                    # Called outside the lock: it may write to the page (or raise to stop).
                if on_wait is not None:
                    on_wait(place)
                with self._cond:
                    if not (self._line[0] is me and self._running < self.slots):
                        self._cond.wait(self._poll)
        except BaseException:
            with self._cond:
                if me in self._line:
                    self._line.remove(me)
                self._cond.notify_all()
            raise
        try:
            yield
            if key is not None:
                with self._cond:
                    self._done[key] = None
                    self._done.move_to_end(key)
                    while len(self._done) > self._remember:
                        self._done.popitem(last=False)
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify_all()
