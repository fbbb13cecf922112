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
