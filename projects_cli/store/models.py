"""The registry's tables (SQLModel). Alembic's migrations in `migrations/` create them.

Money is Decimal in 万元 (10,000 yuan); dates are `date`; wall-clock times are
timezone-aware UTC `datetime`. Lists a project may carry several of (categories, plan
columns) are stored as one text joined by ``、`` so that both SQLite and
PostgreSQL can filter them with the same SQL (see `facts.filters.ProjectFilter`).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, List, Optional

from sqlalchemy import JSON, CheckConstraint, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from projects_cli.vocab import Attendance, CardColor, IssueState, Level, MeetingKind, ProjectStatus

MONEY = {"max_digits": 16, "decimal_places": 2}

# 项目状态
STATUSES = ProjectStatus.values()
# 督办级别 and card colours (the urgencies, 紧急程度, are the rules file's)
LEVELS = Level.values()
COLORS = CardColor.values()
# The issue loop's states (see services/issues.py for the allowed moves). A deadline runs
# while an issue is assigned or answered but not yet resolved.
ISSUE_STATES = IssueState.values()
DEADLINE_STATES = (IssueState.ASSIGNED.value, IssueState.RESPONDED.value)
# 招商线索的阶段 (信息库): the pipeline in order, then the two ways out of it (each with a reason)
LEAD_STAGES = ("线索", "接洽", "在谈", "签约", "落地", "搁置", "终止")


def one_of(column: str, values: tuple[str, ...]) -> str:
    """SQL for a CHECK that a column holds one of the values (the same on SQLite and PostgreSQL)."""
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


# Every constraint and index has a name the database holds too (migration 0003), so
# a later migration can drop or change one by name, on SQLite as well (batch mode
# copies a table and needs the names to find what to leave out). The unique
# constraints name all their columns: a table may have two that start alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata.naming_convention = NAMING_CONVENTION

# 会议 (调度会 / 会商 / 观摩) and a unit's attendance at one (`Meeting`, `MeetingUnit`)
MEETING_KINDS = MeetingKind.values()
ATTENDANCE = Attendance.values()

NOTICE_CHANNELS = ("wecom", "dingtalk", "email")  # 催办提醒 channels (`Notice`)
NOTICE_RESULTS = ("sent", "failed")
# What a PostgreSQL login may do (`projects admin role`): the office (督查室, everything), its staff (everything
# but the schema and the logins), a unit (its own projects' figures, milestones, returns and its problems'
# answers), a leader (reads, and adds 批示).
LOGIN_KINDS = ("office", "staff", "unit", "leader")
UNIT_READS = ("all", "own")  # what unit logins may read (`RoleScope`)

# Rules the database itself enforces (migration 0002), so that no write path,
# bulk inserts included, can store what the services would refuse. The names
# become ck_<table>_<name> (ck_project_status …) by the naming convention.
CHECKS: dict[str, tuple[tuple[str, str], ...]] = {
    "project": (
        ("status", one_of("status", STATUSES)),
        ("total_investment", "total_investment IS NULL OR total_investment >= 0"),
        ("floor_area", "floor_area IS NULL OR floor_area >= 0"),
    ),
    "investment_report": (("amount", "amount >= 0"),),
    "investment_plan": (("amount", "amount >= 0"),),
    "card": (("color", one_of("color", COLORS)),),
    "issue": (
        ("state", one_of("state", ISSUE_STATES)),
        ("level", one_of("level", LEVELS)),
    ),
    "lead": (
        ("stage", one_of("stage", LEAD_STAGES)),
        ("amount", "amount IS NULL OR amount >= 0"),
        ("amount_wan", "amount_wan IS NULL OR amount_wan >= 0"),
    ),
    "lead_stage": (("stage", one_of("stage", LEAD_STAGES)),),
    "notice": (("channel", one_of("channel", NOTICE_CHANNELS)), ("result", one_of("result", NOTICE_RESULTS))),
    "meeting": (("kind", one_of("kind", MEETING_KINDS)),),
    "meeting_unit": (("attendance", f"attendance IS NULL OR {one_of('attendance', ATTENDANCE)}"),),
    "login_role": (("kind", one_of("kind", LOGIN_KINDS)),
                   ("unit", "(kind = 'unit') = (unit_id IS NOT NULL)")),
    "role_scope": (("reads", one_of("reads", UNIT_READS)),),
}


def checks(table: str) -> tuple[CheckConstraint, ...]:
    return tuple(CheckConstraint(sql, name=name) for name, sql in CHECKS[table])


# The default milestone chain (the config file may replace it: [milestones] kinds = [...]).
MILESTONE_KINDS = ("签约", "立项", "土地", "规划许可", "施工许可", "开工", "主体完工", "竣工", "投产", "达效")
LIST_SEP = "、"


class Unit(SQLModel, table=True):
    """责任单位: a zone department or street answerable for projects.

    `name` is the name in force now; the names it had before a rename are in `UnitName` (reports for an
    earlier date print the name in force then, imports still match them). A unit merged into another
    (机构改革, `unit merge A B`) keeps its row, so reports for dates before the merge still name it, but is
    retired: `retired_on` the merge's date and `merged_into` the unit that took over its projects and
    problems; it is not offered and not assigned any more, and its name matches the unit it went into.
    """

    __tablename__ = "unit"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, unique=True)
    contact: Optional[str] = Field(default=None, max_length=100)  # 联系人
    phone: Optional[str] = Field(default=None, max_length=50)  # 电话
    email: Optional[str] = Field(default=None, max_length=100)  # 邮箱
    webhook: Optional[str] = Field(default=None, max_length=500)  # 企业微信/钉钉 group robot URL, for reminders
    retired_on: Optional[date] = None  # 撤并: merged into `merged_into` on this date
    merged_into: Optional[int] = Field(default=None, foreign_key="unit.id")


class UnitName(SQLModel, table=True):
    """A name a unit had until a rename on `replaced_on` (the rename's date, `unit rename --on`): a report
    for a date before it prints this name, as `ProjectRevision` keeps a project's old values; the first row
    replaced after a date holds the name in force on it (none: `Unit.name`)."""

    __tablename__ = "unit_name"
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    name: str = Field(max_length=100)
    replaced_on: date


class Leader(SQLModel, table=True):
    """包保领导: a district leader in charge of projects. Projects still hold the leader's name as text
    (`Project.leader`, kept with its history in `ProjectRevision`); this table adds the leader's title and phone,
    and what a rename or a merge left behind: `former` the names the leader had before (、-joined, so imports
    still match them), `retired_on`/`merged_into` for a leader merged into another (`leader merge A B`)."""

    __tablename__ = "leader"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=50, unique=True)
    title: Optional[str] = Field(default=None, max_length=50)  # 职务
    phone: Optional[str] = Field(default=None, max_length=50)
    former: str = Field(default="", max_length=200)  # earlier names, joined by 、
    retired_on: Optional[date] = None
    merged_into: Optional[int] = Field(default=None, foreign_key="leader.id")


class Project(SQLModel, table=True):
    """重点项目."""

    __tablename__ = "project"
    __table_args__ = checks("project")
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)  # 项目编号, e.g. GX-0001
    name: str = Field(max_length=200, index=True)  # 项目名称
    categories: str = Field(default="", max_length=200)  # 项目类别, joined by 、
    cluster: Optional[str] = Field(default=None, max_length=50)  # 产业集群
    chain: Optional[str] = Field(default=None, max_length=50, index=True)  # 产业链
    owner: Optional[str] = Field(default=None, max_length=200)  # 建设单位
    location: Optional[str] = Field(default=None, max_length=200)  # 建设地点 / 园区
    content: Optional[str] = Field(default=None, sa_type=Text)  # 建设内容及规模
    floor_area: Optional[Decimal] = Field(default=None, **MONEY)  # 建筑面积（万平方米）
    capacity: Optional[str] = Field(default=None, sa_type=Text)  # 产能 / 达产规模
    total_investment: Optional[Decimal] = Field(default=None, **MONEY)  # 总投资（万元）
    status: str = Field(default="前期", max_length=10)  # 项目状态
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)  # 责任单位
    leader: Optional[str] = Field(default=None, max_length=50, index=True)  # 包保领导
    task_force: Optional[str] = Field(default=None, max_length=200)  # 工作专班 / 联系人
    source: Optional[str] = Field(default=None, max_length=200)  # 来源, e.g. 十四五规划 专栏4-1
    plan_columns: str = Field(default="", max_length=100)  # 规划专栏, joined by 、
    site_progress: Optional[str] = Field(default=None, max_length=200)  # 形象进度 (latest)
    notes: Optional[str] = Field(default=None, sa_type=Text)  # 备注
    # 项目审批代码: the national code of the online approval platform (2020-350000-44-01-012345); the registry's
    # own code stays the office's
    approval_code: Optional[str] = Field(default=None, max_length=40)
    created_at: datetime
    updated_at: datetime
    version: int = 1  # bumped on every change; dispatched ledgers detect edits by it
    # The business date the project was added (the command's as-of date): a report for an earlier date
    # does not list it. None: on record always (the plan's projects, rows from before migration 0009).
    recorded_on: Optional[date] = Field(default=None, index=True)


class Milestone(SQLModel, table=True):
    """节点: a dated step of a project (签约 … 达效)."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("project_id", "kind"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")  # searched by the unique key it leads
    kind: str = Field(max_length=20)  # 签约, 立项, …, 开工, …
    seq: int = 0  # position in the milestone chain, for ordering
    baseline_date: Optional[date] = None  # the first plan, never changed
    planned_date: Optional[date] = None  # the current plan
    actual_date: Optional[date] = None
    # The business date the actual date was recorded (the command's as-of date): a report for an earlier
    # date does not see it (it reads the one it replaced, `MilestoneRevision`). None: on record always.
    actual_recorded_on: Optional[date] = Field(default=None, index=True)  # indexed: "any recorded after D?" is asked often


