"""DuckDBResource when another process holds the database file: waits for it, or says who to
blame when it does not come free."""

import subprocess
import sys
import threading

import pytest

from headwater.duckdb import DuckDBResource
from headwater.duckdb import resource as duckdb_resource

HOLDER = """
import sys, duckdb
conn = duckdb.connect(sys.argv[1])
conn.execute("create table if not exists t as select 1 as x")
print("locked", flush=True)
sys.stdin.readline()  # hold the file until told to let go
conn.close()
"""


@pytest.fixture
def holder(tmp_path):
    """Another process with the database open for writing, released by ``holder.release()``."""
    db = str(tmp_path / "locked.duckdb")
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, db], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"

    def release():
        if proc.poll() is None:
            proc.stdin.write("\n")
            proc.stdin.flush()
            proc.wait(timeout=30)

    proc.db = db
    proc.release = release
    try:
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_waits_for_another_process_to_let_go(holder):
    opened = []

    def use():
        with DuckDBResource(database=holder.db).get_connection() as conn:
            opened.append(conn.execute("select x from t").fetchone()[0])

    worker = threading.Thread(target=use)
    worker.start()
    holder.release()
    worker.join(timeout=60)
    assert opened == [1]


def test_a_lock_that_stays_is_a_clear_error(holder, monkeypatch):
    monkeypatch.setattr(duckdb_resource, "_CONNECT_ATTEMPTS", 2)
    with pytest.raises(duckdb_resource.DuckDBLockedError, match="locked by another process"):
        with DuckDBResource(database=holder.db).get_connection():
            pass


def test_other_errors_are_not_retried(tmp_path, monkeypatch):
    attempts = []
    import duckdb
    real_connect = duckdb.connect

    def counting(*args, **kwargs):
        attempts.append(1)
        return real_connect(*args, **kwargs)

    monkeypatch.setattr(duckdb, "connect", counting)
    with pytest.raises(duckdb.Error):
        with DuckDBResource(database=str(tmp_path / "no" / "such" / "dir.duckdb")).get_connection():
            pass
    assert len(attempts) == 1


def test_import_stays_light():
    out = subprocess.run([sys.executable, "-c", "import sys, headwater.duckdb; "
                          "print('duckdb' in sys.modules)"], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
