"""The PyTorch program that trains the same model the same way as the data page.

The text is generated from the page's settings (data set, model, scaling, batch size, epochs,
learning rate, momentum, seed, start), so a learner can carry the experiment over. With the batch
flavour it reproduces the page's path exactly (in float64); with mini-batches the *order* of the
rows differs, because ``DataLoader`` shuffles with torch's generator and the page with numpy's.

Text from the user's file (its name, columns and classes) enters the code only as Python literals
(``repr``) or in a ``#`` comment made one line, so it can never add a statement of its own.
"""

from __future__ import annotations

import math

from gdviz.core.echo import one_line  # user text in a comment: one line, so no new statement
from gdviz.learning.datasets import EXAMPLES, Dataset


def _load_lines(dataset: Dataset, feature: str | None, target: str | None) -> list[str]:
    """Lines that leave the raw feature in ``x`` and the target in ``y`` (numpy arrays)."""
    if dataset.key in EXAMPLES:
        spec = EXAMPLES[dataset.key]
        lines = ["import plotly.express as px  # plotly ships this data set", ""]
        lines.append(f"df = px.data.{spec.table}()")
        if spec.where is not None:
            column, value = spec.where
            lines.append(f"df = df[df[{column!r}] == {value:g}]")
        if spec.classes is not None:
            lines.append(f"df = df[df[{spec.target!r}].isin({list(spec.classes)!r})]")
        feature, target = spec.feature, spec.target
        x = f"df[{feature!r}].to_numpy(dtype=float)"
        lines.append(f"x = np.log10({x})" if spec.log10_feature else f"x = {x}")
    else:
        lines = ["import pandas as pd", "", 'df = pd.read_csv("your_file.csv")']
        x = f"df[{feature!r}].to_numpy(dtype=float)"
        lines.append(f"x = np.log10({x})" if dataset.log10_feature else f"x = {x}")
    if dataset.task == "classification":
        positive = dataset.classes[1]
        try:
            number = float(positive)
        except ValueError:
            number = math.nan
        if math.isfinite(number):
            compare = f"df[{target!r}] == {number!r}"
        else:
            compare = f"df[{target!r}].astype(str).str.strip() == {positive!r}"
        lines.append(f"y = ({compare}).to_numpy(dtype=float)  # 1 = {one_line(positive)}")
    else:
        lines.append(f"y = df[{target!r}].to_numpy(dtype=float)")
    return lines


def pytorch_snippet(
    dataset: Dataset,
    *,
    model: str,
    scaling: str,
    batch_size: int,
    epochs: int,
    lr: float,
    momentum: float,
    seed: int,
    start: tuple[float, float],
    feature: str | None = None,
    target: str | None = None,
) -> str:
    """A complete, runnable PyTorch script for these settings (``batch_size`` is the number of
    rows per update: ``n`` for batch descent, 1 for stochastic)."""
    lines = [
        f"# {one_line(dataset.title)}: the same experiment in PyTorch",
        "import numpy as np",
        "import torch",
        "from torch.utils.data import DataLoader, TensorDataset",
        "",
        "torch.set_default_dtype(torch.float64)  # the page computes in float64",
        *_load_lines(dataset, feature, target),
        "",
    ]
    if scaling == "standardised":
        lines.append("x = (x - x.mean()) / x.std()  # standardise, as on the page (numpy's std)")
    lines += [
        "X = torch.tensor(x).reshape(-1, 1)",
        "Y = torch.tensor(y).reshape(-1, 1)",
        "",
    ]
    if model == "sigmoid_mse":
        lines += [
            "neuron = torch.nn.Linear(1, 1)",
            "model = torch.nn.Sequential(neuron, torch.nn.Sigmoid())",
            "loss_fn = torch.nn.MSELoss()  # squared error on the sigmoid: the mismatched loss",
        ]
    elif model == "logistic":
        lines += [
            "neuron = torch.nn.Linear(1, 1)",
            "model = neuron  # outputs the logit z = w x + b",
            "loss_fn = torch.nn.BCEWithLogitsLoss()  # cross-entropy of sigmoid(z)",
        ]
    else:
        lines += [
            "neuron = torch.nn.Linear(1, 1)",
            "model = neuron",
            "loss_fn = torch.nn.MSELoss()",
        ]
    w0, b0 = start
    lines += [
        "with torch.no_grad():  # the page's start point (w, b)",
        f"    neuron.weight.fill_({w0!r})",
        f"    neuron.bias.fill_({b0!r})",
        "",
        f"optimizer = torch.optim.SGD(model.parameters(), lr={lr!r}, momentum={momentum!r})",
        "loader = DataLoader(",
        "    TensorDataset(X, Y),",
        f"    batch_size={batch_size},",
        "    shuffle=True,",
        f"    generator=torch.Generator().manual_seed({seed}),",
        ")",
        "",
        f"for epoch in range({epochs}):",
        "    for xb, yb in loader:",
        "        optimizer.zero_grad()",
        "        loss = loss_fn(model(xb), yb)",
        "        loss.backward()",
        "        optimizer.step()",
        "    with torch.no_grad():",
        "        full = loss_fn(model(X), Y).item()",
        '    print(f"epoch {epoch + 1}: loss {full:.6g}")',
        "",
        'print("w =", neuron.weight.item(), " b =", neuron.bias.item())',
    ]
    return "\n".join(lines) + "\n"
