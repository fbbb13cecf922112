"""The change log: every change any command makes, hash-chained and signed so tampering shows.

Services call `log_insert`, `log_update`, `log_delete` (or `log_many` for bulk
writes) inside the command's transaction. Each row holds the SHA-256 of its
content and the hash before it (the plain chain) and, from the anchor
(`log_anchor`, migration 0008) on, its position and an HMAC-SHA256 under the log
key (`store.anchor`, kept outside the database) of its position, the MAC before
it and its own hash: without the key nobody can re-chain an edited log or
append to it. `verify_log` checks all of it for `projects db check`, and the
head (`log_head`: rows and last MAC) is printed on every issued sheet.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Iterable

from projects_cli.i18n import N_, _

if TYPE_CHECKING:
    from sqlmodel import Session

GENESIS = "0" * 64


@dataclass(frozen=True)
class Ctx:
    """Who acts, for which as-of date, and when (the wall clock of the log)."""

    by: str
    as_of: date
    now: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    command: str = ""
    # the command's identity in the log (`new_run`): every row it writes carries it, so `undo --run` finds them
    run: str | None = None
    # --by (or PROJECTS_USER) was given, not taken from the OS user: on PostgreSQL it is written as 代录
    # (`on_behalf`) beside the login
    by_given: bool = True


def new_run() -> str:
    """A new command identity for the change log's `run` column: 10 hex digits."""
    return secrets.token_hex(5)


def decimal_text(value: Decimal) -> str:
    """An amount as the log writes it: 85000.00 → "85000" (normalize() alone would give "8.5E+4"), 2.50 → "2.5"."""
    text = str(value)
    if "E" in text or not text[-1].isdigit() or len(text) > 28:  # 1E+5, NaN, more digits than a context holds
        return str(value.quantize(Decimal(1))) if value == value.to_integral() else format(value.normalize(), "f")
    # plain notation already: only trailing zeros after the point to drop
    return text.rstrip("0").rstrip(".") if "." in text else text


def to_jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_jsonable(v) for v in value]
    return value


def _scalar(value: Any) -> Any:
    """What the JSON encoder cannot write itself, as `to_jsonable` writes it."""
    kind = type(value)
    if kind is date or kind is datetime:
        return value.isoformat()
    if kind is Decimal:
        return decimal_text(value)
    if isinstance(value, (Decimal, date, datetime)):
        return to_jsonable(value)
    raise TypeError(f"Object of type {kind.__name__} is not JSON serializable")


# Reused encoders: the same text as json.dumps(to_jsonable(value), …) without a converted copy of each value.
_VALUES = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_scalar)
# = json.dumps(content, ensure_ascii=False); a flat list of strings and numbers cannot hold itself
_CONTENT = json.JSONEncoder(ensure_ascii=False, check_circular=False)


def _dump(value: dict[str, Any] | None) -> str | None:
    if value is None:
        return None
    return _VALUES.encode(value)


def _at_text(at: Any) -> Any:
    if isinstance(at, datetime):
        at = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        at = at.replace(tzinfo=None).isoformat(timespec="microseconds")
    return at


_ROW: Any = object()


def entry_hash(prev_hash: str, row: dict[str, Any], at: Any = None, *, by: str | None = None, behalf: Any = _ROW) -> str:
    """The hash of one log row: its own content chained to the row before (`at`: its time as text, if known;
    `by` and `behalf`: who it names, when not the row's own `by` and `on_behalf`)."""
    content = [
        prev_hash,
        _at_text(row["at"]) if at is None else at,
        row["by"] if by is None else by,
        row["command"],
        row["action"],
        row["table_name"],
        row["record_id"],
        row["record_key"],
        row["project_code"],
        row["fields"],
        row["old"],
        row["new"],
    ]
    run, on = row.get("run"), row.get("on")
    if behalf is _ROW:
        behalf = row.get("on_behalf")
    if run is not None or on is not None or behalf is not None:  # rows from before migration 0010 have none:
        content += [run, on.isoformat() if isinstance(on, date) else on]  # their hashes stay as they were
    if behalf is not None:  # 代录 (migration 0014): covered only when set, so every older row verifies as before
        content.append(behalf)
    return hashlib.sha256(_CONTENT.encode(content).encode()).hexdigest()


