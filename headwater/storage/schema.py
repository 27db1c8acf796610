"""The instance's tables (SQLAlchemy Core), dialect-neutral: SQLite now, PostgreSQL by URL.

Changing a table here needs a new migration under ``migrations/versions`` (the tests compare
this metadata with the migrated database).
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

_ID = sa.Integer

runs = sa.Table(
    "runs", metadata,
    # An integer id gives a stable newest-first order and cheap cursors; run_id is unique.
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False, unique=True),
    sa.Column("job_name", sa.String(255), nullable=False),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("tags", sa.Text, nullable=False),  # JSON object
    sa.Column("run_config", sa.Text, nullable=False),  # JSON object
    sa.Column("parent_run_id", sa.String(255)),
    sa.Column("root_run_id", sa.String(255)),
    sa.Column("asset_selection", sa.Text),  # JSON list of key paths, NULL = everything
    sa.Column("body", sa.Text, nullable=False),  # JSON: the rest of the Run
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
    sa.Column("start_time", sa.Float),
    sa.Column("end_time", sa.Float),
    sa.Index("idx_runs_status", "status", "id"),
    sa.Index("idx_runs_job_name", "job_name", "id"),
    sqlite_autoincrement=True,
)

run_tags = sa.Table(
    "run_tags", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("key", sa.Text, nullable=False),
    sa.Column("value", sa.Text, nullable=False),
    sa.Index("idx_run_tags_key_value", "key", "value"),
    sa.Index("idx_run_tags_run_id", "run_id"),
)

event_logs = sa.Table(
    "event_logs", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("event_type", sa.String(63), nullable=False),
    sa.Column("step_key", sa.Text),
    sa.Column("asset_key", sa.Text),  # AssetKey.to_string(); NULL once the asset is wiped
    sa.Column("partition", sa.Text),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("body", sa.LargeBinary, nullable=False),  # headwater.events.encode_entry
    sa.Index("idx_event_logs_run_id", "run_id", "id"),
    # partial: most rows (step events, logs) have no asset key and need no index entry
    sa.Index("idx_event_logs_asset", "asset_key", "event_type", "id",
             sqlite_where=sa.text("asset_key IS NOT NULL"),
             postgresql_where=sa.text("asset_key IS NOT NULL")),
    sqlite_autoincrement=True,
)

asset_keys = sa.Table(
    "asset_keys", metadata,
    sa.Column("asset_key", sa.Text, primary_key=True),
    sa.Column("last_materialization_id", _ID),
    sa.Column("last_materialization_timestamp", sa.Float),
    sa.Column("last_run_id", sa.String(255)),
    sa.Column("last_observation_id", _ID),
    sa.Column("last_observation_timestamp", sa.Float),
    sa.Column("wipe_timestamp", sa.Float),
)

asset_check_executions = sa.Table(
    "asset_check_executions", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("asset_key", sa.Text, nullable=False),
    sa.Column("check_name", sa.String(255), nullable=False),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("passed", sa.Boolean),
    sa.Column("event_id", _ID),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Index("idx_asset_check_executions_key", "asset_key", "check_name", "id"),
    sa.Index("idx_asset_check_executions_run_id", "run_id"),
)

asset_partitions = sa.Table(
    "asset_partitions", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("asset_key", sa.Text, nullable=False),
    sa.Column("partition", sa.Text, nullable=False),
    sa.Column("last_materialization_id", _ID, nullable=False),
    sa.Column("last_run_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.UniqueConstraint("asset_key", "partition", name="uq_asset_partitions_key_partition"),
)

# Open plans: the latest run that planned each asset partition (ASSET_MATERIALIZATION_PLANNED
# with a partition), until a materialization of that partition completes it (the row is then
# deleted). With the runs table it tells in-progress and failed partitions apart.
asset_partition_planned = sa.Table(
    "asset_partition_planned", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("asset_key", sa.Text, nullable=False),
    sa.Column("partition", sa.Text, nullable=False),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.UniqueConstraint("asset_key", "partition", name="uq_asset_partition_planned_key_partition"),
)

# Keys of each DynamicPartitionsDefinition, by its name, in the order they were added.
dynamic_partitions = sa.Table(
    "dynamic_partitions", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("partitions_def_name", sa.String(255), nullable=False),
    sa.Column("partition", sa.Text, nullable=False),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.UniqueConstraint("partitions_def_name", "partition",
                        name="uq_dynamic_partitions_name_partition"),
    sqlite_autoincrement=True,
)

# Backfills: one row each; what they cover lives in ``body`` (JSON), their runs carry the
# ``dagster/backfill`` tag.
backfills = sa.Table(
    "backfills", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("backfill_id", sa.String(255), nullable=False, unique=True),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("create_timestamp", sa.Float, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
    sa.Index("idx_backfills_status", "status", "id"),
    sqlite_autoincrement=True,
)

# Schedules and sensors: on/off and cursor per instigator (``<location>:<name>``), the rest of
# its state in ``body`` (JSON).
instigators = sa.Table(
    "instigators", metadata,
    sa.Column("selector_id", sa.String(255), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("instigator_type", sa.String(63), nullable=False),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
)

# One row per evaluation; (selector_id, tick_key) is unique so a tick is never recorded twice.
instigator_ticks = sa.Table(
    "instigator_ticks", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("selector_id", sa.String(255), nullable=False),
    sa.Column("tick_key", sa.String(255), nullable=False),
    sa.Column("instigator_type", sa.String(63), nullable=False),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.Column("end_timestamp", sa.Float),
    sa.Column("body", sa.Text, nullable=False),
    sa.UniqueConstraint("selector_id", "tick_key", name="uq_instigator_ticks_selector_key"),
    sa.Index("idx_instigator_ticks_selector_ts", "selector_id", "timestamp"),
    sqlite_autoincrement=True,
)

# Concurrency pools: slots per key, and the steps holding or waiting for them.
concurrency_limits = sa.Table(
    "concurrency_limits", metadata,
    sa.Column("concurrency_key", sa.String(255), primary_key=True),
    sa.Column("slot_count", sa.Integer, nullable=False),
    sa.Column("update_timestamp", sa.Float, nullable=False),
)

concurrency_claims = sa.Table(
    "concurrency_claims", metadata,
    sa.Column("id", _ID, primary_key=True, autoincrement=True),
    sa.Column("concurrency_key", sa.String(255), nullable=False),
    sa.Column("run_id", sa.String(255), nullable=False),
    sa.Column("step_key", sa.String(1023), nullable=False),
    sa.Column("status", sa.String(63), nullable=False),
    sa.Column("priority", sa.Integer, nullable=False),
    sa.Column("timestamp", sa.Float, nullable=False),
    sa.UniqueConstraint("concurrency_key", "run_id", "step_key",
                        name="uq_concurrency_claims_key_run_step"),
    sa.Index("idx_concurrency_claims_run_id", "run_id"),
    sqlite_autoincrement=True,
)

# The process executing each run (one row per run, written when it starts): host, pid, where
# that pid is meaningful and when the process started (Linux), and a heartbeat it refreshes
# every few seconds. ``run_health.py`` tells from it whether a run's process is gone.
run_workers = sa.Table(
    "run_workers", metadata,
    sa.Column("run_id", sa.String(255), primary_key=True),
    sa.Column("host", sa.String(255), nullable=False),
    sa.Column("pid", sa.Integer, nullable=False),
    sa.Column("pid_namespace", sa.String(255)),  # "<boot id>/<pid namespace>"; NULL off Linux
    sa.Column("process_start", sa.String(63)),  # clock ticks since boot; NULL off Linux
    sa.Column("heartbeat", sa.Float, nullable=False),
)

ALL_TABLES = ("runs", "run_tags", "event_logs", "asset_keys", "asset_check_executions",
              "asset_partitions", "asset_partition_planned", "dynamic_partitions", "backfills",
              "instigators", "instigator_ticks", "concurrency_limits", "concurrency_claims",
              "run_workers")
