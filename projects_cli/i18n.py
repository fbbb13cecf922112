"""The interface's language: Chinese by default, English on request.

Two kinds of text, two catalogs (``projects_cli/locale/<language>/LC_MESSAGES/*.po``):

* **Messages** (errors, notes, prompts, table headers) are written in the source in Chinese,
  marked ``_("…")`` (the gettext msgid), and translated to English in the ``en`` catalog.
* **Help** (each command's docstring, each option's ``help=``) is written in English with the
  Chinese term beside each name, as the CLI's API documentation, and translated to Chinese in the
  ``zh_CN`` catalog, paragraph by paragraph (`help_text`); that catalog also translates the
  command-line library's own strings (typer's and click's "Usage:", "Options", "Missing argument").

The language follows ``PROJECTS_LANG``, then ``LC_ALL``, ``LC_MESSAGES`` and ``LANG``, the first
that names a language (``C`` and ``POSIX`` name none); ``en…`` is English, anything else Chinese,
and with none set, Chinese. It is read once per process: messages built at import (help texts)
and at run time agree.

Write a message with its values as named fields, so a translation can put them in its own order:
``_("项目 {code} 不存在").format(code=code)`` (an f-string cannot be looked up in a catalog).
``python -m projects_cli.locale`` extracts the messages, updates both catalogs and compiles them
(Babel, a test dependency); tests/test_i18n.py fails when a message has no English.
"""

from __future__ import annotations

import gettext
import os
import re
from pathlib import Path

