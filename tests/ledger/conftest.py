"""Fixtures of the ledger tests: the 派工单 scenario dispatched (see tests/helpers/dispatch_scenario.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from dispatch_scenario import SENT, build


@pytest.fixture
def sent(cli, tmp_path) -> Path:
    """The registry built, and 经济发展局's 派工单 dispatched on 2025-10-20."""
    build(cli.url)
    path = tmp_path / "经济发展局.xlsx"
    r = cli("ledger", "dispatch", "--unit", "经济发展局", "-o", str(path), as_of=SENT)
    assert r.exit_code == 0, r.stderr
    return path
