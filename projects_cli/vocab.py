"""The project's fields: key in code and JSON, the Chinese term, and the kind of value.

One table shared by `projects add/edit` options, listings, JSON keys and the
ledger's columns. Standard library only (read at start-up for help texts).
"""

from __future__ import annotations

from dataclasses import dataclass


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
    FieldSpec("unit", "责任单位", "unit", "created on first use", en="Responsible unit"),
    FieldSpec("leader", "包保领导", en="Leader in charge"),
    FieldSpec("task_force", "工作专班/联系人", en="Task force / contact"),
    FieldSpec("source", "项目来源", help="e.g. 十四五规划 专栏4-1", en="Source"),
    FieldSpec("plan_columns", "规划专栏", "list", "e.g. 4-1; several joined by 、", en="Plan columns"),
    FieldSpec("site_progress", "形象进度", en="Site progress"),
    FieldSpec("notes", "备注", en="Notes"),
)

BY_KEY = {f.key: f for f in PROJECT_FIELDS}
EDITABLE = tuple(f for f in PROJECT_FIELDS if f.key != "code")
