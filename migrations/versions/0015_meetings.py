"""会议 (调度会 · 会商 · 观摩): meetings, the units at them, and their decisions tracked as problems

* meeting: number (HY-0001), kind (周调度, 月调度, 专题会商, 现场观摩), title, date held, place, chair,
  the projects taken up (codes joined by 、), the items discussed (JSON), when and by whom recorded.
* meeting_unit: a unit asked to a meeting and how it attended (出席, 缺席, 委派代表 with the deputy).
* meeting_decision: a decision (议定事项), its place in the meeting's list, the problem (issue) that tracks
  it through the closed loop, whether it took up an existing problem, the working days given.

downgrade() drops the three tables.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

# Frozen copies of models.MEETING_KINDS and ATTENDANCE as of this revision.
KINDS = ("周调度", "月调度", "专题会商", "现场观摩")
ATTENDANCE = ("出席", "缺席", "委派代表")


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("chair", sa.String(length=50), nullable=False),
        sa.Column("projects", sa.String(length=500), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.Column("by", sa.String(length=50), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.CheckConstraint(_one_of("kind", KINDS), name=op.f("ck_meeting_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
        sa.UniqueConstraint("number", name=op.f("uq_meeting_number")),
    )
    op.create_index("ix_meeting_held_on", "meeting", ["held_on"])
    op.create_table(
        "meeting_unit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("attendance", sa.String(length=10), nullable=True),
        sa.Column("deputy", sa.String(length=50), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.CheckConstraint(f"attendance IS NULL OR {_one_of('attendance', ATTENDANCE)}",
                           name=op.f("ck_meeting_unit_attendance")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_unit_meeting_id_meeting")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_meeting_unit_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_unit")),
        sa.UniqueConstraint("meeting_id", "unit_id", name=op.f("uq_meeting_unit_meeting_id_unit_id")),
    )
    op.create_index("ix_meeting_unit_unit_id", "meeting_unit", ["unit_id"])
    op.create_table(
        "meeting_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("issue_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("attached", sa.Boolean(), nullable=False),
        sa.Column("workdays", sa.Integer(), nullable=True),
        sa.Column("recorded_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(["issue_id"], ["issue.id"], name=op.f("fk_meeting_decision_issue_id_issue")),
        sa.ForeignKeyConstraint(["meeting_id"], ["meeting.id"], name=op.f("fk_meeting_decision_meeting_id_meeting")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_decision")),
        sa.UniqueConstraint("meeting_id", "seq", name=op.f("uq_meeting_decision_meeting_id_seq")),
    )
    op.create_index("ix_meeting_decision_issue_id", "meeting_decision", ["issue_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_decision_issue_id", table_name="meeting_decision")
    op.drop_table("meeting_decision")
    op.drop_index("ix_meeting_unit_unit_id", table_name="meeting_unit")
    op.drop_table("meeting_unit")
    op.drop_index("ix_meeting_held_on", table_name="meeting")
    op.drop_table("meeting")
