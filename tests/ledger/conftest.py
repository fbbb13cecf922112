"""Fixtures of the ledger tests: the office ledger imported, the 派工单 scenario dispatched (see
tests/helpers/dispatch_scenario.py)."""

from __future__ import annotations

from decimal import Decimal
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


@pytest.fixture
def office(session, ctx, tmp_path):
    """The office ledger's five projects, one with an earlier month of completion on file."""
    import ledger_samples as samples

    from projects_cli.ledger.importer import import_ledger
    from projects_cli.services import investment, registry

    import_ledger(session, ctx, samples.office_ledger(tmp_path / "o.xlsx"), create_units=True)
    investment.set_month(session, ctx, registry.get_project(session, "GX-0002"), "2025-09", Decimal("1500"))
    return session
