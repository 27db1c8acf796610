"""Jobs and assets for the executor tests, at module level so worker processes can import them.

Ops that must wait for the test call ``checkpoint(message)``: it connects to the test's Unix
socket (its path in $HWEXEC_SYNC), sends the message and blocks until the test answers. So the
test, not the clock, decides when a step goes on. Ops that count how many of them run at once
keep a marker file in $HWEXEC_MARKERS while they run.
"""

from __future__ import annotations

import os
import socket
import sys

import headwater as dg

SYNC_ENV = "HWEXEC_SYNC"
MARKERS_ENV = "HWEXEC_MARKERS"


def checkpoint(message: str) -> str:
    """Tell the test ``message``; return its answer ('' if it hung up)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(os.environ[SYNC_ENV])
        s.sendall(message.encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(1024)
            if not chunk:
                break
            data += chunk
        return data.decode().strip()


def enter(name: str, group: str = "") -> int:
    """Mark this op running; return how many ops of the group are running now (itself too)."""
    folder = os.path.join(os.environ[MARKERS_ENV], group)
    os.makedirs(folder, exist_ok=True)
    open(os.path.join(folder, name), "w").close()
    return len(os.listdir(folder))


def leave(name: str, group: str = "") -> None:
    os.remove(os.path.join(os.environ[MARKERS_ENV], group, name))


# --- a fan-in of four ops ------------------------------------------------------------------

def _part(name: str, value: int) -> dg.OpDefinition:
    @dg.op(name=name)
    def part() -> dict:
        return {"value": value, "pid": os.getpid()}

    return part


hwexec_part_a = _part("hwexec_part_a", 1)
hwexec_part_b = _part("hwexec_part_b", 2)
hwexec_part_c = _part("hwexec_part_c", 3)
hwexec_part_d = _part("hwexec_part_d", 4)


@dg.op
def hwexec_sum(parts: list) -> dict:
    return {"total": sum(p["value"] for p in parts), "pids": sorted({p["pid"] for p in parts}),
            "pid": os.getpid()}


@dg.job
def hwexec_fan_in():
    hwexec_sum([hwexec_part_a(), hwexec_part_b(), hwexec_part_c(), hwexec_part_d()])


# --- assets, in a module-level Definitions with an asset job ---------------------------------

@dg.asset
def hwexec_numbers() -> list:
    return [1, 2, 3]


@dg.asset
def hwexec_total(hwexec_numbers: list) -> dict:
    return {"total": sum(hwexec_numbers), "pid": os.getpid()}


@dg.asset_check(asset=hwexec_total)
def hwexec_total_positive(hwexec_total: dict) -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=hwexec_total["total"] > 0)


hwexec_defs = dg.Definitions(
    assets=[hwexec_numbers, hwexec_total], asset_checks=[hwexec_total_positive],
    jobs=[dg.define_asset_job("hwexec_assets_job")])


# --- four ops that wait for the test, to count how many run at once --------------------------

def _waiter(name: str, tags: dict | None = None, group: str = "") -> dg.OpDefinition:
    @dg.op(name=name, tags=tags)
    def waiter() -> dict:
        running = enter(name, group)
        checkpoint(name)
        leave(name, group)
        return {"running": running, "pid": os.getpid()}

    return waiter


hwexec_wait_0 = _waiter("hwexec_wait_0")
hwexec_wait_1 = _waiter("hwexec_wait_1")
hwexec_wait_2 = _waiter("hwexec_wait_2")
hwexec_wait_3 = _waiter("hwexec_wait_3")


@dg.job(executor_def=dg.multiprocess_executor(max_concurrency=2))
def hwexec_four_waiters():
    hwexec_wait_0()
    hwexec_wait_1()
    hwexec_wait_2()
    hwexec_wait_3()


hwexec_tagged_0 = _waiter("hwexec_tagged_0", {"database": "warehouse"}, "tagged")
hwexec_tagged_1 = _waiter("hwexec_tagged_1", {"database": "warehouse"}, "tagged")
hwexec_tagged_2 = _waiter("hwexec_tagged_2", {"database": "warehouse"}, "tagged")
hwexec_untagged = _waiter("hwexec_untagged", None, "untagged")

LIMITED = dg.multiprocess_executor.configured({
    "max_concurrent": 4,
    "tag_concurrency_limits": [{"key": "database", "value": "warehouse", "limit": 1}]})


@dg.job(executor_def=LIMITED)
def hwexec_tag_limited():
    hwexec_tagged_0()
    hwexec_tagged_1()
    hwexec_tagged_2()
    hwexec_untagged()


# --- a step whose worker the test kills -----------------------------------------------------

@dg.op
def hwexec_first() -> int:
    return 1


@dg.op
def hwexec_doomed(x: int) -> int:
    print("doomed is about to wait")
    checkpoint(str(os.getpid()))  # the test kills this process instead of answering
    return x


@dg.op
def hwexec_after_doomed(x: int) -> int:
    return x


@dg.op
def hwexec_independent(x: int) -> int:
    return os.getpid()


@dg.job(executor_def=dg.multiprocess_executor(max_concurrency=1))
def hwexec_killed():
    one = hwexec_first()
    hwexec_after_doomed(hwexec_doomed(one))
    hwexec_independent(one)


# --- an output the default IO manager cannot pickle -----------------------------------------

@dg.op
def hwexec_make_lambda():
    return lambda: 1


@dg.op
def hwexec_use_lambda(fn) -> int:
    return fn()


@dg.job
def hwexec_unpicklable():
    hwexec_use_lambda(hwexec_make_lambda())


# --- a step that prints, and waits while the test reads its log -----------------------------

@dg.op
def hwexec_chatty() -> int:
    print("chatty says hello")
    sys.stderr.write("chatty complains\n")
    checkpoint("printed")
    print("chatty says goodbye")
    return os.getpid()


@dg.job
def hwexec_chatty_job():
    hwexec_chatty()


# --- dynamic outputs, mapped and collected, with a retried step -----------------------------

@dg.op(out=dg.DynamicOut())
def hwexec_fan_out():
    for i in range(3):
        yield dg.DynamicOutput(i, mapping_key=f"k{i}")


@dg.op
def hwexec_square(x: int) -> int:
    return x * x


@dg.op
def hwexec_collect(xs: list) -> int:
    return sum(xs)


@dg.job
def hwexec_dynamic():
    hwexec_collect(hwexec_fan_out().map(hwexec_square).collect())


def make_fan_in_job():
    """A job factory: ``reconstructable(make_fan_in_job)``."""
    @dg.job(name="hwexec_factory_job")
    def factory_job():
        hwexec_sum([hwexec_part_a(), hwexec_part_b()])

    return factory_job


# --- a step that fails once, then succeeds on its retry; one that always fails ---------------

@dg.op(retry_policy=dg.RetryPolicy(max_retries=1))
def hwexec_flaky() -> int:
    marker = os.path.join(os.environ[MARKERS_ENV], "flaky-attempted")
    if not os.path.exists(marker):
        open(marker, "w").close()
        raise ValueError("first attempt fails")
    return os.getpid()


@dg.job
def hwexec_flaky_job():
    hwexec_flaky()


class HwexecError(Exception):
    """An exception that needs two arguments, so it cannot be rebuilt by unpickling."""

    def __init__(self, what: str, code: int):
        super().__init__(f"{what} (code {code})")


@dg.op
def hwexec_fails():
    raise HwexecError("the warehouse is closed", 7)


@dg.op
def hwexec_downstream(x):
    return x


@dg.job
def hwexec_failing_job():
    hwexec_downstream(hwexec_fails())


# --- a step that prints, and one that prints nothing ----------------------------------------

@dg.op
def hwexec_printer() -> int:
    print("line one")
    print("line two")
    print("to stderr", file=sys.stderr)
    return 1


@dg.op
def hwexec_quiet(x: int) -> int:
    return x


@dg.job
def hwexec_printer_job():
    hwexec_quiet(hwexec_printer())


# --- a resource that cannot be set up -------------------------------------------------------

@dg.resource
def hwexec_broken_resource(_):
    raise RuntimeError("the database refused the connection")


@dg.op(required_resource_keys={"database"})
def hwexec_needs_database(context) -> int:
    return 1


@dg.job(resource_defs={"database": hwexec_broken_resource})
def hwexec_broken_resource_job():
    hwexec_needs_database()


# --- a custom logger that writes to a file (its path in the logger's config) -------------------

@dg.logger(config_schema={"path": str})
def hwexec_file_logger(init_context):
    import logging

    out = logging.Logger(f"hwexec_file_logger-{os.getpid()}", level=logging.INFO)
    handler = logging.FileHandler(init_context.logger_config["path"])
    handler.setFormatter(logging.Formatter("%(process)d %(message)s"))
    out.addHandler(handler)
    return out


@dg.op
def hwexec_logging_op(context) -> int:
    context.log.info("logged from a step")
    return 1


@dg.job(logger_defs={"file": hwexec_file_logger})
def hwexec_logged_job():
    hwexec_logging_op()
