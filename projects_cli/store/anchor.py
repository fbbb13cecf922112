"""What anchors the change log outside the database: the log key (密钥) and the last head written here.

The key signs every change-log row (HMAC-SHA256, `changelog`), so someone who
has the database file but not the key can neither re-chain an edited log nor
append a row. It is never stored in the database: it is `PROJECTS_LOG_KEY`
(64 hexadecimal digits: 32 bytes), else the file `log.key` in the data folder,
made with mode 0600 when a log is first anchored. A key file that the group or
other users may read is refused, not used.

`log.head` beside it records, per database, the head of the log (its row count
and the last row's MAC) after every write made from this machine, so a log cut
short since then is caught without a printed head.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from projects_cli.config.paths import home_dir
from projects_cli.errors import ProjectsError
from projects_cli.i18n import _
from projects_cli.writes import write_text

ENV = "PROJECTS_LOG_KEY"
KEY_FILE = "log.key"
HEAD_FILE = "log.head"
KEY_BYTES = 32


class LogKeyError(ProjectsError):
    """The log key is missing, unreadable, unsafe or not the key the log was signed with."""


@dataclass(frozen=True)
class LogKey:
    secret: bytes
    source: str  # "PROJECTS_LOG_KEY" or the key file's path

    @property
    def key_id(self) -> str:
        """A name for the key that reveals nothing of it (stored with the anchor, shown by `db check`)."""
        return hmac.new(self.secret, b"projects change log key id", hashlib.sha256).hexdigest()[:16]


def key_path() -> Path:
    return home_dir() / KEY_FILE


def head_path() -> Path:
    return home_dir() / HEAD_FILE


def where() -> str:
    """Where a key is looked for, in words, for the errors."""
    return f"环境变量 {ENV} 或密钥文件 {key_path()}"


def _parse(text: str, source: str) -> bytes:
    text = text.strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        secret = b""
    if len(secret) != KEY_BYTES:
        what = _("环境变量 {name}").format(name=ENV) if source == ENV else _("密钥文件 {path}").format(path=source)
        raise LogKeyError(
            _("{what} 不是变更记录密钥：应为 64 位十六进制数字（32 字节）；"
              "新密钥可用 python3 -c 'import secrets; print(secrets.token_hex(32))' 生成").format(what=what))
    return secret


def load_key() -> LogKey | None:
    """The key from PROJECTS_LOG_KEY, else from the key file; None when neither is there."""
    value = os.environ.get(ENV, "")
    if value.strip():
        return LogKey(_parse(value, ENV), ENV)
    path = key_path()
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise LogKeyError(_("无法读取密钥文件 {path}（{reason}）").format(path=path, reason=exc.strerror)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise LogKeyError(_("密钥文件 {path} 不是普通文件").format(path=path))
        if os.name == "posix" and info.st_mode & 0o077:
            raise LogKeyError(
                _("密钥文件 {path} 的权限是 {mode}，同组或其他用户也能访问，已拒绝使用；请执行 chmod 600 {path}").format(
                    path=path, mode=f"{stat.S_IMODE(info.st_mode):04o}"))
        text = os.read(fd, 1024).decode("ascii", "replace")
    finally:
        os.close(fd)
    return LogKey(_parse(text, str(path)), str(path))


def create_key() -> LogKey:
    """A new random key in the key file (mode 0600); if another process made one first, that one."""
    path = key_path()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (secrets.token_hex(KEY_BYTES) + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)  # in place whole, and never over a key that is there
    except FileExistsError:
        pass
    finally:
        tmp.unlink()
    found = load_key()
    assert found is not None
    return found


def load_or_create() -> LogKey:
    return load_key() or create_key()


def missing(key_id: str) -> LogKeyError:
    return LogKeyError(
        _("变更记录已用密钥（编号 {key_id}）签名，但找不到密钥：请把原来的 {file} 放到 {path}（权限 600），"
          "或设置环境变量 {env}；不会另生成新密钥，未写入任何内容").format(key_id=key_id, file=KEY_FILE, path=key_path(), env=ENV))


def describe(key: LogKey) -> str:
    """Where a key came from, in words."""
    return _("环境变量 {name}").format(name=ENV) if key.source == ENV else _("密钥文件 {path}").format(path=key.source)


def wrong(key: LogKey, key_id: str) -> LogKeyError:
    return LogKeyError(
        _("{what} 的密钥（编号 {have}）不是签名这份变更记录的密钥（编号 {key_id}）：请换回原来的密钥；未写入任何内容").format(
            what=describe(key), have=key.key_id, key_id=key_id))


# ---------------------------------------------------------------- the head written last from this machine


def _read_heads(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def recorded_head(location: str) -> dict[str, Any] | None:
    """{"anchor", "count", "mac"} recorded for this database by the last write from this machine, if any."""
    entry = _read_heads(head_path()).get(location)
    if isinstance(entry, dict) and isinstance(entry.get("count"), int) and isinstance(entry.get("mac"), str):
        return entry
    return None


def record_head(location: str, anchor: str, count: int, mac: str) -> None:
    """Remember the head after a write (best effort: a data folder that cannot be written only loses this check)."""
    path = head_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with _locked(path.with_name(f".{HEAD_FILE}.lock")):
            heads = _read_heads(path)
            heads[location] = {"anchor": anchor, "count": count, "mac": mac}
            for name in [n for n in heads if n.startswith("/") and n != location and not os.path.exists(n)]:
                del heads[name]  # SQLite files that are gone
            write_text(path, json.dumps(heads, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    except (OSError, ProjectsError):
        pass


class _locked:
    """An exclusive lock on a file beside the head file (POSIX), so two writers do not lose each other's entry."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            import fcntl

            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except ImportError:  # pragma: no cover - not POSIX
            pass
        return self

    def __exit__(self, *exc):
        os.close(self.fd)
