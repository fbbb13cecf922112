"""Ledger columns: the header words offices use, mapped to the registry's fields.

Shared by import (header → field) and export (field → header). Some fields
are only read (建设起止时间 gives both planned dates) and some only recognised
(`NOT_STORED`), so that the
import lists them as not read instead of mistaking them for another field. The
office extends the variants in its config file::

    [ledger.headers]
    total_investment = ["计划总投资", "投资总额"]
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Any, Mapping

from projects_cli.config.office import HEADER_WORDS, PLAIN, section, source_of
from projects_cli.config.schema import Loc, Table
from projects_cli.values import CURRENCY, CURRENCY_NAMES

# field → (the header export writes, other words offices use). Matching ignores
# spaces, full-width forms and a trailing unit in brackets: 总投资（万元） = 总投资.
HEADERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "code": ("项目编号", ("编号", "代码", "项目编码")),
    "seq": ("序号", ("序", "No", "NO")),
    "name": ("项目名称", ("项目", "名称", "项目名")),
    "categories": ("项目类别", ("类别", "项目级别", "级别", "项目类型")),
    "cluster": ("产业集群", ("集群",)),
    "chain": ("产业链", ("所属产业链", "产业链条", "行业", "所属行业", "产业类别")),
    "owner": ("建设单位", ("项目单位", "业主单位", "实施单位", "建设主体", "项目业主", "企业名称", "项目业主单位", "业主名称",
                         "业主单位或筹办单位", "建设单位名称")),
    "location": ("建设地点", ("项目地点", "所在园区", "园区", "地点", "建设地址", "所在街道", "属地", "所属区域")),
    "content": ("建设内容及规模", ("建设内容", "建设规模及内容", "主要建设内容", "建设规模", "项目内容", "建设内容和规模",
                              "项目建设规模和内容", "建设规模和内容")),
    "floor_area": ("建筑面积（万平方米）", ("建筑面积", "总建筑面积")),
    "capacity": ("产能", ("达产规模", "设计产能", "生产能力")),
    "total_investment": ("总投资（万元）", ("总投资", "项目总投资", "计划总投资", "投资总额", "总投资额", "估算投资", "估算总投资")),
    "annual_plan": ("年度计划投资（万元）", ("年度计划投资", "年计划投资", "计划投资", "本年计划投资", "年度投资计划", "计划投资额")),
    "completed_ytd": ("本年累计完成投资（万元）", ("累计完成投资", "完成投资", "本年完成投资", "年度完成投资", "已完成投资",
                                              "完成投资额", "累计完成投资额", "累计完成", "实际完成投资", "年度累计完成投资",
                                              "年初至今累计完成投资", "年初至今累计完成投资额", "当月至今已完成")),
    "completion_rate": ("投资完成率", ("完成率", "完成比例", "投资完成比例", "年度投资完成率", "完成投资占年计划%",
                                  "完成投资占年计划")),
    "status": ("项目状态", ("状态", "建设状态", "项目阶段", "项目性质", "建设阶段", "建设性质")),
    "unit": ("责任单位", ("牵头单位", "责任部门", "主责单位", "牵头部门", "承办单位", "挂钩责任单位", "牵头协调部门",
                      "市或县挂钩责任单位")),
    "leader": ("包保领导", ("包保县级领导", "县级包保领导", "包保区级领导", "分管领导", "责任领导", "挂钩领导", "市挂钩领导",
                        "县挂钩领导", "挂点领导", "项目挂点领导", "牵头区领导", "包保责任领导姓名", "市级包抓领导", "县级领导",
                        "市领导", "县领导", "区领导")),
    "task_force": ("工作专班", ("专班", "联系人", "工作专班及联系人", "工作专班/联系人", "项目联系人")),
    "source": ("项目来源", ("来源",)),
    "plan_columns": ("规划专栏", ("专栏",)),
    "site_progress": ("形象进度", ("目前进展", "进展情况", "工程进度", "项目进展", "形象进度情况", "目前进展情况",
                               "目前项目建设形象进度", "目前形象进度", "项目建设形象进度")),
    "planned_start": ("计划开工时间", ("开工时间", "计划开工日期", "开工日期", "拟开工时间", "计划开工", "计划开始时间")),
    "actual_start": ("实际开工时间", ("实际开工日期", "实际开工", "今年开工时间")),
    "planned_completion": ("计划竣工时间", ("竣工时间", "计划竣工日期", "竣工日期", "计划完工时间", "拟竣工时间", "计划竣工")),
    "actual_completion": ("实际竣工时间", ("实际竣工日期", "实际完工时间", "实际竣工", "今年竣工时间")),
    # One cell holding both planned dates (2009-2011, 2007.10-2010.12): read into planned_start and planned_completion.
    "planned_period": ("建设起止时间", ("建设年限", "项目工期", "建设起止年限", "起止年限", "建设期限", "建设工期", "起止时间")),
    "card": ("预警等级", ("亮牌", "红黄蓝牌", "预警")),
    "notes": ("备注", ("说明",)),
    "approval_code": ("项目审批代码", ("项目代码", "审批代码", "项目统一代码", "全国投资项目在线审批监管平台代码")),
    # The month a row reports, in a ledger of one row per project per month (the 调度 export): read, never written.
    "report_month": ("月份", ("填报月份", "统计月份", "报表月份", "调度月份", "所属月份", "报送月份", "填报月", "月度")),
    # The ledger month's own figure: the month's investment report, checked against the year to date when both.
    "month_completed": ("当月完成投资", ("当月已完成投资", "本月完成投资", "当月完成", "本月完成")),
}
# Fields a ledger's header names that the import does not store (listed among the columns not read).
NOT_STORED: tuple[str, ...] = ()

_BRACKETS = re.compile(r"[（(][^）)]*[）)]$")


def header_key(text: Any) -> str:
    """A header cell as compared: NFKC, no spaces or line breaks, no trailing （万元）."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    value = re.sub(r"\s+", "", value)
    return _BRACKETS.sub("", value)


