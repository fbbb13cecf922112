"""The office's closed vocabularies: project fields, statuses, levels, issue states and events, card colours, milestone kinds.

One home for every closed list and its Chinese label, so a value is spelt once
and a label is never inverted by hand (`IssueState.from_zh("已交办")`). Standard
library only: read at start-up for help texts and by every floor above.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from projects_cli.i18n import N_, is_english  # the labels shown translated (`_(state.zh)`)


class Labelled(StrEnum):
    """A closed list whose members are stored as their value and shown with a Chinese label (`.zh`)."""

    zh: str

    def __new__(cls, value: str, zh: str | None = None):
        member = str.__new__(cls, value)
        member._value_ = value
        member.zh = zh if zh is not None else value
        return member

    @classmethod
    def from_zh(cls, label: str):
        """The member whose label, value or other name (`names`) is `label`, else None: what a person typed,
        read back (English in any case: RED is red)."""
        text = label.strip()
        for member in cls:
            if text in member.names() or text.lower() == member.value:
                return member
        return None

    def names(self) -> tuple[str, ...]:
        """Every name a person may type for this member: its label, its value and the short forms
        offices use (`short`)."""
        return tuple(dict.fromkeys((self.zh, self.value, *self.short())))

    def short(self) -> tuple[str, ...]:
        """Other names offices type for this member (红 for 红牌, 挂牌 for 挂牌督办); none by default."""
        return ()

    @classmethod
    def values(cls) -> tuple[str, ...]:
        return tuple(m.value for m in cls)


class ProjectStatus(Labelled):
    """项目状态, in the order a project moves through them."""

    RESERVE = N_("储备")
    PREPARATION = N_("前期")
    BUILDING = N_("在建")
    OPERATING = N_("投产")
    COMPLETED = N_("竣工")
    SUSPENDED = N_("停缓建")


class Level(Labelled):
    """督办级别, lowest first: escalation (督办升级) only ever moves up this list."""

    GENERAL = N_("一般督办")
    KEY = N_("重点督办")
    LISTED = N_("挂牌督办")

    def short(self) -> tuple[str, ...]:
        return (self.zh.removesuffix("督办"),)  # 一般 · 重点 · 挂牌

    @property
    def rank(self) -> int:
        return list(Level).index(self)


class CardColor(Labelled):
    """红黄蓝牌: stored in English, shown as the card's name (the rules file may rename them)."""

    RED = "red", N_("红牌")
    YELLOW = "yellow", N_("黄牌")
    BLUE = "blue", N_("蓝牌")

    def short(self) -> tuple[str, ...]:
        return (self.zh[0], self.zh[0] + "色")  # 红 · 红色


class SheetKind(Labelled):
    """The documents the office issues (发文), each numbered from one sequence."""

    ASSIGN = "assign", "交办单"
    REMIND = "remind", "催办单"
    NOTICE = "notice", "督办单"
    CARDS = "cards", "红黄蓝牌通报"
    WEEKLY = "weekly", "周报"
    MINUTES = "minutes", "会议纪要"

    def short(self) -> tuple[str, ...]:
        return {"assign": ("交办通知",), "remind": ("提醒单", "催办通知"), "notice": ("督办通知", "挂牌督办通知书"),
                "cards": ("亮牌通知", "亮牌通报", "红黄蓝牌"), "weekly": ("周通报", "每周通报"),
                "minutes": ("纪要", "会议纪要")}[self.value]


class MeetingKind(Labelled):
    """会议的种类: the 调度会 (weekly, monthly), the 专题会商 on one matter, the on-site 观摩."""

    WEEKLY = N_("周调度")
    MONTHLY = N_("月调度")
    CONSULT = N_("专题会商")
    VISIT = N_("现场观摩")

    def short(self) -> tuple[str, ...]:
        return {"周调度": ("周调度会", "周例会"), "月调度": ("月调度会", "调度会"), "专题会商": ("会商", "专题会", "会商会"),
                "现场观摩": ("观摩", "观摩会", "现场会")}[self.value]


class Attendance(Labelled):
    """How a unit attended a meeting (参会情况)."""

    PRESENT = N_("出席")
    ABSENT = N_("缺席")
    DEPUTY = N_("委派代表")

    def short(self) -> tuple[str, ...]:
        return {"出席": ("参会", "到会"), "缺席": ("未到", "未参会"), "委派代表": ("代表", "委派")}[self.value]


# 三单: the sheets that follow a problem through its deadline, in the order it meets them
PROBLEM_SHEETS = (SheetKind.ASSIGN.value, SheetKind.REMIND.value, SheetKind.NOTICE.value)


class IssueState(Labelled):
    """Where a problem stands in the closed loop (问题闭环)."""

    REPORTED = "reported", N_("已提报")
    ACCEPTED = "accepted", N_("已受理")
    REJECTED = "rejected", N_("不予受理")
    ASSIGNED = "assigned", N_("已交办")
    RESPONDED = "responded", N_("已反馈")
    RESOLVED = "resolved", N_("已办结")
    CLOSED = "closed", N_("已销号")

    def short(self) -> tuple[str, ...]:
        return (self.zh.removeprefix("已"),)  # 交办 · 销号 (不予受理 stays as it is)


