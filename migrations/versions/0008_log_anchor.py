"""the change log is anchored: each row's position and MAC under a key kept outside the database

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The anchor signs the rows written so far (their number and the last hash), so
the plain hash chain before it is covered from here on; every later row is
signed and chained to the MAC before it (projects_cli/store/changelog.py).
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("change_log") as batch:
        batch.add_column(sa.Column("seq", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("mac", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
    op.create_table(
        "log_anchor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("rows_before", sa.Integer(), nullable=False),
        sa.Column("plain_head", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("key_id", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("nonce", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("mac", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_log_anchor"),
    )
    from projects_cli.store.changelog import anchor_log

    anchor_log(op.get_bind())


def downgrade() -> None:
    # The signatures go with the columns: the log below 0006 has its plain hash chain only.
    op.drop_table("log_anchor")
    with op.batch_alter_table("change_log") as batch:
        batch.drop_column("mac")
        batch.drop_column("seq")
