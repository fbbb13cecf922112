"""台账行指纹: per project, the digest of the ledger row an import last found unchanged

* ledger_fingerprint: the project (deleted with it), the 16-byte digest (`ledger.fingerprint`).

A cache for `ledger import` (a re-import skips the rows whose digest is the same); downgrade() drops it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ledger_fingerprint",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("digest", sa.LargeBinary(length=16), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_ledger_fingerprint_project_id_project"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_ledger_fingerprint")),
    )


def downgrade() -> None:
    op.drop_table("ledger_fingerprint")
