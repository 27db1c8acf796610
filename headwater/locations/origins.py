"""Where a code location's definitions come from, as a frozen value.

A ``LocationOrigin`` is what ``-m``/``-f``/``--package-name``, ``pyproject.toml`` and each
``workspace.yaml`` entry resolve to. It is plain data (strings, an enum), so it crosses process
boundaries as JSON: the code server and the run worker rebuild the same location from it.
"""

from __future__ import annotations

import enum
import os
from dataclasses import dataclass, replace
from typing import Any


class OriginKind(str, enum.Enum):
    PYTHON_MODULE = "python_module"  # target: a dotted module name
    PYTHON_FILE = "python_file"  # target: an absolute file path
    PYTHON_PACKAGE = "python_package"  # target: a package name (imported like a module)
    PYPROJECT = "pyproject"  # target: a pyproject.toml naming a module or a dg defs folder


@dataclass(frozen=True)
class LocationOrigin:
    """One code location's recipe: what to import, from where, under which name."""

    kind: OriginKind
    target: str
    attribute: str | None = None
    working_directory: str | None = None  # added to sys.path; None = the current directory
    location_name: str | None = None  # None = the default name Dagster would give it
    executable_path: str | None = None  # the Python that runs its code server; None = ours

    @property
    def name(self) -> str:
        return self.location_name or default_location_name(self)

    def describe(self) -> str:
        """For messages: ``module my_project.definitions``, ``file /x/defs.py``..."""
        what = {OriginKind.PYTHON_MODULE: "module", OriginKind.PYTHON_FILE: "file",
                OriginKind.PYTHON_PACKAGE: "package", OriginKind.PYPROJECT: "project"}[self.kind]
        text = f"{what} {self.target}"
        return f"{text} (attribute {self.attribute})" if self.attribute else text

    def with_name(self, location_name: str) -> LocationOrigin:
        return replace(self, location_name=location_name)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "target": self.target, "attribute": self.attribute,
                "working_directory": self.working_directory,
                "location_name": self.location_name, "executable_path": self.executable_path}

    @staticmethod
    def from_json(data: dict[str, Any]) -> LocationOrigin:
        return LocationOrigin(OriginKind(data["kind"]), data["target"], data.get("attribute"),
                              data.get("working_directory"), data.get("location_name"),
                              data.get("executable_path"))


def default_location_name(origin: LocationOrigin) -> str:
    """The name Dagster gives a location that names none: the package or module name, else
    the file's base name (``defs.py``), followed by ``:attribute`` when one is chosen. A
    project's name is its folder's (``pyproject.toml`` tables may name it instead)."""
    if origin.kind is OriginKind.PYTHON_FILE:
        base = os.path.basename(origin.target)
    elif origin.kind is OriginKind.PYPROJECT:
        base = os.path.basename(os.path.dirname(os.path.abspath(origin.target)))
    else:
        base = origin.target
    return f"{base}:{origin.attribute}" if origin.attribute else base
