"""``headwater instance info`` and the instance configuration file seen from the CLI."""

from __future__ import annotations

import json
import textwrap

from ._helpers import FIXTURES, run_cli

PASSWORD = "cli-pg-password-93"

POSTGRES = """\
storage:
  postgres:
    postgres_db:
      username: dagster
      password:
        env: HW_CLI_PGPASS
      hostname: db.internal
      db_name: dagster
run_launcher:
  module: dagster_k8s.launcher
  class: K8sRunLauncher
  config:
    postgres_password_secret: k8s-secret-name-41
retention:
  runs:
    max_age_days: 14
    keep_failed: true
telemetry:
  enabled: false
"""


def write(home, text, name="dagster.yaml"):
    home.mkdir(parents=True, exist_ok=True)
    (home / name).write_text(textwrap.dedent(text))


def test_info_without_a_file(home):
    result = run_cli("instance", "info")
    assert result.exit_code == 0, result.output
    assert f"Home:       {home}" in result.stdout
    assert "Config:     none" in result.stdout
    assert f"SQLite  sqlite:///{home / 'history' / 'headwater.db'}" in result.stdout
    assert "Settings" not in result.stdout


def test_info_shows_postgres_storage_and_settings_but_no_secret(home, monkeypatch):
    monkeypatch.setenv("HW_CLI_PGPASS", PASSWORD)
    write(home, POSTGRES)
    result = run_cli("instance", "info")
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert f"Config:     {home / 'dagster.yaml'}" in out
    assert "PostgreSQL  postgresql+psycopg://dagster:***@db.internal:5432/dagster" in out
    assert PASSWORD not in result.output and "k8s-secret-name-41" not in result.output
    assert "* storage:" in out and "* retention:" in out  # in effect now
    assert "  run_launcher:" in out and "used_by_headwater: false" in out
    assert "max_age_days: 14" in out and "keep_failed: true" in out
    assert "enabled: false" in out
    assert not (home / "history").exists()  # info never opens (or creates) the database


def test_info_json(home, monkeypatch):
    monkeypatch.setenv("HW_CLI_PGPASS", PASSWORD)
    write(home, POSTGRES)
    result = run_cli("instance", "info", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["config_file"] == str(home / "dagster.yaml")
    assert data["storage"] == {
        "kind": "postgresql", "url": "postgresql+psycopg://dagster:***@db.internal:5432/dagster"}
    assert data["settings"]["retention"]["runs"] == {"max_age_days": 14, "keep_failed": True}
    assert data["settings"]["retention"]["sensor"]["purge_after_days"]["skipped"] == 7
    assert data["settings_in_effect"] == ["storage", "retention"]
    assert data["storage_directory"] == str(home / "storage")
    assert PASSWORD not in result.output


def test_info_says_which_file_is_ignored(home):
    write(home, "telemetry: {enabled: false}\n")
    write(home, "nux: {enabled: false}\n", name="headwater.yaml")
    result = run_cli("instance", "info")
    assert result.exit_code == 0, result.output
    assert f"Config:     {home / 'headwater.yaml'}" in result.stdout
    assert f"{home / 'dagster.yaml'} is ignored: headwater.yaml takes precedence" in (
        result.stdout)
    assert "nux:" in result.stdout and "telemetry:" not in result.stdout


def test_bad_file_exits_2_with_the_key_path_and_a_suggestion(home):
    write(home, "storage:\n  sqlite:\n    base_dirr: /tmp/x\n")
    result = run_cli("instance", "info")
    assert result.exit_code == 2
    assert str(home / "dagster.yaml") in result.output
    assert "storage.sqlite.base_dirr: unknown key; did you mean 'base_dir'?" in result.output
    assert "Traceback" not in result.output and "pydantic" not in result.output


def test_missing_environment_variable_exits_2(home, monkeypatch):
    monkeypatch.delenv("HW_CLI_PGPASS", raising=False)
    write(home, POSTGRES)
    result = run_cli("instance", "info")
    assert result.exit_code == 2
    assert ("storage.postgres.postgres_db.password: environment variable HW_CLI_PGPASS is not "
            "set") in result.output


def test_bad_yaml_exits_2_for_every_command_that_opens_the_instance(home):
    write(home, "storage: {sqlite: {base_dir: x}\n")
    for args in (("instance", "info"), ("run", "list"), ("instance", "migrate"),
                 ("asset", "materialize", "-m", "hwcli_snow", "-d", str(FIXTURES),
                  "--select", "raw_wind")):
        result = run_cli(*args)
        assert result.exit_code == 2, (args, result.output)
        assert "is not valid YAML" in result.output and "line " in result.output
        assert "Traceback" not in result.output


def test_materialize_and_migrate_use_the_configured_sqlite_database(home, tmp_path):
    base = tmp_path / "db_folder"
    write(home, f"storage:\n  sqlite:\n    base_dir: {base}\n")
    migrated = run_cli("instance", "migrate")
    assert migrated.exit_code == 0, migrated.output
    assert f"sqlite:///{base / 'history' / 'headwater.db'}" in migrated.stdout
    result = run_cli("asset", "materialize", "-m", "hwcli_snow", "-d", str(FIXTURES),
                     "--select", "raw_wind")
    assert result.exit_code == 0, result.output
    assert (base / "history" / "headwater.db").is_file()
    assert not (home / "history").exists()
    assert (home / "storage").is_dir()  # asset values stay under the home folder
    listed = run_cli("run", "list")
    assert "SUCCESS" in listed.stdout


def test_the_cli_runs_on_the_postgresql_database_of_dagster_yaml(home, postgres_url,
                                                                 monkeypatch):
    from headwater.storage import Instance

    monkeypatch.setenv("HW_CLI_PGURL", postgres_url.replace("postgresql+psycopg", "postgresql"))
    write(home, "storage:\n  postgres:\n    postgres_url:\n      env: HW_CLI_PGURL\n")
    result = run_cli("asset", "materialize", "-m", "hwcli_snow", "-d", str(FIXTURES),
                     "--select", "raw_wind")
    assert result.exit_code == 0, result.output
    listed = run_cli("run", "list")
    assert listed.exit_code == 0 and "SUCCESS" in listed.stdout
    assert not (home / "history").exists()  # no SQLite database was made
    assert (home / "storage").is_dir()  # asset values under the home folder
    with Instance.from_url(postgres_url) as direct:
        assert direct.get_runs_count() == 1
    password = postgres_url.split(":")[2].split("@")[0]
    info = run_cli("instance", "info")
    assert "PostgreSQL  postgresql+psycopg://postgres:***@127.0.0.1:" in info.stdout
    assert password not in info.output
