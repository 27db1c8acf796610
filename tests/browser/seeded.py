"""Definitions and data for the page tests: a few assets (with metadata, partitions, a failure,
a step that waits for the test), code locations (one loads, one fails until fixed), and an
instance where some of them were materialized."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any

import headwater as hw

PARTITION_KEYS = [f"p{i:02d}" for i in range(10)]
MATERIALIZED_PARTITIONS = ["p00", "p01", "p05"]
FAILED_PARTITION = "p07"
# A run of `slow` waits for this before it finishes (the run page watches it live).
RELEASE_SLOW = threading.Event()


@hw.asset(group_name="sources", description="Orders as the shop exports them.",
          owners=["team:data"], kinds={"python"})
def raw_orders(context):
    context.add_output_metadata({
        "row_count": 42,
        "source": hw.MetadataValue.url("https://example.com/orders.csv"),
        "summary": hw.MetadataValue.md("# Orders\n- 42 rows"),
        "note": "exported nightly",
        "shape": hw.MetadataValue.json({"columns": ["id", "total"]}),
    })
    return [1, 2, 3]


@hw.asset(group_name="marts")
def order_totals(raw_orders):
    return sum(raw_orders)


@hw.asset(group_name="marts", partitions_def=hw.StaticPartitionsDefinition(PARTITION_KEYS))
def daily_sales(context):
    if context.partition_key == FAILED_PARTITION:
        raise ValueError(f"no sales file for {context.partition_key}")
    return context.partition_key


@hw.asset(group_name="sources")
def broken():
    raise ValueError("the source is down")


@hw.asset(group_name="sources")
def slow(context):
    # The run stores a step's log lines in batches (a line is flushed once 0.1 s passed since
    # the last flush): logging while it waits makes the run's events reach the page live.
    deadline = time.monotonic() + 60
    while not RELEASE_SLOW.wait(0.2):
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released `slow`")
        context.log.info("slow is waiting for the test")
    context.log.info("slow was released")
    return 1


ASSETS = [raw_orders, order_totals, daily_sales, broken, slow]
DEFS = hw.Definitions(assets=ASSETS)


@dataclass
class Seeded:
    """What the tests may look up: the server's URL and the runs made before it started."""

    url: str
    instance: Any
    success_run_id: str
    failed_run_id: str
    flaky: dict[str, Any] = field(default_factory=dict)


def materialize_all(instance: Any) -> tuple[str, str]:
    ok = hw.materialize([raw_orders, order_totals], instance=instance)
    for key in MATERIALIZED_PARTITIONS:
        hw.materialize([daily_sales], partition_key=key, instance=instance)
    hw.materialize([daily_sales], partition_key=FAILED_PARTITION, instance=instance,
                   raise_on_error=False)
    failed = hw.materialize([broken], instance=instance, raise_on_error=False)
    return ok.run_id, failed.run_id
