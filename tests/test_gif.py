"""GIF exports for slides, and the numbers of a hike and of a data race as CSV."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from PIL import Image

from gdviz import settings
from gdviz.core import export, landscapes
from gdviz.figures import gif
from gdviz.figures.maps import exit_point
from gdviz.figures.style import PATH, run_colour
from gdviz.settings import lessons


def frames_of(data: bytes) -> list[np.ndarray]:
    """Every frame as the viewer shows it (RGB, each drawn over the last)."""
    image = Image.open(io.BytesIO(data))
    out = []
    for k in range(image.n_frames):
        image.seek(k)
        out.append(np.asarray(image.convert("RGB")))
    return out


def colour_near(pixel: np.ndarray, colour: str, tolerance: int = 40) -> bool:
    return bool(np.all(np.abs(pixel.astype(int) - np.array(gif._rgb(colour))) <= tolerance))


def landscape_gif(lr: float, steps: int = 200) -> tuple[settings.RunConfig, object, bytes]:
    cfg = settings.RunConfig(
        landscape="ravine", start=(-4.5, 1.5), optimizer={"kind": "sgd", "lr": lr}, steps=steps
    )
    traj = settings.run(cfg)
    ls = cfg.surface()
    data = gif.descent_gif(
        ls, [traj.path[:, 0]], [traj.loss[:, 0]], ["GD"], [PATH], "Ravine", floor=ls.global_min
    )
    return cfg, traj, data


def test_a_100_frame_gif_is_slide_sized_and_small():
    _, _, data = landscape_gif(0.02, steps=5000)
    image = Image.open(io.BytesIO(data))
    assert image.size == (gif.WIDTH, gif.HEIGHT) == (960, 540)
    assert image.n_frames == 100
    assert len(data) <= 3_000_000
    image.seek(1)
    assert abs(image.info["duration"] - 1000 // gif.FPS) <= 10 and gif.FPS <= 15  # centiseconds


def test_the_drawn_path_is_the_trajectory():
    cfg, traj, data = landscape_gif(0.02)
    frames = frames_of(data)
    assert len(frames) == min(traj.steps + 1, gif.MAX_FRAMES) == 100
    panel = gif.map_panel(cfg.surface().lo, cfg.surface().hi)
    pixels = panel.to_pixels(traj.path[:, 0])
    last = frames[-1]
    # The current point sits on the run's final position, in the run's colour.
    x, y = np.round(pixels[-1]).astype(int)
    assert colour_near(last[y, x], PATH)
    # The path passes through its positions: on each, the line is the run's colour.
    for t in (5, 20, 60):
        x, y = np.round(pixels[t]).astype(int)
        assert colour_near(last[y, x], PATH), t
    # And the first frame shows only the start: the later positions are still landscape.
    x, y = np.round(pixels[60]).astype(int)
    assert not colour_near(frames[0][y, x], PATH)


def test_a_diverged_run_ends_at_a_cross_where_it_left_the_map():
    cfg, traj, data = landscape_gif(0.085)
    assert traj.status[0] == "diverged"
    ls = cfg.surface()
    leaving = exit_point(traj.path[:, 0], ls.lo, ls.hi)
    assert leaving is not None
    panel = gif.map_panel(ls.lo, ls.hi)
    x, y = np.round(panel.to_pixels(leaving[1])).astype(int)
    last = frames_of(data)[-1]
    patch = last[y - 3 : y + 4, x - 3 : x + 4].reshape(-1, 3)
    assert (patch.min(axis=1) > 230).any()  # the cross's white stroke
    assert (patch.max(axis=1) < 40).any()  # and its black rim


def test_a_race_draws_every_run_in_its_colour():
    cfg = lessons.PRESETS["Learning rate: too small / just right / too large"]
    traj = settings.run_compare(cfg)
    ls = cfg.surface()
    colours = [run_colour(k) for k in range(3)]
    data = gif.descent_gif(
        ls,
        list(traj.path.transpose(1, 0, 2)),
        list(traj.loss.T),
        [r.label for r in cfg.runs],
        colours,
        "Race",
    )
    last = frames_of(data)[-1]
    panel = gif.map_panel(ls.lo, ls.hi)
    for k in (0, 1):  # the crawler's and the converged run's current points, apart
        x, y = np.round(panel.to_pixels(traj.final[k])).astype(int)
        assert colour_near(last[y, x], colours[k]), k


def test_runs_of_different_lengths_are_refused():
    ls = landscapes.get("bowl")
    with pytest.raises(ValueError, match="same length"):
        gif.descent_gif(ls, [np.zeros((3, 2)), np.zeros((4, 2))], [np.ones(3), np.ones(4)],
                        ["a", "b"], [PATH, PATH], "x")  # fmt: skip


def test_without_a_system_font_the_text_falls_back_to_ascii(monkeypatch):
    monkeypatch.setattr(gif, "SYSTEM_FONT", None)
    assert gif._say("α = 0.1 · L − L_min") == "alpha = 0.1 | L - L_min"


# -- numbers ---------------------------------------------------------------------------------


def test_a_hike_as_csv_has_one_row_per_position_with_its_rate():
    curve = landscapes.get("parabola")
    text = export.hike_csv(curve, [-4.0, -3.2, -2.56], [0.1, 0.1])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["step", "x", "loss", "slope", "lr"]
    assert [float(v) for v in rows[2][1:]] == pytest.approx([-3.2, 10.24, -6.4, 0.1])
    assert rows[3][4] == ""  # no step taken from the last position
    with pytest.raises(ValueError, match="one rate per step"):
        export.hike_csv(curve, [-4.0, -3.2], [0.1, 0.1])


def test_a_race_of_flavours_stacks_into_one_csv_with_one_header():
    cfg = settings.DataConfig(race=True, epochs=2)
    problem = settings.example_problem(cfg.dataset, cfg.model, cfg.scaling)
    runs = settings.run_data(cfg, problem)
    parts = [export.runs_csv(run.traj, [run.label], axes=("w", "b")) for run in runs]
    rows = list(csv.reader(io.StringIO(export.stack_csv(parts))))
    assert rows[0][:4] == ["run", "step", "w", "b"]
    assert sum(row[0] == "run" for row in rows) == 1
    assert len(rows) == 1 + sum(run.steps + 1 for run in runs)
    assert {row[0] for row in rows[1:]} == {run.label for run in runs}


def test_a_hike_gif_walks_the_hiker_down_his_curve():
    curve = landscapes.get("parabola")
    positions = -4.0 * 0.8 ** np.arange(12)  # α = 0.1 on L = x²: x ← 0.8 x
    data = gif.hike_gif(curve, positions, "Parabola, α = 0.1", colour=PATH)
    frames = frames_of(data)
    assert len(frames) == 12 and frames[0].shape == (540, 960, 3)
    ys = curve.value(np.linspace(-5, 5, 600)[:, None])
    pad = 0.08 * float(ys.max() - ys.min())
    panel = gif.map_panel(
        np.array([-5.0, ys.min() - pad]), np.array([5.0, ys.max() + pad]), equal_aspect=False
    )
    for k in (0, 5, 11):  # the hiker stands at (x_k, x_k²) in frame k
        x, y = np.round(panel.to_pixels([positions[k], positions[k] ** 2])).astype(int)
        assert colour_near(frames[k][y, x], PATH), k
    # The axes have ticks (no frame had any): x at −5, −2.5, 0, 2.5, 5 under the curve's box,
    # y at 0, 5, … 25 left of it; the tick marks are ink, the gutter has room for the labels.
    bottom = panel.top + panel.height - 1
    for x in (-5.0, -2.5, 0.0, 2.5, 5.0):
        px = round(float(panel.to_pixels([x, 0.0])[0]))
        assert frames[0][bottom + 3, px - 1 : px + 2].max(axis=-1).min() < 90, x
    for y in (0.0, 10.0, 25.0):
        py = round(float(panel.to_pixels([0.0, y])[1]))
        assert frames[0][py - 1 : py + 2, panel.left - 3].max(axis=-1).min() < 90, y
    assert panel.left >= gif.MARGIN + gif.GUTTER


def test_every_run_of_a_race_shares_the_loss_panels_log_scale():
    """The loss panel's decades are labelled, so every run is drawn on one scale (each run had
    been fitted to its own, which made a slow run and a fast one look alike)."""
    slow, fast = 10.0 ** -np.linspace(0, 2, 50), 10.0 ** -np.linspace(0, 8, 50)
    lo, hi = gif._log_scale([slow, fast])
    assert lo == pytest.approx(-8) and hi == pytest.approx(0.5)


@pytest.mark.parametrize(
    ("lo", "hi", "count", "ticks"),
    [
        (-5, 5, 4, [-5, -2.5, 0, 2.5, 5]),
        (-2, 2, 4, [-2, -1, 0, 1, 2]),
        (0, 1499, 3, [0, 500, 1000]),
        (-1.07, 27.1, 4, [0, 5, 10, 15, 20, 25]),
        (0.001, 0.0042, 4, [0.001, 0.002, 0.003, 0.004]),
        (3, 3, 4, []),
    ],
)
def test_round_ticks(lo, hi, count, ticks):
    from gdviz.figures.style import nice_ticks

    np.testing.assert_allclose(nice_ticks(lo, hi, count), ticks)


def test_a_race_legend_never_runs_off_the_frame():
    """Issue 22: the compare GIF's legend was cut at a fixed 22 characters and its right
    column ran off the frame ("α = 0.005 (too sma", "momentum 0.9, α = 0."). Labels are now
    measured: one column when any would not fit half the width, and a label too long even for
    one column ends in "…" within it."""
    from PIL import Image, ImageDraw

    from gdviz.figures import gif as gifs

    draw = ImageDraw.Draw(Image.new("RGB", (gifs.WIDTH, gifs.HEIGHT)))
    short = ["GD α = 0.001", "Adam α = 0.02"]
    long = [*short, "momentum 0.9, α = 0.001", "RMSprop α = 0.01"]
    assert gifs._legend_columns(draw, short) == 2
    assert gifs._legend_columns(draw, long) == 1
    font = gifs._font(15)
    width = gifs.WIDTH - gifs.MARGIN - gifs.LEGEND_LEFT - 26
    whole = gifs._fitted(draw, "momentum 0.9, α = 0.001", font, width)
    assert whole == gifs._say("momentum 0.9, α = 0.001")
    cut = gifs._fitted(draw, "a label far too long " * 4, font, width)
    assert cut.endswith(gifs._say("…")) and draw.textlength(cut, font=font) <= width
