"""`db backup` and `db restore` on both engines: a SQLite file copied with the backup API, a PostgreSQL
registry with pg_dump's custom format (-Fc) and pg_restore; a restore only of a registry at this version's
schema head, and never over a registry that holds data without saying so first."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Callable

from projects_cli.errors import ProjectsError
from projects_cli.i18n import N_, _
from projects_cli.store import db


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URI for pg_dump and pg_restore, and their environment: the password (if the URL has one) goes
    in PGPASSWORD, never on a command line others can see; a .pgpass file works as usual."""
    from sqlalchemy.engine import make_url

    u = make_url(url)
    env = dict(os.environ)
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    return u.set(drivername="postgresql", password=None).render_as_string(hide_password=False), env


def _tool(name: str, doing: str, url: str, file: Path) -> str:
    found = shutil.which(name)
    if found is None:
        uri = db.display_name(url).replace("postgresql+psycopg", "postgresql")
        command = (f"{name} {'-Fc -f ' + str(file) if name == 'pg_dump' else '--single-transaction -d'} '{uri}'"
                   f"{'' if name == 'pg_dump' else ' ' + str(file)}")
        raise ProjectsError(_("找不到 {name}：请安装 PostgreSQL 客户端（apt install postgresql-client），或自行{doing}：{command}").format(
            name=name, doing=_(doing), command=command))
    return found


def _run(argv: list[str], env: dict[str, str], what: str) -> str:
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        words = (done.stderr.strip().splitlines() or [f"exit code {done.returncode}"])
        raise ProjectsError(_("{what}失败（{tool}）：{reason}").format(what=_(what), tool=argv[0].rsplit("/", 1)[-1],
                                                                    reason=words[0]))
    return done.stdout


def _schema(url: str) -> str:
    from sqlalchemy import text

    engine = db.make_engine(url, write=False)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT current_schema()")).scalar()
    finally:
        engine.dispose()


def backup(url: str, dest: Path) -> str:
    """Copy the registry to `dest` (which must not exist); returns how ("" for SQLite's backup API, "pg_dump -Fc")."""
    path = db.sqlite_path(url)
    if db.is_sqlite(url):
        if path is None or not path.exists():
            raise ProjectsError(_("{path} 不存在").format(path=path or url))
        db.backup_sqlite(path, dest)
        return ""
    pg_dump = _tool("pg_dump", N_("备份"), url, dest)
    uri, env = _libpq(url)
    schema = _schema(url)
    # a registry in a schema of its own (several offices in one database): that schema; in public, the database
    # (pg_restore cannot re-create public, which every database has)
    only = [] if schema == "public" else ["--schema", schema]
    from projects_cli.writes import replacing

    with replacing(dest, exclusive=True) as tmp:
        _run([pg_dump, "-Fc", *only, "-f", str(tmp), uri], env, N_("备份"))
    return "pg_dump -Fc"


def revision_in_dump(url: str, file: Path) -> str | None:
    """The schema revision a pg_dump custom-format file holds (its alembic_version row), read without restoring."""
    pg_restore = _tool("pg_restore", N_("恢复"), url, file)
    text = _run([pg_restore, "--data-only", "--table", "alembic_version", "-f", "-", str(file)], dict(os.environ),
                N_("读取备份"))
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("COPY ") and "alembic_version" in line and i + 1 < len(lines):
            value = lines[i + 1].strip()
            return None if value == "\\." else value
    return None


def _sqlite_revision(file: Path) -> str | None:
    try:
        conn = sqlite3.connect(f"file:{file}?mode=ro", uri=True)
        try:
            return conn.execute("SELECT version_num FROM alembic_version").fetchone()[0]
        finally:
            conn.close()
    except (sqlite3.Error, TypeError):
        raise ProjectsError(_("{file} 不是本程序（projects db backup）做的 SQLite 备份").format(file=file)) from None


def _refuse_revision(file: Path, rev: str | None) -> None:
    head = db.head_revision()
    if rev == head:
        return
    if rev is None:
        raise ProjectsError(_("{file} 里没有项目库；未恢复").format(file=file))
    if db.newer_than_this_version(rev):
        raise ProjectsError(_("{file} 的数据库版本 {rev} 比本程序新（本程序最高认得 {head}）：请先升级 projects 再恢复；未恢复").format(
            file=file, rev=rev, head=head))
    raise ProjectsError(_("{file} 的数据库版本是 {rev}，本程序需要 {head}：请用备份时的 projects 版本恢复，再运行 projects db upgrade；"
                          "未恢复").format(file=file, rev=rev, head=head))


def restore(url: str, file: Path, confirm: Callable[[str], None]) -> Path | None:
    """Put the registry in `file` (a `db backup`) in place of the one at `url`; returns the copy kept of the
    registry it replaced (SQLite), or None. Refused when the backup is not at this version's schema head;
    `confirm(what)` is asked first when a registry is there already (it raises to refuse)."""
    if not file.exists():
        raise ProjectsError(_("{path} 不存在").format(path=file))
    path = db.sqlite_path(url)
    if db.is_sqlite(url):
        if path is None:
            raise ProjectsError(_("db restore 需要一个 SQLite 文件（--db 文件）"))
        _refuse_revision(file, _sqlite_revision(file))
        kept = None
        if path.exists():
            confirm(_("用 {file} 替换 {path} 的全部内容；原文件先备份在同一文件夹").format(file=file, path=path))
            kept = db.backup_before(url, db.revision_of(url) or "none")
        # the --db file is this command's own input, which `writes.replacing` rightly refuses to overwrite: the
        # copy is made beside it and renamed over it only when whole
        tmp = path.with_name(f".{path.name}.restoring-{os.getpid()}")
        try:
            db.copy_sqlite(file, tmp)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        for suffix in ("-wal", "-shm"):  # the replaced file's; they must not be replayed onto the restored one
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return kept
    _refuse_revision(file, revision_in_dump(url, file))
    if db.revision_of(url) is not None:
        raise ProjectsError(_("{db} 已有项目库：PostgreSQL 上只恢复到空数据库，例如 createdb projects_restored 后用 --db 指向它；"
                              "确认无误后再改连接串").format(db=db.display_name(url)))
    pg_restore = _tool("pg_restore", N_("恢复"), url, file)
    uri, env = _libpq(url)
    # owned by this login and without the old grants: `roles.regrant` then gives it to this database's roles and
    # its logins, whatever the database is called now
    _run([pg_restore, "--single-transaction", "--exit-on-error", "--no-owner", "--no-acl", "-d", uri, str(file)],
         env, N_("恢复"))
    from projects_cli.store import roles

    roles.regrant_url(url)
    after = db.revision_of(url)
    if after != db.head_revision():  # pg_restore said nothing, yet the registry is not what the file held
        raise ProjectsError(_("恢复后数据库版本是 {after}，不是 {head}：请运行 projects db check").format(
            after=after or _("无"), head=db.head_revision()))
    return None
