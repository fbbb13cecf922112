"""Every document and workbook the tool writes, made from the sample registry, for the visual check.

`make_all(folder)` writes them and returns {file name: what must be on its first page and at most how many
pages it may print on}. Used by test_print.py (which turns them into PDF and checks them) and by render.sh
(which also makes PNG pages for a person to look at).
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner


@dataclass(frozen=True)
class Expect:
    pages: int  # at most this many pages
    together: tuple[str, ...] = ()  # texts that must print on the same page (first and last header: no column cut off)


# (command, file, expectation); the as-of date 2025-10-31 on the demo scenario
OUTPUTS = [
    (["overdue"], "逾期通报.xlsx", Expect(6, ("责任单位", "最长逾期天数"))),
    (["cards", "report", "--period", "2025-10"], "红黄蓝牌.xlsx", Expect(6, ("牌色", "人工设牌"))),
    (["ledger", "export", "--columns", "print"], "台账-打印.xlsx", Expect(3, ("序号", "预警等级"))),
    (["ledger", "dispatch", "--unit", "经济发展局"], "派工单.xlsx", Expect(4)),
    (["sheet", "notice", "2025-004"], "督办单-公文.docx", Expect(4, ("高新区重点项目推进中心", "重点项目问题挂牌督办通知书"))),
    (["sheet", "notice", "2025-004"], "督办单-表格.xlsx", Expect(3)),
    (["sheet", "cards", "--unit", "经济发展局"], "亮牌通知.docx", Expect(4, ("重点项目红黄蓝牌通报",))),
    (["sheet", "weekly"], "周报-公文.docx", Expect(12, ("全区重点项目推进情况周报",))),
    (["sheet", "weekly"], "周报-表格.xlsx", Expect(10, ("全区重点项目推进情况周报",))),
    (["meeting", "minutes", "HY-0002"], "会议纪要-公文.docx", Expect(3, ("高新区重点项目推进中心", "周调度会纪要"))),
    (["meeting", "minutes", "HY-0002"], "会议纪要-表格.xlsx", Expect(3, ("周调度会纪要",))),
]

# two 周调度 before the outputs are made: the second one's minutes open with the first one's decisions
_UNITS = "经济发展局、自然资源分局、建设局、行政审批服务局"
MEETINGS = [
    ["--as-of", "2025-10-24", "meeting", "add", "--kind", "周调度", "--date", "2025-10-24", "--chair", "王主任",
     "--place", "管委会三楼301会议室", "--units", _UNITS, "--projects", "GX-0003、GX-0004"],
    ["--as-of", "2025-10-24", "meeting", "decide", "1", "--text",
     "经济发展局牵头，会同供电公司完成山推大马力推土机产业化项目新增设备用电负荷扩容方案编制并报批", "--unit", "经济发展局",
     "--helper", "建设局", "--project", "GX-0004", "--workdays", "3"],
    ["--as-of", "2025-10-24", "meeting", "decide", "1", "--text", "自然资源分局加快山重集团研究院项目用地组卷报批，确保11月上旬取得用地批复",
     "--unit", "自然资源分局", "--project", "GX-0003", "--workdays", "5"],
    ["--as-of", "2025-10-24", "meeting", "decide", "1", "--text", "行政审批服务局开辟绿色通道，同步办理施工许可",
     "--unit", "行政审批服务局", "--project", "GX-0003", "--due", "2025-10-29"],
    ["--as-of", "2025-10-28", "issue", "respond", "2025-010", "--text", "方案已报"],
    ["--as-of", "2025-10-28", "issue", "resolve", "2025-010", "--text", "已批复"],
    ["meeting", "add", "--kind", "周调度", "--date", "2025-10-31", "--chair", "王主任", "--place", "管委会三楼301会议室",
     "--units", _UNITS, "--projects", "GX-0004", "--topic", "上周议定事项落实情况", "--topic", "山推大马力推土机产业化项目投产准备"],
    ["meeting", "attend", "2", "--unit", "经济发展局", "--as", "出席"],
    ["meeting", "attend", "2", "--unit", "自然资源分局", "--as", "委派代表", "--deputy", "李明"],
    ["meeting", "attend", "2", "--unit", "行政审批服务局", "--as", "缺席", "--note", "参加市级培训"],
    ["meeting", "decide", "2", "--text", "经济发展局督促企业完成设备安装调试，11月底前具备投产条件", "--unit", "经济发展局",
     "--workdays", "15"],
    ["meeting", "decide", "2", "--text", "建设局做好厂区配套道路施工协调", "--unit", "建设局", "--helper", "自然资源分局",
     "--workdays", "10"],
]


def make_all(folder: Path, sample: Path) -> dict[str, Expect]:
    """The outputs of OUTPUTS in `folder`, made from a copy of `sample` (the demo registry)."""
    from projects_cli.cli.app import app

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "office.db"
    shutil.copyfile(sample, db)
    env = {"PROJECTS_HOME": str(folder), "PROJECTS_AS_OF": "2025-10-31", "PROJECTS_CONFIG": "", "PROJECTS_RULES": ""}
    runner = CliRunner()
    r = runner.invoke(app, ["--db", str(db), "cards", "rate", "--period", "2025-10"], env=env)
    assert r.exit_code == 0, r.stderr
    for step in MEETINGS:
        r = runner.invoke(app, ["--db", str(db), *step], env=env)
        assert r.exit_code == 0, (step, r.stderr)
    out: dict[str, Expect] = {}
    for command, name, expect in OUTPUTS:
        target = folder / name
        args = [*command, str(target)] if command[:2] == ["ledger", "export"] else [*command, "-o", str(target)]
        r = runner.invoke(app, ["--db", str(db), *args], env=env)
        assert r.exit_code == 0, (command, r.stderr)
        out[name] = expect
    return out


if __name__ == "__main__":  # python tests/helpers/visual_outputs.py FOLDER SAMPLE.db (tests/visual/render.sh)
    import sys

    made = make_all(Path(sys.argv[1]), Path(sys.argv[2]))
    print(os.linesep.join(made))
