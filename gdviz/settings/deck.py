"""The lesson deck: an ordered course through the ideas the app demonstrates, as data.

The deck is one validated file, ``deck.json`` beside this module: a list of lessons, each with
a title, what to notice, a question for the class (and its answer), the page that shows it
with that page's own settings (a config model, validated like a link), and the claims its
run must bear out (:class:`Expect`). An instructor reorders or adds a lesson by editing the
file; no page script changes. Every claim is checked by the tests against the lesson's run
(:func:`check`), so a lesson can never teach what its own chart does not show.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import numpy as np
from pydantic import Field, model_validator

from gdviz.core import optim
from gdviz.core.descent import Trajectory, descend
from gdviz.core.sweep import Sweep
from gdviz.learning import network_views, training
from gdviz.learning.probes import sharpness
from gdviz.settings import build, links, navigation
from gdviz.settings.models import (
    CompareConfig,
    DataConfig,
    HikerConfig,
    RunConfig,
    SweepConfig,
    example_problem,
)
from gdviz.settings.network import NetworkConfig, keskar_pair, objectives, train_network
from gdviz.settings.optimizers import (
    Frozen,
)
from gdviz.teach.narrate import STATUS_WORDS, status_word

DECK_FILE = Path(__file__).with_name("deck.json")
MAX_LESSONS = 40
Status = Literal["converged", "diverged", "unconverged"]


class Expect(Frozen):
    """One claim about run ``run`` of a lesson's view (the race's k-th run, the data page's
    k-th flavour; 0 elsewhere). Every field given must hold; ``None`` fields are not checked.

    - ``status``: how the run ended (``descend``'s status);
    - ``by_step``: it converged or diverged at or before this step;
    - ``at_step``: it converged or diverged at exactly this step (a number the words quote);
    - ``left_map_at``: its path first left the map at this step (the figure's exit mark);
    - ``loss_near`` / ``loss_rel``: its final loss is this, within ``loss_rel`` (relative:
      the words quote it to two or three digits);
    - ``near`` / ``within``: its final point is within this distance of ``near``;
    - ``far`` / ``beyond``: its final point is farther than ``beyond`` from ``far``;
    - ``loss_below`` / ``loss_above``: its final loss is below / above this;
    - ``edge_near`` / ``rel`` (sweeps): the measured edge of divergence is within ``rel``
      (relative) of this rate.
    """

    run: Annotated[int, Field(ge=0, le=7)] = 0
    status: Status | None = None
    by_step: Annotated[int, Field(ge=0)] | None = None
    at_step: Annotated[int, Field(ge=0)] | None = None
    left_map_at: Annotated[int, Field(ge=0)] | None = None
    loss_near: float | None = None
    loss_rel: Annotated[float, Field(gt=0, le=1)] = 0.01
    near: tuple[float, ...] | None = None
    within: Annotated[float, Field(gt=0)] = 0.05
    far: tuple[float, ...] | None = None
    beyond: Annotated[float, Field(gt=0)] = 0.5
    loss_below: float | None = None
    loss_above: float | None = None
    edge_near: Annotated[float, Field(gt=0)] | None = None
    rel: Annotated[float, Field(gt=0, le=1)] = 0.15
    # Claims about a network (a NetworkView's training):
    at_the_edge: Annotated[float, Field(gt=0, le=1)] | None = None
    """The sharpness stays within this (relative) of 2/η over the second half."""
    explained_above: Annotated[float, Field(gt=0, le=1)] | None = None
    """The path's two PCA directions explain more than this share of its movement."""
    pca_off_below: Annotated[float, Field(gt=0, le=1)] | None = None
    """The path lies at most this share of its reach off its PCA plane…"""
    random_off_above: Annotated[float, Field(gt=0, le=1)] | None = None
    """…and more than this share off a random filter-normalised plane."""
    line_falls: bool | None = None
    """The training loss falls all the way along the line from initial to final weights."""
    small_batch_flatter: Annotated[float, Field(gt=0, le=1)] | None = None
    """A batch-16 solution's sharpness is below this share of the full-batch one's."""


class HikerView(Frozen):
    page: Literal["hiker"]
    config: HikerConfig


class LandscapeView(Frozen):
    page: Literal["landscape"]
    config: RunConfig


class CompareView(Frozen):
    page: Literal["compare"]
    config: CompareConfig


class SweepView(Frozen):
    page: Literal["sweep"]
    config: SweepConfig


class DataView(Frozen):
    page: Literal["data"]
    config: DataConfig


class NetworkView(Frozen):
    page: Literal["networks"]
    config: NetworkConfig
    show: Literal["training", "landscape", "lines", "sharpness"] = "training"


View = Annotated[
    HikerView | LandscapeView | CompareView | SweepView | DataView | NetworkView,
    Field(discriminator="page"),
]
PAGES = navigation.TITLES  # a view's page -> its name in the app's navigation


class Lesson(Frozen):
    """One idea: what to notice (two or three sentences), a question for the class and its
    answer, the live view that shows it, and the claims its run bears out."""

    title: Annotated[str, Field(min_length=1, max_length=80)]
    notice: Annotated[str, Field(min_length=1, max_length=700)]
    question: Annotated[str, Field(min_length=1, max_length=300)]
    answer: Annotated[str, Field(min_length=1, max_length=700)]
    view: View
    expect: Annotated[list[Expect], Field(min_length=1, max_length=8)]
    shows: list[Literal["loss curves"]] = Field(default_factory=list)
    """What the lesson shows under its view besides the readouts of its runs: the loss curves
    its words cite (a race's, or the data page's)."""

    @model_validator(mode="after")
    def _claims_name_real_runs(self) -> Lesson:
        runs = _run_count(self.view)
        if self.shows and not isinstance(self.view, CompareView | DataView):
            raise ValueError("loss curves are shown under a race or a data view only")
        for claim in self.expect:
            if claim.run >= runs:
                raise ValueError(f"a claim is about run {claim.run}, but the view has {runs}")
            if (claim.edge_near is not None) != isinstance(self.view, SweepView):
                raise ValueError("edge_near is a claim about a sweep, and only a sweep's")
            network_claim = any(getattr(claim, name) is not None for name in NETWORK_CLAIMS)
            if network_claim != isinstance(self.view, NetworkView):
                raise ValueError("a network claim is about a network view, and only its")
        return self


class Deck(Frozen):
    lessons: Annotated[list[Lesson], Field(min_length=1, max_length=MAX_LESSONS)]


def _run_count(view: Any) -> int:
    if isinstance(view, CompareView):
        return len(view.config.runs)
    if isinstance(view, DataView):
        return len(view.config.flavours())
    return 1


@functools.lru_cache(maxsize=4)
def load(path: Path = DECK_FILE) -> Deck:
    """The deck in ``path`` (``deck.json``), validated; raises ``pydantic.ValidationError``
    with every problem if any lesson is malformed."""
    return Deck.model_validate_json(path.read_bytes())


# -- what a lesson's run shows ---------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """How one run ended: ``descend``'s status, the step it converged or diverged at (-1:
    neither), its final point ``(d,)`` and loss, and the step its path first left the map
    (-1: never, or no map)."""

    status: str
    step: int
    final: np.ndarray
    loss: float
    left_map: int = -1


def _outcomes(traj: Trajectory, box: tuple[np.ndarray, np.ndarray] | None = None) -> list[Outcome]:
    done = np.where(traj.status == "converged", traj.converged_at, traj.diverged_at)
    left = np.full(traj.n_runs, -1)
    if box is not None and traj.path is not None:
        off = np.any((traj.path < box[0]) | (traj.path > box[1]), axis=-1)  # (T+1, N)
        left = np.where(off.any(axis=0), off.argmax(axis=0), -1)
    return [
        Outcome(
            str(traj.status[k]),
            int(done[k]),
            traj.final[k],
            float(traj.final_loss[k]),
            int(left[k]),
        )
        for k in range(traj.n_runs)
    ]


def outcomes(view: Any) -> list[Outcome] | Sweep:
    """How the run(s) a view shows end (hiker, landscape, compare, data: one per flavour), or
    a sweep's result."""
    cfg = view.config
    if isinstance(view, HikerView):
        return _outcomes(descend(cfg.surface(), optim.sgd(cfg.lr), np.array([cfg.x0]), cfg.steps))
    if isinstance(view, LandscapeView):
        ls = cfg.surface()
        return _outcomes(build.run(cfg), (ls.lo, ls.hi))
    if isinstance(view, CompareView):
        ls = cfg.surface()
        return _outcomes(build.run_compare(cfg), (ls.lo, ls.hi))
    if isinstance(view, SweepView):
        return build.run_sweep(cfg)
    problem = example_problem(cfg.dataset, cfg.model, cfg.scaling)
    return [_outcomes(t.traj)[0] for t in build.run_data(cfg, problem)]


NETWORK_CLAIMS = (
    "at_the_edge",
    "explained_above",
    "pca_off_below",
    "random_off_above",
    "line_falls",
    "small_batch_flatter",
)


def check_network(view: NetworkView, claims: list[Expect]) -> list[str]:
    """The network claims its training does not bear out, in words (empty: all hold)."""
    cfg = view.config
    run = train_network(cfg, seconds=None)  # a check of the deck, not a request to bound
    failures: list[str] = []
    for claim in claims:
        failures += _edge_and_batch(cfg, run, claim) + _planes_and_line(run, claim)
    return failures


def _edge_and_batch(cfg: NetworkConfig, run: network_views.NetworkRun, claim: Expect) -> list[str]:
    """A claim about the sharpness at the edge of stability, or small vs full batch."""
    failures = []
    if claim.at_the_edge is not None:
        steps, tops = network_views.sharpness_along(run)
        ratio = tops[steps >= steps[-1] / 2] / (2 / cfg.optimizer.lr)
        if np.any(np.abs(ratio - 1) > claim.at_the_edge):
            failures.append(f"the sharpness ran {ratio.min():.3f}-{ratio.max():.3f} × 2/η")
    if claim.small_batch_flatter is not None:
        small, large = keskar_pair(cfg, seconds=None)  # a check of the deck: no deadline
        net = objectives(cfg)[0]
        ratio = sharpness(net, small, tol=1e-6).top / sharpness(net, large, tol=1e-6).top
        if ratio >= claim.small_batch_flatter:
            failures.append(f"the small-batch solution is {ratio:.3f} × as sharp")
    return failures


def _planes_and_line(run: network_views.NetworkRun, claim: Expect) -> list[str]:
    """A claim about the PCA or a random plane, or the line from initial to final weights."""
    failures = []
    if claim.explained_above is not None or claim.pca_off_below is not None:
        pca = network_views.pca_plane(run, resolution=5)
        assert pca.explained is not None
        if claim.explained_above is not None and pca.explained.sum() <= claim.explained_above:
            failures.append(f"the PCA plane explains {pca.explained.sum():.3f}")
        if claim.pca_off_below is not None and pca.off_share >= claim.pca_off_below:
            failures.append(f"the path lies {pca.off_share:.3f} off its PCA plane")
    if claim.random_off_above is not None:
        random = network_views.random_plane(run, resolution=5)
        if random.off_share <= claim.random_off_above:
            failures.append(f"the path lies only {random.off_share:.3f} off a random plane")
    if claim.line_falls:
        along = network_views.line(run.net, run.held, run.start, run.final,
                                   np.linspace(0.0, 1.0, 41))[0]  # fmt: skip
        if np.any(np.diff(along) > 0):
            failures.append("the loss rises somewhere on the line from initial to final")
    return failures


def check(lesson: Lesson) -> list[str]:
    """The claims of ``lesson`` its run does not bear out, in words (empty: all hold)."""
    if isinstance(lesson.view, NetworkView):
        return check_network(lesson.view, lesson.expect)
    result = outcomes(lesson.view)
    failures: list[str] = []
    for claim in lesson.expect:
        if isinstance(result, Sweep):
            edge = result.edge
            if claim.edge_near is not None and (
                edge is None or abs(edge / claim.edge_near - 1) > claim.rel
            ):
                failures.append(f"the edge of divergence is {edge}, not near {claim.edge_near:g}")
            continue
        failures += _run_claims(claim.run, result[claim.run], claim)
    return failures


def _run_claims(k: int, run: Outcome, claim: Expect) -> list[str]:
    """What one claim about run ``k`` gets wrong, in words (empty: it holds)."""
    failures = []
    if claim.status is not None and run.status != claim.status:
        failures.append(f"run {k} {run.status}, not {claim.status}")
    if claim.by_step is not None and not 0 <= run.step <= claim.by_step:
        failures.append(f"run {k} {run.status} at step {run.step}, not by {claim.by_step}")
    if claim.at_step is not None and run.step != claim.at_step:
        failures.append(f"run {k} {run.status} at step {run.step}, not {claim.at_step}")
    if claim.left_map_at is not None and run.left_map != claim.left_map_at:
        failures.append(f"run {k} left the map at step {run.left_map}, not {claim.left_map_at}")
    if claim.loss_near is not None and not math.isclose(
        run.loss, claim.loss_near, rel_tol=claim.loss_rel
    ):
        failures.append(f"run {k} ended at loss {run.loss:.4g}, not {claim.loss_near:g}")
    if claim.near is not None:
        distance = math.dist(run.final, claim.near)
        if distance > claim.within:
            failures.append(f"run {k} ended {distance:.3g} from {claim.near}")
    if claim.far is not None and math.dist(run.final, claim.far) <= claim.beyond:
        failures.append(f"run {k} ended within {claim.beyond:g} of {claim.far}")
    if claim.loss_below is not None and not run.loss < claim.loss_below:
        failures.append(f"run {k} ended at loss {run.loss:.4g}, not below {claim.loss_below:g}")
    if claim.loss_above is not None and not run.loss > claim.loss_above:
        failures.append(f"run {k} ended at loss {run.loss:.4g}, not above {claim.loss_above:g}")
    return failures


def run_labels(view: Any) -> list[str]:
    """The names of a view's runs, as its figure's legend gives them."""
    cfg = view.config
    if isinstance(view, CompareView):
        return [run.label for run in cfg.runs]
    if isinstance(view, DataView):
        n = example_problem(cfg.dataset, cfg.model, cfg.scaling).dataset.n
        sizes = {"batch": n, "stochastic": 1, "minibatch": cfg.batch_size}
        return [training.flavour_label(f, sizes[f]) for f in cfg.flavours()]
    if isinstance(view, HikerView):
        return [f"the hiker, α = {cfg.lr:g}"]
    kind = cfg.optimizer.kind
    return [f"{OPTIMIZER_WORDS.get(kind, kind)}, α = {cfg.optimizer.lr:g}"]


OPTIMIZER_WORDS = {
    "sgd": "gradient descent",
    "adam": "Adam",
    "adamw": "AdamW",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
}


def readout_lines(view: Any) -> list[str]:
    """How the view's runs end, one line each, with the numbers a lesson's words quote (the
    step it converged or blew up at, where it left the map, its final loss): so every claim
    is visible on the lesson itself. A sweep gives its two edges. Markdown; empty for a
    network view (its figure carries its own numbers)."""
    if isinstance(view, NetworkView):
        return []
    result = outcomes(view)
    if isinstance(result, Sweep):
        critical = "none" if not math.isfinite(result.critical) else f"{result.critical:.4g}"
        edge = "none in the range" if result.edge is None else f"{result.edge:.4g}"
        return [
            f"Critical rate from the Hessian: **{critical}**; first diverging rate measured: "
            f"**{edge}**"
        ]
    unit = "update" if isinstance(view, DataView) else "step"
    surface = view.config.surface() if isinstance(view, LandscapeView | CompareView) else None
    best = _against_the_optimum(view)
    lines = []
    for label, run in zip(run_labels(view), result, strict=True):
        # The page's own words: "stopped on a saddle", not "converged" at a loss of 1.
        word = (
            STATUS_WORDS[run.status]
            if surface is None
            else status_word(surface, run.final, run.status)
        )
        if word == "not converged":
            ending = "still moving at the end"
        elif run.status == "unconverged":
            ending = word
        else:
            ending = f"{word} at {unit} {run.step}"
        left = f", left the map at step {run.left_map}" if run.left_map >= 0 else ""
        lines.append(f"**{label}**: {ending}{left}; final loss {run.loss:.3g}{best(run.loss)}")
    return lines


def _against_the_optimum(view: Any) -> Callable[[float], str]:
    """For a data view whose model has an exact optimum, how a final loss compares with the
    optimum's (``", 12% above the optimum's 1.04"``, ``", 9.9× the optimum's 0.0504"``);
    nothing elsewhere."""
    if not isinstance(view, DataView):
        return lambda loss: ""
    cfg = view.config
    optimum = example_problem(cfg.dataset, cfg.model, cfg.scaling).optimum_loss
    if not (math.isfinite(optimum) and optimum > 0):
        return lambda loss: ""

    def words(loss: float) -> str:
        ratio = loss / optimum
        if ratio < 2:
            return f", {100 * (ratio - 1):.2g}% above the optimum's {optimum:.3g}"
        return f", {ratio:.2g}× the optimum's {optimum:.3g}"

    return words


def page_link(view: Any) -> str:
    """The page's own link with the lesson's settings (``landscape?f=…``), so a student can
    take over from there."""
    cfg = view.config
    query: dict[str, str]
    if isinstance(view, HikerView):
        query = links.hiker_to_query(cfg)
    elif isinstance(view, LandscapeView):
        query = links.run_to_query(cfg)
    elif isinstance(view, CompareView):
        query = links.compare_to_query(cfg)
    elif isinstance(view, SweepView):
        query = {"s": links.model_to_link(cfg)}
    elif isinstance(view, NetworkView):
        query = links.network_to_query(cfg)
    else:
        query = links.data_to_query(cfg)
    return f"{view.page}?{urlencode(query)}" if query else view.page


def lesson_from_query(query: Mapping[str, Any], deck: Deck) -> tuple[int, list[str]]:
    """The lesson index (0-based) a ``?lesson=N`` link asks for (N counts from 1), and a
    warning when N is not a lesson of this deck (the first lesson is shown then)."""
    raw = query.get("lesson")
    if raw is None:
        return 0, []
    text = str(raw[0] if isinstance(raw, list) else raw).strip()
    count = len(deck.lessons)
    # ASCII digits only ("²".isdigit() is true), and short: int() of 5,000 digits raises.
    if text.isascii() and text.isdigit() and len(text) <= 3 and 1 <= int(text) <= count:
        return int(text) - 1, []
    shown = text[:20] + ("…" if len(text) > 20 else "")
    return 0, [
        f"Ignored the lesson in the link ({shown!r} is not one of lessons 1 to {count}); "
        "showing lesson 1."
    ]
