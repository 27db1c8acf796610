"""Schedule/sensor state and ticks, concurrency pools.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "instigators",
        sa.Column("selector_id", sa.String(255), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("instigator_type", sa.String(63), nullable=False),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("update_timestamp", sa.Float, nullable=False),
    )
    op.create_table(
        "instigator_ticks",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("selector_id", sa.String(255), nullable=False),
        sa.Column("tick_key", sa.String(255), nullable=False),
        sa.Column("instigator_type", sa.String(63), nullable=False),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.Column("end_timestamp", sa.Float),
        sa.Column("body", sa.Text, nullable=False),
        sa.UniqueConstraint("selector_id", "tick_key", name="uq_instigator_ticks_selector_key"),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_instigator_ticks_selector_ts", "instigator_ticks",
                    ["selector_id", "timestamp"])
    op.create_table(
        "concurrency_limits",
        sa.Column("concurrency_key", sa.String(255), primary_key=True),
        sa.Column("slot_count", sa.Integer, nullable=False),
        sa.Column("update_timestamp", sa.Float, nullable=False),
    )
    op.create_table(
        "concurrency_claims",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("concurrency_key", sa.String(255), nullable=False),
        sa.Column("run_id", sa.String(255), nullable=False),
        sa.Column("step_key", sa.String(1023), nullable=False),
        sa.Column("status", sa.String(63), nullable=False),
        sa.Column("priority", sa.Integer, nullable=False),
        sa.Column("timestamp", sa.Float, nullable=False),
        sa.UniqueConstraint("concurrency_key", "run_id", "step_key",
                            name="uq_concurrency_claims_key_run_step"),
        sqlite_autoincrement=True,
    )
    op.create_index("idx_concurrency_claims_run_id", "concurrency_claims", ["run_id"])


def downgrade() -> None:
    for table in ("concurrency_claims", "concurrency_limits", "instigator_ticks", "instigators"):
        op.drop_table(table)