class IssueEventType(Labelled):
    """A step on a problem's record: the loop's moves and the events that do not move it."""

    REPORT = "report", N_("提报")
    ACCEPT = "accept", N_("受理")
    REJECT = "reject", N_("不予受理")
    ASSIGN = "assign", N_("交办")
    RESPOND = "respond", N_("反馈")
    RESOLVE = "resolve", N_("办结")
    CLOSE = "close", N_("销号")
    SEND_BACK = "send-back", N_("退回")
    REOPEN = "reopen", N_("重新打开")
    ESCALATE = "escalate", N_("督办升级")
    INSTRUCT = "instruct", N_("批示")
    CONSULT = "consult", N_("会商")
    FOLLOW = "follow", N_("跟踪")
    LOOKBACK = "lookback", N_("回头看")
    MISS = "miss", N_("逾期")
    RELIMIT = "relimit", N_("重新限期")
    REVERT = "revert", N_("撤销")  # a step undone (`projects undo`): data.fields holds what it set back
    TRANSFER = "transfer", N_("单位撤并移交")  # `unit merge A B`: what A led or helped with goes to B


class Milestone(Labelled):
    """The two milestone kinds every registry has, whatever else the config file lists."""

    START = "开工"  # its countdown (开工倒计时) is the headline of a project not yet started
    COMPLETION = "竣工"


# The words of the shipped config and rules files (data/config.toml's milestone kinds, data/rules.toml's
# overdue tiers), marked so that a terminal in English shows them in English; an office's own words are
# shown as it wrote them.
SHIPPED_WORDS = (N_("签约"), N_("立项"), N_("土地"), N_("规划许可"), N_("施工许可"), N_("开工"), N_("主体完工"),
                 N_("竣工"), N_("投产"), N_("达效"), N_("一般逾期"), N_("较重逾期"), N_("严重逾期"),
                 # the stages of a lead (store/models.LEAD_STAGES)
                 N_("线索"), N_("接洽"), N_("在谈"), N_("签约"), N_("落地"), N_("搁置"), N_("终止"))


# ---------------------------------------------------------------- the project's fields



@dataclass(frozen=True)
class FieldSpec:
    key: str
    zh: str
    kind: str = "text"  # text · money · area · list · status · unit
    help: str = ""
    en: str = ""  # the English name the command line uses beside the Chinese term

    @property
    def option_help(self) -> str:
        """`--chain`'s help: "Industry chain (产业链)", then the field's own note."""
        return f"{self.en} ({self.zh})" + (f"; {self.help}." if self.help else ".")

    @property
    def label(self) -> str:
        """The field's name in the interface's language: 总投资（万元） in Chinese, "Total investment" in English."""
        return self.en if is_english() else self.zh


PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", "项目编号", help="unique; generated as GX-0001 … when not given", en="Project code"),
    FieldSpec("name", "项目名称", en="Project name"),
    FieldSpec("categories", "项目类别", "list", "several allowed, joined by 、 or commas: 省重点、市重点", en="Categories"),
    FieldSpec("cluster", "产业集群", en="Industry cluster"),
    FieldSpec("chain", "产业链", en="Industry chain"),
    FieldSpec("owner", "建设单位", en="Owner"),
    FieldSpec("location", "建设地点", en="Location or park"),
    FieldSpec("content", "建设内容及规模", en="Content and scale"),
    FieldSpec("floor_area", "建筑面积（万平方米）", "area", en="Floor area"),
    FieldSpec("capacity", "产能", en="Capacity"),
    FieldSpec("total_investment", "总投资（万元）", "money", "8.5亿元 and 8000万 are read too", en="Total investment"),
    FieldSpec("annual_plan", "年度计划投资（万元）", "money", "for the as-of year unless --plan-year", en="Annual plan investment"),
    FieldSpec("status", "项目状态", "status", "储备/前期/在建/投产/竣工/停缓建", en="Status"),
    FieldSpec("unit", "责任单位", "unit", "one in the registry, unless --create-units", en="Responsible unit"),
    FieldSpec("leader", "包保领导", en="Leader in charge"),
    FieldSpec("task_force", "工作专班/联系人", en="Task force / contact"),
    FieldSpec("source", "项目来源", help="e.g. 十四五规划 专栏4-1", en="Source"),
    FieldSpec("plan_columns", "规划专栏", "list", "e.g. 4-1; several joined by 、", en="Plan columns"),
    FieldSpec("site_progress", "形象进度", en="Site progress"),
    FieldSpec("notes", "备注", en="Notes"),
    FieldSpec("approval_code", "项目审批代码", "text",
              "the national code of the online approval platform, e.g. 2020-350000-44-01-012345", en="Approval code"),
)

BY_KEY = {f.key: f for f in PROJECT_FIELDS}

# A project without a responsible unit, wherever rows are grouped or counted by unit
# (the overdue report, the weekly briefing, the exported ledger).
NO_UNIT = "未明确责任单位"
