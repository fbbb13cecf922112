"""The sheet templates: where they are found, the Jinja environment, the office's filters.

Templates are looked up by name in the office's own folder first (``--templates
DIR``, the config file's ``[sheets] templates``, or ``templates/`` in the data
folder), then in the shipped ``templates/`` folder, so an office overrides one
file without copying the rest. Names are resolved strictly inside those
folders: ``..``, absolute paths and symbolic links that lead out are refused,
and templates run in Jinja's sandbox, so a template cannot reach any other
file. A misspelt field is an error naming the template, the line and the field.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Sequence

import jinja2
import jinja2.ext
from jinja2 import pass_context
from jinja2.compiler import CodeGenerator
from jinja2.runtime import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment

from projects_cli.config.schema import read_limited
from projects_cli.errors import ConfigError, ProjectsError
from projects_cli.i18n import _
from projects_cli.sheets.markup import cn_date as _cn_date
from projects_cli.sheets.markup import display_number, escape_value

MAX_TEMPLATE_BYTES = 1_000_000
_DRIVE = re.compile(r"^[A-Za-z]:")


class TemplateProblem(ConfigError):
    """A template that cannot be used: missing, outside the folders, broken, or asking for an unknown field."""


class _Outside(jinja2.TemplateError):
    """A template name that points outside the template folders."""


class FieldMissing(jinja2.UndefinedError):
    """A field the template asks for that the sheet's data does not have."""

    def __init__(self, message: str | None = None, name: str | None = None, obj: Any = jinja2.utils.missing):
        super().__init__(message)
        self.field = name
        self.obj = obj


class _StrictField(StrictUndefined):
    """StrictUndefined that remembers which field was missing and on what, for the error message."""

    __slots__ = ()

    def __init__(self, hint=None, obj=jinja2.utils.missing, name=None, exc=jinja2.UndefinedError):
        super().__init__(hint, obj, name, exc)
        self._undefined_exception = lambda message: FieldMissing(message, name, obj)


def _name_parts(name: str) -> list[str]:
    """A template name as path parts; anything that could leave the folder is refused."""
    if not name or "\x00" in name or "\\" in name or name.startswith("/") or _DRIVE.match(name):
        raise _Outside(name)
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        raise _Outside(name)
    return parts


