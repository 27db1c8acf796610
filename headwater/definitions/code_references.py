"""Code references: where an asset is defined, as metadata the UI can link to.

``with_source_code_references`` records the file and line of each asset's function under the
metadata key ``dagster/code_references`` (the key Dagster tools read); ``link_code_references_to_git``
turns those local paths into source-control URLs through a ``FilePathMapping``.
"""

from __future__ import annotations

import inspect
import os
import posixpath
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from headwater.definitions.asset_spec import AssetSpec
from headwater.definitions.assets import AssetsDefinition
from headwater.definitions.metadata import MetadataValue

CODE_REFERENCES_METADATA_KEY = "dagster/code_references"


@dataclass(frozen=True, kw_only=True)
class LocalFileCodeReference:
    """A place in a local file (the line is optional)."""

    file_path: str
    line_number: int | None = None
    label: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"type": "local_file", "file_path": self.file_path,
                "line_number": self.line_number, "label": self.label}


@dataclass(frozen=True, kw_only=True)
class UrlCodeReference:
    """A place reachable by URL, typically a file in a source-control web UI."""

    url: str
    label: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"type": "url", "url": self.url, "label": self.label}


CodeReference = LocalFileCodeReference | UrlCodeReference


class CodeReferencesMetadataValue(MetadataValue):
    """Metadata value listing where an asset's code lives (local files or URLs)."""

    kind = "code_references"

    def __init__(self, *, code_references: Sequence[CodeReference]):
        super().__init__(list(code_references))

    @property
    def code_references(self) -> list[CodeReference]:
        return self.value

    def __repr__(self) -> str:
        return f"CodeReferencesMetadataValue(code_references={self.value!r})"

    def to_json(self) -> Any:
        return [ref.to_json() for ref in self.value]

    @staticmethod
    def from_json(raw: Sequence[dict[str, Any]]) -> CodeReferencesMetadataValue:
        refs: list[CodeReference] = []
        for item in raw:
            fields = {k: v for k, v in item.items() if k != "type"}
            refs.append(UrlCodeReference(**fields) if item.get("type") == "url"
                        else LocalFileCodeReference(**fields))
        return CodeReferencesMetadataValue(code_references=refs)


class FilePathMapping(ABC):
    """Maps a local file path to its path inside a source-control repository.

    Subclass it when the repository layout differs from the local one; otherwise use
    ``AnchorBasedFilePathMapping``.
    """

    @abstractmethod
    def convert_to_source_control_path(self, local_path: Path) -> str:
        """The repository-relative path of ``local_path``."""


@dataclass(frozen=True)
class AnchorBasedFilePathMapping(FilePathMapping):
    """Maps paths relative to one anchor: a local file (or folder) and its path in the repository.

    Every other local path keeps its position relative to the anchor, so with the anchor
    ``/home/me/proj/pkg/__init__.py`` ↔ ``src/pkg/__init__.py``, ``/home/me/proj/pkg/assets.py``
    maps to ``src/pkg/assets.py``.
    """

    local_file_anchor: Path
    file_anchor_path_in_repository: str

    def convert_to_source_control_path(self, local_path: Path) -> str:
        relative = os.path.relpath(os.fspath(local_path), os.fspath(self.local_file_anchor))
        joined = posixpath.join(self.file_anchor_path_in_repository,
                                Path(relative).as_posix())
        return posixpath.normpath(joined)


def _definition_function(assets_def: Any) -> Callable[..., Any] | None:
    node = getattr(assets_def, "op", None)
    if node is None:
        return None
    return getattr(node, "compute_fn", None) or getattr(node, "compose_fn", None)


def _local_reference(fn: Callable[..., Any]) -> LocalFileCodeReference | None:
    fn = inspect.unwrap(fn)
    try:
        source = inspect.getsourcefile(fn)
    except TypeError:  # a builtin or C function: no source to point at
        return None
    code = getattr(fn, "__code__", None)
    if source is None or code is None:
        return None
    return LocalFileCodeReference(file_path=os.path.abspath(source), line_number=code.co_firstlineno)


def _with_references(assets_def: Any, change: Callable[[list[CodeReference]], list[CodeReference]]) -> Any:
    def update(spec: AssetSpec) -> AssetSpec:
        existing = spec.metadata.get(CODE_REFERENCES_METADATA_KEY)
        refs = list(existing.code_references) if isinstance(existing, CodeReferencesMetadataValue) else []
        new_refs = change(refs)
        if new_refs == refs:
            return spec
        metadata = {**spec.metadata,
                    CODE_REFERENCES_METADATA_KEY: CodeReferencesMetadataValue(code_references=new_refs)}
        return spec.replace_attributes(metadata=metadata)

    return assets_def.map_asset_specs(update)


def _is_assets_def(obj: Any) -> bool:
    return isinstance(obj, AssetsDefinition)


def _appending(ref: CodeReference) -> Callable[[list[CodeReference]], list[CodeReference]]:
    return lambda refs: [*refs, ref]


def with_source_code_references(assets_defs: Sequence[Any]) -> Sequence[Any]:
    """Copies of the given assets whose metadata points at the file and line of their function.

    The reference is appended to any ``dagster/code_references`` the asset already has; specs,
    external assets and other objects come back unchanged.
    """
    out = []
    for item in assets_defs:
        fn = _definition_function(item) if _is_assets_def(item) else None
        ref = _local_reference(fn) if fn is not None else None
        if ref is not None:
            item = _with_references(item, _appending(ref))
        out.append(item)
    return out


def _infer_platform(git_url: str) -> Literal["github", "gitlab"]:
    if "github.com" in git_url:
        return "github"
    if "gitlab.com" in git_url:
        return "gitlab"
    raise ValueError(
        "Invalid `git_url`. Unable to infer the source control platform from the `git_url`. "
        "Please supply a `platform`.")


def _url_for(ref: LocalFileCodeReference, git_url: str, git_branch: str,
             mapping: FilePathMapping, platform: str) -> UrlCodeReference:
    path = mapping.convert_to_source_control_path(Path(ref.file_path))
    tree = "tree" if platform == "github" else "-/tree"
    line = f"#L{ref.line_number}" if ref.line_number else ""
    return UrlCodeReference(url=f"{git_url}/{tree}/{git_branch}/{path}{line}", label=ref.label)


def link_code_references_to_git(assets_defs: Sequence[Any], git_url: str, git_branch: str,
                                file_path_mapping: FilePathMapping,
                                platform: Literal["github", "gitlab"] | None = None) -> Sequence[Any]:
    """Copies of the given assets whose local-file code references became URLs into the
    repository at ``git_url`` on ``git_branch``; the platform is inferred from the URL when not
    given. Assets without local references come back unchanged."""
    platform = platform or _infer_platform(git_url)

    def convert(refs: list[CodeReference]) -> list[CodeReference]:
        return [_url_for(r, git_url, git_branch, file_path_mapping, platform)
                if isinstance(r, LocalFileCodeReference) else r for r in refs]

    return [_with_references(item, convert) if _is_assets_def(item) else item
            for item in assets_defs]
