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


PROJECT_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("code", "项目编号", help="unique; generated as GX-0001 … when not given"),
    FieldSpec("name", "项目名称"),
    FieldSpec("categories", "项目类别", "list", "several allowed, joined by 、 or commas: 省重点、市重点"),
    FieldSpec("cluster", "产业集群"),
    FieldSpec("chain", "产业链"),
    FieldSpec("owner", "建设单位"),
    FieldSpec("location", "建设地点"),
    FieldSpec("content", "建设内容及规模"),
    FieldSpec("floor_area", "建筑面积（万平方米）", "area"),
    FieldSpec("capacity", "产能"),
    FieldSpec("total_investment", "总投资（万元）", "money"),
    FieldSpec("annual_plan", "年度计划投资（万元）", "money", "for the as-of year unless --plan-year"),
    FieldSpec("status", "项目状态", "status", "储备/前期/在建/投产/竣工/停缓建"),
    FieldSpec("unit", "责任单位", "unit"),
    FieldSpec("leader", "包保领导"),
    FieldSpec("task_force", "工作专班/联系人"),
    FieldSpec("source", "项目来源", help="e.g. 十四五规划 专栏4-1"),
    FieldSpec("plan_columns", "规划专栏", "list", "e.g. 4-1; several joined by 、"),
    FieldSpec("site_progress", "形象进度"),
    FieldSpec("notes", "备注"),
)

BY_KEY = {f.key: f for f in PROJECT_FIELDS}
EDITABLE = tuple(f for f in PROJECT_FIELDS if f.key != "code")
