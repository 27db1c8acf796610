"""Definitions the launch tests run through the real daemon: an asset that prints (and waits for
the test, so its run is watched live), one downstream of it that fails while the test says so,
and the partitioned `daily_sales` of seeded.py."""

from __future__ import annotations

import sys
import threading
import time

import headwater as hw

from .seeded import daily_sales

# `extract` waits for this before it finishes; set unless a test watches a run live.
RELEASE_EXTRACT = threading.Event()
RELEASE_EXTRACT.set()
# While set, `transform` fails (the user's bug); the test clears it to "fix" the code.
FAIL_TRANSFORM = threading.Event()

EXTRACT_FIRST_LINE = "extract: read 3 rows"
EXTRACT_LAST_LINE = "extract: done"
EXTRACT_WARNING = "extract: 1 row had no total"
TRANSFORM_ERROR = "transform: the totals do not add up"


@hw.asset(group_name="pipeline")
def extract(context):
    print(EXTRACT_FIRST_LINE, flush=True)
    print(EXTRACT_WARNING, file=sys.stderr, flush=True)
    deadline = time.monotonic() + 60
    # Logging while it waits makes the run's events (its STEP_START) reach the page live: a
    # step's events are stored in batches, at most 0.1 s apart while it writes.
    while not RELEASE_EXTRACT.wait(0.2):
        if time.monotonic() > deadline:
            raise TimeoutError("the test never released `extract`")
        context.log.info("extract is waiting for the test")
    print(EXTRACT_LAST_LINE, flush=True)
    return [1, 2, 3]


@hw.asset(group_name="pipeline")
def transform(extract):
    if FAIL_TRANSFORM.is_set():
        raise ValueError(TRANSFORM_ERROR)
    return sum(extract)


ASSETS = [extract, transform, daily_sales]
DEFS = hw.Definitions(assets=ASSETS)
