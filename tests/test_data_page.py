"""The data page (/data), driven with AppTest: examples, flavours, scaling, links, uploads."""

from __future__ import annotations

import pytest

from gdviz.figures.style import untyped
from gdviz.learning import datasets
from tests.helpers import figure, open_page, scrubber, shown, url_warnings

GOOD_CSV = (
    b"hours,score,passed\n1,50,no\n2,55,no\n3,62,no\n4,70,yes\n5,72,yes\n6,80,yes\n"
    b"2.5,65,yes\n3.5,58,no\n"
)


def summaries(at) -> list[str]:
    boxes = [*at.success, *at.warning, *at.error]
    return [b.value for b in boxes if "**" in b.value and "B = " in b.value]


def upload(at, content: bytes, name: str = "mine.csv"):
    at.selectbox(key="dt_d").set_value("upload").run()
    at.file_uploader(key="dt_file").set_value((name, content, "text/csv")).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_data_page_opens_on_tips_with_both_panels_and_the_loss_curve():
    at = open_page("data")
    assert summaries(at) == [
        "**Mini-batch (B = 16)**: after 20 epochs (320 updates) the loss is 1.1132, 7.45% "
        "above the optimum's 1.036."
    ]
    main = figure(at, 0)
    # Parameter space and data space share one figure, so their frames move together.
    assert main["layout"]["xaxis"]["title"]["text"].startswith("w (slope)")
    assert main["layout"]["xaxis2"]["title"]["text"] == "total bill ($)"
    # 20 epochs in frames of a quarter epoch (4 updates): the slider reads round epochs.
    assert len(main["frames"]) == 81
    labels = [step["label"] for step in main["layout"]["sliders"][0]["steps"]]
    assert labels[:6] == ["0", "0.25", "0.5", "0.75", "1", "1.25"] and labels[-1] == "20"
    assert [m.label for m in at.metric] == ["Final loss", "Optimum's loss", "Final w", "Final b"]
    assert at.metric[1].value == "1.036"
    assert any(c.value.startswith("Optimum: w* = 0.9331, b* = 2.998") for c in at.caption)
    text = " ".join(m.value for m in at.markdown)
    assert "α < 0.002122" in text and "α < 1.00" in text
    assert len(at.get("plotly_chart")) == 3  # training, loss curves, one mini-batch update
    assert "torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.0)" in at.code[0].value
    assert "batch_size=16" in at.code[0].value


def test_raw_features_with_the_same_rate_diverge_and_the_page_says_why():
    at = open_page("data")
    at.radio(key="dt_scale").set_value("raw").run()
    (summary,) = summaries(at)
    assert "diverged at update" in summary and at.error
    text = " ".join(m.value for m in at.markdown)
    assert "above the raw limit" in text and "long, narrow ravine" in text
    at.number_input(key="dt_lr").set_value(0.002).run()
    assert "diverged" not in summaries(at)[0]


def test_flavours_and_the_race():
    at = open_page("data")
    at.radio(key="dt_gd").set_value("batch").run()
    assert summaries(at)[0].startswith("**Batch (B = 244)**: after 20 epochs (20 updates)")
    assert len(at.get("plotly_chart")) == 2  # no mini-batch inspector for full batches
    at.radio(key="dt_gd").set_value("stochastic").run()
    assert "(4,880 updates)" in summaries(at)[0]
    at.toggle(key="dt_race").set_value(True).run()
    labels = [s.split("**")[1] for s in summaries(at)]
    assert labels == ["Batch (B = 244)", "Stochastic (B = 1)", "Mini-batch (B = 16)"]
    legend = [t.get("name") for t in figure(at, 0)["data"] if t.get("showlegend", True)]
    assert {"Batch (B = 244)", "Stochastic (B = 1)", "Mini-batch (B = 16)"} <= set(legend)


