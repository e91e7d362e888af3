"""Figure builders: structure, frames, fixed ranges, the gradient arrow, sizes."""

from __future__ import annotations

import json
import struct
import zlib

import numpy as np
import plotly.graph_objects as go
import pytest

from gdviz import descend, settings
from gdviz.core import landscapes, optim
from gdviz.figures import hiker as hiker_figs
from gdviz.figures import landscape as figs
from gdviz.figures import maps, raster, style
from gdviz.figures.style import untyped


def assert_finite_json(text: str) -> None:
    """Parse figure JSON, failing on NaN / Infinity (a substring search would also match the
    letters "NaN" inside base64-encoded pictures)."""

    def refuse(constant: str) -> None:
        raise AssertionError(f"non-finite number {constant} in the figure")

    json.loads(text, parse_constant=refuse)


@pytest.fixture(scope="module")
def default_run():
    cfg = settings.RunConfig()
    return landscapes.get(cfg.landscape), settings.run(cfg)


def test_contour_map_structure(default_run):
    ls, traj = default_run
    fig = figs.contour_figure(ls, traj)
    assert [t.type for t in fig.data] == ["scatter"] * 9  # no contour trace: see raster
    assert len(fig.layout.images) == 1
    assert fig.layout.images[0].source.startswith("data:image/png;base64,")
    assert fig.layout.images[0].layer == "below"
    assert list(fig.layout.xaxis.range) == list(ls.bounds[0])
    assert list(fig.layout.yaxis.range) == list(ls.bounds[1])
    assert fig.layout.yaxis.scaleanchor == "x" and fig.layout.yaxis.scaleratio == 1
    assert 2 <= len(fig.frames) <= 100
    for frame in fig.frames:
        assert list(frame.traces) == figs.ANIMATED
        assert len(frame.data) == len(figs.ANIMATED)
    play = fig.layout.updatemenus[0].buttons[0]
    assert play.label == "▶ Play" and play.args[1]["frame"]["redraw"] is False
    assert len(fig.layout.sliders[0].steps) == len(fig.frames)


def test_frames_grow_the_path_and_end_at_the_final_point(default_run):
    ls, traj = default_run
    fig = figs.contour_figure(ls, traj)
    lengths = [len(untyped(frame.data[0].x)) for frame in fig.frames]
    assert lengths == sorted(lengths) and lengths[0] == 1
    last = fig.frames[-1].data[1]
    np.testing.assert_allclose([untyped(last.x)[0], untyped(last.y)[0]], traj.path[-1, 0])


def test_arrow_points_along_minus_gradient_in_every_frame(default_run):
    ls, traj = default_run
    fig = figs.contour_figure(ls, traj)
    diagonal = float(np.hypot(*(ls.hi - ls.lo)))
    for frame in fig.frames[::10]:
        ax, ay = untyped(frame.data[2].x), untyped(frame.data[2].y)
        start = np.array([ax[0], ay[0]])
        direction = np.array([ax[1], ay[1]]) - start
        if np.linalg.norm(direction) < 1e-3 * diagonal:  # near a minimum: (almost) no arrow
            continue
        g = ls.grad(start)
        cosine = direction @ -g / (np.linalg.norm(direction) * np.linalg.norm(g))
        assert cosine == pytest.approx(1.0, abs=1e-6)  # drawn in float32: 7 digits


def test_the_arrow_shrinks_with_the_gradient_to_nothing_at_the_minimum():
    """Lesson 1's question: on the bowl every step multiplies (x, y), so |∇L| = 2|(x, y)|, by
    1 − 2α = 0.8, and the arrow shrinks by the same factor; at the minimum it is gone."""
    cfg = settings.RunConfig(
        landscape="bowl", start=(-2.5, 2.0), steps=100, optimizer={"kind": "sgd", "lr": 0.1}
    )
    ls, traj = cfg.surface(), settings.run(cfg)
    lengths = {}
    for frame in figs.contour_figure(ls, traj).frames:
        ax, ay = untyped(frame.data[2].x), untyped(frame.data[2].y)
        lengths[int(frame.name)] = float(np.hypot(ax[1] - ax[0], ay[1] - ay[0]))
    full = 0.12 * np.hypot(6, 6)  # the longest arrow: 12% of the map's diagonal
    assert lengths[0] == pytest.approx(full, rel=1e-5)  # steeper than the map's median: capped
    # From step 3 (|∇L| = 6.4 · 0.8³ = 3.3, below the median) on, it follows |∇L|.
    assert sorted(lengths) == list(range(101))  # 100 steps: every step a frame
    gradient = 2 * np.hypot(2.5, 2.0) * 0.8**4
    assert lengths[4] == pytest.approx(full * gradient / figs.gradient_scale(ls), rel=1e-5)
    assert lengths[14] / lengths[4] == pytest.approx(0.8**10, rel=1e-5)
    assert lengths[max(lengths)] < 1e-6 * lengths[0]


