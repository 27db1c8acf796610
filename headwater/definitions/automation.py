"""Declarative automation conditions: when an asset should be requested.

``AutomationCondition`` values are composed (``& | ~``, ``since``, ``with_label``) and attached
to assets (``automation_condition=``). They are data here; evaluating them on each tick is the
daemon's work (a later issue).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

T_EntityKey = TypeVar("T_EntityKey")


@dataclass(frozen=True)
class AutomationCondition(Generic[T_EntityKey]):
    """A condition on an asset (or check), built from Dagster's named operands.

    Generic over the key it applies to, as Dagster's (``AutomationCondition[AssetKey]`` in
    annotations).
    """

    kind: str
    args: tuple[Any, ...] = ()
    children: tuple[AutomationCondition, ...] = ()
    label: str | None = field(default=None, compare=False)

    # --- composition ---
    def __and__(self, other: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("and", (), (*_flatten(self, "and"), *_flatten(other, "and")))

    def __or__(self, other: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("or", (), (*_flatten(self, "or"), *_flatten(other, "or")))

    def __invert__(self) -> AutomationCondition:
        return AutomationCondition("not", (), (self,))

    def since(self, reset_condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("since", (), (self, reset_condition))

    def newly_true(self) -> AutomationCondition:
        return AutomationCondition("newly_true", (), (self,))

    def since_last_handled(self) -> AutomationCondition:
        return self.since(AutomationCondition.newly_requested()
                          | AutomationCondition.newly_updated()
                          | AutomationCondition.initial_evaluation())

    def with_label(self, label: str | None) -> AutomationCondition:
        return replace(self, label=label)

    def get_label(self) -> str | None:
        return self.label

    def allow(self, selection: Any) -> AutomationCondition:
        return AutomationCondition("allow", (selection,), (self,), self.label)

    def ignore(self, selection: Any) -> AutomationCondition:
        return AutomationCondition("ignore", (selection,), (self,), self.label)

    def without(self, condition: AutomationCondition) -> AutomationCondition:
        if self.kind != "and":
            return self
        kept = tuple(c for c in self.children if c != condition)
        return AutomationCondition("and", (), kept, self.label)

    def replace(self, old: AutomationCondition | str, new: AutomationCondition) -> AutomationCondition:
        if self == old or (isinstance(old, str) and self.label == old):
            return new
        return replace(self, children=tuple(c.replace(old, new) for c in self.children))

    @property
    def name(self) -> str:
        return self.kind

    @property
    def children_conditions(self) -> list[AutomationCondition]:
        return list(self.children)

    # --- operands ---
    @staticmethod
    def missing() -> AutomationCondition:
        return AutomationCondition("missing")

    @staticmethod
    def newly_missing() -> AutomationCondition:
        return AutomationCondition.missing().newly_true()

    @staticmethod
    def in_progress() -> AutomationCondition:
        return AutomationCondition("in_progress")

    @staticmethod
    def run_in_progress() -> AutomationCondition:
        return AutomationCondition("run_in_progress")

    @staticmethod
    def backfill_in_progress() -> AutomationCondition:
        return AutomationCondition("backfill_in_progress")

    @staticmethod
    def execution_failed() -> AutomationCondition:
        return AutomationCondition("execution_failed")

    @staticmethod
    def newly_updated() -> AutomationCondition:
        return AutomationCondition("newly_updated")

    @staticmethod
    def newly_requested() -> AutomationCondition:
        return AutomationCondition("newly_requested")

    @staticmethod
    def will_be_requested() -> AutomationCondition:
        return AutomationCondition("will_be_requested")

    @staticmethod
    def initial_evaluation() -> AutomationCondition:
        return AutomationCondition("initial_evaluation")

    @staticmethod
    def code_version_changed() -> AutomationCondition:
        return AutomationCondition("code_version_changed")

    @staticmethod
    def in_latest_time_window(lookback_delta: datetime.timedelta | None = None) -> AutomationCondition:
        return AutomationCondition("in_latest_time_window", (lookback_delta,))

    @staticmethod
    def cron_tick_passed(cron_schedule: str, cron_timezone: str = "UTC") -> AutomationCondition:
        return AutomationCondition("cron_tick_passed", (cron_schedule, cron_timezone))

    @staticmethod
    def any_deps_match(condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("any_deps_match", (), (condition,))

    @staticmethod
    def all_deps_match(condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("all_deps_match", (), (condition,))

    @staticmethod
    def any_checks_match(condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("any_checks_match", (), (condition,))

    @staticmethod
    def all_checks_match(condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("all_checks_match", (), (condition,))

    @staticmethod
    def asset_matches(key: Any, condition: AutomationCondition) -> AutomationCondition:
        return AutomationCondition("asset_matches", (key,), (condition,))

    @staticmethod
    def any_deps_updated() -> AutomationCondition:
        return AutomationCondition.any_deps_match(
            AutomationCondition.newly_updated() | AutomationCondition.will_be_requested()
        ).with_label("any_deps_updated")

    @staticmethod
    def any_deps_missing() -> AutomationCondition:
        return AutomationCondition.any_deps_match(
            AutomationCondition.missing() & ~AutomationCondition.will_be_requested()
        ).with_label("any_deps_missing")

    @staticmethod
    def any_deps_in_progress() -> AutomationCondition:
        return AutomationCondition.any_deps_match(
            AutomationCondition.in_progress()).with_label("any_deps_in_progress")

    @staticmethod
    def all_deps_blocking_checks_passed() -> AutomationCondition:
        return AutomationCondition("all_deps_blocking_checks_passed")

    @staticmethod
    def any_downstream_conditions() -> AutomationCondition:
        return AutomationCondition("any_downstream_conditions")

    @staticmethod
    def all_deps_updated_since_cron(cron_schedule: str, cron_timezone: str = "UTC") -> AutomationCondition:
        tick = AutomationCondition.cron_tick_passed(cron_schedule, cron_timezone)
        return AutomationCondition.all_deps_match(
            AutomationCondition.newly_updated().since(tick)
            | AutomationCondition.will_be_requested()
        ).with_label(f"all_deps_updated_since_cron({cron_schedule}, {cron_timezone})")

    # --- the named policies users attach to assets ---
    @staticmethod
    def eager() -> AutomationCondition:
        c = AutomationCondition
        return (c.in_latest_time_window()
                & (c.newly_missing() | c.any_deps_updated()).since_last_handled()
                & ~c.any_deps_missing() & ~c.any_deps_in_progress() & ~c.in_progress()
                ).with_label("eager")

    @staticmethod
    def on_cron(cron_schedule: str, cron_timezone: str = "UTC") -> AutomationCondition:
        from headwater.definitions.cron import validate_cron

        validate_cron(cron_schedule, "AutomationCondition.on_cron")
        c = AutomationCondition
        tick = c.cron_tick_passed(cron_schedule, cron_timezone)
        return (c.in_latest_time_window() & tick.since_last_handled()
                & c.all_deps_updated_since_cron(cron_schedule, cron_timezone)
                ).with_label(f"on_cron({cron_schedule}, {cron_timezone})")

    @staticmethod
    def on_missing() -> AutomationCondition:
        c = AutomationCondition
        return (c.in_latest_time_window()
                & c.missing().newly_true().since_last_handled()
                & ~c.any_deps_missing()).with_label("on_missing")


def _flatten(cond: AutomationCondition, kind: str) -> tuple[AutomationCondition, ...]:
    return cond.children if cond.kind == kind and cond.label is None else (cond,)


@dataclass(frozen=True)
class FreshnessPolicy:
    """How fresh an asset must be: within a time window, or by a cron deadline."""

    kind: str
    fail_window: datetime.timedelta | None = None
    warn_window: datetime.timedelta | None = None
    deadline_cron: str | None = None
    lower_bound_delta: datetime.timedelta | None = None
    timezone: str = "UTC"

    @staticmethod
    def time_window(fail_window: datetime.timedelta,
                    warn_window: datetime.timedelta | None = None) -> FreshnessPolicy:
        return FreshnessPolicy("time_window", fail_window, warn_window)

    @staticmethod
    def cron(deadline_cron: str, lower_bound_delta: datetime.timedelta,
             timezone: str = "UTC") -> FreshnessPolicy:
        return FreshnessPolicy("cron", deadline_cron=deadline_cron,
                               lower_bound_delta=lower_bound_delta, timezone=timezone)
