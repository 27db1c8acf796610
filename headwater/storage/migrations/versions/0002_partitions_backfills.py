"""Partition status (planned runs), dynamic partitions, backfills.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "asset_partition_planned",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("asset_key", sa.Text, nullable=False),
        sa.Column("partition", sa.Text, nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.UniqueConstraint("asset_key", "partition",
                            name="uq_asset_partition_planned_key_partition"),
    )
    op.create_table(
        "dynamic_partitions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("partitions_def_name", sa.String(255), nullable=False),
        sa.Column("partition", sa.Text, nullable=False),
        sa.Column("create_timestamp", sa.Float, nullable=False),
        sa.UniqueConstraint("partitions_def_name", "partition",
                            name="uq_dynamic_partitions_name_partition"),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "backfills",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("backfill_id", sa.String(255), nullable=False, unique=True),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("create_timestamp", sa.Float, nullable=False),
        sa.Column("update_timestamp", sa.Float, nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_backfills_status", "backfills", ["status", "id"])


def downgrade() -> None:
    for table in ("backfills", "dynamic_partitions", "asset_partition_planned"):
        op.drop_table(table)