@dataclass
class _Tail:
    """Where the next row chains on: the last row's hash, position and MAC (or the anchor's), and the key."""

    hash: str
    seq: int
    link: str
    signer: Any  # hmac object keyed with the log key; each row's MAC is a copy of it, updated
    anchor: str  # names the anchored log in log.head (the anchor's MAC, short)
    location: str
    login: str | None = None  # PostgreSQL: session_user, who every row names as `by` (None on SQLite)


def _tail(session: Session) -> _Tail:
    """The tail of the log, read once per transaction (and locked on PostgreSQL); refuses a write nobody could verify."""
    if "audit_tail" not in session.info:
        from sqlalchemy import text

        from projects_cli.store import anchor as outside
        from projects_cli.store.db import location

        _install_hooks()
        conn = session.connection()
        if conn.dialect.name == "postgresql":
            # Two offices writing at once must not both chain onto the same tail.
            from projects_cli.store.db import lock_pg_registry

            lock_pg_registry(conn)
        last = _last_row(conn, keyed=False)
        anchor = conn.execute(text("SELECT rows_before, plain_head, key_id, mac FROM log_anchor ORDER BY id")).first()
        if anchor is None:
            raise outside.LogKeyError(_("{problem}；请运行 projects db check 查看；未写入任何内容").format(problem=_(NO_ANCHOR)))
        key = outside.load_key()
        if key is None:
            raise outside.missing(anchor.key_id)
        if key.key_id != anchor.key_id:
            raise outside.wrong(key, anchor.key_id)
        if last is not None and last.mac is not None and isinstance(last.seq, int):
            seq, link = last.seq, last.mac
        elif (last.hash if last is not None else GENESIS) == anchor.plain_head:
            seq, link = anchor.rows_before, anchor.mac
        else:  # unsigned rows after the anchor, or the rows it signed are gone
            raise outside.LogKeyError(_("变更记录在锚点之后有未签名的改动；请运行 projects db check 查看；未写入任何内容"))
        bind = session.get_bind()
        where = location(bind.url.render_as_string(hide_password=False))
        short = anchor.mac[:16]
        recorded = outside.recorded_head(where)
        if recorded is not None and recorded.get("anchor") == short and recorded["count"] > seq:
            raise outside.LogKeyError(
                _("变更记录现有 {n} 条，少于本机上次写入后记下的 {count} 条（{file}）：末尾的记录被删去，或数据库换成了较早的备份；"
                  "请先运行 projects db check 查看；确是恢复了备份的，运行 projects db check --accept-head 以现状为准；"
                  "未写入任何内容").format(n=seq, count=recorded['count'], file=outside.head_path()))
        login = conn.execute(text("SELECT session_user")).scalar() if conn.dialect.name == "postgresql" else None
        session.info["audit_tail"] = _Tail(last.hash if last is not None else GENESIS, seq, link, _signer(key.secret),
                                           short, where, login)
    return session.info["audit_tail"]


def _last_row(conn, *, keyed: bool):
    """The log's last row (hash, seq, mac), the last signed one when `keyed`. On PostgreSQL through a function of the
    office's (store/roles.py): a unit's login that reads only its own rows chains onto the log's real tail."""
    from sqlalchemy import text

    if conn.dialect.name == "postgresql" and conn.execute(text(
            "SELECT to_regprocedure('projects_log_last(boolean)') IS NOT NULL")).scalar():  # (from migration 0016)
        return conn.execute(text("SELECT hash, seq, mac FROM projects_log_last(:k)"), {"k": keyed}).first()
    where = " WHERE mac IS NOT NULL" if keyed else ""
    return conn.execute(text(f"SELECT hash, seq, mac FROM change_log{where} ORDER BY id DESC LIMIT 1")).first()


