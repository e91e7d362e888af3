"""The data page's runs and what it shows under its map: each run in words and numbers, the
data set and its model in formulas, the loss curves, one update from inside, the mismatched
loss side by side, and the same experiment in PyTorch. (Sections a lesson can show too.)"""

from __future__ import annotations

import numpy as np
import streamlit as st

from gdviz import settings
from gdviz.core.scrub import Family
from gdviz.figures import data as figs
from gdviz.figures import data_batch, data_models
from gdviz.learning import datasets, snippet, training
from gdviz.teach import narrate
from gdviz.ui.charts import chart, figure_cached, log_switched
from gdviz.ui.present import prose
from gdviz.ui.text import inert
from gdviz.ui.upload_data import problem_for


@st.cache_resource(max_entries=32, show_spinner=False)  # heavy() shows what runs
def runs_for(
    key: str, _cfg: settings.DataConfig, _problem: training.Problem
) -> list[training.Training]:
    """The training runs of a config on a problem, keyed by both (runs are read-only)."""
    return settings.run_data(_cfg, _problem)


@st.cache_resource(max_entries=16, show_spinner=False)  # heavy() shows what runs
def family_for(key: str, _cfg: settings.DataConfig, _problem: training.Problem) -> Family:
    """The scrubber's family of a config on a problem, keyed by both (read-only)."""
    return settings.run_data_family(_cfg, _problem)


def readouts(problem: training.Problem, runs: list[training.Training]) -> None:
    """Each run's summary in words, and a single run's numbers beside the optimum's."""
    for run in runs:
        tone = narrate.training_tone(run, problem.optimum_loss)
        box = {"error": st.error, "success": st.success}.get(tone, st.warning)
        box(narrate.training_summary(run, problem.optimum_loss))
    if len(runs) == 1:
        m1, m2, m3, m4 = st.columns(4)
        m1.metric("Final loss", f"{runs[0].loss[-1]:.5g}")
        m2.metric(
            "Optimum's loss", "none" if problem.optimum is None else f"{problem.optimum_loss:.5g}"
        )
        # w and b as separate cards: a pair such as (2.14, 0.0326) is cut off on a projector.
        m3.metric("Final w", f"{runs[0].path[-1][0]:.4g}")
        m4.metric("Final b", f"{runs[0].path[-1][1]:.4g}")
        if problem.optimum is not None:
            w_star, b_star = problem.optimum
            st.caption(f"Optimum: w* = {w_star:.4g}, b* = {b_star:.4g} (the star on the map).")
    if problem.optimum is None:
        st.warning(
            "This loss has no minimum: the two classes separate perfectly, so making the sigmoid "
            "ever steeper keeps lowering the loss, and w grows without end."
        )


def words(dataset: datasets.Dataset, problem: training.Problem) -> None:
    """The data set, the model's loss and its update rule (not while presenting)."""
    if not prose():
        return
    st.markdown(
        f"**{dataset.title}.** {datasets.EXAMPLES[dataset.key].blurb}"
        if dataset.key in datasets.EXAMPLES
        else f"**{inert(dataset.title)}** ({dataset.n} rows)."
    )
    st.caption(
        "A model with two parameters, a slope w and an intercept b, learns from real data. Its "
        "loss over (w, b) is a surface you can see; training walks down it."
    )
    # Stacked, not side by side: the cross-entropy formula alone fills a projector's width.
    st.latex(problem.info.formula)
    st.latex(
        problem.info.output
        + r",\qquad \theta \leftarrow \theta - \alpha\,\nabla L_{\text{batch}}(\theta)"
    )


@st.fragment
def loss_curves(key: str, problem: training.Problem, runs: list[training.Training]) -> None:
    """The loss curves and their log switch: flipping it redraws this chart alone."""
    log_switched(
        "dt_log",
        "dt_loss",
        "data-loss",
        key,
        lambda log: figs.loss_curves_spec(problem, runs, log=log),
        label="Log scale (gap to the optimum's loss)",
    )


