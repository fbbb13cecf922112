"""undo and archive: a command's identity in the change log, and archived projects

* change_log.run: the identity of the command that wrote the row (every row of one command shares it), so
  `projects undo --run RUN` and `undo --last` undo a whole command (a ledger import is many rows). Rows
  from before this revision have none (NULL) and are grouped by command and time.
* change_log.on: the command's as-of date (the business date of the change), what `log --since` and the
  weekly's 本周变化 select by; NULL before this revision (they go by the wall-clock `at`).
  The row hash covers `run` and `on` only when they are set (store.changelog.entry_hash), so older rows
  verify as before.
* project_archive: each time a project was archived (归档) — from `archived_on` it is out of every report
  and listing — and, once restored, `restored_on`.

downgrade() drops project_archive and the two indexes but keeps change_log.run and .on: the hashes of the
rows written since cover them, so dropping them would leave a log that no longer verifies once upgraded
again. upgrade() adds them only where they are missing.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    held = {c["name"] for c in sa.inspect(op.get_bind()).get_columns("change_log")}
    with op.batch_alter_table("change_log") as batch:
        if "run" not in held:  # kept by an earlier downgrade otherwise
            batch.add_column(sa.Column("run", sa.String(length=20), nullable=True))
            batch.add_column(sa.Column("on", sa.Date(), nullable=True))
        batch.create_index("ix_change_log_run", ["run"])
        batch.create_index("ix_change_log_on", ["on"])
    op.create_table(
        "project_archive",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("archived_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("by", sa.String(length=50), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("restored_on", sa.Date(), nullable=True),
        sa.Column("restored_by", sa.String(length=50), nullable=True),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name="fk_project_archive_project_id_project"),
        sa.PrimaryKeyConstraint("id", name="pk_project_archive"),
    )
    with op.batch_alter_table("project_archive") as batch:
        batch.create_index("ix_project_archive_project_id", ["project_id"])
        batch.create_index("ix_project_archive_archived_on", ["archived_on"])


def downgrade() -> None:
    with op.batch_alter_table("project_archive") as batch:
        batch.drop_index("ix_project_archive_archived_on")
        batch.drop_index("ix_project_archive_project_id")
    op.drop_table("project_archive")
    # change_log.run and .on stay (see above); their indexes go, as the schema before had none
    with op.batch_alter_table("change_log") as batch:
        batch.drop_index("ix_change_log_on")
        batch.drop_index("ix_change_log_run")
