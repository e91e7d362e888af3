"""The examples in the documentation run and print what they say: the docstrings' doctests and
the README's Python blocks (our own text, run as a reader would paste it)."""

from __future__ import annotations

import doctest
import importlib
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]


def _modules_with_examples() -> list[str]:
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for path in (ROOT / "gdviz").rglob("*.py")
        if ">>>" in path.read_text(encoding="utf-8")
    )


def test_there_are_doctests_to_run():
    assert "gdviz.core.landscapes" in _modules_with_examples()


@pytest.mark.parametrize("module", _modules_with_examples())
def test_the_doctests_hold(module: str):
    result = doctest.testmod(importlib.import_module(module), optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0


def _readme_block(heading: str) -> str:
    """The first ```python block under the README heading ``heading``."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    found = re.search(r"```python\n(.*?)```", section, flags=re.S)
    assert found is not None, heading
    return found.group(1)


def test_the_core_in_five_lines_runs_as_its_comments_say():
    names: dict = {}
    exec(compile(_readme_block("### The core in five lines"), "README.md", "exec"), names)
    traj, sweep = names["traj"], names["sweep"]
    assert traj.path.shape == (5001, 1, 2)  # the comment's shape
    assert str(traj.status[0]) == "converged" and int(traj.converged_at[0]) == 3930
    assert sweep.path is None and sweep.final.shape == (1000, 2)


def test_the_notebook_example_runs_and_prints_its_numbers(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)  # it writes digits-plane.html
    names: dict = {}
    exec(
        compile(_readme_block("### A network's landscape in a notebook"), "README.md", "exec"),
        names,
    )
    printed = capsys.readouterr().out
    assert "held-out accuracy 96.4%" in printed
    assert "explained [0.975 0.023], off the plane 5.7%" in printed
    assert np.isclose(float(printed.strip().splitlines()[-1]), 0.363, atol=5e-4)
    assert (tmp_path / "digits-plane.html").stat().st_size > 100_000
