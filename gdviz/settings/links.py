"""Settings ↔ URL query parameters, validated by the same pydantic models as the widgets.

A URL is untrusted text. ``*_from_query`` turns it into a valid config plus a list of warnings:
every value that is malformed or out of range is dropped (falling back to its default) with a
sentence saying which and why, so a hand-edited link never breaks the page. ``*_to_query`` writes
a config back as a short, human-readable query (defaults left out).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from gdviz.core import landscapes, optim
from gdviz.core.echo import clip, quote
from gdviz.expr import DEFAULT_BOUNDS
from gdviz.settings.binding import (
    CUSTOM_KEYS,
    DATA_KEYS,
    HIKER_KEYS,
    NETWORK_KEYS,
    RUN_KEYS,
    lookup,
    nest,
)
from gdviz.settings.messages import MAX_SENTENCE, describe_errors
from gdviz.settings.models import (
    CUSTOM,
    BasinConfig,
    CompareConfig,
    DataConfig,
    HikerConfig,
    RunConfig,
    SweepConfig,
    resolve_landscape,
)
from gdviz.settings.network import NetworkConfig
from gdviz.settings.optimizers import (
    OPTIMIZER_MODELS,
)


def _first(value: Any) -> str:
    """Query values may repeat (``?lr=1&lr=2``): the last one wins, as in ``st.query_params``."""
    if isinstance(value, list | tuple):
        return str(value[-1]) if value else ""
    return str(value)


PAGE_KEYS = frozenset({"present"})
"""Keys every page's link may carry besides its settings (presentation mode)."""


def _parse(
    model: type[BaseModel],
    keys: Mapping[str, tuple[str, ...]],
    query: Mapping[str, Any],
    fill: Mapping[tuple[str, ...], Any],
) -> tuple[Any, list[str]]:
    warnings = _unknown_keys(sorted(set(query) - set(keys) - PAGE_KEYS))
    given = {k: _first(v) for k, v in query.items() if k in keys}

    def attempt(values: Mapping[str, str]) -> Any:
        flat = dict(fill)
        flat.update({keys[k]: v for k, v in values.items()})
        _complete(flat)
        return model.model_validate(nest(flat))

    while True:
        try:
            return attempt(given), warnings
        except ValidationError as error:
            if not given:  # the defaults themselves are invalid: a programming error
                raise
            reason = describe_errors(error)[0]
            culprit = _field_culprit(error, given, keys) or _removal_culprit(attempt, given, reason)
            if culprit is None:  # only several values together are wrong: keep the defaults
                warnings.append(f"Ignored the settings in the link ({reason}).")
                given = {}
                continue
            warnings.append(
                f"Ignored {culprit}={quote(given.pop(culprit))} from the link ({reason}); "
                "using the default."
            )


def _unknown_keys(unknown: list[str]) -> list[str]:
    """One warning for keys the page does not know: each named if there are a few, else a
    count and the first three (a link with 1,000 of them gives one line, not 1,000 boxes)."""
    if len(unknown) <= 3:
        return [f"Ignored unknown setting {quote(k)} in the link." for k in unknown]
    named = ", ".join(quote(k) for k in unknown[:3])
    return [f"Ignored {len(unknown):,} unknown settings in the link ({named} and others)."]


def _field_culprit(
    error: ValidationError, given: Mapping[str, str], keys: Mapping[str, tuple[str, ...]]
) -> str | None:
    """The URL key whose own field the first error is about, if any."""
    loc = tuple(str(part) for part in error.errors()[0]["loc"])
    # Discriminated unions put the tag in the path: ("optimizer", "sgd", "lr").
    stripped = tuple(p for p in loc if p not in _UNION_TAGS)
    for key in given:
        if keys[key] in (loc, stripped):
            return key
    if (stripped and stripped[-1] == "kind") or loc in (("optimizer",), ("schedule",)):
        # A bad tag ("opt=zz") is reported on the union itself.
        for key in given:
            if keys[key] == (loc[0], "kind"):
                return key
    return None


def _removal_culprit(attempt: Any, given: Mapping[str, str], reason: str) -> str | None:
    """For a rule across fields: the one URL key whose removal makes the rest valid; failing
    that (two separate problems), the key whose removal makes the reported problem go away."""
    changed = None
    for key in reversed(list(given)):
        try:
            attempt({k: v for k, v in given.items() if k != key})
        except ValidationError as error:
            if changed is None and describe_errors(error)[0] != reason:
                changed = key
            continue
        return key
    return changed


