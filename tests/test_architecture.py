"""The package's shape, read from its source with :mod:`ast` (docs/architecture.md draws it).

Three rules, each with the offending imports named when it fails:

- no import cycle among par_rules modules;
- every import goes down the layers (:data:`MAY_IMPORT`), never up or sideways;
- no module reads another module's private name (``from x import _y``, ``x._y``, ``obj._y``
  where ``_y`` is nothing this module defines).

Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they can neither make a
cycle nor load a layer (they are how a module names a type of the layer above, as httpx does).
Imports inside functions are counted, in cycles and in layers alike: a lazy import defers the
cost of a module, not the dependency on it, and a cycle closed by one still ties the two modules
together (a change to either may break the other at the first call instead of at import).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "par_rules"

#: A layer -> the layers its modules may import (itself included). Down the page is up the stack.
MAY_IMPORT = {
    "base": {"base"},  # errors, and the source places every layer names problems with
    "engine": {"base", "engine"},
    "formats": {"base", "engine", "formats"},
    "units": {"base", "engine", "formats", "units"},
    "authoring": {"base", "engine", "authoring"},
    "cli": {"base", "engine", "formats", "units", "authoring", "cli", "face"},
    "face": {"base", "engine", "formats", "units", "authoring", "face"},
    "signpost": {"base", "engine", "formats", "units", "authoring"},
}

#: Imports against the layers that are known, each with its reason; to be removed, not added to.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = set()

SIGNPOSTS = {"par_rules.files", "par_rules.dump", "par_rules.testing"}


def layer_of(module: str) -> str:
    if module in SIGNPOSTS:
        return "signpost"
    parts = module.split(".")
    if module == "par_rules":
        return "face"
    if len(parts) == 2 and MODULES[module].name != "__init__.py":  # errors, _places, _lazy
        return "base"
    return parts[1]  # a layer's folder: its face and its modules


def modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = modules()


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The module an ``ImportFrom`` names, made absolute."""
    if not node.level:
        return node.module or ""
    is_package = module in MODULES and MODULES[module].name == "__init__.py"
    base = module.split(".")[: len(module.split(".")) - node.level + (1 if is_package else 0)]
    return ".".join(base + ([node.module] if node.module else []))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import that can run: all but those under ``if TYPE_CHECKING:``."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node):
            stack.extend(node.orelse)
        else:
            stack.extend(ast.iter_child_nodes(node))


def dependencies(module: str) -> dict[str, int]:
    """The par_rules modules this one imports -> the line of the first such import."""
    tree = ast.parse(MODULES[module].read_text("utf-8"))
    found: dict[str, int] = {}
    for node in _imports(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        else:
            source = _absolute(module, node)
            targets = [f"{source}.{alias.name}" if f"{source}.{alias.name}" in MODULES else source for alias in node.names]
        for target in targets:
            if target.split(".")[0] == "par_rules" and target != module:
                found.setdefault(target, node.lineno)
    return found


GRAPH = {module: dependencies(module) for module in MODULES}


def test_the_graph_is_read():
    # a guard for the tests below: they would pass on a graph read wrongly as empty
    assert "par_rules.engine._load" in GRAPH["par_rules.engine._registry"]
    assert "par_rules.engine._api" in GRAPH["par_rules.engine"]
    assert layer_of("par_rules.engine._codegen") == "engine" and layer_of("par_rules._places") == "base"
    assert set(map(layer_of, MODULES)) <= set(MAY_IMPORT)


def _cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in graph.get(module, {}):
            if target not in graph:
                continue
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == module:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return components


def test_cycles_are_found():
    graph = {"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}, "d": {"a": 1}}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b": 1}, "b": {}}) == []


def test_no_import_cycle():
    assert _cycles(GRAPH) == []


def test_imports_go_down_the_layers():
    wrong = [
        f"{module} ({layer_of(module)}, line {line}) imports {target} ({layer_of(target)})"
        for module, targets in GRAPH.items()
        for target, line in targets.items()
        if layer_of(target) not in MAY_IMPORT[layer_of(module)] and (module, target) not in KNOWN_EXCEPTIONS
    ]
    assert wrong == []


def test_known_exceptions_are_still_needed():
    # an exception whose import has gone must leave the list, so the list only shrinks
    assert [pair for pair in KNOWN_EXCEPTIONS if pair[1] not in GRAPH[pair[0]]] == []


def test_implementation_modules_are_private():
    # behind each layer's face (its __init__), every module is private: the face says what is public
    public = [module for module in MODULES if layer_of(module) not in ("base", "face", "signpost") and module.count(".") == 2 and not module.split(".")[-1].startswith("_")]
    assert public == []


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _defined_names(tree: ast.AST) -> set[str]:
    """Every name this module defines or binds anywhere (functions, classes, attributes it
    assigns, slots and field names given as text): another object's ``_x`` with one of these
    names is taken for this module's own."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            names.add(node.value)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return names


def private_reads(module: str, text: str) -> list[str]:
    tree = ast.parse(text)
    found = []
    modules_bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            source = _absolute(module, node)
            for alias in node.names:
                if f"{source}.{alias.name}" in MODULES:
                    modules_bound.add(alias.asname or alias.name)
                elif _private(alias.name) and source.split(".")[0] == "par_rules":
                    found.append(f"line {node.lineno}: from {source} import {alias.name}")
        elif isinstance(node, ast.Import):
            modules_bound.update(alias.asname or alias.name.split(".")[0] for alias in node.names)
    own = _defined_names(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _private(node.attr) and isinstance(node.value, ast.Name):
            holder = node.value.id
            if holder in modules_bound or (holder not in ("self", "cls") and node.attr not in own):
                found.append(f"line {node.lineno}: {holder}.{node.attr}")
    return found


def test_private_reads_are_found():
    sample = "from par_rules.engine._api import _hidden\nimport par_rules.engine._rules as rules\nrules._points\nthing._secret\nself._mine\n"
    assert private_reads("par_rules.engine._sample", sample) == [
        "line 1: from par_rules.engine._api import _hidden",
        "line 3: rules._points",
        "line 4: thing._secret",
    ]


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_reads_another_modules_private_names(module):
    assert private_reads(module, MODULES[module].read_text("utf-8")) == []
