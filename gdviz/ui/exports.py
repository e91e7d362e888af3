"""Downloads of a view (HTML that plays offline, GIF, CSV, settings JSON), built only when
clicked and cached per setting; and the upload that loads settings back."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st
from pydantic import BaseModel, ValidationError

from gdviz import settings
from gdviz.core.echo import clip
from gdviz.settings import deck, links
from gdviz.ui.text import inert
from gdviz.ui.urls import MAX_ECHO

Data = Callable[[], Any] | str
"""A download's data: built when its button is clicked (a callable), or ready (settings)."""


@dataclass(frozen=True)
class Download:
    """One download button: its label, the file name's ending, the MIME type, what the file
    is (the button's help) and its data."""

    label: str
    ending: str
    mime: str
    what: str
    data: Data


def exports(
    where: Any,
    key: str,
    name: str,
    html: Callable[[], str],
    csv: Callable[[], str],
    cfg: BaseModel,
    load: Callable[[Any], None],
    gif: Callable[[], bytes] | None = None,
    cache_key: str | None = None,
) -> None:
    """Downloads of the view (standalone HTML that plays with no server; with ``gif``, an
    animated GIF for slides), its numbers (CSV) and its settings (JSON), each built only when
    its button is clicked and then cached per setting (``cache_key``: what the export shows,
    by default the config's JSON); and an upload that loads such settings back into the
    page's widgets."""
    kinds = "HTML, GIF, CSV, settings" if gif is not None else "HTML, CSV, settings"
    downloads = [
        Download("Animation (HTML)", ".html", "text/html",
                 "One file that plays with no network: open it from a USB stick.", html),
        *([Download("Slides (GIF)", ".gif", "image/gif",
                    "960×540, 12 frames a second: drops into any slide deck.", gif)]
          if gif is not None else []),
        Download("Numbers (CSV)", ".csv", "text/csv",
                 "One row per run and step: position, loss, gradient norm, rate, status.", csv),
        Download("Settings (JSON)", "-settings.json", "application/json",
                 "Load it back below (or share the page's link) for the identical run.",
                 cfg.model_dump_json(indent=2)),
    ]  # fmt: skip
    with where.expander(f"Export or load: {kinds}", icon=":material/download:"):
        _download_buttons(key, name, downloads, cache_key or cfg.model_dump_json())
        _settings_upload(key, type(cfg), load)


def _download_buttons(key: str, name: str, downloads: list[Download], cache_key: str) -> None:
    """The download buttons, two a row: four side by side are cut off in a narrow column (the
    hiker's). A built file is cached per kind and ``cache_key``."""
    cells = [cell for _ in range(0, len(downloads), 2) for cell in st.columns(2)]
    for cell, down in zip(cells, downloads, strict=False):
        cell.download_button(
            down.label,
            data=_cached_export(down.ending, cache_key, down.data)
            if callable(down.data)
            else down.data,
            file_name=f"{name}{down.ending}",
            mime=down.mime,
            key=f"{key}_{re.sub(r'[^a-z]+', '_', down.ending).strip('_')}",
            help=down.what,
            width="stretch",
            # A download changes nothing on the page, so no rerun: a rerun would redraw
            # the buttons and revoke the file being fetched (a lost download, 1 in ~10).
            on_click="ignore",
        )


def _settings_upload(key: str, model: type[BaseModel], load: Callable[[Any], None]) -> None:
    """An upload of a settings file (JSON) that ``load`` puts into the page's widgets; a file
    that is not this page's settings is refused in words (another page's file names that
    page)."""

    def load_file() -> None:
        file = st.session_state.get(f"{key}_load")
        if file is None:
            return
        raw = file.getvalue()[:MAX_SETTINGS_BYTES]
        try:
            load(model.model_validate_json(raw))
            st.session_state[f"{key}_load_error"] = None
        except (ValidationError, ValueError) as error:
            st.session_state[f"{key}_load_error"] = f"{file.name}: {_why_not(error, raw)}"

    st.file_uploader(
        "Load settings (JSON)",
        type=["json"],
        key=f"{key}_load",
        on_change=load_file,
        max_upload_size=1,
    )
    if st.session_state.get(f"{key}_load_error"):
        st.error(f"Cannot load these settings: {inert(st.session_state[f'{key}_load_error'])}")


def _why_not(error: ValueError, raw: bytes) -> str:
    """Why a settings file cannot be loaded on this page, in words."""
    other = links.page_of_settings(raw)
    if other is not None:
        return (
            f"these are settings of the “{deck.PAGES[other]}” page; "
            f"open that page and load them there"
        )
    if isinstance(error, ValidationError):
        return clip("; ".join(settings.explain_errors(error)), MAX_ECHO)
    return "it is not a settings file gdviz wrote"


@st.cache_resource(max_entries=24, show_spinner=False)
def _export_cached(kind: str, key: str, _build: Callable[[], Any]) -> Any:
    return _build()


def _cached_export(kind: str, key: str, build: Callable[[], Any]) -> Callable[[], Any]:
    """``build`` as a download's deferred data, made once per export kind and setting and
    shared across sessions (a second click, or a second student, costs nothing)."""
    return lambda: _export_cached(kind, key, build)


MAX_SETTINGS_BYTES = 64_000  # a settings file is a few kB; nothing longer is read