def test_figure_json_is_small_and_finite(default_run):
    ls, traj = default_run
    text = figs.contour_figure(ls, traj).to_json()
    assert len(text) < 1_000_000
    assert_finite_json(text)
    assert len(figs.surface_figure(ls, traj).to_json()) < 1_000_000


def test_long_runs_keep_frames_and_size_bounded():
    ls = landscapes.get("rosenbrock")
    traj = descend(ls, optim.sgd(1e-3), ls.start, 5000)
    fig = figs.contour_figure(ls, traj)
    assert len(fig.frames) <= 100
    assert len(fig.to_json()) < 3_000_000


def test_a_diverged_run_marks_where_it_left_the_map():
    ls = landscapes.get("bowl")
    traj = descend(ls, optim.sgd(1.5), [-2.5, 2.0], 100)
    assert traj.status[0] == "diverged"
    fig = figs.contour_figure(ls, traj)
    exit_trace = fig.data[figs.EXIT]
    assert exit_trace.showlegend
    assert exit_trace.text[0].startswith("left the map at step")
    point = np.array([exit_trace.x[0], exit_trace.y[0]])
    assert np.isclose(np.max(np.abs(point)), 3.0)  # on the edge of the [-3, 3]² box
    assert_finite_json(fig.to_json())


def test_exit_point_is_on_the_segment_and_the_box():
    path = np.array([[0.0, 0.0], [1.0, 0.5], [4.0, 2.0]])
    k, point = figs.exit_point(path, np.array([-2.0, -2.0]), np.array([2.0, 2.0]))
    assert k == 2
    np.testing.assert_allclose(point, [2.0, 1.0])
    assert figs.exit_point(path[:2], np.array([-2.0, -2.0]), np.array([2.0, 2.0])) is None


def test_surface_figure_structure(default_run):
    ls, traj = default_run
    fig = figs.surface_figure(ls, traj)
    assert [t.type for t in fig.data] == [
        "surface",
        "scatter3d",
        "scatter3d",
        "scatter3d",
        "scatter3d",
    ]
    assert len(fig.frames) <= 41
    assert all(list(f.traces) == [3, 4] for f in fig.frames)
    assert fig.layout.updatemenus[0].buttons[0].args[1]["frame"]["redraw"] is True
    surface = fig.data[0]
    # Seen from above enough that a valley's front wall does not hide its floor (Rosenbrock's
    # start read as a grey speck behind it): the camera at least 40° up.
    eye = fig.layout.scene.camera.eye
    assert eye.z / np.hypot(eye.x, eye.y) >= np.tan(np.radians(40))
    # The path rides above the mesh, by 3% of the height's range.
    z = np.asarray(untyped(surface.z), dtype=float)
    span = float(np.nanmax(z) - np.nanmin(z))
    path = fig.data[2]
    under = ls.value(np.column_stack([untyped(path.x), untyped(path.y)]))
    lifted = np.asarray(untyped(path.z), dtype=float)
    np.testing.assert_allclose(lifted - under, 0.03 * span, rtol=1e-5)
    # Round z ticks, none in the lowest sixth (where "0" sat on the y axis's last label).
    ticks = np.array(fig.layout.scene.zaxis.tickvals)
    assert len(ticks) >= 2 and ticks.min() >= np.nanmin(z) + span / 6
    assert np.allclose(np.diff(ticks), np.diff(ticks)[0])


