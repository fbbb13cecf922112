"""`notify.send`: what is sent, what is kept, on SQLite and PostgreSQL; a robot that answers an errcode."""

from __future__ import annotations

from datetime import date

import pytest
from standins import Robot

from projects_cli.notify.channels import NotifyConfig
from projects_cli.notify.send import list_notices, send_reminders

D = date.fromisoformat


def _plan(*keys: str) -> dict:
    items = [{"section": "overdue", "key": k, "text": f"事项 {k}"} for k in keys]
    return {"as_of": D("2025-10-31"), "due_by": D("2025-11-05"), "units": [{"unit": "甲局", "items": items}]}


@pytest.fixture
def robot():
    r = Robot()
    yield r
    r.close()


def test_only_items_not_yet_sent_for_the_date_go_out_and_every_message_is_kept(db_url, ctx, robot):
    from projects_cli.services.units import add_unit
    from projects_cli.store.db import session_scope

    cfg = NotifyConfig(retries=0, backoff=0, timeout=5)
    with session_scope(db_url) as s:
        add_unit(s, ctx, "甲局", {"webhook": f"{robot.url}/send?key=K"})
        first = send_reminders(s, ctx, _plan("a", "b"), cfg)
        second = send_reminders(s, ctx, _plan("a", "b", "c"), cfg)
        later = dict(_plan("a"), as_of=D("2025-11-03"))
        third = send_reminders(s, ctx, later, cfg)
        log = list_notices(s, unit="甲局")
    assert [(r["result"], r["items"]) for r in first + second + third] == [("sent", 2), ("sent", 1), ("sent", 1)]
    assert [body["markdown"]["content"].splitlines()[4:6] for _, body in robot.posts] == [
        ["> 1. 事项 a", "> 2. 事项 b"], ["> 1. 事项 c", ""], ["> 1. 事项 a", ""]]
    assert [(r["as_of"], r["channel"], r["result"], r["covered"], r["attempts"], r["error"]) for r in log] == [
        (D("2025-11-03"), "wecom", "sent", ["a"], 1, None),
        (D("2025-10-31"), "wecom", "sent", ["c"], 1, None),
        (D("2025-10-31"), "wecom", "sent", ["a", "b"], 1, None),
    ]


def test_a_robot_answering_an_errcode_is_a_failure(db_url, ctx):
    from projects_cli.services.units import add_unit
    from projects_cli.store.db import session_scope

    robot = Robot(errcode=93000)
    try:
        with session_scope(db_url) as s:
            add_unit(s, ctx, "甲局", {"webhook": f"{robot.url}/send?key=K"})
            [row] = send_reminders(s, ctx, _plan("a"), NotifyConfig(retries=1, backoff=0, timeout=5),
                                   sleep=lambda _: None)
    finally:
        robot.close()
    assert (row["result"], row["attempts"], row["error"]) == ("failed", 2, "errcode 93000: token is invalid")
