import datetime
import importlib
import os

dg = importlib.import_module(os.environ.get("DG_IMPL", "headwater"))


def test_eager_label_and_on_asset_spec():
    @dg.asset(automation_condition=dg.AutomationCondition.eager())
    def a():
        return 1

    cond = a.get_asset_spec().automation_condition
    assert isinstance(cond, dg.AutomationCondition)
    assert cond.get_label() == "eager"


def test_condition_labels():
    assert dg.AutomationCondition.on_cron("0 * * * *").get_label() == "on_cron(0 * * * *, UTC)"
    assert dg.AutomationCondition.on_missing().get_label() == "on_missing"
    assert dg.AutomationCondition.eager().with_label("custom").get_label() == "custom"


def test_condition_operators_produce_conditions():
    m = dg.AutomationCondition.missing()
    for cond in (m & dg.AutomationCondition.in_latest_time_window(), m | m, ~m):
        assert isinstance(cond, dg.AutomationCondition)


def test_asset_spec_automation_condition():
    spec = dg.AssetSpec("x", automation_condition=dg.AutomationCondition.eager())
    assert spec.automation_condition.get_label() == "eager"


def test_evaluate_automation_conditions():
    @dg.asset(automation_condition=dg.AutomationCondition.eager())
    def up():
        return 1

    @dg.asset(automation_condition=dg.AutomationCondition.eager())
    def down(up):
        return 1

    @dg.asset(automation_condition=dg.AutomationCondition.missing())
    def miss():
        return 1

    defs = [up, down, miss]
    inst = dg.DagsterInstance.ephemeral()
    r1 = dg.evaluate_automation_conditions(defs=defs, instance=inst)
    # Surprising: eager() does not request a never-materialized root on the first evaluation.
    assert r1.get_num_requested(dg.AssetKey("up")) == 0
    assert r1.get_num_requested(dg.AssetKey("down")) == 0
    assert r1.get_num_requested(dg.AssetKey("miss")) == 1
    assert r1.total_requested == 1

    dg.materialize([up], instance=inst)
    r2 = dg.evaluate_automation_conditions(defs=defs, instance=inst, cursor=r1.cursor)
    assert r2.get_num_requested(dg.AssetKey("up")) == 0
    assert r2.get_num_requested(dg.AssetKey("down")) == 1
    assert r2.get_num_requested(dg.AssetKey("miss")) == 1


def test_freshness_policy_time_window():
    policy = dg.FreshnessPolicy.time_window(fail_window=datetime.timedelta(hours=1))
    assert isinstance(policy, dg.FreshnessPolicy)

    @dg.asset(freshness_policy=policy)
    def fresh():
        return 1

    assert fresh.get_asset_spec().freshness_policy == policy


def test_preview_freshness_module():
    mod = importlib.import_module(os.environ.get("DG_IMPL", "headwater") + ".preview.freshness")
    assert mod.FreshnessPolicy is dg.FreshnessPolicy
