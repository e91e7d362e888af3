"""The page frame's guard: an unexpected exception in a page becomes one sentence on the page
and a full traceback in the server's log, never a traceback in a browser.

Every failure a user can cause (a formula, a link, a file, a widget value) is refused where it
enters, in words; this guard is the net under those refusals. ``client.showErrorDetails =
"none"`` in ``.streamlit/config.toml`` is the net under the guard (an exception raised outside
a page, say in the entry point itself, shows Streamlit's generic message, with no server path).
"""

from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import streamlit as st

LOG = logging.getLogger("gdviz")

RAISE_ENV = "GDVIZ_RAISE"
"""Set (to anything but "" or "0") to let exceptions through: the AppTest suite sets it, so a
bug fails its test with the real traceback instead of a polite sentence."""

SENTENCE = (
    "Something went wrong while drawing this page, and the problem was logged on the server "
    "(reference {ref}). Undo your last change, or open the page again from the navigation."
)


def letting_through() -> bool:
    return os.environ.get(RAISE_ENV, "") not in ("", "0")


@contextmanager
def guarded() -> Iterator[None]:
    """Run a page: an ``Exception`` it raises is logged with a short reference and shown as
    :data:`SENTENCE`. Streamlit's own control flow (``st.rerun``, ``st.stop``) derives from
    ``BaseException`` and passes untouched."""
    try:
        yield
    except Exception:
        if letting_through():
            raise
        ref = uuid.uuid4().hex[:8]
        LOG.exception("unexpected error in a page (reference %s)", ref)
        st.error(SENTENCE.format(ref=ref), icon=":material/error:")
