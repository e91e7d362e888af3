"""The lesson deck: one validated file, every lesson's claim checked against its own run."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import ValidationError

from gdviz.settings import deck, links
from tests.helpers import open_page

DECK = deck.load()
IDEAS = [
    "gradient",
    "update rule",
    "too small",
    "more steps",
    "critical",
    "local minima",
    "saddle",
    "plateau",
    "loss curve",
    "mini-batch",
    "scaling",
    "initialisation",
    "mismatched",
    "schedule",
    "momentum",
    "adamw",
    "landscape",
    "straight line",
    "sharp and flat",
    "edge of stability",
]


def test_the_deck_is_a_course_of_12_to_20_lessons_covering_every_idea():
    assert 12 <= len(DECK.lessons) <= 20
    titles = " | ".join(lesson.title.lower() for lesson in DECK.lessons)
    missing = [idea for idea in IDEAS if idea not in titles]
    assert not missing, missing
    assert {lesson.view.page for lesson in DECK.lessons} == set(deck.PAGES)


@pytest.mark.parametrize("number", range(1, len(DECK.lessons) + 1))
def test_every_lessons_claim_holds_for_its_own_run(number):
    lesson = DECK.lessons[number - 1]
    assert deck.check(lesson) == [], lesson.title


def test_a_claim_its_run_does_not_bear_out_is_reported():
    lesson = DECK.lessons[2]  # too small / just right / too large
    wrong = lesson.model_copy(
        update={"expect": [deck.Expect(run=2, status="converged", loss_below=1.0)]}
    )
    failures = deck.check(wrong)
    assert failures == [
        "run 2 diverged, not converged",
        failures[1],
    ] and failures[1].startswith("run 2 ended at loss 7.05e+05, not below 1")


def test_the_update_rule_lesson_has_the_textbook_numbers():
    lesson = DECK.lessons[1]
    assert lesson.view.page == "hiker" and "−2.048" in lesson.answer
    (run,) = deck.outcomes(lesson.view)
    assert run.final[0] == pytest.approx(-4 * 0.8**3, abs=1e-12)


def test_a_claim_about_a_run_the_view_lacks_is_refused():
    raw = json.loads(DECK.lessons[2].model_dump_json())
    raw["expect"] = [{"run": 3, "status": "diverged"}]  # a race of three runs: 0, 1, 2
    with pytest.raises(ValidationError, match="a claim is about run 3, but the view has 3"):
        deck.Lesson.model_validate(raw)


def test_an_edge_claim_belongs_to_a_sweep():
    raw = json.loads(DECK.lessons[0].model_dump_json())
    raw["expect"] = [{"edge_near": 0.08}]
    with pytest.raises(ValidationError, match="edge_near is a claim about a sweep"):
        deck.Lesson.model_validate(raw)


def test_a_malformed_deck_file_is_refused_with_every_problem(tmp_path):
    raw = json.loads(deck.DECK_FILE.read_text(encoding="utf-8"))
    raw["lessons"][0]["view"]["page"] = "nowhere"
    raw["lessons"][1]["view"]["config"]["lr"] = -1
    del raw["lessons"][2]["question"]
    broken = tmp_path / "deck.json"
    broken.write_text(json.dumps(raw), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        deck.load(broken)
    where = {".".join(str(p) for p in error["loc"][:3]) for error in caught.value.errors()}
    assert {"lessons.0.view", "lessons.1.view", "lessons.2.question"} <= where


@pytest.mark.parametrize(
    ("query", "index", "warned"),
    [
        ({}, 0, False),
        ({"lesson": "1"}, 0, False),
        ({"lesson": "7"}, 6, False),
        ({"lesson": str(len(DECK.lessons))}, len(DECK.lessons) - 1, False),
        ({"lesson": "0"}, 0, True),
        ({"lesson": str(len(DECK.lessons) + 1)}, 0, True),
        ({"lesson": "-3"}, 0, True),
        ({"lesson": "2.5"}, 0, True),
        ({"lesson": "1e3"}, 0, True),
        ({"lesson": "<script>alert(1)</script>"}, 0, True),
        ({"lesson": "9" * 5000}, 0, True),
        ({"lesson": "²"}, 0, True),
        ({"lesson": " 5 "}, 4, False),
        ({"lesson": ["3", "4"]}, 2, False),
    ],
)
def test_a_lesson_link_picks_a_lesson_or_says_why_not(query, index, warned):
    got, warnings = deck.lesson_from_query(query, DECK)
    assert got == index
    assert bool(warnings) is warned
    if warned:
        assert f"lessons 1 to {len(DECK.lessons)}" in warnings[0]
        assert len(warnings[0]) < 120  # a hostile value is cut, not echoed whole


PARSE = {
    "hiker": links.hiker_from_query,
    "landscape": links.run_from_query,
    "compare": links.compare_from_query,
    "data": links.data_from_query,
    "networks": links.network_from_query,
}


@pytest.mark.parametrize("number", range(1, len(DECK.lessons) + 1))
def test_open_in_its_page_carries_the_lessons_settings_exactly(number):
    view = DECK.lessons[number - 1].view
    link = urlsplit(deck.page_link(view))
    assert link.path == view.page
    query = {k: v[0] for k, v in parse_qs(link.query).items()}
    if view.page == "sweep":
        (sweep, _), warnings = links.sweep_from_query(query)
        assert sweep == view.config and not warnings
        return
    parsed, warnings = PARSE[view.page](query)
    assert not warnings
    if view.page == "hiker":  # a hiker link carries the steps taken, as `n`
        assert parsed == view.config.model_copy(update={"steps": parsed.steps})
        assert int(query.get("n", 0)) == view.config.steps
    else:
        assert parsed == view.config


NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"  # 44, 2,000 (not "44," at a clause's end)
STEP_WORDS = re.compile(rf"\bsteps? {NUMBER}|\b{NUMBER} (?:steps|updates|epochs)\b")
LOSS_WORDS = re.compile(r"\bloss\b[^.;:]{0,25}?\b(\d+\.\d+)")


def _quoted(pattern: re.Pattern[str], text: str) -> set[str]:
    return {next(g for g in m.groups() if g) for m in pattern.finditer(text)}


@pytest.mark.parametrize("number", range(1, len(DECK.lessons) + 1))
def test_every_step_and_loss_a_lesson_quotes_is_a_checked_claim(number):
    """A number the words give ("blows up at step 44", "still at loss 0.83") is either the
    view's own setting (its steps, epochs) or a claim the checker above holds to its run:
    the text cannot drift from the figure (issue 22: "blows up at step 44" beside a figure
    that says "left the map at step 5")."""
    lesson = DECK.lessons[number - 1]
    words = f"{lesson.notice} {lesson.answer}"
    cfg = lesson.view.config
    settings_given = {getattr(cfg, name, None) for name in ("steps", "epochs")}
    claimed_steps = {
        value for claim in lesson.expect for value in (claim.at_step, claim.left_map_at)
    }
    for quoted in _quoted(STEP_WORDS, words):
        value = int(quoted.replace(",", ""))
        per_epoch = isinstance(lesson.view, deck.DataView)  # "16 updates" per pass, say
        assert value in settings_given | claimed_steps or per_epoch, (lesson.title, quoted)
    claimed_losses = {claim.loss_near for claim in lesson.expect}
    for quoted in _quoted(LOSS_WORDS, words):
        assert any(
            c is not None and round(c, len(quoted.split(".")[1])) == float(quoted)
            for c in claimed_losses
        ), (lesson.title, quoted)


def test_the_text_check_catches_a_step_the_run_does_not_bear_out():
    lesson = DECK.lessons[3]  # more steps do not fix a wrong rate: step 5 and step 44
    assert {"5", "44", "2,000"} <= _quoted(STEP_WORDS, lesson.notice)
    wrong = lesson.model_copy(update={"expect": [deck.Expect(status="diverged", at_step=45)]})
    assert deck.check(wrong) == ["run 0 diverged at step 44, not 45"]
    left = lesson.model_copy(update={"expect": [deck.Expect(left_map_at=4)]})
    assert deck.check(left) == ["run 0 left the map at step 5, not 4"]
    loss = DECK.lessons[2].model_copy(update={"expect": [deck.Expect(run=0, loss_near=0.9)]})
    assert deck.check(loss) == ["run 0 ended at loss 0.8259, not 0.9"]


QUOTING = [
    number
    for number, lesson in enumerate(DECK.lessons, start=1)
    if any(
        c.at_step is not None or c.left_map_at is not None or c.loss_near is not None
        for c in lesson.expect
    )
]


@pytest.mark.parametrize("number", QUOTING)
def test_the_numbers_a_lesson_quotes_are_on_the_lesson(number):
    """Issue 22: "a lesson's claim must be visible in the lesson". Every step and loss its
    words quote is in the readouts under its view, on the lesson page itself."""
    lesson = DECK.lessons[number - 1]
    at = open_page("lessons", {"lesson": str(number)})
    lines = [m.value for m in at.markdown if "final loss" in m.value]
    assert lines, "no readouts under the view"
    runs = lines[0].split("  \n")
    for claim in lesson.expect:
        run = runs[claim.run]
        if claim.at_step is not None:
            assert f"at step {claim.at_step};" in run or f"at step {claim.at_step}," in run
        if claim.left_map_at is not None:
            assert f"left the map at step {claim.left_map_at}" in run
        if claim.loss_near is not None:
            shown = float(re.search(r"final loss ([\d.e+-]+)", run).group(1))
            assert shown == pytest.approx(claim.loss_near, rel=claim.loss_rel)


def test_the_data_lessons_show_how_far_from_the_optimum_they_end():
    """Lessons 11 and 12 quote "12% above the optimum" and "about 10× the optimum's": the
    readouts under their views say so (they were only visible after "Open in Data")."""
    scaling = " ".join(deck.readout_lines(DECK.lessons[10].view))
    assert "12% above the optimum's 1.04" in scaling and "12% above" in DECK.lessons[10].notice
    start = " ".join(deck.readout_lines(DECK.lessons[11].view))
    assert "9.9× the optimum's 0.0504" in start and "about 10×" in DECK.lessons[11].notice


def test_the_lessons_that_cite_loss_curves_show_them():
    for number in (8, 9):  # "their loss curves show the signature"; "orange and grey curves"
        lesson = DECK.lessons[number - 1]
        assert "loss curve" in lesson.notice and lesson.shows == ["loss curves"]
        at = open_page("lessons", {"lesson": str(number)})
        assert [c.key for c in at.get("plotly_chart")] == [
            f"lesson_chart_{number - 1}",
            f"lesson_curves_{number - 1}",
        ]
    with pytest.raises(ValidationError, match="under a race or a data view only"):
        DECK.lessons[0].model_validate({**DECK.lessons[0].model_dump(), "shows": ["loss curves"]})
