"""AutomationCondition and FreshnessPolicy as data: composed, labelled, attached to assets."""

import datetime

import pytest

import headwater as dg

AC = dg.AutomationCondition


def test_named_policies_have_labels_and_compare_by_structure():
    assert AC.eager().get_label() == "eager"
    assert AC.on_missing().get_label() == "on_missing"
    assert AC.on_cron("0 6 * * *", "Europe/Zurich").get_label() == "on_cron(0 6 * * *, Europe/Zurich)"
    assert AC.eager() == AC.eager()
    assert AC.missing().get_label() is None


def test_operators_flatten_and_negate():
    a, b, c = AC.missing(), AC.in_progress(), AC.newly_updated()
    both = a & b & c
    assert both.kind == "and" and both.children == (a, b, c)
    either = (a | b) | c
    assert either.kind == "or" and len(either.children) == 3
    assert (~a).kind == "not" and (~a).children == (a,)


def test_without_and_replace():
    cond = AC.missing() & AC.in_progress()
    assert cond.without(AC.in_progress()).children == (AC.missing(),)
    replaced = AC.eager().replace("any_deps_updated", AC.newly_updated())
    assert "any_deps_updated" not in repr(replaced)


def test_bad_cron_is_rejected_naming_the_cron():
    with pytest.raises(dg.InvalidDefinitionError, match="not a cron"):
        AC.on_cron("not a cron")


def test_conditions_and_freshness_on_assets():
    policy = dg.FreshnessPolicy.time_window(fail_window=datetime.timedelta(hours=2))

    @dg.asset(automation_condition=AC.eager(), freshness_policy=policy)
    def fresh():
        return 1

    spec = fresh.get_asset_spec()
    assert spec.automation_condition == AC.eager()
    assert spec.freshness_policy.fail_window == datetime.timedelta(hours=2)
    assert dg.FreshnessPolicy.cron("0 9 * * *", datetime.timedelta(hours=1)).kind == "cron"
