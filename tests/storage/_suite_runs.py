"""Run storage behaviour, written once; test_backends.py binds it to each database."""

from __future__ import annotations

import time
from datetime import datetime, timezone

import pytest

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvariantViolationError, RunNotFoundError
from headwater.definitions.results import AssetCheckKey
from headwater.storage import Run, RunAlreadyExistsError, RunsFilter, RunStatus

from ._events import step_start


class RunStorageSuite:
    """Needs an ``instance`` fixture."""

    def test_create_and_get(self, instance):
        run = instance.create_run(
            "my_job", run_config={"ops": {"a": {"config": {"x": 1}}}}, tags={"team": "data"},
            asset_selection=[AssetKey(["raw", "orders"]), AssetKey("b")],
            asset_check_selection=[AssetCheckKey(AssetKey("b"), "not_empty")],
            op_selection=["a*"], step_keys_to_execute=["a", "b"])
        got = instance.get_run_by_id(run.run_id)
        assert got == run
        assert isinstance(got, Run)
        assert got.job_name == "my_job" and got.pipeline_name == "my_job"
        assert got.status == RunStatus.NOT_STARTED
        assert got.run_config == {"ops": {"a": {"config": {"x": 1}}}}
        assert got.tags == {"team": "data"}
        assert got.asset_selection == frozenset({AssetKey(["raw", "orders"]), AssetKey("b")})
        assert got.asset_check_selection == frozenset({AssetCheckKey(AssetKey("b"), "not_empty")})
        assert list(got.op_selection) == ["a*"]
        assert list(got.step_keys_to_execute) == ["a", "b"]
        assert not got.is_finished and not got.is_success
        assert instance.has_run(run.run_id)
        assert not instance.has_run("nope")
        assert instance.get_run_by_id("nope") is None

    def test_defaults_and_reexecution_ids(self, instance):
        run = instance.create_run("j")
        assert run.asset_selection is None and run.op_selection is None
        assert run.run_config == {} and run.tags == {}
        child = instance.create_run("j", parent_run_id=run.run_id)
        got = instance.get_run_by_id(child.run_id)
        assert got.parent_run_id == run.run_id and got.root_run_id == run.run_id
        assert got.previous_run_id == run.run_id

    def test_duplicate_run_id(self, instance):
        instance.create_run("j", run_id="same")
        with pytest.raises(RunAlreadyExistsError, match="same"):
            instance.create_run("j", run_id="same")
        assert instance.get_runs_count() == 1

    def test_run_record(self, instance):
        before = time.time()
        run = instance.create_run("j")
        record = instance.get_run_record_by_id(run.run_id)
        assert record.dagster_run == run and record.run == run
        assert record.create_timestamp.tzinfo is not None
        assert record.create_timestamp >= datetime.fromtimestamp(before - 1, timezone.utc)
        assert record.start_time is None and record.end_time is None
        instance.handle_run_status(run.run_id, RunStatus.STARTED)
        instance.handle_run_status(run.run_id, RunStatus.SUCCESS)
        record = instance.get_run_record_by_id(run.run_id)
        assert record.start_time is not None and record.end_time >= record.start_time
        assert record.update_timestamp >= record.create_timestamp

    def test_newest_first_limit_and_cursor(self, instance):
        ids = [instance.create_run("j", run_id=f"r{i}").run_id for i in range(5)]
        assert instance.get_run_ids() == ids[::-1]
        assert [r.run_id for r in instance.get_runs(limit=2)] == ["r4", "r3"]
        assert [r.run_id for r in instance.get_runs(cursor="r3", limit=2)] == ["r2", "r1"]
        assert [r.run_id for r in instance.get_runs(ascending=True, limit=2)] == ["r0", "r1"]
        assert [r.storage_id for r in instance.get_run_records(limit=1)] == [5]

    def test_filters(self, instance):
        a = instance.create_run("job_a", tags={"env": "prod", "team": "x"})
        b = instance.create_run("job_b", tags={"env": "dev"})
        c = instance.create_run("job_a", tags={"env": "dev"})
        instance.handle_run_status(c.run_id, RunStatus.STARTED)

        def ids(f):
            return {r.run_id for r in instance.get_runs(f)}

        assert ids(RunsFilter(job_name="job_a")) == {a.run_id, c.run_id}
        assert ids(RunsFilter(statuses=[RunStatus.STARTED])) == {c.run_id}
        assert ids(RunsFilter(statuses=["NOT_STARTED"])) == {a.run_id, b.run_id}
        assert ids(RunsFilter(tags={"env": "dev"})) == {b.run_id, c.run_id}
        assert ids(RunsFilter(tags={"env": ["prod", "dev"]})) == {a.run_id, b.run_id, c.run_id}
        assert ids(RunsFilter(tags={"env": "prod", "team": "x"})) == {a.run_id}
        assert ids(RunsFilter(tags={"env": "dev", "team": "x"})) == set()
        assert ids(RunsFilter(run_ids=[a.run_id, b.run_id])) == {a.run_id, b.run_id}
        assert ids(RunsFilter(job_name="job_a", tags={"env": "dev"})) == {c.run_id}
        assert instance.get_runs_count(RunsFilter(job_name="job_a")) == 2
        assert instance.get_runs_count() == 3

    def test_time_filters(self, instance):
        old = instance.create_run("j")
        new = instance.create_run("j")
        old_created = instance.get_run_record_by_id(old.run_id).create_timestamp
        new_record = instance.get_run_record_by_id(new.run_id)
        assert new_record.create_timestamp > old_created

        def ids(f):
            return [r.run_id for r in instance.get_runs(f)]

        assert ids(RunsFilter(created_after=old_created)) == [new.run_id]
        assert ids(RunsFilter(created_before=new_record.create_timestamp)) == [old.run_id]
        assert ids(RunsFilter(created_before=new_record.create_timestamp.timestamp())) == [
            old.run_id]
        instance.handle_run_status(old.run_id, RunStatus.STARTED)
        assert ids(RunsFilter(updated_after=new_record.update_timestamp)) == [old.run_id]
        assert ids(RunsFilter(updated_before=new_record.update_timestamp)) == []

    def test_add_run_tags(self, instance):
        run = instance.create_run("j", tags={"a": "1", "b": "2"})
        instance.add_run_tags(run.run_id, {"b": "3", "c": "4"})
        assert instance.get_run_by_id(run.run_id).tags == {"a": "1", "b": "3", "c": "4"}
        assert instance.get_run_ids(RunsFilter(tags={"b": "3"})) == [run.run_id]
        assert instance.get_run_ids(RunsFilter(tags={"b": "2"})) == []
        with pytest.raises(RunNotFoundError):
            instance.add_run_tags("nope", {"x": "y"})

    def test_legal_status_moves(self, instance):
        run = instance.create_run("j", status=RunStatus.QUEUED)
        for status in (RunStatus.NOT_STARTED, RunStatus.STARTING, RunStatus.STARTED,
                       RunStatus.CANCELING, RunStatus.CANCELED):
            assert instance.handle_run_status(run.run_id, status).status == status
        got = instance.get_run_by_id(run.run_id)
        assert got.is_finished and got.is_failure_or_canceled and not got.is_failure
        # moving to the status a run already has is a no-op, even when finished
        assert instance.handle_run_status(run.run_id, "CANCELED").status == RunStatus.CANCELED

    def test_illegal_status_move(self, instance):
        run = instance.create_run("j")
        instance.handle_run_status(run.run_id, RunStatus.STARTED)
        instance.handle_run_status(run.run_id, RunStatus.SUCCESS)
        with pytest.raises(InvariantViolationError) as info:
            instance.handle_run_status(run.run_id, RunStatus.STARTED)
        message = str(info.value)
        assert run.run_id in message and "SUCCESS" in message and "STARTED" in message
        assert instance.get_run_by_id(run.run_id).status == RunStatus.SUCCESS
        with pytest.raises(InvariantViolationError, match="NOT_STARTED to SUCCESS"):
            instance.handle_run_status(instance.create_run("j").run_id, RunStatus.SUCCESS)
        with pytest.raises(RunNotFoundError, match="nope"):
            instance.handle_run_status("nope", RunStatus.STARTED)

    def test_delete_run(self, instance):
        keep = instance.create_run("j", tags={"t": "1"})
        gone = instance.create_run("j", tags={"t": "1"})
        instance.store_events([step_start(keep.run_id, "a"), step_start(gone.run_id, "a")])
        instance.delete_run(gone.run_id)
        assert not instance.has_run(gone.run_id)
        assert instance.all_logs(gone.run_id) == []
        assert len(instance.all_logs(keep.run_id)) == 1
        assert instance.get_run_ids(RunsFilter(tags={"t": "1"})) == [keep.run_id]

    def test_run_tags_and_tag_keys(self, instance):
        instance.create_run("j", tags={"team": "data", "env": "prod"})
        instance.create_run("j", tags={"team": "ml"})
        run = instance.create_run("j")
        instance.add_run_tags(run.run_id, {"team": "data-eng"})
        assert instance.get_run_tag_keys() == ["env", "team"]
        assert instance.get_run_tags() == [("env", {"prod"}),
                                           ("team", {"data", "ml", "data-eng"})]
        assert instance.get_run_tags(tag_keys=["team"], value_prefix="data") == [
            ("team", {"data", "data-eng"})]

    def test_contract_names_dagster_uses(self, instance):
        from headwater.storage.contracts import EventLogStorage, RunStorage

        assert isinstance(instance.run_storage, RunStorage)
        assert isinstance(instance.event_log_storage, EventLogStorage)
        run = instance.run_storage.create_run("j")
        assert instance.event_log_storage.all_logs(run.run_id) == []

    def test_run_records_ordered_by_a_column(self, instance):
        from headwater.definitions.errors import InvalidInvocationError

        runs = [instance.create_run(name) for name in ("b", "a", "c")]
        by_name = instance.get_run_records(order_by="job_name", ascending=True)
        assert [r.dagster_run.job_name for r in by_name] == ["a", "b", "c"]
        newest = instance.get_run_records(None, 2, "create_timestamp")  # Dagster's positions
        assert [r.dagster_run.run_id for r in newest] == [runs[2].run_id, runs[1].run_id]
        with pytest.raises(InvalidInvocationError, match="Cannot order runs by 'color'"):
            instance.get_run_records(order_by="color")