@pytest.mark.parametrize(
    ("lo", "hi", "ticks"),
    [
        (0, 2500, [500, 1000, 1500, 2000, 2500]),
        (0, 3.4, [1, 2, 3]),
        (2.1, 7.9, [4, 5, 6, 7]),
        (-1, 1, [-0.5, 0, 0.5, 1]),
        (0, 0, []),
    ],
)
def test_surface_z_ticks(lo, hi, ticks):
    np.testing.assert_allclose(figs._z_ticks(lo, hi), ticks)


def test_loss_figure_marks_convergence():
    ls = landscapes.get("bowl")
    traj = descend(ls, optim.sgd(0.1), [1.0, 1.0], 200)
    fig = figs.loss_figure(traj, log=True)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis2.type == "log"
    assert any("converged at step" in a.text for a in fig.layout.annotations)


def test_vertical_log_axes_label_their_in_between_ticks_in_full():
    """Every figure starts from gdviz's template: y log axes say "0.5", not a lone "5" under
    "1" (the browser tests read the drawn labels); x log axes keep plotly's lone digits, which
    read in a row and do not collide. The loss chart's short ‖∇L‖ panel keeps to decades."""
    traj = descend(landscapes.get("bowl"), optim.sgd(0.1), [1.0, 1.0], 200)
    for fig in (figs.loss_figure(traj, log=True), go.Figure(figs.loss_spec(traj, log=True))):
        template = fig.layout.template.layout
        assert template.yaxis.minorloglabels == "complete"
        assert template.xaxis.minorloglabels is None
        assert fig.layout.yaxis2.nticks == 3


def test_hiker_figure_traces_and_arrow():
    curve = landscapes.get("parabola")
    fig = hiker_figs.curve_figure(curve, np.array([-4.0, -3.2]), 0.1)
    names = [t.name for t in fig.data]
    assert names[0] == "loss L(x)" and names[-1] == "the hiker"
    assert fig.data[-1].x[0] == pytest.approx(-3.2)
    arrow = fig.layout.annotations[0]
    assert (arrow.ax, arrow.x) == pytest.approx((-3.2, -3.2 - 0.1 * -6.4))
    # the tangent has the hiker's slope
    tangent_x, tangent_y = untyped(fig.data[2].x), untyped(fig.data[2].y)  # typed arrays
    slope = (tangent_y[1] - tangent_y[0]) / (tangent_x[1] - tangent_x[0])
    assert slope == pytest.approx(-6.4)


def test_hiker_view_widens_to_follow_a_diverging_hiker():
    curve = landscapes.get("parabola")
    fig = hiker_figs.curve_figure(curve, np.array([-4.0, 4.8, -5.76, 6.91]), 1.1)
    lo, hi = fig.layout.xaxis.range
    assert lo < -6.9 and hi > 6.9


