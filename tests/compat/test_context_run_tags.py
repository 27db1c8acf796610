"""Run tags as a step reads them: ``build_op_context(run_tags=...)`` and
``build_asset_context(run_tags=...)`` for direct calls, the run's tags in a real run."""

import importlib
import os
import warnings

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


@dg.op
def read_tags(context):
    return context.get_tag("team"), context.has_tag("team"), context.has_tag("nope"), dict(context.run_tags)


@dg.asset
def asset_reading_tags(context: dg.AssetExecutionContext):
    with warnings.catch_warnings():  # Dagster deprecates these on the asset context
        warnings.simplefilter("ignore", DeprecationWarning)
        return context.get_tag("team"), context.has_tag("team"), dict(context.run_tags)


def test_build_op_context_run_tags():
    context = dg.build_op_context(run_tags={"team": "data", "x": "1"})
    assert context.get_tag("team") == "data"
    assert context.get_tag("nope") is None
    assert context.has_tag("team") and not context.has_tag("nope")
    assert dict(context.run_tags) == {"team": "data", "x": "1"}
    assert read_tags(context) == ("data", True, False, {"team": "data", "x": "1"})


def test_build_asset_context_run_tags():
    context = dg.build_asset_context(run_tags={"team": "data"})
    assert asset_reading_tags(context) == ("data", True, {"team": "data"})


def test_no_run_tags():
    context = dg.build_op_context()
    assert context.get_tag("team") is None and dict(context.run_tags) == {}


def test_a_directly_invoked_context_has_no_run():
    context = dg.build_op_context(run_tags={"team": "data"})
    with pytest.raises(dg.DagsterError, match="directly invoked"):
        _ = context.run
    with pytest.raises(dg.DagsterError, match="directly invoked"):
        _ = dg.build_asset_context(run_tags={"team": "data"}).dagster_run


def test_build_op_context_mapping_key():
    assert dg.build_op_context(mapping_key="k").get_mapping_key() == "k"


def test_tags_in_a_run():
    @dg.op
    def run_reader(context):
        return context.get_tag("team"), context.has_tag("team"), context.run.tags.get("team")

    @dg.job(tags={"team": "job-tag"})
    def tagged_job():
        run_reader()

    result = tagged_job.execute_in_process()
    assert result.output_for_node("run_reader") == ("job-tag", True, "job-tag")
    result = tagged_job.execute_in_process(tags={"team": "run-tag"})
    assert result.output_for_node("run_reader") == ("run-tag", True, "run-tag")
    result = dg.materialize([asset_reading_tags], tags={"team": "m"})
    assert result.asset_value("asset_reading_tags") == ("m", True, {"team": "m"})
