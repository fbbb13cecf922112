"""Tamper evidence that holds: the change log signed under a key kept outside the database, its anchor, its head.

Each attack is made the way someone holding only the database file could make
it (plain SQL, the tool's own plain hash), and each is found with an exact
message; a missing or wrong key says so and never "tampered".
"""

from __future__ import annotations

import hashlib
import hmac
import os
from datetime import datetime

import pytest
from loghead import head_of, signing_key_id, summary
from sqlalchemy import create_engine, text

from projects_cli.errors import ProjectsError
from projects_cli.services import registry
from projects_cli.store import anchor, changelog, db
from projects_cli.store.changelog import GENESIS, Ctx, Head, entry_hash, parse_head

OTHER_KEY = "a7" * 32
RECHAINED = ("变更记录第 {a} 至 {b} 条（共 {n} 条）签名不符：被改动后重新计算了哈希链，或是没有密钥的人添加的")


def write(url: str, *names: str) -> None:
    """Each name a project added by its own command (its own transaction, so log.head follows each)."""
    from projects_cli.store.db import session_scope

    for name in names:
        with session_scope(url) as s:
            registry.add_project(s, Ctx(by="tester", as_of=datetime(2025, 10, 31).date()), {"name": name})


def sql(url: str, *statements: str, **params) -> list:
    engine = create_engine(url)
    with engine.begin() as conn:
        out = [conn.execute(text(st), params) for st in statements][-1]
        rows = out.all() if out.returns_rows else []
    engine.dispose()
    return rows


def verify(url: str, **kw) -> changelog.LogReport:
    from projects_cli.store.db import session_scope

    with session_scope(url, write=False) as s:
        return changelog.verify_log(s, **kw)


def ids(url: str) -> list[int]:
    return [r[0] for r in sql(url, "SELECT id FROM change_log ORDER BY id")]


def rechain(url: str, start: int) -> None:
    """What someone with the file but not the key can do: recompute the plain hash chain from row `start` on."""
    engine = create_engine(url)
    with engine.begin() as conn:
        rows = [dict(r) for r in conn.execute(text("SELECT * FROM change_log ORDER BY id")).mappings()]
        prev = GENESIS
        for row in rows:
            if row["id"] >= start:
                at = row["at"]
                row["at"] = datetime.fromisoformat(at) if isinstance(at, str) else at
                digest = entry_hash(prev, row)
                conn.execute(text("UPDATE change_log SET prev_hash = :p, hash = :h WHERE id = :i"),
                             {"p": prev, "h": digest, "i": row["id"]})
                prev = digest
            else:
                prev = row["hash"]
    engine.dispose()


def append_forgery(url: str, mac: str | None) -> int:
    """A row hashed the tool's own way, chained to the last one, with the given MAC; returns its id."""
    engine = create_engine(url)
    with engine.begin() as conn:
        last = conn.execute(text("SELECT id, hash, seq FROM change_log ORDER BY id DESC LIMIT 1")).first()
        row = {"at": datetime(2025, 11, 1, 8, 0), "by": "tester", "command": "edit", "action": "update",
               "table_name": "project", "record_id": 1, "record_key": "GX-0001", "project_code": "GX-0001",
               "fields": "status", "old": '{"status":"前期"}', "new": '{"status":"竣工"}'}
        digest = entry_hash(last.hash, row)
        conn.execute(text(
            "INSERT INTO change_log (id, at, by, command, action, table_name, record_id, record_key, project_code, "
            "fields, old, new, prev_hash, hash, seq, mac) VALUES (:id, :at, :by, :command, :action, :table_name, "
            ":record_id, :record_key, :project_code, :fields, :old, :new, :prev, :hash, :seq, :mac)"),
            {**row, "id": last.id + 1, "prev": last.hash, "hash": digest, "seq": last.seq + 1, "mac": mac})
    engine.dispose()
    return last.id + 1


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A data folder of this test's own, and no key in the environment."""
    folder = tmp_path / "home"
    monkeypatch.setenv("PROJECTS_HOME", str(folder))
    monkeypatch.delenv(anchor.ENV, raising=False)
    return folder


