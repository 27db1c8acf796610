"""``hooks=`` on ``@asset``, ``@multi_asset``, ``@graph_asset`` and ``define_asset_job``: success
and failure hooks run after the asset's step, as op hooks do after an op's."""

import importlib
import os

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))

SEEN: list[tuple[str, str]] = []


@dg.success_hook
def on_ok(context):
    SEEN.append(("ok", context.op.name))


@dg.failure_hook
def on_bad(context):
    SEEN.append(("bad", context.op.name))


@dg.asset(hooks={on_ok, on_bad})
def hooked():
    return 1


@dg.asset(hooks={on_bad})
def broken():
    raise ValueError("no")


@dg.multi_asset(outs={"left": dg.AssetOut(), "right": dg.AssetOut()}, hooks={on_ok})
def pair():
    return 1, 2


@dg.asset
def plain():
    return 3


def test_asset_hooks_run_after_their_step():
    SEEN.clear()
    assert hooked.hook_defs == {on_ok, on_bad}
    assert plain.hook_defs == set()
    assert dg.materialize([hooked, pair, plain]).success
    assert sorted(SEEN) == [("ok", "hooked"), ("ok", "pair")]


def test_a_failure_hook_runs_when_the_asset_fails():
    SEEN.clear()
    assert not dg.materialize([broken], raise_on_error=False).success
    assert SEEN == [("bad", "broken")]


def test_asset_job_hooks_run_after_every_step():
    SEEN.clear()
    job = dg.define_asset_job("hooked_job", selection=["plain"], hooks={on_ok})
    defs = dg.Definitions(assets=[plain], jobs=[job])
    assert defs.resolve_job_def("hooked_job").execute_in_process().success
    assert SEEN == [("ok", "plain")]
