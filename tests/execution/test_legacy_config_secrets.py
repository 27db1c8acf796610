"""Values a ``@resource``'s legacy config reads from ``{"env": NAME}`` are secrets a run masks,
as ``EnvVar`` fields of configurable resources are."""

from __future__ import annotations

import headwater as hw
from headwater.execution.resources import resource_secrets, run_masker
from headwater.execution.secrets import MASK

SECRET = "legacy-s3cret-value"


@hw.resource(config_schema={"token": hw.StringSource, "user": str})
def api(init_context):
    return init_context.resource_config


def test_env_values_of_legacy_resource_config_are_secrets(monkeypatch):
    monkeypatch.setenv("HW_LEGACY_TOKEN", SECRET)
    run_config = {"resources": {"api": {"config": {"token": {"env": "HW_LEGACY_TOKEN"},
                                                   "user": "plain-user-name"}}}}
    found = resource_secrets({"api": api}, {"api"}, run_config)
    assert found == [SECRET]
    masker = run_masker({"api": api}, {"api"}, run_config)
    assert masker is not None and masker.text(f"token={SECRET}") == f"token={MASK}"


def test_a_run_of_a_legacy_resource_stores_no_secret(monkeypatch):
    monkeypatch.setenv("HW_LEGACY_TOKEN", SECRET)

    @hw.asset(required_resource_keys={"api"})
    def leaky(context):
        context.log.info(f"using {context.resources.api['token']}")
        return 1

    run_config = {"resources": {"api": {"config": {"token": {"env": "HW_LEGACY_TOKEN"},
                                                   "user": "u"}}}}
    with hw.instance_for_test() as instance:
        result = hw.materialize([leaky], resources={"api": api}, run_config=run_config,
                                instance=instance)
        assert result.success
        messages = [e.message or "" for e in instance.all_logs(result.run_id)]
    assert any(MASK in m for m in messages)
    assert not any(SECRET in m for m in messages)