DOMAIN = "projects"
LOCALE_DIR = Path(__file__).parent / "locale"
ENVIRONMENT = ("PROJECTS_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
CATALOG = {"zh": "zh_CN", "en": "en"}  # language → the catalog folder under locale/

_translation: gettext.NullTranslations | None = None


def language(environ=None) -> str:
    """``zh`` or ``en``, from the environment (see the module's docstring)."""
    environ = os.environ if environ is None else environ
    for key in ENVIRONMENT:
        value = environ.get(key, "").strip()
        if not value or value.split(".")[0].split("@")[0] in ("C", "POSIX"):
            continue
        return "en" if value.lower().startswith("en") else "zh"
    return "zh"


def translation() -> gettext.NullTranslations:
    """This process's catalog (loaded on first use)."""
    global _translation
    if _translation is None:
        _translation = gettext.translation(DOMAIN, LOCALE_DIR, languages=[CATALOG[language()]], fallback=True)
    return _translation


def _(message: str) -> str:
    """``message`` (Chinese) in the interface's language."""
    return translation().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for ``n`` (Chinese has one form; English two)."""
    return translation().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks ``message`` for the catalog without translating it now (translated where it is shown)."""
    return message


def reworded(text: str, templates, *, words=()) -> str | None:
    """`text`, made by ``template.format(…)`` from one of `templates` (Chinese messages marked ``N_``, plain
    ``{name}`` fields), in the interface's language: that template's translation with the same values, those
    named in `words` translated too; None when none of them made it. For what is kept as recorded (an
    escalation's reason, a report's item) and shown on a terminal. Templates are tried in order: put the one
    with more text first where one extends another."""
    for template in templates:
        match = _template_pattern(template).fullmatch(text)
        if match is not None:
            values = {key: _(value) if key in words else value for key, value in match.groupdict().items()}
            return _(template).format(**values)
    return None


_patterns: dict[str, re.Pattern] = {}


def _template_pattern(template: str) -> re.Pattern:
    if template not in _patterns:
        pieces = re.split(r"\{(\w+)\}", template)
        _patterns[template] = re.compile("".join(re.escape(p) if n % 2 == 0 else f"(?P<{p}>.+?)"
                                                 for n, p in enumerate(pieces)), re.S)
    return _patterns[template]


def is_english() -> bool:
    return language() == "en"


def help_paragraphs(text: str | None) -> list[str]:
    """The catalog keys of a help text: its paragraphs as typer shows them (the first on one line)."""
    import inspect

    paragraphs = inspect.cleandoc(text or "").split("\n\n")
    first = " ".join(paragraphs[0].split())
    return [p for p in [first, *(p.strip("\n") for p in paragraphs[1:])] if p.strip()]


def help_text(text: str | None) -> str | None:
    """A help text (written in English) in the interface's language, paragraph by paragraph (a paragraph
    the catalog lacks stays English: tests/test_i18n.py fails on any), its square brackets kept as written
    (typer draws help as rich markup, which took config sections such as [calendar] for styles)."""
    if not text:
        return text
    if not is_english():
        text = "\n\n".join(translation().gettext(p) for p in help_paragraphs(text))
    return re.sub(r"(?<!\\)\[", r"\\[", text)


def localize_command(command, deep: bool = True):
    """``command`` (click) with its help, its options' help and, if ``deep``, its subcommands' in the
    interface's language, drawn with `rich_line_breaks`. Returns it."""
    if not getattr(command, "_localized", False):
        command.format_help = _with_line_breaks(command.format_help)
        command._localized = True
        command.help = help_text(command.help)
        if getattr(command, "short_help", None):
            command.short_help = help_text(command.short_help)
        localize_params(getattr(command, "params", ()))
    if deep:
        for sub in getattr(command, "commands", {}).values():
            localize_command(sub)
    return command


def localize_params(params) -> None:
    """Each option's and argument's help in the interface's language (once each)."""
    for param in params:
        if getattr(param, "help", None) and not getattr(param, "_localized", False):
            param.help, param._localized = help_text(param.help), True


def install_for_libraries() -> None:
    """Make typer's and click's own strings speak the interface's language.

    They look their strings up with the standard library's ``gettext.gettext`` (the current text
    domain, the language from ``LANGUAGE``), so this binds our domain and sets ``LANGUAGE`` for
    this process. Called before typer builds any help or error. The vendored click of typer 0.20+
    no longer looks its strings up; `library_message` translates those it prints.
    """
    gettext.bindtextdomain(DOMAIN, str(LOCALE_DIR))
    gettext.textdomain(DOMAIN)
    os.environ["LANGUAGE"] = CATALOG[language()]


# Where Chinese text may break: before any CJK character, but an opening bracket stays with what follows and
# a closing one or a comma with what precedes (避头尾); Latin words and option names break only at spaces.
CJK = "\u2e80-\u2fff\u3000-\u303f\u3040-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
OPENING = "（《“‘〔【「『"
CLOSING = "，。、；：？！）》”’〕】」』…—"
# A Latin word may also break after a hyphen inside it (2020-350000-…, --allow-duplicate-name); \S takes a
# closing mark that follows a space.
_WORD = re.compile(rf"\s*[{OPENING}]*(?:(?![{CLOSING}])[{CJK}]|-*[^\s{CJK}-]+-?|\S)[{CLOSING}]*\s*")
_breaks_installed = False


def _with_line_breaks(format_help):
    def format_help_with_breaks(ctx, formatter):
        rich_line_breaks()
        return format_help(ctx, formatter)

    return format_help_with_breaks


def rich_line_breaks() -> None:
    """Let rich (which draws typer's help) break Chinese between characters: it breaks only at spaces, so a
    Chinese sentence in a help table's column was cut off with "…". Its word pattern and a text's narrowest
    width are made to use `_WORD`'s units, and the trailing space of a wrapped line is measured in cells
    (rich counts characters there, so a line of wide characters ending in a space lost its last character
    to "…"). In both languages (the English help has the Chinese terms), only when help is drawn; nothing if
    this rich lacks a hook."""
    global _breaks_installed
    if _breaks_installed:
        return
    _breaks_installed = True
    try:
        import rich._wrap as wrap
        from rich.cells import cell_len
        from rich.measure import Measurement
        from rich.text import Text
    except ImportError:
        return
    if not hasattr(wrap, "re_word") or not all(hasattr(Text, name) for name in ("__rich_measure__", "rstrip_end")):
        return
    wrap.re_word = _WORD
    measure = Text.__rich_measure__

    def rstrip_end(self, size: int) -> None:
        excess = cell_len(self.plain) - size
        if excess > 0:
            spaces = len(self.plain) - len(self.plain.rstrip())
            if spaces:
                self.right_crop(min(spaces, excess))

    Text.rstrip_end = rstrip_end

    def measured(self, console, options):
        whole = measure(self, console, options)
        narrowest = max((cell_len(unit.strip()) for unit in _WORD.findall(self.plain)), default=0)
        return Measurement(min(narrowest, whole.minimum), whole.maximum)

    Text.__rich_measure__ = measured


def translate_vendored_click() -> None:
    """typer 0.20+ ships its own copy of click whose strings are plain English (no gettext): route
    its usage line, its --help option's help and its usage errors through the catalog and
    `library_message`. Nothing to do with typer before 0.20, whose click looks its strings up, or in
    English. Called once typer is imported."""
    _value_types()
    if is_english():
        return
    try:
        from typer._click import core, exceptions, formatting
    except ImportError:
        return
    if getattr(formatting.HelpFormatter.write_usage, "translated", False):
        return
    write_usage = formatting.HelpFormatter.write_usage

    def usage(self, prog, args="", prefix=None):
        return write_usage(self, prog, args, gettext.gettext("Usage: ") if prefix is None else prefix)

    usage.translated = True
    formatting.HelpFormatter.write_usage = usage
    get_help_option = core.Command.get_help_option

    def help_option(self, ctx):
        option = get_help_option(self, ctx)
        if option is not None and option.help:
            option.help = gettext.gettext(option.help)
        return option

    core.Command.get_help_option = help_option
    for name in dir(exceptions):
        kind = getattr(exceptions, name)
        if isinstance(kind, type) and issubclass(kind, exceptions.ClickException) and "format_message" in vars(kind):
            kind.format_message = _translated(vars(kind)["format_message"])
    if "format_message" not in vars(exceptions.ClickException):  # typer 0.29: inherited from TyperException
        exceptions.ClickException.format_message = _translated(exceptions.ClickException.format_message)


# The kinds of value typer 0.2x shows beside each option in the help (<str>, <int range> …), in Chinese.
_VALUE_TYPES = {"str": "文字", "text": "文字", "int": "整数", "integer": "整数", "float": "数字", "int range": "整数",
                "float range": "数字", "file": "文件", "dir": "文件夹", "directory": "文件夹", "path": "路径",
                "datetime": "日期", "filename": "文件"}


def _value_types() -> None:
    """typer 0.2x's help shows a flag as taking a <bool> (it takes no value: shown with none) and each value's
    kind in English (<str>: <文字> in Chinese). Nothing to do with typer before, whose help shows neither."""
    try:
        from typer import core
    except ImportError:
        return
    for kind in (getattr(core, "_TyperParameter", None), getattr(core, "TyperOption", None)):
        shown = vars(kind).get("display_type_rich") if kind is not None else None
        if shown is None or getattr(shown, "translated", False):
            continue

        def display_type_rich(self, ctx, shown=shown):
            text = shown(self, ctx)
            if getattr(self, "is_flag", False) and getattr(self, "metavar", None) is None:
                return None
            if isinstance(text, str) and not is_english():
                text = re.sub(r"<([a-z ]+)>", lambda m: f"<{_VALUE_TYPES.get(m.group(1), m.group(1))}>", text)
            return text

        display_type_rich.translated = True
        kind.display_type_rich = display_type_rich


def _translated(format_message):
    def translated(self):
        return library_message(format_message(self))

    return translated


# click's messages that typer 0.20+ prints untranslated: (pattern, Chinese msgid with the same fields).
_LIBRARY = [
    (r"No such option: (?P<name>\S+)(?: Did you mean (?P<hint>\S+)\?| \(Possible options: (?P<options>[^)]*)\))?",
     None),
    (r"Missing argument '(?P<name>[^']+)'\.", "缺少参数 '{name}'。"),
    (r"Missing option '(?P<name>[^']+)'\.", "缺少选项 '{name}'。"),
    (r"Missing parameter: (?P<name>.+)", "缺少参数：{name}"),
    (r"Option '(?P<name>[^']+)' requires an argument\.", "选项 '{name}' 后面需要一个值。"),
    (r"Option '(?P<name>[^']+)' requires (?P<count>\d+) arguments\.", "选项 '{name}' 后面需要 {count} 个值。"),
    (r"Got unexpected extra argument(?:s|\(s\))? \((?P<extra>.*)\)", "多余的参数：{extra}"),
    (r"No such command '(?P<name>[^']+)'\.", "没有这个命令：'{name}'。"),
    (r"Missing command\.", "缺少命令。"),
    (r"Invalid value for (?P<name>.+?): (?P<reason>.+)", "{name} 的值无效：{reason}"),
    # the same, its frame translated by the catalog and its reason not (typer 0.2x's own checks)
    (r"(?P<name>.+?) 的值无效：(?P<reason>.+)", "{name} 的值无效：{reason}"),
    (r"Value error, (?P<reason>.+)", "{reason}"),  # pydantic's wrapping of typer's ValueError
    (r"Invalid value: (?P<reason>.+)", "值无效：{reason}"),
    (r"'(?P<value>.*)' is not one of (?P<choices>.+)\.", "'{value}' 不是可选值之一：{choices}。"),
    (r"'(?P<value>.*)' is not a valid integer\.", "'{value}' 不是整数。"),
    (r"'(?P<value>.*)' is not a valid float\.", "'{value}' 不是数字。"),
    (r"'(?P<value>.*)' is not a valid boolean\.", "'{value}' 不是是/否值。"),
    (r"'(?P<value>.*)' does not match the formats (?P<formats>.+)\.", "'{value}' 不符合日期格式 {formats}。"),
    (r"(?P<kind>[Ff]ile|[Dd]irectory|[Pp]ath) '(?P<name>.*)' does not exist\.", "文件或文件夹 '{name}' 不存在。"),
    (r"(?P<kind>[Ff]ile|[Dd]irectory|[Pp]ath) '(?P<name>.*)' is a directory\.", "'{name}' 是文件夹，这里需要文件。"),
    (r"(?P<kind>[Ff]ile|[Dd]irectory|[Pp]ath) '(?P<name>.*)' is a file\.", "'{name}' 是文件，这里需要文件夹。"),
    # typer 0.2x checks values with pydantic: its messages, as the reason of "Invalid value for …"
    (r"Input should be less than or equal to (?P<n>\S+)", "应不大于 {n}"),
    (r"Input should be greater than or equal to (?P<n>\S+)", "应不小于 {n}"),
    (r"Input should be less than (?P<n>\S+)", "应小于 {n}"),
    (r"Input should be greater than (?P<n>\S+)", "应大于 {n}"),
    (r"Input should be a valid integer(?:,.*)?", "应为整数"),
    (r"Input should be a valid number(?:,.*)?", "应为数字"),
    (r"Input should be a valid boolean(?:,.*)?", "应为是/否值"),
]


def library_message(text: str) -> str:
    """A message of click's (English) in the interface's language: as it is in English, else the
    Chinese of the patterns above; a message no pattern knows is kept as it is."""
    if is_english():
        return text
    for pattern, chinese in _LIBRARY:
        match = re.fullmatch(pattern, text.strip(), flags=re.S)
        if match is None:
            continue
        fields = {key: library_message(value) if key == "reason" else value
                  for key, value in match.groupdict().items() if value is not None}
        if chinese is None:  # No such option, with or without its hint
            hint = fields.get("hint") or fields.get("options")
            return "没有这个选项：{name}".format(**fields) + ("；是不是 {hint}？".format(hint=hint) if hint else "")
        return chinese.format(**fields)
    return text


def reset() -> None:
    """Forget the loaded catalog (tests that change the language in one process)."""
    global _translation
    _translation = None
