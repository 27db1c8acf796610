"""Concurrency limits by op tag: the multiprocess executor's ``tag_concurrency_limits``.

Dagster's config: a list of ``{"key": K, "value": V, "limit": N}``. A rule applies to steps
whose op has tag K (and, when ``value`` is a string, the value V); at most N of them run at
once. Without ``value`` every value of K shares the limit; with
``value: {"applyLimitPerUniqueValue": True}`` each distinct value has its own N.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from headwater.definitions.errors import InvalidConfigError


@dataclass(frozen=True)
class TagLimit:
    key: str
    value: str | None  # None: any value
    per_unique_value: bool
    limit: int

    def bucket(self, tags: Mapping[str, Any]) -> Any:
        """The bucket this rule counts the step in, or None if the rule does not apply."""
        if self.key not in tags:
            return None
        value = str(tags[self.key])
        if self.value is not None:
            return value if value == self.value else None
        return value if self.per_unique_value else True


def step_tags(step: Any) -> Mapping[str, Any]:
    """An op step's tags (op tags, then the node's); an asset step's op tags."""
    op_tags = getattr(step.op, "tags", None) or {}
    return {**op_tags, **step.node_tags} if step.node_tags else op_tags


class TagConcurrencyLimits:
    def __init__(self, limits: Sequence[TagLimit]):
        self.limits = list(limits)

    @classmethod
    def from_config(cls, raw: Any, where: str) -> TagConcurrencyLimits | None:
        if not raw:
            return None
        if not isinstance(raw, (list, tuple)):
            raise InvalidConfigError(f"Invalid executor config at {where}",
                                     [f"{where}: expected a list of {{key, value, limit}}"])
        errors: list[str] = []
        limits: list[TagLimit] = []
        for i, item in enumerate(raw):
            path = f"{where}[{i}]"
            if not isinstance(item, Mapping):
                errors.append(f"{path}: expected {{'key': ..., 'limit': ...}}, got {item!r}")
                continue
            unknown = sorted(set(item) - {"key", "value", "limit"})
            if unknown:
                errors.append(f"{path}: unknown field(s) {unknown} (fields: key, value, limit)")
            key, limit, value = item.get("key"), item.get("limit"), item.get("value")
            if not isinstance(key, str) or not key:
                errors.append(f"{path}.key: required, a tag name")
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                errors.append(f"{path}.limit: required, an integer >= 1 (got {limit!r})")
            per_unique = False
            if isinstance(value, Mapping):
                per_unique = bool(value.get("applyLimitPerUniqueValue"))
                value = None
            elif value is not None and not isinstance(value, str):
                errors.append(f"{path}.value: a string or {{'applyLimitPerUniqueValue': true}}")
            if not errors:
                limits.append(TagLimit(key, value, per_unique, limit))  # type: ignore[arg-type]
        if errors:
            raise InvalidConfigError(
                f"Executor config has {len(errors)} error(s) (fix each path listed):", errors)
        return cls(limits)

    def admits(self, step: Any, running: Sequence[Any]) -> bool:
        tags = step_tags(step)
        for rule in self.limits:
            bucket = rule.bucket(tags)
            if bucket is None:
                continue
            taken = sum(1 for other in running if rule.bucket(step_tags(other)) == bucket)
            if taken >= rule.limit:
                return False
        return True
