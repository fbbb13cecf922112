"""`projects notify`: the reminders each unit gets, worked out from the reports on file (dry run by default)."""

from __future__ import annotations

import json
import shutil

import pytest
from standins import Mailbox, Robot, self_signed
from typer.testing import CliRunner

from projects_cli.cli.app import app

ECON = """## 督办提醒：经济发展局
截至 2025-10-31，以下事项请抓紧办理：

**逾期事项（3项）**
> 1. GX-0007 锐博高端结构件智能制造项目：施工许可节点，期限 2025-10-20，已逾期 11 天（一般逾期）
> 2. GX-0036 纬世特高纯度大规格半导体级石墨材料项目：开工节点，期限 2024-06-30，已逾期 488 天（严重逾期）
> 3. GX-0013 双林自动变速器生产基地项目：土地节点，期限 2025-07-31，已逾期 92 天（严重逾期）

**即将到期（2025-11-05 前）（3项）**
> 1. GX-0013 双林自动变速器生产基地项目：开工节点，期限 2025-10-31，今天到期
> 2. GX-0004 山推大马力推土机产业化项目：问题 2025-004：新增设备用电负荷需扩容，期限 2025-11-03，还剩 3 天
> 3. GX-0007 锐博高端结构件智能制造项目：开工节点，期限 2025-11-05，还剩 5 天

请按期办结并及时反馈督查室。
"""


@pytest.fixture
def demo(demo_template, tmp_path, monkeypatch):
    """Run `projects` on a copy of the sample registry, in a data folder of its own."""
    monkeypatch.setenv("PROJECTS_HOME", str(tmp_path))
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)

    def run(*args: str, as_of: str = "2025-10-31"):
        return CliRunner().invoke(app, ["--db", str(path), "--by", "tester", "--as-of", as_of, *args])

    run.path = path
    run.home = tmp_path
    return run


def test_dry_run_prints_each_units_message(demo):
    r = demo("notify", "--unit", "经济发展局")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == ECON
    assert r.stderr == "1 个单位，6 项（预演：未发送；加 --send 发送）\n"


def test_json_lists_the_items_with_their_keys(demo):
    r = demo("notify", "--unit", "建设局", "--format", "json")
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout) == {
        "as_of": "2025-10-31", "due_by": "2025-11-05", "horizon_workdays": 3,
        "units": [{"unit": "建设局", "items": [{
            "section": "overdue", "key": "overdue:lookback:GX-0024:2025-003:2025-10-29",
            "text": "GX-0024 市第一人民医院公共卫生重症医学中心项目：回头看 2025-003：医院项目配套道路未打通，"
                    "期限 2025-10-29，已逾期 2 天（一般逾期）"}]}],
    }


def test_the_horizon_comes_from_the_rules_file(demo):
    (demo.home / "rules.toml").write_text("[notify]\nhorizon_workdays = 1\n", encoding="utf-8")
    r = demo("notify", "--unit", "经济发展局", "--format", "json")
    assert r.exit_code == 0, r.stderr
    data = json.loads(r.stdout)
    assert data["due_by"] == "2025-11-03"
    assert [i["key"] for i in data["units"][0]["items"] if i["section"] == "due_soon"] == [
        "due_soon:milestone:GX-0013:开工:2025-10-31", "due_soon:issue:GX-0004:2025-004:2025-11-03"]


def test_an_unknown_unit_is_an_error(demo):
    r = demo("notify", "--unit", "不存在局")
    assert r.exit_code == 1
    assert r.stderr.startswith("错误：")


def test_nothing_to_remind(demo):
    r = demo("notify", "--unit", "社会事业局", as_of="2025-01-02")
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "截至 2025-01-02 没有需要提醒的事项\n"


# ---------------------------------------------------------------- stand-in servers on 127.0.0.1


@pytest.fixture
def servers():
    made = []

    def make(kind, **kw):
        made.append(kind(**kw))
        return made[-1]

    yield make
    for server in made:
        server.close()


