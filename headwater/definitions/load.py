"""Finding definitions in modules, packages and a project's ``defs/`` folder."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

from headwater.definitions.asset_key import _prefix_parts
from headwater.definitions.asset_spec import AssetSpec
from headwater.definitions.assets import DEFAULT_GROUP, AssetsDefinition
from headwater.definitions.checks import AssetChecksDefinition
from headwater.definitions.definitions import Definitions
from headwater.definitions.errors import (
    HeadwaterError,
    InvalidDefinitionError,
    InvariantViolationError,
)
from headwater.definitions.jobs import JobDefinition, UnresolvedAssetJobDefinition


class LazyDefinitions:
    """What ``@definitions`` returns: call it (or use it) to get the ``Definitions``."""

    def __init__(self, fn: Callable[..., Definitions]):
        self.fn = fn
        self._defs: Definitions | None = None
        self.__name__ = getattr(fn, "__name__", "defs")
        self.__doc__ = fn.__doc__

    def __call__(self, *args: Any, **kwargs: Any) -> Definitions:
        if self._defs is None or args or kwargs:
            defs = self.fn(*args, **kwargs) if (args or kwargs or _arity(self.fn) == 0) else self.fn(None)
            if not isinstance(defs, Definitions):
                raise InvalidDefinitionError(
                    f"@definitions function {self.fn.__module__}.{self.__name__} returned "
                    f"{type(defs).__name__}; it must return a Definitions object")
            if args or kwargs:
                return defs
            self._defs = defs
        return self._defs

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(self(), name)


def _arity(fn: Callable[..., Any]) -> int:
    code = getattr(fn, "__code__", None)
    return code.co_argcount if code else 0


def definitions(fn: Callable[..., Definitions]) -> LazyDefinitions:
    """Decorator marking the function that builds a code location's ``Definitions``.

    The function takes no parameters, or one: the load context.
    """
    if _arity(fn) > 1:
        raise InvariantViolationError(
            f"@definitions function {getattr(fn, '__qualname__', fn)!r} takes {_arity(fn)} "
            "parameters; it must take none, or a single context parameter")
    return LazyDefinitions(fn)


_KINDS = (AssetsDefinition, AssetSpec, AssetChecksDefinition)


def _module_objects(module: ModuleType) -> Iterable[Any]:
    for name, value in list(vars(module).items()):
        if name.startswith("__"):
            continue
        if isinstance(value, (list, tuple)):
            yield from (v for v in value if isinstance(v, _KINDS))
        else:
            yield value


def _dedupe(items: Iterable[Any]) -> list[Any]:
    seen: set[int] = set()
    out = []
    for item in items:
        if id(item) not in seen:
            seen.add(id(item))
            out.append(item)
    return out


def _apply(assets: list[Any], group_name: str | None, key_prefix: Any,
           source_key_prefix: Any = None) -> list[Any]:
    if group_name is None and key_prefix is None and source_key_prefix is None:
        return assets
    prefix = _prefix_parts(key_prefix) if key_prefix else ()
    own_keys = {k for a in assets if isinstance(a, AssetsDefinition) and a.op for k in a.keys}
    out: list[Any] = []
    for a in assets:
        if isinstance(a, AssetsDefinition) and a.op is not None:
            if group_name:
                for key, group in a.group_names_by_key.items():
                    if group not in (DEFAULT_GROUP, group_name):
                        raise InvalidDefinitionError(
                            f"Asset {key.to_user_string()!r} already has group {group!r}; "
                            f"loading it with group_name={group_name!r} would override it. "
                            "Remove one of the two group names.")
            repl = {k: k.with_prefix(prefix) for k in own_keys} if prefix else {}
            groups = {k: group_name for k in a.keys} if group_name else {}
            out.append(a.with_attributes(asset_key_replacements=repl, group_names_by_key=groups))
        elif isinstance(a, AssetSpec) and source_key_prefix:
            out.append(a.replace_attributes(key=a.key.with_prefix(source_key_prefix)))
        else:
            out.append(a)
    return out


def load_assets_from_modules(modules: Iterable[ModuleType], group_name: str | None = None,
                             key_prefix: Any = None, *, automation_condition: Any = None,
                             backfill_policy: Any = None, source_key_prefix: Any = None,
                             include_specs: bool = False, **_: Any) -> list[Any]:
    """Every asset defined at the top level of the given modules."""
    kinds: tuple[type, ...] = (AssetsDefinition, AssetSpec) if include_specs else (AssetsDefinition,)
    found = [obj for m in modules for obj in _module_objects(m)
             if isinstance(obj, kinds) and not isinstance(obj, AssetChecksDefinition)]
    return _apply(_dedupe(found), group_name, key_prefix, source_key_prefix)


def load_assets_from_current_module(group_name: str | None = None, key_prefix: Any = None,
                                    **kwargs: Any) -> list[Any]:
    caller = sys._getframe(1).f_globals["__name__"]
    return load_assets_from_modules([sys.modules[caller]], group_name, key_prefix, **kwargs)


def _walk_package(package: ModuleType) -> list[ModuleType]:
    """The package and every module below it, folders without ``__init__.py`` included
    (imported as namespace packages, as Dagster's defs folders allow)."""
    modules = [package]
    for folder in getattr(package, "__path__", None) or []:
        modules.extend(_walk_folder(Path(folder), package.__name__))
    return modules


def _walk_folder(folder: Path, prefix: str) -> list[ModuleType]:
    modules = []
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "__pycache__")):
            continue
        if entry.is_dir():
            if not entry.name.isidentifier():
                continue
            modules.append(importlib.import_module(f"{prefix}.{entry.name}"))
            modules.extend(_walk_folder(entry, f"{prefix}.{entry.name}"))
        elif entry.suffix == ".py" and entry.stem != "__init__" and entry.stem.isidentifier():
            modules.append(importlib.import_module(f"{prefix}.{entry.stem}"))
    return modules


