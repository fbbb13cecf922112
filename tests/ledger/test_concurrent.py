"""Writers at once: concurrent imports of one ledger create each project and unit once, on SQLite and PostgreSQL;
a writer that must wait says so once on stderr; one that waits too long ends with one clear error."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from openpyxl import Workbook

from projects_cli.store.db import WAITING

pytestmark = pytest.mark.slow
RUN = "from projects_cli.cli.app import main; main()"


def one_row_ledger(path: Path, unit: str = "新设协调办") -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["项目名称", "总投资", "责任单位"])
    ws.append(["并发测试项目", 1000, unit])
    wb.save(path)
    return path


def projects(url: str, *args: str, config: Path | None = None, home: Path | None = None) -> subprocess.Popen:
    env = {**os.environ, "PROJECTS_HOME": str(home)} if home is not None else dict(os.environ)
    extra = ["--config", str(config)] if config is not None else []
    return subprocess.Popen([sys.executable, "-c", RUN, "--db", url, "--as-of", "2025-10-31",
                             "--by", "tester", *extra, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, text=True)


def counts(url: str) -> tuple[int, int, int]:
    from sqlalchemy import text

    from projects_cli.store.db import session_scope

    with session_scope(url, write=False) as s:
        c = s.connection()
        return (c.execute(text("SELECT count(*) FROM project WHERE name = '并发测试项目'")).scalar(),
                c.execute(text("SELECT count(*) FROM unit WHERE name = '新设协调办'")).scalar(),
                c.execute(text("SELECT count(*) FROM change_log WHERE table_name = 'project'")).scalar())


def test_five_imports_at_once_create_the_project_and_its_new_unit_once(db_url, tmp_path):
    path = one_row_ledger(tmp_path / "l.xlsx")
    runs = [projects(db_url, "ledger", "import", "--create-units", str(path), home=tmp_path) for _ in range(5)]
    results = [(p.wait(120), *p.communicate()) for p in runs]
    assert [code for code, _, _ in results] == [0] * 5, [err for _, _, err in results]
    added = [err for _, _, err in results if "1 added" in err or "新增 1" in err]
    assert len(added) == 1, [err for _, _, err in results]
    assert counts(db_url) == (1, 1, 1)


def test_concurrent_unit_creation_cannot_fail(db_url, tmp_path):
    runs = [projects(db_url, "add", "--create-units", "--name", f"项目{i}", "--unit", "新设协调办", home=tmp_path) for i in range(4)]
    results = [(p.wait(120), *p.communicate()) for p in runs]
    assert [code for code, _, _ in results] == [0] * 4, [err for _, _, err in results]
    assert counts(db_url)[1] == 1


def hold_sqlite(url: str, seconds: float, started: threading.Event) -> None:
    conn = sqlite3.connect(url.split("///", 1)[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    started.set()
    time.sleep(seconds)
    conn.execute("ROLLBACK")
    conn.close()


def test_a_writer_behind_another_says_it_waits_once_then_goes_on(sqlite_url, tmp_path):
    started = threading.Event()
    holder = threading.Thread(target=hold_sqlite, args=(sqlite_url, 6, started))  # longer than the command takes to start
    holder.start()
    started.wait()
    run = projects(sqlite_url, "add", "--name", "排队的项目", home=tmp_path)
    code, (_out, err) = run.wait(60), run.communicate()
    holder.join()
    assert (code, err.count(WAITING)) == (0, 1), err
    assert err.startswith(WAITING + "\n")


def test_a_writer_that_waits_too_long_ends_with_one_error(sqlite_url, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text("[database]\nwait_seconds = 0.5\n", encoding="utf-8")
    started = threading.Event()
    holder = threading.Thread(target=hold_sqlite, args=(sqlite_url, 8, started))
    holder.start()
    started.wait()
    began = time.monotonic()
    run = projects(sqlite_url, "add", "--name", "等不及的项目", config=config, home=tmp_path)
    code, (out, err) = run.wait(60), run.communicate()
    waited = time.monotonic() - began
    holder.join()
    path = sqlite_url.split("///", 1)[1]
    assert (code, out, err) == (1, "", (
        f"{WAITING}\n错误：{path} 正被另一个命令占用，等待 0.5 秒后仍未完成；请稍后再试，或在 config.toml 的 [database] wait_seconds 中加长等待\n"))
    assert waited < 7  # gave up before the other command let go


def add_while_locked(db_url: str, locked_url: str, tmp_path: Path, name: str) -> tuple[int, str, str]:
    """`add --name NAME` on `db_url` (waiting at most 0.5 s) while a transaction holds `locked_url`'s writer lock."""
    from sqlalchemy import create_engine

    from projects_cli.store.db import lock_pg_registry

    config = tmp_path / "config.toml"
    config.write_text("[database]\nwait_seconds = 0.5\n", encoding="utf-8")
    engine = create_engine(locked_url)
    with engine.begin() as conn:
        lock_pg_registry(conn)
        run = projects(db_url, "add", "--name", name, config=config, home=tmp_path)
        code, (out, err) = run.wait(60), run.communicate()
    engine.dispose()
    return code, out, err


