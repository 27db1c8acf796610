"""``Instance`` (Dagster: ``DagsterInstance``): where runs, events and the asset index live.

Ways to get one:

* ``Instance.ephemeral()`` -- in-memory SQLite, gone when disposed (tests, ``materialize()``).
* ``Instance.get()`` -- the persistent instance under HEADWATER_HOME (else DAGSTER_HOME).
* ``Instance.local(path)`` -- the persistent instance under a given folder.
* ``Instance.from_config(config)`` -- the instance an ``InstanceConfig`` describes.
* ``Instance.from_url(url)`` -- any SQLite or PostgreSQL URL.

Layout of a home folder: ``<home>/history/headwater.db`` (runs, event log, asset index) and
``<home>/storage/`` (``storage_directory()``: where the filesystem IO manager keeps outputs).
A ``headwater.yaml`` (else ``dagster.yaml``) in the home folder may move the database (SQLite
elsewhere, or PostgreSQL) and the file storage (``headwater.storage.config``); files stay under
the home folder unless it says otherwise. Without such a file nothing is read or imported.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import weakref
from typing import TYPE_CHECKING, Any

from headwater.definitions.errors import InvariantViolationError, StorageError
from headwater.storage import contracts
from headwater.storage.asset_storage import SqlAssetIndex
from headwater.storage.backfill_storage import SqlBackfillStorage
from headwater.storage.concurrency_storage import SqlConcurrencyStorage
from headwater.storage.config import find_config_file
from headwater.storage.database import DEFAULT_BUSY_TIMEOUT, Database
from headwater.storage.errors import InstanceNotConfiguredError
from headwater.storage.event_storage import SqlEventLogStorage
from headwater.storage.migrate import ensure_schema
from headwater.storage.partition_storage import SqlPartitionStorage
from headwater.storage.run_storage import SqlRunStorage
from headwater.storage.schedule_storage import SqlScheduleStorage

if TYPE_CHECKING:
    import sqlalchemy as sa

    from headwater.storage.config import InstanceConfig

HOME_ENV_VARS = ("HEADWATER_HOME", "DAGSTER_HOME")
DB_RELATIVE_PATH = os.path.join("history", "headwater.db")


def resolve_home(home: str | os.PathLike[str] | None = None) -> str:
    """The instance folder: ``home`` if given, else $HEADWATER_HOME, else $DAGSTER_HOME."""
    if home is None:
        for var in HOME_ENV_VARS:
            if os.environ.get(var):
                home = os.environ[var]
                break
        else:
            raise InstanceNotConfiguredError(
                "Neither HEADWATER_HOME nor DAGSTER_HOME is set, so Headwater does not know where "
                "to keep runs and their event logs. Set one to a folder (it is created if "
                "missing), e.g. `export HEADWATER_HOME=~/.headwater`, or use "
                "Instance.ephemeral() for a throwaway in-memory instance.")
    return os.path.abspath(os.path.expanduser(os.fspath(home)))


def prepare_home(home: str | os.PathLike[str] | None = None) -> str:
    """Resolve the home folder (see ``resolve_home``) and create it and its history folder."""
    path = resolve_home(home)
    _ensure_dir(path, "the Headwater home folder")
    _ensure_dir(os.path.join(path, os.path.dirname(DB_RELATIVE_PATH)), "the Headwater history folder")
    return path


def sqlite_url_for_home(home: str) -> str:
    return "sqlite:///" + os.path.join(home, DB_RELATIVE_PATH)


def _ensure_dir(path: str, what: str) -> None:
    try:
        os.makedirs(path, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"Cannot create {what} {path}: {exc.strerror or exc}. Create it yourself, or set "
            "HEADWATER_HOME to a folder this user can write to.") from None


def _opens_as_default(config_file: str) -> bool:
    from headwater.storage.config import OPENING_SECTIONS, top_level_sections

    sections = top_level_sections(config_file)
    return sections is not None and not sections & OPENING_SECTIONS


class Instance(SqlRunStorage, SqlEventLogStorage, SqlAssetIndex, SqlPartitionStorage,
               SqlBackfillStorage, SqlScheduleStorage, SqlConcurrencyStorage):
    """Runs, their event logs and the asset index, in one SQL database.

    Thread-safe; usable as a context manager (``dispose()`` on exit). It implements every
    storage contract (``storage/contracts``): runs from ``SqlRunStorage``, events from
    ``SqlEventLogStorage`` and ``SqlAssetIndex``, dynamic partitions and partition status from
    ``SqlPartitionStorage``, backfills from ``SqlBackfillStorage``, schedule/sensor state
    from ``SqlScheduleStorage``, concurrency pools from ``SqlConcurrencyStorage``. ``run_storage``,
    ``event_log_storage``, ... (Dagster's names) return the instance typed as that contract.
    """

    def __init__(self, db: Database, *, root_directory: str | None = None,
                 storage_directory: str | None = None, is_ephemeral: bool = False,
                 migrate: bool = True, home: str | None = None,
                 config: InstanceConfig | None = None):
        self._db = db
        self._root = root_directory
        self._storage_dir = storage_directory
        self._is_ephemeral = is_ephemeral
        self._home = home
        self._config = config
        self._temp_dir: str | None = None
        self._temp_finalizer: weakref.finalize | None = None
        if migrate:
            try:
                ensure_schema(db)
            except BaseException:
                db.dispose()
                raise

    # ------------------------------------------------------------ constructors

    @classmethod
    def ephemeral(cls, storage_directory: str | None = None) -> Instance:
        """An in-memory instance; its folders are a temp dir made on first use."""
        return cls(Database("sqlite://"), storage_directory=storage_directory, is_ephemeral=True)

    @classmethod
    def get(cls, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, *,
            defer_config: bool = False) -> Instance:
        """The persistent instance under $HEADWATER_HOME (else $DAGSTER_HOME)."""
        return cls.local(resolve_home(), busy_timeout=busy_timeout, defer_config=defer_config)

    @classmethod
    def local(cls, path: str | os.PathLike[str],
              busy_timeout: float = DEFAULT_BUSY_TIMEOUT, *,
              defer_config: bool = False) -> Instance:
        """The persistent instance in folder ``path`` (created if missing): SQLite in
        ``history/headwater.db``, unless ``headwater.yaml``/``dagster.yaml`` there says
        otherwise (a bad file raises ``InstanceConfigError``).

        ``defer_config``: when the file sets none of the sections that move the database or
        the files (``OPENING_SECTIONS``), open the default layout at once and read (and
        validate) the file on first use of ``config``. A run worker opens its instance so: the
        file was validated by whoever queued the run, and a cold run start then loads neither
        PyYAML nor pydantic (~0.3 s)."""
        home = resolve_home(path)
        config_file = find_config_file(home)
        if config_file is not None and not (defer_config and _opens_as_default(config_file)):
            from headwater.storage.config import InstanceConfig

            return cls.from_config(InstanceConfig.load(home), busy_timeout=busy_timeout)
        home = prepare_home(home)
        db = Database(sqlite_url_for_home(home), busy_timeout=busy_timeout)
        return cls(db, root_directory=home, home=home)

    @classmethod
    def from_config(cls, config: InstanceConfig,
                    busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Instance:
        """The instance an ``InstanceConfig`` describes: its database (SQLite or PostgreSQL),
        its files under the home folder (or ``local_artifact_storage``'s ``base_dir``)."""
        from headwater.storage.config import SqliteTarget

        home = config.home
        _ensure_dir(home, "the Headwater home folder")
        root = config.artifact_directory()
        if root != home:
            _ensure_dir(root, "the folder of local_artifact_storage")
        target = config.storage_target
        if isinstance(target, SqliteTarget):
            _ensure_dir(os.path.dirname(target.path), "the Headwater history folder")
        db = Database(config.database_url(), busy_timeout=busy_timeout)
        return cls(db, root_directory=root, home=home, config=config)

    @classmethod
    def from_url(cls, url: str | sa.URL, storage_directory: str | None = None,
                 busy_timeout: float = DEFAULT_BUSY_TIMEOUT,
                 root_directory: str | None = None) -> Instance:
        """An instance on a SQLite or PostgreSQL URL.

        Files (asset values under ``storage_directory``, compute logs) live under
        ``root_directory``: by default next to a SQLite file (its folder), else a temp dir made
        on first use and removed by ``dispose()``.
        """
        db = Database(url, busy_timeout=busy_timeout)
        root = root_directory or (os.path.dirname(db.path) if db.path else None)
        if root is not None:
            _ensure_dir(root, "the instance folder")
        return cls(db, root_directory=root, storage_directory=storage_directory,
                   is_ephemeral=db.is_memory)

    # ------------------------------------------------------------------ folders

    @property
    def is_ephemeral(self) -> bool:
        return self._is_ephemeral

    @property
    def home(self) -> str | None:
        """The home folder this instance was opened from (``get``/``local``), else None."""
        return self._home

    @property
    def config(self) -> InstanceConfig:
        """The instance configuration (``headwater.storage.config.InstanceConfig``): the file
        in the home folder, or the defaults for an instance opened without one."""
        if self._config is None:
            from headwater.storage.config import InstanceConfig

            home = self._home or self.root_directory
            self._config = (InstanceConfig.load(home) if self._home is not None
                            else InstanceConfig.from_dict({}, home))
        return self._config

    def default_pool_limit(self) -> int | None:
        """``concurrency.pools.default_limit`` of the instance's configuration (an instance
        opened without a configuration file has none: not read, no folder made for it)."""
        if self._config is None and self._home is None:
            return None
        return self.config.default_pool_limit()

    @property
    def is_persistent(self) -> bool:
        return not self._is_ephemeral

    @property
    def is_read_only(self) -> bool:
        """Opened read-only (this user cannot write the database): reads only, no migration."""
        return self._db.read_only

    def report_runless_asset_event(self, asset_event: Any) -> None:
        """Record a materialization, observation or check result that no run produced."""
        import logging
        import time

        from headwater.definitions.results import AssetObservation
        from headwater.events.records import (
            AssetCheckEvaluation,
            Event,
            EventLogEntry,
            EventType,
            StepMaterializationData,
        )

        data: Any
        if isinstance(asset_event, AssetCheckEvaluation):
            kind, data = EventType.ASSET_CHECK_EVALUATION, asset_event
        elif isinstance(asset_event, AssetObservation):
            kind, data = EventType.ASSET_OBSERVATION, StepMaterializationData(asset_event)
        else:
            kind, data = EventType.ASSET_MATERIALIZATION, StepMaterializationData(asset_event)
        event = Event(kind, "", None, None, None, data)
        self.store_events([EventLogEntry("", time.time(), logging.INFO, "", None, "", event)])

    @property
    def root_directory(self) -> str:
        if self._root is None:
            if self._temp_dir is None:
                self._temp_dir = tempfile.mkdtemp(prefix="headwater-")
                self._temp_finalizer = weakref.finalize(self, shutil.rmtree, self._temp_dir, True)
            return self._temp_dir
        return self._root

    def storage_directory(self) -> str:
        """Where the filesystem IO manager stores outputs: ``<root>/storage``."""
        return self._storage_dir or os.path.join(self.root_directory, "storage")

    # Dagster's names for the storages: here one object implements every contract.
    @property
    def run_storage(self) -> contracts.RunStorage:
        return self

    @property
    def event_log_storage(self) -> contracts.EventLogStorage:
        return self

    @property
    def schedule_storage(self) -> contracts.ScheduleStorage:
        return self

    @property
    def database(self) -> Database:
        return self._db

    def describe(self) -> str:
        return self._db.describe()

    # ---------------------------------------------------------------- lifecycle

    def upgrade(self) -> None:
        """Bring the schema to the newest revision (done on open; kept for Dagster parity)."""
        ensure_schema(self._db)

    def dispose(self) -> None:
        """Close the database connection and remove this instance's temp dir, if any."""
        self._db.dispose()
        if self._temp_finalizer is not None:
            self._temp_finalizer()

    def __enter__(self) -> Instance:
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.dispose()

    def __reduce__(self) -> Any:
        # Another process reopens the same database with its own connection.
        if self._db.is_memory:
            raise InvariantViolationError(
                "An ephemeral (in-memory) instance cannot be sent to another process; use a "
                "persistent one (Instance.get(), Instance.local(path) or instance_for_test()).")
        if self._home is not None:  # reopened from its home folder, configuration included
            return (_reopen_home, (self._home, self._db.busy_timeout))
        # The files' folder goes along even when it is this instance's temp dir (PostgreSQL
        # without a root): workers must write compute logs and values where the launcher reads.
        return (_reopen, (self._db.url, self.root_directory, self._storage_dir,
                          self._db.busy_timeout))

    def __repr__(self) -> str:
        return f"<Instance {self._db.describe()}>"


def _reopen_home(home: str, busy_timeout: float) -> Instance:
    return Instance.local(home, busy_timeout=busy_timeout)


def _reopen(url: str, root: str | None, storage_dir: str | None, busy_timeout: float) -> Instance:
    return Instance(Database(url, busy_timeout=busy_timeout), root_directory=root,
                    storage_directory=storage_dir)
