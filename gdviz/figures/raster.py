"""Paint a loss landscape into a PNG: filled colour map with contour lines, numpy and zlib only.

Why a picture instead of a ``go.Contour`` trace: a figure with a contour trace must redraw
everything on every animation frame (``redraw: true``; without it the contour disappears), and
that costs 150-350 ms a frame in the browser, so the landscape flickers away while the path
animates. With the landscape as a layout image, every trace is a scatter, frames can skip the
full redraw (about 30 ms a frame), and the map stays on screen.
"""

from __future__ import annotations

import base64
import struct
import zlib

import numpy as np
from plotly.colors import get_colorscale, hex_to_rgb

Array = np.ndarray


def colour_table(scale: str, n: int = 256) -> Array:
    """``(n, 3)`` uint8 RGB samples of a Plotly colour scale (e.g. ``"Cividis"``)."""
    stops = get_colorscale(scale)
    positions = np.array([float(p) for p, _ in stops])
    colours = np.array([_rgb(c) for _, c in stops], dtype=float)
    t = np.linspace(0.0, 1.0, n)
    channels = [np.interp(t, positions, colours[:, i]) for i in range(3)]
    return np.clip(np.round(np.stack(channels, axis=-1)), 0, 255).astype(np.uint8)


def _rgb(colour: str) -> tuple[float, float, float]:
    colour = colour.strip()
    if colour.startswith("#"):
        return tuple(float(v) for v in hex_to_rgb(colour))  # type: ignore[return-value]
    inner = colour[colour.index("(") + 1 : colour.index(")")]
    r, g, b = (float(v) for v in inner.split(",")[:3])
    return r, g, b


def contour_levels(values: Array, n_levels: int) -> Array:
    """Index of the band each value falls in, ``0 … n_levels−1``, over the finite range:
    ``(H, W) -> (H, W)`` ints (``-1`` where the value is not finite)."""
    finite = np.isfinite(values)
    if not finite.any():
        return np.full(values.shape, -1)
    lo, hi = float(values[finite].min()), float(values[finite].max())
    scaled = (values - lo) / (hi - lo if hi > lo else 1.0)
    bands = np.clip(np.floor(np.where(finite, scaled, 0.0) * n_levels), 0, n_levels - 1)
    return np.where(finite, bands, -1).astype(int)


def paint(values: Array, scale: str = "Cividis", n_levels: int = 24) -> Array:
    """An RGBA image ``(H, W, 4)`` uint8 of ``values (H, W)`` (row 0 = lowest y):

    filled colours from ``scale``, a thin light line wherever the contour band changes between
    neighbouring pixels, and transparent pixels where the value is not finite (a gap in the map).
    The image is flipped so that row 0 is the *top* (highest y), as pictures are stored.
    """
    finite = np.isfinite(values)
    lo = float(values[finite].min()) if finite.any() else 0.0
    hi = float(values[finite].max()) if finite.any() else 1.0
    t = np.where(finite, (values - lo) / (hi - lo if hi > lo else 1.0), 0.0)
    table = colour_table(scale)
    rgb = table[np.clip((t * (len(table) - 1)).round().astype(int), 0, len(table) - 1)]
    bands = contour_levels(values, n_levels)
    edge = np.zeros(values.shape, dtype=bool)
    edge[:, 1:] |= bands[:, 1:] != bands[:, :-1]
    edge[1:, :] |= bands[1:, :] != bands[:-1, :]
    rgb = rgb.astype(float)
    rgb[edge] = 0.55 * rgb[edge] + 0.45 * 255.0  # lighten: lines read on dark and light bands
    alpha = np.where(finite, 255, 0).astype(np.uint8)
    image = np.concatenate([rgb.round().astype(np.uint8), alpha[..., None]], axis=-1)
    return image[::-1]


def png_bytes(image: Array) -> bytes:
    """Encode an RGBA ``(H, W, 4)`` uint8 image as PNG (no filtering, zlib level 9)."""
    image = np.ascontiguousarray(image, dtype=np.uint8)
    height, width, channels = image.shape
    if channels != 4:
        raise ValueError(f"png_bytes needs RGBA (H, W, 4); got {image.shape}")
    raw = np.concatenate([np.zeros((height, 1), dtype=np.uint8), image.reshape(height, -1)], 1)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw.tobytes(), 9))
        + chunk(b"IEND", b"")
    )


def data_uri(image: Array) -> str:
    """A ``data:image/png;base64,…`` URI for a Plotly layout image."""
    return "data:image/png;base64," + base64.b64encode(png_bytes(image)).decode("ascii")
