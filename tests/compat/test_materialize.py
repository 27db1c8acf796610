import importlib
import os

import pytest

from ._helpers import NOISE

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset
def up():
    return 1


@dg.asset
def down(up):
    return up + 1


@dg.asset
def failing():
    raise ValueError("boom-failing")


@dg.asset
def after_failing(failing):
    return 1


@dg.asset
def independent():
    return 5


def _types(result):
    return [e.event_type_value for e in result.all_events]


def test_success_and_outputs():
    result = dg.materialize([up, down])
    assert result.success is True
    assert result.output_for_node("up") == 1
    assert result.output_for_node("down") == 2


def test_asset_value():
    result = dg.materialize([up, down])
    assert result.asset_value("down") == 2
    assert result.asset_value(dg.AssetKey("up")) == 1


def test_run_id_is_uuid_string():
    result = dg.materialize([up])
    assert isinstance(result.run_id, str)
    assert len(result.run_id) == 36
    assert result.dagster_run.run_id == result.run_id


def test_each_run_has_new_run_id():
    assert dg.materialize([up]).run_id != dg.materialize([up]).run_id


def test_core_event_sequence_two_assets():
    result = dg.materialize([up, down])
    core = [t for t in _types(result) if t not in NOISE]
    assert core == [
        "PIPELINE_START",
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "STEP_START",
        "LOADED_INPUT",
        "STEP_INPUT",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "PIPELINE_SUCCESS",
    ]


@pytest.mark.dagster_internals
def test_full_event_sequence_single_asset():
    result = dg.materialize([up])
    assert _types(result) == [
        "PIPELINE_START",
        "ENGINE_EVENT",
        "RESOURCE_INIT_STARTED",
        "RESOURCE_INIT_SUCCESS",
        "LOGS_CAPTURED",
        "STEP_START",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
        "ENGINE_EVENT",
        "PIPELINE_SUCCESS",
    ]


def test_event_type_enum_value():
    result = dg.materialize([up])
    first = result.all_events[0]
    assert first.event_type == dg.DagsterEventType.RUN_START
    assert first.event_type.value == "PIPELINE_START"


def test_step_keys_on_events():
    result = dg.materialize([up, down])
    step_keys = [e.step_key for e in result.all_events if e.step_key is not None]
    assert set(step_keys) == {"up", "down"}
    assert result.all_events[0].step_key is None


def test_events_for_node():
    result = dg.materialize([up, down])
    assert [e.event_type_value for e in result.events_for_node("down")] == [
        "STEP_START",
        "LOADED_INPUT",
        "STEP_INPUT",
        "STEP_OUTPUT",
        "ASSET_MATERIALIZATION",
        "HANDLED_OUTPUT",
        "STEP_SUCCESS",
    ]


def test_asset_materializations_for_node():
    result = dg.materialize([up, down])
    mats = result.asset_materializations_for_node("down")
    assert len(mats) == 1
    assert isinstance(mats[0], dg.AssetMaterialization)
    assert mats[0].asset_key == dg.AssetKey("down")


def test_get_asset_materialization_events():
    result = dg.materialize([up, down])
    events = result.get_asset_materialization_events()
    assert [e.asset_key for e in events] == [dg.AssetKey("up"), dg.AssetKey("down")]
    assert all(e.event_type_value == "ASSET_MATERIALIZATION" for e in events)
    assert events[0].materialization.asset_key == dg.AssetKey("up")


def test_step_success_events():
    result = dg.materialize([up, down])
    assert [e.step_key for e in result.get_step_success_events()] == ["up", "down"]


def test_prefixed_asset_node_name():
    @dg.asset(key_prefix=["p", "q"])
    def pre():
        return 3

    result = dg.materialize([pre])
    assert result.output_for_node("p__q__pre") == 3
    assert result.asset_value(["p", "q", "pre"]) == 3
    assert result.asset_materializations_for_node("p__q__pre")[0].asset_key == dg.AssetKey(
        ["p", "q", "pre"]
    )


def test_job_name_is_ephemeral_asset_job():
    result = dg.materialize([up])
    assert result.dagster_run.job_name == "__ephemeral_asset_job__"
    assert result.job_def.name == "__ephemeral_asset_job__"


def test_raise_on_error_true_reraises_user_exception():
    # Surprising: materialize() re-raises the user's own exception class, not a Dagster wrapper.
    with pytest.raises(ValueError, match="boom-failing"):
        dg.materialize([failing])


def test_raise_on_error_false_failed_run():
    result = dg.materialize([failing, after_failing, independent], raise_on_error=False)
    assert result.success is False
    assert result.dagster_run.status == dg.DagsterRunStatus.FAILURE
    assert result.get_failed_step_keys() == {"failing"}
    assert result.is_node_failed("failing")
    assert result.is_node_success("independent")
    assert result.output_for_node("independent") == 5


