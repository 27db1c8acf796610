"""``storage:`` (and Dagster's older ``run_storage``/``event_log_storage``/``schedule_storage``):
where the instance's one database is.

* no storage key: ``<home>/history/headwater.db`` (today's layout);
* ``storage: {sqlite: {base_dir: B}}``: ``B/history/headwater.db`` -- ``B`` plays the part of the
  home folder for the database, as Dagster's ``base_dir`` does; a relative ``B`` is taken from
  the home folder;
* ``storage: {postgres: {postgres_url: ...}}`` or ``{postgres: {postgres_db: {...}}}``: a
  PostgreSQL URL for the psycopg 3 driver (``postgresql+psycopg://``).

The result is a target: ``SqliteTarget(path)`` or ``PostgresTarget(url)``; neither shows a
password in its repr, in ``display_url()`` or in an error.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, ClassVar

from pydantic import Field, model_validator
from pydantic_core import PydanticCustomError

from headwater.storage.config._values import (
    ConfigModel,
    EnvBool,
    EnvInt,
    EnvStr,
    Secret,
    is_core_module,
    nested,
    suggestion,
)

HISTORY = "history"
DB_FILE = "headwater.db"
PSYCOPG_DRIVER = "postgresql+psycopg"

# ----------------------------------------------------------------------------- the targets


@dataclass(frozen=True)
class SqliteTarget:
    """A SQLite database file."""

    path: str

    def url(self) -> str:
        return "sqlite:///" + self.path

    def display_url(self) -> str:
        return self.url()


@dataclass(frozen=True)
class PostgresTarget:
    """A PostgreSQL database; ``url()`` has the password, ``display_url()`` and repr do not."""

    _url: Any = field(repr=False)  # sqlalchemy.engine.URL
    autocreate_tables: bool = True

    def url(self) -> str:
        return str(self._url.render_as_string(hide_password=False))

    def display_url(self) -> str:
        return str(self._url.render_as_string(hide_password=True))

    def __repr__(self) -> str:
        return f"PostgresTarget({self.display_url()!r})"


StorageTarget = SqliteTarget | PostgresTarget


def resolve_dir(home: str, value: str) -> str:
    """A folder from the file: ``~`` expanded, relative to the home folder."""
    return os.path.normpath(os.path.join(home, os.path.expanduser(value)))


# ------------------------------------------------------------------------- storage: section


class SqliteStorage(ConfigModel):
    base_dir: EnvStr

    def target(self, home: str) -> SqliteTarget:
        return SqliteTarget(os.path.join(resolve_dir(home, self.base_dir), HISTORY, DB_FILE))


class PostgresDb(ConfigModel):
    username: EnvStr
    password: Secret | None = None
    hostname: EnvStr
    db_name: EnvStr
    port: EnvInt = 5432
    params: dict[str, EnvStr | EnvInt | EnvBool] = Field(default_factory=dict)
    scheme: EnvStr = "postgresql"


class PostgresStorage(ConfigModel):
    postgres_url: Secret | None = None
    postgres_db: PostgresDb | None = None
    should_autocreate_tables: EnvBool = True

    @model_validator(mode="after")
    def _one_way(self) -> PostgresStorage:
        if (self.postgres_url is None) == (self.postgres_db is None):
            raise PydanticCustomError(
                "postgres_one_of", "set exactly one of postgres_url (a connection URL) or "
                "postgres_db (username, password, hostname, db_name, port, params)")
        if self.postgres_url is not None:
            _parse_url(self.postgres_url.get_secret_value())  # a bad URL is refused now
        return self

    def target(self) -> PostgresTarget:
        from sqlalchemy.engine import URL

        if self.postgres_url is not None:
            url = _parse_url(self.postgres_url.get_secret_value())
        else:
            db = self.postgres_db
            assert db is not None
            url = URL.create(
                _driver(db.scheme), username=db.username,
                password=db.password.get_secret_value() if db.password else None,
                host=db.hostname, port=db.port, database=db.db_name,
                query={k: _param(v) for k, v in db.params.items()})
        return PostgresTarget(url, self.should_autocreate_tables)


def _driver(scheme: str) -> str:
    return PSYCOPG_DRIVER if scheme in ("postgres", "postgresql") else scheme


def _param(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def _parse_url(text: str) -> Any:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        url = make_url(text)
    except (ArgumentError, ValueError):
        raise PydanticCustomError(
            "postgres_url", "not a database URL (expected postgresql://user:password@host:"
            "port/database)", {"at": "postgres_url"}) from None
    if not url.drivername.startswith("postgres"):
        raise PydanticCustomError(
            "postgres_url", "not a PostgreSQL URL (it starts with {scheme}://); use "
            "storage: sqlite: for SQLite", {"scheme": url.drivername, "at": "postgres_url"})
    return url.set(drivername=_driver(url.drivername))


class StorageConfig(ConfigModel):
    sqlite: SqliteStorage | None = None
    postgres: PostgresStorage | None = None

    @classmethod
    def prepare(cls, data: dict[str, Any]) -> dict[str, Any]:
        for other in ("mysql", "custom"):
            if other in data:
                raise PydanticCustomError(
                    "storage_kind", "is not supported: Headwater keeps its instance in SQLite "
                    "(storage: sqlite:) or PostgreSQL (storage: postgres:)", {"at": other})
        if len(data) > 1:
            raise PydanticCustomError(
                "storage_kind", "set one of storage.sqlite or storage.postgres, not both")
        if not data:
            raise PydanticCustomError(
                "storage_kind", "name the database: storage: sqlite: or storage: postgres:")
        return data

    def target(self, home: str) -> StorageTarget:
        if self.postgres is not None:
            return self.postgres.target()
        assert self.sqlite is not None
        return self.sqlite.target(home)


# ------------------------------------------------- run_storage / event_log_storage / ...


class LegacyStorage(ConfigModel):
    """``{module, class, config}`` naming one of Dagster's SQLite or PostgreSQL storages."""

    ROLE: ClassVar[str] = ""
    SQLITE: ClassVar[tuple[str, ...]] = ()
    POSTGRES: ClassVar[tuple[str, ...]] = ()

    module: EnvStr
    class_name: EnvStr = Field(alias="class")
    config: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _known_class(self) -> LegacyStorage:
        self.settings()  # a class Headwater cannot honour, or bad config, is refused now
        return self

    def settings(self) -> SqliteStorage | PostgresStorage:
        if self.class_name in self.SQLITE and is_core_module(self.module):
            return nested(SqliteStorage, self.config, ("config",))  # type: ignore[no-any-return]
        if self.class_name in self.POSTGRES and self.module.startswith("dagster_postgres"):
            return nested(PostgresStorage, self.config, ("config",))  # type: ignore[no-any-return]
        known = self.SQLITE + self.POSTGRES
        raise PydanticCustomError(
            "storage_class", "{module}.{cls} is not a storage Headwater can use{hint}: Headwater "
            "keeps {role} in SQLite (dagster's {sqlite}) or PostgreSQL (dagster_postgres's "
            "{postgres}); better, replace run_storage, event_log_storage and schedule_storage "
            "by one storage: section",
            {"module": self.module, "cls": self.class_name, "role": self.ROLE, "at": "class",
             "hint": suggestion(self.class_name, known), "sqlite": self.SQLITE[0],
             "postgres": self.POSTGRES[0]})

    def target(self, home: str) -> StorageTarget:
        """Where this storage's data would be; a SQLite ``base_dir`` is the database's folder."""
        settings = self.settings()
        if isinstance(settings, PostgresStorage):
            return settings.target()
        return SqliteTarget(os.path.join(resolve_dir(home, settings.base_dir), DB_FILE))


