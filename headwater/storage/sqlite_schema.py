"""The SQLite schema at head as plain DDL, so that a new database is created without importing
SQLAlchemy (a fresh process's first run would otherwise spend most of its time on that import).

These statements are what ``schema.metadata.create_all`` emits for SQLite, table by table with
its indexes; ``tests/storage/test_sqlite_schema.py`` compiles the metadata and compares, so the
two cannot drift. A schema change needs a migration, the ``schema.py`` table and this text.
"""

from __future__ import annotations

from typing import Any

CREATE_STATEMENTS: tuple[str, ...] = (
    """CREATE TABLE runs (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id VARCHAR(255) NOT NULL,
    job_name VARCHAR(255) NOT NULL,
    status VARCHAR(63) NOT NULL,
    tags TEXT NOT NULL,
    run_config TEXT NOT NULL,
    parent_run_id VARCHAR(255),
    root_run_id VARCHAR(255),
    asset_selection TEXT,
    body TEXT NOT NULL,
    create_timestamp FLOAT NOT NULL,
    update_timestamp FLOAT NOT NULL,
    start_time FLOAT,
    end_time FLOAT,
    UNIQUE (run_id)
)""",
    "CREATE INDEX idx_runs_job_name ON runs (job_name, id)",
    "CREATE INDEX idx_runs_status ON runs (status, id)",
    """CREATE TABLE run_tags (
    id INTEGER NOT NULL,
    run_id VARCHAR(255) NOT NULL,
    "key" TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX idx_run_tags_key_value ON run_tags (\"key\", value)",
    "CREATE INDEX idx_run_tags_run_id ON run_tags (run_id)",
    """CREATE TABLE event_logs (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    run_id VARCHAR(255) NOT NULL,
    event_type VARCHAR(63) NOT NULL,
    step_key TEXT,
    asset_key TEXT,
    partition TEXT,
    timestamp FLOAT NOT NULL,
    body BLOB NOT NULL
)""",
    "CREATE INDEX idx_event_logs_asset ON event_logs (asset_key, event_type, id) WHERE asset_key IS NOT NULL",
    "CREATE INDEX idx_event_logs_run_id ON event_logs (run_id, id)",
    """CREATE TABLE asset_keys (
    asset_key TEXT NOT NULL,
    last_materialization_id INTEGER,
    last_materialization_timestamp FLOAT,
    last_run_id VARCHAR(255),
    last_observation_id INTEGER,
    last_observation_timestamp FLOAT,
    wipe_timestamp FLOAT,
    PRIMARY KEY (asset_key)
)""",
    """CREATE TABLE asset_check_executions (
    id INTEGER NOT NULL,
    asset_key TEXT NOT NULL,
    check_name VARCHAR(255) NOT NULL,
    run_id VARCHAR(255) NOT NULL,
    passed BOOLEAN,
    event_id INTEGER,
    timestamp FLOAT NOT NULL,
    PRIMARY KEY (id)
)""",
    "CREATE INDEX idx_asset_check_executions_key ON asset_check_executions (asset_key, check_name, id)",
    "CREATE INDEX idx_asset_check_executions_run_id ON asset_check_executions (run_id)",
    """CREATE TABLE asset_partitions (
    id INTEGER NOT NULL,
    asset_key TEXT NOT NULL,
    partition TEXT NOT NULL,
    last_materialization_id INTEGER NOT NULL,
    last_run_id VARCHAR(255) NOT NULL,
    timestamp FLOAT NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_asset_partitions_key_partition UNIQUE (asset_key, partition)
)""",
    """CREATE TABLE asset_partition_planned (
    id INTEGER NOT NULL,
    asset_key TEXT NOT NULL,
    partition TEXT NOT NULL,
    run_id VARCHAR(255) NOT NULL,
    timestamp FLOAT NOT NULL,
    PRIMARY KEY (id),
    CONSTRAINT uq_asset_partition_planned_key_partition UNIQUE (asset_key, partition)
)""",
    """CREATE TABLE dynamic_partitions (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    partitions_def_name VARCHAR(255) NOT NULL,
    partition TEXT NOT NULL,
    create_timestamp FLOAT NOT NULL,
    CONSTRAINT uq_dynamic_partitions_name_partition UNIQUE (partitions_def_name, partition)
)""",
    """CREATE TABLE backfills (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    backfill_id VARCHAR(255) NOT NULL,
    status VARCHAR(63) NOT NULL,
    body TEXT NOT NULL,
    create_timestamp FLOAT NOT NULL,
    update_timestamp FLOAT NOT NULL,
    UNIQUE (backfill_id)
)""",
    "CREATE INDEX idx_backfills_status ON backfills (status, id)",
    """CREATE TABLE instigators (
    selector_id VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    instigator_type VARCHAR(63) NOT NULL,
    status VARCHAR(63) NOT NULL,
    body TEXT NOT NULL,
    update_timestamp FLOAT NOT NULL,
    PRIMARY KEY (selector_id)
)""",
    """CREATE TABLE instigator_ticks (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    selector_id VARCHAR(255) NOT NULL,
    tick_key VARCHAR(255) NOT NULL,
    instigator_type VARCHAR(63) NOT NULL,
    status VARCHAR(63) NOT NULL,
    timestamp FLOAT NOT NULL,
    end_timestamp FLOAT,
    body TEXT NOT NULL,
    CONSTRAINT uq_instigator_ticks_selector_key UNIQUE (selector_id, tick_key)
)""",
    "CREATE INDEX idx_instigator_ticks_selector_ts ON instigator_ticks (selector_id, timestamp)",
    """CREATE TABLE concurrency_limits (
    concurrency_key VARCHAR(255) NOT NULL,
    slot_count INTEGER NOT NULL,
    update_timestamp FLOAT NOT NULL,
    PRIMARY KEY (concurrency_key)
)""",
    """CREATE TABLE concurrency_claims (
    id INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,
    concurrency_key VARCHAR(255) NOT NULL,
    run_id VARCHAR(255) NOT NULL,
    step_key VARCHAR(1023) NOT NULL,
    status VARCHAR(63) NOT NULL,
    priority INTEGER NOT NULL,
    timestamp FLOAT NOT NULL,
    CONSTRAINT uq_concurrency_claims_key_run_step UNIQUE (concurrency_key, run_id, step_key)
)""",
    "CREATE INDEX idx_concurrency_claims_run_id ON concurrency_claims (run_id)",
    """CREATE TABLE run_workers (
    run_id VARCHAR(255) NOT NULL,
    host VARCHAR(255) NOT NULL,
    pid INTEGER NOT NULL,
    pid_namespace VARCHAR(255),
    process_start VARCHAR(63),
    heartbeat FLOAT NOT NULL,
    PRIMARY KEY (run_id)
)""",
)

VERSION_TABLE = """CREATE TABLE alembic_version (
    version_num VARCHAR(32) NOT NULL,
    PRIMARY KEY (version_num)
)"""


def create_schema(cursor: Any, revision: str) -> None:
    """Create every table and index on a new database, stamped at ``revision`` (inside the
    caller's transaction)."""
    for statement in CREATE_STATEMENTS:
        cursor.execute(statement)
    cursor.execute(VERSION_TABLE)
    cursor.execute("INSERT INTO alembic_version (version_num) VALUES (?)", (revision,))
