"""Concurrency pools in the API: limits, slots held and steps waiting; setting a limit."""

from __future__ import annotations

from .conftest import make_client


def test_pools_show_their_limit_holders_and_waiting_steps(client, instance):
    assert client.get("/api/v1/concurrency/pools").json() == {"items": [],
                                                              "default_limit": None}
    instance.set_concurrency_slots("warehouse", 1)
    instance.claim_concurrency_slot("warehouse", "run-a", "load")
    instance.claim_concurrency_slot("warehouse", "run-b", "load", priority=3)
    [pool] = client.get("/api/v1/concurrency/pools").json()["items"]
    assert (pool["key"], pool["limit"], pool["in_use"], pool["pending"]) == \
        ("warehouse", 1, 1, 1)
    assert pool["holders"] == [{"run_id": "run-a", "step_key": "load"}]
    assert pool["waiting"] == [{"run_id": "run-b", "step_key": "load", "priority": 3}]
    assert pool["using_default_limit"] is False


def test_a_pools_limit_is_set(client, instance):
    answer = client.post("/api/v1/concurrency/pools/api", json={"limit": 4})
    assert answer.status_code == 200
    assert (answer.json()["key"], answer.json()["limit"]) == ("api", 4)
    assert instance.get_concurrency_info("api").slot_count == 4
    client.post("/api/v1/concurrency/pools/api", json={"limit": 0})
    assert instance.get_concurrency_info("api").slot_count == 0


def test_a_bad_limit_is_refused_naming_the_field(client, instance):
    for body in ({"limit": -1}, {"limit": "many"}, {}, {"limit": 1.5}):
        answer = client.post("/api/v1/concurrency/pools/api", json=body)
        assert answer.status_code == 422, body
        assert answer.json()["error"]["fields"][0]["loc"] == "body.limit"
    assert client.post("/api/v1/concurrency/pools/api", content=b"{not json").status_code == 400
    assert client.post("/api/v1/concurrency/pools/%20", json={"limit": 1}).status_code == 422
    assert instance.get_concurrency_keys() == set()


def test_setting_a_limit_is_refused_when_read_only(instance):
    with make_client(instance, read_only=True) as client:
        answer = client.post("/api/v1/concurrency/pools/api", json={"limit": 2})
        assert answer.status_code == 403 and "read-only" in answer.json()["error"]["message"]
        assert client.get("/api/v1/concurrency/pools").status_code == 200
    assert instance.get_concurrency_keys() == set()
