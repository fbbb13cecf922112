"""The office's config file (config.toml): every error its reader can raise, with the exact message, and what it returns."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from projects_cli.config import office
from projects_cli.config.settings import Settings, load_toml
from projects_cli.errors import ConfigError

SECTIONS = "calendar, ledger, dispatch, limits, sheets, milestones, database, investment, notify"
LONG = "长" * 201


def config_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(text, encoding="utf-8")
    return path


# (what the office wrote, the error after "配置文件 <path> ")
ERRORS = [
    # the file's sections
    ("[calender]\nholidays = []\n", f"第 1 行 [calender]：未知的表；可用的键：{SECTIONS}"),
    ('title = "x"\n', f"第 1 行 title：未知的键；可用的键：{SECTIONS}"),
    ("calendar = 3\n", '第 1 行 [calendar]：应为表，例如 [calendar] holidays = ["2027-01-01"]'),
    # [calendar]
    ("[calendar]\nholiday = []\n",
     "第 2 行 [calendar] holiday：未知的键；可用的键：holidays, workdays, known_years"),
    ('[calendar]\nholidays = "2027-01-01"\n',
     '第 2 行 [calendar] holidays：应为日期列表，例如 holidays = ["2027-01-01"]'),
    ('[calendar]\nworkdays = ["2027-01-02", "2027-02-30"]\n',
     '第 2 行 [calendar] workdays 第 2 项：\'2027-02-30\' 不是日期，请写成 YYYY-MM-DD，例如 "2027-01-01"'),
    ("[calendar]\nholidays = [20270101]\n",
     '第 2 行 [calendar] holidays 第 1 项：20270101 不是日期，例如 "2027-01-01"'),
    ("[calendar]\nholidays = [2027-01-01T08:00:00]\n",
     '第 2 行 [calendar] holidays 第 1 项：2027-01-01T08:00:00 不是日期，例如 "2027-01-01"'),
    ('[calendar]\nknown_years = ["2027"]\n',
     "第 2 行 [calendar] known_years 第 1 项：应为 1900 到 2100 之间的整数，不能是 '2027'"),
    ("[calendar]\nknown_years = [27]\n",
     "第 2 行 [calendar] known_years 第 1 项：应为 1900 到 2100 之间的整数，不能是 27"),
    ("[calendar]\nknown_years = 2027\n",
     "第 2 行 [calendar] known_years：应为年份列表，例如 known_years = [2027]"),
    ('[calendar]\nholidays = ["2027-01-02"]\nworkdays = [2027-01-02]\n',
     "第 1 行 [calendar]：2027-01-02 同时列在 holidays 和 workdays 中"),
    # [ledger]
    ("[ledger]\nheader = {}\n",
     "第 2 行 [ledger.header]：未知的表；可用的键：headers, chains, clusters, title, status, usd_rate, columns, rates"),
    ("[ledger]\nheaders = 3\n", '第 2 行 [ledger.headers]：应为表，例如 [ledger.headers] name = ["工程名称"]'),
    ('[ledger.headers]\nname = ["工程名称", 3]\n', "第 2 行 [ledger.headers] name 第 2 项：应为文字，不能是 3"),
    ("[ledger.headers]\nname = 3\n",
     '第 2 行 [ledger.headers] name：应为名称列表，例如 name = ["工程名称"]'),
    ("[ledger]\nchains = [1]\n", "第 2 行 [ledger] chains 第 1 项：应为文字，不能是 1"),
    ('[ledger]\nclusters = " "\n', '第 2 行 [ledger] clusters：不能为空，例如 clusters = ["现代服务业"]'),
    ('[ledger]\ntitle = ""\n', '第 2 行 [ledger] title：不能为空，例如 title = "高新区重点项目推进情况台账"'),
    # [dispatch]
    ("[dispatch]\nstage = []\n", "第 2 行 [dispatch] stage：未知的键；可用的键：stages, password, title"),
    ("[dispatch]\nstages = []\n",
     '第 2 行 [dispatch] stages：不能为空，例如 stages = ["前期手续", "基础施工", "主体施工"]'),
    ('[dispatch]\nstages = ["基础施工", "　"]\n', "第 2 行 [dispatch] stages 第 2 项：不能为空"),
    (f'[dispatch]\nstages = ["{LONG}"]\n',
     f"第 2 行 [dispatch] stages 第 1 项：'{'长' * 56}… 超过 200 个字"),
    ('[dispatch]\npassword = ""\n', '第 2 行 [dispatch] password：不能为空，例如 password = "督查"'),
    ("[dispatch]\npassword = 1234\n",
     '第 2 行 [dispatch] password：应为文字，不能是 1234，例如 password = "督查"'),
    ("[dispatch]\ntitle = 3\n",
     '第 2 行 [dispatch] title：应为文字，不能是 3，例如 title = "重点项目推进情况派工单"'),
    # [limits]
    ("[limits]\nledger_rows = -1\n", "第 2 行 [limits] ledger_rows：应为 ≥ 1 的整数，不能是 -1"),
    ("[limits]\nledger_rows = 1.5\n",
     "第 2 行 [limits] ledger_rows：应为 ≥ 1 的整数，不能是 1.5"),
    ("[limits]\nledger_file_mb = 0\n",
     "第 2 行 [limits] ledger_file_mb：应为大于 0 的数，不能是 0"),
    ("[limits]\nledger_size = 1\n",
     "第 2 行 [limits] ledger_size：未知的键；可用的键：ledger_file_mb, ledger_unzipped_mb, ledger_part_ratio, le"
     "dger_rows, ledger_columns, ledger_cells"),
    ("limits = 3\n", "第 1 行 [limits]：应为表，例如 [limits] ledger_file_mb = 100"),
    # [sheets]
    ('[sheets]\nprefx = "x"\n',
     "第 2 行 [sheets] prefx：未知的键；可用的键：prefix, office, mark, title_font, contact, weekly_to, weekly_cc, phone, templates, list_limit, render_seconds, render_output_mb"),
    ('[sheets]\nprefix = " "\n', '第 2 行 [sheets] prefix：不能为空，例如 prefix = "高新督"'),
    ("[sheets]\noffice = 1\n",
     '第 2 行 [sheets] office：应为文字，不能是 1，例如 office = "高新区重点项目推进中心"'),
    ('[sheets]\ntemplates = ""\n', '第 2 行 [sheets] templates：不能为空，例如 templates = "模板"'),
    ("[sheets]\nlist_limit = 0\n", "第 2 行 [sheets] list_limit：应为 ≥ 1 的整数，不能是 0"),
    ("[sheets]\nrender_seconds = 0\n", "第 2 行 [sheets] render_seconds：应为大于 0 的数，不能是 0"),
    # [milestones]
    ("[database]\nwait_seconds = -1\n", "第 2 行 [database] wait_seconds：应为 ≥ 0 的数，不能是 -1"),
    ("[milestones]\nkind = []\n", "第 2 行 [milestones] kind：未知的键；可用的键：kinds"),
    ("[milestones]\nkinds = []\n", '第 2 行 [milestones] kinds：不能为空，例如 kinds = ["立项", "开工", "竣工"]'),
    ('[milestones]\nkinds = ["开工", "开工"]\n', "第 2 行 [milestones] kinds 第 2 项：'开工' 重复"),
    (f'[milestones]\nkinds = ["{"长" * 21}"]\n',
     f"第 2 行 [milestones] kinds 第 1 项：'{'长' * 21}' 超过 20 个字"),
    # not TOML
    ("[ledger\n", "不是有效的 TOML（Expected ']' at the end of a table declaration (at line 1, column 8)）"),
]


@pytest.mark.parametrize("text, error", ERRORS, ids=[e[1][:40] for e in ERRORS])
def test_every_config_file_error_names_the_file_line_section_and_key(tmp_path, text, error):
    path = config_file(tmp_path, text)
    with pytest.raises(ConfigError) as exc:
        Settings(config_path=path).config
    assert str(exc.value) == f"配置文件 {path} {error}"


def test_a_config_file_that_cannot_be_read(tmp_path):
    with pytest.raises(ConfigError) as exc:
        office.load_config(tmp_path / "config.toml")
    assert str(exc.value) == f"配置文件 {tmp_path / 'config.toml'} 不存在"
    with pytest.raises(ConfigError) as exc:
        office.load_config(tmp_path)
    assert str(exc.value) == f"配置文件 {tmp_path} 是文件夹，不是文件"
    path = tmp_path / "gbk.toml"
    path.write_bytes('[sheets]\nprefix = "济高督"\n'.encode("gb18030"))
    with pytest.raises(ConfigError) as exc:
        office.load_config(path)
    assert str(exc.value) == f"配置文件 {path} 不是 UTF-8 文本；请另存为 UTF-8"


def test_the_config_file_comes_back_checked_and_cleaned(tmp_path, monkeypatch):
    path = config_file(tmp_path, '\ufeff[calendar]\nholidays = [" 2027-01-01 ", 2027-01-04]\nknown_years = [2027]\n'
                                 '[ledger]\nchains = " 现代物流 "\n[ledger.headers]\nname = "工程名称"\n'
                                 '[dispatch]\nstages = ["基础施工", "  主体　施工 ", "基础施工"]\npassword = " 督 查 "\n'
                                 '[limits]\nledger_rows = 50\n')
    config = Settings(config_path=path).config
    assert isinstance(config, office.OfficeConfig) and config.source.path == path
    assert config == {
        "calendar": {"holidays": [date(2027, 1, 1), date(2027, 1, 4)], "known_years": [2027]},
        "ledger": {"chains": ["现代物流"], "headers": {"name": ["工程名称"]}},
        "dispatch": {"stages": ["基础施工", "主体 施工"], "password": " 督 查 "},  # a password as written
        "limits": {"ledger_rows": 50},
    }
    assert office.section(config, "sheets") == {} and Settings(config_path=path).section("limits") == {"ledger_rows": 50}
    # no file at all: {} and every section empty
    monkeypatch.setenv("PROJECTS_HOME", str(tmp_path / "empty"))
    assert Settings().config == {} and Settings().section("calendar") == {}


def test_a_section_given_as_a_mapping_is_checked_the_same_way():
    """Library callers and tests pass plain mappings: the same reader, the file named without a path."""
    assert office.section(None, "dispatch") == {}
    with pytest.raises(ConfigError) as exc:
        office.section({"limits": {"ledger_rows": 0}}, "limits")
    assert str(exc.value) == "配置文件 [limits] ledger_rows：应为 ≥ 1 的整数，不能是 0"
    with pytest.raises(ConfigError) as exc:
        office.read_section("sheets", ["x"])
    assert str(exc.value) == '配置文件 [sheets]：应为表，例如 [sheets] prefix = "高新督"'


def test_a_broken_config_file_stops_a_command_before_it_acts(cli, tmp_path):
    path = config_file(tmp_path, '[sheets]\nprefix = "济高督"\n\n[calender]\nknown_years = [2027]\n')
    r = cli("--config", str(path), "issue", "list")
    assert (r.exit_code, r.stdout) == (1, "")
    assert r.stderr == (f"错误：配置文件 {path} 第 4 行 [calender]：未知的表；可用的键：{SECTIONS}\n")
    r = cli("--config", str(tmp_path / "none.toml"), "issue", "list")
    assert (r.exit_code, r.stderr) == (1, f"错误：配置文件 {tmp_path / 'none.toml'} 不存在\n")


def test_the_demo_files_are_read_through_the_same_reader(tmp_path):
    bad = tmp_path / "demo.toml"
    bad.write_text("label = \n", encoding="utf-8")
    with pytest.raises(ConfigError) as exc:
        load_toml(bad, "demo issues file")
    assert str(exc.value) == (f"demo issues file {bad} 不是有效的 TOML（Invalid value (at line 1, column 9)）")
