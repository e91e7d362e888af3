"""Hostile files and links: uploads built to exhaust memory, text built to become code or markup,
links built to keep the server busy or to be silently bent. Each test failed before its fix."""

from __future__ import annotations

import ast
import math
import re
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from gdviz import settings
from gdviz.core import landscapes
from gdviz.figures import data as data_figs
from gdviz.figures import race as race_figs
from gdviz.figures import sweep as sweep_figs
from gdviz.figures.style import plain
from gdviz.learning import datasets, snippet, training
from gdviz.settings import links
from gdviz.teach import hiker, narrate
from gdviz.ui.text import inert
from harness.hostile import bomb_upload, densest_numbers, six_long_cells
from tests.helpers import figure, open_page, shown, url_warnings

ROOT = Path(__file__).resolve().parents[1]
MB = 1_000_000


def peak_megabytes(content: bytes) -> tuple[float, datasets.Table | None]:
    tracemalloc.start()
    try:
        table = datasets.read_csv(content)
    except datasets.DataError:
        table = None
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / MB, table


# -- 1. memory bomb by upload ------------------------------------------------------------------


@pytest.mark.parametrize("make", [bomb_upload, six_long_cells, densest_numbers])
def test_no_upload_takes_more_than_20_mb(make):
    content = make()
    assert len(content) <= datasets.MAX_BYTES
    peak, table = peak_megabytes(content)
    assert peak < 20, f"{make.__name__}: {peak:.1f} MB"
    assert table is not None  # each of these is a usable file


def test_long_or_many_valued_text_columns_keep_only_their_name():
    _, table = peak_megabytes(bomb_upload())
    assert table.numeric == ["x", "y"] and list(table.free_text) == ["t"]
    assert table.names == ["x", "y", "t"]
    assert table.free_text["t"] == "a"  # an example cell (at most 40 characters) for messages
    with pytest.raises(datasets.DataError, match="'t' is free text"):
        table.xy("x", "t", "classification")
    x, y, _ = table.xy("x", "y", "regression")  # the numeric columns still train
    assert len(x) == 5000 and y[10] == 20.0
    # Up to 50 distinct short texts are kept (a class target), shared, never padded.
    few = "k,c\n" + "\n".join(f"{i},{'ab'[i % 2]}" for i in range(100))
    table = datasets.read_csv(few.encode())
    assert table.columns["c"].dtype == object and table.n_distinct("c") == 2
    many = "k,c\n" + "\n".join(f"{i},label{i}" for i in range(60))
    assert "c" in datasets.read_csv(many.encode()).free_text


def test_the_server_refuses_large_bodies_and_says_the_real_limit():
    server_config = (ROOT / ".streamlit" / "config.toml").read_text()  # (tomllib needs 3.11)
    limit_mb = int(re.search(r"^maxUploadSize\s*=\s*(\d+)", server_config, re.MULTILINE)[1])
    assert limit_mb == 1 and limit_mb * 2**20 >= datasets.MAX_BYTES
    at = open_page("data")
    at.selectbox(key="dt_d").set_value("upload").run()
    assert at.get("file_uploader")[0].proto.max_upload_size_mb == 1


def test_header_names_are_one_line_and_short():
    table = datasets.read_csv(b'x,"tip\nimport os\n#",' + b"n" * 500 + b"\n1,2,3\n4,5,6\n")
    assert table.names[1] == "tip import os #"
    assert len(table.names[2]) == datasets.MAX_NAME_CHARS and table.names[2].endswith("…")


def test_decimal_commas_are_named_as_the_likely_cause():
    table = datasets.read_csv(b"a;b\n1,5;2,5\n2,5;3,5\n")
    with pytest.raises(datasets.DataError, match="decimal comma"):
        table.xy("a", "b", "regression")


# -- 2. a typed function with no minimum on the map ------------------------------------------