def test_png_encoder_writes_a_valid_image():
    image = raster.paint(np.array([[0.0, 1.0, np.nan], [2.0, 3.0, 4.0]]))
    assert image.shape == (2, 3, 4)
    assert image[1, 2, 3] == 0  # NaN → transparent (input row 0 is the bottom of the picture)
    assert image[0, 2, 3] == 255
    data = raster.png_bytes(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (3, 2)
    length = struct.unpack(">I", data[33:37])[0]
    raw = zlib.decompress(data[41 : 41 + length])
    assert len(raw) == 2 * (1 + 3 * 4)


def test_contour_lines_are_drawn_at_their_levels_and_nowhere_else():
    """A ramp climbing one level every 10 px: the 23 inner levels of 24 bands are lines one
    pixel wide, exactly on their columns (the ramp's ends are not levels)."""
    ramp = np.tile(np.linspace(0.0, 1.0, 241), (5, 1))
    image = raster.paint(ramp, n_levels=24).astype(int)
    plain = raster.paint(ramp, n_levels=1).astype(int)  # one band: no line anywhere
    lit = np.flatnonzero((image[2, :, :3] > plain[2, :, :3]).any(axis=-1))
    np.testing.assert_array_equal(lit, np.arange(10, 240, 10))
    # A line lightens its pixel 45% of the way to white.
    np.testing.assert_allclose(
        image[2, 120, :3], plain[2, 120, :3] + 0.45 * (255 - plain[2, 120, :3]), atol=1
    )
    # Anti-aliased: a level half-way between two pixels lights both, a quarter each (a hard
    # line lit one of them fully: staircases on a diagonal).
    between = np.tile((np.arange(240) + 0.5) / 240, (5, 1))
    between[0, [0, -1]] = 0.0, 1.0  # the range is [0, 1]: the levels fall between pixels
    image = raster.paint(between, n_levels=24).astype(float)
    plain = raster.paint(between, n_levels=1).astype(float)
    share = (image[2, :, :3] - plain[2, :, :3]) / (255 - plain[2, :, :3])
    np.testing.assert_allclose(share[[9, 10, 119, 120]], 0.45 * 0.25, atol=0.01)
    assert np.all(share[[5, 15, 114]] == 0)


def test_colour_transform_uses_log_for_steep_landscapes():
    steep = np.array([0.0, 1.0, 2.0, 1e4])
    _, label = style.colour_transform(steep)
    assert label.startswith("log")
    _, label = style.colour_transform(np.array([0.0, 1.0, 2.0, 3.0]))
    assert label == "loss L"


def test_display_indices_keep_zigzag_parity():
    idx = style.display_indices(5001, max_points=1000)
    assert idx[0] == 0 and idx[-1] == 5000 and len(idx) <= 1001
    stride = idx[1] - idx[0]
    assert stride % 2 == 1


def test_typed_arrays_round_trip():
    values = np.array([-1.5, 0.0, 2.25e-8])
    spec = style.typed(values)
    assert spec["dtype"] == "f8"
    np.testing.assert_array_equal(untyped(spec), values)


def test_animation_controls_share_one_frame_argument_helper():
    controls = style.animation_controls(["0", "5"], ["0", "5"], 40, redraw=False)
    play = controls["updatemenus"][0]["buttons"][0]["args"][1]
    step = controls["sliders"][0]["steps"][1]["args"][1]
    assert play == style.frame_args(40, False)
    assert step == style.frame_args(0, False)
    json.dumps(controls)


# -- learning from data --------------------------------------------------------------------


@pytest.fixture(scope="module")
def tips_problem():
    from gdviz.learning import datasets, training

    return training.make_problem(datasets.example("tips"), "linear", "standardised")


def test_training_figure_moves_both_panels_together(tips_problem):
    from gdviz.figures import data as data_figs
    from gdviz.learning import training

    run = training.train(tips_problem, "minibatch", batch_size=16, epochs=5, lr=0.1, start=(-1, 4))
    fig = data_figs.training_figure(tips_problem, [run], max_frames=26)
    names = [t.name for t in fig.data]
    assert names[: data_figs.N_STATIC] == [
        "loss",  # the colour bar's carrier (no legend entry)
        "click to start here",
        "optimum",
        "data",
        "best fit (optimum)",
    ]
    assert len(untyped(fig.data[data_figs.CLICK_GRID].x)) == maps.CLICK_RESOLUTION**2 == 21 * 21
    assert fig.data[data_figs.CLICK_GRID].marker.color == "rgba(0,0,0,0)"
    optimum = fig.data[data_figs.OPTIMUM]
    np.testing.assert_allclose([untyped(optimum.x)[0], untyped(optimum.y)[0]], tips_problem.optimum)
    assert fig.layout.images[0].xref == "x" and fig.layout.xaxis2.domain[0] > 0.5
    assert len(fig.frames) == 26  # 5 epochs in steps of 0.2 epoch
    # The data panel's y label reads across above the panel, clear of the map's colour bar
    # (turned up beside its axis it ran into the bar in a lesson's narrow column).
    assert not fig.layout.yaxis2.title.text
    (label,) = [a for a in fig.layout.annotations if a.text == "tip ($)"]
    assert label.y == fig.layout.yaxis2.domain[1] < 1 and label.yanchor == "bottom"
    assert label.x == fig.layout.xaxis2.domain[0] and label.xanchor == "left"
    bar = fig.data[0].marker.colorbar
    assert bar.x < label.x - 0.1  # the bar and its ticks have the gap to themselves
    xs = untyped(fig.frames[0].data[2].x)
    for frame in (fig.frames[5], fig.frames[-1]):  # after epoch 1 (update 16), and the end
        t = round(float(frame.name) * run.per_epoch)
        path, point, curve, batch = frame.data
        assert (untyped(point.x)[0], untyped(point.y)[0]) == tuple(run.path[t])
        np.testing.assert_allclose(untyped(path.x)[-1], run.path[t, 0], rtol=1e-6)
        # The data panel draws the same parameters: ŷ = w·(x − mean)/std + b.
        expected = tips_problem.predict(run.path[t], xs)
        np.testing.assert_allclose(untyped(curve.y), expected, rtol=1e-6)
        if t < run.steps:  # the rows the next update uses are ringed in the data panel
            np.testing.assert_array_equal(untyped(batch.x), tips_problem.dataset.x[run.rows(t)])
    assert fig.frames[5].name == "1" and fig.layout.sliders[0].currentvalue.prefix == "epoch "
    assert_finite_json(fig.to_json())


def test_a_race_keeps_flavours_in_step_by_epoch(tips_problem):
    from gdviz.figures import data as data_figs
    from gdviz.learning import training

    runs = [training.train(tips_problem, f, batch_size=16, epochs=2) for f in training.FLAVOURS]
    fig = data_figs.training_figure(tips_problem, runs, max_frames=21)
    # path, point, fit per flavour, then the (empty) "left the map" marks
    assert len(fig.data) == data_figs.N_STATIC + 3 * 3 + 1 and len(fig.data[-1].x) == 0
    middle = fig.frames[10]  # after one epoch
    for i, run in enumerate(runs):
        point = middle.data[3 * i + 1]
        assert (untyped(point.x)[0], untyped(point.y)[0]) == tuple(run.path[run.per_epoch])


def test_loss_curves_mark_each_epoch_and_the_optimum(tips_problem):
    from gdviz.figures import data as data_figs
    from gdviz.learning import training

    run = training.train(tips_problem, "minibatch", batch_size=32, epochs=4)
    fig = data_figs.loss_curves_figure(tips_problem, [run])
    batch, per_update, per_epoch = fig.data
    np.testing.assert_allclose(untyped(per_epoch.y), run.epoch_loss())
    assert list(untyped(per_epoch.x)) == [0, 1, 2, 3, 4]
    assert untyped(per_update.x)[-1] == 4.0 and batch.name == "loss of each update's mini-batch"
    assert fig.layout.shapes[0].y0 == pytest.approx(tips_problem.optimum_loss)
    log = data_figs.loss_curves_figure(tips_problem, [run], log=True)
    np.testing.assert_allclose(untyped(log.data[2].y), run.epoch_loss() - tips_problem.optimum_loss)
    assert log.layout.yaxis.type == "log"
    # The legend above the chart: below it, it sat on the "epoch" title.
    assert fig.layout.legend.y > 1 and fig.layout.legend.yanchor == "bottom"


def test_one_update_through_its_mini_batch(tips_problem):
    from gdviz.figures import data_batch
    from gdviz.learning import training

    run = training.train(tips_problem, "minibatch", batch_size=8, epochs=1, lr=0.2)
    fig = data_batch.batch_figure(tips_problem, run, 3, 0.2)
    (contour,) = [t for t in fig.data if t.type == "contour"]
    assert contour.contours.coloring == "lines"
    taken = next(t for t in fig.data if (t.name or "").startswith("step taken"))
    full = next(t for t in fig.data if (t.name or "").startswith("full-batch step"))
    # Both arrows start at θ_3 and are stretched by one common factor, named in the legend.
    stretch = float(taken.name.split("drawn ×")[1])
    assert stretch > 1 and full.name.endswith(f"drawn ×{taken.name.split('drawn ×')[1]}")
    step = run.path[4] - run.path[3]
    full_step = -0.2 * tips_problem.objective.grad(run.path[3])
    np.testing.assert_allclose([taken.x[0], taken.y[0]], run.path[3])
    np.testing.assert_allclose(
        [taken.x[1], taken.y[1]], run.path[3] + stretch * step, rtol=1e-2
    )  # the factor in the legend is rounded to 3 digits
    np.testing.assert_allclose(
        np.subtract([full.x[1], full.y[1]], run.path[3])
        / np.subtract([taken.x[1], taken.y[1]], run.path[3]),
        full_step / step,
        rtol=1e-9,
    )
    ringed = next(t for t in fig.data if t.name == "rows in this mini-batch")
    np.testing.assert_array_equal(untyped(ringed.x), tips_problem.dataset.x[run.rows(3)])


def test_a_diverging_data_run_ends_at_its_exit_mark(tips_problem):
    from gdviz.figures import data as data_figs
    from gdviz.learning import datasets, training

    raw = training.make_problem(datasets.example("tips"), "linear", "raw")
    run = training.train(raw, "batch", epochs=20, lr=0.1)
    assert run.status == "diverged"
    fig = data_figs.training_figure(raw, [run])
    mark = fig.data[-1]
    assert mark.name == "left the map" and mark.text[0].startswith("Batch (B = 244) left the map")
    (w_lo, w_hi), (b_lo, b_hi) = raw.bounds
    assert w_lo <= mark.x[0] <= w_hi and b_lo <= mark.y[0] <= b_hi
    last = fig.frames[-1].data[0]  # the drawn path never leaves the map
    assert untyped(last.x).max() <= w_hi + 1e-6 and untyped(last.x).min() >= w_lo - 1e-6
    curves = data_figs.loss_curves_figure(raw, [run])
    assert curves.layout.yaxis.range[1] == pytest.approx(3 * run.loss[0] * 1.08)


@pytest.mark.parametrize("batch_size", [16, 1])
def test_mini_batch_level_curves_are_levels_of_that_batch_loss(tips_problem, batch_size):
    from gdviz.figures import batch_levels
    from gdviz.figures import data as data_figs
    from gdviz.learning import training

    run = training.train(tips_problem, "minibatch", batch_size=batch_size, epochs=1, lr=0.05)
    t = 5
    rows, theta = run.rows(t), run.path[t]
    pts = batch_levels.batch_contours(tips_problem, rows, theta)
    curves = np.split(pts, np.flatnonzero(np.isnan(pts[0])), axis=1)
    curves = [c[:, ~np.isnan(c[0])] for c in curves]
    obj = tips_problem.objective
    here = float(obj.value(theta, rows))
    levels = [obj.value(c.T, rows) for c in curves]
    for level in levels:  # each curve is one level set of the batch's loss
        np.testing.assert_allclose(level, level[0], rtol=1e-9, atol=1e-12)
    if batch_size == 1:  # one row: a valley line of zero loss, then pairs of parallel lines
        assert levels[0][0] == pytest.approx(0.0, abs=1e-12)
        assert levels[1][0] == pytest.approx(here, rel=1e-9) == levels[2][0]
        assert len(levels) == 3
    else:  # ellipses; the first passes through the current point
        assert levels[0][0] == pytest.approx(here, rel=1e-9)
        assert levels[1][0] < levels[0][0]
    fig = data_figs.training_figure(tips_problem, [run], overlay_batch=True, max_frames=11)
    assert fig.data[-2].name == "the next mini-batch's own loss (levels)"
    assert len(fig.frames[1].data) == 5  # path, point, fit, batch rows, batch levels


# -- presentation mode -----------------------------------------------------------------------


def _sizes(spec: dict) -> tuple[list[float], list[float]]:
    """Every font size a figure dict sets, and the width of every visible line a trace draws
    (a marker's outline is not a line)."""
    fonts: list[float] = []

    def walk(node, key=""):
        if isinstance(node, dict):
            if key.endswith("font") and "size" in node:
                fonts.append(node["size"])
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)

    walk({"data": spec["data"], "layout": spec["layout"]})
    lines = [
        trace["line"]["width"]
        for trace in spec["data"]
        if "width" in trace.get("line", {})
        and "rgba(0,0,0,0)" not in str(trace["line"].get("color"))
    ]
    return fonts, lines


