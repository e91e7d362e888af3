"""Data sets for the data page: real tables that ship offline, and the user's own CSV.

The tips, iris and gapminder tables come with the plotly package as gzipped CSVs in
``plotly/package_data/datasets/``. They are located with ``importlib.util.find_spec`` and read
with the standard ``csv`` module, so the core never imports plotly and nothing is downloaded.

Uploaded files go through :func:`gdviz.learning.tables.read_csv` (re-exported here with the
limits and :class:`DataError`, the names the pages use).
"""

from __future__ import annotations

import functools
import gzip
import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np

from gdviz.learning.tables import (
    MAX_BYTES,
    MAX_COLUMNS,
    MAX_LABEL_CHARS,
    MAX_LABELS,
    MAX_MAGNITUDE,
    MAX_NAME_CHARS,
    MAX_ROWS,
    MISSING,
    DataError,
    Table,
    format_rows,
    read_csv,
)

Array = np.ndarray
Task = Literal["regression", "classification"]
__all__ = [
    "EXAMPLES",
    "MAX_BYTES",
    "MAX_COLUMNS",
    "MAX_LABELS",
    "MAX_LABEL_CHARS",
    "MAX_MAGNITUDE",
    "MAX_NAME_CHARS",
    "MAX_ROWS",
    "MISSING",
    "DataError",
    "Dataset",
    "Example",
    "Table",
    "bundled_path",
    "bundled_table",
    "example",
    "from_table",
    "read_csv",
]

# -- the bundled examples ---------------------------------------------------------------------


def bundled_path(name: str) -> Path:
    """Path of plotly's ``<name>.csv.gz``, found without importing plotly."""
    spec = importlib.util.find_spec("plotly")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("the plotly package (which ships the example data) is not installed")
    root = Path(next(iter(spec.submodule_search_locations)))
    return root / "package_data" / "datasets" / f"{name}.csv.gz"


@functools.lru_cache(maxsize=8)
def bundled_table(name: str) -> Table:
    """One of plotly's bundled tables (``"tips"``, ``"iris"``, ``"gapminder"``, …)."""
    with gzip.open(bundled_path(name), "rb") as fh:
        return read_csv(fh.read(), max_bytes=10**8, max_rows=10**6)


@dataclass(frozen=True)
class Dataset:
    """A feature ``x (n,)`` and a target ``y (n,)`` ready for a two-parameter model.

    ``classes`` names the target's 0 and 1 for classification (empty strings for regression).
    """

    key: str
    title: str
    x: Array
    y: Array
    x_label: str
    y_label: str
    task: Task
    classes: tuple[str, str] = ("", "")
    source: str = ""
    log10_feature: bool = False  # x is log₁₀ of the named column

    @property
    def n(self) -> int:
        return len(self.y)


@dataclass(frozen=True)
class Example:
    """How a bundled example is cut from its table."""

    title: str
    table: str
    feature: str
    target: str
    task: Task
    x_label: str
    y_label: str
    log10_feature: bool = False
    where: tuple[str, object] | None = None  # keep rows whose column equals this value
    classes: tuple[str, str] | None = None  # (class 0, class 1) kept, for classification
    blurb: str = ""


EXAMPLES: dict[str, Example] = {
    "tips": Example(
        title="Restaurant tips: tip ~ total bill",
        table="tips",
        feature="total_bill",
        target="tip",
        task="regression",
        x_label="total bill ($)",
        y_label="tip ($)",
        blurb="244 restaurant bills and the tips left on them. Bills average about $20, so the "
        "raw feature sits far from zero: the slope and intercept fight each other.",
    ),
    "gapminder": Example(
        title="Life expectancy ~ log₁₀ GDP per capita (2007)",
        table="gapminder",
        feature="gdpPercap",
        target="lifeExp",
        task="regression",
        x_label="log₁₀ GDP per capita (US$)",
        y_label="life expectancy (years)",
        log10_feature=True,
        where=("year", 2007.0),
        blurb="142 countries in 2007 (Gapminder). Each tenfold rise in income goes with about "
        "17 more years of life.",
    ),
    "iris": Example(
        title="Iris: virginica vs versicolor by petal length",
        table="iris",
        feature="petal_length",
        target="species",
        task="classification",
        x_label="petal length (cm)",
        y_label="P(virginica)",
        classes=("versicolor", "virginica"),
        blurb="100 irises of two species whose petal lengths overlap, so no threshold "
        "separates them perfectly and the best model is a soft sigmoid.",
    ),
}


@functools.lru_cache(maxsize=8)
def example(key: str) -> Dataset:
    """The bundled example ``key`` (one of :data:`EXAMPLES`) as a :class:`Dataset`."""
    spec = EXAMPLES[key]
    table = bundled_table(spec.table)
    keep = np.ones(table.n_rows, dtype=bool)
    if spec.where is not None:
        column, value = spec.where
        keep &= table.columns[column] == value
    if spec.classes is not None:
        keep &= np.isin(table.columns[spec.target], spec.classes)
    cut = table.rows(keep)
    x, y, classes = cut.xy(spec.feature, spec.target, spec.task)
    if spec.log10_feature:
        x = np.log10(x)
    return Dataset(
        key=key,
        title=spec.title,
        x=x,
        y=y,
        x_label=spec.x_label,
        y_label=spec.y_label,
        task=spec.task,
        classes=classes,
        source=f"plotly.data.{spec.table}() (bundled with plotly, read offline)",
        log10_feature=spec.log10_feature,
    )


def from_table(
    table: Table, feature: str, target: str, task: Task, name: str, log10_feature: bool = False
) -> Dataset:
    """A :class:`Dataset` from an uploaded table (raises :class:`DataError` when unusable).

    ``log10_feature`` models the target against ``log₁₀ x`` (incomes, populations: anything
    spread over orders of magnitude); it needs every ``x > 0``.
    """
    x, y, classes = table.xy(feature, target, task)
    label = feature
    if log10_feature:
        bad = np.flatnonzero(x <= 0)
        if len(bad):
            raise DataError(
                f"log₁₀ needs positive values, but {feature!r} is {x[bad[0]]:g} in data row(s) "
                f"{format_rows(bad)}; turn the logarithm off or choose another column"
            )
        x, label = np.log10(x), f"log₁₀ {feature}"
        if np.ptp(x) == 0:
            raise DataError(f"log₁₀ {feature!r} has the same value in every row")
    return Dataset(
        key="upload",
        title=f"{name}: {target} ~ {label}",
        x=x,
        y=y,
        x_label=label,
        y_label=f"P({classes[1]})" if task == "classification" else target,
        task=task,
        classes=classes,
        source=f"uploaded file {name}",
        log10_feature=log10_feature,
    )