@pytest.mark.parametrize("formula", ["x + y", "x", "exp(x) + y"])
def test_a_sweep_over_a_function_without_a_minimum_says_so(formula):
    cfg = settings.SweepConfig(
        landscape="custom", expression=formula, bounds=((-3, 3), (-3, 3)), start=(0, 0)
    )
    result = settings.run_sweep(cfg)
    assert result.minimum is None and result.critical == math.inf
    words = narrate.sweep_report(result, result)[0]
    assert "no minimum on the map" in words
    sweep_figs.sweep_figure(result, result)  # draws without a critical line
    basin = settings.run_basins(
        settings.BasinConfig(
            landscape="custom", expression=formula, bounds=((-3, 3), (-3, 3)), resolution=16
        )
    )
    assert (basin.label < 0).all()  # every cell: not settled or diverged, none at a minimum


def test_the_sweep_page_runs_on_a_function_without_a_minimum():
    link = links.model_to_link(
        settings.SweepConfig(
            landscape="custom", expression="x+y", bounds=((-3, 3), (-3, 3)), start=(0, 0)
        )
    )
    basin = links.model_to_link(
        settings.BasinConfig(
            landscape="custom", expression="x+y", bounds=((-3, 3), (-3, 3)), resolution=32
        )
    )
    at = open_page("sweep", {"s": link, "b": basin})
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2  # the sweep chart and the basin map
    assert any("no minimum on the map" in shown(m.value) for m in at.markdown)


# -- 3. the sweep chart: a few shapes, whatever the number of bands --------------------------


def jagged_sweep():
    cfg = settings.SweepConfig(
        landscape="rastrigin", start=(0, -3.07), lr_min=0.01, lr_max=1, n_rates=1000
    )
    return settings.run_sweep(cfg), settings.run_sweep(cfg, 10 * cfg.steps)


def test_the_reported_link_draws_its_regions_as_one_shape_per_region_and_panel():
    short, long = jagged_sweep()
    spans = sweep_figs._region_spans(short.lrs, short.region)
    assert len(spans) > 500  # the reported link: 548 bands
    fig = sweep_figs.sweep_figure(short, long)
    shapes = [s for s in fig.layout.shapes if s.type == "path"]
    present = sorted({kind for _, _, kind in spans})
    assert len(shapes) == 2 * len(present) <= 8
    for shape in shapes:  # every band of its region, in data units, and nothing else
        bands = [(x0, x1) for x0, x1, kind in spans if kind == shape.name]
        drawn = [
            tuple(float(v) for v in part.split("V")[0].split(",0H"))
            for part in shape.path.split("M")[1:]
        ]
        np.testing.assert_allclose(drawn, bands, rtol=1e-7)
        assert shape.yref in ("y domain", "y2 domain")


def test_the_worst_sweep_link_is_bounded_by_the_model():
    """The most a link can ask of one sweep is 1,000 rates × (1,000 + 10,000) steps: with the
    chart at a few shapes, that is one computation of about a second here (the benchmark prints
    it), so Streamlit's stop for a closed tab lands at the next page element, not minutes later.
    """
    with pytest.raises(ValueError, match="less than or equal to 1000"):
        settings.SweepConfig(n_rates=1001)
    with pytest.raises(ValueError, match=f"less than or equal to {settings.SWEEP_MAX_STEPS}"):
        settings.SweepConfig(steps=settings.SWEEP_MAX_STEPS + 1)


def test_the_largest_basin_map_of_a_built_in_is_allowed():
    cfg = settings.BasinConfig(landscape="rastrigin", resolution=256, steps=1000)
    assert cfg.resolution**2 * cfg.steps <= settings.MAX_WORK


