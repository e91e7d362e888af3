"""The layers stay honest: each package imports only the packages below it.

    core      numpy (+ threadpoolctl)             (landscapes, optimizers, descent, sweeps)
    learning  core                                (models on data, datasets, training)
    expr      core                                (typed-in formulas)
    teach     core, learning                      (the hiker, words for learners)
    settings  core, learning, expr, teach + pydantic
    figures   core, learning, expr, teach + plotly, PIL (never streamlit, never settings)
    serve     core                                (the heavy-work queue; the cores it shares)
    ui        everything + streamlit              (the Streamlit glue the pages share)

``gdviz/ui`` is the only part of gdviz that imports streamlit; ``pages/`` holds only the page
scripts of the navigation table, which import gdviz and never each other; no two modules of
gdviz import each other, even through a function-local import.

Checked twice: statically over every import statement (function-local ones too), and by
importing each layer in a fresh interpreter and looking at what it pulled in.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gdviz"
LAYERS = ("core", "learning", "expr", "teach", "settings", "figures", "serve", "ui")
MAY_IMPORT = {
    "core": {"core"},
    "learning": {"core", "learning"},
    "expr": {"core", "expr"},
    "teach": {"core", "learning", "teach"},
    "settings": {"core", "learning", "expr", "teach", "settings"},
    "figures": {"core", "learning", "expr", "teach", "figures"},
    "serve": {"core", "serve"},
    "ui": {"core", "learning", "expr", "teach", "settings", "figures", "serve", "ui"},
}
THIRD_PARTY = {
    "streamlit",
    "plotly",
    "pydantic",
    "annotated_types",
    "pandas",
    "PIL",
    "threadpoolctl",
}
MAY_USE = {
    "core": {"threadpoolctl"},  # numpy's BLAS on one thread beside the worker processes
    "learning": set(),
    "expr": set(),
    "teach": set(),
    "settings": {"pydantic", "annotated_types"},
    "figures": {"plotly", "PIL"},  # PIL: the GIF exports
    "serve": set(),
    "ui": {"streamlit", "plotly", "pydantic", "pandas"},  # pandas: loaded early (ui.charts)
}


def _imports(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement in ``path`` names, absolute, with its line."""
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            # `from gdviz.core import optim` names gdviz.core.optim
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def _layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "gdviz" and len(parts) > 1 and parts[1] in LAYERS else None


@pytest.mark.parametrize("layer", LAYERS)
def test_each_layer_imports_only_what_lies_below_it(layer: str):
    files = sorted((PACKAGE / layer).rglob("*.py"))
    assert files, f"gdviz/{layer} is empty"
    wrong = []
    for path in files:
        for line, module in _imports(path):
            top = module.split(".")[0]
            if top == "gdviz":
                target = _layer_of(module)
                if target is None or target not in MAY_IMPORT[layer]:
                    wrong.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
            elif top in THIRD_PARTY and top not in MAY_USE[layer]:
                wrong.append(f"{path.relative_to(ROOT)}:{line} imports {top}")
    assert not wrong, "\n".join(wrong)


def test_the_rule_itself_catches_an_upward_import(tmp_path: Path):
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from gdviz.settings import RunConfig\n    import streamlit\n")
    assert _imports(bad) == [(2, "gdviz.settings.RunConfig"), (3, "streamlit")]
    assert _layer_of("gdviz.settings.RunConfig") not in MAY_IMPORT["core"]


def _pulled_in(modules: list[str]) -> set[str]:
    code = (
        "import importlib, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    return set(out.stdout.split())


def _modules(*layers: str) -> list[str]:
    return [
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for layer in layers
        for path in sorted((PACKAGE / layer).rglob("*.py"))
    ]


def test_the_numeric_layers_load_without_pydantic_plotly_or_streamlit():
    loaded = _pulled_in(["gdviz", *_modules("core", "learning", "expr", "teach")])
    allowed = MAY_USE["core"]  # what every layer above the core then carries
    bad = sorted(m for m in loaded if m.split(".")[0] in THIRD_PARTY - allowed)
    assert not bad, f"the numeric layers pulled in: {bad[:5]}"
    assert "gdviz.settings" not in loaded


def test_settings_load_without_plotly_or_streamlit_and_figures_without_settings():
    loaded = _pulled_in(_modules("settings"))
    assert not {m.split(".")[0] for m in loaded} & {"plotly", "streamlit"}
    loaded = _pulled_in(_modules("figures"))
    assert "streamlit" not in {m.split(".")[0] for m in loaded}
    assert not any(m.startswith("gdviz.settings") for m in loaded)


def test_a_bare_import_is_cheap_and_the_readme_names_load_on_use():
    loaded = _pulled_in(["gdviz"])
    assert "gdviz.core.descent" in loaded and "gdviz.learning.training" not in loaded
    code = (
        "import sys, gdviz\n"
        "from gdviz.core import analysis, optim\n"
        "assert gdviz.analysis.critical_lr is analysis.critical_lr\n"
        "from gdviz import descend, landscapes, optim as short\n"
        "assert short is optim and landscapes.get('rosenbrock').name == 'rosenbrock'\n"
        "assert not any('gdviz' in type(f).__module__ for f in sys.meta_path)\n"
        "for old in ('gdviz.config', 'gdviz.data', 'gdviz.urlstate'):\n"
        "    try:\n"
        "        __import__(old)\n"
        "    except ModuleNotFoundError:\n"
        "        pass\n"
        "    else:\n"
        "        raise AssertionError(old + ' still imports')\n"
        "print('ok')\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert out.stdout.strip() == "ok", out.stderr


def test_no_eval_or_exec_anywhere():
    for path in [*ROOT.glob("gdviz/**/*.py"), *ROOT.glob("pages/*.py"), ROOT / "app.py"]:
        text = path.read_text()
        for banned in ("eval(", "exec(", "__import__("):
            assert banned not in text, f"{banned} in {path.relative_to(ROOT)}"


def _module_graph() -> dict[str, set[str]]:
    """gdviz's modules -> the gdviz modules each imports (function-local imports count)."""
    paths = {
        ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): path
        for path in PACKAGE.rglob("*.py")
    }

    def resolve(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    return {
        module: {
            target
            for _, name in _imports(path)
            if name.startswith("gdviz") and (target := resolve(name)) not in (None, module)
        }
        for module, path in paths.items()
    }


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every import circle: the strongly connected components with more than one module."""
    order: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        order[node] = low[node] = len(order)
        stack.append(node)
        for nxt in graph.get(node, ()):
            if nxt not in order:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], order[nxt])
        if low[node] == order[node]:
            part = []
            while not part or part[-1] != node:
                part.append(stack.pop())
            if len(part) > 1:
                found.append(sorted(part))

    for node in sorted(graph):
        if node not in order:
            visit(node)
    return found


def test_no_two_gdviz_modules_import_each_other():
    graph = _module_graph()
    assert "gdviz.expr.expression" in graph["gdviz.expr.parse"]
    assert not _circles(graph), _circles(graph)
    # the detector itself finds a circle hidden in a function-local import
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_pages_holds_only_the_page_scripts_and_they_import_no_page():
    from gdviz.settings import navigation

    scripts = {page.script for page in navigation.PAGES}
    present = {f"pages/{path.name}" for path in (ROOT / "pages").iterdir()}
    assert present - {"pages/__pycache__"} == scripts
    for script in sorted(scripts):
        wrong = [name for _, name in _imports(ROOT / script) if name.split(".")[0] == "pages"]
        assert not wrong, f"{script} imports {wrong}"
