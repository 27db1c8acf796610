"""``headwater run show RUN_ID --follow``: a run's events as they are stored, until it ends.

The events come from ``Instance.watch_run_events`` (the event log itself), so a run executing
in another process, and the steps its worker processes run, show as they happen.
"""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_RUN_FAILED, err
from headwater.cli.output import format_duration

MIN_STEP_WIDTH = 16  # columns grow when a longer step key or event type comes
MIN_KIND_WIDTH = 21


def follow_run(instance: Any, record: Any) -> int:
    """Print the run's header, its events so far, then new ones until it finishes; exit code."""
    from headwater.cli.run_commands import _kind, echo_event, echo_run_header

    run_id = record.dagster_run.run_id
    echo_run_header(record)
    step_width, kind_width = MIN_STEP_WIDTH, MIN_KIND_WIDTH
    watch = instance.watch_run_events(run_id)
    try:
        for batch in watch:
            entries = [rec.event_log_entry for rec in batch]
            step_width = max([step_width] + [len(e.step_key or "-") for e in entries])
            kind_width = max([kind_width] + [len(_kind(e)) for e in entries])
            for entry in entries:
                echo_event(entry, step_width, kind_width)
    except KeyboardInterrupt:
        watch.stop()
        err(f"\nStopped following run {run_id} (the run itself goes on).")
        return EXIT_INTERRUPTED
    final = instance.get_run_record_by_id(run_id)
    if final is None:
        err(f"\nRun {run_id} was deleted while it was followed.")
        return EXIT_RUN_FAILED
    status = final.dagster_run.status.value
    took = final.end_time - final.start_time if final.start_time and final.end_time else None
    click.echo(f"\nRun {run_id}: {status}" + (f" in {format_duration(took)}" if took else "")
               + ".")
    return EXIT_OK if status == "SUCCESS" else EXIT_RUN_FAILED
