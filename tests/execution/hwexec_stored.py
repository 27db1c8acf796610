"""Definitions for the stored-run, queue and cancel tests, at module level so that worker
processes can import them.

``GATES`` hold in-process steps until the test opens them (``gate(name)``); ``ARRIVED`` says a
step reached its gate. Multiprocess steps use the socket checkpoints of ``hwexec_jobs``.
"""

from __future__ import annotations

import threading

import headwater as dg

from . import hwexec_jobs

GATES: dict[str, threading.Event] = {}
ARRIVED: dict[str, threading.Event] = {}
GUARD_S = 120.0


def gate(name: str) -> tuple[threading.Event, threading.Event]:
    """(arrived, open) of the gate ``name``, made on first use."""
    return (ARRIVED.setdefault(name, threading.Event()), GATES.setdefault(name, threading.Event()))


def wait_at(name: str) -> None:
    arrived, opened = gate(name)
    arrived.set()
    assert opened.wait(GUARD_S), f"gate {name!r} was never opened"


def reset_gates() -> None:
    GATES.clear()
    ARRIVED.clear()


@dg.asset
def hws_a() -> int:
    return 1


@dg.asset
def hws_b(hws_a: int) -> int:
    return hws_a + 1


@dg.asset
def hws_gated() -> int:
    wait_at("hws_gated")
    return 3


@dg.asset
def hws_after_gated(hws_gated: int) -> int:
    return hws_gated + 1


class HwsConfig(dg.Config):
    factor: int


@dg.asset
def hws_configured(config: HwsConfig) -> int:
    return config.factor * 2


hws_days = dg.DailyPartitionsDefinition(start_date="2024-01-01", end_date="2024-01-10")


@dg.asset(partitions_def=hws_days)
def hws_daily(context: dg.AssetExecutionContext) -> str:
    return context.partition_key


@dg.asset(pool="hws_pool")
def hws_pooled_1() -> int:
    wait_at("hws_pooled_1")
    return 1


@dg.asset(pool="hws_pool")
def hws_pooled_2() -> int:
    wait_at("hws_pooled_2")
    return 2


@dg.op
def hws_one() -> int:
    return 1


@dg.op
def hws_double(x: int) -> int:
    return 2 * x


@dg.op
def hws_flaky(x: int) -> int:
    if hwexec_jobs.os.environ.get("HWS_FLAKY") == "fail":
        raise ValueError("flaky failed on purpose")
    return x


@dg.job(executor_def=dg.in_process_executor)
def hws_op_job():
    hws_flaky(hws_double(hws_one()))


@dg.op
def hws_mp_wait() -> int:
    hwexec_jobs.checkpoint("hws_mp_wait")
    return 1


@dg.op
def hws_mp_after(x: int) -> int:
    return x


@dg.job(executor_def=dg.multiprocess_executor)
def hws_mp_job():
    hws_mp_after(hws_mp_wait())


@dg.op
def hws_in_process_wait() -> int:
    wait_at("hws_in_process_wait")
    return 1


@dg.job(executor_def=dg.in_process_executor)
def hws_in_process_wait_job():
    hws_mp_after(hws_in_process_wait())


hws_defs = dg.Definitions(
    assets=[hws_a, hws_b, hws_gated, hws_after_gated, hws_configured, hws_daily, hws_pooled_1,
            hws_pooled_2],
    jobs=[hws_op_job, hws_mp_job, hws_in_process_wait_job,
          dg.define_asset_job("hws_ab_job", selection=["hws_a", "hws_b"]),
          dg.define_asset_job("hws_daily_job", selection=["hws_daily"])])


@dg.op
def hws_blocking() -> int:
    hwexec_jobs.checkpoint("hws_blocking")
    return 1


@dg.job(executor_def=dg.in_process_executor)
def hws_block_job():
    hws_blocking()


hws_defs = dg.Definitions(
    assets=list(hws_defs.assets), jobs=[*hws_defs.jobs, hws_block_job])
