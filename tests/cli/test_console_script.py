"""The installed ``headwater`` console script, run as a real process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ._helpers import FIXTURES


def _script() -> str | None:
    beside = Path(sys.executable).parent / "headwater"
    return str(beside) if beside.exists() else shutil.which("headwater")


def test_console_script_materializes_and_lists_runs(home):
    script = _script()
    if script is None:
        pytest.skip("the headwater console script is not installed (pip install -e .)")
    env = {**os.environ, "HEADWATER_HOME": str(home)}
    env.pop("DAGSTER_HOME", None)
    done = subprocess.run([script, "asset", "materialize", "-d", str(FIXTURES), "-m",
                           "hwcli_failing", "--select", "*"],
                          capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "ValueError: hwcli sensor 1 returned garbage" in done.stderr
    assert "headwater/cli" not in done.stderr
    listed = subprocess.run([script, "run", "list"], capture_output=True, text=True, env=env,
                            timeout=120)
    assert listed.returncode == 0, listed.stderr
    assert "FAILURE" in listed.stdout
