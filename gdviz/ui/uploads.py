"""Uploads a session may keep: a few files and a few megabytes, the newest kept.

Streamlit's upload endpoint stores whatever a session PUTs, under any file id, until the
session is cleaned up; 300 forged PUTs of 1 MB held 288 MB. The pages need one file at a time
per uploader (a CSV of at most 1 MB, a settings file of 64 kB), so each session keeps at most
:data:`MAX_FILES` files and :data:`MAX_BYTES` bytes: a new file beyond either evicts the
session's oldest. (The server's ``maxUploadSize`` of 1 MB bounds each file.)
"""

from __future__ import annotations

import functools
import threading
from typing import Any

MAX_FILES = 4
MAX_BYTES = 3 * 1024 * 1024

_INSTALLED = "_gdviz_capped"
_LOCK = threading.Lock()


def cap(manager: Any) -> Any:
    """Make ``manager`` (Streamlit's ``MemoryUploadedFileManager``) keep at most
    :data:`MAX_FILES` files and :data:`MAX_BYTES` bytes a session, evicting the oldest; done
    once per manager (its ``add_file`` is wrapped in place, so the upload route, which holds
    the same object, is bounded too). Returns ``manager``."""
    with _LOCK:
        if getattr(manager, _INSTALLED, False):
            return manager
        add_file = manager.add_file

        @functools.wraps(add_file)
        def add_bounded(session_id: str, file: Any) -> None:
            add_file(session_id, file)
            with manager._lock:
                kept = dict(manager.file_storage.get(session_id, {}))
            # dicts keep insertion order: the oldest first (a replaced id keeps its place,
            # so it is evicted first when it is old; the newest file is never evicted).
            order = [fid for fid in kept if fid != file.file_id] + [file.file_id]
            sizes = {fid: len(kept[fid].data) for fid in order if fid in kept}
            while len(order) > 1 and (
                len(order) > MAX_FILES or sum(sizes[f] for f in order) > MAX_BYTES
            ):
                manager.remove_file(session_id, order.pop(0))

        manager.add_file = add_bounded
        setattr(manager, _INSTALLED, True)
    return manager


def cap_uploads() -> None:
    """Bound the running server's uploads (no-op without a runtime, e.g. under AppTest)."""
    try:
        from streamlit import runtime

        if runtime.exists():
            cap(runtime.get_instance().uploaded_file_mgr)
    except (ImportError, AttributeError, RuntimeError):
        return
