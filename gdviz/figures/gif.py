"""Animated GIFs of a descent, for slides: numpy and Pillow only, no browser.

A frame is 960×540 (16:9): a caption on top (the title, then the step and the loss), the map
on the left (the same painted landscape the app's maps use, the minima, each run's path so far
and its current point; a run that left the map ends at a white cross where it crossed the
edge), and the loss gap ``L − L_min`` per step on the right (log), the part run so far drawn
bold. Frames after the first store only the pixels that changed (the rest is the GIF's
transparent index over the previous frame), so 100 frames stay near 1 MB.
"""

from __future__ import annotations

import functools
import io
import itertools
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from gdviz.core.descent import Trajectory
from gdviz.core.landscapes.base import Landscape
from gdviz.figures import raster
from gdviz.figures.maps import exit_point
from gdviz.figures.style import (
    MINIMUM,
    SURFACE_SCALE,
    colour_transform,
    display_indices,
    frame_indices,
    nice_ticks,
    run_colour,
)
from gdviz.learning.training import Problem, Training

Array = np.ndarray
WIDTH, HEIGHT = 960, 540
FPS = 12  # at most 15 for slides; 100 frames play in about 8 s
HOLD_MS = 1500  # the last frame stays up
MAX_FRAMES = 100
MAX_POINTS = 600  # positions drawn per path
TRANSPARENT = 255  # palette index of "unchanged since the last frame"
TOP = 86  # px of caption above the panels
MARGIN = 28
GUTTER = 40  # px left of the map for its y tick labels (below it, MARGIN holds the x labels)
TICK_FONT = 14
INK = (34, 34, 34)
GRID = (205, 205, 205)


@dataclass(frozen=True)
class Panel:
    """A pixel box ``(left, top, width, height)`` showing the data box ``lo (2,)`` … ``hi``."""

    left: int
    top: int
    width: int
    height: int
    lo: Array
    hi: Array

    def to_pixels(self, points: Array) -> Array:
        """Data points ``(..., 2)`` → pixel coordinates ``(..., 2)`` (y grows downwards)."""
        points = np.asarray(points, dtype=float)
        t = (points - self.lo) / (self.hi - self.lo)
        x = self.left + t[..., 0] * (self.width - 1)
        y = self.top + (1.0 - t[..., 1]) * (self.height - 1)
        return np.stack([x, y], axis=-1)


def map_panel(lo: Array, hi: Array, *, equal_aspect: bool = True) -> Panel:
    """Where the map goes: the left 58% of the frame below the caption (less a gutter for its
    y tick labels), at the map's own aspect when ``equal_aspect`` (a landscape), filling it
    otherwise (a data map)."""
    box_w, box_h = int(WIDTH * 0.58) - 2 * MARGIN - GUTTER, HEIGHT - TOP - MARGIN
    width, height = box_w, box_h
    if equal_aspect:
        aspect = float((hi[0] - lo[0]) / (hi[1] - lo[1]))
        width, height = (box_w, round(box_w / aspect))
        if height > box_h:
            width, height = round(box_h * aspect), box_h
    left = MARGIN + GUTTER + (box_w - width) // 2
    top = TOP + (box_h - height) // 2
    return Panel(left, top, width, height, np.asarray(lo, float), np.asarray(hi, float))


# A system font with Greek and maths signs, where the machine has one (Debian: fonts-dejavu-core
# or fonts-liberation, which Chromium pulls in); otherwise Pillow's own font, whose Latin-only
# glyphs get ASCII stand-ins (see _say).
FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
ASCII = str.maketrans({"α": "alpha", "λ": "lambda", "σ": "sigma", "β": "beta", "−": "-",
                       "²": "^2", "…": "...", "·": "|", "×": "x"})  # fmt: skip


SYSTEM_FONT = next((path for path in FONT_FILES if os.path.exists(path)), None)


@functools.lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    if SYSTEM_FONT is not None:
        return ImageFont.truetype(SYSTEM_FONT, size)
    return ImageFont.load_default(size=size)


def _say(text: str) -> str:
    """``text`` as the font in use can draw it (a system font: as it is)."""
    return text if SYSTEM_FONT is not None else text.translate(ASCII)


def _rgb(colour: str) -> tuple[int, int, int]:
    r, g, b = raster._rgb(colour)
    return int(r), int(g), int(b)


