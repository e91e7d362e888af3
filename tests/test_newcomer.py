"""What a newcomer hit (settings lost to a typo, echoes of huge or binary link values, cut-off
numbers, ...): each test failed before its fix. Browser-only checks are in test_browser.py."""

from __future__ import annotations

import base64

import numpy as np
import pytest

from gdviz import descend, settings
from gdviz.core import echo, landscapes, optim
from gdviz.figures import sweep as sweep_figs
from gdviz.settings import links
from gdviz.teach import narrate
from tests.helpers import figure, open_page, url_warnings


def test_a_huge_link_value_is_quoted_in_at_most_40_characters():
    at = open_page("landscape", {"lr": "1" * 5000})
    (warning,) = url_warnings(at)
    assert len(warning) < 300 and "'1111111111111111111111111111111111111…'" in warning
    assert echo.quote("x" * 100) == "'" + "x" * 37 + "…'"
    assert echo.quote("a\nb") == "'a\\nb'"


def test_a_binary_race_link_says_what_was_expected_not_its_bytes():
    junk = base64.urlsafe_b64encode(b"\x81\xaa\xff{").decode()
    _, warnings = links.compare_from_query({"c": junk})
    assert warnings == [
        "Ignored the race in the link (it is not a valid race link: its data is not the JSON "
        "gdviz writes); showing the first preset."
    ]
    assert "\\x81" not in warnings[0]


def test_a_new_formula_keeps_the_rate_and_the_start():
    at = open_page("landscape", {"f": "custom", "expr": "x**2+y**2", "lr": "0.02", "x0": "1"})
    at.text_input(key="ls_f_expr").set_value("x**").run()
    assert at.error and at.number_input(key="ls_lr").value == 0.02
    at.text_input(key="ls_f_expr").set_value("x**2 + 10*y**2").run()
    assert not at.error
    assert (at.number_input(key="ls_lr").value, at.number_input(key="ls_x0").value) == (0.02, 1)
    at = open_page("hiker", {"f": "custom", "expr": "x**2", "lr": "0.3", "x0": "2"})
    at.text_input(key="hiker_f_expr").set_value("x**4 - 3*x**2 + x").run()
    assert (at.number_input(key="hiker_lr").value, at.slider(key="hiker_x0").value) == (0.3, 2)
    # A smaller map moves the start onto it, and says so.
    at.number_input(key="hiker_f_xmax").set_value(1.0).run()
    assert at.slider(key="hiker_x0").value == 1.0
    assert any("moved from 2 to 1" in t.value for t in at.toast)


def test_a_rate_that_got_there_is_not_called_too_slow():
    cfg = settings.SweepConfig()  # the default ravine sweep: 243 of 300 "too slow" before
    result = settings.run_sweep(cfg)
    ls = landscapes.get("ravine")
    start = float(ls.value(np.array(cfg.start)))
    there = result.final_loss - ls.global_min <= 1e-3 * (start - ls.global_min)
    assert there.sum() > 90
    assert np.all(result.region[there & (result.region != "diverging")] == "converging")
    assert np.sum(result.region == "too slow") < 160
    fig = sweep_figs.sweep_figure(result, result)
    assert fig.layout.yaxis.exponentformat == "e"  # 1e-06, not 1μ
    assert any(t.name == "converging (99.9% of the way down)" for t in fig.data)


def test_an_undefined_start_is_refused_not_shown_as_progress():
    for query in ({"expr": "1/x", "x0": "0"}, {"expr": "sqrt(x)", "x0": "-2"}):
        cfg, warnings = links.hiker_from_query({"f": "custom", **query})
        assert len(warnings) == 1 and "not defined at the start" in warnings[0]
        curve = cfg.surface()
        assert np.isfinite(curve.value(np.array([cfg.x0])))
        assert np.isfinite(curve.grad(np.array([cfg.x0]))).all()
    at = open_page("hiker", {"f": "custom", "expr": "sqrt(x)", "x0": "-2"})
    assert not at.success or "undefined" not in at.success[0].value
    assert "not defined at the start" in url_warnings(at)[0]


def test_a_diverged_hiker_is_shown_and_the_page_says_why_steps_stop():
    at = open_page("hiker", {"f": "parabola", "lr": "1.1", "x0": "-4"})
    while not at.button(key="hiker_run10").disabled:
        at.button(key="hiker_run10").click().run()
    hike = at.session_state.hike
    assert hike.diverged and abs(hike.x) > 50  # past the widest view (±50)
    assert at.button(key="hiker_step").disabled and at.button(key="hiker_run10").disabled
    words = at.error[0].value
    assert "thrown off the curve" in words and "press Back" in words
    notes = [a["text"] for a in figure(at, 0)["layout"]["annotations"] if a.get("text")]
    assert any(f"the hiker is at x = {hike.x:.4g}" in note for note in notes)
    at.button(key="hiker_back").click().run()
    assert not at.button(key="hiker_step").disabled


