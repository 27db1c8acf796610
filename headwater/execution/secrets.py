"""Secret masking: values a run read from environment variables never reach its records.

Every value a run's resources resolve from an ``EnvVar`` (``ConfigurableResource`` fields,
nested resources too, ``EnvVar.int`` as its decimal string) is a secret of that run. A
``SecretMasker`` is built once per run, in every process that runs part of it (the launcher
and each worker set up the same resources from the same environment), and replaces each
occurrence of a secret by ``MASK`` in:

* log messages (``context.log.*``) before they become events or reach the console (``logs.py``);
* every event's message and data: metadata values (text, JSON, markdown, URLs, tables...),
  descriptions, type-check details, error messages and tracebacks with their cause chain
  (``RunContext.emit``);
* captured stdout/stderr, before the compute-log file and the console (``compute_logs.py``).

A run whose resources read no environment variable has no masker (``None``): nothing is
checked, nothing is copied. With secrets, one regular expression (an alternation of every
secret and its escaped spellings, longest first) is compiled once per run.

Values shorter than ``MIN_SECRET_LENGTH`` characters are not masked: a 1-3 character value
would blank out ordinary text everywhere (and tells an attacker little). Masking is by
substring: a secret inside a longer word or number is masked too.
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from headwater.definitions.metadata import (
    MetadataValue,
    TextMetadataValue,
    metadata_from_json,
    metadata_to_json,
)
from headwater.definitions.results import AssetMaterialization

MASK = "********"
MIN_SECRET_LENGTH = 5  # as Airflow's default (``min_length_masked_secret``)


def _spellings(value: str) -> set[str]:
    """The ways a secret shows up in text: as is, stripped, escaped by ``repr``/JSON (as in
    exception messages and logged dicts), URL-quoted (in connection strings), and each line
    of a multi-line value (a key file printed line by line)."""
    forms = {value, value.strip(), repr(value)[1:-1], json.dumps(value)[1:-1],
             json.dumps(value, ensure_ascii=False)[1:-1], quote(value, safe=""),
             quote_plus(value, safe="")}
    if "\n" in value:
        forms.update(line.strip() for line in value.splitlines())
    return {f for f in forms if len(f) >= MIN_SECRET_LENGTH}


def _as_text(value: Any) -> str | None:
    """A resolved value's text: strings as they are, numbers in decimal, pydantic secrets
    unwrapped; None for anything else (its environment string is masked regardless)."""
    unwrap = getattr(value, "get_secret_value", None)
    if unwrap is not None:
        value = unwrap()
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (str, int, float)):
        return str(value)
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return None


class SecretMasker:
    """Replaces a run's secrets by ``MASK`` in text and in event data (see the module doc)."""

    __slots__ = ("_pattern",)

    def __init__(self, secrets: Iterable[str]):
        forms: set[str] = set()
        for s in secrets:
            forms |= _spellings(s)
        if not forms:
            raise ValueError(f"no secret of at least {MIN_SECRET_LENGTH} characters to mask")
        ordered = sorted(forms, key=lambda f: (-len(f), f))  # longest first: no partial masks
        self._pattern = re.compile("|".join(map(re.escape, ordered)))

    @classmethod
    def build(cls, values: Iterable[Any]) -> SecretMasker | None:
        """A masker for these resolved values, or None if none is long enough to mask."""
        texts = [t for t in map(_as_text, values) if t is not None]
        if not any(_spellings(t) for t in texts):
            return None
        return cls(texts)

    def text(self, text: str) -> str:
        """``text`` with every secret replaced by ``MASK``."""
        if not text:
            return text
        masked, n = self._pattern.subn(MASK, text)
        return masked if n else text

    def data(self, obj: Any) -> Any:
        """Event data with every secret masked; the same object if it held none."""
        if obj is None or isinstance(obj, (bool, int, float)):
            return obj
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, AssetMaterialization):
            return self._materialization(obj)
        if isinstance(obj, MetadataValue):
            return self._metadata_value(obj)
        if isinstance(obj, dict):
            return self._dict(obj, self.data)
        if isinstance(obj, (list, tuple)):
            items = [self.data(v) for v in obj]
            if all(a is b for a, b in zip(items, obj, strict=True)):
                return obj
            return type(obj)(items) if isinstance(obj, list) else tuple(items)
        if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
            changes = {}
            for f in dataclasses.fields(obj):
                old = getattr(obj, f.name)
                new = self.data(old)
                if new is not old:
                    changes[f.name] = new
            return dataclasses.replace(obj, **changes) if changes else obj
        return obj  # enums, asset keys, numbers: names the code chose, not values it read

    def _dict(self, d: dict[Any, Any], each: Callable[[Any], Any]) -> dict[Any, Any]:
        out = {}
        changed = False
        for k, v in d.items():
            nk = self.text(k) if isinstance(k, str) else k
            nv = each(v)
            changed = changed or nk is not k or nv is not v
            out[nk] = nv
        return out if changed else d

    def _materialization(self, m: AssetMaterialization) -> AssetMaterialization:
        description = self.data(m.description)
        metadata = self._dict(m.metadata, self.data)
        tags = self._dict(m.tags, self.data)
        if description is m.description and metadata is m.metadata and tags is m.tags:
            return m
        masked = type(m)(m.asset_key, description, None, m.partition, tags)
        masked.metadata = metadata
        return masked

    def _metadata_value(self, value: MetadataValue) -> MetadataValue:
        """A metadata value is masked in the form it is stored in (its JSON), so what a run
        returns and what the instance reads back are the same."""
        raw = metadata_to_json({"v": value})["v"]
        new = self._json(raw[1])
        if new is raw[1]:
            return value
        if isinstance(new, str) and not isinstance(raw[1], str):  # a number that was a secret
            return TextMetadataValue(new)
        return metadata_from_json({"v": [raw[0], new]})["v"]

    def _json(self, obj: Any) -> Any:
        """A JSON-like value masked; an object JSON cannot hold is masked in its ``repr``, the
        form the instance stores it in."""
        if obj is None or isinstance(obj, bool):
            return obj
        if isinstance(obj, str):
            return self.text(obj)
        if isinstance(obj, (int, float)):
            text = str(obj)
            masked = self.text(text)
            return obj if masked is text else masked
        if isinstance(obj, dict):
            return self._dict(obj, self._json)
        if isinstance(obj, (list, tuple)):
            items = [self._json(v) for v in obj]
            return obj if all(a is b for a, b in zip(items, obj, strict=True)) else items
        text = repr(obj)
        masked = self.text(text)
        return obj if masked is text else masked
