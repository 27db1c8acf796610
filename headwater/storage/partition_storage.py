"""Partitions in the instance: dynamic partition keys and partition status. Mixed into Instance.

Dynamic partitions: the keys of each ``DynamicPartitionsDefinition``, by its name, in the
order they were first added (Dagster's instance methods and behaviour: adding a key that
exists is a no-op, deleting one that does not is a no-op).

Partition status comes from the asset index, never from the event log: ``asset_partitions``
(latest materialization per partition) and ``asset_partition_planned`` (open plans: the
latest run that planned a partition not materialized since) joined with ``runs`` for that
run's status.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from headwater.definitions.asset_key import AssetKey
from headwater.definitions.errors import InvalidInvocationError
from headwater.storage import contracts
from headwater.storage.asset_storage import chunks, materialized_partitions
from headwater.storage.database import Database
from headwater.storage.partition_status import (
    PartitionStatusSummary,
    classify_planned,
)

if TYPE_CHECKING:
    import sqlalchemy as sa
    from sqlalchemy.engine import Connection

    from headwater.storage import schema as tables
else:
    from headwater.storage.lazy import sa, tables

# Open plans (planned, not materialized since) with their run's status (NULL if the run was
# deleted): few rows, however many partitions the asset has.
_OPEN_PLANS = ("SELECT p.partition, r.status FROM asset_partition_planned p "
               "LEFT OUTER JOIN runs r ON r.run_id = p.run_id WHERE p.asset_key = ?")


def _check_name(partitions_def_name: Any) -> str:
    if not isinstance(partitions_def_name, str) or not partitions_def_name:
        raise InvalidInvocationError(
            f"Dynamic partitions are stored under the name of their DynamicPartitionsDefinition, "
            f"a non-empty string; got {partitions_def_name!r}. Pass the definition's name, e.g. "
            "instance.add_dynamic_partitions(\"fruits\", [\"apple\"]).")
    return partitions_def_name


def check_partition_keys(partitions_def_name: str, partition_keys: Any) -> list[str]:
    """The keys as a list without repeats (first occurrence kept); raise on a bad key."""
    name = _check_name(partitions_def_name)
    if isinstance(partition_keys, (str, bytes)) or not isinstance(partition_keys, Iterable):
        raise InvalidInvocationError(
            f"Partition keys for dynamic partitions {name!r} must be a list of strings; got "
            f"{partition_keys!r}. Wrap a single key in a list: [{partition_keys!r}].")
    keys = list(partition_keys)
    for key in keys:
        if not isinstance(key, str) or not key:
            raise InvalidInvocationError(
                f"Invalid partition key {key!r} for dynamic partitions {name!r}: a partition "
                "key must be a non-empty string. Nothing was added or deleted.")
    return list(dict.fromkeys(keys))


class SqlPartitionStorage(contracts.DynamicPartitionStorage, contracts.EventLogStorage):
    """Dynamic partition keys (their contract) and partition status (the event log
    contract's, from the asset index), in SQL."""

    _db: Database

    # ------------------------------------------------------- dynamic partitions

    def add_dynamic_partitions(self, partitions_def_name: str,
                               partition_keys: Sequence[str]) -> None:
        """Add keys to a dynamic partitions definition; keys it already has are skipped."""
        keys = check_partition_keys(partitions_def_name, partition_keys)
        if keys:
            with self._db.write() as conn:
                _add_keys(self._db, conn, partitions_def_name, keys)

    def delete_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> None:
        """Remove one key; removing a key that is not there does nothing (as in Dagster)."""
        keys = check_partition_keys(partitions_def_name, [partition_key])
        with self._db.write() as conn:
            _delete_keys(conn, partitions_def_name, keys)

    def get_dynamic_partitions(self, partitions_def_name: str) -> list[str]:
        """The definition's keys in the order they were added ([] for an unknown name)."""
        dp = tables.dynamic_partitions.c
        stmt = sa.select(dp.partition).where(
            dp.partitions_def_name == _check_name(partitions_def_name)).order_by(dp.id)
        with self._db.read() as conn:
            return list(conn.execute(stmt).scalars())

    def has_dynamic_partition(self, partitions_def_name: str, partition_key: str) -> bool:
        dp = tables.dynamic_partitions.c
        stmt = sa.select(dp.id).where(dp.partitions_def_name == _check_name(partitions_def_name),
                                      dp.partition == partition_key)
        with self._db.read() as conn:
            return conn.execute(stmt).first() is not None

    def apply_dynamic_partitions_requests(self, requests: Iterable[Any]) -> None:
        """Apply ``AddDynamicPartitionsRequest``/``DeleteDynamicPartitionsRequest`` objects in
        order, in one transaction: all of them or, on a bad request, none."""
        from headwater.definitions.run_request import (
            AddDynamicPartitionsRequest,
            DeleteDynamicPartitionsRequest,
        )

        steps: list[tuple[bool, str, list[str]]] = []
        for request in requests:
            if not isinstance(request, (AddDynamicPartitionsRequest,
                                        DeleteDynamicPartitionsRequest)):
                raise InvalidInvocationError(
                    f"Expected AddDynamicPartitionsRequest or DeleteDynamicPartitionsRequest, "
                    f"got {request!r}. Nothing was added or deleted.")
            keys = check_partition_keys(request.partitions_def_name, request.partition_keys)
            steps.append((isinstance(request, AddDynamicPartitionsRequest),
                          request.partitions_def_name, keys))
        if not any(keys for _, _, keys in steps):
            return
        with self._db.write() as conn:
            for add, name, keys in steps:
                if keys and add:
                    _add_keys(self._db, conn, name, keys)
                elif keys:
                    _delete_keys(conn, name, keys)

    # --------------------------------------------------------- partition status

    def get_partition_status(self, asset_key: AssetKey,
                             partitions_def: Any = None) -> PartitionStatusSummary:
        """Which partitions of an asset are materialized, failed, in progress (and, given its
        partitions definition, missing), from the asset index.

        A partition whose latest planning run has not finished is in progress; one whose
        latest planning run failed without materializing it since is failed; otherwise it is
        materialized if it ever was. With ``partitions_def``, keys that are not (or no longer)
        in the definition are left out, and ``missing`` lists the rest in definition order.
        """
        key = asset_key.to_string()
        db = self._db
        with db.read_cursor() as cursor:
            pending = cursor.execute(db.sql(_OPEN_PLANS), (key,)).fetchall()
            materialized = materialized_partitions(db, cursor, key)
        failed: set[str] = set()
        in_progress: set[str] = set()
        for partition, status in pending:
            kind = classify_planned(status)
            if kind == "failed":
                failed.add(partition)
            elif kind == "in_progress":
                in_progress.add(partition)
        materialized -= failed
        materialized -= in_progress
        if partitions_def is None:
            return PartitionStatusSummary(frozenset(materialized), frozenset(failed),
                                        frozenset(in_progress))
        keys = partitions_def.get_partition_keys(dynamic_partitions_store=self)
        valid = set(keys)
        materialized &= valid
        failed &= valid
        in_progress &= valid
        if materialized or failed or in_progress:
            seen = materialized | failed | in_progress
            missing = tuple(k for k in keys if k not in seen)
        else:
            missing = tuple(keys)
        return PartitionStatusSummary(frozenset(materialized), frozenset(failed),
                                    frozenset(in_progress), missing)


def _add_keys(db: Database, conn: Connection, name: str, keys: list[str]) -> None:
    dp = tables.dynamic_partitions.c
    stmt = db.insert(tables.dynamic_partitions).on_conflict_do_nothing(
        index_elements=[dp.partitions_def_name, dp.partition])
    now = time.time()
    conn.execute(stmt, [{"partitions_def_name": name, "partition": k, "create_timestamp": now}
                        for k in keys])


def _delete_keys(conn: Connection, name: str, keys: list[str]) -> None:
    dp = tables.dynamic_partitions.c
    for chunk in chunks(keys):
        conn.execute(sa.delete(tables.dynamic_partitions).where(
            dp.partitions_def_name == name, dp.partition.in_(chunk)))
