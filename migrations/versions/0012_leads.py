"""信息库: investment leads (招商线索), their stages and follow-ups

* lead: one investment lead (客商, chain, source, contact, the amount as given with its
  currency and the rate it was converted at, its 万元), its responsible unit and person, its
  current stage and, once signed, the project it became.
* lead_stage: every stage a lead entered, with the date, the date it was recorded and a reason
  (a report for an earlier date reads the stage on record then).
* lead_follow: each contact made (跟进记录): date, who, what, the next follow-up date.
* lead_assignment: who answers for a lead from a date (派工): unit, person, the next follow-up date
  set then; the first is written when the lead is added.

downgrade() drops the four tables.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Frozen copy of models.LEAD_STAGES as of this revision.
STAGES = ("线索", "接洽", "在谈", "签约", "落地", "搁置", "终止")
STAGE_CHECK = f"stage IN ({', '.join(repr(v) for v in STAGES)})"
MONEY = sa.Numeric(precision=16, scale=2)


def upgrade() -> None:
    op.create_table(
        "lead",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("company", sa.String(length=200), nullable=True),
        sa.Column("chain", sa.String(length=50), nullable=True),
        sa.Column("source", sa.String(length=50), nullable=True),
        sa.Column("contact", sa.String(length=200), nullable=True),
        sa.Column("amount", MONEY, nullable=True),
        sa.Column("currency", sa.String(length=10), nullable=False),
        sa.Column("rate", sa.Numeric(precision=12, scale=6), nullable=True),
        sa.Column("amount_wan", MONEY, nullable=True),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("person", sa.String(length=50), nullable=True),
        sa.Column("leader", sa.String(length=50), nullable=True),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(STAGE_CHECK, name=op.f("ck_lead_stage")),
        sa.CheckConstraint("amount IS NULL OR amount >= 0", name=op.f("ck_lead_amount")),
        sa.CheckConstraint("amount_wan IS NULL OR amount_wan >= 0", name=op.f("ck_lead_amount_wan")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_lead_unit_id_unit")),
        sa.ForeignKeyConstraint(["project_id"], ["project.id"], name=op.f("fk_lead_project_id_project")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("code", name=op.f("uq_lead_code")),
    )
    op.create_index("ix_lead_unit_id", "lead", ["unit_id"])
    op.create_index("ix_lead_project_id", "lead", ["project_id"])
    op.create_index("ix_lead_recorded_on", "lead", ["recorded_on"])
    op.create_table(
        "lead_stage",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=10), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("by", sa.String(length=50), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(STAGE_CHECK, name=op.f("ck_lead_stage_stage")),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_stage_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_stage")),
    )
    op.create_index("ix_lead_stage_lead_id", "lead_stage", ["lead_id"])
    op.create_table(
        "lead_follow",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("who", sa.String(length=50), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=50), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_follow_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_follow")),
    )
    op.create_index("ix_lead_follow_lead_id", "lead_follow", ["lead_id"])
    op.create_table(
        "lead_assignment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("lead_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("person", sa.String(length=50), nullable=True),
        sa.Column("next_on", sa.Date(), nullable=True),
        sa.Column("on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=50), nullable=False),
        sa.Column("at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_assignment_lead_id_lead")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_lead_assignment_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_assignment")),
    )
    op.create_index("ix_lead_assignment_lead_id", "lead_assignment", ["lead_id"])


def downgrade() -> None:
    op.drop_index("ix_lead_assignment_lead_id", table_name="lead_assignment")
    op.drop_table("lead_assignment")
    op.drop_index("ix_lead_follow_lead_id", table_name="lead_follow")
    op.drop_table("lead_follow")
    op.drop_index("ix_lead_stage_lead_id", table_name="lead_stage")
    op.drop_table("lead_stage")
    op.drop_index("ix_lead_recorded_on", table_name="lead")
    op.drop_index("ix_lead_project_id", table_name="lead")
    op.drop_index("ix_lead_unit_id", table_name="lead")
    op.drop_table("lead")
