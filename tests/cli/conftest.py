"""Fixtures of the command-line tests."""

from __future__ import annotations

import pytest


@pytest.fixture
def usd_cli(cli, tmp_path):
    """run(as_of, *args): `cli` with a config file whose [ledger] usd_rate is 7.1 (leads in 万美元), each
    command asserted to succeed; ``run.config`` is that file."""
    config = tmp_path / "config.toml"
    config.write_text("[ledger]\nusd_rate = 7.1\n", encoding="utf-8")

    def run(as_of, *args):
        r = cli("--config", str(config), *args, as_of=as_of)
        assert r.exit_code == 0, (args, r.stderr)
        return r

    run.config = config
    return run
