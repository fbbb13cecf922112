"""The installed tool is the whole tool: every package of projects_cli is listed in pyproject.toml, so that
`pip install .` (the README's first command) installs it, not only the editable checkout the tests run on."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_installed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "projects_cli").rglob("__init__.py")}
    assert sorted(found - listed) == []
