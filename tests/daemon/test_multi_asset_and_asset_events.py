"""Through the sensor daemon: a ``@multi_asset_sensor`` (its snapshot, its ticks and cursor)
and ``SensorResult.asset_events`` recorded in the instance as events without a run, once per
tick even when the daemon dies half-way."""

from __future__ import annotations

import json

import pytest

import headwater as hw
from headwater.daemon.sensors import SensorComponent
from headwater.events.records import AssetCheckEvaluation
from headwater.locations.build import build_snapshot
from headwater.locations.contracts import SensorTickInput
from headwater.locations.evaluate import evaluate_sensor
from headwater.locations.evaluation import Evaluation
from headwater.locations.snapshot import LocationSnapshot, SensorKind
from headwater.storage.instigators import TickStatus

from .conftest import FakeLocation

RUNNING = hw.DefaultSensorStatus.RUNNING
A, B = hw.AssetKey("up_a"), hw.AssetKey("up_b")


@hw.asset
def up_a():
    return 1


@hw.asset
def up_b():
    return 2


both_job = hw.define_asset_job("both_job", selection=["up_a", "up_b"])


@hw.multi_asset_sensor(monitored_assets=[A, B], job=both_job, minimum_interval_seconds=1,
                       default_status=RUNNING)
def both_new(context):
    records = context.latest_materialization_records_by_key()
    if not all(records.values()):
        return hw.SkipReason("waiting for both")
    context.advance_all_cursors()
    return hw.RunRequest(run_key=f"both-{records[B].storage_id}")


@hw.multi_asset_sensor(monitored_assets=hw.AssetSelection.assets(up_a, up_b), job=both_job)
def by_selection(context):
    return hw.SkipReason("never")


@hw.sensor(minimum_interval_seconds=1, default_status=RUNNING)
def reporter(context):
    n = int(context.cursor or 0) + 1
    return hw.SensorResult(
        asset_events=[
            hw.AssetMaterialization(A, metadata={"n": n}),
            hw.AssetObservation(B, metadata={"seen": n}),
            hw.AssetCheckResult(asset_key=A, check_name="fresh", passed=n % 2 == 1),
        ],
        cursor=str(n))


@hw.sensor(job=both_job, minimum_interval_seconds=1, default_status=RUNNING)
def reporter_with_run(context):
    return hw.SensorResult(run_requests=[hw.RunRequest(run_key="only")],
                           asset_events=[hw.AssetMaterialization(B)])


@hw.sensor(minimum_interval_seconds=1, default_status=RUNNING)
def bad_event(context):
    return hw.SensorResult(asset_events=["not an event"])


def make(instance, clock, *sensors):
    defs = hw.Definitions(assets=[up_a, up_b], jobs=[both_job], sensors=list(sensors))
    location = FakeLocation("loc", defs, instance)
    return location, SensorComponent(instance, [location], clock=clock, workers=1)


def ticks(instance, name):
    return list(reversed(instance.get_ticks(f"loc:{name}")))


# ------------------------------------------------------------------ multi-asset sensors

def test_snapshot_describes_a_multi_asset_sensor_and_what_it_watches():
    defs = hw.Definitions(assets=[up_a, up_b], jobs=[both_job],
                          sensors=[both_new, by_selection])
    snapshot = LocationSnapshot.from_json(build_snapshot(defs, "loc").to_json())
    for name in ("both_new", "by_selection"):
        sensor = snapshot.sensor(name)
        assert sensor.kind == SensorKind.MULTI_ASSET
        assert sorted(sensor.asset_keys) == [("up_a",), ("up_b",)]
        assert sensor.job_names == ("both_job",)


def test_daemon_ticks_a_multi_asset_sensor_once_per_new_pair(instance, clock):
    _, comp = make(instance, clock, both_new)
    comp.run_iteration()
    hw.materialize([up_a], instance=instance)
    clock.advance(1)
    comp.run_iteration()
    hw.materialize([up_b], instance=instance)
    for _ in range(2):
        clock.advance(1)
        comp.run_iteration()
    assert [t.status for t in ticks(instance, "both_new")] == [
        TickStatus.SKIPPED, TickStatus.SKIPPED, TickStatus.SUCCESS, TickStatus.SKIPPED]
    runs = instance.get_runs(hw.RunsFilter(tags={"dagster/sensor_name": "both_new"}))
    assert len(runs) == 1 and runs[0].job_name == "both_job"
    cursor = json.loads(instance.get_instigator_state("loc:both_new").cursor)
    assert set(cursor) == {str(A), str(B)}
    assert cursor[str(B)][1] == int(runs[0].tags["dagster/run_key"].split("-")[1])


