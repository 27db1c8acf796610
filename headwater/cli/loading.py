"""Finding the user's ``Definitions``: ``-m MODULE``, ``-f FILE``, or ``pyproject.toml``.

Order: ``-f`` / ``-m`` if given; else the nearest ``pyproject.toml`` (the working directory,
then its parents) with ``[tool.headwater] module_name``, ``[tool.dagster] module_name`` or
``[tool.dg.project] root_module``. In the module: the one attribute that is a ``Definitions``
(or an ``@definitions`` function), else every top-level asset, check and job merged.
Errors are ``CliError`` (exit 2); a failure inside the user's code shows the user's frames.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import importlib.util
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import click

from headwater.cli.common import CliError

_PKG_DIR = str(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class CodeLocation:
    defs: Any  # headwater.Definitions
    origin: str  # for messages: "module pkg.defs", "file /x/defs.py", ...
    working_directory: Path


@dataclass(frozen=True)
class LocationArgs:
    """The code-location options of one command invocation."""

    module_name: str | None = None
    python_file: str | None = None
    working_directory: str | None = None
    attribute: str | None = None

    def load(self) -> CodeLocation:
        return load_code_location(self.module_name, self.python_file, self.working_directory,
                                  self.attribute)


def code_location_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Add ``-m/-f/-d/-a`` to a command; it receives them as one ``location: LocationArgs``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, module_name: str | None, python_file: str | None,
                working_directory: str | None, attribute: str | None, **kwargs: Any) -> Any:
        location = LocationArgs(module_name, python_file, working_directory, attribute)
        return fn(*args, location=location, **kwargs)

    options = [
        click.option("-m", "--module-name", metavar="MODULE",
                     help="Python module holding the definitions (e.g. my_project.definitions)."),
        click.option("-f", "--python-file", metavar="FILE",
                     help="Python file holding the definitions."),
        click.option("-d", "--working-directory", metavar="DIR",
                     help="Folder to import from (added to sys.path), to search for "
                          "pyproject.toml, and for .headwater_home when HEADWATER_HOME is "
                          "unset. Default: the current directory."),
        click.option("-a", "--attribute", metavar="NAME",
                     help="Which module attribute is the Definitions, when there are several."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


# ------------------------------------------------------------------ entry point

def load_code_location(module_name: str | None = None, python_file: str | None = None,
                       working_directory: str | None = None,
                       attribute: str | None = None) -> CodeLocation:
    wd = _working_directory(working_directory)
    _add_to_path(wd)
    importlib.invalidate_caches()
    if module_name and python_file:
        raise CliError("Give either -m/--module-name or -f/--python-file, not both.")
    if python_file:
        path = _resolve_file(python_file, wd)
        origin = f"file {path}"
        return CodeLocation(find_definitions(_import_file(path), origin, attribute), origin, wd)
    if module_name:
        origin = f"module {module_name}"
        return CodeLocation(find_definitions(_import_module(module_name), origin, attribute),
                            origin, wd)
    return _load_from_pyproject(wd, attribute)


def _working_directory(value: str | None) -> Path:
    if value is None:
        return Path.cwd()
    path = Path(value).expanduser().resolve()
    if not path.is_dir():
        raise CliError(f"Working directory {value!r} does not exist or is not a folder.")
    return path


def _add_to_path(folder: Path) -> None:
    entry = str(folder)
    if entry not in sys.path:
        sys.path.insert(0, entry)


# ------------------------------------------------------------------ pyproject.toml

@dataclass(frozen=True)
class PyprojectTarget:
    path: Path  # the pyproject.toml
    table: str  # which table named the code, for messages
    module_name: str
    defs_folder: bool  # [tool.dg.project]: load the project's defs/ folder


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise CliError(f"Cannot read {path}: {e}") from None


def find_pyproject_target(start: Path) -> PyprojectTarget | None:
    """The nearest pyproject.toml (``start``, then its parents) that names a code location."""
    for folder in [start, *start.parents]:
        path = folder / "pyproject.toml"
        if not path.is_file():
            continue
        tool = _read_toml(path).get("tool") or {}
        for name in ("headwater", "dagster"):
            table = tool.get(name) or {}
            if isinstance(table, dict) and table.get("module_name"):
                return PyprojectTarget(path, f"[tool.{name}]", str(table["module_name"]), False)
        project = (tool.get("dg") or {}).get("project") or {}
        if isinstance(project, dict) and project.get("root_module"):
            target = project.get("code_location_target_module")
            if target:
                return PyprojectTarget(path, "[tool.dg.project]", str(target), False)
            return PyprojectTarget(path, "[tool.dg.project]", str(project["root_module"]), True)
    return None


def _load_from_pyproject(wd: Path, attribute: str | None) -> CodeLocation:
    target = find_pyproject_target(wd)
    if target is None:
        raise CliError(
            f"No code location given and no pyproject.toml in {wd} or its parents names one. "
            "Pass -m MODULE or -f FILE, or add to pyproject.toml:\n\n"
            '    [tool.headwater]\n    module_name = "my_project.definitions"')
    root = target.path.parent
    for folder in (root / "src", root):
        if folder.is_dir():
            _add_to_path(folder)
    if not target.defs_folder:
        origin = f"module {target.module_name} ({target.table} in {target.path})"
        module = _import_module(target.module_name, origin)
        return CodeLocation(find_definitions(module, origin, attribute), origin, wd)
    from headwater.definitions.load import load_from_defs_folder

    origin = f"the defs folder of {target.module_name} ({target.table} in {target.path})"
    with user_code(origin):
        defs = load_from_defs_folder(project_root=root)
    return CodeLocation(defs, origin, wd)


# ------------------------------------------------------------------ importing

def _resolve_file(value: str, wd: Path) -> Path:
    path = Path(value).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, wd / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise CliError(f"Python file {value!r} not found (looked for "
                   f"{', '.join(str(c) for c in dict.fromkeys(candidates))}).")


def _import_file(path: Path) -> ModuleType:
    _add_to_path(path.parent)
    name = path.stem
    existing = sys.modules.get(name)
    if existing is not None and getattr(existing, "__file__", None) != str(path):
        name = f"_headwater_file_{name}"  # never shadow another module (e.g. a stdlib one)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CliError(f"Cannot import {path}: it is not a Python file.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        with user_code(f"file {path}"):
            spec.loader.exec_module(module)
    except CliError:
        sys.modules.pop(name, None)
        raise
    return module


def _import_module(name: str, origin: str | None = None) -> ModuleType:
    origin = origin or f"module {name}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as e:
        if e.name and (name == e.name or name.startswith(e.name + ".")):
            raise CliError(
                f"Cannot find {origin}: no module named {e.name!r}. Check the name, install the "
                "package (pip install -e .), or pass -d with the folder that contains it.") from None
        raise CliError(f"Error while importing {origin}:\n{user_traceback(e)}") from None
    except (Exception, SystemExit) as e:
        raise CliError(f"Error while importing {origin}:\n{user_traceback(e)}") from None


# ------------------------------------------------------------------ finding Definitions

def find_definitions(module: ModuleType, origin: str, attribute: str | None = None) -> Any:
    from headwater.definitions.definitions import Definitions
    from headwater.definitions.load import LazyDefinitions, load_definitions_from_modules

    if attribute:
        if not hasattr(module, attribute):
            raise CliError(f"{origin} has no attribute {attribute!r}.")
        value = getattr(module, attribute)
        if not isinstance(value, (Definitions, LazyDefinitions)):
            raise CliError(f"{module.__name__}.{attribute} is a {type(value).__name__}, not a "
                           "Definitions object or an @definitions function.")
        return _resolve(value, f"{module.__name__}.{attribute}")
    names_by_id: dict[int, list[str]] = {}
    objects: dict[int, Any] = {}
    for name, value in vars(module).items():
        if isinstance(value, (Definitions, LazyDefinitions)):
            names_by_id.setdefault(id(value), []).append(name)
            objects[id(value)] = value
    if len(objects) > 1:
        names = ", ".join(" = ".join(n) for n in names_by_id.values())
        raise CliError(f"{origin} has {len(objects)} Definitions objects: {names}. Keep one at "
                       "module level, or choose one with -a/--attribute NAME.")
    if objects:
        key, value = next(iter(objects.items()))
        return _resolve(value, f"{module.__name__}.{names_by_id[key][0]}")
    with user_code(origin):
        defs = load_definitions_from_modules([module])
    if not (defs.assets or defs.asset_checks or defs.jobs or defs.schedules or defs.sensors):
        raise CliError(
            f"No definitions found in {origin}: it has no Definitions object, no @definitions "
            "function, and no top-level assets, asset checks or jobs. Add e.g. "
            "`defs = dg.Definitions(assets=[...])`.")
    return defs


def _resolve(value: Any, where: str) -> Any:
    from headwater.definitions.load import LazyDefinitions

    if isinstance(value, LazyDefinitions):
        with user_code(f"@definitions function {where}"):
            return value()
    return value


# ------------------------------------------------------------------ user errors

@contextlib.contextmanager
def user_code(what: str) -> Iterator[None]:
    """Turn an exception from the user's code into a CliError that shows the user's frames."""
    try:
        yield
    except CliError:
        raise
    except (Exception, SystemExit) as e:
        raise CliError(f"Error while loading {what}:\n{user_traceback(e)}") from None


def _is_ours(filename: str) -> bool:
    return (filename.startswith(_PKG_DIR + os.sep) or filename.startswith("<frozen importlib")
            or f"{os.sep}importlib{os.sep}" in filename)


def user_traceback(exc: BaseException) -> str:
    """The exception's traceback with Headwater's and importlib's frames left out."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not _is_ours(f.filename)]
    stack = "".join(traceback.format_list(frames))
    text = "".join(traceback.format_exception_only(type(exc), exc))
    return ("Traceback (most recent call last, your code only):\n" + stack if stack else "") + text