def trajectory_gif(
    landscape: Landscape,
    traj: Trajectory,
    labels: Sequence[str],
    colours: Sequence[str],
    title: str,
) -> bytes:
    """:func:`descent_gif` of every run of a recorded trajectory over its landscape, the loss
    gap measured from the landscape's best known minimum."""
    return descent_gif(
        landscape,
        list(traj.recorded("path").transpose(1, 0, 2)),
        list(traj.recorded("loss").T),
        labels,
        colours,
        title,
        floor=landscape.global_min,
    )


def descent_gif(
    landscape: Landscape,
    paths: Sequence[Array],
    losses: Sequence[Array],
    labels: Sequence[str],
    colours: Sequence[str],
    title: str,
    *,
    floor: float = float("nan"),
    unit: str = "step",
    equal_aspect: bool = True,
    max_frames: int = MAX_FRAMES,
) -> bytes:
    """The GIF of one or more runs over ``landscape`` (its bounds are the map's box).

    ``paths``: each run's positions ``(T+1, 2)`` (all the same length); ``losses``: each run's
    loss ``(T+1,)``; ``floor``: the best known loss, for the gap ``L − floor`` (not finite:
    the lowest loss any run reaches); ``unit``: what a step is called ("update" on the data
    page).
    """
    lo, hi = landscape.lo, landscape.hi
    panel = map_panel(lo, hi, equal_aspect=equal_aspect)
    # The map, drawn once: the painted landscape and its minima.
    xx, yy = np.meshgrid(
        np.linspace(lo[0], hi[0], panel.width), np.linspace(lo[1], hi[1], panel.height)
    )
    colour, _ = colour_transform(landscape.value(np.stack([xx, yy], axis=-1)))
    picture = Image.fromarray(raster.paint(colour, SURFACE_SCALE), "RGBA")
    base = Image.new("RGB", (WIDTH, HEIGHT), "white")
    base.paste(picture, (panel.left, panel.top), picture)
    draw = ImageDraw.Draw(base)
    for m in panel.to_pixels(landscape.minima) if len(landscape.minima) else []:
        _star(draw, m, 9)
    return _animate(panel, base, paths, losses, labels, colours, title, floor, unit, max_frames)


def training_gif(problem: Problem, runs: Sequence[Training], title: str) -> bytes:
    """A data-page training as a GIF: every run's path over the (w, b) map, frame k at the
    same fraction of training for each (a race's flavours take different numbers of
    updates)."""
    longest = max(run.steps for run in runs) + 1
    at = [np.round(np.linspace(0, run.steps, min(longest, 1001))).astype(int) for run in runs]
    return descent_gif(
        problem.landscape(),
        [run.path[i] for run, i in zip(runs, at, strict=True)],
        [run.loss[i] for run, i in zip(runs, at, strict=True)],
        [run.label for run in runs],
        [run_colour(k) for k in range(len(runs))],
        title,
        floor=problem.optimum_loss,
        unit="update" if len(runs) == 1 else "frame",
        equal_aspect=False,
    )


def hike_gif(
    curve: Landscape,
    positions: Array,
    title: str,
    *,
    colour: str,
    max_frames: int = MAX_FRAMES,
) -> bytes:
    """The GIF of a hike on a 1-D curve: the curve, the hiker's positions ``(k+1,)`` as points
    ``(x, L(x))`` joined step by step (a zig-zag across the valley shows itself), the loss gap
    per step beside it."""
    ((x_lo, x_hi),) = curve.bounds
    xs = np.linspace(x_lo, x_hi, 600)
    ys = curve.value(xs[:, None])
    pad = 0.08 * (float(np.max(ys) - np.min(ys)) or 1.0)
    lo = np.array([x_lo, float(np.min(ys)) - pad])
    hi = np.array([x_hi, float(np.max(ys)) + pad])
    panel = map_panel(lo, hi, equal_aspect=False)
    base = Image.new("RGB", (WIDTH, HEIGHT), "white")
    draw = ImageDraw.Draw(base)
    draw.rectangle(
        [panel.left, panel.top, panel.left + panel.width, panel.top + panel.height], outline=GRID
    )
    line = panel.to_pixels(np.column_stack([xs, ys]))
    draw.line([tuple(p) for p in line], fill=_rgb("#0072B2"), width=4)
    minima = curve.minima[:, 0] if len(curve.minima) else np.empty(0)
    for m in panel.to_pixels(np.column_stack([minima, curve.value(minima[:, None])])):
        _star(draw, m, 9)
    positions = np.asarray(positions, dtype=float).reshape(-1)
    losses = np.asarray(curve.value(positions[:, None]), dtype=float)
    path = np.column_stack([positions, losses])
    return _animate(panel, base, [path], [losses], ["hiker"], [colour], title,
                    curve.global_min, "step", max_frames)  # fmt: skip


