"""What descending a landscape costs, measured: the time of a small descent against the same
descent on the slowest built-in (Rastrigin, cost 1).

Counting a formula's operations misjudges it: ``x**64 + y**64`` on a map of ±3e-5 is two
powers, but its values are subnormal floats, about 7× slower than Rastrigin; a sum of thirty
powers whose runs fly far out is 50-100× slower. Timing what really runs catches both. A short
probe sees less of the far-out regime than a long run does, and the slower a formula the more
it misses (measured: a formula as cheap as Rastrigin runs as the probe says, a costly one up to
about twice as long), so the probe's ratio r counts ``r · min(2, r)``. A deadline in
``descend`` stops whatever the estimate still missed.
"""

from __future__ import annotations

import time

import numpy as np

from gdviz.core import optim
from gdviz.core.descent import descend
from gdviz.core.landscapes import base, get

PROBE_SIDE = 24  # 576 starts on the map
PROBE_STEPS = 10
SAFETY = 2.0  # at most this many times the probe's ratio (see the module's docstring)


def _probe_seconds(landscape: base.Landscape, repeats: int) -> float:
    """Best of ``repeats`` times for Adam from a PROBE_SIDE² grid of starts over the map, at
    the landscape's suggested rate and at 100× it (a run that flies out costs more)."""
    axes = [np.linspace(lo, hi, PROBE_SIDE) for lo, hi in landscape.bounds]
    starts = np.stack(np.meshgrid(*axes), axis=-1).reshape(-1, landscape.dim)
    best = np.inf
    for _ in range(repeats):
        began = time.perf_counter()
        for lr in (landscape.lr, 100 * landscape.lr):
            descend(landscape, optim.adam(lr), starts, PROBE_STEPS, record="final")
        best = min(best, time.perf_counter() - began)
    return float(best)


def measured_cost(landscape: base.Landscape) -> float:
    """How many times Rastrigin's time one descent step on ``landscape`` takes per start: the
    probe's ratio r, counted ``r · min(SAFETY, r)`` (at least 1). The two probes alternate,
    best of three each, so a busy machine slows both alike. Takes about 15 ms for a cheap
    formula, 150 ms for the costliest the language accepts."""
    reference = get("rastrigin")
    own, other = np.inf, np.inf
    for _ in range(3):
        own = min(own, _probe_seconds(landscape, repeats=1))
        other = min(other, _probe_seconds(reference, repeats=1))
    ratio = own / other
    return max(1.0, ratio * min(SAFETY, ratio))
