"""Import direction between Headwater's layers, read from the source with ``ast``.

Layer order (imports point down only): definitions < events < storage < execution <
automation, locations < web < cli. The top-level helpers (``headwater/__init__.py``,
``_api_table.py``, ``compat.py``, ``components/``) sit above every layer and are exempt as
importers; no layer but cli may import them. Nothing outside a package reaches into its private
modules (``_name``), except ``headwater/__init__.py`` reading ``headwater._api_table``.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import headwater

PACKAGE_DIR = Path(headwater.__file__).resolve().parent

# Rank of each layer package; a module may import packages of a lower rank and its own package.
# automation and locations share a rank; the daemon sits above them (it talks to locations).
# client (the HTTP API's Python client) imports no other layer. Integrations (duckdb) build on
# the public API below them and share the locations' rank: nothing but user code imports them.
LAYERS = {"client": 0, "definitions": 0, "events": 1, "storage": 2, "execution": 3,
          "automation": 4, "locations": 4, "duckdb": 4, "daemon": 5, "web": 6, "cli": 7}
CAN_IMPORT_ANYTHING = {"cli"}
EXEMPT_TOP_LEVEL = {"__init__", "_api_table", "compat", "components", "preview"}

# The one sanctioned upward call: definition objects that Dagster makes executable reach the
# execution layer through this lazy import by string (headwater/definitions/_runtime.py).
SANCTIONED_STRING_IMPORTS = {("headwater.definitions._runtime", "headwater.execution")}

# A private module of the root package may be read only by these importers.
ROOT_PRIVATE_READERS = {("headwater", "headwater._api_table")}


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module name
    target: str  # dotted module (or module.name) imported
    names: tuple[str, ...]  # for "from target import a, b"; () for "import target"
    line: int


def module_name(path: Path) -> str:
    parts = path.resolve().relative_to(PACKAGE_DIR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str, path: Path) -> str:
    return module if path.name == "__init__.py" else module.rpartition(".")[0]


def imports_in(module: str, package: str, source: str) -> list[Import]:
    """Every ``import`` / ``from ... import`` of a headwater module in the source."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, (), node.lineno) for a in node.names
                      if a.name == "headwater" or a.name.startswith("headwater.")]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module or ""
            if target == "headwater" or target.startswith("headwater."):
                found.append(Import(module, target, tuple(a.name for a in node.names),
                                    node.lineno))
    return found


def string_imports_in(module: str, source: str) -> list[Import]:
    """``importlib.import_module("headwater...")`` / ``__import__("headwater...")`` calls."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or not node.args:
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in ("import_module", "__import__"):
            continue
        arg = node.args[0]
        text = None
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
            text = arg.value
        elif isinstance(arg, ast.JoinedStr) and arg.values:
            head = arg.values[0]
            if isinstance(head, ast.Constant) and isinstance(head.value, str):
                text = head.value
        if text and (text == "headwater" or text.startswith("headwater.")):
            found.append(Import(module, text.rstrip("."), (), node.lineno))
    return found


def layer_of(module: str) -> str | None:
    """The top-level part under headwater (``definitions``, ``compat``, ...); None for root."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def direction_violation(imp: Import) -> str | None:
    source_layer = layer_of(imp.importer)
    if source_layer is None or source_layer in EXEMPT_TOP_LEVEL:
        return None
    if source_layer in CAN_IMPORT_ANYTHING:
        return None
    target_layer = layer_of(imp.target)
    if target_layer == source_layer:
        return None
    if target_layer in LAYERS and LAYERS[target_layer] <= LAYERS[source_layer]:
        return None
    return f"{imp.importer} (line {imp.line}) imports {imp.target}"


def is_module(dotted: str) -> bool:
    rel = Path(*dotted.split(".")[1:]) if "." in dotted else Path()
    base = PACKAGE_DIR / rel
    return base.with_suffix(".py").is_file() or (base / "__init__.py").is_file()


def is_package(dotted: str) -> bool:
    return (PACKAGE_DIR.joinpath(*dotted.split(".")[1:]) / "__init__.py").is_file()


def private_module_violation(importer: str, importer_package: str, target: str) -> str | None:
    """``target`` is a module; flag it if it is private to a package the importer is outside."""
    parts = target.split(".")
    for i, part in enumerate(parts):
        if not part.startswith("_") or (part.startswith("__") and part.endswith("__")):
            continue
        owner = ".".join(parts[:i])
        private = ".".join(parts[: i + 1])
        if owner == "headwater":
            if (importer, private) in ROOT_PRIVATE_READERS:
                continue
            return f"{importer} imports {private}, private to the root package"
        if importer_package != owner and not importer_package.startswith(owner + "."):
            return f"{importer} imports {private}, private to {owner}"
    return None


def all_modules() -> list[tuple[str, str, str]]:
    out = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        name = module_name(path)
        out.append((name, package_of(name, path), path.read_text(encoding="utf-8")))
    return out


