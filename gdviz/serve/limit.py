"""The cores of a process shared among heavy computations; the rest wait their turn, in order.

A basin map or a sweep keeps a core busy for seconds. Run side by side, several would share the
process's cores (and its GIL between numpy calls), every one of them slower, and every light
page of every other student behind them. So there is one slot per core, and a heavy request
takes slots before it runs:

* **alone** (nobody else in line) it takes every free slot, and its descents run on that many
  cores (``gdviz.core.parallel``): a basin map alone on a 2-core server runs on both;
* **with a queue** it takes one, so the next in line can start on the core beside it.

Light pages still get through between numpy calls.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict, deque
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager

from gdviz.core.parallel import usable_cores


def heavy_slots() -> int:
    """How many heavy computations this process runs at once: ``GDVIZ_HEAVY_SLOTS`` if set (a
    container whose CPU quota its affinity does not show, or a test), else one per core."""
    value = os.environ.get("GDVIZ_HEAVY_SLOTS", "").strip()
    return max(1, int(value)) if value.isdigit() else usable_cores()


class HeavyLimit:
    """A first-come, first-served gate with ``slots`` places (one per core).

    ``turn(key, on_wait)`` is a context manager around one heavy computation; it gives the
    number of slots granted, which is how many cores the computation may use. A ``key``
    already computed here (the last ``remember`` of them) passes at once with one: the page's
    cache answers it, so it is not heavy. Otherwise the caller waits until it is first in line
    and a slot is free, then takes every free slot if nobody is behind it, else one. While it
    waits, ``on_wait(place)`` is called at once and then every ``poll`` seconds with its place
    in line (1: next), so the page can say so, and so a closed tab's script can stop there
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
        """Slots taken now (a job alone may hold several)."""
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
    ) -> Iterator[int]:
        if key is not None and self.known(key):
            yield 1
            return
        me = object()
        with self._cond:
            self._line.append(me)
        try:
            while True:
                with self._cond:
                    if self._line[0] is me and self._running < self.slots:
                        self._line.popleft()
                        granted = self.slots - self._running if not self._line else 1
                        self._running += granted
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
            yield granted
            if key is not None:
                with self._cond:
                    self._done[key] = None
                    self._done.move_to_end(key)
                    while len(self._done) > self._remember:
                        self._done.popitem(last=False)
        finally:
            with self._cond:
                self._running -= granted
                self._cond.notify_all()
