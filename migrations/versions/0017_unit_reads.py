"""what unit logins read, and what the office's imports rely on kept from units

* role_scope: what the logins of a kind may read, as the office chose (`projects admin role scope --unit-reads
  own|all`; no row: all, as before).
* PostgreSQL only: the policies re-created (store/roles.py): read policies as role_scope says, row-level
  security on the office-only tables that belong to a unit's projects (investment_plan, project_archive, card,
  notice, issue_helper, meeting_decision), the function every writer chains the log onto, and the trigger that
  keeps a dispatch's record as sent from a unit's login. The ledger fingerprints are emptied (a cache: a unit's
  login could write them until now, and the office's import skips a row by them); `db upgrade` then takes the
  units' grant to write them away.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

READS = ("all", "own")  # frozen copy of models.UNIT_READS as of this revision


def upgrade() -> None:
    op.create_table(
        "role_scope",
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("reads", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"reads IN ({', '.join(repr(v) for v in READS)})", name=op.f("ck_role_scope_reads")),
        sa.PrimaryKeyConstraint("kind", name=op.f("pk_role_scope")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from projects_cli.store.roles import create_policies

        create_policies(bind)
        bind.exec_driver_sql("DELETE FROM ledger_fingerprint")


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from projects_cli.store.roles import READ_SCOPED, create_policies, drop_policies

        drop_policies(bind)
        op.drop_table("role_scope")
        create_policies(bind)  # as 0016 made them: every table read by all
        for table, *_x in READ_SCOPED:
            bind.exec_driver_sql(f"DROP POLICY IF EXISTS projects_read ON {table}")
            for name in ("projects_insert", "projects_update", "projects_delete"):
                bind.exec_driver_sql(f"DROP POLICY IF EXISTS {name} ON {table}")
            bind.exec_driver_sql(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
    else:
        op.drop_table("role_scope")