MODULES = all_modules()


def test_modules_were_found():
    names = {m for m, _, _ in MODULES}
    assert {"headwater", "headwater.definitions.assets", "headwater.execution.step",
            "headwater.events.records", "headwater.storage.instance"} <= names


def test_every_top_level_part_has_a_layer():
    tops = {p.stem if p.is_file() else p.name for p in PACKAGE_DIR.iterdir()
            if (p.is_file() and p.suffix == ".py") or (p / "__init__.py").is_file()}
    unplaced = sorted(tops - set(LAYERS) - EXEMPT_TOP_LEVEL)
    assert unplaced == [], "place each new top-level package in LAYERS (or exempt it)"


def test_imports_point_down_the_layers():
    violations = []
    for module, package, source in MODULES:
        for imp in imports_in(module, package, source):
            problem = direction_violation(imp)
            if problem:
                violations.append(problem)
    assert violations == []


def test_definitions_import_only_definitions():
    # The strictest rule, spelled out: the declarative model imports nothing else of headwater.
    for module, package, source in MODULES:
        if layer_of(module) != "definitions":
            continue
        for imp in imports_in(module, package, source):
            assert layer_of(imp.target) == "definitions", f"{module} imports {imp.target}"


def test_lazy_string_imports_point_down_except_the_sanctioned_one():
    violations = []
    for module, _, source in MODULES:
        for imp in string_imports_in(module, source):
            if any(module == m and (imp.target == t or imp.target.startswith(t + "."))
                   for m, t in SANCTIONED_STRING_IMPORTS):
                continue
            problem = direction_violation(imp)
            if problem:
                violations.append(problem)
    assert violations == []


def test_the_sanctioned_lazy_import_is_where_it_is_documented():
    targets = [imp.target for module, _, source in MODULES
               for imp in string_imports_in(module, source)
               if module == "headwater.definitions._runtime"]
    assert targets == ["headwater.execution"]


def test_no_private_module_is_imported_from_outside_its_package():
    violations = []
    for module, package, source in MODULES:
        for imp in imports_in(module, package, source):
            candidates = [imp.target]
            candidates += [f"{imp.target}.{n}" for n in imp.names
                           if is_module(f"{imp.target}.{n}")]
            for target in candidates:
                problem = private_module_violation(module, package, target)
                if problem:
                    violations.append(f"{problem} (line {imp.line})")
    assert violations == []


def test_no_private_name_is_imported_from_another_package():
    violations = []
    for module, package, source in MODULES:
        for imp in imports_in(module, package, source):
            if not is_module(imp.target):
                continue
            owner = imp.target if is_package(imp.target) else imp.target.rpartition(".")[0]
            for name in imp.names:
                if not name.startswith("_") or name.startswith("__"):
                    continue
                if is_module(f"{imp.target}.{name}"):
                    continue  # a module: the private-module rule covers it
                if (module, imp.target) in ROOT_PRIVATE_READERS:
                    continue
                if package != owner and not package.startswith(owner + "."):
                    violations.append(f"{module} imports {imp.target}.{name}")
    assert violations == []


# --- the checker itself ---

def test_checker_flags_an_upward_import():
    src = "from headwater.execution import materialize\nimport headwater.storage.instance\n"
    found = imports_in("headwater.definitions.fake", "headwater.definitions", src)
    problems = [direction_violation(i) for i in found]
    assert problems == ["headwater.definitions.fake (line 1) imports headwater.execution",
                        "headwater.definitions.fake (line 2) imports headwater.storage.instance"]


def test_checker_resolves_relative_imports_and_allows_downward_ones():
    src = "from . import plan\nfrom ..definitions.assets import asset\nfrom ..storage import Instance\n"
    found = imports_in("headwater.execution.fake", "headwater.execution", src)
    assert [i.target for i in found] == ["headwater.execution", "headwater.definitions.assets",
                                         "headwater.storage"]
    assert [direction_violation(i) for i in found] == [None, None, None]


def test_checker_flags_the_flat_api_from_a_layer():
    found = imports_in("headwater.events.fake", "headwater.events", "import headwater\n")
    assert direction_violation(found[0]) == "headwater.events.fake (line 1) imports headwater"


def test_checker_sees_string_imports_and_private_modules():
    src = "import importlib\nimportlib.import_module('headwater.cli.main')\n"
    found = string_imports_in("headwater.storage.fake", src)
    assert [direction_violation(i) for i in found] == [
        "headwater.storage.fake (line 2) imports headwater.cli.main"]
    assert private_module_violation("headwater.execution.x", "headwater.execution",
                                    "headwater.definitions._runtime") is not None
    assert private_module_violation("headwater.definitions.jobs", "headwater.definitions",
                                    "headwater.definitions._runtime") is None
    assert private_module_violation("headwater.cli.main", "headwater.cli",
                                    "headwater._api_table") is not None
    assert private_module_violation("headwater", "headwater", "headwater._api_table") is None