def _complete(flat: dict[tuple[str, ...], Any]) -> None:
    """Fill list positions the URL left out (``x0`` without ``y0``) from the landscape's start,
    and the other beta from the optimizer's default."""
    name = flat.get(("landscape",))
    if ("start", "0") in flat or ("start", "1") in flat:
        try:
            default = landscapes.get(str(name)).start
        except ValueError:  # a custom function: the centre of its map
            default = (0.0, 0.0)
        for i, value in enumerate(default):
            flat.setdefault(("start", str(i)), value)
        if len(default) == 1:
            flat.pop(("start", "1"), None)
    if ("optimizer", "betas", "0") in flat or ("optimizer", "betas", "1") in flat:
        for i, beta in enumerate(optim.ADAM_BETAS):
            flat.setdefault(("optimizer", "betas", str(i)), beta)


_UNION_TAGS = {*OPTIMIZER_MODELS, "constant", "step", "exponential", "cosine", "warmup"}


def run_from_query(query: Mapping[str, Any]) -> tuple[RunConfig, list[str]]:
    """A valid :class:`RunConfig` from URL parameters, and the warnings for what was dropped.

    Values not in the link come from the chosen landscape's suggestions (its start and GD rate).
    """
    name = _first(query.get("f", RunConfig().landscape))
    ls = landscapes.get(name) if name in landscapes.names(dim=2) else landscapes.get("rosenbrock")
    fill = {
        ("landscape",): ls.name,
        ("optimizer", "kind"): "sgd",
        ("optimizer", "lr"): ls.lr,
        ("start", "0"): ls.start[0],
        ("start", "1"): ls.start[1],
    }
    query = dict(query)
    warnings: list[str] = []
    if name == CUSTOM:
        custom, box, text = _custom_from_query(query, 2)
        if custom is not None:
            fill = {
                ("landscape",): CUSTOM,
                ("expression",): text,
                ("optimizer", "kind"): "sgd",
                ("optimizer", "lr"): custom.lr,
                ("start", "0"): custom.start[0],
                ("start", "1"): custom.start[1],
                **_bounds_fill(box),
            }
        else:  # one warning for the formula, then the default map
            warnings.append(f"Ignored the custom function in the link ({text}); using {ls.name}.")
            query = {k: v for k, v in query.items() if k not in CUSTOM_KEYS and k != "f"}
    if "f" in query and name not in landscapes.names(dim=2) and name != CUSTOM:
        bad = query.pop("f")
        warning = (
            f"Ignored f={quote(_first(bad))} from the link (not a 2-D landscape; choose one of: "
            f"{', '.join(landscapes.names(dim=2))}); using {ls.name}."
        )
        config, warnings = _parse(RunConfig, RUN_KEYS, query, fill)
        return config, [warning, *warnings]
    if "opt" in query and "lr" not in query:
        # A new optimizer without a rate starts from that optimizer's own default rate.
        kind = _first(query["opt"])
        if kind in OPTIMIZER_MODELS and kind != "sgd":  # plain GD keeps the landscape's rate
            fill[("optimizer", "lr")] = OPTIMIZER_MODELS[kind]().lr
    config, more = _parse(RunConfig, RUN_KEYS, query, fill)
    return config, [*warnings, *more]


def _custom_from_query(query: Mapping[str, Any], dim: int) -> tuple[Any, Any, str]:
    """A custom function from a link: ``(landscape, bounds, formula)``, or
    ``(None, None, why)`` when the formula or the bounds cannot be used."""
    text = _first(query.get("expr", ""))
    names = ("xmin", "xmax", "ymin", "ymax")[: 2 * dim]
    try:
        values = [float(_first(query[k])) if k in query else None for k in names]
    except ValueError:
        return None, None, "the plot bounds must be numbers"
    pairs = zip(values[::2], values[1::2], strict=True)
    box = tuple(
        (d_lo if lo is None else lo, d_hi if hi is None else hi)
        for (lo, hi), (d_lo, d_hi) in zip(pairs, DEFAULT_BOUNDS[dim], strict=True)
    )
    try:
        return resolve_landscape(CUSTOM, text, box, dim), box, text
    except ValueError as error:
        return None, None, str(error)


def _bounds_fill(box: Any) -> dict[tuple[str, ...], Any]:
    fill: dict[tuple[str, ...], Any] = {}
    for i, (lo, hi) in enumerate(box):
        fill[("bounds", str(i), "0")], fill[("bounds", str(i), "1")] = lo, hi
    return fill