NO_ANCHOR = N_("变更记录没有锚点：锚点被删去，签名无从核对")


def _signer(secret: bytes):
    return hmac.new(secret, digestmod=hashlib.sha256)


def row_mac(signer, seq: int, link: str, digest: str) -> str:
    """A row's MAC: its position, the MAC before it (the anchor's for the first) and its own hash, under the key."""
    h = signer.copy()
    h.update(f"{seq}:{link}:{digest}".encode())
    return h.hexdigest()


def anchor_mac(secret: bytes, rows_before: int, plain_head: str, key_id: str, nonce: str) -> str:
    return hmac.new(secret, f"anchor:{rows_before}:{plain_head}:{key_id}:{nonce}".encode(), hashlib.sha256).hexdigest()


def anchor_log(conn) -> None:
    """Anchor a log that has none (migration 0008): the key, made now if there is none yet, signs the
    number of rows so far and the last one's hash; every row from here on is signed and chained to it."""
    from sqlalchemy import text

    from projects_cli.store import anchor as outside
    from projects_cli.store.db import location

    key = outside.load_or_create()
    rows = conn.execute(text("SELECT count(*) FROM change_log")).scalar() or 0
    head = conn.execute(text("SELECT hash FROM change_log ORDER BY id DESC LIMIT 1")).scalar() or GENESIS
    # the nonce makes each anchoring its own log, even of two empty ones: log.head tells a database made
    # again from one cut short
    nonce = secrets.token_hex(16)
    mac = anchor_mac(key.secret, rows, head, key.key_id, nonce)
    conn.execute(text("INSERT INTO log_anchor (rows_before, plain_head, key_id, nonce, mac) VALUES (:r, :h, :k, :n, :m)"),
                 {"r": rows, "h": head, "k": key.key_id, "n": nonce, "m": mac})
    # this database's log starts here: an older entry for the same place (a file made again) is replaced
    outside.record_head(location(conn.engine.url.render_as_string(hide_password=False)), mac[:16], rows, mac)


