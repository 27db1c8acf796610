"""The one routine that imports user code: a module, a file, a package, a ``pyproject.toml``
(``[tool.headwater]``/``[tool.dagster]`` module, or a dg project's ``defs`` folder).

``load_definitions(origin)`` returns the location's ``Definitions``; every failure is a
``DefinitionsLoadError`` (a ``LocationLoadError``) whose headline says what failed and how to
fix it, with the user's frames only when the user's code raised. In the module: the one
attribute that is a ``Definitions`` (or an ``@definitions`` function), else every top-level
asset, check and job merged.
"""

from __future__ import annotations

import contextlib
import importlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from headwater.events.errors import SerializableErrorInfo
from headwater.locations.contracts import LocationLoadError
from headwater.locations.origins import LocationOrigin, OriginKind
from headwater.locations.pyproject import PyprojectError, read_target

_PKG_DIR = str(Path(__file__).resolve().parent.parent)


class DefinitionsLoadError(LocationLoadError):
    """The location's code did not load. ``headline`` says what and how to fix it; when the
    user's code raised, ``info.cause`` holds that exception with the user's frames only."""

    def __init__(self, location_name: str, headline: str,
                 cause: SerializableErrorInfo | None = None):
        info = SerializableErrorInfo(headline, [], "DefinitionsLoadError", cause=cause)
        super().__init__(location_name, info)
        self.headline = headline

    def __reduce__(self) -> tuple[Any, ...]:  # crosses to the parent from a worker process
        return (DefinitionsLoadError, (self.location_name, self.headline, self.info.cause))

    def __str__(self) -> str:
        return describe_load_error(self.info)


def describe_load_error(info: SerializableErrorInfo) -> str:
    """A load error as the user reads it: the headline, then their traceback, if any."""
    if info.cls_name != "DefinitionsLoadError":
        return format_user_error(info)
    if info.cause is None:
        return info.message
    return f"{info.message}:\n{format_user_error(info.cause)}"


def format_user_error(info: SerializableErrorInfo) -> str:
    stack = "".join(info.stack)
    return ("Traceback (most recent call last, your code only):\n" + stack
            if stack else "") + info.message


@dataclass(frozen=True)
class LoadedCode:
    """A location's loaded ``Definitions`` and where they came from."""

    defs: Any  # headwater.Definitions
    origin: LocationOrigin
    description: str  # for messages: "module pkg.defs", "file /x/defs.py", ...
    working_directory: Path


# ------------------------------------------------------------------ entry point

def load_definitions(origin: LocationOrigin) -> LoadedCode:
    """Import ``origin``'s code and find its ``Definitions``."""
    name = origin.name
    wd = working_directory(origin.working_directory, name)
    add_to_path(wd)
    importlib.invalidate_caches()
    if origin.kind is OriginKind.PYTHON_FILE:
        path = Path(origin.target)
        if not path.is_file():
            raise DefinitionsLoadError(name, f"Python file {origin.target!r} not found.")
        what = f"file {path}"
        module = import_file(path, location_name=name)
        return LoadedCode(find_definitions(module, what, origin.attribute, name), origin, what, wd)
    if origin.kind in (OriginKind.PYTHON_MODULE, OriginKind.PYTHON_PACKAGE):
        what = f"{'module' if origin.kind is OriginKind.PYTHON_MODULE else 'package'} " \
               f"{origin.target}"
        module = import_module(origin.target, what, name)
        return LoadedCode(find_definitions(module, what, origin.attribute, name), origin, what, wd)
    return _load_pyproject(origin, wd)


def working_directory(value: str | None, location_name: str = "") -> Path:
    if value is None:
        return Path.cwd()
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise DefinitionsLoadError(
            location_name, f"Working directory {value!r} does not exist or is not a folder.")
    return path


def add_to_path(folder: Path) -> None:
    entry = str(folder)
    if entry not in sys.path:
        sys.path.insert(0, entry)


def _load_pyproject(origin: LocationOrigin, wd: Path) -> LoadedCode:
    name = origin.name
    try:
        target = read_target(Path(origin.target))
    except PyprojectError as e:
        raise DefinitionsLoadError(name, str(e)) from None
    if target is None:
        raise DefinitionsLoadError(
            name, f"{origin.target} names no code location. Add to it:\n\n"
                  '    [tool.headwater]\n    module_name = "my_project.definitions"')
    root = target.path.parent
    for folder in (root / "src", root):
        if folder.is_dir():
            add_to_path(folder)
    if not target.defs_folder:
        what = f"module {target.module_name} ({target.table} in {target.path})"
        module = import_module(target.module_name, what, name)
        return LoadedCode(find_definitions(module, what, origin.attribute, name), origin, what,
                          wd)
    from headwater.definitions.load import load_defs

    what = f"the defs folder of {target.module_name} ({target.table} in {target.path})"
    package = import_module(f"{target.module_name}.defs", what, name)
    with user_code(what, name):
        defs = load_defs(package, project_root=root)
    return LoadedCode(defs, origin, what, wd)


# ------------------------------------------------------------------ importing

