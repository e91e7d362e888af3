"""The pages, driven with Streamlit's AppTest (server side, no browser)."""

from __future__ import annotations

import json
import math

import pytest
from streamlit.testing.v1 import AppTest

from gdviz import settings
from tests.helpers import (
    APP,
    figure,
    open_page,
    results_table,
    scrubber,
    shown,
    status,
    url_warnings,
)

# -- home ----------------------------------------------------------------------------------------


def test_home_links_to_every_page():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    assert "Gradient descent finds the bottom" in at.markdown[0].value
    links = [link.proto.page for link in at.get("page_link")]
    assert links == [
        "lessons",
        "hiker",
        "landscape",
        "compare",
        "sweep",
        "data",
        "networks",
    ]  # url paths


# -- the hiker -------------------------------------------------------------------------------------


def test_hiker_starts_with_the_classic_numbers():
    at = open_page("hiker")
    assert status(at) == "Step: 0 | Current Position: -4.00 | Loss: 16.00 | Gradient: -8.00"
    rule = next(m.value for m in at.markdown if "Next update" in m.value)
    assert "x₁ = x₀ − α·L'(x₀) = −4.00 − 0.10·(−8.00) = −3.20" in rule
    assert len(at.get("plotly_chart")) == 2


def test_step_run10_back_reset_change_the_status_line():
    at = open_page("hiker")
    at.button(key="hiker_step").click().run()
    assert status(at) == "Step: 1 | Current Position: -3.20 | Loss: 10.24 | Gradient: -6.40"
    at.button(key="hiker_run10").click().run()
    assert status(at).startswith("Step: 11 | Current Position: -0.34 | Loss: 0.12")
    at.button(key="hiker_back").click().run()
    assert status(at).startswith("Step: 10 | Current Position: -0.43")
    at.button(key="hiker_reset").click().run()
    assert status(at) == "Step: 0 | Current Position: -4.00 | Loss: 16.00 | Gradient: -8.00"


def test_a_rate_above_one_gives_the_diverging_verdict():
    at = open_page("hiker")
    at.number_input(key="hiker_lr").set_value(1.1).run()
    at.button(key="hiker_step").click().run()
    assert status(at) == "Step: 1 | Current Position: 4.80 | Loss: 23.04 | Gradient: 9.60"
    assert at.error and "Diverging" in at.error[0].value
    assert "above α = 1.00 every step overshoots" in at.error[0].value


def test_the_slider_and_the_exact_box_stay_in_step():
    at = open_page("hiker")
    at.select_slider(key="hiker_lr_slider").set_value(0.5).run()
    assert at.number_input(key="hiker_lr").value == 0.5
    at.number_input(key="hiker_lr").set_value(0.93).run()
    assert at.select_slider(key="hiker_lr_slider").value == 0.95  # nearest choice


def test_hiker_link_reproduces_a_demo_mid_way():
    at = open_page("hiker", {"f": "parabola", "lr": "0.1", "x0": "-4", "n": "1"})
    assert status(at) == "Step: 1 | Current Position: -3.20 | Loss: 10.24 | Gradient: -6.40"
    assert at.query_params["n"] == ["1"] or at.query_params["n"] == "1"


def test_bad_hiker_link_warns_and_uses_defaults():
    at = open_page("hiker", {"f": "moon", "lr": "abc", "x0": "99"})
    assert len(url_warnings(at)) == 3
    assert status(at) == "Step: 0 | Current Position: -4.00 | Loss: 16.00 | Gradient: -8.00"


def test_the_hikers_scrubber_previews_every_rate_and_keeps_the_hike():
    at = open_page("hiker", {"f": "parabola", "lr": "0.1", "x0": "-4", "n": "2"})
    at.button_group(key="hiker_view").set_value("Scrub α").run()
    assert not at.exception
    assert [c.key for c in at.get("plotly_chart")] == ["hiker_scrub", "hiker_losses"]
    assert scrubber(at)[1] == 0.1
    # The hike itself is untouched: two steps taken, the link still says so.
    assert status(at).startswith("Step: 2 | Current Position: -2.56")
    assert at.query_params["n"] == "2"