# ---------------------------------------------------------------- a sound log


def test_a_signed_log_verifies_and_reports_its_head(db_url):
    write(db_url, "甲", "乙", "丙")
    report = verify(db_url, location=db.location(db_url))
    assert report.problems == [] and report.notes == []
    assert (report.head, report.rows, report.rows_before, report.signed) == (head_of(db_url), 3, 0, True)
    assert report.head.count == 3 and len(report.head.mac) == 64
    assert report.summary() == summary(head_of(db_url), rows=3)
    assert report.head.text() == f"记录 3 · 校验 {report.head.mac[:6]}…{report.head.mac[-4:]}"


def test_each_row_mac_chains_its_position_the_mac_before_and_its_hash(db_url):
    write(db_url, "甲", "乙")
    (anchor_mac,), = sql(db_url, "SELECT mac FROM log_anchor")
    rows = sql(db_url, "SELECT seq, hash, mac FROM change_log ORDER BY id")
    key = bytes.fromhex(os.environ[anchor.ENV])
    link = anchor_mac
    for seq, digest, mac in rows:
        assert mac == hmac.new(key, f"{seq}:{link}:{digest}".encode(), hashlib.sha256).hexdigest()
        link = mac
    assert [r[0] for r in rows] == [1, 2]


@pytest.mark.parametrize("printed, parsed", [
    ("记录 1234 · 校验 3f9a0b…c2e1", (1234, "3f9a0b", "c2e1")),
    ("1234:3F9A0B...C2E1", (1234, "3f9a0b", "c2e1")),
    ("1234 " + "ab" * 32, (1234, "ab" * 32, "")),
    ("记录 7 · 校验 abcd", (7, "abcd", "")),
    ("记录 1234", None),
    ("校验 3f9a0b…c2e1", None),
    ("1234:3f9", None),
    ("", None),
])
def test_a_printed_head_reads_back(printed, parsed):
    assert parse_head(printed) == parsed


# ---------------------------------------------------------------- what someone with the file alone can do


def test_an_edited_row_is_found(db_url):
    write(db_url, "甲", "乙", "丙")
    second = ids(db_url)[1]
    sql(db_url, "UPDATE change_log SET new = replace(new, '乙', '丁') WHERE id = :i", i=second)
    assert verify(db_url).problems == [
        f"变更记录第 {second} 条在写入后被改动"]


def test_a_deleted_middle_row_is_found(db_url):
    write(db_url, "甲", "乙", "丙")
    first, second, third = ids(db_url)
    sql(db_url, "DELETE FROM change_log WHERE id = :i", i=second)
    assert verify(db_url).problems == [
        f"变更记录第 {third} 条接不上第 {first} 条：中间有记录被删去，或链被改写"]


def test_a_rechained_log_is_found_by_its_signatures(db_url):
    write(db_url, "甲", "乙", "丙")
    first, second, third = ids(db_url)
    sql(db_url, "UPDATE change_log SET new = replace(new, '乙', '丁') WHERE id = :i", i=second)
    rechain(db_url, second)
    assert verify(db_url).problems == [RECHAINED.format(a=second, b=third, n=2)]


def test_the_whole_log_rechained_from_the_first_row_is_found(db_url):
    write(db_url, "甲", "乙")
    first, second = ids(db_url)
    sql(db_url, "UPDATE change_log SET \"by\" = 'someone' WHERE id = :i", i=first)
    rechain(db_url, first)
    assert verify(db_url).problems == [RECHAINED.format(a=first, b=second, n=2)]


