"""Validation errors in words: for a learner on a page, and with the field path for links."""

from __future__ import annotations

import re

from pydantic import ValidationError

from gdviz.core.echo import quote

FIELD_WORDS = {
    "lr": "the learning rate α",
    "momentum": "momentum β",
    "dampening": "dampening",
    "weight_decay": "weight decay",
    "betas": "Adam's betas",
    "eps": "ε",
    "alpha": "RMSprop's α",
    "steps": "the number of steps",
    "start": "the start",
    "seed": "the seed",
    "grad_noise": "gradient noise σ",
    "threshold": "the loss threshold",
    "label": "a run's label",
    "runs": "the runs",
    "step_size": "the step schedule's period",
    "gamma": "the schedule's γ",
    "t_max": "the cosine period T_max",
    "eta_min": "the cosine floor η_min",
    "warmup_steps": "the warm-up steps",
    "lr_min": "the smallest α",
    "lr_max": "the largest α",
    "n_rates": "the number of rates",
    "resolution": "the grid size",
    "batch_size": "the batch size",
    "epochs": "the number of epochs",
    "expression": "the formula",
    "x0": "the start",
}


def explain_errors(error: ValidationError) -> list[str]:
    """One sentence per problem for a learner: "The learning rate α must be greater than 0
    (got 0)." (:func:`describe_errors` keeps the full field path, for links and logs)."""
    sentences = []
    for problem in error.errors(include_url=False):
        names = [str(p) for p in problem["loc"] if str(p) in FIELD_WORDS]
        message = problem["msg"].removeprefix("Value error, ")
        message = re.sub(r"^(Input|String|Value|List|Tuple) should", "must", message)
        given = problem.get("input")
        got = (
            ""
            if isinstance(given, dict | list | bytes | bytearray) or given is None
            else f" (got {quote(given)})"
        )
        if names:
            text = f"{FIELD_WORDS[names[-1]]} {message}{got}"
            text = text[:1].upper() + text[1:]
        else:  # a rule across fields: its own sentence already says what is wrong
            text = f"{message}{got}"
        sentences.append(text.rstrip(".") + ".")
    return sentences


def describe_errors(error: ValidationError) -> list[str]:
    """One plain sentence per problem: where it is, what is wrong, and what was given."""
    lines = []
    for problem in error.errors(include_url=False):
        where = " → ".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        given = problem.get("input")
        if isinstance(given, dict | list) or given is None:
            shown = ""
        elif isinstance(given, bytes | bytearray):
            shown = " (the link's data is not readable text)"
        else:
            shown = f" (got {quote(given)})"
        lines.append(f"{where}: {message}{shown}" if where else f"{message}{shown}")
    return lines