def test_changing_the_curve_starts_a_new_hike():
    at = open_page("hiker")
    at.button(key="hiker_step").click().run()
    at.selectbox(key="hiker_f").set_value("double_well").run()
    assert status(at).startswith("Step: 0 | Current Position: 1.80")
    assert at.number_input(key="hiker_lr").value == 0.02


# -- the landscape ---------------------------------------------------------------------------------


def test_landscape_renders_at_its_defaults():
    at = open_page("landscape")
    charts = at.get("plotly_chart")
    assert [c.key for c in charts] == ["ls_map", "ls_loss"]  # the 3-D surface only on demand
    contour = figure(at, 0)
    assert len(contour["frames"]) >= 2 and contour["layout"]["images"]
    assert [m.label for m in at.metric] == [
        "Final loss",
        "Final x",
        "Final y",
        "Distance to nearest minimum",
        "Status",
    ]
    assert at.query_params["f"] in ("rosenbrock", ["rosenbrock"])


def test_changing_the_optimizer_changes_the_figure_and_the_controls():
    at = open_page("landscape")
    before = figure(at, 0)["frames"][-1]
    assert at.slider(key="ls_mom") is not None
    at.selectbox(key="ls_opt").set_value("adam").run()
    assert not at.exception
    assert figure(at, 0)["frames"][-1] != before
    assert at.number_input(key="ls_lr").value == 0.001  # torch's Adam default
    assert at.slider(key="ls_b1").value == 0.9
    assert not [s for s in at.slider if s.key == "ls_mom"]  # momentum is SGD/RMSprop only


def test_a_too_large_rate_says_diverged_in_words():
    at = open_page("landscape", {"f": "bowl", "lr": "1.5"})
    assert at.error and at.error[0].value.startswith("Diverged at step")
    assert at.metric[4].value == "diverged" and at.metric[4].delta.startswith("at step")


def test_landscape_link_loads_every_setting():
    at = open_page(
        "landscape",
        {
            "f": "himmelblau",
            "opt": "rmsprop",
            "lr": "0.01",
            "mom": "0.5",
            "x0": "1",
            "y0": "-1",
            "steps": "150",
            "sched": "step",
            "step_size": "50",
            "seed": "3",
        },
    )
    assert url_warnings(at) == []
    assert at.selectbox(key="ls_f").value == "himmelblau"
    assert at.selectbox(key="ls_opt").value == "rmsprop"
    assert at.slider(key="ls_mom").value == 0.5
    assert (at.number_input(key="ls_x0").value, at.number_input(key="ls_y0").value) == (1, -1)
    assert at.number_input(key="ls_step_size").value == 50


def test_bad_landscape_link_warns_and_keeps_working():
    at = open_page("landscape", {"f": "moon", "opt": "zz", "lr": "-1", "steps": "1e9"})
    warned = url_warnings(at)
    assert [w.split("=")[0] for w in warned] == [
        "Ignored f",
        "Ignored opt",
        "Ignored lr",
        "Ignored steps",
    ]
    assert len(at.get("plotly_chart")) == 2


def test_settings_that_cannot_run_get_a_message_not_a_traceback():
    at = open_page("landscape")
    at.selectbox(key="ls_sched").set_value("cosine").run()
    at.number_input(key="ls_eta_min").set_value(5.0).run()  # above the learning rate
    assert not at.exception
    assert at.error and "eta_min (5) must be below the learning rate" in shown(at.error[0].value)
    # The last run's charts stay beside the message, and say so.
    assert [c.key for c in at.get("plotly_chart")] == ["ls_map", "ls_loss"]
    assert any("last settings that could run" in c.value for c in at.caption)


def test_the_rate_scrubber_ships_a_family_of_runs_around_your_rate():
    at = open_page("landscape", {"f": "ravine", "x0": "-4.5", "y0": "1.5", "lr": "0.02"})
    at.radio(key="ls_view").set_value("α scrubber").run()
    assert not at.exception
    assert [c.key for c in at.get("plotly_chart")] == ["ls_scrub", "ls_loss"]
    spec, rate = scrubber(at)
    assert rate == 0.02
    assert any(a["text"] == "critical 2/λ" for a in spec["layout"]["annotations"])
    # The readouts still describe your α's run; the link still carries it.
    assert at.metric[0].value == "0.0031"
    assert at.query_params["lr"] == "0.02"


