"""Reading the values people type: amounts in 万元, dates and date ranges, months, names.

Pure functions shared by the command options and the ledger importer. Each
returns a value or raises `ValueProblem` with what was expected; none crashes
on odd input.
"""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

from projects_cli.errors import UnknownName
from projects_cli.i18n import _

EMPTY_MARKS = {"", "—", "——", "-", "--", "/", "／", "无", "暂无", "空", "n/a", "N/A", "NA", "None"}
PENDING_MARKS = {"待定", "未定", "待确定", "另定", "暂定"}

# Multipliers to 万元.
UNIT_TO_WAN = {
    "亿元": Decimal(10000),
    "亿": Decimal(10000),
    "万元": Decimal(1),
    "万": Decimal(1),
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
}
_AMOUNT = re.compile(r"^(约|近|超|逾|大约|总计|合计)?([+-]?\d+(?:\.\d+)?)(亿元|亿|万元|万|千元|元)?(左右|以上|余|多)?$")
# Amounts in another currency: never read as 人民币 (no exchange rate is configured).
CURRENCY = re.compile(r"[亿万千百]?(?:美元|美金|欧元|港元|港币|日元|英镑|韩元|澳元|加元|卢布|新加坡元|USD|EUR|HKD|JPY|GBP|US\$|\$|€|£)")
# A foreign currency's name as the config file's [ledger.rates] keys it, and the other ways ledgers write it.
CURRENCIES: dict[str, tuple[str, ...]] = {
    "美元": ("美金", "USD", "US$", "$"), "欧元": ("EUR", "€"), "港元": ("港币", "HKD"), "日元": ("JPY",),
    "英镑": ("GBP", "£"), "韩元": (), "澳元": (), "加元": (), "卢布": (), "新加坡元": (),
}
CURRENCY_NAMES = {alias: name for name, aliases in CURRENCIES.items() for alias in (name, *aliases)}
_FOREIGN = re.compile(r"^([亿万千百]?)(" + "|".join(re.escape(a) for a in sorted(CURRENCY_NAMES, key=len, reverse=True))
                      + r")$")


def foreign_unit(unit: str) -> tuple[str, str] | None:
    """An amount unit in a foreign currency as (the 人民币 unit of the same size, the currency's name):
    万美元 → (万元, 美元), 亿港币 → (亿元, 港元), USD → (元, 美元); None for 人民币 or a unit not known."""
    match = _FOREIGN.match(unit)
    return (f"{match.group(1)}元", CURRENCY_NAMES[match.group(2)]) if match else None


CENT = Decimal("0.01")
EXCEL_EPOCH = date(1899, 12, 30)
# No amount, area or share a ledger holds comes near this; beyond it Decimal rounding would fail.
LARGEST = Decimal("1e13")


class ValueProblem(ValueError):
    """A cell or option value that cannot be read; the message says what was expected."""


_SPACES = re.compile(r"\s+")
_SEPARATORS = re.compile(r"[\s,，]")


def clean_text(value: object) -> str:
    """Text with full-width spaces, stray spaces and line breaks at the ends removed."""
    if value is None:
        return ""
    text = value if type(value) is str else str(value)
    # Already clean, the common cell: printable means no whitespace but the ASCII space (no \u3000, \xa0, \n …)
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    text = text.replace("\u3000", " ").replace("\xa0", " ")
    return _SPACES.sub(" ", text).strip()


# C0 and C1 control characters and DEL (NUL, BEL, ESC …); tab, line feed and carriage return are listed apart.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINES = re.compile(r"[\t\n\r]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # bytes that were not UTF-8 (surrogate escapes)
# Zero-width and bidi-control characters: invisible, they make a look-alike name or reorder what a screen shows.
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_CHAR_NAMES = {
    0x00: "NUL", 0x07: "BEL", 0x08: "BS", 0x0B: "VT", 0x0C: "FF", 0x1B: "ESC", 0x7F: "DEL", 0x85: "NEL",
    0x09: "TAB", 0x0A: "LF", 0x0D: "CR",
    0x200B: "零宽空格 ZERO WIDTH SPACE", 0x200C: "零宽不连字 ZERO WIDTH NON-JOINER", 0x200D: "零宽连字 ZERO WIDTH JOINER",
    0x200E: "从左到右标记 LEFT-TO-RIGHT MARK", 0x200F: "从右到左标记 RIGHT-TO-LEFT MARK",
    0x202A: "LEFT-TO-RIGHT EMBEDDING", 0x202B: "RIGHT-TO-LEFT EMBEDDING", 0x202C: "POP DIRECTIONAL FORMATTING",
    0x202D: "LEFT-TO-RIGHT OVERRIDE", 0x202E: "从右到左覆盖 RIGHT-TO-LEFT OVERRIDE", 0x2066: "LEFT-TO-RIGHT ISOLATE",
    0x2067: "RIGHT-TO-LEFT ISOLATE", 0x2068: "FIRST STRONG ISOLATE", 0x2069: "POP DIRECTIONAL ISOLATE",
    0xFEFF: "零宽不换行空格 BOM",
}