class MilestonePlan(SQLModel, table=True):
    """Every plan a milestone has had: the baseline and each re-plan with its reason."""

    __tablename__ = "milestone_plan"
    id: Optional[int] = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True)
    planned_date: date
    # The business date the plan was set (the command's as-of date). A re-plan holds
    # from this date on; before it the previous plan held, so a report for an
    # earlier as-of date is re-run exactly. The first plan (baseline) holds always.
    on: date
    reason: Optional[str] = Field(default=None, sa_type=Text)
    by: str = Field(max_length=50)
    at: datetime


class InvestmentReport(SQLModel, table=True):
    """完成投资: investment completed in one month (万元)."""

    __tablename__ = "investment_report"
    __table_args__ = (UniqueConstraint("project_id", "month"), *checks("investment_report"))
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")  # searched by the unique key it leads
    month: str = Field(max_length=7)  # YYYY-MM
    amount: Decimal = Field(**MONEY)
    source: Optional[str] = Field(default=None, max_length=100)  # command, ledger file …
    # The business date the figure was recorded (the command's as-of date): a report for an
    # earlier as-of date does not see it (it reads the figure it replaced, `InvestmentRevision`).
    # None: recorded before migration 0004, on record always.
    recorded_on: Optional[date] = None


class Replaced(SQLModel):
    """A value a later change replaced, with the dates it was on record: from `recorded_on` (None: always)
    until `replaced_on`, so a report for a date between reads it (the tables below)."""

    recorded_on: Optional[date] = None
    replaced_on: date


