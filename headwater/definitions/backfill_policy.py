"""``BackfillPolicy``: how many partitions of an asset one backfill run materializes."""

from __future__ import annotations

import enum
from typing import NamedTuple

from headwater.definitions.errors import InvalidDefinitionError


class BackfillPolicyType(enum.Enum):
    SINGLE_RUN = "SINGLE_RUN"
    MULTI_RUN = "MULTI_RUN"


class BackfillPolicy(NamedTuple("_BackfillPolicy", [("max_partitions_per_run", "int | None")])):
    """A backfill of the asset runs all its partitions in one run (``single_run()``) or in runs
    of at most ``max_partitions_per_run`` partitions (``multi_run(n)``)."""

    def __new__(cls, max_partitions_per_run: int | None = 1) -> BackfillPolicy:
        n = max_partitions_per_run
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n < 1):
            raise InvalidDefinitionError(
                f"BackfillPolicy max_partitions_per_run must be a whole number of at least 1 "
                f"(or None for one run); got {n!r}. Use BackfillPolicy.single_run() or "
                "BackfillPolicy.multi_run(max_partitions_per_run=10)")
        return super().__new__(cls, n)

    @staticmethod
    def single_run() -> BackfillPolicy:
        """Every partition of the backfill in one run."""
        return BackfillPolicy(None)

    @staticmethod
    def multi_run(max_partitions_per_run: int = 1) -> BackfillPolicy:
        """Runs of at most ``max_partitions_per_run`` partitions each."""
        return BackfillPolicy(max_partitions_per_run)

    @property
    def policy_type(self) -> BackfillPolicyType:
        return (BackfillPolicyType.SINGLE_RUN if self.max_partitions_per_run is None
                else BackfillPolicyType.MULTI_RUN)

    def __str__(self) -> str:
        if self.max_partitions_per_run is None:
            return "BackfillPolicy.single_run()"
        return f"BackfillPolicy.multi_run(max_partitions_per_run={self.max_partitions_per_run})"
