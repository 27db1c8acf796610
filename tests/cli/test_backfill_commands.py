"""``headwater backfill launch|resume|list|show|cancel`` and ``asset materialize --partition``."""

from __future__ import annotations

import re
from typing import Any

import pytest

import headwater as dg
from tests.cli._helpers import in_fixtures, run_cli


def backfill_id(output: str) -> str:
    match = re.search(r"Backfill ([a-z]{8})", output)
    assert match, output
    return match.group(1)


def materialized(name: str) -> set[str]:
    from headwater.storage import Instance

    with Instance.get() as instance:
        return instance.get_materialized_partitions(dg.AssetKey(name))


def test_launch_range_one_run_per_partition_then_list_and_show():
    result = in_fixtures("backfill", "launch", "--wait", "-m", "hwcli_daily", "--select",
                         "hwcli_raw_day+", "--partitions", "2024-01-02...2024-01-05")
    assert result.exit_code == 0, result.output
    assert "COMPLETED_SUCCESS" in result.output and "4 of 4 partitions" in result.output
    assert materialized("hwcli_clean_day") == {"2024-01-02", "2024-01-03", "2024-01-04",
                                               "2024-01-05"}
    bid = backfill_id(result.output)
    listed = run_cli("backfill", "list")
    assert listed.exit_code == 0 and bid in listed.output and "4 ok" in listed.output
    shown = run_cli("backfill", "show", bid)
    assert shown.exit_code == 0, shown.output
    assert "4 materialized, 0 failed" in shown.output
    assert "hwcli_raw_day, hwcli_clean_day" in shown.output


def test_single_run_policy():
    result = in_fixtures("backfill", "launch", "--wait", "-m", "hwcli_daily", "--select",
                         "hwcli_raw_day+", "--all-partitions", "--policy", "single-run")
    assert result.exit_code == 0, result.output
    assert "1 run(s)" in result.output and "10 of 10" in result.output


def test_a_failed_partition_exits_1_and_the_rest_are_done(monkeypatch):
    monkeypatch.setenv("HWCLI_FAIL_DAY", "2024-01-03")
    result = in_fixtures("backfill", "launch", "--wait", "-m", "hwcli_daily", "--select",
                         "hwcli_raw_day+", "--partitions", "2024-01-02,2024-01-03,2024-01-04")
    assert result.exit_code == 1
    assert "COMPLETED_FAILED" in result.output and "1 failed" in result.output
    assert materialized("hwcli_clean_day") == {"2024-01-02", "2024-01-04"}


