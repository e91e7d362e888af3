"""A Streamlit session at the protocol level: what a fresh browser tab does, without a browser.

One :class:`Session` is one tab. :meth:`Session.open` does what the tab does on a link:

1. ``GET /<page>?<query>`` (the HTML; a load balancer sets its sticky cookie here);
2. a websocket to ``/_stcore/stream`` (subprotocol ``streamlit``, the cookie sent along);
3. a ``BackMsg.rerun_script`` carrying the link's query string and page name;
4. every ``ForwardMsg`` until ``script_finished``; then ``GET`` each ``/media/…`` file the page
   refers to (the map pictures), as the browser must before the page is complete.

Interactions (:meth:`Session.set_widget`, :meth:`Session.press`) send the changed widget's state
in a rerun, as the frontend does, and wait for the run to finish. Like the browser, a session
tells the server which large messages it already holds (``cached_message_hashes``), so the server
sends references instead of re-sending them; the session keeps the URL the app writes
(``page_info_changed``), and :meth:`Session.reconnect` rebuilds the page from it on a new
connection, as the frontend does after a dropped socket.

Messages are Streamlit's own protobufs (``streamlit.proto``); the websocket is the ``websockets``
package Streamlit itself depends on. Standard library HTTP, in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from http.cookiejar import CookieJar
from typing import Any

import websockets
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import ClientConnection

MEDIA = re.compile(rb"/media/[0-9a-f]{16,}\.[a-z]{2,4}")
COMPILE_ERROR = ForwardMsg.ScriptFinishedStatus.FINISHED_WITH_COMPILE_ERROR
FINISHED = {
    ForwardMsg.ScriptFinishedStatus.FINISHED_SUCCESSFULLY,
    ForwardMsg.ScriptFinishedStatus.FINISHED_FRAGMENT_RUN_SUCCESSFULLY,
}


class _Counted(ClientConnection):
    """A websocket connection that counts the bytes it receives on the wire (compressed, when
    the server compresses: ``server.enableWebsocketCompression``)."""

    wire_bytes = 0

    def data_received(self, data: bytes) -> None:
        self.wire_bytes += len(data)
        super().data_received(data)


class ProtocolError(RuntimeError):
    """The server answered something a browser tab would show as an error."""


@dataclass
class Load:
    """What one page load or interaction cost, as the client saw it.

    ``seconds``: from sending the request to the run finished and its media fetched;
    ``ws_bytes``/``media_bytes``: bytes received (the messages, uncompressed); ``wire_bytes``:
    the websocket's bytes as they crossed the network; ``errors``: exception texts the page
    showed.
    """

    seconds: float
    ws_bytes: int
    media_bytes: int
    errors: list[str] = field(default_factory=list)
    wire_bytes: int = 0


@dataclass
class Widget:
    """A widget as the page last drew it: its element type, id and value (a ``WidgetState``
    as the frontend would send it, or None for buttons, charts and uploads)."""

    kind: str
    id: str
    label: str
    state: Any = None


def _state_of(kind: str, body: Any) -> Any:
    """The ``WidgetState`` the frontend sends for a widget the server drew as ``body``: the
    value the server set, else the default. (A widget drawn again without ``set_value`` keeps
    the value the browser holds.) The frontend sends every widget's state with each rerun."""
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState(id=body.id)
    if kind == "number_input":
        state.double_value = body.value if body.set_value else body.default
    elif kind == "checkbox":
        state.bool_value = body.value if body.set_value else body.default
    elif kind in ("selectbox", "radio"):
        if body.set_value:
            state.string_value = body.raw_value
        elif body.options and 0 <= body.default < len(body.options):
            state.string_value = body.options[body.default]
        else:
            return None
    elif kind == "text_input":
        state.string_value = body.value if body.set_value else body.default
    elif kind == "slider":
        if body.options:  # a select_slider: sent as its options' labels
            labels = (
                list(body.raw_value)
                if body.set_value
                else [body.options[int(i)] for i in body.default]
            )
            state.string_array_value.data.extend(labels)
        else:
            state.double_array_value.data.extend(body.value if body.set_value else body.default)
    elif kind == "button_group":
        if body.set_value:
            state.string_array_value.data.extend(body.raw_values)
        else:
            state.string_array_value.data.extend(body.options[i].content for i in body.default)
    else:
        return None
    return state


