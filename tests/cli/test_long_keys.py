"""Any valid asset key works from the CLI: long keys get file names that fit, and
``headwater run logs --step KEY`` finds their logs by the full key."""

from __future__ import annotations

from pathlib import Path

from ._helpers import in_fixtures, last_run, run_cli

LONG_PART = "l" * 300
LONG_STEP = f"hwcli__{LONG_PART}"
DEEP_STEP = "__".join(f"level{i:02d}_" + "d" * 54 for i in range(30))


def test_materialize_and_read_the_logs_of_assets_with_long_keys(home: Path):
    result = in_fixtures("asset", "materialize", "-m", "hwcli_long_keys", "--select", "*")
    assert result.exit_code == 0, result.output
    run = last_run()
    assert run.status.value == "SUCCESS"

    one = run_cli("run", "logs", run.run_id, "--step", LONG_STEP)
    assert one.exit_code == 0, one.output
    assert one.output == "long one speaks\n"
    deep = run_cli("run", "logs", run.run_id, "--step", DEEP_STEP)
    assert deep.exit_code == 0 and deep.output == "deep one got 20\n"
    every = run_cli("run", "logs", run.run_id)
    assert f"=== {LONG_STEP} (stdout) ===\nlong one speaks\n" in every.output
    assert f"=== {DEEP_STEP} (stdout) ===\ndeep one got 20\n" in every.output

    for path in home.rglob("*"):  # every name written fits the file-system limit
        assert len(path.name.encode()) <= 255, path.name
