"""Ready-made races for the compare page: each one teaches one lesson in one click."""

from __future__ import annotations

from dataclasses import dataclass

from gdviz.settings.models import CompareConfig, DataConfig

_SGD = "sgd"

PRESETS: dict[str, CompareConfig] = {
    "Learning rate: too small / just right / too large": CompareConfig.model_validate(
        {
            # The ravine's steep direction has curvature 25: 2/λ_max = 0.08.
            "landscape": "ravine",
            "start": (-4.5, 1.5),
            "steps": 250,
            "runs": [
                {"label": "α = 0.005 (too small)", "optimizer": {"kind": _SGD, "lr": 0.005}},
                {"label": "α = 0.07 (just right)", "optimizer": {"kind": _SGD, "lr": 0.07}},
                {"label": "α = 0.085 (too large)", "optimizer": {"kind": _SGD, "lr": 0.085}},
            ],
        }
    ),
    "GD vs momentum vs Adam": CompareConfig.model_validate(
        {
            "landscape": "rosenbrock",
            "start": (-1.2, 1.0),
            "steps": 1500,
            "runs": [
                {"label": "GD α = 0.001", "optimizer": {"kind": _SGD, "lr": 0.001}},
                {
                    "label": "momentum 0.9, α = 0.001",
                    "optimizer": {"kind": _SGD, "lr": 0.001, "momentum": 0.9},
                },
                {"label": "Adam α = 0.02", "optimizer": {"kind": "adam", "lr": 0.02}},
            ],
        }
    ),
    "Adam vs AdamW (weight decay)": CompareConfig.model_validate(
        {
            # Coupled L2 (Adam) moves the minimum to argmin L + λ/2‖w‖²; decoupled decay (AdamW)
            # shrinks the weights by lr·λ each step, independent of Adam's rescaling.
            "landscape": "rosenbrock",
            "start": (-1.2, 1.0),
            "steps": 2000,
            "runs": [
                {"label": "Adam, no decay", "optimizer": {"kind": "adam", "lr": 0.02}},
                {
                    "label": "Adam + L2 λ = 0.5",
                    "optimizer": {"kind": "adam", "lr": 0.02, "weight_decay": 0.5},
                },
                {
                    "label": "AdamW λ = 0.5",
                    "optimizer": {"kind": "adamw", "lr": 0.02, "weight_decay": 0.5},
                },
            ],
        }
    ),
    "A schedule vs a constant rate (noisy gradients)": CompareConfig.model_validate(
        {
            # With noisy gradients a constant rate keeps jittering around the minimum; decaying
            # the rate shrinks the jitter and lets the run settle.
            "landscape": "bowl",
            "start": (-2.5, 2.0),
            "steps": 300,
            "seed": 1,
            "threshold": 1e-2,
            "runs": [
                {
                    "label": "constant α = 0.1",
                    "optimizer": {"kind": _SGD, "lr": 0.1},
                    "grad_noise": 1.0,
                },
                {
                    "label": "cosine to 0",
                    "optimizer": {"kind": _SGD, "lr": 0.1},
                    "schedule": {"kind": "cosine", "t_max": 300},
                    "grad_noise": 1.0,
                },
                {
                    "label": "step decay ×0.1 every 100",
                    "optimizer": {"kind": _SGD, "lr": 0.1},
                    "schedule": {"kind": "step", "step_size": 100, "gamma": 0.1},
                    "grad_noise": 1.0,
                },
            ],
        }
    ),
    "Noise helps escape a saddle": CompareConfig.model_validate(
        {
            # Started on the ridge x = 0 the gradient has no x-component: plain GD slides into
            # the saddle at the origin and stays. A little noise breaks the symmetry.
            "landscape": "saddle",
            "start": (0.0, 1.8),
            "steps": 300,
            "seed": 3,
            "runs": [
                {"label": "GD, exact gradient", "optimizer": {"kind": _SGD, "lr": 0.05}},
                {
                    "label": "GD, noise σ = 0.05",
                    "optimizer": {"kind": _SGD, "lr": 0.05},
                    "grad_noise": 0.05,
                },
                {
                    "label": "momentum 0.9, noise σ = 0.05",
                    "optimizer": {"kind": _SGD, "lr": 0.05, "momentum": 0.9},
                    "grad_noise": 0.05,
                },
            ],
        }
    ),
}


@dataclass(frozen=True)
class DataLesson:
    """A one-click setting of the data page and what to look for in it."""

    config: DataConfig
    look: str


DATA_LESSONS: dict[str, DataLesson] = {
    "Feature scaling 1: raw bills make a ravine": DataLesson(
        DataConfig(scaling="raw", flavour="batch", epochs=100, lr=0.002),
        "Bills average $20, so w and b fight each other and the bowl is a narrow ravine. "
        "α = 0.002 is just under the raw limit 2/λ_max = 0.00212: descent zig-zags across the "
        "ravine and crawls along it, still 12% above the optimum after 100 epochs.",
    ),
    "Feature scaling 2: α = 0.1 on raw bills diverges": DataLesson(
        DataConfig(scaling="raw", flavour="batch", epochs=20, lr=0.1),
        "Fifty times the raw limit: every step overshoots the steep side of the ravine by more "
        "than the last, and the loss explodes within a few epochs.",
    ),
    "Feature scaling 3: standardised, α = 0.5 lands in one step": DataLesson(
        DataConfig(scaling="standardised", flavour="batch", epochs=5, lr=0.5),
        "Standardised, the Hessian is 2I: a round bowl with the same curvature 2 in every "
        "direction. α = 1/2 is then Newton's step, and the first update lands on the optimum. "
        "Try α = 0.9 (oscillates) and α = 1.05 (diverges, above 2/λ_max = 1).",
    ),
    "Batch vs stochastic vs mini-batch": DataLesson(
        DataConfig(race=True, epochs=10, lr=0.05),
        "The same 10 passes over the data, the rows in the same order. Batch descent takes 10 "
        "careful steps and is still far away; stochastic descent takes 2,440 noisy ones and "
        "hovers around the optimum; mini-batches of 16 get closest.",
    ),
    "Why stochastic descent jitters": DataLesson(
        DataConfig(flavour="stochastic", epochs=5, lr=0.05),
        "Each update sees one row, whose own loss is smallest along a whole line of (w, b). "
        "Use the update inspector below to see each step head for its row's line, not the "
        "optimum; the grey loss curve is what such a training loop prints.",
    ),
    "The mismatched loss: a sigmoid stuck on a plateau": DataLesson(
        DataConfig(dataset="iris", model="sigmoid_mse", start=(-5.0, 5.0), lr=0.5, epochs=50),
        "Started with a steep sigmoid pointing the wrong way, every prediction is confidently "
        "wrong, yet squared error barely pushes: σ(1 − σ) ≈ 0 flattens the surface. After 50 "
        "epochs the loss is still about 10× the optimum's.",
    ),
    "Cross-entropy from the same bad start": DataLesson(
        DataConfig(dataset="iris", model="logistic", start=(-5.0, 5.0), lr=0.5, epochs=50),
        "The same neuron, start, rate and batches with cross-entropy: its gradient (σ − y)(x, 1) "
        "is largest exactly where the prediction is most wrong, and descent walks straight out.",
    ),
}
