"""The config file's [calendar] section: the errors of its reader and the days it adds to the PRC calendar."""

from __future__ import annotations

from datetime import date

import pytest

from projects_cli.config.calendar import calendar_from_config, load_calendar
from projects_cli.config.settings import Settings
from projects_cli.errors import ConfigError
from projects_cli.rules.workdays import add_workdays


@pytest.mark.parametrize(
    "section, message",
    [
        ({"holiday": []}, "[calendar] holiday：未知的键；可用的键：holidays, workdays, known_years"),
        ({"holidays": "2027-01-01"},
         '[calendar] holidays：应为日期列表，例如 holidays = ["2027-01-01"]'),
        ({"workdays": ["2027-02-30"]},
         '[calendar] workdays 第 1 项：\'2027-02-30\' 不是日期，请写成 YYYY-MM-DD，例如 "2027-01-01"'),
        ({"holidays": [20270101]},
         '[calendar] holidays 第 1 项：20270101 不是日期，例如 "2027-01-01"'),
        ({"known_years": ["2027"]},
         "[calendar] known_years 第 1 项：应为 1900 到 2100 之间的整数，不能是 '2027'"),
        ({"known_years": [True]},
         "[calendar] known_years 第 1 项：应为 1900 到 2100 之间的整数，不能是 true"),
        ({"holidays": ["2027-01-02"], "workdays": ["2027-01-02"], "known_years": [2027]},
         "[calendar]：2027-01-02 同时列在 holidays 和 workdays 中"),
        ([], '[calendar]：应为表，例如 [calendar] holidays = ["2027-01-01"]'),
    ],
)
def test_config_calendar_errors(section, message):
    with pytest.raises(ConfigError) as exc:
        calendar_from_config(section)
    assert str(exc.value) == f"配置文件 {message}"


def test_config_calendar_reads_strings_and_toml_dates():
    cal = calendar_from_config({"holidays": ["2027-01-01", date(2027, 1, 4)], "known_years": [2027]})
    assert add_workdays(date(2026, 12, 31), 1, cal) == date(2027, 1, 5)
    assert calendar_from_config(None).years == calendar_from_config({}).years


def test_the_calendar_of_a_command_comes_from_its_config_file(tmp_path):
    path = tmp_path / "config.toml"
    path.write_text('[calendar]\nholidays = [2027-01-01]\nworkdays = ["2027-01-02"]\nknown_years = [2027]\n',
                    encoding="utf-8")
    cal = load_calendar(Settings(config_path=path))
    assert add_workdays(date(2026, 12, 31), 1, cal) == date(2027, 1, 2)
    assert "配置文件补充 2027 年" in cal.coverage
