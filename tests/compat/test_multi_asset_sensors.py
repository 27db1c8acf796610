"""``@multi_asset_sensor``: its context's reads of the watched assets' materializations, its
cursor advances (Dagster's cursor format), partitions left unconsumed, and evaluation through
``evaluate_tick`` -- the same assertions against Headwater and Dagster (``DG_IMPL``)."""

import json
import warnings

import pytest

from ._helpers import dg

warnings.filterwarnings("ignore", category=Warning, module=r"dagster\..*")
pytestmark = pytest.mark.filterwarnings("ignore::Warning")

A, B = dg.AssetKey("up_a"), dg.AssetKey("up_b")


@dg.asset
def up_a():
    return 1


@dg.asset
def up_b():
    return 2


letters = dg.StaticPartitionsDefinition(["x", "y", "z"])


@dg.asset(partitions_def=letters)
def parted():
    return 3


P = dg.AssetKey("parted")
downstream_job = dg.define_asset_job("downstream_job", selection=["up_a"])


@dg.multi_asset_sensor(monitored_assets=[A, B], job=downstream_job)
def both_sensor(context):
    records = context.latest_materialization_records_by_key()
    if all(records.values()):
        context.advance_all_cursors()
        return dg.RunRequest(run_key=str(max(r.storage_id for r in records.values())))
    return dg.SkipReason("waiting for both")


DEFS = dg.Definitions(assets=[up_a, up_b, parted])


def instance():
    return dg.DagsterInstance.ephemeral()


def context(inst, **kwargs):
    return dg.build_multi_asset_sensor_context(instance=inst, definitions=DEFS, **kwargs)


def materialize(inst, assets, partition_key=None):
    result = dg.materialize(assets, instance=inst, partition_key=partition_key)
    assert result.success


def test_decorator_builds_a_multi_asset_sensor():
    assert isinstance(both_sensor, dg.MultiAssetSensorDefinition)
    assert both_sensor.name == "both_sensor"
    with pytest.raises(Exception, match="monitored_assets"):
        dg.multi_asset_sensor(monitored_assets="up_a")(lambda context: None)


def test_latest_records_by_key_and_advance_all_cursors():
    inst = instance()
    ctx = context(inst, monitored_assets=[A, B])
    assert ctx.asset_keys == [A, B]
    assert ctx.latest_materialization_records_by_key() == {A: None, B: None}
    materialize(inst, [up_a])
    assert isinstance(both_sensor(ctx), dg.SkipReason)
    materialize(inst, [up_b])
    ctx = context(inst, monitored_assets=[A, B])
    records = ctx.latest_materialization_records_by_key()
    assert set(records) == {A, B} and all(records.values())
    request = both_sensor(ctx)
    assert request.run_key == str(records[B].storage_id)
    cursor = json.loads(ctx.cursor)
    assert cursor == {str(A): [None, records[A].storage_id, {}],
                      str(B): [None, records[B].storage_id, {}]}
    # The next tick, from the cursor, sees nothing new until an asset materializes again.
    ctx2 = context(inst, monitored_assets=[A, B], cursor=ctx.cursor)
    assert ctx2.latest_materialization_records_by_key() == {A: None, B: None}
    materialize(inst, [up_a])
    assert ctx2.latest_materialization_records_by_key()[A] is not None


def test_materialization_records_for_key_and_advance_one_cursor():
    inst = instance()
    for _ in range(3):
        materialize(inst, [up_a])
    ctx = context(inst, monitored_assets=[A, B])
    records = list(ctx.materialization_records_for_key(A, limit=10))
    assert len(records) == 3
    assert [r.storage_id for r in records] == sorted(r.storage_id for r in records)
    assert len(list(ctx.materialization_records_for_key(A, limit=2))) == 2
    ctx.advance_cursor({A: records[1]})
    ctx.update_cursor_after_evaluation()
    assert json.loads(ctx.cursor) == {str(A): [None, records[1].storage_id, {}],
                                      str(B): [None, None, {}]}
    later = list(ctx.materialization_records_for_key(A, limit=10))
    assert [r.storage_id for r in later] == [records[2].storage_id]
    with pytest.raises(Exception, match="not monitored"):
        ctx.materialization_records_for_key(dg.AssetKey("elsewhere"), limit=1)


def test_cursor_from_latest_materializations():
    inst = instance()
    materialize(inst, [up_a])
    ctx = context(inst, monitored_assets=[A, B], cursor_from_latest_materializations=True)
    assert ctx.latest_materialization_records_by_key() == {A: None, B: None}
    with pytest.raises(Exception, match="cursor"):
        context(inst, monitored_assets=[A], cursor="{}", cursor_from_latest_materializations=True)


