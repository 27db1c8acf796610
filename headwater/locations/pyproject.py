"""Which code a ``pyproject.toml`` names: ``[tool.headwater]``, ``[tool.dagster]`` or a dg
project (``[tool.dg.project]``, whose definitions are its ``defs`` folder)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headwater.locations.origins import LocationOrigin, OriginKind


class PyprojectError(Exception):
    """A pyproject.toml that cannot be read (its path and the parser's message)."""


@dataclass(frozen=True)
class PyprojectTarget:
    path: Path  # the pyproject.toml
    table: str  # which table named the code, for messages
    module_name: str
    defs_folder: bool  # [tool.dg.project]: load the project's defs/ folder
    location_name: str | None = None  # a name the table gives the location


def read_toml(path: Path) -> dict[str, Any]:
    try:
        import tomllib
    except ImportError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise PyprojectError(f"Cannot read {path}: {e}") from None


def read_target(path: Path) -> PyprojectTarget | None:
    """What ``path`` names, or None when none of the three tables names a module."""
    data = read_toml(path)
    tool = data.get("tool") or {}
    for name in ("headwater", "dagster"):
        table = tool.get(name) or {}
        if isinstance(table, dict) and table.get("module_name"):
            return PyprojectTarget(path, f"[tool.{name}]", str(table["module_name"]), False,
                                   table.get("code_location_name") or str(table["module_name"]))
    project = (tool.get("dg") or {}).get("project") or {}
    if isinstance(project, dict) and project.get("root_module"):
        project_name = (data.get("project") or {}).get("name")
        target_module = project.get("code_location_target_module")
        if target_module:
            return PyprojectTarget(path, "[tool.dg.project]", str(target_module), False,
                                   project_name)
        return PyprojectTarget(path, "[tool.dg.project]", str(project["root_module"]), True,
                               project_name)
    return None


def find_target(start: Path) -> PyprojectTarget | None:
    """The nearest pyproject.toml (``start``, then its parents) that names a code location."""
    for folder in [start, *start.parents]:
        path = folder / "pyproject.toml"
        if path.is_file():
            target = read_target(path)
            if target is not None:
                return target
    return None


def origin_for(target: PyprojectTarget, attribute: str | None = None,
               working_directory: str | None = None) -> LocationOrigin:
    return LocationOrigin(OriginKind.PYPROJECT, str(target.path), attribute, working_directory,
                          target.location_name)
