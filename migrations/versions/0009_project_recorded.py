"""when a project came on record: reports for an earlier date do not list a project added later

* project.recorded_on: the business date (the command's as-of date) a project was added;
  projects already there get NULL (on record always), as do the plan's projects of
  `init --sample`.

downgrade() drops the column.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.add_column(sa.Column("recorded_on", sa.Date(), nullable=True))
        batch.create_index("ix_project_recorded_on", ["recorded_on"])


def downgrade() -> None:
    with op.batch_alter_table("project") as batch:
        batch.drop_index("ix_project_recorded_on")
        batch.drop_column("recorded_on")