def _animate(
    panel: Panel,
    base: Image.Image,
    paths: Sequence[Array],
    losses: Sequence[Array],
    labels: Sequence[str],
    colours: Sequence[str],
    title: str,
    floor: float,
    unit: str,
    max_frames: int,
) -> bytes:
    """The frames over a drawn ``base``: each run's path so far in ``panel`` (positions in its
    data box), its current point, the loss gap panel, the caption; encoded as a GIF."""
    if not paths or len({len(p) for p in paths}) != 1:
        raise ValueError("a GIF needs one or more runs of the same length")
    lowest = float(min(np.min(loss) for loss in losses))
    floor = min(floor, lowest) if np.isfinite(floor) else lowest
    lo, hi = panel.lo, panel.hi
    n = len(paths[0])
    # At most MAX_POINTS positions a path (every k-th, k odd: a zig-zag stays one), and frames
    # among those: a 5,000-step race of 8 runs draws in about a second.
    keep = display_indices(n, MAX_POINTS)
    shown = frame_indices(len(keep), max_frames)
    draw = ImageDraw.Draw(base)
    _map_ticks(draw, panel)
    # A race's legend: two columns, or one when a label would not fit half the width.
    columns = _legend_columns(draw, labels)
    rows = -(-len(labels) // columns) if len(labels) > 1 else 0
    gaps = [np.maximum(np.asarray(loss, float)[keep] - floor, 1e-16) for loss in losses]
    scale = _log_scale(gaps)
    loss_box = _loss_axes(draw, n, unit, scale, below=22 * rows)
    pixels = [panel.to_pixels(_ended(p, lo, hi)[keep]) for p in paths]
    exits = [exit_point(p, lo, hi) for p in paths]
    inks = [_rgb(c) for c in colours]
    if rows:
        _legend(draw, loss_box, labels, inks, columns)
    frames = []
    for t in shown:
        step_now = int(keep[t])
        frame = base.copy()
        pen = ImageDraw.Draw(frame)
        for run, (px, ink) in enumerate(zip(pixels, inks, strict=True)):  # paths first
            trail = [tuple(p) for p in px[: t + 1]]
            if len(trail) > 1:
                pen.line(trail, fill=ink, width=3, joint="curve")
            _loss_trace(pen, loss_box, scale, gaps[run], keep[: t + 1], n, ink)
        for run, (px, ink) in enumerate(zip(pixels, inks, strict=True)):  # then points, on top
            _point(pen, px[t], ink)
            leaving = exits[run]
            if leaving is not None and step_now >= leaving[0]:
                _cross(pen, panel.to_pixels(leaving[1]))
        step = f"{unit} {step_now} of {n - 1}"
        if len(paths) == 1:
            step += f"   ·   L = {float(losses[0][step_now]):.4g}"
            leaving = exits[0]
            if leaving is not None and step_now >= leaving[0]:
                step += f"   ·   left the map at {unit} {leaving[0]}"
        pen.text((MARGIN, 14), _say(title[:80]), fill=INK, font=_font(26))
        pen.text((MARGIN, 48), _say(step), fill=INK, font=_font(22))
        frames.append(frame)
    return _encode(frames, 1000 // FPS)


def _legend(
    draw: ImageDraw.ImageDraw,
    loss_box: tuple[int, int, int, int],
    labels: Sequence[str],
    inks: Sequence[tuple[int, int, int]],
    columns: int = 2,
) -> None:
    """A race's legend above the loss panel: colour swatches and labels in ``columns``
    columns, a label too long for its column shortened with "…" as the font measures it (cut
    at a fixed count, "momentum 0.9, α = 0.001" ran off the frame's edge)."""
    column = (WIDTH - MARGIN - loss_box[0]) // columns
    font = _font(15)
    for k, (label, ink) in enumerate(zip(labels, inks, strict=True)):
        x, y = loss_box[0] + column * (k % columns), TOP + 4 + 22 * (k // columns)
        draw.rectangle([x, y + 4, x + 14, y + 16], fill=ink)
        draw.text((x + 20, y), _fitted(draw, _say(label), font, column - 26), fill=INK, font=font)


LEGEND_LEFT = int(WIDTH * 0.58) + 46  # where the loss panel (and its legend) begins


def _legend_columns(draw: ImageDraw.ImageDraw, labels: Sequence[str]) -> int:
    """2, or 1 when some label would not fit half the legend's width in full."""
    half = (WIDTH - MARGIN - LEGEND_LEFT) // 2 - 26
    fits = all(draw.textlength(_say(label), font=_font(15)) <= half for label in labels)
    return 2 if fits else 1


def _fitted(draw: ImageDraw.ImageDraw, text: str, font: Any, width: float) -> str:
    """``text``, or its longest start that fits ``width`` pixels with "…" after it."""
    if draw.textlength(text, font=font) <= width:
        return text
    ellipsis = _say("…")
    while text and draw.textlength(text + ellipsis, font=font) > width:
        text = text[:-1]
    return text.rstrip(" ,") + ellipsis


def _point(pen: ImageDraw.ImageDraw, here: Array, ink: tuple[int, int, int]) -> None:
    """A run's current point: a disc in its colour, ringed white."""
    pen.ellipse(
        [here[0] - 7, here[1] - 7, here[0] + 7, here[1] + 7], fill=ink, outline="white", width=2
    )


def _ended(path: Array, lo: Array, hi: Array) -> Array:
    """``path (T+1, 2)`` with every position from its first off the map on replaced by the
    point where it crossed the edge (the GIF's path ends there, as the app's map does)."""
    path = np.asarray(path, dtype=float).copy()
    leaving = exit_point(path, lo, hi)
    if leaving is not None:
        path[leaving[0] :] = leaving[1]
    return path


def _star(draw: ImageDraw.ImageDraw, at: Array, r: float) -> None:
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, r, r * 0.45)
    points = [
        (at[0] + q * np.cos(a), at[1] - q * np.sin(a)) for q, a in zip(radii, angles, strict=True)
    ]
    draw.polygon(points, fill=_rgb(MINIMUM), outline="black")


def _cross(draw: ImageDraw.ImageDraw, at: Array) -> None:
    x, y = float(at[0]), float(at[1])
    for (a, b), (c, d) in (((-9, -9), (9, 9)), ((-9, 9), (9, -9))):
        draw.line([(x + a, y + b), (x + c, y + d)], fill="black", width=7)
        draw.line([(x + a, y + b), (x + c, y + d)], fill="white", width=3)


def _map_ticks(draw: ImageDraw.ImageDraw, panel: Panel) -> None:
    """Round values along the map's bottom (x) and left (y) edges, with short tick marks."""
    font = _font(TICK_FONT)
    bottom = panel.top + panel.height - 1
    for x in nice_ticks(float(panel.lo[0]), float(panel.hi[0]), 4):
        px = float(panel.to_pixels(np.array([x, panel.lo[1]]))[0])
        draw.line([(px, bottom), (px, bottom + 4)], fill=INK, width=1)
        draw.text((px, bottom + 5), _say(_tick(x)), fill=INK, font=font, anchor="mt")
    for y in nice_ticks(float(panel.lo[1]), float(panel.hi[1]), 4):
        py = float(panel.to_pixels(np.array([panel.lo[0], y]))[1])
        draw.line([(panel.left - 4, py), (panel.left, py)], fill=INK, width=1)
        draw.text((panel.left - 6, py), _say(_tick(y)), fill=INK, font=font, anchor="rm")


def _tick(value: float) -> str:
    """A tick label: short, with a true minus sign."""
    return f"{value:g}".replace("-", "−")


def _log_scale(gaps: Sequence[Array]) -> tuple[float, float]:
    """The loss panel's ``(lowest, highest)`` log10 gap, shared by every run: from the lowest
    gap any run reaches (not below 1e-16) to half a decade above the highest early gap (a
    diverging run's blow-up is clipped at the top)."""
    logs = [np.log10(gap) for gap in gaps]
    lo = max(min(float(np.min(v)) for v in logs), -16.0)
    hi = max(float(np.max(v[: max(2, len(v) // 50)])) for v in logs) + 0.5
    return (lo, hi) if hi > lo else (lo, lo + 1.0)


def _loss_axes(
    draw: ImageDraw.ImageDraw, n: int, unit: str, scale: tuple[float, float], *, below: int = 0
) -> tuple[int, int, int, int]:
    """The loss panel's box ``(left, top, right, bottom)`` in pixels (``below`` a legend of
    that many pixels), its frame, its labels and its ticks: the steps along the bottom, the
    decades of ``scale`` (log10 of the gap) along the left."""
    left, top = LEGEND_LEFT, TOP + 30 + below
    right, bottom = WIDTH - MARGIN, HEIGHT - MARGIN - 30
    font = _font(TICK_FONT)
    draw.rectangle([left, top, right, bottom], outline=GRID, width=1)
    for k in nice_ticks(0.0, float(n - 1), 3):
        px = left + k / max(n - 1, 1) * (right - left)
        draw.line([(px, bottom), (px, bottom + 4)], fill=INK, width=1)
        draw.text((px, bottom + 5), f"{k:g}", fill=INK, font=font, anchor="mt")
    draw.text((right, bottom + 24), _say(f"{unit}s"), fill=INK, font=_font(16), anchor="rt")
    lo, hi = scale
    step = max(1, int(np.ceil((hi - lo) / 5)))  # at most about five decades labelled
    for decade in range(int(np.ceil(lo)), int(np.floor(hi)) + 1):
        if decade % step:
            continue
        py = bottom - (decade - lo) / (hi - lo) * (bottom - top)
        draw.line([(left - 4, py), (left, py)], fill=INK, width=1)
        draw.text((left - 6, py), _say(f"1e{decade}".replace("-", "−")), fill=INK, font=font,
                  anchor="rm")  # fmt: skip
    draw.text((left, top - 22), _say("L − L_min (log)"), fill=INK, font=_font(16))
    return left, top, right, bottom


def _loss_trace(
    draw: ImageDraw.ImageDraw,
    box: tuple[int, int, int, int],
    scale: tuple[float, float],
    gap: Array,
    steps: Array,
    n: int,
    ink: tuple,
) -> None:
    """The loss gap ``gap`` (at the kept positions) up to ``steps`` (the steps shown so far),
    on the panel's shared log ``scale``, in the box ``(left, top, right, bottom)``."""
    left, top, right, bottom = box
    lo, hi = scale
    logs = np.log10(gap)
    xs = left + np.asarray(steps) / max(n - 1, 1) * (right - left)
    ys = bottom - np.clip((logs[: len(xs)] - lo) / (hi - lo), 0.0, 1.0) * (bottom - top)
    done = [(float(x), float(y)) for x, y in zip(xs, ys, strict=True)]
    if len(done) > 1:
        draw.line(done, fill=ink, width=3)


def _encode(frames: list[Image.Image], duration_ms: int) -> bytes:
    """GIF bytes: one shared palette (from a frame that shows every run), and from the second
    frame on, unchanged pixels replaced by the transparent index over the kept last frame."""
    palette = frames[-1].quantize(colors=TRANSPARENT, dither=Image.Dither.NONE)
    indexed = [np.asarray(f.quantize(palette=palette, dither=Image.Dither.NONE)) for f in frames]
    out_frames = [Image.fromarray(indexed[0], "P")]
    for previous, current in itertools.pairwise(indexed):
        delta = np.where(current == previous, TRANSPARENT, current).astype(np.uint8)
        out_frames.append(Image.fromarray(delta, "P"))
    colours = palette.getpalette() or []
    for image in out_frames:
        image.putpalette(colours)
    durations = [duration_ms] * (len(out_frames) - 1) + [HOLD_MS]
    buffer = io.BytesIO()
    out_frames[0].save(
        buffer,
        format="GIF",
        save_all=True,
        append_images=out_frames[1:],
        duration=durations,
        loop=0,
        disposal=1,
        transparency=TRANSPARENT,
        optimize=False,
    )
    return buffer.getvalue()