def load_assets_from_package_module(package_module: ModuleType, group_name: str | None = None,
                                    key_prefix: Any = None, **kwargs: Any) -> list[Any]:
    """Every asset in a package and all its submodules."""
    return load_assets_from_modules(_walk_package(package_module), group_name, key_prefix, **kwargs)


def load_assets_from_package_name(package_name: str, group_name: str | None = None,
                                  key_prefix: Any = None, **kwargs: Any) -> list[Any]:
    return load_assets_from_package_module(importlib.import_module(package_name), group_name,
                                           key_prefix, **kwargs)


def load_asset_checks_from_modules(modules: Iterable[ModuleType],
                                   asset_key_prefix: Any = None) -> list[AssetChecksDefinition]:
    return _dedupe(obj for m in modules for obj in _module_objects(m)
                   if isinstance(obj, AssetChecksDefinition))


def load_asset_checks_from_package_module(package_module: ModuleType,
                                          asset_key_prefix: Any = None) -> list[AssetChecksDefinition]:
    return load_asset_checks_from_modules(_walk_package(package_module), asset_key_prefix)


def load_definitions_from_modules(modules: Iterable[ModuleType]) -> Definitions:
    """Merge what modules define: a module holding a ``Definitions`` (or ``@definitions``)
    contributes only that; other modules contribute their top-level assets, checks, jobs,
    schedules and sensors."""
    assets, checks, jobs, schedules, sensors = [], [], [], [], []
    merged: list[Definitions] = []
    for m in modules:
        objects = list(_module_objects(m))
        own = [o for o in objects if isinstance(o, (Definitions, LazyDefinitions))]
        if own:
            merged.extend(o() if isinstance(o, LazyDefinitions) else o for o in own)
            continue
        for obj in objects:
            if isinstance(obj, AssetChecksDefinition):
                checks.append(obj)
            elif isinstance(obj, (AssetsDefinition, AssetSpec)):
                assets.append(obj)
            elif isinstance(obj, (UnresolvedAssetJobDefinition, JobDefinition)):
                jobs.append(obj)
            elif _is_kind(obj, "schedule"):
                schedules.append(obj)
            elif _is_kind(obj, "sensor"):
                sensors.append(obj)
    in_merged = {id(x) for d in merged for x in (*d.assets, *d.asset_checks, *d.jobs,
                                                   *d.schedules, *d.sensors)}

    def not_merged(items: list[Any]) -> list[Any]:
        return [x for x in _dedupe(items) if id(x) not in in_merged]

    loose = Definitions(assets=not_merged(assets), asset_checks=not_merged(checks),
                        jobs=not_merged(jobs), schedules=not_merged(schedules),
                        sensors=not_merged(sensors))
    return Definitions.merge(loose, *_dedupe(merged))


