"""units and leaders as things the office manages: contacts, renames with their history, merges

* unit.email, unit.webhook (企业微信/钉钉 group robot URL), unit.retired_on and unit.merged_into
  (a unit merged into another by `unit merge`, 机构改革: kept for earlier reports, no longer assigned).
* unit_name: a name a unit had until a rename on `replaced_on`; reports for an earlier date print it,
  imports still match it.
* leader: 包保领导 with title and phone, earlier names (`former`) and, once merged, retired_on/merged_into.
  Projects keep the leader's name as text (its history in project_revision).

downgrade() drops them (the name history with them).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("unit") as batch:
        batch.add_column(sa.Column("email", sa.String(length=100), nullable=True))
        batch.add_column(sa.Column("webhook", sa.String(length=500), nullable=True))
        batch.add_column(sa.Column("retired_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
        batch.create_foreign_key("fk_unit_merged_into_unit", "unit", ["merged_into"], ["id"])
    op.create_table(
        "unit_name",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("replaced_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name="fk_unit_name_unit_id_unit"),
        sa.PrimaryKeyConstraint("id", name="pk_unit_name"),
    )
    op.create_index("ix_unit_name_unit_id", "unit_name", ["unit_id"])
    op.create_table(
        "leader",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("title", sa.String(length=50), nullable=True),
        sa.Column("phone", sa.String(length=50), nullable=True),
        sa.Column("former", sa.String(length=200), nullable=False, server_default=""),
        sa.Column("retired_on", sa.Date(), nullable=True),
        sa.Column("merged_into", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["merged_into"], ["leader.id"], name="fk_leader_merged_into_leader"),
        sa.PrimaryKeyConstraint("id", name="pk_leader"),
        sa.UniqueConstraint("name", name="uq_leader_name"),
    )


def downgrade() -> None:
    op.drop_table("leader")
    op.drop_index("ix_unit_name_unit_id", table_name="unit_name")
    op.drop_table("unit_name")
    with op.batch_alter_table("unit") as batch:
        batch.drop_constraint("fk_unit_merged_into_unit", type_="foreignkey")
        batch.drop_column("merged_into")
        batch.drop_column("retired_on")
        batch.drop_column("webhook")
        batch.drop_column("email")