class Session:
    """One browser tab on ``base`` (``http://host:port``), at the protocol level."""

    def __init__(self, base: str, *, timeout: float = 120.0) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.cookies = CookieJar()
        self._opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies))
        self.ws: Any = None
        self.session_id = ""
        self.page = ""
        self.query = ""
        self.widgets: dict[str, Widget] = {}  # by key (the part after the id's last "-")
        self.cached: set[str] = set()
        self.media_seen: set[str] = set()
        self.texts: list[str] = []  # markdown and text bodies of the last run
        self.arrived: list[str] = []  # the kinds of elements drawn, as they arrive
        # The replica behind a load balancer that answered each request, in order (HAProxy's
        # X-Gdviz-Replica header, deploy/haproxy.cfg); empty against a single server.
        self.replicas: list[str] = []

    # --- HTTP -------------------------------------------------------------------------------
    def _get(self, path: str) -> tuple[int, bytes]:
        try:
            with self._opener.open(self.base + path, timeout=self.timeout) as reply:
                self._note_replica(reply.headers)
                return reply.status, reply.read()
        except urllib.error.HTTPError as err:
            self._note_replica(err.headers)
            return err.code, b""

    def _note_replica(self, headers: Any) -> None:
        replica = headers.get("X-Gdviz-Replica") if headers is not None else None
        if replica:
            self.replicas.append(replica)

    async def get(self, path: str) -> tuple[int, bytes]:
        """``GET path`` with this tab's cookies (in a worker thread)."""
        return await asyncio.to_thread(self._get, path)

    def cookie(self, name: str) -> str | None:
        """The value of this tab's cookie ``name`` (a load balancer's sticky cookie)."""
        return next((c.value for c in self.cookies if c.name == name), None)

    # --- websocket ----------------------------------------------------------------------------
    async def _connect(self, resume: bool) -> None:
        url = "ws" + self.base[4:] + "/_stcore/stream"
        cookie = "; ".join(f"{c.name}={c.value}" for c in self.cookies)
        # The frontend passes its XSRF token and, on a reconnect, its session id as extra
        # subprotocol entries (an entry may not be empty: "-" stands for no token).
        xsrf = self.cookie("_streamlit_xsrf") or "-"
        protocols = ["streamlit", xsrf, self.session_id] if resume and self.session_id else None
        self.ws = await websockets.connect(
            url,
            subprotocols=protocols or ["streamlit"],  # type: ignore[list-item]
            additional_headers={"Cookie": cookie} if cookie else None,
            max_size=None,
            open_timeout=self.timeout,
            ping_interval=None,
            create_connection=_Counted,
        )
        self._note_replica(self.ws.response.headers)

    async def open(self, page: str, query: str = "") -> Load:
        """Load ``/<page>?<query>`` as a fresh tab; return the time until the page is complete."""
        t0 = time.perf_counter()
        status, _ = await self.get(f"/{page}" + (f"?{query}" if query else ""))
        if status != 200:
            raise ProtocolError(f"GET /{page} answered {status}")
        self.page, self.query = page, query
        await self._connect(resume=False)
        load = await self._rerun(widget_states=None)
        load.seconds = time.perf_counter() - t0
        return load

    async def reconnect(self) -> Load:
        """Reconnect as the frontend does after a dropped socket, and rerun from the URL.

        The old session id goes along; a server that still holds the session resumes it, one
        that does not (another replica) starts a new one, which the URL rebuilds.
        """
        t0 = time.perf_counter()
        with contextlib.suppress(Exception):  # closing a dead socket
            await self.ws.close()
        await self._connect(resume=True)
        load = await self._rerun(widget_states=self._states())
        load.seconds = time.perf_counter() - t0
        return load

    async def close(self) -> None:
        if self.ws is not None:
            with contextlib.suppress(Exception):  # closing a dead socket
                await self.ws.close()

    # --- interactions -------------------------------------------------------------------------
    def widget(self, key: str) -> Widget:
        try:
            return self.widgets[key]
        except KeyError:
            raise ProtocolError(f"no widget {key!r} on /{self.page}") from None

    async def set_widget(self, key: str, **value: Any) -> Load:
        """Set widget ``key`` to a value (``double_value=…``, ``string_value=…``) and rerun."""
        target = self.widget(key)
        states = self._states(but=target)
        state = states.widgets.add()
        state.id = target.id
        for name, v in value.items():
            if isinstance(v, list | tuple):
                getattr(state, name).data.extend(v)
            else:
                setattr(state, name, v)
        if "trigger_value" not in value:
            target.state = state
        return await self._rerun(widget_states=states)

    def _states(self, but: Widget | None = None) -> Any:
        """Every widget's state as the browser holds it (but ``but``'s)."""
        from streamlit.proto.WidgetStates_pb2 import WidgetStates

        states = WidgetStates()
        for widget in self.widgets.values():
            if widget is not but and widget.state is not None:
                states.widgets.append(widget.state)
        return states

    async def press(self, key: str) -> Load:
        """Press button ``key`` (a trigger) and wait for the rerun."""
        return await self.set_widget(key, trigger_value=True)

    async def _rerun(self, widget_states: Any) -> Load:
        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = self.query
        state.page_name = self.page
        state.cached_message_hashes.extend(sorted(self.cached))
        if widget_states is not None:
            state.widget_states.CopyFrom(widget_states)
        t0 = time.perf_counter()
        wire0 = self.ws.wire_bytes
        await self.ws.send(msg.SerializeToString())
        load, media = await asyncio.wait_for(self._until_finished(), self.timeout)
        load.wire_bytes = self.ws.wire_bytes - wire0
        for path in media:
            status, body = await self.get(path)
            if status != 200:
                load.errors.append(f"GET {path} answered {status}")
            load.media_bytes += len(body)
        load.seconds = time.perf_counter() - t0
        return load

    async def _until_finished(self) -> tuple[Load, list[str]]:
        """Read messages until the run finishes: what they cost, and the media files the
        page newly refers to (the browser fetches them next)."""
        load = Load(0.0, 0, 0)
        texts: list[str] = []
        new_media: list[str] = []
        while True:
            raw = await self.ws.recv()
            load.ws_bytes += len(raw)
            fwd = ForwardMsg()
            fwd.ParseFromString(raw)
            kind = fwd.WhichOneof("type")
            if fwd.metadata.cacheable and fwd.hash:
                self.cached.add(fwd.hash)
            if kind == "new_session":
                self.session_id = fwd.new_session.initialize.session_id or self.session_id
            elif kind == "page_info_changed":
                self.query = fwd.page_info_changed.query_string
            elif kind == "page_not_found":
                raise ProtocolError(f"page not found: {fwd.page_not_found.page_name}")
            elif kind == "delta":
                self._read_delta(fwd, texts, load.errors)
                for path in MEDIA.findall(raw):
                    if path.decode() not in self.media_seen:
                        self.media_seen.add(path.decode())
                        new_media.append(path.decode())
            elif kind == "script_finished":
                if fwd.script_finished in FINISHED:
                    break
                if fwd.script_finished == COMPILE_ERROR:
                    raise ProtocolError("the page did not compile")
        self.texts = texts
        return load, new_media

    def _read_delta(self, fwd: Any, texts: list[str], errors: list[str]) -> None:
        delta = fwd.delta
        if delta.WhichOneof("type") != "new_element":
            return
        element = delta.new_element
        kind = element.WhichOneof("type")
        if kind is None:
            return
        self.arrived.append(kind)
        body = getattr(element, kind)
        if kind == "exception":
            errors.append(f"{body.type}: {body.message}")
            return
        if kind in ("markdown", "text", "alert"):
            texts.append(body.body)
            return
        wid = getattr(body, "id", "")
        if isinstance(wid, str) and wid.startswith("$$ID"):
            key = wid.rsplit("-", 1)[-1]
            known = self.widgets.get(key)
            if known is not None and known.id == wid and not getattr(body, "set_value", False):
                known.label = getattr(body, "label", "")  # the browser keeps what it shows
            else:
                self.widgets[key] = Widget(
                    kind, wid, getattr(body, "label", ""), _state_of(kind, body)
                )
