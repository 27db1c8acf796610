"""PostgreSQL-only behaviour: URLs, connection errors, several processes on one database.

The shared behaviour suites run on PostgreSQL through ``conftest.py``/``test_backends.py``.
"""

from __future__ import annotations

import pickle

import pytest

from headwater.definitions.errors import StorageError
from headwater.storage import Instance, RunStatus


def test_a_url_without_driver_uses_psycopg3(postgres_url):
    plain = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with Instance.from_url(plain) as instance:
        assert instance.database.url.startswith("postgresql+psycopg://")
        run = instance.create_run("j")
        assert instance.get_run_by_id(run.run_id) == run
    legacy = postgres_url.replace("postgresql+psycopg://", "postgres://")
    with Instance.from_url(legacy) as instance:
        assert instance.get_runs_count() == 1


def test_wrong_password_is_a_clear_error_without_the_password(postgres_server, postgres_url):
    bad = postgres_url.replace(postgres_server.password, "not-the-password-123")
    with pytest.raises(StorageError) as info:
        Instance.from_url(bad)
    text = str(info.value)
    assert "user name or password" in text and "not-the-password-123" not in text
    assert postgres_server.password not in text


def test_missing_database_names_it_and_says_how_to_create_it(postgres_server):
    with pytest.raises(StorageError, match=r"does not exist.*createdb"):
        Instance.from_url(postgres_server.url("no_such_db"))


def test_unreachable_server_is_a_clear_error(postgres_server):
    url = postgres_server.url("x").replace(f":{postgres_server.port}/", ":1/")
    with pytest.raises(StorageError, match=r"Cannot reach PostgreSQL.*running and reachable"):
        Instance.from_url(url)


def test_instance_reopens_in_another_process_by_url(postgres_url):
    with Instance.from_url(postgres_url) as instance:
        run = instance.create_run("j")
        copy = pickle.loads(pickle.dumps(instance))
        try:
            copy.handle_run_status(run.run_id, RunStatus.STARTED)
            assert instance.get_run_by_id(run.run_id).status == RunStatus.STARTED
        finally:
            copy.dispose()


def test_two_instances_see_each_others_writes(postgres_url):
    with Instance.from_url(postgres_url) as one, Instance.from_url(postgres_url) as two:
        run = one.create_run("j")
        assert two.has_run(run.run_id)
        two.add_run_tags(run.run_id, {"team": "data"})
        assert one.get_run_by_id(run.run_id).tags == {"team": "data"}


@pytest.mark.parametrize("backend", ["file", "postgres"])
def test_concurrent_claims_never_exceed_the_pool(backend, tmp_path, request):
    from concurrent.futures import ThreadPoolExecutor

    def open_instance():
        if backend == "file":
            return Instance.local(tmp_path / "home")
        return Instance.from_url(request.getfixturevalue("postgres_url"))

    with open_instance() as setup:
        setup.set_concurrency_slots("db", 3)

    def claimer(worker: int) -> int:
        with open_instance() as instance:  # its own connection, like another process
            return sum(instance.claim_concurrency_slot("db", f"r{worker}", f"s{i}").is_claimed
                       for i in range(10))

    with ThreadPoolExecutor(8) as pool:
        claimed = sum(pool.map(claimer, range(8)))
    with open_instance() as instance:
        info = instance.get_concurrency_info("db")
    assert claimed == 3 and info.active_slot_count == 3 and info.pending_step_count == 77


def test_processes_opening_a_new_database_at_once_create_it_once(postgres_url):
    from concurrent.futures import ThreadPoolExecutor

    def open_and_write(i: int) -> str:
        with Instance.from_url(postgres_url) as instance:  # each its own connection
            return instance.create_run("j", run_id=f"r{i}").run_id

    with ThreadPoolExecutor(8) as pool:
        ids = sorted(pool.map(open_and_write, range(8)))
    with Instance.from_url(postgres_url) as instance:
        assert sorted(r.run_id for r in instance.get_runs()) == ids