def test_downstream_of_failure_is_not_executed():
    # Surprising: the downstream step gets no STEP_SKIPPED event; it is simply never started.
    result = dg.materialize([failing, after_failing], raise_on_error=False)
    assert "after_failing" not in {e.step_key for e in result.all_events}
    assert result.get_step_skipped_events() == []
    assert result.is_node_untouched("after_failing")
    assert not result.is_node_skipped("after_failing")
    mats = [e.asset_key for e in result.get_asset_materialization_events()]
    assert mats == []


def test_failure_event_sequence():
    result = dg.materialize([failing], raise_on_error=False)
    core = [t for t in _types(result) if t not in NOISE]
    assert core == ["PIPELINE_START", "STEP_START", "STEP_FAILURE", "PIPELINE_FAILURE"]
    assert result.get_run_failure_event().event_type_value == "PIPELINE_FAILURE"
    assert [e.step_key for e in result.get_step_failure_events()] == ["failing"]


def test_failure_data_wraps_user_error():
    result = dg.materialize([failing], raise_on_error=False)
    failure = result.failure_data_for_node("failing")
    # The step failure error is the Dagster wrapper; the user's error is its cause.
    assert failure.error.cls_name == "DagsterExecutionStepExecutionError"
    assert failure.error.cause.cls_name == "ValueError"
    assert "boom-failing" in failure.error.cause.message


def test_output_for_failed_node_raises():
    result = dg.materialize([failing], raise_on_error=False)
    with pytest.raises(dg.DagsterInvariantViolationError):
        result.output_for_node("failing")


def test_run_success_event():
    result = dg.materialize([up])
    assert result.get_run_success_event().event_type_value == "PIPELINE_SUCCESS"
    assert result.dagster_run.status == dg.DagsterRunStatus.SUCCESS


def test_tags_on_run():
    result = dg.materialize([up], tags={"team": "data"})
    assert result.dagster_run.tags["team"] == "data"


@pytest.mark.parametrize(
    "selection",
    [
        "independent",
        ["independent"],
        [dg.AssetKey("independent")],
        "key:independent",
    ],
)
def test_selection_forms(selection):
    result = dg.materialize([independent, up, down], selection=selection)
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [
        dg.AssetKey("independent")
    ]


def test_selection_asset_selection_and_defs():
    result = dg.materialize([independent, up, down], selection=dg.AssetSelection.assets(up))
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("up")]
    result = dg.materialize([independent, up, down], selection=[independent])
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [
        dg.AssetKey("independent")
    ]


def test_selection_downstream_of():
    result = dg.materialize(
        [independent, up, down], selection=dg.AssetSelection.assets(up).downstream()
    )
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {
        dg.AssetKey("up"),
        dg.AssetKey("down"),
    }


def test_duplicate_key_from_different_defs_is_error():
    @dg.asset(name="up")
    def up_again():
        return 2

    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.materialize([up, up_again])


def test_missing_upstream_input_is_error():
    # An upstream that is a *parameter* (needs loading) must be provided; deps=[...] need not.
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="up"):
        dg.materialize([down])


def test_missing_deps_upstream_is_allowed():
    @dg.asset(deps=["not_defined_anywhere"])
    def lonely():
        return 1

    assert dg.materialize([lonely]).success


def test_generator_asset_yielding_output():
    @dg.asset
    def gen():
        yield dg.Output(3)

    assert dg.materialize([gen]).output_for_node("gen") == 3


def test_output_with_metadata():
    @dg.asset
    def out():
        return dg.Output(4, metadata={"rows": 10})

    result = dg.materialize([out])
    assert result.output_for_node("out") == 4
    md = result.asset_materializations_for_node("out")[0].metadata
    assert md["rows"] == dg.MetadataValue.int(10)


def test_none_return_still_materializes():
    @dg.asset
    def nothing():
        pass

    result = dg.materialize([nothing])
    assert result.success
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [
        dg.AssetKey("nothing")
    ]


def test_materialize_result_without_value_skips_io_manager():
    @dg.asset
    def mr():
        return dg.MaterializeResult(metadata={"n": 5})

    result = dg.materialize([mr])
    assert "HANDLED_OUTPUT" not in _types(result)
    md = result.asset_materializations_for_node("mr")[0].metadata
    assert md["n"] == dg.MetadataValue.int(5)


def test_materialize_result_with_value():
    @dg.asset
    def mr():
        return dg.MaterializeResult(value=7, metadata={"n": 5})

    result = dg.materialize([mr])
    assert result.output_for_node("mr") == 7
    assert "HANDLED_OUTPUT" in _types(result)


def test_materialize_in_process_with_instance():
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize([up, down], instance=instance)
    assert instance.get_run_by_id(result.run_id).status == dg.DagsterRunStatus.SUCCESS


def test_materialize_empty_list_succeeds():
    result = dg.materialize([])
    assert result.success
    assert result.get_asset_materialization_events() == []


def test_materialize_to_memory():
    result = dg.materialize_to_memory([up, down])
    assert result.success
    assert result.output_for_node("down") == 2
    # No filesystem path metadata, since values are kept in memory.
    assert "path" not in result.asset_materializations_for_node("up")[0].metadata
