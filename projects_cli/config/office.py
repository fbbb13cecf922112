"""The office's config file (config.toml): every section it may hold, each key's kind, checked when it is read.

::

    [calendar]    holidays, workdays, known_years   the working-day calendar (`config.calendar`)
    [ledger]      headers, chains, clusters, title, status, usd_rate, columns   ledger import and export (`config.chains`,
                                                `ledger.columns`; `status_words`)
    [dispatch]    stages, password, title           the 派工单 workbooks (`ledger.dispatch`)
    [limits]      ledger_file_mb …                  how large a ledger file may be (`ledger.reader`)
    [sheets]      prefix, office, mark, title_font, contact, weekly_to, weekly_cc, phone, templates, list_limit,
                  render_seconds, render_output_mb
                                                    the sheets (`sheets.contexts`, `sheets.templating`)
    [milestones]  kinds                             the milestone chain (`services.milestones`)
    [database]    wait_seconds                      how long a writer waits for another command (`store.db`)
    [investment]  warn_total_factor, warn_plan_factor  when `invest record` warns (`rules.investment`)
    [notify]      robot, timeout_seconds, retries, backoff_seconds, smtp_host, smtp_port, smtp_user, smtp_from,
                  smtp_security, smtp_password_file, smtp_ca_file, dingtalk_secret_file, office_webhook,
                  office_email
                                                    how reminders go out (`notify.channels`)

`load_config` reads and checks the whole file at once, so a misspelt section or
key is an error naming the file and the line before any command acts on it;
`section` gives one section checked, from that file or from a plain mapping
(library callers and tests). Defaults stay with the code that uses each value.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any, Mapping

from projects_cli.config.paths import resource_dir
from projects_cli.config.schema import (
    Choice,
    Dates,
    Loc,
    Names,
    Number,
    Source,
    Table,
    Text,
    Whole,
    Years,
    parse_toml,
    read_toml,
)
from projects_cli.i18n import _
from projects_cli.values import CURRENCIES, CURRENCY_NAMES, normalize_name
from projects_cli.vocab import ProjectStatus

LABEL = _("配置文件")
PLAIN = Source(LABEL)  # a config given as a mapping, not read from a file


def _days_once(table: dict[str, Any], loc: Loc) -> None:
    both = sorted(set(table.get("holidays", [])) & set(table.get("workdays", [])))
    if both:
        days = ", ".join(d.isoformat() for d in both)
        loc.fail(_("{days} 同时列在 holidays 和 workdays 中").format(days=days), table=True)


def _known_currencies(table: dict[str, Any], loc: Loc) -> None:
    """[ledger.rates]: each key a currency ledgers name (美元, 欧元, 港元 … or USD, EUR, HKD), each once."""
    seen: dict[str, str] = {}
    for key in table:
        name = CURRENCY_NAMES.get(key)
        if name is None:
            loc.child(key).fail(_("不是认得的币种"), more=_("；可用的键：{keys}").format(keys='、'.join(CURRENCIES)))
        if name in seen:
            loc.child(key).fail(_("与 {other} 是同一币种").format(other=seen[name]))
        seen[name] = key


def _one_dollar_rate(table: dict[str, Any], loc: Loc) -> None:
    """usd_rate and [ledger.rates] 美元 both given: they must agree (never a silent choice of one)."""
    dollar = next((v for k, v in table.get("rates", {}).items() if CURRENCY_NAMES.get(k) == "美元"), None)
    if "usd_rate" in table and dollar is not None and float(dollar) != float(table["usd_rate"]):
        loc.child("usd_rate").fail(_("与 [ledger.rates] 美元 = {dollar} 不一致：只写一处").format(dollar=dollar))


HEADER_WORDS = Names('["工程名称"]')  # [ledger.headers] field = the words offices write for it
STATUS_KEY = "[ledger.status]"  # what a ledger's status word means: "加快建设" = "在建"
TEMPLATE = "config.toml"  # the shipped template (data/), whose [ledger.status] is the default table

SECTIONS: dict[str, Table] = {
    "calendar": Table({"holidays": Dates(), "workdays": Dates(), "known_years": Years()},
                      example='[calendar] holidays = ["2027-01-01"]', check=_days_once),
    "ledger": Table({
        "headers": Table(extra=HEADER_WORDS, example='[ledger.headers] name = ["工程名称"]'),
        "chains": Names(),
        "clusters": Names('["现代服务业"]'),
        "title": Text('"高新区重点项目推进情况台账"'),
        "status": Table(extra=Choice(ProjectStatus.values()), example='[ledger.status] "加快建设" = "在建"'),
        "usd_rate": Number(0, above=True),  # 1 美元 = usd_rate 元: a ledger's 万美元 read as 万元
        "columns": Names('["项目名称", "总投资", "形象进度"]'),  # what `ledger export` shows: all, print or names
        # 1 unit of each currency in 元: "美元" = 7.1, "欧元" = 7.8, "港元" = 0.91 (amounts in 万欧元 read as 万元)
        "rates": Table(extra=Number(0, above=True), example='[ledger.rates] "美元" = 7.1', check=_known_currencies),
    }, example='[ledger] chains = ["现代物流"]', check=_one_dollar_rate),
    "dispatch": Table({
        "stages": Names('["前期手续", "基础施工", "主体施工"]', needed=True, longest=200, alone=False),
        "password": Text('"督查"', exact=True),
        "title": Text('"重点项目推进情况派工单"'),
    }, example='[dispatch] stages = ["基础施工", "主体施工"]'),
    "limits": Table({
        "ledger_file_mb": Number(0, above=True),
        "ledger_unzipped_mb": Number(0, above=True),
        "ledger_part_ratio": Number(0, above=True),
        "ledger_rows": Whole(1),
        "ledger_columns": Whole(1),
        "ledger_cells": Whole(1),
    }, example="[limits] ledger_file_mb = 100"),
    "sheets": Table({
        "prefix": Text('"高新督"'),
        "office": Text('"高新区重点项目推进中心"', empty=True),
        "mark": Text('"高新区重点项目推进中心文件"'),
        "title_font": Text('"方正小标宋简体"'),
        "contact": Text('"张三"', empty=True),
        "weekly_to": Text('"各责任单位"'),
        "weekly_cc": Names('["区委办公室", "区政府办公室"]'),
        "phone": Text('"0537-0000000"', empty=True),
        "templates": Text('"模板"'),
        "list_limit": Whole(1),
        "render_seconds": Number(0, above=True),
        "render_output_mb": Number(0, above=True),
    }, example='[sheets] prefix = "高新督"'),
    "milestones": Table({"kinds": Names('["立项", "开工", "竣工"]', needed=True, distinct=True, longest=20,
                                        alone=False)},
                        example='[milestones] kinds = ["立项", "开工"]'),
    "database": Table({"wait_seconds": Number(0)}, example="[database] wait_seconds = 120"),
    "investment": Table({"warn_total_factor": Number(0, above=True), "warn_plan_factor": Number(0, above=True)},
                        example="[investment] warn_plan_factor = 1.5"),
    "notify": Table({
        "robot": Choice(("wecom", "dingtalk")),
        "timeout_seconds": Number(0, above=True),
        "retries": Whole(0, 10),  # a few: each retry waits twice as long as the one before
        "backoff_seconds": Number(0),
        "smtp_host": Text('"smtp.example.gov.cn"'),
        "smtp_port": Whole(1, 65535),
        "smtp_user": Text('"ducha@example.gov.cn"'),
        "smtp_from": Text('"督查室 <ducha@example.gov.cn>"'),
        "smtp_security": Choice(("ssl", "starttls", "none")),
        "smtp_password_file": Text('"smtp.password"'),
        "smtp_ca_file": Text('"ca.pem"'),
        "dingtalk_secret_file": Text('"dingtalk.secret"'),
        "office_webhook": Text('"https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=…"'),
        "office_email": Text('"ducha@example.gov.cn"'),
    }, example='[notify] smtp_host = "smtp.example.gov.cn"'),
}
CONFIG_FILE = Table(SECTIONS)


class OfficeConfig(dict):
    """The config file as read and checked; `source` names the file (and its lines) in later errors."""

    def __init__(self, data: Mapping[str, Any], source: Source):
        super().__init__(data)
        self.source = source


def load_config(path: Path) -> OfficeConfig:
    data, source = read_toml(path, LABEL)
    return OfficeConfig(CONFIG_FILE.read(data, Loc(source)), source)


def config_from_text(text: str, path: Path) -> OfficeConfig:
    """The config file `path` would be with `text`, read and checked as `load_config` reads it."""
    data, source = parse_toml(text, path, LABEL)
    return OfficeConfig(CONFIG_FILE.read(data, Loc(source)), source)


def source_of(config: Mapping[str, Any] | None) -> Source:
    return config.source if isinstance(config, OfficeConfig) else PLAIN


def read_section(name: str, value: Any, source: Source = PLAIN) -> dict[str, Any]:
    """One section's table (None: not written) checked against its schema."""
    return SECTIONS[name].read({} if value is None else value, Loc(source, (name,)))


def section(config: Mapping[str, Any] | None, name: str) -> dict[str, Any]:
    """The config's section `name`, checked; {} when the file has none."""
    return read_section(name, (config or {}).get(name), source_of(config))


def template_path() -> Path:
    """The shipped config template (data/config.toml): every section commented, the default [ledger.status]."""
    return resource_dir("data") / TEMPLATE


@cache
def default_status_words() -> dict[str, str]:
    """The shipped status words (the template's [ledger.status]) and the six statuses themselves, each as
    matched (`values.normalize_name`: NFKC, no spaces) → the status it means."""
    words = {s: s for s in ProjectStatus.values()}
    table = load_config(template_path()).get("ledger", {}).get("status", {})
    words.update((normalize_name(word), status) for word, status in table.items())
    return words


def status_words(config: Mapping[str, Any] | None) -> dict[str, str]:
    """What each status word of a ledger means: the shipped words, then the office's [ledger.status] (theirs win).

    A word in neither (正常, which says how a project is going, not where it is) is not a status.
    """
    words = dict(default_status_words())
    office = section(config, "ledger").get("status", {})
    words.update((normalize_name(word), status) for word, status in office.items())
    return words
