"""The plain-SQL SQLite path: its DDL is the metadata's, and a run never loads SQLAlchemy."""

from __future__ import annotations

import os
import subprocess
import sys

from sqlalchemy.dialects import sqlite
from sqlalchemy.schema import CreateIndex, CreateTable

from headwater.storage import sqlite_schema
from headwater.storage.schema import ALL_TABLES, metadata


def _normal(sql: str) -> str:
    return " ".join(sql.split())


def test_ddl_is_what_create_all_emits_for_sqlite():
    dialect = sqlite.dialect()
    expected = []
    for name in ALL_TABLES:
        table = metadata.tables[name]
        expected.append(str(CreateTable(table).compile(dialect=dialect)))
        expected += [str(CreateIndex(i).compile(dialect=dialect))
                     for i in sorted(table.indexes, key=lambda i: i.name)]
    assert [_normal(s) for s in sqlite_schema.CREATE_STATEMENTS] == [_normal(s) for s in expected]
    assert set(metadata.tables) == set(ALL_TABLES)


def test_a_run_on_a_new_sqlite_instance_does_not_import_sqlalchemy(tmp_path):
    # Everything W1 does: a new database, a run with tags, events of every indexed kind
    # (with a partition and a plan), status moves, reading the run back.
    code = f"""
import sys
from headwater.definitions.asset_key import AssetKey
from headwater.events import EventType
from headwater.storage import Instance
from headwater.events.records import AssetPlannedData
from tests.storage._events import (check_evaluation, entry, materialization, observation,
                                   run_event, step_start)
with Instance.local({str(tmp_path)!r}) as instance:
    run = instance.create_run("j", tags={{"a": "b"}})
    instance.store_events([run_event(run.run_id, EventType.RUN_START),
                           entry(run.run_id, EventType.ASSET_MATERIALIZATION_PLANNED, None,
                                 AssetPlannedData(AssetKey("x"), "p")),
                           step_start(run.run_id, "s"),
                           materialization(run.run_id, "x", partition="p"),
                           observation(run.run_id, AssetKey("x")),
                           check_evaluation(run.run_id, AssetKey("x"), "c", True),
                           run_event(run.run_id, EventType.RUN_SUCCESS)])
    assert instance.get_run_by_id(run.run_id).is_success
    assert instance.has_run(run.run_id)
    assert instance.get_materialized_partitions(AssetKey("x")) == {{"p"}}
    assert instance.get_partition_status(AssetKey("x")).materialized == {{"p"}}
print('sqlalchemy' in sys.modules, 'alembic' in sys.modules)
"""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False False"
