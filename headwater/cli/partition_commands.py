"""``headwater asset partitions KEY``: which partitions of an asset are materialized, failed,
in progress or missing — read from the asset index, shown as ranges of consecutive keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from headwater.cli.common import CliError
from headwater.cli.definitions_commands import load_valid
from headwater.cli.loading import LocationArgs, code_location_options

MAX_RANGES = 6


def key_ranges(all_keys: Sequence[str], chosen: set[str] | Sequence[str]) -> list[str]:
    """``chosen`` as runs of consecutive keys of ``all_keys``: "a...c", or "d" alone."""
    wanted = set(chosen)
    out: list[str] = []
    start: str | None = None
    last: str | None = None
    for key in all_keys:
        if key in wanted:
            if start is None:
                start = key
            last = key
        elif start is not None:
            out.append(start if start == last else f"{start}...{last}")
            start = None
    if start is not None:
        out.append(start if start == last else f"{start}...{last}")
    return out


def _shown(ranges: list[str]) -> str:
    if len(ranges) <= MAX_RANGES:
        return ", ".join(ranges)
    return ", ".join(ranges[:MAX_RANGES]) + f", ... ({len(ranges) - MAX_RANGES} more ranges)"


@click.command("partitions")
@click.argument("asset_key")
@code_location_options
def partitions_command(location: LocationArgs, asset_key: str) -> None:
    """Partition status of ASSET_KEY (e.g. daily_sales or raw/events): materialized, failed,
    in progress and missing partitions, as ranges."""
    from headwater.cli.run_commands import _existing_instance
    from headwater.definitions.asset_key import AssetKey

    graph = load_valid(location).defs.asset_graph
    key = AssetKey.from_user_string(asset_key)
    if key not in graph:
        raise CliError(f"No asset {asset_key!r} in this code location; see `headwater asset list`.")
    pdef = graph.partitions_def_for(key)
    if pdef is None:
        raise CliError(f"Asset {asset_key!r} is not partitioned; `headwater run list` shows its "
                       "runs.")
    instance = _existing_instance()
    try:
        materialized: Any = frozenset()
        failed: Any = frozenset()
        in_progress: Any = frozenset()
        if instance is None:
            all_keys = list(pdef.get_partition_keys())
            missing: Sequence[str] = all_keys
        else:
            status = instance.get_partition_status(key, pdef)
            materialized, failed, in_progress = (status.materialized, status.failed,
                                                 status.in_progress)
            missing = status.missing or ()
            all_keys = list(pdef.get_partition_keys(dynamic_partitions_store=instance))
    finally:
        if instance is not None:
            instance.dispose()
    click.echo(f"{key.to_user_string()}: {len(all_keys)} partitions of {pdef!r}")
    for label, keys in (("materialized", materialized), ("failed", failed),
                        ("in progress", in_progress), ("missing", missing)):
        ranges = key_ranges(all_keys, keys) if keys else []
        click.echo(f"  {label:<13}{len(keys):>7}   {_shown(ranges)}".rstrip())
