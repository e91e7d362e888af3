"""The page frame's guard: an unexpected exception in a page becomes one sentence on the page
and a full traceback in the server's log, never a traceback in a browser; and the page comes
back as it last worked: the session's state of the last run that finished is put back, and the
page runs again with it (once: if that fails too, the sentence stays alone).

Every failure a user can cause (a formula, a link, a file, a widget value) is refused where it
enters, in words; this guard is the net under those refusals. ``client.showErrorDetails =
"none"`` in ``.streamlit/config.toml`` is the net under the guard (an exception raised outside
a page, say in the entry point itself, shows Streamlit's generic message, with no server path).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

import streamlit as st

LOG = logging.getLogger("gdviz")

RAISE_ENV = "GDVIZ_RAISE"
"""Set (to anything but "" or "0") to let exceptions through: the AppTest suite sets it, so a
bug fails its test with the real traceback instead of a polite sentence."""

SENTENCE = (
    "Something went wrong while drawing this page, and the problem was logged on the server "
    "(reference {ref}). Undo your last change, or open the page again from the navigation."
)
RESTORED = (
    "Your last change could not be shown: something went wrong, and the problem was logged on "
    "the server (reference {ref}). The page is back as it was before that change."
)
_LAST_GOOD = "_gdviz_last_good"  # the session state after the last run that finished
_RESTORE = "_gdviz_restore"  # (reference, state) to put back at the start of the next run
_SAID = "_gdviz_restored"  # the reference to show once the restored page has run


def letting_through() -> bool:
    return os.environ.get(RAISE_ENV, "") not in ("", "0")


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:  # arrays and other values without one truth value
        return False


def _changed_back(last: Mapping[str, Any], state: Any) -> dict[str, Any]:
    """The values of ``last`` (the state after the last good run) that the failed run's
    change altered, to put back. Left as they are: a button's click (``True`` where it was
    ``False``; a switch turned on looks the same, and stays on) and a chart's selection
    (Streamlit refuses to have either set from session state)."""
    back = {}
    for key, old in last.items():
        if key not in state:
            continue
        new = state[key]
        if _same(new, old):
            continue
        if (new is True and old is False) or isinstance(new, Mapping) or isinstance(old, Mapping):
            continue
        back[key] = old
    return back


@contextmanager
def guarded() -> Iterator[None]:
    """Run a page: an ``Exception`` it raises is logged with a short reference; the session's
    state after the last run that finished is put back and the page runs again, saying
    :data:`RESTORED`; without one (or if that run fails too), :data:`SENTENCE` alone.
    Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from ``BaseException`` and
    passes untouched (a stopped run is not remembered as a good one)."""
    state = st.session_state
    restore = state.pop(_RESTORE, None)
    if restore is not None:
        ref, snapshot = restore
        for key, value in snapshot.items():
            with suppress(Exception):  # a button, an upload: state Streamlit will not take
                state[key] = value
        state[_SAID] = ref
    try:
        yield
    except Exception:
        if letting_through():
            raise
        ref = uuid.uuid4().hex[:8]
        LOG.exception("unexpected error in a page (reference %s)", ref)
        last = state.get(_LAST_GOOD)
        if last is not None and restore is None:
            state[_RESTORE] = (ref, _changed_back(last, state))
            st.rerun()
        st.error(SENTENCE.format(ref=ref), icon=":material/error:")
    else:
        said = state.pop(_SAID, None)
        if said is not None:
            st.warning(RESTORED.format(ref=said), icon=":material/undo:")
        state[_LAST_GOOD] = {
            key: value for key, value in state.items() if not str(key).startswith("_gdviz_")
        }