@pytest.mark.pg
def test_a_postgresql_writer_that_waits_too_long_ends_with_one_error(db_url, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    from projects_cli.store.db import display_name

    assert add_while_locked(db_url, db_url, tmp_path, "等不及的项目") == (1, "", (
        f"{WAITING}\n错误：{display_name(db_url)} 正被另一个命令占用，等待 0.5 秒后仍未完成；请稍后再试，或在 config.toml 的 [database] wait_seconds 中加长等待\n"))


@pytest.mark.pg
def test_registries_in_other_schemas_of_one_server_do_not_wait_for_each_other(db_url, another_pg_registry, tmp_path):
    if not db_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    # another office is writing to its own registry
    code, out, err = add_while_locked(db_url, another_pg_registry, tmp_path, "不必等待的项目")
    assert (code, err) == (0, "")
    assert out.startswith("GX-0001")


def at_once(count: int, work) -> list[BaseException | None]:
    """Run `work()` in `count` threads started together; each one's exception, or None."""
    barrier = threading.Barrier(count)
    errors: list[BaseException | None] = [None] * count

    def run(i: int) -> None:
        barrier.wait()
        try:
            work()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return errors


def test_imports_that_all_read_before_any_writes_still_add_the_project_once(db_url, tmp_path, monkeypatch, ctx):
    """Each import pauses between matching and writing: without the writer lock all five would add it."""
    from projects_cli.ledger import importer
    from projects_cli.store.db import session_scope

    path = one_row_ledger(tmp_path / "l.xlsx")
    real = importer.write_import

    def slow_write(*args, **kwargs):
        time.sleep(0.3)
        return real(*args, **kwargs)

    monkeypatch.setattr(importer, "write_import", slow_write)
    added: list[int] = []

    def work() -> None:
        with session_scope(db_url) as s:
            added.append(importer.import_ledger(s, ctx, path, create_units=True).added)

    assert at_once(5, work) == [None] * 5
    assert sorted(added) == [0, 0, 0, 0, 1]
    assert counts(db_url) == (1, 1, 1)


def test_units_created_at_once_by_many_writers_are_created_once(db_url, ctx):
    from sqlalchemy import event

    from projects_cli.services import registry
    from projects_cli.store.db import session_scope
    from projects_cli.store.models import Unit

    def slow_insert(*_):  # between "is it there?" and the insert
        time.sleep(0.3)

    def work() -> None:
        with session_scope(db_url) as s:
            registry.ensure_units(s, ctx, ["新设协调办", "经济发展局"])

    event.listen(Unit, "before_insert", slow_insert)
    try:
        assert at_once(4, work) == [None] * 4
    finally:
        event.remove(Unit, "before_insert", slow_insert)
    assert counts(db_url)[1] == 1