def test_an_appended_forgery_is_found_signed_or_not(db_url):
    write(db_url, "甲", "乙")
    forged = append_forgery(db_url, None)
    assert verify(db_url).problems == [
        f"变更记录第 {forged} 条在锚点之后却没有签名：是没有密钥的人添加或改写的"]
    sql(db_url, "UPDATE change_log SET mac = :m WHERE id = :i", m=hmac.new(bytes.fromhex(OTHER_KEY), b"x",
                                                                             hashlib.sha256).hexdigest(), i=forged)
    assert verify(db_url).problems == [
        f"变更记录第 {forged} 条签名不符：被改动后重新计算了哈希链，或是没有密钥的人添加的"]


def test_stripping_every_signature_is_found(db_url):
    write(db_url, "甲", "乙", "丙")
    first, _, third = ids(db_url)
    sql(db_url, "UPDATE change_log SET mac = NULL, seq = NULL")
    assert verify(db_url).problems == [
        f"变更记录第 {first} 至 {third} 条（共 3 条）在锚点之后却没有签名：是没有密钥的人添加或改写的"]


def test_a_deleted_or_altered_anchor_is_found_and_nothing_more_is_written(db_url):
    write(db_url, "甲")
    sql(db_url, "UPDATE log_anchor SET rows_before = 1")
    assert verify(db_url).problems[0] == "变更记录的锚点被改动：签名无从核对"
    sql(db_url, "DELETE FROM log_anchor")
    assert verify(db_url).problems == [changelog.NO_ANCHOR]
    with pytest.raises(ProjectsError) as info:
        write(db_url, "乙")
    assert str(info.value) == (changelog.NO_ANCHOR + "；请运行 projects db check 查看；未写入任何内容")
    assert len(ids(db_url)) == 1


def test_a_truncated_tail_is_found_by_a_printed_head_and_by_log_head(db_url):
    write(db_url, "甲", "乙", "丙")
    printed = head_of(db_url)
    where = db.location(db_url)
    sql(db_url, "DELETE FROM change_log WHERE id = :i", i=ids(db_url)[-1])
    # the chain alone cannot tell: what is left is a sound, shorter log
    assert verify(db_url).problems == []
    short = f"{printed.mac[:6]}…{printed.mac[-4:]}"
    assert verify(db_url, expect=parse_head(printed.text())).problems == [
        f"核对失败：变更记录只有 2 条，没有打印的第 3 条（校验 {short}）：末尾 1 条被删去，"
        "或这张单子不是这个数据库发出的"]
    cut = (f"变更记录现有 2 条，少于本机上次写入后记下的 3 条（{anchor.head_path()}）：末尾 1 条被删去，或数据库换成了"
           "较早的备份；确是恢复了备份的，运行 projects db "
           "check --accept-head 以现状为准")
    assert verify(db_url, location=where).problems == [cut]
    with pytest.raises(ProjectsError) as info:
        write(db_url, "丁")
    assert str(info.value) == (
        f"变更记录现有 2 条，少于本机上次写入后记下的 3 条（{anchor.head_path()}）：末尾的记录被删去，或数据库换成了较早的"
        "备份；请先运行 projects db check 查看；确是恢复了"
        "备份的，运行 projects db check --accept-head 以现状为准；未写入任何内容")
    accepted = verify(db_url, location=where, accept_head=True)
    assert accepted.problems == []
    assert accepted.notes == [f"已以现状为准：本机 {anchor.head_path()} 记下 {head_of(db_url).text()}"]
    assert verify(db_url, location=where).problems == []
    write(db_url, "丁")
    assert head_of(db_url).count == 3 and verify(db_url, location=where).problems == []


def test_a_head_that_is_still_there_says_how_many_rows_came_after(db_url):
    write(db_url, "甲")
    printed = head_of(db_url)
    write(db_url, "乙", "丙")
    report = verify(db_url, expect=parse_head(printed.text()))
    assert report.problems == []
    assert report.notes == [f"核对 记录 1 · 校验 {printed.mac[:6]}…{printed.mac[-4:]}：仍在变更记录原位，其后又有 2 条"
                            ""]
    assert verify(db_url, expect=(1, "0000", "")).problems == [
        f"核对失败：变更记录第 1 条的校验不是打印的 0000（现在是 {printed.mac[:6]}…{printed.mac[-4:]}）：记录被改写"
        "，或这张单子不是这个数据库发出的"]


