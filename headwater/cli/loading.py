"""The CLI's code-location options (``-m MODULE``, ``-f FILE``, ``-d DIR``, ``-a NAME``) over
``headwater.locations``, which does the importing.

Order: ``-f`` / ``-m`` if given; else the nearest ``pyproject.toml`` (the working directory,
then its parents) with ``[tool.headwater] module_name``, ``[tool.dagster] module_name`` or
``[tool.dg.project] root_module``. Errors are ``CliError`` (exit 2); a failure inside the
user's code shows the user's frames.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click

from headwater.cli.common import CliError
from headwater.locations.loader import (
    DefinitionsLoadError,
    LoadedCode,
    describe_load_error,
    load_definitions,
    user_traceback,
    working_directory,
)
from headwater.locations.origins import LocationOrigin, OriginKind
from headwater.locations.pyproject import PyprojectError, find_target, origin_for

__all__ = ["CodeLocation", "LocationArgs", "code_location_options", "load_code_location",
           "location_origin", "user_traceback"]


@dataclass(frozen=True)
class CodeLocation:
    """What a command loaded: the ``Definitions``, where from (for messages), the folder."""

    defs: Any  # headwater.Definitions
    origin: str  # for messages: "module pkg.defs", "file /x/defs.py", ...
    working_directory: Path

    @staticmethod
    def of(loaded: LoadedCode) -> CodeLocation:
        return CodeLocation(loaded.defs, loaded.description, loaded.working_directory)


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

    def origin(self) -> LocationOrigin:
        return location_origin(self.module_name, self.python_file, self.working_directory,
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

def location_origin(module_name: str | None = None, python_file: str | None = None,
                    working_directory_: str | None = None,
                    attribute: str | None = None) -> LocationOrigin:
    """The origin the options name (resolving ``-f`` and the pyproject.toml search)."""
    wd = _cli_errors(lambda: working_directory(working_directory_))
    if module_name and python_file:
        raise CliError("Give either -m/--module-name or -f/--python-file, not both.")
    if python_file:
        return LocationOrigin(OriginKind.PYTHON_FILE, str(_resolve_file(python_file, wd)),
                              attribute, str(wd))
    if module_name:
        return LocationOrigin(OriginKind.PYTHON_MODULE, module_name, attribute, str(wd))
    try:
        target = find_target(wd)
    except PyprojectError as e:
        raise CliError(str(e)) from None
    if target is None:
        raise CliError(
            f"No code location given and no pyproject.toml in {wd} or its parents names one. "
            "Pass -m MODULE or -f FILE, or add to pyproject.toml:\n\n"
            '    [tool.headwater]\n    module_name = "my_project.definitions"')
    return origin_for(target, attribute, str(wd))


def load_code_location(module_name: str | None = None, python_file: str | None = None,
                       working_directory: str | None = None,
                       attribute: str | None = None) -> CodeLocation:
    import headwater.locations.reconstruct  # noqa: F401 - jobs' pointers for worker processes

    origin = location_origin(module_name, python_file, working_directory, attribute)
    return CodeLocation.of(_cli_errors(lambda: load_definitions(origin)))


def _cli_errors(fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except DefinitionsLoadError as e:
        raise CliError(describe_load_error(e.info)) from None


def _resolve_file(value: str, wd: Path) -> Path:
    path = Path(value).expanduser()
    candidates = [path] if path.is_absolute() else [Path.cwd() / path, wd / path]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    raise CliError(f"Python file {value!r} not found (looked for "
                   f"{', '.join(str(c) for c in dict.fromkeys(candidates))}).")


# ------------------------------------------------------------------ workspaces (services)

@dataclass(frozen=True)
class WorkspaceArgs:
    """Which code locations a service command serves: ``-w workspace.yaml`` (repeatable), or
    one location from ``-m/-f/-d/-a`` or ``pyproject.toml``; with none of them, a
    ``workspace.yaml`` in the working directory if there is one."""

    workspace_files: tuple[str, ...]
    location: LocationArgs

    def origins(self) -> tuple[LocationOrigin, ...]:
        from headwater.locations.workspace import WorkspaceError, load_workspace

        files = list(self.workspace_files)
        loc = self.location
        if files and (loc.module_name or loc.python_file):
            raise CliError("Give -w/--workspace or -m/-f, not both.")
        if not files and not (loc.module_name or loc.python_file):
            default = _cli_errors(lambda: working_directory(loc.working_directory)) \
                / "workspace.yaml"
            if default.is_file() and not _has_pyproject_target(default.parent):
                files = [str(default)]
        if not files:
            return (loc.origin(),)
        origins: list[LocationOrigin] = []
        for file in files:
            try:
                origins += load_workspace(file)
            except WorkspaceError as e:
                raise CliError(str(e)) from None
        names = [o.name for o in origins]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise CliError(f"Code location names must be unique across workspace files; "
                           f"{', '.join(repr(d) for d in duplicates)} appear more than once. "
                           "Set location_name: on one of them.")
        return tuple(origins)


def _has_pyproject_target(folder: Path) -> bool:
    try:
        return find_target(folder) is not None
    except PyprojectError:
        return False


def workspace_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``-w/--workspace FILE`` (repeatable) plus ``-m/-f/-d/-a``; the command receives them as
    one ``workspace: WorkspaceArgs``."""

    @functools.wraps(fn)
    def wrapper(*args: Any, workspace_files: tuple[str, ...], location: LocationArgs,
                **kwargs: Any) -> Any:
        return fn(*args, workspace=WorkspaceArgs(tuple(workspace_files), location), **kwargs)

    with_location = code_location_options(wrapper)
    return click.option("-w", "--workspace", "workspace_files", multiple=True, metavar="FILE",
                        help="A workspace.yaml naming the code locations (Dagster's format); "
                             "repeatable. Default: ./workspace.yaml if present, else -m/-f or "
                             "pyproject.toml.")(with_location)
