"""Running ``headwater asset materialize``: a launch request over the loaded definitions' asset
graph, through the same ``launch`` as ``materialize()``, on the persistent instance, with live
progress and a summary read back from the event log."""

from __future__ import annotations

import uuid
from typing import Any

import click

from headwater.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, CliError, err
from headwater.cli.loading import CodeLocation, user_traceback
from headwater.cli.output import format_duration, indent, print_table
from headwater.cli.progress import follow, make_reporter
from headwater.cli.run_summary import asset_rows, check_rows, echo_failures, outcome_from_logs


def run_materialization(loc: CodeLocation, select: str, ids: set[int], *,
                        run_config: dict[str, Any], tags: dict[str, str]) -> int:
    """Materialize the assets ``ids`` of ``loc``; print progress and a summary; exit code."""
    from headwater.cli.common import open_instance
    from headwater.definitions.errors import (
        InvalidConfigError,
        InvalidDefinitionError,
        InvalidInvocationError,
        InvalidSubsetError,
        StorageError,
        UnknownPartitionError,
    )
    from headwater.execution import LaunchRequest, LoadedTarget, launch, plain_run_config

    defs = loc.defs
    graph = defs.asset_graph
    ids = {i for i in ids if graph.is_executable(i)}
    if not ids:
        raise CliError(f"The selection {select!r} matches no asset that can be materialized "
                       "(only external assets, or nothing). See `headwater asset list`.")
    keys = [graph.keys[i] for i in graph.toposort if i in ids]
    checks = graph.check_defs_for(set(keys))
    total = len({graph.owner[i] for i in ids}) + len(checks)
    instance = open_instance(loc.working_directory)
    run_id = str(uuid.uuid4())
    reporter = make_reporter(total)
    try:
        try:
            with reporter:
                watch = follow(instance, run_id, reporter)
                try:
                    request = LaunchRequest(asset_selection=tuple(keys), tags=tags,
                                            run_config=plain_run_config(run_config or None),
                                            run_id=run_id)
                    result = launch(request, instance,
                                    LoadedTarget.of_assets(graph, defs.resources),
                                    raise_on_error=False)
                finally:
                    watch.stop()
                    watch.join()
        except (InvalidConfigError, InvalidSubsetError, InvalidDefinitionError,
                InvalidInvocationError, UnknownPartitionError) as e:
            where = f" (run {run_id} was recorded as failed)" if reporter.run_id else ""
            raise CliError(f"{e}{where}") from None
        except StorageError as e:  # the instance cannot be used: say why and what to do, exit 2
            where = f"\nRun {reporter.run_id} stopped." if reporter.run_id else ""
            raise CliError(f"{e}{where}") from None
        except Exception as e:  # noqa: BLE001 - the run stopped early; say why, never our traceback
            return _report_crash(reporter.run_id, e)
        except KeyboardInterrupt:
            return _report_interrupt(instance, reporter.run_id)
        _print_summary(instance, graph, keys, checks, result.run_id)
        return EXIT_OK if result.success else EXIT_RUN_FAILED
    finally:
        instance.dispose()


def _print_summary(instance: Any, graph: Any, keys: list[Any], checks: list[Any],
                   run_id: str) -> None:
    outcome = outcome_from_logs(instance.all_logs(run_id))
    rows = asset_rows(graph, keys, outcome) + check_rows(checks, outcome)
    click.echo()
    print_table(["asset", "status", "duration", "metadata"], rows)
    echo_failures(outcome)
    record = instance.get_run_record_by_id(run_id)
    status = record.dagster_run.status.value if record else "?"
    took = (record.end_time - record.start_time) if record and record.start_time \
        and record.end_time else None
    click.echo(f"\nRun {run_id}: {status}" + (f" in {format_duration(took)}" if took else "")
               + f". Details: headwater run show {run_id}")


def _report_interrupt(instance: Any, run_id: str | None) -> int:
    """Ctrl-C: mark the run canceled so that it does not stay STARTED forever."""
    if run_id is not None:
        record = instance.get_run_record_by_id(run_id)
        if record is not None and not record.dagster_run.is_finished:
            instance.report_run_canceled(run_id, "Interrupted from the command line (Ctrl-C).")
        err(f"\nInterrupted: run {run_id} was marked CANCELED.")
    else:
        err("\nInterrupted before the run started.")
    return EXIT_INTERRUPTED


def _report_crash(run_id: str | None, error: BaseException) -> int:
    """``materialize`` raised instead of returning a failed result: say why, exit 1."""
    err(f"\nThe run stopped:\n{indent(user_traceback(error))}")
    cause = error.__cause__
    if cause is not None:
        err(f"Caused by:\n{indent(user_traceback(cause))}")
    if run_id is not None:
        err(f"\nRun {run_id}: FAILURE. Details: headwater run show {run_id}")
    return EXIT_RUN_FAILED
