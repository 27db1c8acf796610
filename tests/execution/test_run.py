"""The run loop's record: every event stored, in order, per step, durable at step boundaries."""

from __future__ import annotations

import logging

import headwater as dg

PLANNED = ("ASSET_MATERIALIZATION_PLANNED", "ASSET_CHECK_EVALUATION_PLANNED")


@dg.asset
def first(context):
    context.log.info("first says %s", "hello")
    context.log.warning("first warns")
    return 1


@dg.asset
def second(context, first):
    context.log.debug("second got %s", first)
    return first + 1


@dg.asset_check(asset=second)
def second_positive(second):
    return dg.AssetCheckResult(passed=second > 0)


def kind(entry) -> str:
    return entry.dagster_event_type.value if entry.dagster_event is not None else "LOG"


def test_stored_log_is_planned_events_plus_result_events_plus_user_logs(instance):
    result = dg.materialize([first, second, second_positive], instance=instance)
    stored = instance.all_logs(result.run_id)

    planned = [e for e in stored if kind(e) in PLANNED]
    assert stored[: len(planned)] == planned  # planned events come first
    assert sorted((kind(e), e.dagster_event.asset_key.to_user_string()) for e in planned) == [
        ("ASSET_CHECK_EVALUATION_PLANNED", "second"),
        ("ASSET_MATERIALIZATION_PLANNED", "first"),
        ("ASSET_MATERIALIZATION_PLANNED", "second"),
    ]

    structured = [(kind(e), e.step_key, e.message) for e in stored
                  if kind(e) not in PLANNED and kind(e) != "LOG"]
    assert structured == [(e.event_type_value, e.step_key, e.message) for e in result.all_events]

    logs = [(e.step_key, e.level, e.message) for e in stored if kind(e) == "LOG"]
    assert logs == [("first", logging.INFO, "first says hello"),
                    ("first", logging.WARNING, "first warns"),
                    ("second", logging.DEBUG, "second got 1")]


def test_user_logs_are_entries_without_an_event(instance):
    result = dg.materialize([first], instance=instance)
    logs = [e for e in instance.all_logs(result.run_id) if e.dagster_event is None]
    assert [e.message for e in logs] == ["first says hello", "first warns"]
    assert all(e.user_message == e.message and e.run_id == result.run_id for e in logs)
    assert all(not e.is_dagster_event and e.dagster_event_type is None for e in logs)


def test_each_step_is_stored_contiguously_with_increasing_storage_ids(instance):
    result = dg.materialize([first, second, second_positive], instance=instance)
    records = instance.get_records_for_run(result.run_id).records
    ids = [r.storage_id for r in records]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert [r.event_log_entry.message for r in records] == [
        e.message for e in instance.all_logs(result.run_id)]

    steps = [r.event_log_entry.step_key for r in records if r.event_log_entry.step_key]
    blocks = [s for i, s in enumerate(steps) if i == 0 or steps[i - 1] != s]
    started = [e.step_key for e in result.all_events if e.event_type_value == "STEP_START"]
    assert blocks == started  # one contiguous block per step, in the order the steps ran
    assert blocks[:2] == ["first", "second"] and len(blocks) == 3  # then the check's step
    kinds = [kind(r.event_log_entry) for r in records]
    assert kinds[kinds.index("PIPELINE_START") - 1] in PLANNED
    assert kinds[-1] == "PIPELINE_SUCCESS"
    for step in blocks:
        own = [kind(r.event_log_entry) for r in records if r.event_log_entry.step_key == step]
        assert own[0] == "STEP_START" and own[-1] == "STEP_SUCCESS"


def test_a_finished_step_is_stored_before_the_next_step_runs(instance):
    seen: list[str] = []

    @dg.asset
    def early():
        return 1

    @dg.asset
    def late(context, early):
        seen.extend(f"{kind(e)}:{e.step_key}" for e in context.instance.all_logs(context.run_id))
        return early

    dg.materialize([early, late], instance=instance)
    assert {"STEP_START:early", "ASSET_MATERIALIZATION:early", "HANDLED_OUTPUT:early",
            "STEP_SUCCESS:early"} <= set(seen)


def test_failed_run_keeps_every_earlier_event(instance):
    @dg.asset
    def ok():
        return 1

    @dg.asset
    def broken(context, ok):
        context.log.info("about to fail")
        raise ValueError("broken on purpose")

    result = dg.materialize([ok, broken], instance=instance, raise_on_error=False)
    stored = instance.all_logs(result.run_id)
    structured = [(kind(e), e.step_key) for e in stored if kind(e) not in PLANNED + ("LOG",)]
    assert structured == [(e.event_type_value, e.step_key) for e in result.all_events]
    assert ("LOG", "broken") in [(kind(e), e.step_key) for e in stored]
    assert structured[-2:] == [("STEP_FAILURE", "broken"), ("PIPELINE_FAILURE", None)]
    assert instance.get_run_by_id(result.run_id).status == dg.RunStatus.FAILURE


def test_every_stored_level_is_an_int_logging_level(instance):
    result = dg.materialize([first], instance=instance)
    levels = {type(e.level).__name__ for e in instance.all_logs(result.run_id)}
    assert levels == {"int"}