class InvestmentRevision(Replaced, table=True):
    """A month's completed investment that a later figure replaced (更正)."""

    __tablename__ = "investment_revision"
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    month: str = Field(max_length=7)  # YYYY-MM
    amount: Decimal = Field(**MONEY)


class MilestoneRevision(Replaced, table=True):
    """A milestone's actual date (实际完成) that a correction replaced."""

    __tablename__ = "milestone_revision"
    id: Optional[int] = Field(default=None, primary_key=True)
    milestone_id: int = Field(foreign_key="milestone.id", index=True)
    actual_date: Optional[date] = None


class InvestmentPlan(SQLModel, table=True):
    """年度计划投资: the annual plan investment of a project for one year (万元)."""

    __tablename__ = "investment_plan"
    __table_args__ = (UniqueConstraint("project_id", "year"), *checks("investment_plan"))
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")  # searched by the unique key it leads
    year: int
    amount: Decimal = Field(**MONEY)


class ProgressReport(SQLModel, table=True):
    """形象进度 and problems as a unit reported them on a date (history kept)."""

    __tablename__ = "progress_report"
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    on: date
    progress: Optional[str] = Field(default=None, max_length=200)
    problems: Optional[str] = Field(default=None, sa_type=Text)
    source: Optional[str] = Field(default=None, max_length=100)