def _config(demo, port: int | None = None, security: str = "none", **extra) -> None:
    lines = ["[notify]", "retries = 2", "backoff_seconds = 0", "timeout_seconds = 5", f'smtp_security = "{security}"',
             'smtp_from = "督查室 <ducha@127.0.0.1>"']
    if port:
        lines += ['smtp_host = "127.0.0.1"', f"smtp_port = {port}"]
    lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in extra.items()]
    (demo.home / "config.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _wire(demo, unit: str, *args: str) -> None:
    r = demo("unit", "edit", unit, *args)
    assert r.exit_code == 0, r.stderr


def test_nothing_is_sent_without_send(demo, servers):
    robot = servers(Robot)
    _config(demo)
    _wire(demo, "经济发展局", "--webhook", f"{robot.url}/cgi-bin/webhook/send?key=K1")
    assert demo("notify").exit_code == 0
    assert robot.posts == []
    assert demo("notify", "log").stdout == "没有发送记录\n"


def test_send_reaches_each_unit_once_and_a_rerun_sends_nothing(demo, servers):
    wecom, mailbox = servers(Robot), servers(Mailbox)
    _config(demo, mailbox.port)
    _wire(demo, "经济发展局", "--webhook", f"{wecom.url}/cgi-bin/webhook/send?key=K1", "--email", "jjfz@127.0.0.1")
    _wire(demo, "建设局", "--email", "jsj@127.0.0.1")
    r = demo("notify", "--send", "--format", "json")
    assert r.exit_code == 0, r.stderr
    rows = {(x["unit"], x["channel"]): (x["result"], x["items"], x["attempts"]) for x in json.loads(r.stdout)}
    assert rows[("经济发展局", "wecom")] == ("sent", 6, 1)
    assert rows[("经济发展局", "email")] == ("sent", 6, 1)
    assert rows[("建设局", "email")] == ("sent", 1, 1)
    assert rows[("王因街道", None)] == ("no_channel", 0, 0)
    assert r.stderr == "已发送 3 个，失败 0 个，0 个没有新事项，10 个单位没有 webhook 或邮箱\n"
    assert wecom.posts == [("/cgi-bin/webhook/send?key=K1", {"msgtype": "markdown", "markdown": {"content": ECON.rstrip("\n")}})]
    import email
    import email.policy

    assert [(m[0], m[1]) for m in mailbox.messages] == [("ducha@127.0.0.1", ["jsj@127.0.0.1"]),
                                                      ("ducha@127.0.0.1", ["jjfz@127.0.0.1"])]
    mail = email.message_from_bytes(mailbox.messages[0][2], policy=email.policy.default)
    assert str(mail["Subject"]) == "督办提醒：建设局（截至 2025-10-31）"
    plain = mail.get_body(("plain",)).get_content()
    assert plain == ("建设局：\n\n截至 2025-10-31，以下事项请抓紧办理：\n\n逾期事项（1项）\n"
                     "  1. GX-0024 市第一人民医院公共卫生重症医学中心项目：回头看 2025-003：医院项目配套道路未打通，"
                     "期限 2025-10-29，已逾期 2 天（一般逾期）\n\n请按期办结并及时反馈督查室。\n")
    html = mail.get_body(("html",)).get_content()
    assert "<p>建设局：</p>" in html and "<li>GX-0024 市第一人民医院公共卫生重症医学中心项目：回头看 2025-003：" in html
    assert [a.get_filename() for a in mail.iter_attachments()] == []  # a look-back: no sheet goes with it
    # 经济发展局's problem 2025-004 is due in 3 working days: its sheet (督办单, as `sheet notice` picks) goes with the e-mail, as Word
    econ = email.message_from_bytes(mailbox.messages[1][2], policy=email.policy.default)
    [attached] = list(econ.iter_attachments())
    assert (attached.get_filename(), attached.get_content_type()) == (
        "经济发展局督办单（2025-10-31）.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert "附件：经济发展局督办单（2025-10-31）.docx（请按附件要求办理并反馈）。" in econ.get_body(("plain",)).get_content()
    import io

    from docx import Document

    text = [p.text for p in Document(io.BytesIO(attached.get_content())).paragraphs]
    assert "重点项目问题挂牌督办通知书" in text and any("新增设备用电负荷需扩容" in t for t in text)

    again = demo("notify", "--send")
    assert again.exit_code == 0, again.stderr
    assert again.stderr == "已发送 0 个，失败 0 个，3 个没有新事项，10 个单位没有 webhook 或邮箱\n"
    assert len(wecom.posts) == 1 and len(mailbox.messages) == 2
    log = json.loads(demo("notify", "log", "--format", "json").stdout)
    assert [(x["unit"], x["channel"], x["result"], x["items"]) for x in log] == [
        ("经济发展局", "email", "sent", 6), ("经济发展局", "wecom", "sent", 6), ("建设局", "email", "sent", 1)]
    assert log[2]["covered"] == ["overdue:lookback:GX-0024:2025-003:2025-10-29"]
    # a later date is a new day: the items still open are reminded again
    assert demo("notify", "--send", "--unit", "建设局", as_of="2025-11-03").stderr.startswith("已发送 1 个，")


def test_a_failing_webhook_is_retried_and_recorded_while_the_others_are_sent(demo, servers):
    flaky, broken, good = servers(Robot, fail_first=1), servers(Robot, always_fail=True), servers(Robot)
    _config(demo)
    _wire(demo, "经济发展局", "--webhook", f"{flaky.url}/send?key=A")
    _wire(demo, "建设局", "--webhook", f"{broken.url}/send?key=B")
    _wire(demo, "王因街道", "--webhook", f"{good.url}/send?key=C")
    r = demo("notify", "--send", "--format", "json", "--fail-if-any")
    assert r.exit_code == 5, r.stderr
    assert r.stderr == "已发送 2 个，失败 1 个，0 个没有新事项，9 个单位没有 webhook 或邮箱\n"
    rows = {x["unit"]: (x["result"], x["attempts"], x["error"]) for x in json.loads(r.stdout) if x["channel"]}
    assert rows == {"经济发展局": ("sent", 2, None), "建设局": ("failed", 3, "HTTP 500 Internal Server Error"),
                    "王因街道": ("sent", 1, None)}
    assert len(flaky.posts) == 2 and flaky.posts[0] == flaky.posts[1]
    assert len(broken.posts) == 3 and len(good.posts) == 1
    failed = json.loads(demo("notify", "log", "--failed", "--format", "json").stdout)
    assert [(x["unit"], x["result"], x["attempts"]) for x in failed] == [("建设局", "failed", 3)]
    assert "key=B" not in demo("notify", "log").stdout  # the webhook's key is never shown
    # the failed one is tried again by the next run (--resend-failed: only it); the sent ones are not
    broken.always_fail = False
    r = demo("notify", "--resend-failed")
    assert r.stderr == "已发送 1 个，失败 0 个，2 个没有新事项，9 个单位没有 webhook 或邮箱\n"
    assert len(broken.posts) == 4 and len(flaky.posts) == 2


def test_dingtalk_is_signed_with_the_secret(demo, servers, monkeypatch):
    import base64
    import hashlib
    import hmac
    import urllib.parse

    robot = servers(Robot)
    _config(demo, robot="dingtalk")
    monkeypatch.setenv("PROJECTS_DINGTALK_SECRET", "SEC123")
    _wire(demo, "建设局", "--webhook", f"{robot.url}/robot/send?access_token=T")
    r = demo("notify", "--send", "--unit", "建设局")
    assert r.exit_code == 0, r.stderr
    [(path, body)] = robot.posts
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(path).query)
    ts = query["timestamp"][0]
    expected = base64.b64encode(hmac.new(b"SEC123", f"{ts}\nSEC123".encode(), hashlib.sha256).digest()).decode()
    assert query["access_token"] == ["T"] and query["sign"] == [expected]
    assert body["msgtype"] == "markdown" and body["markdown"]["title"] == "督办提醒：建设局"
    assert body["markdown"]["text"].startswith("## 督办提醒：建设局\n截至 2025-10-31")
    assert "SEC123" not in r.stdout + r.stderr


def _mail_with_password_file(demo, mailbox, password: str, mode: int):
    """Send 建设局 its reminder by mail, logging in with the password in a file of that mode; (result, file)."""
    secret = demo.home / "smtp.password"
    secret.write_text(password + "\n")
    secret.chmod(mode)
    _config(demo, mailbox.port, smtp_user="ducha", smtp_password_file="smtp.password")
    _wire(demo, "建设局", "--email", "jsj@127.0.0.1")
    return demo("notify", "--send", "--unit", "建设局"), secret


def test_a_password_file_others_can_read_is_refused(demo, servers):
    mailbox = servers(Mailbox)
    r, secret = _mail_with_password_file(demo, mailbox, "pw", 0o644)
    assert r.exit_code == 1
    assert r.stderr == f"错误：邮箱密码文件 {secret} 别人也能读，请改为只有本人可读：chmod 600 {secret}\n"
    assert mailbox.messages == []


def test_channel_helpers():
    from projects_cli.notify import channels

    assert channels.robot_kind("https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=x", "dingtalk") == "wecom"
    assert channels.robot_kind("https://oapi.dingtalk.com/robot/send?access_token=x", "wecom") == "dingtalk"
    assert channels.robot_kind("http://127.0.0.1/x", "wecom") == "wecom"
    assert channels.fit("一\n二\n三", 100, "……") == "一\n二\n三"
    assert channels.fit("一\n二\n三", 10, "…") == "一\n…"
    pauses = []
    calls = iter([channels.SendFailed("a"), channels.SendFailed("b"), None])

    def send():
        exc = next(calls)
        if exc:
            raise exc

    assert channels.attempt(send, 2, 0.5, pauses.append) == (3, None)
    assert pauses == [0.5, 1.0]


def test_a_dispatch_not_returned_is_reminded_near_and_after_its_due_date(demo):
    r = demo("ledger", "dispatch", "--unit", "建设局", "-o", str(demo.home / "建设局.xlsx"), "--due", "2025-11-04",
             as_of="2025-10-20")
    assert r.exit_code == 0, r.stderr

    def dispatch_items(as_of):
        r = demo("notify", "--unit", "建设局", "--format", "json", as_of=as_of)
        assert r.exit_code == 0, r.stderr
        units = json.loads(r.stdout)["units"]
        return [(i["key"], i["text"]) for u in units for i in u["items"] if i["section"] == "dispatch"]

    assert dispatch_items("2025-10-27") == []  # due beyond the horizon (3 working days: 2025-10-30)
    assert dispatch_items("2025-10-31") == [("dispatch:2025-10:2025-11-04:pending",
                                             "2025-10 派工单尚未报送，截止 2025-11-04，请按时报送")]
    assert dispatch_items("2025-11-06") == [("dispatch:2025-10:2025-11-04:missing",
                                             "2025-10 派工单未报送，截止 2025-11-04，已逾期 2 天，请立即报送")]


def test_a_new_card_is_reminded_with_its_reasons(demo):
    assert demo("cards", "rate").exit_code == 0
    r = demo("notify", "--unit", "建设局", "--format", "json")
    assert r.exit_code == 0, r.stderr
    [unit] = json.loads(r.stdout)["units"]
    assert [(i["key"], i["text"]) for i in unit["items"] if i["section"] == "cards"] == [(
        "card:2025-10:GX-0045:yellow",
        "GX-0045 城乡供水一体化：2025-10 被亮黄牌（投资完成率 66%，序时进度 83.3%，落后 17.3 个百分点）")]


def test_a_unit_without_contacts_is_reminded_through_the_office_channel(demo, servers):
    office = servers(Robot)
    _config(demo, office_webhook=f"{office.url}/send?key=OFFICE")
    r = demo("notify", "--send", "--unit", "建设局")
    assert (r.exit_code, r.stderr) == (0, "已发送 1 个，失败 0 个，0 个没有新事项，0 个单位没有 webhook 或邮箱\n")
    [(path, body)] = office.posts
    assert path == "/send?key=OFFICE" and body["markdown"]["content"].startswith("## 督办提醒：建设局\n")


def test_the_password_is_read_from_a_private_file_and_never_shown(demo, servers):
    import base64

    mailbox = servers(Mailbox)
    r, _ = _mail_with_password_file(demo, mailbox, "s3cret-pw", 0o600)
    assert (r.exit_code, r.stderr) == (0, "已发送 1 个，失败 0 个，0 个没有新事项，0 个单位没有 webhook 或邮箱\n")
    assert mailbox.logins == ["AUTH PLAIN " + base64.b64encode(b"\0ducha\0s3cret-pw").decode()]
    shown = r.stdout + demo("notify", "log", "--format", "json").stdout
    assert "s3cret" not in shown and len(mailbox.messages) == 1


# ---------------------------------------------------------------- TLS, templates, length limits


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_mail_goes_over_tls_to_a_server_with_the_offices_own_certificate(demo, servers, tmp_path, security):
    cert = self_signed(tmp_path)
    mailbox = servers(Mailbox, tls=security, certificate=cert)
    _config(demo, mailbox.port, security=security, smtp_ca_file=cert[0])
    _wire(demo, "建设局", "--email", "jsj@127.0.0.1")
    r = demo("notify", "--send", "--unit", "建设局")
    assert (r.exit_code, r.stderr) == (0, "已发送 1 个，失败 0 个，0 个没有新事项，0 个单位没有 webhook 或邮箱\n")
    assert mailbox.secured == [True] and [m[1] for m in mailbox.messages] == [["jsj@127.0.0.1"]]


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_a_certificate_not_trusted_is_a_failure_that_says_so(demo, servers, tmp_path, security):
    mailbox = servers(Mailbox, tls=security, certificate=self_signed(tmp_path))
    _config(demo, mailbox.port, security=security)  # no smtp_ca_file: the system's CAs do not know it
    _wire(demo, "建设局", "--email", "jsj@127.0.0.1")
    r = demo("notify", "--send", "--unit", "建设局", "--format", "json")
    [row] = json.loads(r.stdout)
    assert (row["result"], row["attempts"]) == ("failed", 3)
    assert row["error"].startswith("邮件服务器的证书无法验证（self")
    assert row["error"].endswith("；内部 CA 请在 [notify] smtp_ca_file 写明证书文件")
    assert mailbox.messages == []


def test_the_office_overrides_a_messages_wording_with_its_own_template(demo, servers):
    robot = servers(Robot)
    folder = demo.home / "templates"
    folder.mkdir()
    (folder / "notify_wecom.md").write_text(
        "### {{ unit }}请注意\n{% for s in sections %}{{ s.title }} {{ s.texts|length }} 项\n{% endfor %}",
        encoding="utf-8")
    _config(demo)
    _wire(demo, "经济发展局", "--webhook", f"{robot.url}/cgi-bin/webhook/send?key=K1")
    assert demo("notify", "--unit", "经济发展局").stdout == "### 经济发展局请注意\n逾期事项 3 项\n即将到期 3 项\n"
    assert demo("notify", "--send", "--unit", "经济发展局").exit_code == 0
    assert robot.posts[0][1]["markdown"]["content"] == "### 经济发展局请注意\n逾期事项 3 项\n即将到期 3 项"


def test_a_reminder_longer_than_the_robot_takes_is_split_into_whole_items():
    from datetime import date

    from projects_cli.notify import messages

    env = messages.shipped_env()
    items = [{"section": "overdue", "key": f"k{n}", "text": f"GX-{n:04d} " + "某重点项目节点逾期" * 12}
             for n in range(1, 41)]
    parts = messages.split(env, "wecom", "经济发展局", items, date(2025, 10, 31), date(2025, 11, 5), 4096)
    assert [len(chunk) for chunk, _ in parts] == [11, 11, 11, 7]
    assert [k["key"] for chunk, _ in parts for k in chunk] == [i["key"] for i in items]  # each item once, in order
    assert all(len(text.encode()) <= 4096 for _, text in parts)
    assert [text.split("\n", 1)[0] for _, text in parts] == [f"## 督办提醒：经济发展局（{n}/4）" for n in range(1, 5)]
    assert parts[1][1].split("\n")[4] == "> 1. GX-0012 " + "某重点项目节点逾期" * 12
    # an item too long for a message alone is cut at a line, with a pointer to the attachment
    [(chunk, text)] = messages.split(env, "wecom", "经济发展局", [{"section": "overdue", "key": "big",
                                                                "text": "很长\n" * 3000}], date(2025, 10, 31),
                                     date(2025, 11, 5), 4096)
    assert len(text.encode()) <= 4096 and text.endswith("\n" + messages.POINTER)


def test_a_split_reminder_is_sent_as_parts_each_recorded(demo, servers, monkeypatch):
    from projects_cli.notify import channels

    robot = servers(Robot)
    monkeypatch.setitem(channels.LIMITS, "wecom", 600)
    _config(demo)
    _wire(demo, "经济发展局", "--webhook", f"{robot.url}/cgi-bin/webhook/send?key=K1")
    r = demo("notify", "--send", "--unit", "经济发展局", "--format", "json")
    rows = json.loads(r.stdout)
    assert [(x["result"], x["items"]) for x in rows] == [("sent", 3), ("sent", 3)]
    assert [len(body["markdown"]["content"].encode()) <= 600 for _, body in robot.posts] == [True] * 2
    assert [body["markdown"]["content"].split("\n", 1)[0] for _, body in robot.posts] == [
        "## 督办提醒：经济发展局（1/2）", "## 督办提醒：经济发展局（2/2）"]
    log = json.loads(demo("notify", "log", "--format", "json").stdout)
    assert sorted(len(x["covered"]) for x in log) == [3, 3] and len({k for x in log for k in x["covered"]}) == 6
    again = demo("notify", "--send", "--unit", "经济发展局")
    assert again.stderr == "已发送 0 个，失败 0 个，1 个没有新事项，0 个单位没有 webhook 或邮箱\n" and len(robot.posts) == 2