class FolderLoader(jinja2.BaseLoader):
    """Templates from a list of folders, first match wins, never outside them."""

    def __init__(self, folders: Sequence[Path]):
        self.folders = [Path(f).resolve() for f in folders]

    def get_source(self, environment, template: str):
        parts = _name_parts(template)
        for root in self.folders:
            candidate = root.joinpath(*parts)
            try:
                real = candidate.resolve(strict=True)
            except (OSError, RuntimeError):
                continue
            if not real.is_relative_to(root):
                raise _Outside(template)
            if not real.is_file():
                continue
            stat = real.stat()
            try:
                raw = read_limited(real, f"模板 template {real}", MAX_TEMPLATE_BYTES)
            except ConfigError as exc:
                raise TemplateProblem(str(exc)) from None
            try:
                source = raw.decode("utf-8-sig").replace("\r\n", "\n").replace("\r", "\n")  # as read_text gave
            except UnicodeDecodeError:
                raise TemplateProblem(_("模板 {path} 不是 UTF-8 文本；请另存为 UTF-8").format(path=real)) from None
            mtime = stat.st_mtime

            def uptodate(path: Path = real, mtime: float = mtime) -> bool:
                try:
                    return path.stat().st_mtime == mtime
                except OSError:
                    return False

            return source, str(real), uptodate
        raise jinja2.TemplateNotFound(template)

    def list_templates(self) -> list[str]:
        names: set[str] = set()
        for root in self.folders:
            if root.is_dir():
                names.update(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
        return sorted(names)


# ---------------------------------------------------------------- filters


def _number(value: Any, what: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(_("{what}：{value!r} 不是数字").format(what=what, value=value))
    try:
        return Decimal(value) if not isinstance(value, float) else Decimal(repr(value))
    except (InvalidOperation, TypeError, ValueError):
        raise ValueError(_("{what}：{value!r} 不是数字").format(what=what, value=value)) from None


def _fixed(number: Decimal, digits: int | None) -> str:
    if digits is not None:
        number = number.quantize(Decimal(1).scaleb(-digits))
        return format(number, "f")
    return display_number(number)


def wan(value: Any, digits: int | None = None) -> str:
    """85000 → 85000万元 (digits: fixed decimals); empty → —."""
    number = _number(value, "wan")
    return "—" if number is None else f"{_fixed(number, digits)}万元"


def yi(value: Any, digits: int = 2) -> str:
    """An amount in 万元 as 亿元: 85000 → 8.5亿元 (at most `digits` decimals); empty → —."""
    number = _number(value, "yi")
    if number is None:
        return "—"
    return f"{display_number((number / 10000).quantize(Decimal(1).scaleb(-digits)))}亿元"


def money(value: Any) -> str:
    """万元 below 1亿, 亿元 from 1亿: 8000 → 8000万元, 85000 → 8.5亿元."""
    number = _number(value, "money")
    if number is None:
        return "—"
    return yi(number) if abs(number) >= 10000 else wan(number)


def pct(value: Any, digits: int = 1) -> str:
    """85.24 → 85.2% (the value is already in percent); empty → —."""
    number = _number(value, "pct")
    return "—" if number is None else f"{_fixed(number, digits)}%"


def _as_date(value: Any, what: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(_("{what}：{value!r} 不是日期").format(what=what, value=value)) from None


def cn_date(value: Any) -> str:
    """2025-03-05 → 2025年3月5日; empty → ''."""
    day = _as_date(value, "cn_date")
    return "" if day is None else _cn_date(day)


def cn_month(value: Any) -> str:
    """2025-03-05 or 2025-03 → 2025年3月."""
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        value = value + "-01"
    day = _as_date(value, "cn_month")
    return "" if day is None else f"{day.year}年{day.month}月"


def cn_period(value: Any) -> str:
    """A rating period in words: 2025-10 → 2025年10月, 2025-W43 → 2025年第43周; empty → ''."""
    if value is None or value == "":
        return ""
    text = str(value)
    week = re.fullmatch(r"(\d{4})-W(\d{2})", text)
    if week:
        return f"{week.group(1)}年第{int(week.group(2))}周"
    if re.fullmatch(r"\d{4}-\d{2}", text):
        return cn_month(text)
    raise ValueError(_("cn_period：{text!r} 不是期间，应如 2025-10 或 2025-W43").format(text=text))


_DIGITS = "零一二三四五六七八九"


def cn_num(value: Any) -> str:
    """1 → 一, 12 → 十二, 25 → 二十五 (for 一、二、三 headings), up to 99."""
    n = int(value)
    if not 0 <= n <= 99:
        raise ValueError(_("cn_num：{n} 不在 0–99 之间").format(n=n))
    if n < 10:
        return _DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])


def signed_workdays(as_of: date, day: date, calendar) -> int:
    """Working days from `as_of` to `day`; negative (working days late) when `day` has passed."""
    from projects_cli.rules.workdays import workdays_between

    if day >= as_of:
        return workdays_between(as_of, day, calendar)
    return -workdays_between(day, as_of, calendar)


@dataclass
class Office:
    """What the filters need besides the value: the card labels and the working-day calendar."""

    labels: dict[str, str]
    meanings: dict[str, str]
    consequences: dict[str, str]
    calendar: Callable[[], Any]  # loaded on first use: most sheets never count working days


def make_filters(office: Office) -> dict[str, Callable]:
    cache: dict[str, Any] = {}

    def calendar():
        if "cal" not in cache:
            cache["cal"] = office.calendar()
        return cache["cal"]

    def _as_of(ctx) -> date:
        as_of = ctx.get("as_of")
        if not isinstance(as_of, date):
            raise ValueError(_("文书没有 as_of 日期，无法计算工作日"))
        return as_of

    @pass_context
    def workdays_left(ctx, deadline: Any) -> int | None:
        """Working days from the sheet's as-of date to the deadline; negative when overdue."""
        day = _as_date(deadline, "workdays_left")
        return None if day is None else signed_workdays(_as_of(ctx), day, calendar())

    @pass_context
    def countdown(ctx, deadline: Any) -> str:
        """剩余3个工作日 · 今日到期 · 已逾期2个工作日."""
        left = workdays_left(ctx, deadline)
        if left is None:
            return "—"
        if left > 0:
            return f"剩余{left}个工作日"
        if left == 0:
            return "今日到期" if _as_date(deadline, "countdown") == _as_of(ctx) else "已到期"
        return f"已逾期{-left}个工作日"

    def _lookup(table: dict[str, str], what: str) -> Callable[[Any], str]:
        def label(color: Any) -> str:
            if color is None or color == "":
                return ""
            if color not in table:
                raise ValueError(_("{what}：{color!r} 不是牌色；应为 {known} 之一").format(what=what, color=color, known=", ".join(table)))
            return table[color]

        return label

    return {
        "wan": wan,
        "yi": yi,
        "money": money,
        "pct": pct,
        "cn_date": cn_date,
        "cn_month": cn_month,
        "cn_period": cn_period,
        "cn_num": cn_num,
        "workdays_left": workdays_left,
        "countdown": countdown,
        "card": _lookup(office.labels, "card"),
        "card_meaning": _lookup(office.meanings, "card_meaning"),
        "card_consequence": _lookup(office.consequences, "card_consequence"),
    }


# ---------------------------------------------------------------- the environment

_TAG_ONLY = re.compile(r"^\s*(?:(?:\{%.*?%\}|\{#.*?#\})\s*)+$")


class LineTags(jinja2.ext.Extension):
    """A line that is only ``{% … %}`` tags disappears; a line of text ending in a tag keeps its line break.

    Jinja's trim_blocks removes the newline after *any* block tag, so
    ``…{% endif %}`` at the end of a paragraph would glue the next line onto
    it; ending such a tag with ``+%}`` keeps the newline.
    """

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if name and name.endswith((".html", ".htm", ".xml")):
            return source
        lines = source.split("\n")
        for i, line in enumerate(lines):
            body = line.rstrip()
            if body.endswith("%}") and not body.endswith(("+%}", "-%}")) and not _TAG_ONLY.match(body):
                lines[i] = body[:-2] + "+%}" + line[len(body):]
        return "\n".join(lines)



def _none_blank(value: Any) -> Any:
    return "" if value is None else value


# ---------------------------------------------------------------- limits

RENDER_SECONDS = 30.0  # [sheets] render_seconds
RENDER_OUTPUT_MB = 20.0  # [sheets] render_output_mb, counted in characters (1 MB = 1,000,000)
MAX_DIGITS = 15  # a number with more digits is refused (Excel holds 15 significant digits)
MAX_WIDTH = 10_000  # a width, count or padding a template passes to a filter, a method or a format


@dataclass(frozen=True)
class Limits:
    """How long one render may take and how much text it may make."""

    seconds: float = RENDER_SECONDS
    output_mb: float = RENDER_OUTPUT_MB

    @property
    def chars(self) -> int:
        return int(self.output_mb * 1_000_000)


class LimitReached(TemplateProblem):
    """A template went past one of the `Limits` (or a number, width or nesting bound)."""


class _OutOfTime(BaseException):
    """Raised inside the rendering thread when the time limit passes (a BaseException: no filter swallows it)."""


_PRINTF = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
_NUMBERS = (int, float, Decimal)


def _too_big(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, _NUMBERS):
        return False
    try:
        return abs(value) >= 10 ** MAX_DIGITS
    except (ArithmeticError, ValueError):  # inf, nan
        return True


def _number_limit(value: Any) -> Any:
    if _too_big(value):
        raise LimitReached(_("数字超过 {most} 位").format(most=MAX_DIGITS))
    return value


def _width_limit(values: Any) -> None:
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
            raise LimitReached(_("宽度或次数 {value} 超过 {most:,}").format(value=value, most=MAX_WIDTH))


def _spec_limit(fmt: str) -> None:
    """A format string (`'{:>9}'.format`, `'%9d' % x`) whose widths or precisions are within MAX_WIDTH."""
    import string

    try:
        specs = [spec or "" for _text, _field, spec, _conversion in string.Formatter().parse(fmt)]
    except ValueError:
        specs = []
    widths = [int(n) for spec in specs for n in re.findall(r"\d+", spec)]
    if any("{" in spec for spec in specs):
        raise LimitReached(_("格式中不能嵌套字段"))
    for star, precision in _PRINTF.findall(fmt):
        if "*" in (star, precision):
            raise LimitReached(_("格式中不能用 * 宽度"))
        widths += [int(n) for n in (star, precision) if n]
    _width_limit(widths)


class _Generator(CodeGenerator):
    """Jinja's code generator with `a ~ b` checked against the output limit."""

    def visit_Concat(self, node, frame) -> None:
        self.write("environment.sized(")
        super().visit_Concat(node, frame)
        self.write(")")


class BoundedEnvironment(SandboxedEnvironment):
    """Jinja's sandbox, with numbers, widths, repetitions and every joined text bounded.

    Sizes are checked before the work where one step could make a huge value
    (`'x' * n`, `10 ** n`, `s.join(list)`, widths); after it where one step at
    most doubles what was already within bounds (`a ~ b`, `a + b`, a filter's
    result). `render` adds the time limit and counts the output as it is made.
    """

    code_generator_class = _Generator
    intercepted_binops = frozenset(["+", "-", "*", "/", "//", "%", "**"])
    limits = Limits()

    @property
    def max_chars(self) -> int:
        return self.limits.chars

    def too_long(self) -> LimitReached:
        mb = f"{self.limits.output_mb:g}"
        return LimitReached(_("文字超过 {mb} MB（配置文件 [sheets] render_output_mb）").format(mb=mb))

    def sized(self, value: Any) -> Any:
        """A text, list or mapping within the output limit."""
        if isinstance(value, (str, list, tuple, dict)) and len(value) > self.max_chars:
            raise self.too_long()
        return value

    def concat(self, pieces) -> str:  # type: ignore[override]  # block set, macro and caller bodies
        pieces = list(pieces)
        if sum(map(len, pieces)) > self.max_chars:
            raise self.too_long()
        return "".join(pieces)

    def call_binop(self, context, operator: str, left: Any, right: Any) -> Any:
        if operator == "**" and isinstance(left, _NUMBERS) and isinstance(right, _NUMBERS):
            base = abs(left)
            if base > 1 and right > 0 and right * math.log10(base) >= MAX_DIGITS:
                _number_limit(math.inf)
        elif operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > self.max_chars:
                    raise self.too_long()
        elif operator == "%" and isinstance(left, str):
            _spec_limit(left)
        result = super().call_binop(context, operator, left, right)
        return self.sized(_number_limit(result))

    def call(__self, __context, __obj, *args: Any, **kwargs: Any) -> Any:  # noqa: N805 - Jinja's own signature
        name = getattr(__obj, "__name__", "")
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):  # 'x'.ljust(n), .center, .zfill, .expandtabs …; macros take any number
            _width_limit(args)
            _width_limit(kwargs.values())
            if name in ("join", "replace") and args:
                _grown_limit(__self, owner, name, args)
        return __self.sized(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None:
            _spec_limit(value.__self__)
        return wrapped


def _grown_limit(env: BoundedEnvironment, text: str, name: str, args: tuple) -> None:
    """`sep.join(items)` and `s.replace(old, new)` checked before they are made."""
    if name == "join":
        items = list(args[0]) if not isinstance(args[0], (str, dict)) else args[0]
        size = sum(len(i) for i in items if isinstance(i, str)) + len(text) * max(len(items) - 1, 0)
    else:
        old, new = str(args[0]), str(args[1]) if len(args) > 1 else ""
        size = len(text) + (text.count(old) if old else len(text) + 1) * max(len(new) - len(old), 0)
    if size > env.max_chars:
        raise env.too_long()


_WIDTH_FILTERS = frozenset(["center", "indent", "wordwrap", "slice", "batch", "truncate"])  # take a width or count


def _bounded_filter(env: BoundedEnvironment, name: str, func: Callable) -> Callable:
    """A filter with its widths and counts bounded and its result within the output limit."""

    skip = 1 if getattr(func, "jinja_pass_arg", None) is None else 2  # the value (and a context) come first

    def bounded(*args: Any, **kwargs: Any) -> Any:
        if name in _WIDTH_FILTERS:
            _width_limit(args[skip:])
            _width_limit(kwargs.values())
        if name == "replace" and len(args) >= skip + 2:
            _grown_limit(env, str(args[skip - 1]), "replace", args[skip:skip + 2])
        elif name == "join" and len(args) >= skip:
            items = [str(i) for i in args[skip - 1]]
            sep = args[skip] if len(args) > skip else kwargs.get("d", "")
            _grown_limit(env, str(sep), "join", (items,))
        elif name == "format" and len(args) >= skip:
            _spec_limit(str(args[skip - 1]))
        return env.sized(func(*args, **kwargs))

    bounded.__wrapped__ = func  # type: ignore[attr-defined]
    if getattr(func, "jinja_pass_arg", None) is not None:
        bounded.jinja_pass_arg = func.jinja_pass_arg  # type: ignore[attr-defined]
    return bounded


def make_env(folders: Sequence[Path], office: Office, *, page: bool = False,
             limits: Limits | None = None) -> SandboxedEnvironment:
    """The sandboxed environment: sheet markup (typed, escaped values) or the HTML page (autoescaped)."""
    env = BoundedEnvironment(
        loader=FolderLoader(folders),
        undefined=_StrictField,
        autoescape=jinja2.select_autoescape(("html", "htm", "xml"), default_for_string=False, default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_checked(_none_blank if page else escape_value),
        extensions=[LineTags],
    )
    env.limits = limits or Limits()
    env.filters.update(make_filters(office))
    env.filters.update({name: _bounded_filter(env, name, func) for name, func in env.filters.items()})
    return env


def _checked(finalize: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def written(value: Any) -> Any:
        return finalize(_number_limit(value))

    return written


class _Watchdog:
    """The time limits of renders: one daemon thread raises `_OutOfTime` in a rendering thread whose limit passed.

    The exception is delivered between two steps of the template's Python code
    (`PyThreadState_SetAsyncExc`), so a loop of any depth stops within the limit
    plus one step; a single step is kept small by the size checks above. One
    long-lived thread, woken only when a sooner limit is armed, keeps a normal
    render's cost to two lock round trips.
    """

    def __init__(self) -> None:
        self.cond = threading.Condition()
        self.armed: dict[int, tuple[float, int]] = {}  # token → (deadline, thread)
        self.fired: dict[int, int] = {}  # token → thread, raised but maybe not yet delivered
        self.sleeping_until = math.inf
        self.count = 0
        self.thread: threading.Thread | None = None

    def arm(self, seconds: float) -> int:
        deadline = time.monotonic() + seconds
        with self.cond:
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="template-time-limit", daemon=True)
                self.thread.start()
            self.count += 1
            self.armed[self.count] = (deadline, threading.get_ident())
            if deadline < self.sleeping_until:
                self.cond.notify()
            return self.count

    def disarm(self, token: int) -> None:
        with self.cond:
            self.armed.pop(token, None)
            thread = self.fired.pop(token, None)
            if thread is not None:  # not delivered yet, or being handled: withdraw what is pending
                _async_raise(thread, None)

    def _run(self) -> None:
        with self.cond:
            while True:
                now = time.monotonic()
                due = [t for t, (deadline, _thread) in self.armed.items() if deadline <= now]
                for token in due:
                    _deadline, thread = self.armed.pop(token)
                    self.fired[token] = thread
                    _async_raise(thread, _OutOfTime)
                self.sleeping_until = min((d for d, _thread in self.armed.values()), default=math.inf)
                self.cond.wait(None if self.sleeping_until == math.inf else self.sleeping_until - now)
                self.sleeping_until = math.inf


_WATCHDOG = _Watchdog()


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    token = _WATCHDOG.arm(seconds)
    try:
        yield
    finally:
        _WATCHDOG.disarm(token)


def _async_raise(thread: int, exc: type[BaseException] | None) -> None:
    import ctypes

    ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(thread), ctypes.py_object(exc) if exc else None)


def _template_frame(exc: BaseException, names: dict[str, str]) -> tuple[str, int] | None:
    """The innermost template and line in the traceback (Jinja maps frames to template lines)."""
    found = None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename in names:
            compiled = tb.tb_frame.f_globals.get("__jinja_template__")  # a frame Jinja did not rewrite (a timeout)
            line = compiled.get_corresponding_lineno(tb.tb_lineno) if compiled is not None else tb.tb_lineno
            found = (filename, line)
        tb = tb.tb_next
    return found


def _fields_of(obj: Any) -> str:
    if isinstance(obj, dict):
        keys = sorted(str(k) for k in obj)
        return _("这里的字段有：{fields}").format(fields=", ".join(keys) if keys else _("（无）"))
    return _("{kind} 没有字段").format(kind=type(obj).__name__)


def _source_line(path: str, line: int) -> str:
    try:
        text = Path(path).read_text(encoding="utf-8-sig").splitlines()[line - 1].strip()
    except (OSError, IndexError, UnicodeDecodeError):
        return ""
    return _("（{text}）").format(text=text[:120]) if text else ""


def render(env: SandboxedEnvironment, name: str, context: dict[str, Any]) -> str:
    """Render one template; every template mistake becomes a `TemplateProblem` naming template, line and field."""
    loader: FolderLoader = env.loader  # type: ignore[assignment]
    where = _(" 或 ").join(str(f) for f in loader.folders)
    try:
        template = env.get_template(name)
    except _Outside as exc:
        raise TemplateProblem(_outside(exc.message, where)) from None
    except jinja2.TemplateNotFound as exc:
        raise TemplateProblem(_not_found(exc.name, where)) from None
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateProblem(_("模板 {path} 第 {line} 行：{message}").format(
            path=exc.filename or exc.name, line=exc.lineno, message=exc.message)) from None
    limits: Limits = getattr(env, "limits", Limits())
    try:
        with _deadline(limits.seconds):
            return _generated(template, context, limits.chars, env)
    except (Exception, _OutOfTime) as exc:  # noqa: BLE001 - only template mistakes are translated, the rest re-raised
        frame = _template_frame(exc, _all_template_files(loader))
        message = _explain(exc, where, context, limits)
        if message is None:
            raise
        if frame is None:
            raise TemplateProblem(_("模板 {path}：{message}").format(path=name, message=message)) from None
        path, line = frame
        raise TemplateProblem(_("模板 {path} 第 {line} 行{source}：{message}").format(
            path=path, line=line, source=_source_line(path, line), message=message)) from None


def _generated(template: jinja2.Template, context: dict[str, Any], chars: int, env: Any) -> str:
    """The rendered text, counted as it is made: past `chars` characters it stops."""
    pieces, size = [], 0
    for piece in template.generate(context):
        size += len(piece)
        if size > chars:
            raise env.too_long() if isinstance(env, BoundedEnvironment) else LimitReached(_("输出的文字太长"))
        pieces.append(piece)
    return "".join(pieces)


def _all_template_files(loader: FolderLoader) -> dict[str, str]:
    files: dict[str, str] = {}
    for name in loader.list_templates():
        for root in loader.folders:
            path = root / name
            if path.is_file():
                files[str(path.resolve())] = name
    return files


def _outside(name: str, where: str) -> str:
    return _("模板名 {name!r} 指向模板文件夹（{where}）之外").format(name=name, where=where)


def _not_found(name: str, where: str) -> str:
    return _("模板 {name!r} 不在模板文件夹（{where}）中").format(name=name, where=where)


def _explain(exc: BaseException, where: str, context: dict[str, Any], limits: Limits = Limits()) -> str | None:
    from jinja2.sandbox import SecurityError

    if isinstance(exc, _OutOfTime):
        return _("模板运行超过 {seconds} 秒（配置文件 [sheets] render_seconds）").format(seconds=f"{limits.seconds:g}")
    if isinstance(exc, RecursionError):
        return _("模板嵌套过深，可能包含了自己")
    if isinstance(exc, FieldMissing):
        if exc.obj is jinja2.utils.missing:
            return _("没有字段 {field!r}；这份文书的字段有：{fields}").format(field=exc.field, fields=", ".join(sorted(context)))
        return _("没有字段 {field!r}；{fields}").format(field=exc.field, fields=_fields_of(exc.obj))
    if isinstance(exc, _Outside):
        return _outside(exc.message, where)
    if isinstance(exc, jinja2.TemplateNotFound):
        return _not_found(exc.name, where)
    if isinstance(exc, SecurityError):
        return _("模板中不允许：{what}").format(what=exc)
    if isinstance(exc, TemplateProblem):
        return str(exc)
    if isinstance(exc, jinja2.TemplateError):
        return exc.message or type(exc).__name__
    if isinstance(exc, ProjectsError):  # e.g. a working-day count in a year the calendar does not know
        return str(exc)
    if isinstance(exc, (ValueError, TypeError, ArithmeticError, LookupError)):
        return f"{type(exc).__name__}: {exc}"
    return None
