"""A user's CSV file, read within bounds: :func:`read_csv` refuses what cannot be learned from
and says why in one sentence (:class:`DataError`): not a CSV, empty, too large, ragged rows. It
keeps only what a model can use (:class:`Table`); picking the feature and target columns
(:meth:`Table.xy`) then refuses text columns, missing values, a single row, a constant feature,
and a classification target without exactly two classes."""

from __future__ import annotations

import csv
import io
import math
import re
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from gdviz.core.echo import clip

Array = np.ndarray
Task = Literal["regression", "classification"]


MAX_BYTES = 1_000_000
"""Largest upload accepted (1 MB): about 50,000 short rows, far more than a 2-parameter model
needs, and small enough that parsing it never stalls the page. The server's own upload limit
(``server.maxUploadSize`` in ``.streamlit/config.toml``) is 1 MiB, just above it."""
MAX_ROWS = 5_000
"""Most data rows accepted: every update also evaluates the full-batch loss for the loss curve,
so the cost of a run grows with the rows."""
MAX_COLUMNS = 200
MAX_MAGNITUDE = 1e12
"""Largest absolute value accepted in the feature or the target: squares of larger numbers
(the loss, the Hessian) leave float64's comfortable range once summed over rows."""
MAX_LABELS = 50
"""Most distinct values a text column may hold and still be kept (as a class target). A column
with more distinct texts, or with a cell longer than :data:`MAX_LABEL_CHARS`, is free text:
only its name is kept, so a hostile file cannot make the server hold its text."""
MAX_LABEL_CHARS = 100
MAX_NAME_CHARS = 60
"""Longer column names are cut (with "…"): they end up in titles, pickers and axis labels."""
MISSING = frozenset({"", "na", "n/a", "nan", "null", "none", "-"})
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


class DataError(ValueError):
    """A data set that cannot be used, with a message meant for the person who supplied it."""


def format_rows(rows: Array) -> str:
    """``"4, 9 and 12"`` or ``"4, 9, 12, … (17 rows)"``: 1-based data-row numbers."""
    shown = [str(int(r) + 1) for r in rows[:5]]
    if len(rows) > 5:
        return ", ".join(shown) + f", … ({len(rows)} rows)"
    if len(shown) == 1:
        return shown[0]
    return ", ".join(shown[:-1]) + " and " + shown[-1]