def run_to_query(cfg: RunConfig) -> dict[str, str]:
    """The query parameters that reproduce ``cfg`` (values equal to the defaults left out)."""
    payload = cfg.model_dump()
    default_opt = OPTIMIZER_MODELS[cfg.optimizer.kind]().model_dump()
    out: dict[str, str] = {}
    for key, path in RUN_KEYS.items():
        found, value = lookup(payload, path)
        if not found:
            continue
        if (
            path[0] == "optimizer"
            and path[-1] not in ("kind", "lr")
            and value == lookup(default_opt, path[1:])[1]
        ):
            continue
        if path[0] == "schedule" and cfg.schedule.kind == "constant" and path[-1] != "kind":
            continue
        if value is None or (key in ("noise", "seed") and value == 0):
            continue
        if key == "sched" and value == "constant":
            continue
        out[key] = _text(value)
    return out


def hiker_from_query(query: Mapping[str, Any]) -> tuple[HikerConfig, list[str]]:
    """A valid :class:`HikerConfig` from ``?f=parabola&lr=0.1&x0=-4`` and the warnings."""
    name = _first(query.get("f", HikerConfig().landscape))
    fill: dict[tuple[str, ...], Any] = {}
    warnings: list[str] = []
    if name in landscapes.names(dim=1):
        curve = landscapes.get(name)
        fill = {("landscape",): name, ("lr",): curve.lr, ("x0",): curve.start[0]}
    elif name == CUSTOM:
        curve, box, text = _custom_from_query(query, 1)
        if curve is not None:
            fill = {
                ("landscape",): CUSTOM,
                ("expression",): text,
                ("lr",): curve.lr,
                ("x0",): curve.start[0],
                **_bounds_fill(box),
            }
        else:
            warnings.append(
                f"Ignored the custom function in the link ({text}); using the parabola."
            )
            query = {k: v for k, v in query.items() if k not in ("expr", "xmin", "xmax", "f")}
    config, more = _parse(HikerConfig, HIKER_KEYS, query, fill)
    return config, [*warnings, *more]


def hiker_to_query(cfg: HikerConfig) -> dict[str, str]:
    """``?f=parabola&lr=0.1&x0=-4`` (plus ``n`` once the hiker has taken steps, ``walk`` with
    the earlier rates if α changed on the way, and the formula and its bounds for a custom
    curve)."""
    query = {"f": cfg.landscape, "lr": _text(cfg.lr), "x0": _text(cfg.x0)}
    if cfg.landscape == CUSTOM:
        ((lo, hi),) = cfg.bounds or DEFAULT_BOUNDS[1]
        query.update(expr=cfg.expression or "", xmin=_text(lo), xmax=_text(hi))
    if cfg.steps:
        query["n"] = str(cfg.steps)
    if cfg.earlier:
        query["walk"] = ",".join(f"{_text(lr)}*{count}" for lr, count in cfg.earlier)
    return query


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):  # the shortest text that reads back as the same number
        return repr(value) if not value.is_integer() else f"{value:g}"
    return str(value)


MAX_LINK_BYTES = 8192  # a compare link carries up to 8 runs; anything longer is refused unread


def model_from_link(
    model: type[BaseModel], text: str, default: Any, what: str
) -> tuple[Any, list[str]]:
    """A whole config carried in one link parameter as base64url JSON. A link that is too long,
    not base64, not JSON or not valid gives one warning and ``default``."""
    if not text:
        return default, []
    if len(text) > MAX_LINK_BYTES:
        return default, [
            f"Ignored the {what} in the link: it is longer than {MAX_LINK_BYTES} bytes."
        ]
    try:
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        return model.model_validate_json(raw), []
    except (binascii.Error, ValueError) as error:
        readable = isinstance(error, ValidationError) and all(
            problem["type"] != "json_invalid" for problem in error.errors()
        )
        reason = (
            clip("; ".join(describe_errors(error)), MAX_SENTENCE)
            if readable and isinstance(error, ValidationError)
            else f"it is not a valid {what} link: its data is not the JSON gdviz writes"
        )
        return default, [f"Ignored the {what} in the link ({reason}); showing the default."]


def network_from_query(query: Mapping[str, Any]) -> tuple[NetworkConfig, list[str]]:
    """A valid :class:`NetworkConfig` from ``?d=digits&hidden=64-32&act=relu&lr=0.05&B=0``
    and the warnings for what was dropped."""
    default = NetworkConfig()
    fill: dict[
        tuple[str, ...], Any
    ] = {  # the optimizer and schedule kinds the query leaves out: the defaults'
        ("optimizer", "kind"): default.optimizer.kind,
        ("optimizer", "lr"): default.optimizer.lr,
        ("schedule", "kind"): default.schedule.kind,
    }
    return _parse(NetworkConfig, NETWORK_KEYS, query, fill)