def _is_kind(obj: Any, kind: str) -> bool:
    return any(c.__name__.lower().endswith(f"{kind}definition") for c in type(obj).__mro__)


PROJECT_CONFIG_FILES = ("pyproject.toml", "dg.toml")


def _find_upwards(start: Path, names: Iterable[str]) -> Path | None:
    """The first of ``start`` and its parent folders that holds one of ``names``."""
    for folder in [start, *start.parents]:
        if any((folder / name).is_file() for name in names):
            return folder
    return None


def _project_root(start: Path) -> Path:
    found = _find_upwards(start, PROJECT_CONFIG_FILES)
    if found is None:
        raise HeadwaterError(
            f"Could not find config file (pyproject.toml/dg.toml) in {start} or any parent of "
            "it. Pass path_within_project= a folder inside a project that has one.")
    return found


def _root_module(root: Path) -> str:
    import tomllib

    if (root / "dg.toml").is_file():
        table = tomllib.loads((root / "dg.toml").read_text()).get("project", {})
        if table.get("root_module"):
            return table["root_module"]
    if not (root / "pyproject.toml").is_file():
        return root.name.replace("-", "_")
    data = tomllib.loads((root / "pyproject.toml").read_text())
    tool = data.get("tool", {})
    for table in (tool.get("dg", {}).get("project", {}), tool.get("headwater", {})):
        if table.get("root_module"):
            return table["root_module"]
    name = data.get("project", {}).get("name") or root.name
    return name.replace("-", "_")


def load_from_defs_folder(*, path_within_project: Path | None = None,
                          project_root: Path | None = None) -> Definitions:
    """Import every module under the project's ``<root_module>/defs`` package and merge them."""
    if path_within_project is None and project_root is None:
        frame = sys._getframe(1)
        path_within_project = Path(frame.f_globals.get("__file__", ".")).resolve().parent
    # Both name a folder inside the project: the root is the nearest one with a config file.
    root = _project_root(Path(project_root or path_within_project).resolve())  # type: ignore[arg-type]
    module_name = _root_module(root)
    try:
        defs_package = importlib.import_module(f"{module_name}.defs")
    except ModuleNotFoundError as e:
        raise InvalidDefinitionError(
            f"load_from_defs_folder: cannot import {module_name}.defs ({e}). The project at "
            f"{root} must be installed (pip install -e {root}) or on sys.path, with a "
            f"{module_name}/defs package") from None
    return load_defs(defs_package, project_root=root)


def load_defs(defs_root: ModuleType, project_root: Path | None = None,
              terminate_autoloading_on_keyword_files: bool = True) -> Definitions:
    """Merge the definitions of a package and every module below it.

    Without ``project_root``, the package must sit inside a project: a folder above its file
    holds ``pyproject.toml`` or ``setup.py``.
    """
    if project_root is None:
        module_file = getattr(defs_root, "__file__", None) or next(iter(getattr(defs_root, "__path__", [])), ".")
        if _find_upwards(Path(module_file).resolve().parent, ("pyproject.toml", "setup.py")) is None:
            raise FileNotFoundError("No project root with pyproject.toml or setup.py found")
    return load_definitions_from_modules(_walk_package(defs_root))


def with_resources(definitions: Iterable[Any], resource_defs: Any,
                   resource_config_by_key: Any = None) -> list[Any]:
    """Attach resources to assets (and checks), for runs that do not provide them."""
    out = []
    for d in definitions:
        if isinstance(d, (AssetsDefinition, AssetChecksDefinition)):
            merged = {**resource_defs, **d.resource_defs}
            if isinstance(d, AssetsDefinition):
                d = d._copy(resource_defs=merged)
            else:
                d = AssetChecksDefinition(d.op, d.specs, d.keys_by_input_name, d.can_subset, merged)
        out.append(d)
    return out
