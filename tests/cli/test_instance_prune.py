"""``headwater instance prune``: old finished runs go, the latest facts of every asset stay."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest

from headwater.cli.instance_commands import parse_age

from ._helpers import in_fixtures, run_cli

DAY = 86400.0


def _materialize(selection: str) -> str:
    from headwater.storage import Instance

    result = in_fixtures("asset", "materialize", "-m", "hwcli_snow", "--select", selection)
    assert result.exit_code == 0, result.output
    with Instance.get() as instance:
        return instance.get_runs(limit=1)[0].run_id


def _failed() -> str:
    from headwater.storage import Instance

    in_fixtures("asset", "materialize", "-m", "hwcli_failing", "--select", "*")
    with Instance.get() as instance:
        return instance.get_runs(limit=1)[0].run_id


def _age(days: float, *run_ids: str) -> None:
    from headwater.storage import Instance

    with Instance.get() as instance:
        db = instance.database
        with db.write_cursor() as cursor:
            for run_id in run_ids:
                cursor.execute("UPDATE runs SET update_timestamp = ? WHERE run_id = ?",
                               (time.time() - days * DAY, run_id))


def _state() -> tuple[set[str], dict, int]:
    from headwater.storage import Instance

    with Instance.get() as instance:
        keys = instance.get_asset_keys()
        latest = {k.to_user_string(): r.storage_id
                  for k, r in instance.get_latest_materialization_records(keys).items()}
        events = sum(len(instance.all_logs(r.run_id)) for r in instance.get_runs())
        return {r.run_id for r in instance.get_runs()}, latest, events


def test_prune_deletes_old_runs_and_keeps_the_latest_materializations():
    superseded = _materialize("raw_wind")
    holds_latest = _materialize("raw_wind")
    failed = _failed()
    failed_again = _failed()  # holds the latest of what the failing location materializes
    new = _materialize("raw_depth")
    _age(40, superseded, holds_latest, failed)
    runs, latest, _ = _state()

    dry = run_cli("instance", "prune", "--older-than", "30d", "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "Would delete 2 runs" in dry.output and "Dry run: nothing was changed." in dry.output
    assert "Kept 1 older runs that hold assets' latest" in dry.output
    assert _state()[0] == runs

    kept = run_cli("instance", "prune", "--older-than", "4w", "--keep-failed")
    assert kept.exit_code == 0, kept.output
    assert "Deleted 1 run " in kept.output and "Kept 1 older failed runs" in kept.output
    assert _state()[0] == {holds_latest, failed, failed_again, new}

    done = run_cli("instance", "prune", "--older-than", "720h", "--batch-size", "1")
    assert "Deleted 1 run " in done.output and "in 1 batches" in done.output
    after, latest_after, _ = _state()
    assert after == {holds_latest, failed_again, new}
    assert latest_after == latest


def test_nothing_old_to_prune():
    _materialize("raw_wind")
    result = run_cli("instance", "prune", "--older-than", "1d")
    assert result.exit_code == 0, result.output
    assert "Deleted 0 runs" in result.output


@pytest.mark.parametrize("value", ["30", "30x", "d", "-3d", "nand", "1e300w", ""])
def test_a_bad_age_exits_2_with_a_clear_message(value):
    result = run_cli("instance", "prune", "--older-than", value)
    assert result.exit_code == 2
    assert f"--older-than {value!r} is not an age" in result.output
    assert "e.g. --older-than 30d" in result.output and "Traceback" not in result.output


def test_ages_in_every_unit():
    assert parse_age("45s") == timedelta(seconds=45)
    assert parse_age("90m") == timedelta(minutes=90)
    assert parse_age("1.5h") == timedelta(minutes=90)
    assert parse_age("30d") == timedelta(days=30)
    assert parse_age("2W") == timedelta(weeks=2)
    assert parse_age("0d") == timedelta(0)


def test_prune_without_an_instance_says_so(monkeypatch, tmp_path):
    monkeypatch.delenv("HEADWATER_HOME")
    monkeypatch.chdir(tmp_path)
    result = run_cli("instance", "prune", "--older-than", "30d")
    assert result.exit_code == 0
    assert "No runs yet: nothing to prune." in result.output


def test_the_instance_configuration_gives_the_defaults():
    import os

    old = _materialize("raw_wind")
    _materialize("raw_wind")
    failed = _failed()
    _failed()
    _age(40, old, failed)
    missing = run_cli("instance", "prune")
    assert missing.exit_code == 2 and "retention: runs: max_age_days" in missing.output
    home = os.environ["HEADWATER_HOME"]
    with open(os.path.join(home, "dagster.yaml"), "w") as f:
        f.write("retention:\n  runs:\n    max_age_days: 30\n    keep_failed: true\n")
    kept = run_cli("instance", "prune")
    assert kept.exit_code == 0, kept.output
    assert "Deleted 1 run " in kept.output and "Kept 1 older failed runs" in kept.output
    assert old not in _state()[0] and failed in _state()[0]
