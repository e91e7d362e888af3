"""α never changes without the user: a new landscape, optimizer, curve or data set offers its
rate beside one the user set, and gives it only to a rate they never touched."""

from __future__ import annotations

import pytest

from tests.helpers import open_page

CASES = [
    # page (?link), α widget, α typed by hand, (widget, new value) bringing its own rate, offered
    ("landscape", "ls_lr", 0.0123, ("ls_opt", "selectbox", "adam"), 0.001),
    ("landscape", "ls_lr", 0.0123, ("ls_f", "selectbox", "himmelblau"), 0.01),
    ("hiker", "hiker_lr", 0.37, ("hiker_f", "selectbox", "double_well"), 0.02),
    ("data?d=iris", "dt_lr", 0.037, ("dt_model", "selectbox", "logistic"), 0.5),
    ("networks", "nn_lr", 0.037, ("nn_opt", "selectbox", "adam"), 0.001),
]


def opened(page: str):
    name, _, query = page.partition("?")
    return open_page(name, dict([query.split("=")]) if query else None)


def change(at, widget: str, kind: str, value) -> None:
    getattr(at, kind)(key=widget).set_value(value).run()
    assert not at.exception


@pytest.mark.parametrize(("page", "rate", "mine", "switch", "offered"), CASES)
def test_a_rate_the_user_set_stays_and_the_new_one_is_offered(page, rate, mine, switch, offered):
    at = opened(page)
    at.number_input(key=rate).set_value(mine).run()
    change(at, *switch)
    assert at.session_state[rate] == mine  # still the user's
    use = at.button(key=f"{rate}_use")
    suggested = float(use.proto.label.split("= ")[1].split(" ")[0])
    assert suggested == offered
    use.click().run()
    assert at.session_state[rate] == suggested and not at.exception
    assert not any(b.key == f"{rate}_use" for b in at.button)  # taken: no more offer


@pytest.mark.parametrize(("page", "rate", "mine", "switch", "offered"), CASES)
def test_a_rate_never_touched_follows_the_new_setting(page, rate, mine, switch, offered):
    at = opened(page)
    change(at, *switch)
    assert not any(b.key == f"{rate}_use" for b in at.button)
    assert at.session_state[rate] == offered


def test_going_back_to_the_tips_gives_an_untouched_rate_the_linear_models_rate():
    """The issue's case: iris + cross-entropy suggests 0.5; back on tips the linear model runs
    at 0.1 again (it kept 0.5 and stochastic descent diverged at update 211)."""
    at = open_page("data")
    change(at, "dt_d", "selectbox", "iris")
    change(at, "dt_model", "selectbox", "logistic")
    assert at.session_state.dt_lr == 0.5
    change(at, "dt_d", "selectbox", "tips")
    assert at.session_state.dt_model == "linear" and at.session_state.dt_lr == 0.1


def test_a_race_label_that_judges_its_rate_follows_a_new_optimizer():
    """The issue's case: a run switched to Adam kept its label "α = 0.005 (too small)"."""
    at = open_page("compare")
    rid = at.session_state.cmp_rows[0]["id"]
    assert at.session_state.cmp_rows[0]["label"] == "α = 0.005 (too small)"
    at.selectbox(key=f"cmp_{rid}_kind").set_value("adam").run()
    assert not at.exception
    assert at.session_state.cmp_rows[0]["label"] == "Adam, α = 0.005"
    assert at.session_state[f"cmp_{rid}_label"] == "Adam, α = 0.005"
