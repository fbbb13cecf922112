"""logins and row-level security: who did it is the login, and a unit writes only its own projects

* change_log.on_behalf (代录): on PostgreSQL `by` is the login (session_user) and this the person --by named,
  when another. The row hash covers it only when it is set (store.changelog.entry_hash), so every older row
  verifies as before; downgrade() keeps it for the same reason as 0010 keeps run and on.
* login_role: a PostgreSQL login the tool granted a role (office, staff, unit, leader; `projects admin
  role add`) and a unit's login's unit.
* PostgreSQL only: the functions and the row-level security policies of store/roles.py on the tables a unit
  or a leader may write, keyed on session_user through login_role. On SQLite nothing more: the file's
  permissions are the access control.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

KINDS = ("office", "staff", "unit", "leader")  # frozen copy of models.LOGIN_KINDS as of this revision


def upgrade() -> None:
    bind = op.get_bind()
    held = {c["name"] for c in sa.inspect(bind).get_columns("change_log")}
    if "on_behalf" not in held:  # kept by an earlier downgrade otherwise
        with op.batch_alter_table("change_log") as batch:
            batch.add_column(sa.Column("on_behalf", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True))
    op.create_table(
        "login_role",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("by", sqlmodel.sql.sqltypes.AutoString(length=63), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(f"kind IN ({', '.join(repr(v) for v in KINDS)})", name=op.f("ck_login_role_kind")),
        sa.CheckConstraint("(kind = 'unit') = (unit_id IS NOT NULL)", name=op.f("ck_login_role_unit")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_login_role_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_role")),
        sa.UniqueConstraint("login", name=op.f("uq_login_role_login")),
    )
    if bind.dialect.name == "postgresql":
        from projects_cli.store.roles import create_policies

        create_policies(bind)


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        from projects_cli.store.roles import drop_policies

        drop_policies(bind)
    op.drop_table("login_role")
    # change_log.on_behalf stays (see above)
