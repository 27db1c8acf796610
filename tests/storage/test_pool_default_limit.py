"""``concurrency: pools: default_limit``: a pool with no limit of its own takes the default,
on file SQLite and PostgreSQL, and a pool's own limit wins over it."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import yaml

from headwater.storage import Instance
from headwater.storage.config import InstanceConfig


def _config(tmp_path, backend, request, concurrency):
    home = tmp_path / "home"
    home.mkdir(exist_ok=True)
    data = {"concurrency": concurrency}
    if backend == "postgres":
        data["storage"] = {"postgres": {"postgres_url": request.getfixturevalue("postgres_url")}}
    (home / "dagster.yaml").write_text(yaml.safe_dump(data))
    return home


def _open(home):
    return Instance.from_config(InstanceConfig.load(str(home)))


@pytest.mark.parametrize("backend", ["file", "postgres"])
def test_a_pool_without_a_limit_takes_the_default(backend, tmp_path, request):
    home = _config(tmp_path, backend, request, {"pools": {"default_limit": 1}})
    with _open(home) as instance:
        assert instance.default_pool_limit() == 1
        info = instance.get_concurrency_info("db")
        assert (info.slot_count, info.using_default_limit) == (1, True)
        assert instance.claim_concurrency_slot("db", "r1", "a").is_claimed
        assert not instance.claim_concurrency_slot("db", "r2", "b").is_claimed
        assert instance.get_concurrency_keys() == {"db"}  # in use
        info = instance.get_concurrency_info("db")
        assert info.active_run_ids == {"r1"} and info.pending_step_count == 1
        # Its own limit wins over the default; deleting it gives the default back.
        instance.set_concurrency_slots("db", 2)
        assert instance.claim_concurrency_slot("db", "r2", "b").is_claimed
        info = instance.get_concurrency_info("db")
        assert (info.slot_count, info.using_default_limit) == (2, False)
        instance.delete_concurrency_limit("db")
        assert not instance.claim_concurrency_slot("db", "r3", "c").is_claimed
        instance.free_concurrency_slots_for_run("r1")
        instance.free_concurrency_slots_for_run("r2")
        assert instance.claim_concurrency_slot("db", "r3", "c").is_claimed


def test_the_deprecated_default_op_concurrency_limit_counts_too(tmp_path, request):
    home = _config(tmp_path, "file", request, {"default_op_concurrency_limit": 3})
    with _open(home) as instance:
        assert instance.get_concurrency_info("db").slot_count == 3
    home = _config(tmp_path, "file", request, {"pools": {"default_limit": 0},
                                                "default_op_concurrency_limit": 3})
    with _open(home) as instance:  # pools.default_limit wins; 0 holds every step back
        assert not instance.claim_concurrency_slot("db", "r1", "a").is_claimed


def test_without_a_default_a_pool_without_a_limit_is_not_limited(tmp_path):
    with Instance.local(tmp_path / "home") as instance:
        assert instance.default_pool_limit() is None
        assert all(instance.claim_concurrency_slot("db", f"r{i}", "s").is_claimed
                   for i in range(5))
        assert instance.get_concurrency_keys() == set()
        info = instance.get_concurrency_info("db")
        assert (info.slot_count, info.using_default_limit) == (0, False)
    with Instance.ephemeral() as instance:
        assert instance.default_pool_limit() is None


@pytest.mark.parametrize("backend", ["file", "postgres"])
def test_concurrent_claims_never_exceed_the_default(backend, tmp_path, request):
    home = _config(tmp_path, backend, request, {"pools": {"default_limit": 3}})

    def claimer(worker: int) -> int:
        with _open(home) as instance:  # its own connection, like another process
            return sum(instance.claim_concurrency_slot("db", f"r{worker}", f"s{i}").is_claimed
                       for i in range(10))

    with ThreadPoolExecutor(8) as pool:
        claimed = sum(pool.map(claimer, range(8)))
    with _open(home) as instance:
        info = instance.get_concurrency_info("db")
    assert claimed == 3 and info.active_slot_count == 3 and info.pending_step_count == 77
