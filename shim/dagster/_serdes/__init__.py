"""``dagster._serdes`` on Headwater: ``serialize_value`` / ``deserialize_value`` for the values
projects round-trip in tests (metadata values, asset keys, the shim's ``RepositorySnap``).

JSON with a ``"__class__"`` tag per object. What cannot be stored (an
``ObjectMetadataValue``'s live instance) is dropped, keeping its label, as Dagster does.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.metadata import (
    MetadataValue,
    metadata_from_json,
    metadata_to_json,
)

__all__ = ["deserialize_value", "serialize_value"]

_DATACLASSES: dict[str, type] = {}


def whitelist_for_serdes(cls: type) -> type:
    """Register a dataclass so ``deserialize_value`` can rebuild it by name."""
    _DATACLASSES[cls.__name__] = cls
    return cls


def _pack(value: Any) -> Any:
    if isinstance(value, MetadataValue):
        return {"__class__": type(value).__name__, "metadata": metadata_to_json({"v": value})["v"]}
    if isinstance(value, AssetKey):
        return {"__class__": "AssetKey", "path": list(value.path)}
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        name = type(value).__name__
        if name not in _DATACLASSES:
            raise TypeError(f"cannot serialize {name}: not a serializable Headwater value")
        return {"__class__": name, **{f.name: _pack(getattr(value, f.name))
                                      for f in dataclasses.fields(value)}}
    if isinstance(value, (list, tuple)):
        return [_pack(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _pack(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot serialize a {type(value).__name__}: not a serializable value")


def _unpack(data: Any) -> Any:
    if isinstance(data, list):
        return [_unpack(v) for v in data]
    if not isinstance(data, dict):
        return data
    name = data.get("__class__")
    if name is None:
        return {k: _unpack(v) for k, v in data.items()}
    if name == "AssetKey":
        return AssetKey(data["path"])
    if "metadata" in data and name.endswith("MetadataValue"):
        return metadata_from_json({"v": data["metadata"]})["v"]
    cls = _DATACLASSES[name]
    fields = {k: _unpack(v) for k, v in data.items() if k != "__class__"}
    return cls(**fields)


def serialize_value(value: Any) -> str:
    return json.dumps(_pack(value), separators=(",", ":"), sort_keys=True)


def deserialize_value(val: str, as_type: Any = None) -> Any:
    value = _unpack(json.loads(val))
    if as_type is not None and not isinstance(value, as_type):
        raise ValueError(f"deserialized a {type(value).__name__}, expected {as_type!r}")
    return value
