"""The optimizer and schedule widgets every page that trains shares: one widget per
hyperparameter of the chosen kind, each bounded by its pydantic field (``limits``), keyed
``prefix + <URL key>`` (the keys of ``binding.RUN_KEYS``), so a page's ``binding.Binding`` reads and
writes them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from gdviz import settings
from gdviz.ui import rates
from gdviz.ui.choices import choice
from gdviz.ui.labels import OPTIMIZER_LABELS, SCHEDULE_LABELS
from gdviz.ui.limits import limits


def optimizer_select(where: Any, key: str, **kwargs: Any) -> str:
    """The select of optimizer kinds, labelled as every page labels them; returns the kind."""
    choice(
        where,
        "selectbox",
        "Optimizer",
        list(OPTIMIZER_LABELS),
        key=key,
        format_func=OPTIMIZER_LABELS.get,
        **kwargs,
    )
    return str(st.session_state[key])


def optimizer_inputs(
    where: Any, prefix: str, on_kind_change: Callable[[], None] | None = None
) -> str:
    """The optimizer's kind and its hyperparameters; returns the kind chosen. The learning rate
    is the user's once they set it (:mod:`gdviz.ui.rates`): a suggestion waits under it."""
    optimizer_select(
        where,
        f"{prefix}opt",
        on_change=on_kind_change,
        help="SGD covers plain gradient descent, momentum and Nesterov (set momentum β below).",
    )
    kind = st.session_state[f"{prefix}opt"]
    model = settings.OPTIMIZER_MODELS[kind]
    where.number_input(
        "Learning rate α",
        key=f"{prefix}lr",
        format="%.6g",
        step=None,
        on_change=rates.mark_touched,
        args=(f"{prefix}lr",),
        **limits(model, "lr"),
    )
    rates.offer(where, f"{prefix}lr")
    _kind_inputs(where, prefix, kind)
    _more_inputs(where, prefix, kind)
    return kind


def _kind_inputs(where: Any, prefix: str, kind: str) -> None:
    """The hyperparameters that make the kind what it is: momentum and Nesterov, RMSprop's
    smoothing, Adam's betas and AMSGrad, Adagrad's decay."""
    if kind in ("sgd", "rmsprop"):
        where.slider(
            "Momentum β", step=0.01, key=f"{prefix}mom", **limits(settings.SGDConfig, "momentum")
        )
    if kind == "sgd":
        where.toggle(
            "Nesterov",
            key=f"{prefix}nesterov",
            disabled=st.session_state[f"{prefix}mom"] == 0,
            help="Look ahead along the momentum before taking the gradient.",
        )
    if kind == "rmsprop":
        where.slider(
            "α (smoothing of g²)",
            step=0.001,
            key=f"{prefix}alpha",
            format="%.4f",
            **limits(settings.RMSpropConfig, "alpha"),
        )
        where.toggle("Centred", key=f"{prefix}centered")
    if kind in ("adam", "adamw"):
        beta_lo, beta_hi = settings.BETA_RANGE
        where.slider(
            "β₁ (momentum)", beta_lo, beta_hi, step=0.001, key=f"{prefix}b1", format="%.4f"
        )
        where.slider(
            "β₂ (smoothing of g²)", beta_lo, beta_hi, step=0.0001, key=f"{prefix}b2", format="%.4f"
        )
        where.toggle("AMSGrad", key=f"{prefix}amsgrad")
    if kind == "adagrad":
        where.number_input(
            "lr decay",
            key=f"{prefix}lr_decay",
            format="%.4g",
            **limits(settings.AdagradConfig, "lr_decay"),
        )


def _more_inputs(where: Any, prefix: str, kind: str) -> None:
    """Weight decay, and dampening (SGD) or ε (the rest), folded away."""
    model = settings.OPTIMIZER_MODELS[kind]
    with where.expander("More hyperparameters"):
        where.number_input(
            "Weight decay λ" + (" (decoupled)" if kind == "adamw" else " (L2)"),
            key=f"{prefix}wd",
            format="%.4g",
            **limits(model, "weight_decay"),
        )
        if kind == "sgd":
            where.slider(
                "Dampening",
                step=0.05,
                key=f"{prefix}damp",
                **limits(settings.SGDConfig, "dampening"),
            )
        else:
            where.number_input("ε", key=f"{prefix}eps", format="%.1e", **limits(model, "eps"))


def schedule_inputs(where: Any, prefix: str) -> str:
    """The learning-rate schedule's kind and its parameters; returns the kind chosen."""
    choice(
        where,
        "selectbox",
        "Learning-rate schedule",
        list(SCHEDULE_LABELS),
        key=f"{prefix}sched",
        format_func=SCHEDULE_LABELS.get,
    )
    sched = st.session_state[f"{prefix}sched"]
    if sched == "step":
        where.number_input(
            "Every (steps)", key=f"{prefix}step_size", **limits(settings.StepSchedule, "step_size")
        )
    if sched in ("step", "exponential"):
        where.number_input(
            "Multiply by γ",
            key=f"{prefix}gamma",
            format="%.4g",
            step=0.01,
            **limits(settings.StepSchedule, "gamma"),
        )
    if sched == "cosine":
        where.number_input(
            "Period T_max (steps)", key=f"{prefix}t_max", **limits(settings.CosineSchedule, "t_max")
        )
        where.number_input(
            "Minimum rate η_min",
            key=f"{prefix}eta_min",
            format="%.4g",
            **limits(settings.CosineSchedule, "eta_min"),
        )
    if sched == "warmup":
        where.number_input(
            "Warm-up steps",
            key=f"{prefix}warmup",
            **limits(settings.WarmupSchedule, "warmup_steps"),
        )
    return sched


def switch_optimizer(prefix: str, load: Callable[[Any], None], defaults: Any, reason: str) -> None:
    """Put a new optimizer kind's ``defaults`` into the widgets with ``load``, except a rate the
    user set: that one stays, and the default rate is offered (``reason``)."""
    key = f"{prefix}lr"
    kept = st.session_state.get(key)
    load(defaults)
    suggested = float(st.session_state[key])
    if rates.touched(key):
        st.session_state[key] = kept
    rates.suggest(key, suggested, reason)
