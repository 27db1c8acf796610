"""The `dagster`-named shim runs code that imports `dagster` on Headwater, unchanged."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

SHIM = Path(__file__).resolve().parents[1] / "shim"

PROJECT = textwrap.dedent('''
    import dagster as dg
    from dagster import AssetExecutionContext, asset, materialize

    @asset
    def numbers():
        return [1, 2, 3]

    @asset
    def total(context: AssetExecutionContext, numbers):
        context.log.info("adding up")
        return sum(numbers)

    result = materialize([numbers, total])
    assert result.success
    assert result.output_for_node("total") == 6
    import headwater
    assert dg.Definitions is headwater.Definitions
    assert dg.components.load_defs is headwater.components.load_defs
    print("ok")
''')


def test_project_importing_dagster_runs_on_headwater(tmp_path):
    script = tmp_path / "project.py"
    script.write_text(PROJECT)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(SHIM), os.environ.get("PYTHONPATH", "")])}
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env=env,
                         cwd=tmp_path, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().endswith("ok")