@pytest.mark.parametrize("args, message", [
    (["--select", "hwcli_nothing_like_this", "--all-partitions"], "hwcli_nothing_like_this"),
    (["--select", "hwcli_raw_day or hwcli_by_letter", "--all-partitions"],
     "incompatible partitionings"),
    (["--select", "hwcli_raw_day", "--partitions", "2024-02-30"], "2024-02-30"),
    (["--select", "hwcli_raw_day", "--partitions", "2024-01-05...2024-01-02"], "reversed"),
    (["--select", "hwcli_raw_day", "--partitions", "2024-01-05", "--policy", "sometimes"],
     "--policy"),
    (["--select", "hwcli_raw_day"], "--partitions"),
    (["--select", "hwcli_raw_day", "--from", "2024-01-02"], "--from and --to go together"),
    (["--select", "hwcli_raw_day", "--from", "2024-01-02", "--to", "2024-01-03",
      "--partitions", "2024-01-05"], "not both"),
])
def test_bad_input_exits_2_and_stores_no_backfill(args, message):
    result = in_fixtures("backfill", "launch", "-m", "hwcli_daily", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert "Traceback" not in result.output
    listed = run_cli("backfill", "list")
    assert "No backfills" in listed.output


def test_show_and_cancel_unknown_backfill():
    for args in (["show", "nosuchid"], ["cancel", "nosuchid"]):
        result = run_cli("backfill", *args)
        assert result.exit_code == 2 and "No backfill 'nosuchid'" in result.output


def test_cancel_a_backfill_nobody_runs_cancels_it_at_once():
    import hwcli_daily

    from headwater.execution.backfill import launch_backfill
    from headwater.storage import Instance

    with Instance.get() as instance:
        b = launch_backfill(hwcli_daily.defs, "hwcli_raw_day", instance=instance,
                            all_partitions=True)
    cancel = run_cli("backfill", "cancel", b.backfill_id)
    assert cancel.exit_code == 0 and "CANCELED (no process" in cancel.output
    resumed = in_fixtures("backfill", "resume", "-m", "hwcli_daily", b.backfill_id)
    assert resumed.exit_code == 2 and "already finished (CANCELED)" in resumed.output
    assert materialized("hwcli_raw_day") == set()


def test_resume_runs_only_what_is_left():
    import hwcli_daily

    from headwater.execution.backfill import launch_backfill
    from headwater.storage import Instance

    with Instance.get() as instance:
        b = launch_backfill(hwcli_daily.defs, "hwcli_raw_day", instance=instance,
                            partition_keys=["2024-01-01", "2024-01-02"])
        dg.materialize([hwcli_daily.hwcli_raw_day], partition_key="2024-01-01",
                       instance=instance, tags={"dagster/backfill": b.backfill_id})
    resumed = in_fixtures("backfill", "resume", "-m", "hwcli_daily", b.backfill_id)
    assert resumed.exit_code == 0, resumed.output
    assert "1 partition(s) already materialized" in resumed.output
    assert "2 of 2 partitions materialized" in resumed.output and "1 run(s)" in resumed.output


def test_materialize_one_partition_and_a_range():
    one = in_fixtures("asset", "materialize", "-m", "hwcli_daily", "--select", "hwcli_raw_day",
                      "--partition", "2024-01-07")
    assert one.exit_code == 0, one.output
    rng = in_fixtures("asset", "materialize", "-m", "hwcli_daily", "--select", "hwcli_raw_day",
                      "--partition", "2024-01-08...2024-01-09")
    assert rng.exit_code == 0, rng.output
    assert materialized("hwcli_raw_day") == {"2024-01-07", "2024-01-08", "2024-01-09"}
    bad = in_fixtures("asset", "materialize", "-m", "hwcli_daily", "--select", "hwcli_raw_day",
                      "--partition", "1999-01-01")
    assert bad.exit_code == 2 and "1999-01-01" in bad.output


def test_materialize_partitioned_assets_without_a_partition_is_bad_input():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_daily", "--select", "*")
    assert result.exit_code == 2
    assert "partitioned asset(s) hwcli_raw_day" in result.output and "--partition" in result.output


def test_hourly_then_daily_backfill_from_the_command_line():
    result = in_fixtures("backfill", "launch", "--wait", "-m", "hwcli_daily", "--select",
                         "hwcli_hourly+",
                         "--partitions", "2024-01-01-00:00...2024-01-02-23:00",
                         "--policy", "multi-run:24")
    assert result.exit_code == 0, result.output
    assert "50 of 50 partitions materialized" in result.output  # 48 hours, then 2 days
    assert materialized("hwcli_daily_rollup") == {"2024-01-01", "2024-01-02"}
    shown = run_cli("backfill", "show", backfill_id(result.output))
    assert "48 materialized" in shown.output and "later stages 1 run(s): 1 succeeded" in shown.output


# ------------------------------------------------------------------ launched for the daemon

def _drive_daemon(backfill_id: str) -> Any:
    """What `headwater daemon run` does, pass by pass, in this process."""
    import hwcli_daily

    from headwater.daemon.backfills import BackfillComponent
    from headwater.daemon.queue import QueueComponent
    from headwater.locations.in_process import InProcessLocation
    from headwater.storage import Instance

    with Instance.get() as instance:
        location = InProcessLocation.from_definitions("hwcli_daily", hwcli_daily.defs, instance)
        backfills = BackfillComponent(instance, [location])
        queue = QueueComponent(instance, {"hwcli_daily": location})
        for _ in range(20):
            backfills.run_iteration()
            queue.run_iteration()
            assert location.wait_for_runs(60)
            backfill = instance.get_backfill(backfill_id)
            if backfill.is_finished:
                return backfill
    raise AssertionError(f"backfill {backfill_id} did not finish")


def test_launch_returns_at_once_and_the_daemon_carries_it_out():
    result = in_fixtures("backfill", "launch", "-m", "hwcli_daily", "--select", "hwcli_raw_day+",
                         "--from", "2024-01-02", "--to", "2024-01-05")
    assert result.exit_code == 0, result.output
    bid = backfill_id(result.output)
    assert "headwater daemon run" in result.output and "hwcli_daily" in result.output
    assert materialized("hwcli_clean_day") == set()  # nothing ran here
    assert "REQUESTED" in run_cli("backfill", "show", bid).output
    assert _drive_daemon(bid).status.value == "COMPLETED_SUCCESS"
    assert materialized("hwcli_clean_day") == {"2024-01-02", "2024-01-03", "2024-01-04",
                                               "2024-01-05"}
    shown = run_cli("backfill", "show", bid)
    assert "COMPLETED_SUCCESS" in shown.output and "4 materialized, 0 failed" in shown.output


def test_cancel_a_backfill_queued_for_the_daemon_before_it_ran():
    result = in_fixtures("backfill", "launch", "-m", "hwcli_daily", "--select", "hwcli_raw_day",
                         "--all", "--policy", "multi-run:5")
    assert result.exit_code == 0, result.output
    bid = backfill_id(result.output)
    cancel = run_cli("backfill", "cancel", bid)
    assert cancel.exit_code == 0 and "CANCELED" in cancel.output, cancel.output
    assert _drive_daemon(bid).status.value == "CANCELED"
    assert materialized("hwcli_raw_day") == set()


def test_hourly_then_daily_through_the_daemon_queues_the_days_after_their_hours():
    from headwater.daemon.backfills import BackfillComponent
    from headwater.storage import Instance

    result = in_fixtures("backfill", "launch", "-m", "hwcli_daily", "--select", "hwcli_hourly+",
                         "--partitions", "2024-01-01-00:00...2024-01-02-23:00",
                         "--policy", "multi-run:24")
    assert result.exit_code == 0, result.output
    bid = backfill_id(result.output)
    with Instance.get() as instance:
        BackfillComponent(instance, []).run_iteration()  # no location served: FAILED
        assert instance.get_backfill(bid).error and "hwcli_daily" in instance.get_backfill(
            bid).error
    again = in_fixtures("backfill", "launch", "-m", "hwcli_daily", "--select", "hwcli_hourly+",
                        "--partitions", "2024-01-01-00:00...2024-01-02-23:00",
                        "--policy", "multi-run:24")
    bid = backfill_id(again.output)
    assert _drive_daemon(bid).status.value == "COMPLETED_SUCCESS"
    assert materialized("hwcli_daily_rollup") == {"2024-01-01", "2024-01-02"}
    with Instance.get() as instance:
        runs = instance.get_backfill_runs(bid)
    assert [(r.stage, r.partition_range_start, r.partition_range_end) for r in runs] == [
        ("0", "2024-01-01-00:00", "2024-01-01-23:00"), ("0", "2024-01-02-00:00", "2024-01-02-23:00"),
        ("1", "2024-01-01", "2024-01-02")]


def _failed_for_the_daemon() -> str:
    """A backfill launched for the daemon that FAILED: no daemon served its code location."""
    from headwater.daemon.backfills import BackfillComponent
    from headwater.storage import Instance

    result = in_fixtures("backfill", "launch", "-m", "hwcli_daily", "--select", "hwcli_raw_day",
                         "--partitions", "2024-01-02,2024-01-03")
    assert result.exit_code == 0, result.output
    bid = backfill_id(result.output)
    with Instance.get() as instance:
        BackfillComponent(instance, []).run_iteration()
        assert instance.get_backfill(bid).status.value == "FAILED"
    return bid


def test_resume_of_a_daemon_backfill_requests_it_and_returns_at_once():
    from headwater.storage import Instance

    bid = _failed_for_the_daemon()
    # No code location given: the backfill names its own, and nothing is imported or run here.
    resumed = run_cli("backfill", "resume", bid)
    assert resumed.exit_code == 0, resumed.output
    assert resumed.output.splitlines()[0] == bid
    assert "REQUESTED again for the daemon of code location 'hwcli_daily'" in resumed.output
    assert materialized("hwcli_raw_day") == set()
    with Instance.get() as instance:
        backfill = instance.get_backfill(bid)
        assert backfill.status.value == "REQUESTED" and backfill.error is None
    again = run_cli("backfill", "resume", bid)
    assert again.exit_code == 0 and "already REQUESTED" in again.output
    assert _drive_daemon(bid).status.value == "COMPLETED_SUCCESS"
    assert materialized("hwcli_raw_day") == {"2024-01-02", "2024-01-03"}
    done = run_cli("backfill", "resume", bid)
    assert done.exit_code == 2 and "already finished (COMPLETED_SUCCESS)" in done.output


def test_resume_wait_carries_a_daemon_backfill_out_here():
    bid = _failed_for_the_daemon()
    resumed = in_fixtures("backfill", "resume", "--wait", "-m", "hwcli_daily", bid)
    assert resumed.exit_code == 0, resumed.output
    assert "2 of 2 partitions materialized" in resumed.output
    assert materialized("hwcli_raw_day") == {"2024-01-02", "2024-01-03"}