def import_file(path: Path, module_name: str | None = None, *, reuse: bool = False,
                location_name: str = "") -> ModuleType:
    """Execute the Python file ``path`` as a module (named ``module_name``, else its stem,
    renamed if that would shadow another module). ``reuse``: return it if already loaded."""
    path = Path(path)
    add_to_path(path.parent)
    name = module_name or path.stem
    existing = sys.modules.get(name)
    if existing is not None:
        if reuse:
            return existing
        if module_name is None and getattr(existing, "__file__", None) != str(path):
            name = f"_headwater_file_{name}"  # never shadow another module (e.g. a stdlib one)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise DefinitionsLoadError(location_name,
                                   f"Cannot import {path}: it is not a Python file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with user_code(f"file {path}", location_name):
            spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def import_module(name: str, what: str | None = None, location_name: str = "") -> ModuleType:
    """Import the module ``name``; a missing module or an error in it is a load error."""
    what = what or f"module {name}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and (name == e.name or name.startswith(e.name + ".")):
            raise DefinitionsLoadError(
                location_name,
                f"Cannot find {what}: no module named {e.name!r}. Check the name, install the "
                "package (pip install -e .), or pass -d with the folder that contains it.",
            ) from None
        raise DefinitionsLoadError(location_name, f"Error while importing {what}",
                                   user_error_info(e)) from None
    except (Exception, SystemExit) as e:
        raise DefinitionsLoadError(location_name, f"Error while importing {what}",
                                   user_error_info(e)) from None


# ------------------------------------------------------------------ finding Definitions

def find_definitions(module: ModuleType, what: str, attribute: str | None = None,
                     location_name: str = "") -> Any:
    """The module's ``Definitions``: ``attribute``, else its only one, else its loose
    assets, checks and jobs merged."""
    from headwater.definitions.definitions import Definitions
    from headwater.definitions.load import LazyDefinitions, load_definitions_from_modules

    if attribute:
        if not hasattr(module, attribute):
            raise DefinitionsLoadError(location_name, f"{what} has no attribute {attribute!r}.")
        value = getattr(module, attribute)
        if not isinstance(value, (Definitions, LazyDefinitions)):
            raise DefinitionsLoadError(
                location_name, f"{module.__name__}.{attribute} is a {type(value).__name__}, not "
                               "a Definitions object or an @definitions function.")
        return _resolve(value, f"{module.__name__}.{attribute}", location_name)
    names_by_id: dict[int, list[str]] = {}
    objects: dict[int, Any] = {}
    for name, value in vars(module).items():
        if isinstance(value, (Definitions, LazyDefinitions)):
            names_by_id.setdefault(id(value), []).append(name)
            objects[id(value)] = value
    if len(objects) > 1:
        names = ", ".join(" = ".join(n) for n in names_by_id.values())
        raise DefinitionsLoadError(
            location_name, f"{what} has {len(objects)} Definitions objects: {names}. Keep one at "
                           "module level, or choose one with -a/--attribute NAME.")
    if objects:
        key, value = next(iter(objects.items()))
        return _resolve(value, f"{module.__name__}.{names_by_id[key][0]}", location_name)
    with user_code(what, location_name):
        defs = load_definitions_from_modules([module])
    if not (defs.assets or defs.asset_checks or defs.jobs or defs.schedules or defs.sensors):
        raise DefinitionsLoadError(
            location_name,
            f"No definitions found in {what}: it has no Definitions object, no @definitions "
            "function, and no top-level assets, asset checks or jobs. Add e.g. "
            "`defs = dg.Definitions(assets=[...])`.")
    return defs


def _resolve(value: Any, where: str, location_name: str) -> Any:
    from headwater.definitions.load import LazyDefinitions

    if isinstance(value, LazyDefinitions):
        with user_code(f"@definitions function {where}", location_name):
            return value()
    return value


# ------------------------------------------------------------------ user errors

@contextlib.contextmanager
def user_code(what: str, location_name: str = "") -> Iterator[None]:
    """Turn an exception from the user's code into a load error with the user's frames."""
    try:
        yield
    except LocationLoadError:
        raise
    except (Exception, SystemExit) as e:
        raise DefinitionsLoadError(location_name, f"Error while loading {what}",
                                   user_error_info(e)) from None


def _is_ours(filename: str) -> bool:
    return (filename.startswith(_PKG_DIR + os.sep) or filename.startswith("<frozen importlib")
            or f"{os.sep}importlib{os.sep}" in filename
            or filename.endswith(f"{os.sep}contextlib.py"))


def user_error_info(exc: BaseException) -> SerializableErrorInfo:
    """The exception with Headwater's and importlib's frames left out."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_ours(f.filename)]
    message = "".join(traceback.format_exception_only(type(exc), exc))
    return SerializableErrorInfo(message, traceback.format_list(frames), type(exc).__name__)


def user_traceback(exc: BaseException) -> str:
    """The exception's traceback with Headwater's and importlib's frames left out."""
    return format_user_error(user_error_info(exc))


# ------------------------------------------------------------------ reloading

def user_modules_since(baseline: set[str]) -> list[str]:
    """Modules imported after ``baseline`` that are the user's (not Headwater's, not installed
    libraries, not the standard library): what a reload must import afresh."""
    prefixes = tuple({os.path.realpath(p) + os.sep for p in
                      (sys.prefix, sys.base_prefix, sys.exec_prefix, _PKG_DIR)})
    found = []
    for name, module in list(sys.modules.items()):
        if name in baseline or name == "__main__" or name.startswith("headwater."):
            continue
        file = getattr(module, "__file__", None)
        if file and os.path.realpath(file).startswith(prefixes):
            continue
        found.append(name)
    return found


def forget_modules(names: list[str]) -> None:
    for name in names:
        sys.modules.pop(name, None)
    importlib.invalidate_caches()
