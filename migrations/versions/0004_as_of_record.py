"""what was on record when: investment figures' recorded date and the figures they replaced; 暂评 ratings

* investment_report.recorded_on: the business date (the command's as-of date) a
  month's figure was recorded; rows already there get NULL (on record always).
* investment_revision: a month's figure that a later one replaced, with the
  dates it was on record, so a report for an earlier as-of date reads it.
* card.provisional, flag_score.provisional: rated before the period ended (暂评);
  flag_score.as_of: the date whose facts were scored.

downgrade() drops them again (the replaced figures with them).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("investment_report") as batch:
        batch.add_column(sa.Column("recorded_on", sa.Date(), nullable=True))
    op.create_table(
        "investment_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("amount", sa.Numeric(precision=16, scale=2), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("replaced_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name="fk_investment_revision_project_id_project"),
        sa.PrimaryKeyConstraint("id", name="pk_investment_revision"),
    )
    op.create_index("ix_investment_revision_project_id", "investment_revision", ["project_id"])
    with op.batch_alter_table("card") as batch:
        batch.add_column(sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("flag_score") as batch:
        batch.add_column(sa.Column("as_of", sa.Date(), nullable=True))
        batch.add_column(sa.Column("provisional", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("flag_score") as batch:
        batch.drop_column("provisional")
        batch.drop_column("as_of")
    with op.batch_alter_table("card") as batch:
        batch.drop_column("provisional")
    op.drop_index("ix_investment_revision_project_id", table_name="investment_revision")
    op.drop_table("investment_revision")
    with op.batch_alter_table("investment_report") as batch:
        batch.drop_column("recorded_on")