def _install_hooks() -> None:
    """After a commit, remember the new head in log.head; after a commit or a rollback, read the tail afresh."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session as OrmSession

    if not event.contains(OrmSession, "after_commit", _after_commit):
        event.listen(OrmSession, "after_commit", _after_commit)
        event.listen(OrmSession, "after_rollback", _after_rollback)


def _after_commit(session) -> None:
    tail = session.info.pop("audit_tail", None)
    if session.info.pop("audit_written", False) and tail is not None:
        from projects_cli.store import anchor as outside

        outside.record_head(tail.location, tail.anchor, tail.seq, tail.link)


def _after_rollback(session) -> None:
    session.info.pop("audit_tail", None)
    session.info.pop("audit_written", None)


def make_entry(
    ctx: Ctx,
    action: str,
    table: str,
    *,
    record_id: int | None = None,
    key: str | None = None,
    project_code: str | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
) -> dict[str, Any]:
    fields = sorted(old.keys() | new.keys()) if old and new else sorted(old or new or ())
    return {
        "at": ctx.now,
        "by": ctx.by,
        "command": ctx.command,
        "action": action,
        "table_name": table,
        "record_id": record_id,
        "record_key": key,
        "project_code": project_code,
        "fields": ",".join(fields),
        "old": _dump(old),
        "new": _dump(new),
        "run": ctx.run,
        "on": ctx.as_of,
        "on_behalf": ctx.by if ctx.by_given else None,  # who --by named; kept by `log_many` only beside a login
    }


LOG_COLUMNS = ("at", "by", "command", "action", "table_name", "record_id", "record_key", "project_code", "fields",
               "old", "new", "prev_hash", "hash", "seq", "mac", "run", "on", "on_behalf")


def _signed_by(entry: dict[str, Any], login: str | None) -> tuple[str, str | None]:
    """Who an entry names as it is written, (by, 代录): on PostgreSQL `by` is the login and --by, when it named
    someone else, is 代录 beside it; on SQLite `by` is --by (the file's permissions are the access control)."""
    if login is None:
        return entry["by"], None
    behalf = entry.get("on_behalf")
    return login, behalf if behalf and behalf != login else None


def log_many(session: Session, entries: Iterable[dict[str, Any]]) -> int:
    """Append entries made by `make_entry`, chaining each to the one before (one bulk insert)."""
    from projects_cli.store.db import insert_rows
    from projects_cli.store.models import ChangeLog

    tail = _tail(session)
    prev, seq, link, signer = tail.hash, tail.seq, tail.link, tail.signer
    rows = []
    at_obj: Any = object()
    at = None
    login = tail.login
    for entry in entries:
        by, behalf = _signed_by(entry, login)
        if entry["at"] is not at_obj:  # a command's entries share one time: turned into text once
            at_obj, at = entry["at"], _at_text(entry["at"])
        digest = entry_hash(prev, entry, at, by=by, behalf=behalf)
        seq += 1
        link = row_mac(signer, seq, link, digest)
        rows.append((entry["at"], by, entry["command"], entry["action"], entry["table_name"],
                     entry["record_id"], entry["record_key"], entry["project_code"], entry["fields"], entry["old"],
                     entry["new"], prev, digest, seq, link, entry.get("run"), entry.get("on"), behalf))
        prev = digest
    if rows:
        if session.autoflush:  # as the ORM insert did: pending objects first
            session.flush()
        insert_rows(session.connection(), ChangeLog.__table__, LOG_COLUMNS, rows)
        tail.hash, tail.seq, tail.link = prev, seq, link
        session.info["audit_written"] = True
    return len(rows)


def diff(old: dict[str, Any], new: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The fields that changed, as (old values, new values)."""
    changed = [k for k in new if old.get(k) != new[k]]
    return {k: old.get(k) for k in changed}, {k: new[k] for k in changed}


def log_insert(session: Session, ctx: Ctx, table: str, record_id: int | None, values: dict[str, Any], **kw) -> None:
    log_many(session, [make_entry(ctx, "insert", table, record_id=record_id, new=values, **kw)])


def log_update(
    session: Session, ctx: Ctx, table: str, record_id: int | None, old: dict[str, Any], new: dict[str, Any], **kw
) -> bool:
    """Log the fields that changed; False (nothing logged) when none did."""
    before, after = diff(old, new)
    if not after:
        return False
    log_many(session, [make_entry(ctx, "update", table, record_id=record_id, old=before, new=after, **kw)])
    return True


def log_delete(session: Session, ctx: Ctx, table: str, record_id: int | None, values: dict[str, Any], **kw) -> None:
    log_many(session, [make_entry(ctx, "delete", table, record_id=record_id, old=values, **kw)])


@dataclass(frozen=True)
class Head:
    """The head of the log: how many rows it holds (the last row's position) and the last MAC."""

    count: int
    mac: str

    def text(self) -> str:
        """The short form printed on every sheet and by `db check`: 记录 1234 · 校验 3f9a0b…c2e1."""
        return f"记录 {self.count} · 校验 {short_mac(self.mac)}"


def short_mac(mac: str) -> str:
    return f"{mac[:6]}…{mac[-4:]}"


_HEAD = re.compile(r"^\D*?(\d{1,12})(?![0-9a-f])\D+?([0-9a-f]{4,64})(?:\s*(?:…|\.{2,3})\s*([0-9a-f]{2,60}))?\s*$")


def parse_head(text: str) -> tuple[int, str, str] | None:
    """(position, MAC prefix, MAC suffix) of a head as printed ("记录 1234 · 校验 3f9a0b…c2e1", "1234:3f9a0b…c2e1",
    or a whole MAC after the number); None when it is not one."""
    found = _HEAD.match(text.strip().lower())
    if found is None:
        return None
    return int(found.group(1)), found.group(2), found.group(3) or ""


def log_head(session: Session) -> Head | None:
    """The head as this transaction sees it (its own rows included); None for a log with no anchor."""
    from sqlalchemy import text

    tail = session.info.get("audit_tail")
    if tail is not None:
        return Head(tail.seq, tail.link)
    conn = session.connection()
    last = _last_row(conn, keyed=True)
    if last is not None:
        return Head(last.seq, last.mac)
    anchor = conn.execute(text("SELECT rows_before, mac FROM log_anchor ORDER BY id")).first()
    return Head(anchor.rows_before, anchor.mac) if anchor is not None else None


@dataclass
class LogReport:
    """What `verify_log` found: problems (each one line), notes, the head, and how the log is anchored."""

    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    head: Head | None = None
    rows: int = 0
    rows_before: int | None = None
    key_id: str | None = None
    key_source: str | None = None
    signed: bool = False  # every signed row was checked with the key

    def summary(self) -> str:
        if self.head is None:
            return _("变更记录共 {n} 条，没有锚点").format(n=self.rows)
        before = self.rows_before or 0
        key = (_("密钥 {key_id}（{source}）").format(key_id=self.key_id, source=self.key_source) if self.key_source
               else _("密钥 {key_id}（本机没有）").format(key_id=self.key_id))
        return _("变更记录 {head}；锚点之前 {before} 条只有哈希链保护，之后 {after} 条有密钥签名；{key}").format(
            head=self.head.text(), before=before, after=max(self.rows - before, 0), key=key)


class _Runs:
    """Consecutive rows with the same problem, reported as one line."""

    def __init__(self, problems: list[str]):
        self.problems, self.kind, self.first, self.last, self.count = problems, None, 0, 0, 0

    def add(self, kind: str | None, row_id: int = 0) -> None:
        if kind is not None and kind == self.kind:
            self.last, self.count = row_id, self.count + 1
            return
        self.flush()
        self.kind, self.first, self.last, self.count = kind, row_id, row_id, 1

    def flush(self) -> None:
        if self.kind is None:
            return
        what = {"mac": _("签名不符：被改动后重新计算了哈希链，或是没有密钥的人添加的"),
                "unsigned": _("在锚点之后却没有签名：是没有密钥的人添加或改写的")}[self.kind]
        where = (_("第 {first} 条").format(first=self.first) if self.count == 1
                 else _("第 {first} 至 {last} 条（共 {count} 条）").format(first=self.first, last=self.last, count=self.count))
        self.problems.append(_("变更记录{where}{what}").format(where=where, what=what))
        self.kind = None


def verify_log(session: Session, *, expect: tuple[int, str, str] | None = None, location: str | None = None,
               accept_head: bool = False, anchored: bool = True) -> LogReport:
    """Check the whole change log: the hash chain (an edited, deleted or inserted row), the anchor, every
    row's MAC under the key (a re-chained log, an appended forgery), and the head against a printed one
    (`expect`, from `parse_head`) and the one this machine last wrote (`location`'s entry in log.head)."""
    from sqlalchemy import text

    from projects_cli.store import anchor as outside

    report = LogReport()
    problems = report.problems
    conn = session.connection()
    anchors = conn.execute(text("SELECT rows_before, plain_head, key_id, nonce, mac FROM log_anchor ORDER BY id")).all() \
        if anchored else []  # (a dropped log_anchor table is reported as missing: the plain chain is still checked)
    anchor = anchors[0] if anchors else None
    if len(anchors) > 1:
        problems.append(_("变更记录有 {n} 个锚点，应只有一个：锚点表被改动").format(n=len(anchors)))
    signer = None
    if anchor is None:
        if anchored:
            problems.append(_(NO_ANCHOR))
    else:
        report.rows_before, report.key_id = anchor.rows_before, anchor.key_id
        try:
            key = outside.load_key()
        except outside.LogKeyError as exc:
            key = None
            problems.append(_("无法验证签名（密钥不能用）：{reason}；哈希链已核对").format(reason=exc))
        else:
            if key is None:
                problems.append(
                    _("无法验证签名：找不到密钥，不是记录被篡改；签名这份记录的密钥编号 {key_id}：请设置环境变量 {env}，"
                      "或把原来的 {file} 放到 {path}（权限 600）；哈希链已核对").format(
                        key_id=anchor.key_id, env=outside.ENV, file=outside.KEY_FILE, path=outside.key_path()))
            elif key.key_id != anchor.key_id:
                problems.append(
                    _("无法验证签名：密钥不符，不是记录被篡改；{what} 的密钥编号 {have}，签名这份记录的密钥编号 {key_id}："
                      "请换回原来的密钥；哈希链已核对").format(what=outside.describe(key), have=key.key_id,
                                                         key_id=anchor.key_id))
            elif anchor_mac(key.secret, anchor.rows_before, anchor.plain_head, anchor.key_id, anchor.nonce) != anchor.mac:
                problems.append(_("变更记录的锚点被改动：签名无从核对"))
            else:
                signer = _signer(key.secret)
                report.key_source = outside.describe(key)
    recorded = outside.recorded_head(location) if location and anchor is not None else None
    if recorded is not None and recorded.get("anchor") != anchor.mac[:16]:
        report.notes.append(_("本机 {file} 记下的是另一份变更记录（锚点不同：数据库重新建立过，或换成了别的数据库），"
                              "未据此核对截断").format(file=outside.head_path()))
        recorded = None
    wanted = {pos for pos in (expect[0] if expect else None, recorded["count"] if recorded else None) if pos is not None}
    found: dict[int, str] = {}
    if anchor is not None and anchor.rows_before in wanted:
        found[anchor.rows_before] = anchor.mac

    runs = _Runs(problems)
    prev, prev_id, link, n, rows_before = GENESIS, 0, None, 0, anchor.rows_before if anchor is not None else None
    last_signed: Head | None = None
    rows = conn.execute(text(
        "SELECT id, at, by, command, action, table_name, record_id, record_key, project_code,"
        " fields, old, new, prev_hash, hash, seq, mac, run, \"on\", on_behalf FROM change_log ORDER BY id"))
    for row in rows.mappings():
        n += 1
        row = dict(row)
        at = row["at"]
        if isinstance(at, str):
            at = datetime.fromisoformat(at)
        row["at"] = at
        chained = row["prev_hash"] == prev
        if not chained:
            runs.flush()
            problems.append(_("变更记录第 {id} 条接不上第 {prev} 条：中间有记录被删去，或链被改写").format(
                id=row['id'], prev=prev_id))
        elif entry_hash(prev, row) != row["hash"]:
            runs.flush()
            problems.append(_("变更记录第 {id} 条在写入后被改动").format(id=row['id']))
        prev, prev_id = row["hash"], row["id"]
        if rows_before is None:
            continue
        if n == rows_before and row["hash"] != anchor.plain_head:
            problems.append(_("锚点签下的前 {n} 条已不是原来的记录：锚点之前的记录被改写").format(n=rows_before))
        if n <= rows_before:
            continue
        if n == rows_before + 1:
            link = anchor.mac
        mac, seq = row["mac"], row["seq"]
        if mac is None:
            runs.add("unsigned", row["id"])
        elif signer is not None and chained and (seq is None or row_mac(signer, seq, link, row["hash"]) != mac):
            runs.add("mac", row["id"])
        else:
            runs.add(None)
        if mac is not None:
            link = mac
            if seq is not None:
                last_signed = Head(seq, mac)
                if seq in wanted:
                    found[seq] = mac
    runs.flush()
    report.rows = n
    if rows_before is not None and n < rows_before:
        problems.append(_("变更记录只剩 {n} 条，少于锚点签下的 {before} 条：末尾的记录被删去").format(n=n, before=rows_before))
    if anchor is not None:
        report.head = last_signed if n > rows_before and last_signed else Head(rows_before, anchor.mac)
    report.signed = signer is not None
    head = report.head
    if recorded is not None and head is not None and not accept_head:
        count, mac = recorded["count"], recorded["mac"]
        if head.count < count:
            problems.append(
                _("变更记录现有 {n} 条，少于本机上次写入后记下的 {count} 条（{file}）：末尾 {gone} 条被删去，"
                  "或数据库换成了较早的备份；确是恢复了备份的，运行 projects db check --accept-head 以现状为准").format(
                    n=head.count, count=count, file=outside.head_path(), gone=count - head.count))
        elif found.get(count) != mac:
            problems.append(_("本机上次写入后记下的第 {count} 条（校验 {mac}）已不在变更记录中：记录被改写").format(
                count=count, mac=short_mac(mac)))
    if expect is not None and head is not None:
        _expected(report, expect, found.get(expect[0]))
    if accept_head and head is not None and location:
        if problems or signer is None:
            problems.append(_("未以现状为准（--accept-head 未生效）：变更记录有上面的问题，或无法用密钥核对"))
        else:
            outside.record_head(location, anchor.mac[:16], head.count, head.mac)
            report.notes.append(_("已以现状为准：本机 {file} 记下 {head}").format(file=outside.head_path(), head=head.text()))
    return report


def _expected(report: LogReport, expect: tuple[int, str, str], mac: str | None) -> None:
    """Does the log still hold the printed head at its position?"""
    count, prefix, suffix = expect
    given = f"{prefix}…{suffix}" if suffix else prefix
    head = report.head
    assert head is not None
    if count > head.count:
        report.problems.append(
            _("核对失败：变更记录只有 {n} 条，没有打印的第 {count} 条（校验 {given}）：末尾 {gone} 条被删去，"
              "或这张单子不是这个数据库发出的").format(n=head.count, count=count, given=given, gone=count - head.count))
    elif count < (report.rows_before or 0):
        report.problems.append(_("核对失败：第 {count} 条在锚点之前，没有签名，无法核对打印的校验 {given}").format(
            count=count, given=given))
    elif mac is None or not (mac.startswith(prefix) and mac.endswith(suffix)):
        now = _("现在是 {mac}").format(mac=short_mac(mac)) if mac else _("现在没有签名")
        report.problems.append(
            _("核对失败：变更记录第 {count} 条的校验不是打印的 {given}（{now}）：记录被改写，或这张单子不是这个数据库发出的").format(
                count=count, given=given, now=now))
    else:
        report.notes.append(_("核对 记录 {count} · 校验 {given}：仍在变更记录原位，其后又有 {after} 条").format(
            count=count, given=given, after=head.count - count))


def verify_chain(session: Session) -> list[str]:
    """Problems with the change log (`verify_log`'s); an empty list when it is sound."""
    return verify_log(session).problems


LOG_FILTERS = {"project": ("project_code", ("项目编号", "project code")), "by": ("by", ("经办人", "person")),
               "table": ("table_name", ("表", "table"))}


# The registry's tables as a clerk calls them (`log`'s table column; `log --table 项目` finds project).
TABLE_WORDS = {
    "unit": N_("责任单位"), "unit_name": N_("单位名称沿革"), "leader": N_("包保领导"), "project": N_("项目"),
    "milestone": N_("节点"), "milestone_plan": N_("节点计划调整"), "milestone_revision": N_("节点更正"),
    "investment_report": N_("月度投资"), "investment_revision": N_("投资更正"), "investment_plan": N_("年度计划投资"),
    "progress_report": N_("形象进度"), "project_revision": N_("项目信息更正"), "project_archive": N_("项目归档"),
    "change_log": N_("变更记录"), "login_role": N_("登录角色"), "role_scope": N_("单位可读范围"),
    "log_anchor": N_("变更记录锚点"), "counter": N_("编号序列"), "issue": N_("问题记录"), "issue_helper": N_("问题配合单位"),
    "issue_event": N_("问题办理"), "card": N_("红黄蓝牌"), "flag_score": N_("流动红旗评分"), "sheet": N_("已发文件"),
    "dispatch": N_("派工单"), "lead": N_("招商线索"), "lead_stage": N_("线索阶段"), "lead_follow": N_("线索跟进"),
    "lead_assignment": N_("线索派工"), "notice": N_("提醒记录"), "ledger_fingerprint": N_("台账指纹"),
    "meeting": N_("会议"), "meeting_unit": N_("参会情况"), "meeting_decision": N_("议定事项"),
}
# What an entry did, as a clerk says it.
ACTION_WORDS = {"insert": N_("新增"), "update": N_("修改"), "delete": N_("删除")}


def check_log_filters(session: Session, **typed: str | None) -> dict[str, str | None]:
    """`list_changes`' filters in their spelling: a code or a person the log holds (a code once used stays
    known), a table of the registry; anything else is an `errors.UnknownName` offering the nearest ones."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from projects_cli.store.models import ChangeLog
    from projects_cli.values import clean_text, resolve_name

    out: dict[str, str | None] = {}
    for key, value in typed.items():
        column, what = LOG_FILTERS[key]
        if value and clean_text(value):
            if key == "table":
                known = sorted(SQLModel.metadata.tables)
                by_word = {word: name for name, zh in TABLE_WORDS.items() for word in (zh, _(zh))}
                value = by_word.get(clean_text(value), value)
            else:
                names = [ChangeLog.__table__.c[column]] + ([ChangeLog.__table__.c.on_behalf] if key == "by" else [])
                known = sorted({v for name in names for v in session.connection().execute(select(name).distinct()).scalars() if v})
            value = resolve_name(value, known, what)
        out[key] = value
    return out


def list_changes(
    session: Session, *, project: str | None = None, by: str | None = None, table: str | None = None, limit: int | None = None,
    since: date | None = None, until: date | None = None, codes: list[str] | None = None, unit: str | None = None,
) -> list[dict[str, Any]]:
    """The change log, newest first, filtered by project code, actor or table; by the business date of the
    change (`on`, the command's as-of date; older rows by the date of `at`) from `since` to `until`; and to the
    projects `codes` (with `unit`: also the rows about that unit itself)."""
    from datetime import timedelta

    from sqlalchemy import and_, or_, select

    from projects_cli.store.models import ChangeLog

    c = ChangeLog.__table__.c
    query = select(c.id, c.at, c.on, c.by, c.on_behalf, c.command, c.run, c.action, c.table_name, c.record_key,
                   c.project_code, c.fields, c.old, c.new)
    if project:
        query = query.where(c.project_code == project.strip())
    if by:  # the login or the person it acted for (代录)
        query = query.where(or_(c.by == by.strip(), c.on_behalf == by.strip()))
    if table:
        query = query.where(c.table_name == table.strip())
    if since is not None:
        start = datetime(since.year, since.month, since.day, tzinfo=timezone.utc)
        query = query.where(or_(c.on >= since, and_(c.on.is_(None), c.at >= start)))
    if until is not None:
        end = datetime(until.year, until.month, until.day, tzinfo=timezone.utc) + timedelta(days=1)
        query = query.where(or_(c.on <= until, and_(c.on.is_(None), c.at < end)))
    if codes is not None:
        about = c.project_code.in_(codes)
        if unit:
            about = or_(about, and_(c.table_name == "unit", c.record_key == unit))
        query = query.where(about)
    query = query.order_by(c.id.desc())
    if limit:
        query = query.limit(limit)
    rows = []
    for r in session.connection().execute(query).mappings():
        row = dict(r)
        row["old"] = json.loads(row["old"]) if row["old"] else None
        row["new"] = json.loads(row["new"]) if row["new"] else None
        at = row["at"]
        if isinstance(at, datetime):
            row["at"] = (at if at.tzinfo else at.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
        rows.append(row)
    return rows
