"""``headwater dev``: everything a developer needs running, in one command (Dagster's
``dagster dev``).

It starts a code server for each code location of the workspace (``-w``, ``-m/-f``,
``pyproject.toml`` or ``./workspace.yaml``), serves the web UI and API (``http://127.0.0.1:3000``
unless ``--host``/``--port`` say otherwise), runs the daemon (schedules, sensors, the run queue,
run monitoring, backfills) in this process, and reloads a location when one of its Python files
changes (the old definitions stay served until the new ones load). The instance is a temporary
folder, removed on exit, unless HEADWATER_HOME (or DAGSTER_HOME) is set. Ctrl-C (or SIGTERM)
stops everything: runs in progress are canceled (then killed after a grace period), the code
servers stop, and no process is left behind. This process never imports user code.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import click

from headwater.cli.common import CliError, err
from headwater.cli.loading import WorkspaceArgs, workspace_options
from headwater.cli.serving import (
    host_port_options,
    log_level_option,
    report_load_errors,
    stop_on_signals,
)

STOP_GRACE_SECONDS = 10.0  # runs in progress get this long to stop between steps at Ctrl-C


@click.command("dev")
@workspace_options
@host_port_options
@click.option("--no-reload", is_flag=True, help="Do not reload code locations on file changes.")
@log_level_option
def dev_command(workspace: WorkspaceArgs, host: str, port: int, no_reload: bool) -> None:
    """Run the code locations, the web UI and the daemon for local development, until
    Ctrl-C."""
    from headwater.storage import Instance

    origins = workspace.origins()
    home, temporary = _home()
    instance = Instance.local(home)
    with stop_on_signals() as stop:
        _run(origins, instance, home, temporary, no_reload, stop, host, port)


def _run(origins: Any, instance: Any, home: str, temporary: bool, no_reload: bool,
         stop: threading.Event, host: str, port: int) -> None:
    from headwater.cli.web_command import preload_web, start_web
    from headwater.daemon.lease import DaemonAlreadyRunningError
    from headwater.daemon.runner import default_components, run_daemon
    from headwater.locations.manager import LocationManager

    began = time.monotonic()
    preload = preload_web()
    manager = web = None
    try:
        manager = LocationManager(origins, instance)
        preload.join()
        from headwater.web.server import WebServerError

        report_load_errors(manager, "failed to load (the others keep working; fix it and "
                           "save: it reloads)")
        if not no_reload:
            _watch(origins, manager, stop)
        components = default_components(instance, manager.locations)
        try:
            web = start_web(instance, manager, host, port)
        except WebServerError as e:
            raise CliError(str(e)) from None

        def ready() -> None:
            names = ", ".join(repr(o.name) for o in origins)
            err(f"headwater dev: code location(s) {names}, the daemon "
                f"({', '.join(c.name for c in components)}) and the web UI are up in "
                f"{time.monotonic() - began:.1f} s; instance: {home}"
                f"{' (temporary, removed on exit)' if temporary else ''}.")
            err(f"headwater dev: serving the web UI at {web.url}; Ctrl-C stops everything.")

        run_daemon(instance, components, stop, on_ready=ready)
    except DaemonAlreadyRunningError as e:
        raise CliError(f"{e} (headwater dev runs a daemon of its own).") from None
    finally:
        err("headwater dev: stopping…")
        if web is not None:
            web.stop()
        stopped = _stop_runs(instance)
        if stopped:
            err(f"headwater dev: stopped {stopped} run(s) in progress.")
        if manager is not None:
            manager.close()
        instance.dispose()
        if temporary:
            shutil.rmtree(home, ignore_errors=True)
        err("headwater dev: stopped.")


def _home() -> tuple[str, bool]:
    """HEADWATER_HOME / DAGSTER_HOME if set (kept), else a new temporary folder (removed)."""
    from headwater.storage import InstanceNotConfiguredError
    from headwater.storage.instance import resolve_home

    try:
        return resolve_home(), False
    except InstanceNotConfiguredError:
        home = tempfile.mkdtemp(prefix="headwater-dev-")
        os.environ["HEADWATER_HOME"] = home  # the code servers and their runs use it too
        return home, True


def _watch(origins: Any, manager: Any, stop: threading.Event) -> None:
    """Reload the locations when a Python file under their folders changes."""
    folders = sorted({str(_folder(o)) for o in origins})

    def loop() -> None:
        import watchfiles

        for changes in watchfiles.watch(*folders, watch_filter=watchfiles.PythonFilter(),
                                        stop_event=stop, debounce=300, raise_interrupt=False):
            changed = sorted({Path(path).name for _, path in changes})
            err(f"headwater dev: {', '.join(changed)} changed; reloading the code locations.")
            manager.reload()
            report_load_errors(manager, "failed to reload (its previous definitions stay in "
                               "use)")

    threading.Thread(target=loop, name="headwater-dev-watch", daemon=True).start()


def _folder(origin: Any) -> Path:
    from headwater.locations.origins import OriginKind

    if origin.kind in (OriginKind.PYTHON_FILE, OriginKind.PYPROJECT):
        return Path(origin.target).resolve().parent
    return Path(origin.working_directory or os.getcwd()).resolve()


def _stop_runs(instance: Any) -> int:
    """Cancel the runs in progress, wait for them to stop (a grace period), then kill the
    workers that are still alive and mark their runs failed. Returns how many there were."""
    from headwater.execution.cancel import request_cancel
    from headwater.storage.processes import is_alive
    from headwater.storage.runs import RunsFilter, RunStatus

    busy = [RunStatus.STARTING, RunStatus.STARTED, RunStatus.CANCELING]
    try:
        runs = instance.get_runs(RunsFilter(statuses=busy))
    except Exception:  # noqa: BLE001 - a broken instance must not keep dev from exiting
        return 0
    for run in runs:
        try:
            request_cancel(instance, run.run_id, "headwater dev is stopping")
        except Exception:  # noqa: BLE001 - the run may have finished meanwhile
            pass
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    ids = [r.run_id for r in runs]
    while ids and time.monotonic() < deadline:
        ids = [i for i in ids if not _finished(instance, i)]
        if ids:
            time.sleep(0.1)
    for run_id in ids:
        worker = instance.get_run_process(run_id)
        if worker is not None and is_alive(worker.process):
            try:
                os.kill(worker.process.pid, signal.SIGKILL)
            except OSError:
                pass
    if ids:
        instance.fail_dead_runs()
    return len(runs)


def _finished(instance: Any, run_id: str) -> bool:
    run = instance.get_run_by_id(run_id)
    return run is None or run.is_finished
