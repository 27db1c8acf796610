"""Helpers of the CLI tests: run a command in-process, read back the last run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from headwater.cli.main import cli

FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Config values of the fixtures' resources: no command may ever print them.
SECRETS = ("hwcli-secret-token-value", "hwcli-resource-password")


def run_cli(*args: str) -> Result:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    for secret in SECRETS:
        assert secret not in result.output, f"a resource config value was printed by {args}"
    return result


def in_fixtures(*args: str) -> Result:
    """A command whose code location is a module of tests/cli/fixtures (``-d`` that folder)."""
    return run_cli(*args, "-d", str(FIXTURES))


def last_run() -> Any:
    from headwater.storage import Instance

    with Instance.get() as instance:
        runs = instance.get_runs(limit=1)
    assert runs, "no run was recorded"
    return runs[0]


def run_events(run_id: str, event_type: str) -> list[Any]:
    from headwater.storage import Instance

    with Instance.get() as instance:
        return instance.all_logs(run_id, of_type=event_type)


def materialized_keys(run_id: str) -> set[str]:
    return {e.dagster_event.asset_key.to_user_string()
            for e in run_events(run_id, "ASSET_MATERIALIZATION")}
