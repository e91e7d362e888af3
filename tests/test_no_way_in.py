"""No way in: what a hostile link, file, formula or forged websocket message can do to a page,
to another user, or to the server (issue 25). Each test drives the real page or the real
mechanism and checks the sentence a user reads or the number the server keeps."""

from __future__ import annotations

import gc
import json
import re
import tracemalloc

import numpy as np
import pytest
import streamlit as st
from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.state.common import user_key_from_element_id
from streamlit.runtime.uploaded_file_manager import UploadedFileRec
from streamlit.testing.v1.element_tree import ElementTree

from gdviz import descend, settings
from gdviz.core import landscapes, optim
from gdviz.core.descent import TooLongError
from gdviz.expr import compile_expression
from gdviz.settings import links
from gdviz.ui import forged, guard, uploads
from gdviz.ui.urls import MAX_ECHO
from tests.helpers import open_page, results_table, shown, status


def messages(at) -> list[str]:
    """Every message box on the page, as a reader sees it."""
    return [shown(m.value) for kind in (at.error, at.warning, at.info) for m in kind]


# -- 1, 2. arithmetic faults in a formula are the language's own refusals ----------------------


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("landscape", {"f": "custom", "expr": "x/0"}),
        ("hiker", {"f": "custom", "expr": "x/0"}),
        ("landscape", {"f": "custom", "expr": "(1-1)**x"}),
        ("landscape", {"f": "custom", "expr": "x+0x" + "f" * 280}),
    ],
)
def test_a_zero_or_a_long_literal_in_a_linked_formula_is_one_sentence(page, query):
    at = open_page(page, query)  # open_page asserts there is no exception
    said = " ".join(messages(at))
    assert "Ignored the custom function in the link" in said
    assert "at column" in said and "Traceback" not in said


def test_typing_a_zero_divisor_into_the_formula_box_keeps_the_page():
    at = open_page("landscape", {"f": "custom", "expr": "x**2 + y**2"})
    charts = len(at.get("plotly_chart"))
    at.text_input(key="ls_f_expr").set_value("x/0").run()
    assert not at.exception
    assert any("division by zero at column 3" in m for m in messages(at))
    at.run()  # and again on the next rerun: the refusal, never a traceback
    assert not at.exception and len(at.get("plotly_chart")) == charts


def test_settings_json_with_a_zero_divisor_is_refused_in_words():
    cfg = settings.RunConfig()
    payload = json.loads(cfg.model_dump_json())
    payload.update(landscape="custom", expression="x/(pi-pi)", bounds=[[-3, 3], [-3, 3]])
    with pytest.raises(ValueError, match="division by zero at column 4"):
        settings.RunConfig.model_validate_json(json.dumps(payload))


# -- the page frame's guard ----------------------------------------------------------------------


def test_an_unexpected_error_is_one_sentence_and_a_log_line(monkeypatch, caplog):
    monkeypatch.setenv(guard.RAISE_ENV, "0")

    def broken(_cfg):
        raise RuntimeError("/srv/secret/path.py exploded")

    monkeypatch.setattr(settings, "run", broken)
    at = open_page("landscape", {"steps": "321"})  # a setting no other test caches
    errors = [e.value for e in at.error]
    assert len(errors) == 1 and errors[0].startswith("Something went wrong while drawing")
    assert "/srv/secret" not in errors[0] and "RuntimeError" not in errors[0]
    assert "/srv/secret/path.py exploded" in caplog.text  # the full error is in the log


def test_after_an_unexpected_error_the_page_comes_back_as_it_last_worked(monkeypatch, caplog):
    monkeypatch.setenv(guard.RAISE_ENV, "0")
    at = open_page("landscape", {"steps": "123"})
    charts = len(at.get("plotly_chart"))
    real = settings.run

    def broken_at_456(cfg):
        if cfg.steps == 456:
            raise RuntimeError("456 steps exploded")
        return real(cfg)

    monkeypatch.setattr(settings, "run", broken_at_456)
    at.number_input(key="ls_steps").set_value(456).run()
    assert not at.exception and not at.error
    assert at.session_state.ls_steps == 123  # the last settings that worked, back
    assert len(at.get("plotly_chart")) == charts
    said = [shown(w.value) for w in at.warning]
    assert any("The page is back as it was before that change" in w for w in said)
    assert "456 steps exploded" in caplog.text
    at.run()  # said once
    assert not any("is back as it was" in shown(w.value) for w in at.warning)


