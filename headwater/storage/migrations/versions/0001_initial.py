"""Initial schema: runs, run tags, event log, asset index, check executions, partitions.

Revision ID: 0001
Revises: None
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False, unique=True),
        sa.Column("job_name", sa.String(255), nullable=False),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("tags", sa.Text, nullable=False),
        sa.Column("run_config", sa.Text, nullable=False),
        sa.Column("parent_run_id", sa.String(255)),
        sa.Column("root_run_id", sa.String(255)),
        sa.Column("asset_selection", sa.Text),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("create_timestamp", sa.Float, nullable=False),
        sa.Column("update_timestamp", sa.Float, nullable=False),
        sa.Column("start_time", sa.Float),
        sa.Column("end_time", sa.Float),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_runs_status", "runs", ["status", "id"])
    op.create_index("idx_runs_job_name", "runs", ["job_name", "id"])

    op.create_table(
        "run_tags",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("key", sa.Text, nullable=False),
        sa.Column("value", sa.Text, nullable=False),
    )
    op.create_index("idx_run_tags_key_value", "run_tags", ["key", "value"])
    op.create_index("idx_run_tags_run_id", "run_tags", ["run_id"])

    op.create_table(
        "event_logs",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("event_type", sa.String(63), nullable=False),
        sa.Column("step_key", sa.Text),
        sa.Column("asset_key", sa.Text),
        sa.Column("partition", sa.Text),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_event_logs_run_id", "event_logs", ["run_id", "id"])
    op.create_index("idx_event_logs_asset", "event_logs", ["asset_key", "event_type", "id"],
                    sqlite_where=sa.text("asset_key IS NOT NULL"),
                    postgresql_where=sa.text("asset_key IS NOT NULL"))

    op.create_table(
        "asset_keys",
        sa.Column("asset_key", sa.Text, primary_key=True),
        sa.Column("last_materialization_id", sa.Integer),
        sa.Column("last_materialization_timestamp", sa.Float),
        sa.Column("last_run_id", sa.String(255)),
        sa.Column("last_observation_id", sa.Integer),
        sa.Column("last_observation_timestamp", sa.Float),
        sa.Column("wipe_timestamp", sa.Float),
    )

    op.create_table(
        "asset_check_executions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("asset_key", sa.Text, nullable=False),
        sa.Column("check_name", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("passed", sa.Boolean),
        sa.Column("event_id", sa.Integer),
        sa.Column("timestamp", sa.Float, nullable=False),
    )
    op.create_index("idx_asset_check_executions_key", "asset_check_executions",
                    ["asset_key", "check_name", "id"])
    op.create_index("idx_asset_check_executions_run_id", "asset_check_executions", ["run_id"])

    op.create_table(
        "asset_partitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("asset_key", sa.Text, nullable=False),
        sa.Column("partition", sa.Text, nullable=False),
        sa.Column("last_materialization_id", sa.Integer, nullable=False),
        sa.Column("last_run_id", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.UniqueConstraint("asset_key", "partition", name="uq_asset_partitions_key_partition"),
    )


def downgrade() -> None:
    for table in ("asset_partitions", "asset_check_executions", "asset_keys", "event_logs",
                  "run_tags", "runs"):
        op.drop_table(table)
