"""Exports for the classroom: the runs as CSV, the settings as JSON that load back, the view as
one HTML file that plays without a server (that last one is driven in test_browser.py)."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from gdviz import settings
from gdviz.core import export
from gdviz.figures import landscape as figs
from gdviz.figures.style import standalone_html
from gdviz.settings import links
from tests.helpers import open_page, shown


def read(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_the_csv_holds_every_step_of_every_run_exactly():
    cfg = settings.RunConfig(landscape="ravine", optimizer={"kind": "sgd", "lr": 0.05}, steps=40,
                           start=(-4.5, 1.5))  # fmt: skip
    traj = settings.run(cfg)
    rows = read(export.runs_csv(traj, ["GD"]))
    assert len(rows) == 41 and list(rows[0]) == [
        "run", "step", "x", "y", "loss", "grad_norm", "lr", "status",
    ]  # fmt: skip
    xy = np.array([[float(r["x"]), float(r["y"])] for r in rows])
    np.testing.assert_array_equal(xy, traj.path[:, 0])  # repr floats: exact, not rounded
    np.testing.assert_array_equal([float(r["loss"]) for r in rows], traj.loss[:, 0])
    assert [float(r["lr"]) for r in rows[:-1]] == [0.05] * 40 and rows[-1]["lr"] == ""
    assert {r["status"] for r in rows} == {"moving"}


def test_a_diverged_run_exports_up_to_where_it_blew_up():
    cfg = settings.CompareConfig.model_validate(
        {"landscape": "bowl", "start": (-2.5, 2.0), "steps": 60, "runs": [
            {"label": "calm", "optimizer": {"kind": "sgd", "lr": 0.3}},
            {"label": "wild", "optimizer": {"kind": "sgd", "lr": 1.5}},
        ]}
    )  # fmt: skip
    traj = settings.run_compare(cfg)
    rows = read(export.runs_csv(traj, ["calm", "wild"]))
    calm = [r for r in rows if r["run"] == "calm"]
    wild = [r for r in rows if r["run"] == "wild"]
    assert len(calm) == 61 and calm[-1]["status"] == "converged"
    first = int(traj.converged_at[0])
    assert calm[first]["status"] == "converged" and calm[first - 1]["status"] == "moving"
    assert len(wild) == int(traj.diverged_at[1]) + 1 and wild[-1]["status"] == "diverged"
    assert all(np.isfinite(float(r["loss"])) for r in wild)


ROUND_TRIPS = {  # page: (its settings uploader, a config far from the defaults, link parser)
    "landscape": ("ls_export_load", settings.RunConfig(
        landscape="himmelblau", optimizer={"kind": "adam", "lr": 0.05, "amsgrad": True},
        schedule={"kind": "cosine", "t_max": 150}, start=(1.0, -1.0), steps=150, seed=3,
        grad_noise=0.1), links.run_from_query),
    "hiker": ("hiker_export_load", settings.HikerConfig(
        landscape="double_well", lr=0.05, x0=1.5, steps=4), links.hiker_from_query),
    "data": ("dt_export_load", settings.DataConfig(
        dataset="iris", model="logistic", flavour="stochastic", epochs=3, lr=0.2,
        momentum=0.5, seed=4, start=(1.0, -1.0)), links.data_from_query),
}  # fmt: skip


@pytest.mark.parametrize("page", list(ROUND_TRIPS))
def test_settings_json_loads_back_to_the_identical_run(page):
    uploader, cfg, parse = ROUND_TRIPS[page]
    at = open_page(page)
    at.file_uploader(key=uploader).set_value(
        (f"{page}.json", cfg.model_dump_json(indent=2).encode(), "application/json")
    ).run()
    assert not at.exception and not at.error
    back, warnings = parse(dict(at.query_params))
    assert not warnings and back == cfg


def test_a_broken_settings_file_gets_a_message_and_the_page_keeps_working():
    at = open_page("landscape")
    at.file_uploader(key="ls_export_load").set_value(
        ("run.json", json.dumps({"landscape": "nowhere"}).encode(), "application/json")
    ).run()
    assert not at.exception
    message = shown(next(e.value for e in at.error if "Cannot load" in e.value))
    assert "run.json" in message and "nowhere" in message
    assert len(at.get("plotly_chart")) == 2  # the page still shows its run


def test_a_settings_file_from_another_page_says_which_page_it_is_from():
    _, data_cfg, _ = ROUND_TRIPS["data"]
    at = open_page("landscape")
    at.file_uploader(key="ls_export_load").set_value(
        ("data.json", data_cfg.model_dump_json().encode(), "application/json")
    ).run()
    assert not at.exception
    message = shown(next(e.value for e in at.error if "Cannot load" in e.value))
    assert message == (
        "Cannot load these settings: data.json: these are settings of the “Learning from data” "
        "page; open that page and load them there"
    )


def test_the_standalone_html_carries_plotly_and_the_animation():
    cfg = settings.RunConfig()
    page = standalone_html(figs.contour_figure(cfg.surface(), settings.run(cfg)), "gdviz: <test>")
    assert "<title>gdviz: &lt;test&gt;</title>" in page
    assert ">gdviz: &lt;test&gt;</h1>" in page  # the heading a file opened alone shows
    assert "<script src=" not in page and "<link " not in page  # nothing to fetch
    assert len(page) > 3_000_000  # plotly.js itself is inside
    assert page.count("Plotly.newPlot") == 1 and "addFrames" in page  # the animation's frames


@pytest.mark.parametrize(
    ("page", "labels"),
    [
        ("hiker", ["Animation (HTML)", "Slides (GIF)", "Numbers (CSV)", "Settings (JSON)"]),
        ("landscape", ["Animation (HTML)", "Slides (GIF)", "Numbers (CSV)", "Settings (JSON)"]),
        ("compare", ["Animation (HTML)", "Slides (GIF)", "Numbers (CSV)", "Settings (JSON)"]),
        ("data", ["Animation (HTML)", "Slides (GIF)", "Numbers (CSV)", "Settings (JSON)"]),
    ],
)
def test_every_animated_view_offers_its_downloads(page, labels):
    at = open_page(page)
    assert [b.proto.label for b in at.get("download_button")] == labels