def test_the_loss_curves_switch_to_a_log_gap_on_their_own():
    at = open_page("landscape", {"f": "ravine", "lr": "0.02"})
    before = [c.proto.spec for c in at.get("plotly_chart")]
    at.toggle(key="ls_log").set_value(True).run()
    assert not at.exception
    after = [c.proto.spec for c in at.get("plotly_chart")]
    assert after[0] == before[0]  # the map is untouched
    loss = json.loads(after[1])
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert loss["layout"]["yaxis"]["title"]["text"] == "L − L_min (log)"


@pytest.mark.parametrize("name", ["bowl", "saddle", "ackley", "plateau", "beale"])
def test_every_landscape_renders(name):
    at = open_page("landscape")
    at.selectbox(key="ls_f").set_value(name).run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2
    at.radio(key="ls_view").set_value("3-D surface").run()
    assert [c.key for c in at.get("plotly_chart")] == ["ls_surface", "ls_loss"]
    assert len(figure(at, 0)["frames"]) >= 2


# -- compare ---------------------------------------------------------------------------------------


def test_compare_opens_with_the_learning_rate_lesson():
    at = open_page("compare")
    table = results_table(at)
    assert list(table.index) == [
        "α = 0.005 (too small)",
        "α = 0.07 (just right)",
        "α = 0.085 (too large)",
    ]
    assert list(table["status"]) == ["not converged", "converged", "diverged"]
    assert table["diverged at"].iloc[2] == "44"
    assert len(at.get("plotly_chart")) == 2


def test_presets_load_and_runs_can_be_added_duplicated_and_removed():
    at = open_page("compare")
    at.selectbox(key="cmp_preset").set_value("GD vs momentum vs Adam").run()
    assert at.selectbox(key="cmp_preset").value == "GD vs momentum vs Adam"
    assert list(results_table(at).index) == [
        "GD α = 0.001",
        "momentum 0.9, α = 0.001",
        "Adam α = 0.02",
    ]
    at.button(key="cmp_add").click().run()
    assert len(results_table(at)) == 4
    first_id = at.session_state.cmp_rows[0]["id"]
    at.button(key=f"cmp_{first_id}_dup").click().run()
    assert "GD α = 0.001 (2)" in results_table(at).index
    at.button(key=f"cmp_{first_id}_del").click().run()
    assert "GD α = 0.001" not in results_table(at).index
    assert len(results_table(at)) == 4


def test_compare_rejects_bad_values_with_a_message():
    at = open_page("compare")
    first_id = at.session_state.cmp_rows[0]["id"]
    # The rate box admits exactly what the model admits (α > 0): 0 is refused at the widget,
    # which keeps its value, instead of blanking the race with a model error.
    rate_box = at.number_input(key=f"cmp_{first_id}_lr")
    assert rate_box.min == math.nextafter(0.0, 1.0) and rate_box.max == settings.MAX_LR
    rate_box.set_value(0.0).run()
    assert not at.exception and not at.error
    assert at.number_input(key=f"cmp_{first_id}_lr").value == 0.005
    at.number_input(key=f"cmp_{first_id}_lr").set_value(0.01).run()
    at.text_input(key=f"cmp_{first_id}_label").set_value("α = 0.07 (just right)").run()
    assert at.error and "every run needs its own label" in shown(at.error[0].value)


def test_compare_link_round_trip_and_bad_link():
    from gdviz.settings import lessons, links

    cfg = lessons.PRESETS["Adam vs AdamW (weight decay)"]
    at = open_page("compare", links.compare_to_query(cfg))
    assert list(results_table(at).index) == [run.label for run in cfg.runs]
    at = open_page("compare", {"c": "not-a-race"})
    assert url_warnings(at) and "showing the first preset" in url_warnings(at)[0]
    assert len(results_table(at)) == 3


# -- sweep & basins --------------------------------------------------------------------------------


def test_sweep_page_reports_both_edges():
    at = open_page("sweep")
    text = " ".join(m.value for m in at.markdown)
    assert "gives α = **0.08**" in text
    assert "α = **0.08101**" in text
    assert len(at.get("plotly_chart")) == 3  # the sweep, the basin map, the (α, β) map