def test_a_head_file_entry_for_another_log_is_only_a_note(db_url):
    write(db_url, "甲")
    where = db.location(db_url)
    anchor.record_head(where, "0" * 16, 9, "f" * 64)
    report = verify(db_url, location=where)
    assert report.problems == []
    assert report.notes == [f"本机 {anchor.head_path()} 记下的是另一份变更记录（锚点不同：数据库重新建立过，或换成了别的"
                            "数据库），未据此核对截断"]


# ---------------------------------------------------------------- the key


def test_a_missing_key_cannot_verify_and_refuses_to_write(db_url, home):
    write_error = None
    report = verify(db_url)
    assert report.problems == [
        f"无法验证签名：找不到密钥，不是记录被篡改；签名这份记录的密钥编号 "
        f"{signing_key_id()}：请设置环境变量 PROJECTS_LOG_KEY，或把原来的 log.key 放到 {home / 'log.key'}（权限 600）；"
        "哈希链已核对"]
    with pytest.raises(ProjectsError) as info:
        write(db_url, "甲")
    write_error = str(info.value)
    assert write_error == (
        f"变更记录已用密钥（编号 {signing_key_id()}）签名，但找不到密钥：请把原来的 log.key 放到 "
        f"{home / 'log.key'}（权限 600），或设置环境变量 PROJECTS_LOG_KEY；不会另生成新密钥，未写入任何内容")
    assert ids(db_url) == [] and not (home / "log.key").exists()


def test_a_missing_key_still_checks_the_plain_chain(db_url, monkeypatch):
    write(db_url, "甲", "乙")
    first = ids(db_url)[0]
    sql(db_url, "UPDATE change_log SET new = '{}' WHERE id = :i", i=first)
    monkeypatch.delenv(anchor.ENV)
    monkeypatch.setenv("PROJECTS_HOME", "/nonexistent-projects-home")
    problems = verify(db_url).problems
    assert problems[0].startswith("无法验证签名：找不到密钥")
    assert problems[1:] == [f"变更记录第 {first} 条在写入后被改动"]


def test_a_wrong_key_cannot_verify_and_refuses_to_write(db_url, monkeypatch):
    write(db_url, "甲")
    monkeypatch.setenv(anchor.ENV, OTHER_KEY)
    other = anchor.LogKey(bytes.fromhex(OTHER_KEY), anchor.ENV).key_id
    assert verify(db_url).problems == [
        f"无法验证签名：密钥不符，不是记录被篡改；环境变量 PROJECTS_LOG_KEY 的密钥编号 {other}，"
        f"签名这份记录的密钥编号 {signing_key_id()}：请换回原来的密钥；哈希链已核对"]
    with pytest.raises(ProjectsError) as info:
        write(db_url, "乙")
    assert str(info.value) == (
        f"环境变量 PROJECTS_LOG_KEY 的密钥（编号 {other}）不是签名这份变更记录的密钥（编号 {signing_key_id()}）"
        "：请换回原来的密钥；未写入任何内容")
    assert len(ids(db_url)) == 1


def test_a_key_that_is_not_64_hex_digits_is_refused(db_url, monkeypatch):
    monkeypatch.setenv(anchor.ENV, "secret")
    message = ("环境变量 PROJECTS_LOG_KEY 不是变更记录密钥：应为 64 位十六进制数字（32 字节）；新密钥可用 python3"
               " -c 'import secrets; print(secrets.token_hex(32))' 生成")
    with pytest.raises(ProjectsError) as info:
        write(db_url, "甲")
    assert str(info.value) == message
    assert verify(db_url).problems == [f"无法验证签名（密钥不能用）：{message}；哈希链已核对"]