class ProjectRevision(SQLModel, table=True):
    """A project's field (状态, 责任单位, 包保领导 …, `PROJECT_HISTORY`) as it was until a change replaced it
    on `replaced_on` (the changing command's as-of date), so a report for an earlier date reads the value
    on record then. `value`: the old value as text (None: empty); `unit_id` as the unit's id."""

    __tablename__ = "project_revision"
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    field: str = Field(max_length=30)
    value: Optional[str] = Field(default=None, sa_type=Text)
    replaced_on: date = Field(index=True)  # indexed: "anything replaced after D?" is asked by every report


class ProjectArchive(SQLModel, table=True):
    """归档: a project out of every report and listing from `archived_on` (the archiving command's as-of date)
    until `restored_on` (None: still archived); reports for earlier dates still list it."""

    __tablename__ = "project_archive"
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id", index=True)
    archived_on: date = Field(index=True)
    reason: str = Field(sa_type=Text)
    by: str = Field(max_length=50)
    at: datetime
    restored_on: Optional[date] = None
    restored_by: Optional[str] = Field(default=None, max_length=50)


# The project fields whose earlier values are kept (`ProjectRevision`): what reports print, group and judge by.
PROJECT_HISTORY = ("name", "categories", "cluster", "chain", "total_investment", "status", "unit_id", "leader")


class ChangeLog(SQLModel, table=True):
    """One row per change any command makes: who, when, which record, old and new values.

    Append-only; each row carries the hash of the one before it, so an edited
    or deleted row breaks the chain, and (from the anchor, `LogAnchor`) its
    position and a MAC keyed outside the database over its hash and the MAC
    before it, so nobody without the key can re-chain or append (`projects db check`).
    """

    __tablename__ = "change_log"
    id: Optional[int] = Field(default=None, primary_key=True)
    at: datetime
    by: str = Field(max_length=50, index=True)
    command: str = Field(default="", max_length=100)
    action: str = Field(max_length=10)  # insert / update / delete
    table_name: str = Field(max_length=40)
    record_id: Optional[int] = None
    record_key: Optional[str] = Field(default=None, max_length=60, index=True)  # e.g. project code
    project_code: Optional[str] = Field(default=None, max_length=40, index=True)
    fields: str = Field(default="", sa_type=Text)  # comma-separated field names
    old: Optional[str] = Field(default=None, sa_type=Text)  # JSON
    new: Optional[str] = Field(default=None, sa_type=Text)  # JSON
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)
    seq: Optional[int] = None  # the row's position in the log (1, 2 …); None before the anchor
    mac: Optional[str] = Field(default=None, max_length=64)  # HMAC-SHA256 (store/anchor.py's key); None before the anchor
    # the command that wrote the row (all its rows share it: `projects undo --run`); None before migration 0010
    run: Optional[str] = Field(default=None, max_length=20, index=True)
    # the command's as-of date (the business date of the change: `log --since`); None before migration 0010
    on: Optional[date] = Field(default=None, index=True)
    # 代录: on PostgreSQL `by` is the login (session_user) and this the person --by named, when another; None
    # on SQLite, when --by was not given or named the login itself, and before migration 0014
    on_behalf: Optional[str] = Field(default=None, max_length=50)