def test_sweep_page_rejects_an_empty_range():
    at = open_page("sweep")
    at.number_input(key="sw_lr_min").set_value(0.5).run()
    assert not at.exception
    assert at.error and "the smallest α (0.5) must be below the largest α (0.2)" in shown(
        at.error[0].value
    )


def test_basin_map_counts_the_four_himmelblau_basins():
    at = open_page("sweep")
    basin = figure(at, 1)
    names = [trace.get("name", "") for trace in basin["data"]]
    assert sum(name.startswith("→ (") for name in names) == 4


# -- typed-in functions ----------------------------------------------------------------------------


def test_a_typed_function_is_drawn_and_runs():
    at = open_page("landscape")
    at.selectbox(key="ls_f").set_value("custom").run()
    assert not at.exception
    at.text_input(key="ls_f_expr").set_value("(1-x)^2 + 100*(y-x^2)^2").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 2  # the map and the loss curves
    latex = [element.value for element in at.latex]
    assert any(r"\left(1 - x\right)^{2}" in text for text in latex)
    assert any(r"\frac{\partial L}{\partial y}" in text for text in latex)  # the gradient
    assert at.query_params["f"] in ("custom", ["custom"])


def test_an_invalid_function_shows_the_message_and_the_page_keeps_working():
    at = open_page("landscape")
    at.selectbox(key="ls_f").set_value("custom").run()
    at.text_input(key="ls_f_expr").set_value("x**2 + z").run()
    assert not at.exception
    messages = [shown(e.value) for e in at.error]
    assert any("unknown name 'z'; use x and y at column 8" in m for m in messages)
    at.text_input(key="ls_f_expr").set_value("x**2 + y**2").run()
    assert not at.exception and len(at.get("plotly_chart")) == 2


def test_a_custom_link_loads_the_formula():
    at = open_page(
        "landscape",
        {"f": "custom", "expr": "sin(3*x)*cos(3*y) + 0.1*(x^2+y^2)", "xmin": "-2", "xmax": "2"},
    )
    assert url_warnings(at) == []
    assert at.text_input(key="ls_f_expr").value == "sin(3*x)*cos(3*y) + 0.1*(x^2+y^2)"
    assert at.number_input(key="ls_f_xmin").value == -2
    bad = open_page("landscape", {"f": "custom", "expr": "__import__('os')"})
    assert any("Ignored the custom function" in w for w in url_warnings(bad))
    assert len(bad.get("plotly_chart")) == 2


def test_the_hiker_walks_a_typed_curve():
    at = open_page("hiker")
    at.selectbox(key="hiker_f").set_value("custom").run()
    at.text_input(key="hiker_f_expr").set_value("x^2").run()
    at.number_input(key="hiker_lr").set_value(0.1).run()
    at.slider(key="hiker_x0").set_value(-4.0).run()
    at.button(key="hiker_step").click().run()
    assert not at.exception
    assert status(at) == "Step: 1 | Current Position: -3.20 | Loss: 10.24 | Gradient: -6.40"


def test_compare_and_sweep_run_on_a_typed_function():
    at = open_page("compare")
    at.selectbox(key="cmp_f").set_value("custom").run()
    assert not at.exception
    assert len(results_table(at)) == 3
    at = open_page("sweep")
    at.selectbox(key="sw_f").set_value("custom").run()
    at.selectbox(key="bs_f").set_value("custom").run()
    assert not at.exception
    assert len(at.get("plotly_chart")) == 3  # the sweep, the basin map, the (α, β) map


def test_sweep_and_basin_settings_travel_in_the_link():
    from gdviz import settings
    from gdviz.settings import links

    sweep_cfg = settings.SweepConfig(
        landscape="bowl", start=(-2.5, 2.0), lr_min=0.01, lr_max=3.0, n_rates=100, steps=100
    )
    basin_cfg = settings.BasinConfig(resolution=48, steps=200)
    at = open_page(
        "sweep", {"s": links.model_to_link(sweep_cfg), "b": links.model_to_link(basin_cfg)}
    )
    assert url_warnings(at) == []
    assert at.selectbox(key="sw_f").value == "bowl"
    assert at.number_input(key="sw_n").value == 100
    assert at.select_slider(key="bs_res").value == 48
    text = " ".join(m.value for m in at.markdown)
    assert "gives α = **1.00**" in text  # the bowl: 2/λ_max = 1
    bad = open_page("sweep", {"s": "garbage!", "b": links.model_to_link(basin_cfg)})
    assert any("Ignored the sweep in the link" in w for w in url_warnings(bad))
    assert bad.select_slider(key="bs_res").value == 48


