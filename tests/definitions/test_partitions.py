"""Partition definitions: keys, ranges, windows, timezones, multi keys and large key sets."""

from __future__ import annotations

import datetime

import pytest

import headwater as dg

UTC = datetime.timezone.utc


def test_static_keys_ranges_and_validation():
    p = dg.StaticPartitionsDefinition(["a", "b", "c", "d", "e"])
    assert p.get_partition_keys() == ["a", "b", "c", "d", "e"]
    assert p.get_partition_keys_in_range(dg.PartitionKeyRange("b", "d")) == ["b", "c", "d"]
    assert p.has_partition_key("c") and not p.has_partition_key("z")
    with pytest.raises(dg.InvalidInvocationError, match="reversed"):
        p.get_partition_keys_in_range(dg.PartitionKeyRange("d", "b"))
    with pytest.raises(dg.UnknownPartitionError, match=r"StaticPartitionsDefinition.*'a', 'b'"):
        p.validate_partition_key("z")
    with pytest.raises(dg.DagsterUnknownPartitionError):
        p.get_partition_keys_in_range(dg.PartitionKeyRange("a", "zz"))


def test_static_duplicates_named():
    with pytest.raises(dg.InvalidDefinitionError, match=r"\['x'\]"):
        dg.StaticPartitionsDefinition(["x", "y", "x"])


def test_daily_keys_window_and_offsets():
    d = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-05", hour_offset=3)
    assert d.cron_schedule == "0 3 * * *"
    assert d.get_partition_keys() == ["2024-01-01", "2024-01-02", "2024-01-03"]
    tw = d.time_window_for_partition_key("2024-01-02")
    assert tw == dg.TimeWindow(datetime.datetime(2024, 1, 2, 3, tzinfo=UTC),
                               datetime.datetime(2024, 1, 3, 3, tzinfo=UTC))
    with pytest.raises(dg.UnknownPartitionError, match="DailyPartitionsDefinition.*2024-01-01"):
        d.validate_partition_key("2024-02-30")


def test_open_ended_uses_current_time_and_end_offset():
    now = datetime.datetime(2024, 1, 3, 5, tzinfo=UTC)
    assert dg.DailyPartitionsDefinition(start_date="2024-01-01").get_partition_keys(
        current_time=now) == ["2024-01-01", "2024-01-02"]
    ahead = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_offset=1)
    assert ahead.get_partition_keys(current_time=now)[-1] == "2024-01-03"
    behind = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_offset=-1)
    assert behind.get_partition_keys(current_time=now) == ["2024-01-01"]
    # a window in the future still has a time window
    tw = behind.time_window_for_partition_key("2999-01-01")
    assert tw.end - tw.start == datetime.timedelta(days=1)


def test_weekly_sunday_and_monthly_day_offset():
    w = dg.WeeklyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")
    assert w.get_partition_keys() == ["2024-01-07", "2024-01-14", "2024-01-21"]
    m = dg.MonthlyPartitionsDefinition(start_date="2024-01-01", end_date="2024-04-10",
                                       day_offset=5)
    assert m.get_partition_keys() == ["2024-01-05", "2024-02-05", "2024-03-05"]


def test_hourly_dst_gap_and_repeat():
    spring = dg.HourlyPartitionsDefinition(start_date="2024-03-10-00:00",
                                           end_date="2024-03-10-05:00",
                                           timezone="America/Los_Angeles")
    assert spring.get_partition_keys() == [
        "2024-03-10-00:00", "2024-03-10-01:00", "2024-03-10-03:00", "2024-03-10-04:00"]
    fall = dg.HourlyPartitionsDefinition(start_date="2024-11-03-00:00",
                                         end_date="2024-11-03-04:00",
                                         timezone="America/Los_Angeles")
    keys = fall.get_partition_keys()
    assert keys == ["2024-11-03-00:00", "2024-11-03-01:00", "2024-11-03-01:00-0800",
                    "2024-11-03-02:00", "2024-11-03-03:00"]
    first, second = (fall.time_window_for_partition_key(k) for k in keys[1:3])
    assert second.start.timestamp() - first.start.timestamp() == 3600


