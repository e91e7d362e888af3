"""Choice widgets whose value is always one of their options.

A browser sends only the options it was shown, but a websocket client can send any string for
any widget, and Streamlit hands a select or radio value it does not know to the page and its
callbacks as it came (``ls_opt="lbfgs"`` was a KeyError, ``hiker_f="rosenbrock"`` quietly
loaded a 2-D landscape's defaults into the 1-D hiker). :func:`choice` checks the value before
the widget's callback runs and before the widget is drawn: a value that is not an option is
replaced by the fallback, with one line that says so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import streamlit as st

from gdviz.core.echo import clip
from gdviz.ui.text import inert

Kind = Literal["selectbox", "radio", "segmented_control", "select_slider"]
_FIRST = object()


def _is_option(value: Any, options: Sequence[Any]) -> bool:
    # Equal and of the same type: "1" is not the option 1, True is not the option 1.
    return any(type(value) is type(o) and value == o for o in options)


def keep_valid(
    key: str,
    options: Sequence[Any],
    label: str,
    fallback: Any = _FIRST,
    allow_none: bool = False,
    format_func: Callable[[Any], Any] = str,
) -> bool:
    """Whether ``st.session_state[key]`` is one of ``options`` (or absent, or ``None`` where
    allowed). If it is not, it becomes ``fallback`` (the first option by default), a toast
    says so (the value given clipped and shown as text), and the answer is ``False``."""
    state = st.session_state
    if key not in state:
        return True
    value = state[key]
    if (value is None and allow_none) or _is_option(value, options):
        return True
    state[key] = options[0] if fallback is _FIRST else fallback
    st.toast(
        inert(
            f"Ignored a value for “{label}” that is not one of its choices "
            f"({clip(repr(value), 40)}); using {format_func(state[key])}."
        ),
        icon=":material/block:",
    )
    return False


def choice(
    where: Any,
    kind: Kind,
    label: str,
    options: Sequence[Any],
    *,
    key: str,
    on_change: Callable[..., None] | None = None,
    args: tuple = (),
    fallback: Any = _FIRST,
    allow_none: bool = False,
    **kwargs: Any,
) -> Any:
    """``where.<kind>(label, options, key=key, …)`` whose value is always an option (see
    :func:`keep_valid`): checked before ``on_change`` runs and before the widget is drawn.
    A widget that may be empty (``allow_none``, ``index=None``, or a segmented control that
    is not ``required``) may hold ``None``."""
    options = list(options)
    allow_none = (
        allow_none
        or ("index" in kwargs and kwargs["index"] is None)
        or (kind == "segmented_control" and not kwargs.get("required", False))
    )
    shown = kwargs.get("format_func", str)

    def changed(*given: Any) -> None:
        valid = keep_valid(key, options, label, fallback, allow_none, shown)
        if valid and on_change is not None:
            on_change(*given)

    keep_valid(key, options, label, fallback, allow_none, shown)
    if kind == "select_slider":
        kwargs["options"] = options
        return where.select_slider(label, key=key, on_change=changed, args=args, **kwargs)
    return getattr(where, kind)(label, options, key=key, on_change=changed, args=args, **kwargs)