def test_a_label_that_names_its_rate_follows_it_and_an_empty_label_is_not_an_error():
    at = open_page("compare")  # first preset: "α = 0.07 (just right)" is the second run
    rid = at.session_state.cmp_rows[1]["id"]
    assert at.session_state.cmp_rows[1]["label"] == "α = 0.07 (just right)"
    at.number_input(key=f"cmp_{rid}_lr").set_value(0.03).run()
    assert at.text_input(key=f"cmp_{rid}_label").value == "α = 0.03"
    back, _ = links.compare_from_query(dict(at.query_params))
    assert back.runs[1].label == "α = 0.03" and back.runs[1].optimizer.lr == 0.03
    at.text_input(key=f"cmp_{rid}_label").set_value("").run()
    assert not at.error and len(at.get("plotly_chart")) == 2  # the race is still drawn
    assert any("No label: shown as “run 2”" in c.value for c in at.caption)
    back, _ = links.compare_from_query(dict(at.query_params))
    assert back.runs[1].label == "run 2"


def test_number_boxes_say_their_limits():
    at = open_page("landscape")
    assert at.number_input(key="ls_steps").help == "Allowed: at least 1 and at most 5000."
    assert at.number_input(key="ls_lr").help == "Allowed: above 0 and at most 100."
    at = open_page("compare")
    assert at.number_input(key="cmp_steps").help == "Allowed: at least 1 and at most 5000."
    assert "above 0" in at.number_input(key="cmp_threshold").help
    at = open_page("sweep")
    assert at.number_input(key="sw_n").help == "Allowed: at least 50 and at most 1000."
    assert at.number_input(key="sw_lr_min").help == "Allowed: above 0 and at most 100."


def test_the_lesson_select_names_only_the_lesson_on_show():
    at = open_page("data", {"d": "gapminder"})
    assert at.selectbox(key="dt_lesson").value is None  # not a lesson: "Choose a lesson…"
    title = "The mismatched loss: a sigmoid stuck on a plateau"
    at.selectbox(key="dt_lesson").set_value(title).run()
    assert at.session_state.dt_d == "iris" and at.selectbox(key="dt_lesson").value == title
    at.number_input(key="dt_lr").set_value(0.3).run()  # no longer the lesson
    at.run()
    assert at.selectbox(key="dt_lesson").value is None


def test_racing_the_flavours_disables_the_flavour_choice():
    at = open_page("data")
    assert not at.radio(key="dt_gd").disabled
    at.toggle(key="dt_race").set_value(True).run()
    assert at.radio(key="dt_gd").disabled and "all three race" in at.radio(key="dt_gd").label


def test_a_model_error_reads_like_a_sentence():
    import pydantic

    with pytest.raises(pydantic.ValidationError) as caught:
        settings.RunConfig.model_validate({"optimizer": {"kind": "sgd", "lr": 0}, "steps": 0})
    assert settings.explain_errors(caught.value) == [
        "The learning rate α must be greater than 0 (got 0).",
        "The number of steps must be greater than or equal to 1 (got 0).",
    ]


def test_the_sweeps_lines_are_in_its_legend_and_its_two_sweeps_look_different():
    """Issue 22: the 2/λ and "measured" lines were only on the chart, and markers on hundreds
    of rates hid the long sweep's dashes."""
    cfg = settings.SweepConfig()
    short, long = settings.run_sweeps(cfg)
    fig = sweep_figs.sweep_figure(short, long)
    names = [t.name for t in fig.data]
    assert "critical rate (from the Hessian)" in names
    assert "first diverging rate (measured)" in names
    modes = {t.name: t.mode for t in fig.data}
    assert modes["final loss, 200 steps"] == "lines+markers"
    assert modes["final loss, 2000 steps"] == "lines"  # dashed, no markers over the dashes
    assert modes["steps to converge, 2000 steps"] == "lines"


def test_a_run_that_ends_on_the_minimum_reads_zero_not_rounded_zero():
    ls = landscapes.get("bowl")
    traj = descend(ls, optim.sgd(0.5), np.array([1.0, -2.0]), 3)  # one step lands on (0, 0)
    report = narrate.landscape_report(ls, traj)
    assert report.distance == "0 (exactly)"
    near = narrate.landscape_report(ls, descend(ls, optim.sgd(0.4), np.array([1.0, -2.0]), 3))
    assert near.distance != "0 (exactly)" and float(near.distance) > 0
