"""PostgreSQL going away in the middle of a run: a restart between steps is ridden out; a
server that stays down fails the run's process with a clear error after bounded retries, and
what was stored before is intact."""

from __future__ import annotations

import pytest
from pg_server import PostgresServer, find_bindir

import headwater as dg
from headwater.definitions.errors import StorageError
from headwater.storage import RunStatus

SERVER: dict[str, PostgresServer] = {}
ACTION: dict[str, str] = {}


@dg.asset
def before() -> int:
    return 1


@dg.asset
def outage(before: int) -> int:
    server = SERVER["server"]
    if ACTION["do"] == "restart":
        server._run(["pg_ctl", "-D", server.data, "-l", f"{server.root}/server.log", "-m",
                     "fast", "-w", "restart"])
    else:
        server._run(["pg_ctl", "-D", server.data, "-m", "fast", "-w", "stop"])
    return before + 1


@dg.asset
def after(outage: int) -> int:
    return outage + 1


@pytest.fixture
def server(tmp_path):
    bindir = find_bindir()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed")
    server = PostgresServer(bindir).start()
    SERVER["server"] = server
    try:
        yield server
    finally:
        SERVER.clear()
        server.stop()


def _instance(server, tmp_path):
    name = server.create_database()
    instance = dg.Instance.from_url(server.url(name), root_directory=str(tmp_path))
    instance.database.reconnect_seconds = 2.0
    return instance


def test_a_restart_between_steps_does_not_fail_the_run(server, tmp_path):
    ACTION["do"] = "restart"
    with _instance(server, tmp_path) as instance:
        result = dg.materialize([before, outage, after], instance=instance)
        assert result.success
        assert instance.get_run_by_id(result.run_id).status == RunStatus.SUCCESS
        assert instance.get_latest_materialization_event(dg.AssetKey("after")) is not None


def test_a_server_that_stays_down_is_a_clear_error_and_keeps_what_was_stored(server, tmp_path):
    ACTION["do"] = "stop"
    instance = _instance(server, tmp_path)
    try:
        with pytest.raises(StorageError, match="Cannot reach PostgreSQL"):
            dg.materialize([before, outage, after], instance=instance)
        server._run(["pg_ctl", "-D", server.data, "-l", f"{server.root}/server.log", "-w",
                     "-o", f"-p {server.port} -k {server.root} -c listen_addresses=127.0.0.1",
                     "start"])
        (run,) = instance.get_runs()
        assert run.status == RunStatus.STARTED  # its process could not record the end
        assert instance.get_latest_materialization_event(dg.AssetKey("before")) is not None
        assert instance.get_latest_materialization_event(dg.AssetKey("after")) is None
        instance.report_run_failed(run, "PostgreSQL was down")
        assert instance.get_run_by_id(run.run_id).status == RunStatus.FAILURE
    finally:
        instance.dispose()