def test_a_key_file_others_can_read_is_refused(db_url, home):
    home.mkdir()
    key_file = home / "log.key"
    key_file.write_text(os.environ.get(anchor.ENV) or "5a" * 32 + "\n")
    key_file.chmod(0o644)
    message = f"密钥文件 {key_file} 的权限是 0644，同组或其他用户也能访问，已拒绝使用；请执行 chmod 600 {key_file}"
    with pytest.raises(ProjectsError) as info:
        write(db_url, "甲")
    assert str(info.value) == message
    assert verify(db_url).problems == [f"无法验证签名（密钥不能用）：{message}；哈希链已核对"]
    key_file.chmod(0o600)
    write(db_url, "甲")
    report = verify(db_url)
    assert (report.problems, report.key_source) == ([], f"密钥文件 {key_file}")


def anchored_anew(template, path) -> str:
    """A registry at `path` whose log migration 0008 has just anchored (the template taken back to 0007 and up)."""
    import shutil

    shutil.copyfile(template, path)
    url = f"sqlite:///{path}"
    db.downgrade(url, "0007")
    db.upgrade(url, backup=False)
    return url


def test_the_key_file_is_made_0600_when_a_new_log_is_anchored(tmp_path, home, sqlite_template):
    url = anchored_anew(sqlite_template, tmp_path / "new.db")
    key_file = home / "log.key"
    assert oct(key_file.stat().st_mode & 0o777) == "0o600"
    text_ = key_file.read_text()
    assert len(text_) == 65 and bytes.fromhex(text_.strip()) and text_.endswith("\n")
    write(url, "甲")
    report = verify(url, location=db.location(url))
    assert (report.problems, report.key_source) == ([], f"密钥文件 {key_file}")
    assert report.key_id == anchor.load_key().key_id
    # a second database in the same data folder is signed with the same key; none is made again
    anchored_anew(sqlite_template, tmp_path / "other.db")
    assert key_file.read_text() == text_
    assert sorted(p.name for p in home.iterdir()) == [".log.head.lock", "log.head", "log.key"]


# ---------------------------------------------------------------- an old database anchored by 0008


def _old_rows(url: str, count: int) -> list[str]:
    """Rows as the tool wrote them before 0008: the plain chain only. Returns their hashes."""
    engine = create_engine(url)
    hashes, prev = [], GENESIS
    with engine.begin() as conn:
        for i in range(1, count + 1):
            row = {"at": datetime(2025, 10, i, 9, 0), "by": "old", "command": "add", "action": "insert",
                   "table_name": "unit", "record_id": i, "record_key": f"单位{i}", "project_code": None,
                   "fields": "name", "old": None, "new": f'{{"name":"单位{i}"}}'}
            digest = entry_hash(prev, row)
            conn.execute(text(
                "INSERT INTO change_log (at, by, command, action, table_name, record_id, record_key, project_code,"
                " fields, old, new, prev_hash, hash) VALUES (:at, :by, :command, :action, :table_name, :record_id,"
                " :record_key, :project_code, :fields, :old, :new, :prev, :hash)"),
                {**row, "prev": prev, "hash": digest})
            hashes.append(digest)
            prev = digest
    engine.dispose()
    return hashes