def test_a_multi_asset_sensor_that_requests_without_advancing_fails_its_tick(instance):
    @hw.multi_asset_sensor(monitored_assets=[A], job=both_job)
    def forgetful(context):
        return hw.RunRequest()

    defs = hw.Definitions(assets=[up_a, up_b], jobs=[both_job], sensors=[forgetful])
    evaluation = evaluate_sensor(defs, "forgetful", SensorTickInput(), instance, timeout=30)
    assert evaluation.error is not None
    assert "forgetful" in evaluation.error.message
    assert "advance_cursor" in evaluation.error.message


# ------------------------------------------------------------------ SensorResult.asset_events

def test_asset_events_travel_as_plain_data(instance):
    defs = hw.Definitions(assets=[up_a, up_b], sensors=[reporter])
    evaluation = evaluate_sensor(defs, "reporter", SensorTickInput(), instance, timeout=30)
    assert evaluation.error is None
    assert [e["type"] for e in evaluation.asset_events] == [
        "ASSET_MATERIALIZATION", "ASSET_OBSERVATION", "ASSET_CHECK_EVALUATION"]
    again = Evaluation.from_json(json.loads(json.dumps(evaluation.to_json())))
    assert again == evaluation


def test_sensor_asset_events_are_recorded_without_a_run(instance, clock):
    _, comp = make(instance, clock, reporter)
    comp.run_iteration()
    clock.advance(1)
    comp.run_iteration()
    assert [t.status for t in ticks(instance, "reporter")] == [TickStatus.SKIPPED] * 2
    materializations = instance.fetch_materializations(A, limit=10).records
    assert [r.event_log_entry.asset_materialization.metadata["n"].value
            for r in materializations] == [2, 1]
    assert all(r.run_id == "" for r in materializations)
    observations = instance.fetch_observations(B, limit=10).records
    assert len(observations) == 2
    events = instance.get_event_records(hw.EventRecordsFilter(
        event_type=hw.DagsterEventType.ASSET_CHECK_EVALUATION))
    evaluations = [e.event_log_entry.dagster_event.event_specific_data for e in events]
    assert sorted(e.passed for e in evaluations if isinstance(e, AssetCheckEvaluation)) == [
        False, True]
    assert instance.get_runs() == []


def test_asset_events_and_runs_of_a_tick_cut_short_are_not_doubled(instance, clock,
                                                                   monkeypatch):
    location, comp = make(instance, clock, reporter_with_run)
    real_update = instance.update_tick

    def crash_on_finish(tick, cursor=None, set_cursor=False):
        if tick.status != TickStatus.STARTED:
            raise KeyboardInterrupt("killed before the tick was finished")
        return real_update(tick, cursor, set_cursor)

    monkeypatch.setattr(instance, "update_tick", crash_on_finish)
    with pytest.raises(KeyboardInterrupt):
        comp.run_iteration()
    monkeypatch.setattr(instance, "update_tick", real_update)
    SensorComponent(instance, [location], clock=clock, workers=1).run_iteration()
    (tick,) = ticks(instance, "reporter_with_run")
    assert tick.status == TickStatus.SUCCESS
    assert len(instance.fetch_materializations(B, limit=10).records) == 1
    assert len(instance.get_runs()) == 1
    assert len(location.evaluations) == 1


def test_a_bad_asset_event_fails_the_tick_and_names_the_sensor(instance, clock):
    _, comp = make(instance, clock, bad_event)
    comp.run_iteration()
    (tick,) = ticks(instance, "bad_event")
    assert tick.status == TickStatus.FAILURE
    assert "bad_event" in tick.error and "AssetMaterialization" in tick.error