def test_the_projector_style_enlarges_every_text_and_thickens_every_line(default_run):
    from gdviz.figures.style import PROJECTOR_LINE, PROJECTOR_TEXT, projector

    ls, traj = default_run
    for fig in (
        figs.contour_figure(ls, traj),
        figs.surface_figure(ls, traj),
        figs.loss_figure(traj),
        hiker_figs.curve_figure(landscapes.get("parabola"), np.array([-4.0, -3.2]), 0.1),
    ):
        spec = fig.to_dict()
        before = json.dumps(spec, default=str)
        shown = projector(spec)
        assert json.dumps(spec, default=str) == before  # the original is untouched
        fonts, lines = _sizes(shown)
        assert fonts and min(fonts) >= PROJECTOR_TEXT, fonts
        assert not lines or min(lines) >= PROJECTOR_LINE, lines
        assert shown["layout"]["font"]["size"] >= 21
        go.Figure(shown)  # still a valid figure


def _wire(figure) -> dict:
    """A figure as the JSON Streamlit sends (a dict, or a go.Figure's to_dict)."""
    import plotly.io as pio

    data = figure.to_dict() if hasattr(figure, "to_dict") else figure
    return json.loads(pio.to_json(data, validate=False))


@pytest.mark.parametrize("name", ["rosenbrock", "himmelblau", "saddle"])
def test_a_map_sent_as_a_plain_spec_is_what_plotly_checks_and_sends(name):
    """Pages send the map's plain dict (built without Plotly's checks, 5x faster); Plotly's
    checked figure of that dict must send the very same JSON: a misspelt property, a string
    where plotly.js wants an object, an untyped array would all show here."""
    ls = landscapes.get(name)
    traj = descend(ls, optim.sgd(0.001), ls.start, 150)
    spec = figs.contour_spec(ls, traj, height=600)
    assert _wire(spec) == _wire(go.Figure(spec))


