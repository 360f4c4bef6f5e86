"""The package's import graph, read from its source with :mod:`ast` (imports inside functions
count too): every module sits on a floor, imports run down or sideways, never up, and no two
modules import each other, directly or round a circle.

The floors, lowest first, are :data:`FLOORS`; a new module must be given one here. The README's
architecture section draws the same floors.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "nnviz"

#: The floors of the house, lowest first: a module of a floor imports modules of its own floor
#: or of floors below. Names ending in ``.*`` take a whole subpackage.
FLOORS: tuple[tuple[str, frozenset[str]], ...] = (
    (
        "foundations: no nnviz import but these",
        frozenset({"version", "errors", "terminal", "files", "atomic_files", "npz_reader",
                   "heads", "theme", "contour", "projection", "ties", "stop_reasons",
                   "point_loss", "subtitles", "ffmpeg"}),
    ),
    ("registries: activations, data sets, colours", frozenset({"activations", "data", "colormap"})),
    (
        "the run's description",
        frozenset({"config", "layouts", "class_colors", "view", "formatting", "figure_grid"}),
    ),
    (
        "the numpy core: maths of runs and pictures",
        frozenset({"forward", "csv_data", "regions", "deform", "run", "run_file",
                   "deform_view", "trajectory", "moments", "trails", "landscape"}),
    ),
    ("training (torch lives here only)", frozenset({"train", "recorder", "cache"})),
    ("building blocks (Manim mobjects)", frozenset({"mobjects.*"})),
    ("the adapter to Manim's machinery", frozenset({"manim_adapter.*"})),
    (
        "rendering any scene",
        frozenset({"render_checks", "gif", "burn_in", "rendering", "parallel"}),
    ),
    ("stories", frozenset({"stories.*"})),
    (
        "a run's video and figure, the command line, the package",
        frozenset({"run_videos", "figures", "cli", "__init__"}),
    ),
)  # fmt: skip

#: The only modules that import torch.
TORCH_MODULES = frozenset({"train", "recorder"})


def module_names() -> dict[str, Path]:
    """Every module of the package, named relative to it (``mobjects.panels``)."""
    names = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def imported(path: Path, name: str, modules: set[str]) -> Iterator[str]:
    """The absolute names of everything ``path`` imports, inside functions too."""
    package = name.split(".")[:-1] if path.name != "__init__.py" else name.split(".")
    if name == "__init__":
        package = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join(["nnviz", *base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            for alias in node.names:
                whole = f"{module}.{alias.name}"
                yield whole if whole.removeprefix("nnviz.") in modules else module


def graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports (``nnviz`` itself is ``__init__``)."""
    modules = module_names()
    edges: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for target in imported(path, name, set(modules)):
            if target == "nnviz":
                targets.add("__init__")
            elif target.startswith("nnviz."):
                short = target.removeprefix("nnviz.")
                while short not in modules and "." in short:
                    short = short.rsplit(".", 1)[0]
                if short in modules and short != name:
                    targets.add(short)
        edges[name] = targets
    return edges


def floor_of(module: str) -> int:
    for index, (_, members) in enumerate(FLOORS):
        for member in members:
            if module == member.removesuffix(".*") or (
                member.endswith(".*") and module.startswith(member[:-1])
            ):
                return index
    raise AssertionError(f"nnviz/{module}: give the module a floor in tests/test_imports.py")


def circles(edges: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: set[tuple[str, ...]] = set()

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in edges[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.add(tuple(sorted(component)))

    for v in edges:
        if v not in index:
            visit(v)
    return found


def test_every_module_has_a_floor() -> None:
    for module in module_names():
        floor_of(module)


def test_imports_run_down_or_sideways() -> None:
    edges = graph()
    upward = {(a, b) for a, targets in edges.items() for b in targets if floor_of(b) > floor_of(a)}
    assert upward == set(), "imports that run up a floor: (importer, imported)"


def test_no_two_modules_import_each_other() -> None:
    assert circles(graph()) == set()


def test_torch_is_imported_by_the_training_modules_only() -> None:
    modules = module_names()
    importers = {
        name
        for name, path in modules.items()
        if any(t == "torch" or t.startswith("torch.") for t in imported(path, name, set()))
    }
    assert importers == TORCH_MODULES


def test_the_numpy_core_imports_no_manim() -> None:
    modules = module_names()
    core = [name for name in modules if floor_of(name) <= floor_of("cache")]
    for name in core:
        names = set(imported(modules[name], name, set()))
        assert not {n for n in names if n == "manim" or n.startswith("manim.")}, name


@pytest.mark.parametrize(
    ("edges", "expected"),
    [
        ({"a": {"b"}, "b": {"a"}, "c": {"a"}}, {("a", "b")}),
        ({"a": {"b"}, "b": {"c"}, "c": set()}, set()),
        ({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"d"}}, {("a", "b", "c")}),
    ],
)
def test_the_circle_finder_finds_circles(
    edges: dict[str, set[str]], expected: set[tuple[str, ...]]
) -> None:
    assert circles(edges) == expected
