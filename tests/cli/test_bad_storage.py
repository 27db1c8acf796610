"""Bad storage from the command line: a damaged database, a read-only instance (permissions and
a real read-only mount), a full disk. Each command exits 2 with a message that names the file
and says what to do, never a traceback; read commands work on a read-only instance; nothing
already recorded is lost. The fault cases run the real ``headwater`` command in a process."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import Result

import headwater
from headwater.storage.migrate import HEAD
from tests.storage._faults import (
    bound_by_permissions,
    overwrite_page,
    read_only_bind,
    small_tmpfs,
    table_leaf_pages,
)

from ._helpers import FIXTURES, in_fixtures, run_cli

SOURCE_ROOT = str(Path(headwater.__file__).resolve().parent.parent)
MATERIALIZE = ("asset", "materialize", "-d", str(FIXTURES), "-m", "hwcli_snow", "--select", "*")


def headwater_process(home: Path, *args: str, prefix: list[str] | None = None,
                      ) -> subprocess.CompletedProcess[str]:
    """The ``headwater`` command in a new process, on instance ``home``."""
    env = {**os.environ, "HEADWATER_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([SOURCE_ROOT, os.environ.get("PYTHONPATH", "")])}
    env.pop("DAGSTER_HOME", None)
    code = "from headwater.cli.main import main; main()"
    return subprocess.run([*(prefix or []), sys.executable, "-c", code, *args],
                          capture_output=True, text=True, env=env, timeout=120, cwd="/")


_BATCH = """
import json, sys
from click.testing import CliRunner
from headwater.cli.main import cli
results = []
for args in json.loads(sys.argv[1]):
    r = CliRunner().invoke(cli, args)
    crash = None if r.exception is None or isinstance(r.exception, SystemExit) else repr(r.exception)
    results.append([r.exit_code, r.output, crash])
