"""``python -m projects_cli.locale [--check]``: update and compile the catalogs (see the package's docstring).

With ``--check`` nothing is written; it exits 1 listing every message without a translation, every
translation whose replacement fields differ from its message's, every part that does not hold
exactly what the source has, and a compiled catalog that differs from its parts (what
tests/test_i18n.py asserts). Parts are compared by their messages, not their bytes, so another
Babel version writing other headers is no difference.
"""

from __future__ import annotations

import gettext
import io
import sys
from datetime import datetime

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from projects_cli.locale import DOMAIN, LANGUAGES, LIBRARY, fields, folder, help_texts, messages

EXAMPLE, EXAMPLE_ZH = "Example: ", "示例："  # a help's example paragraph: translated as 示例： and the same command

HEADER = {
    "en": "# English for the messages of projects_cli/{part} (Chinese in the source). Fill in the msgstr lines;\n"
          "# `python -m projects_cli.locale` adds new messages, drops gone ones and compiles.",
    "zh_CN": "# 中文帮助：{part}（源代码中为英文）。填写 msgstr 行；`python -m projects_cli.locale` 更新并编译。\n"
             "# Chinese for the help of {part} (English in the source).",
}


def read_parts(language: str) -> dict[str, dict]:
    parts = {}
    for path in sorted(folder(language).glob("*.po")):
        with path.open("rb") as f:
            catalog = read_po(f, locale=language, domain=DOMAIN)
        parts[path.stem] = {m.id: m.string for m in catalog if m.id}
    return parts


def wanted(language: str, parts: dict[str, dict]) -> dict[str, dict]:
    """The parts as the source wants them: every message in its part, with the translation it has anywhere."""
    known = {msgid: string for part in parts.values() for msgid, string in part.items() if string}
    library = parts.get(LIBRARY, {})
    found = messages() if language == "en" else {k: v for k, v in help_texts().items() if k not in library}
    out: dict[str, dict] = {LIBRARY: dict(library)} if language != "en" else {}
    for msgid, part in found.items():
        out.setdefault(part, {})[msgid] = known.get(msgid, "" if not isinstance(msgid, tuple) else ("", ""))
    return out


def catalog_of(language: str, entries: dict) -> Catalog:
    catalog = Catalog(locale=language, domain=DOMAIN, project="projects", charset="utf-8", fuzzy=False,
                      creation_date=datetime(2026, 12, 3), revision_date=datetime(2026, 12, 3))
    for msgid, string in entries.items():
        catalog.add(msgid, string)
    return catalog


def problems_of(language: str, parts: dict[str, dict]) -> list[str]:
    out = []
    for part, entries in sorted(parts.items()):
        for msgid, string in entries.items():
            ids = msgid if isinstance(msgid, tuple) else (msgid,)
            strings = string if isinstance(string, (tuple, list)) else (string,)
            if not all(strings):
                out.append(f"{language}/{part}.po：没有译文（no translation）：{ids[0]!r}")
            elif any(fields(s) != fields(ids[0]) for s in strings):
                out.append(f"{language}/{part}.po：译文的占位符与原文不同（fields differ）：{ids[0]!r}")
            elif ids[0].startswith(EXAMPLE) and strings[0] != EXAMPLE_ZH + ids[0][len(EXAMPLE):].lstrip():
                out.append(f"{language}/{part}.po：示例须原样保留命令（an example keeps its command as printed: "
                           f"{EXAMPLE_ZH}…）：{ids[0]!r}")
    return out


def compiled(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def read_mo(data: bytes) -> dict:
    return {k: v for k, v in gettext.GNUTranslations(io.BytesIO(data))._catalog.items() if k != ""}


def main(argv: list[str]) -> int:
    check = "--check" in argv
    problems = []
    for language in LANGUAGES:
        have = read_parts(language)
        want = wanted(language, have)
        problems += problems_of(language, want)
        merged = catalog_of(language, {k: v for part in want.values() for k, v in part.items()})
        mo_path = folder(language) / f"{DOMAIN}.mo"
        if check:
            for part in sorted(set(have) | set(want)):
                if have.get(part) != want.get(part):
                    problems.append(f"{language}/{part}.po：与源代码不一致（out of date）；运行 python -m projects_cli.locale")
            if not mo_path.exists() or read_mo(mo_path.read_bytes()) != read_mo(compiled(merged)):
                problems.append(f"{language}/{DOMAIN}.mo：未重新编译（not compiled）；运行 python -m projects_cli.locale")
            continue
        for part in set(have) - set(want):
            (folder(language) / f"{part}.po").unlink()
        for part, entries in want.items():
            out = io.BytesIO()
            write_po(out, catalog_of(language, entries), width=100, sort_output=True, no_location=True,
                     omit_header=False)
            body = out.getvalue().decode("utf-8")
            body = body[body.index('msgid ""'):]
            head = HEADER[language].format(part=part)
            (folder(language) / f"{part}.po").write_text(f"{head}\n{body}", encoding="utf-8")
        mo_path.write_bytes(compiled(merged))
    if check:
        for problem in problems:
            print(problem, file=sys.stderr)
    elif problems:
        print(f"{len(problems)} 条消息还没有译文（without a translation）；--check 列出", file=sys.stderr)
    return 1 if problems and check else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