def test_a_basin_map_over_a_costly_formula_is_refused_with_a_size_that_fits():
    """A typed formula costs more per start and step than a built-in (its Landscape.cost): the
    largest map of a costly one is refused, naming the limit and a grid or step count that
    runs (about 10 s at most here; benchmarks/bench_limits.py prints the times)."""
    formula = "+".join(f"x**{k}" for k in range(2, 30))
    payload = {"landscape": "custom", "expression": formula, "bounds": [[0.5, 2], [0.5, 2]]}
    with pytest.raises(ValueError, match="too much work for one request") as refused:
        settings.BasinConfig.model_validate({**payload, "resolution": 256, "steps": 1000})
    text = str(refused.value)
    steps = int(re.search(r"at most ([\d,]+) steps on this grid", text)[1].replace(",", ""))
    side = int(re.search(r"a grid of at most (\d+) at 1,000 steps", text)[1])
    assert 16 <= side < 256
    assert 1 <= steps < 1000
    settings.BasinConfig.model_validate({**payload, "resolution": 256, "steps": steps})
    settings.BasinConfig.model_validate({**payload, "resolution": side, "steps": 1000})
    with pytest.raises(ValueError, match="too much work"):
        settings.BasinConfig.model_validate({**payload, "resolution": 256, "steps": steps + 1})


# -- 4. code injected into the PyTorch script --------------------------------------------------


def statement_shape(code: str) -> list[str]:
    """The node types of a script, in order: equal for two scripts with the same statements
    that differ only in their string and number constants."""
    return [type(node).__name__ for node in ast.walk(ast.parse(code))]


@pytest.mark.parametrize(
    "header",
    [
        b"x,\"tip\nimport os; os.system('echo INJECTED')\n#\"",
        b'x,"tip\rimport os\r#"',
        b'x,"tip\x0cimport os"',
        'x,"tip\u2028import os\u2029#"'.encode(),
    ],
)
def test_no_text_in_a_file_becomes_a_statement_of_the_generated_script(header):
    hostile = datasets.read_csv(header + b"\n1,2\n2,3\n3,5\n")
    benign = datasets.read_csv(b"x,tip\n1,2\n2,3\n3,5\n")
    scripts = []
    for table in (hostile, benign):
        target = table.names[1]
        ds = datasets.from_table(table, "x", target, "regression", "f.csv\nimport os")
        scripts.append(
            snippet.pytorch_snippet(
                ds,
                model="linear",
                scaling="raw",
                batch_size=3,
                epochs=1,
                lr=0.1,
                momentum=0.0,
                seed=0,
                start=(0.0, 0.0),
                feature="x",
                target=target,
            )
        )
    assert statement_shape(scripts[0]) == statement_shape(scripts[1])
    assert not any(line.lstrip().startswith("import os") for line in scripts[0].splitlines())


def test_a_class_name_cannot_start_a_line_of_the_script():
    table = datasets.read_csv(b'x,c\n1,"yes\nimport os"\n2,no\n3,"yes\nimport os"\n')
    ds = datasets.from_table(table, "x", "c", "classification", "f.csv")
    code = snippet.pytorch_snippet(
        ds, model="logistic", scaling="raw", batch_size=3, epochs=1, lr=0.1, momentum=0.0,
        seed=0, start=(0.0, 0.0), feature="x", target="c",
    )  # fmt: skip
    benign = datasets.from_table(
        datasets.read_csv(b"x,c\n1,yes\n2,no\n3,yes\n"), "x", "c", "classification", "f.csv"
    )
    reference = snippet.pytorch_snippet(
        benign, model="logistic", scaling="raw", batch_size=3, epochs=1, lr=0.1, momentum=0.0,
        seed=0, start=(0.0, 0.0), feature="x", target="c",
    )  # fmt: skip
    assert statement_shape(code) == statement_shape(reference)
    assert "== 'yes\\nimport os'" in code  # the class as a literal, escapes and all


# -- 5. user text shown as text, never as markup -------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "**BOLD** [click me](http://127.0.0.1:9/x)",
        "![t](http://127.0.0.1:9/t.png) <b>hi</b> $x$ :red[alarm] `code`",
        "# heading\n- item",
    ],
)
def test_inert_text_reads_back_as_typed(text):
    escaped = inert(text)
    assert shown(escaped) == text.replace("\n", " ")
    for mark in ("**", "](", "![", "<b>", "$x$", ":red[", "`code`"):
        assert mark not in escaped


