"""Database errors in the user's words: which file, what is wrong with it, what to do.

A damaged or foreign file (random bytes, truncated, corrupt pages, a workbook
or a text file given as --db), a read-only file or disk, a locked database:
each becomes one ProjectsError line naming the database, never a traceback.
Integrity errors (a constraint a write broke) are not translated: they are bugs.
"""

from __future__ import annotations

import sqlite3
import sys

from projects_cli.errors import ProjectsError
from projects_cli.i18n import N_, _

# (words in the driver's message, what it means, what to do); the first that matches wins
_KINDS: tuple[tuple[tuple[str, ...], str, str], ...] = (
    (("not a database", "malformed", "file is encrypted", "no such table", "no such column", "corrupt"),
     N_("不是本程序的数据库，或文件已损坏"), "damaged"),
    (("locked", "busy"), N_("正被另一个命令使用"), "locked"),
    (("readonly", "read-only", "read only"), N_("是只读的，不能写入"), "readonly"),
    (("unable to open",), N_("无法打开"), "open"),
    (("disk is full", "disk i/o", "database or disk is full"), N_("读写磁盘失败"), "disk"),
)


def _advice(kind: str, display: str) -> str:
    check = f"projects --db {display} db check"
    return {
        "damaged": _("运行 {check} 查看，或用备份恢复（`db backup` 的副本，或 `db upgrade` 留下的 .bak- 文件）").format(
            check=check),
        "locked": _("等另一个命令结束后重试"),
        "readonly": _("检查该文件及其所在文件夹的写权限，或复制到可写的位置再用"),
        "open": _("检查路径、文件夹和权限"),
        "disk": _("腾出磁盘空间后重试，再运行 {check}").format(check=check),
    }.get(kind, _("运行 {check} 查看，必要时用备份恢复").format(check=check))


def database_problem(exc: BaseException, display: str) -> ProjectsError | None:
    """`exc` as one line naming the database and what to do, or None when it is not a database error."""
    orig = getattr(exc, "orig", None) or exc
    if not _is_database_error(exc) and not _is_database_error(orig):
        return None
    if _is_integrity_error(exc) or _is_integrity_error(orig):
        return None
    words = (str(orig).strip().splitlines() or [type(orig).__name__])[0]
    lower = words.lower()
    for needles, meaning, kind in _KINDS:
        if any(n in lower for n in needles):
            return ProjectsError(_("数据库 {db} {meaning}（{reason}）；{advice}").format(
                db=display, meaning=_(meaning), reason=words, advice=_advice(kind, display)))
    return ProjectsError(_("数据库 {db} 出错（{reason}）；{advice}").format(db=display, reason=words,
                                                                        advice=_advice('', display)))


def refused_words(exc: BaseException) -> str | None:
    """PostgreSQL's first line when it refused the login (SQLSTATE 42501: no GRANT for it, or a row-level
    security policy said no); None for any other error."""
    orig = getattr(exc, "orig", None) or exc
    if getattr(orig, "sqlstate", None) != "42501":
        return None
    return (str(orig).strip().splitlines() or [type(orig).__name__])[0]


def _is_database_error(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.Error):
        return True
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import DBAPIError

        if isinstance(exc, DBAPIError):
            return True
    return type(exc).__module__.startswith("psycopg") and isinstance(exc, Exception) and hasattr(exc, "sqlstate")


def _is_integrity_error(exc: BaseException) -> bool:
    return isinstance(exc, sqlite3.IntegrityError) or type(exc).__name__ in ("IntegrityError", "UniqueViolation",
                                                                             "ForeignKeyViolation")
