"""The code server as a real process on 127.0.0.1: start, snapshot, a load error kept (user
frames only) with the server still up, reload keeping the old snapshot until the new one
loads, kill -9, and no server outliving its parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from headwater.locations.client import RemoteLocation
from headwater.locations.contracts import LocationLoadError, LocationUnavailableError
from headwater.locations.factory import load_location
from headwater.locations.origins import LocationOrigin, OriginKind
from headwater.locations.server import LISTENING

REPO = Path(__file__).resolve().parents[2]

MODULE = textwrap.dedent('''
    import headwater as dg

    @dg.asset
    def {asset}() -> int:
        return 1

    defs = dg.Definitions(assets=[{asset}])
''')

BROKEN = textwrap.dedent('''
    def read_config():
        raise RuntimeError("hwloc config is missing")

    CONFIG = read_config()
''')


@pytest.fixture(autouse=True)
def _no_bytecode(monkeypatch):
    # files are rewritten within the same second in these tests: never read a stale .pyc
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")


@pytest.fixture
def locations():
    started: list[RemoteLocation] = []

    def start(origin: LocationOrigin) -> RemoteLocation:
        location = load_location(origin, None)
        assert isinstance(location, RemoteLocation)
        started.append(location)
        return location

    yield start
    for location in started:
        location.close()
        assert location.process is not None and not location.process.alive()


def _asset_keys(location) -> list[tuple[str, ...]]:
    return [a.key for a in location.snapshot().assets]


def _gone(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/status") as f:
            return any(line.startswith("State:") and "Z" in line.split()[1] for line in f)
    except FileNotFoundError:
        return True


def _wait_until(condition, timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_start_then_snapshot_and_ping(tmp_path, locations):
    path = tmp_path / "hwloc_served.py"
    path.write_text(MODULE.format(asset="hwloc_served_asset"))
    location = locations(LocationOrigin(OriginKind.PYTHON_FILE, str(path), location_name="srv"))
    assert location.host == "127.0.0.1" and location.port > 0
    assert _asset_keys(location) == [("hwloc_served_asset",)]
    snapshot = location.snapshot()  # unchanged: served from the client's copy
    assert snapshot.location_name == "srv"
    status = location.ping()
    assert status["pid"] == location.process.pid and status["load_error"] is None
    assert location.load_error is None


def test_a_load_error_is_kept_with_user_frames_and_the_server_stays_up(tmp_path, locations):
    path = tmp_path / "hwloc_broken_srv.py"
    path.write_text(BROKEN)
    location = locations(LocationOrigin(OriginKind.PYTHON_FILE, str(path)))
    error = location.load_error
    assert error is not None and error.cause is not None
    frames = "".join(error.cause.stack)
    assert "hwloc_broken_srv.py" in frames and "read_config" in frames
    assert "headwater" not in frames and "importlib" not in frames
    assert "RuntimeError: hwloc config is missing" in error.cause.message
    with pytest.raises(LocationLoadError) as caught:
        location.snapshot()
    assert "hwloc config is missing" in str(caught.value)
    with pytest.raises(LocationLoadError):
        location.launch_run("no-run")
    assert location.ping()["pid"] == location.process.pid  # still serving


def test_reload_keeps_the_old_snapshot_until_the_new_one_loads(tmp_path, locations):
    module = tmp_path / "hwloc_reloaded.py"
    helper = tmp_path / "hwloc_reloaded_helper.py"
    helper.write_text("NAME = 'hwloc_first'\n")
    module.write_text(MODULE.format(asset="first").replace(
        "import headwater as dg", "import headwater as dg\nimport hwloc_reloaded_helper"))
    location = locations(LocationOrigin(OriginKind.PYTHON_MODULE, "hwloc_reloaded",
                                        working_directory=str(tmp_path)))
    assert _asset_keys(location) == [("first",)]

    module.write_text(BROKEN)
    location.reload()
    assert location.load_error is not None  # the new code failed ...
    assert _asset_keys(location) == [("first",)]  # ... and the old snapshot is still served

    helper.write_text("NAME = 'hwloc_second_asset'\n")
    module.write_text(textwrap.dedent('''
        import headwater as dg
        import hwloc_reloaded_helper

        @dg.asset(name=hwloc_reloaded_helper.NAME)
        def second() -> int:
            return 2

        defs = dg.Definitions(assets=[second])
    '''))
    location.reload()
    assert location.load_error is None
    assert _asset_keys(location) == [("hwloc_second_asset",)]  # user modules re-imported


def test_kill_9_of_the_server_is_location_unavailable(tmp_path, locations):
    path = tmp_path / "hwloc_killed.py"
    path.write_text(MODULE.format(asset="hwloc_killed_asset"))
    location = locations(LocationOrigin(OriginKind.PYTHON_FILE, str(path)))
    location.snapshot()  # a pooled connection is open
    os.kill(location.process.pid, signal.SIGKILL)
    location.process.process.wait(10)
    with pytest.raises(LocationUnavailableError):
        location.snapshot()
    with pytest.raises(LocationUnavailableError):
        location.ping()


def test_the_server_exits_when_its_parent_dies(tmp_path):
    path = tmp_path / "hwloc_orphan.py"
    path.write_text(MODULE.format(asset="hwloc_orphan_asset"))
    parent_code = textwrap.dedent(f'''
        import sys, time
        from headwater.locations.origins import LocationOrigin, OriginKind
        from headwater.locations.process import start_code_server
        server = start_code_server(LocationOrigin(OriginKind.PYTHON_FILE, {str(path)!r}))
        print(server.pid, flush=True)
        sys.stdin.read()  # until the test kills this process
    ''')
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    parent = subprocess.Popen([sys.executable, "-c", parent_code], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, env=env)
    server_pid = None
    try:
        assert parent.stdout is not None
        server_pid = int(parent.stdout.readline())
        assert not _gone(server_pid)
        parent.kill()
        parent.wait(10)
        assert _wait_until(lambda: _gone(server_pid)), "the code server outlived its parent"
    finally:
        parent.kill()
        parent.wait(10)
        if server_pid is not None and not _gone(server_pid):
            os.kill(server_pid, signal.SIGKILL)


def test_cli_code_server_start_prints_its_address(tmp_path):
    path = tmp_path / "hwloc_cli_served.py"
    path.write_text(MODULE.format(asset="hwloc_cli_asset"))
    env = {**os.environ, "PYTHONPATH": str(REPO), "HEADWATER_HOME": str(tmp_path / "home")}
    server = subprocess.Popen(
        [sys.executable, "-c", "from headwater.cli.main import main; main()", "code-server",
         "start", "-f", str(path), "--location-name", "cli_loc", "--port", "0",
         "--watch-stdin"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env)
    try:
        assert server.stdout is not None
        line = server.stdout.readline().decode().strip()
        assert line.startswith(LISTENING), line
        host, _, port = line[len(LISTENING):].strip().rpartition(":")
        assert host == "127.0.0.1"
        location = RemoteLocation("cli_loc", host, int(port))
        snapshot = location.snapshot()
        assert snapshot.location_name == "cli_loc"
        assert [a.key for a in snapshot.assets] == [("hwloc_cli_asset",)]
        location.call("shutdown")
        assert server.wait(20) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)


PARTITIONED = textwrap.dedent('''
    import headwater as dg

    days = dg.DailyPartitionsDefinition(start_date="2024-01-01")

    @dg.asset(partitions_def=days, backfill_policy=dg.BackfillPolicy.multi_run(2))
    def hwloc_daily(context) -> str:
        return context.partition_key

    @dg.asset
    def hwloc_plain() -> int:
        return 1

    defs = dg.Definitions(assets=[hwloc_daily, hwloc_plain])
''')


def test_the_server_plans_and_stores_a_backfill_for_the_daemon(tmp_path, locations,
                                                                monkeypatch):
    from headwater.locations.contracts import BackfillRequest, InvalidRequestError
    from headwater.storage import Instance

    monkeypatch.setenv("HEADWATER_HOME", str(tmp_path / "home"))
    path = tmp_path / "hwloc_backfills.py"
    path.write_text(PARTITIONED)
    location = locations(LocationOrigin(OriginKind.PYTHON_FILE, str(path),
                                        location_name="bfsrv"))
    backfill_id = location.launch_backfill(BackfillRequest(
        "hwloc_daily", partition_range=("2024-01-01", "2024-01-05"), tags=(("team", "snow"),),
        title="five days"))
    with Instance.get() as instance:
        backfill = instance.get_backfill(backfill_id)
    assert backfill.partition_keys[0] == "2024-01-01" and len(backfill.partition_keys) == 5
    assert backfill.max_partitions_per_run == 2 and backfill.plan.run_count == 3
    assert backfill.tags == {"team": "snow", "headwater/code_location": "bfsrv"}
    assert backfill.title == "five days"
    with pytest.raises(InvalidRequestError, match="partitioned"):
        location.launch_backfill(BackfillRequest((("hwloc_plain",),), all_partitions=True))
    with pytest.raises(InvalidRequestError, match="someday"):
        location.launch_backfill(BackfillRequest("hwloc_daily", partition_keys=("someday",)))
