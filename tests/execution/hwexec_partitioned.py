"""Partitioned assets at module level, so worker processes can import them."""

from __future__ import annotations

import os

import headwater as dg

hwexec_days = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-02-01")


@dg.asset(partitions_def=hwexec_days)
def hwexec_daily_raw(context: dg.AssetExecutionContext) -> dict:
    return {"day": context.partition_key, "pid": os.getpid()}


@dg.asset(partitions_def=hwexec_days)
def hwexec_daily_clean(context: dg.AssetExecutionContext, hwexec_daily_raw: dict) -> str:
    return f"{hwexec_daily_raw['day']} seen as {context.asset_partition_key_for_input('hwexec_daily_raw')}"


hwexec_partitioned_defs = dg.Definitions(
    assets=[hwexec_daily_raw, hwexec_daily_clean],
    jobs=[dg.define_asset_job("hwexec_daily_job")])
