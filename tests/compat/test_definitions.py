import importlib
import os

import pytest

from ._helpers import a, b

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.asset_check(asset=a)
def a_check():
    return dg.AssetCheckResult(passed=True)


my_job = dg.define_asset_job("my_job", selection=[a, b])
my_schedule = dg.ScheduleDefinition(job=my_job, cron_schedule="0 0 * * *")


@dg.sensor(job=my_job)
def my_sensor(context):
    return dg.SkipReason("nothing")


def _full_defs(**extra):
    return dg.Definitions(
        assets=[a, b],
        asset_checks=[a_check],
        jobs=[my_job],
        schedules=[my_schedule],
        sensors=[my_sensor],
        resources={"foo": 1},
        **extra,
    )


def test_definitions_accepts_all_kinds():
    defs = _full_defs()
    dg.Definitions.validate_loadable(defs)
    assert list(defs.assets) == [a, b]
    assert list(defs.asset_checks) == [a_check]
    assert list(defs.schedules) == [my_schedule]
    assert list(defs.sensors) == [my_sensor]
    assert defs.resources == {"foo": 1}


def test_empty_definitions():
    defs = dg.Definitions()
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_all_asset_keys() == []


def test_resolve_all_asset_keys():
    # Order is not guaranteed; compare as sets.
    assert set(_full_defs().resolve_all_asset_keys()) == {dg.AssetKey("a"), dg.AssetKey("b")}


def test_resolve_all_asset_specs():
    specs = _full_defs().resolve_all_asset_specs()
    assert {s.key for s in specs} == {dg.AssetKey("a"), dg.AssetKey("b")}
    assert all(isinstance(s, dg.AssetSpec) for s in specs)


def test_resolve_assets_def():
    defs = _full_defs()
    assert defs.resolve_assets_def("a").key == dg.AssetKey("a")
    assert defs.resolve_assets_def(dg.AssetKey("b")).key == dg.AssetKey("b")


def test_resolve_assets_def_missing():
    with pytest.raises(dg.DagsterInvariantViolationError, match="zz_missing"):
        _full_defs().resolve_assets_def("zz_missing")


def test_resolve_job_def_and_execute():
    job = _full_defs().resolve_job_def("my_job")
    assert job.name == "my_job"
    result = job.execute_in_process()
    assert result.success
    assert result.output_for_node("b") == 2
    assert result.dagster_run.job_name == "my_job"


def test_resolve_job_def_missing():
    with pytest.raises(dg.DagsterInvariantViolationError, match="nope_job"):
        _full_defs().resolve_job_def("nope_job")


def test_resolve_all_job_defs_includes_implicit_asset_job():
    names = [j.name for j in _full_defs().resolve_all_job_defs()]
    assert "my_job" in names
    assert "__ASSET_JOB" in names


def test_implicit_global_asset_job():
    job = _full_defs().resolve_implicit_global_asset_job_def()
    assert job.name == "__ASSET_JOB"
    result = job.execute_in_process()
    assert result.success
    assert {e.asset_key for e in result.get_asset_materialization_events()} == {
        dg.AssetKey("a"),
        dg.AssetKey("b"),
    }


def test_resolve_schedule_and_sensor():
    defs = _full_defs()
    # Default schedule name is "<job name>_schedule".
    assert defs.resolve_schedule_def("my_job_schedule").name == "my_job_schedule"
    assert defs.resolve_sensor_def("my_sensor").name == "my_sensor"


def test_get_asset_checks_def():
    checks_def = _full_defs().get_asset_checks_def(dg.AssetCheckKey(dg.AssetKey("a"), "a_check"))
    assert dg.AssetCheckKey(dg.AssetKey("a"), "a_check") in set(checks_def.check_keys)


def test_duplicate_keys_error_is_lazy():
    @dg.asset(name="a")
    def a_again():
        return 2

    # Surprising: constructing Definitions does not validate; validate_loadable does.
    defs = dg.Definitions(assets=[a, a_again])
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="a"):
        dg.Definitions.validate_loadable(defs)


def test_same_asset_object_twice_is_fine():
    dg.Definitions.validate_loadable(dg.Definitions(assets=[a, a]))


def test_missing_upstream_input_is_error():
    defs = dg.Definitions(assets=[b])
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="a"):
        dg.Definitions.validate_loadable(defs)


def test_missing_upstream_dep_is_allowed_as_external():
    @dg.asset(deps=["external_thing"])
    def c():
        return 1

    defs = dg.Definitions(assets=[c])
    dg.Definitions.validate_loadable(defs)
    # The undeclared upstream appears as a (non-materializable) asset key.
    assert set(defs.resolve_all_asset_keys()) == {dg.AssetKey("c"), dg.AssetKey("external_thing")}


