"""Ledger columns: the header words offices use, mapped to the registry's fields.

Shared by import (header → field) and export (field → header). The office
extends the variants in its config file::

    [ledger.headers]
    total_investment = ["计划总投资", "投资总额"]
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, Mapping

from projects_cli.config.office import HEADER_WORDS, PLAIN, section, source_of
from projects_cli.config.schema import Loc, Table

# field → (the header export writes, other words offices use). Matching ignores
# spaces, full-width forms and a trailing unit in brackets: 总投资（万元） = 总投资.
HEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("项目编号", ("编号", "项目代码", "代码", "项目编码")),
    "seq": ("序号", ("序", "No", "NO")),
    "name": ("项目名称", ("项目", "名称", "项目名")),
    "categories": ("项目类别", ("类别", "项目级别", "级别", "项目类型")),
    "cluster": ("产业集群", ("集群",)),
    "chain": ("产业链", ("所属产业链", "产业链条", "行业", "所属行业", "产业类别")),
    "owner": ("建设单位", ("项目单位", "业主单位", "实施单位", "建设主体", "项目业主", "企业名称")),
    "location": ("建设地点", ("项目地点", "所在园区", "园区", "地点", "建设地址", "所在街道")),
    "content": ("建设内容及规模", ("建设内容", "建设规模及内容", "主要建设内容", "建设规模", "项目内容")),
    "floor_area": ("建筑面积（万平方米）", ("建筑面积", "总建筑面积")),
    "capacity": ("产能", ("达产规模", "设计产能", "生产能力")),
    "total_investment": ("总投资（万元）", ("总投资", "项目总投资", "计划总投资", "投资总额", "总投资额")),
    "annual_plan": ("年度计划投资（万元）", ("年度计划投资", "年计划投资", "计划投资", "本年计划投资", "年度投资计划", "计划投资额")),
    "completed_ytd": ("本年累计完成投资（万元）", ("累计完成投资", "完成投资", "本年完成投资", "年度完成投资", "已完成投资",
                                              "完成投资额", "累计完成投资额", "累计完成")),
    "completion_rate": ("投资完成率", ("完成率", "完成比例", "投资完成比例")),
    "status": ("项目状态", ("状态", "建设状态", "项目阶段")),
    "unit": ("责任单位", ("牵头单位", "责任部门", "主责单位", "牵头部门")),
    "leader": ("包保领导", ("包保县级领导", "县级包保领导", "包保区级领导", "分管领导", "责任领导")),
    "task_force": ("工作专班", ("专班", "联系人", "工作专班及联系人", "项目联系人")),
    "source": ("项目来源", ("来源",)),
    "plan_columns": ("规划专栏", ("专栏",)),
    "site_progress": ("形象进度", ("目前进展", "进展情况", "工程进度", "项目进展", "形象进度情况")),
    "planned_start": ("计划开工时间", ("开工时间", "计划开工日期", "开工日期", "拟开工时间", "计划开工")),
    "actual_start": ("实际开工时间", ("实际开工日期", "实际开工")),
    "planned_completion": ("计划竣工时间", ("竣工时间", "计划竣工日期", "竣工日期", "计划完工时间", "拟竣工时间", "计划竣工")),
    "actual_completion": ("实际竣工时间", ("实际竣工日期", "实际完工时间", "实际竣工")),
    "card": ("预警等级", ("亮牌", "红黄蓝牌", "预警")),
    "notes": ("备注", ("说明",)),
}

_BRACKETS = re.compile(r"[（(][^）)]*[）)]$")


def header_key(text: Any) -> str:
    """A header cell as compared: NFKC, no spaces or line breaks, no trailing （万元）."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\s+", "", value)
    return _BRACKETS.sub("", value)


def header_unit(text: Any) -> str | None:
    """The amount unit a header names: 总投资（亿元） → 亿元."""
    match = re.search(r"[（(]\s*(亿元|万元|元|亿|万)\s*[）)]", unicodedata.normalize("NFKC", str(text or "")))
    return match.group(1) if match else None


def _header_table() -> Table:
    """[ledger.headers] as the ledger reads it: one key per field it has, each a list of header words."""
    return Table(dict.fromkeys(HEADERS, HEADER_WORDS), example='[ledger.headers] name = ["工程名称"]')


def ledger_section(config: Mapping[str, Any] | None) -> Mapping[str, Any]:
    """The config file's [ledger] table, checked (`config.office`): header words only for the ledger's fields."""
    table = section(config, "ledger")
    if "headers" in table:
        _header_table().read(table["headers"], Loc(source_of(config), ("ledger", "headers")))
    return table


def variants(extra: Mapping[str, Any] | None = None) -> dict[str, str]:
    """header word → field, with the office's additions from [ledger.headers]."""
    table: dict[str, str] = {}
    for field, (main, others) in HEADERS.items():
        for word in (main, *others):
            table[header_key(word)] = field
    for field, words in _header_table().read(extra or {}, Loc(PLAIN, ("ledger", "headers"))).items():
        for word in words:
            table[header_key(word)] = field
    return table


# A period before a known word: "2024年计划投资", "1-10月完成投资", "2025年1-10月份累计完成投资", "截至10月底完成投资".
_PERIOD = re.compile(r"^(\d{4}年度?|\d{1,2}(?:-|—|–|~|～|至)\d{1,2}月(?:份|底|末)?|截[至止]\d{1,2}月(?:份|底|末)?|本年度?|今年|全年)")
_YEAR = re.compile(r"(\d{4})年")
_MONTH = re.compile(r"(?:\d{1,2}(?:-|—|–|~|～|至)|截[至止])(\d{1,2})月")


def field_for(header: Any, table: Mapping[str, str]) -> str | None:
    """The field a header cell names, None when it names none we know."""
    key = header_key(header)
    if not key:
        return None
    for _ in range(3):
        if key in table:
            return table[key]
        stripped = _PERIOD.sub("", key, count=1)
        if stripped == key:
            return None
        key = stripped
    return table.get(key)


def header_period(text: Any) -> tuple[int | None, int | None]:
    """The year and last month a header names: 2025年1-10月完成投资 → (2025, 10); 2024年计划投资 → (2024, None)."""
    value = unicodedata.normalize("NFKC", re.sub(r"\s+", "", str(text or "")))
    year = _YEAR.search(value)
    month = _MONTH.search(value)
    y = int(year.group(1)) if year and 1990 <= int(year.group(1)) <= 2100 else None
    m = int(month.group(1)) if month and 1 <= int(month.group(1)) <= 12 else None
    return y, m


def export_header(field: str) -> str:
    return HEADERS[field][0]
