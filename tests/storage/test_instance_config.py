"""The instance configuration file (``dagster.yaml`` / ``headwater.yaml``): every section,
``{env: VAR}`` values, the database it names, and clear errors for bad files."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from headwater.definitions.errors import HeadwaterError, StorageError
from headwater.storage import Instance
from headwater.storage.config import (
    InstanceConfig,
    InstanceConfigError,
    find_config_file,
    top_level_sections,
)

PASSWORD = "p@ss:w/rd#hw-7"  # characters a URL must quote


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "home"
    path.mkdir()
    monkeypatch.setenv("HEADWATER_HOME", str(path))
    monkeypatch.delenv("DAGSTER_HOME", raising=False)
    return path


def write(home: Path, text: str, name: str = "dagster.yaml") -> Path:
    path = home / name
    path.write_text(textwrap.dedent(text))
    return path


def load_error(home: Path) -> str:
    with pytest.raises(InstanceConfigError) as info:
        InstanceConfig.load(str(home))
    message = str(info.value)
    assert isinstance(info.value, StorageError) and isinstance(info.value, HeadwaterError)
    assert "pydantic" not in message.lower() and "Traceback" not in message
    assert "errors.pydantic.dev" not in message
    return message


# ------------------------------------------------------------------------ no file, storage


def test_no_file_is_todays_layout_and_imports_neither_yaml_nor_pydantic(home):
    config = InstanceConfig.load(str(home))
    assert config.source is None
    assert config.database_url() == "sqlite:///" + str(home / "history" / "headwater.db")
    assert config.artifact_directory() == str(home)
    code = textwrap.dedent("""
        import sys
        from headwater.storage import Instance
        with Instance.get() as instance:
            instance.create_run("j", run_id="r1")
            print(instance.database.path, instance.storage_directory())
        print(sorted(m for m in ("yaml", "pydantic") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    lines = out.stdout.splitlines()
    assert lines[0] == f"{home / 'history' / 'headwater.db'} {home / 'storage'}"
    assert lines[1] == "[]"


def test_empty_file_means_the_defaults(home):
    write(home, "# nothing configured yet\n")
    config = InstanceConfig.load(str(home))
    assert config.source == str(home / "dagster.yaml")
    assert config.database_url() == "sqlite:///" + str(home / "history" / "headwater.db")
    assert config.sections_set() == []
    assert config.telemetry.enabled is True and config.run_monitoring.enabled is False


def test_sqlite_base_dir_holds_the_database_and_files_stay_home(home, tmp_path):
    base = tmp_path / "elsewhere"
    write(home, f"""
        storage:
          sqlite:
            base_dir: {base}
    """)
    assert InstanceConfig.load(str(home)).database_url() == (
        "sqlite:///" + str(base / "history" / "headwater.db"))
    with Instance.get() as instance:
        instance.create_run("j", run_id="r1")
        assert instance.database.path == str(base / "history" / "headwater.db")
        assert instance.storage_directory() == str(home / "storage")
        assert instance.home == str(home)
    assert (base / "history" / "headwater.db").is_file()
    assert not (home / "history").exists()
    with Instance.local(home) as instance:
        assert instance.has_run("r1")


def test_relative_base_dir_is_taken_from_the_home_folder_and_env_is_read(home, monkeypatch):
    monkeypatch.setenv("HW_TEST_BASE", "db_here")
    write(home, """
        storage:
          sqlite:
            base_dir:
              env: HW_TEST_BASE
    """)
    config = InstanceConfig.load(str(home))
    assert config.storage_target.path == str(home / "db_here" / "history" / "headwater.db")


def test_postgres_db_becomes_a_psycopg3_url_with_quoted_credentials(home, monkeypatch):
    monkeypatch.setenv("HW_TEST_PGPASS", PASSWORD)
    monkeypatch.setenv("HW_TEST_PGPORT", "6543")
    write(home, """
        storage:
          postgres:
            postgres_db:
              username: dag ster
              password:
                env: HW_TEST_PGPASS
              hostname: db.example.internal
              db_name: dagster
              port:
                env: HW_TEST_PGPORT
              params:
                sslmode: require
                connect_timeout: 10
    """)
    config = InstanceConfig.load(str(home))
    from sqlalchemy.engine import make_url

    url = make_url(config.database_url())
    assert (url.drivername, url.username, url.password, url.host, url.port, url.database) == (
        "postgresql+psycopg", "dag ster", PASSWORD, "db.example.internal", 6543, "dagster")
    assert dict(url.query) == {"sslmode": "require", "connect_timeout": "10"}
    assert config.is_postgres
    for shown in (config.display_url(), repr(config), repr(config.storage),
                  repr(config.storage_target), str(config.model_dump())):
        assert PASSWORD not in shown
    assert "***" in config.display_url()


def test_postgres_db_port_defaults_to_5432_and_password_is_optional(home):
    write(home, """
        storage:
          postgres:
            postgres_db: {username: u, hostname: h, db_name: d}
    """)
    assert InstanceConfig.load(str(home)).database_url() == "postgresql+psycopg://u@h:5432/d"


@pytest.mark.parametrize("scheme", ["postgres", "postgresql", "postgresql+psycopg"])
def test_postgres_url_gets_the_psycopg3_driver(home, monkeypatch, scheme):
    monkeypatch.setenv("HW_TEST_PGURL", f"{scheme}://u:secret-pw@h:5433/db?sslmode=disable")
    write(home, "storage:\n  postgres:\n    postgres_url:\n      env: HW_TEST_PGURL\n")
    config = InstanceConfig.load(str(home))
    assert config.database_url() == "postgresql+psycopg://u:secret-pw@h:5433/db?sslmode=disable"
    assert "secret-pw" not in config.display_url() and "secret-pw" not in repr(config)


def test_instance_get_opens_the_postgresql_database_of_the_file(home, postgres_url, monkeypatch):
    from sqlalchemy.engine import make_url

    url = make_url(postgres_url)
    monkeypatch.setenv("HW_TEST_PGPASS", url.password)
    write(home, f"""
        storage:
          postgres:
            postgres_db:
              username: {url.username}
              password: {{env: HW_TEST_PGPASS}}
              hostname: {url.host}
              port: {url.port}
              db_name: {url.database}
    """)
    with Instance.get() as instance:
        assert instance.database.url == postgres_url
        assert instance.root_directory == str(home)
        assert instance.storage_directory() == str(home / "storage")
        assert instance.config.is_postgres
        instance.create_run("j", run_id="r1")
    assert not (home / "history").exists()
    with Instance.from_url(postgres_url) as direct:
        assert direct.has_run("r1")


def test_headwater_yaml_wins_over_dagster_yaml(home, tmp_path):
    write(home, "storage: {sqlite: {base_dir: from_dagster}}\n")
    assert find_config_file(str(home)) == str(home / "dagster.yaml")
    write(home, "storage: {sqlite: {base_dir: from_headwater}}\n", name="headwater.yaml")
    assert find_config_file(str(home)) == str(home / "headwater.yaml")
    config = InstanceConfig.load(str(home))
    assert config.source == str(home / "headwater.yaml")
    assert "from_headwater" in config.database_url()
    (home / "dagster.yaml").write_text("not: [valid")  # never read
    assert InstanceConfig.load(str(home)).source == str(home / "headwater.yaml")


def test_dagster_home_is_read_when_headwater_home_is_unset(home, tmp_path, monkeypatch):
    dagster_home = tmp_path / "dg"
    dagster_home.mkdir()
    write(dagster_home, "storage: {sqlite: {base_dir: db}}\n")
    monkeypatch.delenv("HEADWATER_HOME")
    monkeypatch.setenv("DAGSTER_HOME", str(dagster_home))
    with Instance.get() as instance:
        assert instance.database.path == str(dagster_home / "db" / "history" / "headwater.db")


def test_local_artifact_storage_moves_the_files(home, tmp_path):
    files = tmp_path / "artifacts"
    write(home, f"""
        local_artifact_storage:
          module: dagster.core.storage.root
          class: LocalArtifactStorage
          config:
            base_dir: {files}
    """)
    with Instance.get() as instance:
        assert instance.storage_directory() == str(files / "storage")
        assert instance.database.path == str(home / "history" / "headwater.db")


# ----------------------------------------------------------- Dagster's older storage keys


def _legacy(kind: str, module: str, cls: str, config: str) -> str:
    return f"{kind}:\n  module: {module}\n  class: {cls}\n  config:\n{config}"


def test_older_sqlite_storage_keys_in_dagsters_layout_are_one_database(home):
    base = "    base_dir: {}\n"
    write(home, "".join([
        _legacy("run_storage", "dagster.core.storage.runs", "SqliteRunStorage",
                base.format(home / "history")),
        _legacy("event_log_storage", "dagster._core.storage.event_log",
                "ConsolidatedSqliteEventLogStorage", base.format(home / "history")),
        _legacy("schedule_storage", "dagster.core.storage.schedules", "SqliteScheduleStorage",
                base.format(home / "schedules")),
    ]))
    config = InstanceConfig.load(str(home))
    assert config.database_url() == "sqlite:///" + str(home / "history" / "headwater.db")


def test_older_postgres_storage_keys_on_one_database(home):
    pg = "    postgres_url: postgresql://u:pw@h:5432/dagster\n"
    write(home, "".join([
        _legacy("run_storage", "dagster_postgres.run_storage", "PostgresRunStorage", pg),
        _legacy("event_log_storage", "dagster_postgres.event_log", "PostgresEventLogStorage", pg),
        _legacy("schedule_storage", "dagster_postgres.schedule_storage",
                "PostgresScheduleStorage", pg),
    ]))
    assert InstanceConfig.load(str(home)).database_url() == (
        "postgresql+psycopg://u:pw@h:5432/dagster")


def test_older_storage_keys_on_different_databases_are_refused(home):
    write(home, _legacy("run_storage", "dagster_postgres.run_storage", "PostgresRunStorage",
                        "    postgres_url: postgresql://u:topsecret@h/dagster\n"))
    message = load_error(home)
    assert ("run_storage: run_storage, event_log_storage and schedule_storage point at "
            "different databases") in message
    assert "one database" in message and "storage: section" in message
    assert "topsecret" not in message and "u:***@h/dagster" in message
    assert "event_log_storage -> sqlite:///" in message and "(default)" in message


def test_older_storage_key_with_a_class_headwater_cannot_use(home):
    write(home, _legacy("event_log_storage", "dagster_mysql.event_log",
                        "MySQLEventLogStorage", "    mysql_url: x\n"))
    message = load_error(home)
    assert "event_log_storage.class: dagster_mysql.event_log.MySQLEventLogStorage is not a " \
           "storage Headwater can use" in message
    assert str(home / "dagster.yaml") in message


def test_storage_and_older_keys_together_are_refused(home):
    write(home, "storage: {sqlite: {base_dir: x}}\n" + _legacy(
        "run_storage", "dagster.core.storage.runs", "SqliteRunStorage", "    base_dir: y\n"))
    assert "storage: cannot be combined with run_storage" in load_error(home)


# -------------------------------------------------------------------------- every section

FULL = """\
local_artifact_storage:
  module: dagster.core.storage.root
  class: LocalArtifactStorage
  config:
    base_dir: {home}
compute_logs:
  module: dagster.core.storage.local_compute_log_manager
  class: LocalComputeLogManager
  config:
    base_dir: /path/to/compute/logs
storage:
  sqlite:
    base_dir: {home}
scheduler:
  module: dagster.core.scheduler
  class: DagsterDaemonScheduler
run_coordinator:
  module: dagster.core.run_coordinator
  class: QueuedRunCoordinator
  config:
    max_concurrent_runs: 25
    tag_concurrency_limits:
      - key: "database"
        value: "redshift"
        limit: 4
      - key: "dagster/backfill"
        value:
          applyLimitPerUniqueValue: true
        limit: 10
      - key: "team"
        limit:
          env: HW_TEST_TEAM_LIMIT
    dequeue_use_threads: true
    dequeue_num_workers: 8
run_launcher:
  module: dagster_k8s.launcher
  class: K8sRunLauncher
  config:
    service_account_name: pipeline_run_service_account
    job_image: my_project/dagster_image:latest
telemetry:
  enabled: false
nux:
  enabled: false
run_monitoring:
  enabled: true
  start_timeout_seconds: 300
  cancel_timeout_seconds: 200
  max_runtime_seconds: 7200
  max_resume_run_attempts: 0
  poll_interval_seconds: 60
  free_slots_after_run_end_seconds: 300
run_retries:
  enabled: true
  max_retries: 3
  retry_on_asset_or_op_failure: false
code_servers:
  local_startup_timeout: 360
  reload_timeout: 120
secrets:
  my_secret:
    env: MY_SECRET_ENV_VAR
retention:
  schedule:
    purge_after_days: 90
  sensor:
    purge_after_days:
      skipped: 7
      failure: 30
      success: -1
  runs:
    max_age_days: 30
    keep_failed: true
sensors:
  use_threads: true
  num_workers: 8
  num_submit_workers: 4
schedules:
  use_threads: true
  num_workers: 8
backfills:
  use_threads: true
  num_workers: 2
auto_materialize:
  enabled: true
  minimum_interval_seconds: 3600
  run_tags:
    key: 'value'
  respect_materialization_data_versions: true
  max_tick_retries: 3
  use_sensors: false
  use_threads: false
  num_workers: 4
concurrency:
  default_op_concurrency_limit: 10
  pools:
    default_limit: 1
    granularity: run
    op_run_buffer: 2
python_logs:
  managed_python_loggers: [my_logger]
  python_log_level: INFO
"""


def test_every_documented_section_is_parsed_into_typed_settings(home, monkeypatch):
    monkeypatch.setenv("HW_TEST_TEAM_LIMIT", "3")
    write(home, FULL.format(home=home))
    c = InstanceConfig.load(str(home))
    queued = c.queued_settings
    assert queued is not None and queued.max_concurrent_runs == 25
    assert [(t.key, t.value, t.limit, t.per_unique_value) for t in queued.tag_concurrency_limits][
        ::2] == [("database", "redshift", 4, False), ("team", None, 3, False)]
    assert queued.tag_concurrency_limits[1].per_unique_value
    assert queued.dequeue_use_threads and queued.dequeue_num_workers == 8
    assert queued.dequeue_interval_seconds == 5  # Dagster's default
    assert c.run_limits() is queued
    launcher = c.run_launcher
    assert launcher is not None and not launcher.is_builtin  # kept as written
    assert launcher.class_name == "K8sRunLauncher"
    assert launcher.config["job_image"] == "my_project/dagster_image:latest"
    assert c.compute_logs is not None and c.compute_logs.is_builtin
    assert c.compute_logs.settings.base_dir == "/path/to/compute/logs"
    assert c.scheduler is not None and c.scheduler.is_builtin
    assert (c.telemetry.enabled, c.nux.enabled) == (False, False)
    m = c.run_monitoring
    assert (m.enabled, m.start_timeout_seconds, m.cancel_timeout_seconds, m.max_runtime_seconds,
            m.poll_interval_seconds, m.free_slots_after_run_end_seconds) == (
        True, 300, 200, 7200, 60, 300)
    assert (c.run_retries.enabled, c.run_retries.max_retries,
            c.run_retries.retry_on_asset_or_op_failure) == (True, 3, False)
    assert (c.code_servers.local_startup_timeout, c.code_servers.reload_timeout) == (360, 120)
    assert c.secrets == {"my_secret": {"env": "MY_SECRET_ENV_VAR"}}  # kept, never resolved
    assert c.retention.schedule.days() == dict.fromkeys(
        ["started", "skipped", "success", "failure"], 90)
    assert c.retention.sensor.days() == {"started": -1, "skipped": 7, "success": -1,
                                         "failure": 30}
    assert (c.retention.runs.max_age_days, c.retention.runs.keep_failed) == (30, True)
    assert c.retention.runs.max_age is not None and c.retention.runs.max_age.days == 30
    assert (c.sensors.use_threads, c.sensors.num_workers, c.sensors.num_submit_workers) == (
        True, 8, 4)
    assert (c.schedules.num_workers, c.backfills.num_workers) == (8, 2)
    a = c.auto_materialize
    assert (a.enabled, a.minimum_interval_seconds, a.run_tags, a.use_sensors, a.num_workers) == (
        True, 3600, {"key": "value"}, False, 4)
    assert c.concurrency.default_op_concurrency_limit == 10
    assert (c.concurrency.pools.default_limit, c.concurrency.pools.granularity,
            c.concurrency.pools.op_run_buffer) == (1, "run", 2)
    assert c.python_logs.managed_python_loggers == ["my_logger"]
    assert "run_launcher" in c.sections_set() and "run_queue" not in c.sections_set()
    with pytest.raises(Exception, match="frozen"):
        c.telemetry.enabled = True  # type: ignore[misc]
    with Instance.get() as instance:  # a full file opens a working SQLite instance
        instance.create_run("j", run_id="r1")
        assert instance.config.retention.runs.keep_failed
        assert instance.has_run("r1")


def test_defaults_when_sections_are_absent(home):
    write(home, "telemetry:\n  enabled: true\n")
    c = InstanceConfig.load(str(home))
    assert c.run_limits() is None  # DefaultRunCoordinator: runs are not queued
    assert c.retention.runs.max_age_days is None and not c.retention.runs.keep_failed
    assert c.retention.sensor.days()["skipped"] == 7 and c.retention.schedule.days()[
        "skipped"] == -1
    assert c.code_servers.local_startup_timeout == 180
    assert c.concurrency.pools.granularity == "op"


def test_run_limits_from_concurrency_runs_and_run_queue(home):
    write(home, """
        concurrency:
          runs:
            max_concurrent_runs: 4
            tag_concurrency_limits: [{key: team, limit: 1}]
    """)
    limits = InstanceConfig.load(str(home)).run_limits()
    assert limits is not None and limits.max_concurrent_runs == 4
    write(home, "run_queue:\n  max_concurrent_runs: -1\n")
    limits = InstanceConfig.load(str(home)).run_limits()
    assert limits is not None and limits.max_concurrent_runs == -1


def test_keep_runs_forever_with_minus_one(home):
    write(home, "retention:\n  runs:\n    max_age_days: -1\n")
    runs = InstanceConfig.load(str(home)).retention.runs
    assert runs.max_age_days is None and runs.max_age is None


# ------------------------------------------------------------------------------ bad files


def test_unknown_top_level_key_names_file_and_suggests(home):
    write(home, "run_coordinater:\n  module: dagster\n")
    message = load_error(home)
    assert str(home / "dagster.yaml") in message
    assert "run_coordinater: unknown key; did you mean 'run_coordinator'?" in message


def test_unknown_nested_key_has_the_full_path(home):
    write(home, """
        storage:
          postgres:
            postgres_db:
              username: u
              hostname: h
              db_name: d
              prot: 5432
    """)
    message = load_error(home)
    assert "storage.postgres.postgres_db.prot: unknown key; did you mean 'port'?" in message


def test_wrong_type_names_the_key_path_and_what_was_expected(home):
    write(home, """
        storage:
          postgres:
            postgres_db: {username: u, hostname: h, db_name: d, port: five}
        run_monitoring:
          enabled: sometimes
        run_coordinator:
          module: dagster.core.run_coordinator
          class: QueuedRunCoordinator
          config:
            tag_concurrency_limits:
              - {key: team, limit: many}
    """)
    message = load_error(home)
    assert "storage.postgres.postgres_db.port: expected an integer, got 'five'" in message
    assert "run_monitoring.enabled: expected true or false, got 'sometimes'" in message
    assert ("run_coordinator.config.tag_concurrency_limits[0].limit: expected an integer, "
            "got 'many'") in message


def test_a_numeric_password_is_refused_without_showing_it(home):
    write(home, "storage:\n  postgres:\n    postgres_db: {username: u, password: 81726354, "
                "hostname: h, db_name: d}\n")
    message = load_error(home)
    assert "storage.postgres.postgres_db.password: expected a string" in message
    assert "quote it" in message and "81726354" not in message


def test_missing_section_content_and_required_keys(home):
    write(home, "storage:\n  postgres:\n    postgres_db: {username: u, db_name: d}\n")
    assert "storage.postgres.postgres_db.hostname: is required" in load_error(home)
    write(home, "storage:\n  postgres: {}\n")
    assert "storage.postgres: set exactly one of postgres_url" in load_error(home)
    write(home, "storage:\n  mysql:\n    mysql_url: x\n")
    assert "storage.mysql: is not supported" in load_error(home)
    write(home, "storage:\n  sqlite:\n    base_dir: a\n  postgres:\n    postgres_url: b\n")
    assert "storage: set one of storage.sqlite or storage.postgres, not both" in load_error(home)


def test_bad_postgres_urls(home):
    write(home, "storage:\n  postgres:\n    postgres_url: 'not a url :secretpw'\n")
    message = load_error(home)
    assert "storage.postgres.postgres_url: not a database URL" in message
    assert "secretpw" not in message
    write(home, "storage:\n  postgres:\n    postgres_url: sqlite:///x.db\n")
    assert "not a PostgreSQL URL" in load_error(home)


def test_missing_environment_variable_names_key_variable_and_file(home, monkeypatch):
    monkeypatch.delenv("HW_TEST_UNSET", raising=False)
    write(home, "storage:\n  postgres:\n    postgres_db:\n      username: u\n      password:\n"
                "        env: HW_TEST_UNSET\n      hostname: h\n      db_name: d\n")
    message = load_error(home)
    assert str(home / "dagster.yaml") in message
    assert ("storage.postgres.postgres_db.password: environment variable HW_TEST_UNSET is not "
            "set") in message
    with pytest.raises(InstanceConfigError, match="HW_TEST_UNSET"):
        Instance.get()  # the instance refuses to open, it does not fall back to SQLite


def test_environment_variable_of_the_wrong_type(home, monkeypatch):
    monkeypatch.setenv("HW_TEST_PORT", "fifty")
    write(home, "run_monitoring:\n  poll_interval_seconds: {env: HW_TEST_PORT}\n")
    message = load_error(home)
    assert ("run_monitoring.poll_interval_seconds: environment variable HW_TEST_PORT does not "
            "hold an integer") in message
    assert "fifty" not in message


def test_bad_yaml_gives_line_and_column(home):
    write(home, "storage:\n  sqlite:\n    base_dir: [unclosed\n")
    message = load_error(home)
    assert "is not valid YAML" in message and "line " in message
    assert str(home / "dagster.yaml") in message


def test_a_key_written_twice_is_refused(home):
    write(home, "storage:\n  sqlite: {base_dir: a}\nstorage:\n  sqlite: {base_dir: b}\n")
    message = load_error(home)
    assert "'storage' is written twice" in message and "line 1" in message


def test_a_file_that_is_not_a_mapping(home):
    write(home, "- storage\n- sqlite\n")
    assert "must be a mapping of sections" in load_error(home)


def test_values_out_of_range_and_conflicting_sections(home):
    write(home, "retention:\n  runs:\n    max_age_days: 0\n")
    assert "retention.runs.max_age_days: expected a number of days of at least 1" in (
        load_error(home))
    write(home, "run_queue:\n  max_concurrent_runs: -5\n")
    assert "run_queue.max_concurrent_runs: expected at least -1, got -5" in load_error(home)
    write(home, "concurrency:\n  pools:\n    granularity: step\n")
    assert "concurrency.pools.granularity: expected 'op' or 'run', got 'step'" in (
        load_error(home))
    write(home, "run_queue: {max_concurrent_runs: 1}\nrun_coordinator: {module: dagster, "
                "class: DefaultRunCoordinator}\n")
    assert "run_queue: cannot be combined with run_coordinator" in load_error(home)


def test_a_dagster_core_class_headwater_does_not_know(home):
    write(home, "run_coordinator:\n  module: dagster.core.run_coordinator\n"
                "  class: QueuedRunCoordinater\n")
    message = load_error(home)
    assert "run_coordinator.class:" in message and "did you mean 'QueuedRunCoordinator'" in message
    write(home, "run_coordinator:\n  module: dagster.core.run_coordinator\n"
                "  class: QueuedRunCoordinator\n  config:\n    max_concurent_runs: 3\n")
    assert ("run_coordinator.config.max_concurent_runs: unknown key; did you mean "
            "'max_concurrent_runs'?") in load_error(home)


def test_every_problem_of_a_file_is_reported_at_once(home):
    write(home, "telemetry: {enabled: 3}\nnux: {enabled: x}\nschedules: {num_workers: 0}\n")
    message = load_error(home)
    assert "telemetry.enabled" in message and "nux.enabled" in message
    assert "schedules.num_workers: expected at least 1, got 0" in message


# --------------------------------------------------------------- deferred reading (run workers)


@pytest.mark.parametrize(("text", "sections"), [
    ("run_coordinator:\n  class: X\n\n# note\ntelemetry:\n  enabled: false\n",
     {"run_coordinator", "telemetry"}),
    ("---\nstorage:\n  sqlite:\n    base_dir: x\n...\n", {"storage"}),
    ("", set()),
    ("{storage: {}}\n", None),  # flow style: not for a line scan
    ('"storage":\n  sqlite: {}\n', None),  # a quoted key
    ("- a list\n", None),
])
def test_top_level_sections_are_found_by_a_line_scan_or_left_to_the_parser(
        home, text, sections):
    found = top_level_sections(str(write(home, text)))
    assert found == (None if sections is None else frozenset(sections))


def test_a_deferred_instance_opens_without_the_file_and_validates_it_on_first_use(home):
    write(home, """
        run_coordinator:
          module: dagster.core.run_coordinator
          class: QueuedRunCoordinator
          config:
            max_concurrent_runs: many
    """)
    with pytest.raises(InstanceConfigError, match="max_concurrent_runs"):
        Instance.get()  # read at once by default
    with Instance.get(defer_config=True) as instance:  # as a run worker opens it
        instance.create_run("j", run_id="r1")
        assert instance.database.path == str(home / "history" / "headwater.db")
        with pytest.raises(InstanceConfigError, match="max_concurrent_runs"):
            instance.config  # noqa: B018 - read (and validated) on first use


def test_a_deferred_instance_still_reads_a_file_that_moves_the_database(home, tmp_path):
    write(home, f"""
        storage:
          sqlite:
            base_dir: {tmp_path / "elsewhere"}
    """)
    with Instance.get(defer_config=True) as instance:
        assert instance.database.path == str(tmp_path / "elsewhere" / "history" / "headwater.db")


def test_a_deferred_instance_imports_neither_yaml_nor_pydantic(home):
    write(home, "run_coordinator:\n  class: QueuedRunCoordinator\ntelemetry:\n  enabled: false\n")
    code = textwrap.dedent("""
        import sys
        from headwater.storage import Instance
        with Instance.get(defer_config=True) as instance:
            instance.create_run("j", run_id="r1")
        print(sorted(m for m in ("yaml", "pydantic") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True, env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert out.stdout.splitlines() == ["[]"]