@st.fragment
def one_update(key: str, problem: training.Problem, run: training.Training, lr: float) -> None:
    """The update picker and its picture: moving it redraws this chart alone."""
    st.slider(f"Update ({run.label})", 0, max(1, run.steps - 1), key="dt_t")
    t = int(st.session_state.dt_t)
    chart(
        st,
        figure_cached(f"data-batch-{t}", key, lambda: data_batch.batch_spec(problem, run, t, lr)),
        key="dt_batch",
    )


def inspector(key: str, problem: training.Problem, run: training.Training, lr: float) -> None:
    """Inside one update: a batch's own loss surface and the step it takes."""
    st.subheader("Inside one update: why the path jitters")
    st.markdown(
        f"Each update sees only {run.batch_size} of the {problem.dataset.n} rows. Those rows "
        "have their own loss surface (dotted white lines) with its own minimum, and the step "
        "heads downhill on *that* surface, not on the full one. Pick an update to see it."
    )
    # Start in the last epoch, near the optimum, where the jitter is easiest to see.
    st.session_state.setdefault("dt_t", (run.epochs - 1) * run.per_epoch)
    st.session_state.dt_t = min(int(st.session_state.dt_t), run.steps - 1)
    one_update(key, problem, run, lr)


def mismatch(cfg: settings.DataConfig, data_key: str, dataset: datasets.Dataset, key: str) -> None:
    """A linear neuron vs a sigmoid neuron, squared error vs cross-entropy, side by side, on
    the same data, start, rate and batches."""
    st.subheader("A linear neuron vs a sigmoid neuron, squared error vs cross-entropy")
    if prose():
        st.markdown(narrate.MISMATCH_NOTE)
    keys = list(training.MODELS)
    trio = [problem_for(data_key, dataset, m, cfg.scaling) for m in keys]
    trio_runs = []
    for m, p in zip(keys, trio, strict=True):
        start = tuple(float(v) for v in p.clamp(np.array(cfg.start)))
        c = cfg.model_copy(update={"model": m, "race": False, "start": start})
        trio_runs.append(runs_for(f"{c.model_dump_json()}|{data_key}", c, p)[0])
    st.caption(
        "The same settings for all three models: same start (moved onto a map it is off), "
        "same rate, same batches."
    )
    titles = [
        "Linear + squared error: a bowl",
        "Sigmoid + cross-entropy: convex",
        "Sigmoid + squared error: plateaus",
    ]
    chart(
        st,
        figure_cached(
            "data-surfaces", key, lambda: data_models.surfaces_figure(trio, trio_runs, titles)
        ),
        key="dt_surfaces",
    )
    chart(
        st,
        figure_cached(
            "data-fits",
            key,
            lambda: data_models.fits_figure(
                trio, trio_runs, [training.MODELS[m].short for m in keys]
            ),
        ),
        key="dt_fits",
    )


def in_pytorch(cfg: settings.DataConfig, dataset: datasets.Dataset) -> None:
    """The same experiment as a PyTorch script."""
    with st.expander("The same experiment in PyTorch"):
        st.code(
            snippet.pytorch_snippet(
                dataset,
                model=cfg.model,
                scaling=cfg.scaling,
                batch_size=training.batch_size_of(cfg.flavour, cfg.batch_size, dataset.n),
                epochs=cfg.epochs,
                lr=cfg.lr,
                momentum=cfg.momentum,
                seed=cfg.seed,
                start=cfg.start,
                feature=st.session_state.get("dt_feature"),
                target=st.session_state.get("dt_target"),
            ),
            language="python",
        )
        st.caption(
            "With the Batch flavour this reproduces the page's numbers exactly. With "
            "mini-batches the rows come in a different (equally random) order: DataLoader "
            "shuffles with torch's generator, the page with numpy's."
        )