def test_asset_spec_as_external_asset():
    defs = dg.Definitions(assets=[dg.AssetSpec("ext2")])
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_all_asset_keys() == [dg.AssetKey("ext2")]


def test_missing_resource_key_is_error():
    class R(dg.ConfigurableResource):
        x: int = 1

    @dg.asset
    def needs(some_res: R):
        return 1

    defs = dg.Definitions(assets=[needs])
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="some_res"):
        dg.Definitions.validate_loadable(defs)


def test_missing_required_resource_keys_is_error():
    @dg.asset(required_resource_keys={"zz_res"})
    def needs(context):
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="zz_res"):
        dg.Definitions.validate_loadable(dg.Definitions(assets=[needs]))


def test_missing_io_manager_key_is_error():
    @dg.asset(io_manager_key="custom_iok")
    def q():
        return 1

    with pytest.raises(dg.DagsterInvalidDefinitionError, match="custom_iok"):
        dg.Definitions.validate_loadable(dg.Definitions(assets=[q]))


def test_resources_bound_from_definitions():
    class R(dg.ConfigurableResource):
        x: int = 1

    @dg.asset
    def needs(some_res: R):
        return some_res.x

    defs = dg.Definitions(assets=[needs], resources={"some_res": R(x=4)})
    dg.Definitions.validate_loadable(defs)
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert result.output_for_node("needs") == 4


def test_merge():
    d1 = dg.Definitions(assets=[a], resources={"foo": 1})
    d2 = dg.Definitions(assets=[b], resources={"bar": 2}, jobs=[my_job])
    merged = dg.Definitions.merge(d1, d2)
    assert {x.key for x in merged.assets} == {dg.AssetKey("a"), dg.AssetKey("b")}
    assert merged.resources == {"foo": 1, "bar": 2}
    assert merged.resolve_job_def("my_job").name == "my_job"


def test_merge_conflicting_resources():
    d1 = dg.Definitions(resources={"foo": 1})
    d2 = dg.Definitions(resources={"foo": 2})
    with pytest.raises(dg.DagsterInvariantViolationError, match="foo"):
        dg.Definitions.merge(d1, d2)


def test_merge_duplicate_asset_keys_fail_validation():
    @dg.asset(name="a")
    def a_again():
        return 2

    merged = dg.Definitions.merge(dg.Definitions(assets=[a]), dg.Definitions(assets=[a_again]))
    with pytest.raises(dg.DagsterInvalidDefinitionError):
        dg.Definitions.validate_loadable(merged)


def test_duplicate_job_names():
    defs = dg.Definitions(
        assets=[a, b],
        jobs=[dg.define_asset_job("j", selection=[a]), dg.define_asset_job("j", selection=[b])],
    )
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="j"):
        dg.Definitions.validate_loadable(defs)


def test_schedule_targeting_unknown_job():
    defs = dg.Definitions(
        assets=[a],
        schedules=[dg.ScheduleDefinition(job_name="no_such_job", cron_schedule="* * * * *")],
    )
    with pytest.raises(dg.DagsterInvalidDefinitionError, match="no_such_job"):
        dg.Definitions.validate_loadable(defs)


def test_asset_check_for_asset_not_in_definitions_is_allowed():
    dg.Definitions.validate_loadable(dg.Definitions(asset_checks=[a_check]))


def test_load_asset_value(tmp_path):
    io = dg.FilesystemIOManager(base_dir=str(tmp_path))
    defs = dg.Definitions(assets=[a, b], resources={"io_manager": io})
    defs.resolve_implicit_global_asset_job_def().execute_in_process()
    assert defs.load_asset_value("b") == 2
    assert defs.load_asset_value(dg.AssetKey("a")) == 1


def test_load_asset_value_custom_io_manager():
    class ConstIO(dg.IOManager):
        def handle_output(self, context, obj):
            pass

        def load_input(self, context):
            return ("loaded", context.asset_key.to_user_string())

    defs = dg.Definitions(assets=[a], resources={"io_manager": ConstIO()})
    assert defs.load_asset_value("a") == ("loaded", "a")


def test_asset_job_with_selection_string():
    job = dg.define_asset_job("by_str", selection="a")
    defs = dg.Definitions(assets=[a, b], jobs=[job])
    result = defs.resolve_job_def("by_str").execute_in_process()
    assert [e.asset_key for e in result.get_asset_materialization_events()] == [dg.AssetKey("a")]
