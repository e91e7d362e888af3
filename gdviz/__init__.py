"""gdviz: see how gradient descent learns.

The packages, each layer importing only the ones above it in this list:

- :mod:`gdviz.core`: landscapes, optimizers, schedules, descent, analysis, races and sweeps
  (numpy only);
- :mod:`gdviz.learning`: models on data, datasets, networks, training problems, the PyTorch
  snippet (numpy only);
- :mod:`gdviz.expr`: typed-in formulas, parsed safely and differentiated exactly;
- :mod:`gdviz.teach`: words and one-step logic for learners (the hiker, the verdicts);
- :mod:`gdviz.settings`: pydantic models of every knob, building runs from them, URL state;
- :mod:`gdviz.figures`: Plotly figure builders (never Streamlit);
- :mod:`gdviz.ui`: the Streamlit glue the pages share (the only part that imports Streamlit).

``import gdviz`` is cheap: ``gdviz.descend`` and the status names come with it, and the
packages and the public core modules the README uses (``gdviz.landscapes``, ``gdviz.optim``,
``gdviz.analysis`` ...) load on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from gdviz.core.descent import CONVERGED, DIVERGED, UNCONVERGED, Trajectory, descend

__version__ = "0.1.0"

_PACKAGES = ("core", "learning", "expr", "teach", "settings", "figures", "ui", "serve")
# The core's public modules, as short names: ``from gdviz import landscapes, optim``.
_CORE = ("landscapes", "optim", "schedules", "analysis", "sweep", "race")


def __getattr__(name: str) -> ModuleType:
    """PEP 562: load a package, or one of the core's public modules, on first access."""
    if name in _PACKAGES:
        return importlib.import_module(f"gdviz.{name}")
    if name in _CORE:
        return importlib.import_module(f"gdviz.core.{name}")
    raise AttributeError(f"module 'gdviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PACKAGES, *_CORE})


__all__ = ["CONVERGED", "DIVERGED", "UNCONVERGED", "Trajectory", "descend"]
