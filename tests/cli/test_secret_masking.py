"""The CLI never prints a secret read from an environment variable: not while materializing
(progress, failure summary), nor in ``run show`` and ``run logs`` afterwards."""

from __future__ import annotations

import pytest

from ._helpers import in_fixtures, last_run, run_cli

TOKEN = "hwcli-env-token-3f9a1c"
MASK = "********"


@pytest.fixture(autouse=True)
def token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HWCLI_SECRET_TOKEN", TOKEN)


def test_materialize_show_and_logs_print_the_mask_never_the_secret():
    result = in_fixtures("asset", "materialize", "-m", "hwcli_secrets", "--select", "*")
    assert result.exit_code == 1  # the asset raises, on purpose
    assert f"PermissionError: token {MASK} was rejected" in result.stderr
    run_id = last_run().run_id
    show = run_cli("run", "show", run_id)
    assert f"using token {MASK}" in show.output
    assert f"token {MASK} was rejected" in show.output
    logs = run_cli("run", "logs", run_id)
    assert f"token={MASK}" in logs.output
    for output in (result.stdout, result.stderr, show.output, logs.output):
        assert TOKEN not in output