def test_an_old_database_is_anchored_and_its_old_rows_covered_from_then_on(db_url):
    db.downgrade(db_url, "0007")
    hashes = _old_rows(db_url, 3)
    db.upgrade(db_url, backup=False)
    (rows_before, plain_head, key_id, anchor_mac), = sql(db_url, "SELECT rows_before, plain_head, key_id, mac FROM log_anchor")
    assert (rows_before, plain_head, key_id) == (3, hashes[-1], signing_key_id())
    report = verify(db_url, location=db.location(db_url))
    assert (report.problems, report.head, report.rows_before) == ([], Head(3, anchor_mac), 3)
    assert report.summary() == summary(Head(3, anchor_mac), rows=3, before=3)
    write(db_url, "甲")
    report = verify(db_url)
    assert report.problems == [] and report.summary() == summary(head_of(db_url), rows=4, before=3)
    assert head_of(db_url).count == 4
    # the old part rewritten consistently (plain chain recomputed): the anchor no longer matches it
    sql(db_url, "UPDATE change_log SET new = '{\"name\":\"假单位\"}' WHERE id = 2")
    rechain(db_url, 2)
    assert verify(db_url).problems == [
        "锚点签下的前 3 条已不是原来的记录：锚点之前的记录被改写",
        RECHAINED.format(a=4, b=4, n=1).replace("第 4 至 4 条（共 1 条）", "第 4 条")]


def test_an_old_log_cut_back_before_its_anchor_is_found(db_url):
    db.downgrade(db_url, "0007")
    _old_rows(db_url, 3)
    db.upgrade(db_url, backup=False)
    sql(db_url, "DELETE FROM change_log WHERE id = 3")
    assert verify(db_url).problems == [
        "变更记录只剩 2 条，少于锚点签下的 3 条：末尾的记录被删去"]


def test_a_fast_bulk_append_signs_every_row(session, ctx):
    entries = [changelog.make_entry(ctx, "insert", "unit", key=f"单位{i}", new={"name": f"单位{i}"}) for i in range(500)]
    assert changelog.log_many(session, entries) == 500
    assert changelog.log_head(session).count == 500
    assert changelog.verify_log(session).problems == []


def test_a_database_made_again_or_replaced_by_another_is_not_a_truncation(tmp_path, sqlite_template):
    import shutil

    office, fresh = tmp_path / "office.db", tmp_path / "fresh.db"
    url = anchored_anew(sqlite_template, office)
    write(url, "甲", "乙")
    for path in tmp_path.glob("office.db*"):
        path.unlink()
    anchored_anew(sqlite_template, office)  # made again at the same place: its anchor replaces the old entry
    assert verify(url, location=db.location(url)).problems == []
    write(url, "甲", "乙")
    anchored_anew(sqlite_template, fresh)
    for path in tmp_path.glob("office.db*"):
        path.unlink()
    shutil.copyfile(fresh, office)  # another (empty) database put in its place: another log, not a cut-short one
    report = verify(url, location=db.location(url))
    assert report.problems == [] and report.notes[0].startswith(f"本机 {anchor.head_path()} 记下的是另一份变更记录")
    write(url, "丙")
    assert verify(url, location=db.location(url)).notes == []


def test_a_signed_last_row_without_its_position_is_refused_not_a_traceback(db_url):
    write(db_url, "甲")
    sql(db_url, "UPDATE change_log SET seq = NULL")
    with pytest.raises(ProjectsError) as info:
        write(db_url, "乙")
    assert str(info.value) == ("变更记录在锚点之后有未签名的改动；请运行 projects db check 查看；未写入任何内容")
    first = ids(db_url)[0]
    assert verify(db_url).problems == [
        f"变更记录第 {first} 条签名不符：被改动后重新计算了哈希链，或是没有密钥的人添加的"]


def test_a_dropped_anchor_table_is_reported_and_the_plain_chain_still_checked(db_url):
    from projects_cli.store import check
    from projects_cli.store.db import session_scope

    write(db_url, "甲", "乙")
    first = ids(db_url)[0]
    sql(db_url, "UPDATE change_log SET new = '{}' WHERE id = :i", i=first)
    sql(db_url, "DROP TABLE log_anchor")
    with session_scope(db_url, write=False) as s:
        report = check.check(s)
    assert report.problems == [
        "缺少表 log_anchor",
        f"变更记录第 {first} 条在写入后被改动"]
    assert report.log.summary() == "变更记录共 2 条，没有锚点"
