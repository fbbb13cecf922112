"""The change log's head as a sheet prints it, read straight from the database (for exact assertions)."""

from __future__ import annotations

import os

from sqlalchemy import create_engine, text

from projects_cli.store.anchor import ENV, LogKey
from projects_cli.store.changelog import Head

_KEY_ID = LogKey(bytes.fromhex(os.environ[ENV]), ENV).key_id


def head_of(url: str, back: int = 0) -> Head:
    """The head after the last row (`back` = 0) or as it stood `back` rows earlier."""
    engine = create_engine(url)
    with engine.connect() as conn:
        row = conn.execute(text("SELECT seq, mac FROM change_log WHERE mac IS NOT NULL ORDER BY id DESC LIMIT 1 OFFSET :n"),
                           {"n": back}).first()
    engine.dispose()
    return Head(row.seq, row.mac)


def footer(head: Head) -> str:
    """The line every issued sheet ends with."""
    return f"防篡改校验：{head.text()}（核对：projects db check --expect \"{head.text()}\"）"


def signing_key_id() -> str:
    """The id of the key every test signs with (conftest's PROJECTS_LOG_KEY, as it was when the run began)."""
    return _KEY_ID


def summary(head: Head, rows: int, before: int = 0, key: str = "环境变量 PROJECTS_LOG_KEY", key_id: str | None = None) -> str:
    """The line `db check` prints about the change log."""
    return (f"变更记录 {head.text()}；锚点之前 {before} 条只有哈希链保护，之后 {rows - before} 条有密钥签名"
            f"；密钥 {key_id or signing_key_id()}（{key}）")
