"""The `projects` console script. `projects --version` answers before typer is even imported."""

from __future__ import annotations

import sys

# No option or argument needs more: a longer one is a mistake (or an attack), refused before it is parsed.
MAX_ARGUMENT = 10_000


def bad_argument(args: list[str]) -> str | None:
    """Why the command line cannot be taken (not UTF-8, too long), or None."""
    for number, arg in enumerate(args, 1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:  # bytes that are not UTF-8 arrive as surrogate escapes
            return f"第 {number} 个参数不是有效的 UTF-8 文本（argument {number} is not valid UTF-8）；请检查终端或脚本的编码"
        if len(arg) > MAX_ARGUMENT:
            return (f"第 {number} 个参数有 {len(arg):,} 个字符，最多 {MAX_ARGUMENT:,} 个（argument {number} is "
                    f"{len(arg):,} characters long, more than the {MAX_ARGUMENT:,} allowed）")
    return None


def main() -> None:
    problem = bad_argument(sys.argv[1:])
    if problem is not None:
        sys.stderr.write(f"Error: {problem}\n")
        raise SystemExit(2)
    if sys.argv[1:] == ["--version"]:
        from projects_cli import __version__

        print(f"projects {__version__}")
        return
    from projects_cli.cli.app import main as run

    run()