class LoginRole(SQLModel, table=True):
    """A PostgreSQL login the tool granted a role (`projects admin role add`), and for a unit's login its unit:
    the row-level security policies (migration 0014) read this table by `session_user`. Passwords are not here:
    PostgreSQL keeps them (ALTER ROLE … PASSWORD)."""

    __tablename__ = "login_role"
    __table_args__ = checks("login_role")
    id: Optional[int] = Field(default=None, primary_key=True)
    login: str = Field(max_length=63, unique=True)  # a PostgreSQL role name (at most 63 bytes)
    kind: str = Field(max_length=10)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    by: str = Field(max_length=63)
    at: datetime


class RoleScope(SQLModel, table=True):
    """What the logins of a kind may read, as the office chose (`projects admin role scope`): for `unit`, `all` (every
    project, the default when there is no row) or `own` (their unit's projects and the rows hanging off them). The
    read policies of store/roles.py are made to match it; `db check` verifies that they do."""

    __tablename__ = "role_scope"
    __table_args__ = checks("role_scope")
    kind: str = Field(max_length=10, primary_key=True)
    reads: str = Field(max_length=10)
    by: str = Field(max_length=63)
    at: datetime


class LogAnchor(SQLModel, table=True):
    """Where the change log's keyed chain starts (one row, written by migration 0008).

    The rows before it are covered by the plain hash chain, and from here on by
    the key: `mac` signs the count and the hash of the last row before the
    anchor, and the first keyed row chains to it.
    """

    __tablename__ = "log_anchor"
    id: Optional[int] = Field(default=None, primary_key=True)
    rows_before: int
    plain_head: str = Field(max_length=64)  # hash of the last row before the anchor (changelog.GENESIS if none)
    key_id: str = Field(max_length=16)  # names the key (anchor.LogKey.key_id); reveals nothing of it
    nonce: str = Field(max_length=32)  # random: each anchoring is a log of its own, even of an empty one
    mac: str = Field(max_length=64)