def test_timezone_errors_and_windows():
    with pytest.raises(dg.InvalidDefinitionError, match="unknown timezone 'Mars/Base'"):
        dg.DailyPartitionsDefinition(start_date="2024-01-01", timezone="Mars/Base")
    d = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-03",
                                     timezone="Asia/Kolkata")
    tw = d.time_window_for_partition_key("2024-01-01")
    assert tw.start.astimezone(UTC) == datetime.datetime(2023, 12, 31, 18, 30, tzinfo=UTC)


def test_dynamic_needs_a_store():
    fruits = dg.DynamicPartitionsDefinition(name="fruits")

    class Store:
        def get_dynamic_partitions(self, name):
            return ["apple", "pear"] if name == "fruits" else []

    assert fruits.get_partition_keys(dynamic_partitions_store=Store()) == ["apple", "pear"]
    assert fruits.has_partition_key("pear", dynamic_partitions_store=Store())
    with pytest.raises(dg.InvalidInvocationError, match="dynamic_partitions_store"):
        fruits.get_partition_keys()


def test_multi_keys():
    mp = dg.MultiPartitionsDefinition({
        "z": dg.StaticPartitionsDefinition(["1", "2"]),
        "a": dg.StaticPartitionsDefinition(["x", "y"])})
    keys = mp.get_partition_keys()
    assert keys == ["x|1", "x|2", "y|1", "y|2"]
    assert keys[1].keys_by_dimension == {"a": "x", "z": "2"}
    assert dg.MultiPartitionKey({"z": "2", "a": "x"}) == "x|2"
    assert mp.has_partition_key("y|1") and not mp.has_partition_key("1|y")
    assert mp.get_partition_keys_in_range(dg.PartitionKeyRange("x|2", "y|1")) == ["x|2", "y|1"]
    with pytest.raises(dg.InvalidDefinitionError, match="exactly 2"):
        dg.MultiPartitionsDefinition({"a": dg.StaticPartitionsDefinition(["x"])})


def test_large_static_and_ten_years_hourly():
    big = dg.StaticPartitionsDefinition([str(i) for i in range(100_000)])
    assert big.get_num_partitions() == 100_000
    assert big.has_partition_key("99999")
    assert len(big.get_partition_keys_in_range(dg.PartitionKeyRange("10", "99999"))) == 99_990
    hourly = dg.HourlyPartitionsDefinition(start_date="2014-01-01-00:00",
                                           end_date="2024-01-01-00:00", timezone="Europe/Paris")
    keys = hourly.get_partition_keys()
    assert len(keys) == len(set(keys)) == 87_648
    assert hourly.has_partition_key("2023-12-31-23:00")
    assert hourly.time_window_for_partition_key(keys[-1]).end == hourly.end


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata"])
@pytest.mark.parametrize("cron", ["0 * * * *", "30 * * * *"])
def test_hourly_keys_made_a_day_at_a_time_equal_the_hour_by_hour_ones(monkeypatch, tz, cron):
    from headwater.definitions.partitions import time_window

    def make():
        return time_window.TimeWindowPartitionsDefinition(
            start="2023-01-01-00:00", end="2025-01-01-00:00", fmt="%Y-%m-%d-%H:%M",
            timezone=tz, cron_schedule=cron)

    fast = make()
    fast_keys = fast.get_partition_keys()
    monkeypatch.setattr(time_window, "_hour_template", lambda fmt: None)
    slow = make()
    assert fast_keys == slow.get_partition_keys()
    for key in fast_keys[::173] + fast_keys[-2:]:
        assert fast.time_window_for_partition_key(key) == slow.time_window_for_partition_key(key)
