"""Custom loggers: ``@logger`` functions named by a job's ``logger_defs`` (or
``Definitions(loggers=...)``) and switched on by the run config's ``loggers`` section receive
the run's ``context.log`` lines."""

import importlib
import logging
import os

import pytest

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


class ListHandler(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        self.records.append(record)


def capture_logger_def(handler, seen_configs, **logger_kwargs):
    @dg.logger(**logger_kwargs)
    def capture(init_context):
        seen_configs.append(init_context.logger_config)
        out = logging.Logger(f"capture-{id(handler)}", level=logging.DEBUG)
        out.addHandler(handler)
        return out

    return capture


@dg.op
def greet(context):
    context.log.info("hello from greet")
    context.log.debug("details")
    return 1


def user_lines(handler):
    return [r for r in handler.records if r.getMessage().endswith(("hello from greet", "details"))]


def test_logger_decorator_makes_a_logger_definition():
    @dg.logger(config_schema={"prefix": str}, description="captures")
    def with_config(init_context):
        return logging.getLogger("with_config")

    @dg.logger
    def bare(init_context):
        return logging.getLogger("bare")

    assert isinstance(with_config, dg.LoggerDefinition)
    assert isinstance(bare, dg.LoggerDefinition)
    assert with_config.description == "captures"
    ctx = dg.build_init_logger_context(logger_config={"prefix": "p"})
    assert ctx.logger_config == {"prefix": "p"}
    assert bare.logger_fn(ctx).name == "bare"


def test_log_lines_reach_a_configured_logger():
    handler, configs = ListHandler(), []
    capture = capture_logger_def(handler, configs, config_schema={"prefix": str})

    @dg.job(logger_defs={"cap": capture})
    def logged():
        greet()

    assert logged.loggers == {"cap": capture}
    result = logged.execute_in_process(
        run_config={"loggers": {"cap": {"config": {"prefix": "P"}}}})
    assert result.success
    assert configs and all(c == {"prefix": "P"} for c in configs)
    lines = user_lines(handler)
    assert [(r.levelno, r.getMessage().split(" - ")[-1]) for r in lines] == [
        (logging.INFO, "hello from greet"), (logging.DEBUG, "details")]
    info = lines[0]
    # the line names the job, the run and the step; the record carries the original message
    assert info.getMessage().startswith(f"logged - {result.run_id} - ")
    assert "greet" in info.getMessage()
    assert info.dagster_meta["orig_message"] == "hello from greet"
    assert info.dagster_meta["run_id"] == result.run_id


def test_a_logger_the_run_config_does_not_name_is_not_used():
    handler, configs = ListHandler(), []
    capture = capture_logger_def(handler, configs)

    @dg.job(logger_defs={"cap": capture})
    def quiet():
        greet()

    assert quiet.execute_in_process().success
    assert configs == [] and user_lines(handler) == []
    assert quiet.execute_in_process(run_config={"loggers": {"cap": {}}}).success
    assert configs and [r.getMessage().split(" - ")[-1] for r in user_lines(handler)] == [
        "hello from greet", "details"]


def test_a_graph_to_job_takes_logger_defs():
    handler, configs = ListHandler(), []
    capture = capture_logger_def(handler, configs)

    @dg.graph
    def greeting():
        greet()

    job = greeting.to_job(logger_defs={"cap": capture})
    assert job.execute_in_process(run_config={"loggers": {"cap": {}}}).success
    assert len(user_lines(handler)) == 2


def test_definitions_loggers_apply_to_jobs_without_their_own():
    handler, configs = ListHandler(), []
    capture = capture_logger_def(handler, configs)
    other = capture_logger_def(ListHandler(), [])

    @dg.job
    def plain():
        greet()

    @dg.job(logger_defs={"own": other})
    def owning():
        greet()

    @dg.asset
    def counted(context):
        context.log.info("hello from greet")
        return 1

    defs = dg.Definitions(assets=[counted], jobs=[plain, owning,
                                                  dg.define_asset_job("assets_job", [counted])],
                          loggers={"cap": capture})
    assert set(defs.resolve_job_def("plain").loggers) == {"cap"}
    assert set(defs.resolve_job_def("owning").loggers) == {"own"}
    assert set(defs.resolve_job_def("assets_job").loggers) == {"cap"}
    assert set(plain.loggers) == {"console"}  # the default, outside the Definitions
    run_config = {"loggers": {"cap": {}}}
    assert defs.resolve_job_def("plain").execute_in_process(run_config=run_config).success
    assert defs.resolve_job_def("assets_job").execute_in_process(run_config=run_config).success
    assert [r.getMessage().split(" - ")[-1] for r in user_lines(handler)] == [
        "hello from greet", "details", "hello from greet"]


def test_default_loggers():
    assert set(dg.default_loggers()) == {"console"}
    assert dg.default_loggers()["console"] is dg.colored_console_logger
    assert isinstance(dg.colored_console_logger, dg.LoggerDefinition)


def test_logger_config_is_checked_before_the_run():
    capture = capture_logger_def(ListHandler(), [], config_schema={"prefix": str})

    @dg.job(logger_defs={"cap": capture})
    def checked():
        greet()

    with pytest.raises(dg.DagsterInvalidConfigError):
        checked.execute_in_process(run_config={"loggers": {"cap": {"config": {"prefix": 3}}}})
    with pytest.raises(dg.DagsterInvalidConfigError):
        checked.execute_in_process(run_config={"loggers": {"nope": {}}})
    with pytest.raises(dg.DagsterInvalidConfigError):
        checked.execute_in_process(run_config={"loggers": {"cap": {}}})


def test_logger_config_gets_its_schema_defaults():
    handler, configs = ListHandler(), []
    capture = capture_logger_def(
        handler, configs,
        config_schema={"prefix": dg.Field(str, is_required=False, default_value="P0"),
                       "level": dg.Field(int, is_required=False, default_value=10)})

    @dg.job(logger_defs={"cap": capture})
    def logged():
        greet()

    assert logged.execute_in_process(run_config={"loggers": {"cap": {}}}).success
    assert configs and all(c == {"prefix": "P0", "level": 10} for c in configs)
    configs.clear()
    assert logged.execute_in_process(
        run_config={"loggers": {"cap": {"config": {"prefix": "X"}}}}).success
    assert configs and all(c == {"prefix": "X", "level": 10} for c in configs)
    with pytest.raises(dg.DagsterInvalidConfigError):
        logged.execute_in_process(run_config={"loggers": {"cap": {"config": {"level": "high"}}}})


def test_the_console_logger_takes_log_level_and_name():
    @dg.job
    def plain():
        greet()

    assert plain.execute_in_process(
        run_config={"loggers": {"console": {"config": {"log_level": "DEBUG"}}}}).success
    with pytest.raises(dg.DagsterInvalidConfigError):
        plain.execute_in_process(run_config={"loggers": {"console": {"config": {"colour": 1}}}})