print(json.dumps(results))
"""


def headwater_batch(home: Path, commands: list[list[str]], prefix: list[str],
                    ) -> list[tuple[int, str]]:
    """Several ``headwater`` commands, one after the other, in one new process (bound by
    ``prefix``): (exit code, output) of each; none may crash with a traceback."""
    env = {**os.environ, "HEADWATER_HOME": str(home),
           "PYTHONPATH": os.pathsep.join([SOURCE_ROOT, os.environ.get("PYTHONPATH", "")])}
    env.pop("DAGSTER_HOME", None)
    done = subprocess.run([*prefix, sys.executable, "-c", _BATCH, json.dumps(commands)],
                          capture_output=True, text=True, env=env, timeout=300, cwd="/")
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout.splitlines()[-1])
    for args, (_, output, crash) in zip(commands, results, strict=True):
        assert crash is None and "Traceback" not in output, (args, crash, output)
    return [(code, output) for code, output, _ in results]


def _db(home: Path) -> Path:
    return home / "history" / "headwater.db"


def _assert_clean_exit_2(done: subprocess.CompletedProcess[str] | Result, *needles: str) -> str:
    """Exit 2, no traceback, every needle in the output (stdout and stderr)."""
    if isinstance(done, subprocess.CompletedProcess):
        out, code = done.stdout + done.stderr, done.returncode
    else:
        out, code = done.output, done.exit_code
    assert code == 2, out
    assert "Traceback" not in out and not re.search(r"sqlite3\.\w+Error", out), out
    assert 'File "' not in out, out  # no frames at all
    for needle in needles:
        assert needle in out, out
    return out


def _tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` and a hash of its bytes."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _record_runs(count: int) -> list[str]:
    ids = []
    for _ in range(count):
        result = run_cli(*MATERIALIZE)
        assert result.exit_code == 0, result.output
        ids.append(re.findall(r"Run ([0-9a-f-]{36}): SUCCESS", result.output)[0])
    return ids


# ------------------------------------------------------------------------ damaged database

def test_damaged_page_of_runs_every_command_exits_2_with_what_to_do(home):
    run_ids = _record_runs(12)
    overwrite_page(_db(home), table_leaf_pages(_db(home), "runs")[-1], b"\x5a")
    commands = [["run", "list"], list(MATERIALIZE), ["run", "show", run_ids[-1]],
                ["run", "logs", run_ids[-1]],
                ["backfill", "launch", "--wait", "-d", str(FIXTURES), "-m", "hwcli_daily",
                 "--select", "hwcli_raw_day", "--partitions", "2024-01-02"]]
    results = headwater_batch(home, [*commands, ["instance", "check"]], [])
    for args, (code, output) in zip(commands, results, strict=False):
        assert code == 2, (args, output)
        for needle in (str(_db(home)), "damaged", "headwater instance check", ".recover"):
            assert needle in output, (args, output)
    code, output = results[-1]
    assert code == 2 and "table runs" in output and ".recover" in output, output
    assert f"Revision  {HEAD}" in output


def test_damaged_page_in_the_middle_of_the_event_log(home):
    run_ids = _record_runs(12)
    leaves = table_leaf_pages(_db(home), "event_logs")
    overwrite_page(_db(home), leaves[len(leaves) // 2])
    # Listing runs reads no event: it shows every run, correctly.
    listed = headwater_process(home, "run", "list", "--limit", "50")
    assert listed.returncode == 0 and all(r in listed.stdout for r in run_ids)
    # Showing a run whose events are on the damaged page says so.
    outcomes = [run_cli("run", "show", r) for r in run_ids]
    damaged = [o for o in outcomes if o.exit_code != 0]
    assert damaged and len(damaged) < len(run_ids)
    for outcome in damaged:
        _assert_clean_exit_2(outcome, "damaged", "headwater instance check")
    # The check finds it and names the table.
    _assert_clean_exit_2(headwater_process(home, "instance", "check"), "table event_logs",
                         "headwater.db from a backup")


def test_not_a_database_and_truncated(home):
    _record_runs(3)
    size = _db(home).stat().st_size
    os.truncate(_db(home), size // 2)
    _assert_clean_exit_2(headwater_process(home, "run", "list"), "damaged", str(_db(home)))
    _db(home).write_bytes(b"PK\x03\x04 a zip file, not sqlite" * 50)
    _assert_clean_exit_2(headwater_process(home, "run", "list"), "not a SQLite database")
    _assert_clean_exit_2(run_cli(*MATERIALIZE), "not a SQLite database")
    _assert_clean_exit_2(run_cli("instance", "check"), "not a database")
    assert _db(home).read_bytes() == b"PK\x03\x04 a zip file, not sqlite" * 50


def test_instance_check_on_a_whole_instance(home):
    _record_runs(2)
    result = run_cli("instance", "check")
    assert result.exit_code == 0, result.output
    assert "Result    OK" in result.output and f"Revision  {HEAD}" in result.output


# ------------------------------------------------------------------------ read-only instance

READ_COMMANDS = [("run", "list"), ("run", "show", "{run}"), ("run", "logs", "{run}"),
                 ("asset", "list", "-d", str(FIXTURES), "-m", "hwcli_snow"),
                 ("asset", "partitions", "-d", str(FIXTURES), "-m", "hwcli_daily",
                  "hwcli_raw_day"),
                 ("backfill", "list"), ("backfill", "show", "{backfill}"),
                 ("instance", "check")]


def _populated_home(home: Path) -> tuple[str, str]:
    (run_id,) = _record_runs(1)
    launched = in_fixtures("backfill", "launch", "-m", "hwcli_daily", "--select",
                           "hwcli_raw_day", "--partitions", "2024-01-02")
    assert launched.exit_code == 0, launched.output
    backfill_id = re.findall(r"Backfill (\S+):", launched.output)[0]
    return run_id, backfill_id


def _read_only_commands_work(home: Path, run_id: str, backfill_id: str,
                             prefix: list[str]) -> None:
    """Every read command works; materialize exits 2 saying the instance is read-only."""
    reads = [[a.format(run=run_id, backfill=backfill_id) for a in c] for c in READ_COMMANDS]
    results = headwater_batch(home, [*reads, list(MATERIALIZE)], prefix)
    for args, (code, output) in zip(reads, results, strict=False):
        assert code == 0, (args, output)
    assert run_id in results[0][1] and backfill_id in results[5][1]
    assert "Result    OK" in results[-2][1] and "read-only" in results[-2][1]
    code, output = results[-1]
    assert code == 2 and "read-only" in output and str(_db(home)) in output, output
    assert "missing or not accessible" not in output


def test_read_only_mount(home, tmp_path):
    run_id, backfill_id = _populated_home(home)
    before = _tree(home)
    with read_only_bind(home, tmp_path / "ro") as mounted:
        _read_only_commands_work(mounted, run_id, backfill_id, [])
        assert _tree(mounted) == before  # nothing created, nothing changed
    assert _tree(home) == before


def test_read_only_by_permissions(home):
    prefix = bound_by_permissions()
    run_id, backfill_id = _populated_home(home)
    before = _tree(home)
    history = home / "history"
    modes = {p: p.stat().st_mode for p in (home, history, _db(home))}
    try:
        for path in modes:
            path.chmod(0o555 if path.is_dir() else 0o444)
        _read_only_commands_work(home, run_id, backfill_id, prefix)
    finally:
        for path, mode in modes.items():
            path.chmod(mode)
    assert _tree(home) == before
    # writable again: the same instance records runs as before
    assert len(_record_runs(1)) == 1


# ------------------------------------------------------------------------ full disk

def test_disk_full_while_a_run_writes_its_events(tmp_path):
    chatty = ["asset", "materialize", "-d", str(FIXTURES), "-m", "hwcli_chatty", "--select"]
    with small_tmpfs(tmp_path / "small", "1m") as disk:
        home = disk / "home"
        # The chatty asset's log events (~1.6 MB) cannot fit on the 1 MB disk.
        (quiet, ok), (code, output), (_, listed), (_, checked) = headwater_batch(
            home, [[*chatty, "quiet"], [*chatty, "chatty"], ["run", "list"],
                   ["instance", "check"]], [])
        assert quiet == 0, ok
        assert code == 2, output
        for needle in ("the disk is full", str(_db(home)), "Free some space"):
            assert needle in output
        statuses = re.findall(r"^[0-9a-f]{8}-\S+\s+\S+\s+(\S+)", listed, re.M)
        assert statuses == ["FAILURE", "SUCCESS"], listed  # the run ended, not left open
        assert "Result    OK" in checked, checked
        from headwater.storage import Instance

        with Instance.local(home) as instance:
            failed, earlier = instance.get_runs()
            assert earlier.is_success and len(instance.all_logs(earlier.run_id)) > 5
            # nothing of the step that filled the disk was half-stored
            kinds = {e.dagster_event.event_type_value for e in instance.all_logs(failed.run_id)
                     if e.dagster_event is not None}
            assert "ASSET_MATERIALIZATION" not in kinds and "STEP_SUCCESS" not in kinds
            assert "PIPELINE_FAILURE" in kinds
            assert instance.get_latest_materialization_event(
                headwater.AssetKey("chatty")) is None
        shutil.rmtree(home)
