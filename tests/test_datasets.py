"""Data sets: plotly's bundled tables read offline, and the checks on an uploaded CSV."""

from __future__ import annotations

import csv
import gzip

import numpy as np
import pytest

from gdviz.learning import datasets
from gdviz.learning.datasets import DataError, read_csv


def test_bundled_tables_are_read_without_importing_plotly():
    path = datasets.bundled_path("tips")
    assert path.name == "tips.csv.gz" and path.exists()
    table = datasets.bundled_table("tips")
    with gzip.open(path, "rt") as fh:
        rows = list(csv.DictReader(fh))
    assert table.n_rows == len(rows) == 244
    np.testing.assert_array_equal(table.columns["tip"], [float(r["tip"]) for r in rows])
    assert table.numeric == ["total_bill", "tip", "size"]
    assert not table.is_numeric("day") and table.columns["day"][0] == "Sun"


@pytest.mark.parametrize(
    ("key", "n", "task", "x_first", "y_first", "classes"),
    [
        ("tips", 244, "regression", 16.99, 1.01, ("", "")),
        ("gapminder", 142, "regression", np.log10(974.5803384), 43.828, ("", "")),
        ("iris", 100, "classification", 4.7, 0.0, ("versicolor", "virginica")),
    ],
)
def test_the_three_examples(key, n, task, x_first, y_first, classes):
    ds = datasets.example(key)
    assert (ds.n, ds.task, ds.classes) == (n, task, classes)
    assert ds.x[0] == pytest.approx(x_first, rel=1e-12) and ds.y[0] == y_first
    if task == "classification":
        assert set(ds.y) == {0.0, 1.0} and ds.y.sum() == 50  # 50 virginica, 50 versicolor


def test_a_good_upload_with_text_numbers_and_gaps_in_other_columns():
    content = b"name;height;weight;sex\nann;1,7;60;f\nbob;1.8;;m\ncy;1.6;55;f\n"
    table = read_csv(content)  # semicolons sniffed
    assert table.names == ["name", "height", "weight", "sex"]
    assert table.numeric == ["weight"]  # "1,7" is text: a decimal comma is not a number here
    content = b"height,weight,sex\n1.7,60,f\n1.8,81,m\n1.6,55,f\n"
    x, y, classes = read_csv(content).xy("height", "sex", "classification")
    np.testing.assert_array_equal(y, [0.0, 1.0, 0.0])
    assert classes == ("f", "m")
    x, y, _ = read_csv(content).xy("height", "weight", "regression")
    np.testing.assert_array_equal(x, [1.7, 1.8, 1.6])
    np.testing.assert_array_equal(y, [60.0, 81.0, 55.0])


def test_a_spreadsheet_export_in_latin1_with_a_bom_free_header_reads():
    content = "température,ventes\n20,1\n25,3\n".encode("latin-1")
    table = read_csv(content)
    assert table.names == ["température", "ventes"]


def test_blank_and_repeated_header_names_get_unique_names():
    table = read_csv(b"x,,x\n1,2,3\n4,5,6\n")
    assert table.names == ["x", "column 2", "x (2)"]


def test_suggested_columns_suit_the_task():
    table = read_csv(b"id,hours,score,passed\n1,2,50,no\n2,3,70,yes\n3,5,90,yes\n")
    assert table.suggest("regression") == ("id", "score")
    assert table.suggest("classification") == ("id", "passed")


MB = 1_000_000


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "the file is empty"),
        (b"  \n\n", "the file is empty"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a CSV: it contains binary data"),
        (b"just one column\n1\n2\n", "does not look like a CSV"),
        (b"a,b\n", "header row but no data rows"),
        (b"a,b\n1,2\n3\n", "data row 2 has 1 values but the header has 2 columns"),
        (b"a,b\n" + b"1,2\n" * 5001, "5,001 data rows; the limit is 5,000"),
        (
            b",".join([b"c"] * 300) + b"\n" + b",".join([b"1"] * 300),
            "300 columns; the limit is 200",
        ),
        (b"a,b\n" + b"1," + b"9" * MB + b"\n", "the file is 1.0 MB; the limit is 1 MB"),
    ],
)
def test_unusable_files_are_refused_with_a_reason(content, message):
    with pytest.raises(DataError, match=message):
        read_csv(content)


@pytest.mark.parametrize(
    ("content", "feature", "target", "task", "message"),
    [
        (b"a,b\n1,2\n", "a", "b", "regression", "at least two rows of data"),
        (b"a,b\nx,2\ny,3\n", "a", "b", "regression", "feature column 'a' is not numeric"),
        (b"a,b\n1,x\n2,y\n", "a", "b", "regression", "target column 'b' is not numeric"),
        (b"a,b\n1,2\nnan,3\n4,5\n", "a", "b", "regression", "data row.s. 2;"),
        (b"a,b\n1,2\n2,\n4,5\n", "a", "b", "regression", "missing, NaN or infinite"),
        (b"a,b\n1,2\n2,inf\n", "a", "b", "regression", "missing, NaN or infinite"),
        (b"a,b\n3,2\n3,5\n", "a", "b", "regression", "same value .3. in every row"),
        (b"a,b\n3,2\n1e300,5\n", "a", "b", "regression", "values as large as 1e.300"),
        (b"a,b\n1,2\n2,5\n3,7\n", "a", "b", "classification", "exactly two classes; 'b' has 3"),
        (b"a,b\n1,x\n2,x\n", "a", "b", "classification", "every row is in the same class"),
        (b"a,b\n1,2\n2,3\n", "a", "a", "regression", "must be different columns"),
        (b"a,b\n1,2\n2,3\n", "a", "c", "regression", "there is no column 'c'"),
    ],
)
def test_unusable_columns_are_refused_with_a_reason(content, feature, target, task, message):
    with pytest.raises(DataError, match=message):
        read_csv(content).xy(feature, target, task)


def test_an_upload_can_use_the_log_of_its_feature():
    table = read_csv(b"income,life\n1000,50\n10000,67\n100000,80\n")
    ds = datasets.from_table(table, "income", "life", "regression", "g.csv", log10_feature=True)
    np.testing.assert_allclose(ds.x, [3.0, 4.0, 5.0])
    assert ds.x_label == "log₁₀ income" and ds.log10_feature
    table = read_csv(b"income,life\n1000,50\n0,67\n-5,80\n")
    with pytest.raises(DataError, match=r"log₁₀ needs positive values.*data row\(s\) 2 and 3"):
        datasets.from_table(table, "income", "life", "regression", "g.csv", log10_feature=True)
