"""Following a run's events live (``Instance.watch_run_events``), written by other processes."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import uuid
from pathlib import Path

import pytest

from headwater.definitions.errors import RunNotFoundError
from headwater.events.records import Event, EventLogEntry, EventType
from headwater.storage import Instance
from headwater.storage.live import PollingNotifier, SqliteDataVersionNotifier, notifier_for

from . import hwlive_jobs

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
STEPS = ["hwlive_first", "hwlive_second", "hwlive_third"]


@pytest.fixture(params=["sqlite", "postgres"])
def instance(request, tmp_path):
    if request.param == "sqlite":
        with Instance.local(tmp_path / "home") as inst:
            yield inst
    else:
        url = request.getfixturevalue("postgres_url")
        with Instance.from_url(url, root_directory=str(tmp_path / "home")) as inst:
            yield inst


def _start_run(instance: Instance, gates: Path) -> tuple[str, subprocess.Popen]:
    """The gated chain, run by another process (multiprocess executor: steps in workers)."""
    run_id = str(uuid.uuid4())
    env = {**os.environ, hwlive_jobs.GATES_ENV: str(gates),
           "PYTHONPATH": os.pathsep.join([str(REPO), str(HERE), os.environ.get("PYTHONPATH", "")])}
    code = "import sys, hwlive_jobs; sys.argv[1:] = [sys.argv[1], sys.argv[2]]; hwlive_jobs.main()"
    child = subprocess.Popen([sys.executable, "-c", code, instance.database.url, run_id], env=env,
                             cwd=str(REPO), stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    return run_id, child


def _kinds(records) -> list[tuple[str | None, str]]:
    return [(r.event_log_entry.step_key, r.event_log_entry.dagster_event.event_type_value)
            for r in records if r.event_log_entry.dagster_event is not None]


def test_a_watch_follows_a_multiprocess_run_in_another_process(instance, tmp_path):
    gates = tmp_path / "gates"
    gates.mkdir()
    run_id, child = _start_run(instance, gates)
    delivered = []
    opened: list[str] = []
    try:
        # The run does not exist yet: the watch waits for it to be created.
        for batch in instance.watch_run_events(run_id, wait_for_run=True, poll_interval=0.02):
            delivered.extend(batch)
            for step, kind in _kinds(batch):
                if kind == "STEP_START":
                    # A step waits for its gate: the run only goes on because the watch
                    # delivered this event while the run was still going.
                    assert step not in opened
                    opened.append(step)
                    (gates / step).touch()
    finally:
        out = child.communicate(timeout=hwlive_jobs.GUARD_S)[0].decode()
    assert child.returncode == 0, out
    assert opened == STEPS
    stored = instance.get_records_for_run(run_id).records
    # Exactly the stored events, in storage order, each once; it ended with the run.
    assert [r.storage_id for r in delivered] == [r.storage_id for r in stored]
    kinds = _kinds(delivered)
    assert kinds[-1] == (None, "PIPELINE_SUCCESS")
    step_events = [k for k in kinds if k[0] is not None and k[1] in ("STEP_START", "STEP_SUCCESS")]
    assert step_events == [(s, k) for s in STEPS for k in ("STEP_START", "STEP_SUCCESS")]
    assert instance.get_run_by_id(run_id).is_finished


def test_a_watch_resumes_from_a_cursor(instance, tmp_path):
    gates = tmp_path / "gates"
    gates.mkdir()
    for step in STEPS:
        (gates / step).touch()
    run_id, child = _start_run(instance, gates)
    out = child.communicate(timeout=hwlive_jobs.GUARD_S)[0].decode()
    assert child.returncode == 0, out
    ids = [r.storage_id for batch in instance.watch_run_events(run_id) for r in batch]
    assert ids == [r.storage_id for r in instance.get_records_for_run(run_id).records]
    middle = ids[len(ids) // 2]
    for after in (middle, str(middle)):
        rest = [r.storage_id for batch in instance.watch_run_events(run_id, after=after)
                for r in batch]
        assert rest == ids[len(ids) // 2 + 1:]
    # A cursor from a page of get_records_for_run resumes there too.
    page = instance.get_records_for_run(run_id, limit=3)
    rest = [r.storage_id for batch in instance.watch_run_events(run_id, after=page.cursor)
            for r in batch]
    assert rest == ids[3:]


def _event(run_id: str, kind: EventType, step: str | None = None) -> EventLogEntry:
    return EventLogEntry(run_id, 0.0, 20, "", step, "job", Event(kind, "job", step))


def test_a_watch_delivers_events_stored_by_another_connection_in_order(tmp_path):
    with Instance.local(tmp_path / "home") as reader, Instance.local(tmp_path / "home") as writer:
        run = writer.create_run("job")
        watch = reader.watch_run_events(run.run_id, poll_interval=0.01)
        batches: list[list] = []
        arrived = threading.Semaphore(0)

        def on_batch(batch):
            batches.append(batch)
            arrived.release()

        watch.start(on_batch)
        writer.store_events([_event(run.run_id, EventType.RUN_START)])
        assert arrived.acquire(timeout=60)
        writer.store_events([_event(run.run_id, EventType.STEP_START, "a"),
                             _event(run.run_id, EventType.STEP_SUCCESS, "a")])
        assert arrived.acquire(timeout=60)
        writer.store_events([_event(run.run_id, EventType.RUN_SUCCESS)])
        assert watch.join(timeout=60)  # ended by itself: the run finished
    kinds = [[r.event_log_entry.dagster_event.event_type_value for r in b] for b in batches]
    assert kinds == [["PIPELINE_START"], ["STEP_START", "STEP_SUCCESS"], ["PIPELINE_SUCCESS"]]


def test_stop_ends_a_watch_of_a_running_run_after_delivering_what_is_stored(tmp_path):
    with Instance.local(tmp_path / "home") as instance:
        run = instance.create_run("job")
        instance.store_events([_event(run.run_id, EventType.RUN_START)])
        watch = instance.watch_run_events(run.run_id)
        batches = iter(watch)
        assert len(next(batches)) == 1
        instance.store_events([_event(run.run_id, EventType.STEP_START, "a")])
        watch.stop()
        assert [r.event_log_entry.step_key for r in next(batches)] == ["a"]
        assert next(batches, None) is None
        assert not instance.get_run_by_id(run.run_id).is_finished


def test_an_unknown_run_is_a_clear_error(instance):
    with pytest.raises(RunNotFoundError, match="No run with id 'nope'.*headwater run list"):
        instance.watch_run_events("nope")


def test_a_bad_cursor_is_a_clear_error(instance):
    run = instance.create_run("job")
    with pytest.raises(ValueError, match="'abc' is not an event cursor"):
        instance.watch_run_events(run.run_id, after="abc")


def test_waiting_for_a_run_that_never_comes_ends_on_stop(tmp_path):
    with Instance.local(tmp_path / "home") as instance:
        watch = instance.subscribe_run_events("later", lambda batch: None, wait_for_run=True)
        watch.stop()
        assert watch.join(timeout=60)


def test_sqlite_files_skip_queries_until_a_commit(tmp_path):
    with Instance.local(tmp_path / "home") as instance, Instance.ephemeral() as memory:
        notifier = notifier_for(instance.database, 0.001)
        assert isinstance(notifier, SqliteDataVersionNotifier)
        assert isinstance(notifier_for(memory.database), PollingNotifier)
        instance.create_run("job")  # a commit by the instance's own connection
        assert notifier.wait() is True
        closer = threading.Thread(target=notifier.close)
        closer.start()
        assert notifier.wait() is False  # nothing committed since: only close() ends it
        closer.join()


def test_postgres_followers_are_woken_by_their_runs_commits_only(postgres_url):
    from headwater.storage.live import PostgresListenNotifier

    from ._events import step_start

    with Instance.from_url(postgres_url) as instance, \
            Instance.from_url(postgres_url) as writer:  # another process's connection
        mine, other = instance.create_run("job"), instance.create_run("job")
        notifier = notifier_for(instance.database, 0.05, mine.run_id)
        assert isinstance(notifier, PostgresListenNotifier)
        writer.store_events([step_start(mine.run_id, "a")])
        assert notifier.wait() is True
        writer.store_events([step_start(other.run_id, "a")])  # another run's commit
        closer = threading.Thread(target=notifier.close)
        closer.start()
        assert notifier.wait() is False  # not woken by the other run: only close() ends it
        closer.join()