@dataclass(frozen=True)
class Table:
    """A parsed CSV, holding only what a two-parameter model can use.

    ``columns`` maps a column name to its values, ``(n_rows,)`` each: a ``float`` array (NaN
    where a cell was missing) for a numeric column, or an ``object`` array of stripped strings
    for a text column with at most :data:`MAX_LABELS` distinct values (a possible class target;
    the cells share one string per distinct value). ``free_text`` names the other text columns,
    each with one example cell (cut to 40 characters): they can be neither a feature nor a
    target, so their text is not kept. ``names`` lists every column in file order.
    """

    columns: dict[str, Array]
    free_text: dict[str, str] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not self.names:
            object.__setattr__(self, "names", [*self.columns, *self.free_text])

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.columns.values()))) if self.columns else 0

    def is_numeric(self, name: str) -> bool:
        return name in self.columns and self.columns[name].dtype.kind == "f"

    @property
    def numeric(self) -> list[str]:
        """Names of the numeric columns."""
        return [name for name in self.names if self.is_numeric(name)]

    def n_distinct(self, name: str) -> int:
        """How many distinct values a column holds (``MAX_LABELS + 1`` for free text)."""
        if name in self.free_text:
            return MAX_LABELS + 1
        return len(set(self.columns[name].tolist()))

    def rows(self, keep: Array) -> Table:
        """The table with only the rows where ``keep`` (a boolean ``(n_rows,)`` array) holds."""
        cut = {name: values[keep] for name, values in self.columns.items()}
        return Table(cut, dict(self.free_text), list(self.names))

    def suggest(self, task: Task) -> tuple[str, str]:
        """A sensible first ``(feature, target)``: the first numeric column, and the last other
        column that suits the task (numeric for regression, two-valued for classification)."""
        numeric = self.numeric or self.names
        feature = numeric[0]
        others = [name for name in self.names if name != feature] or self.names
        if task == "regression":
            fits = [name for name in others if self.is_numeric(name)]
        else:
            fits = [name for name in others if self.n_distinct(name) == 2]
        return feature, (fits or others)[-1]

    def _text_example(self, name: str) -> str:
        if name in self.free_text:
            return self.free_text[name]
        values = self.columns[name]
        return clip(str(next((v for v in values if v.lower() not in MISSING), "")))

    def _column(self, name: str, role: str) -> Array:
        if name not in self.names:
            raise DataError(
                f"there is no column {clip(name)!r}; the columns are "
                + ", ".join(clip(n) for n in self.names[:12])
                + (", …" if len(self.names) > 12 else "")
            )
        if role == "feature" and not self.is_numeric(name):
            raise DataError(
                f"the feature column {name!r} is not numeric (it holds text such as "
                f"{self._text_example(name)!r}){self._decimal_comma_hint(name)}; "
                "choose a column of numbers"
            )
        if name in self.free_text:
            raise DataError(
                f"the column {name!r} is free text (such as {self.free_text[name]!r}) with more "
                f"than {MAX_LABELS} distinct values or cells over {MAX_LABEL_CHARS} characters; "
                "choose a column of numbers, or of two classes"
            )
        return self.columns[name]

    def _decimal_comma_hint(self, name: str) -> str:
        """A hint when a text column looks like numbers written with a decimal comma."""
        if name not in self.columns:
            return ""
        cells = [v for v in self.columns[name].tolist() if v.lower() not in MISSING]
        if cells and all(_DECIMAL_COMMA.match(v) or _parse_float(v) is not None for v in cells):
            return (
                ": it looks like numbers written with a decimal comma; save the file with "
                "decimal points (and commas between values) and upload it again"
            )
        return ""

    def xy(self, feature: str, target: str, task: Task) -> tuple[Array, Array, tuple[str, str]]:
        """The feature ``x (n,)`` and target ``y (n,)`` for a model, with class names.

        Regression needs a numeric target. Classification needs a target with exactly two
        distinct values (numbers or text): the smaller (in sort order) becomes 0, the other 1,
        and the returned ``(name of 0, name of 1)`` says which is which.
        """
        if feature == target:
            raise DataError("the feature and the target must be different columns")
        x = self._column(feature, "feature")
        if task == "regression" and not self.is_numeric(target) and target in self.names:
            raise DataError(
                f"the target column {target!r} is not numeric (it holds text such as "
                f"{self._text_example(target)!r}){self._decimal_comma_hint(target)}; a linear "
                "model predicts numbers: choose a numeric target, or a logistic model for two "
                "classes"
            )
        raw_y = self._column(target, "target")
        bad = ~np.isfinite(x)
        if self.is_numeric(target):
            bad |= ~np.isfinite(raw_y)
        else:
            bad |= np.array([v.lower() in MISSING for v in raw_y.tolist()])
        if bad.any():
            raise DataError(
                f"{feature!r} or {target!r} has missing, NaN or infinite values in data row(s) "
                f"{format_rows(np.flatnonzero(bad))}; fill them in or remove those rows"
            )
        for name, values in ((feature, x), (target, raw_y)):
            if values.dtype.kind == "f" and np.max(np.abs(values)) > MAX_MAGNITUDE:
                raise DataError(
                    f"{name!r} holds values as large as {np.max(np.abs(values)):.3g}; the limit "
                    f"is {MAX_MAGNITUDE:.0e} in size: rescale the column (e.g. to thousands)"
                )
        if len(x) < 2:
            raise DataError(
                "a model needs at least two rows of data to learn from; this file has one"
            )
        if np.ptp(x) == 0:
            raise DataError(
                f"the feature {feature!r} has the same value ({x[0]:g}) in every row, so it "
                "carries no information about the target; choose another column"
            )
        if task == "regression":
            return x, raw_y.astype(float), ("", "")
        classes = sorted(set(raw_y.tolist()))
        if len(classes) != 2:
            raise DataError(
                f"a classifier needs a target with exactly two classes; {target!r} has "
                f"{len(classes)} distinct values"
                + ("" if len(classes) > 2 else ": every row is in the same class")
            )
        y = (raw_y == classes[1]).astype(float)
        return x, y, (_class_name(classes[0]), _class_name(classes[1]))


def _class_name(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value).strip()


