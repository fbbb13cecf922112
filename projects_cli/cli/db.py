"""`projects db …`: schema revisions (数据库版本), backups and checks."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional
from urllib.parse import quote

import typer

from projects_cli.cli import common
from projects_cli.i18n import _

app = typer.Typer(help="The database itself (数据库): schema upgrades, backups and checks.", no_args_is_help=True)


@app.command()
def upgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Target revision; default the newest.")] = "head",
) -> None:
    """Upgrade the schema (升级数据库); a SQLite file is backed up first.

    Example: projects --db office.db db upgrade
    """
    from projects_cli.store import db

    s = common.settings(ctx)
    db.ensure_folder(s.url)
    before, after, backup = common.upgrade(s.url, revision)
    if backup:
        common.note(_("已备份到 {backup}").format(backup=backup))
    common.note(_("数据库版本 {before} → {after}").format(before=before or _("无"), after=after) if before != after
                else _("数据库版本已是 {after}").format(after=after))


@app.command()
def current(ctx: typer.Context) -> None:
    """Print the schema revision of the database (当前版本) and whether it is the newest.

    Example: projects --db office.db db current
    """
    from projects_cli.store import db

    rev = db.revision_of(common.settings(ctx).url)
    head = db.head_revision()
    if rev is None:
        common.out(_("无（请运行：projects init）"))
    elif rev == head:
        common.out(_("{rev}（最新）").format(rev=rev))
    elif db.newer_than_this_version(rev):
        common.out(_("{rev}（比本程序新：本程序只认识到 {head}；请升级 projects 本身）").format(rev=rev, head=head))
    else:
        common.out(_("{rev}（最新是 {head}；请运行：projects db upgrade）").format(rev=rev, head=head))


@app.command()
def downgrade(
    ctx: typer.Context,
    revision: Annotated[str, typer.Argument(help="Revision to go back to, e.g. 0001, or 'base' for an empty schema.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation (for scripts).")] = False,
) -> None:
    """Downgrade the schema to an older revision (回退数据库版本); a SQLite file is backed up first.

    A downgrade drops what the newer schema added ('base' drops the whole
    registry), so it asks first; without a terminal it needs --yes.

    Example: projects --db office.db db downgrade 0001 --yes
    """
    from projects_cli.store import db

    url = common.settings(ctx).url
    before, after, backup = db.downgrade(url, revision, confirm=None if yes else _confirm_downgrade(url))
    if backup:
        common.note(_("已备份到 {backup}").format(backup=backup))
    common.note(_("数据库版本 {before} → {after}").format(before=before, after=after or "base") if before != after
                else _("数据库版本已是 {after}").format(after=after))


def _confirm_downgrade(url: str):
    """Ask on the terminal before a downgrade; refuse when nobody can answer."""
    from projects_cli.store import db

    def confirm(before: str, target: str) -> None:
        name = db.display_name(url)
        what = _("删除整个注册库的全部数据") if target == "base" else \
            _("删除 {target} 之后各版本加入的表和字段").format(target=target)
        kept = _("先备份到同一文件夹") if db.sqlite_path(url) else _("不会自动备份，请先用 pg_dump 备份")
        common.confirm_danger(_("回退 {name} 从 {before} 到 {target} 会{what}；{kept}").format(
            name=name, before=before, target=target, what=what, kept=kept), yes=False,
            question=_("确定回退吗？"), what=(_("回退数据库版本"), "a downgrade"))

    return confirm


@app.command()
def backup(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="Where to write the copy (备份文件); must not exist yet.", dir_okay=False)],
) -> None:
    """Write an online, consistent copy of the registry (备份), safe while others use it.

    SQLite: a copy of the file. PostgreSQL: pg_dump's custom format (pg_dump -Fc)
    of the registry's schema, when pg_dump is on the PATH (else it says how).
    Restore either with: projects db restore FILE.

    Example: projects --db office.db db backup office-2025-10-31.db
    """
    from projects_cli.store import backup as backups
    from projects_cli.store import db

    url = common.settings(ctx).url
    how = backups.backup(url, file)
    common.note(_("已将 {name} 备份到 {backup}").format(name=db.display_name(url), backup=file)
                + (_("（{how}）").format(how=how) if how else ""))


@app.command()
def restore(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A copy made by db backup (备份文件).", dir_okay=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask before replacing a registry (for scripts).")] = False,
) -> None:
    """Restore a backup (恢复) made by db backup; only one at this version's schema head.

    SQLite: the copy replaces the --db file (which is kept beside it first;
    asks before, or --yes). PostgreSQL: pg_restore into an empty database
    (createdb first), in one transaction. Then run db check --accept-head: the
    change log is as it was at the backup.

    Example: projects --db restored.db db restore office.db
    """
    from projects_cli.store import backup as backups
    from projects_cli.store import db

    url = common.settings(ctx).url

    def confirm(what: str) -> None:
        common.confirm_danger(what, yes=yes, question=_("确定恢复吗？"), what=("恢复备份", "a restore"))

    kept = backups.restore(url, file, confirm)
    if kept:
        common.note(_("被替换的项目库已备份到 {kept}").format(kept=kept))
    common.note(_("已将 {file} 恢复到 {name}（数据库版本 {head}）；请接着运行：projects --db {name} db check --accept-head").format(
        file=file, name=db.display_name(url), head=db.head_revision()))


@app.command()
def check(
    ctx: typer.Context,
    expect: Annotated[Optional[str], typer.Option(
        "--expect", metavar="HEAD",
        help="A head printed on a sheet or by an earlier check (记录 1234 · 校验 3f9a0b…c2e1): "
             "the log must still hold it at that position.")] = None,
    accept_head: Annotated[bool, typer.Option(
        "--accept-head",
        help="After restoring a backup: take the log as it is now as this machine's last head (log.head); "
             "only when the log is otherwise sound.")] = False,
) -> None:
    """Check the registry (检查): integrity, schema at head, orphan rows, the change log's hash chain and signatures.

    Prints the change log's head (记录 N · 校验 …), the number of rows before the
    anchor and which key signed it. Exit code 1 when anything is wrong, when the
    key is missing or wrong (the signatures cannot be verified), or when the log
    no longer holds the head given with --expect or the one this machine last wrote.

    To check against a head printed on an issued sheet: --expect "记录 1234 · 校验 3f9a0b…c2e1".

    Example: projects --db office.db db check
    """
    from projects_cli.errors import ProjectsError
    from projects_cli.store import changelog, db

    wanted = None
    if expect is not None:
        wanted = changelog.parse_head(expect)
        if wanted is None:
            raise typer.BadParameter(
                _("{expect!r} 不是变更记录头；应照单子上打印的写，如 \"记录 1234 · 校验 3f9a0b…c2e1\" 或 1234:3f9a0b…c2e1").format(
                    expect=expect), param_hint="--expect")
    url = common.settings(ctx).url
    path = db.sqlite_path(url)
    if path is not None and not path.exists():
        raise ProjectsError(_("{path} 不存在").format(path=path))
    options = {"expect": wanted, "location": db.location(url), "accept_head": accept_head}
    try:
        report = _check(db.make_engine(url, write=False), options)
    except Exception as exc:
        if path is None or not _cannot_open(exc):
            raise
        # a read-only disk or folder: SQLite cannot make the -shm file WAL needs; read the file as it is
        from sqlalchemy import create_engine

        report = _check(create_engine(f"sqlite:///file:{quote(str(path.resolve()))}?immutable=1&uri=true"), options)
        common.note(_("{path} 无法写入，已只读检查").format(path=path))
    from projects_cli.listings.output import fitted_prose

    for problem in report.problems:
        common.out(fitted_prose(_("异常  {problem}").format(problem=problem)))
    if not report.problems:
        # (on PostgreSQL "integrity" includes the row-level security policies: a missing or disabled one is a FAIL)
        common.out(fitted_prose(_("正常  完整性无误，数据库是最新版本，没有孤立的行，变更记录链完整")))
    if report.log is not None:
        common.out(fitted_prose(report.log.summary()))
    for line in report.notes:
        common.out(fitted_prose(line))
    if report.problems:
        raise typer.Exit(1)


def _check(engine, options: dict):
    from sqlmodel import Session

    from projects_cli.store import check

    try:
        with Session(engine) as session:
            return check.check(session, **options)
    finally:
        engine.dispose()


def _cannot_open(exc: Exception) -> bool:
    """SQLite could not open the file for writing (a read-only disk, file or folder)."""
    words = str(getattr(exc, "orig", None) or exc).lower()
    return "unable to open" in words or "readonly" in words or "read-only" in words
