"""AssetKey: the identity of an asset, a path of strings."""

from __future__ import annotations

import json
import keyword
import re
from collections.abc import Sequence
from typing import Any, Union

_VALID_NAME = re.compile(r"^[A-Za-z0-9_]+$")
_VALID_KEY_PART = re.compile(r"^[A-Za-z0-9_.\-]+$")
_VALID_TAG_KEY = re.compile(r"^([A-Za-z0-9_.\-]{1,63}/)*[A-Za-z0-9_.\-]{1,63}$")
_VALID_TAG_VALUE = re.compile(r"^[A-Za-z0-9_.\-]{0,63}$")
_VALID_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


_INTERNED: dict[tuple[str, ...], AssetKey] = {}
_INTERN_LIMIT = 2_000_000


class AssetKey:
    """An asset's key: a non-empty path of strings, e.g. ``AssetKey(["raw", "orders"])``.

    ``AssetKey("orders")`` is a one-part key; ``AssetKey.from_user_string("raw/orders")``
    splits on ``/``.
    """

    __slots__ = ("_parts", "_hash", "_string")
    _parts: tuple[str, ...]
    _hash: int
    _string: str  # to_string(), made on first use (every stored asset event needs it)

    def __new__(cls, path: str | Sequence[str]) -> AssetKey:
        parts = (path,) if isinstance(path, str) else tuple(path)
        hit = _INTERNED.get(parts)
        if hit is not None:
            return hit
        if not parts:
            raise TypeError(f"AssetKey path must be a non-empty string or list of strings, got {path!r}")
        for p in parts:
            if not isinstance(p, str):
                raise TypeError(
                    f"AssetKey path must be a non-empty string or list of strings, got {path!r}")
        self = object.__new__(cls)
        object.__setattr__(self, "_parts", parts)
        object.__setattr__(self, "_hash", hash(parts))
        if len(_INTERNED) >= _INTERN_LIMIT:
            _INTERNED.clear()
        _INTERNED[parts] = self  # one object per key: graphs of 100k assets share them
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("AssetKey is immutable")

    @property
    def path(self) -> list[str]:
        return list(self._parts)

    @property
    def parts(self) -> tuple[str, ...]:
        return self._parts

    def __hash__(self) -> int:
        return self._hash

    def __eq__(self, other: object) -> bool:
        return self is other or (isinstance(other, AssetKey) and other._parts == self._parts)

    def __lt__(self, other: AssetKey) -> bool:
        return self._parts < other._parts

    def __repr__(self) -> str:
        return f"AssetKey({list(self._parts)!r})"

    def __reduce__(self):
        return (AssetKey, (list(self._parts),))

    def to_user_string(self) -> str:
        return "/".join(self._parts)

    def to_string(self) -> str:
        try:
            return self._string
        except AttributeError:
            text = json.dumps(list(self._parts))
            object.__setattr__(self, "_string", text)
            return text

    def to_escaped_user_string(self) -> str:
        return "/".join(p.replace("/", "\\/") for p in self._parts)

    def to_python_identifier(self, suffix: str | None = None) -> str:
        parts = [*self._parts, suffix] if suffix else self._parts
        return "__".join(parts).replace("-", "_").replace(".", "_")

    def with_prefix(self, prefix: CoercibleToAssetKeyPrefix) -> AssetKey:
        return AssetKey([*_prefix_parts(prefix), *self._parts])

    def has_prefix(self, prefix: Sequence[str]) -> bool:
        return self._parts[: len(prefix)] == tuple(prefix)

    @property
    def parent(self) -> AssetKey:
        if len(self._parts) < 2:
            raise ValueError(f"{self!r} has no parent")
        return AssetKey(self._parts[:-1])

    def __truediv__(self, part: str) -> AssetKey:
        return AssetKey([*self._parts, part])

    @staticmethod
    def from_user_string(value: str) -> AssetKey:
        return AssetKey(value.split("/"))

    @staticmethod
    def from_db_string(value: str | None) -> AssetKey | None:
        if not value:
            return None
        if value.startswith("["):
            return AssetKey(json.loads(value))
        return AssetKey.from_user_string(value)

    @staticmethod
    def from_coercible(arg: CoercibleToAssetKey) -> AssetKey:
        return coerce_key(arg)


