"""Resources at run time: missing keys name the asset, EnvVar secrets never leak."""

from __future__ import annotations

import pytest

import headwater as dg

SECRET = "hwtest-secret-value-7f3a9c"


class Warehouse(dg.ConfigurableResource):
    url: str = "sqlite://"


class Api(dg.ConfigurableResource):
    token: str


class Port(dg.ConfigurableResource):
    port: int


# --- missing resources ---

def test_missing_typed_resource_names_asset_and_key():
    @dg.asset
    def needs_warehouse(warehouse: Warehouse):
        return warehouse.url

    with pytest.raises(dg.InvalidDefinitionError) as info:
        dg.materialize_to_memory([needs_warehouse])
    assert "needs_warehouse" in str(info.value) and "'warehouse'" in str(info.value)


def test_missing_required_resource_key_names_asset_and_key():
    @dg.asset(required_resource_keys={"db"})
    def needs_db(context):
        return 1

    with pytest.raises(dg.InvalidDefinitionError) as info:
        dg.materialize_to_memory([needs_db], resources={"other": Warehouse()})
    assert "needs_db" in str(info.value) and "'db'" in str(info.value)


def test_missing_io_manager_at_run_time_names_asset_and_key():
    @dg.asset(io_manager_key="lake_io")
    def stored_in_lake():
        return 1

    with pytest.raises(dg.InvalidDefinitionError) as info:
        dg.materialize([stored_in_lake])
    assert "'lake_io'" in str(info.value)
    assert "stored_in_lake" in str(info.value)


def test_undeclared_resource_read_names_the_key(home):
    @dg.asset
    def sneaky(context):
        return context.resources.not_there

    result = dg.materialize_to_memory([sneaky], raise_on_error=False)
    failure = result.failure_data_for_node("sneaky")
    assert "'not_there'" in failure.error.to_string()


# --- EnvVar ---

def test_unset_env_var_at_run_time_names_the_variable(monkeypatch):
    monkeypatch.delenv("HWTEST_UNSET_TOKEN", raising=False)

    @dg.asset
    def calls_api(api: Api):
        return api.token

    with pytest.raises(dg.InvalidConfigError) as info:
        dg.materialize_to_memory([calls_api],
                                 resources={"api": Api(token=dg.EnvVar("HWTEST_UNSET_TOKEN"))})
    text = str(info.value)
    assert "'HWTEST_UNSET_TOKEN'" in text and "not set" in text
    assert "'api'" in text and "'token'" in text


def test_env_var_value_is_read_at_run_time(monkeypatch):
    @dg.asset
    def calls_api(api: Api):
        return api.token

    resource = Api(token=dg.EnvVar("HWTEST_TOKEN"))
    monkeypatch.setenv("HWTEST_TOKEN", "first")
    assert dg.materialize_to_memory([calls_api], resources={"api": resource}).output_for_node(
        "calls_api") == "first"
    monkeypatch.setenv("HWTEST_TOKEN", "second")
    assert dg.materialize_to_memory([calls_api], resources={"api": resource}).output_for_node(
        "calls_api") == "second"


def test_env_var_shows_its_name_never_its_value(monkeypatch):
    monkeypatch.setenv("HWTEST_TOKEN", SECRET)
    resource = Api(token=dg.EnvVar("HWTEST_TOKEN"))
    assert SECRET not in repr(resource) and "HWTEST_TOKEN" in repr(resource)


def test_bad_int_env_var_at_run_time_names_variable_not_value(monkeypatch):
    monkeypatch.setenv("HWTEST_PORT", "5432")
    resource = Port(port=dg.EnvVar.int("HWTEST_PORT"))

    @dg.asset
    def connects(db: Port):
        return db.port

    monkeypatch.setenv("HWTEST_PORT", SECRET)
    with pytest.raises(dg.InvalidConfigError) as info:
        dg.materialize_to_memory([connects], resources={"db": resource})
    assert "'HWTEST_PORT'" in str(info.value)
    assert SECRET not in str(info.value)


def test_env_var_value_never_stored(home, monkeypatch):
    monkeypatch.setenv("HWTEST_TOKEN", SECRET)
    monkeypatch.delenv("HWTEST_NOT_SET", raising=False)

    @dg.asset
    def logs_resource(context, api: Api):
        context.log.info(f"calling with {api!r} from {context.resources!r}")
        assert api.token == SECRET  # the asset does get the value
        return len(api.token)

    @dg.asset
    def fails_with_resource(api: Api):
        raise RuntimeError(f"could not reach the api with {api}")

    with dg.Instance.get() as instance:
        runs = [
            dg.materialize([logs_resource, fails_with_resource], instance=instance,
                           resources={"api": Api(token=dg.EnvVar("HWTEST_TOKEN"))},
                           raise_on_error=False),
            dg.materialize([logs_resource], instance=instance,
                           resources={"api": Api.configure_at_launch()},
                           run_config={"resources": {"api": {"config": {
                               "token": dg.EnvVar("HWTEST_TOKEN")}}}}),
        ]
        with pytest.raises(dg.InvalidConfigError):
            dg.materialize([logs_resource], instance=instance,
                           resources={"api": Api(token=dg.EnvVar("HWTEST_NOT_SET"))})
        assert [r.success for r in runs] == [False, True]
        stored_text = []
        for run in instance.get_runs():
            stored_text.append(repr(run.run_config))
            for entry in instance.all_logs(run.run_id):
                stored_text.append(entry.message)
                event = entry.dagster_event
                data = event.event_specific_data if event is not None else None
                error = getattr(data, "error", None)
                if error is not None:
                    stored_text.append(error.to_string())
        assert len(instance.get_runs()) >= 2
        assert not [t for t in stored_text if SECRET in t]
    files = [p for p in home.rglob("*") if p.is_file()]
    assert any(p.name == "headwater.db" for p in files)
    assert not [p for p in files if SECRET.encode() in p.read_bytes()]


def test_int_env_var_unset_at_definition_time_is_fine(monkeypatch):
    monkeypatch.delenv("HWTEST_LATER_PORT", raising=False)
    resource = Port(port=dg.EnvVar.int("HWTEST_LATER_PORT"))

    @dg.asset
    def connects(db: Port):
        return db.port

    monkeypatch.setenv("HWTEST_LATER_PORT", "5432")
    assert dg.materialize_to_memory([connects], resources={"db": resource}).output_for_node(
        "connects") == 5432


def test_bad_env_var_value_error_names_variable_never_value(monkeypatch):
    monkeypatch.setenv("HWTEST_BAD_PORT", SECRET)

    @dg.asset
    def connects(db: Port):
        return db.port

    with pytest.raises(Exception) as info:  # noqa: B017 - wherever it is raised, check the text
        dg.materialize_to_memory([connects],
                                 resources={"db": Port(port=dg.EnvVar.int("HWTEST_BAD_PORT"))})
    assert "HWTEST_BAD_PORT" in str(info.value)
    assert SECRET not in str(info.value)


def test_env_var_on_int_field_is_coerced_at_run_time(monkeypatch):
    monkeypatch.setenv("HWTEST_PORT", "1")
    resource = Port(port=dg.EnvVar("HWTEST_PORT"))

    @dg.asset
    def connects(db: Port):
        return db.port

    monkeypatch.setenv("HWTEST_PORT", "5432")
    value = dg.materialize_to_memory([connects], resources={"db": resource}).output_for_node(
        "connects")
    assert value == 5432 and isinstance(value, int)
