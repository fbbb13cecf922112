"""Where things are: the shipped resource folders and the office's data folder.

Standard library only, and imported by every config reader (so none of them
needs `settings`, which needs them).
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent.parent  # projects_cli/


def resource_dir(name: str) -> Path:
    """The shipped `migrations`, `templates` or `data` folder.

    Installed, they sit inside the package; in a checkout (or an editable
    install) they are the top-level folders of the repository.
    """
    inside = PACKAGE_DIR / name
    if inside.is_dir():
        return inside
    return PACKAGE_DIR.parent / name


def home_dir() -> Path:
    """The data folder: $PROJECTS_HOME, else $XDG_DATA_HOME/projects, else ~/.local/share/projects."""
    if os.environ.get("PROJECTS_HOME"):
        return Path(os.environ["PROJECTS_HOME"]).expanduser()
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "projects"


def cache_dir() -> Path:
    """Where results that can always be worked out again are kept: $PROJECTS_HOME/cache when that is set (a
    data folder of its own, e.g. the tests'), else $XDG_CACHE_HOME/projects, else ~/.cache/projects. Losing it
    loses nothing."""
    if os.environ.get("PROJECTS_HOME"):
        return home_dir() / "cache"
    return Path(os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")) / "projects"