def network_to_query(cfg: NetworkConfig) -> dict[str, str]:
    """The query that reproduces ``cfg`` (values equal to the defaults left out; the hidden
    layers as ``64-32``)."""
    payload = cfg.model_dump()
    # Compare each union field with the default of its own kind (Adam's ε is not news).
    default = (
        NetworkConfig()
        .model_copy(update={"optimizer": type(cfg.optimizer)(), "schedule": type(cfg.schedule)()})
        .model_dump()
    )
    default["optimizer"]["lr"] = (
        None if cfg.optimizer.kind != "sgd" else NetworkConfig().optimizer.lr
    )
    usual = NetworkConfig()
    out: dict[str, str] = {}
    for key, path in NETWORK_KEYS.items():
        found, value = lookup(payload, path)
        if path[-1] == "kind":  # a kind is news against the page's default kind
            usual_kind = getattr(usual, path[0]).kind
            if value != usual_kind:
                out[key] = str(value)
            continue
        if found and value != lookup(default, path)[1]:
            out[key] = "-".join(map(str, value)) if key == "hidden" else _text(value)
    return out


SETTINGS_FILES: tuple[tuple[str, type[BaseModel]], ...] = (
    ("hiker", HikerConfig),
    ("landscape", RunConfig),
    ("compare", CompareConfig),
    ("sweep", SweepConfig),
    ("sweep", BasinConfig),
    ("data", DataConfig),
    ("networks", NetworkConfig),
)
"""Each page's settings files (``url path``, the model its JSON holds)."""


def page_of_settings(raw: bytes | str) -> str | None:
    """The url path of the page whose settings the JSON ``raw`` holds, or ``None``: a file
    loaded on the wrong page is named for what it is ("from the data page"), not reported as
    a list of fields the page does not know."""
    for page, model in SETTINGS_FILES:
        try:
            model.model_validate_json(raw)
        except ValueError:
            continue
        return page
    return None


def model_to_link(cfg: BaseModel) -> str:
    """The base64url JSON of ``cfg`` (no padding), for :func:`model_from_link`."""
    return base64.urlsafe_b64encode(cfg.model_dump_json().encode()).decode().rstrip("=")


def compare_from_query(query: Mapping[str, Any]) -> tuple[CompareConfig, list[str]]:
    """A race from ``?c=<base64url JSON of a CompareConfig>``; without ``c``, the first preset."""
    from gdviz.settings.lessons import (
        PRESETS,  # presets import config; keep module import order simple
    )

    default = next(iter(PRESETS.values()))
    cfg, warnings = model_from_link(CompareConfig, _first(query.get("c", "")), default, "race")
    return cfg, [w.replace("showing the default", "showing the first preset") for w in warnings]


def compare_to_query(cfg: CompareConfig) -> dict[str, str]:
    """``{"c": base64url JSON}`` reproducing ``cfg`` exactly."""
    return {"c": model_to_link(cfg)}


def sweep_from_query(
    query: Mapping[str, Any],
) -> tuple[tuple[SweepConfig | None, BasinConfig | None], list[str]]:
    """The sweep (``?s=``) and the basin map (``?b=``) a link carries, each ``None`` where the
    link has none or it cannot be read, and the warnings."""
    sweep, sweep_warnings = model_from_link(SweepConfig, _first(query.get("s", "")), None, "sweep")
    basins, basin_warnings = model_from_link(
        BasinConfig, _first(query.get("b", "")), None, "basin map"
    )
    return (sweep, basins), [*sweep_warnings, *basin_warnings]


def data_from_query(query: Mapping[str, Any]) -> tuple[DataConfig, list[str]]:
    """A valid :class:`DataConfig` from ``?d=tips&scale=raw&gd=minibatch&B=16&lr=0.1`` and the
    warnings for what was dropped (an uploaded file cannot travel in a link)."""
    return _parse(DataConfig, DATA_KEYS, query, {})


def data_to_query(cfg: DataConfig) -> dict[str, str]:
    """The query that reproduces ``cfg`` (values equal to the defaults left out)."""
    payload, default = cfg.model_dump(), DataConfig().model_dump()
    out: dict[str, str] = {}
    for key, path in DATA_KEYS.items():
        value, ref = lookup(payload, path)[1], lookup(default, path)[1]
        if value != ref:
            out[key] = _text(value)
    return out
