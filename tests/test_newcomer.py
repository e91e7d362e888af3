"""What a newcomer hit (settings lost to a typo, echoes of huge or binary link values, cut-off
numbers, ...): each test failed before its fix. Browser-only checks are in test_browser.py."""

from __future__ import annotations

import base64

from gdviz import narrate, urlstate
from tests.test_app import open_page, url_warnings


def test_a_huge_link_value_is_quoted_in_at_most_40_characters():
    at = open_page("landscape", {"lr": "1" * 5000})
    (warning,) = url_warnings(at)
    assert len(warning) < 300 and "'1111111111111111111111111111111111111…'" in warning
    assert narrate.quote("x" * 100) == "'" + "x" * 37 + "…'"
    assert narrate.quote("a\nb") == "'a\\nb'"


def test_a_binary_race_link_says_what_was_expected_not_its_bytes():
    junk = base64.urlsafe_b64encode(b"\x81\xaa\xff{").decode()
    _, warnings = urlstate.compare_from_query({"c": junk})
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