class Counter(SQLModel, table=True):
    """Sequences that must never give a number twice (project codes, issue and sheet numbers)."""

    __tablename__ = "counter"
    __table_args__ = (UniqueConstraint("name", "year"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=40)
    year: int = 0
    value: int = 0


class Issue(SQLModel, table=True):
    """问题: an obstacle a project reported, worked through the closed loop."""

    __tablename__ = "issue"
    __table_args__ = (UniqueConstraint("year", "seq"), *checks("issue"))
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # 2025-012
    year: int
    seq: int
    project_id: int = Field(foreign_key="project.id", index=True)
    title: str = Field(max_length=200)
    category: Optional[str] = Field(default=None, max_length=50)  # 土地, 资金, 手续, 用电 …
    description: Optional[str] = Field(default=None, sa_type=Text)
    urgency: str = Field(default="一般", max_length=10)
    level: str = Field(default=Level.GENERAL.value, max_length=10)
    state: str = Field(default="reported", max_length=20, index=True)
    lead_unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    reported_on: date
    assigned_on: Optional[date] = None
    deadline: Optional[date] = None
    resolved_on: Optional[date] = None
    closed_on: Optional[date] = None
    misses: int = 0  # deadlines missed so far (a second miss → 挂牌督办)
    lookback_on: Optional[date] = None  # 回头看 date
    lookback_done_on: Optional[date] = None


class IssueHelper(SQLModel, table=True):
    """配合单位 of an issue."""

    __tablename__ = "issue_helper"
    __table_args__ = (UniqueConstraint("issue_id", "unit_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id")  # searched by the unique key it leads
    unit_id: int = Field(foreign_key="unit.id")


class IssueEvent(SQLModel, table=True):
    """One step in an issue's history (append-only): report, assign, 批示, 会商, 跟踪 …"""

    __tablename__ = "issue_event"
    id: Optional[int] = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issue.id", index=True)
    type: str = Field(max_length=20)
    on: date
    at: datetime
    actor: str = Field(max_length=50)
    text: Optional[str] = Field(default=None, sa_type=Text)
    from_state: Optional[str] = Field(default=None, max_length=20)
    to_state: Optional[str] = Field(default=None, max_length=20)
    data: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)


class Card(SQLModel, table=True):
    """红黄蓝牌: a project's colour for a period, computed by rules or set by hand."""

    __tablename__ = "card"
    __table_args__ = (
        UniqueConstraint("project_id", "period", "manual"),
        Index("ix_card_period_color", "period", "color"),
        *checks("card"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    project_id: int = Field(foreign_key="project.id")  # searched by the unique key it leads
    period: str = Field(max_length=10)  # 2024-10 (monthly) or 2024-W43 (weekly)
    as_of: date
    color: str = Field(max_length=10)
    manual: bool = False
    fired: Optional[list[Any]] = Field(default=None, sa_type=JSON)  # rules that fired, with figures
    reasons: Optional[str] = Field(default=None, sa_type=Text)
    rules_version: Optional[str] = Field(default=None, max_length=64)
    set_by: Optional[str] = Field(default=None, max_length=50)
    until: Optional[date] = None
    created_at: datetime
    provisional: bool = False  # 暂评: rated before the period ended (as_of before its last day)


class FlagScore(SQLModel, table=True):
    """流动红旗: a unit's score and rank for a period."""

    __tablename__ = "flag_score"
    __table_args__ = (UniqueConstraint("period", "unit_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    period: str = Field(max_length=10)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    score: Decimal = Field(max_digits=8, decimal_places=2)
    components: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)
    rank: int
    flag: bool = False
    bottom: bool = False
    created_at: datetime
    as_of: Optional[date] = None  # the date whose facts were scored (None: scored before migration 0004)
    provisional: bool = False  # 暂评: scored before the period ended


class Sheet(SQLModel, table=True):
    """An issued sheet (督办单, card notice, weekly briefing) with its number."""

    __tablename__ = "sheet"
    __table_args__ = (UniqueConstraint("year", "seq"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    year: int
    seq: int
    number: str = Field(max_length=40, unique=True)  # 高新督〔2025〕12号
    kind: str = Field(max_length=20)  # notice / cards / weekly
    issued_on: date
    recipient: Optional[str] = Field(default=None, max_length=100)
    ref: Optional[str] = Field(default=None, max_length=60)  # issue number, unit name …
    context: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)  # to re-issue identically
    by: str = Field(max_length=50)
    created_at: datetime
    # 作废: a voided sheet stays listed with its reason; its number is never given again
    voided_on: Optional[date] = None
    voided_by: Optional[str] = Field(default=None, max_length=50)
    void_reason: Optional[str] = Field(default=None, sa_type=Text)


class Dispatch(SQLModel, table=True):
    """派工单: a workbook sent to a unit, with what every row looked like when sent."""

    __tablename__ = "dispatch"
    id: Optional[int] = Field(default=None, primary_key=True)
    token: str = Field(max_length=40, unique=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    period: str = Field(max_length=10)
    sent_on: date
    due_on: Optional[date] = None
    fingerprints: Optional[dict[str, Any]] = Field(default=None, sa_type=JSON)
    returned_on: Optional[date] = None
    by: str = Field(max_length=50)
    created_at: datetime


class Lead(SQLModel, table=True):
    """招商线索 (信息库, the second 库 of 两库一单): an investment lead before and after its contract.

    The amount is kept as given (`amount` in 万 of `currency`) with the rate it was converted at
    (`rate`, 元 per unit of the currency; None for 人民币) and its 万元 (`amount_wan`, what totals add).
    `stage` is the current stage; every stage it has had is a `LeadStage` row (reports for a date read those).
    """

    __tablename__ = "lead"
    __table_args__ = checks("lead")
    id: Optional[int] = Field(default=None, primary_key=True)
    code: str = Field(max_length=20, unique=True)  # 线索编号, e.g. XS-0001
    name: str = Field(max_length=200)  # 项目名称 (拟引进项目)
    company: Optional[str] = Field(default=None, max_length=200)  # 客商 / 投资方
    chain: Optional[str] = Field(default=None, max_length=50)  # 产业链
    source: Optional[str] = Field(default=None, max_length=50)  # 线索来源: 以商招商, 驻外招商, 展会 …
    contact: Optional[str] = Field(default=None, max_length=200)  # 客商联系人及电话
    amount: Optional[Decimal] = Field(default=None, **MONEY)  # as given, in 万 of `currency`
    currency: str = Field(default="人民币", max_length=10)  # 人民币, 美元 …
    rate: Optional[Decimal] = Field(default=None, max_digits=12, decimal_places=6)  # 元 per unit of `currency`
    amount_wan: Optional[Decimal] = Field(default=None, **MONEY)  # 万元 (人民币)
    # 责任单位 and 责任人 now (each assignment, the first too, is a `LeadAssignment` row: reports read those)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id", index=True)
    person: Optional[str] = Field(default=None, max_length=50)
    leader: Optional[str] = Field(default=None, max_length=50)  # 包保领导, if any
    stage: str = Field(default="线索", max_length=10)
    project_id: Optional[int] = Field(default=None, foreign_key="project.id", index=True)  # the project signing made
    signed_on: Optional[date] = None
    notes: Optional[str] = Field(default=None, sa_type=Text)
    recorded_on: date = Field(index=True)  # the business date it was added: earlier reports do not list it
    created_at: datetime


class LeadStage(SQLModel, table=True):
    """One stage a lead entered (append-only): on `on`, recorded on `recorded_on`, with its reason."""

    __tablename__ = "lead_stage"
    __table_args__ = checks("lead_stage")
    id: Optional[int] = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    stage: str = Field(max_length=10)
    on: date
    recorded_on: date
    reason: Optional[str] = Field(default=None, sa_type=Text)
    by: str = Field(max_length=50)
    at: datetime


class LeadFollow(SQLModel, table=True):
    """One contact made on a lead (跟进记录, append-only): the date, who, what, and the next follow-up date."""

    __tablename__ = "lead_follow"
    id: Optional[int] = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    on: date
    who: Optional[str] = Field(default=None, max_length=50)
    text: str = Field(sa_type=Text)
    next_on: Optional[date] = None
    recorded_on: date
    by: str = Field(max_length=50)
    at: datetime


class LeadAssignment(SQLModel, table=True):
    """Who answers for a lead from `on` (派工): its responsible unit and person, and the next follow-up date
    set then (None: `follow_days` after the last contact). Append-only; the first is written when it is added."""

    __tablename__ = "lead_assignment"
    id: Optional[int] = Field(default=None, primary_key=True)
    lead_id: int = Field(foreign_key="lead.id", index=True)
    unit_id: Optional[int] = Field(default=None, foreign_key="unit.id")
    person: Optional[str] = Field(default=None, max_length=50)
    next_on: Optional[date] = None
    on: date  # the as-of date of the command that assigned it
    by: str = Field(max_length=50)
    at: datetime


class Notice(SQLModel, table=True):
    """催办提醒: one reminder message to a unit on one channel (`projects notify --send`), sent or failed.

    `items` the keys of the reminders it covered (`notify.plan`): an item sent to that unit on that channel
    on the same as-of date is not sent again. `error` what the last attempt answered when it failed; the
    webhook's address and any secret are never kept.
    """

    __tablename__ = "notice"
    __table_args__ = checks("notice")
    id: Optional[int] = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    unit: str = Field(max_length=100)  # the unit's name as the message gave it
    channel: str = Field(max_length=10)
    items: List[str] = Field(sa_type=JSON)  # typing.List: SQLAlchemy 2.0.14 cannot resolve a bare list[str] here
    as_of: date = Field(index=True)
    result: str = Field(max_length=10)
    attempts: int = 1
    error: Optional[str] = Field(default=None, sa_type=Text)
    by: str = Field(max_length=50)
    created_at: datetime


class LedgerFingerprint(SQLModel, table=True):
    """台账行指纹: what a ledger row read, beside what its project then held, when an import found that the row
    changed nothing (`ledger.fingerprint`): a re-import skips a row whose digest is the same again.

    A cache, never an authority: any change to the project (by any command) changes what it holds and so the
    digest, and the row is checked the long way again; deleting every row here changes nothing but speed.
    """

    __tablename__ = "ledger_fingerprint"
    project_id: int = Field(foreign_key="project.id", primary_key=True, ondelete="CASCADE")
    digest: bytes = Field(max_length=16)  # blake2b, 16 bytes


class Meeting(SQLModel, table=True):
    """会议: a 周调度 / 月调度 (调度会), a 专题会商 or a 现场观摩, held on `held_on`; its 议定事项 are `MeetingDecision`
    rows, each a problem (`Issue`) in the closed loop, and the units asked to attend are `MeetingUnit` rows.

    `projects` the codes of the projects it took up, joined by 、; `topics` the items discussed (议题), in order.
    """

    __tablename__ = "meeting"
    __table_args__ = checks("meeting")
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(max_length=20, unique=True)  # HY-0001
    kind: str = Field(max_length=10)
    title: str = Field(max_length=200)
    held_on: date = Field(index=True)
    place: Optional[str] = Field(default=None, max_length=200)  # 会议地点
    chair: str = Field(max_length=50)  # 主持人
    projects: str = Field(default="", max_length=500)  # project codes, joined by 、
    topics: Optional[List[str]] = Field(default=None, sa_type=JSON)  # 议题 (typing.List: SQLAlchemy 2.0.14)
    recorded_on: date  # the business date it was recorded (the command's as-of date)
    by: str = Field(max_length=50)
    created_at: datetime


class MeetingUnit(SQLModel, table=True):
    """A unit at a meeting (参会单位): asked to attend (`attendance` None until recorded), and how it attended:
    出席, 缺席 or 委派代表 (`deputy` the person it sent)."""

    __tablename__ = "meeting_unit"
    __table_args__ = (UniqueConstraint("meeting_id", "unit_id"), *checks("meeting_unit"))
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")  # searched by the unique key it leads
    unit_id: int = Field(foreign_key="unit.id", index=True)
    attendance: Optional[str] = Field(default=None, max_length=10)
    deputy: Optional[str] = Field(default=None, max_length=50)  # 委派代表: who came instead
    note: Optional[str] = Field(default=None, max_length=200)  # e.g. 缺席的原因


class MeetingDecision(SQLModel, table=True):
    """议定事项: a meeting's decision, tracked as a problem (`issue_id`) through the closed loop: made for it
    (`attached` False: reported, accepted and assigned by `meeting decide`) or an existing problem it took up
    (`attached` True). `seq` its place in the meeting's list (一、二 …); `workdays` the working days given, if so."""

    __tablename__ = "meeting_decision"
    __table_args__ = (UniqueConstraint("meeting_id", "seq"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id")  # searched by the unique key it leads
    seq: int
    issue_id: int = Field(foreign_key="issue.id", index=True)
    text: str = Field(sa_type=Text)
    attached: bool = False
    workdays: Optional[int] = None
    recorded_on: date