def office_text(data: bytes) -> str:
    """A text file as Chinese offices save them: UTF-8 (with or without its BOM), else GB18030 (GBK and
    GB2312 are subsets; it decodes any bytes, so a binary file still needs its own check)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("gb18030", errors="replace")


def char_name(ch: str) -> str:
    """U+001B (ESC), U+200B (零宽空格 ZERO WIDTH SPACE)."""
    code = ord(ch)
    name = _CHAR_NAMES.get(code) or unicodedata.name(ch, "")
    return f"U+{code:04X}" + (f"（{name}）" if name else "")


def text_problem(text: str, *, name: bool = False, lines: bool = True) -> str | None:
    """What makes `text` unfit for the registry, or None: a control character (NUL, ESC …; tab and line
    breaks only where `lines`), and in a name or code (`name`) a zero-width or bidi-control character."""
    if text.isprintable():  # the common case: no control, no format character, no line break
        return None
    found = _SURROGATE.search(text)
    if found:
        return _("含有无效的字符（不是 UTF-8 文本）：U+{code:04X}，位于第 {position} 个字符").format(
            position=found.start() + 1, code=ord(found.group()))
    found = _CONTROL.search(text) or (None if lines else _LINES.search(text))
    if found:
        return _("含有控制字符 {char}，位于第 {position} 个字符，请删去后再填").format(
            char=char_name(found.group()), position=found.start() + 1)
    found = _INVISIBLE.search(text) if name else None
    if found:
        return _("含有看不见的字符 {char}，位于第 {position} 个字符，会造成以假乱真的名称，请删去后再填").format(
            char=char_name(found.group()), position=found.start() + 1)
    return None


def normalize_name(value: object) -> str:
    """A project name or code as matched: NFKC (full-width letters/digits to half-width), no spaces."""
    text = unicodedata.normalize("NFKC", clean_text(value))
    if text.isprintable() and " " not in text:  # no whitespace at all
        return text
    return _SPACES.sub("", text)


def match_name(typed: object, known: Iterable[str]) -> str | None:
    """The known name `typed` is, as written or after normalising (`normalize_name`: 经济 发展局 is
    经济发展局, full-width letters and digits are half-width); None when it is none of them."""
    text = clean_text(typed)
    names = list(known)
    if text in names:
        return text
    wanted = normalize_name(text)
    return next((name for name in names if normalize_name(name) == wanted), None)


def short_forms(typed: object, known: Iterable[str]) -> list[str]:
    """The known names `typed` may stand for as offices shorten them: a unique beginning (经济发展 → 经济发展局) or a
    简称 whose characters run through the name in order from its first (经发局 → 经济发展局, 自然资源局 →
    自然资源分局). Every such name, for the caller to take only when there is one (never a guess between two)."""
    wanted = normalize_name(typed)
    if len(wanted) < 2:
        return []
    out = []
    for name in dict.fromkeys(known):
        form = normalize_name(name)
        if form == wanted or not form.startswith(wanted[0]):
            continue
        rest = iter(form)
        if form.startswith(wanted) or all(ch in rest for ch in wanted):
            out.append(name)
    return out


NEAR = 0.5  # difflib's similarity from which a known name is offered: 经发局 ~ 经济发展局 0.75, 住建局 ~ 建设局 0.67


def nearest_names(typed: object, known: Iterable[str], n: int = 5) -> list[str]:
    """Up to `n` known names closest to `typed` (difflib's ratio on the normalised forms), closest first;
    a name that holds the typed text, or is held in it, is always near."""
    import difflib

    wanted = normalize_name(typed)
    matcher = difflib.SequenceMatcher(b=wanted)
    scored = []
    for name in dict.fromkeys(known):
        form = normalize_name(name)
        matcher.set_seq1(form)
        ratio = matcher.ratio()
        if wanted and (wanted in form or form in wanted):
            ratio = max(ratio, NEAR)
        if ratio >= NEAR:
            scored.append((-ratio, name))
    return [name for _, name in sorted(scored)[:n]]


def resolve_name(typed: object, known: Iterable[str], what: tuple[str, str], hint: str = "") -> str:
    """The registry's spelling of the name typed for `what` ((责任单位, unit) …), matched as `match_name` does;
    else an `UnknownName` error offering the nearest names (and `hint`: what to do instead)."""
    names = list(known)
    found = match_name(typed, names)
    if found is None:
        raise UnknownName(what, clean_text(typed), nearest_names(typed, names), sorted(names), hint)
    return found


def is_empty(value: object) -> bool:
    return value is None or clean_text(value) in EMPTY_MARKS


def parse_amount(value: object, unit: str = "万元") -> Decimal | None:
    """An amount in 万元 from 85000, "85,000", "8.5亿元", "8000万", "7 . 6亿元", "约1亿元", "50000元".

    `unit` applies to bare numbers (a ledger's "单位：亿元"). Empty marks give None.
    """
    if type(value) is not float and is_empty(value):  # a number is never empty (and is the common case)
        return None
    factor = UNIT_TO_WAN.get(unit)
    if factor is None:
        raise ValueProblem(_("未知的金额单位 {unit!r}；应为 {units} 之一").format(unit=unit, units="、".join(UNIT_TO_WAN)))
    if isinstance(value, bool):
        raise ValueProblem(_("{value!r} 不是金额").format(value=value))
    if isinstance(value, (int, Decimal)):
        number = Decimal(value)
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise ValueProblem(_("{value!r} 不是金额").format(value=value))
        number = Decimal(repr(value))
    else:
        text = unicodedata.normalize("NFKC", str(value))
        text = _SEPARATORS.sub("", text).replace("人民币", "").replace("RMB", "")
        match = _AMOUNT.match(text)
        if not match:
            if foreign := CURRENCY.search(text):
                raise ValueProblem(
                    _("{value!r} 是外币金额（{currency}），不能当作人民币读入；请折算为万元（人民币）后再填").format(
                        value=clean_text(value), currency=foreign.group(0))
                )
            raise ValueProblem(_("{value!r} 不是金额；应为数字，例如 85000、8.5亿元 或 8000万元").format(value=clean_text(value)))
        number = Decimal(match.group(2))
        if match.group(3):
            factor = UNIT_TO_WAN[match.group(3)]
    try:
        result = number * factor
    except InvalidOperation:  # pragma: no cover - Decimal of a matched number cannot fail
        raise ValueProblem(_("{value!r} 不是金额").format(value=value)) from None
    if not result.is_finite() or abs(result) >= LARGEST:
        raise ValueProblem(_("{value!r} 不是合理的万元金额").format(value=clean_text(value)))
    return _tidy(result)


RMB = "人民币"  # a lead's amount in 人民币 (a foreign one keeps its currency's name, `CURRENCY_NAMES`)


def parse_money(value: object) -> tuple[Decimal | None, str]:
    """An amount as given and its currency: the amount in 万 of that currency (`parse_amount`'s forms and
    units), the currency by its name in `CURRENCY_NAMES`, else 人民币.

    "8亿元" → (80000, "人民币"); "3000万美元", "3,000万 USD", "$3000万" → (3000, "美元"); "5亿欧元" → (50000, "欧元").
    """
    if is_empty(value) or not isinstance(value, str):
        return parse_amount(value), RMB
    text = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    found = CURRENCY.search(text)
    if found is None:
        return parse_amount(value), RMB
    token = found.group(0)
    size = token[0] if token[0] in "亿万千百" else ""
    word = token[len(size):]
    # the same number in 元 of that currency: 3000万美元 → 3000万元, $3000万 → 3000万
    rest = text[found.end():] if found.start() == 0 and not size else f"{text[:found.start()]}{size}元{text[found.end():]}"
    if CURRENCY.search(rest):
        raise ValueProblem(_("{value!r} 含有不止一种货币；请只写一个金额，例如 3000万美元").format(value=clean_text(value)))
    try:
        return parse_amount(rest), CURRENCY_NAMES[word]
    except ValueProblem:
        raise ValueProblem(_("{value!r} 不是金额；应为例如 8亿元、3000万美元 或 5000万欧元").format(value=clean_text(value))) from None


def plain_amount(value: object) -> Decimal | None:
    """What parse_amount (in 万元) and parse_decimal give for a plain positive float, quickly; None otherwise.

    A workbook's numbers arrive as floats (python-calamine gives 85000.0, 9800.5);
    for those with at most two decimals the Decimal is their shortest repr, as
    the long way makes it. Anything else (text, zero, negative, huge, more
    decimals) returns None: take the long way.
    """
    if type(value) is not float or not 0.0 < value < 1e13:
        return None
    if value.is_integer():
        return Decimal(int(value))
    text = repr(value)
    dot = text.find(".")
    if dot < 0 or len(text) - dot > 3 or "e" in text:
        return None
    return Decimal(text)


def _tidy(number: Decimal) -> Decimal:
    """Round to the registry's precision, two decimals (0.01 万元 = 100 元), half up, and drop
    trailing zeros: what is read is exactly what is stored, so importing a ledger again
    finds nothing changed."""
    number = number.quantize(CENT, ROUND_HALF_UP) if number.as_tuple().exponent < -2 else number
    if number == number.to_integral():
        return number.quantize(Decimal(1))
    return number.normalize()


def parse_decimal(value: object) -> Decimal | None:
    """A plain non-monetary number (floor area …)."""
    if is_empty(value):
        return None
    try:
        number = Decimal(re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", str(value))))
    except InvalidOperation:
        raise ValueProblem(_("{value!r} 不是数字").format(value=clean_text(value))) from None
    if not number.is_finite() or number.copy_abs() >= LARGEST:
        raise ValueProblem(_("{value!r} 不是合理的数字").format(value=clean_text(value)))
    return _tidy(number)


# Month- and year-only dates resolve to the last day of the month or year: a
# plan "2024年3月" is met if done by 31 March, and is overdue only after it.
_DATE_PATTERNS = (
    (re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$"), "ymd"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$"), "ymd"),
    (re.compile(r"^(\d{4})(\d{2})(\d{2})$"), "ymd"),
    (re.compile(r"^(\d{4})年(\d{1,2})月(?:底|末|份)?$"), "ym"),
    (re.compile(r"^(\d{4})[-/.](\d{1,2})$"), "ym"),
    (re.compile(r"^(\d{4})年(?:底|末|内)?$"), "y"),
)


def parse_date(value: object) -> date | None:
    """A date from a real date, an Excel serial number, 2024-03-15, 2024/3/15, 2024.3.15,
    2024年3月15日, 2024年3月, 2024.03 or 2024年. Month-only → last day of the month,
    year-only → 31 December. Empty marks give None; 待定 raises `PendingDate`.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if is_empty(value):
        return None
    if isinstance(value, bool):
        raise ValueProblem(_("{value!r} 不是日期").format(value=value))
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueProblem(_("{value!r} 不是日期").format(value=value))
        if value == int(value) and 1990 <= value <= 2100:  # a bare year typed as a number
            return date(int(value), 12, 31)
        return _from_serial(value)
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if text in PENDING_MARKS:
        raise PendingDate(_("{text}（日期未定）").format(text=text))
    if re.fullmatch(r"\d+(\.0+)?", text) and len(text.split(".")[0]) == 5:
        return _from_serial(float(text))
    text = re.sub(r"(\d{4}-\d{2}-\d{2})[T ]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$", r"\1", text)
    for pattern, kind in _DATE_PATTERNS:
        match = pattern.match(text)
        if not match:
            continue
        parts = [int(p) for p in match.groups()]
        try:
            if kind == "ymd":
                return date(*parts)
            if kind == "ym":
                year, month = parts
                return date(year, month, calendar.monthrange(year, month)[1])
            return date(parts[0], 12, 31)
        except (ValueError, calendar.IllegalMonthError):
            raise ValueProblem(_("{value!r} 不是真实存在的日期").format(value=clean_text(value))) from None
    raise ValueProblem(
        _("{value!r} 不是日期；应写成 2024-03-15、2024/3/15、2024年3月15日、2024年3月 或 2024年").format(value=clean_text(value))
    )


class PendingDate(ValueProblem):
    """待定: no date yet. Read as empty, with a warning."""


# A date range's separator that never occurs inside a date; "-" is tried at each place it stands.
_RANGE_SEPARATOR = re.compile(r"至|到|~|—|–|--")
_SHORT_YEAR = re.compile(r"^(\d{2})[.年](\d{1,2})月?$")  # 09.10 (two-digit year, then the month)
_YEAR_ALONE = re.compile(r"^(\d{4})年?$")
RANGE_FORMS = _("2009-2011、2007.10-2010.12、2024年3月至2026年6月、09.10-11.3 或 2010-")


def _range_end(text: str) -> date | None:
    """One end of a date range (None when it is not a date): the forms of parse_date, a year alone, 09.10."""
    if match := _YEAR_ALONE.match(text):
        return date(int(match.group(1)), 12, 31)
    if match := _SHORT_YEAR.match(text):
        short, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            return None
        year = 1900 + short if short >= 90 else 2000 + short
        return date(year, month, calendar.monthrange(year, month)[1])
    if not re.match(r"^\d{4}", text):
        return None
    try:
        return parse_date(text)
    except ValueProblem:
        return None


def parse_date_range(value: object) -> tuple[date | None, date | None]:
    """Planned start and completion from one cell (建设起止时间, 建设年限): 2009-2011, 2007.10-2010.12,
    2021.03-2023.12, 2024年3月至2026年6月, 09.10-11.3 (two-digit years), 2010- (no completion given).

    Each end resolves as `parse_date` does (a month alone → its last day, a year
    alone → 31 December). One date alone, a duration (3年) or a split that could
    be read two ways ("2009-11": November 2009, or 2009 to 2011?) raises
    `ValueProblem`; 待定 raises `PendingDate`; empty marks give (None, None).
    """
    if is_empty(value):
        return None, None
    expected = _("应写明开始和结束，例如 {forms}").format(forms=RANGE_FORMS)
    if not isinstance(value, str):  # a real date, a serial number or a year typed as a number
        single = parse_date(value)
        cell = int(value) if isinstance(value, float) and value.is_integer() else value
        shown = cell.isoformat() if isinstance(cell, date) else cell
        raise ValueProblem(_("{shown!r} 只有一个时间（{date}），分不清是开工还是竣工；{expected}").format(
            shown=shown, date=single.isoformat() if single else "", expected=expected))
    shown = clean_text(value)
    text = unicodedata.normalize("NFKC", clean_text(value)).replace(" ", "")
    if text in PENDING_MARKS:
        raise PendingDate(_("{text}（起止时间未定）").format(text=text))
    separators = list(_RANGE_SEPARATOR.finditer(text))
    if len(separators) == 1:
        cuts = [(separators[0].start(), separators[0].end())]
    elif not separators:
        cuts = [(m.start(), m.end()) for m in re.finditer("-", text)]
    else:
        cuts = []
    readings = []
    for start, end in cuts:
        first, rest = text[:start], text[end:]
        begin = _range_end(first)
        finish = _range_end(rest) if rest else None
        if begin is not None and (finish is not None or not rest):
            readings.append((begin, finish))
    if len(readings) > 1:
        raise ValueProblem(_("{shown!r} 可以读成几种起止时间，无法确定；{expected}").format(shown=shown, expected=expected))
    if not readings:
        if (single := _range_end(text)) is not None:
            raise ValueProblem(_("{shown!r} 只有一个时间（{date}），分不清是开工还是竣工；{expected}").format(
                shown=shown, date=single.isoformat(), expected=expected))
        raise ValueProblem(_("{shown!r} 不是起止时间；{expected}").format(shown=shown, expected=expected))
    begin, finish = readings[0]
    if finish is not None and finish < begin:
        raise ValueProblem(_("{shown!r}：竣工早于开工").format(shown=shown))
    return begin, finish


def _from_serial(number: float) -> date:
    if not (1 <= number < 2958466):  # Excel's own range: 1900-01-01 … 9999-12-31
        raise ValueProblem(_("{number!r} 不是日期（应为 Excel 日期序号）").format(number=number))
    return EXCEL_EPOCH + timedelta(days=int(number))


def parse_month(text: str) -> str:
    """YYYY-MM from 2024-10, 2024.10, 2024/10 or 2024年10月."""
    match = re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", clean_text(text))
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise ValueProblem(_("{text!r} 不是月份；请写成 YYYY-MM，例如 2024-10").format(text=text))
    return f"{int(match.group(1)):04d}-{int(match.group(2)):02d}"


def split_list(value: object) -> list[str]:
    """Categories or plan columns from "省重点、市重点", "省重点,市重点" or "省重点；市重点"."""
    text = clean_text(value)
    if not text:
        return []
    items = [normalize_name(p) for p in re.split(r"[、,，;；/／\s]+", text)]
    seen: list[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen
