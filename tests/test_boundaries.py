"""The layers stay honest: the numeric core imports neither streamlit nor plotly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORE = [
    "gdviz",
    "gdviz.landscapes",
    "gdviz.optim",
    "gdviz.schedules",
    "gdviz.descent",
    "gdviz.analysis",
    "gdviz.data",
    "gdviz.config",
    "gdviz.expr",
    "gdviz.compare",
    "gdviz.sweep",
    "gdviz.presets",
    "gdviz.hiker",
    "gdviz.narrate",
    "gdviz.urlstate",
]


def test_core_imports_neither_streamlit_nor_plotly():
    code = (
        "import importlib, sys\n"
        f"for m in {CORE!r}: importlib.import_module(m)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'plotly'))\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"the core pulled in: {out.stdout.strip()}"


def test_no_eval_or_exec_anywhere():
    for path in [*ROOT.glob("gdviz/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        if not path.exists():
            continue
        text = path.read_text()
        for banned in ("eval(", "exec(", "__import__("):
            assert banned not in text, f"{banned} in {path.relative_to(ROOT)}"
