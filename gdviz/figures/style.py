"""Shared look of every figure: colour-blind-safe colours, projector-size fonts, animation controls.

Colours are Okabe & Ito's palette (distinguishable under the common colour-vision deficiencies);
surfaces use Cividis, a perceptually uniform map designed for colour-blind readers.
"""

from __future__ import annotations

import base64
import functools
import html
import inspect
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec

import numpy as np
import plotly.graph_objects as go
import plotly.io as pio
from _plotly_utils.utils import convert_to_base64  # plotly's own (go.Figure.to_dict uses it)

P = ParamSpec("P")


def _gdviz_template() -> go.layout.Template:
    """Plotly's default template, with vertical log axes that label their in-between ticks in
    full ("2, 1, 0.5, 0.2", the in-between ones smaller): plotly's own lone digits read
    "5, 2, 0.1, 5" down a loss axis, a count that falls and rises again. Horizontal log axes
    keep the lone digits: in a row they read as log paper does, and in full ("0.005 0.006
    0.007") they run into each other. A template's ``yaxis`` reaches every y axis of a figure
    (``yaxis2``, ``yaxis3``...)."""
    template = go.layout.Template(pio.templates["plotly"])
    template.layout.yaxis.minorloglabels = "complete"
    return template


# Every figure gdviz makes (go.Figure and the *_spec dicts, see default_template) starts from it.
pio.templates["gdviz"] = _gdviz_template()
pio.templates.default = "gdviz"

OKABE_ITO = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#D55E00",  # vermillion
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: weak on white)
)
PATH = OKABE_ITO[3]  # vermillion stands out on Cividis
ARROW = "#FFFFFF"
MINIMUM = OKABE_ITO[7]
SURFACE_SCALE = "Cividis"
# Where a diverging run left the map: a filled white cross with a dark rim, visible on the dark
# map and in the legend (a white "x-thin" outline is invisible on the legend's white paper).
EXIT_MARKER = {
    "symbol": "x",
    "size": 18,
    "color": "white",
    "line": {"color": "black", "width": 1.5},
}


def arrow_marker(colour: str, tail: int = 1) -> dict[str, Any]:
    """Markers for a two-point line drawn as an arrow: a dot of size ``tail`` at the start and
    an arrowhead at the end, pointing along the line."""
    return {
        "symbol": ["circle", "arrow"],
        "size": [tail, 18],
        "angleref": "previous",
        "color": colour,
        "line": {"color": "black", "width": 1},
    }


def plain(text: str) -> str:
    """User text (a column name, a class, a run label from a link) for a figure: Plotly reads
    ``<b>``, ``<a href=…>`` and ``<br>`` in titles, legends and hovers as markup, so ``&``, ``<``
    and ``>`` become entities, which it shows as the characters typed."""
    return html.escape(text, quote=False)


FONT = {"family": "Source Sans Pro, Inter, Helvetica, Arial, sans-serif", "size": 17}


def typed(values: np.ndarray, dtype: str = "f8") -> dict[str, str]:
    """An array as Plotly's typed-array spec ``{"dtype": "f8", "bdata": base64}`` (``"f4"``
    halves the size where 7 digits are enough to draw).

    plotly.js reads it natively. Frames built this way cost little when Streamlit serialises the
    figure on every rerun (``to_dict`` otherwise inspects each of hundreds of small numpy arrays:
    about 70 ms for a 100-frame map).
    """
    data = np.ascontiguousarray(values, dtype=np.dtype(dtype).newbyteorder("<"))
    return {"dtype": dtype, "bdata": base64.b64encode(data.tobytes()).decode("ascii")}


def untyped(values: Any) -> np.ndarray:
    """Inverse of :func:`typed` (also accepts plain sequences): ``(n,)`` float64."""
    if isinstance(values, dict) and "bdata" in values:
        return np.frombuffer(base64.b64decode(values["bdata"]), dtype=np.dtype(values["dtype"]))
    return np.asarray(values, dtype=float)


