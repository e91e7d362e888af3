"""Each page's table of settings, and the binding that ties them together: a row names a URL
key, the setting's path inside the page's config payload, and its widget (``prefix + key``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import BaseModel

from gdviz.settings.optimizers import (
    UNIONS,
)

# URL key -> path inside the RunConfig payload. Short keys keep shared links readable.
CUSTOM_KEYS: dict[str, tuple[str, ...]] = {
    "expr": ("expression",),
    "xmin": ("bounds", "0", "0"),
    "xmax": ("bounds", "0", "1"),
    "ymin": ("bounds", "1", "0"),
    "ymax": ("bounds", "1", "1"),
}
RUN_KEYS: dict[str, tuple[str, ...]] = {
    **CUSTOM_KEYS,
    "f": ("landscape",),
    "opt": ("optimizer", "kind"),
    "lr": ("optimizer", "lr"),
    "mom": ("optimizer", "momentum"),
    "damp": ("optimizer", "dampening"),
    "nesterov": ("optimizer", "nesterov"),
    "wd": ("optimizer", "weight_decay"),
    "alpha": ("optimizer", "alpha"),
    "centered": ("optimizer", "centered"),
    "eps": ("optimizer", "eps"),
    "b1": ("optimizer", "betas", "0"),
    "b2": ("optimizer", "betas", "1"),
    "amsgrad": ("optimizer", "amsgrad"),
    "lr_decay": ("optimizer", "lr_decay"),
    "sched": ("schedule", "kind"),
    "step_size": ("schedule", "step_size"),
    "gamma": ("schedule", "gamma"),
    "t_max": ("schedule", "t_max"),
    "eta_min": ("schedule", "eta_min"),
    "warmup": ("schedule", "warmup_steps"),
    "x0": ("start", "0"),
    "y0": ("start", "1"),
    "steps": ("steps",),
    "noise": ("grad_noise",),
    "seed": ("seed",),
}
# The landscape page's own widgets (the landscape and its formula come from the picker).
LANDSCAPE_KEYS = {k: v for k, v in RUN_KEYS.items() if k not in (*CUSTOM_KEYS, "f")}
HIKER_KEYS: dict[str, tuple[str, ...]] = {
    "expr": ("expression",),
    "xmin": ("bounds", "0", "0"),
    "xmax": ("bounds", "0", "1"),
    "f": ("landscape",),
    "lr": ("lr",),
    "x0": ("x0",),
    "n": ("steps",),
    "walk": ("earlier",),
}
DATA_KEYS: dict[str, tuple[str, ...]] = {
    "d": ("dataset",),
    "model": ("model",),
    "scale": ("scaling",),
    "gd": ("flavour",),
    "B": ("batch_size",),
    "epochs": ("epochs",),
    "lr": ("lr",),
    "mom": ("momentum",),
    "seed": ("seed",),
    "w0": ("start", "0"),
    "b0": ("start", "1"),
    "race": ("race",),
}


# Widget keys of the sweep page's two configs, which travel in a link as whole models (?s=, ?b=).
SWEEP_KEYS: dict[str, tuple[str, ...]] = {
    "f": ("landscape",),
    "kind": ("optimizer", "kind"),
    "mom": ("optimizer", "momentum"),
    "nesterov": ("optimizer", "nesterov"),
    "b1": ("optimizer", "betas", "0"),
    "b2": ("optimizer", "betas", "1"),
    "x0": ("start", "0"),
    "y0": ("start", "1"),
    "steps": ("steps",),
    "lr_min": ("lr_min",),
    "lr_max": ("lr_max",),
    "n": ("n_rates",),
}
BASIN_KEYS: dict[str, tuple[str, ...]] = {
    "f": ("landscape",),
    "kind": ("optimizer", "kind"),
    "lr": ("optimizer", "lr"),
    "mom": ("optimizer", "momentum"),
    "steps": ("steps",),
    "res": ("resolution",),
}


NETWORK_KEYS: dict[str, tuple[str, ...]] = {
    "d": ("dataset",),
    "hidden": ("hidden",),
    "act": ("activation",),
    "loss": ("loss",),
    **{k: v for k, v in RUN_KEYS.items() if v[0] in ("optimizer", "schedule")},
    "B": ("batch_size",),
    "steps": ("steps",),
    "rows": ("train_rows",),
    "seed": ("seed",),
    "span": ("span",),
    "res": ("resolution",),
    "norm": ("norm",),
    "dseed": ("directions_seed",),
}


class WidgetState(Protocol):
    """What :meth:`Binding.payload` reads widget values from: ``st.session_state``, or a dict."""

    def __contains__(self, key: object) -> bool: ...

    def __getitem__(self, key: str) -> Any: ...


@dataclass(frozen=True)
class Binding:
    """One page's settings, declared once: each key of ``keys`` names a setting (its URL key,
    where the page writes one), its path inside ``model``'s payload, and its widget,
    ``prefix + key``. Defaults come from the model (and, for a field of one optimizer or
    schedule kind, from that kind's model), so adding a hyperparameter is one model field and
    one row in a table."""

    model: type[BaseModel]
    keys: Mapping[str, tuple[str, ...]]
    prefix: str

    def widget(self, key: str) -> str:
        return self.prefix + key

    def defaults(self) -> dict[str, Any]:
        """Widget key -> default value, for every key of the table."""
        base = self.model().model_dump()
        out = {}
        for key, path in self.keys.items():
            found, value = lookup(base, path)
            if not found and path[0] in UNIONS:  # a field of another kind: that kind's default
                for member in UNIONS[path[0]].values():
                    found, value = lookup({path[0]: member().model_dump()}, path)
                    if found:
                        break
            if found:
                out[self.widget(key)] = value
        return out

    def widgets(self, payload: Mapping[str, Any], under: str | None = None) -> dict[str, Any]:
        """Widget key -> value for a config's payload (``cfg.model_dump()``): its own value
        where it has one, the default elsewhere. ``under`` keeps the keys below one field."""
        defaults = self.defaults()
        out = {}
        for key, path in self.keys.items():
            if under is not None and path[0] != under:
                continue
            found, value = lookup(payload, path)
            widget = self.widget(key)
            if found or widget in defaults:
                out[widget] = value if found else defaults[widget]
        return out

    def payload(self, state: WidgetState) -> dict[str, Any]:
        """The config payload the widgets in ``state`` describe. A field that the chosen
        optimizer or schedule kind does not have is left out."""
        flat = {
            path: state[self.widget(key)]
            for key, path in self.keys.items()
            if self.widget(key) in state
        }
        for root, members in UNIONS.items():
            member = members.get(flat.get((root, "kind"), ""))
            if member is not None:
                flat = {
                    path: value
                    for path, value in flat.items()
                    if path[0] != root or path[1] in member.model_fields
                }
        return nest(flat)


def lookup(payload: Any, path: tuple[str, ...]) -> tuple[bool, Any]:
    """``(True, value)`` at ``path`` inside a nested payload, or ``(False, None)``."""
    value = payload
    try:
        for part in path:
            value = value[int(part)] if part.isdigit() else value[part]
    except (KeyError, IndexError, TypeError):
        return False, None
    return True, value


def nest(flat: Mapping[tuple[str, ...], Any]) -> dict[str, Any]:
    """``{("optimizer", "lr"): "0.1"}`` → ``{"optimizer": {"lr": "0.1"}}``; numeric-string keys
    become list positions (``start``, ``betas``)."""
    root: dict[str, Any] = {}
    for path, value in flat.items():
        node = root
        for part in path[:-1]:
            node = node.setdefault(part, {})
        node[path[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    if node and all(k.isdigit() for k in node):
        return [_lists(node[k]) for k in sorted(node, key=int)]
    return {k: _lists(v) for k, v in node.items()}
