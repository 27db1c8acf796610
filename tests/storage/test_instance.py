"""Getting an instance: home folders, env vars, ephemeral dirs, lifecycle, processes."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import threading

import pytest

from headwater.definitions.errors import HeadwaterError, InvariantViolationError, StorageError
from headwater.storage import Instance, InstanceNotConfiguredError, instance_for_test

from ._events import step_start


@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("HEADWATER_HOME", raising=False)
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return monkeypatch


def test_headwater_home_created_when_missing(clean_env, tmp_path):
    home = tmp_path / "does" / "not" / "exist"
    clean_env.setenv("HEADWATER_HOME", str(home))
    with Instance.get() as instance:
        assert instance.root_directory == str(home)
        assert instance.storage_directory() == str(home / "storage")
        assert not instance.is_ephemeral
        instance.create_run("j", run_id="r1")
    assert (home / "history" / "headwater.db").is_file()
    with Instance.get() as instance:  # persistent
        assert instance.has_run("r1")


def test_dagster_home_honoured_and_headwater_home_preferred(clean_env, tmp_path):
    clean_env.setenv("DAGSTER_HOME", str(tmp_path / "dg"))
    with Instance.get() as instance:
        assert instance.root_directory == str(tmp_path / "dg")
    clean_env.setenv("HEADWATER_HOME", str(tmp_path / "hw"))
    with Instance.get() as instance:
        assert instance.root_directory == str(tmp_path / "hw")


def test_no_home_configured(clean_env):
    with pytest.raises(InstanceNotConfiguredError, match="HEADWATER_HOME") as info:
        Instance.get()
    assert isinstance(info.value, StorageError) and isinstance(info.value, HeadwaterError)
    assert "Instance.ephemeral()" in str(info.value)


def test_home_that_cannot_be_created(clean_env, tmp_path):
    blocker = tmp_path / "a_file"
    blocker.write_text("not a folder")
    clean_env.setenv("HEADWATER_HOME", str(blocker / "home"))
    with pytest.raises(StorageError, match="Cannot create the Headwater home folder") as info:
        Instance.get()
    assert str(blocker / "home") in str(info.value)


def test_ephemeral_dirs_are_lazy_and_removed(clean_env):
    instance = Instance.ephemeral()
    assert instance.is_ephemeral and instance._temp_dir is None
    storage = instance.storage_directory()
    root = instance.root_directory
    assert storage == os.path.join(root, "storage") and os.path.isdir(root)
    instance.dispose()
    assert not os.path.exists(root)
    with pytest.raises(StorageError, match="closed"):
        instance.get_runs()


def test_ephemeral_instances_are_separate():
    with Instance.ephemeral() as a, Instance.ephemeral() as b:
        a.create_run("j", run_id="only_in_a")
        assert not b.has_run("only_in_a")


def test_from_url(tmp_path):
    with Instance.from_url(f"sqlite:///{tmp_path / 'db' / 'x.db'}") as instance:
        instance.create_run("j")
        assert instance.storage_directory() == str(tmp_path / "db" / "storage")
    with Instance.from_url("sqlite://", storage_directory=str(tmp_path / "s")) as instance:
        assert instance.is_ephemeral and instance.storage_directory() == str(tmp_path / "s")


def test_instance_for_test_sets_and_restores_env(clean_env):
    clean_env.setenv("DAGSTER_HOME", "/previous")
    with instance_for_test() as instance:
        home = instance.root_directory
        assert os.environ["HEADWATER_HOME"] == home == os.environ["DAGSTER_HOME"]
        with Instance.get() as same:
            instance.create_run("j", run_id="r")
            assert same.has_run("r")
    assert os.environ["DAGSTER_HOME"] == "/previous" and "HEADWATER_HOME" not in os.environ
    assert not os.path.exists(home)


def test_pickle_reopens_persistent_instance(tmp_path):
    with Instance.local(tmp_path) as instance:
        instance.create_run("j", run_id="r")
        with pickle.loads(pickle.dumps(instance)) as copy:
            assert copy.has_run("r") and copy.root_directory == instance.root_directory
    with Instance.ephemeral() as ephemeral, pytest.raises(InvariantViolationError):
        pickle.dumps(ephemeral)


def test_threads_share_one_instance(tmp_path):
    with Instance.local(tmp_path) as instance:
        run = instance.create_run("j")

        def work(n):
            for i in range(20):
                instance.store_events([step_start(run.run_id, f"t{n}-{i}")])
                instance.get_run_by_id(run.run_id)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert len(instance.all_logs(run.run_id)) == 80


def test_two_processes_write_the_same_database(tmp_path):
    with Instance.local(tmp_path) as instance:
        run = instance.create_run("j")
        code = ("import sys; from headwater.storage import Instance\n"
                "from headwater.events import Event, EventLogEntry\n"
                f"i = Instance.local({str(tmp_path)!r})\n"
                "for n in range(50):\n"
                f"    i.store_event(EventLogEntry({run.run_id!r}, 0.0, 10, '', f'c{{n}}', 'j',"
                " Event('STEP_START', 'j', f'c{n}')))\n")
        child = subprocess.Popen([sys.executable, "-c", code], cwd=_repo_root())
        for n in range(50):
            instance.store_event(step_start(run.run_id, f"p{n}"))
        assert child.wait(timeout=60) == 0
        assert len(instance.all_logs(run.run_id)) == 100


def _repo_root():
    import headwater.storage

    return os.path.dirname(os.path.dirname(headwater.storage.__path__[0]))


def test_import_does_not_load_sqlalchemy():
    code = "import sys, headwater.storage; print('sqlalchemy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, cwd=_repo_root())
    assert out.stdout.strip() == "False"
