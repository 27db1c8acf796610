"""The top-level command: --version, instance migrate, the home folder fallback."""

from __future__ import annotations

import headwater

from ._helpers import FIXTURES, run_cli


def test_version():
    result = run_cli("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"headwater {headwater.__version__}"


def test_instance_migrate_new_then_current(home):
    first = run_cli("instance", "migrate")
    assert first.exit_code == 0, first.output
    assert "migrated schema from revision (none)" in first.output
    assert str(home) in first.output
    second = run_cli("instance", "migrate")
    assert second.exit_code == 0, second.output
    assert "already at revision" in second.output


def test_dagster_home_is_honoured(tmp_path, monkeypatch):
    monkeypatch.delenv("HEADWATER_HOME")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    result = run_cli("asset", "materialize", "-m", "hwcli_snow", "-d", str(FIXTURES),
                     "--select", "raw_wind")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dagster_home" / "history").is_dir()
    assert "HEADWATER_HOME" not in result.stderr


def test_without_a_home_the_working_directory_is_used_and_said_once(tmp_path, monkeypatch):
    monkeypatch.delenv("HEADWATER_HOME")
    monkeypatch.chdir(tmp_path)
    result = run_cli("asset", "materialize", "-f", str(FIXTURES / "hwcli_snow.py"),
                     "--select", "raw_wind")
    assert result.exit_code == 0, result.output
    assert (tmp_path / ".headwater_home" / "history").is_dir()
    assert result.stderr.count("Neither HEADWATER_HOME nor DAGSTER_HOME is set") == 1
    listed = run_cli("run", "list")
    assert "SUCCESS" in listed.stdout