def base_layout(**overrides: Any) -> dict[str, Any]:
    """Layout shared by all figures: large fonts, white paper, compact margins."""
    layout: dict[str, Any] = {
        "font": FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 60, "r": 20, "t": 50, "b": 50},
        "hoverlabel": {"font": {"size": 16}},
        "legend": {"font": {"size": 15}},
    }
    layout.update(overrides)
    return layout


def frame_args(duration_ms: int, redraw: bool = True) -> dict[str, Any]:
    """Animation arguments shared by the Play button and the slider.

    ``redraw`` must be on for figures with contour, heatmap or 3-D traces (they do not update,
    or vanish, without it); it costs a full redraw per frame. Figures made only of scatter
    traces (the 2-D map, whose landscape is a picture) animate without it, about 10x faster.
    """
    return {
        "frame": {"duration": duration_ms, "redraw": redraw},
        "mode": "immediate",
        "fromcurrent": True,
        "transition": {"duration": 0},
    }


# Animation controls are placed in pixels below the plot area (paper y = 0), so they never
# cover the x-axis title or each other, whatever the figure's height.
AXIS_ROOM = 62  # px: tick labels and the x-axis title
CONTROLS_ROW = 44  # px: the Play / Pause row, above the step slider
CONTROLS_MARGIN = AXIS_ROOM + CONTROLS_ROW + 62  # px of bottom margin for all of it


def animation_controls(
    frame_names: Sequence[str],
    labels: Sequence[str],
    duration_ms: int = 60,
    redraw: bool = True,
    prefix: str = "step ",
) -> dict[str, Any]:
    """``updatemenus`` (Play / Pause) and ``sliders`` (a scrubber whose current value reads
    ``prefix + label``) for a figure's layout."""
    play = frame_args(duration_ms, redraw)
    still = frame_args(0, redraw)
    buttons = [
        {"label": "▶ Play", "method": "animate", "args": [None, play]},
        {"label": "❚❚ Pause", "method": "animate", "args": [[None], still]},
    ]
    steps = [
        {"label": label, "method": "animate", "args": [[name], still]}
        for name, label in zip(frame_names, labels, strict=True)
    ]
    return {
        "updatemenus": [
            {
                "type": "buttons",
                "direction": "left",
                "buttons": buttons,
                "x": 0.0,
                "y": 0.0,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": AXIS_ROOM, "r": 10},
                "showactive": False,
                "font": {"size": 15},
            }
        ],
        "sliders": [
            {
                "active": 0,
                "steps": steps,
                # Below the buttons, across the whole width: beside them, a narrow chart's
                # slider (and its "step N") ran under the Pause button. The pad is in pixels.
                "x": 0.0,
                "len": 1.0,
                "y": 0.0,
                "xanchor": "left",
                "yanchor": "top",
                "pad": {"t": AXIS_ROOM + CONTROLS_ROW, "b": 10},
                "currentvalue": {"prefix": prefix, "font": {"size": 15}, "xanchor": "right"},
                "font": {"size": 11},
                "ticklen": 3,
            }
        ],
    }


