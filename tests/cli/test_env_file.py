"""A ``.env`` file in the working directory is loaded by every command, as Dagster's CLI does:
the project's code (and the code servers it starts) read its variables."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

from click.testing import CliRunner

from headwater.cli.env_file import load_env_file
from headwater.cli.main import cli

HEADWATER = [sys.executable, "-c", "from headwater.cli.main import main; main()"]

PROJECT = textwrap.dedent('''
    import os
    import headwater as hw

    @hw.asset
    def greeting() -> None:
        with open("target.txt", "w") as f:
            f.write(os.environ["HW_DOTENV_TARGET"])

    defs = hw.Definitions(assets=[greeting])
''')


def test_variables_of_the_file_are_set_and_named(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text('# local settings\nHW_DOTENV_A=one\nexport HW_DOTENV_B="two words"\n')
    monkeypatch.setenv("HW_DOTENV_A", "from the shell")  # restored after the test
    monkeypatch.setenv("HW_DOTENV_B", "")
    assert load_env_file(tmp_path) == ["HW_DOTENV_A", "HW_DOTENV_B"]
    assert os.environ["HW_DOTENV_A"] == "one"  # the file wins, as in Dagster
    assert os.environ["HW_DOTENV_B"] == "two words"


def test_no_file_changes_nothing(tmp_path):
    before = dict(os.environ)
    assert load_env_file(tmp_path) == []
    assert dict(os.environ) == before


def test_a_command_announces_names_never_values(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("HW_DOTENV_SECRET=hw-dotenv-secret-value\n")
    monkeypatch.setenv("HW_DOTENV_SECRET", "")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["instance", "info"], catch_exceptions=False)
    assert "Loaded environment variables from .env file: HW_DOTENV_SECRET" in result.output
    assert "hw-dotenv-secret-value" not in result.output


def test_materialize_in_a_project_folder_reads_its_env_file(tmp_path):
    (tmp_path / "project.py").write_text(PROJECT)
    (tmp_path / ".env").write_text("HW_DOTENV_TARGET=staging\n")
    env = {k: v for k, v in os.environ.items() if k not in ("DAGSTER_HOME", "HW_DOTENV_TARGET")}
    env["HEADWATER_HOME"] = str(tmp_path / "home")
    done = subprocess.run([*HEADWATER, "asset", "materialize", "-f",
                           "project.py", "--select", "*"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "target.txt").read_text() == "staging"
