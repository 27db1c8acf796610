"""Event log behaviour, written once; test_backends.py binds it to each database."""

from __future__ import annotations

import logging

import pytest

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvariantViolationError, RunNotFoundError
from headwater.definitions.metadata import MetadataValue
from headwater.events import EventType, StepFailureData
from headwater.storage import RunStatus

from ._events import (
    RICH_METADATA,
    materialization,
    run_event,
    step_failure,
    step_start,
    user_log,
)


class EventStorageSuite:
    """Needs an ``instance`` fixture."""

    def test_round_trip(self, instance):
        run = instance.create_run("j")
        entries = [step_start(run.run_id, "a"),
                   materialization(run.run_id, AssetKey(["raw", "orders"]), metadata=RICH_METADATA),
                   step_failure(run.run_id, "b"),
                   user_log(run.run_id, "hello from user code")]
        instance.store_events(entries)
        logs = instance.all_logs(run.run_id)
        assert [e.dagster_event_type for e in logs] == [
            EventType.STEP_START, EventType.ASSET_MATERIALIZATION, EventType.STEP_FAILURE, None]
        assert [e.step_key for e in logs] == [e.step_key for e in entries]
        assert [e.timestamp for e in logs] == [e.timestamp for e in entries]
        assert all(e.run_id == run.run_id for e in logs)

        start = logs[0]
        assert start.dagster_event.message == "Started a" and start.job_name == "__ASSET_JOB"

        mat = logs[1].asset_materialization
        assert mat.asset_key == AssetKey(["raw", "orders"])
        expected = dict(RICH_METADATA, raw_int=MetadataValue.int(7))
        assert set(mat.metadata) == set(expected)
        for name, value in expected.items():
            if name != "schema":
                assert mat.metadata[name] == value, name
        assert mat.metadata["schema"].schema.columns[0].name == "id"

        failure = logs[2].dagster_event.step_failure_data
        assert isinstance(failure, StepFailureData)
        assert failure.error.message == "ValueError: boom\n"
        assert failure.error.cls_name == "ValueError"
        assert failure.error.cause.cls_name == "KeyError"

        log = logs[3]
        assert not log.is_dagster_event and log.dagster_event is None
        assert log.user_message == "hello from user code" and log.message == log.user_message
        assert log.level == logging.INFO

    def test_of_type(self, instance):
        run = instance.create_run("j")
        instance.store_events([step_start(run.run_id, "a"),
                               materialization(run.run_id, "x"), user_log(run.run_id, "m")])
        only = instance.all_logs(run.run_id, of_type=EventType.ASSET_MATERIALIZATION)
        assert [e.dagster_event_type for e in only] == [EventType.ASSET_MATERIALIZATION]
        both = instance.all_logs(run.run_id, of_type={EventType.STEP_START,
                                                      EventType.ASSET_MATERIALIZATION})
        assert len(both) == 2

    def test_store_event_and_runs_kept_apart(self, instance):
        a, b = instance.create_run("j"), instance.create_run("j")
        instance.store_event(step_start(a.run_id, "s"))
        instance.store_events([step_start(b.run_id, "s"), step_start(a.run_id, "t")])
        assert [e.step_key for e in instance.all_logs(a.run_id)] == ["s", "t"]
        assert [e.step_key for e in instance.all_logs(b.run_id)] == ["s"]
        instance.store_events([])

    def test_records_for_run_paging(self, instance):
        run = instance.create_run("j")
        instance.store_events([step_start(run.run_id, f"s{i}") for i in range(5)])
        first = instance.get_records_for_run(run.run_id, limit=2)
        assert [r.event_log_entry.step_key for r in first.records] == ["s0", "s1"]
        assert first.has_more and first.cursor == str(first.records[-1].storage_id)
        rest = instance.get_records_for_run(run.run_id, cursor=first.cursor, limit=10)
        assert [r.event_log_entry.step_key for r in rest.records] == ["s2", "s3", "s4"]
        assert not rest.has_more
        empty = instance.get_records_for_run(run.run_id, cursor=rest.cursor)
        assert empty.records == [] and empty.cursor == rest.cursor
        ids = [r.storage_id for r in first.records + rest.records]
        assert ids == sorted(ids)
        newest = instance.get_records_for_run(run.run_id, limit=1, ascending=False)
        assert newest.records[0].event_log_entry.step_key == "s4"

    def test_run_status_follows_run_events(self, instance):
        run = instance.create_run("j")
        instance.store_event(run_event(run.run_id, EventType.RUN_STARTING))
        assert instance.get_run_by_id(run.run_id).status == RunStatus.STARTING
        start = run_event(run.run_id, EventType.RUN_START)
        instance.store_events([start, step_start(run.run_id, "a")])
        record = instance.get_run_record_by_id(run.run_id)
        assert record.dagster_run.status == RunStatus.STARTED
        assert record.start_time == start.timestamp
        end = run_event(run.run_id, EventType.RUN_SUCCESS)
        instance.store_events([step_start(run.run_id, "b"), end])
        record = instance.get_run_record_by_id(run.run_id)
        assert record.dagster_run.is_success and record.end_time == end.timestamp
        assert len(instance.all_logs(run.run_id)) == 5

    def test_latest_planned_runs_per_asset(self, instance):
        from headwater.events.records import AssetPlannedData

        from ._events import entry

        a, b, never = AssetKey("a"), AssetKey("b"), AssetKey("never")
        first, second = instance.create_run("j"), instance.create_run("j")
        instance.store_events([entry(first.run_id, EventType.ASSET_MATERIALIZATION_PLANNED,
                                     data=AssetPlannedData(k)) for k in (a, b)])
        instance.store_events([entry(second.run_id, EventType.ASSET_MATERIALIZATION_PLANNED,
                                     data=AssetPlannedData(b))])
        instance.store_event(run_event(second.run_id, EventType.RUN_STARTING))
        planned = instance.latest_planned_runs([a, b, never])
        assert set(planned) == {a, b}
        assert planned[a][1:] == (first.run_id, "NOT_STARTED")
        assert planned[b][1:] == (second.run_id, "STARTING")
        assert planned[b][0] > planned[a][0]

    def test_failure_and_cancel_events(self, instance):
        failed, canceled = instance.create_run("j"), instance.create_run("j")
        instance.store_events([run_event(failed.run_id, EventType.RUN_START),
                               run_event(failed.run_id, EventType.RUN_FAILURE),
                               run_event(canceled.run_id, EventType.RUN_START),
                               run_event(canceled.run_id, EventType.RUN_CANCELING),
                               run_event(canceled.run_id, EventType.RUN_CANCELED)])
        assert instance.get_run_by_id(failed.run_id).is_failure
        assert instance.get_run_by_id(canceled.run_id).status == RunStatus.CANCELED

    def test_illegal_status_event_writes_nothing(self, instance):
        run = instance.create_run("j")
        with pytest.raises(InvariantViolationError, match="NOT_STARTED to SUCCESS"):
            instance.store_events([step_start(run.run_id, "a"),
                                   materialization(run.run_id, "x"),
                                   run_event(run.run_id, EventType.RUN_SUCCESS)])
        assert instance.all_logs(run.run_id) == []
        assert instance.get_latest_materialization_event(AssetKey("x")) is None
        assert instance.get_run_by_id(run.run_id).status == RunStatus.NOT_STARTED

    def test_status_event_for_unknown_run(self, instance):
        with pytest.raises(RunNotFoundError, match="ghost"):
            instance.store_events([step_start("ghost", "a"), run_event("ghost", EventType.RUN_START)])
        assert instance.all_logs("ghost") == []
        instance.store_event(step_start("ghost", "a"))  # plain events need no run row
        assert len(instance.all_logs("ghost")) == 1

    def test_report_run_failed(self, instance):
        run = instance.create_run("j")
        instance.handle_run_status(run.run_id, RunStatus.STARTED)
        instance.report_run_failed(run.run_id, "worker died")
        assert instance.get_run_by_id(run.run_id).is_failure
        [event] = instance.all_logs(run.run_id)
        assert event.dagster_event_type == EventType.RUN_FAILURE and event.message == "worker died"

    def test_fetch_run_status_changes(self, instance):
        from headwater.storage.asset_records import RunStatusChangeRecordsFilter

        runs = [instance.create_run(name) for name in ("j", "k", "j")]
        for run in runs:
            instance.store_events([run_event(run.run_id, EventType.RUN_START)])
        instance.store_events([run_event(runs[0].run_id, EventType.RUN_SUCCESS)])
        instance.store_events([run_event(runs[1].run_id, EventType.RUN_FAILURE)])
        started = instance.fetch_run_status_changes(EventType.RUN_START, limit=2)
        assert [r.run_id for r in started.records] == [runs[2].run_id, runs[1].run_id]
        assert started.has_more
        rest = instance.fetch_run_status_changes(EventType.RUN_START, limit=2,
                                                 cursor=started.cursor)
        assert [r.run_id for r in rest.records] == [runs[0].run_id] and not rest.has_more
        only_j = instance.fetch_run_status_changes(
            RunStatusChangeRecordsFilter(EventType.RUN_START, job_names=["j"]), limit=10,
            ascending=True)
        assert [r.run_id for r in only_j.records] == [runs[0].run_id, runs[2].run_id]
        failed = instance.fetch_run_status_changes(EventType.RUN_FAILURE, limit=10)
        assert [r.run_id for r in failed.records] == [runs[1].run_id]
        after = instance.fetch_run_status_changes(RunStatusChangeRecordsFilter(
            EventType.RUN_START, after_storage_id=started.records[-1].storage_id), limit=10)
        assert [r.run_id for r in after.records] == [runs[2].run_id]
        with pytest.raises(Exception, match="not a run status change"):
            instance.fetch_run_status_changes(EventType.STEP_START, limit=1)