def test_partitions_left_unconsumed_come_back():
    inst = instance()
    for key in ("x", "y", "z"):
        materialize(inst, [parted], partition_key=key)
    defs = dg.Definitions(assets=[parted])
    ctx = dg.build_multi_asset_sensor_context(monitored_assets=[P], instance=inst,
                                              definitions=defs)
    by_partition = ctx.latest_materialization_records_by_partition(P)
    assert list(by_partition) == ["x", "y", "z"]
    # Consume z only: x and y trail behind the cursor, unconsumed.
    ctx.advance_cursor({P: by_partition["z"]})
    ctx.update_cursor_after_evaluation()
    partition, event_id, trailing = json.loads(ctx.cursor)[str(P)]
    assert (partition, event_id) == ("z", by_partition["z"].storage_id)
    assert trailing == {"x": by_partition["x"].storage_id, "y": by_partition["y"].storage_id}
    trailing_events = ctx.get_trailing_unconsumed_events(P)
    assert [e.partition_key for e in trailing_events] == ["x", "y"]
    assert list(ctx.latest_materialization_records_by_partition(P)) == ["x", "y"]
    # Consuming y leaves x.
    ctx.advance_cursor({P: by_partition["y"]})
    ctx.update_cursor_after_evaluation()
    assert json.loads(ctx.cursor)[str(P)][2] == {"x": by_partition["x"].storage_id}
    # advance_all_cursors with nothing new keeps the cursor; after a new event it moves there
    # and drops what trails.
    ctx.advance_all_cursors()
    ctx.update_cursor_after_evaluation()
    assert json.loads(ctx.cursor)[str(P)][2] == {"x": by_partition["x"].storage_id}
    materialize(inst, [parted], partition_key="y")
    newest = ctx.latest_materialization_records_by_key()[P]
    ctx.advance_all_cursors()
    ctx.update_cursor_after_evaluation()
    assert json.loads(ctx.cursor)[str(P)] == ["y", newest.storage_id, {}]


def test_asset_selection_resolves_against_the_definitions():
    @dg.multi_asset_sensor(monitored_assets=dg.AssetSelection.assets(up_a, up_b),
                           job=downstream_job)
    def selected(context):
        return dg.SkipReason(",".join(sorted(k.to_user_string() for k in context.asset_keys)))

    defs = dg.Definitions(assets=[up_a, up_b], jobs=[downstream_job], sensors=[selected])
    ctx = dg.build_multi_asset_sensor_context(
        monitored_assets=dg.AssetSelection.assets(up_a, up_b), instance=instance(),
        definitions=defs)
    assert sorted(ctx.asset_keys) == [A, B]
    assert selected(ctx).skip_message == "up_a,up_b"
    assert set(ctx.assets_defs_by_key) == {A, B}


def test_evaluate_tick_sets_the_cursor_and_tags_the_runs():
    inst = instance()
    materialize(inst, [up_a, up_b])
    defs = dg.Definitions(assets=[up_a, up_b], jobs=[downstream_job], sensors=[both_sensor])
    data = both_sensor.evaluate_tick(dg.build_sensor_context(instance=inst, definitions=defs))
    assert len(data.run_requests) == 1
    assert data.run_requests[0].tags["dagster/sensor_name"] == "both_sensor"
    assert set(json.loads(data.cursor)) == {str(A), str(B)}
    again = both_sensor.evaluate_tick(dg.build_sensor_context(
        instance=inst, definitions=defs, cursor=data.cursor))
    assert again.run_requests == [] and again.skip_message == "waiting for both"


def test_requesting_runs_without_advancing_is_an_error():
    @dg.multi_asset_sensor(monitored_assets=[A], job=downstream_job)
    def forgetful(context):
        return dg.RunRequest()

    @dg.multi_asset_sensor(monitored_assets=[A], job=downstream_job)
    def sets_cursor(context):
        context.advance_all_cursors()
        return dg.SensorResult(run_requests=[dg.RunRequest()], cursor="mine")

    inst = instance()
    defs = dg.Definitions(assets=[up_a], jobs=[downstream_job], sensors=[forgetful, sets_cursor])
    with pytest.raises(Exception, match="cursor was not updated"):
        forgetful.evaluate_tick(dg.build_sensor_context(instance=inst, definitions=defs))
    with pytest.raises(Exception, match="[Cc]annot set .*cursor"):
        sets_cursor.evaluate_tick(dg.build_sensor_context(instance=inst, definitions=defs))