def test_link_values_echo_as_text_and_figures_show_labels_literally():
    at = open_page("landscape", {"opt": "**BOLD** [click me](http://127.0.0.1:9/x)"})
    warning = next(w.value for w in at.warning if "opt" in w.value)
    assert "[click me](" not in warning and "**BOLD**" not in warning
    assert "opt='**BOLD** [click me](http://127.0.0.1:…'" in shown(warning)  # clipped at 40
    ls = landscapes.get("bowl")
    traj = settings.run(settings.RunConfig(landscape="bowl", start=(1.0, 1.0), steps=5))
    fig = race_figs.race_figure(ls, traj, ['<a href="http://x">x</a>'])
    names = {trace.name for trace in fig.data if trace.name}
    assert '&lt;a href="http://x"&gt;x&lt;/a&gt;' in names
    assert plain("<b>&</b>") == "&lt;b&gt;&amp;&lt;/b&gt;"


def test_uploaded_column_names_are_text_in_titles_and_axes():
    table = datasets.read_csv(b"<b>bill</b>,[tip](http://127.0.0.1:9/)\n1,2\n2,3\n4,4\n")
    ds = datasets.from_table(table, *table.names, "regression", "![t](http://127.0.0.1:9/t)")
    problem = training.make_problem(ds, "linear", "raw")
    runs = learn_runs(problem)
    layout = data_figs.training_figure(problem, runs).layout
    assert layout.xaxis2.title.text == "&lt;b&gt;bill&lt;/b&gt;"
    at = open_page("data")
    at.selectbox(key="dt_d").set_value("upload").run()
    content = b"<b>bill</b>,[tip](http://127.0.0.1:9/)\n1,2\n2,3\n4,4\n"
    at.file_uploader(key="dt_file").set_value(
        ("![t](http://127.0.0.1:9/t).csv", content, "text/csv")
    )
    at.run()
    assert not at.exception
    title = next(m.value for m in at.markdown if "rows)" in m.value)
    assert "](" not in title and "![t](http://127.0.0.1:9/t).csv" in shown(title)


def learn_runs(problem):
    return [training.train(problem, "batch", batch_size=1, epochs=3, lr=0.01, momentum=0.0, seed=0,
                        start=np.zeros(2))]  # fmt: skip


# -- 6. links round-trip exactly, or say what changed ----------------------------------------


def test_a_race_link_round_trips_every_setting():
    cfg = settings.CompareConfig.model_validate(
        {
            "landscape": "bowl", "start": (-2.5, 2.0), "steps": 90, "threshold": 1e-13,
            "runs": [
                {"label": "step", "optimizer": {"kind": "sgd", "lr": 0.05, "dampening": 0.3,
                                                "momentum": 0.5},
                 "schedule": {"kind": "step", "step_size": 7, "gamma": 0.5}},
                {"label": "warm", "optimizer": {"kind": "rmsprop", "lr": 0.01, "alpha": 0.9,
                                                "centered": True},
                 "schedule": {"kind": "warmup", "warmup_steps": 10, "start_factor": 0.2,
                              "then": {"kind": "cosine", "t_max": 50, "eta_min": 0.001}}},
                {"label": "adam", "optimizer": {"kind": "adam", "lr": 0.02, "eps": 1e-6,
                                                "amsgrad": True}},
                {"label": "tiny", "optimizer": {"kind": "sgd", "lr": 1e-8}},
            ],
        }
    )  # fmt: skip
    at = open_page("compare", links.compare_to_query(cfg))
    assert not url_warnings(at) and not at.error
    back, warnings = links.compare_from_query(dict(at.query_params))
    assert not warnings and back == cfg
    rid = at.session_state.cmp_rows[1]["id"]
    options = at.selectbox(key=f"cmp_{rid}_sched").options
    assert (
        "as loaded: warm-up over 10 steps from 0.2×, then cosine to 0.001 over 50 steps" in options
    )
    # Editing what the editor shows keeps what it does not (ε, AMSGrad) on the same optimizer.
    rid = at.session_state.cmp_rows[2]["id"]
    at.number_input(key=f"cmp_{rid}_lr").set_value(0.03).run()
    back, _ = links.compare_from_query(dict(at.query_params))
    assert back.runs[2].optimizer.lr == 0.03 and back.runs[2].optimizer.amsgrad
    assert back.runs[2].optimizer.eps == 1e-6


