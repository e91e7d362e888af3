"""What a tab that reconnects to a restarted server replays: its widgets' values (newer than
its link) and its clicks, read from Streamlit's session internals, guarded."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st


def replayed_states() -> dict[str, Any]:
    """The serialised widget states (``WidgetState`` protos, by widget key) that the browser
    sent into this run and the session has not decoded yet.

    On a session's first run these exist only when a tab reconnects to a restarted server and
    replays its widgets. They come from Streamlit's session state internals, guarded: a
    Streamlit without them gives nothing (the link then wins, as before).
    """
    try:
        from streamlit.runtime.state.common import user_key_from_element_id
        from streamlit.runtime.state.session_state_proxy import get_session_state

        states = get_session_state()._state._new_widget_state.states
    except (ImportError, AttributeError):
        return {}
    replayed: dict[str, Any] = {}
    for wid, wstate in states.items():
        proto, key = getattr(wstate, "value", None), user_key_from_element_id(wid)
        if (
            key is not None
            and proto is not None
            and hasattr(proto, "WhichOneof")
            and proto.WhichOneof("value")
        ):
            replayed[key] = proto
    return replayed


def replayed_values() -> dict[str, Any]:
    """The numbers and switches among :func:`replayed_states`, decoded: only plain numbers
    and booleans are taken (the session cannot decode the rest before their widgets exist)."""
    values: dict[str, Any] = {}
    for key, proto in replayed_states().items():
        kind = proto.WhichOneof("value")
        if kind in ("double_value", "int_value", "bool_value"):
            values[key] = getattr(proto, kind)
        elif kind == "double_array_value" and len(proto.double_array_value.data) == 1:
            values[key] = proto.double_array_value.data[0]  # a one-handle slider
    return values


def replayed_upload(key: str) -> bool:
    """Whether a reconnecting tab still shows a file in uploader ``key``: after a server
    restart the file itself is gone, while the browser keeps showing it."""
    proto = replayed_states().get(key)
    if proto is None or proto.WhichOneof("value") != "file_uploader_state_value":
        return False
    return bool(proto.file_uploader_state_value.uploaded_file_info)


def keep_replayed(load: Callable[[Any], None]) -> Callable[[Any], None]:
    """``load`` (which puts a config from the link into the widgets) that then puts back the
    numbers and switches a reconnecting tab replayed: they are newer than its link, which lags
    one rerun behind what was just typed. A value is put back only over one of its own type."""

    def wrapped(cfg: Any) -> None:
        replayed = replayed_values()
        load(cfg)
        for key, value in replayed.items():
            loaded = st.session_state.get(key)
            if type(loaded) is int and isinstance(value, float) and value.is_integer():
                value = int(value)  # an integer slider travels as a float
            if type(loaded) is type(value):
                st.session_state[key] = value

    return wrapped


def button(
    where: Any,
    label: str,
    *,
    key: str,
    on_click: Callable[..., None],
    args: tuple = (),
    **kwargs: Any,
) -> None:
    """``where.button`` whose action runs once per click, even the first click after a server
    restart.

    A tab that reconnects to a restarted server replays the click into a fresh session, where
    Streamlit runs no callback (it has not yet seen the widget), so an ``on_click`` alone drops
    that click. The button then still returns ``True``: when it does and the callback did not
    run, the action runs now and the page reruns to show it.
    """
    ran = f"_{key}_ran"

    def run() -> None:
        st.session_state[ran] = True
        on_click(*args)

    clicked = where.button(label, key=key, on_click=run, **kwargs)
    if clicked and not st.session_state.pop(ran, False):
        on_click(*args)
        st.rerun()