def test_sensor_result_asset_events_reach_the_tick():
    @dg.sensor()
    def reporter(context):
        return dg.SensorResult(asset_events=[dg.AssetMaterialization(A, metadata={"n": 1}),
                                             dg.AssetObservation(B)])

    data = reporter.evaluate_tick(dg.build_sensor_context(instance=instance()))
    assert [type(e).__name__ for e in data.asset_events] == [
        "AssetMaterialization", "AssetObservation"]
    assert data.asset_events[0].asset_key == A
    assert data.asset_events[0].metadata["n"].value == 1


# ---------------------------------------------------------------- partition helpers

CHILD, REMAPPED = dg.AssetKey("child_of_parted"), dg.AssetKey("remapped")
days_def = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-20")
weeks_def = dg.WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-29")


@dg.asset(partitions_def=letters, deps=[parted])
def child_of_parted():
    return 4


@dg.asset(partitions_def=letters, ins={"parted": dg.AssetIn(
    partition_mapping=dg.StaticPartitionMapping({"x": ["y", "z"], "y": "x", "z": "z"}))})
def remapped(parted):
    return parted


@dg.asset(partitions_def=days_def)
def days():
    return 5


@dg.asset(partitions_def=weeks_def, deps=[days])
def weeks():
    return 6


PARTS_DEFS = dg.Definitions(assets=[up_a, parted, child_of_parted, remapped, days, weeks])


def parts_context(inst, cursor=None):
    return dg.build_multi_asset_sensor_context(monitored_assets=[A, P], instance=inst,
                                              definitions=PARTS_DEFS, cursor=cursor)


def test_get_cursor_partition_follows_the_consumed_events():
    inst = instance()
    ctx = parts_context(inst)
    assert ctx.get_cursor_partition(P) is None
    for key in ("x", "y"):
        materialize(inst, [parted], partition_key=key)
    materialize(inst, [up_a])
    ctx = parts_context(inst)
    by_partition = ctx.latest_materialization_records_by_partition(P)
    ctx.advance_cursor({P: by_partition["x"], A: ctx.latest_materialization_records_by_key()[A]})
    # An advance shows once the evaluation is folded into the cursor.
    assert ctx.get_cursor_partition(P) is None
    ctx.update_cursor_after_evaluation()
    assert ctx.get_cursor_partition(P) == "x"
    assert ctx.get_cursor_partition(A) is None  # not partitioned
    assert parts_context(inst, cursor=ctx.cursor).get_cursor_partition(P) == "x"
    ctx.advance_all_cursors()
    ctx.update_cursor_after_evaluation()
    assert ctx.get_cursor_partition(P) == "y"
    with pytest.raises(Exception, match="must correspond to a provided asset"):
        ctx.get_cursor_partition(CHILD)


def test_all_partitions_materialized_ignores_the_cursor():
    inst = instance()
    ctx = parts_context(inst)
    assert ctx.all_partitions_materialized(P) is False
    for key in ("x", "y"):
        materialize(inst, [parted], partition_key=key)
    ctx = parts_context(inst)
    ctx.advance_all_cursors()
    ctx.update_cursor_after_evaluation()
    assert ctx.all_partitions_materialized(P, ["x", "y"]) is True
    assert ctx.all_partitions_materialized(P, ["x", "z"]) is False
    assert ctx.all_partitions_materialized(P) is False
    materialize(inst, [parted], partition_key="z")
    assert ctx.all_partitions_materialized(P) is True
    with pytest.raises(Exception, match="at least one partition"):
        ctx.all_partitions_materialized(P, [])
    with pytest.raises(Exception, match="not partitioned"):
        ctx.all_partitions_materialized(A)
    with pytest.raises(Exception, match="not monitored"):
        ctx.all_partitions_materialized(CHILD)


def test_get_downstream_partition_keys_uses_the_partition_mapping():
    ctx = parts_context(instance())
    # The default mapping between two assets of the same partitions: identity.
    assert list(ctx.get_downstream_partition_keys("x", P, CHILD)) == ["x"]
    # An explicit mapping on the downstream asset's input.
    assert sorted(ctx.get_downstream_partition_keys("x", P, REMAPPED)) == ["y", "z"]
    assert list(ctx.get_downstream_partition_keys("y", P, REMAPPED)) == ["x"]
    # Time windows: a day maps to the week that contains it. The upstream asset need not be
    # monitored.
    assert list(ctx.get_downstream_partition_keys(
        "2024-01-09", dg.AssetKey("days"), dg.AssetKey("weeks"))) == ["2024-01-07"]
    assert list(ctx.get_downstream_partition_keys(
        "2024-01-02", dg.AssetKey("days"), dg.AssetKey("weeks"))) == []
    with pytest.raises(Exception, match="not partitioned"):
        ctx.get_downstream_partition_keys("x", P, A)
    with pytest.raises(Exception, match="does not exist"):
        ctx.get_downstream_partition_keys("x", P, dg.AssetKey("nowhere"))
