"""``headwater asset partitions KEY``: partition status as ranges."""

from __future__ import annotations

from headwater.cli.partition_commands import key_ranges
from tests.cli._helpers import in_fixtures


def test_key_ranges_group_consecutive_keys():
    keys = ["a", "b", "c", "d", "e", "f"]
    assert key_ranges(keys, {"a", "b", "c", "e"}) == ["a...c", "e"]
    assert key_ranges(keys, set()) == []
    assert key_ranges(keys, {"f"}) == ["f"]


def test_status_after_a_backfill_with_a_failed_day(monkeypatch):
    monkeypatch.setenv("HWCLI_FAIL_DAY", "2024-01-04")
    launched = in_fixtures("backfill", "launch", "--wait", "-m", "hwcli_daily", "--select",
                           "hwcli_raw_day", "--partitions", "2024-01-02...2024-01-05")
    assert launched.exit_code == 1, launched.output
    result = in_fixtures("asset", "partitions", "-m", "hwcli_daily", "hwcli_raw_day")
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.output.splitlines()[1:]}
    assert lines["materialized"].split()[1:] == ["3", "2024-01-02...2024-01-03,", "2024-01-05"]
    assert lines["failed"].split()[1:] == ["1", "2024-01-04"]
    assert lines["missing"].split()[1:] == ["6", "2024-01-01,", "2024-01-06...2024-01-10"]


def test_unknown_or_unpartitioned_asset_is_bad_input():
    unknown = in_fixtures("asset", "partitions", "-m", "hwcli_daily", "nope")
    assert unknown.exit_code == 2 and "No asset 'nope'" in unknown.output


def test_an_unpartitioned_asset_has_no_partition_status():
    plain = in_fixtures("asset", "partitions", "-m", "hwcli_snow", "raw_wind")
    assert plain.exit_code == 2, plain.output
    assert "'raw_wind' is not partitioned" in plain.output


def test_asset_list_names_each_assets_partitioning():
    result = in_fixtures("asset", "list", "-m", "hwcli_daily")
    assert result.exit_code == 0, result.output
    rows = {line.split()[0]: line for line in result.output.splitlines()[2:]}
    assert "daily" in rows["hwcli_raw_day"].split()
    assert "static" in rows["hwcli_by_letter"].split()


def test_run_list_shows_each_runs_partition():
    from tests.cli._helpers import run_cli

    in_fixtures("asset", "materialize", "-m", "hwcli_daily", "--select", "hwcli_raw_day",
                "--partition", "2024-01-03...2024-01-04")
    in_fixtures("asset", "materialize", "-m", "hwcli_daily", "--select", "hwcli_raw_day",
                "--partition", "2024-01-07")
    listed = run_cli("run", "list")
    assert listed.exit_code == 0, listed.output
    assert "2024-01-07" in listed.output and "2024-01-03...2024-01-04" in listed.output
