"""The `projects` console script. `projects --version` answers before typer is even imported."""

from __future__ import annotations

import sys

from projects_cli.i18n import _

# No option or argument needs more: a longer one is a mistake (or an attack), refused before it is parsed.
MAX_ARGUMENT = 10_000


def bad_argument(args: list[str]) -> str | None:
    """Why the command line cannot be taken (not UTF-8, too long), or None."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as surrogate escapes
            return _("第 {number} 个参数不是有效的 UTF-8 文本；请检查终端或脚本的编码").format(number=number)
        if len(arg) > MAX_ARGUMENT:
            return _("第 {number} 个参数有 {length:,} 个字符，最多 {most:,} 个").format(
                number=number, length=len(arg), most=MAX_ARGUMENT)
    return None


def main() -> None:
    problem = bad_argument(sys.argv[1:])
    if problem is not None:
        sys.stderr.write(_("错误：{message}").format(message=problem) + "\n")
        raise SystemExit(2)
    if sys.argv[1:] == ["--version"]:
        from projects_cli import __version__

        print(f"projects {__version__}")
        return
    from projects_cli.cli import resident

    code = resident.served(sys.argv)  # forked from a resident process that has the libraries imported
    if code is not None:
        raise SystemExit(code)
    from projects_cli.cli.app import main as run

    run()