def test_classification_offers_the_three_neurons_and_the_surface_pair():
    at = open_page("data", {"d": "iris", "model": "sigmoid_mse", "w0": "-5", "b0": "5"})
    assert at.selectbox(key="dt_model").options == [
        "Linear neuron + squared error",
        "Sigmoid + cross-entropy",
        "Sigmoid + squared error",
    ]
    assert "the mismatched loss" in at.selectbox(key="dt_model").help  # the full titles
    assert any("The mismatched loss" in m.value for m in at.markdown)
    surfaces = figure(at, 3)
    titles = [a["text"] for a in surfaces["layout"]["annotations"]]
    assert titles == [
        "Linear + squared error: a bowl",
        "Sigmoid + cross-entropy: convex",
        "Sigmoid + squared error: plateaus",
    ]
    fits = figure(at, 4)  # the three neurons' curves through the same irises
    names = [t["name"] for t in fits["data"]]
    assert "linear + MSE: after 20 epochs" in names and "sigmoid + cross-entropy: optimum" in names
    # From the saturated start, squared error is stuck on its plateau: far above its optimum.
    assert "× the optimum's" in summaries(at)[0]


def test_a_poor_initialisation_typed_in_moves_the_start_and_the_link():
    at = open_page("data")
    at.number_input(key="dt_w0").set_value(-2.0).run()
    at.number_input(key="dt_b0").set_value(5.0).run()
    point = figure(at, 0)["frames"][0]["data"][1]  # the current point at epoch 0
    assert (untyped(point["x"])[0], untyped(point["y"])[0]) == (-2.0, 5.0)
    assert at.query_params["w0"] == "-2" and at.query_params["b0"] == "5"
    # A value past the map is clamped to its edge by the input, not refused with a traceback.
    at.number_input(key="dt_w0").set_value(3.004).run()
    assert not at.exception and summaries(at)


def test_a_link_loads_every_setting_and_bad_values_warn():
    at = open_page(
        "data",
        {"d": "gapminder", "scale": "raw", "gd": "batch", "epochs": "40", "lr": "0.05",
         "mom": "0.5", "seed": "2", "w0": "10", "b0": "20"},
    )  # fmt: skip
    s = at.session_state
    assert (s.dt_d, s.dt_scale, s.dt_gd, s.dt_epochs, s.dt_lr, s.dt_mom, s.dt_seed) == (
        "gapminder", "raw", "batch", 40, 0.05, 0.5, 2,
    )  # fmt: skip
    assert (s.dt_w0, s.dt_b0) == (10.0, 20.0)
    assert not url_warnings(at)
    at = open_page("data", {"d": "tips", "B": "1000", "model": "logistic", "lr": "-1"})
    assert len(url_warnings(at)) == 3
    assert summaries(at)[0].startswith("**Mini-batch (B = 16)**")


def test_upload_trains_on_the_chosen_columns():
    at = upload(open_page("data"), GOOD_CSV, "grades.csv")
    assert (at.selectbox(key="dt_feature").value, at.selectbox(key="dt_target").value) == (
        "hours",
        "score",
    )
    assert summaries(at)[0].startswith("**Mini-batch (B = 8)**")  # the batch is clamped to n
    assert figure(at, 0)["layout"]["xaxis2"]["title"]["text"] == "hours"
    at.radio(key="dt_task").set_value("classification").run()
    assert at.selectbox(key="dt_target").value == "passed"
    at.selectbox(key="dt_model").set_value("logistic").run()
    assert not at.error and summaries(at)
    assert "df['passed'].astype(str).str.strip() == 'yes'" in at.code[0].value


