"""What the network page says about its numbers, in plain words."""

from __future__ import annotations

import numpy as np

from gdviz.learning.network_views import NetworkRun, PlaneView
from gdviz.teach.narrate import num

Array = np.ndarray


def training_summary(run: NetworkRun) -> str:
    """One paragraph: where the training ended, on the rows it saw and on the held-out ones."""
    if run.diverged_at >= 0:
        return (
            f"The training blew up at step {run.diverged_at:,}: the learning rate is too large "
            "for this network. Try a smaller one."
        )
    gap = run.held_loss[-1] - run.loss[-1]
    words = (
        f"After {len(run.loss) - 1:,} steps the training loss is {num(run.loss[-1], 4)} and "
        f"{100 * run.train_accuracy[-1]:.1f}% of the training rows are right; on the "
        f"{run.held.n_samples:,} held-out rows the network never trained on, "
        f"{100 * run.held_accuracy[-1]:.1f}% (loss {num(run.held_loss[-1], 4)})."
    )
    if gap > 0.5 * max(run.loss[-1], 1e-12) and gap > 0.05:
        words += " The held-out loss is well above the training loss: the network overfits."
    return words


def plane_verdict(view: PlaneView) -> str:
    """Whether the contour under the path tells the truth about it, and why not."""
    share = view.off_share
    apart = np.abs(view.path_loss - view.surface_loss) / np.maximum(view.path_loss, 1e-12)
    gap = float(np.max(apart))
    if share < 0.05:
        return (
            f"The path lies in this plane (at most {100 * share:.1f}% of its reach off it), so the "
            "contour under it is the loss it had: this picture can be trusted along the path."
        )
    return (
        f"The path lies off this plane (up to {100 * share:.0f}% of its reach), so the contour "
        f"under a point is not the loss the network had there (up to {100 * gap:.0f}% apart). "
        "The right-hand chart shows both: where the curves part, the picture misleads."
    )


def explained_words(view: PlaneView) -> str:
    if view.explained is None:
        return ""
    first, second = 100 * view.explained
    return (
        f"The two directions in which the path moved most explain {first:.1f}% and "
        f"{second:.1f}% of its movement: a training path is nearly flat, which is why a plane "
        "can show it."
    )


def sharpness_words(steps: Array, tops: Array, lr: float, full_batch: bool, sgd: bool) -> str:
    """How the sharpness relates to gradient descent's stability threshold 2/η."""
    bound = 2.0 / lr
    half = steps >= steps[-1] / 2
    ratio = tops[half] / bound
    lead = (
        f"The sharpness rose from {tops[0]:.3g} to {tops.max():.3g}; plain gradient descent at "
        f"η = {lr:g} is stable on a quadratic only while it stays below 2/η = {bound:.3g}. "
    )
    if not (full_batch and sgd):
        return lead + (
            "This training is not full-batch gradient descent, so 2/η is a reference, not its "
            "threshold: load the edge-of-stability preset to see the effect Cohen et al. found."
        )
    if ratio.min() > 0.9 and ratio.max() < 1.1:
        return lead + (
            f"Over the second half of the training it hovers at {ratio.min():.2f}–"
            f"{ratio.max():.2f} × 2/η while the loss keeps falling, though not every step: the "
            "edge of stability. The training sharpened until it could not sharpen further, and "
            "then regulated itself at the threshold instead of diverging."
        )
    if tops.max() < 0.9 * bound:
        return lead + (
            "It stayed below the threshold: training is stable throughout. A larger η, or "
            "more steps, lets the sharpening reach it."
        )
    return lead + "It crossed the threshold; where the loss spiked, descent was unstable."