def _parse_float(cell: str) -> float | None:
    """The cell as a number (``nan`` if missing), or ``None`` if it is text."""
    text = cell.strip()
    if text.lower() in MISSING:
        return math.nan
    try:
        return float(text.replace("_", "x"))  # float() accepts "1_000"; a CSV cell should not
    except ValueError:
        return None


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise DataError(
            "this file is not a CSV: it contains binary data; upload a text file with one row "
            "per line and values separated by commas"
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("latin-1")  # spreadsheets on Windows still write cp1252/latin-1


class _ColumnReader:
    """One column, read cell by cell in bounded memory.

    Numbers go into a typed ``array('d')`` (8 bytes a cell) as long as every cell is a number;
    texts are kept as codes into at most :data:`MAX_LABELS` distinct labels. Once a column has
    more distinct texts, or a longer one, it is free text and only an example is kept.
    """

    __slots__ = ("codes", "example", "labels", "numbers")

    def __init__(self) -> None:
        self.numbers: array | None = array("d")
        self.labels: dict[str, int] | None = {}
        self.codes = array("H")
        self.example = ""

    def add(self, cell: str) -> None:
        text = cell.strip()
        if self.numbers is not None:
            value = _parse_float(text)
            if value is None:
                self.numbers = None
                self.example = clip(text)
            else:
                self.numbers.append(value)
        if self.labels is not None:
            code = self.labels.get(text)
            if code is None:
                if len(self.labels) >= MAX_LABELS or len(text) > MAX_LABEL_CHARS:
                    self.labels, self.codes = None, array("H")
                    self.example = self.example or clip(text)
                    return
                code = self.labels[text] = len(self.labels)
            self.codes.append(code)

    def result(self) -> Array | None:
        """The column's values, or ``None`` for free text."""
        if self.numbers is not None:
            numbers = np.frombuffer(self.numbers, dtype=float).copy()
            if not np.isnan(numbers).all():
                return numbers
        if self.labels is None:
            return None
        labels = np.empty(len(self.labels), dtype=object)
        labels[:] = list(self.labels)
        return labels[np.frombuffer(self.codes, dtype=np.uint16)]


def read_csv(content: bytes, *, max_bytes: int = MAX_BYTES, max_rows: int = MAX_ROWS) -> Table:
    """Parse CSV ``content`` with a header row into a :class:`Table`.

    The delimiter (comma, semicolon or tab) is sniffed from the first lines. Rows are read one
    at a time and only what a model can use is kept (see :class:`Table`), so the memory a file
    costs is bounded by its numeric cells (at most 8 bytes each), whatever its text holds.
    Raises :class:`DataError` with a one-sentence reason when the file is empty, larger than
    ``max_bytes``, has more than ``max_rows`` data rows, is not delimited text, or has rows
    whose length differs from the header's.
    """
    if len(content) == 0 or not content.strip():
        raise DataError("the file is empty; upload a CSV with a header row and rows of numbers")
    if len(content) > max_bytes:
        raise DataError(
            f"the file is {len(content) / 1e6:.1f} MB; the limit is {max_bytes / 1e6:g} MB"
        )
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    rows = (row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(row))
    try:
        header = _header(next(rows, None))
        readers = _read_rows(rows, header, max_rows)
    except csv.Error as error:
        raise DataError(f"this file is not a readable CSV: {error}") from None
    names = _unique_names(header)
    columns: dict[str, Array] = {}
    free_text: dict[str, str] = {}
    for name, reader in zip(names, readers, strict=True):
        values = reader.result()
        if values is None:
            free_text[name] = reader.example
        else:
            columns[name] = values
    if not columns:
        raise DataError("every column of this file is free text; a model needs a column of numbers")
    return Table(columns, free_text, names)


def _header(header: list[str] | None) -> list[str]:
    """The header row, checked: present, at least two columns, at most ``MAX_COLUMNS``."""
    if header is None:
        raise DataError("the file is empty; upload a CSV with a header row and rows of numbers")
    if len(header) < 2:
        raise DataError(
            "this does not look like a CSV: the first line has no commas (or semicolons or "
            "tabs); a data set needs at least two columns, a feature and a target"
        )
    if len(header) > MAX_COLUMNS:
        raise DataError(f"the file has {len(header):,} columns; the limit is {MAX_COLUMNS}")
    return header


def _read_rows(rows: Iterator[list[str]], header: list[str], max_rows: int) -> list[_ColumnReader]:
    """Every data row into one reader per column; at most ``max_rows`` rows, each as long as
    the header."""
    readers = [_ColumnReader() for _ in header]
    n_rows = 0
    for row in rows:
        n_rows += 1
        if n_rows > max_rows:
            more = sum(1 for _ in rows)
            raise DataError(f"the file has {n_rows + more:,} data rows; the limit is {max_rows:,}")
        if len(row) != len(header):
            raise DataError(
                f"data row {n_rows} has {len(row)} values but the header has {len(header)} columns"
            )
        for reader, cell in zip(readers, row, strict=True):
            reader.add(cell)
    if n_rows == 0:
        raise DataError("the file has a header row but no data rows")
    return readers


def _unique_names(header: list[str]) -> list[str]:
    """Header cells on one line (control characters as spaces), stripped and cut to
    :data:`MAX_NAME_CHARS`; blank ones become ``column 3``; repeats get ``(2)``, ``(3)``."""
    names: list[str] = []
    for j, cell in enumerate(header):
        base = clip(cell.strip(), MAX_NAME_CHARS).strip() or f"column {j + 1}"
        name, k = base, 2
        while name in names:
            name, k = f"{base} ({k})", k + 1
        names.append(name)
    return names