def test_sweep_and_basin_links_keep_rates_below_the_old_widget_minimum():
    # (A sweep ignores its optimizer's own rate; the page writes the model's default there.)
    sweep_cfg = settings.SweepConfig(lr_min=1e-8, lr_max=1e-7, optimizer={"kind": "sgd"})
    basin_cfg = settings.BasinConfig(optimizer={"kind": "sgd", "lr": 1e-7})
    at = open_page(
        "sweep", {"s": links.model_to_link(sweep_cfg), "b": links.model_to_link(basin_cfg)}
    )
    assert not at.error
    query = dict(at.query_params)
    assert links.model_from_link(settings.SweepConfig, query["s"], None, "")[0] == sweep_cfg
    assert links.model_from_link(settings.BasinConfig, query["b"], None, "")[0] == basin_cfg


def test_repeated_copies_number_the_label_once():
    at = open_page("compare")
    for _ in range(3):
        at.button(key="cmp_add").click().run()
    labels = [row["label"] for row in at.session_state.cmp_rows]
    assert labels[-3:] == [f"{labels[-4]} ({n})" for n in (2, 3, 4)]


# -- 7. the hiker at his step limit ----------------------------------------------------------


def test_the_hiker_stops_at_his_step_limit_with_a_sentence():
    walked = hiker.step(hiker.start("parabola", -4.0), 0.001, hiker.MAX_STEPS + 5)
    assert walked.steps == hiker.MAX_STEPS
    assert hiker.step(walked, 0.001, 1) is walked
    at = open_page("hiker", {"f": "parabola", "lr": "0.001", "x0": "-4", "n": "1000"})
    assert at.button(key="hiker_step").disabled and at.button(key="hiker_run10").disabled
    assert any("1,000 steps, the most one hike keeps" in i.value for i in at.info)
    at.button(key="hiker_back").click().run()
    assert not at.error and len(at.get("plotly_chart")) == 2
    assert not at.button(key="hiker_step").disabled


# -- 9. cosmetic: ratios to zero, batch sizes carried over ---------------------------------


def test_a_perfect_fit_is_not_reported_as_a_huge_ratio():
    table = datasets.read_csv(b"x,y\n1,2\n2,4\n3,6\n4,8\n")
    problem = training.make_problem(
        datasets.from_table(table, "x", "y", "regression", "f.csv"), "linear", "raw"
    )
    run = learn_runs(problem)[0]
    words = narrate.training_summary(run, problem.optimum_loss)
    assert "fits these data exactly" in words and "×" not in words


def test_carried_over_batch_sizes_are_refitted_not_refused():
    assert training.fit_budget(["minibatch"], 3, 20, 5000, 20_000) == (5, 20)
    assert training.fit_budget(["stochastic"], 3, 20, 5000, 20_000) == (3, 4)
    assert training.fit_budget(["batch", "stochastic", "minibatch"], 16, 20, 244, 20_000) == (
        16,
        20,
    )
    at = open_page("data")
    at.selectbox(key="dt_d").set_value("upload").run()
    at.file_uploader(key="dt_file").set_value(("three.csv", b"x,y\n1,2\n2,3\n3,5\n", "text/csv"))
    at.run()
    at.slider(key="dt_B").set_value(3).run()
    big = "x,y\n" + "\n".join(f"{i},{2 * i + 1}" for i in range(5000))
    at.file_uploader(key="dt_file").set_value(("big.csv", big.encode(), "text/csv")).run()
    assert not at.exception and not at.error
    assert any("batch size 3 → 5" in i.value for i in at.info)
    assert at.session_state.dt_B == 5
    assert figure(at, 0)["layout"]["xaxis2"]["title"]["text"] == "x"