# -- lessons ---------------------------------------------------------------------------------


def lesson_heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("### "))


def test_the_deck_opens_on_its_first_lesson_with_its_live_view():
    at = open_page("lessons")
    assert lesson_heading(at).startswith("### 1 / 20 · The landscape and its gradient")
    assert len(at.get("plotly_chart")) == 1
    assert len(figure(at, 0)["frames"]) >= 2  # the landscape page's own animated map
    assert at.button(key="lesson_back").disabled and not at.button(key="lesson_next").disabled
    assert at.query_params["lesson"] == "1"


def test_next_and_previous_walk_the_deck_and_the_link_follows():
    at = open_page("lessons", {"lesson": "5"})
    assert lesson_heading(at).startswith("### 5 / 20 · The critical rate")
    at.button(key="lesson_next").click().run()
    assert lesson_heading(at).startswith("### 6 / 20 · Local minima")
    assert at.query_params["lesson"] == "6"
    at.button(key="lesson_back").click().run()
    at.button(key="lesson_back").click().run()
    assert lesson_heading(at).startswith("### 4 / 20 · More steps do not fix a wrong rate")
    link = next(b for b in at.get("link_button"))
    assert link.proto.url.startswith("landscape?") and "lr=0.085" in link.proto.url


def test_a_bad_lesson_link_says_so_and_shows_the_first():
    at = open_page("lessons", {"lesson": "<b>99</b>"})
    assert not at.exception
    assert lesson_heading(at).startswith("### 1 / 20")
    (warning,) = url_warnings(at)
    assert "is not one of lessons 1 to 20" in warning
    assert "'<b>99</b>'" in warning  # quoted as typed: escaped, never rendered as markup
    assert "\\<b\\>" in at.warning[0].value


@pytest.mark.parametrize("number", [2, 5, 10, 16])
def test_every_kind_of_view_renders_in_the_deck(number):
    at = open_page("lessons", {"lesson": str(number)})
    assert not at.exception
    assert len(at.get("plotly_chart")) == 1


# -- presentation mode -----------------------------------------------------------------------


def test_presentation_mode_from_a_link_and_back_keeps_every_setting():
    at = open_page("landscape", {"f": "ravine", "lr": "0.02", "present": "1"})
    assert not url_warnings(at)  # present=1 is not an unknown setting
    prose = [m.value for m in at.markdown if "Ravine (ill-conditioned bowl)" in m.value]
    assert not prose  # the long prose is folded away, and one line says so
    assert any("Presentation mode" in c.value for c in at.caption)
    assert at.button(key="present_leave") and not at.sidebar.button
    spec = figure(at, 0)
    assert spec["layout"]["xaxis"]["tickfont"]["size"] >= 18
    assert spec["layout"]["sliders"][0]["font"]["size"] >= 18
    at.number_input(key="ls_lr").set_value(0.03).run()
    assert at.query_params["present"] == "1" and at.query_params["lr"] == "0.03"
    at.button(key="present_leave").click().run()
    assert "present" not in at.query_params
    assert any("Ravine (ill-conditioned bowl)" in m.value for m in at.markdown)
    assert at.number_input(key="ls_lr").value == 0.03  # nothing lost
    assert at.query_params["lr"] == "0.03" and at.query_params["f"] == "ravine"
    assert "tickfont" not in figure(at, 0)["layout"]["xaxis"]
    at.sidebar.button(key="present_enter").click().run()
    assert at.query_params["present"] == "1"


def test_presentation_mode_follows_the_session_across_pages():
    at = open_page("lessons", {"lesson": "4", "present": "1"})
    assert at.query_params["present"] == "1" and at.query_params["lesson"] == "4"
    at.switch_page("pages/hiker.py").run()
    assert not at.exception
    assert at.button(key="present_leave") and at.query_params["present"] == "1"