def header_unit(text: Any) -> str | None:
    """The amount unit (人民币) a header names: 总投资（亿元） → 亿元, 总投资（单位：万元） → 万元."""
    match = re.search(r"[（(]\s*(?:单位[:：]\s*)?(亿元|万元|元|亿|万)\s*[）)]", unicodedata.normalize("NFKC", str(text or "")))
    return match.group(1) if match else None


def _header_table() -> Table:
    """[ledger.headers] as the ledger reads it: one key per field it has, each a list of header words."""
    return Table(dict.fromkeys(HEADERS, HEADER_WORDS), example='[ledger.headers] name = ["工程名称"]')


def currency_rates(config: Mapping[str, Any] | None) -> dict[str, Decimal]:
    """元 per unit of each foreign currency the config file gives: [ledger.rates] ("美元" = 7.1, "欧元" = 7.8,
    keyed by the currency's name: USD is 美元) and, as before it, [ledger] usd_rate for 美元."""
    table = ledger_section(config)
    rates = {CURRENCY_NAMES[key]: Decimal(str(rate)) for key, rate in (table.get("rates") or {}).items()}
    if (rate := table.get("usd_rate")) is not None:
        rates.setdefault("美元", Decimal(str(rate)))
    return rates


def header_currency(text: Any) -> str | None:
    """A foreign currency a header names for its amounts: 总投资（万美元） → 万美元; None for 人民币."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    match = re.search(r"[（(][^）)]*?(" + CURRENCY.pattern + r")[^）)]*[）)]", value)
    return match.group(1) if match else None


# Sub-headers that say which part of the group above a column holds. Under a group naming a field
# (项目业主单位, 市或县挂钩责任单位, 挂钩领导) a name word means the field itself and a contact word
# that field's contact, which the registry does not keep: 项目业主单位/联系人 is not 工作专班.
NAME_WORDS = frozenset({"名称", "单位名称", "姓名", "单位", "业主名称", "名字"})
# Under the responsible unit (责任单位/责任人, 市或县挂钩责任单位/负责人): the unit's person for the project, its
# contact there, kept as 工作专班 where the sheet has no 工作专班 column of its own (`parse._columns`).
UNIT_PERSON_WORDS = frozenset({"责任人", "负责人", "责任人姓名", "负责人姓名"})
CONTACT_WORDS = frozenset({"联系人", "负责人", "责任人", "联系电话", "电话", "手机", "手机号码", "联系方式", "办公电话",
                           "职务", "职务姓名", "联系人及电话", "负责人及电话", "责任人及电话"})


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