@pytest.mark.parametrize(("lr", "log"), [(0.1, False), (0.1, True), (1.2, False), (1e-4, True)])
def test_loss_curves_sent_as_a_plain_spec_are_what_plotly_checks_and_sends(lr, log):
    ls = landscapes.get("bowl")
    traj = descend(ls, optim.sgd(lr), [1.0, 1.0], 60)
    spec = figs.loss_spec(traj, log=log)
    assert _wire(spec) == _wire(go.Figure(spec))
    marked = [a["text"] for a in spec["layout"].get("annotations", [])]
    assert marked == [] if traj.status[0] == "unconverged" else len(marked) == 2


@pytest.mark.parametrize(
    ("positions", "lr"), [([-4.0], 0.1), ([-4.0, -3.2, -2.56], 0.1), ([-4.0, 40.0, -400.0], 1.2)]
)
def test_the_hiker_sent_as_a_plain_spec_is_what_plotly_checks_and_sends(positions, lr):
    curve = landscapes.get("parabola")
    spec = hiker_figs.curve_spec(curve, np.array(positions), lr, height=410)
    assert _wire(spec) == _wire(go.Figure(spec))
    losses = curve.value(np.array(positions)[:, None])
    steps = hiker_figs.loss_steps_spec(losses, curve.global_min)
    assert _wire(steps) == _wire(go.Figure(steps))


