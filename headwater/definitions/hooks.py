"""Hooks: functions called after an op or asset step succeeds or fails."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any


class HookDefinition:
    """A function run after a step, on success, failure, or both."""

    def __init__(self, name: str, hook_fn: Callable[..., Any], on: str,
                 required_resource_keys: Iterable[str] = (), decorated_fn: Any = None):
        self.name = name
        self.hook_fn = hook_fn
        self.on = on  # "success" | "failure"
        self.required_resource_keys = frozenset(required_resource_keys)
        self.decorated_fn = decorated_fn

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.hook_fn(*args, **kwargs)

    def __repr__(self) -> str:
        return f"HookDefinition({self.name!r}, on={self.on})"


def _hook(on: str, fn: Any = None, name: str | None = None,
          required_resource_keys: Iterable[str] | None = None) -> Any:
    def wrap(f: Callable[..., Any]) -> HookDefinition:
        return HookDefinition(name or f.__name__, f, on, required_resource_keys or ())

    if callable(fn):
        return wrap(fn)
    if isinstance(fn, str):
        name = fn
    return wrap


def success_hook(hook_fn: Any = None, *, name: str | None = None,
                 required_resource_keys: Iterable[str] | None = None) -> Any:
    """Decorator: ``fn(context)`` runs after a step succeeds."""
    return _hook("success", hook_fn, name, required_resource_keys)


def failure_hook(hook_fn: Any = None, *, name: str | None = None,
                 required_resource_keys: Iterable[str] | None = None) -> Any:
    """Decorator: ``fn(context)`` runs after a step fails (``context.op_exception``)."""
    return _hook("failure", hook_fn, name, required_resource_keys)
