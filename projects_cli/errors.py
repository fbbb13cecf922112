"""User-facing errors: each says what is wrong in the office's terms and what to do.

The CLI prints ``Error: <message>`` to stderr and exits 1 for any of these;
anything else is a bug and keeps its traceback.
"""


class ProjectsError(Exception):
    """A mistake the user can fix: bad input, unknown code, illegal move."""


class NotFound(ProjectsError):
    """A code, unit, issue number … that is not in the registry."""


class InvalidValue(ProjectsError):
    """A value that cannot be accepted (negative amount, impossible date …)."""


class SchemaBehind(ProjectsError):
    """The database was made by an older version of the tool and needs `projects db upgrade`."""


class IllegalMove(ProjectsError):
    """A workflow step that the current state does not allow."""


class ConfigError(ProjectsError):
    """A broken config, rules or template file."""


from projects_cli.i18n import _

FEW = 20  # known names listed whole when none is near (a closed list: the issue states and their labels)


class UnknownName(NotFound):
    """A name typed in an option (a filter, --unit, --chain …) that the registry does not hold.

    One line, Chinese first: what was typed, the nearest known names (`values.nearest_names`)
    or, when none is near, the known names themselves if they are few, and what to do.
    """

    def __init__(self, what: tuple[str, str], typed: str, nearest: list[str], known: list[str], hint: str = ""):
        zh = _(what[0])  # 责任单位 (the English of the pair is kept for callers; the catalog translates)
        self.what, self.typed, self.nearest = zh, typed, nearest
        message = _("{what}“{typed}”不存在").format(what=zh, typed=typed)
        if nearest:
            message += _("；最接近的：{names}").format(names=_("、").join(nearest))
        elif not known:
            message += _("；项目库中还没有任何{what}").format(what=zh)
        elif len(known) <= FEW:
            message += _("；现有的：{names}").format(names=_("、").join(known))
        else:
            message += _("；没有相近的名称，共有 {n} 个{what}").format(n=len(known), what=zh)
        super().__init__(message + (_("；{hint}").format(hint=hint) if hint else ""))