@pytest.mark.parametrize("overlay", [False, True])
def test_the_data_map_sent_as_a_plain_spec_is_what_plotly_checks_and_sends(tips_problem, overlay):
    from gdviz.figures import data as data_figs
    from gdviz.learning import training

    runs = [training.train(tips_problem, "minibatch", batch_size=16, epochs=3, lr=0.1)]
    spec = data_figs.training_spec(tips_problem, runs, overlay_batch=overlay, max_frames=21)
    assert _wire(spec) == _wire(go.Figure(spec))


def test_a_problem_paints_its_map_once(tips_problem):
    assert tips_problem.landscape() is tips_problem.landscape()


@pytest.mark.parametrize("flavour", ["minibatch", "stochastic", "batch"])
def test_data_loss_curves_and_inspector_sent_as_plain_specs_are_what_plotly_sends(
    tips_problem, flavour
):
    from gdviz.figures import data as data_figs
    from gdviz.figures import data_batch
    from gdviz.learning import training

    run = training.train(tips_problem, flavour, batch_size=16, epochs=3, lr=0.1)
    for log in (False, True):
        curves = data_figs.loss_curves_spec(tips_problem, [run], log=log)
        assert _wire(curves) == _wire(go.Figure(curves))
    inspector = data_batch.batch_spec(tips_problem, run, 2, 0.1)
    assert _wire(inspector) == _wire(go.Figure(inspector))


