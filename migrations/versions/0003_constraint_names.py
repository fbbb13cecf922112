"""constraint names, redundant indexes dropped, issue numbers unique by (year, seq)

* Every primary, unique and foreign key gets the name the naming convention
  gives it (models.NAMING_CONVENTION: pk_issue, uq_milestone_project_id_kind,
  fk_card_project_id_project …), so that a later revision can drop or change
  one by name on SQLite as well. SQLite cannot rename a constraint: each table
  is copied in batch mode with the convention, which names what 0001 left
  unnamed (the copy leaves the old pages free in the file: 137 of 439 MiB on
  100,000 projects, until a VACUUM). PostgreSQL had named them itself
  (issue_pkey, issue_number_key, issue_project_id_fkey …): they are renamed in
  place. CHECK constraints and indexes already had these names.
* Five single-column indexes go: a unique constraint whose index starts with
  the same column already serves every search by that column (see REDUNDANT).
* An issue's (year, seq) is unique, as the sheets' already is: the number
  2025-012 is made from them, and a second 2025-012 typed as 2025-12 must not
  slip in. Issues that already share a (year, seq) stop the upgrade with a
  list of them, and nothing is changed.

downgrade() restores 0002 exactly: the indexes, no (year, seq) key, and the
names each database had (unnamed on SQLite, PostgreSQL's own names).

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# Frozen copy of models.NAMING_CONVENTION as of this revision.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# The tables as of 0002 (all of them hold a primary key to name).
TABLES = (
    "change_log", "counter", "sheet", "unit", "dispatch", "flag_score", "project", "card", "investment_plan",
    "investment_report", "issue", "milestone", "progress_report", "issue_event", "issue_helper", "milestone_plan",
)

# Each of these indexes is the leading column of the table's unique key. Measured on
# 100,000 projects (600,000 milestones, 1,000,000 monthly reports, 202,000 cards):
# without them every search of the services and the ledger import that used one
# (SQLite: a project's milestones, an issue's helpers; PostgreSQL: most searches by
# project) searches the unique key's index instead, in no measurably different
# time (EXPLAIN QUERY PLAN / EXPLAIN). The five held 24 MiB of SQLite's 328 and
# 22 MiB of PostgreSQL's 440, and every insert wrote them: 100,000 monthly reports
# took 1.5 s of CPU on SQLite with them, 0.8 s without (PostgreSQL: 80 MiB of WAL, 59).
REDUNDANT = {
    "card": ("ix_card_project_id", "project_id"),  # uq_card_project_id_period_manual
    "investment_plan": ("ix_investment_plan_project_id", "project_id"),  # uq_investment_plan_project_id_year
    "investment_report": ("ix_investment_report_project_id", "project_id"),  # uq_investment_report_project_id_month
    "issue_helper": ("ix_issue_helper_issue_id", "issue_id"),  # uq_issue_helper_issue_id_unit_id
    "milestone": ("ix_milestone_project_id", "project_id"),  # uq_milestone_project_id_kind
}

ISSUE_KEY = ("uq_issue_year_seq", ["year", "seq"])


def sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def conventional(kind: str, table: str, columns: list[str], referred: str | None = None) -> str:
    """The name NAMING gives a primary ('pk'), unique ('uq') or foreign ('fk') key."""
    return NAMING[kind] % {"table_name": table, "column_0_name": columns[0], "column_0_N_name": "_".join(columns),
                           "referred_table_name": referred}


def postgres_default(kind: str, table: str, columns: list[str]) -> str:
    """The name PostgreSQL gives a key created without one (what 0001 left)."""
    return {"pk": f"{table}_pkey", "uq": f"{table}_{'_'.join(columns)}_key", "fk": f"{table}_{columns[0]}_fkey"}[kind]


def keys(table: str) -> list[tuple[str, str, list[str], str | None]]:
    """(kind, name, columns, referred table) of the table's primary, unique and foreign keys, as the database has them."""
    inspector = sa.inspect(op.get_bind())
    pk = inspector.get_pk_constraint(table)
    found = [("pk", pk["name"], pk["constrained_columns"], None)]
    found += [("uq", u["name"], u["column_names"], None) for u in inspector.get_unique_constraints(table)]
    found += [("fk", f["name"], f["constrained_columns"], f["referred_table"]) for f in inspector.get_foreign_keys(table)]
    return found


def rename_keys(table: str, new_name) -> None:
    """PostgreSQL: each key of the table renamed to new_name(kind, table, columns, referred)."""
    quote = op.get_bind().dialect.identifier_preparer.quote
    for kind, name, columns, referred in keys(table):
        new = new_name(kind, table, columns, referred)
        if name != new:
            op.execute(f"ALTER TABLE {quote(table)} RENAME CONSTRAINT {quote(name)} TO {quote(new)}")


def refuse_shared_issue_numbers() -> None:
    rows = op.get_bind().execute(sa.text(
        "SELECT i.year, i.seq, i.number FROM issue i JOIN (SELECT year, seq FROM issue GROUP BY year, seq"
        " HAVING count(*) > 1) d ON d.year = i.year AND d.seq = i.seq"
    )).all()
    if not rows:
        return
    shared: dict[tuple[int, int], list[str]] = {}
    for year, seq, number in sorted(rows):  # sorted here: PostgreSQL's collation may order 2025-12, 2025/12 otherwise
        shared.setdefault((year, seq), []).append(number)
    listed = "; ".join(f"{year} 年第 {seq} 号 (year {year}, seq {seq}): {', '.join(numbers)}"
                       for (year, seq), numbers in shared.items())
    raise RuntimeError(
        f"这些问题的年份和序号（year, seq）重复，请先给每个问题改正序号 "
        f"(issues share a year and seq; give each its own first): {listed}"
    )


def upgrade() -> None:
    refuse_shared_issue_numbers()
    on_sqlite = sqlite()
    for table in TABLES:
        # SQLite: the copy names every key by the convention (the names reflected stay as they are).
        batch = (op.batch_alter_table(table, recreate="always", naming_convention=NAMING) if on_sqlite
                 else op.batch_alter_table(table))
        with batch as b:
            if table in REDUNDANT:
                b.drop_index(REDUNDANT[table][0])
            if table == "issue":
                b.create_unique_constraint(*ISSUE_KEY)
        if not on_sqlite:
            rename_keys(table, conventional)


def downgrade() -> None:
    on_sqlite = sqlite()
    for table in TABLES:
        if on_sqlite:  # copied from a reflection whose keys lose their names (except the one dropped here)
            copy = sa.Table(table, sa.MetaData(), autoload_with=op.get_bind())
            for constraint in copy.constraints:
                unnamed = (sa.PrimaryKeyConstraint, sa.UniqueConstraint, sa.ForeignKeyConstraint)
                if isinstance(constraint, unnamed) and constraint.name != ISSUE_KEY[0]:
                    constraint.name = None
            batch = op.batch_alter_table(table, recreate="always", copy_from=copy)
        else:
            batch = op.batch_alter_table(table)
        with batch as b:
            if table == "issue":
                b.drop_constraint(ISSUE_KEY[0], type_="unique")
            if table in REDUNDANT:
                b.create_index(REDUNDANT[table][0], [REDUNDANT[table][1]], unique=False)
        if not on_sqlite:
            rename_keys(table, lambda kind, table, columns, _referred: postgres_default(kind, table, columns))
