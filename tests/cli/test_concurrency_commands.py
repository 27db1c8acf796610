"""``headwater instance concurrency set/get/delete``: pools kept in the instance."""

from __future__ import annotations

from ._helpers import run_cli


def test_set_get_and_delete_a_pool():
    empty = run_cli("instance", "concurrency", "get")
    assert empty.exit_code == 0 and "No concurrency pools are set." in empty.output
    done = run_cli("instance", "concurrency", "set", "warehouse", "2")
    assert done.exit_code == 0, done.output
    assert "Pool 'warehouse' has 2 slots." in done.output
    run_cli("instance", "concurrency", "set", "api", "1")
    from headwater.storage import Instance

    with Instance.get() as instance:  # steps holding and waiting, as a run's would
        instance.claim_concurrency_slot("warehouse", "run-1", "load")
        instance.claim_concurrency_slot("warehouse", "run-1", "transform")
        instance.claim_concurrency_slot("warehouse", "run-2", "load", priority=3)
    one = run_cli("instance", "concurrency", "get", "warehouse")
    assert one.exit_code == 0, one.output
    assert "warehouse: 2 of 2 slots in use, 1 waiting" in one.output
    assert "held by run run-1 step load" in one.output
    assert "waiting: run run-2 step load (priority 3)" in one.output
    every = run_cli("instance", "concurrency", "get")
    assert "api: 0 of 1 slots in use" in every.output and "warehouse:" in every.output
    gone = run_cli("instance", "concurrency", "delete", "api")
    assert gone.exit_code == 0 and "Pool 'api' removed." in gone.output
    assert "api" not in run_cli("instance", "concurrency", "get").output


def test_bad_input_exits_2_with_a_clear_message():
    negative = run_cli("instance", "concurrency", "set", "--", "warehouse", "-1")
    assert negative.exit_code == 2 and "whole number, 0 or more" in negative.output
    not_a_number = run_cli("instance", "concurrency", "set", "warehouse", "many")
    assert not_a_number.exit_code == 2 and "'many' is not a valid integer" in not_a_number.output
    run_cli("instance", "concurrency", "set", "warehouse", "1")
    unknown = run_cli("instance", "concurrency", "get", "warehous")
    assert unknown.exit_code == 2
    assert "No concurrency pool 'warehous' is set in this instance (pools: warehouse)" in \
        unknown.output
    missing = run_cli("instance", "concurrency", "delete", "nope")
    assert missing.exit_code == 2 and "No concurrency pool 'nope'" in missing.output


def test_a_pool_without_a_limit_shows_the_default_limit(home):
    home.mkdir(parents=True, exist_ok=True)
    (home / "dagster.yaml").write_text("concurrency:\n  pools:\n    default_limit: 2\n")
    shown = run_cli("instance", "concurrency", "get", "warehouse")
    assert shown.exit_code == 0, shown.output
    assert ("warehouse: 0 of 2 slots in use, 0 waiting (the default limit: "
            "concurrency.pools.default_limit)") in shown.output
    run_cli("instance", "concurrency", "set", "warehouse", "5")
    own = run_cli("instance", "concurrency", "get", "warehouse")
    assert "warehouse: 0 of 5 slots in use" in own.output and "default" not in own.output
    assert run_cli("instance", "concurrency", "delete", "warehouse").exit_code == 0
    # Without a limit of its own, there is nothing to delete.
    assert run_cli("instance", "concurrency", "delete", "warehouse").exit_code == 2
