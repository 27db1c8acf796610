"""``headwater schedule list/start/stop/preview`` and ``headwater sensor
list/start/stop/preview/cursor`` (Dagster's ``dagster schedule`` / ``dagster sensor``).

Start and stop are stored in the instance and win over the code's ``default_status``; the
daemon reads them on its next pass. ``preview`` evaluates once without launching anything.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import click

from headwater.cli.common import CliError, open_instance
from headwater.cli.loading import LocationArgs, code_location_options


def _open(location: LocationArgs) -> tuple[Any, Any]:
    from headwater.cli.instigator_common import open_location

    instance = open_instance(location.working_directory)
    code = open_location(location, instance)
    if code.load_error is not None:
        raise CliError(f"Code location {code.name!r} failed to load:\n"
                       f"{code.load_error.to_string()}")
    return instance, code


def _pick(kind: str, items: Any, name: str | None, every: bool) -> list[Any]:
    if every:
        return list(items)
    if name is None:
        raise CliError(f"Name the {kind} (or pass --all).")
    found = [i for i in items if i.name == name]
    if not found:
        names = sorted(i.name for i in items)
        raise CliError(f"No {kind} named {name!r} in this code location"
                       + (f"; its {kind}s are {', '.join(names)}." if names else
                          f"; it has no {kind}s."))
    return found


def _status(instance: Any, code: Any, item: Any) -> str:
    from headwater.daemon.state import is_running
    from headwater.storage.instigators import selector_id

    state = instance.get_instigator_state(selector_id(code.name, item.name))
    return "RUNNING" if is_running(state, item.default_status) else "STOPPED"


def _last_tick(instance: Any, code: Any, name: str) -> str:
    from headwater.storage.instigators import selector_id

    ticks = instance.get_ticks(selector_id(code.name, name), limit=1)
    if not ticks:
        return "-"
    tick = ticks[0]
    when = datetime.datetime.fromtimestamp(tick.timestamp, datetime.timezone.utc)
    return f"{tick.status.value} at {when.isoformat(timespec='seconds')}"


def _set(kind: str, location: LocationArgs, name: str | None, every: bool, running: bool) -> None:
    import time

    from headwater.daemon.state import set_running
    from headwater.storage.instigators import InstigatorType

    instance, code = _open(location)
    snap = code.snapshot()
    items = snap.schedules if kind == "schedule" else snap.sensors
    itype = InstigatorType.SCHEDULE if kind == "schedule" else InstigatorType.SENSOR
    for item in _pick(kind, items, name, every):
        set_running(instance, code.name, item.name, itype, running, time.time())
        click.echo(f"{'Started' if running else 'Stopped'} {kind} {item.name!r}.")


# ----------------------------------------------------------------------------- schedules

@click.group("schedule")
def schedule_group() -> None:
    """Schedules: list them, turn them on or off, preview a tick."""


@schedule_group.command("list")
@code_location_options
@click.option("--running", "only", flag_value="RUNNING", help="Only running schedules.")
@click.option("--stopped", "only", flag_value="STOPPED", help="Only stopped schedules.")
def schedule_list(location: LocationArgs, only: str | None) -> None:
    """Each schedule: cron, time zone, running or stopped, next and last tick."""
    import time

    from headwater.daemon.scheduler import due_ticks

    instance, code = _open(location)
    rows = []
    for s in code.snapshot().schedules:
        status = _status(instance, code, s)
        if only and status != only:
            continue
        try:
            upcoming = due_ticks(s.cron_schedule, s.execution_timezone, time.time(),
                                 time.time(), 1).next_time
            nxt = datetime.datetime.fromtimestamp(upcoming, datetime.timezone.utc).isoformat(
                timespec="seconds")
        except Exception as e:  # noqa: BLE001 - a bad cron is shown, not raised
            nxt = f"invalid: {e}"
        rows.append((s.name, " | ".join(s.cron_schedule), s.execution_timezone or "UTC", status,
                     nxt, _last_tick(instance, code, s.name)))
    if not rows:
        click.echo("No schedules.")
        return
    for name, cron, tz, status, nxt, last in rows:
        click.echo(f"{name}  [{status}]  {cron} ({tz})  next: {nxt}  last: {last}")


@schedule_group.command("start")
@code_location_options
@click.argument("name", required=False)
@click.option("--start-all", "every", is_flag=True, help="Start every schedule.")
def schedule_start(location: LocationArgs, name: str | None, every: bool) -> None:
    """Turn schedule NAME on (ticks from now; no catch-up for the time it was off)."""
    _set("schedule", location, name, every, True)


@schedule_group.command("stop")
@code_location_options
@click.argument("name", required=False)
@click.option("--stop-all", "every", is_flag=True, help="Stop every schedule.")
def schedule_stop(location: LocationArgs, name: str | None, every: bool) -> None:
    """Turn schedule NAME off."""
    _set("schedule", location, name, every, False)


@schedule_group.command("preview")
@code_location_options
@click.argument("name")
@click.option("--time", "at", metavar="ISO", help="Evaluate the tick at this time (default: "
              "the next tick time).")
def schedule_preview(location: LocationArgs, name: str, at: str | None) -> None:
    """Evaluate schedule NAME once and show its run requests; nothing is launched."""
    import time

    from headwater.daemon.scheduler import due_ticks

    _, code = _open(location)
    (s,) = _pick("schedule", code.snapshot().schedules, name, False)
    if at is not None:
        try:
            when = datetime.datetime.fromisoformat(at)
        except ValueError:
            raise CliError(f"--time {at!r} is not an ISO date-time (e.g. 2024-03-01T06:00)") \
                from None
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        ts = when.timestamp()
    else:
        try:
            ts = due_ticks(s.cron_schedule, s.execution_timezone, time.time(), time.time(),
                           1).next_time
        except Exception as e:  # noqa: BLE001
            raise CliError(f"Schedule {name!r} cannot tick: {e}") from None
    _show(code.evaluate_schedule(name, ts), f"tick at "
          f"{datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).isoformat()}")


def _show(evaluation: Any, what: str) -> None:
    if evaluation.error is not None:
        raise CliError(f"The {what} failed:\n{evaluation.error.to_string()}")
    for line in evaluation.log_lines:
        click.echo(f"log: {line}")
    if not evaluation.run_requests:
        click.echo(f"The {what} requests no run: {evaluation.skip_message}")
    for r in evaluation.run_requests:
        click.echo(json.dumps(r.to_json(), sort_keys=True))
    for c in evaluation.dynamic_partitions_changes:
        click.echo(f"dynamic partitions {c.kind.value} {c.partitions_def_name}: "
                   f"{list(c.partition_keys)}")


# ------------------------------------------------------------------------------- sensors

@click.group("sensor")
def sensor_group() -> None:
    """Sensors: list them, turn them on or off, preview an evaluation, set the cursor."""


@sensor_group.command("list")
@code_location_options
@click.option("--running", "only", flag_value="RUNNING", help="Only running sensors.")
@click.option("--stopped", "only", flag_value="STOPPED", help="Only stopped sensors.")
def sensor_list(location: LocationArgs, only: str | None) -> None:
    """Each sensor: kind, interval, running or stopped, cursor and last tick."""
    from headwater.storage.instigators import selector_id

    instance, code = _open(location)
    shown = 0
    for s in code.snapshot().sensors:
        status = _status(instance, code, s)
        if only and status != only:
            continue
        state = instance.get_instigator_state(selector_id(code.name, s.name))
        cursor = state.cursor if state is not None else None
        click.echo(f"{s.name}  [{status}]  {s.kind.value.lower()} every "
                   f"{s.minimum_interval_seconds}s  cursor: {cursor!r}  "
                   f"last: {_last_tick(instance, code, s.name)}")
        shown += 1
    if not shown:
        click.echo("No sensors.")


@sensor_group.command("start")
@code_location_options
@click.argument("name", required=False)
@click.option("--start-all", "every", is_flag=True, help="Start every sensor.")
def sensor_start(location: LocationArgs, name: str | None, every: bool) -> None:
    """Turn sensor NAME on."""
    _set("sensor", location, name, every, True)


@sensor_group.command("stop")
@code_location_options
@click.argument("name", required=False)
@click.option("--stop-all", "every", is_flag=True, help="Stop every sensor.")
def sensor_stop(location: LocationArgs, name: str | None, every: bool) -> None:
    """Turn sensor NAME off (its cursor is kept)."""
    _set("sensor", location, name, every, False)


@sensor_group.command("preview")
@code_location_options
@click.argument("name")
@click.option("--cursor", help="Evaluate from this cursor (default: the stored one).")
def sensor_preview(location: LocationArgs, name: str, cursor: str | None) -> None:
    """Evaluate sensor NAME once and show its run requests and new cursor; nothing is
    launched and the stored cursor is not changed."""
    from headwater.locations.contracts import SensorTickInput
    from headwater.storage.instigators import selector_id

    instance, code = _open(location)
    _pick("sensor", code.snapshot().sensors, name, False)
    if cursor is None:
        state = instance.get_instigator_state(selector_id(code.name, name))
        cursor = state.cursor if state is not None else None
    evaluation = code.evaluate_sensor(name, SensorTickInput(cursor=cursor))
    _show(evaluation, f"evaluation of sensor {name!r}")
    click.echo(f"cursor: {evaluation.cursor!r}")


@sensor_group.command("cursor")
@code_location_options
@click.argument("name")
@click.option("--set", "new", metavar="CURSOR", help="Store this cursor.")
@click.option("--delete", is_flag=True, help="Forget the cursor (the sensor starts over).")
def sensor_cursor(location: LocationArgs, name: str, new: str | None, delete: bool) -> None:
    """Show, set or delete sensor NAME's cursor."""
    from dataclasses import replace

    from headwater.storage.instigators import (
        InstigatorState,
        InstigatorStatus,
        InstigatorType,
        selector_id,
    )

    if new is not None and delete:
        raise CliError("Pass --set CURSOR or --delete, not both.")
    instance, code = _open(location)
    _pick("sensor", code.snapshot().sensors, name, False)
    state = instance.get_instigator_state(selector_id(code.name, name))
    if new is None and not delete:
        click.echo(repr(state.cursor if state is not None else None))
        return
    if state is None:
        state = InstigatorState(name, InstigatorType.SENSOR, InstigatorStatus.DECLARED_IN_CODE,
                                code.name)
    instance.set_instigator_state(replace(state, cursor=None if delete else new))
    click.echo(f"Sensor {name!r} cursor {'deleted' if delete else f'set to {new!r}'}.")
