"""The one label table of each union kind, shown in selects."""

# The one label table of each union kind (a select shows one line: short enough for the sidebar).
OPTIMIZER_LABELS = {
    "sgd": "SGD",  # momentum and Nesterov are its own widgets, beside it on every page
    "adagrad": "Adagrad",
    "rmsprop": "RMSprop",
    "adam": "Adam",
    "adamw": "AdamW",
}
SCHEDULE_LABELS = {
    "constant": "Constant",
    "step": "Step decay",
    "exponential": "Exponential decay",
    "cosine": "Cosine annealing",
    "warmup": "Linear warm-up, then constant",
}
