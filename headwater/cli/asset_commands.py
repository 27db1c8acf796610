"""``headwater asset list`` and ``headwater asset materialize``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from headwater.cli.common import CliError
from headwater.cli.definitions_commands import load_valid
from headwater.cli.loading import LocationArgs, code_location_options
from headwater.cli.output import first_line, print_table


def resolve_selection(graph: Any, select: str) -> set[int]:
    """Asset ids of a selection string (``AssetSelection.from_string``, the one parser)."""
    from headwater.definitions.selection import AssetSelection

    return AssetSelection.from_string(select).resolve_ids(graph)


@click.group("asset")
def asset_group() -> None:
    """List and materialize assets."""


@asset_group.command("list")
@click.option("--select", metavar="SELECTION",
              help='Only these assets, e.g. "group:raw", "+snow_summary", "tag:team=data".')
@code_location_options
def list_assets(location: LocationArgs, select: str | None) -> None:
    """The assets of the code location: key, group, kinds, upstream count, description."""
    graph = load_valid(location).defs.asset_graph
    ids = resolve_selection(graph, select) if select else graph.all_ids()
    rows = []
    for i in graph.toposort:
        if i not in ids:
            continue
        spec = graph.specs[i]
        description = first_line(spec.description)
        if not graph.is_executable(i):
            description = f"(external) {description}".rstrip()
        rows.append([graph.keys[i].to_user_string(), graph.group(i),
                     ", ".join(sorted(spec.kinds)), len(graph.parents[i]),
                     _partitions(graph.partitions_def_of(i)), description])
    print_table(["key", "group", "kinds", "upstream", "partitions", "description"], rows,
                wrap=["kinds", "description"])


def _partitions(pdef: Any) -> str:
    """A short name of a partitions definition: daily, hourly, static, dynamic, multi..."""
    if pdef is None:
        return ""
    return type(pdef).__name__.removesuffix("PartitionsDefinition").lower() or "custom"


def _load_structured(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise CliError(f"{source} is not valid JSON: {e}") from None


def _config_file(value: str) -> dict[str, Any]:
    path = Path(value).expanduser()
    if not path.is_file():
        raise CliError(f"Config file {value!r} not found.")
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".yaml", ".yml"):
        try:
            import yaml  # type: ignore[import-untyped]
        except ImportError:
            raise CliError(f"{value} is YAML, but PyYAML is not installed: pip install pyyaml, "
                           "or give the config as JSON.") from None
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as e:
            raise CliError(f"{value} is not valid YAML: {e}") from None
    else:
        data = _load_structured(text, value)
    if not isinstance(data, dict):
        raise CliError(f"{value} must hold a mapping (e.g. {{\"ops\": {{...}}}}), "
                       f"not a {type(data).__name__}.")
    return data


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def run_config_from(config_json: str | None, config_files: tuple[str, ...]) -> dict[str, Any]:
    """Config files merged in order, then --config-json on top."""
    config: dict[str, Any] = {}
    for value in config_files:
        config = _merge(config, _config_file(value))
    if config_json is not None:
        data = _load_structured(config_json, "--config-json")
        if not isinstance(data, dict):
            raise CliError("--config-json must be a JSON object, e.g. "
                           '\'{"ops": {"my_asset": {"config": {"n": 3}}}}\'.')
        config = _merge(config, data)
    return config


def tags_from(tags_json: str | None) -> dict[str, str]:
    if tags_json is None:
        return {}
    data = _load_structured(tags_json, "--tags")
    if not isinstance(data, dict):
        raise CliError('--tags must be a JSON object, e.g. \'{"team": "data"}\'.')
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}


@asset_group.command("materialize")
@click.option("--select", required=True, metavar="SELECTION",
              help='Which assets: "my_asset", "*my_asset" (and upstream), "my_asset+" '
                   '(and children), "group:raw", "tag:team=data", "*" (all).')
@click.option("--config-json", metavar="JSON", help="Run config as a JSON object.")
@click.option("-c", "--config", "config_files", multiple=True, metavar="FILE",
              help="Run config file (.json, .yaml); repeat to merge several.")
@click.option("--tags", "tags_json", metavar="JSON", help="Run tags as a JSON object.")
@click.option("--partition", metavar="KEY",
              help='One partition of partitioned assets, or a range "START...END" in one run '
                   "(for many partitions in separate runs: headwater backfill launch).")
@click.option("--async", "queue_only", is_flag=True,
              help="Queue the run and print its id, without waiting (the daemon launches it).")
@click.option("-l", "--location", "location_name", metavar="NAME",
              help="With --async: the code location's name (default: the name the daemon "
                   "gives it: the module name or the file's name).")
@code_location_options
def materialize_command(location: LocationArgs, select: str, config_json: str | None,
                        config_files: tuple[str, ...], tags_json: str | None,
                        partition: str | None, queue_only: bool,
                        location_name: str | None) -> None:
    """Materialize the selected assets (and their checks) in this process, on the instance
    (with --async: queue the run and return at once)."""
    from headwater.cli.materialize import run_materialization

    run_config = run_config_from(config_json, config_files)
    tags = tags_from(tags_json)
    if partition is not None:
        from headwater.execution.backfill import parse_partition_spec
        from headwater.execution.partitions import run_partition_tags

        key_range, keys = parse_partition_spec(partition)
        if keys is not None and len(keys) != 1:
            raise CliError("--partition takes one key or a range START...END; for a list of "
                           "keys use `headwater backfill launch --partitions a,b,c`")
        tags.update(run_partition_tags(keys[0] if keys else None, key_range))
    loc = load_valid(location)
    graph = loc.defs.asset_graph
    ids = resolve_selection(graph, select)
    if partition is None:
        partitioned = [graph.keys[i].to_user_string() for i in graph.toposort
                       if i in ids and graph.is_executable(i)
                       and graph.partitions_def_of(i) is not None]
        if partitioned:
            raise CliError(
                f"The selection {select!r} holds partitioned asset(s) "
                f"{', '.join(partitioned[:5])}{' ...' if len(partitioned) > 5 else ''}: pass "
                "--partition KEY (or START...END), use `headwater backfill launch` for many "
                "partitions, or select only unpartitioned assets (e.g. --select 'group:raw').")
    if queue_only:
        _queue_materialization(location, location_name, loc, select, ids, run_config, tags)
        return
    code = run_materialization(loc, select, ids, run_config=run_config, tags=tags)
    click.get_current_context().exit(code)


def _queue_materialization(args: LocationArgs, location_name: str | None, loc: Any, select: str,
                           ids: set[int], run_config: dict[str, Any],
                           tags: dict[str, str]) -> None:
    from headwater.cli.queue_commands import location_name as name_of
    from headwater.cli.queue_commands import queue_request
    from headwater.execution import LaunchRequest

    graph = loc.defs.asset_graph
    keys = tuple(graph.keys[i] for i in graph.toposort if i in ids and graph.is_executable(i))
    if not keys:
        raise CliError(f"The selection {select!r} matches no asset that can be materialized "
                       "(only external assets, or nothing). See `headwater asset list`.")
    request = LaunchRequest(asset_selection=keys, run_config=run_config or None, tags=tags)
    queue_request(loc, request, name_of(args, location_name))