def test_no_traceback_leaves_the_server():
    from pathlib import Path

    config = (Path(__file__).parents[1] / ".streamlit/config.toml").read_text()
    client = config.split("[client]", 1)[1].split("\n[", 1)[0]
    assert 'showErrorDetails = "none"' in client.splitlines()


# -- 3, 4. user text: inert in every table, clipped in every echo ---------------------------------


def test_compare_labels_from_a_shared_link_are_plain_text_in_the_results_table():
    hostile = ["**PWNb** [PWNl](http://x)", "$PWNm$ :red[PWNc]"]
    cfg = settings.CompareConfig(
        runs=[{"label": label, "optimizer": {"kind": "sgd", "lr": 0.01}} for label in hostile]
    )
    at = open_page("compare", links.compare_to_query(cfg))
    raw = list(at.table[0].value.index)
    for cell in raw:
        for mark in ("**", "](", ":red["):
            assert mark not in cell
        assert re.search(r"(?<!\\)[$*\[\]]", cell) is None  # every mark escaped
    assert list(results_table(at).index) == hostile  # what a reader sees: the labels as typed


@pytest.mark.parametrize("key", ["opt", "sched", "f", "lr"])
def test_a_20000_character_link_value_is_echoed_in_at_most_600_characters(key):
    at = open_page("landscape", {key: "Z" * 20_000})
    said = messages(at)
    assert said and max(len(m) for m in said) <= MAX_ECHO


def test_a_link_with_a_thousand_unknown_keys_gives_one_warning():
    at = open_page("landscape", {f"k{i}": "1" for i in range(1000)})
    warnings = [m for m in messages(at) if "unknown" in m]
    assert warnings == [
        "Ignored 1,000 unknown settings in the link ('k0', 'k1', 'k10' and others)."
    ]


# -- 5. every heavy request is bounded: by its estimated work, and by a deadline ----------------


# Timed against Rastrigin: never beside the tests that keep both cores busy (test_parallel).
@pytest.mark.xdist_group("cores")
def test_a_typed_formulas_cost_is_timed_not_counted():
    tiny = compile_expression("x**64 + y**64", bounds=((-3e-5, 3e-5), (-3e-5, 3e-5)))
    costly = compile_expression("+".join(f"x**{k}" for k in range(2, 32)))
    bowl = compile_expression("x**2 + y**2")
    # Subnormal powers and far-flung runs cost what they cost; a plain bowl costs a built-in.
    assert tiny.cost > 3 and costly.cost > 15 and bowl.cost < 2


@pytest.mark.parametrize(
    ("model", "fields", "fits"),
    [
        (
            settings.BasinConfig,
            {"expression": "x**64+y**64", "bounds": ((-3e-5, 3e-5), (-3e-5, 3e-5)),
             "resolution": 256, "steps": 1000},
            "try at most",
        ),
        (
            settings.SweepConfig,
            {"expression": "+".join(f"x**{k}" for k in range(2, 32)), "start": (1.0, 1.0),
             "n_rates": 1000, "steps": 1000},
            "rates, or at most",
        ),
    ],
)  # fmt: skip
def test_heavy_requests_on_costly_formulas_are_refused_with_a_size_that_fits(model, fields, fits):
    with pytest.raises(ValueError, match="too much work for one request") as info:
        model(landscape="custom", **fields)
    assert fits in str(info.value)


def test_a_built_in_keeps_its_largest_basin_map():
    settings.BasinConfig(landscape="rastrigin", resolution=256, steps=1000)  # no refusal


def test_a_descent_past_its_deadline_stops_and_says_where():
    bowl = landscapes.get("bowl")
    with pytest.raises(TooLongError) as info:
        descend(bowl, optim.sgd(0.01), np.zeros((4, 2)) + 1, 50, seconds=0.0)
    assert info.value.step == 0 and info.value.steps == 50
    assert str(info.value) == "stopped after 0 s, at step 0 of 50"