def animate(
    animated: Callable[[int], list[dict[str, Any]]],
    frames_at: np.ndarray,
    shown: np.ndarray,
    traces: Sequence[int],
    duration_ms: int,
    redraw: bool,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Frames and their controls for a path animation.

    ``animated(k)`` gives the new data of ``traces`` at display point k; frames are made at the
    display points ``frames_at`` and labelled with the step each shows (``shown[k]``).
    Returns ``(frames, layout entries for Play / Pause and the scrubber)``.
    """
    names = [str(int(k)) for k in frames_at]
    frames = [
        {"data": animated(int(k)), "traces": list(traces), "name": name}
        for k, name in zip(frames_at, names, strict=True)
    ]
    labels = [str(int(shown[int(k)])) for k in frames_at]
    return frames, animation_controls(names, labels, duration_ms, redraw)


def frame_indices(n_points: int, max_frames: int) -> np.ndarray:
    """At most ``max_frames`` indices into a path of ``n_points`` positions, first and last
    included, evenly spread: ``(k,)`` ascending."""
    if n_points <= max_frames:
        return np.arange(n_points)
    return np.unique(np.round(np.linspace(0, n_points - 1, max_frames)).astype(int))


# Frame spacings in steps: round, and odd so a period-2 zig-zag alternates from frame to frame.
ROUND_ODD_STRIDES = (1, 3, 5, 15, 25, 75, 125, 375, 625, 1875, 3125)


def step_frames(steps: np.ndarray, max_frames: int) -> np.ndarray:
    """Indices into a drawn path's points for its animation frames (``steps (P,)``: the step
    each point shows, ascending from 0): the points whose step is a multiple of the finest
    stride of :data:`ROUND_ODD_STRIDES` that gives at most ``max_frames`` frames, the last
    point included, ``(F,)`` ascending.

    The slider then counts in one round stride ("0, 15, 30, 45"), not "0, 16, 32, 48, 65"
    (evenly spread frames, rounded); an odd stride shows a period-2 zig-zag's point on
    alternate sides of the ravine frame after frame (a stride of 2 froze it on one side), as
    :func:`display_indices` keeps it for the points. Where the points' own stride leaves too
    few multiples, frames are spread evenly (:func:`frame_indices`)."""
    n = len(steps)
    if n <= max_frames:
        return np.arange(n)
    for stride in ROUND_ODD_STRIDES:
        picked = np.flatnonzero(np.asarray(steps) % stride == 0)
        if picked[-1] != n - 1:
            picked = np.append(picked, n - 1)
        if len(picked) <= max_frames:
            return picked if len(picked) >= max_frames // 3 else frame_indices(n, max_frames)
    return frame_indices(n, max_frames)


def display_indices(n_points: int, max_points: int = 1000) -> np.ndarray:
    """Which positions of a long path to draw: every k-th with k odd, so a period-2 zig-zag
    (the signature of too large a learning rate) still alternates on screen; last included."""
    stride = max(1, int(np.ceil(n_points / max_points)))
    if stride > 1 and stride % 2 == 0:
        stride += 1
    idx = np.arange(0, n_points, stride)
    return idx if idx[-1] == n_points - 1 else np.append(idx, n_points - 1)


def colour_transform(values: np.ndarray) -> tuple[np.ndarray, str]:
    """Values for a colour scale, and its label.

    Losses spanning many orders of magnitude (Rosenbrock, Beale) are shown as
    ``log₁₀(1 + L − L_min)`` so the valley floor is not one flat colour.
    """
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return values, "loss"
    lo, hi, mid = float(finite.min()), float(finite.max()), float(np.median(finite))
    if hi - lo > 50.0 * max(mid - lo, 1e-12):
        return np.log10(1.0 + values - lo), "log₁₀(1 + L − L_min)"
    return values, "loss L"


def standalone_html(figure: Any, title: str) -> str:
    """``figure`` as one HTML file that plays with no network: plotly.js inlined (from the
    installed plotly package, nothing fetched), the frames, Play / Pause, the slider and the
    hover all included, under ``title`` as the page's heading (what it shows: the landscape,
    the optimizer, α), since a file opened from a USB stick has no page around it. About 5
    MB, most of it plotly.js."""
    page = figure.to_html(
        include_plotlyjs=True, full_html=True, config={"displaylogo": False}, auto_play=False
    )
    escaped = html.escape(title)
    heading = (
        '<h1 style="font-family: Source Sans Pro, Helvetica, Arial, sans-serif; '
        f'font-size: 26px; font-weight: 600; margin: 12px 16px 0">{escaped}</h1>'
    )
    page = page.replace("<head>", f"<head><title>{escaped}</title>", 1)
    return page.replace("<body>", f"<body>{heading}", 1)


# Okabe-Ito without yellow (the minima's colour) and black (the exit marks): up to 8 runs cycle.
RUN_COLOURS = (
    "#D55E00",
    "#56B4E9",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#0072B2",
    "#F0E442",
    "#999999",
)


def run_colour(i: int) -> str:
    return RUN_COLOURS[i % len(RUN_COLOURS)]


# -- presentation mode -----------------------------------------------------------------------

PROJECTOR_TEXT = 18  # px: tick labels, legends, slider labels, annotations
PROJECTOR_TITLE = 21  # px: axis titles, the slider's current value, the base font
PROJECTOR_LINE = 3.0  # px: the thinnest drawn line


def _at_least(font: Any, size: int) -> dict[str, Any]:
    font = dict(font or {})
    font["size"] = max(int(font.get("size") or 0), size)
    return font


def _projector_axis(axis: dict[str, Any]) -> dict[str, Any]:
    axis = {**axis, "tickfont": _at_least(axis.get("tickfont"), PROJECTOR_TEXT)}
    title = axis.get("title")
    if isinstance(title, str):
        title = {"text": title}
    if isinstance(title, dict):
        axis["title"] = {**title, "font": _at_least(title.get("font"), PROJECTOR_TITLE)}
    return axis


def _projector_trace(trace: dict[str, Any]) -> dict[str, Any]:
    trace = dict(trace)
    line = trace.get("line")
    # A visible line thinner than 3 px is thickened; an invisible one (a click grid) is not.
    if isinstance(line, dict) and "rgba(0,0,0,0)" not in str(line.get("color", "")):
        if float(line.get("width", 2) or 0) < PROJECTOR_LINE:
            trace["line"] = {**line, "width": PROJECTOR_LINE}
    elif line is None and "lines" in str(trace.get("mode", "")):
        trace["line"] = {"width": PROJECTOR_LINE}
    if "textfont" in trace or "text" in str(trace.get("mode", "")):
        trace["textfont"] = _at_least(trace.get("textfont"), PROJECTOR_TEXT)
    colorbar = (trace.get("marker") or {}).get("colorbar")
    if isinstance(colorbar, dict):
        bar = {**colorbar, "tickfont": _at_least(colorbar.get("tickfont"), PROJECTOR_TEXT)}
        trace["marker"] = {**trace["marker"], "colorbar": bar}
    return trace


def projector(spec: dict[str, Any]) -> dict[str, Any]:
    """A figure dict restyled for a projector: every text at least 18 px (axis titles and the
    base font 21 px) and every visible line at least 3 px, in the layout, the traces, the
    legend, the slider, the buttons and the annotations. Frames are shared, not copied (they
    carry coordinates only). Pure: ``spec`` is not changed."""
    layout: dict[str, Any] = dict(spec.get("layout") or {})
    layout["font"] = _at_least(layout.get("font"), PROJECTOR_TITLE)
    for key, value in list(layout.items()):
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            layout[key] = _projector_axis(value)
        elif key.startswith("scene") and isinstance(value, dict):
            layout[key] = {
                k: _projector_axis(v) if k in ("xaxis", "yaxis", "zaxis") else v
                for k, v in value.items()
            }
    layout["hoverlabel"] = {
        **(layout.get("hoverlabel") or {}),
        "font": _at_least((layout.get("hoverlabel") or {}).get("font"), PROJECTOR_TEXT),
    }
    layout["legend"] = {
        **(layout.get("legend") or {}),
        "font": _at_least((layout.get("legend") or {}).get("font"), PROJECTOR_TEXT),
    }
    layout["annotations"] = [
        {**note, "font": _at_least(note.get("font"), PROJECTOR_TEXT)}
        for note in layout.get("annotations") or []
    ]
    layout["sliders"] = [
        {
            **slider,
            "font": _at_least(slider.get("font"), PROJECTOR_TEXT),
            "currentvalue": {
                **(slider.get("currentvalue") or {}),
                "font": _at_least((slider.get("currentvalue") or {}).get("font"), PROJECTOR_TITLE),
            },
        }
        for slider in layout.get("sliders") or []
    ]
    layout["updatemenus"] = [
        {**menu, "font": _at_least(menu.get("font"), PROJECTOR_TEXT)}
        for menu in layout.get("updatemenus") or []
    ]
    data = [_projector_trace(trace) for trace in spec.get("data") or []]
    return {**spec, "data": data, "layout": layout}


def spec(
    traces: list[Any], layout: dict[str, Any], frames: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    """A figure as the plain dict Plotly.js draws (``{"data", "layout", "frames"}``), the
    template included, built without Plotly's per-property checks.

    ``go.Figure(...)`` checks every property of every frame and slider step: about 30 ms of a
    map's 35 ms, then ``to_dict`` deep-copies it all again, on every new setting a page shows.
    A page sends the dict; ``go.Figure(spec)`` (the ``*_figure`` builders, and so the tests)
    checks the same dict, so a misspelt property still fails the tests."""
    data = []
    for trace in traces:
        if hasattr(trace, "to_plotly_json"):  # a trace object: a fresh copy of its properties
            trace = trace.to_plotly_json()
            convert_to_base64(trace)  # numpy arrays as typed arrays, as go.Figure.to_dict does
        data.append(trace)
    figure: dict[str, Any] = {
        "data": data,
        "layout": {"template": default_template(), **layout},
    }
    if frames:
        figure["frames"] = list(frames)
    return figure


def figure_of(build: Callable[P, dict[str, Any]]) -> Callable[P, go.Figure]:
    """The checked ``go.Figure`` of a spec builder, with the builder's parameters: pages send
    the builder's plain dict; exports and tests use the checked figure of the same dict."""

    @functools.wraps(build)
    def figure(*args: P.args, **kwargs: P.kwargs) -> go.Figure:
        return go.Figure(build(*args, **kwargs))

    figure.__name__ = figure.__qualname__ = build.__name__.replace("_spec", "_figure")
    # help() and IDEs read the builder's parameters, with this function's return type.
    figure.__signature__ = inspect.signature(build).replace(  # type: ignore[attr-defined]
        return_annotation=go.Figure
    )
    return figure