@pytest.mark.parametrize(
    ("epochs", "per_epoch", "most", "spacing", "count"),
    [
        (20, 16, 100, 0.25, 81),  # tips, B = 16: the data page's default
        (20, 244, 100, 0.25, 81),  # stochastic: finer than a quarter would pass 100 frames
        (20, 1, 100, 1.0, 21),  # batch: one frame per update, never between updates
        (5, 16, 41, 0.2, 26),
        (5, 244, 100, 0.1, 51),  # lesson 9: every 5th frame of 1/16 epoch read "0.3125"
        (7, 100, 100, 0.1, 71),
        (3, 3, 100, 0.5, 7),  # no finer than an update (a third): the next round spacing
    ],
)
def test_training_frames_fall_on_round_epochs(epochs, per_epoch, most, spacing, count):
    """The slider labels every k-th frame: frames a round spacing apart make those labels
    "0, 1.5, 3", where linspace(0, 20, 100) gave "0, 1.21, 2.42"."""
    from gdviz.figures.data import frame_epochs

    at = frame_epochs(epochs, per_epoch, most)
    assert len(at) == count <= most and at[0] == 0 and at[-1] == epochs
    np.testing.assert_allclose(np.diff(at), spacing)
    assert spacing >= 1 / per_epoch


def test_a_projectors_map_gets_a_finer_picture():
    """At 980 px (1920×1080, presenting) the 360-px picture was enlarged 4× and its contour
    lines ran together: the picture follows the map's height, from 600 px up, to 720 px."""
    import base64

    assert [maps.picture_resolution(h) for h in (580, 600, 760, 860, 980, 1400)] == [
        360, 360, 540, 600, 720, 720,
    ]  # fmt: skip
    ls = landscapes.get("himmelblau")
    traj = descend(ls, optim.sgd(0.01), ls.start, 20)
    for height, pixels in ((580, 360), (980, 720)):
        source = figs.contour_spec(ls, traj, height=height)["layout"]["images"][0]["source"]
        png = base64.b64decode(source.split(",", 1)[1])
        assert struct.unpack(">II", png[16:24]) == (pixels, pixels)


@pytest.mark.parametrize(
    ("steps", "max_frames", "stride"),
    [
        (np.arange(201), 101, 3),  # the landscape's 200 steps: 0, 3, 6 … 198 and 200
        (np.arange(201), 41, 5),  # its 3-D view
        (np.arange(251), 60, 5),  # the race's 250 steps
        (np.arange(0, 3001, 3), 100, 75),  # points every 3rd step: multiples of 3 and 25
        (np.arange(51), 100, 1),  # short: every point
    ],
)
def test_animation_frames_fall_on_round_odd_strides(steps, max_frames, stride):
    """The slider counts in one round stride, not "0, 16, 32, 48, 65"; odd, so a period-2
    zig-zag's point alternates sides frame after frame. The last point is always a frame."""
    frames = style.step_frames(steps, max_frames)
    shown = steps[frames]
    assert len(frames) <= max_frames and shown[0] == 0 and frames[-1] == len(steps) - 1
    assert set(np.diff(shown[:-1])) == {stride} and shown[-1] - shown[-2] <= stride
    assert stride % 2 == 1


def test_animation_frames_spread_evenly_when_round_strides_leave_too_few():
    """Points every 3rd step up to 1,999: multiples of 15 give 134 frames (over 100), of 75 only
    28: frames are then spread evenly, as many as allowed."""
    steps = np.append(np.arange(0, 1999, 3), 1999)
    frames = style.step_frames(steps, 100)
    assert len(frames) == 100 and frames[0] == 0 and frames[-1] == len(steps) - 1
