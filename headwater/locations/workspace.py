"""A Dagster ``workspace.yaml``, read into ``LocationOrigin``s.

    load_from:
      - python_file: defs.py                      # a string, or a mapping:
      - python_file: {relative_path: a/defs.py, attribute: defs, location_name: a}
      - python_module: my_project.definitions      # or {module_name: ..., ...}
      - python_package: my_project                 # or {package_name: ..., ...}

Each mapping may also give ``attribute``, ``working_directory``, ``location_name`` and
``executable_path``. Paths are relative to the workspace file's folder, which is also the
working directory when an entry gives none (as Dagster does). ``grpc_server`` entries (a code
server someone else runs) are not supported yet. Every error names the file and the entry and
says how to fix it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from headwater.locations.origins import LocationOrigin, OriginKind


class WorkspaceError(Exception):
    """A workspace file Headwater cannot use: the message names the file and the entry."""


@dataclass(frozen=True)
class _Kind:
    origin_kind: OriginKind
    target_key: str  # the mapping key that holds the target


_KINDS = {
    "python_file": _Kind(OriginKind.PYTHON_FILE, "relative_path"),
    "python_module": _Kind(OriginKind.PYTHON_MODULE, "module_name"),
    "python_package": _Kind(OriginKind.PYTHON_PACKAGE, "package_name"),
}
_COMMON_KEYS = ("attribute", "working_directory", "location_name", "executable_path")
_EXAMPLE = ("load_from:\n  - python_module: my_project.definitions\n"
            "  - python_file:\n      relative_path: other/defs.py\n      location_name: other")


def load_workspace(path: str | os.PathLike[str]) -> tuple[LocationOrigin, ...]:
    """The code locations a workspace file names, in its order."""
    file = Path(path).expanduser().resolve()
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as e:
        raise WorkspaceError(f"Cannot read workspace file {path}: {e.strerror or e}.") from None
    return parse_workspace(text, file)


def parse_workspace(text: str, file: Path) -> tuple[LocationOrigin, ...]:
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        where = getattr(e, "problem_mark", None)
        at = f" at line {where.line + 1}, column {where.column + 1}" if where else ""
        problem = getattr(e, "problem", None) or str(e)
        raise WorkspaceError(f"{file}: not valid YAML{at}: {problem}. A workspace file looks "
                             f"like:\n\n{_EXAMPLE}") from None
    if not isinstance(data, dict) or "load_from" not in data:
        raise WorkspaceError(f"{file}: a workspace file needs a top-level `load_from:` list, "
                             f"e.g.\n\n{_EXAMPLE}")
    unknown = sorted(str(k) for k in data if k != "load_from")
    if unknown:
        raise WorkspaceError(f"{file}: unknown top-level key(s) {', '.join(unknown)}; only "
                             "`load_from` is read.")
    entries = data["load_from"]
    if not isinstance(entries, list) or not entries:
        raise WorkspaceError(f"{file}: `load_from` must be a non-empty list of code locations, "
                             f"e.g.\n\n{_EXAMPLE}")
    origins = [_entry(file, i + 1, entry) for i, entry in enumerate(entries)]
    _check_unique_names(file, origins)
    return tuple(origins)


def _entry(file: Path, number: int, entry: Any) -> LocationOrigin:
    base = file.parent
    if not isinstance(entry, dict) or len(entry) != 1:
        raise WorkspaceError(
            f"{file}: entry {number} of load_from must be a mapping with one key, "
            f"python_file, python_module or python_package; got {_show(entry)}.")
    (kind_name, body), = entry.items()
    where = f"{file}: entry {number} ({kind_name})"
    if kind_name == "grpc_server":
        raise WorkspaceError(
            f"{where}: grpc_server entries (a code server started elsewhere) are not supported "
            "yet. Use python_file, python_module or python_package, and Headwater starts the "
            "code server itself.")
    kind = _KINDS.get(str(kind_name))
    if kind is None:
        raise WorkspaceError(f"{file}: entry {number}: unknown kind {kind_name!r}; use "
                             "python_file, python_module or python_package.")
    if isinstance(body, str):
        body = {kind.target_key: body}
    if not isinstance(body, dict):
        raise WorkspaceError(f"{where}: expected a string or a mapping with "
                             f"{kind.target_key}, got {_show(body)}.")
    allowed = (kind.target_key, *_COMMON_KEYS)
    unknown = sorted(str(k) for k in body if k not in allowed)
    if unknown:
        raise WorkspaceError(f"{where}: unknown key(s) {', '.join(unknown)}; allowed: "
                             f"{', '.join(allowed)}.")
    for key, value in body.items():
        if not isinstance(value, str) or not value.strip():
            raise WorkspaceError(f"{where}: {key} must be a non-empty string, got "
                                 f"{_show(value)}.")
    if kind.target_key not in body:
        raise WorkspaceError(f"{where}: missing {kind.target_key}, e.g. "
                             f"`{kind_name}: {{{kind.target_key}: ...}}`.")
    wd = _path(base, body["working_directory"]) if "working_directory" in body else base
    if not wd.is_dir():
        raise WorkspaceError(f"{where}: working_directory {body['working_directory']!r} "
                             f"({wd}) is not a folder; paths are relative to {base}.")
    target = body[kind.target_key]
    if kind.origin_kind is OriginKind.PYTHON_FILE:
        path = _path(base, target)
        if not path.is_file():
            raise WorkspaceError(f"{where}: Python file {target!r} not found (looked for {path}; "
                                 f"paths are relative to {base}).")
        target = str(path)
    executable = body.get("executable_path")
    if executable is not None:
        if os.sep in executable:  # a path (kept as written: a venv's python is a symlink)
            executable = os.path.normpath(os.path.join(base, os.path.expanduser(executable)))
    return LocationOrigin(kind.origin_kind, target, body.get("attribute"), str(wd),
                          body.get("location_name"), executable)


def _path(base: Path, value: str) -> Path:
    path = Path(value).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def _check_unique_names(file: Path, origins: list[LocationOrigin]) -> None:
    seen: dict[str, int] = {}
    for number, origin in enumerate(origins, 1):
        first = seen.setdefault(origin.name, number)
        if first != number:
            raise WorkspaceError(
                f"{file}: entries {first} and {number} are both named {origin.name!r}; give "
                "each a distinct location_name.")


def _show(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'...' if len(text) > 60 else ''}"
