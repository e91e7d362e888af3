"""Ready-made races for the compare page: each one teaches one lesson in one click."""

from __future__ import annotations

from gdviz.config import CompareConfig

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
