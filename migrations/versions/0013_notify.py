"""催办提醒: every reminder message sent (or failed) to a unit on a channel

* notice: the unit, the channel (wecom, dingtalk, email), the keys of the items it covered,
  the as-of date, the result (sent, failed), the attempts made, the last error, who sent it and when.

downgrade() drops the table.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

# Frozen copies of models.NOTICE_CHANNELS and NOTICE_RESULTS as of this revision.
CHANNELS = ("wecom", "dingtalk", "email")
RESULTS = ("sent", "failed")


def upgrade() -> None:
    op.create_table(
        "notice",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=100), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("result", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=50), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"channel IN ({', '.join(repr(v) for v in CHANNELS)})", name=op.f("ck_notice_channel")),
        sa.CheckConstraint(f"result IN ({', '.join(repr(v) for v in RESULTS)})", name=op.f("ck_notice_result")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_notice_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notice")),
    )
    op.create_index("ix_notice_unit_id", "notice", ["unit_id"])
    op.create_index("ix_notice_as_of", "notice", ["as_of"])


def downgrade() -> None:
    op.drop_index("ix_notice_as_of", table_name="notice")
    op.drop_index("ix_notice_unit_id", table_name="notice")
    op.drop_table("notice")
