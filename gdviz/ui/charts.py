"""How every page draws a figure: ``st.plotly_chart`` with the projector style while presenting,
sealed figures (built once, handed out as one dict), map pictures served as URLs, and the
clicked point of a map."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import pandas  # noqa: F401  (see below)
import plotly.graph_objects as go
import streamlit as st

from gdviz.figures.style import projector
from gdviz.ui.mode import presenting
from gdviz.ui.viewport import drew_webgl, gl_pixel_ratio

# Loaded before any page runs: plotly checks its values against pandas through sys.modules
# without waiting, so a class whose first pages start together could meet a half-imported
# pandas ("partially initialized module 'pandas' has no attribute 'Series'").


def chart(where: Any, figure: go.Figure | dict, key: str, **kwargs: Any) -> Any:
    """``st.plotly_chart`` as every page draws a figure (a ``go.Figure``, a sealed one, or
    the plain dict of a ``*_spec`` builder).

    ``theme=None``: Streamlit's chart theme would override the figure's projector-size fonts
    (17 px asked, 12.75 px drawn). The modebar's Fullscreen keeps the animation (see
    :func:`load_page_scripts`). ``kwargs`` go to ``st.plotly_chart``
    (``on_select``, ``selection_mode``, ``config`` additions). A 3-D figure is drawn at the
    screen's pixel ratio (:func:`~gdviz.ui.viewport.gl_pixel_ratio`).
    """
    config = {"displaylogo": False, **kwargs.pop("config", {})}
    if isinstance(figure, dict):  # a *_spec builder's dict: sent as it is, not re-checked
        figure = SealedFigure(figure)
    if draws_webgl(figure):  # only there: a 2-D chart's config stays put when a size is told
        config["plotGlPixelRatio"] = gl_pixel_ratio()
        drew_webgl()
    if presenting():
        sealed = figure if isinstance(figure, SealedFigure) else SealedFigure(figure)
        figure = sealed.for_projector()
    if isinstance(figure, SealedFigure):
        figure = figure.served(key)
    return where.plotly_chart(figure, key=key, width="stretch", theme=None, config=config, **kwargs)


def clickable_chart(
    where: Any, figure: go.Figure | dict, key: str, on_click: Callable[[], None]
) -> Any:
    """A map a click acts on (a start, a basin cell, an (α, β) pair): :func:`chart` with
    ``on_click`` called for a click on a point (read it with :func:`clicked_point`), and no
    scroll-wheel zoom (a page scrolled past the map would zoom it instead)."""
    return chart(
        where,
        figure,
        key,
        on_select=on_click,
        selection_mode="points",
        config={"scrollZoom": False},
    )


# Trace types Plotly draws with WebGL (``plotGlPixelRatio`` sets their canvas's density).
WEBGL_TRACES = frozenset({"surface", "scatter3d", "mesh3d", "cone", "isosurface", "scattergl"})


def draws_webgl(figure: go.Figure) -> bool:
    """Whether any trace of ``figure`` (a sealed one read as its stored dict) is WebGL."""
    if isinstance(figure, SealedFigure):
        kinds = [trace.get("type") for trace in figure.to_dict().get("data", [])]
    else:
        kinds = [trace.type for trace in figure.data]
    return not WEBGL_TRACES.isdisjoint(kinds)


PNG_URI = "data:image/png;base64,"


class SealedFigure(go.Figure):
    """A finished figure that hands out one stored dict: ``st.plotly_chart`` calls
    ``to_dict()`` on every rerun, which deep-copies the whole figure (its frames included)
    each time; a sealed one costs nothing after the first. Read-only by contract: the pages
    never change a figure after building it.

    Its map pictures (PNG data URIs in ``layout.images``) can also be *served*: see
    :meth:`served`. ``to_dict()`` itself keeps them inline, for exports that play offline.
    """

    def __init__(self, figure: go.Figure | dict) -> None:
        # An empty figure without plotly's default template: to_dict() never shows it, and
        # copying that template in cost more than the rest of sealing.
        super().__init__(layout={"template": "none"})
        self._sealed = figure if isinstance(figure, dict) else figure.to_dict()
        self._pictures = {
            index: base64.b64decode(image["source"][len(PNG_URI) :])
            for index, image in enumerate(self._sealed.get("layout", {}).get("images", []))
            if str(image.get("source", "")).startswith(PNG_URI)
        }
        self._served: SealedFigure | None = None
        self._projector: SealedFigure | None = None

    def for_projector(self) -> SealedFigure:
        """This figure restyled for presentation mode (``style.projector``), made once."""
        if self._projector is None:
            self._projector = SealedFigure(projector(self._sealed))
        return self._projector

    def to_dict(self) -> dict:
        return self._sealed

    def to_plotly_json(self) -> dict:
        return self._sealed

    def served(self, key: str) -> SealedFigure:
        """This figure with its pictures as URLs the server keeps for the current session
        (Streamlit's media files, content-addressed), so a new path over the same landscape
        sends the picture once: the browser already holds that URL. Registered anew on every
        run, as Streamlit's own images are (a run drops the last run's media). Without a
        running server (tests), or if Streamlit's media store changes, the figure is sent as
        it is."""
        if not self._pictures:
            return self
        try:
            from streamlit import runtime

            media = runtime.get_instance().media_file_mgr
            urls = {
                index: media.add(png, "image/png", f"gdviz-picture.{key}.{index}")
                for index, png in self._pictures.items()
            }
        except (RuntimeError, AttributeError, TypeError):  # no runtime, or its API changed
            return self
        if self._served is None:
            layout = self._sealed["layout"]
            images = [
                {**image, "source": urls.get(index, image["source"])}
                for index, image in enumerate(layout["images"])
            ]
            self._served = SealedFigure({**self._sealed, "layout": {**layout, "images": images}})
        return self._served


@st.cache_resource(max_entries=64, show_spinner=False)
def figure_cached(kind: str, key: str, _build: Callable[[], go.Figure | dict]) -> go.Figure:
    """A built figure (a ``go.Figure``, or the plain dict of a ``*_spec`` builder), keyed by
    its kind and the config it shows, sealed (see :class:`SealedFigure`).

    ``cache_resource`` (not ``cache_data``): a cached figure is handed back as the same object.
    ``cache_data`` would unpickle a copy on every rerun, and unpickling re-validates the whole
    figure (about 0.2 s for an animated map). The pages treat figures as read-only.
    """
    return SealedFigure(_build())


def clicked_point(chart_key: str, curve: int, digits: int = 3) -> tuple[float, float] | None:
    """Where the last click on chart ``chart_key`` hit trace ``curve`` (a map's invisible grid
    of click targets), rounded to ``digits`` decimals; ``None`` if it hit nothing there."""
    event = st.session_state.get(chart_key)
    points = getattr(getattr(event, "selection", None), "points", None) or []
    for point in points:
        if point.get("curve_number") == curve:
            return round(float(point["x"]), digits), round(float(point["y"]), digits)
    return None


LOG_GAP = "Log scale (loss gap to the best known minimum)"


def log_switched(
    toggle_key: str,
    chart_key: str,
    kind: str,
    cache_key: str,
    build: Callable[[bool], go.Figure | dict],
    label: str = LOG_GAP,
) -> None:
    """A loss chart under its log switch: ``build(log)`` makes the figure, cached per setting
    (``kind`` and ``cache_key``) and per switch position."""
    st.toggle(label, key=toggle_key)
    log = bool(st.session_state[toggle_key])
    chart(st, figure_cached(f"{kind}-log={log}", cache_key, lambda: build(log)), key=chart_key)
