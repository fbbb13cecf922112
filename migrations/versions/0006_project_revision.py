"""what a project was on a date: the values of its fields and milestones' actual dates that later changes replaced

* project_revision: a project's field (状态, 责任单位, 包保领导, 产业链 …) as it was until a change
  replaced it, with the date of that change (the command's as-of date), so a report for an
  earlier date reads the value on record then. Projects changed before this revision have no
  earlier values kept: reports read their current values for every date, as before.
* milestone.actual_recorded_on: the business date an actual date was recorded; rows already
  there get NULL (on record always). milestone_revision: an actual date a correction replaced,
  with the dates it was on record.

downgrade() drops them (the earlier values with them).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "project_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("field", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Text(), nullable=True),
        sa.Column("replaced_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name="fk_project_revision_project_id_project"),
        sa.PrimaryKeyConstraint("id", name="pk_project_revision"),
    )
    op.create_index("ix_project_revision_project_id", "project_revision", ["project_id"])
    op.create_index("ix_project_revision_replaced_on", "project_revision", ["replaced_on"])
    with op.batch_alter_table("milestone") as batch:
        batch.add_column(sa.Column("actual_recorded_on", sa.Date(), nullable=True))
        batch.create_index("ix_milestone_actual_recorded_on", ["actual_recorded_on"])
    op.create_table(
        "milestone_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("milestone_id", sa.Integer(), nullable=False),
        sa.Column("actual_date", sa.Date(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=True),
        sa.Column("replaced_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["milestone_id"], ["milestone.id"], name="fk_milestone_revision_milestone_id_milestone"),
        sa.PrimaryKeyConstraint("id", name="pk_milestone_revision"),
    )
    op.create_index("ix_milestone_revision_milestone_id", "milestone_revision", ["milestone_id"])


def downgrade() -> None:
    op.drop_index("ix_milestone_revision_milestone_id", table_name="milestone_revision")
    op.drop_table("milestone_revision")
    with op.batch_alter_table("milestone") as batch:
        batch.drop_index("ix_milestone_actual_recorded_on")
        batch.drop_column("actual_recorded_on")
    op.drop_index("ix_project_revision_replaced_on", table_name="project_revision")
    op.drop_index("ix_project_revision_project_id", table_name="project_revision")
    op.drop_table("project_revision")
