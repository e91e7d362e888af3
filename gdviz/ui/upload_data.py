"""The data page's own data: an uploaded CSV file, its task and columns, parsed once per file
(keyed by its SHA-256) and cached with the problems built on it; and the example or upload the
widgets name."""

from __future__ import annotations

import hashlib

import streamlit as st

from gdviz import settings
from gdviz.learning import datasets, training
from gdviz.ui.choices import choice
from gdviz.ui.replay import replayed_upload
from gdviz.ui.text import inert

# The server refuses larger bodies outright (server.maxUploadSize in .streamlit/config.toml);
# the widget says the same limit, so nobody uploads 50 MB to be told "1 MB" afterwards.
UPLOAD_LIMIT_MB = 1
LOST_UPLOAD = (
    "The server restarted and lost the file you had uploaded: upload it again (remove the old "
    "one with × if the box above still shows it)."
)
TASK_NAMES = {"regression": "a number (regression)", "classification": "one of two classes"}


@st.cache_resource(max_entries=16, show_spinner=False)
def read_upload(digest: str, _content: bytes) -> datasets.Table:
    """The parsed upload (keyed by the SHA-256 of its bytes; raises DataError)."""
    return datasets.read_csv(_content)


@st.cache_resource(max_entries=16, show_spinner=False)
def upload_dataset(
    digest: str,
    feature: str,
    target: str,
    task: str,
    name: str,
    log10_feature: bool,
    _table: datasets.Table,
) -> datasets.Dataset:
    """The uploaded data set for these columns (raises DataError); cached, so the problems and
    runs built on it are found again on the next rerun."""
    return datasets.from_table(
        _table,
        feature,
        target,
        task,  # type: ignore[arg-type]
        name,
        log10_feature,
    )


def problem_for(
    data_key: str, dataset: datasets.Dataset, model: str, scaling: str
) -> training.Problem:
    """The problem for a data set (named by ``data_key``: an example's name, or an upload's
    digest), a model and a scaling. An example's comes from the one cache the settings'
    validator uses too; an upload's from this page's."""
    if data_key in datasets.EXAMPLES:
        return settings.example_problem(data_key, model, scaling)
    return upload_problem(data_key, dataset, model, scaling)


@st.cache_resource(max_entries=32, show_spinner=False)
def upload_problem(
    digest: str, _dataset: datasets.Dataset, model: str, scaling: str
) -> training.Problem:
    """The problem for an uploaded data set (keyed by the file's digest and its columns)."""
    return training.make_problem(_dataset, model, scaling)  # type: ignore[arg-type]


def change_task() -> None:
    """A new task picks a target column that suits it (a later choice by hand still wins)."""
    table = st.session_state.get("dt_table")
    if table is not None:
        st.session_state.dt_target = table.suggest(st.session_state.dt_task)[1]


def current_dataset() -> datasets.Dataset | None:
    """The data set the widgets name (``None`` while an upload is missing or unusable)."""
    s = st.session_state
    if s.dt_d != settings.UPLOAD:
        return datasets.example(s.dt_d)
    return s.get("dt_dataset")


def choose_upload() -> tuple[datasets.Dataset | None, str, str | None]:
    """The sidebar's upload box, task and column pickers.

    Returns ``(the data set or None, a cache key naming file + columns, an error message or
    None)``; an unusable file or column choice gives a message, never an exception.
    """
    s = st.session_state
    # After a server restart the tab still shows a file the server no longer has (read before
    # the uploader decodes the browser's state into "no file").
    s.dt_upload_lost = s.get("dt_upload_lost") or replayed_upload("dt_file")
    file = st.file_uploader(
        f"CSV with a header row (at most {datasets.MAX_ROWS:,} rows, "
        f"{datasets.MAX_BYTES / 1e6:g} MB)",
        key="dt_file",
        max_upload_size=UPLOAD_LIMIT_MB,
    )
    s.dt_dataset = None
    if file is None:
        return None, "", LOST_UPLOAD if s.dt_upload_lost else None
    s.dt_upload_lost = False
    content = file.getvalue()
    digest = hashlib.sha256(content).hexdigest()
    try:
        table = read_upload(digest, content)
    except datasets.DataError as error:
        return None, "", f"**{inert(file.name)}** cannot be used: {inert(error)}."
    s.dt_table = table
    choice(
        st,
        "radio",
        "The target is",
        list(TASK_NAMES),
        key="dt_task",
        format_func=TASK_NAMES.get,
        on_change=change_task,
    )
    if s.get("dt_columns_of") != digest:  # a new file: suggest columns that suit the task
        s.dt_columns_of = digest
        s.dt_feature, s.dt_target = table.suggest(s.dt_task)
    choice(st, "selectbox", "Feature x (numeric)", table.names, key="dt_feature")
    choice(st, "selectbox", "Target y", table.names, key="dt_target")
    st.toggle(
        "Use log₁₀ of the feature",
        key="dt_logx",
        help="For values spread over orders of magnitude, like incomes.",
    )
    columns = (s.dt_feature, s.dt_target, s.dt_task)
    try:
        s.dt_dataset = upload_dataset(digest, *columns, file.name, s.dt_logx, table)
    except datasets.DataError as error:
        return None, "", f"**{inert(file.name)}**: {inert(error)}."
    return s.dt_dataset, ":".join([settings.UPLOAD, digest, *columns, str(s.dt_logx)]), None
