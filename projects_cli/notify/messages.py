"""The words of a reminder, from the office's Jinja templates: notify_wecom.md and notify_dingtalk.md (the
robots' markdown), notify_mail.txt and notify_mail.html (the e-mail's two bodies).

The templates are looked up as the sheets' are (`sheets.contexts.template_folders`: the office's folder
first, then the shipped one), so an office copies one file into its folder to change the wording. A robot
takes a message of at most `channels.LIMITS` bytes: a longer reminder is split into parts, each a whole
number of items (（1/2）, （2/2） in the heading), and an item too long for a message by itself is cut at a
line with a pointer to the e-mail's attachment and `projects notify`.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from projects_cli.notify.plan import SECTIONS

TEMPLATES = {"wecom": "notify_wecom.md", "dingtalk": "notify_dingtalk.md", "mail_text": "notify_mail.txt",
             "mail_html": "notify_mail.html"}
POINTER = "……（消息过长，全文见邮件附件，或运行 projects notify 查看）"


def shipped_env():
    """The environment of the shipped templates alone (for callers without an office's folder)."""
    from projects_cli.sheets.contexts import template_folders
    from projects_cli.sheets.templating import Office, make_env

    return make_env(template_folders(None), Office({}, {}, {}, lambda: None), page=True)


def sections(items: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """The items grouped as the message prints them: each section (`plan.SECTIONS`) that has any, in order."""
    out = []
    for key, title in SECTIONS.items():
        mine = [i["text"] for i in items if i["section"] == key]
        if mine:
            out.append({"key": key, "title": title, "texts": mine})
    return out


def render(env, kind: str, unit: str, items: Sequence[dict[str, Any]], as_of: date, due_by: date, *,
           part: int = 1, parts: int = 1, attachment: str | None = None) -> str:
    """One message of `kind` (`TEMPLATES`) through the office's template, without its trailing newlines."""
    from projects_cli.sheets.templating import render as render_template

    context = {"unit": unit, "as_of": as_of, "due_by": due_by, "sections": sections(items), "part": part,
               "parts": parts, "attachment": attachment}
    return render_template(env, TEMPLATES[kind], context).rstrip("\n")


def split(env, kind: str, unit: str, items: Sequence[dict[str, Any]], as_of: date, due_by: date,
          limit: int) -> list[tuple[list[dict[str, Any]], str]]:
    """The reminder as robot messages of at most `limit` bytes (UTF-8): (the items each covers, its text).

    Items are taken in order while the message still fits; the parts are then numbered. An item that does
    not fit a message alone is sent alone, cut with `POINTER` (`channels.fit`).
    """
    from projects_cli.notify.channels import fit

    def size(chunk: Sequence[dict[str, Any]]) -> int:  # numbered as if there were many parts: never longer later
        return len(render(env, kind, unit, chunk, as_of, due_by, part=99, parts=99).encode())

    if len(render(env, kind, unit, items, as_of, due_by).encode()) <= limit:
        chunks = [list(items)]
    else:
        chunks, current = [], []
        for item in items:
            if current and size([*current, item]) > limit:
                chunks.append(current)
                current = []
            current.append(item)
        chunks.append(current)
    parts = len(chunks)
    return [(chunk, fit(render(env, kind, unit, chunk, as_of, due_by, part=n, parts=parts), limit, POINTER))
            for n, chunk in enumerate(chunks, 1)]
