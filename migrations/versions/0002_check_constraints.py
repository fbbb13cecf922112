"""check constraints: statuses, colours, issue states and levels, non-negative money

The services already refuse these values; the database now refuses them too,
whatever the write path (bulk imports use Core inserts). Rows that break a
rule stop the upgrade with a list of them, and nothing is changed.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen copy of models.CHECKS as of this revision (a later change to the models
# must not change what this revision did).
STATUSES = ("储备", "前期", "在建", "投产", "竣工", "停缓建")
COLORS = ("red", "yellow", "blue")
ISSUE_STATES = ("reported", "accepted", "rejected", "assigned", "responded", "resolved", "closed")
LEVELS = ("一般督办", "重点督办", "挂牌督办")


def one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


CHECKS = {
    "project": (
        ("ck_project_status", one_of("status", STATUSES)),
        ("ck_project_total_investment", "total_investment IS NULL OR total_investment >= 0"),
        ("ck_project_floor_area", "floor_area IS NULL OR floor_area >= 0"),
    ),
    "investment_report": (("ck_investment_report_amount", "amount >= 0"),),
    "investment_plan": (("ck_investment_plan_amount", "amount >= 0"),),
    "card": (("ck_card_color", one_of("color", COLORS)),),
    "issue": (
        ("ck_issue_state", one_of("state", ISSUE_STATES)),
        ("ck_issue_level", one_of("level", LEVELS)),
    ),
}


def upgrade() -> None:
    conn = op.get_bind()
    broken = []
    for table, checks in CHECKS.items():
        for name, sql in checks:
            count = conn.execute(sa.text(f"SELECT count(*) FROM {table} WHERE NOT ({sql})")).scalar()
            if count:
                broken.append(f"{count} rows of {table} break {name} ({sql})")
    if broken:
        raise RuntimeError("fix these rows first: " + "; ".join(broken))
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, sql in checks:
                batch.create_check_constraint(name, sql)


def downgrade() -> None:
    for table, checks in CHECKS.items():
        with op.batch_alter_table(table) as batch:
            for name, _ in checks:
                batch.drop_constraint(name, type_="check")
