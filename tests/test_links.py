"""URL ↔ settings: good links reproduce a view, bad values warn and fall back, never raise."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gdviz.settings import HikerConfig, RunConfig, binding, links


def test_hiker_link_reproduces_the_view():
    cfg, warnings = links.hiker_from_query({"f": "parabola", "lr": "0.1", "x0": "-4"})
    assert cfg == HikerConfig(landscape="parabola", lr=0.1, x0=-4.0)
    assert warnings == []
    assert links.hiker_to_query(cfg) == {"f": "parabola", "lr": "0.1", "x0": "-4"}


def test_a_curve_in_the_link_brings_its_own_defaults():
    cfg, _ = links.hiker_from_query({"f": "double_well"})
    assert (cfg.lr, cfg.x0) == (0.02, 1.8)


@pytest.mark.parametrize(
    ("query", "bad_key"),
    [
        ({"lr": "abc"}, "lr"),
        ({"lr": "-1"}, "lr"),
        ({"lr": "1e9"}, "lr"),
        ({"x0": "99"}, "x0"),
        ({"x0": "nan"}, "x0"),
        ({"f": "moon"}, "f"),
        ({"n": "-3"}, "n"),
    ],
)
def test_bad_hiker_values_warn_and_fall_back(query, bad_key):
    cfg, warnings = links.hiker_from_query(query)
    assert cfg == HikerConfig()
    assert len(warnings) == 1
    assert warnings[0].startswith(f"Ignored {bad_key}=")
    assert "using the default" in warnings[0]


def test_unknown_keys_are_reported_not_fatal():
    cfg, warnings = links.hiker_from_query({"hack": "<script>"})
    assert cfg == HikerConfig()
    assert warnings == ["Ignored unknown setting 'hack' in the link."]


def test_run_link_round_trips():
    query = {
        "f": "himmelblau",
        "opt": "adam",
        "lr": "0.05",
        "b1": "0.8",
        "x0": "1",
        "y0": "-2",
        "steps": "300",
        "sched": "cosine",
        "t_max": "150",
        "noise": "0.1",
        "seed": "7",
    }
    cfg, warnings = links.run_from_query(query)
    assert warnings == []
    assert cfg.optimizer.kind == "adam" and cfg.optimizer.betas == (0.8, 0.999)
    assert cfg.schedule.kind == "cosine" and cfg.schedule.t_max == 150
    again, _ = links.run_from_query(links.run_to_query(cfg))
    assert again == cfg


@pytest.mark.parametrize(
    ("query", "fragment"),
    [
        ({"opt": "lbfgs"}, "Ignored opt='lbfgs'"),
        ({"x0": "100"}, "Ignored x0='100'"),
        ({"steps": "999999"}, "Ignored steps='999999'"),
        ({"opt": "sgd", "nesterov": "true"}, "Ignored nesterov='true'"),
        ({"f": "parabola"}, "not a 2-D landscape"),
        ({"b2": "1.5", "opt": "adam"}, "Ignored b2='1.5'"),
    ],
)
def test_bad_run_values_warn_and_keep_the_rest(query, fragment):
    cfg, warnings = links.run_from_query(query)
    assert isinstance(cfg, RunConfig)
    assert any(fragment in w for w in warnings), warnings


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from([*sorted(binding.RUN_KEYS), "zz"]), st.text(max_size=30)))
def test_any_run_query_gives_a_valid_config(query):
    """Whatever a link holds: a valid config, a warning naming every unknown key, and a config
    whose own link reads back as the same config with no warning."""
    cfg, warnings = links.run_from_query(query)
    assert isinstance(cfg, RunConfig)
    if "zz" in query:
        assert "Ignored unknown setting 'zz' in the link." in warnings
    named = [w.split("=", 1)[0].removeprefix("Ignored ") for w in warnings if "=" in w]
    assert all(key in query for key in named if key.isidentifier())
    again, more = links.run_from_query(links.run_to_query(cfg))
    assert again == cfg and not more


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["f", "lr", "x0", "n", "q"]), st.text(max_size=30)))
def test_any_hiker_query_gives_a_valid_config(query):
    cfg, _ = links.hiker_from_query(query)
    assert isinstance(cfg, HikerConfig)


def test_presentation_mode_in_a_link_is_not_an_unknown_setting():
    from gdviz.settings import links

    for parse in (links.run_from_query, links.hiker_from_query, links.data_from_query):
        _, warnings = parse({"present": "1"})
        assert warnings == []
    _, warnings = links.run_from_query({"present": "1", "bogus": "2"})
    assert warnings == ["Ignored unknown setting 'bogus' in the link."]
