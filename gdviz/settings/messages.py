"""Validation errors in words: for a learner on a page, and with the field path for links."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from gdviz.core.echo import clip, quote

MAX_SENTENCE = 300
"""Longest sentence one validation problem becomes: pydantic repeats some inputs inside its own
message (a bad union tag echoes the whole value), and a link can carry 20,000 characters."""

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
    "earlier": "the earlier rates",
}


def explain_errors(error: ValidationError) -> list[str]:
    """One sentence per problem for a learner: "The learning rate α must be greater than 0
    (got 0)." (:func:`describe_errors` keeps the full field path, for links and logs)."""
    sentences = []
    for problem in error.errors(include_url=False):
        names = [str(p) for p in problem["loc"] if str(p) in FIELD_WORDS]
        message = _message(problem)
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
        sentences.append(clip(text.rstrip("."), MAX_SENTENCE - 1) + ".")
    return sentences


def _message(problem: Any) -> str:
    """pydantic's message for one problem, without its echo of the input: a bad union tag
    names the tags allowed (its own message quotes the whole value given), and any other
    message is clipped (the input is quoted, clipped, beside it)."""
    if problem["type"] == "union_tag_invalid":
        return f"must be one of {clip(str(problem.get('ctx', {}).get('expected_tags', '')), 120)}"
    return clip(problem["msg"].removeprefix("Value error, "), MAX_SENTENCE // 2)


def describe_errors(error: ValidationError) -> list[str]:
    """One plain sentence per problem: where it is, what is wrong, and what was given."""
    lines = []
    for problem in error.errors(include_url=False):
        where = clip(" → ".join(str(part) for part in problem["loc"]), 80)
        message = _message(problem)
        given = problem.get("input")
        if isinstance(given, dict | list) or given is None:
            shown = ""
        elif isinstance(given, bytes | bytearray):
            shown = " (the link's data is not readable text)"
        else:
            shown = f" (got {quote(given)})"
        line = f"{where}: {message}{shown}" if where else f"{message}{shown}"
        lines.append(clip(line, MAX_SENTENCE))
    return lines