@functools.lru_cache(maxsize=1)
def default_template() -> dict[str, Any]:
    """The template ``go.Figure`` puts into every figure (gdviz's, above), built once."""
    return go.Figure().to_dict()["layout"]["template"]


def hline(layout: dict[str, Any], y: float, line: dict[str, Any], text: str) -> None:
    """Add to ``layout`` what ``fig.add_hline(y, line=…, annotation_text=…,
    annotation_position="bottom right")`` draws: a line across the plot at ``y``, labelled at
    its right end."""
    layout.setdefault("shapes", []).append(
        {
            "line": line,
            "type": "line",
            "x0": 0,
            "x1": 1,
            "xref": "x domain",
            "y0": y,
            "y1": y,
            "yref": "y",
        }
    )
    layout.setdefault("annotations", []).append(
        {
            "showarrow": False,
            "text": text,
            "x": 1,
            "xanchor": "right",
            "xref": "x domain",
            "y": y,
            "yanchor": "top",
            "yref": "y",
        }
    )


def vline(
    layout: dict[str, Any], x: float, line: dict[str, Any], text: str, axes: Sequence[str]
) -> None:
    """Add to ``layout`` what ``fig.add_vline(x, line=…, annotation_text=…,
    annotation_position="top left")`` draws on each panel of ``axes`` (``"x"``, ``"x2"`` …,
    each over its own y axis): a line up the panel at ``x``, labelled at its top."""
    for xref in axes:
        yref = "y" + xref[1:]
        layout.setdefault("shapes", []).append(
            {
                "line": line,
                "type": "line",
                "x0": x,
                "x1": x,
                "xref": xref,
                "y0": 0,
                "y1": 1,
                "yref": f"{yref} domain",
            }
        )
        layout.setdefault("annotations", []).append(
            {
                "showarrow": False,
                "text": text,
                "x": x,
                "xanchor": "right",
                "xref": xref,
                "y": 1,
                "yanchor": "top",
                "yref": f"{yref} domain",
            }
        )


def nice_ticks(lo: float, hi: float, count: int = 4) -> list[float]:
    """Round values in ``[lo, hi]``: the multiples of a step of 1, 2, 2.5 or 5 × 10^k nearest
    ``(hi − lo) / count`` (so about ``count`` + 1 of them). Empty for an empty or infinite
    range. For axes drawn by hand (GIF frames) and for picking a few of Plotly's."""
    span = hi - lo
    if not np.isfinite(span) or span <= 0:
        return []
    raw = span / count
    decade = 10 ** np.floor(np.log10(raw))
    step = min((m * decade for m in (1, 2, 2.5, 5, 10)), key=lambda s: abs(s - raw))
    first = np.ceil(lo / step - 1e-9) * step
    ticks = np.arange(first, hi + step * 1e-9, step)
    return [float(round(v / step) * step) for v in ticks]