def test_a_basin_map_past_the_deadline_shows_a_sentence_and_the_page_goes_on(monkeypatch):
    monkeypatch.setattr(settings.build, "MAX_SECONDS", 0.0)
    basin = settings.BasinConfig(landscape="himmelblau", resolution=16, steps=77)  # uncached
    at = open_page("sweep", {"b": links.model_to_link(basin)})
    said = " ".join(messages(at))
    assert "stopped a basin map of 256 starts × 77 steps after 0 s, at step 0 of 77" in said
    assert "Try fewer steps or a smaller grid." in said
    from gdviz.ui.runs import HEAVY

    # Stopped, not computed: asking again waits its turn again.
    assert not HEAVY.known(f"basins|{settings.BasinConfig.model_validate(basin).model_dump_json()}")


# -- 6. a session's memory is bounded, however many settings it tries ---------------------------


def _metadata(at) -> dict:
    return at.session_state._state._state._new_widget_state.widget_metadata


def test_a_tab_trying_many_settings_keeps_no_runs_alive():
    at = open_page("landscape")

    def kept() -> int:
        st.cache_data.clear()
        st.cache_resource.clear()
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        at.number_input(key="ls_lr").set_value(0.0011).run()
        before = kept()
        for i in range(20):
            at.number_input(key="ls_lr").set_value(0.0012 + i * 1e-4).run()
        grown = kept() - before
    finally:
        tracemalloc.stop()
    # Before: every new map pinned its run through the click callback (~0.5 MB a setting).
    assert grown < 3e6, f"{grown / 1e6:.1f} MB kept by one tab over 20 settings"
    charts = [m for m in _metadata(at).values() if m.id.endswith("ls_map") or "ls_map" in m.id]
    assert len(charts) <= 2


# -- 7. forged widget values --------------------------------------------------------------------


@pytest.fixture
def forge(monkeypatch):
    """``forge(key, string_value="…")``: the next runs send that raw value for widget ``key``,
    as a script on the websocket could (a browser only sends the options it shows)."""
    forged: dict[str, dict] = {}
    original = ElementTree.get_widget_states

    def with_forgeries(self) -> WidgetStates:
        states = original(self)
        for widget in states.widgets:
            value = forged.get(user_key_from_element_id(widget.id) or "")
            if value is not None:
                for field, given in value.items():
                    setattr(widget, field, given)
        return states

    monkeypatch.setattr(ElementTree, "get_widget_states", with_forgeries)
    return lambda key, **value: forged.__setitem__(key, value)


@pytest.mark.parametrize(
    ("page", "key", "forged", "back_to"),
    [
        ("landscape", "ls_opt", "lbfgs", "sgd"),
        ("landscape", "ls_f", "../../etc/passwd", "bowl"),
        ("landscape", "ls_sched", "**PWN**", "constant"),
        ("hiker", "hiker_f", "**PWN** <img>", "parabola"),
        ("hiker", "hiker_f", "rosenbrock", "parabola"),
        ("data", "dt_lesson", "no such lesson", None),
        ("compare", "cmp_preset", "no such preset", None),
        ("data", "dt_d", "iris'; drop", "tips"),
    ],
)
def test_a_forged_choice_gets_a_valid_value_and_one_line(forge, page, key, forged, back_to):
    at = open_page(page)
    forge(key, string_value=forged)
    at.run()
    assert not at.exception
    value = at.session_state[key]
    assert value != forged and (back_to is None or value == back_to)
    toasts = [shown(t.value) for t in at.toast]
    assert any("is not one of its choices" in t for t in toasts)
    for toast in at.toast:  # inert: every mark escaped
        assert re.search(r"(?<!\\)[*<\[]", toast.value) is None, toast.value
    assert all(forged not in t or len(forged) <= 38 for t in toasts)


def test_a_forged_lesson_number_keeps_the_lesson(forge):
    at = open_page("lessons")
    forge("lesson_pick_0", string_value="99")
    at.run()
    assert not at.exception and at.session_state["lesson_pick_0"] == 0


# -- 8. uploads: a few files and a few megabytes a session -------------------------------------


