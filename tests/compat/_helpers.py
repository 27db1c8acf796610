"""Definitions and helpers that several compatibility modules share.

Like every module of the suite, this uses only the public API of the library that ``DG_IMPL``
names (``headwater`` by default, ``dagster`` for the oracle run).
"""

import importlib
import os

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

# Bookkeeping events that Dagster emits around steps; the "core" sequences exclude them.
NOISE = {"ENGINE_EVENT", "RESOURCE_INIT_STARTED", "RESOURCE_INIT_SUCCESS", "LOGS_CAPTURED"}


@dg.asset
def a():
    return 1


@dg.asset
def b(a):
    return a + 1


def single_op_job(op_def, **job_kwargs):
    """A job of the one op ``op_def``."""

    @dg.job(**job_kwargs)
    def single():
        op_def()

    return single