CoercibleToAssetKey = Union[AssetKey, str, Sequence[str]]
CoercibleToAssetKeyPrefix = Union[str, Sequence[str]]


def coerce_key(arg: Any) -> AssetKey:
    """Turn a key-like value into an AssetKey: an AssetKey, a one-part string, or a list."""
    if isinstance(arg, AssetKey):
        return arg
    if isinstance(arg, str):
        return AssetKey((arg,))
    key = getattr(arg, "key", None)
    if isinstance(key, AssetKey):  # AssetsDefinition with one key, AssetSpec, SourceAsset
        return key
    if isinstance(arg, (list, tuple)):
        return AssetKey(arg)
    raise TypeError(f"Cannot use {arg!r} as an asset key: expected an AssetKey, a string or a list of strings")


def _prefix_parts(prefix: CoercibleToAssetKeyPrefix | None) -> tuple[str, ...]:
    if prefix is None:
        return ()
    if isinstance(prefix, str):
        return tuple(prefix.split("/"))
    return tuple(prefix)


# Names a node, job, schedule or sensor may not take: Python's keywords and the words that
# mean something else where a name is used (a parameter, a config key, a type).
RESERVED_NAMES = frozenset(keyword.kwlist) | frozenset(
    {"context", "input", "output", "config", "conf", "meta", "dict", "str", "int", "float",
     "bool", "type"})


def check_valid_name(name: str, what: str, *, asset: bool = False,
                     reserved: bool = True) -> str:
    """``name`` if it is a valid name: letters, digits and '_' (an asset name may also use
    '-' and '.', which become '_' in its op's name), and not a reserved word."""
    plain = name.replace("-", "_").replace(".", "_") if asset and isinstance(name, str) else name
    if not isinstance(name, str) or not _VALID_NAME.match(plain):
        extra = ", and '-' or '.' in an asset name" if asset else ""
        hint = (" For a key with several parts, pass an AssetKey or a list." if asset
                and isinstance(name, str) and "/" in name else "")
        raise _invalid(f'{what} "{name}" is not a valid name: names must be in regex '
                       f"^[A-Za-z0-9_]+$ (letters, digits and '_'{extra}).{hint}")
    if reserved and plain in RESERVED_NAMES:
        raise _invalid(f'{what} "{name}" is not a valid name: it conflicts with a reserved '
                       "keyword (a Python keyword, or one of context, input, output, config, "
                       "conf, meta, dict, str, int, float, bool, type); choose another name.")
    return name


def _invalid(message: str) -> Exception:
    from headwater.definitions.errors import InvalidDefinitionError

    return InvalidDefinitionError(message)


def check_valid_key(key: AssetKey, what: str) -> AssetKey:
    for part in key.parts:
        if not _VALID_KEY_PART.match(part):
            raise _invalid(f"{what}: asset key part {part!r} of {key.to_user_string()!r} is not "
                           "valid: use letters, digits, '_', '-' and '.' only")
    return key


def check_valid_tags(tags: object, what: str) -> None:
    if not tags:
        return
    for k, v in dict(tags).items():  # type: ignore[call-overload]
        if not isinstance(k, str) or not _VALID_TAG_KEY.match(k):
            raise _invalid(f"{what}: tag key {k!r} is not valid: use letters, digits, '_', '-', "
                           "'.' (and '/' for a prefix), at most 63 characters per part")
        if not isinstance(v, str):
            raise _invalid(f"{what}: tag {k!r} has a {type(v).__name__} value {v!r}; tag values "
                           "must be strings (put other values in metadata=)")
        if not _VALID_TAG_VALUE.match(v):
            raise _invalid(f"{what}: tag {k!r} value {v!r} is not valid: use letters, digits, "
                           "'_', '-' and '.' only, at most 63 characters")


def check_valid_owners(owners: object, what: str) -> None:
    for owner in owners or ():  # type: ignore[attr-defined]
        if not (isinstance(owner, str) and (_VALID_EMAIL.match(owner) or
                                            (owner.startswith("team:") and len(owner) > 5))):
            raise _invalid(f"{what}: owner {owner!r} is not valid: use an email address or "
                           "'team:<name>'")
