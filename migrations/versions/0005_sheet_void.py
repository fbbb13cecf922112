"""a sheet can be voided (作废): when, by whom and why; its number is never given again

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sheet") as batch:
        batch.add_column(sa.Column("voided_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("voided_by", sa.String(length=50), nullable=True))
        batch.add_column(sa.Column("void_reason", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sheet") as batch:
        batch.drop_column("void_reason")
        batch.drop_column("voided_by")
        batch.drop_column("voided_on")