def test_an_upload_flood_keeps_a_few_files_and_the_newest():
    manager = uploads.cap(MemoryUploadedFileManager("/_stcore/upload_file"))
    assert uploads.cap(manager) is manager  # installed once
    megabyte = b"z" * 1_000_000
    for i in range(300):
        manager.add_file("flood", UploadedFileRec(f"id{i}", f"f{i}.csv", "text/csv", megabyte))
    manager.add_file("other", UploadedFileRec("mine", "mine.csv", "text/csv", b"x,y\n1,2\n"))
    kept = manager.file_storage["flood"]
    assert len(kept) <= uploads.MAX_FILES and "id299" in kept
    assert sum(len(f.data) for f in kept.values()) <= uploads.MAX_BYTES
    assert list(manager.file_storage["other"]) == ["mine"]  # another session is untouched
    assert manager._total_bytes == sum(
        len(f.data) for files in manager.file_storage.values() for f in files.values()
    )


# -- 9. a hike whose rate changed on the way comes back from its link ---------------------------


def test_a_hike_with_a_change_of_rate_is_rebuilt_from_its_link_at_the_same_step():
    at = open_page("hiker", {"f": "parabola", "lr": "0.1", "x0": "-4"})
    for _ in range(3):
        at.button(key="hiker_step").click().run()
    at.number_input(key="hiker_lr").set_value(0.3).run()
    for _ in range(2):
        at.button(key="hiker_step").click().run()
    query = dict(at.query_params)
    assert query["n"] == "5" and query["walk"] == "0.1*3"
    again = open_page("hiker", query)
    assert status(again) == status(at) and status(at).startswith("Step: 5")
    assert again.session_state.hike.positions == at.session_state.hike.positions
    assert again.session_state.hike.rates == (0.1, 0.1, 0.1, 0.3, 0.3)


def test_a_forged_walk_in_a_link_is_one_sentence():
    cfg, warnings = links.hiker_from_query({"f": "parabola", "n": "2", "walk": "0.1*9"})
    assert cfg.steps == 2 and cfg.earlier == ()
    assert warnings == [
        "Ignored walk='0.1*9' from the link (the earlier rates take more steps than the 2 the "
        "hiker has taken); using the default."
    ]


@pytest.mark.parametrize(
    ("page", "key", "value"),
    [
        ("hiker", "hiker_lr", {"string_value": "abc"}),
        ("hiker", "hiker_x0", {"string_value": "-4; drop"}),
        ("sweep", "bs_steps", {"string_value": "1e99"}),
        ("landscape", "ls_lr", {"bool_value": True}),
    ],
)
def test_a_forged_non_number_is_refused_in_a_line_and_the_tab_keeps_working(
    forge, page, key, value
):
    """Before: a TypeError inside Streamlit on this run and every later one of the session."""
    at = open_page(page)
    before = at.session_state[key]
    forge(key, **value)
    at.run()
    assert not at.exception and at.session_state[key] == before  # the widget keeps its value
    assert any("did not fit its widget" in shown(t.value) for t in at.toast)
    at.run()
    assert not at.exception


def test_a_forged_number_out_of_range_is_dropped_and_said(forge):
    at = open_page("hiker")
    forge("hiker_lr", double_value=1e9)
    at.run()
    # Before: Streamlit reset α to the box's first value, 0.0001, without a word.
    assert not at.exception and at.session_state.hiker_lr == 0.1
    toasts = [shown(t.value) for t in at.toast]
    said = "1e+09, was outside its box's range [0.0001, 5]: the box kept its value."
    assert any(said in t for t in toasts)


def test_a_number_widget_falls_back_when_no_kind_is_known_yet():
    """A reconnecting tab's first run has no widget metadata to check a value's kind against:
    there the number deserializers themselves fall back to the widget's value, and say so."""
    from streamlit.elements.widgets.number_input import NumberInputSerde
    from streamlit.proto.NumberInput_pb2 import NumberInput

    forged.harden()
    forged.take_notes()
    serde = NumberInputSerde(0.1, NumberInput.FLOAT, 1e-4, 5.0)
    assert serde.deserialize("abc") == 0.1 and serde.deserialize(0.3) == 0.3
    assert forged.take_notes() == [
        "A value sent to this page for a number was not a number ('abc'): its box went back to 0.1."
    ]
