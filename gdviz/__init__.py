"""gdviz: see how gradient descent learns.

The packages, each layer importing only the ones above it in this list:

- :mod:`gdviz.core`: landscapes, optimizers, schedules, descent, analysis, races and sweeps
  (numpy only);
- :mod:`gdviz.learning`: models on data, datasets, training problems, the PyTorch snippet
  (numpy only);
- :mod:`gdviz.expr`: typed-in formulas, parsed safely and differentiated exactly;
- :mod:`gdviz.teach`: words and one-step logic for learners (the hiker, the verdicts);
- :mod:`gdviz.settings`: pydantic models of every knob, building runs from them, URL state;
- :mod:`gdviz.figures`: Plotly figure builders (never Streamlit).

``import gdviz`` is cheap: ``gdviz.descend`` and the status names come with it, and every module
of the public core loads on first use (PEP 562), so ``gdviz.analysis.critical_lr`` works after a
bare ``import gdviz``. The flat paths of gdviz 0.1 (``gdviz.optim``, ``gdviz.config``,
``gdviz.data`` ...) still import, as aliases of the modules' new homes (see :data:`MOVED`).
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

from gdviz.core.descent import CONVERGED, DIVERGED, UNCONVERGED, Trajectory, descend

__version__ = "0.1.0"

# Old flat module path -> its new home. ``import gdviz.optim`` and ``gdviz.optim`` (after
# ``import gdviz``) both give the module object at the new path, never a copy.
MOVED: dict[str, str] = {
    "landscapes": "gdviz.core.landscapes",
    "optim": "gdviz.core.optim",
    "schedules": "gdviz.core.schedules",
    "descent": "gdviz.core.descent",
    "analysis": "gdviz.core.analysis",
    "sweep": "gdviz.core.sweep",
    "compare": "gdviz.core.race",
    "export": "gdviz.core.export",
    "echo": "gdviz.core.echo",
    "data": "gdviz.learning.models",
    "datasets": "gdviz.learning.datasets",
    "learn": "gdviz.learning.training",
    "snippet": "gdviz.learning.snippet",
    "hiker": "gdviz.teach.hiker",
    "narrate": "gdviz.teach.narrate",
    "config": "gdviz.settings",
    "urlstate": "gdviz.settings.links",
    "presets": "gdviz.settings.lessons",
}
_PACKAGES = ("core", "learning", "expr", "teach", "settings", "figures")


def __getattr__(name: str) -> ModuleType:
    """PEP 562: load a package or a moved module on first attribute access."""
    if name in _PACKAGES or name in MOVED:  # a moved name resolves through _OldPaths
        return importlib.import_module(f"gdviz.{name}")
    raise AttributeError(f"module 'gdviz' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_PACKAGES, *MOVED})


class _OldPaths(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Resolve ``gdviz.<old>[.<sub>]`` to the module at its new path (the same object)."""

    @staticmethod
    def _target(fullname: str) -> str | None:
        head, _, rest = fullname.removeprefix("gdviz.").partition(".")
        if not fullname.startswith("gdviz.") or head not in MOVED:
            return None
        return MOVED[head] + (f".{rest}" if rest else "")

    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if self._target(fullname) is None:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        module = importlib.import_module(self._target(spec.name) or spec.name)
        spec.loader_state = module.__spec__  # the import system is about to overwrite it
        return module

    def exec_module(self, module: ModuleType) -> None:
        spec = module.__spec__
        if spec is not None and spec.loader_state is not None:
            module.__spec__ = spec.loader_state  # the real module keeps its own spec


if not any(isinstance(finder, _OldPaths) for finder in sys.meta_path):
    sys.meta_path.insert(0, _OldPaths())  # before the path finder, which would load a copy

__all__ = ["CONVERGED", "DIVERGED", "MOVED", "UNCONVERGED", "Trajectory", "descend"]