BAD_UPLOADS = [
    (b"", "the file is empty"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV"),
    (b"no commas here\n1\n2\n", "does not look like a CSV"),
    (b"a,b\nx,u\ny,v\n", "feature column 'a' is not numeric"),
    (b"a,b\n1,x\n2,y\n", "target column 'b' is not numeric"),
    (b"a,b\n1,2\n,3\n4,5\n", "missing, NaN or infinite values in data row(s) 2"),
    (b"a,b\n1,2\nnan,3\n", "missing, NaN or infinite"),
    (b"a,b\n1,2\n", "at least two rows"),
    (b"a,b\n" + b"1,2\n" * (datasets.MAX_ROWS + 1), "the limit is 5,000"),
    (b"a,b\n1," + b"9" * datasets.MAX_BYTES + b"\n", "the limit is 1 MB"),
]


@pytest.mark.parametrize(("content", "message"), BAD_UPLOADS)
def test_every_bad_upload_gets_its_message_and_the_page_keeps_working(content, message):
    at = upload(open_page("data"), content)
    assert len(at.error) == 1 and message in shown(at.error[0].value), [e.value for e in at.error]
    assert "mine.csv" in shown(at.error[0].value)
    # The page still works: back to an example, it trains again.
    at.selectbox(key="dt_d").set_value("tips").run()
    assert not at.error and summaries(at)


def test_without_a_file_the_page_explains_what_to_upload():
    at = open_page("data", {"d": "upload"})
    assert not at.error and "Upload a CSV file" in at.info[0].value


def test_a_lesson_loads_its_settings_and_says_what_to_look_for():
    at = open_page("data")
    at.selectbox(key="dt_lesson").set_value("The mismatched loss: a sigmoid stuck on a plateau")
    at.run()
    s = at.session_state
    assert (s.dt_d, s.dt_model, s.dt_w0, s.dt_b0, s.dt_lr) == (
        "iris",
        "sigmoid_mse",
        -5.0,
        5.0,
        0.5,
    )
    assert at.info and "confidently wrong" in at.info[0].value
    assert "× the optimum's" in summaries(at)[0]
    at.number_input(key="dt_lr").set_value(0.4).run()  # changed by hand: the lesson box goes
    assert not at.info


def test_the_mini_batch_overlay_toggle_adds_level_curves_to_the_animation():
    at = open_page("data")
    assert len(figure(at, 0)["frames"][1]["data"]) == 4
    at.toggle(key="dt_overlay").set_value(True).run()
    frame = figure(at, 0)["frames"][1]["data"]
    assert len(frame) == 5 and len(untyped(frame[4]["x"])) > 100  # three ellipses
    at.toggle(key="dt_race").set_value(True).run()  # no overlay in a race: one batch per run
    assert not [t for t in at.toggle if t.key == "dt_overlay"]


def test_an_upload_can_model_the_log_of_its_feature():
    content = b"income,life\n1000,50\n3000,58\n10000,67\n30000,74\n100000,80\n"
    at = upload(open_page("data"), content, "g.csv")
    at.toggle(key="dt_logx").set_value(True).run()
    assert figure(at, 0)["layout"]["xaxis2"]["title"]["text"] == "log₁₀ income"
    assert "np.log10(df['income']" in at.code[0].value
    at.file_uploader(key="dt_file").set_value(("g.csv", content + b"0,40\n", "text/csv")).run()
    assert "log₁₀ needs positive values" in at.error[0].value


def test_the_data_scrubber_trains_at_every_rate_and_keeps_the_readouts():
    at = open_page("data")
    at.button_group(key="dt_view").set_value("Scrub α").run()
    assert not at.exception
    keys = [c.key for c in at.get("plotly_chart")]
    assert keys[0] == "dt_scrub" and "dt_map" not in keys
    assert scrubber(at)[1] == 0.1
    assert any("rates, the same batches for every rate" in c.value for c in at.caption)
    assert at.metric[0].label == "Final loss"  # your α's run, as before


def test_picking_an_update_redraws_its_batch_picture():
    at = open_page("data")
    keys = [c.key for c in at.get("plotly_chart")]
    batch = keys.index("dt_batch")
    first = figure(at, batch)
    at.slider(key="dt_t").set_value(3).run()
    assert not at.exception
    assert figure(at, batch) != first
    assert at.slider(key="dt_t").value == 3