class LegacyRunStorage(LegacyStorage):
    ROLE = "runs"
    SQLITE = ("SqliteRunStorage",)
    POSTGRES = ("PostgresRunStorage",)


class LegacyEventLogStorage(LegacyStorage):
    ROLE = "event logs"
    SQLITE = ("SqliteEventLogStorage", "ConsolidatedSqliteEventLogStorage")
    POSTGRES = ("PostgresEventLogStorage",)


class LegacyScheduleStorage(LegacyStorage):
    ROLE = "schedules and sensors"
    SQLITE = ("SqliteScheduleStorage",)
    POSTGRES = ("PostgresScheduleStorage",)


LEGACY_KEYS = ("run_storage", "event_log_storage", "schedule_storage")


def legacy_target(home: str, run: LegacyStorage | None, event_log: LegacyStorage | None,
                  schedule: LegacyStorage | None) -> StorageTarget:
    """The one database the three older keys point at (a missing one is Dagster's default:
    SQLite in ``<home>/history``, schedules in ``<home>/schedules``).

    SQLite schedule storage may sit in the ``schedules`` folder beside the runs' folder (Dagster's
    own layout): Headwater keeps schedules in the runs' database. Anything else that does not
    point at the same database is refused.
    """
    history = os.path.join(home, HISTORY)
    run_t = run.target(home) if run else SqliteTarget(os.path.join(history, DB_FILE))
    event_t = event_log.target(home) if event_log else SqliteTarget(
        os.path.join(history, DB_FILE))
    schedule_t = schedule.target(home) if schedule else None
    if isinstance(run_t, SqliteTarget) and isinstance(schedule_t, SqliteTarget):
        beside = os.path.join(os.path.dirname(os.path.dirname(run_t.path)), "schedules", DB_FILE)
        if schedule_t.path == beside:
            schedule_t = run_t
    if schedule_t is None:
        schedule_t = SqliteTarget(os.path.join(history, DB_FILE))
    targets = {"run_storage": run_t, "event_log_storage": event_t,
               "schedule_storage": schedule_t}
    urls = {name: t.url() for name, t in targets.items()}
    if len(set(urls.values())) > 1:
        listed = "; ".join(f"{name} -> {t.display_url()}"
                           + ("" if name in _given(run, event_log, schedule) else " (default)")
                           for name, t in targets.items())
        raise PydanticCustomError(
            "storage_split", "run_storage, event_log_storage and schedule_storage point at "
            "different databases ({listed}). Headwater keeps runs, event logs and schedules in "
            "one database: point all three at it, or better, replace them by one storage: "
            "section (storage: postgres: or storage: sqlite:)",
            {"listed": listed, "at": next(iter(_given(run, event_log, schedule)))})
    return run_t


def _given(run: Any, event_log: Any, schedule: Any) -> list[str]:
    return [name for name, value in zip(LEGACY_KEYS, (run, event_log, schedule), strict=True)
            if value is not None]
