"""gdviz: see how gradient descent learns.

The numeric core (numpy only): ``landscapes``, ``optim``, ``schedules``, ``descend``,
``analysis``, ``data``; ``config`` holds the validated settings a page or a URL can give.
"""

from gdviz.descent import CONVERGED, DIVERGED, UNCONVERGED, Trajectory, descend

__all__ = ["CONVERGED", "DIVERGED", "UNCONVERGED", "Trajectory", "descend"]
__version__ = "0.1.0"
